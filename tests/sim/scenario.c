/*
 * scenario.c: named scenarios and random schedules.
 *
 * A scenario builds a topology, schedules its faults and says how long it
 * runs; its verify function checks the expected outcome (a named scenario
 * asserts what should happen, not only that nothing unsafe did). Every
 * failed expectation counts as a violation, printed with seed and time.
 *
 * Names: sentinels s0..sN-1; groups (monitored masters) m0..; the servers
 * of group g are m<g>.0 (the first master) and its replicas m<g>.1...
 * Times are ms from the start of the run.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instance.h"
#include "sim.h"

#define BOUND_MS 60000

static int
expect(struct sim *sim, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
expect(struct sim *sim, bool ok, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (ok)
        return 0;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sim_violation(sim, "expect", "%s", msg);
    return 1;
}

static struct sim_server *
srv(struct sim *sim, int g, int i)
{
    return &sim->servers[sim_server_index(sim, g, i)];
}

static int
snode(struct sim *sim, int g, int i)
{
    return srv(sim, g, i)->node;
}

static bool
follows(struct sim *sim, int g, int replica, int master)
{
    const struct sim_server *r = srv(sim, g, replica);
    const struct sim_node *m = &sim->nodes[snode(sim, g, master)];

    return !r->is_master && r->link == SIM_REPL_UP &&
           r->master_port == m->port && strcmp(r->master_host, m->host) == 0;
}

/* The common topology: 3 sentinels, quorum 2, one master with 2 replicas,
 * down-after 1 s, failover-timeout 10 s. */
static void
basic(struct sim *sim)
{
    sim_add_sentinels(sim, 3);
    sim_add_group(sim, 2, 2, 1000, 10000);
}

static int
no_tilt(struct sim *sim)
{
    return expect(sim, sim->events_tilt == 0, "%d +tilt events without a "
                  "clock fault", sim->events_tilt);
}

/* ---------------------------------------------------------------------
 * seed-case
 * ------------------------------------------------------------------- */

