/*
 * test_failover.c: replica selection (rules numbered as in failover.c),
 * the state machine from ODOWN to the end, its aborts and timeouts, the
 * early +switch-master on the leader, observers switching on hello,
 * +convert-to-slave, +fix-slave-config, SENTINEL FAILOVER and the
 * simulated crashes.
 */
#include "core_harness.h"

/* ---------------------------------------------------------------------
 * Selection
 * ------------------------------------------------------------------- */

/* The world after its first INFO round: .2 (offset 1000) and .3 (900). */
static struct sn_master *
select_setup(struct harness *h, struct sn_instance **r1,
             struct sn_instance **r2)
{
    struct sn_master *m;

    h_setup(h, 30000);
    m = h_master(h);
    *r1 = sn_inst_replica_find(m, "10.0.0.2", 6379);
    *r2 = sn_inst_replica_find(m, "10.0.0.3", 6379);
    ck_assert_ptr_nonnull(*r1);
    ck_assert_ptr_nonnull(*r2);
    return m;
}

START_TEST(test_select_rule1_down_excluded)
{
    struct harness h;
    struct sn_instance *r1, *r2;
    struct sn_master *m = select_setup(&h, &r1, &r2);

    ck_assert_ptr_eq(sn_failover_select(h.core, m), r1);
    r1->flags |= SN_F_S_DOWN;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    r1->flags &= ~(unsigned)SN_F_S_DOWN;
    r1->flags |= SN_F_O_DOWN;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    h_free(&h);
}
END_TEST

START_TEST(test_select_rule2_disconnected_excluded)
{
    struct harness h;
    struct sn_instance *r1, *r2;
    struct sn_master *m = select_setup(&h, &r1, &r2);

    r1->cc->connected = false;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    r1->cc->connected = true;
    h_free(&h);
}
END_TEST

START_TEST(test_select_rule3_stale_ping_reply_excluded)
{
    struct harness h;
    struct sn_instance *r1, *r2;
    struct sn_master *m = select_setup(&h, &r1, &r2);

    r1->cc->last_avail_ms = h.now - 5000;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r1);
    r1->cc->last_avail_ms = h.now - 5001;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    h_free(&h);
}
END_TEST

START_TEST(test_select_rule4_priority_zero_excluded)
{
    struct harness h;
    struct sn_instance *r1, *r2;
    struct sn_master *m = select_setup(&h, &r1, &r2);

    r1->slave_priority = 0;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    r2->slave_priority = 0;
    ck_assert_ptr_null(sn_failover_select(h.core, m));
    h_free(&h);
}
END_TEST

START_TEST(test_select_rule5_stale_info_excluded)
{
    struct harness h;
    struct sn_instance *r1, *r2;
    struct sn_master *m = select_setup(&h, &r1, &r2);

    /* Master up: 3 x info-period. */
    r1->info_refresh_ms = h.now - 30000;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r1);
    r1->info_refresh_ms = h.now - 30001;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    /* Master SDOWN: 5 x ping-period. */
    m->inst.flags |= SN_F_S_DOWN;
    m->inst.s_down_since_ms = h.now;
    r1->info_refresh_ms = h.now - 5001;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    r1->info_refresh_ms = h.now - 5000;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r1);
    r1->info_refresh_ms = 0;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    h_free(&h);
}
END_TEST

START_TEST(test_select_rule6_master_link_down_too_long_excluded)
{
    struct harness h;
    struct sn_instance *r1, *r2;
    struct sn_master *m = select_setup(&h, &r1, &r2);

    r1->master_link_down_ms = 10 * 30000;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r1);
    r1->master_link_down_ms = 10 * 30000 + 1;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    /* The time the master has been SDOWN is allowed on top. */
    m->inst.flags |= SN_F_S_DOWN;
    m->inst.s_down_since_ms = h.now - 1000;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r1);
    /* Counted from its last valid reply when that is earlier (a TILT
     * postponed our SDOWN): not every replica looks stale. */
    r1->master_link_down_ms = 10 * 30000 + 40000;
    m->inst.s_down_since_ms = h.now;
    m->inst.cc->last_avail_ms = h.now - 41000;
    r1->cc->last_avail_ms = h.now;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r1);
    m->inst.cc->last_avail_ms = h.now - 39000;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    h_free(&h);
}
END_TEST

START_TEST(test_select_claims_master_not_excluded)
{
    struct harness h;
    struct sn_instance *r1, *r2;
    struct sn_master *m = select_setup(&h, &r1, &r2);

    /* As Redis: a known replica that reports the master role (an old
     * master come back) is still a candidate. */
    r1->role_reported = SN_ROLE_MASTER;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r1);
    h_free(&h);
}
END_TEST

START_TEST(test_select_rule7_priority)
{
    struct harness h;
    struct sn_instance *r1, *r2;
    struct sn_master *m = select_setup(&h, &r1, &r2);

    r2->slave_priority = 50;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    h_free(&h);
}
END_TEST

