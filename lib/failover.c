/*
 * failover.c: the failover state machine (Redis's
 * sentinelFailoverStateMachine and its steps), replica selection
 * (sentinelSelectSlave), the SLAVEOF transaction (sentinelSendSlaveOf),
 * the switch to a new master address, and the acting half of INFO
 * (+convert-to-slave, +fix-slave-config, reconfiguration progress).
 *
 * Departures from Redis, on purpose:
 *
 * 1. The leader announces +switch-master, and moves the master's address
 *    (SENTINEL MASTER(S), the hello it publishes, the saved config), the
 *    moment the promotion is confirmed, instead of after every replica
 *    resynchronised (issue 3 item 7). The other sentinels switch when our
 *    hello reaches them, which we push at that same moment; Redis's leader
 *    trails them by seconds or minutes (redis#2615). The state stays
 *    RECONF_SLAVES (failover_in_progress) while the leader repoints the
 *    remaining replicas in the background, and UPDATE_CONFIG only closes
 *    the failover. GET-MASTER-ADDR-BY-NAME answers the promoted replica
 *    from RECONF_SLAVES on, as Redis. +failover-end therefore names the
 *    new address.
 * 2. SENTINEL FAILOVER promotes at once, as Redis, but asks the peers for
 *    votes in its epoch and claims the new config only once a majority of
 *    the voters confirmed that epoch (no quorum: there is no ODOWN to
 *    agree on). A sentinel cut off from the majority may pick an epoch the
 *    majority already used; two configs under one epoch can never be
 *    reconciled, so it aborts instead (-failover-abort-not-elected).
 * 3. A replica claiming the master role is converted as soon as a majority
 *    of the voters agree on our config (see info_claims_master), not only
 *    after Redis's 4 x publish-period.
 * 4. The epoch a failover starts is saved at once.
 * 5. Selection rule 6 measures the master's downtime from its last valid
 *    reply when that is earlier than our SDOWN (which a TILT postpones).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core_priv.h"

static void
set_state(struct sn_core *core, struct sn_master *m,
          enum sn_failover_state s)
{
    m->failover_state = s;
    m->failover_state_change_ms = core->now_ms;
}

static bool
is_connected(const struct sn_instance *ri)
{
    return ri->cc != NULL && ri->cc->connected;
}

/* ---------------------------------------------------------------------
 * SLAVEOF and scripts
 * ------------------------------------------------------------------- */

int
sn_failover_send_slaveof(struct sn_core *core, struct sn_instance *ri,
                         const char *host, int port)
{
    static const char *multi[] = {"MULTI"};
    static const char *rewrite[] = {"CONFIG", "REWRITE"};
    static const char *kill_normal[] = {"CLIENT", "KILL", "TYPE", "normal"};
    static const char *kill_pubsub[] = {"CLIENT", "KILL", "TYPE", "pubsub"};
    static const char *exec[] = {"EXEC"};
    const char *slaveof[3];
    char portstr[16];

    if (!is_connected(ri))
        return -1;
    snprintf(portstr, sizeof(portstr), "%d", port);
    slaveof[0] = "SLAVEOF";
    slaveof[1] = host != NULL ? host : "NO";
    slaveof[2] = host != NULL ? portstr : "ONE";
    /* A transaction: the instance is reconfigured, its config rewritten,
     * and its clients disconnected so that they ask us again where the
     * master is. Replies are not checked: the next INFO tells. */
    sn_core_send(core, ri->cc, ri, SN_CMD_OTHER, 0, 1, multi);
    sn_core_send(core, ri->cc, ri, SN_CMD_OTHER, 0, 3, slaveof);
    sn_core_send(core, ri->cc, ri, SN_CMD_OTHER, 0, 2, rewrite);
    sn_core_send(core, ri->cc, ri, SN_CMD_OTHER, 0, 4, kill_normal);
    sn_core_send(core, ri->cc, ri, SN_CMD_OTHER, 0, 4, kill_pubsub);
    sn_core_send(core, ri->cc, ri, SN_CMD_OTHER, 0, 1, exec);
    ri->slaveof_sent_ms = core->now_ms;
    return 0;
}

/* client-reconfig-script <master> <leader|observer> start <from-ip>
 * <from-port> <to-ip> <to-port>. */
