/*
 * check.c: the invariants (DESIGN.md, tests/sim), checked as the run goes.
 *
 *   1. leader   at most one leader per (master, epoch);
 *      vote     a sentinel votes at most once per (master, epoch), across
 *               restarts too (records are kept by myid, outside the core);
 *      durable  a vote is on disk before its reply leaves;
 *   2. start    a failover starts only on ODOWN (with quorum: counted from
 *               the peers' replies in transit), unless forced;
 *      election a leader has a majority of the sentinels it knows and at
 *               least quorum (votes counted from the replies it received),
 *               and only an elected (or forced) sentinel sends SLAVEOF NO
 *               ONE;
 *   3. epoch    current and config epochs never decrease, across restarts;
 *      tilt     no SLAVEOF and no failover start while in TILT;
 *   4. promote  only a priority > 0 replica of the failed master is
 *               promoted (priority as its last INFO showed it);
 *      config   one address per (master, config epoch), across sentinels;
 *   5. converge after the faults stop, one master per group, named by
 *               every sentinel with the same config epoch, followed by
 *               every replica, within a bound.
 *
 * Each violation prints the seed, the step and the virtual time.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "instance.h"
#include "sim.h"

#define VIOLATIONS_PRINTED_MAX 20

/* Per sentinel and group, for the current incarnation. */
struct fo_track {
    bool odown;             /* +odown seen, no -odown since */
    bool forced_pending;    /* inside a SENTINEL FAILOVER call */
    uint64_t forced_epoch;  /* the epoch of a forced failover, 0 */
    uint64_t elected_epoch; /* the epoch of the last +elected-leader */
    uint32_t down_mask;     /* peers whose last answer said down */
};

/* Per myid, for ever. */
struct id_rec {
    char myid[SN_RUNID_LEN + 1];
    uint64_t epoch;
    uint64_t config_epoch[SIM_GROUPS_MAX];
};

struct sim_check {
    struct sim_smap votes;      /* "myid/group/epoch" -> leader */
    struct sim_smap leaders;    /* "group/epoch" -> myid */
    struct sim_smap grants;     /* "myid/group/epoch" -> voter mask */
    struct fo_track fo[SIM_SENTINELS_MAX][SIM_GROUPS_MAX];
    struct id_rec *recs;
    int recs_len;
    int rec_of[SIM_SENTINELS_MAX];          /* -1 while crashed */
    /* The last vote seen per sentinel and master position. */
    uint64_t seen_epoch[SIM_SENTINELS_MAX][SIM_GROUPS_MAX];
    char seen_leader[SIM_SENTINELS_MAX][SIM_GROUPS_MAX][SN_RUNID_LEN + 1];
    int group_of[SIM_SENTINELS_MAX][SIM_GROUPS_MAX];
    int masters_len[SIM_SENTINELS_MAX];
    /* The config last seen per sentinel and master position. */
    uint64_t seen_config_epoch[SIM_SENTINELS_MAX][SIM_GROUPS_MAX];
    int seen_config_port[SIM_SENTINELS_MAX][SIM_GROUPS_MAX];
    char seen_config_host[SIM_SENTINELS_MAX][SIM_GROUPS_MAX][SIM_HOST_MAX];
    struct sim_smap configs;    /* "group/config-epoch" -> host:port */
    /* The priority the last INFO from a server showed a sentinel. */
    int seen_priority[SIM_SENTINELS_MAX][SIM_SERVERS_MAX];
};

static const char *
nname(const struct sim *sim, int node)
{
    return node >= 0 ? sim->nodes[node].name : "?";
}

static int
sindex(const struct sim *sim, const struct sim_sentinel *s)
{
    return (int)(s - sim->sentinels);
}

void
sim_check_init(struct sim *sim)
{
    struct sim_check *ck = sn_calloc(1, sizeof(*ck));
    int i;

    sim_smap_init(&ck->votes);
    sim_smap_init(&ck->leaders);
    sim_smap_init(&ck->grants);
    sim_smap_init(&ck->configs);
    for (i = 0; i < SIM_SENTINELS_MAX; i++)
        ck->rec_of[i] = -1;
    memset(ck->seen_priority, 0xff, sizeof(ck->seen_priority));
    sim->check = ck;
}