START_TEST(test_select_rule8_offset)
{
    struct harness h;
    struct sn_instance *r1, *r2;
    struct sn_master *m = select_setup(&h, &r1, &r2);

    ck_assert_ptr_eq(sn_failover_select(h.core, m), r1);
    r2->slave_repl_offset = 1001;
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    h_free(&h);
}
END_TEST

START_TEST(test_select_rule9_runid)
{
    struct harness h;
    struct sn_instance *r1, *r2;
    struct sn_master *m = select_setup(&h, &r1, &r2);

    r2->slave_repl_offset = r1->slave_repl_offset;
    /* H_RUNID_R1 (2222...) is smaller than H_RUNID_R2 (3333...). */
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r1);
    snprintf(r2->runid, sizeof(r2->runid), "%s", H_RUNID_M);
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r2);
    /* An unknown run id comes last. */
    r2->runid[0] = '\0';
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r1);
    h_free(&h);
}
END_TEST

START_TEST(test_select_rule10_name)
{
    struct harness h;
    struct sn_instance *r1, *r2;
    struct sn_master *m = select_setup(&h, &r1, &r2);

    r2->slave_repl_offset = r1->slave_repl_offset;
    r1->runid[0] = '\0';
    r2->runid[0] = '\0';
    ck_assert_ptr_eq(sn_failover_select(h.core, m), r1);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * The state machine
 * ------------------------------------------------------------------- */

static void
peers_agree(struct harness *h)
{
    h_srv_find(h, "10.0.0.11", 26379)->says_down = true;
    h_srv_find(h, "10.0.0.12", 26379)->says_down = true;
}

/* The seed's case: 3 sentinels, master .1 dies at the returned time. */
static int64_t
fail_master(struct harness *h, int da)
{
    int64_t t0;

    h_setup(h, da);
    h_meet_peers(h);
    peers_agree(h);
    h_run(h, 500);
    h_log_clear(h);
    t0 = h->now;
    h_kill(h, h_srv_find(h, "10.0.0.1", 6379), H_DEAD);
    h_run(h, da + 2000);
    return t0;
}

/* Each of these events, in this order. */
static void
assert_sequence(const struct harness *h, const char *const *evs)
{
    int at = 0, i;

    for (i = 0; evs[i] != NULL; i++) {
        int j = h_find_from(h, at, SN_ACT_EVENT, evs[i]);

        if (j < 0)
            h_dump(h);
        ck_assert_msg(j >= 0, "missing or out of order: %s", evs[i]);
        at = j + 1;
    }
}

START_TEST(test_failover_seed_case_events)
{
    static const char *const evs[] = {
        "+sdown master mymaster 10.0.0.1 6379",
        "+odown master mymaster 10.0.0.1 6379 #quorum 3/2",
        "+new-epoch 1",
        "+try-failover master mymaster 10.0.0.1 6379",
        "+vote-for-leader " H_MYID " 1",
        "+elected-leader master mymaster 10.0.0.1 6379",
        "+failover-state-select-slave master mymaster 10.0.0.1 6379",
        "+selected-slave slave 10.0.0.2:6379 10.0.0.2 6379 @ mymaster "
            "10.0.0.1 6379",
        "+failover-state-send-slaveof-noone slave 10.0.0.2:6379 10.0.0.2 "
            "6379 @ mymaster 10.0.0.1 6379",
        "+failover-state-wait-promotion slave 10.0.0.2:6379 10.0.0.2 6379 "
            "@ mymaster 10.0.0.1 6379",
        "+promoted-slave slave 10.0.0.2:6379 10.0.0.2 6379 @ mymaster "
            "10.0.0.1 6379",
        "+failover-state-reconf-slaves master mymaster 10.0.0.1 6379",
        "+switch-master mymaster 10.0.0.1 6379 10.0.0.2 6379",
        "+slave slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster 10.0.0.2 6379",
        "+slave slave 10.0.0.1:6379 10.0.0.1 6379 @ mymaster 10.0.0.2 6379",
        "+slave-reconf-sent slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster "
            "10.0.0.2 6379",
        "+slave-reconf-inprog slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster "
            "10.0.0.2 6379",
        "+slave-reconf-done slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster "
            "10.0.0.2 6379",
        "+failover-end master mymaster 10.0.0.2 6379",
        NULL,
    };
    struct harness h;
    struct sn_master *m;

    fail_master(&h, 1000);
    assert_sequence(&h, evs);
    m = h_master(&h);
    ck_assert_int_eq(m->failover_state, SN_FO_NONE);
    ck_assert(!(m->inst.flags & SN_F_FAILOVER_IN_PROGRESS));
    ck_assert_str_eq(m->inst.host, "10.0.0.2");
    ck_assert_uint_eq(m->cfg->config_epoch, 1);
    ck_assert_int_eq(h_srv_find(&h, "10.0.0.2", 6379)->info.role,
                     SN_ROLE_MASTER);
    ck_assert_str_eq(h_srv_find(&h, "10.0.0.3", 6379)->info.master_host,
                     "10.0.0.2");
    h_free(&h);
}
END_TEST

START_TEST(test_failover_slaveof_transaction)
{
    static const char *const cmds[] = {
        "10.0.0.2:6379 MULTI", "10.0.0.2:6379 SLAVEOF NO ONE",
        "10.0.0.2:6379 CONFIG REWRITE",
        "10.0.0.2:6379 CLIENT KILL TYPE normal",
        "10.0.0.2:6379 CLIENT KILL TYPE pubsub", "10.0.0.2:6379 EXEC",
        "10.0.0.2:6379 INFO",
        "10.0.0.3:6379 MULTI", "10.0.0.3:6379 SLAVEOF 10.0.0.2 6379",
        "10.0.0.3:6379 CONFIG REWRITE",
        "10.0.0.3:6379 CLIENT KILL TYPE normal",
        "10.0.0.3:6379 CLIENT KILL TYPE pubsub", "10.0.0.3:6379 EXEC",
        NULL,
    };
    struct harness h;
    int at, i, j;

    fail_master(&h, 1000);
    at = h_find(&h, SN_ACT_SEND, "10.0.0.2:6379 MULTI");
    ck_assert_int_ge(at, 0);
    for (i = 0; cmds[i] != NULL; i++) {
        /* Consecutive on their link. */
        j = h_find_from(&h, at, SN_ACT_SEND, cmds[i]);
        ck_assert_msg(j >= 0, "missing %s", cmds[i]);
        ck_assert_str_eq(h.log[j].text, cmds[i]);
        at = j + 1;
    }
    h_free(&h);
}
END_TEST

START_TEST(test_failover_rename_command_in_transaction)
{
    struct harness h;
    struct sn_config cfg;

    memset(&h, 0, sizeof(h));
    h_world(&h);
    h_cfg_init(&cfg, 1000);
    h_cfg_set(&cfg, "rename-command", "SLAVEOF", "MYSLAVEOF", NULL);
    h_cfg_set(&cfg, "rename-command", "CONFIG", "MYCONFIG", NULL);
    h_start(&h, &cfg);
    h_meet_peers(&h);
    peers_agree(&h);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 3000);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND,
                            "10.0.0.2:6379 MYSLAVEOF NO ONE"), 0);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND,
                            "10.0.0.2:6379 MYCONFIG REWRITE"), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_SEND, "10.0.0.2:6379 SLAVEOF"), 0);
    sn_config_free(&cfg);
    h_free(&h);
}
END_TEST