static void
reconfig_script(struct sn_core *core, struct sn_master *m, const char *role,
                const char *from_host, int from_port, const char *to_host,
                int to_port)
{
    const char *path = m->cfg->client_reconfig_script;
    struct sn_action a;
    const char *args[8];
    char fp[16], tp[16];
    int i;

    if (path == NULL || path[0] == '\0')
        return;
    snprintf(fp, sizeof(fp), "%d", from_port);
    snprintf(tp, sizeof(tp), "%d", to_port);
    args[0] = path;
    args[1] = m->inst.name;
    args[2] = role;
    args[3] = "start";
    args[4] = from_host;
    args[5] = fp;
    args[6] = to_host;
    args[7] = tp;
    memset(&a, 0, sizeof(a));
    a.type = SN_ACT_SCRIPT;
    a.argc = 8;
    a.argv = sn_calloc(8, sizeof(*a.argv));
    a.argvlen = sn_calloc(8, sizeof(*a.argvlen));
    for (i = 0; i < 8; i++) {
        a.argv[i] = sn_strdup(args[i]);
        a.argvlen[i] = strlen(args[i]);
    }
    sn_core_push(core, &a);
}

/* ---------------------------------------------------------------------
 * Replica selection
 * ------------------------------------------------------------------- */

/* How long the master has been down in our eyes. Redis counts from the
 * SDOWN flag; we count from the last valid reply when that is earlier, so
 * that a TILT, which postpones the flag, does not make every replica look
 * stale for rule 6. */
static int64_t
master_down_for(const struct sn_core *core, const struct sn_master *m)
{
    int64_t since = m->inst.s_down_since_ms;

    if (m->inst.cc != NULL && m->inst.cc->last_avail_ms < since)
        since = m->inst.cc->last_avail_ms;
    return core->now_ms - since;
}

/* Can this replica be promoted? The exclusion rules, numbered: the
 * number of the first that excludes it, or 0. Rule 5 comes last, so that
 * 5 means "selectable once its INFO is fresh" (step_select waits). */
static int
unselectable(const struct sn_core *core, const struct sn_master *m,
             const struct sn_instance *r)
{
    const struct sn_timers *t = &core->timers;
    int64_t now = core->now_ms, validity, max_link_down;
    bool master_sdown = m->inst.flags & SN_F_S_DOWN;

    validity = master_sdown ? 5 * t->ping_period_ms : 3 * t->info_period_ms;
    max_link_down = 10 * m->cfg->down_after_ms +
                    (master_sdown ? master_down_for(core, m) : 0);
    /* 1. Not down in our eyes, nor objectively. */
    if (r->flags & (SN_F_S_DOWN | SN_F_O_DOWN))
        return 1;
    /* 2. Its command link is up. */
    if (!is_connected(r))
        return 2;
    /* 3. It answered a PING validly in the last 5 x ping-period. */
    if (now - r->cc->last_avail_ms > 5 * t->ping_period_ms)
        return 3;
    /* 4. replica-priority 0 means never. */
    if (r->slave_priority == 0)
        return 4;
    /* 6. Its link to the master has not been down for too long: 10 x
     *    down-after plus the time the master has been down. */
    if (r->master_link_down_ms > max_link_down)
        return 6;
    /* 5. Its INFO is fresh: 5 x ping-period if the master is SDOWN,
     *    3 x info-period otherwise. */
    if (r->info_refresh_ms == 0 || now - r->info_refresh_ms > validity)
        return 5;
    /* As Redis, the role it reports is not a rule: a known replica that
     * came back as a master (an old master) may be all there is. */
    return 0;
}

/* Is a replica that fails rule 5 alone about to be fresh? INFO goes to
 * the replicas of a master in SDOWN every SN_INFO_FAST_MS from the moment
 * it is down, but a failover that needs no peers (quorum 1, or a vote
 * won at once) reaches SELECT_SLAVE in the same tick, when a replica's
 * last INFO may be up to info-period old. Redis aborts there (and tries
 * again after twice failover-timeout); we wait up to SN_SELECT_WAIT_MS
 * for the answer. */
static bool
info_on_the_way(const struct sn_core *core, const struct sn_master *m)
{
    int i;

    if (core->now_ms - m->failover_state_change_ms >= SN_SELECT_WAIT_MS)
        return false;
    for (i = 0; i < m->replicas_len; i++)
        if (unselectable(core, m, m->replicas[i]) == 5)
            return true;
    return false;
}

