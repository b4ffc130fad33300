/*
 * detect.c: is an instance down? TILT (Redis's sentinelCheckTiltCondition),
 * SDOWN (sentinelCheckSubjectivelyDown, with the idle link recycling that
 * lives there), ODOWN (sentinelCheckObjectivelyDown) and the questions to
 * peers that feed it (sentinelAskMasterStateToOtherSentinels).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core_priv.h"

/* ---------------------------------------------------------------------
 * TILT
 *
 * The core is ticked at least every SN_HEARTBEAT_MS (core.c), so a gap
 * longer than tilt-trigger between two entries means the process (or the
 * clock) stalled, and a negative gap that the clock went back. Either way
 * the timestamps we hold cannot be trusted for tilt-period: we keep
 * monitoring, processing hellos and voting, but decide nothing.
 * ------------------------------------------------------------------- */

void
sn_detect_clock(struct sn_core *core, int64_t now_ms)
{
    int64_t delta;

    /* 0 means "never" in instance fields: time starts at 1. */
    if (now_ms < 1)
        now_ms = 1;
    delta = now_ms - core->last_clock_ms;
    core->now_ms = now_ms;
    core->last_clock_ms = now_ms;
    if (delta < 0 || delta > core->timers.tilt_trigger_ms) {
        core->tilt = true;
        core->tilt_start_ms = now_ms;
        sn_core_emit(core, SN_LOG_WARNING, "+tilt", NULL, false,
                     "#tilt mode entered");
    }
}

void
sn_detect_tilt_exit(struct sn_core *core)
{
    int64_t end = core->tilt_start_ms + core->timers.tilt_period_ms;

    if (!core->tilt)
        return;
    if (core->now_ms < end) {
        sn_core_wake(core, end);
        return;
    }
    core->tilt = false;
    sn_core_emit(core, SN_LOG_WARNING, "-tilt", NULL, false,
                 "#tilt mode exited");
}

/* ---------------------------------------------------------------------
 * PING replies
 * ------------------------------------------------------------------- */

static bool
starts(const struct sn_reply *r, const char *s)
{
    size_t n = strlen(s);

    return r->str != NULL && r->len >= n && memcmp(r->str, s, n) == 0;
}

void
sn_detect_ping_reply(struct sn_core *core, struct sn_link *link,
                     const struct sn_reply *r)
{
    struct sn_instance *ri = link->owner;
    bool status = r->type == SN_REPLY_STATUS || r->type == SN_REPLY_ERROR;
    const char *argv[] = {"SCRIPT", "KILL"};

    link->last_pong_ms = core->now_ms;
    /* Valid replies: PONG, -LOADING, -MASTERDOWN. */
    if (status && (starts(r, "PONG") || starts(r, "LOADING") ||
                   starts(r, "MASTERDOWN"))) {
        link->last_avail_ms = core->now_ms;
        link->act_ping_ms = 0;
        if (ri != NULL && (ri->flags & SN_F_MASTER_REBOOT) &&
            starts(r, "PONG"))
            ri->flags &= ~(unsigned)SN_F_MASTER_REBOOT;
        return;
    }
    /* A master stuck in a script while we think it is down: kill the
     * script once, so that it can answer again. */
    if (ri != NULL && status && starts(r, "BUSY") &&
        (ri->flags & SN_F_S_DOWN) && !(ri->flags & SN_F_SCRIPT_KILL_SENT)) {
        sn_core_send(core, link, ri, SN_CMD_SCRIPT_KILL, 0, 2, argv);
        ri->flags |= SN_F_SCRIPT_KILL_SENT;
    }
}

/* ---------------------------------------------------------------------
 * SDOWN
 * ------------------------------------------------------------------- */

static int64_t
max3(int64_t a, int64_t b, int64_t c)
{
    int64_t m = a > b ? a : b;

    return m > c ? m : c;
}

/* Close links that look stuck (Redis: "low activity"); they reconnect. */
static void
recycle_links(struct sn_core *core, struct sn_instance *ri)
{
    const struct sn_timers *t = &core->timers;
    struct sn_link *cc = ri->cc, *pc = ri->pc;
    int64_t now = core->now_ms, half = ri->down_after_ms / 2, when;

    if (cc->connected && cc->act_ping_ms != 0) {
        when = max3(cc->connected_ms + t->min_link_reconnect_period_ms,
                    cc->act_ping_ms + half, cc->last_pong_ms + half) + 1;
        if (now >= when)
            sn_link_close(core, cc);
        else
            sn_core_wake(core, when);
    }
    if (pc != NULL && pc->connected) {
        when = pc->connected_ms + t->min_link_reconnect_period_ms;
        if (pc->pc_last_activity_ms + 3 * t->publish_period_ms > when)
            when = pc->pc_last_activity_ms + 3 * t->publish_period_ms;
        when++;
        if (now >= when)
            sn_link_close(core, pc);
        else
            sn_core_wake(core, when);
    }
}