START_TEST(test_failover_fast_enough)
{
    struct harness h;
    int64_t t0, sw;

    t0 = fail_master(&h, 1000);
    sw = h.log[h_find(&h, SN_ACT_EVENT, "+switch-master")].at;
    /* Issue 3 item 7: down-after + 300 ms (here with no network delay). */
    ck_assert_int_le(sw - t0, 1000 + 300);
    h_free(&h);
}
END_TEST

START_TEST(test_failover_leader_switches_at_promotion)
{
    struct harness h;
    struct sn_master *m;
    const char *host;
    int port, p, sw, hello, save;

    fail_master(&h, 1000);
    p = h_find(&h, SN_ACT_EVENT, "+promoted-slave");
    sw = h_find(&h, SN_ACT_EVENT, "+switch-master");
    /* Before any replica is reconfigured. */
    ck_assert_int_gt(sw, p);
    ck_assert_int_lt(sw, h_find(&h, SN_ACT_EVENT, "+slave-reconf-sent"));
    /* The new config is saved, then pushed to every peer at once. */
    save = h_find_from(&h, sw, SN_ACT_SAVE, "");
    hello = h_find(&h, SN_ACT_SEND, "10.0.0.11:26379 PUBLISH "
                   "__sentinel__:hello 10.0.0.100,26379," H_MYID
                   ",1,mymaster,10.0.0.2,6379,1");
    ck_assert_int_gt(save, sw);
    ck_assert_int_gt(hello, save);
    ck_assert_int_eq(h.log[hello].at, h.log[sw].at);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND, "10.0.0.12:26379 PUBLISH "
                            "__sentinel__:hello 10.0.0.100,26379," H_MYID
                            ",1,mymaster,10.0.0.2,6379,1"), 0);
    ck_assert_ptr_nonnull(strstr(h.log[save].text, "10.0.0.2"));
    m = h_master(&h);
    sn_core_master_addr(m, &host, &port);
    ck_assert_str_eq(host, "10.0.0.2");
    ck_assert_int_eq(port, 6379);
    h_free(&h);
}
END_TEST

START_TEST(test_failover_leader_reconfig_script)
{
    struct harness h;
    struct sn_config cfg;

    memset(&h, 0, sizeof(h));
    h_world(&h);
    h_cfg_init(&cfg, 1000);
    h_cfg_set(&cfg, "client-reconfig-script", "/bin/reconf", NULL, NULL);
    h_start(&h, &cfg);
    h_meet_peers(&h);
    peers_agree(&h);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 3000);
    ck_assert_int_ge(h_find(&h, SN_ACT_SCRIPT, "/bin/reconf mymaster leader "
                            "start 10.0.0.1 6379 10.0.0.2 6379"), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_SCRIPT, ""), 1);
    sn_config_free(&cfg);
    h_free(&h);
}
END_TEST