/* Which of two candidates is better? <0 when a is, >0 when b is. */
static int
compare_candidates(const struct sn_instance *a, const struct sn_instance *b)
{
    int c;

    /* 7. Lower replica-priority wins. */
    if (a->slave_priority != b->slave_priority)
        return a->slave_priority < b->slave_priority ? -1 : 1;
    /* 8. The larger replication offset wins. */
    if (a->slave_repl_offset != b->slave_repl_offset)
        return a->slave_repl_offset > b->slave_repl_offset ? -1 : 1;
    /* 9. The lexicographically smaller run id wins; unknown is last. */
    if (a->runid[0] == '\0' && b->runid[0] != '\0')
        return 1;
    if (a->runid[0] != '\0' && b->runid[0] == '\0')
        return -1;
    c = strcasecmp(a->runid, b->runid);
    if (c != 0)
        return c;
    /* 10. Then the smaller name (ip:port), so that nothing depends on
     *     the order replicas were discovered in. */
    return strcmp(a->name, b->name);
}

struct sn_instance *
sn_failover_select(struct sn_core *core, struct sn_master *m)
{
    struct sn_instance *best = NULL;
    int i;

    for (i = 0; i < m->replicas_len; i++) {
        struct sn_instance *r = m->replicas[i];

        if (unselectable(core, m, r) != 0)
            continue;
        if (best == NULL || compare_candidates(r, best) < 0)
            best = r;
    }
    return best;
}

/* ---------------------------------------------------------------------
 * Start and abort
 * ------------------------------------------------------------------- */

void
sn_failover_start(struct sn_core *core, struct sn_master *m)
{
    set_state(core, m, SN_FO_WAIT_START);
    m->inst.flags |= SN_F_FAILOVER_IN_PROGRESS;
    m->failover_epoch = ++core->cfg.current_epoch;
    m->votes_asked = false;
    m->claim_pending = false;
    /* Unlike Redis, the new epoch is saved at once: a sentinel that
     * crashed now must not come back with an older epoch and use this
     * one again. */
    sn_core_flush(core);
    sn_core_emit(core, SN_LOG_WARNING, "+new-epoch", &m->inst, false,
                 "%llu", (unsigned long long)core->cfg.current_epoch);
    sn_core_emit_inst(core, SN_LOG_WARNING, "+try-failover", &m->inst);
    m->failover_start_ms = core->now_ms +
        (int64_t)sn_rng_below(&core->rng, SN_FAILOVER_DESYNC_MS);
}

bool
sn_failover_start_if_needed(struct sn_core *core, struct sn_master *m)
{
    int64_t retry;

    if (!(m->inst.flags & SN_F_O_DOWN) ||
        (m->inst.flags & SN_F_FAILOVER_IN_PROGRESS))
        return false;
    /* The last attempt (ours, or a vote we gave another) was less than
     * 2 x failover-timeout ago. */
    retry = m->failover_start_ms + 2 * m->cfg->failover_timeout_ms;
    if (m->failover_start_ms != 0 && core->now_ms < retry) {
        sn_core_wake(core, retry);
        return false;
    }
    sn_failover_start(core, m);
    return true;
}

void
sn_failover_abort(struct sn_core *core, struct sn_master *m)
{
    m->inst.flags &= ~(unsigned)(SN_F_FAILOVER_IN_PROGRESS |
                                 SN_F_FORCE_FAILOVER);
    set_state(core, m, SN_FO_NONE);
    m->votes_asked = false;
    m->claim_pending = false;
    if (m->promoted != NULL) {
        m->promoted->flags &= ~(unsigned)SN_F_PROMOTED;
        m->promoted = NULL;
    }
}

/* ---------------------------------------------------------------------
 * The steps
 * ------------------------------------------------------------------- */

static void
step_select(struct sn_core *core, struct sn_master *m);

