/*
 * test_cmdtable.c: the command table and COMMAND, byte for byte against
 * Redis 7.0.15's replies (tests/unit/golden/cmdtable/, captured by
 * gen_cmdtable.py from Debian's redis-sentinel, commands in name order).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdtable.h"
#include "resp.h"
#include "golden.h"
#include "util.h"

#define ARGS_MAX 32

static char *
golden(const char *name, size_t *len)
{
    return sn_test_golden("cmdtable", name, len);
}

/* The command line of a case in cases.txt, or NULL. */
static char *
case_command(const char *name)
{
    size_t len, nlen = strlen(name);
    char *all = golden("cases.txt", &len);
    char *line, *save, *cmd = NULL;

    for (line = strtok_r(all, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, name, nlen) == 0 && line[nlen] == '\t') {
            cmd = sn_strdup(line + nlen + 1);
            break;
        }
    free(all);
    return cmd;
}

static void
expect_same(const char *what, const char *got, size_t glen,
            const char *want, size_t wlen)
{
    size_t i = 0;

    while (i < glen && i < wlen && got[i] == want[i])
        i++;
    ck_assert_msg(glen == wlen && i == glen,
                  "%s: differs at byte %zu of %zu (want %zu): "
                  "got \"%.60s\" want \"%.60s\"", what, i, glen, wlen,
                  i < glen ? got + i : "", i < wlen ? want + i : "");
}

/* sn_cmdtable_reply's answer to the case's command equals Redis's, in
 * RESP2 and in RESP3. */
static void
expect_case(const char *name)
{
    char *line = case_command(name);
    char *argv[ARGS_MAX], *cmd, *save, *tok;
    int argc = 0;

    ck_assert_msg(line != NULL, "no case %s in cases.txt", name);
    cmd = sn_strdup(line);
    for (tok = strtok_r(cmd, " ", &save); tok != NULL;
         tok = strtok_r(NULL, " ", &save)) {
        ck_assert_int_lt(argc, ARGS_MAX);
        argv[argc++] = tok;
    }
    for (int proto = 2; proto <= 3; proto++) {
        struct sn_resp_writer w;
        struct sn_buf out;
        char file[256], what[300];
        size_t wlen;
        char *want;

        snprintf(file, sizeof(file), "%s.resp%d", name, proto);
        snprintf(what, sizeof(what), "%s (%s)", file, line);
        want = golden(file, &wlen);
        sn_buf_init(&out);
        sn_resp_writer_init(&w, &out, proto);
        sn_cmdtable_reply(&w, argc, argv);
        expect_same(what, out.data != NULL ? out.data : "", out.len, want,
                    wlen);
        sn_buf_free(&out);
        free(want);
    }
    free(cmd);
    free(line);
}

/* ---------------------------------------------------------------------
 * The whole table
 * ------------------------------------------------------------------- */

START_TEST(test_command_bare_golden)
{
    expect_case("bare");
}
END_TEST

START_TEST(test_info_all_golden)
{
    expect_case("info_all");
}
END_TEST

START_TEST(test_docs_all_golden)
{
    expect_case("docs_all");
}
END_TEST

START_TEST(test_count_is_redis_15)
{
    expect_case("count");
}
END_TEST

START_TEST(test_list_golden)
{
    expect_case("list");
}
END_TEST

START_TEST(test_help_golden)
{
    expect_case("help");
}
END_TEST

/* ---------------------------------------------------------------------
 * Named commands: hidden ones are absent, "container|sub" is found,
 * unknown ones are null in INFO and left out of DOCS.
 * ------------------------------------------------------------------- */

START_TEST(test_info_named_null_for_hidden_and_unknown)
{
    expect_case("info_some");
}
END_TEST

START_TEST(test_info_container_omits_hidden_setinfo)
{
    expect_case("info_container");
}
END_TEST

START_TEST(test_info_duplicates_kept)
{
    expect_case("info_dup");
}
END_TEST