/* Is the instance down in our eyes? If not, the earliest time it could
 * become so goes to *next (INT64_MAX: not by the clock alone). */
static bool
is_sdown(const struct sn_core *core, const struct sn_instance *ri,
         int64_t *next)
{
    const struct sn_link *cc = ri->cc;
    int64_t now = core->now_ms, d = ri->down_after_ms, since = 0, t;

    *next = INT64_MAX;
    /* 1. No valid reply for down-after ms while a PING is outstanding
     *    (or, disconnected, since the last valid reply). */
    if (cc->act_ping_ms != 0)
        since = cc->act_ping_ms;
    else if (!cc->connected)
        since = cc->last_avail_ms;
    if (since != 0) {
        if (now - since > d)
            return true;
        *next = since + d + 1;
    }
    /* 2. A master that says it is a replica, for long. */
    if (ri->kind == SN_INST_MASTER && ri->role_reported == SN_ROLE_SLAVE) {
        t = ri->role_reported_ms + d + 2 * core->timers.info_period_ms;
        if (now > t)
            return true;
        if (t + 1 < *next)
            *next = t + 1;
    }
    /* 3. A master that rebooted, with master-reboot-down-after-period. */
    if (ri->flags & SN_F_MASTER_REBOOT) {
        t = ri->master_reboot_since_ms +
            sn_inst_master_of(ri)->cfg->master_reboot_down_after_period_ms;
        if (now > t)
            return true;
        if (t + 1 < *next)
            *next = t + 1;
    }
    return false;
}

void
sn_detect_sdown(struct sn_core *core, struct sn_instance *ri)
{
    int64_t next;

    recycle_links(core, ri);
    if (is_sdown(core, ri, &next)) {
        if (!(ri->flags & SN_F_S_DOWN)) {
            sn_core_emit_inst(core, SN_LOG_WARNING, "+sdown", ri);
            ri->s_down_since_ms = core->now_ms;
            ri->flags |= SN_F_S_DOWN;
        }
        return;
    }
    if (ri->flags & SN_F_S_DOWN) {
        sn_core_emit_inst(core, SN_LOG_WARNING, "-sdown", ri);
        ri->flags &= ~(unsigned)(SN_F_S_DOWN | SN_F_SCRIPT_KILL_SENT);
    }
    if (next != INT64_MAX)
        sn_core_wake(core, next);
}

/* ---------------------------------------------------------------------
 * ODOWN
 * ------------------------------------------------------------------- */

static void forget_stale(struct sn_core *core, struct sn_instance *si);

void
sn_detect_odown(struct sn_core *core, struct sn_master *m)
{
    int quorum = 0, i;
    bool odown = false;

    for (i = 0; i < m->sentinels_len; i++)
        forget_stale(core, m->sentinels[i]);
    if (m->inst.flags & SN_F_S_DOWN) {
        quorum = 1;
        for (i = 0; i < m->sentinels_len; i++)
            if (m->sentinels[i]->flags & SN_F_MASTER_DOWN)
                quorum++;
        odown = quorum >= m->cfg->quorum;
    }
    if (odown) {
        if (!(m->inst.flags & SN_F_O_DOWN)) {
            sn_core_emit(core, SN_LOG_WARNING, "+odown", &m->inst, true,
                         "#quorum %d/%d", quorum, m->cfg->quorum);
            m->inst.flags |= SN_F_O_DOWN;
            m->inst.o_down_since_ms = core->now_ms;
        }
    } else if (m->inst.flags & SN_F_O_DOWN) {
        sn_core_emit_inst(core, SN_LOG_WARNING, "-odown", &m->inst);
        m->inst.flags &= ~(unsigned)SN_F_O_DOWN;
    }
}

/* ---------------------------------------------------------------------
 * Asking peers
 * ------------------------------------------------------------------- */

static int64_t
ask_interval(const struct sn_core *core, const struct sn_master *m)
{
    int64_t p = core->timers.ask_period_ms / SN_ASK_DIVISOR;
    int64_t ping = sn_core_ping_interval(core, &m->inst);

    if (ping < p)
        p = ping;
    return p < SN_PERIOD_MIN_MS ? SN_PERIOD_MIN_MS : p;
}