static void
step_wait_start(struct sn_core *core, struct sn_master *m)
{
    bool forced = m->inst.flags & SN_F_FORCE_FAILOVER;
    char leader[SN_RUNID_LEN + 1];
    int64_t timeout, end;
    bool isleader;

    if (!forced && core->now_ms < m->failover_start_ms) {
        sn_core_wake(core, m->failover_start_ms);
        return;
    }
    if (!m->votes_asked) {
        m->votes_asked = true;
        sn_detect_ask(core, m, true);
    }
    isleader = sn_election_leader(core, m, m->failover_epoch, forced,
                                  leader) &&
               strcasecmp(leader, core->cfg.myid) == 0;
    if (!isleader && !forced) {
        timeout = core->timers.election_timeout_ms;
        if (m->cfg->failover_timeout_ms < timeout)
            timeout = m->cfg->failover_timeout_ms;
        end = m->failover_start_ms + timeout;
        if (core->now_ms > end) {
            sn_core_emit_inst(core, SN_LOG_WARNING,
                              "-failover-abort-not-elected", &m->inst);
            sn_failover_abort(core, m);
        } else {
            sn_core_wake(core, end + 1);
        }
        return;
    }
    sn_core_emit_inst(core, SN_LOG_WARNING, "+elected-leader", &m->inst);
    if (core->simfail & SN_SIMFAIL_CRASH_AFTER_ELECTION) {
        sn_core_crash(core);
        return;
    }
    set_state(core, m, SN_FO_SELECT_SLAVE);
    sn_core_emit_inst(core, SN_LOG_WARNING, "+failover-state-select-slave",
                      &m->inst);
    step_select(core, m);
}

static void
step_send_noone(struct sn_core *core, struct sn_master *m)
{
    struct sn_instance *r = m->promoted;
    int64_t end = m->failover_state_change_ms + m->cfg->failover_timeout_ms;

    if (!is_connected(r)) {
        if (core->now_ms > end) {
            sn_core_emit_inst(core, SN_LOG_WARNING,
                              "-failover-abort-slave-timeout", &m->inst);
            sn_failover_abort(core, m);
        } else {
            sn_core_wake(core, end + 1);
        }
        return;
    }
    sn_failover_send_slaveof(core, r, NULL, 0);
    sn_core_emit_inst(core, SN_LOG_NOTICE, "+failover-state-wait-promotion",
                      r);
    set_state(core, m, SN_FO_WAIT_PROMOTION);
    /* Ask at once: the reply follows EXEC on the same connection, so the
     * promotion is usually confirmed one round trip after it happened. */
    sn_core_send_info(core, r);
    sn_core_wake(core, core->now_ms + m->cfg->failover_timeout_ms + 1);
}

static void
step_select(struct sn_core *core, struct sn_master *m)
{
    struct sn_instance *r = sn_failover_select(core, m);

    if (r == NULL && info_on_the_way(core, m)) {
        sn_core_wake(core, core->now_ms + SN_PERIOD_MIN_MS);
        return;
    }
    if (r == NULL) {
        sn_core_emit_inst(core, SN_LOG_WARNING,
                          "-failover-abort-no-good-slave", &m->inst);
        sn_failover_abort(core, m);
        return;
    }
    sn_core_emit_inst(core, SN_LOG_WARNING, "+selected-slave", r);
    r->flags |= SN_F_PROMOTED;
    m->promoted = r;
    set_state(core, m, SN_FO_SEND_SLAVEOF_NOONE);
    sn_core_emit_inst(core, SN_LOG_NOTICE,
                      "+failover-state-send-slaveof-noone", r);
    step_send_noone(core, m);
}

static void promoted(struct sn_core *core, struct sn_master *m,
                     struct sn_instance *r);

/* A forced failover's epoch is confirmed when a majority of the voters
 * voted for us in it. Without that it may be an epoch that a majority we
 * cannot reach already used for another config, and two configs under one
 * epoch can never be reconciled. */
static bool
forced_confirmed(struct sn_core *core, struct sn_master *m)
{
    char leader[SN_RUNID_LEN + 1];

    return sn_election_leader(core, m, m->failover_epoch, true, leader) &&
           strcasecmp(leader, core->cfg.myid) == 0;
}

static void
step_wait_promotion(struct sn_core *core, struct sn_master *m)
{
    int64_t end = m->failover_state_change_ms + m->cfg->failover_timeout_ms;

    /* The promotion itself is seen in the replica's INFO; a forced one
     * also waits for its epoch to be confirmed. */
    if (m->claim_pending && forced_confirmed(core, m)) {
        promoted(core, m, m->promoted);
        return;
    }
    if (core->now_ms > end) {
        sn_core_emit_inst(core, SN_LOG_WARNING,
                          m->claim_pending ? "-failover-abort-not-elected"
                                           : "-failover-abort-slave-timeout",
                          &m->inst);
        sn_failover_abort(core, m);
    } else {
        sn_core_wake(core, end + 1);
    }
}

/* ---------------------------------------------------------------------
 * RECONF_SLAVES and the end
 * ------------------------------------------------------------------- */