START_TEST(test_failover_no_good_slave_aborts)
{
    struct harness h;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    peers_agree(&h);
    h_srv_find(&h, "10.0.0.2", 6379)->info.slave_priority = 0;
    h_srv_find(&h, "10.0.0.3", 6379)->info.slave_priority = 0;
    h_run(&h, 11000);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 3000);
    ck_assert_int_ge(h_event(&h, "-failover-abort-no-good-slave master "
                                 "mymaster 10.0.0.1 6379"), 0);
    ck_assert_int_eq(h_master(&h)->failover_state, SN_FO_NONE);
    ck_assert_int_eq(h_count(&h, SN_ACT_SEND, "10.0.0.2:6379 SLAVEOF"), 0);
    h_free(&h);
}
END_TEST

/* Quorum 1 and no peers: SELECT_SLAVE comes right after SDOWN, when the
 * replicas' last INFO is 9 s old (rule 5 wants 5 s) and the INFO sent at
 * SDOWN is not answered yet (here: the replicas stall for a second). The
 * selection waits for a fresh INFO, and does not abort (Redis would, and
 * try again after twice failover-timeout). */
START_TEST(test_failover_select_waits_for_fresh_info)
{
    struct harness h;
    struct h_srv *r1, *r2;
    int64_t t0;
    int i;

    h_setup(&h, 2000);
    h_master(&h)->cfg->quorum = 1;
    r1 = h_srv_find(&h, "10.0.0.2", 6379);
    r2 = h_srv_find(&h, "10.0.0.3", 6379);
    h_run(&h, 7000);
    h_log_clear(&h);
    t0 = h.now;
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 1500);
    r1->state = r2->state = H_HUNG;
    h_run(&h, 1000);
    r1->state = r2->state = H_ALIVE;
    h_run(&h, 2000);
    ck_assert_int_ge(h_event(&h, "+failover-state-select-slave master "
                                 "mymaster 10.0.0.1 6379"), 0);
    ck_assert_int_lt(h_event(&h, "-failover-abort-no-good-slave master "
                                 "mymaster 10.0.0.1 6379"), 0);
    i = h_event(&h, "+switch-master mymaster 10.0.0.1 6379 10.0.0.2 6379");
    ck_assert_int_ge(i, 0);
    ck_assert_int_le(h.log[i].at - t0, 3000);
    h_free(&h);
}
END_TEST

START_TEST(test_failover_wait_promotion_timeout)
{
    struct harness h;
    struct sn_instance *r1;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    peers_agree(&h);
    h_srv_find(&h, "10.0.0.2", 6379)->ignore_slaveof = true;
    r1 = sn_inst_replica_find(h_master(&h), "10.0.0.2", 6379);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 3000);
    ck_assert_int_eq(h_master(&h)->failover_state, SN_FO_WAIT_PROMOTION);
    ck_assert(r1->flags & SN_F_PROMOTED);
    h_run(&h, 60000);
    ck_assert_int_ge(h_event(&h, "-failover-abort-slave-timeout master "
                                 "mymaster 10.0.0.1 6379"), 0);
    ck_assert(!(r1->flags & SN_F_PROMOTED));
    ck_assert_int_eq(h_master(&h)->failover_state, SN_FO_NONE);
    h_free(&h);
}
END_TEST

START_TEST(test_failover_parallel_syncs_and_reconf_timeout)
{
    struct harness h;
    struct sn_config cfg;
    struct h_srv *m;
    int sent4, timeout3;

    memset(&h, 0, sizeof(h));
    h_world(&h);
    m = h_srv_find(&h, "10.0.0.1", 6379);
    h_srv_list_replica(m, "10.0.0.4", 6379);
    h_srv_replica_of(h_srv_add(&h, "10.0.0.4", 6379),
                     "4444444444444444444444444444444444444444", "10.0.0.1",
                     6379, 100, 800);
    h_srv_find(&h, "10.0.0.3", 6379)->ignore_slaveof = true;
    h_cfg_init(&cfg, 1000);
    h_start(&h, &cfg);
    h_meet_peers(&h);
    peers_agree(&h);
    h_kill(&h, m, H_DEAD);
    h_run(&h, 15000);
    timeout3 = h_event(&h, "-slave-reconf-sent-timeout slave 10.0.0.3:6379 "
                           "10.0.0.3 6379 @ mymaster 10.0.0.2 6379");
    sent4 = h_find(&h, SN_ACT_EVENT, "+slave-reconf-sent slave 10.0.0.4");
    ck_assert_int_ge(timeout3, 0);
    /* parallel-syncs 1: .4 waits for .3 to finish or time out (10 s). */
    ck_assert_int_gt(sent4, timeout3);
    ck_assert_int_ge(h.log[sent4].at - h.log[h_find(&h, SN_ACT_EVENT,
                     "+slave-reconf-sent slave 10.0.0.3")].at, 10000);
    ck_assert_int_ge(h_find(&h, SN_ACT_EVENT, "+failover-end master"), 0);
    sn_config_free(&cfg);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * SENTINEL FAILOVER
 * ------------------------------------------------------------------- */

START_TEST(test_forced_failover_without_election)
{
    static const char *const evs[] = {
        "+new-epoch 1",
        "+try-failover master mymaster 10.0.0.1 6379",
        "+elected-leader master mymaster 10.0.0.1 6379",
        "+promoted-slave slave 10.0.0.2:6379",
        "+switch-master mymaster 10.0.0.1 6379 10.0.0.2 6379",
        NULL,
    };
    struct harness h;
    char err[128];

    h_setup(&h, 30000);
    h_meet_peers(&h);
    h_log_clear(&h);
    ck_assert_int_eq(sn_core_failover(h.core, h_master(&h), h.now, err,
                                      sizeof(err)), 0);
    ck_assert(h_master(&h)->inst.flags & SN_F_FORCE_FAILOVER);
    h_pump(&h);
    h_run(&h, 100);
    assert_sequence(&h, evs);
    /* No ODOWN to agree on, but the epoch is confirmed by votes. */
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND, "10.0.0.11:26379 SENTINEL "
                            "is-master-down-by-addr 10.0.0.1 6379 1 "
                            H_MYID), 0);
    /* The old master, alive, is converted once the peers agree. */
    h_meet_peers_cfg(&h, 1, "10.0.0.2");
    h_run(&h, 300);
    ck_assert_int_ge(h_event(&h, "+convert-to-slave slave 10.0.0.1:6379 "
                                 "10.0.0.1 6379 @ mymaster 10.0.0.2 6379"),
                     0);
    ck_assert_str_eq(h_srv_find(&h, "10.0.0.1", 6379)->info.master_host,
                     "10.0.0.2");
    h_free(&h);
}
END_TEST

