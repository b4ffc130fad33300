/*
 * test_instance.c: discovery of replicas (INFO) and peers (hello), peer
 * address changes and invalid-address eviction, shared peer links, INFO's
 * passive half (+reboot, role changes), and the change of a master's
 * address.
 */
#include "core_harness.h"

/* ---------------------------------------------------------------------
 * Replicas
 * ------------------------------------------------------------------- */

START_TEST(test_replicas_discovered_from_info)
{
    struct harness h;
    struct sn_master *m;
    int e2, e3, s;

    h_setup(&h, 30000);
    m = h_master(&h);
    ck_assert_int_eq(m->replicas_len, 2);
    e2 = h_event(&h, "+slave slave 10.0.0.2:6379 10.0.0.2 6379 @ mymaster "
                     "10.0.0.1 6379");
    e3 = h_event(&h, "+slave slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster "
                     "10.0.0.1 6379");
    ck_assert_int_ge(e2, 0);
    ck_assert_int_ge(e3, 0);
    ck_assert_int_eq(h.log[e2].level, SN_LOG_NOTICE);
    s = h_find_from(&h, e3, SN_ACT_SAVE, "");
    ck_assert_int_gt(s, e3);
    ck_assert_ptr_nonnull(strstr(h.log[s].text, "known-replica"));
    /* Their INFO is read too. */
    ck_assert_str_eq(m->replicas[0]->runid, H_RUNID_R1);
    ck_assert_int_eq(m->replicas[0]->slave_repl_offset, 1000);
    ck_assert_str_eq(m->replicas[0]->slave_master_host, "10.0.0.1");
    ck_assert(m->replicas[0]->slave_master_link_up);
    ck_assert_int_eq(m->replicas[0]->role_reported, SN_ROLE_SLAVE);
    h_free(&h);
}
END_TEST

START_TEST(test_replicas_not_rediscovered)
{
    struct harness h;

    h_setup(&h, 30000);
    h_log_clear(&h);
    h_run(&h, 30000);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+slave "), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_replica_name_ipv6)
{
    struct harness h;
    struct sn_instance *r;

    h_setup(&h, 30000);
    r = sn_inst_replica_add(h.core, h_master(&h), "fe80::1", 6380);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->name, "[fe80::1]:6380");
    ck_assert_ptr_eq(sn_inst_replica_find(h_master(&h), "FE80::1", 6380), r);
    ck_assert_ptr_null(sn_inst_replica_add(h.core, h_master(&h), "fe80::1",
                                           6380));
    h_free(&h);
}
END_TEST