/* Where the replicas must point: the promoted replica, which after the
 * early switch is the master itself. */
static const struct sn_instance *
reconf_target(const struct sn_master *m)
{
    return m->promoted != NULL ? m->promoted : &m->inst;
}

/* SLAVEOF to `to`, named as Redis's sentinelSendSlaveOf names it (the
 * address it resolved to, unless announce-hostnames is yes). */
static int
send_slaveof_to(struct sn_core *core, struct sn_instance *ri,
                const struct sn_instance *to)
{
    return sn_failover_send_slaveof(core, ri, sn_inst_announce_host(core, to),
                                    to->port);
}

/* Replicas this failover reconfigures: not the promoted one, nor the old
 * master (+convert-to-slave deals with it when it comes back). */
static bool
reconf_skip(const struct sn_instance *r)
{
    return (r->flags & (SN_F_PROMOTED | SN_F_RECONF_DONE)) || r->demoted;
}

static void
reconf_timeouts(struct sn_core *core, struct sn_master *m)
{
    int64_t limit = core->timers.slave_reconf_timeout_ms;
    int i;

    /* A replica that did not move on within slave-reconf-timeout counts
     * as done; fix-slave-config repairs it later if it must. */
    for (i = 0; i < m->replicas_len; i++) {
        struct sn_instance *r = m->replicas[i];

        if (reconf_skip(r) || !(r->flags & SN_F_RECONF_SENT))
            continue;
        if (core->now_ms - r->slave_reconf_sent_ms > limit) {
            sn_core_emit_inst(core, SN_LOG_NOTICE,
                              "-slave-reconf-sent-timeout", r);
            r->flags &= ~(unsigned)SN_F_RECONF_SENT;
            r->flags |= SN_F_RECONF_DONE;
        } else {
            sn_core_wake(core, r->slave_reconf_sent_ms + limit + 1);
        }
    }
}

static void
reconf_best_effort(struct sn_core *core, struct sn_master *m)
{
    const struct sn_instance *to = reconf_target(m);
    int i;

    for (i = 0; i < m->replicas_len; i++) {
        struct sn_instance *r = m->replicas[i];

        if (reconf_skip(r) || (r->flags & SN_F_RECONF_SENT))
            continue;
        if (send_slaveof_to(core, r, to) == 0) {
            sn_core_emit_inst(core, SN_LOG_NOTICE, "+slave-reconf-sent-be",
                              r);
            r->flags |= SN_F_RECONF_SENT;
        }
    }
}

/* Redis's sentinelFailoverDetectEnd. */
static void
reconf_detect_end(struct sn_core *core, struct sn_master *m)
{
    int64_t end = m->failover_state_change_ms + m->cfg->failover_timeout_ms;
    int not_done = 0, i;
    bool timeout = core->now_ms > end;

    /* The promoted replica must be reachable, unless time is up: the
     * switch is already announced, so ending cannot mislead anyone. */
    if ((m->inst.flags & SN_F_S_DOWN) && !timeout) {
        sn_core_wake(core, end + 1);
        return;
    }
    for (i = 0; i < m->replicas_len; i++) {
        const struct sn_instance *r = m->replicas[i];

        if (!reconf_skip(r) && !(r->flags & SN_F_S_DOWN))
            not_done++;
    }
    if (timeout) {
        not_done = 0;
        sn_core_emit_inst(core, SN_LOG_WARNING, "+failover-end-for-timeout",
                          &m->inst);
    }
    if (not_done == 0) {
        sn_core_emit_inst(core, SN_LOG_WARNING, "+failover-end", &m->inst);
        set_state(core, m, SN_FO_UPDATE_CONFIG);
    } else {
        sn_core_wake(core, end + 1);
    }
    if (timeout)
        reconf_best_effort(core, m);
}

static void
step_reconf(struct sn_core *core, struct sn_master *m)
{
    const struct sn_instance *to = reconf_target(m);
    int in_progress = 0, i;

    reconf_timeouts(core, m);
    for (i = 0; i < m->replicas_len; i++)
        if (m->replicas[i]->flags & (SN_F_RECONF_SENT | SN_F_RECONF_INPROG))
            in_progress++;
    for (i = 0; i < m->replicas_len &&
                in_progress < m->cfg->parallel_syncs; i++) {
        struct sn_instance *r = m->replicas[i];

        if (reconf_skip(r) ||
            (r->flags & (SN_F_RECONF_SENT | SN_F_RECONF_INPROG)))
            continue;
        if (send_slaveof_to(core, r, to) != 0)
            continue;
        r->flags |= SN_F_RECONF_SENT;
        r->slave_reconf_sent_ms = core->now_ms;
        sn_core_emit_inst(core, SN_LOG_NOTICE, "+slave-reconf-sent", r);
        in_progress++;
    }
    reconf_detect_end(core, m);
}