START_TEST(test_forced_failover_claims_only_a_confirmed_epoch)
{
    struct harness h;
    char err[128];

    /* Cut off from both peers: the replica is promoted (as Redis), but
     * the epoch may be one the others used, so no config is claimed. */
    h_setup(&h, 30000);
    h_meet_peers(&h);
    h_kill(&h, h_srv_find(&h, "10.0.0.11", 26379), H_DEAD);
    h_kill(&h, h_srv_find(&h, "10.0.0.12", 26379), H_DEAD);
    h_log_clear(&h);
    ck_assert_int_eq(sn_core_failover(h.core, h_master(&h), h.now, err,
                                      sizeof(err)), 0);
    h_pump(&h);
    h_run(&h, 1000);
    ck_assert_int_eq(h_srv_find(&h, "10.0.0.2", 6379)->info.role,
                     SN_ROLE_MASTER);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+promoted-slave"), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+switch-master"), 0);
    ck_assert_uint_eq(h_master(&h)->cfg->config_epoch, 0);
    ck_assert(h_master(&h)->claim_pending);
    /* A peer comes back and votes: the claim goes through. */
    h_srv_find(&h, "10.0.0.11", 26379)->state = H_ALIVE;
    h_run(&h, 1500);
    ck_assert_int_ge(h_event(&h, "+switch-master mymaster 10.0.0.1 6379 "
                                 "10.0.0.2 6379"), 0);
    ck_assert_uint_eq(h_master(&h)->cfg->config_epoch, 1);
    h_free(&h);
}
END_TEST

