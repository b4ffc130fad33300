/*
 * test_election.c: votes (one per epoch, saved before the reply, kept
 * across a restart), the leader count (majority, quorum, tie-break), and
 * the election's timeout and back-off.
 */
#include "core_harness.h"

static void
ask_vote(struct harness *h, uint64_t epoch, const char *runid,
         char leader[41], uint64_t *leader_epoch)
{
    bool down;

    ck_assert_int_eq(sn_core_is_master_down(h->core, "10.0.0.1", 6379, epoch,
                                            runid, h->now, &down, leader,
                                            leader_epoch), 0);
}

/* ---------------------------------------------------------------------
 * Votes
 * ------------------------------------------------------------------- */

START_TEST(test_vote_saved_before_reply)
{
    struct harness h;
    struct sn_action a;
    char leader[41];
    uint64_t le;
    bool saved = false, voted = false;

    h_setup(&h, 30000);
    ask_vote(&h, 3, H_PEER_A, leader, &le);
    ck_assert_str_eq(leader, H_PEER_A);
    ck_assert_uint_eq(le, 3);
    /* What the caller drains before it sends the reply: the SAVE holding
     * the vote comes first. */
    while (sn_core_next_action(h.core, &a) == 1) {
        if (a.type == SN_ACT_SAVE) {
            /* The caller renders what a SAVE writes, when it drains it. */
            size_t len;
            char *text = sn_config_rewrite(sn_core_config(h.core), &len);

            ck_assert(!voted);
            ck_assert_ptr_null(a.text);
            ck_assert_ptr_nonnull(strstr(text, "leader-epoch"));
            ck_assert_ptr_nonnull(strstr(text, H_PEER_A));
            ck_assert_ptr_nonnull(strstr(text, "current-epoch"));
            free(text);
            saved = true;
        }
        if (a.type == SN_ACT_EVENT &&
            strcmp(a.event, "+vote-for-leader") == 0) {
            ck_assert(saved);
            ck_assert_str_eq(a.payload, H_PEER_A " 3");
            voted = true;
        }
        sn_action_free(&a);
    }
    ck_assert(saved && voted);
    ck_assert_uint_eq(sn_core_current_epoch(h.core), 3);
    h_free(&h);
}
END_TEST

START_TEST(test_vote_adopts_newer_epoch)
{
    struct harness h;
    char leader[41];
    uint64_t le;

    h_setup(&h, 30000);
    h_log_clear(&h);
    ask_vote(&h, 7, H_PEER_A, leader, &le);
    h_pump(&h);
    ck_assert_int_ge(h_event(&h, "+new-epoch 7"), 0);
    ck_assert_uint_eq(sn_core_config(h.core)->current_epoch, 7);
    h_free(&h);
}
END_TEST

START_TEST(test_vote_once_per_epoch)
{
    struct harness h;
    char leader[41];
    uint64_t le;

    h_setup(&h, 30000);
    ask_vote(&h, 3, H_PEER_A, leader, &le);
    h_pump(&h);
    h_log_clear(&h);
    ask_vote(&h, 3, H_PEER_B, leader, &le);
    h_pump(&h);
    ck_assert_str_eq(leader, H_PEER_A);
    ck_assert_uint_eq(le, 3);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+vote-for-leader"), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_SAVE, ""), 0);
    /* An older epoch gets the vote we hold. */
    ask_vote(&h, 2, H_PEER_B, leader, &le);
    ck_assert_str_eq(leader, H_PEER_A);
    ck_assert_uint_eq(le, 3);
    /* A newer one gets a new vote. */
    ask_vote(&h, 4, H_PEER_B, leader, &le);
    ck_assert_str_eq(leader, H_PEER_B);
    ck_assert_uint_eq(le, 4);
    h_pump(&h);
    h_free(&h);
}
END_TEST