/* UPDATE_CONFIG: the switch happened at promotion; close the failover. */
static void
step_update_config(struct sn_core *core, struct sn_master *m)
{
    const struct sn_instance *to;
    int i;

    if (!m->switched) {
        /* Not reached by our own failovers; kept for a failover that
         * got here without the early switch. */
        to = reconf_target(m);
        sn_failover_switch(core, m, to->host, to->port, NULL);
        return;
    }
    for (i = 0; i < m->replicas_len; i++)
        m->replicas[i]->flags &= ~(unsigned)(SN_F_RECONF_SENT |
                                             SN_F_RECONF_INPROG |
                                             SN_F_RECONF_DONE |
                                             SN_F_PROMOTED);
    m->inst.flags &= ~(unsigned)(SN_F_FAILOVER_IN_PROGRESS |
                                 SN_F_FORCE_FAILOVER);
    set_state(core, m, SN_FO_NONE);
    m->promoted = NULL;
    m->switched = false;
    m->votes_asked = false;
    /* As Redis after a switch: a new failover may start as soon as it is
     * needed. */
    m->failover_start_ms = 0;
}

void
sn_failover_run(struct sn_core *core, struct sn_master *m)
{
    if (!(m->inst.flags & SN_F_FAILOVER_IN_PROGRESS))
        return;
    switch (m->failover_state) {
    case SN_FO_WAIT_START:
        step_wait_start(core, m);
        break;
    case SN_FO_SELECT_SLAVE:
        step_select(core, m);
        break;
    case SN_FO_SEND_SLAVEOF_NOONE:
        step_send_noone(core, m);
        break;
    case SN_FO_WAIT_PROMOTION:
        step_wait_promotion(core, m);
        break;
    case SN_FO_RECONF_SLAVES:
        step_reconf(core, m);
        break;
    case SN_FO_UPDATE_CONFIG:
        step_update_config(core, m);
        break;
    case SN_FO_NONE:
        break;
    }
}

/* ---------------------------------------------------------------------
 * Switching the master's address
 * ------------------------------------------------------------------- */

/* How host:port, where m is about to move, is shown: as the instance
 * known at that address is, or as given. */
static const char *
announce_target(const struct sn_core *core, const struct sn_master *m,
                const char *host, int port)
{
    const struct sn_instance *r;

    if (sn_inst_addr_is(&m->inst, host, port))
        return sn_inst_announce_host(core, &m->inst);
    r = sn_inst_replica_find(m, host, port);
    return r != NULL ? sn_inst_announce_host(core, r) : host;
}

void
sn_failover_switch(struct sn_core *core, struct sn_master *m,
                   const char *host, int port, const char *role)
{
    char *from = sn_strdup(sn_inst_announce_host(core, &m->inst));
    char *to = sn_strdup(announce_target(core, m, host, port));
    char *target = sn_strdup(host);
    int oldport = m->inst.port;

    sn_core_emit(core, SN_LOG_WARNING, "+switch-master", &m->inst, false,
                 "%s %s %d %s %d", m->inst.name, from, oldport, to, port);
    sn_inst_change_address(core, m, target, port);
    if (role != NULL)
        reconfig_script(core, m, role, from, oldport, to, port);
    free(from);
    free(to);
    free(target);
}

void
sn_failover_hello_config(struct sn_core *core, struct sn_master *m,
                         struct sn_instance *si, const struct sn_hello *h)
{
    m->cfg->config_epoch = h->master_config_epoch;
    sn_core_dirty(core);
    if (sn_inst_addr_is(&m->inst, h->master_ip, h->master_port))
        return;
    sn_core_emit_inst(core, SN_LOG_WARNING, "+config-update-from", si);
    sn_failover_switch(core, m, h->master_ip, h->master_port, "observer");
}

/* Tell every peer, and every instance whose channel peers read, about the
 * new configuration now rather than at the next publish period. */