START_TEST(test_forced_failover_unconfirmed_aborts)
{
    struct harness h;
    char err[128];

    h_setup(&h, 30000);
    h_meet_peers(&h);
    h_kill(&h, h_srv_find(&h, "10.0.0.11", 26379), H_DEAD);
    h_kill(&h, h_srv_find(&h, "10.0.0.12", 26379), H_DEAD);
    ck_assert_int_eq(sn_core_failover(h.core, h_master(&h), h.now, err,
                                      sizeof(err)), 0);
    h_pump(&h);
    h_run(&h, 61000);
    ck_assert_int_ge(h_event(&h, "-failover-abort-not-elected master "
                                 "mymaster 10.0.0.1 6379"), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+switch-master"), 0);
    ck_assert_int_eq(h_master(&h)->failover_state, SN_FO_NONE);
    h_free(&h);
}
END_TEST

START_TEST(test_forced_failover_errors)
{
    struct harness h;
    struct sn_master *m;
    char err[128];

    h_setup(&h, 30000);
    m = h_master(&h);
    m->replicas[0]->slave_priority = 0;
    m->replicas[1]->slave_priority = 0;
    ck_assert_int_eq(sn_core_failover(h.core, m, h.now, err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "-NOGOODSLAVE No suitable replica to promote");
    m->replicas[0]->slave_priority = 100;
    h_srv_find(&h, "10.0.0.2", 6379)->ignore_slaveof = true;
    ck_assert_int_eq(sn_core_failover(h.core, m, h.now, err, sizeof(err)),
                     0);
    h_pump(&h);
    ck_assert_int_eq(sn_core_failover(h.core, m, h.now, err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "-INPROG Failover already in progress");
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * Observers
 * ------------------------------------------------------------------- */

START_TEST(test_observer_switches_on_newer_config)
{
    struct harness h;
    struct sn_config cfg;
    int from, sw, save;

    memset(&h, 0, sizeof(h));
    h_world(&h);
    h_cfg_init(&cfg, 30000);
    h_cfg_set(&cfg, "client-reconfig-script", "/bin/reconf", NULL, NULL);
    h_start(&h, &cfg);
    h_meet_peers(&h);
    h_log_clear(&h);
    h_hello(&h, "10.0.0.11", 26379, H_PEER_A, 4, "10.0.0.2", 6379, 4);
    from = h_event(&h, "+config-update-from sentinel " H_PEER_A " 10.0.0.11 "
                       "26379 @ mymaster 10.0.0.1 6379");
    sw = h_event(&h, "+switch-master mymaster 10.0.0.1 6379 10.0.0.2 6379");
    ck_assert_int_ge(from, 0);
    ck_assert_int_gt(sw, from);
    ck_assert_int_ge(h_find(&h, SN_ACT_SCRIPT, "/bin/reconf mymaster "
                            "observer start 10.0.0.1 6379 10.0.0.2 6379"), 0);
    save = h_find_from(&h, sw, SN_ACT_SAVE, "");
    ck_assert_int_gt(save, sw);
    ck_assert_uint_eq(h_master(&h)->cfg->config_epoch, 4);
    ck_assert_uint_eq(sn_core_current_epoch(h.core), 4);
    ck_assert_str_eq(sn_core_config(h.core)->masters[0].host, "10.0.0.2");
    /* An older or equal config changes nothing. */
    h_log_clear(&h);
    h_hello(&h, "10.0.0.12", 26379, H_PEER_B, 4, "10.0.0.1", 6379, 3);
    h_hello(&h, "10.0.0.12", 26379, H_PEER_B, 4, "10.0.0.1", 6379, 4);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+switch-master"), 0);
    sn_config_free(&cfg);
    h_free(&h);
}
END_TEST

START_TEST(test_observer_same_address_only_epoch)
{
    struct harness h;

    h_setup(&h, 30000);
    h_meet_peers(&h);
    h_log_clear(&h);
    h_hello(&h, "10.0.0.11", 26379, H_PEER_A, 2, "10.0.0.1", 6379, 2);
    ck_assert_uint_eq(h_master(&h)->cfg->config_epoch, 2);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+switch-master"), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+config-update-from"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_observer_aborts_own_attempt)
{
    struct harness h;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    h_srv_find(&h, "10.0.0.11", 26379)->says_down = true;
    h_srv_find(&h, "10.0.0.11", 26379)->votes = false;
    h_srv_find(&h, "10.0.0.12", 26379)->votes = false;
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 2000);
    ck_assert_int_eq(h_master(&h)->failover_state, SN_FO_WAIT_START);
    h_hello(&h, "10.0.0.11", 26379, H_PEER_A, 2, "10.0.0.3", 6379, 2);
    ck_assert_int_eq(h_master(&h)->failover_state, SN_FO_NONE);
    ck_assert(!(h_master(&h)->inst.flags & SN_F_FAILOVER_IN_PROGRESS));
    ck_assert_str_eq(h_master(&h)->inst.host, "10.0.0.3");
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * Convert and fix
 * ------------------------------------------------------------------- */

START_TEST(test_convert_returning_old_master_within_a_second)
{
    struct harness h;
    struct h_srv *old;
    struct sn_instance *r;
    int64_t back, seen;
    int i;

    fail_master(&h, 1000);
    old = h_srv_find(&h, "10.0.0.1", 6379);
    r = sn_inst_replica_find(h_master(&h), "10.0.0.1", 6379);
    h_run(&h, 5000);
    back = h.now;
    old->state = H_ALIVE;
    /* Its links come back within a second (one attempt a second) and its
     * INFO shows the master role at once. */
    while (r->role_reported != SN_ROLE_MASTER && h.now < back + 1000)
        h_run(&h, 10);
    seen = r->role_reported_ms;
    ck_assert_int_le(seen - back, 1000);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+convert-to-slave"), 0);
    /* The peers' next hellos agree with our config. */
    h_run(&h, 1);
    h_meet_peers_cfg(&h, 1, "10.0.0.2");
    h_run(&h, 300);
    i = h_event(&h, "+convert-to-slave slave 10.0.0.1:6379 10.0.0.1 6379 @ "
                    "mymaster 10.0.0.2 6379");
    ck_assert_int_ge(i, 0);
    /* At the next INFO (250 ms) after the agreement. */
    ck_assert_int_le(h.log[i].at - seen, 260);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND,
                            "10.0.0.1:6379 SLAVEOF 10.0.0.2 6379"), 0);
    ck_assert_int_eq(old->info.role, SN_ROLE_SLAVE);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+convert-to-slave"), 1);
    h_free(&h);
}
END_TEST

START_TEST(test_convert_waits_without_agreement)
{
    struct harness h;
    struct h_srv *old;
    struct sn_instance *r;
    int64_t since;
    int i;

    fail_master(&h, 1000);
    /* The peers last spoke before the old master came back: that is no
     * agreement (a later failover may have promoted it since). */
    h_meet_peers_cfg(&h, 1, "10.0.0.2");
    old = h_srv_find(&h, "10.0.0.1", 6379);
    h_run(&h, 100);
    old->state = H_ALIVE;
    h_run(&h, 1500);
    r = sn_inst_replica_find(h_master(&h), "10.0.0.1", 6379);
    ck_assert_int_eq(r->role_reported, SN_ROLE_MASTER);
    since = r->role_reported_ms;
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+convert-to-slave"), 0);
    h_run(&h, 8000);
    i = h_find(&h, SN_ACT_EVENT, "+convert-to-slave");
    ck_assert_int_ge(i, 0);
    ck_assert_int_gt(h.log[i].at - since, 8000);
    h_free(&h);
}
END_TEST

START_TEST(test_convert_not_against_newer_config)
{
    struct harness h;
    struct h_srv *old;

    fail_master(&h, 1000);
    old = h_srv_find(&h, "10.0.0.1", 6379);
    h_run(&h, 100);
    old->state = H_ALIVE;
    h_run(&h, 1500);
    /* A peer says the old master was promoted again, in epoch 2. */
    h_hello(&h, "10.0.0.11", 26379, H_PEER_A, 2, "10.0.0.1", 6379, 2);
    h_run(&h, 10000);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+convert-to-slave slave "
                             "10.0.0.1:6379"), 0);
    ck_assert_str_eq(h_master(&h)->inst.host, "10.0.0.1");
    ck_assert_int_eq(old->info.role, SN_ROLE_MASTER);
    h_free(&h);
}
END_TEST

