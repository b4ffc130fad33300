/*
 * test_command.c: SENTINEL, ROLE and PUBLISH replies, byte for byte
 * (INFO: test_command_info.c).
 *
 * The golden files under golden/command/ are replies captured from Debian's
 * redis-sentinel 7.0.15 (RESP3 ones converted from the RESP2 capture where
 * the state changed between the two); each test builds a core whose state
 * holds the same values and checks that our reply has the same bytes.
 * Differences from 7.0 that we chose are in the goldens by hand: the HELP
 * lines of CONFIG (7.2's, as CONFIG takes several parameters) and
 * `loglevel` in CONFIG GET (7.2+).
 */
#include "command_harness.h"
/* ---------------------------------------------------------------------
 * Instance maps (1.a.1)
 * ------------------------------------------------------------------- */

START_TEST(test_master_map_golden)
{
    struct sn_core *core = seed_core();

    expect_golden(core, 2, "master.resp2", "SENTINEL", "MASTER", "mymaster",
                  NULL);
    expect_golden(core, 3, "master.resp3", "SENTINEL", "MASTER", "mymaster",
                  NULL);
    expect_golden(core, 2, "master.resp2", "sentinel", "primary", "mymaster",
                  NULL);
    sn_core_free(core);
}
END_TEST

START_TEST(test_masters_array_of_maps)
{
    struct sn_core *core = seed_core();
    size_t len;
    char *one = golden("master.resp2", &len);
    char *want = sn_printf("*1\r\n%s", one);
    char *r = run(core, 2, "SENTINEL", "MASTERS", NULL);

    assert_bytes(r, strlen(r), want, strlen(want), "MASTERS");
    free(r);
    r = run(core, 2, "SENTINEL", "PRIMARIES", NULL);
    assert_bytes(r, strlen(r), want, strlen(want), "PRIMARIES");
    free(r);
    free(want);
    free(one);
    one = golden("master.resp3", &len);
    want = sn_printf("*1\r\n%s", one);
    r = run(core, 3, "SENTINEL", "MASTERS", NULL);
    assert_bytes(r, strlen(r), want, strlen(want), "MASTERS resp3");
    free(r);
    free(want);
    free(one);
    sn_core_free(core);
}
END_TEST

START_TEST(test_replicas_map_golden)
{
    struct sn_core *core = seed_core();

    expect_golden(core, 2, "replicas.resp2", "SENTINEL", "REPLICAS",
                  "mymaster", NULL);
    expect_golden(core, 2, "replicas.resp2", "SENTINEL", "SLAVES",
                  "mymaster", NULL);
    expect_golden(core, 3, "replicas.resp3", "SENTINEL", "replicas",
                  "mymaster", NULL);
    sn_core_free(core);
}
END_TEST

START_TEST(test_replicas_skip_unannounced)
{
    struct sn_core *core = seed_core();

    master(core, "mymaster")->replicas[0]->replica_announced = false;
    expect(core, 2, "*0\r\n", "SENTINEL", "REPLICAS", "mymaster", NULL);
    sn_core_free(core);
}
END_TEST

START_TEST(test_sentinels_map_golden)
{
    struct sn_core *core = seed_core();

    expect_golden(core, 2, "sentinels.resp2", "SENTINEL", "SENTINELS",
                  "mymaster", NULL);
    expect_golden(core, 3, "sentinels.resp3", "SENTINEL", "SENTINELS",
                  "mymaster", NULL);
    sn_core_free(core);
}
END_TEST

/* s-down-time and o-down-time appear, after last-ping-reply. */
START_TEST(test_master_map_down_golden)
{
    struct sn_core *core = core_from("[dead]\n"
                                     "monitor = 127.0.0.1 1 1\n"
                                     "down-after-milliseconds = 1000\n");
    struct sn_master *m = master(core, "dead");

    m->inst.flags = SN_F_S_DOWN | SN_F_O_DOWN | SN_F_DISCONNECTED;
    m->inst.cc->pending = 3;
    m->inst.cc->act_ping_ms = NOW - 242875;
    m->inst.cc->last_avail_ms = NOW - 242875;
    m->inst.cc->last_pong_ms = NOW - 242875;
    m->inst.s_down_since_ms = NOW - 241868;
    m->inst.o_down_since_ms = NOW - 241868;
    m->inst.info_refresh_ms = 0;
    m->inst.role_reported_ms = NOW - 242875;
    expect_golden(core, 2, "master_down.resp2", "SENTINEL", "MASTER",
                  "dead", NULL);
    expect_golden(core, 3, "master_down.resp3", "SENTINEL", "MASTER",
                  "dead", NULL);
    sn_core_free(core);
}
END_TEST

/* The script fields come last, only when set. */
START_TEST(test_master_map_scripts_golden)
{
    struct sn_core *core =
        core_from("[m3]\n"
                  "monitor = 127.0.0.1 17000 3\n"
                  "down-after-milliseconds = 1000\n"
                  "parallel-syncs = 2\n"
                  "client-reconfig-script = /tmp/h8/notify.sh\n"
                  "known-replica = 127.0.0.1 16999\n");
    struct sn_master *m = master(core, "m3");

    inst_up(&m->inst, RUNID_M, 912);
    m->inst.info_refresh_ms = NOW - 3562;
    m->inst.role_reported_ms = NOW - 227015;
    expect_golden(core, 2, "master_m3.resp2", "SENTINEL", "MASTER", "m3",
                  NULL);
    expect_golden(core, 3, "master_m3.resp3", "SENTINEL", "MASTER", "m3",
                  NULL);
    sn_core_free(core);
}
END_TEST

/* The flags in Redis's order, and failover-state after link-refcount
 * while a failover is in progress. */