static void
push_hellos(struct sn_core *core, struct sn_master *m)
{
    int i;

    sn_core_send_hello(core, &m->inst);
    for (i = 0; i < m->replicas_len; i++)
        sn_core_send_hello(core, m->replicas[i]);
    for (i = 0; i < m->sentinels_len; i++)
        sn_core_send_hello(core, m->sentinels[i]);
}

/* WAIT_PROMOTION and the promoted replica reports role:master. */
static void
promoted(struct sn_core *core, struct sn_master *m, struct sn_instance *r)
{
    unsigned forced = m->inst.flags & SN_F_FORCE_FAILOVER;
    uint64_t epoch = m->failover_epoch;
    int64_t start = m->failover_start_ms;
    char *from, *to, *newhost;
    int oldport, newport;

    /* SENTINEL FAILOVER promotes at once, as Redis, but claims the new
     * config only once its epoch is confirmed (step_wait_promotion); if it
     * never is, the failover aborts and the replica it promoted is turned
     * back by whichever config wins. */
    if (forced && !forced_confirmed(core, m)) {
        m->claim_pending = true;
        return;
    }
    m->claim_pending = false;
    from = sn_strdup(sn_inst_announce_host(core, &m->inst));
    to = sn_strdup(sn_inst_announce_host(core, r));
    newhost = sn_strdup(r->host);
    oldport = m->inst.port;
    newport = r->port;
    /* The epoch we won the election in becomes the master's config epoch:
     * it makes every other sentinel adopt the new address. */
    m->cfg->config_epoch = epoch;
    set_state(core, m, SN_FO_RECONF_SLAVES);
    sn_core_dirty(core);
    sn_core_emit_inst(core, SN_LOG_WARNING, "+promoted-slave", r);
    if (core->simfail & SN_SIMFAIL_CRASH_AFTER_PROMOTION) {
        sn_core_crash(core);
        goto out;
    }
    sn_core_emit_inst(core, SN_LOG_WARNING, "+failover-state-reconf-slaves",
                      &m->inst);
    reconfig_script(core, m, "leader", from, oldport, to, newport);
    /* The early switch (see the top of this file). r is freed here. */
    sn_failover_switch(core, m, newhost, newport, NULL);
    m->inst.flags |= SN_F_FAILOVER_IN_PROGRESS | forced;
    m->failover_epoch = epoch;
    m->failover_start_ms = start;
    m->switched = true;
    set_state(core, m, SN_FO_RECONF_SLAVES);
    sn_core_flush(core);
    push_hellos(core, m);
out:
    free(from);
    free(to);
    free(newhost);
}

/* ---------------------------------------------------------------------
 * INFO, the acting half
 * ------------------------------------------------------------------- */

/* Redis's sentinelMasterLooksSane. */
static bool
master_looks_sane(const struct sn_core *core, const struct sn_master *m)
{
    return m->inst.role_reported == SN_ROLE_MASTER &&
           !(m->inst.flags & (SN_F_S_DOWN | SN_F_O_DOWN)) &&
           m->inst.info_refresh_ms != 0 &&
           core->now_ms - m->inst.info_refresh_ms <
               2 * core->timers.info_period_ms;
}

/* Redis's sentinelRedisInstanceNoDownFor. */
static bool
no_down_for(const struct sn_core *core, const struct sn_instance *ri,
            int64_t ms)
{
    int64_t last = ri->s_down_since_ms > ri->o_down_since_ms
                       ? ri->s_down_since_ms : ri->o_down_since_ms;

    return last == 0 || core->now_ms - last > ms;
}

static bool
slaveof_recent(const struct sn_core *core, const struct sn_instance *ri)
{
    return ri->slaveof_sent_ms != 0 &&
           core->now_ms - ri->slaveof_sent_ms < SN_SLAVEOF_RETRY_MS;
}

/* Do a majority of the voters agree with our config for m: we, and the
 * peers whose hello, heard after `since`, names our config epoch and our
 * master address? */
static bool
config_confirmed(const struct sn_core *core, const struct sn_master *m,
                 int64_t since)
{
    int agree = 1, i;

    (void)core;
    for (i = 0; i < m->sentinels_len; i++) {
        const struct sn_instance *si = m->sentinels[i];

        if (si->last_hello_ms > since &&
            si->hello_config_epoch == m->cfg->config_epoch &&
            sn_inst_addr_is(&m->inst, si->hello_master_host,
                            si->hello_master_port))
            agree++;
    }
    return agree >= (m->sentinels_len + 1) / 2 + 1;
}