START_TEST(test_known_replicas_from_config)
{
    struct harness h;
    struct sn_config cfg;

    memset(&h, 0, sizeof(h));
    h_world(&h);
    h_cfg_init(&cfg, 30000);
    h_cfg_set(&cfg, "known-replica", "10.0.0.9", "6379", NULL);
    h_start(&h, &cfg);
    ck_assert_ptr_nonnull(sn_inst_replica_find(h_master(&h), "10.0.0.9",
                                               6379));
    /* Loaded, not discovered: no event for it. */
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+slave slave 10.0.0.9"), 0);
    sn_config_free(&cfg);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * INFO's passive half
 * ------------------------------------------------------------------- */

START_TEST(test_info_reboot_event)
{
    struct harness h;

    h_setup(&h, 30000);
    snprintf(h_srv_find(&h, "10.0.0.1", 6379)->info.run_id, 41, "%s",
             "9999999999999999999999999999999999999999");
    h_run(&h, 10100);
    ck_assert_int_ge(h_event(&h, "+reboot master mymaster 10.0.0.1 6379"),
                     0);
    ck_assert_str_eq(h_master(&h)->inst.runid,
                     "9999999999999999999999999999999999999999");
    ck_assert(!(h_master(&h)->inst.flags & SN_F_MASTER_REBOOT));
    h_free(&h);
}
END_TEST

START_TEST(test_info_role_change_events)
{
    struct harness h;
    struct h_srv *r;
    int i;

    h_setup(&h, 30000);
    r = h_srv_find(&h, "10.0.0.2", 6379);
    h_srv_master(r, H_RUNID_R1);
    h_run(&h, 10100);
    i = h_event(&h, "-role-change slave 10.0.0.2:6379 10.0.0.2 6379 @ "
                    "mymaster 10.0.0.1 6379 new reported role is master");
    ck_assert_int_ge(i, 0);
    ck_assert_int_eq(h.log[i].level, SN_LOG_VERBOSE);
    h_srv_replica_of(r, H_RUNID_R1, "10.0.0.1", 6379, 100, 5);
    h_run(&h, 1000);
    ck_assert_int_ge(h_event(&h, "+role-change slave 10.0.0.2:6379 10.0.0.2 "
                                 "6379 @ mymaster 10.0.0.1 6379 new reported "
                                 "role is slave"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_info_bad_text_ignored)
{
    struct harness h;
    struct sn_instance *ri;
    char big[100];

    h_setup(&h, 30000);
    ri = &h_master(&h)->inst;
    memset(big, 0, sizeof(big));
    sn_inst_refresh_info(h.core, ri, big, sizeof(big));
    sn_inst_refresh_info(h.core, ri, "garbage\r\nrole:nonsense\r\n", 25);
    ck_assert_int_eq(ri->role_reported, SN_ROLE_MASTER);
    ck_assert_int_eq(h_master(&h)->replicas_len, 2);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * Peers
 * ------------------------------------------------------------------- */

START_TEST(test_hello_discovers_peer)
{
    struct harness h;
    struct sn_master *m;
    int e;

    h_setup(&h, 30000);
    h_log_clear(&h);
    h_hello(&h, "10.0.0.11", 26379, H_PEER_A, 0, "10.0.0.1", 6379, 0);
    m = h_master(&h);
    ck_assert_int_eq(m->sentinels_len, 1);
    e = h_event(&h, "+sentinel sentinel " H_PEER_A " 10.0.0.11 26379 @ "
                    "mymaster 10.0.0.1 6379");
    ck_assert_int_ge(e, 0);
    ck_assert_int_gt(h_find_from(&h, e, SN_ACT_SAVE, ""), e);
    ck_assert_int_ge(h_find(&h, SN_ACT_CONNECT, "10.0.0.11:26379"), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_CONNECT, "10.0.0.11:26379/ps"), 0);
    ck_assert_int_eq(m->sentinels[0]->last_hello_ms, h.now);
    /* Heard again: nothing new. */
    h_log_clear(&h);
    h_hello(&h, "10.0.0.11", 26379, H_PEER_A, 0, "10.0.0.1", 6379, 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+sentinel"), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_SAVE, ""), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_hello_own_and_unknown_ignored)
{
    struct harness h;

    h_setup(&h, 30000);
    h_hello(&h, "10.0.0.100", 26379, H_MYID, 5, "10.0.0.1", 6379, 3);
    ck_assert_int_eq(h_master(&h)->sentinels_len, 0);
    ck_assert_uint_eq(sn_core_current_epoch(h.core), 0);
    sn_core_hello(h.core, "10.0.0.11,26379," H_PEER_A ",0,other,1.2.3.4,1,0",
                  strlen("10.0.0.11,26379," H_PEER_A ",0,other,1.2.3.4,1,0"),
                  h.now);
    sn_core_hello(h.core, "garbage", 7, h.now);
    h_pump(&h);
    ck_assert_int_eq(h_master(&h)->sentinels_len, 0);
    h_free(&h);
}
END_TEST

START_TEST(test_hello_on_pubsub_link)
{
    struct harness h;
    struct sn_input in;
    const char *p = "10.0.0.11,26379," H_PEER_A ",3,mymaster,10.0.0.1,6379,0";

    h_setup(&h, 30000);
    memset(&in, 0, sizeof(in));
    in.type = SN_IN_MESSAGE;
    in.link = h_master(&h)->inst.pc->id;
    in.channel = "__sentinel__:hello";
    in.payload = p;
    in.payload_len = strlen(p);
    sn_core_input(h.core, &in, h.now);
    h_pump(&h);
    ck_assert_int_eq(h_master(&h)->sentinels_len, 1);
    ck_assert_uint_eq(sn_core_current_epoch(h.core), 3);
    ck_assert_int_ge(h_event(&h, "+new-epoch 3"), 0);
    ck_assert_int_eq(h_master(&h)->inst.pc->pc_last_activity_ms, h.now);
    /* Another channel: ignored. */
    in.channel = "other";
    in.payload = "10.0.0.12,26379," H_PEER_B ",3,mymaster,10.0.0.1,6379,0";
    in.payload_len = strlen(in.payload);
    sn_core_input(h.core, &in, h.now);
    h_pump(&h);
    ck_assert_int_eq(h_master(&h)->sentinels_len, 1);
    h_free(&h);
}
END_TEST

START_TEST(test_hello_address_switch)
{
    struct harness h;
    struct sn_master *m;

    h_setup(&h, 30000);
    h_meet_peers(&h);
    h_log_clear(&h);
    h_hello(&h, "10.0.0.21", 26380, H_PEER_A, 0, "10.0.0.1", 6379, 0);
    m = h_master(&h);
    ck_assert_int_eq(m->sentinels_len, 2);
    ck_assert_int_ge(h_event(&h, "+sentinel-address-switch master mymaster "
                                 "10.0.0.1 6379 ip 10.0.0.21 port 26380 for "
                                 H_PEER_A), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+sentinel "), 0);
    ck_assert_ptr_nonnull(sn_inst_sentinel_find(m, "10.0.0.21", 26380,
                                                H_PEER_A));
    ck_assert_ptr_null(sn_inst_sentinel_find(m, "10.0.0.11", 26379, NULL));
    h_free(&h);
}
END_TEST

START_TEST(test_hello_invalid_addr_evicts_old_runid)
{
    struct harness h;
    struct sn_master *m;

    h_setup(&h, 30000);
    h_meet_peers(&h);
    h_log_clear(&h);
    /* Peer A restarted with a new run id at the same address. */
    h_hello(&h, "10.0.0.11", 26379, H_PEER_C, 0, "10.0.0.1", 6379, 0);
    m = h_master(&h);
    ck_assert_int_ge(h_event(&h, "+sentinel-invalid-addr sentinel " H_PEER_A
                                 " 10.0.0.11 26379 @ mymaster 10.0.0.1 6379"),
                     0);
    ck_assert_int_ge(h_event(&h, "+sentinel sentinel " H_PEER_C " 10.0.0.11 "
                                 "26379 @ mymaster 10.0.0.1 6379"), 0);
    /* The voter count stays at three. */
    ck_assert_int_eq(m->sentinels_len, 2);
    ck_assert_ptr_null(sn_inst_sentinel_find(m, NULL, 0, H_PEER_A));
    h_free(&h);
}
END_TEST

static void
monitor_second(struct harness *h)
{
    char err[128];

    ck_assert_int_eq(sn_core_monitor(h->core, "second", "10.0.0.5", 6379, 2,
                                     h->now, err, sizeof(err)), 0);
    h_pump(h);
}

START_TEST(test_peer_link_shared_across_masters)
{
    struct harness h;
    struct sn_master *a, *b;
    const char *p = "10.0.0.11,26379," H_PEER_A ",0,second,10.0.0.5,6379,0";

    h_setup(&h, 30000);
    monitor_second(&h);
    h_hello(&h, "10.0.0.11", 26379, H_PEER_A, 0, "10.0.0.1", 6379, 0);
    sn_core_hello(h.core, p, strlen(p), h.now);
    h_pump(&h);
    a = h_master(&h);
    b = sn_core_master_by_name(h.core, "second");
    ck_assert_int_eq(a->sentinels_len, 1);
    ck_assert_int_eq(b->sentinels_len, 1);
    ck_assert_ptr_eq(a->sentinels[0]->cc, b->sentinels[0]->cc);
    ck_assert_int_eq(a->sentinels[0]->cc->refcount, 2);
    ck_assert_int_eq(h_count(&h, SN_ACT_CONNECT, "10.0.0.11:26379"), 1);
    /* Removing one master keeps the link for the other. */
    ck_assert_int_eq(sn_core_remove(h.core, "second", h.now), 0);
    h_pump(&h);
    ck_assert_int_eq(a->sentinels[0]->cc->refcount, 1);
    ck_assert(a->sentinels[0]->cc->connected);
    h_free(&h);
}
END_TEST

START_TEST(test_peer_address_update_in_all_masters)
{
    struct harness h;
    struct sn_master *b;
    const char *p = "10.0.0.11,26379," H_PEER_A ",0,second,10.0.0.5,6379,0";

    h_setup(&h, 30000);
    monitor_second(&h);
    h_hello(&h, "10.0.0.11", 26379, H_PEER_A, 0, "10.0.0.1", 6379, 0);
    sn_core_hello(h.core, p, strlen(p), h.now);
    h_pump(&h);
    h_log_clear(&h);
    h_hello(&h, "10.0.0.31", 26379, H_PEER_A, 0, "10.0.0.1", 6379, 0);
    b = sn_core_master_by_name(h.core, "second");
    ck_assert_str_eq(b->sentinels[0]->host, "10.0.0.31");
    ck_assert_ptr_eq(b->sentinels[0]->cc, h_master(&h)->sentinels[0]->cc);
    ck_assert_int_ge(h_event(&h, "+sentinel-address-update sentinel "
                                 H_PEER_A " 10.0.0.31 26379 @ mymaster "
                                 "10.0.0.1 6379 1 additional matching "
                                 "instances"), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_peers_from_config_and_saved)
{
    struct harness h;
    struct sn_config cfg;
    int i;

    memset(&h, 0, sizeof(h));
    h_world(&h);
    h_cfg_init(&cfg, 30000);
    h_cfg_set(&cfg, "known-sentinel", "10.0.0.11", "26379", H_PEER_A);
    h_start(&h, &cfg);
    ck_assert_int_eq(h_master(&h)->sentinels_len, 1);
    ck_assert_int_eq(h_count(&h, SN_ACT_EVENT, "+sentinel"), 0);
    h_log_clear(&h);
    sn_core_save(h.core);
    h_pump(&h);
    i = h_find(&h, SN_ACT_SAVE, "");
    ck_assert_ptr_nonnull(strstr(h.log[i].text, H_PEER_A));
    sn_config_free(&cfg);
    h_free(&h);
}
END_TEST

/* ---------------------------------------------------------------------
 * Change of address
 * ------------------------------------------------------------------- */

START_TEST(test_change_address_readds_replicas)
{
    struct harness h;
    struct sn_master *m;
    struct sn_link *promoted_cc;
    struct sn_instance *old;

    h_setup(&h, 30000);
    m = h_master(&h);
    promoted_cc = sn_inst_replica_find(m, "10.0.0.2", 6379)->cc;
    h_log_clear(&h);
    sn_inst_change_address(h.core, m, "10.0.0.2", 6379);
    h_pump(&h);
    ck_assert_str_eq(m->inst.host, "10.0.0.2");
    ck_assert_str_eq(m->cfg->host, "10.0.0.2");
    ck_assert_int_eq(m->replicas_len, 2);
    /* The replicas first, the old master last, as Redis. */
    ck_assert_int_lt(h_event(&h, "+slave slave 10.0.0.3:6379 10.0.0.3 6379 @ "
                                 "mymaster 10.0.0.2 6379"),
                     h_event(&h, "+slave slave 10.0.0.1:6379 10.0.0.1 6379 @ "
                                 "mymaster 10.0.0.2 6379"));
    old = sn_inst_replica_find(m, "10.0.0.1", 6379);
    ck_assert_ptr_nonnull(old);
    ck_assert(old->demoted);
    /* Links to addresses that stay are kept: no reconnection. */
    ck_assert_ptr_eq(m->inst.cc, promoted_cc);
    ck_assert_ptr_eq(m->inst.cc->owner, &m->inst);
    ck_assert_int_eq(h_count(&h, SN_ACT_CONNECT, ""), 0);
    ck_assert_int_eq(h_count(&h, SN_ACT_DISCONNECT, ""), 0);
    h_free(&h);
}
END_TEST

START_TEST(test_failover_state_names)
{
    ck_assert_str_eq(sn_failover_state_name(SN_FO_NONE), "none");
    ck_assert_str_eq(sn_failover_state_name(SN_FO_WAIT_START), "wait_start");
    ck_assert_str_eq(sn_failover_state_name(SN_FO_SELECT_SLAVE),
                     "select_slave");
    ck_assert_str_eq(sn_failover_state_name(SN_FO_SEND_SLAVEOF_NOONE),
                     "send_slaveof_noone");
    ck_assert_str_eq(sn_failover_state_name(SN_FO_WAIT_PROMOTION),
                     "wait_promotion");
    ck_assert_str_eq(sn_failover_state_name(SN_FO_RECONF_SLAVES),
                     "reconf_slaves");
    ck_assert_str_eq(sn_failover_state_name(SN_FO_UPDATE_CONFIG),
                     "update_config");
}
END_TEST

START_TEST(test_disconnected_flag_follows_links)
{
    struct harness h;
    struct sn_master *m;

    h_setup(&h, 30000);
    m = h_master(&h);
    ck_assert(!(m->inst.flags & SN_F_DISCONNECTED));
    h_kill(&h, h_srv_find(&h, "10.0.0.1", 6379), H_DEAD);
    ck_assert(m->inst.flags & SN_F_DISCONNECTED);
    h_free(&h);
}
END_TEST

static Suite *
instance_suite(void)
{
    Suite *s = suite_create("instance");
    TCase *tc = tcase_create("instance");

    tcase_add_test(tc, test_replicas_discovered_from_info);
    tcase_add_test(tc, test_replicas_not_rediscovered);
    tcase_add_test(tc, test_replica_name_ipv6);
    tcase_add_test(tc, test_known_replicas_from_config);
    tcase_add_test(tc, test_info_reboot_event);
    tcase_add_test(tc, test_info_role_change_events);
    tcase_add_test(tc, test_info_bad_text_ignored);
    tcase_add_test(tc, test_hello_discovers_peer);
    tcase_add_test(tc, test_hello_own_and_unknown_ignored);
    tcase_add_test(tc, test_hello_on_pubsub_link);
    tcase_add_test(tc, test_hello_address_switch);
    tcase_add_test(tc, test_hello_invalid_addr_evicts_old_runid);
    tcase_add_test(tc, test_peer_link_shared_across_masters);
    tcase_add_test(tc, test_peer_address_update_in_all_masters);
    tcase_add_test(tc, test_peers_from_config_and_saved);
    tcase_add_test(tc, test_change_address_readds_replicas);
    tcase_add_test(tc, test_failover_state_names);
    tcase_add_test(tc, test_disconnected_flag_follows_links);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(instance_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