START_TEST(test_vote_kept_across_restart)
{
    struct harness h;
    struct sn_config cfg;
    struct sn_config_errors errs;
    struct sn_core *again;
    struct sn_master *m;
    char leader[41], err[128];
    uint64_t le;
    bool down;
    int i;

    h_setup(&h, 30000);
    ask_vote(&h, 3, H_PEER_A, leader, &le);
    h_pump(&h);
    i = h_find_last(&h, SN_ACT_SAVE, "");
    ck_assert_int_ge(i, 0);
    /* The process dies; a new one starts from what was saved. */
    sn_config_init(&cfg);
    memset(&errs, 0, sizeof(errs));
    ck_assert_int_eq(sn_config_load(&cfg, h.log[i].text,
                                    strlen(h.log[i].text), "s.conf", &errs),
                     0);
    again = sn_core_new(&cfg, 5, h.now, err, sizeof(err));
    ck_assert_ptr_nonnull(again);
    ck_assert_uint_eq(sn_core_current_epoch(again), 3);
    m = sn_core_master_by_name(again, "mymaster");
    ck_assert_uint_eq(m->leader_epoch, 3);
    ck_assert_int_eq(sn_core_is_master_down(again, "10.0.0.1", 6379, 3,
                                            H_PEER_B, h.now, &down, leader,
                                            &le), 0);
    ck_assert_str_eq(leader, H_PEER_A);
    ck_assert_uint_eq(le, 3);
    sn_core_free(again);
    sn_config_free(&cfg);
    sn_config_errors_free(&errs);
    h_free(&h);
}
END_TEST

START_TEST(test_vote_unknown_master)
{
    struct harness h;
    char leader[41];
    uint64_t le = 9;
    bool down = true;

    h_setup(&h, 30000);
    ck_assert_int_eq(sn_core_is_master_down(h.core, "10.9.9.9", 6379, 3,
                                            H_PEER_A, h.now, &down, leader,
                                            &le), -1);
    ck_assert(!down);
    ck_assert_str_eq(leader, "*");
    ck_assert_uint_eq(le, 0);
    ck_assert_uint_eq(sn_core_current_epoch(h.core), 0);
    h_pump(&h);
    h_free(&h);
}
END_TEST