START_TEST(test_docs_named_skip_hidden_and_unknown)
{
    expect_case("docs_some");
    expect_case("docs_none");
}
END_TEST

START_TEST(test_docs_container_subcommands)
{
    expect_case("docs_container");
}
END_TEST

/* ---------------------------------------------------------------------
 * COMMAND LIST FILTERBY
 * ------------------------------------------------------------------- */

START_TEST(test_list_filterby_aclcat)
{
    expect_case("list_aclcat");
    expect_case("list_aclcat_case");
    expect_case("list_aclcat_unknown");
}
END_TEST

START_TEST(test_list_filterby_pattern)
{
    expect_case("list_pattern");
    expect_case("list_pattern_sub");
    expect_case("list_pattern_hidden");
    expect_case("list_pattern_setinfo");
}
END_TEST

START_TEST(test_list_filterby_module_matches_nothing)
{
    expect_case("list_module");
}
END_TEST

START_TEST(test_list_syntax_errors)
{
    expect_case("list_bad_type");
    expect_case("list_bad_short");
    expect_case("list_bad_long");
    expect_case("list_bad_word");
    expect_case("list_last_filter");
}
END_TEST

/* ---------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------- */

START_TEST(test_subcommand_arity_errors)
{
    expect_case("count_args");
    expect_case("help_args");
    expect_case("getkeys_short");
    expect_case("getkeysandflags_short");
}
END_TEST

START_TEST(test_getkeys_no_key_arguments)
{
    expect_case("getkeys_keyless");
    expect_case("getkeys_publish");
    expect_case("getkeys_sub");
    expect_case("getkeysandflags");
}
END_TEST

START_TEST(test_getkeys_invalid_command)
{
    expect_case("getkeys_unknown");
    expect_case("getkeys_hidden");
    expect_case("getkeys_sub_unknown");
    expect_case("getkeys_sub_hidden");
    expect_case("getkeys_fullname");
}
END_TEST

START_TEST(test_unknown_subcommand)
{
    expect_case("unknown_sub");
}
END_TEST

/* Every case captured from Redis, so that a new one is never untested. */
START_TEST(test_every_case_golden)
{
    size_t len;
    char *all = golden("cases.txt", &len);
    char *line, *save;
    int n = 0;

    for (line = strtok_r(all, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');

        if (line[0] == '#' || tab == NULL)
            continue;
        *tab = '\0';
        expect_case(line);
        n++;
    }
    free(all);
    ck_assert_int_ge(n, 39);
}
END_TEST

/* ---------------------------------------------------------------------
 * Look-ups
 * ------------------------------------------------------------------- */

START_TEST(test_find_hidden_echo_quit)
{
    const struct sn_cmd_entry *e = sn_cmdtable_find("ECHO");

    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->name, "echo");
    ck_assert_int_eq(e->arity, 2);
    ck_assert(e->hidden);
    e = sn_cmdtable_find("quit");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->arity, -1);
    ck_assert(e->hidden);
    ck_assert_ptr_nonnull(strstr(e->flags, "no_auth"));
    ck_assert(!sn_cmdtable_find("ping")->hidden);
    ck_assert_ptr_null(sn_cmdtable_find("reset"));
    ck_assert_ptr_null(sn_cmdtable_find("sentinel|myid"));
}
END_TEST

START_TEST(test_sub_hidden_setinfo)
{
    const struct sn_cmd_entry *e = sn_cmdtable_sub("CLIENT", "SetInfo");

    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->name, "client|setinfo");
    ck_assert_int_eq(e->arity, 4);
    ck_assert(e->hidden);
    ck_assert(sn_cmdtable_has_subcommand("client", "no-evict"));
    ck_assert(!sn_cmdtable_has_subcommand("client", "nosuch"));
    ck_assert(!sn_cmdtable_has_subcommand("ping", "x"));
    ck_assert(!sn_cmdtable_has_subcommand("nosuch", "x"));
}
END_TEST

