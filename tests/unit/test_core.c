/*
 * test_core.c: the engine's face: actions, links and their handshake,
 * periodic PING/INFO/hello, pending bounds, reconnection, deadlines, and
 * the operations behind SENTINEL MONITOR/REMOVE/RESET/SET.
 */
#include "command.h"
#include "core_harness.h"

/* ---------------------------------------------------------------------
 * Creation
 * ------------------------------------------------------------------- */

START_TEST(test_new_draws_myid_and_saves_first)
{
    struct sn_config cfg;
    struct sn_core *core;
    struct sn_action a;
    char err[128], *text;
    size_t len;

    h_cfg_init(&cfg, 30000);
    cfg.myid[0] = '\0';
    core = sn_core_new(&cfg, 7, 1000, err, sizeof(err));
    ck_assert_ptr_nonnull(core);
    ck_assert(sn_is_runid(sn_core_myid(core)));
    ck_assert_int_eq(sn_core_next_action(core, &a), 1);
    ck_assert_int_eq(a.type, SN_ACT_SAVE);
    /* The caller renders what a SAVE writes. */
    ck_assert_ptr_null(a.text);
    ck_assert_uint_eq(a.text_len, 0);
    text = sn_config_rewrite(sn_core_config(core), &len);
    ck_assert_ptr_nonnull(strstr(text, sn_core_myid(core)));
    free(text);
    sn_action_free(&a);
    ck_assert_int_eq(sn_core_next_action(core, &a), 1);
    ck_assert_int_eq(a.type, SN_ACT_EVENT);
    ck_assert_str_eq(a.event, "+monitor");
    ck_assert_str_eq(a.payload, "master mymaster 10.0.0.1 6379 quorum 2");
    ck_assert_int_eq(a.level, SN_LOG_WARNING);
    sn_action_free(&a);
    sn_core_free(core);
    sn_config_free(&cfg);
}
END_TEST

START_TEST(test_new_same_seed_same_myid)
{
    struct sn_config cfg;
    struct sn_core *a, *b;
    char err[128];

    h_cfg_init(&cfg, 30000);
    cfg.myid[0] = '\0';
    a = sn_core_new(&cfg, 99, 1000, err, sizeof(err));
    b = sn_core_new(&cfg, 99, 1000, err, sizeof(err));
    ck_assert_str_eq(sn_core_myid(a), sn_core_myid(b));
    sn_core_free(a);
    sn_core_free(b);
    sn_config_free(&cfg);
}
END_TEST

START_TEST(test_new_keeps_given_myid)
{
    struct harness h;

    h_setup(&h, 30000);
    ck_assert_str_eq(sn_core_myid(h.core), H_MYID);
    ck_assert_int_eq(h.log[0].type, SN_ACT_EVENT);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * Links
 * ------------------------------------------------------------------- */

START_TEST(test_link_handshake_cmd)
{
    struct harness h;
    int c, s, p, i;

    h_setup(&h, 30000);
    c = h_find(&h, SN_ACT_CONNECT, "10.0.0.1:6379");
    ck_assert_int_ge(c, 0);
    ck_assert_int_ge(h_find(&h, SN_ACT_CONNECT, "10.0.0.1:6379/ps"), 0);
    s = h_find(&h, SN_ACT_SEND,
               "10.0.0.1:6379 CLIENT SETNAME sentinel-00000000-cmd");
    p = h_find(&h, SN_ACT_SEND, "10.0.0.1:6379 PING");
    i = h_find(&h, SN_ACT_SEND, "10.0.0.1:6379 INFO");
    ck_assert_int_gt(s, c);
    ck_assert_int_gt(p, s);
    ck_assert_int_gt(i, p);
    h_free(&h);
}
END_TEST

START_TEST(test_link_handshake_pubsub)
{
    struct harness h;
    int s, sub;

    h_setup(&h, 30000);
    s = h_find(&h, SN_ACT_SEND,
               "10.0.0.1:6379/ps CLIENT SETNAME sentinel-00000000-pubsub");
    sub = h_find(&h, SN_ACT_SEND,
                 "10.0.0.1:6379/ps SUBSCRIBE __sentinel__:hello");
    ck_assert_int_ge(s, 0);
    ck_assert_int_gt(sub, s);
    ck_assert_int_eq(h_count(&h, SN_ACT_SEND, "10.0.0.1:6379/ps PING"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_link_auth_first_master_and_replicas)
{
    struct harness h;
    struct sn_config cfg;
    int a, s;

    memset(&h, 0, sizeof(h));
    h_world(&h);
    h_cfg_init(&cfg, 30000);
    h_cfg_set(&cfg, "auth-pass", "s3cret", NULL, NULL);
    h_cfg_set(&cfg, "auth-user", "sentinel", NULL, NULL);
    h_start(&h, &cfg);
    a = h_find(&h, SN_ACT_SEND, "10.0.0.1:6379 AUTH sentinel s3cret");
    s = h_find(&h, SN_ACT_SEND, "10.0.0.1:6379 CLIENT SETNAME");
    ck_assert_int_ge(a, 0);
    ck_assert_int_gt(s, a);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND,
                            "10.0.0.2:6379 AUTH sentinel s3cret"), 0);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND,
                            "10.0.0.2:6379/ps AUTH sentinel s3cret"), 0);
    sn_config_free(&cfg);
    h_free(&h);
}
END_TEST