START_TEST(test_convert_observer_with_agreement)
{
    struct harness h;
    struct sn_instance *old;
    int i;

    h_setup(&h, 30000);
    h_meet_peers(&h);
    /* .2 was promoted by a peer; the old master never went away. */
    h_srv_master(h_srv_find(&h, "10.0.0.2", 6379), H_RUNID_R1);
    h_log_clear(&h);
    h_hello(&h, "10.0.0.11", 26379, H_PEER_A, 1, "10.0.0.2", 6379, 1);
    old = sn_inst_replica_find(h_master(&h), "10.0.0.1", 6379);
    ck_assert(old != NULL && old->demoted);
    h_run(&h, 100);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+convert-to-slave"), 0);
    h_run(&h, 1);
    h_hello(&h, "10.0.0.11", 26379, H_PEER_A, 1, "10.0.0.2", 6379, 1);
    h_run(&h, 300);
    i = h_event(&h, "+convert-to-slave slave 10.0.0.1:6379 10.0.0.1 6379 @ "
                    "mymaster 10.0.0.2 6379");
    ck_assert_int_ge(i, 0);
    h_run(&h, 1000);
    ck_assert(!old->demoted);
    h_free(&h);
}
END_TEST

START_TEST(test_convert_other_replica_waits)
{
    struct harness h;
    struct sn_instance *r;
    int64_t since;
    int i;

    h_setup(&h, 30000);
    h_meet_peers(&h);
    h_srv_master(h_srv_find(&h, "10.0.0.3", 6379), H_RUNID_R2);
    h_run(&h, 10100);
    r = sn_inst_replica_find(h_master(&h), "10.0.0.3", 6379);
    since = r->role_reported_ms;
    ck_assert_int_eq(r->role_reported, SN_ROLE_MASTER);
    h_run(&h, 10000);
    i = h_event(&h, "+convert-to-slave slave 10.0.0.3:6379 10.0.0.3 6379 @ "
                    "mymaster 10.0.0.1 6379");
    ck_assert_int_ge(i, 0);
    /* 4 x publish-period, as Redis, then at the next INFO (250 ms). */
    ck_assert_int_gt(h.log[i].at - since, 8000);
    ck_assert_int_le(h.log[i].at - since, 8000 + 260);
    h_free(&h);
}
END_TEST

START_TEST(test_convert_alone_at_once)
{
    struct harness h;

    /* A lone sentinel is its own majority. */
    h_setup(&h, 30000);
    h_srv_master(h_srv_find(&h, "10.0.0.3", 6379), H_RUNID_R2);
    h_run(&h, 10300);
    ck_assert_int_ge(h_event(&h, "+convert-to-slave slave 10.0.0.3:6379 "
                                 "10.0.0.3 6379 @ mymaster 10.0.0.1 6379"),
                     0);
    h_free(&h);
}
END_TEST

