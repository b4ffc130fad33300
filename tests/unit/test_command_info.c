/*
 * test_command_info.c: INFO's fields, byte for byte with Redis 7.0.15's
 * (golden/command/info_fields.txt), its Sentinel section, section
 * selection, and the process facts the daemon fills in.
 */
#include "command_harness.h"

/* ---------------------------------------------------------------------
 * INFO
 * ------------------------------------------------------------------- */

/* The bulk's payload, its field names only, one per line, as
 * golden/command/info_fields.txt lists Redis 7.0.15's. */
static char *
info_field_names(const char *reply)
{
    const char *p = strstr(reply, "\r\n") + 2;
    const char *end = reply + strlen(reply) - 2;
    struct sn_buf b;

    sn_buf_init(&b);
    while (p < end) {
        const char *eol = strstr(p, "\r\n");
        const char *colon = memchr(p, ':', (size_t)(eol - p));

        if (*p == '#' || colon == NULL)
            sn_buf_append(&b, p, (size_t)(eol - p));
        else
            sn_buf_append(&b, p, (size_t)(colon - p));
        sn_buf_putc(&b, '\n');
        p = eol + 2;
    }
    sn_buf_putc(&b, '\n');
    return sn_buf_steal(&b, NULL);
}

START_TEST(test_info_field_names_golden)
{
    struct sn_core *core = seed_core();
    size_t wlen;
    char *want = golden("info_fields.txt", &wlen);
    char *r = run(core, 2, "INFO", NULL);
    char *names = info_field_names(r);

    assert_bytes(names, strlen(names), want, wlen, "INFO fields");
    free(names);
    free(r);
    r = run(core, 3, "INFO", NULL);
    ck_assert_int_eq(r[0], '$');
    names = info_field_names(r);
    assert_bytes(names, strlen(names), want, wlen, "INFO fields RESP3");
    free(names);
    free(r);
    free(want);
    sn_core_free(core);
}
END_TEST

START_TEST(test_info_sentinel_section)
{
    struct sn_core *core = seed_core();
    static const char *sentinel =
        "# Sentinel\r\n"
        "sentinel_masters:1\r\n"
        "sentinel_tilt:0\r\n"
        "sentinel_tilt_since_seconds:-1\r\n"
        "sentinel_running_scripts:2\r\n"
        "sentinel_scripts_queue_length:3\r\n"
        "sentinel_simulate_failure_flags:0\r\n"
        "master0:name=mymaster,status=ok,address=127.0.0.1:17000,slaves=1,"
        "sentinels=2\r\n";
    char *want = sn_printf("$%zu\r\n%s\r\n", strlen(sentinel), sentinel);

    test_proc.scripts_running = 2;
    test_proc.scripts_queued = 3;
    expect(core, 2, want, "INFO", "sentinel", NULL);
    expect(core, 3, want, "INFO", "SENTINEL", "keyspace", NULL);
    free(want);
    master(core, "mymaster")->inst.flags |= SN_F_S_DOWN;
    want = run(core, 2, "INFO", "sentinel", NULL);
    ck_assert_ptr_nonnull(strstr(want, "status=sdown,"));
    free(want);
    master(core, "mymaster")->inst.flags |= SN_F_O_DOWN;
    want = run(core, 2, "INFO", "sentinel", NULL);
    ck_assert_ptr_nonnull(strstr(want, "status=odown,"));
    free(want);
    sn_core_free(core);
}
END_TEST

START_TEST(test_info_sections_selection)
{
    struct sn_core *core = seed_core();
    char *all = run(core, 2, "INFO", NULL);
    char *r;

    expect(core, 2, "$0\r\n\r\n", "INFO", "keyspace", NULL);
    r = run(core, 2, "INFO", "all", NULL);
    ck_assert_str_eq(r, all);
    free(r);
    r = run(core, 2, "INFO", "default", NULL);
    ck_assert_str_eq(r, all);
    free(r);
    r = run(core, 2, "INFO", "Everything", NULL);
    ck_assert_str_eq(r, all);
    free(r);
    /* Redis's order whatever the order asked, a blank line between. */
    r = run(core, 2, "INFO", "sentinel", "foo", "cpu", NULL);
    ck_assert_ptr_nonnull(strstr(r, "used_cpu_user_main_thread:0.000000\r\n"
                                    "\r\n# Sentinel\r\n"));
    ck_assert_int_eq(strncmp(r + strcspn(r, "\n") + 1, "# CPU\r\n", 7), 0);
    ck_assert_ptr_null(strstr(r, "# Server"));
    free(r);
    free(all);
    sn_core_free(core);
}
END_TEST

START_TEST(test_info_process_facts)
{
    struct sn_core *core = seed_core();
    char *r;

    test_proc.run_id = RUNID_U;
    test_proc.tcp_port = 26379;
    test_proc.process_id = 4242;
    test_proc.uptime_s = 2 * 86400 + 5;
    test_proc.config_file = "/etc/sentinel.conf";
    test_proc.connected_clients = 7;
    test_proc.maxclients = 10000;
    test_proc.total_commands_processed = 99;
    test_proc.used_cpu_sys_us = 1000002;
    test_proc.instantaneous_input_kbps = 1.5;
    r = run(core, 2, "INFO", NULL);
    ck_assert_ptr_nonnull(strstr(r, "\r\nredis_version:7.0.15\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "\r\nredis_mode:sentinel\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "\r\nprocess_id:4242\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "\r\nrun_id:" RUNID_U "\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "\r\ntcp_port:26379\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "\r\nuptime_in_seconds:172805\r\n"
                                    "uptime_in_days:2\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "\r\nconfig_file:/etc/sentinel.conf\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "\r\nconnected_clients:7\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "\r\nmaxclients:10000\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "\r\ntotal_commands_processed:99\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "\r\ninstantaneous_input_kbps:1.50\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "\r\nused_cpu_sys:1.000002\r\n"));
    /* What the test suite of Redis checks a sentinel's INFO for. */
    ck_assert_ptr_null(strstr(r, "used_memory"));
    ck_assert_ptr_null(strstr(r, "rdb_last_bgsave"));
    ck_assert_ptr_null(strstr(r, "master_repl_offset"));
    ck_assert_ptr_null(strstr(r, "cluster_enabled"));
    free(r);
    sn_core_free(core);
}
END_TEST

static Suite *
command_info_suite(void)
{
    Suite *s = suite_create("command_info");
    TCase *info = tcase_create("info");

    tcase_add_test(info, test_info_field_names_golden);
    tcase_add_test(info, test_info_sentinel_section);
    tcase_add_test(info, test_info_sections_selection);
    tcase_add_test(info, test_info_process_facts);
    suite_add_tcase(s, info);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(command_info_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    acts_clear(&last_acts);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