START_TEST(test_link_auth_peers_sentinel_pass_else_requirepass)
{
    struct harness h;
    struct sn_config cfg;
    char err[128];
    char *argv[1] = {(char *)"peerpw"};

    memset(&h, 0, sizeof(h));
    h_world(&h);
    h_cfg_init(&cfg, 30000);
    ck_assert_int_eq(sn_config_set_process(&cfg, "requirepass", 1, argv, err,
                                           sizeof(err)), 0);
    h_start(&h, &cfg);
    h_meet_peers(&h);
    h_run(&h, 10);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND, "10.0.0.11:26379 AUTH peerpw"),
                     0);
    /* The master gets no AUTH: requirepass is ours, not its. */
    ck_assert_int_eq(h_count(&h, SN_ACT_SEND, "10.0.0.1:6379 AUTH"), 0);
    sn_config_free(&cfg);
    h_free(&h);
}
END_TEST

START_TEST(test_link_rename_command_applied)
{
    struct harness h;
    struct sn_config cfg;

    memset(&h, 0, sizeof(h));
    h_world(&h);
    h_cfg_init(&cfg, 30000);
    h_cfg_set(&cfg, "rename-command", "PING", "XPING", NULL);
    h_cfg_set(&cfg, "rename-command", "CLIENT", "XCLIENT", NULL);
    h_start(&h, &cfg);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND, "10.0.0.1:6379 XPING"), 0);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND, "10.0.0.2:6379 XPING"), 0);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND,
                            "10.0.0.1:6379 XCLIENT SETNAME"), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_SEND, "10.0.0.1:6379 PING"), 0);
    sn_config_free(&cfg);
    h_free(&h);
}
END_TEST

START_TEST(test_link_reconnect_at_most_once_per_second)
{
    struct harness h;

    h_setup(&h, 30000);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    h_log_clear(&h);
    h_run(&h, 5000);
    /* 5 s: at most 5 or 6 attempts per link (cmd and pub/sub). */
    ck_assert_int_ge(h_count(&h, SN_ACT_CONNECT, "10.0.0.1:6379"), 8);
    ck_assert_int_le(h_count(&h, SN_ACT_CONNECT, "10.0.0.1:6379"), 12);
    h_free(&h);
}
END_TEST

START_TEST(test_link_pending_bounded)
{
    struct harness h;
    struct sn_master *m;

    h_setup(&h, 30000);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_HUNG);
    h_run(&h, 120000);
    m = h_master(&h);
    /* No PING, INFO or hello once 100 commands wait (the idle-link
     * recycling closes it in between, which empties it). */
    ck_assert_int_le(m->inst.cc->pending, SN_LINK_PENDING_MAX + 10);
    h_free(&h);
}
END_TEST

START_TEST(test_link_idle_recycled)
{
    struct harness h;

    h_setup(&h, 2000);
    h_run(&h, 20000);
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_HUNG);
    h_log_clear(&h);
    h_run(&h, 3000);
    /* Connected > 15 s, a PING pending and no reply for > down-after/2:
     * the command link is closed and opened again. */
    ck_assert_int_ge(h_count(&h, SN_ACT_DISCONNECT, ""), 1);
    ck_assert_int_ge(h_count(&h, SN_ACT_CONNECT, "10.0.0.1:6379"), 1);
    h_free(&h);
}
END_TEST