START_TEST(test_state_question_is_no_vote)
{
    struct harness h;
    char leader[41];
    uint64_t le;

    h_setup(&h, 30000);
    h_log_clear(&h);
    ask_vote(&h, 3, "*", leader, &le);
    h_pump(&h);
    ck_assert_str_eq(leader, "*");
    ck_assert_uint_eq(le, 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+vote-for-leader"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_vote_for_other_delays_own_failover)
{
    struct harness h;
    char leader[41];
    uint64_t le;
    int64_t start;

    h_setup(&h, 30000);
    ask_vote(&h, 3, H_PEER_A, leader, &le);
    h_pump(&h);
    start = h_master(&h)->failover_start_ms;
    ck_assert_int_ge(start, h.now);
    ck_assert_int_lt(start, h.now + SN_FAILOVER_DESYNC_MS);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * The count
 * ------------------------------------------------------------------- */

static void
peer_voted(struct sn_instance *si, const char *leader, uint64_t epoch)
{
    snprintf(si->leader, sizeof(si->leader), "%s", leader);
    si->leader_epoch = epoch;
}

START_TEST(test_leader_majority_of_all_known)
{
    struct harness h;
    struct sn_master *m;
    char out[41];

    h_setup(&h, 30000);
    h_meet_peers(&h);
    m = h_master(&h);
    /* Alone: our own vote is 1 of 3. */
    ck_assert(!sn_election_leader(h.core, m, 1, false, out));
    ck_assert_str_eq(m->leader, H_MYID);
    /* One peer agrees: 2 of 3, and quorum 2. */
    peer_voted(m->sentinels[0], H_MYID, 1);
    ck_assert(sn_election_leader(h.core, m, 1, false, out));
    ck_assert_str_eq(out, H_MYID);
    h_pump(&h);
    h_free(&h);
}
END_TEST

START_TEST(test_leader_needs_quorum)
{
    struct harness h;
    struct sn_master *m;
    char out[41];

    h_setup(&h, 30000);
    h_meet_peers(&h);
    m = h_master(&h);
    m->cfg->quorum = 3;
    peer_voted(m->sentinels[0], H_MYID, 1);
    ck_assert(!sn_election_leader(h.core, m, 1, false, out));
    peer_voted(m->sentinels[1], H_MYID, 1);
    ck_assert(sn_election_leader(h.core, m, 1, false, out));
    h_pump(&h);
    h_free(&h);
}
END_TEST

START_TEST(test_leader_unreachable_peers_still_count)
{
    struct harness h;
    struct sn_master *m;
    char out[41];

    h_setup(&h, 30000);
    h_meet_peers(&h);
    h_hello(&h, "10.0.0.13", 26379, H_PEER_C, 0, "10.0.0.1", 6379, 0);
    m = h_master(&h);
    m->cfg->quorum = 1;
    /* 4 voters: 2 votes are not a majority, whoever is reachable. */
    peer_voted(m->sentinels[0], H_MYID, 1);
    ck_assert(!sn_election_leader(h.core, m, 1, false, out));
    peer_voted(m->sentinels[1], H_MYID, 1);
    ck_assert(sn_election_leader(h.core, m, 1, false, out));
    h_pump(&h);
    h_free(&h);
}
END_TEST

START_TEST(test_leader_tie_break_smallest_runid)
{
    struct harness h;
    struct sn_master *m;
    char out[41];

    h_setup(&h, 30000);
    h_meet_peers(&h);
    m = h_master(&h);
    /* A votes for B and B for A: a tie, our vote goes to the smaller run
     * id, which then has 2 of 3. */
    peer_voted(m->sentinels[0], H_PEER_B, 1);
    peer_voted(m->sentinels[1], H_PEER_A, 1);
    ck_assert(sn_election_leader(h.core, m, 1, false, out));
    ck_assert_str_eq(out, H_PEER_A);
    ck_assert_str_eq(m->leader, H_PEER_A);
    h_pump(&h);
    h_free(&h);
}
END_TEST

START_TEST(test_leader_other_epochs_ignored)
{
    struct harness h;
    struct sn_master *m;
    char out[41];

    h_setup(&h, 30000);
    h_meet_peers(&h);
    m = h_master(&h);
    peer_voted(m->sentinels[0], H_MYID, 1);
    peer_voted(m->sentinels[1], H_MYID, 1);
    ck_assert(!sn_election_leader(h.core, m, 2, false, out));
    h_pump(&h);
    h_free(&h);
}
END_TEST

START_TEST(test_leader_we_voted_for_another)
{
    struct harness h;
    struct sn_master *m;
    char out[41], leader[41];
    uint64_t le;

    h_setup(&h, 30000);
    h_meet_peers(&h);
    m = h_master(&h);
    ask_vote(&h, 1, H_PEER_B, leader, &le);
    peer_voted(m->sentinels[0], H_MYID, 1);
    /* Our vote in epoch 1 is B's: we have 1 vote, B has 1. */
    ck_assert(!sn_election_leader(h.core, m, 1, false, out));
    ck_assert_str_eq(m->leader, H_PEER_B);
    h_pump(&h);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * Elections in the running core
 * ------------------------------------------------------------------- */

static void
peers(struct harness *h, bool down, bool votes)
{
    struct h_srv *a = h_srv_find(h, "10.0.0.11", 26379);
    struct h_srv *b = h_srv_find(h, "10.0.0.12", 26379);

    a->says_down = b->says_down = down;
    a->votes = b->votes = votes;
}

START_TEST(test_election_won_with_three)
{
    struct harness h;
    int ask, won, save;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    peers(&h, true, true);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 2000);
    ask = h_find(&h, SN_ACT_SEND, "10.0.0.11:26379 SENTINEL "
                 "is-master-down-by-addr 10.0.0.1 6379 1 " H_MYID);
    won = h_event(&h, "+elected-leader master mymaster 10.0.0.1 6379");
    ck_assert_int_ge(ask, 0);
    ck_assert_int_gt(won, ask);
    /* Our own vote was saved before we acted on it. */
    save = h_find_from(&h, ask, SN_ACT_SAVE, "");
    ck_assert_int_gt(save, ask);
    ck_assert_int_lt(save, won);
    ck_assert_int_ge(h_event(&h, "+try-failover master mymaster 10.0.0.1 "
                                 "6379"), 0);
    ck_assert_int_ge(h_event(&h, "+new-epoch 1"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_election_start_delay_small)
{
    struct harness h;
    int t, a;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    peers(&h, true, true);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 2000);
    t = h_find(&h, SN_ACT_EVENT, "+try-failover");
    a = h_find(&h, SN_ACT_SEND, "10.0.0.11:26379 SENTINEL "
               "is-master-down-by-addr 10.0.0.1 6379 1 " H_MYID);
    ck_assert_int_ge(h.log[a].at, h.log[t].at);
    ck_assert_int_lt(h.log[a].at, h.log[t].at + SN_FAILOVER_DESYNC_MS);
    h_free(&h);
}
END_TEST

START_TEST(test_election_abort_not_elected_and_back_off)
{
    struct harness h;
    int64_t start, abort_at, again;
    int i;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    peers(&h, true, false);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 2000);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+elected-leader"), 0);
    start = h_master(&h)->failover_start_ms;
    h_run(&h, 12000);
    i = h_event(&h, "-failover-abort-not-elected master mymaster 10.0.0.1 "
                    "6379");
    ck_assert_int_ge(i, 0);
    abort_at = h.log[i].at;
    /* min(election-timeout 10 s, failover-timeout 60 s) from the start. */
    ck_assert_int_eq(abort_at, start + 10000 + 1);
    ck_assert(!(h_master(&h)->inst.flags & SN_F_FAILOVER_IN_PROGRESS));
    h_log_clear(&h);
    h_run(&h, 2 * 60000);
    i = h_find(&h, SN_ACT_EVENT, "+try-failover");
    ck_assert_int_ge(i, 0);
    again = h.log[i].at;
    ck_assert_int_eq(again, start + 2 * 60000);
    h_free(&h);
}
END_TEST

START_TEST(test_election_lost_to_peer)
{
    struct harness h;
    char leader[41];
    uint64_t le;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    peers(&h, true, false);
    /* A peer asked first, for epoch 1. */
    ask_vote(&h, 1, H_PEER_A, leader, &le);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 5000);
    ck_assert_int_ge(h_count(&h, SN_ACT_EVENT, "+odown"), 1);
    /* Having voted, we start no failover of our own. */
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+try-failover"), 0);
    h_free(&h);
}
END_TEST

static Suite *
election_suite(void)
{
    Suite *s = suite_create("election");
    TCase *tc = tcase_create("election");

    tcase_add_test(tc, test_vote_saved_before_reply);
    tcase_add_test(tc, test_vote_adopts_newer_epoch);
    tcase_add_test(tc, test_vote_once_per_epoch);
    tcase_add_test(tc, test_vote_kept_across_restart);
    tcase_add_test(tc, test_vote_unknown_master);
    tcase_add_test(tc, test_state_question_is_no_vote);
    tcase_add_test(tc, test_vote_for_other_delays_own_failover);
    tcase_add_test(tc, test_leader_majority_of_all_known);
    tcase_add_test(tc, test_leader_needs_quorum);
    tcase_add_test(tc, test_leader_unreachable_peers_still_count);
    tcase_add_test(tc, test_leader_tie_break_smallest_runid);
    tcase_add_test(tc, test_leader_other_epochs_ignored);
    tcase_add_test(tc, test_leader_we_voted_for_another);
    tcase_add_test(tc, test_election_won_with_three);
    tcase_add_test(tc, test_election_start_delay_small);
    tcase_add_test(tc, test_election_abort_not_elected_and_back_off);
    tcase_add_test(tc, test_election_lost_to_peer);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(election_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
