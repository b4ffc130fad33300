/*
 * test_detect.c: SDOWN (its three rules), ODOWN from peers' answers,
 * asking peers, staleness of their answers, TILT.
 */
#include "core_harness.h"

/* The time of the first event starting with `prefix`, or -1. */
static int64_t
event_at(const struct harness *h, const char *prefix)
{
    int i = h_find(h, SN_ACT_EVENT, prefix);

    return i < 0 ? -1 : h->log[i].at;
}

/* Keep the peers from agreeing, so no failover starts. */
static void
peers_disagree(struct harness *h)
{
    h_srv_find(h, "10.0.0.11", 26379)->says_down = false;
    h_srv_find(h, "10.0.0.12", 26379)->says_down = false;
}

/* ---------------------------------------------------------------------
 * SDOWN
 * ------------------------------------------------------------------- */

START_TEST(test_sdown_rule1_no_reply_for_down_after)
{
    struct harness h;
    int64_t t0, at;

    h_setup(&h, 1000);
    h_run(&h, 2000);
    t0 = h.now;
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_HUNG);
    h_run(&h, 999);
    ck_assert_int_eq(event_at(&h, "+sdown master"), -1);
    h_run(&h, 500);
    at = event_at(&h, "+sdown master");
    ck_assert_int_ge(at, 0);
    /* The first unanswered PING went out within down-after / 10 (and
     * 2 ms of the schedule's rounding), and the master is down
     * down-after ms after it. */
    ck_assert_int_gt(at, t0 + 1000);
    ck_assert_int_le(at, t0 + 1000 + 102);
    ck_assert_int_ge(h_event(&h, "+sdown master mymaster 10.0.0.1 6379"), 0);
    ck_assert(h_master(&h)->inst.flags & SN_F_S_DOWN);
    ck_assert_int_eq(h_master(&h)->inst.s_down_since_ms, at);
    h_free(&h);
}
END_TEST

START_TEST(test_sdown_rule1_disconnected)
{
    struct harness h;
    int64_t t0, at;

    h_setup(&h, 1000);
    h_run(&h, 2000);
    t0 = h.now;
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 2000);
    at = event_at(&h, "+sdown master");
    ck_assert_int_gt(at, t0 + 900);
    ck_assert_int_le(at, t0 + 1101);
    h_free(&h);
}
END_TEST