START_TEST(test_master_map_flags_order_failover_state)
{
    struct sn_core *core = seed_core();
    struct sn_master *m = master(core, "mymaster");
    char *r;

    m->inst.flags = 0xfff;
    m->failover_state = SN_FO_WAIT_PROMOTION;
    r = run(core, 2, "SENTINEL", "MASTER", "mymaster", NULL);
    ck_assert_ptr_nonnull(strstr(
        r, "$5\r\nflags\r\n$159\r\ns_down,o_down,master,disconnected,"
           "master_down,failover_in_progress,promoted,reconf_sent,"
           "reconf_inprog,reconf_done,force_failover,script_kill_sent,"
           "master_reboot\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n"
           "$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nfailover-state\r\n"
           "$14\r\nwait_promotion\r\n$14\r\nlast-ping-sent\r\n"));
    ck_assert_int_eq(strncmp(r, "*46\r\n", 5), 0);
    free(r);
    /* The state alone does not show the field: the flag does. */
    m->inst.flags = 0;
    r = run(core, 2, "SENTINEL", "MASTER", "mymaster", NULL);
    ck_assert_ptr_null(strstr(r, "failover-state"));
    ck_assert_int_eq(strncmp(r, "*40\r\n", 5), 0);
    free(r);
    sn_core_free(core);
}
END_TEST

START_TEST(test_replica_map_unknown_master)
{
    struct sn_core *core = seed_core();
    struct sn_instance *ri = master(core, "mymaster")->replicas[0];
    char *r;

    sn_set_str(&ri->slave_master_host, "");
    ri->slave_master_link_up = false;
    ri->master_link_down_ms = 4000;
    ri->replica_announced = true;
    r = run(core, 2, "SENTINEL", "REPLICAS", "mymaster", NULL);
    ck_assert_ptr_nonnull(strstr(
        r, "$21\r\nmaster-link-down-time\r\n$4\r\n4000\r\n"
           "$18\r\nmaster-link-status\r\n$3\r\nerr\r\n"
           "$11\r\nmaster-host\r\n$1\r\n?\r\n"));
    free(r);
    sn_core_free(core);
}
END_TEST

START_TEST(test_sentinel_map_voted_leader)
{
    struct sn_core *core = seed_core();
    struct sn_instance *si = master(core, "mymaster")->sentinels[0];
    char *r;

    snprintf(si->leader, sizeof(si->leader), "%s", RUNID_T);
    si->leader_epoch = 7;
    r = run(core, 2, "SENTINEL", "SENTINELS", "mymaster", NULL);
    ck_assert_ptr_nonnull(strstr(r, "$12\r\nvoted-leader\r\n$40\r\n" RUNID_T
                                    "\r\n$18\r\nvoted-leader-epoch\r\n"
                                    "$1\r\n7\r\n"));
    free(r);
    sn_core_free(core);
}
END_TEST

/* ---------------------------------------------------------------------
 * Addresses, votes, quorum
 * ------------------------------------------------------------------- */

START_TEST(test_get_master_addr)
{
    struct sn_core *core = seed_core();
    struct sn_master *m = master(core, "mymaster");

    expect(core, 2, "*2\r\n$9\r\n127.0.0.1\r\n$5\r\n17000\r\n", "SENTINEL",
           "GET-MASTER-ADDR-BY-NAME", "mymaster", NULL);
    expect(core, 3, "*2\r\n$9\r\n127.0.0.1\r\n$5\r\n17000\r\n", "SENTINEL",
           "get-primary-addr-by-name", "mymaster", NULL);
    expect(core, 2, "*-1\r\n", "SENTINEL", "GET-MASTER-ADDR-BY-NAME",
           "nosuch", NULL);
    expect(core, 3, "_\r\n", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch",
           NULL);
    /* The promoted replica, once the failover reconfigures replicas. */
    m->failover_state = SN_FO_RECONF_SLAVES;
    m->promoted = m->replicas[0];
    expect(core, 2, "*2\r\n$9\r\n127.0.0.1\r\n$5\r\n16999\r\n", "SENTINEL",
           "GET-MASTER-ADDR-BY-NAME", "mymaster", NULL);
    m->failover_state = SN_FO_NONE;
    m->promoted = NULL;
    sn_core_free(core);
}
END_TEST

