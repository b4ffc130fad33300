/*
 * election.c: epochs, votes and the leader count (Redis's
 * sentinelVoteLeader and sentinelGetLeader).
 *
 * Safety rests on two facts: a sentinel casts at most one vote per master
 * and epoch, and that vote is durable (a SAVE queued before anything that
 * depends on it, the reply to the vote request included) so a restart
 * cannot make it vote again; and a leader needs the votes of a majority of
 * all the sentinels it knows for the master, itself included, and at least
 * quorum. Two majorities of one set intersect, so two leaders in one epoch
 * would need one sentinel to vote twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core_priv.h"

void
sn_election_adopt_epoch(struct sn_core *core, struct sn_master *m,
                        uint64_t epoch)
{
    if (epoch <= core->cfg.current_epoch)
        return;
    core->cfg.current_epoch = epoch;
    sn_core_touch(core, NULL);  /* every master's election sees it */
    sn_core_dirty(core);
    sn_core_emit(core, SN_LOG_WARNING, "+new-epoch", &m->inst, false,
                 "%llu", (unsigned long long)epoch);
}

const char *
sn_election_vote(struct sn_core *core, struct sn_master *m,
                 uint64_t req_epoch, const char *runid,
                 uint64_t *leader_epoch)
{
    if (req_epoch > core->cfg.current_epoch)
        sn_election_adopt_epoch(core, m, req_epoch);
    /* Redis votes only when req_epoch is also >= its current epoch, which
     * every other master's failover moves on: concurrent failovers of
     * different masters then refuse each other's votes and all but the
     * newest abort (a storm of dead masters fails over one at a time).
     * What that check protects is per master: never elect a leader in an
     * epoch older than one this master already has a config or a vote
     * in. So compare with this master's own epochs instead. */
    if (m->leader_epoch < req_epoch && m->cfg->config_epoch < req_epoch) {
        snprintf(m->leader, sizeof(m->leader), "%s", runid);
        m->leader_epoch = req_epoch;
        /* Durable before the reply and before we act on it. */
        sn_core_flush(core);
        sn_core_emit(core, SN_LOG_WARNING, "+vote-for-leader", NULL, false,
                     "%s %llu", m->leader,
                     (unsigned long long)m->leader_epoch);
        /* Having voted for another, we do not start a failover of our
         * own for this master before 2 x failover-timeout. */
        if (strcasecmp(m->leader, core->cfg.myid) != 0)
            m->failover_start_ms = core->now_ms +
                (int64_t)sn_rng_below(&core->rng, SN_FAILOVER_DESYNC_MS);
    }
    *leader_epoch = m->leader_epoch;
    return m->leader;
}

/* ---------------------------------------------------------------------
 * The count
 * ------------------------------------------------------------------- */

struct tally {
    const char *runid;
    int votes;
};

static void
tally_add(struct tally *t, int *len, const char *runid)
{
    int i;

    for (i = 0; i < *len; i++) {
        if (strcasecmp(t[i].runid, runid) == 0) {
            t[i].votes++;
            return;
        }
    }
    t[*len].runid = runid;
    t[*len].votes = 1;
    (*len)++;
}

/* The tie-break, explicit: most votes, then the lexicographically
 * smallest run id. A winner needs a strict majority, so two candidates can
 * never tie at a winning count; the rule only makes the count replayable. */
static const struct tally *
tally_best(const struct tally *t, int len)
{
    const struct tally *best = NULL;
    int i;

    for (i = 0; i < len; i++) {
        if (best == NULL || t[i].votes > best->votes ||
            (t[i].votes == best->votes &&
             strcasecmp(t[i].runid, best->runid) < 0))
            best = &t[i];
    }
    return best;
}

/* Votes are counted for the failover's epoch (Redis compares with the
 * current epoch, which another master's election may have moved on; the
 * votes we asked for carry the epoch we asked in). */
bool
sn_election_leader(struct sn_core *core, struct sn_master *m,
                   uint64_t epoch, bool forced, char out[SN_RUNID_LEN + 1])
{
    struct tally *t = sn_calloc((size_t)m->sentinels_len + 1, sizeof(*t));
    const struct tally *best;
    const char *myvote;
    uint64_t my_epoch = 0;
    int len = 0, voters = m->sentinels_len + 1, i;
    bool won;

    for (i = 0; i < m->sentinels_len; i++) {
        const struct sn_instance *si = m->sentinels[i];

        if (si->leader[0] != '\0' && si->leader_epoch == epoch)
            tally_add(t, &len, si->leader);
    }
    /* Our own vote: for the most voted candidate, or for ourselves. */
    best = tally_best(t, len);
    myvote = sn_election_vote(core, m, epoch,
                              best != NULL ? best->runid : core->cfg.myid,
                              &my_epoch);
    if (myvote[0] != '\0' && my_epoch == epoch)
        tally_add(t, &len, myvote);
    best = tally_best(t, len);
    won = best != NULL && best->votes >= voters / 2 + 1 &&
          (forced || best->votes >= m->cfg->quorum);
    if (won)
        snprintf(out, SN_RUNID_LEN + 1, "%s", best->runid);
    free(t);
    return won;
}