START_TEST(test_sdown_never_for_healthy)
{
    struct harness h;

    h_setup(&h, 1000);
    h_run(&h, 60000);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+sdown"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_sdown_cleared_by_valid_reply)
{
    struct harness h;
    struct h_srv *m;

    h_setup(&h, 1000);
    m = h_srv_find(&h, "10.0.0.1", 6379);
    peers_disagree(&h);
    h_kill(&h, m, H_HUNG);
    h_run(&h, 1500);
    ck_assert(h_master(&h)->inst.flags & SN_F_S_DOWN);
    m->state = H_ALIVE;
    /* -LOADING is a valid reply too. */
    m->ping_reply = "-LOADING Redis is loading the dataset in memory";
    h_run(&h, 200);
    ck_assert_int_ge(h_event(&h, "-sdown master mymaster 10.0.0.1 6379"), 0);
    ck_assert(!(h_master(&h)->inst.flags & SN_F_S_DOWN));
    h_free(&h);
}
END_TEST

START_TEST(test_sdown_invalid_reply_does_not_count)
{
    struct harness h;

    h_setup(&h, 1000);
    peers_disagree(&h);
    h_srv_find(&h, "10.0.0.1", 6379)->ping_reply = "-ERR nope";
    h_run(&h, 1500);
    ck_assert(h_master(&h)->inst.flags & SN_F_S_DOWN);
    h_free(&h);
}
END_TEST

START_TEST(test_sdown_replica_payload)
{
    struct harness h;

    h_setup(&h, 1000);
    h_kill(&h, h_srv_find(&h, "10.0.0.2", 6379), H_DEAD);
    h_run(&h, 1500);
    ck_assert_int_ge(h_event(&h, "+sdown slave 10.0.0.2:6379 10.0.0.2 6379 @ "
                                 "mymaster 10.0.0.1 6379"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_sdown_rule2_master_reports_slave)
{
    struct harness h;
    struct h_srv *m;
    int64_t t0;

    h_setup(&h, 1000);
    peers_disagree(&h);
    m = h_srv_find(&h, "10.0.0.1", 6379);
    h_srv_replica_of(m, H_RUNID_M, "10.0.0.9", 6379, 100, 0);
    h_run(&h, 10000);
    t0 = h_master(&h)->inst.role_reported_ms;
    ck_assert_int_eq(h_master(&h)->inst.role_reported, SN_ROLE_SLAVE);
    h_run(&h, 30000);
    /* down-after + 2 x info-period after the role changed. */
    ck_assert_int_eq(event_at(&h, "+sdown master"), t0 + 1000 + 20000 + 1);
    h_free(&h);
}
END_TEST

START_TEST(test_sdown_rule3_master_reboot)
{
    struct harness h;
    struct sn_config cfg;
    struct h_srv *m;
    int64_t t0;

    memset(&h, 0, sizeof(h));
    h_world(&h);
    h_cfg_init(&cfg, 30000);
    h_cfg_set(&cfg, "master-reboot-down-after-period", "5000", NULL, NULL);
    h_start(&h, &cfg);
    h_srv_find(&h, "10.0.0.11", 26379)->says_down = false;
    m = h_srv_find(&h, "10.0.0.1", 6379);
    snprintf(m->info.run_id, 41, "%s",
             "9999999999999999999999999999999999999999");
    m->ping_reply = "-LOADING loading";
    h_run(&h, 10100);
    ck_assert(h_master(&h)->inst.flags & SN_F_MASTER_REBOOT);
    t0 = h_master(&h)->inst.master_reboot_since_ms;
    h_run(&h, 6000);
    ck_assert_int_eq(event_at(&h, "+sdown master"), t0 + 5000 + 1);
    /* A PONG ends it. */
    m->ping_reply = NULL;
    h_run(&h, 2000);
    ck_assert(!(h_master(&h)->inst.flags & SN_F_MASTER_REBOOT));
    ck_assert_int_ge(h_event(&h, "-sdown master mymaster 10.0.0.1 6379"), 0);
    sn_config_free(&cfg);
    h_free(&h);
}
END_TEST

START_TEST(test_busy_gets_one_script_kill)
{
    struct harness h;

    h_setup(&h, 1000);
    peers_disagree(&h);
    h_srv_find(&h, "10.0.0.1", 6379)->ping_reply = "-BUSY script running";
    h_run(&h, 3000);
    ck_assert(h_master(&h)->inst.flags & SN_F_S_DOWN);
    ck_assert_int_eq(h_count(&h, SN_ACT_SEND, "10.0.0.1:6379 SCRIPT KILL"),
                     1);
    ck_assert(h_master(&h)->inst.flags & SN_F_SCRIPT_KILL_SENT);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * Asking peers, ODOWN
 * ------------------------------------------------------------------- */

START_TEST(test_ask_at_once_on_sdown)
{
    struct harness h;
    int64_t sdown;
    int i;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    peers_disagree(&h);
    h_run(&h, 500);
    ck_assert_int_eq(h_count(&h, SN_ACT_SEND,
                             "10.0.0.11:26379 SENTINEL"), 0);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_HUNG);
    h_run(&h, 1200);
    sdown = event_at(&h, "+sdown master");
    i = h_find(&h, SN_ACT_SEND, "10.0.0.11:26379 SENTINEL");
    ck_assert_int_ge(i, 0);
    ck_assert_int_eq(h.log[i].at, sdown);
    ck_assert_str_eq(h.log[i].text, "10.0.0.11:26379 SENTINEL "
                     "is-master-down-by-addr 10.0.0.1 6379 0 *");
    h_free(&h);
}
END_TEST

START_TEST(test_ask_often_while_sdown)
{
    struct harness h;
    int n;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    peers_disagree(&h);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_HUNG);
    h_run(&h, 1500);
    h_log_clear(&h);
    h_run(&h, 1000);
    n = h_count(&h, SN_ACT_SEND, "10.0.0.11:26379 SENTINEL");
    /* min(ask-period / 4, down-after / 10) = 100 ms. */
    ck_assert_int_ge(n, 9);
    ck_assert_int_le(n, 11);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+odown"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_odown_with_quorum)
{
    struct harness h;
    int64_t sdown, odown;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    h_srv_find(&h, "10.0.0.11", 26379)->says_down = true;
    h_srv_find(&h, "10.0.0.12", 26379)->votes = false;
    h_srv_find(&h, "10.0.0.11", 26379)->votes = false;
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 1500);
    sdown = event_at(&h, "+sdown master");
    odown = event_at(&h, "+odown master");
    ck_assert_int_ge(sdown, 0);
    /* One round trip after SDOWN (zero here). */
    ck_assert_int_eq(odown, sdown);
    ck_assert_int_ge(h_event(&h, "+odown master mymaster 10.0.0.1 6379 "
                                 "#quorum 2/2"), 0);
    ck_assert(h_master(&h)->sentinels[0]->flags & SN_F_MASTER_DOWN);
    h_free(&h);
}
END_TEST

START_TEST(test_odown_not_below_quorum)
{
    struct harness h;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    peers_disagree(&h);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 5000);
    ck_assert_int_ge(h_count(&h, SN_ACT_EVENT, "+sdown master"), 1);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+odown"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_odown_answers_stale_after_five_ask_periods)
{
    struct harness h;
    struct sn_instance *si;
    int64_t gone;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    h_srv_find(&h, "10.0.0.11", 26379)->says_down = true;
    h_srv_find(&h, "10.0.0.11", 26379)->votes = false;
    h_srv_find(&h, "10.0.0.12", 26379)->votes = false;
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 1500);
    ck_assert(h_master(&h)->inst.flags & SN_F_O_DOWN);
    si = sn_inst_sentinel_find(h_master(&h), NULL, 0, H_PEER_A);
    h_kill(&h, h_srv_find(&h, "10.0.0.11", 26379), H_HUNG);
    gone = si->last_master_down_reply_ms;
    h_run(&h, 6000);
    ck_assert(!(si->flags & SN_F_MASTER_DOWN));
    ck_assert_int_eq(event_at(&h, "-odown master"), gone + 5000 + 1);
    h_free(&h);
}
END_TEST

START_TEST(test_ask_reply_malformed_ignored)
{
    struct harness h;
    struct sn_instance *si;
    struct sn_reply *r = sn_reply_new(SN_REPLY_ARRAY, NULL, 0, 0);

    h_setup(&h, 1000);
    h_meet_peers(&h);
    si = h_master(&h)->sentinels[0];
    sn_reply_append(r, sn_reply_new(SN_REPLY_INTEGER, NULL, 0, 1));
    sn_reply_append(r, sn_reply_new(SN_REPLY_INTEGER, NULL, 0, 1));
    sn_reply_append(r, sn_reply_new(SN_REPLY_INTEGER, NULL, 0, 1));
    sn_detect_ask_reply(h.core, si, r);
    ck_assert(!(si->flags & SN_F_MASTER_DOWN));
    sn_reply_free(r);
    r = h_status("OK");
    sn_detect_ask_reply(h.core, si, r);
    ck_assert(!(si->flags & SN_F_MASTER_DOWN));
    sn_reply_free(r);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * TILT
 * ------------------------------------------------------------------- */

START_TEST(test_tilt_on_stall)
{
    struct harness h;

    h_setup(&h, 1000);
    h_run(&h, 1000);
    ck_assert(!sn_core_tilt(h.core));
    ck_assert_int_eq(sn_core_tilt_since_ms(h.core), -1);
    h.now += 2500;
    sn_core_tick(h.core, h.now);
    h_pump(&h);
    ck_assert(sn_core_tilt(h.core));
    ck_assert_int_eq(sn_core_tilt_since_ms(h.core), h.now);
    ck_assert_int_ge(h_event(&h, "+tilt #tilt mode entered"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_tilt_on_backward_jump)
{
    struct harness h;

    h_setup(&h, 1000);
    h_run(&h, 1000);
    h.now -= 10;
    sn_core_tick(h.core, h.now);
    h_pump(&h);
    ck_assert(sn_core_tilt(h.core));
    h_free(&h);
}
END_TEST

START_TEST(test_tilt_no_gap_while_idle)
{
    struct harness h;

    /* The core asks to be ticked often enough that an idle world never
     * looks like a stall. */
    h_setup(&h, 60000);
    h_run(&h, 120000);
    ck_assert(!sn_core_tilt(h.core));
    h_free(&h);
}
END_TEST

START_TEST(test_tilt_no_acting_but_monitoring)
{
    struct harness h;
    int64_t tilt_at;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    h_run(&h, 100);
    h.now += 3000;
    sn_core_tick(h.core, h.now);
    h_pump(&h);
    tilt_at = h.now;
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_HUNG);
    h_log_clear(&h);
    h_run(&h, 10000);
    /* Still PINGing and publishing; deciding nothing. */
    ck_assert_int_ge(h_count(&h, SN_ACT_SEND, "10.0.0.1:6379 PING"), 5);
    ck_assert_int_ge(h_count(&h, SN_ACT_SEND,
                             "10.0.0.2:6379 PUBLISH __sentinel__:hello"), 3);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+sdown"), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_SEND, "10.0.0.11:26379 SENTINEL"), 0);
    h_run(&h, 30000);
    ck_assert_int_eq(event_at(&h, "-tilt #tilt mode exited"),
                     tilt_at + 30000);
    ck_assert_int_ge(event_at(&h, "+sdown master"), tilt_at + 30000);
    h_free(&h);
}
END_TEST

START_TEST(test_tilt_says_not_down_but_votes)
{
    struct harness h;
    char leader[41];
    uint64_t epoch;
    bool down;

    h_setup(&h, 1000);
    peers_disagree(&h);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_HUNG);
    h_run(&h, 1500);
    ck_assert(h_master(&h)->inst.flags & SN_F_S_DOWN);
    ck_assert_int_eq(sn_core_is_master_down(h.core, "10.0.0.1", 6379, 0, "*",
                                            h.now, &down, leader, &epoch), 0);
    ck_assert(down);
    h.now += 3000;
    ck_assert_int_eq(sn_core_is_master_down(h.core, "10.0.0.1", 6379, 5,
                                            H_PEER_A, h.now, &down, leader,
                                            &epoch), 0);
    ck_assert(sn_core_tilt(h.core));
    ck_assert(!down);
    ck_assert_str_eq(leader, H_PEER_A);
    ck_assert_uint_eq(epoch, 5);
    h_pump(&h);
    h_free(&h);
}
END_TEST

static Suite *
detect_suite(void)
{
    Suite *s = suite_create("detect");
    TCase *tc = tcase_create("detect");

    tcase_add_test(tc, test_sdown_rule1_no_reply_for_down_after);
    tcase_add_test(tc, test_sdown_rule1_disconnected);
    tcase_add_test(tc, test_sdown_never_for_healthy);
    tcase_add_test(tc, test_sdown_cleared_by_valid_reply);
    tcase_add_test(tc, test_sdown_invalid_reply_does_not_count);
    tcase_add_test(tc, test_sdown_replica_payload);
    tcase_add_test(tc, test_sdown_rule2_master_reports_slave);
    tcase_add_test(tc, test_sdown_rule3_master_reboot);
    tcase_add_test(tc, test_busy_gets_one_script_kill);
    tcase_add_test(tc, test_ask_at_once_on_sdown);
    tcase_add_test(tc, test_ask_often_while_sdown);
    tcase_add_test(tc, test_odown_with_quorum);
    tcase_add_test(tc, test_odown_not_below_quorum);
    tcase_add_test(tc, test_odown_answers_stale_after_five_ask_periods);
    tcase_add_test(tc, test_ask_reply_malformed_ignored);
    tcase_add_test(tc, test_tilt_on_stall);
    tcase_add_test(tc, test_tilt_on_backward_jump);
    tcase_add_test(tc, test_tilt_no_gap_while_idle);
    tcase_add_test(tc, test_tilt_no_acting_but_monitoring);
    tcase_add_test(tc, test_tilt_says_not_down_but_votes);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(detect_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