START_TEST(test_convert_not_in_tilt)
{
    struct harness h;

    h_setup(&h, 30000);
    h_srv_master(h_srv_find(&h, "10.0.0.3", 6379), H_RUNID_R2);
    h.now += 3000;
    sn_core_tick(h.core, h.now);
    h_pump(&h);
    ck_assert(sn_core_tilt(h.core));
    h_run(&h, 20000);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+convert-to-slave"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_fix_slave_config_after_failover_timeout)
{
    struct harness h;
    struct sn_instance *r;
    int64_t since;
    int i;

    h_setup(&h, 30000);
    h_srv_find(&h, "10.0.0.3", 6379)->info.master_port = 6390;
    h_run(&h, 10100);
    r = sn_inst_replica_find(h_master(&h), "10.0.0.3", 6379);
    since = r->slave_conf_change_ms;
    ck_assert_int_eq(r->slave_master_port, 6390);
    /* Checked at each INFO (every 10 s for this replica). */
    h_run(&h, 71000);
    i = h_event(&h, "+fix-slave-config slave 10.0.0.3:6379 10.0.0.3 6379 @ "
                    "mymaster 10.0.0.1 6379");
    ck_assert_int_ge(i, 0);
    ck_assert_int_gt(h.log[i].at - since, 60000);
    ck_assert_int_eq(h_srv_find(&h, "10.0.0.3", 6379)->info.master_port,
                     6379);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * SIMULATE-FAILURE
 * ------------------------------------------------------------------- */

START_TEST(test_crash_after_election)
{
    struct harness h;
    int won, ex;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    peers_agree(&h);
    sn_core_simulate_failure(h.core, SN_SIMFAIL_CRASH_AFTER_ELECTION);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 3000);
    won = h_find(&h, SN_ACT_EVENT, "+elected-leader");
    ex = h_find(&h, SN_ACT_EXIT, "");
    ck_assert_int_ge(won, 0);
    ck_assert_int_eq(ex, won + 1);
    ck_assert_int_eq(ex, h.nlog - 1);
    h_free(&h);
}
END_TEST

START_TEST(test_crash_after_promotion)
{
    struct harness h;
    int p, ex, save;

    h_setup(&h, 1000);
    h_meet_peers(&h);
    peers_agree(&h);
    sn_core_simulate_failure(h.core, SN_SIMFAIL_CRASH_AFTER_PROMOTION);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_run(&h, 3000);
    p = h_find(&h, SN_ACT_EVENT, "+promoted-slave");
    ex = h_find(&h, SN_ACT_EXIT, "");
    save = h_find_from(&h, p, SN_ACT_SAVE, "");
    ck_assert_int_ge(p, 0);
    ck_assert_int_gt(save, p);
    ck_assert_int_eq(ex, save + 1);
    ck_assert_int_eq(ex, h.nlog - 1);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+switch-master"), 0);
    h_free(&h);
}
END_TEST

static Suite *
failover_suite(void)
{
    Suite *s = suite_create("failover");
    TCase *tc = tcase_create("failover");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_select_rule1_down_excluded);
    tcase_add_test(tc, test_select_rule2_disconnected_excluded);
    tcase_add_test(tc, test_select_rule3_stale_ping_reply_excluded);
    tcase_add_test(tc, test_select_rule4_priority_zero_excluded);
    tcase_add_test(tc, test_select_rule5_stale_info_excluded);
    tcase_add_test(tc, test_select_rule6_master_link_down_too_long_excluded);
    tcase_add_test(tc, test_select_claims_master_not_excluded);
    tcase_add_test(tc, test_select_rule7_priority);
    tcase_add_test(tc, test_select_rule8_offset);
    tcase_add_test(tc, test_select_rule9_runid);
    tcase_add_test(tc, test_select_rule10_name);
    tcase_add_test(tc, test_failover_seed_case_events);
    tcase_add_test(tc, test_failover_slaveof_transaction);
    tcase_add_test(tc, test_failover_rename_command_in_transaction);
    tcase_add_test(tc, test_failover_fast_enough);
    tcase_add_test(tc, test_failover_leader_switches_at_promotion);
    tcase_add_test(tc, test_failover_leader_reconfig_script);
    tcase_add_test(tc, test_failover_no_good_slave_aborts);
    tcase_add_test(tc, test_failover_select_waits_for_fresh_info);
    tcase_add_test(tc, test_failover_wait_promotion_timeout);
    tcase_add_test(tc, test_failover_parallel_syncs_and_reconf_timeout);
    tcase_add_test(tc, test_forced_failover_without_election);
    tcase_add_test(tc, test_forced_failover_claims_only_a_confirmed_epoch);
    tcase_add_test(tc, test_forced_failover_unconfirmed_aborts);
    tcase_add_test(tc, test_forced_failover_errors);
    tcase_add_test(tc, test_observer_switches_on_newer_config);
    tcase_add_test(tc, test_observer_same_address_only_epoch);
    tcase_add_test(tc, test_observer_aborts_own_attempt);
    tcase_add_test(tc, test_convert_returning_old_master_within_a_second);
    tcase_add_test(tc, test_convert_waits_without_agreement);
    tcase_add_test(tc, test_convert_not_against_newer_config);
    tcase_add_test(tc, test_convert_observer_with_agreement);
    tcase_add_test(tc, test_convert_other_replica_waits);
    tcase_add_test(tc, test_convert_alone_at_once);
    tcase_add_test(tc, test_convert_not_in_tilt);
    tcase_add_test(tc, test_fix_slave_config_after_failover_timeout);
    tcase_add_test(tc, test_crash_after_election);
    tcase_add_test(tc, test_crash_after_promotion);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(failover_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