/* A peer's answer older than 5 x ask-period no longer counts. */
static void
forget_stale(struct sn_core *core, struct sn_instance *si)
{
    int64_t stale = si->last_master_down_reply_ms +
                    5 * core->timers.ask_period_ms;

    if (!(si->flags & SN_F_MASTER_DOWN) && si->leader[0] == '\0')
        return;
    if (core->now_ms > stale) {
        si->flags &= ~(unsigned)SN_F_MASTER_DOWN;
        si->leader[0] = '\0';
    } else {
        sn_core_wake(core, stale + 1);
    }
}

static void
ask_one(struct sn_core *core, struct sn_master *m, struct sn_instance *si)
{
    char port[16], epoch[32];
    const char *argv[6];
    bool vote;

    /* Our run id asks for a vote, once the failover's start delay is over
     * (see SN_FAILOVER_DESYNC_MS); "*" only asks for the state. */
    vote = m->failover_state > SN_FO_WAIT_START ||
           (m->failover_state == SN_FO_WAIT_START && m->votes_asked);
    snprintf(port, sizeof(port), "%d", m->inst.port);
    /* A vote is asked for in the failover's epoch, the one the votes are
     * counted in (election.c), even if another master's election moved
     * our current epoch on since. */
    snprintf(epoch, sizeof(epoch), "%llu",
             (unsigned long long)(vote ? m->failover_epoch
                                       : core->cfg.current_epoch));
    argv[0] = "SENTINEL";
    argv[1] = "is-master-down-by-addr";
    /* As Redis: the address the peer knows the master by, unless
     * announce-hostnames says names are what everybody uses. */
    argv[2] = sn_inst_announce_host(core, &m->inst);
    argv[3] = port;
    argv[4] = epoch;
    argv[5] = vote ? core->cfg.myid : "*";
    sn_core_send(core, si->cc, si, SN_CMD_ASK, m->id, 6, argv);
    si->ask_sent_ms = core->now_ms;
}

/* A SENTINEL FAILOVER asks for votes whatever the master's state, until
 * its epoch is confirmed (failover.c). */
static bool
forced_wants_votes(const struct sn_master *m)
{
    return (m->inst.flags & SN_F_FORCE_FAILOVER) && m->votes_asked &&
           m->failover_state >= SN_FO_WAIT_START &&
           m->failover_state <= SN_FO_WAIT_PROMOTION;
}

void
sn_detect_ask(struct sn_core *core, struct sn_master *m, bool forced)
{
    int64_t now = core->now_ms, every = ask_interval(core, m), due;
    bool ask = (m->inst.flags & SN_F_S_DOWN) || forced_wants_votes(m);
    int i;

    for (i = 0; i < m->sentinels_len; i++) {
        struct sn_instance *si = m->sentinels[i];

        forget_stale(core, si);
        if (!ask || !si->cc->connected)
            continue;
        if (!forced) {
            due = si->last_master_down_reply_ms == 0
                      ? now : si->last_master_down_reply_ms + every;
            /* One question in flight, unless it looks lost. */
            if (si->ask_sent_ms != 0 &&
                si->ask_sent_ms + core->timers.ask_period_ms > due)
                due = si->ask_sent_ms + core->timers.ask_period_ms;
            if (now < due) {
                sn_core_wake(core, due);
                continue;
            }
        }
        ask_one(core, m, si);
        sn_core_wake(core, now + every);
    }
}

void
sn_detect_ask_reply(struct sn_core *core, struct sn_instance *si,
                    const struct sn_reply *r)
{
    const struct sn_reply *down, *leader, *epoch;

    /* Anything but [integer, bulk, integer] is ignored, as Redis. */
    if (r->type != SN_REPLY_ARRAY || r->elements != 3)
        return;
    down = r->element[0];
    leader = r->element[1];
    epoch = r->element[2];
    if (down->type != SN_REPLY_INTEGER || leader->type != SN_REPLY_STRING ||
        epoch->type != SN_REPLY_INTEGER || leader->str == NULL)
        return;
    si->last_master_down_reply_ms = core->now_ms;
    if (down->integer == 1)
        si->flags |= SN_F_MASTER_DOWN;
    else
        si->flags &= ~(unsigned)SN_F_MASTER_DOWN;
    if (strcmp(leader->str, "*") != 0) {
        snprintf(si->leader, sizeof(si->leader), "%s", leader->str);
        si->leader_epoch = (uint64_t)epoch->integer;
    }
}