/* The 21 subcommands of Redis 7.0.15's SENTINEL, none of Valkey's. */
START_TEST(test_sentinel_subcommands_exact)
{
    static const char *const want[] = {
        "ckquorum", "config", "debug", "failover", "flushconfig",
        "get-master-addr-by-name", "help", "info-cache",
        "is-master-down-by-addr", "master", "masters", "monitor", "myid",
        "pending-scripts", "remove", "replicas", "reset", "sentinels", "set",
        "simulate-failure", "slaves",
    };
    const struct sn_cmd_entry *s = sn_cmdtable_find("sentinel")->subcommands;
    size_t i, n = sizeof(want) / sizeof(want[0]);

    for (i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(s[i].name);
        ck_assert_str_eq(s[i].name + strlen("sentinel|"), want[i]);
        ck_assert(!s[i].hidden);
    }
    ck_assert_ptr_null(s[n].name);
    ck_assert_int_eq(sn_cmdtable_sub("sentinel", "config")->arity, -3);
    ck_assert_ptr_null(sn_cmdtable_sub("sentinel", "primaries"));
}
END_TEST

/* Name order everywhere, so no reply depends on a hash seed. */
START_TEST(test_table_in_name_order)
{
    const struct sn_cmd_entry *e, *s;

    for (e = sn_cmdtable_commands(); e->name != NULL; e++) {
        if (e[1].name != NULL)
            ck_assert_msg(strcmp(e->name, e[1].name) < 0, "%s, %s",
                          e->name, e[1].name);
        for (s = e->subcommands; s != NULL && s->name != NULL; s++) {
            ck_assert(strncmp(s->name, e->name, strlen(e->name)) == 0 &&
                      s->name[strlen(e->name)] == '|');
            if (s[1].name != NULL)
                ck_assert_msg(strcmp(s->name, s[1].name) < 0, "%s, %s",
                              s->name, s[1].name);
        }
    }
}
END_TEST

static Suite *
cmdtable_suite(void)
{
    Suite *s = suite_create("cmdtable");
    TCase *all = tcase_create("all");
    TCase *named = tcase_create("named");
    TCase *list = tcase_create("list");
    TCase *errors = tcase_create("errors");
    TCase *lookup = tcase_create("lookup");

    tcase_add_test(all, test_command_bare_golden);
    tcase_add_test(all, test_info_all_golden);
    tcase_add_test(all, test_docs_all_golden);
    tcase_add_test(all, test_count_is_redis_15);
    tcase_add_test(all, test_list_golden);
    tcase_add_test(all, test_help_golden);
    tcase_add_test(all, test_every_case_golden);
    suite_add_tcase(s, all);

    tcase_add_test(named, test_info_named_null_for_hidden_and_unknown);
    tcase_add_test(named, test_info_container_omits_hidden_setinfo);
    tcase_add_test(named, test_info_duplicates_kept);
    tcase_add_test(named, test_docs_named_skip_hidden_and_unknown);
    tcase_add_test(named, test_docs_container_subcommands);
    suite_add_tcase(s, named);

    tcase_add_test(list, test_list_filterby_aclcat);
    tcase_add_test(list, test_list_filterby_pattern);
    tcase_add_test(list, test_list_filterby_module_matches_nothing);
    tcase_add_test(list, test_list_syntax_errors);
    suite_add_tcase(s, list);

    tcase_add_test(errors, test_subcommand_arity_errors);
    tcase_add_test(errors, test_getkeys_no_key_arguments);
    tcase_add_test(errors, test_getkeys_invalid_command);
    tcase_add_test(errors, test_unknown_subcommand);
    suite_add_tcase(s, errors);

    tcase_add_test(lookup, test_find_hidden_echo_quit);
    tcase_add_test(lookup, test_sub_hidden_setinfo);
    tcase_add_test(lookup, test_sentinel_subcommands_exact);
    tcase_add_test(lookup, test_table_in_name_order);
    suite_add_tcase(s, lookup);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(cmdtable_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