START_TEST(test_is_master_down_by_addr)
{
    struct sn_core *core = seed_core();
    struct sn_master *m = master(core, "mymaster");

    expect(core, 2, "*3\r\n:0\r\n$1\r\n*\r\n:0\r\n", "SENTINEL",
           "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "17000", "0", "*", NULL);
    expect(core, 2, "*3\r\n:0\r\n$1\r\n*\r\n:0\r\n", "SENTINEL",
           "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "1", "0", "*", NULL);
    m->inst.flags |= SN_F_S_DOWN;
    m->inst.s_down_since_ms = NOW - 100;
    expect(core, 3, "*3\r\n:1\r\n$1\r\n*\r\n:0\r\n", "SENTINEL",
           "is-primary-down-by-addr", "127.0.0.1", "17000", "0", "*", NULL);
    /* A vote request: our vote comes back, saved before the reply. */
    expect(core, 2, "*3\r\n:1\r\n$40\r\n" RUNID_T "\r\n:5\r\n", "SENTINEL",
           "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "17000", "5", RUNID_T,
           NULL);
    ck_assert_int_ge(last_acts.saves, 1);
    /* First come, first served in an epoch. */
    expect(core, 2, "*3\r\n:1\r\n$40\r\n" RUNID_T "\r\n:5\r\n", "SENTINEL",
           "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "17000", "5", RUNID_U,
           NULL);
    expect(core, 2, "-ERR value is not an integer or out of range\r\n",
           "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "x", "0", "*",
           NULL);
    expect(core, 2, "-ERR value is not an integer or out of range\r\n",
           "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "17000", "+5",
           "*", NULL);
    sn_core_free(core);
}
END_TEST

START_TEST(test_ckquorum_texts)
{
    struct sn_core *core = seed_core();
    struct sn_master *m = master(core, "mymaster");

    expect(core, 2, "+OK 2 usable Sentinels. Quorum and failover "
                    "authorization can be reached\r\n",
           "SENTINEL", "CKQUORUM", "mymaster", NULL);
    m->cfg->quorum = 5;
    expect(core, 2, "-NOQUORUM 2 usable Sentinels. Not enough available "
                    "Sentinels to reach the specified quorum for this "
                    "master\r\n",
           "SENTINEL", "CKQUORUM", "mymaster", NULL);
    m->cfg->quorum = 1;
    m->sentinels[0]->flags |= SN_F_S_DOWN;
    expect(core, 2, "-NOQUORUM 1 usable Sentinels. Not enough available "
                    "Sentinels to reach the majority and authorize a "
                    "failover\r\n",
           "SENTINEL", "CKQUORUM", "mymaster", NULL);
    m->cfg->quorum = 2;
    expect(core, 3, "-NOQUORUM 1 usable Sentinels. Not enough available "
                    "Sentinels to reach the specified quorum for this "
                    "master. Not enough available Sentinels to reach the "
                    "majority and authorize a failover\r\n",
           "SENTINEL", "CKQUORUM", "mymaster", NULL);
    expect(core, 2, "-ERR No such master with that name\r\n", "SENTINEL",
           "CKQUORUM", "nosuch", NULL);
    sn_core_free(core);
}
END_TEST

/* ---------------------------------------------------------------------
 * Acting: MONITOR, REMOVE, RESET, FAILOVER, FLUSHCONFIG
 * ------------------------------------------------------------------- */

/* The texts and the order Redis checks in. */
START_TEST(test_monitor_errors)
{
    struct sn_core *core = seed_core();
    static const char *cases[][5] = {
        {"m2", "127.0.0.1", "16999", "x", "-ERR Invalid quorum\r\n"},
        {"m2", "127.0.0.1", "x", "2", "-ERR Invalid port\r\n"},
        {"m2", "127.0.0.1", "x", "0", "-ERR Invalid port\r\n"},
        {"m2", "127.0.0.1", "16999", "0",
         "-ERR Quorum must be 1 or greater.\r\n"},
        {"m2", "127.0.0.1", "16999", "-1",
         "-ERR Quorum must be 1 or greater.\r\n"},
        {"m2", "localhost", "16999", "2",
         "-ERR Invalid IP address or hostname specified\r\n"},
        {"m2", "999.1.1.1", "16999", "2",
         "-ERR Invalid IP address or hostname specified\r\n"},
        {"m2", "127.0.0.1", "70000", "2", "-ERR Invalid port number.\r\n"},
        {"m2", "127.0.0.1", "-1", "2", "-ERR Invalid port number.\r\n"},
        {"mymaster", "127.0.0.1", "16999", "2",
         "-ERR Duplicate master name.\r\n"},
        {"mymaster", "::1", "16999", "2", "-ERR Duplicate master name.\r\n"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect(core, 2, cases[i][4], "SENTINEL", "MONITOR", cases[i][0],
               cases[i][1], cases[i][2], cases[i][3], NULL);
    expect(core, 2, "-ERR wrong number of arguments for 'sentinel|monitor' "
                    "command\r\n",
           "SENTINEL", "MONITOR", "m2", "127.0.0.1", "16999", NULL);
    ck_assert_int_eq(last_acts.saves, 0);
    sn_core_free(core);
}
END_TEST

START_TEST(test_monitor_ok_event_and_save)
{
    struct sn_core *core = seed_core();
    struct sn_master *m;

    expect(core, 2, "+OK\r\n", "SENTINEL", "MONITOR", "m2", "127.0.0.1",
           "16999", "2", NULL);
    ck_assert(has_event("+monitor", "master m2 127.0.0.1 16999 quorum 2"));
    ck_assert_int_ge(last_acts.saves, 1);
    m = master(core, "m2");
    ck_assert_int_eq(m->cfg->quorum, 2);
    /* Port 0 is accepted, as Redis does; IPv6 too. */
    expect(core, 2, "+OK\r\n", "SENTINEL", "MONITOR", "m3", "::1", "0", "1",
           NULL);
    expect(core, 2, "*2\r\n$8\r\nsentinel\r\n*3\r\n$2\r\nm2\r\n$2\r\nm3\r\n"
                    "$8\r\nmymaster\r\n",
           "ROLE", NULL);
    sn_core_free(core);
}
END_TEST

START_TEST(test_monitor_hostname_needs_resolve_hostnames)
{
    struct sn_core *core = core_from("[sentinel]\n"
                                     "resolve-hostnames = yes\n");

    expect(core, 2, "+OK\r\n", "SENTINEL", "MONITOR", "h", "redis-1.local",
           "6379", "2", NULL);
    expect(core, 2, "-ERR Invalid IP address or hostname specified\r\n",
           "SENTINEL", "MONITOR", "h2", "bad\r\nhost", "6379", "2", NULL);
    sn_core_free(core);
}
END_TEST

START_TEST(test_remove)
{
    struct sn_core *core = seed_core();

    expect(core, 2, "+OK\r\n", "SENTINEL", "REMOVE", "mymaster", NULL);
    ck_assert(has_event("-monitor", "master mymaster 127.0.0.1 17000"));
    ck_assert_int_ge(last_acts.saves, 1);
    expect(core, 2, "-ERR No such master with that name\r\n", "SENTINEL",
           "REMOVE", "mymaster", NULL);
    expect(core, 2, "*2\r\n$8\r\nsentinel\r\n*0\r\n", "ROLE", NULL);
    sn_core_free(core);
}
END_TEST

START_TEST(test_reset)
{
    struct sn_core *core = seed_core();

    expect(core, 2, ":0\r\n", "SENTINEL", "RESET", "nomatch", NULL);
    expect(core, 2, ":1\r\n", "SENTINEL", "RESET", "my*", NULL);
    ck_assert(has_event("+reset-master", "master mymaster 127.0.0.1 17000"));
    ck_assert_int_eq(master(core, "mymaster")->replicas_len, 0);
    ck_assert_int_eq(master(core, "mymaster")->sentinels_len, 0);
    sn_core_free(core);
}
END_TEST

START_TEST(test_failover_errors)
{
    struct sn_core *core = core_from("[dead]\n"
                                     "monitor = 127.0.0.1 1 1\n");
    struct sn_master *m = master(core, "dead");

    expect(core, 2, "-NOGOODSLAVE No suitable replica to promote\r\n",
           "SENTINEL", "FAILOVER", "dead", NULL);
    m->inst.flags |= SN_F_FAILOVER_IN_PROGRESS;
    expect(core, 3, "-INPROG Failover already in progress\r\n", "SENTINEL",
           "FAILOVER", "dead", NULL);
    expect(core, 2, "-ERR No such master with that name\r\n", "SENTINEL",
           "FAILOVER", "nosuch", NULL);
    sn_core_free(core);
}
END_TEST

START_TEST(test_flushconfig_saves)
{
    struct sn_core *core = seed_core();

    expect(core, 2, "+OK\r\n", "SENTINEL", "FLUSHCONFIG", NULL);
    ck_assert_int_eq(last_acts.saves, 1);
    expect(core, 2, "$40\r\n" MYID "\r\n", "SENTINEL", "MYID", NULL);
    sn_core_free(core);
}
END_TEST

/* ---------------------------------------------------------------------
 * SENTINEL SET
 * ------------------------------------------------------------------- */

START_TEST(test_set_options_and_events)
{
    struct sn_core *core = seed_core();
    struct sn_master *m = master(core, "mymaster");

    expect(core, 2, "+OK\r\n", "SENTINEL", "SET", "mymaster",
           "down-after-milliseconds", "1000", "QUORUM", "3",
           "parallel-syncs", "2", "failover-timeout", "9000",
           "master-reboot-down-after-period", "0", NULL);
    ck_assert_int_eq(m->cfg->down_after_ms, 1000);
    ck_assert_int_eq(m->replicas[0]->down_after_ms, 1000);
    ck_assert_int_eq(m->cfg->quorum, 3);
    ck_assert_int_eq(m->cfg->parallel_syncs, 2);
    ck_assert_int_eq(m->cfg->failover_timeout_ms, 9000);
    ck_assert(has_event("+set", "master mymaster 127.0.0.1 17000 "
                                "down-after-milliseconds 1000"));
    ck_assert(has_event("+set", "master mymaster 127.0.0.1 17000 QUORUM 3"));
    ck_assert_int_ge(last_acts.saves, 1);

    expect(core, 2, "+OK\r\n", "SENTINEL", "SET", "mymaster", "auth-pass",
           "s3cret", "auth-user", "bob", NULL);
    ck_assert_str_eq(m->cfg->auth_pass, "s3cret");
    ck_assert_str_eq(m->cfg->auth_user, "bob");
    ck_assert(has_event("+set", "master mymaster 127.0.0.1 17000 auth-pass "
                                "******"));
    ck_assert(has_event("+set", "master mymaster 127.0.0.1 17000 auth-user "
                                "bob"));
    expect(core, 2, "+OK\r\n", "SENTINEL", "SET", "mymaster", "auth-pass",
           "", NULL);
    ck_assert_ptr_null(m->cfg->auth_pass);

    expect(core, 2, "+OK\r\n", "SENTINEL", "SET", "mymaster",
           "rename-command", "CONFIG", "XCONFIG", NULL);
    ck_assert(has_event("+set", "master mymaster 127.0.0.1 17000 "
                                "rename-command CONFIG XCONFIG"));
    ck_assert_int_eq(m->cfg->renames_len, 1);
    expect(core, 2, "+OK\r\n", "SENTINEL", "SET", "mymaster",
           "rename-command", "config", "YCONFIG", NULL);
    ck_assert_int_eq(m->cfg->renames_len, 1);
    ck_assert_str_eq(m->cfg->renames[0].to, "YCONFIG");
    expect(core, 2, "+OK\r\n", "SENTINEL", "SET", "mymaster",
           "rename-command", "config", "Config", NULL);
    ck_assert_int_eq(m->cfg->renames_len, 0);
    sn_core_free(core);
}
END_TEST

START_TEST(test_set_errors)
{
    struct sn_core *core = seed_core();
    static const char *bad[][3] = {
        {"down-after-milliseconds", "0", NULL},
        {"down-after-milliseconds", "abc", NULL},
        {"down-after-milliseconds", "-5", NULL},
        {"down-after-milliseconds", "1.5", NULL},
        {"down-after-milliseconds", "+5", NULL},
        {"down-after-milliseconds", "99999999999999999999", NULL},
        {"failover-timeout", "0", NULL},
        {"parallel-syncs", "0", NULL},
        {"parallel-syncs", "5x", NULL},
        {"quorum", "0", NULL},
        {"master-reboot-down-after-period", "-1", NULL},
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *want = sn_printf("-ERR Invalid argument '%s' for SENTINEL SET "
                               "'%s'\r\n", bad[i][1], bad[i][0]);

        expect(core, 2, want, "SENTINEL", "SET", "mymaster", bad[i][0],
               bad[i][1], NULL);
        free(want);
    }
    expect(core, 2, "-ERR Unknown option or number of arguments for "
                    "SENTINEL SET 'foo'\r\n",
           "SENTINEL", "SET", "mymaster", "foo", "bar", NULL);
    expect(core, 2, "-ERR Unknown option or number of arguments for "
                    "SENTINEL SET 'parallel-syncs'\r\n",
           "SENTINEL", "SET", "mymaster", "quorum", "2", "parallel-syncs",
           NULL);
    expect(core, 2, "-ERR Unknown option or number of arguments for "
                    "SENTINEL SET 'rename-command'\r\n",
           "SENTINEL", "SET", "mymaster", "rename-command", "CONFIG", NULL);
    expect(core, 2, "-ERR Invalid argument '' for SENTINEL SET "
                    "'rename-command'\r\n",
           "SENTINEL", "SET", "mymaster", "rename-command", "", "X", NULL);
    expect(core, 2, "-ERR wrong number of arguments for 'sentinel|set' "
                    "command\r\n",
           "SENTINEL", "SET", "mymaster", "quorum", NULL);
    expect(core, 2, "-ERR No such master with that name\r\n", "SENTINEL",
           "SET", "nosuch", "quorum", "2", NULL);
    /* CR, LF and other control characters never reach the config file;
     * the error shows them as spaces, as Redis's error replies do. */
    expect(core, 2, "-ERR Invalid argument 'a  notification-script x' for "
                    "SENTINEL SET 'auth-pass'\r\n",
           "SENTINEL", "SET", "mymaster", "auth-pass",
           "a\r\nnotification-script x", NULL);
    ck_assert_ptr_null(master(core, "mymaster")->cfg->auth_pass);
    expect(core, 2, "-ERR Invalid argument 'bo\tb' for SENTINEL SET "
                    "'auth-user'\r\n",
           "SENTINEL", "SET", "mymaster", "auth-user", "bo\tb", NULL);
    sn_core_free(core);
}
END_TEST

/* Not atomic: what came before the bad pair stays applied and saved. */
START_TEST(test_set_not_atomic)
{
    struct sn_core *core = seed_core();

    expect(core, 2, "-ERR Invalid argument '0' for SENTINEL SET "
                    "'failover-timeout'\r\n",
           "SENTINEL", "SET", "mymaster", "quorum", "3", "failover-timeout",
           "0", NULL);
    ck_assert_int_eq(master(core, "mymaster")->cfg->quorum, 3);
    ck_assert(has_event("+set", "master mymaster 127.0.0.1 17000 quorum 3"));
    ck_assert_int_ge(last_acts.saves, 1);
    sn_core_free(core);
}
END_TEST

START_TEST(test_set_scripts)
{
    struct sn_core *core = seed_core();
    char *r;

    expect(core, 2, "-ERR Reconfiguration of scripts path is denied for "
                    "security reasons. Check the deny-scripts-reconfig "
                    "configuration directive in your Sentinel "
                    "configuration\r\n",
           "SENTINEL", "SET", "mymaster", "notification-script", "/bin/true",
           NULL);
    sn_core_free(core);

    core = core_from("[sentinel]\n"
                     "deny-scripts-reconfig = no\n"
                     "[mymaster]\n"
                     "monitor = 127.0.0.1 17000 2\n");
    test_executable = false;
    expect(core, 2, "-ERR Notification script seems non existing or non "
                    "executable\r\n",
           "SENTINEL", "SET", "mymaster", "notification-script", "/nope",
           NULL);
    expect(core, 2, "-ERR Client reconfiguration script seems non existing "
                    "or non executable\r\n",
           "SENTINEL", "SET", "mymaster", "client-reconfig-script", "/nope",
           NULL);
    test_executable = true;
    expect(core, 2, "+OK\r\n", "SENTINEL", "SET", "mymaster",
           "notification-script", "/bin/true", "client-reconfig-script",
           "/bin/false", NULL);
    r = run(core, 2, "SENTINEL", "MASTER", "mymaster", NULL);
    ck_assert_ptr_nonnull(strstr(r, "$19\r\nnotification-script\r\n$9\r\n"
                                    "/bin/true\r\n$22\r\n"
                                    "client-reconfig-script\r\n$10\r\n"
                                    "/bin/false\r\n"));
    free(r);
    /* "" clears, without asking whether "" is executable. */
    test_executable = false;
    expect(core, 2, "+OK\r\n", "SENTINEL", "SET", "mymaster",
           "notification-script", "", NULL);
    ck_assert(has_event("+set", "master mymaster 127.0.0.1 17000 "
                                "notification-script "));
    ck_assert_ptr_null(master(core, "mymaster")->cfg->notification_script);
    sn_core_free(core);
}
END_TEST

/* ---------------------------------------------------------------------
 * SENTINEL CONFIG, DEBUG, SIMULATE-FAILURE
 * ------------------------------------------------------------------- */

START_TEST(test_config_get_golden)
{
    struct sn_core *core = seed_core();

    expect_golden(core, 2, "config_get.resp2", "SENTINEL", "CONFIG", "GET",
                  "*", NULL);
    expect_golden(core, 3, "config_get.resp3", "SENTINEL", "CONFIG", "get",
                  "*", NULL);
    expect(core, 2, "*2\r\n$17\r\nresolve-hostnames\r\n$2\r\nno\r\n",
           "SENTINEL", "CONFIG", "GET", "resolve-hostnames", NULL);
    expect(core, 2, "*0\r\n", "SENTINEL", "CONFIG", "GET", "nomatch", NULL);
    expect(core, 3, "%0\r\n", "SENTINEL", "CONFIG", "GET", "nomatch", NULL);
    /* Several patterns: each parameter once, in the order found. */
    expect(core, 2, "*6\r\n$8\r\nloglevel\r\n$6\r\nnotice\r\n"
                    "$11\r\nannounce-ip\r\n$0\r\n\r\n"
                    "$13\r\nannounce-port\r\n$1\r\n0\r\n",
           "SENTINEL", "CONFIG", "GET", "LOGLEVEL", "announce-[ip]*",
           "announce-ip", NULL);
    sn_core_free(core);
}
END_TEST

START_TEST(test_config_set)
{
    struct sn_core *core = seed_core();
    const struct sn_config *cfg = sn_core_config(core);

    expect(core, 2, "+OK\r\n", "SENTINEL", "CONFIG", "SET",
           "resolve-hostnames", "YES", "announce-port", "26390",
           "announce-ip", "10.0.0.9", "sentinel-user", "u", "sentinel-pass",
           "p", "loglevel", "warning", "announce-hostnames", "no", NULL);
    ck_assert_int_ge(last_acts.saves, 1);
    ck_assert(cfg->resolve_hostnames);
    ck_assert_int_eq(cfg->announce_port, 26390);
    ck_assert_str_eq(cfg->announce_ip, "10.0.0.9");
    ck_assert_int_eq(cfg->loglevel, SN_LOG_WARNING);
    expect(core, 2, "*4\r\n$13\r\nsentinel-user\r\n$1\r\nu\r\n"
                    "$13\r\nsentinel-pass\r\n$1\r\np\r\n",
           "SENTINEL", "CONFIG", "GET", "sentinel-*", NULL);
    expect(core, 2, "+OK\r\n", "SENTINEL", "CONFIG", "SET", "announce-ip",
           "", NULL);
    ck_assert_ptr_null(cfg->announce_ip);
    sn_core_free(core);
}
END_TEST

/* Every pair is checked before any is applied. */
START_TEST(test_config_set_errors)
{
    struct sn_core *core = seed_core();
    const struct sn_config *cfg = sn_core_config(core);

    expect(core, 2, "-ERR Invalid value '70000' to SENTINEL CONFIG SET "
                    "'announce-port'\r\n",
           "SENTINEL", "CONFIG", "SET", "announce-port", "70000", NULL);
    expect(core, 2, "-ERR Invalid value 'x' to SENTINEL CONFIG SET "
                    "'announce-port'\r\n",
           "SENTINEL", "CONFIG", "SET", "announce-port", "x", NULL);
    expect(core, 2, "-ERR Invalid value 'maybe' to SENTINEL CONFIG SET "
                    "'resolve-hostnames'\r\n",
           "SENTINEL", "CONFIG", "SET", "resolve-hostnames", "maybe", NULL);
    expect(core, 2, "-ERR Invalid value 'loud' to SENTINEL CONFIG SET "
                    "'loglevel'\r\n",
           "SENTINEL", "CONFIG", "SET", "loglevel", "loud", NULL);
    expect(core, 2, "-ERR Invalid argument 'foo' to SENTINEL CONFIG SET\r\n",
           "SENTINEL", "CONFIG", "SET", "foo", "bar", NULL);
    expect(core, 2, "-ERR Invalid argument 'deny-scripts-reconfig' to "
                    "SENTINEL CONFIG SET\r\n",
           "SENTINEL", "CONFIG", "SET", "deny-scripts-reconfig", "no", NULL);
    expect(core, 2, "-ERR Duplicate argument 'announce-port' to SENTINEL "
                    "CONFIG SET\r\n",
           "SENTINEL", "CONFIG", "SET", "announce-port", "1",
           "announce-port", "2", NULL);
    expect(core, 2, "-ERR Missing argument 'announce-ip' value\r\n",
           "SENTINEL", "CONFIG", "SET", "announce-port", "1", "announce-ip",
           NULL);
    ck_assert_int_eq(cfg->announce_port, 0);
    expect(core, 2, "-ERR Invalid value '10.0.0.1  sentinel monitor x' to "
                    "SENTINEL CONFIG SET 'announce-ip'\r\n",
           "SENTINEL", "CONFIG", "SET", "announce-ip",
           "10.0.0.1\r\nsentinel monitor x", NULL);
    ck_assert_ptr_null(cfg->announce_ip);
    expect(core, 2, "-ERR Only SENTINEL CONFIG GET <param> [<param> "
                    "<param> ...] / SET <param> <value> [<param> <value> "
                    "...] are supported.\r\n",
           "SENTINEL", "CONFIG", "SET", "announce-port", NULL);
    expect(core, 2, "-ERR Only SENTINEL CONFIG GET <param> [<param> "
                    "<param> ...] / SET <param> <value> [<param> <value> "
                    "...] are supported.\r\n",
           "SENTINEL", "CONFIG", "FOO", "bar", NULL);
    expect(core, 2, "-ERR wrong number of arguments for 'sentinel|config' "
                    "command\r\n",
           "SENTINEL", "CONFIG", "GET", NULL);
    ck_assert_int_eq(last_acts.saves, 0);
    sn_core_free(core);
}
END_TEST

START_TEST(test_debug_golden_and_set)
{
    struct sn_core *core = seed_core();
    struct sn_timers *t = sn_core_timers(core);

    expect_golden(core, 2, "debug.resp2", "SENTINEL", "DEBUG", NULL);
    expect_golden(core, 3, "debug.resp3", "SENTINEL", "DEBUG", NULL);
    expect(core, 2, "+OK\r\n", "SENTINEL", "DEBUG", "info-period", "500",
           "PING-PERIOD", "200", "script-retry-delay", "7", NULL);
    ck_assert_int_eq(t->info_period_ms, 500);
    ck_assert_int_eq(t->ping_period_ms, 200);
    ck_assert_int_eq(t->script_retry_delay_ms, 7);
    expect(core, 2, "-ERR Unknown option or number of arguments for "
                    "SENTINEL DEBUG 'foo'\r\n",
           "SENTINEL", "DEBUG", "foo", "1", NULL);
    expect(core, 2, "-ERR Invalid argument '0' for SENTINEL DEBUG "
                    "'info-period'\r\n",
           "SENTINEL", "DEBUG", "info-period", "0", NULL);
    expect(core, 2, "-ERR Invalid argument 'x' for SENTINEL DEBUG "
                    "'info-period'\r\n",
           "SENTINEL", "DEBUG", "info-period", "x", NULL);
    expect(core, 2, "-ERR Unknown option or number of arguments for "
                    "SENTINEL DEBUG 'info-period'\r\n",
           "SENTINEL", "DEBUG", "info-period", NULL);
    expect(core, 2, "-ERR Invalid argument '0' for SENTINEL DEBUG "
                    "'ask-period'\r\n",
           "SENTINEL", "DEBUG", "ping-period", "1000", "ask-period", "0",
           NULL);
    ck_assert_int_eq(t->ping_period_ms, 1000);
    sn_core_free(core);
}
END_TEST

START_TEST(test_simulate_failure)
{
    struct sn_core *core = seed_core();

    expect(core, 2, "+OK\r\n", "SENTINEL", "SIMULATE-FAILURE",
           "crash-after-election", "CRASH-AFTER-PROMOTION", NULL);
    ck_assert_uint_eq(sn_core_simulate_failure_flags(core),
                      SN_SIMFAIL_CRASH_AFTER_ELECTION |
                          SN_SIMFAIL_CRASH_AFTER_PROMOTION);
    expect(core, 2, "-ERR Unknown failure simulation specified\r\n",
           "SENTINEL", "SIMULATE-FAILURE", "crash-after-election", "foo",
           NULL);
    ck_assert_uint_eq(sn_core_simulate_failure_flags(core),
                      SN_SIMFAIL_CRASH_AFTER_ELECTION);
    expect(core, 3, "*2\r\n$20\r\ncrash-after-election\r\n$21\r\n"
                    "crash-after-promotion\r\n",
           "SENTINEL", "SIMULATE-FAILURE", "help", "crash-after-election",
           NULL);
    ck_assert_uint_eq(sn_core_simulate_failure_flags(core), 0);
    expect(core, 2, "-ERR wrong number of arguments for "
                    "'sentinel|simulate-failure' command\r\n",
           "SENTINEL", "SIMULATE-FAILURE", NULL);
    sn_core_free(core);
}
END_TEST

/* ---------------------------------------------------------------------
 * INFO-CACHE, PENDING-SCRIPTS, HELP
 * ------------------------------------------------------------------- */

START_TEST(test_info_cache)
{
    struct sn_core *core = seed_core();
    struct sn_master *m = master(core, "mymaster");

    sn_set_str(&m->inst.info, "# Server\r\nrun_id:x\r\n");
    m->inst.info_refresh_ms = NOW - 1234;
    m->replicas[0]->info_refresh_ms = 0;
    expect(core, 2, "*2\r\n$8\r\nmymaster\r\n*2\r\n"
                    "*2\r\n:1234\r\n$20\r\n# Server\r\nrun_id:x\r\n\r\n"
                    "*2\r\n:0\r\n$-1\r\n",
           "SENTINEL", "INFO-CACHE", "nosuch", "mymaster", "mymaster", NULL);
    expect(core, 3, "*2\r\n$8\r\nmymaster\r\n*2\r\n"
                    "*2\r\n:1234\r\n$20\r\n# Server\r\nrun_id:x\r\n\r\n"
                    "*2\r\n:0\r\n_\r\n",
           "SENTINEL", "INFO-CACHE", "mymaster", NULL);
    expect(core, 2, "*0\r\n", "SENTINEL", "INFO-CACHE", "nosuch", NULL);
    expect(core, 2, "-ERR wrong number of arguments for "
                    "'sentinel|info-cache' command\r\n",
           "SENTINEL", "INFO-CACHE", NULL);
    sn_core_free(core);
}
END_TEST

/* The values of the captured reply, given as the daemon would. */
START_TEST(test_pending_scripts_golden)
{
    struct sn_core *core = seed_core();
    static char *a1[] = {"/tmp/h8/notify.sh", "+monitor",
                         "master m3 127.0.0.1 17000 quorum 5"};
    static char *a2[] = {"/tmp/h8/notify.sh", "+set",
                         "master m3 127.0.0.1 17000 quorum 5"};
    struct sn_cmd_script s[2] = {
        {3, a1, false, 0, 28031, 1},
        {3, a2, true, 10671, 1304, 1},
    };

    expect(core, 2, "*0\r\n", "SENTINEL", "PENDING-SCRIPTS", NULL);
    test_proc.scripts = s;
    test_proc.scripts_len = 2;
    expect_golden(core, 2, "pending_scripts.resp2", "SENTINEL",
                  "PENDING-SCRIPTS", NULL);
    expect_golden(core, 3, "pending_scripts.resp3", "SENTINEL",
                  "PENDING-SCRIPTS", NULL);
    sn_core_free(core);
}
END_TEST

START_TEST(test_help_golden)
{
    struct sn_core *core = seed_core();

    expect_golden(core, 2, "help.resp", "SENTINEL", "HELP", NULL);
    expect_golden(core, 3, "help.resp", "sentinel", "help", NULL);
    expect(core, 2, "-ERR wrong number of arguments for 'sentinel|help' "
                    "command\r\n",
           "SENTINEL", "HELP", "x", NULL);
    sn_core_free(core);
}
END_TEST

/* ---------------------------------------------------------------------
 * Dispatch errors
 * ------------------------------------------------------------------- */

START_TEST(test_arity_errors)
{
    struct sn_core *core = seed_core();
    static const char *subs[][2] = {
        {"MASTERS", "masters"}, {"MASTER", "master"},
        {"SLAVES", "slaves"}, {"REPLICAS", "replicas"},
        {"SENTINELS", "sentinels"}, {"RESET", "reset"},
        {"FAILOVER", "failover"}, {"CKQUORUM", "ckquorum"},
        {"REMOVE", "remove"}, {"MYID", "myid"},
        {"FLUSHCONFIG", "flushconfig"}, {"PENDING-SCRIPTS", "pending-scripts"},
        {"GET-MASTER-ADDR-BY-NAME", "get-master-addr-by-name"},
        {"IS-MASTER-DOWN-BY-ADDR", "is-master-down-by-addr"},
        {"Primary", "primary"}, {"primaries", "primaries"},
    };
    size_t i;

    for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        char *want = sn_printf("-ERR wrong number of arguments for "
                               "'sentinel|%s' command\r\n", subs[i][1]);

        /* Three extra arguments is wrong for every one of them. */
        expect(core, 2, want, "SENTINEL", subs[i][0], "a", "b", "c", "d",
               "e", NULL);
        free(want);
    }
    expect(core, 2, "-ERR wrong number of arguments for 'sentinel' "
                    "command\r\n",
           "SENTINEL", NULL);
    sn_core_free(core);
}
END_TEST

START_TEST(test_unknown_subcommand_and_master)
{
    struct sn_core *core = seed_core();
    static const char *subs[] = {"MASTER", "REPLICAS", "SLAVES",
                                 "SENTINELS", "CKQUORUM", "FAILOVER",
                                 "REMOVE"};
    size_t i;

    expect(core, 2, "-ERR unknown subcommand 'FOO'. Try SENTINEL HELP.\r\n",
           "SENTINEL", "FOO", NULL);
    expect(core, 2, "-ERR unknown subcommand 'a b'. Try SENTINEL HELP.\r\n",
           "SENTINEL", "a\nb", "x", NULL);
    for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
        expect(core, 3, "-ERR No such master with that name\r\n",
               "SENTINEL", subs[i], "nosuch", NULL);
    sn_core_free(core);
}
END_TEST

/* A NUL inside an argument makes it another word. */
START_TEST(test_binary_arguments)
{
    struct sn_core *core = seed_core();
    char *argv[] = {"SENTINEL", "MASTER", "mymaster\0x"};
    size_t argvlen[] = {8, 6, 10};
    char *r = run_argv(core, 2, 3, argv, argvlen, NULL);

    ck_assert_str_eq(r, "-ERR No such master with that name\r\n");
    free(r);
    argv[1] = "MASTERS\0";
    argvlen[1] = 8;
    r = run_argv(core, 2, 2, argv, argvlen, NULL);
    ck_assert_str_eq(r, "-ERR unknown subcommand 'MASTERS'. Try SENTINEL "
                        "HELP.\r\n");
    free(r);
    sn_core_free(core);
}
END_TEST

START_TEST(test_not_ours)
{
    struct sn_core *core = seed_core();
    struct sn_cmd_ctx ctx = {2, NULL, NULL, NULL};
    char *argv[] = {"PING"};
    size_t argvlen[] = {4};
    struct sn_buf out;

    sn_buf_init(&out);
    ck_assert_int_eq(sn_command_exec(core, &ctx, 1, argv, argvlen, &out,
                                     NOW), 0);
    ck_assert_uint_eq(out.len, 0);
    sn_buf_free(&out);
    sn_core_free(core);
}
END_TEST

/* ---------------------------------------------------------------------
 * ROLE, PUBLISH
 * ------------------------------------------------------------------- */

START_TEST(test_role)
{
    struct sn_core *core = seed_core();

    expect(core, 2, "*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n",
           "ROLE", NULL);
    expect(core, 3, "*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n",
           "role", NULL);
    expect(core, 2, "-ERR wrong number of arguments for 'role' command\r\n",
           "ROLE", "x", NULL);
    sn_core_free(core);
}
END_TEST

START_TEST(test_publish_hello_only)
{
    struct sn_core *core = seed_core();
    struct sn_master *m = master(core, "mymaster");

    expect(core, 2, "-ERR Only HELLO messages are accepted by Sentinel "
                    "instances.\r\n",
           "PUBLISH", "foo", "bar", NULL);
    expect(core, 2, "-ERR Only HELLO messages are accepted by Sentinel "
                    "instances.\r\n",
           "PUBLISH", "__SENTINEL__:HELLO", "bar", NULL);
    expect(core, 2, ":1\r\n", "PUBLISH", "__sentinel__:hello", "garbage",
           NULL);
    ck_assert_int_eq(m->sentinels_len, 1);
    expect(core, 2, ":1\r\n", "PUBLISH", "__sentinel__:hello",
           "127.0.0.1,27001," RUNID_T ",0,mymaster,127.0.0.1,17000,1", NULL);
    ck_assert_int_eq(m->sentinels_len, 2);
    expect(core, 2, "-ERR wrong number of arguments for 'publish' "
                    "command\r\n",
           "PUBLISH", "__sentinel__:hello", NULL);
    sn_core_free(core);
}
END_TEST

/* ---------------------------------------------------------------------
 * Suite
 * ------------------------------------------------------------------- */

static Suite *
command_suite(void)
{
    Suite *s = suite_create("command");
    TCase *maps = tcase_create("maps");
    TCase *read = tcase_create("read");
    TCase *act = tcase_create("act");
    TCase *set = tcase_create("set");
    TCase *misc = tcase_create("misc");

    tcase_add_test(maps, test_master_map_golden);
    tcase_add_test(maps, test_masters_array_of_maps);
    tcase_add_test(maps, test_replicas_map_golden);
    tcase_add_test(maps, test_replicas_skip_unannounced);
    tcase_add_test(maps, test_sentinels_map_golden);
    tcase_add_test(maps, test_master_map_down_golden);
    tcase_add_test(maps, test_master_map_scripts_golden);
    tcase_add_test(maps, test_master_map_flags_order_failover_state);
    tcase_add_test(maps, test_replica_map_unknown_master);
    tcase_add_test(maps, test_sentinel_map_voted_leader);
    suite_add_tcase(s, maps);

    tcase_add_test(read, test_get_master_addr);
    tcase_add_test(read, test_is_master_down_by_addr);
    tcase_add_test(read, test_ckquorum_texts);
    tcase_add_test(read, test_info_cache);
    tcase_add_test(read, test_pending_scripts_golden);
    tcase_add_test(read, test_help_golden);
    suite_add_tcase(s, read);

    tcase_add_test(act, test_monitor_errors);
    tcase_add_test(act, test_monitor_ok_event_and_save);
    tcase_add_test(act, test_monitor_hostname_needs_resolve_hostnames);
    tcase_add_test(act, test_remove);
    tcase_add_test(act, test_reset);
    tcase_add_test(act, test_failover_errors);
    tcase_add_test(act, test_flushconfig_saves);
    suite_add_tcase(s, act);

    tcase_add_test(set, test_set_options_and_events);
    tcase_add_test(set, test_set_errors);
    tcase_add_test(set, test_set_not_atomic);
    tcase_add_test(set, test_set_scripts);
    tcase_add_test(set, test_config_get_golden);
    tcase_add_test(set, test_config_set);
    tcase_add_test(set, test_config_set_errors);
    tcase_add_test(set, test_debug_golden_and_set);
    tcase_add_test(set, test_simulate_failure);
    suite_add_tcase(s, set);

    tcase_add_test(misc, test_arity_errors);
    tcase_add_test(misc, test_unknown_subcommand_and_master);
    tcase_add_test(misc, test_binary_arguments);
    tcase_add_test(misc, test_not_ours);
    tcase_add_test(misc, test_role);
    tcase_add_test(misc, test_publish_hello_only);
    suite_add_tcase(s, misc);

    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(command_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    acts_clear(&last_acts);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