START_TEST(test_link_unknown_inputs_ignored)
{
    struct harness h;
    struct sn_input in;
    struct sn_reply *r = h_status("PONG");

    h_setup(&h, 30000);
    memset(&in, 0, sizeof(in));
    in.type = SN_IN_REPLY;
    in.link = 123456789;
    in.tag = 5;
    in.reply = r;
    sn_core_input(h.core, &in, h.now);
    in.link = h_master(&h)->inst.cc->id;
    in.tag = 999999;
    sn_core_input(h.core, &in, h.now);
    in.type = SN_IN_LINK_DOWN;
    in.link = 77;
    sn_core_input(h.core, &in, h.now);
    sn_reply_free(r);
    h_pump(&h);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * Periodic commands and deadlines
 * ------------------------------------------------------------------- */

START_TEST(test_ping_several_per_down_after)
{
    struct harness h;
    int n;

    h_setup(&h, 1000);
    h_log_clear(&h);
    h_run(&h, 1000);
    n = h_count(&h, SN_ACT_SEND, "10.0.0.1:6379 PING");
    /* Every down-after / 10 = 100 ms. */
    ck_assert_int_ge(n, 9);
    ck_assert_int_le(n, 11);
    h_free(&h);
}
END_TEST

/* Replicas and peers start no failover: Redis's period, min(ping-period,
 * down-after), is enough for them. Every other second the hello's answer
 * stands for the PING (a question a second in all). */
START_TEST(test_ping_replicas_at_redis_period)
{
    struct harness h;
    int n, pub;

    h_setup(&h, 1000);
    h_log_clear(&h);
    h_run(&h, 10000);
    n = h_count(&h, SN_ACT_SEND, "10.0.0.2:6379 PING");
    pub = h_count(&h, SN_ACT_SEND, "10.0.0.2:6379 PUBLISH");
    ck_assert_int_ge(n, 4);
    ck_assert_int_le(n, 6);
    ck_assert_int_ge(pub, 4);
    ck_assert_int_le(pub, 6);
    n = h_count(&h, SN_ACT_SEND, "10.0.0.1:6379 PING");
    ck_assert_int_ge(n, 90);
    h_free(&h);
}
END_TEST

/* PINGs to masters have a budget: 50 masters at down-after 200 are
 * PINGed every 50 ms, not every 20 ms (and 1,000 masters every second, as
 * Redis would). */
START_TEST(test_ping_master_budget)
{
    struct sn_config cfg;
    struct harness h;
    char err[256], name[32], port[16], *argv[3];
    int i, n;

    memset(&h, 0, sizeof(h));
    h_world(&h);
    h_cfg_init(&cfg, 200);
    for (i = 1; i < 50; i++) {
        snprintf(name, sizeof(name), "m%d", i);
        snprintf(port, sizeof(port), "%d", 10000 + i);
        argv[0] = (char *)"10.0.9.9";
        argv[1] = port;
        argv[2] = (char *)"1";
        ck_assert_int_eq(sn_config_set_master(&cfg, name, "monitor", 3, argv,
                                              err, sizeof(err)), 0);
        argv[0] = (char *)"200";
        ck_assert_int_eq(sn_config_set_master(&cfg, name,
                                              "down-after-milliseconds", 1,
                                              argv, err, sizeof(err)), 0);
    }
    h_start(&h, &cfg);
    sn_config_free(&cfg);
    h_log_clear(&h);
    h_run(&h, 2000);
    n = h_count(&h, SN_ACT_SEND, "10.0.0.1:6379 PING");
    ck_assert_int_ge(n, 36);
    ck_assert_int_le(n, 44);
    h_free(&h);
}
END_TEST

START_TEST(test_ping_default_every_second)
{
    struct harness h;
    int n;

    h_setup(&h, 30000);
    h_log_clear(&h);
    h_run(&h, 10000);
    /* A question a second: a PING, or every other second the hello. */
    n = h_count(&h, SN_ACT_SEND, "10.0.0.1:6379 PING");
    ck_assert_int_ge(n, 4);
    ck_assert_int_le(n, 6);
    n += h_count(&h, SN_ACT_SEND, "10.0.0.1:6379 PUBLISH");
    ck_assert_int_ge(n, 9);
    ck_assert_int_le(n, 11);
    h_free(&h);
}
END_TEST

START_TEST(test_info_every_ten_seconds)
{
    struct harness h;

    h_setup(&h, 30000);
    h_log_clear(&h);
    h_run(&h, 30000);
    ck_assert_int_eq(h_count(&h, SN_ACT_SEND, "10.0.0.1:6379 INFO"), 3);
    ck_assert_int_eq(h_count(&h, SN_ACT_SEND, "10.0.0.2:6379 INFO"), 3);
    h_free(&h);
}
END_TEST

START_TEST(test_hello_published_to_master_every_two_seconds)
{
    struct harness h;
    int i;

    h_setup(&h, 30000);
    h_log_clear(&h);
    h_run(&h, 10000);
    i = h_find(&h, SN_ACT_SEND, "10.0.0.1:6379 PUBLISH __sentinel__:hello");
    ck_assert_int_ge(i, 0);
    ck_assert_str_eq(h.log[i].text,
                     "10.0.0.1:6379 PUBLISH __sentinel__:hello "
                     "10.0.0.100,26379," H_MYID ",0,mymaster,10.0.0.1,"
                     "6379,0");
    ck_assert_int_ge(h_count(&h, SN_ACT_SEND,
                             "10.0.0.1:6379 PUBLISH __sentinel__:hello"), 4);
    ck_assert_int_le(h_count(&h, SN_ACT_SEND,
                             "10.0.0.1:6379 PUBLISH __sentinel__:hello"), 6);
    h_free(&h);
}
END_TEST

START_TEST(test_hello_uses_announce_ip_and_port)
{
    struct harness h;
    struct sn_config cfg;
    char err[128];
    char *a1[1] = {(char *)"192.0.2.7"}, *a2[1] = {(char *)"5000"};

    memset(&h, 0, sizeof(h));
    h_world(&h);
    h_cfg_init(&cfg, 30000);
    ck_assert_int_eq(sn_config_set_process(&cfg, "announce-ip", 1, a1, err,
                                           sizeof(err)), 0);
    ck_assert_int_eq(sn_config_set_process(&cfg, "announce-port", 1, a2, err,
                                           sizeof(err)), 0);
    h_start(&h, &cfg);
    h_run(&h, 100);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND,
                            "10.0.0.1:6379 PUBLISH __sentinel__:hello "
                            "192.0.2.7,5000,"), 0);
    sn_config_free(&cfg);
    h_free(&h);
}
END_TEST

START_TEST(test_deadline_is_a_real_timer)
{
    struct harness h;
    int64_t end;
    int ticks = 0;

    h_setup(&h, 30000);
    h_run(&h, 5000);
    /* No 100 ms tick: over 10 s of a healthy world, the core asks to run
     * about when a PING (1 s), an INFO or a hello is due, and at most a
     * second apart. */
    end = h.now + 10000;
    while (h.now < end) {
        int64_t d = sn_core_deadline_ms(h.core);

        ck_assert_int_gt(d, h.now);
        ck_assert_int_le(d, h.now + 1000);
        h.now = d;
        sn_core_tick(h.core, h.now);
        h_pump(&h);
        ticks++;
    }
    ck_assert_int_le(ticks, 40);
    h_free(&h);
}
END_TEST