void
sim_check_free(struct sim *sim)
{
    struct sim_check *ck = sim->check;

    if (ck == NULL)
        return;
    sim_smap_free(&ck->votes);
    sim_smap_free(&ck->leaders);
    sim_smap_free(&ck->grants);
    sim_smap_free(&ck->configs);
    free(ck->recs);
    free(ck);
    sim->check = NULL;
}

void
sim_violation(struct sim *sim, const char *rule, const char *fmt, ...)
{
    va_list ap;

    sim->violations++;
    if (sim->violations > VIOLATIONS_PRINTED_MAX) {
        if (sim->violations == VIOLATIONS_PRINTED_MAX + 1)
            printf("VIOLATION seed=%" PRIu64 ": more violations not "
                   "printed\n", sim->seed);
        return;
    }
    printf("VIOLATION seed=%" PRIu64 " step=%" PRIu64 " t=%" PRId64
           ".%03" PRId64 "s scenario=%s rule=%s: ", sim->seed, sim->step,
           (sim->now - sim->start_at) / 1000,
           (sim->now - sim->start_at) % 1000,
           sim->opts.scenario != NULL ? sim->opts.scenario : "random", rule);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

/* ---------------------------------------------------------------------
 * Records
 * ------------------------------------------------------------------- */

static struct id_rec *
rec_for(struct sim_check *ck, const char *myid)
{
    int i;

    for (i = 0; i < ck->recs_len; i++)
        if (strcmp(ck->recs[i].myid, myid) == 0)
            return &ck->recs[i];
    ck->recs = sn_realloc(ck->recs, (size_t)(ck->recs_len + 1) *
                                    sizeof(*ck->recs));
    memset(&ck->recs[ck->recs_len], 0, sizeof(ck->recs[0]));
    snprintf(ck->recs[ck->recs_len].myid, SN_RUNID_LEN + 1, "%s", myid);
    return &ck->recs[ck->recs_len++];
}

/* A vote of `myid` for `leader` in (group, epoch), from whatever source:
 * the core's own state, its answer, or an answer in transit. */
static void
record_vote(struct sim *sim, const char *myid, int group, uint64_t epoch,
            const char *leader, const char *source)
{
    char key[128];
    const char *had;

    if (group < 0 || epoch == 0 || leader[0] == '\0')
        return;
    snprintf(key, sizeof(key), "%s/%d/%" PRIu64, myid, group, epoch);
    had = sim_smap_get(&sim->check->votes, key);
    if (had == NULL) {
        sim_smap_put(&sim->check->votes, key, leader);
        return;
    }
    if (strcmp(had, leader) != 0)
        sim_violation(sim, "vote", "sentinel %.8s voted for %.8s and for "
                      "%.8s in epoch %" PRIu64 " of %s (seen in %s)", myid,
                      had, leader, epoch, sim->groups[group].name, source);
}

static const char *
vote_of(struct sim *sim, const char *myid, int group, uint64_t epoch)
{
    char key[128];

    snprintf(key, sizeof(key), "%s/%d/%" PRIu64, myid, group, epoch);
    return sim_smap_get(&sim->check->votes, key);
}

static void
map_masters(struct sim *sim, struct sim_sentinel *s)
{
    struct sim_check *ck = sim->check;
    int idx = sindex(sim, s), n, i;
    struct sn_master **ms = sn_core_masters(s->core, &n);

    if (n > SIM_GROUPS_MAX)
        n = SIM_GROUPS_MAX;
    for (i = 0; i < n; i++) {
        ck->group_of[idx][i] = sim_group_by_name(sim, ms[i]->cfg->name);
        ck->seen_epoch[idx][i] = 0;
        ck->seen_leader[idx][i][0] = '\0';
        ck->seen_config_epoch[idx][i] = UINT64_MAX;
    }
    ck->masters_len[idx] = n;
}

void
sim_check_sentinel_reset(struct sim *sim, struct sim_sentinel *s)
{
    struct sim_check *ck = sim->check;
    int idx = sindex(sim, s);

    memset(ck->fo[idx], 0, sizeof(ck->fo[idx]));
    memset(ck->seen_priority[idx], 0xff, sizeof(ck->seen_priority[idx]));
    ck->masters_len[idx] = 0;
    ck->rec_of[idx] = -1;
    if (s->core == NULL)
        return;
    ck->rec_of[idx] = (int)(rec_for(ck, s->myid) - ck->recs);
    map_masters(sim, s);
}

/* ---------------------------------------------------------------------
 * After every call into a core
 * ------------------------------------------------------------------- */

/* One config per (master, config epoch): a config epoch is the epoch of
 * one election, whose one leader promoted one replica. Two addresses under
 * one epoch can never be reconciled by the newest-epoch-wins rule. */
static void
check_config(struct sim *sim, int idx, int pos, int g,
             const struct sn_config_master *cm)
{
    struct sim_check *ck = sim->check;
    char key[64], addr[SIM_HOST_MAX + 16];
    const char *had;

    if (ck->seen_config_epoch[idx][pos] == cm->config_epoch &&
        ck->seen_config_port[idx][pos] == cm->port &&
        strcmp(ck->seen_config_host[idx][pos], cm->host) == 0)
        return;
    ck->seen_config_epoch[idx][pos] = cm->config_epoch;
    ck->seen_config_port[idx][pos] = cm->port;
    snprintf(ck->seen_config_host[idx][pos], SIM_HOST_MAX, "%s", cm->host);
    snprintf(key, sizeof(key), "%d/%" PRIu64, g, cm->config_epoch);
    snprintf(addr, sizeof(addr), "%s:%d", cm->host, cm->port);
    had = sim_smap_get(&ck->configs, key);
    if (had == NULL)
        sim_smap_put(&ck->configs, key, addr);
    else if (strcmp(had, addr) != 0)
        sim_violation(sim, "config", "%s: config epoch %" PRIu64 " names "
                      "%s for s%d but %s elsewhere", sim->groups[g].name,
                      cm->config_epoch, addr, idx, had);
}

void
sim_check_core(struct sim *sim, struct sim_sentinel *s)
{
    struct sim_check *ck = sim->check;
    int idx = sindex(sim, s), n, i;
    struct sn_master **ms;
    struct id_rec *rec;
    uint64_t e;

    if (s->core == NULL || ck->rec_of[idx] < 0)
        return;
    rec = &ck->recs[ck->rec_of[idx]];
    e = sn_core_current_epoch(s->core);
    if (e < rec->epoch)
        sim_violation(sim, "epoch", "%s (%.8s): current epoch went down "
                      "from %" PRIu64 " to %" PRIu64, nname(sim, s->node),
                      s->myid, rec->epoch, e);
    rec->epoch = e;
    ms = sn_core_masters(s->core, &n);
    if (n != ck->masters_len[idx])
        map_masters(sim, s);
    if (n > SIM_GROUPS_MAX)
        n = SIM_GROUPS_MAX;
    for (i = 0; i < n; i++) {
        struct sn_master *m = ms[i];
        int g = ck->group_of[idx][i];

        if (g < 0)
            continue;
        if (m->cfg->config_epoch < rec->config_epoch[g])
            sim_violation(sim, "epoch", "%s (%.8s): config epoch of %s "
                          "went down from %" PRIu64 " to %" PRIu64,
                          nname(sim, s->node), s->myid, m->cfg->name,
                          rec->config_epoch[g], m->cfg->config_epoch);
        rec->config_epoch[g] = m->cfg->config_epoch;
        check_config(sim, idx, i, g, m->cfg);
        if (m->leader_epoch == ck->seen_epoch[idx][i] &&
            strcmp(m->leader, ck->seen_leader[idx][i]) == 0)
            continue;
        ck->seen_epoch[idx][i] = m->leader_epoch;
        memcpy(ck->seen_leader[idx][i], m->leader, SN_RUNID_LEN + 1);
        record_vote(sim, s->myid, g, m->leader_epoch, m->leader, "its state");
    }
}

/* ---------------------------------------------------------------------
 * Votes in transit
 * ------------------------------------------------------------------- */

void
sim_check_vote_answer(struct sim *sim, struct sim_sentinel *voter,
                      int group, const struct sim_vote_info *v)
{
    const struct sn_config *disk;
    const struct sn_config_master *dm;

    if (group < 0 || v->leader[0] == '\0' || v->leader_epoch == 0)
        return;
    disk = sim_sentinel_disk(sim, voter);
    dm = disk != NULL ? sn_config_master_find(disk, sim->groups[group].name)
                      : NULL;
    if (dm == NULL || dm->leader_epoch < v->leader_epoch ||
        (dm->leader_epoch == v->leader_epoch && dm->leader[0] != '\0' &&
         strcmp(dm->leader, v->leader) != 0))
        sim_violation(sim, "durable", "%s answers a vote for %.8s in epoch "
                      "%" PRIu64 " of %s that its disk does not hold (disk: "
                      "leader-epoch %" PRIu64 " %.8s)",
                      nname(sim, voter->node), v->leader, v->leader_epoch,
                      sim->groups[group].name,
                      dm != NULL ? dm->leader_epoch : 0,
                      dm != NULL ? dm->leader : "");
    record_vote(sim, voter->myid, group, v->leader_epoch, v->leader,
                "its answer");
}

void
sim_check_info(struct sim *sim, struct sim_sentinel *s, int server,
               int priority)
{
    sim->check->seen_priority[sindex(sim, s)][server] = priority;
}

void
sim_check_reply(struct sim *sim, struct sim_sentinel *s,
                const struct sim_vote_info *v)
{
    struct fo_track *ft;
    uint32_t bit;
    char key[128], val[32];
    const char *had;
    unsigned long mask = 0;

    if (v->group < 0 || v->voter < 0)
        return;
    ft = &sim->check->fo[sindex(sim, s)][v->group];
    bit = 1u << v->voter;
    if (v->down)
        ft->down_mask |= bit;
    else
        ft->down_mask &= ~bit;
    if (v->leader[0] == '\0' || v->leader_epoch == 0)
        return;
    record_vote(sim, v->voter_id, v->group, v->leader_epoch, v->leader,
                "an answer received");
    if (strcmp(v->leader, s->myid) != 0)
        return;
    snprintf(key, sizeof(key), "%s/%d/%" PRIu64, s->myid, v->group,
             v->leader_epoch);
    had = sim_smap_get(&sim->check->grants, key);
    if (had != NULL)
        mask = strtoul(had, NULL, 10);
    mask |= bit;
    snprintf(val, sizeof(val), "%lu", mask);
    sim_smap_put(&sim->check->grants, key, val);
}

/* ---------------------------------------------------------------------
 * Actions
 * ------------------------------------------------------------------- */

void
sim_check_forced(struct sim *sim, struct sim_sentinel *s, int group,
                 bool begin)
{
    sim->check->fo[sindex(sim, s)][group].forced_pending = begin;
}

/* The n-th space-separated token of s into out. */
static bool
token(const char *s, int n, char *out, size_t outlen)
{
    const char *p = s;
    size_t len;

    if (s == NULL)
        return false;
    while (n-- > 0) {
        p = strchr(p, ' ');
        if (p == NULL)
            return false;
        p++;
    }
    len = strcspn(p, " ");
    if (len >= outlen)
        return false;
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

/* The group an event is about: "master <name> ..." or "<name> ..." or an
 * instance "... @ <name> ...". */
static int
event_group(const struct sim *sim, const char *payload)
{
    char t[64];
    const char *at;

    if (payload == NULL)
        return -1;
    at = strstr(payload, " @ ");
    if (at != NULL)
        return token(at + 3, 0, t, sizeof(t)) ? sim_group_by_name(sim, t)
                                              : -1;
    if (strncmp(payload, "master ", 7) == 0)
        return token(payload, 1, t, sizeof(t)) ? sim_group_by_name(sim, t)
                                               : -1;
    return token(payload, 0, t, sizeof(t)) ? sim_group_by_name(sim, t) : -1;
}

static int
popcount(uint32_t v)
{
    int n = 0;

    for (; v != 0; v &= v - 1)
        n++;
    return n;
}

static void
on_odown(struct sim *sim, struct sim_sentinel *s, int g, const char *payload)
{
    struct fo_track *ft = &sim->check->fo[sindex(sim, s)][g];
    struct sn_master *m = sim_sentinel_master(s, g, sim);
    const char *q = payload != NULL ? strstr(payload, "#quorum ") : NULL;
    int have = -1, need = -1, counted;

    ft->odown = true;
    if (q != NULL)
        sscanf(q, "#quorum %d/%d", &have, &need);
    if (m == NULL || have < need || need != m->cfg->quorum)
        sim_violation(sim, "start", "%s: +odown %s without quorum",
                      nname(sim, s->node), payload);
    counted = 1 + popcount(ft->down_mask & ~(1u << sindex(sim, s)));
    if (m != NULL && counted < m->cfg->quorum)
        sim_violation(sim, "start", "%s: +odown %s but only %d sentinels "
                      "(itself included) said down in their last answers",
                      nname(sim, s->node), payload, counted);
}

static void
on_try_failover(struct sim *sim, struct sim_sentinel *s, int g)
{
    struct fo_track *ft = &sim->check->fo[sindex(sim, s)][g];
    struct sn_master *m = sim_sentinel_master(s, g, sim);
    struct sim_group *grp = &sim->groups[g];
    int idx = sindex(sim, s);

    /* SENTINEL FAILOVER may start one in TILT (Redis does); it must not
     * act before TILT ends, which the SLAVEOF check covers. */
    if (sn_core_tilt(s->core) && !ft->forced_pending)
        sim_violation(sim, "tilt", "%s starts a failover of %s in TILT",
                      nname(sim, s->node), grp->name);
    if (ft->forced_pending) {
        ft->forced_epoch = m != NULL ? m->failover_epoch : 0;
    } else if (!ft->odown) {
        sim_violation(sim, "start", "%s starts a failover of %s without "
                      "ODOWN", nname(sim, s->node), grp->name);
    }
    grp->tries++;
    if (grp->first_try_epoch[idx] == 0 && m != NULL)
        grp->first_try_epoch[idx] = m->failover_epoch;
    if (grp->first_try_at < 0)
        grp->first_try_at = sim->now;
    if (grp->last_try_at[idx] >= 0) {
        int64_t gap = sim->now - grp->last_try_at[idx];

        if (grp->min_retry_gap_ms < 0 || gap < grp->min_retry_gap_ms)
            grp->min_retry_gap_ms = gap;
    }
    grp->last_try_at[idx] = sim->now;
}

static void
on_elected(struct sim *sim, struct sim_sentinel *s, int g)
{
    struct fo_track *ft = &sim->check->fo[sindex(sim, s)][g];
    struct sn_master *m = sim_sentinel_master(s, g, sim);
    const char *grants, *own, *had;
    char key[96];
    uint64_t e;
    int votes, known;

    if (m == NULL)
        return;
    e = m->failover_epoch;
    ft->elected_epoch = e;
    if (ft->forced_epoch != 0 && ft->forced_epoch == e)
        return;                 /* SENTINEL FAILOVER: no election */
    snprintf(key, sizeof(key), "%s/%d/%" PRIu64, s->myid, g, e);
    grants = sim_smap_get(&sim->check->grants, key);
    own = vote_of(sim, s->myid, g, e);
    votes = popcount(grants != NULL ?
                     (uint32_t)strtoul(grants, NULL, 10) &
                     ~(1u << sindex(sim, s)) : 0);
    if (own != NULL && strcmp(own, s->myid) == 0)
        votes++;
    known = m->sentinels_len + 1;
    if (votes < known / 2 + 1 || votes < m->cfg->quorum)
        sim_violation(sim, "election", "%s elected leader of %s in epoch "
                      "%" PRIu64 " with %d votes (%d sentinels known, "
                      "quorum %d)", nname(sim, s->node), sim->groups[g].name,
                      e, votes, known, m->cfg->quorum);
    snprintf(key, sizeof(key), "%d/%" PRIu64, g, e);
    had = sim_smap_get(&sim->check->leaders, key);
    if (had == NULL)
        sim_smap_put(&sim->check->leaders, key, s->myid);
    else if (strcmp(had, s->myid) != 0)
        sim_violation(sim, "leader", "two leaders of %s in epoch %" PRIu64
                      ": %.8s and %.8s (%s)", sim->groups[g].name, e, had,
                      s->myid, nname(sim, s->node));
}

static void
on_event(struct sim *sim, struct sim_sentinel *s, const char *event,
         const char *payload)
{
    int g = event_group(sim, payload);

    if (strcmp(event, "+tilt") == 0) {
        sim->events_tilt++;
        return;
    }
    if (g < 0)
        return;
    if (strcmp(event, "+odown") == 0)
        on_odown(sim, s, g, payload);
    else if (strcmp(event, "-odown") == 0)
        sim->check->fo[sindex(sim, s)][g].odown = false;
    else if (strcmp(event, "+try-failover") == 0)
        on_try_failover(sim, s, g);
    else if (strcmp(event, "+elected-leader") == 0)
        on_elected(sim, s, g);
    else if (strcmp(event, "+switch-master") == 0) {
        sim->groups[g].switches++;
        sim_group_check_failover_done(sim, g);
    }
    else if (strcmp(event, "-failover-abort-no-good-slave") == 0)
        sim->groups[g].aborts_no_good++;
    else if (strcmp(event, "-failover-abort-not-elected") == 0)
        sim->groups[g].aborts_not_elected++;
}

static void
on_promote(struct sim *sim, struct sim_sentinel *s,
           const struct sim_conn *c)
{
    struct sim_server *srv = sim_server_of(sim, c->to);
    struct sn_master *m;
    struct fo_track *ft;
    struct sim_group *grp;
    int seen;

    if (srv == NULL) {
        sim_violation(sim, "promote", "%s sends SLAVEOF NO ONE to %s, not a "
                      "server", nname(sim, s->node), nname(sim, c->to));
        return;
    }
    grp = &sim->groups[srv->group];
    m = sim_sentinel_master(s, srv->group, sim);
    ft = &sim->check->fo[sindex(sim, s)][srv->group];
    if (m == NULL) {
        sim_violation(sim, "promote", "%s promotes %s of a master it does "
                      "not monitor", nname(sim, s->node), nname(sim, c->to));
        return;
    }
    if (!(ft->forced_epoch != 0 && ft->forced_epoch == m->failover_epoch) &&
        ft->elected_epoch != m->failover_epoch)
        sim_violation(sim, "election", "%s sends SLAVEOF NO ONE to %s "
                      "without being elected in epoch %" PRIu64,
                      nname(sim, s->node), nname(sim, c->to),
                      m->failover_epoch);
    /* The sentinel knows the priority from INFO only: judge it by the last
     * INFO it received (a change since is a race it cannot see). */
    seen = sim->check->seen_priority[sindex(sim, s)][sim->nodes[c->to].index];
    if (seen == 0 || (seen < 0 && srv->priority <= 0))
        sim_violation(sim, "promote", "%s promotes %s, whose priority is %d "
                      "(its last INFO to it said %d)", nname(sim, s->node),
                      nname(sim, c->to), srv->priority, seen);
    if (sim->nodes[c->to].port == m->inst.port &&
        strcmp(sim->nodes[c->to].host, m->inst.host) == 0)
        sim_violation(sim, "promote", "%s promotes %s, the failed master "
                      "itself", nname(sim, s->node), nname(sim, c->to));
    grp->promotions++;
    grp->promoted_by_mask |= 1u << sindex(sim, s);
    if (grp->first_promotion_at < 0) {
        grp->first_promotion_at = sim->now;
        grp->first_promoted_server = sim->nodes[c->to].index;
    }
}

void
sim_check_action(struct sim *sim, struct sim_sentinel *s,
                 const struct sn_action *a, const struct sim_conn *c)
{
    if (a->type == SN_ACT_EVENT) {
        on_event(sim, s, a->event, a->payload);
        return;
    }
    if (a->type != SN_ACT_SEND || a->argc < 1 ||
        (strcasecmp(a->argv[0], "slaveof") != 0 &&
         strcasecmp(a->argv[0], "replicaof") != 0))
        return;
    if (sn_core_tilt(s->core))
        sim_violation(sim, "tilt", "%s sends SLAVEOF to %s in TILT",
                      nname(sim, s->node),
                      c != NULL ? nname(sim, c->to) : "?");
    if (c == NULL)
        return;
    if (a->argc == 3 && strcasecmp(a->argv[1], "no") == 0 &&
        strcasecmp(a->argv[2], "one") == 0)
        on_promote(sim, s, c);
}

/* ---------------------------------------------------------------------
 * Convergence
 * ------------------------------------------------------------------- */

static bool
group_converged(struct sim *sim, int g, bool report)
{
    struct sim_group *grp = &sim->groups[g];
    const struct sim_node *mn;
    uint64_t epoch = 0;
    bool first = true, ok = true;
    int count, master, i;

    master = sim_group_model_master(sim, g, &count);
    if (master < 0) {
        if (report)
            sim_violation(sim, "converge", "%s: %d servers with role master",
                          grp->name, count);
        return false;
    }
    mn = &sim->nodes[sim->servers[master].node];
    for (i = 0; i < sim->sentinels_len; i++) {
        struct sim_sentinel *s = &sim->sentinels[i];
        const struct sn_config_master *cm;
        struct sn_master *m;
        const char *host;
        int port;

        if (s->core == NULL)
            continue;
        cm = sn_config_master_find(sn_core_config(s->core), grp->name);
        m = sim_sentinel_master(s, g, sim);
        if (cm == NULL || m == NULL)
            continue;
        sn_core_master_addr(m, &host, &port);
        if (cm->port != mn->port || strcmp(cm->host, mn->host) != 0 ||
            port != mn->port || strcmp(host, mn->host) != 0) {
            if (report)
                sim_violation(sim, "converge", "%s: %s names %s:%d (config "
                              "%s:%d), the master is %s (%s:%d)", grp->name,
                              nname(sim, s->node), host, port, cm->host,
                              cm->port, mn->name, mn->host, mn->port);
            ok = false;
        }
        if (!first && cm->config_epoch != epoch) {
            if (report)
                sim_violation(sim, "converge", "%s: config epochs differ "
                              "(%s has %" PRIu64 ", another %" PRIu64 ")",
                              grp->name, nname(sim, s->node),
                              cm->config_epoch, epoch);
            ok = false;
        }
        epoch = cm->config_epoch;
        first = false;
    }
    for (i = 0; i < grp->servers_len; i++) {
        struct sim_server *r = &sim->servers[grp->servers[i]];

        if (r->state == SIM_SRV_CRASHED || r->is_master)
            continue;
        if (r->master_port != mn->port ||
            strcmp(r->master_host, mn->host) != 0 ||
            r->link != SIM_REPL_UP) {
            if (report)
                sim_violation(sim, "converge", "%s: replica %s follows "
                              "%s:%d (link %s), the master is %s", grp->name,
                              nname(sim, r->node), r->master_host,
                              r->master_port,
                              r->link == SIM_REPL_UP ? "up" : "down",
                              mn->name);
            ok = false;
        }
    }
    return ok;
}

bool
sim_check_converged(struct sim *sim, bool report)
{
    bool ok = true;
    int g;

    for (g = 0; g < sim->groups_len; g++)
        if (!group_converged(sim, g, report))
            ok = false;
    return ok;
}

bool
sim_check_find_vote(struct sim *sim, int *voter, int *group, uint64_t *epoch,
                    char leader[SN_RUNID_LEN + 1])
{
    const struct sim_smap *v = &sim->check->votes;
    size_t i;
    int best = -1;
    uint64_t best_epoch = 0;

    /* The vote with the highest epoch, by a live sentinel, for another;
     * ties go to the lowest slot (the map's order is deterministic). */
    for (i = 0; i < v->cap; i++) {
        char myid[SN_RUNID_LEN + 1];
        int g, s;
        uint64_t e;

        if (v->keys[i] == NULL ||
            sscanf(v->keys[i], "%40[0-9a-f]/%d/%" SCNu64, myid, &g, &e) != 3)
            continue;
        if (strcmp(myid, v->vals[i]) == 0)
            continue;
        for (s = 0; s < sim->sentinels_len; s++)
            if (sim->sentinels[s].core != NULL &&
                strcmp(sim->sentinels[s].myid, myid) == 0)
                break;
        if (s == sim->sentinels_len || e <= best_epoch)
            continue;
        best = s;
        best_epoch = e;
        *group = g;
        snprintf(leader, SN_RUNID_LEN + 1, "%s", v->vals[i]);
    }
    if (best < 0)
        return false;
    *voter = best;
    *epoch = best_epoch;
    return true;
}