/* A replica (not the one we promote) reports the master role.
 *
 * Redis waits 4 x publish-period after the role change, so that a newer
 * config (this instance legitimately promoted by a later failover) has
 * time to reach us by hello. We convert sooner when the sentinels agree on
 * our config: a majority of the voters (we included) named our config
 * epoch and master address in hellos heard after we saw this instance
 * claim the master role. A returning old master is so converted about one
 * hello after the sentinels see it (every write it takes meanwhile is
 * lost); an instance a later failover promoted is not, because the
 * sentinels that know that config say so. */
static void
info_claims_master(struct sn_core *core, struct sn_instance *ri)
{
    struct sn_master *m = ri->master;
    int64_t wait = 4 * core->timers.publish_period_ms;
    bool ready;

    if ((ri->flags & SN_F_PROMOTED) || !master_looks_sane(core, m) ||
        slaveof_recent(core, ri))
        return;
    ready = config_confirmed(core, m, ri->role_reported_ms) ||
            (no_down_for(core, ri, wait) &&
             core->now_ms - ri->role_reported_ms > wait);
    if (!ready)
        return;
    if (send_slaveof_to(core, ri, &m->inst) == 0)
        sn_core_emit_inst(core, SN_LOG_NOTICE, "+convert-to-slave", ri);
}

/* A replica replicating from another address than the master's. */
static void
info_wrong_master(struct sn_core *core, struct sn_instance *ri)
{
    struct sn_master *m = ri->master;
    int64_t wait = m->cfg->failover_timeout_ms;

    if (sn_inst_addr_is(&m->inst, ri->slave_master_host,
                        ri->slave_master_port))
        return;
    /* During our own reconfiguration, the state machine does this. */
    if ((m->inst.flags & SN_F_FAILOVER_IN_PROGRESS) &&
        (ri->flags & (SN_F_RECONF_SENT | SN_F_RECONF_INPROG)))
        return;
    if (!master_looks_sane(core, m) || !no_down_for(core, ri, wait) ||
        core->now_ms - ri->slave_conf_change_ms <= wait ||
        slaveof_recent(core, ri))
        return;
    if (send_slaveof_to(core, ri, &m->inst) == 0)
        sn_core_emit_inst(core, SN_LOG_NOTICE, "+fix-slave-config", ri);
}

/* RECONF_SENT -> RECONF_INPROG -> RECONF_DONE, as INFO shows it. */
static void
info_reconf_progress(struct sn_core *core, struct sn_instance *ri)
{
    struct sn_master *m = ri->master;

    if (!(ri->flags & (SN_F_RECONF_SENT | SN_F_RECONF_INPROG)) ||
        m->failover_state != SN_FO_RECONF_SLAVES)
        return;
    if ((ri->flags & SN_F_RECONF_SENT) &&
        sn_inst_addr_is(reconf_target(m), ri->slave_master_host,
                        ri->slave_master_port)) {
        ri->flags &= ~(unsigned)SN_F_RECONF_SENT;
        ri->flags |= SN_F_RECONF_INPROG;
        sn_core_emit_inst(core, SN_LOG_NOTICE, "+slave-reconf-inprog", ri);
    }
    if ((ri->flags & SN_F_RECONF_INPROG) && ri->slave_master_link_up) {
        ri->flags &= ~(unsigned)SN_F_RECONF_INPROG;
        ri->flags |= SN_F_RECONF_DONE;
        sn_core_emit_inst(core, SN_LOG_NOTICE, "+slave-reconf-done", ri);
    }
}

void
sn_failover_info(struct sn_core *core, struct sn_instance *ri,
                 enum sn_role role)
{
    struct sn_master *m;

    /* A master claiming to be a replica: nothing to do here; it is
     * considered down after a while (detect.c, rule 2). */
    if (ri->kind != SN_INST_REPLICA)
        return;
    m = ri->master;
    if (role == SN_ROLE_MASTER) {
        if ((ri->flags & SN_F_PROMOTED) &&
            (m->inst.flags & SN_F_FAILOVER_IN_PROGRESS) &&
            m->failover_state == SN_FO_WAIT_PROMOTION)
            promoted(core, m, ri);
        else
            info_claims_master(core, ri);
        return;
    }
    if (role != SN_ROLE_SLAVE)
        return;
    info_wrong_master(core, ri);
    info_reconf_progress(core, ri);
}