START_TEST(test_input_asks_for_a_tick_now)
{
    struct harness h;
    struct sn_input in;

    h_setup(&h, 30000);
    h_run(&h, 100);
    memset(&in, 0, sizeof(in));
    in.type = SN_IN_LINK_DOWN;
    in.link = h_master(&h)->inst.cc->id;
    sn_core_input(h.core, &in, h.now);
    ck_assert_int_eq(sn_core_deadline_ms(h.core), h.now);
    h_pump(&h);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * Operations
 * ------------------------------------------------------------------- */

START_TEST(test_monitor_adds_and_saves)
{
    struct harness h;
    char err[128];
    int n, e;

    h_setup(&h, 30000);
    h_log_clear(&h);
    ck_assert_int_eq(sn_core_monitor(h.core, "other", "10.0.0.9", 7000, 3,
                                     h.now, err, sizeof(err)), 0);
    h_pump(&h);
    e = h_event(&h, "+monitor master other 10.0.0.9 7000 quorum 3");
    ck_assert_int_ge(e, 0);
    ck_assert_int_gt(h_find(&h, SN_ACT_SAVE, ""), e);
    sn_core_masters(h.core, &n);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(sn_core_masters(h.core, &n)[0]->inst.name, "mymaster");
    ck_assert_str_eq(sn_core_masters(h.core, &n)[1]->inst.name, "other");
    ck_assert_int_eq(sn_core_monitor(h.core, "other", "10.0.0.9", 7000, 3,
                                     h.now, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "Duplicate master name.");
    h_free(&h);
}
END_TEST

START_TEST(test_remove_emits_and_saves)
{
    struct harness h;
    int n, e;

    h_setup(&h, 30000);
    h_log_clear(&h);
    ck_assert_int_eq(sn_core_remove(h.core, "nosuch", h.now), -1);
    ck_assert_int_eq(sn_core_remove(h.core, "mymaster", h.now), 0);
    h_pump(&h);
    e = h_event(&h, "-monitor master mymaster 10.0.0.1 6379");
    ck_assert_int_ge(e, 0);
    ck_assert_int_gt(h_find(&h, SN_ACT_SAVE, ""), e);
    sn_core_masters(h.core, &n);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(sn_core_config(h.core)->masters_len, 0);
    h_run(&h, 3000);
    h_free(&h);
}
END_TEST

START_TEST(test_reset_forgets_replicas_and_peers)
{
    struct harness h;
    struct sn_master *m;

    h_setup(&h, 30000);
    h_meet_peers(&h);
    m = h_master(&h);
    ck_assert_int_eq(m->replicas_len, 2);
    ck_assert_int_eq(m->sentinels_len, 2);
    h_log_clear(&h);
    ck_assert_int_eq(sn_core_reset(h.core, "my*", h.now), 1);
    ck_assert_int_eq(sn_core_reset(h.core, "nomatch", h.now), 0);
    h_pump(&h);
    ck_assert_int_ge(h_event(&h, "+reset-master master mymaster 10.0.0.1 "
                                 "6379"), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_SAVE, ""), 0);
    ck_assert_int_eq(m->sentinels_len, 0);
    /* The replicas come back with the first INFO after the master's links
     * reconnect (at most once a second). */
    h_run(&h, 1100);
    ck_assert_int_eq(m->replicas_len, 2);
    h_free(&h);
}
END_TEST

START_TEST(test_config_changed_down_after_propagates)
{
    struct harness h;
    struct sn_master *m;

    h_setup(&h, 30000);
    m = h_master(&h);
    m->cfg->down_after_ms = 5000;
    h_log_clear(&h);
    sn_core_config_changed(h.core, m, "down-after-milliseconds", h.now);
    h_pump(&h);
    ck_assert_int_eq(m->inst.down_after_ms, 5000);
    ck_assert_int_eq(m->replicas[0]->down_after_ms, 5000);
    ck_assert_int_eq(h_count(&h, SN_ACT_SAVE, ""), 1);
    h_free(&h);
}
END_TEST

START_TEST(test_config_changed_auth_drops_links)
{
    struct harness h;
    struct sn_master *m;

    h_setup(&h, 30000);
    m = h_master(&h);
    sn_set_str(&m->cfg->auth_pass, "newpw");
    h_log_clear(&h);
    sn_core_config_changed(h.core, m, "auth-pass", h.now);
    h_pump(&h);
    /* Master and both replicas, two links each. */
    ck_assert_int_eq(h_count(&h, SN_ACT_DISCONNECT, ""), 6);
    h_run(&h, 1100);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND, "10.0.0.1:6379 AUTH newpw"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_event_public_prefix)
{
    struct harness h;
    struct sn_master *m;

    h_setup(&h, 30000);
    m = h_master(&h);
    h_log_clear(&h);
    sn_core_event(h.core, SN_LOG_WARNING, "+set", &m->inst, "%s %s",
                  "quorum", "3");
    sn_core_event(h.core, SN_LOG_WARNING, "+set", m->replicas[0], "%s",
                  "x");
    h_pump(&h);
    ck_assert_int_ge(h_event(&h, "+set master mymaster 10.0.0.1 6379 quorum "
                                 "3"), 0);
    ck_assert_int_ge(h_event(&h, "+set slave 10.0.0.2:6379 10.0.0.2 6379 @ "
                                 "mymaster 10.0.0.1 6379 x"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_notification_script_on_warning_only)
{
    struct harness h;
    struct sn_config cfg;
    struct sn_action a;
    bool seen_warning = false, seen_notice = false;

    memset(&h, 0, sizeof(h));
    h_world(&h);
    h_cfg_init(&cfg, 30000);
    h_cfg_set(&cfg, "notification-script", "/bin/notify", NULL, NULL);
    h.now = 1000;
    h.core = sn_core_new(&cfg, 1, h.now, NULL, 0);
    sn_core_tick(h.core, h.now);
    sn_core_event(h.core, SN_LOG_NOTICE, "+x", &h_master(&h)->inst, "%s",
                  "");
    while (sn_core_next_action(h.core, &a) == 1) {
        if (a.type == SN_ACT_EVENT && strcmp(a.event, "+monitor") == 0) {
            ck_assert_ptr_nonnull(a.script);
            ck_assert_str_eq(a.script, "/bin/notify");
            seen_warning = true;
        }
        if (a.type == SN_ACT_EVENT && strcmp(a.event, "+x") == 0) {
            ck_assert_ptr_null(a.script);
            ck_assert_str_eq(a.payload, "master mymaster 10.0.0.1 6379");
            seen_notice = true;
        }
        sn_action_free(&a);
    }
    ck_assert(seen_warning && seen_notice);
    sn_config_free(&cfg);
    h_free(&h);
}
END_TEST

START_TEST(test_simulate_failure_flags)
{
    struct harness h;

    h_setup(&h, 30000);
    ck_assert_uint_eq(sn_core_simulate_failure_flags(h.core), 0);
    sn_core_simulate_failure(h.core, SN_SIMFAIL_CRASH_AFTER_PROMOTION);
    ck_assert_uint_eq(sn_core_simulate_failure_flags(h.core),
                      SN_SIMFAIL_CRASH_AFTER_PROMOTION);
    h_free(&h);
}
END_TEST

START_TEST(test_save_writes_state)
{
    struct harness h;
    int i;

    h_setup(&h, 30000);
    h_meet_peers(&h);
    h_log_clear(&h);
    sn_core_save(h.core);
    h_pump(&h);
    i = h_find(&h, SN_ACT_SAVE, "");
    ck_assert_int_ge(i, 0);
    ck_assert_ptr_nonnull(strstr(h.log[i].text, "10.0.0.2"));
    ck_assert_ptr_nonnull(strstr(h.log[i].text, H_PEER_A));
    ck_assert_ptr_nonnull(strstr(h.log[i].text, H_PEER_B));
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * Host names (resolve-hostnames yes): the name is the identity, the
 * address it resolved to is what is shown unless announce-hostnames is
 * yes, and either names the instance
 * ------------------------------------------------------------------- */

/* Master `localhost`:6379 (127.0.0.1), replicas 127.0.0.2 and .3 that
 * report master_host:127.0.0.1 as Redis replicas do, peers at .11, .12.
 * With `dead`, nothing answers at localhost: its address stays unknown. */
static void
h_setup_named(struct harness *h, int da, bool announce_hostnames, bool dead)
{
    struct h_srv *m, *s;
    struct sn_config c;
    char err[256];
    char *argv[3];
    char dastr[32];

    memset(h, 0, sizeof(*h));
    m = h_srv_add(h, "localhost", 6379);
    snprintf(m->ip, sizeof(m->ip), "127.0.0.1");
    if (dead)
        m->state = H_DEAD;
    h_srv_master(m, H_RUNID_M);
    h_srv_list_replica(m, "127.0.0.2", 6379);
    h_srv_list_replica(m, "127.0.0.3", 6379);
    h_srv_replica_of(h_srv_add(h, "127.0.0.2", 6379), H_RUNID_R1,
                     "127.0.0.1", 6379, 100, 1000);
    h_srv_replica_of(h_srv_add(h, "127.0.0.3", 6379), H_RUNID_R2,
                     "127.0.0.1", 6379, 100, 900);
    s = h_srv_add(h, "127.0.0.11", 26379);
    s->sentinel = true;
    s->votes = true;
    s = h_srv_add(h, "127.0.0.12", 26379);
    s->sentinel = true;
    s->votes = true;

    sn_config_init(&c);
    argv[0] = (char *)H_MYID;
    ck_assert_int_eq(sn_config_set_process(&c, "myid", 1, argv, err,
                                           sizeof(err)), 0);
    argv[0] = (char *)"yes";
    ck_assert_int_eq(sn_config_set_process(&c, "resolve-hostnames", 1, argv,
                                           err, sizeof(err)), 0);
    argv[0] = (char *)(announce_hostnames ? "yes" : "no");
    ck_assert_int_eq(sn_config_set_process(&c, "announce-hostnames", 1,
                                           argv, err, sizeof(err)), 0);
    argv[0] = (char *)"localhost";
    argv[1] = (char *)"6379";
    argv[2] = (char *)"2";
    ck_assert_msg(sn_config_set_master(&c, "mymaster", "monitor", 3, argv,
                                       err, sizeof(err)) == 0, "%s", err);
    snprintf(dastr, sizeof(dastr), "%d", da);
    h_cfg_set(&c, "down-after-milliseconds", dastr, NULL, NULL);
    h_cfg_set(&c, "failover-timeout", "60000", NULL, NULL);
    h_start(h, &c);
    sn_config_free(&c);
}

/* Peers that know the master by address, as peers without
 * announce-hostnames do. */
static void
h_meet_peers_named(struct harness *h)
{
    h_hello(h, "127.0.0.11", 26379, H_PEER_A, 0, "127.0.0.1", 6379, 0);
    h_hello(h, "127.0.0.12", 26379, H_PEER_B, 0, "127.0.0.1", 6379, 0);
}

/* A client command (2 or 3 words, RESP2); its actions are carried out.
 * Returns the reply. */
static char *
h_cmd(struct harness *h, const char *a0, const char *a1, const char *a2)
{
    struct sn_cmd_ctx ctx = {2, NULL, NULL, NULL};
    char *argv[3] = {(char *)a0, (char *)a1, (char *)a2};
    size_t argvlen[3];
    int argc = a2 != NULL ? 3 : 2, i;
    struct sn_buf out;

    for (i = 0; i < argc; i++)
        argvlen[i] = strlen(argv[i]);
    sn_buf_init(&out);
    ck_assert_int_eq(sn_command_exec(h->core, &ctx, argc, argv, argvlen,
                                     &out, h->now), 1);
    h_pump(h);
    sn_buf_puts(&out, "");
    return sn_buf_steal(&out, NULL);
}

static void
expect_reply_has(struct harness *h, const char *want, const char *a0,
                 const char *a1, const char *a2)
{
    char *r = h_cmd(h, a0, a1, a2);

    ck_assert_msg(strstr(r, want) != NULL, "%s %s: no \"%s\" in \"%s\"", a0,
                  a1, want, r);
    free(r);
}

static void
expect_reply(struct harness *h, const char *want, const char *a0,
             const char *a1, const char *a2)
{
    char *r = h_cmd(h, a0, a1, a2);

    ck_assert_str_eq(r, want);
    free(r);
}

/* A SAVE now holds `text`. */
static void
expect_saved(struct harness *h, const char *text)
{
    int i;

    sn_core_save(h->core);
    h_pump(h);
    i = h_find_last(h, SN_ACT_SAVE, "");
    ck_assert_int_ge(i, 0);
    ck_assert_msg(strstr(h->log[i].text, text) != NULL, "no \"%s\" in:\n%s",
                  text, h->log[i].text);
}

/* The hello we published to the master last. */
static const char *
last_hello_to_master(const struct harness *h)
{
    int i = h_find_last(h, SN_ACT_SEND,
                        "localhost:6379 PUBLISH __sentinel__:hello ");

    ck_assert_int_ge(i, 0);
    return h->log[i].text;
}

START_TEST(test_hostname_announced_by_address)
{
    struct harness h;
    int i;

    h_setup_named(&h, 1000, false, false);
    h_meet_peers_named(&h);
    h_run(&h, 2100);
    ck_assert_str_eq(sn_inst_ip(&h_master(&h)->inst), "127.0.0.1");
    expect_reply_has(&h, "$2\r\nip\r\n$9\r\n127.0.0.1\r\n", "SENTINEL",
                     "MASTER", "mymaster");
    expect_reply_has(&h, "$2\r\nip\r\n$9\r\n127.0.0.1\r\n", "SENTINEL",
                     "MASTERS", NULL);
    expect_reply(&h, "*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6379\r\n", "SENTINEL",
                 "GET-MASTER-ADDR-BY-NAME", "mymaster");
    expect_reply_has(&h, "address=127.0.0.1:6379,", "INFO", "sentinel",
                     NULL);
    ck_assert_ptr_nonnull(strstr(last_hello_to_master(&h),
                                 ",mymaster,127.0.0.1,6379,0"));
    /* The name stays the identity in the saved config. */
    expect_saved(&h, "monitor = localhost 6379 2");

    /* The master dies: events name it by the address it had, and so do
     * the vote requests to peers that know it by that address. */
    h_kill(&h, h_srv_find(&h, "localhost", 6379), H_DEAD);
    h_run(&h, 1500);
    ck_assert_int_ge(h_event(&h, "+sdown master mymaster 127.0.0.1 6379"),
                     0);
    i = h_find(&h, SN_ACT_SEND,
               "127.0.0.11:26379 SENTINEL is-master-down-by-addr ");
    ck_assert_int_ge(i, 0);
    ck_assert_ptr_nonnull(strstr(h.log[i].text,
                                 "is-master-down-by-addr 127.0.0.1 6379 "));
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+sdown master mymaster "
                                               "localhost"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_hostname_announced_by_name_with_announce_hostnames)
{
    struct harness h;
    int i;

    h_setup_named(&h, 1000, true, false);
    h_hello(&h, "127.0.0.11", 26379, H_PEER_A, 0, "localhost", 6379, 0);
    h_hello(&h, "127.0.0.12", 26379, H_PEER_B, 0, "localhost", 6379, 0);
    h_run(&h, 2100);
    expect_reply_has(&h, "$2\r\nip\r\n$9\r\nlocalhost\r\n", "SENTINEL",
                     "MASTER", "mymaster");
    expect_reply(&h, "*2\r\n$9\r\nlocalhost\r\n$4\r\n6379\r\n", "SENTINEL",
                 "GET-MASTER-ADDR-BY-NAME", "mymaster");
    expect_reply_has(&h, "address=localhost:6379,", "INFO", "sentinel",
                     NULL);
    ck_assert_ptr_nonnull(strstr(last_hello_to_master(&h),
                                 ",mymaster,localhost,6379,0"));
    h_kill(&h, h_srv_find(&h, "localhost", 6379), H_DEAD);
    h_run(&h, 1500);
    ck_assert_int_ge(h_event(&h, "+sdown master mymaster localhost 6379"),
                     0);
    i = h_find(&h, SN_ACT_SEND,
               "127.0.0.11:26379 SENTINEL is-master-down-by-addr ");
    ck_assert_int_ge(i, 0);
    ck_assert_ptr_nonnull(strstr(h.log[i].text,
                                 "is-master-down-by-addr localhost 6379 "));
    h_free(&h);
}
END_TEST

START_TEST(test_hostname_shown_until_an_address_is_known)
{
    struct harness h;

    /* Nothing ever answers at localhost: no address is known for it, so
     * the name is what there is to show. */
    h_setup_named(&h, 1000, false, true);
    ck_assert_ptr_null(sn_inst_ip(&h_master(&h)->inst));
    expect_reply(&h, "*2\r\n$9\r\nlocalhost\r\n$4\r\n6379\r\n", "SENTINEL",
                 "GET-MASTER-ADDR-BY-NAME", "mymaster");
    ck_assert_int_ge(h_event(&h, "+monitor master mymaster localhost 6379 "
                                 "quorum 2"), 0);
    h_run(&h, 1500);
    ck_assert_int_ge(h_event(&h, "+sdown master mymaster localhost 6379"),
                     0);
    h_free(&h);
}
END_TEST

START_TEST(test_hostname_replica_following_address_is_not_wrong)
{
    struct harness h;
    struct h_srv *r3;

    h_setup_named(&h, 30000, false, false);
    /* Well past failover-timeout (60 s) of replicas reporting
     * master_host:127.0.0.1 for the master monitored as localhost. */
    h_run(&h, 75000);
    ck_assert_int_eq(h_master(&h)->replicas_len, 2);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+fix-slave-config"), 0);
    ck_assert_int_eq(h_srv_find(&h, "127.0.0.2", 6379)->slaveofs, 0);
    /* A replica that does follow another master is fixed, told the
     * master's address as Redis tells it. */
    r3 = h_srv_find(&h, "127.0.0.3", 6379);
    r3->info.master_port = 6390;
    h_run(&h, 75000);
    ck_assert_int_ge(h_event(&h, "+fix-slave-config slave 127.0.0.3:6379 "
                                 "127.0.0.3 6379 @ mymaster 127.0.0.1 6379"),
                     0);
    ck_assert_int_ge(h_find(&h, SN_ACT_SEND,
                            "127.0.0.3:6379 SLAVEOF 127.0.0.1 6379"), 0);
    ck_assert_int_eq(r3->info.master_port, 6379);
    h_free(&h);
}
END_TEST

START_TEST(test_hostname_is_master_down_by_address_or_name)
{
    struct harness h;
    bool down;
    char leader[SN_RUNID_LEN + 1];
    uint64_t le;

    h_setup_named(&h, 1000, false, false);
    ck_assert_int_eq(sn_core_is_master_down(h.core, "127.0.0.1", 6379, 0,
                                            "*", h.now, &down, leader, &le),
                     0);
    ck_assert_int_eq(sn_core_is_master_down(h.core, "LocalHost", 6379, 0,
                                            "*", h.now, &down, leader, &le),
                     0);
    ck_assert_int_eq(sn_core_is_master_down(h.core, "127.0.0.1", 6380, 0,
                                            "*", h.now, &down, leader, &le),
                     -1);
    ck_assert_int_eq(sn_core_is_master_down(h.core, "127.0.0.9", 6379, 0,
                                            "*", h.now, &down, leader, &le),
                     -1);
    h_pump(&h);
    /* A vote asked by address is given for our master. */
    {
        struct sn_cmd_ctx ctx = {2, NULL, NULL, NULL};
        char *argv[6] = {"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1",
                         "6379", "1", H_PEER_A};
        size_t argvlen[6];
        struct sn_buf out;
        int i;

        for (i = 0; i < 6; i++)
            argvlen[i] = strlen(argv[i]);
        sn_buf_init(&out);
        ck_assert_int_eq(sn_command_exec(h.core, &ctx, 6, argv, argvlen,
                                         &out, h.now), 1);
        h_pump(&h);
        sn_buf_puts(&out, "");
        ck_assert_str_eq(out.data, "*3\r\n:0\r\n$40\r\n" H_PEER_A
                                   "\r\n:1\r\n");
        sn_buf_free(&out);
    }
    h_free(&h);
}
END_TEST

START_TEST(test_hostname_peer_hello_by_address_is_our_master)
{
    struct harness h;
    struct sn_master *m;

    h_setup_named(&h, 30000, false, false);
    h_meet_peers_named(&h);
    m = h_master(&h);
    ck_assert_str_eq(m->sentinels[0]->hello_master_host, "127.0.0.1");
    /* A newer config epoch for the same master, named by its address: no
     * switch, the name stays. */
    h_hello(&h, "127.0.0.11", 26379, H_PEER_A, 3, "127.0.0.1", 6379, 3);
    ck_assert_uint_eq(m->cfg->config_epoch, 3);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+switch-master"), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+config-update-from"), 0);
    ck_assert_str_eq(m->inst.host, "localhost");
    expect_saved(&h, "monitor = localhost 6379 2");
    h_free(&h);
}
END_TEST

START_TEST(test_hostname_switch_master_names_addresses)
{
    struct harness h;
    struct sn_master *m;
    struct sn_instance *old;

    h_setup_named(&h, 30000, false, false);
    h_meet_peers_named(&h);
    h_run(&h, 100);
    /* A peer failed over to 127.0.0.2. */
    h_srv_master(h_srv_find(&h, "127.0.0.2", 6379), H_RUNID_R1);
    h_hello(&h, "127.0.0.11", 26379, H_PEER_A, 1, "127.0.0.2", 6379, 1);
    ck_assert_int_ge(h_event(&h, "+switch-master mymaster 127.0.0.1 6379 "
                                 "127.0.0.2 6379"), 0);
    m = h_master(&h);
    ck_assert_str_eq(m->inst.host, "127.0.0.2");
    /* The old master is a replica known by its name, shown by address. */
    old = sn_inst_replica_find(m, "localhost", 6379);
    ck_assert_ptr_nonnull(old);
    ck_assert_ptr_eq(sn_inst_replica_find(m, "127.0.0.1", 6379), old);
    ck_assert_int_ge(h_event(&h, "+slave slave localhost:6379 127.0.0.1 6379 "
                                 "@ mymaster 127.0.0.2 6379"), 0);
    /* The new master lists it by address: still one replica. */
    h_srv_list_replica(h_srv_find(&h, "127.0.0.2", 6379), "127.0.0.1", 6379);
    h_srv_list_replica(h_srv_find(&h, "127.0.0.2", 6379), "127.0.0.3", 6379);
    h_run(&h, 11000);
    ck_assert_int_eq(m->replicas_len, 2);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+slave slave 127.0.0.1:"),
                     0);
    expect_saved(&h, "known-replica = localhost 6379");
    h_free(&h);
}
END_TEST

static Suite *
core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_new_draws_myid_and_saves_first);
    tcase_add_test(tc, test_new_same_seed_same_myid);
    tcase_add_test(tc, test_new_keeps_given_myid);
    tcase_add_test(tc, test_link_handshake_cmd);
    tcase_add_test(tc, test_link_handshake_pubsub);
    tcase_add_test(tc, test_link_auth_first_master_and_replicas);
    tcase_add_test(tc, test_link_auth_peers_sentinel_pass_else_requirepass);
    tcase_add_test(tc, test_link_rename_command_applied);
    tcase_add_test(tc, test_link_reconnect_at_most_once_per_second);
    tcase_add_test(tc, test_link_pending_bounded);
    tcase_add_test(tc, test_link_idle_recycled);
    tcase_add_test(tc, test_link_unknown_inputs_ignored);
    tcase_add_test(tc, test_ping_several_per_down_after);
    tcase_add_test(tc, test_ping_default_every_second);
    tcase_add_test(tc, test_ping_replicas_at_redis_period);
    tcase_add_test(tc, test_ping_master_budget);
    tcase_add_test(tc, test_info_every_ten_seconds);
    tcase_add_test(tc, test_hello_published_to_master_every_two_seconds);
    tcase_add_test(tc, test_hello_uses_announce_ip_and_port);
    tcase_add_test(tc, test_deadline_is_a_real_timer);
    tcase_add_test(tc, test_input_asks_for_a_tick_now);
    tcase_add_test(tc, test_monitor_adds_and_saves);
    tcase_add_test(tc, test_remove_emits_and_saves);
    tcase_add_test(tc, test_reset_forgets_replicas_and_peers);
    tcase_add_test(tc, test_config_changed_down_after_propagates);
    tcase_add_test(tc, test_config_changed_auth_drops_links);
    tcase_add_test(tc, test_event_public_prefix);
    tcase_add_test(tc, test_notification_script_on_warning_only);
    tcase_add_test(tc, test_simulate_failure_flags);
    tcase_add_test(tc, test_save_writes_state);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostnames");
    tcase_add_test(tc, test_hostname_announced_by_address);
    tcase_add_test(tc, test_hostname_announced_by_name_with_announce_hostnames);
    tcase_add_test(tc, test_hostname_shown_until_an_address_is_known);
    tcase_add_test(tc, test_hostname_replica_following_address_is_not_wrong);
    tcase_add_test(tc, test_hostname_is_master_down_by_address_or_name);
    tcase_add_test(tc, test_hostname_peer_hello_by_address_is_our_master);
    tcase_add_test(tc, test_hostname_switch_master_names_addresses);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(core_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