static void
seed_case(struct sim *sim)
{
    basic(sim);
    /* m0.2 trails: m0.1 is the best replica by offset. */
    srv(sim, 0, 2)->lag = 5000;
    sim_boot(sim);
    sim_at(sim, 10000, SIM_F_SERVER_CRASH, sim_server_index(sim, 0, 0), 0);
    /* The heal restarts the old master: it must come back as a replica. */
    sim_at(sim, 30000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 30000 + BOUND_MS;
}

static int
seed_case_verify(struct sim *sim)
{
    struct sim_group *g = &sim->groups[0];
    int bad = 0;

    bad += expect(sim, g->first_promoted_server ==
                  sim_server_index(sim, 0, 1), "the best replica m0.1 was "
                  "not the one promoted");
    bad += expect(sim, srv(sim, 0, 1)->is_master, "m0.1 is not the master");
    bad += expect(sim, follows(sim, 0, 2, 1), "m0.2 does not follow m0.1");
    bad += expect(sim, follows(sim, 0, 0, 1), "the old master m0.0 did not "
                  "come back as a replica of m0.1");
    bad += expect(sim, g->switches >= sim->sentinels_len, "%d +switch-master "
                  "events, expected one per sentinel", g->switches);
    bad += no_tilt(sim);
    return bad;
}

/* failover-latency: the seed's case with no network delay, for the
 * failover-time distribution (run it with --seeds). */
static void
latency(struct sim *sim)
{
    basic(sim);
    sim->delay_min_ms = sim->delay_max_ms = 0;
    sim_boot(sim);
    sim_at(sim, 10000 + (int64_t)sn_rng_below(&sim->rng, 1000),
           SIM_F_SERVER_CRASH, sim_server_index(sim, 0, 0), 0);
    sim_at(sim, 25000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 25000 + BOUND_MS;
}

static int
latency_verify(struct sim *sim)
{
    return expect(sim, sim->groups[0].promotions >= 1, "no failover") +
           no_tilt(sim);
}

/* ---------------------------------------------------------------------
 * hung-master
 * ------------------------------------------------------------------- */

static void
hung_master(struct sim *sim)
{
    basic(sim);
    sim_boot(sim);
    sim_at(sim, 10000, SIM_F_SERVER_HANG, sim_server_index(sim, 0, 0), 0);
    sim_at(sim, 30000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 30000 + BOUND_MS;
}

static int
hung_master_verify(struct sim *sim)
{
    int bad = 0;

    bad += expect(sim, sim->groups[0].promotions >= 1, "no failover of the "
                  "hung master");
    bad += expect(sim, !srv(sim, 0, 0)->is_master, "the hung master is "
                  "still a master after it resumed");
    bad += no_tilt(sim);
    return bad;
}

/* ---------------------------------------------------------------------
 * minority-partition: the master and s0 cut off from the rest
 * ------------------------------------------------------------------- */

static void
minority(struct sim *sim)
{
    basic(sim);
    sim_boot(sim);
    sim_split_at(sim, 10000, "s0 m0.0 | s1 s2 m0.1 m0.2");
    sim_at(sim, 40000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 40000 + BOUND_MS;
}

static int
minority_verify(struct sim *sim)
{
    struct sim_group *g = &sim->groups[0];
    int bad = 0;

    bad += expect(sim, g->promotions >= 1, "the majority side did not fail "
                  "over");
    bad += expect(sim, (g->promoted_by_mask & 1u) == 0, "s0, on the "
                  "minority side, promoted a replica");
    bad += expect(sim, g->first_try_epoch[0] == 0, "s0, on the minority "
                  "side, started a failover");
    bad += expect(sim, !srv(sim, 0, 0)->is_master, "the old master is still "
                  "a master after the heal");
    bad += no_tilt(sim);
    return bad;
}

/* ---------------------------------------------------------------------
 * no-majority: each sentinel alone; quorum 1 so ODOWN is reached alone,
 * and only the majority rule stops a failover
 * ------------------------------------------------------------------- */

static void
no_majority(struct sim *sim)
{
    sim_add_sentinels(sim, 3);
    sim_add_group(sim, 2, 1, 1000, 10000);
    sim_boot(sim);
    sim_split_at(sim, 5000, "s0 | s1 | s2");
    sim_at(sim, 10000, SIM_F_SERVER_CRASH, sim_server_index(sim, 0, 0), 0);
    sim_at(sim, 45000, SIM_F_HEAL_NET, -1, 0);
    sim_at(sim, 90000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 90000 + BOUND_MS;
}

static int
no_majority_verify(struct sim *sim)
{
    struct sim_group *g = &sim->groups[0];
    int bad = 0;

    bad += expect(sim, g->tries >= 1, "nobody tried to fail over (quorum 1 "
                  "should give ODOWN)");
    bad += expect(sim, g->first_promotion_at < 0 ||
                  g->first_promotion_at >= sim->start_at + 45000,
                  "a replica was promoted without a majority");
    bad += expect(sim, g->promotions >= 1, "no failover after the "
                  "partition healed");
    bad += no_tilt(sim);
    return bad;
}

/* ---------------------------------------------------------------------
 * leader-crash-after-election, leader-crash-after-promotion
 * ------------------------------------------------------------------- */

static void
restart_later(struct sim *sim, int sentinel)
{
    sim_at(sim, sim->now - sim->start_at + 5000, SIM_F_SENTINEL_RESTART,
           sentinel, 0);
}

/* The first leader to crash ends the simulated failure for the others. */
static void
first_exit(struct sim *sim, int sentinel)
{
    int i;

    for (i = 0; i < sim->sentinels_len; i++)
        sim_sentinel_set_simfail(sim, &sim->sentinels[i], 0);
    restart_later(sim, sentinel);
}

static void
leader_crash(struct sim *sim, unsigned flags)
{
    basic(sim);
    sim_boot(sim);
    sim->on_exit = first_exit;
    sim_at(sim, 1000, SIM_F_SIMFAIL, -1, flags);
    sim_at(sim, 10000, SIM_F_SERVER_CRASH, sim_server_index(sim, 0, 0), 0);
    sim_at(sim, 60000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 60000 + BOUND_MS;
}

static void
crash_after_election(struct sim *sim)
{
    leader_crash(sim, SN_SIMFAIL_CRASH_AFTER_ELECTION);
}

static void
crash_after_promotion(struct sim *sim)
{
    leader_crash(sim, SN_SIMFAIL_CRASH_AFTER_PROMOTION);
}

static int
leader_crash_verify(struct sim *sim)
{
    int bad = 0;

    bad += expect(sim, sim->exits == 1, "%d sentinels exited, expected the "
                  "one leader", sim->exits);
    bad += expect(sim, sim->groups[0].promotions >= 1, "no failover");
    bad += expect(sim, !srv(sim, 0, 0)->is_master, "the old master is a "
                  "master again");
    return bad;
}

/* ---------------------------------------------------------------------
 * simultaneous-start: s0 and s1 cannot hear each other, both see ODOWN
 * through s2 and start in the same epoch; s2 votes once
 * ------------------------------------------------------------------- */

static void
simultaneous(struct sim *sim)
{
    basic(sim);
    sim->delay_min_ms = sim->delay_max_ms = 0;
    sim_boot(sim);
    /* s2, the arbiter, is slow: both candidates' requests reach it before
     * either election completes. */
    sim_at(sim, 0, SIM_F_DELAY, sim->sentinels[2].node, 40);
    sim_split_at(sim, 5000, "s0 | s1");
    sim_at(sim, 10000, SIM_F_SERVER_CRASH, sim_server_index(sim, 0, 0), 0);
    sim_at(sim, 40000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 40000 + BOUND_MS;
}

static int
simultaneous_verify(struct sim *sim)
{
    struct sim_group *g = &sim->groups[0];
    int bad = 0;

    bad += expect(sim, g->first_try_epoch[0] != 0 &&
                  g->first_try_epoch[0] == g->first_try_epoch[1],
                  "s0 and s1 did not start in the same epoch (%" PRIu64
                  ", %" PRIu64 ")", g->first_try_epoch[0],
                  g->first_try_epoch[1]);
    bad += expect(sim, g->promotions >= 1, "no failover");
    bad += no_tilt(sim);
    return bad;
}

/* ---------------------------------------------------------------------
 * clock-jumps-and-stall
 * ------------------------------------------------------------------- */

static void
clocks(struct sim *sim)
{
    basic(sim);
    sim_boot(sim);
    sim_at(sim, 5000, SIM_F_CLOCK_JUMP, 0, -3000);
    sim_at(sim, 5000, SIM_F_CLOCK_STALL, 1, 3000);
    sim_at(sim, 6000, SIM_F_SERVER_CRASH, sim_server_index(sim, 0, 0), 0);
    sim_at(sim, 20000, SIM_F_CLOCK_JUMP, 2, 4000);
    /* TILT lasts 30 s from the last trigger: the failover can only start
     * once s0 or s1 is out of it; the heal (which restarts the master)
     * comes after that. */
    sim_at(sim, 70000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 70000 + BOUND_MS;
}

static int
clocks_verify(struct sim *sim)
{
    int bad = 0;

    bad += expect(sim, sim->events_tilt >= 3, "%d +tilt events, expected "
                  "one per clock fault (3)", sim->events_tilt);
    bad += expect(sim, sim->groups[0].promotions >= 1, "no failover");
    return bad;
}

/* ---------------------------------------------------------------------
 * no-promotable-replica
 * ------------------------------------------------------------------- */

static void
no_promotable(struct sim *sim)
{
    basic(sim);
    srv(sim, 0, 1)->priority = 0;
    srv(sim, 0, 2)->priority = 0;
    sim_boot(sim);
    sim_at(sim, 10000, SIM_F_SERVER_CRASH, sim_server_index(sim, 0, 0), 0);
    sim_at(sim, 70000, SIM_F_SERVER_PRIORITY, sim_server_index(sim, 0, 1),
           100);
    sim_at(sim, 130000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 130000 + BOUND_MS;
}

static int
no_promotable_verify(struct sim *sim)
{
    struct sim_group *g = &sim->groups[0];
    int bad = 0;

    bad += expect(sim, g->aborts_no_good >= 1, "no "
                  "-failover-abort-no-good-slave");
    bad += expect(sim, g->min_retry_gap_ms < 0 ||
                  g->min_retry_gap_ms >= 2 * g->failover_timeout_ms,
                  "a sentinel retried after %" PRId64 " ms, before the "
                  "back-off of 2 x failover-timeout", g->min_retry_gap_ms);
    bad += expect(sim, g->first_promotion_at >= sim->start_at + 70000,
                  "a replica was promoted before one had priority > 0");
    bad += expect(sim, g->first_promoted_server ==
                  sim_server_index(sim, 0, 1), "m0.1 was not promoted after "
                  "its priority was raised");
    bad += no_tilt(sim);
    return bad;
}

/* ---------------------------------------------------------------------
 * five-sentinels-fifty-masters
 * ------------------------------------------------------------------- */

struct fifty {
    bool crashed[SIM_GROUPS_MAX];
};

static void
fifty(struct sim *sim)
{
    struct fifty *f = sn_calloc(1, sizeof(*f));
    int g, i;

    sim->scratch = f;
    sim_add_sentinels(sim, 5);
    for (g = 0; g < 50; g++)
        sim_add_group(sim, 1 + (int)sn_rng_below(&sim->rng, 3), 3, 2000,
                      10000);
    sim_boot(sim);
    for (i = 0; i < 15; i++) {
        g = (int)sn_rng_below(&sim->rng, 50);
        if (f->crashed[g])
            continue;
        f->crashed[g] = true;
        sim_at(sim, sim_rand_between(sim, 10000, 40000), SIM_F_SERVER_CRASH,
               sim_server_index(sim, g, 0), 0);
    }
    /* Room for one split vote and its retry after the last crash. */
    sim_at(sim, 80000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 80000 + BOUND_MS;
}

static int
fifty_verify(struct sim *sim)
{
    struct fifty *f = sim->scratch;
    int bad = 0, g;

    for (g = 0; g < sim->groups_len; g++)
        if (f->crashed[g])
            bad += expect(sim, sim->groups[g].promotions >= 1, "%s: its "
                          "master crashed and no replica was promoted",
                          sim->groups[g].name);
    bad += no_tilt(sim);
    return bad;
}

/* ---------------------------------------------------------------------
 * peer-new-runid: s2 comes back with a new run id on the same address;
 * the old id must not count as a voter
 * ------------------------------------------------------------------- */

static void
check_peers(struct sim *sim, int arg)
{
    int i;

    (void)arg;
    for (i = 0; i < sim->sentinels_len; i++) {
        struct sn_master *m = sim_sentinel_master(&sim->sentinels[i], 0, sim);

        expect(sim, m != NULL && m->sentinels_len == sim->sentinels_len - 1,
               "s%d knows %d peers of m0 after s2 changed its run id, "
               "expected %d", i, m != NULL ? m->sentinels_len : -1,
               sim->sentinels_len - 1);
    }
}

static void
peer_new_runid(struct sim *sim)
{
    basic(sim);
    sim_boot(sim);
    sim_at(sim, 10000, SIM_F_SENTINEL_RESTART, 2, 1);
    sim_call_at(sim, 30000, check_peers, 0);
    sim_split_at(sim, 31000, "s1 | s0 s2 m0.0 m0.1 m0.2");
    sim_at(sim, 33000, SIM_F_SERVER_CRASH, sim_server_index(sim, 0, 0), 0);
    sim_at(sim, 70000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 70000 + BOUND_MS;
}

static int
peer_new_runid_verify(struct sim *sim)
{
    struct sim_group *g = &sim->groups[0];

    return expect(sim, g->first_promotion_at >= 0 &&
                  g->first_promotion_at < sim->start_at + 70000,
                  "s0 and s2 (2 of 3 voters) did not fail over while s1 was "
                  "cut off: is the old run id of s2 still a voter?") +
           no_tilt(sim);
}

/* ---------------------------------------------------------------------
 * vote-replay: a voter restarts, then a request for the epoch it voted in
 * arrives again from another candidate. It must answer with its first
 * vote. With --break vote-twice its disk forgets the vote: caught.
 * ------------------------------------------------------------------- */

struct replay {
    int voter;
    int group;
    uint64_t epoch;
    char leader[SN_RUNID_LEN + 1];
};

static void
replay_restart(struct sim *sim, int arg)
{
    struct replay *r = sim->scratch;

    (void)arg;
    if (!sim_check_find_vote(sim, &r->voter, &r->group, &r->epoch,
                             r->leader)) {
        expect(sim, false, "no vote for another sentinel was cast");
        r->voter = -1;
        return;
    }
    sim_trace(sim, "replay: s%d voted for %.8s in epoch %" PRIu64,
              r->voter, r->leader, r->epoch);
    sim_sentinel_restart(sim, &sim->sentinels[r->voter], false);
}

static void
replay_ask(struct sim *sim, int arg)
{
    struct replay *r = sim->scratch;
    struct sim_sentinel *t;
    struct sn_master *m;
    char leader[SN_RUNID_LEN + 1];
    uint64_t leader_epoch;
    bool down;
    int i;

    (void)arg;
    if (r->voter < 0)
        return;
    t = &sim->sentinels[r->voter];
    m = sim_sentinel_master(t, r->group, sim);
    if (m == NULL)
        return;
    /* The candidate: any other sentinel than the voter and its leader. */
    for (i = 0; i < sim->sentinels_len; i++)
        if (i != r->voter && sim->sentinels[i].core != NULL &&
            strcmp(sim->sentinels[i].myid, r->leader) != 0)
            break;
    if (i == sim->sentinels_len)
        return;
    sim_trace(sim, "replay: asking s%d for a vote for s%d in epoch %" PRIu64,
              r->voter, i, r->epoch);
    sn_core_is_master_down(t->core, m->inst.host, m->inst.port, r->epoch,
                           sim->sentinels[i].myid, sim_sentinel_now(sim, t),
                           &down, leader, &leader_epoch);
    sim_check_core(sim, t);
    sim_sentinel_drain(sim, t);
}

static void
vote_replay(struct sim *sim)
{
    sim->scratch = sn_calloc(1, sizeof(struct replay));
    basic(sim);
    sim_boot(sim);
    sim_at(sim, 10000, SIM_F_SERVER_CRASH, sim_server_index(sim, 0, 0), 0);
    sim_call_at(sim, 25000, replay_restart, 0);
    sim_call_at(sim, 26000, replay_ask, 0);
    sim_at(sim, 30000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 30000 + BOUND_MS;
}

static int
vote_replay_verify(struct sim *sim)
{
    return expect(sim, sim->groups[0].promotions >= 1, "no failover");
}

/* ---------------------------------------------------------------------
 * candidate-crash: a sentinel dies the instant it starts a failover, before
 * anything else it does reaches the disk. Its epoch must not go back.
 * ------------------------------------------------------------------- */

static void
crash_on_try(struct sim *sim, int sentinel, const char *event,
             const char *payload)
{
    int64_t t = sim->now - sim->start_at;

    (void)payload;
    if (strcmp(event, "+try-failover") != 0 || sim->scratch != NULL)
        return;
    sim->scratch = sn_calloc(1, 1);     /* once */
    sim_at(sim, t, SIM_F_SENTINEL_CRASH, sentinel, 0);
    sim_at(sim, t + 1000, SIM_F_SENTINEL_RESTART, sentinel, 0);
}

static void
candidate_crash(struct sim *sim)
{
    basic(sim);
    sim->on_event = crash_on_try;
    sim_boot(sim);
    sim_at(sim, 10000, SIM_F_SERVER_CRASH, sim_server_index(sim, 0, 0), 0);
    sim_at(sim, 40000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 40000 + BOUND_MS;
}

static int
candidate_crash_verify(struct sim *sim)
{
    return expect(sim, sim->scratch != NULL, "nobody started a failover") +
           expect(sim, sim->groups[0].promotions >= 1, "no failover");
}

/* ---------------------------------------------------------------------
 * stale-demoted-master: the old master comes back on the majority side of
 * a partition and is promoted there in a later epoch; the sentinel on the
 * minority side last saw it as the master it demoted. When the partition
 * heals it must not turn it back into a replica on its stale config.
 * ------------------------------------------------------------------- */

static void
stale_demoted(struct sim *sim)
{
    struct sim_fault *f;

    sim_add_sentinels(sim, 3);
    /* failover-timeout 5 s: a first attempt may find m0.0 still reporting
     * the master role; the retry comes 10 s later, within the split. */
    sim_add_group(sim, 1, 2, 1000, 5000);
    sim_boot(sim);
    sim_at(sim, 10000, SIM_F_SERVER_CRASH, sim_server_index(sim, 0, 0), 0);
    sim_split_at(sim, 20000, "s0 m0.1 | s1 s2 m0.0");
    sim_at(sim, 20500, SIM_F_SERVER_RESTART, sim_server_index(sim, 0, 0), 0);
    /* s0 sees m0.0 again before it hears from its peers. */
    f = sim_at(sim, 40000, SIM_F_UNBLOCK, sim->sentinels[0].node, 0);
    f->b = snode(sim, 0, 0);
    f = sim_at(sim, 40000, SIM_F_UNBLOCK, snode(sim, 0, 0), 0);
    f->b = sim->sentinels[0].node;
    sim_at(sim, 58000, SIM_F_HEAL_NET, -1, 0);
    sim_at(sim, 60000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 60000 + BOUND_MS;
}

static int
stale_demoted_verify(struct sim *sim)
{
    return expect(sim, sim->groups[0].promotions >= 2, "the majority side "
                  "did not fail over to the returning old master (%d "
                  "promotions)", sim->groups[0].promotions);
}

/* ---------------------------------------------------------------------
 * forced-failover-partitioned: SENTINEL FAILOVER on a sentinel that is cut
 * off and behind on epochs, while the majority has failed over. Its forced
 * failover takes the next epoch it knows, the one the majority already
 * used: two configs under one epoch, which newest-epoch-wins cannot settle.
 * ------------------------------------------------------------------- */

static void
forced_partitioned(struct sim *sim)
{
    struct sim_fault *f;

    basic(sim);
    sim_boot(sim);
    sim_split_at(sim, 5000, "s0 m0.2 | s1 s2 m0.0 m0.1");
    sim_at(sim, 10000, SIM_F_SERVER_CRASH, sim_server_index(sim, 0, 0), 0);
    f = sim_at(sim, 20000, SIM_F_FORCE_FAILOVER, 0, 0);
    f->b = 0;
    sim_at(sim, 30000, SIM_F_HEAL, -1, 0);
    sim->run_ms = 30000 + BOUND_MS;
}

static int
forced_partitioned_verify(struct sim *sim)
{
    return expect(sim, sim->groups[0].promotions >= 2, "expected the "
                  "majority's failover and the forced one (%d promotions)",
                  sim->groups[0].promotions);
}

/* ---------------------------------------------------------------------
 * The table
 * ------------------------------------------------------------------- */

static const struct sim_scenario scenarios[] = {
    {"seed-case", "3 sentinels, master + 2 replicas; the master dies, the "
     "best replica wins, the other follows, the old master returns as a "
     "replica", seed_case, seed_case_verify},
    {"failover-latency", "the seed's case with zero network delay, for the "
     "failover-time distribution (use --seeds)", latency, latency_verify},
    {"hung-master", "the master hangs (SIGSTOP), is failed over, resumes "
     "and is turned into a replica", hung_master, hung_master_verify},
    {"minority-partition", "the master and s0 cut off from the rest: the "
     "majority fails over, s0 never does, all converge after the heal",
     minority, minority_verify},
    {"no-majority", "every sentinel alone, quorum 1: ODOWN but no majority, "
     "no failover until the partition heals", no_majority,
     no_majority_verify},
    {"leader-crash-after-election", "SIMULATE-FAILURE crash-after-election: "
     "the leader dies, another takes over in a later epoch",
     crash_after_election, leader_crash_verify},
    {"leader-crash-after-promotion", "SIMULATE-FAILURE "
     "crash-after-promotion: the leader dies after SLAVEOF NO ONE",
     crash_after_promotion, leader_crash_verify},
    {"simultaneous-start", "s0 and s1 cannot hear each other and start a "
     "failover in the same epoch; one leader only", simultaneous,
     simultaneous_verify},
    {"clock-jumps-and-stall", "a backward jump, a 3 s stall and a forward "
     "jump: TILT, no acting in TILT, then the failover", clocks,
     clocks_verify},
    {"no-promotable-replica", "every replica has priority 0: abort, retry "
     "after the back-off, promote once a replica has priority > 0",
     no_promotable, no_promotable_verify},
    {"five-sentinels-fifty-masters", "5 sentinels, quorum 3, 50 masters, "
     "15 of them crash at random", fifty, fifty_verify},
    {"peer-new-runid", "a sentinel restarts with a new run id on the same "
     "address: it is not counted twice", peer_new_runid,
     peer_new_runid_verify},
    {"candidate-crash", "a sentinel crashes the instant it starts a "
     "failover: its epoch must not go back after the restart",
     candidate_crash, candidate_crash_verify},
    {"stale-demoted-master", "the old master is promoted by the majority "
     "while the minority sentinel still sees it as demoted; after the heal "
     "all converge", stale_demoted, stale_demoted_verify},
    {"forced-failover-partitioned", "SENTINEL FAILOVER on a sentinel cut "
     "off and behind on epochs while the majority failed over: one config "
     "per epoch, then convergence", forced_partitioned,
     forced_partitioned_verify},
    {"vote-replay", "a voter restarts and is asked again in the epoch it "
     "voted in (with --break vote-twice it forgets: caught)", vote_replay,
     vote_replay_verify},
};

const struct sim_scenario *
sim_scenarios(int *len)
{
    *len = (int)(sizeof(scenarios) / sizeof(scenarios[0]));
    return scenarios;
}

const struct sim_scenario *
sim_scenario_find(const char *name)
{
    int i, n;
    const struct sim_scenario *all = sim_scenarios(&n);

    for (i = 0; i < n; i++)
        if (strcmp(all[i].name, name) == 0)
            return &all[i];
    return NULL;
}

/* ---------------------------------------------------------------------
 * Random schedules
 * ------------------------------------------------------------------- */

#define FAULT_WINDOW_START_MS   5000
#define FAULT_WINDOW_END_MS     35000
#define RANDOM_HEAL_MS          40000

/* The current master of a group, as the model has it, by server index;
 * -1 if none is up. */
static int
current_master(struct sim *sim, int g)
{
    const struct sim_group *grp = &sim->groups[g];
    int i;

    for (i = 0; i < grp->servers_len; i++) {
        const struct sim_server *s = &sim->servers[grp->servers[i]];

        if (s->is_master && s->state == SIM_SRV_UP)
            return grp->servers[i];
    }
    return -1;
}

static void
crash_master(struct sim *sim, int g)
{
    int s = current_master(sim, g);
    struct sim_fault f = { SIM_F_SERVER_CRASH, s, -1, 0, NULL, NULL };

    if (s >= 0)
        sim_apply_fault(sim, &f);
}

static void
hang_master(struct sim *sim, int g)
{
    int s = current_master(sim, g);
    struct sim_fault f = { SIM_F_SERVER_HANG, s, -1, 0, NULL, NULL };

    if (s >= 0)
        sim_apply_fault(sim, &f);
}

/* Bring back whatever of group g is down. */
static void
revive_group(struct sim *sim, int g)
{
    const struct sim_group *grp = &sim->groups[g];
    int i;

    for (i = 0; i < grp->servers_len; i++) {
        const struct sim_server *s = &sim->servers[grp->servers[i]];
        struct sim_fault f = { SIM_F_SERVER_RESUME, grp->servers[i], -1, 0,
                               NULL, NULL };

        if (s->state == SIM_SRV_HUNG) {
            sim_apply_fault(sim, &f);
        } else if (s->state == SIM_SRV_CRASHED) {
            f.type = SIM_F_SERVER_RESTART;
            sim_apply_fault(sim, &f);
        }
    }
}

static void
random_split(struct sim *sim, int64_t at)
{
    struct sim_fault *f = sim_at(sim, at, SIM_F_SPLIT, -1, 0);
    int i;

    f->sides = sn_malloc((size_t)SIM_NODES_MAX);
    for (i = 0; i < SIM_NODES_MAX; i++)
        f->sides[i] = i < sim->nodes_len ?
                      (signed char)sn_rng_below(&sim->rng, 2) : -1;
}

/* A restart with the same run id (Redis gets a new one on every start;
 * the simulator can also model a process that keeps it). */
static void
bounce_master(struct sim *sim, int g)
{
    int s = current_master(sim, g);
    struct sim_fault f = { SIM_F_SERVER_RESTART, s, -1, 1, NULL, NULL };

    if (s >= 0)
        sim_apply_fault(sim, &f);
}

/* A replica of group g, never its current master; -1 if none. */
static int
some_replica(struct sim *sim, int g)
{
    const struct sim_group *grp = &sim->groups[g];
    int i = (int)sn_rng_below(&sim->rng, (uint64_t)grp->servers_len), n;

    for (n = 0; n < grp->servers_len; n++, i = (i + 1) % grp->servers_len)
        if (!sim->servers[grp->servers[i]].is_master)
            return grp->servers[i];
    return -1;
}

static void
crash_replica(struct sim *sim, int g)
{
    int s = some_replica(sim, g);
    struct sim_fault f = { SIM_F_SERVER_CRASH, s, -1, 0, NULL, NULL };

    if (s >= 0)
        sim_apply_fault(sim, &f);
}

static void
reprioritize(struct sim *sim, int g)
{
    int s = some_replica(sim, g);

    if (s >= 0)
        sim->servers[s].priority = sn_rng_below(&sim->rng, 3) == 0 ? 0 : 100;
}

static void
random_fault(struct sim *sim, int64_t at)
{
    uint64_t kind = sn_rng_below(&sim->rng, 100);
    int g = (int)sn_rng_below(&sim->rng, (uint64_t)sim->groups_len);
    int s = (int)sn_rng_below(&sim->rng, (uint64_t)sim->sentinels_len);
    int node = (int)sn_rng_below(&sim->rng, (uint64_t)sim->nodes_len);
    int other = (int)sn_rng_below(&sim->rng, (uint64_t)sim->nodes_len);
    int64_t later = at + sim_rand_between(sim, 2000, 20000);
    struct sim_fault *f;

    if (kind < 25) {
        sim_call_at(sim, at, crash_master, g);
        if (sn_rng_below(&sim->rng, 2) == 0)
            sim_call_at(sim, later, revive_group, g);
    } else if (kind < 35) {
        sim_call_at(sim, at, hang_master, g);
        if (sn_rng_below(&sim->rng, 2) == 0)
            sim_call_at(sim, later, revive_group, g);
    } else if (kind < 40) {
        sim_call_at(sim, at, crash_replica, g);
        sim_call_at(sim, later, revive_group, g);
    } else if (kind < 43) {
        sim_call_at(sim, at, bounce_master, g);
    } else if (kind < 58) {
        random_split(sim, at);
        sim_at(sim, later, SIM_F_HEAL_NET, -1, 0);
    } else if (kind < 63) {
        /* One way only: an asymmetric link. */
        f = sim_at(sim, at, SIM_F_BLOCK, node, 0);
        f->b = other;
        f = sim_at(sim, later, SIM_F_UNBLOCK, node, 0);
        f->b = other;
    } else if (kind < 75) {
        sim_at(sim, at, SIM_F_SENTINEL_CRASH, s, 0);
        sim_at(sim, sim_rand_between(sim, at + 1000, at + 15000),
               SIM_F_SENTINEL_RESTART, s, sn_rng_below(&sim->rng, 10) == 0);
    } else if (kind < 81) {
        sim_at(sim, at, SIM_F_CLOCK_STALL, s, sim_rand_between(sim, 500,
                                                                4000));
    } else if (kind < 87) {
        sim_at(sim, at, SIM_F_CLOCK_JUMP, s, sim_rand_between(sim, -5000,
                                                               5000));
    } else if (kind < 93) {
        sim_at(sim, at, SIM_F_DELAY, node, sim_rand_between(sim, 10, 300));
        sim_at(sim, later, SIM_F_DELAY, node, 0);
    } else if (kind < 97) {
        /* A quick restart from disk (SENTINEL FAILOVER is an operator's
         * act, not a fault: see forced-failover-partitioned). */
        sim_at(sim, at, SIM_F_SENTINEL_RESTART, s, 0);
    } else {
        sim_call_at(sim, at, reprioritize, g);
    }
}

void
sim_scenario_random(struct sim *sim)
{
    static const int64_t down_after[] = { 1000, 2000, 3000 };
    static const int64_t delay_max[] = { 0, 1, 2, 5 };
    int ns = sn_rng_below(&sim->rng, 5) == 0 ? 5 : 3;
    int groups = 1 + (int)sn_rng_below(&sim->rng, 3);
    int faults = 1 + (int)sn_rng_below(&sim->rng, 6);
    int g, i;

    sim_add_sentinels(sim, ns);
    for (g = 0; g < groups; g++) {
        int replicas = 1 + (int)sn_rng_below(&sim->rng, 3);
        int r;

        sim_add_group(sim, replicas, ns == 3 ? 2 : 3,
                      down_after[sn_rng_below(&sim->rng, 3)],
                      sn_rng_below(&sim->rng, 2) == 0 ? 5000 : 10000);
        for (r = 1; r <= replicas; r++) {
            struct sim_server *s = srv(sim, g, r);

            s->priority = sn_rng_below(&sim->rng, 10) == 0 ? 0 :
                          sn_rng_below(&sim->rng, 4) == 0 ? 50 : 100;
            s->lag = sn_rng_below(&sim->rng, 1000);
        }
    }
    sim->delay_max_ms = delay_max[sn_rng_below(&sim->rng, 4)];
    if (sn_rng_below(&sim->rng, 4) == 0)
        sim->loss_ppm = 200;
    sim_boot(sim);
    for (i = 0; i < faults; i++)
        random_fault(sim, sim_rand_between(sim, FAULT_WINDOW_START_MS,
                                           FAULT_WINDOW_END_MS));
    sim_at(sim, RANDOM_HEAL_MS, SIM_F_HEAL, -1, 0);
    sim->run_ms = RANDOM_HEAL_MS + BOUND_MS;
}

int
sim_scenario_run(struct sim *sim)
{
    const struct sim_scenario *sc = NULL;
    int bad;

    if (sim->opts.scenario != NULL) {
        sc = sim_scenario_find(sim->opts.scenario);
        if (sc == NULL)
            return -1;
        sim->scenario = sc;
        sc->setup(sim);
    } else {
        sim_scenario_random(sim);
    }
    if (sim->opts.delay_max_ms >= 0) {
        sim->delay_min_ms = 0;
        sim->delay_max_ms = sim->opts.delay_max_ms;
    }
    bad = sim_run(sim, sim->run_ms);
    if (sc != NULL && sc->verify != NULL)
        sc->verify(sim);
    bad = sim->violations;
    return bad;
}
