/*
 * test_config_redis.c: Redis-style sentinel.conf: the tokenizer, the
 * quoting, the loader, the rewrite and the conversion to INI.
 *
 * Golden files live in $SN_GOLDEN_DIR/config_redis/. Run with
 * SN_GOLDEN_UPDATE=1 to write the actual output over them (then read the
 * diff before committing it).
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_priv.h"
#include "util.h"

/* ---------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------- */

static char *
golden_path(const char *name)
{
    const char *dir = getenv("SN_GOLDEN_DIR");

    return sn_printf("%s/config_redis/%s", dir ? dir : "tests/unit/golden",
                     name);
}

static char *
golden_read(const char *name, size_t *len)
{
    char *path = golden_path(name);
    FILE *f = fopen(path, "rb");
    struct sn_buf b;
    char chunk[4096];
    size_t n;

    ck_assert_msg(f != NULL, "cannot open golden file %s", path);
    sn_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        sn_buf_append(&b, chunk, n);
    fclose(f);
    free(path);
    return sn_buf_steal(&b, len);
}

/* Compare `actual` with the golden file byte for byte. */
static void
golden_check(const char *name, const char *actual)
{
    char *expected, *path;
    size_t len;
    FILE *f;

    if (getenv("SN_GOLDEN_UPDATE") != NULL) {
        path = golden_path(name);
        f = fopen(path, "wb");
        ck_assert_msg(f != NULL, "cannot write %s", path);
        fwrite(actual, 1, strlen(actual), f);
        fclose(f);
        free(path);
        return;
    }
    expected = golden_read(name, &len);
    if (strcmp(expected, actual) != 0) {
        path = sn_printf("%s.actual", name);
        f = fopen(path, "wb");
        if (f != NULL) {
            fwrite(actual, 1, strlen(actual), f);
            fclose(f);
        }
        ck_abort_msg("%s differs from the golden file (actual output in "
                     "%s):\n--- expected\n%s--- actual\n%s", name, path,
                     expected, actual);
    }
    free(expected);
}

/* Join the messages, one a line. */
static char *
errors_text(const struct sn_config_errors *e)
{
    struct sn_buf b;

    sn_buf_init(&b);
    for (int i = 0; i < e->len; i++)
        sn_buf_printf(&b, "%s\n", e->msgs[i]);
    return sn_buf_steal(&b, NULL);
}

/* Load text that must load; fails the test with the errors otherwise. */
static void
load_ok(struct sn_config *c, const char *text, const char *filename)
{
    struct sn_config_errors e = { 0 };
    int rc;

    sn_config_init(c);
    rc = sn_config_load_redis(c, text, strlen(text), filename, &e);
    if (rc != 0) {
        char *t = errors_text(&e);

        ck_abort_msg("%s did not load:\n%s", filename, t);
    }
    ck_assert_int_eq(e.len, 0);
    sn_config_errors_free(&e);
}

static void
load_golden(struct sn_config *c, const char *name)
{
    char *text = golden_read(name, NULL);

    load_ok(c, text, name);
    free(text);
}

/* Load text that must fail; returns the errors, one a line. */
static char *
load_fail(const char *text)
{
    struct sn_config c;
    struct sn_config_errors e = { 0 };
    char *t;
    int rc;

    sn_config_init(&c);
    rc = sn_config_load_redis(&c, text, strlen(text), "s.conf", &e);
    ck_assert_int_eq(rc, -1);
    ck_assert_int_gt(e.len, 0);
    t = errors_text(&e);
    sn_config_errors_free(&e);
    sn_config_free(&c);
    return t;
}

static char *
rewrite(const struct sn_config *c)
{
    size_t len;
    char *t = sn_config_rewrite_redis(c, &len);

    ck_assert_uint_eq(len, strlen(t));
    return t;
}

/* Load the rewrite of c: it must give an equal model, and rewriting that
 * must give the same text (a fixed point). */
static void
check_roundtrip(const struct sn_config *c, const char *text)
{
    struct sn_config again;
    char *text2;

    load_ok(&again, text, "rewritten.conf");
    ck_assert_msg(sn_config_equal(c, &again),
                  "the rewrite loads into another model:\n%s", text);
    text2 = rewrite(&again);
    ck_assert_str_eq(text2, text);
    free(text2);
    sn_config_free(&again);
}

/* Set one directive of master `name` in c, from printf-style arguments
 * split as a config line; ix indexes c's masters (a scan per line would
 * make building the model itself quadratic). */
static void
big_set(struct sn_config *c, struct sn_config_map *ix, const char *name,
        const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
big_set(struct sn_config *c, struct sn_config_map *ix, const char *name,
        const char *key, const char *fmt, ...)
{
    struct sn_buf b;
    char **argv, e[256];
    va_list ap;
    int argc;

    sn_buf_init(&b);
    va_start(ap, fmt);
    sn_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    argc = sn_config_split(b.data, &argv);
    ck_assert_msg(sn_config_set_master_ix(c, ix, name, key, argc, argv, e,
                                          sizeof(e)) == 0, "%s: %s", key, e);
    sn_config_argv_free(argc, argv);
    sn_buf_free(&b);
}

/* A model of n masters, each with a monitor line, five other keys, two
 * known replicas and two known sentinels: the size of file whose rewrite
 * used to be quadratic. */
static void
big_model(struct sn_config *c, enum sn_config_format format, int n)
{
    struct sn_config_map ix;

    sn_config_init(c);
    sn_config_map_init(&ix);
    c->format = format;
    for (int i = 0; i < n; i++) {
        char name[32];
        int a = i / 250, b = i % 250;

        snprintf(name, sizeof(name), "m%d", i);
        big_set(c, &ix, name, "monitor", "10.%d.%d.1 6379 2", a, b);
        big_set(c, &ix, name, "down-after-milliseconds", "5000");
        big_set(c, &ix, name, "failover-timeout", "60000");
        big_set(c, &ix, name, "parallel-syncs", "2");
        big_set(c, &ix, name, "auth-pass", "secret%d", i);
        big_set(c, &ix, name, "config-epoch", "%d", i);
        for (int r = 0; r < 2; r++)
            big_set(c, &ix, name, "known-replica", "10.%d.%d.%d 6379", a, b,
                    r + 2);
        for (int s = 0; s < 2; s++)
            big_set(c, &ix, name, "known-sentinel", "10.%d.%d.%d 26379 "
                    "%08x%032x", a, b, s + 10, (unsigned)i, (unsigned)s);
    }
    sn_config_map_free(&ix);
}

/* What a failover of master m<i> does to the model: the first replica
 * becomes the master and the old master a replica. */
static void
big_failover(struct sn_config *c, int i)
{
    char name[32];
    struct sn_config_master *m;
    char *host;

    snprintf(name, sizeof(name), "m%d", i);
    m = sn_config_master_find(c, name);
    ck_assert_ptr_nonnull(m);
    host = m->host;
    m->host = m->replicas[0].host;
    m->replicas[0].host = host;
    m->config_epoch++;
}

static int
split(const char *line, char ***argv)
{
    return sn_config_split(line, argv);
}

/* ---------------------------------------------------------------------
 * The tokenizer (sdssplitargs)
 * ------------------------------------------------------------------- */

START_TEST(test_split_blanks_separate)
{
    char **argv;
    int argc = split("  port\t26379 \r\n", &argv);

    ck_assert_int_eq(argc, 2);
    ck_assert_str_eq(argv[0], "port");
    ck_assert_str_eq(argv[1], "26379");
    ck_assert_ptr_null(argv[2]);
    sn_config_argv_free(argc, argv);

    argc = split(" \t ", &argv);
    ck_assert_int_eq(argc, 0);
    sn_config_argv_free(argc, argv);
}
END_TEST

START_TEST(test_split_double_quote_escapes)
{
    char **argv;
    int argc = split("\"a\\nb\\rc\\td\\be\\af\\\\g\\\"h\\qi\" x", &argv);

    ck_assert_int_eq(argc, 2);
    ck_assert_str_eq(argv[0], "a\nb\rc\td\be\af\\g\"hqi");
    ck_assert_str_eq(argv[1], "x");
    sn_config_argv_free(argc, argv);
}
END_TEST

START_TEST(test_split_hex_escape_to_utf8)
{
    char **argv;
    int argc = split("dir \"/home/cat/\\xe6\\xa1\\x8c\\xe9\\x9d\\xa2\"",
                     &argv);

    ck_assert_int_eq(argc, 2);
    ck_assert_str_eq(argv[1], "/home/cat/桌面");
    sn_config_argv_free(argc, argv);

    /* Upper-case digits work; \x without two hex digits is just 'x'. */
    argc = split("\"\\x4A\\x4b\\xZZ\\x4\"", &argv);
    ck_assert_int_eq(argc, 1);
    ck_assert_str_eq(argv[0], "JKxZZx4");
    sn_config_argv_free(argc, argv);
}
END_TEST

START_TEST(test_split_single_quotes_only_escape_quote)
{
    char **argv;
    int argc = split("'it\\'s' 'a\\nb \"c\"'", &argv);

    ck_assert_int_eq(argc, 2);
    ck_assert_str_eq(argv[0], "it's");
    ck_assert_str_eq(argv[1], "a\\nb \"c\"");
    sn_config_argv_free(argc, argv);
}
END_TEST

START_TEST(test_split_quotes_inside_token_and_empty)
{
    char **argv;
    int argc = split("ab\"c d\" \"\" ''", &argv);

    ck_assert_int_eq(argc, 3);
    ck_assert_str_eq(argv[0], "abc d");
    ck_assert_str_eq(argv[1], "");
    ck_assert_str_eq(argv[2], "");
    sn_config_argv_free(argc, argv);
}
END_TEST

START_TEST(test_split_unbalanced_quotes)
{
    char **argv = (char **)1;

    ck_assert_int_eq(split("dir \"/tmp", &argv), -1);
    ck_assert_ptr_null(argv);
    ck_assert_int_eq(split("dir '/tmp", &argv), -1);
    ck_assert_int_eq(split("dir \"/tmp\\\"", &argv), -1);
    ck_assert_int_eq(split("dir '/tmp\\'", &argv), -1);
}
END_TEST

START_TEST(test_split_quote_followed_by_letter)
{
    char **argv;
    int argc;

    ck_assert_int_eq(split("dir \"/tmp\"x", &argv), -1);
    ck_assert_int_eq(split("dir '/tmp'x", &argv), -1);
    argc = split("dir \"/tmp\"\tx", &argv);
    ck_assert_int_eq(argc, 3);
    sn_config_argv_free(argc, argv);
}
END_TEST

START_TEST(test_unquote_one_token)
{
    size_t len;
    char *s;

    s = sn_config_unquote("\"a b\\x00c\"", &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(len, 5);
    ck_assert_mem_eq(s, "a b\0c", 5);
    free(s);
    s = sn_config_unquote("'it\\'s'", &len);
    ck_assert_str_eq(s, "it's");
    free(s);
    s = sn_config_unquote("plain", &len);
    ck_assert_str_eq(s, "plain");
    ck_assert_uint_eq(len, 5);
    free(s);
    ck_assert_ptr_null(sn_config_unquote("\"abc", &len));
    ck_assert_ptr_null(sn_config_unquote("\"abc\"d", &len));
    ck_assert_ptr_null(sn_config_unquote("\"abc\" d", &len));
}
END_TEST

/* ---------------------------------------------------------------------
 * Quoting (sdscatrepr)
 * ------------------------------------------------------------------- */

static void
check_quote(const char *in, const char *want)
{
    char *q = sn_config_quote(in);

    ck_assert_str_eq(q, want);
    free(q);
}

START_TEST(test_quote_only_when_needed)
{
    check_quote("emei268", "emei268");
    check_quote("/var/run/a\\b", "/var/run/a\\b");
    check_quote("", "\"\"");
    check_quote("pa ss", "\"pa ss\"");
    check_quote("#secret", "\"#secret\"");
    check_quote("it's", "\"it's\"");
    check_quote("say \"hi\"", "\"say \\\"hi\\\"\"");
    check_quote("a\\b c", "\"a\\\\b c\"");
    check_quote("\n\r\t\a\b\x01\x7f", "\"\\n\\r\\t\\a\\b\\x01\\x7f\"");
    check_quote("/home/cat/桌面",
                "\"/home/cat/\\xe6\\xa1\\x8c\\xe9\\x9d\\xa2\"");
}
END_TEST

/* Whatever the bytes, quoting and splitting give them back. */
START_TEST(test_quote_split_roundtrip)
{
    char s[64];
    struct sn_rng r;

    sn_rng_seed(&r, 42);
    for (int n = 0; n < 2000; n++) {
        int len = (int)sn_rng_below(&r, sizeof(s) - 1);
        char *q, **argv;
        int argc;

        for (int i = 0; i < len; i++)
            s[i] = (char)(1 + sn_rng_below(&r, 255));
        s[len] = '\0';
        q = sn_config_quote(s);
        argc = split(q, &argv);
        ck_assert_msg(argc == 1, "seed 42 case %d: %s split into %d", n, q,
                      argc);
        ck_assert_str_eq(argv[0], s);
        sn_config_argv_free(argc, argv);
        free(q);
    }
}
END_TEST

/* ---------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------- */

/* The seed's hand-written file, trailing `# comments` and all. */
START_TEST(test_load_seed_handwritten)
{
    struct sn_config c;
    const struct sn_config_master *m;

    load_golden(&c, "seed-handwritten.conf");
    ck_assert_int_eq(c.format, SN_CONFIG_FORMAT_REDIS);
    ck_assert_ptr_nonnull(c.doc);
    ck_assert_int_eq(c.port, 26379);
    ck_assert(c.daemonize);
    ck_assert_int_eq(c.bind_len, 1);
    ck_assert_str_eq(c.bind[0], "0.0.0.0");
    ck_assert_int_eq(c.masters_len, 1);
    m = sn_config_master_find(&c, "mainmaster");
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->host, "192.168.193.129");
    ck_assert_int_eq(m->port, 6379);
    ck_assert_int_eq(m->quorum, 2);
    ck_assert_int_eq(m->line, 4);
    ck_assert_str_eq(m->auth_pass, "emei268");
    ck_assert_int_eq(m->down_after_ms, 10000);
    ck_assert_int_eq(m->parallel_syncs, 1);
    ck_assert_int_eq(m->failover_timeout_ms, 60000);
    ck_assert_str_eq(c.myid, "");
    sn_config_free(&c);
}
END_TEST

/* The file Redis rewrote: myid, the marker, user and server lines, the
 * \xNN-quoted dir, epochs. */
START_TEST(test_load_seed_rewritten)
{
    struct sn_config c;
    const struct sn_config_master *m;

    load_golden(&c, "seed-rewritten.conf");
    ck_assert_str_eq(c.myid, "aa3d45daf2d6576fdf3d61a605cc2ca860930c32");
    ck_assert(!c.protected_mode);
    ck_assert_int_eq(c.port, 26379);
    ck_assert_str_eq(c.dir, "/home/cat/桌面");
    ck_assert(c.deny_scripts_reconfig);
    ck_assert_uint_eq(c.current_epoch, 1);
    m = sn_config_master_find(&c, "mainmaster");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->quorum, 1);
    ck_assert_int_eq(m->line, 8);
    ck_assert_uint_eq(m->config_epoch, 0);
    ck_assert_uint_eq(m->leader_epoch, 1);
    ck_assert_str_eq(m->leader, "");
    sn_config_free(&c);
}
END_TEST

/* Redis's order: pre-monitor set, monitors, the rest; so a per-master
 * line may come first, and resolve-hostnames may come last. */
START_TEST(test_load_order_master_lines_before_monitor)
{
    struct sn_config c;
    const struct sn_config_master *m;

    load_ok(&c,
            "sentinel down-after-milliseconds m 5000\n"
            "sentinel known-replica m 10.0.0.2 6379\n"
            "sentinel monitor m redis.example 6379 2\n"
            "SENTINEL Resolve-Hostnames yes\n"
            "sentinel config-epoch m 7\n"
            "sentinel current-epoch 3\n", "s.conf");
    m = sn_config_master_find(&c, "m");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->down_after_ms, 5000);
    ck_assert_int_eq(m->replicas_len, 1);
    ck_assert(c.resolve_hostnames);
    /* config-epoch raises current-epoch, applied after it. */
    ck_assert_uint_eq(c.current_epoch, 7);
    sn_config_free(&c);
}
END_TEST

START_TEST(test_load_directives_case_insensitive)
{
    struct sn_config c;

    load_ok(&c, "PORT 1234\nDaemonize YES\nSentinel MONITOR m 1.2.3.4 1 1\n"
            "SENTINEL known-SLAVE m 1.2.3.5 2\n", "s.conf");
    ck_assert_int_eq(c.port, 1234);
    ck_assert(c.daemonize);
    ck_assert_int_eq(c.masters[0].replicas_len, 1);
    sn_config_free(&c);
}
END_TEST

/* What Redis writes and what redis.conf copies hold is accepted. */
START_TEST(test_load_kept_server_directives)
{
    struct sn_config c;

    load_ok(&c,
            "user default on nopass ~* +@all\n"
            "user alice on "
            "#ff5683bc0bb1b9d23590ec7dd48051aa2d3acb8766e6d7e0aafadf98c1b41175"
            " ~* &* +@all\n"
            "protected-mode no\n"
            "latency-tracking-info-percentiles 50 99 99.9\n"
            "repl-diskless-sync-delay 5\n"
            "enable-protected-configs no\n"
            "enable-debug-command no\n"
            "enable-module-command no\n"
            "save \"\"\n"
            "appendonly no\n"
            "supervised systemd\n"
            "tcp-keepalive 300\n"
            "tls-replication yes\n"
            "rename-command CONFIG \"\"\n"
            "sentinel\n", "s.conf");
    ck_assert(!c.protected_mode);
    sn_config_free(&c);
}
END_TEST

/* Leniency 1: a trailing `# comment` after the arguments; a value that
 * starts with '#' is still a value. */
START_TEST(test_load_trailing_comment_and_hash_value)
{
    struct sn_config c;

    load_ok(&c,
            "requirepass #abc # the password\n"
            "bind 127.0.0.1 ::1 #both\n"
            "sentinel monitor m 1.2.3.4 6379 2 #comment\n"
            "sentinel auth-pass m #pw #comment\n"
            "sentinel known-sentinel m 1.2.3.5 26379 # no run id\n",
            "s.conf");
    ck_assert_str_eq(c.requirepass, "#abc");
    ck_assert_int_eq(c.bind_len, 2);
    ck_assert_str_eq(c.masters[0].auth_pass, "#pw");
    /* The old known-sentinel form is ignored, as Redis does. */
    ck_assert_int_eq(c.masters[0].peers_len, 0);
    sn_config_free(&c);
}
END_TEST

START_TEST(test_load_broken_golden)
{
    char *text = golden_read("broken.conf", NULL);
    char *errs = load_fail(text);

    golden_check("broken.errors", errs);
    free(errs);
    free(text);
}
END_TEST

START_TEST(test_load_quorum_zero)
{
    char *e = load_fail("port 26379\nsentinel monitor m 1.2.3.4 6379 0\n"
                        "sentinel down-after-milliseconds m 5000\n");

    /* One error: the master's other lines do not pile up on it. */
    ck_assert_str_eq(e, "s.conf:2: quorum must be 1 or greater\n");
    free(e);
}
END_TEST

START_TEST(test_load_unknown_directive)
{
    char *e = load_fail("# a comment\n\nfrobnicate yes\n");

    ck_assert_str_eq(e, "s.conf:3: unknown directive 'frobnicate'\n");
    free(e);
    e = load_fail("sentinel frobnicate m 1\n");
    ck_assert_str_eq(e, "s.conf:1: unknown sentinel directive "
                     "'frobnicate'\n");
    free(e);
}
END_TEST

START_TEST(test_load_unbalanced_quote)
{
    char *e = load_fail("port 26379\ndir \"/tmp\n");

    ck_assert_str_eq(e, "s.conf:2: unbalanced quotes in configuration "
                     "line\n");
    free(e);
    e = load_fail("dir \"/tmp\"x\n");
    ck_assert_str_eq(e, "s.conf:1: a closing quote must be followed by a "
                     "space or the end of the line\n");
    free(e);
}
END_TEST

START_TEST(test_load_bad_port)
{
    char *e = load_fail("port 99999\n");

    ck_assert_str_eq(e, "s.conf:1: port must be an integer between 0 and "
                     "65535\n");
    free(e);
    e = load_fail("port 26379 26380\n");
    ck_assert_str_eq(e, "s.conf:1: port takes 1 value (port), got 2\n");
    free(e);
}
END_TEST

START_TEST(test_load_include_and_loadmodule_refused)
{
    char *e = load_fail("include /etc/redis/common.conf\n"
                        "loadmodule /usr/lib/redis/m.so\n");

    ck_assert_str_eq(e, "s.conf:1: 'include' is not supported: this "
                     "sentinel follows no includes; merge the included "
                     "file into this one\n"
                     "s.conf:2: 'loadmodule' is not supported: this "
                     "sentinel loads no modules\n");
    free(e);
}
END_TEST

START_TEST(test_load_leader_epoch_takes_one_value)
{
    char *e = load_fail("sentinel monitor m 1.2.3.4 6379 2\n"
                        "sentinel leader-epoch m 1 "
                        "aa3d45daf2d6576fdf3d61a605cc2ca860930c32\n");

    ck_assert_str_eq(e, "s.conf:2: leader-epoch takes 1 value (epoch), "
                     "got 2\n");
    free(e);
}
END_TEST

START_TEST(test_load_line_and_argument_limits)
{
    struct sn_buf b;
    char *e;

    sn_buf_init(&b);
    sn_buf_puts(&b, "# long\nrequirepass ");
    for (int i = 0; i < SN_CONFIG_REDIS_LINE_MAX; i++)
        sn_buf_putc(&b, 'a');
    sn_buf_putc(&b, '\n');
    e = load_fail(b.data);
    ck_assert_str_eq(e, "s.conf:2: line longer than 65536 bytes\n");
    free(e);

    sn_buf_reset(&b);
    sn_buf_puts(&b, "bind");
    for (int i = 0; i < SN_CONFIG_ARGS_MAX; i++)
        sn_buf_puts(&b, " 1.2.3.4");
    e = load_fail(b.data);
    ck_assert_str_eq(e, "s.conf:1: more than 64 arguments on one line\n");
    free(e);
    sn_buf_free(&b);

    e = load_fail("requirepass \"a\\x00b\"\n");
    ck_assert_str_eq(e, "s.conf:1: argument 1 holds a NUL byte\n");
    free(e);
}
END_TEST

START_TEST(test_load_host_name_needs_resolve_hostnames)
{
    char *e = load_fail("sentinel monitor m redis.example 6379 2\n");

    ck_assert_str_eq(e, "s.conf:1: host 'redis.example' of master 'm' is "
                     "not an IP address (set resolve-hostnames to yes to "
                     "use host names)\n");
    free(e);
}
END_TEST

/* ---------------------------------------------------------------------
 * Rewriting
 * ------------------------------------------------------------------- */

/* A file Redis wrote is rewritten to itself when nothing changed. */
START_TEST(test_rewrite_seed_rewritten_unchanged)
{
    struct sn_config c;
    char *text = golden_read("seed-rewritten.conf", NULL), *out;

    load_ok(&c, text, "seed-rewritten.conf");
    out = rewrite(&c);
    ck_assert_str_eq(out, text);
    check_roundtrip(&c, out);
    free(out);
    free(text);
    sn_config_free(&c);
}
END_TEST

/* The hand-written file: its comments stay, including those after the
 * values; the state Redis always writes goes after the marker. */
START_TEST(test_rewrite_seed_handwritten_unchanged)
{
    struct sn_config c;
    char *out;

    load_golden(&c, "seed-handwritten.conf");
    out = rewrite(&c);
    golden_check("seed-handwritten.rewrite.conf", out);
    check_roundtrip(&c, out);
    free(out);
    sn_config_free(&c);
}
END_TEST

static void
add_master_line(struct sn_config *c, const char *name, const char *key,
                const char *a, const char *b, const char *d)
{
    char *argv[3] = { (char *)a, (char *)b, (char *)d };
    int argc = d != NULL ? 3 : b != NULL ? 2 : 1;
    char err[256];

    ck_assert_msg(sn_config_set_master(c, name, key, argc, argv, err,
                                       sizeof(err)) == 0, "%s", err);
}

/* Every directive, kept server lines among them: the kept lines stay as
 * they are, known-slave becomes known-replica, the old known-sentinel
 * form goes, as in Redis. */
START_TEST(test_rewrite_everything_unchanged)
{
    struct sn_config c;
    char *out;

    load_golden(&c, "everything.conf");
    out = rewrite(&c);
    golden_check("everything.rewrite.conf", out);
    check_roundtrip(&c, out);
    free(out);
    sn_config_free(&c);
}
END_TEST

/* sn_config_load() finds the format by shape and comes here. */
START_TEST(test_load_dispatch_detects_redis_format)
{
    const char *names[] = { "seed-handwritten.conf", "seed-rewritten.conf" };

    for (int i = 0; i < 2; i++) {
        struct sn_config c;
        struct sn_config_errors e = { 0 };
        size_t len;
        char *text = golden_read(names[i], &len);

        sn_config_init(&c);
        ck_assert_int_eq(sn_config_detect(text, len), SN_CONFIG_FORMAT_REDIS);
        ck_assert_int_eq(sn_config_load(&c, text, len, names[i], &e), 0);
        ck_assert_int_eq(c.format, SN_CONFIG_FORMAT_REDIS);
        ck_assert_int_eq(c.masters_len, 1);
        free(text);
        sn_config_free(&c);
    }
}
END_TEST

/* What a running sentinel learns: its id, replicas and peers, a failover
 * that moved the master, epochs. */
static void
learn_state(struct sn_config *c)
{
    struct sn_config_master *m = sn_config_master_find(c, "mainmaster");
    char *myid[1] = { "aa3d45daf2d6576fdf3d61a605cc2ca860930c32" };
    char err[256];

    ck_assert_ptr_nonnull(m);
    if (c->myid[0] == '\0')
        ck_assert(sn_config_set_process(c, "myid", 1, myid, err,
                                        sizeof(err)) == 0);
    /* switch-master: the replica on 7001 is the master now, and the old
     * master is a replica. */
    sn_set_str(&m->host, "192.168.193.129");
    m->port = 7001;
    add_master_line(c, "mainmaster", "known-replica", "192.168.193.129",
                    "6379", NULL);
    add_master_line(c, "mainmaster", "known-replica", "192.168.193.129",
                    "7002", NULL);
    add_master_line(c, "mainmaster", "known-sentinel", "192.168.193.130",
                    "26379", "5f1fd0e4c0e3bbf1bd68b5b4c8c0a93e3b6cb1c2");
    add_master_line(c, "mainmaster", "known-sentinel", "192.168.193.131",
                    "26379", "0c9fa7c5f4d3f7d4bb3e0b5f0f4a6b0d8c3e2a11");
    m->config_epoch = 2;
    m->leader_epoch = 2;
    c->current_epoch = 2;
}

START_TEST(test_rewrite_seed_handwritten_after_failover)
{
    struct sn_config c;
    char *out;

    load_golden(&c, "seed-handwritten.conf");
    learn_state(&c);
    sn_config_master_find(&c, "mainmaster")->down_after_ms = 5000;
    out = rewrite(&c);
    golden_check("seed-handwritten.failover.conf", out);
    check_roundtrip(&c, out);
    free(out);
    sn_config_free(&c);
}
END_TEST

START_TEST(test_rewrite_seed_rewritten_after_failover)
{
    struct sn_config c;
    char *out;

    load_golden(&c, "seed-rewritten.conf");
    learn_state(&c);
    out = rewrite(&c);
    golden_check("seed-rewritten.failover.conf", out);
    check_roundtrip(&c, out);
    free(out);
    sn_config_free(&c);
}
END_TEST

/* Slots: a removed master's lines go or are reused (without their
 * comment), known-slave lines are slots for known-replica, a default value
 * the user wrote stays, values that need quotes get them, string options
 * are always quoted as Redis does, new lines go at the end. */
START_TEST(test_rewrite_slots_and_quoting)
{
    struct sn_config c;
    char *out;

    load_ok(&c,
            "# mine\n"
            "logfile /var/log/s.log # the log\n"
            "sentinel monitor gone 10.0.0.9 6379 2\n"
            "sentinel monitor m 10.0.0.1 6379 2\n"
            "sentinel parallel-syncs m 1\n"
            "sentinel known-slave m 10.0.0.2 6379\n"
            "sentinel down-after-milliseconds gone 1000 # gone too\n"
            "\n"
            "\n"
            "# Generated by CONFIG REWRITE\n"
            "sentinel current-epoch 0\n", "s.conf");
    ck_assert_int_eq(sn_config_master_remove(&c, "gone"), 0);
    sn_set_str(&c.masters[0].auth_pass, "pa ss");
    c.masters[0].down_after_ms = 2000;
    sn_set_str(&c.announce_ip, "10.0.0.100");
    sn_set_str(&c.sentinel_pass, "");
    c.announce_port = 26380;
    out = rewrite(&c);
    ck_assert_str_eq(out,
                     "# mine\n"
                     "logfile \"/var/log/s.log\" # the log\n"
                     "sentinel monitor m 10.0.0.1 6379 2\n"
                     "sentinel parallel-syncs m 1\n"
                     "sentinel known-replica m 10.0.0.2 6379\n"
                     "sentinel down-after-milliseconds m 2000\n"
                     "\n"
                     "\n"
                     "# Generated by CONFIG REWRITE\n"
                     "sentinel current-epoch 0\n"
                     "sentinel auth-pass m \"pa ss\"\n"
                     "sentinel config-epoch m 0\n"
                     "sentinel leader-epoch m 0\n"
                     "sentinel announce-ip \"10.0.0.100\"\n"
                     "sentinel announce-port 26380\n");
    free(out);
    /* An empty sentinel-pass means none when loaded: that is the model. */
    sn_set_str(&c.sentinel_pass, NULL);
    out = rewrite(&c);
    check_roundtrip(&c, out);
    free(out);
    sn_config_free(&c);
}
END_TEST

/* Process directives changed at run time: in place, or appended when not
 * the default; indentation and CR LF endings stay. */
START_TEST(test_rewrite_process_in_place_crlf)
{
    struct sn_config c;
    char *out;

    load_ok(&c, "  port 26379\r\nloglevel notice\r\n", "s.conf");
    c.port = 26380;
    c.loglevel = SN_LOG_WARNING;
    c.daemonize = true;
    sn_set_str(&c.dir, "/var/lib/sentinel");
    out = rewrite(&c);
    ck_assert_str_eq(out,
                     "  port 26380\r\n"
                     "loglevel warning\r\n"
                     "# Generated by CONFIG REWRITE\r\n"
                     "daemonize yes\r\n"
                     "dir \"/var/lib/sentinel\"\r\n"
                     "sentinel current-epoch 0\r\n");
    check_roundtrip(&c, out);
    free(out);
    sn_config_free(&c);
}
END_TEST

/* No document: a fresh file. A file without a final newline keeps it
 * that way when nothing is appended. */
START_TEST(test_rewrite_without_document)
{
    struct sn_config c;
    char *out, err[128];
    char *argv[3] = { "127.0.0.1", "6379", "2" };

    sn_config_init(&c);
    c.format = SN_CONFIG_FORMAT_REDIS;
    ck_assert(sn_config_set_master(&c, "m", "monitor", 3, argv, err,
                                   sizeof(err)) == 0);
    out = rewrite(&c);
    ck_assert_str_eq(out,
                     "# Generated by CONFIG REWRITE\n"
                     "sentinel monitor m 127.0.0.1 6379 2\n"
                     "sentinel config-epoch m 0\n"
                     "sentinel leader-epoch m 0\n"
                     "sentinel current-epoch 0\n");
    check_roundtrip(&c, out);
    free(out);
    sn_config_free(&c);

    load_ok(&c, "sentinel current-epoch 5", "s.conf");
    out = rewrite(&c);
    ck_assert_str_eq(out, "sentinel current-epoch 5");
    free(out);
    sn_config_free(&c);
}
END_TEST

/* Many masters: a rewrite finds each line's slot through an index, not a
 * scan of the file per line, so 2,000 masters (20,000 lines) rewrite and
 * load in a few tens of milliseconds. Not timed (a slow run shows as a
 * slow test); checked for the same bytes and model instead. */
START_TEST(test_rewrite_many_masters)
{
    struct sn_config c, loaded;
    char *out, *after;
    const char *at;
    int markers = 0;

    big_model(&c, SN_CONFIG_FORMAT_REDIS, 2000);
    out = rewrite(&c);
    check_roundtrip(&c, out);
    /* A failover in the middle: its lines change in place. */
    load_ok(&loaded, out, "big.conf");
    big_failover(&loaded, 1000);
    after = rewrite(&loaded);
    ck_assert_uint_eq(strlen(after), strlen(out));
    ck_assert_ptr_nonnull(strstr(after, "\nsentinel monitor m1000 10.4.0.2 "
                                 "6379 2\nsentinel down-after-milliseconds "
                                 "m1000 5000\n"));
    ck_assert_ptr_nonnull(strstr(after, "\nsentinel config-epoch m1000 "
                                 "1001\n"));
    ck_assert_ptr_nonnull(strstr(after, "\nsentinel known-replica m1000 "
                                 "10.4.0.1 6379\n"));
    for (at = after; (at = strstr(at, "# Generated by")) != NULL; at++)
        markers++;
    ck_assert_int_eq(markers, 1);
    free(after);
    free(out);
    sn_config_free(&loaded);
    sn_config_free(&c);
}
END_TEST

/* ---------------------------------------------------------------------
 * Conversion to INI
 * ------------------------------------------------------------------- */

static void
check_convert(const char *conf, const char *ini_golden,
              const char *warn_golden)
{
    struct sn_config c, back;
    struct sn_config_errors w = { 0 }, e = { 0 };
    char *ini, *wt;

    load_golden(&c, conf);
    ini = sn_config_to_ini(&c, conf, &w);
    golden_check(ini_golden, ini);
    wt = errors_text(&w);
    golden_check(warn_golden, wt);
    ck_assert_int_eq(sn_config_detect(ini, strlen(ini)),
                     SN_CONFIG_FORMAT_INI);
    sn_config_init(&back);
    if (sn_config_load_ini(&back, ini, strlen(ini), ini_golden, &e) != 0) {
        char *t = errors_text(&e);

        ck_abort_msg("the INI conversion does not load:\n%s", t);
    }
    ck_assert_msg(sn_config_equal(&c, &back),
                  "the INI conversion loads into another model:\n%s", ini);
    free(wt);
    free(ini);
    sn_config_errors_free(&w);
    sn_config_errors_free(&e);
    sn_config_free(&back);
    sn_config_free(&c);
}

START_TEST(test_to_ini_seed_handwritten)
{
    check_convert("seed-handwritten.conf", "seed-handwritten.ini",
                  "seed-handwritten.ini.warnings");
}
END_TEST

START_TEST(test_to_ini_seed_rewritten)
{
    check_convert("seed-rewritten.conf", "seed-rewritten.ini",
                  "seed-rewritten.ini.warnings");
}
END_TEST

START_TEST(test_to_ini_everything)
{
    check_convert("everything.conf", "everything.ini",
                  "everything.ini.warnings");
}
END_TEST

/* ---------------------------------------------------------------------
 * The suite
 * ------------------------------------------------------------------- */

static Suite *
config_redis_suite(void)
{
    Suite *s = suite_create("config_redis");
    TCase *t = tcase_create("split");

    tcase_add_test(t, test_split_blanks_separate);
    tcase_add_test(t, test_split_double_quote_escapes);
    tcase_add_test(t, test_split_hex_escape_to_utf8);
    tcase_add_test(t, test_split_single_quotes_only_escape_quote);
    tcase_add_test(t, test_split_quotes_inside_token_and_empty);
    tcase_add_test(t, test_split_unbalanced_quotes);
    tcase_add_test(t, test_split_quote_followed_by_letter);
    tcase_add_test(t, test_unquote_one_token);
    tcase_add_test(t, test_quote_only_when_needed);
    tcase_add_test(t, test_quote_split_roundtrip);
    suite_add_tcase(s, t);

    t = tcase_create("load");
    tcase_add_test(t, test_load_seed_handwritten);
    tcase_add_test(t, test_load_seed_rewritten);
    tcase_add_test(t, test_load_order_master_lines_before_monitor);
    tcase_add_test(t, test_load_directives_case_insensitive);
    tcase_add_test(t, test_load_kept_server_directives);
    tcase_add_test(t, test_load_trailing_comment_and_hash_value);
    tcase_add_test(t, test_load_broken_golden);
    tcase_add_test(t, test_load_quorum_zero);
    tcase_add_test(t, test_load_unknown_directive);
    tcase_add_test(t, test_load_unbalanced_quote);
    tcase_add_test(t, test_load_bad_port);
    tcase_add_test(t, test_load_include_and_loadmodule_refused);
    tcase_add_test(t, test_load_leader_epoch_takes_one_value);
    tcase_add_test(t, test_load_line_and_argument_limits);
    tcase_add_test(t, test_load_host_name_needs_resolve_hostnames);
    tcase_add_test(t, test_load_dispatch_detects_redis_format);
    suite_add_tcase(s, t);

    t = tcase_create("rewrite");
    tcase_add_test(t, test_rewrite_seed_rewritten_unchanged);
    tcase_add_test(t, test_rewrite_seed_handwritten_unchanged);
    tcase_add_test(t, test_rewrite_seed_handwritten_after_failover);
    tcase_add_test(t, test_rewrite_seed_rewritten_after_failover);
    tcase_add_test(t, test_rewrite_everything_unchanged);
    tcase_add_test(t, test_rewrite_slots_and_quoting);
    tcase_add_test(t, test_rewrite_process_in_place_crlf);
    tcase_add_test(t, test_rewrite_without_document);
    tcase_add_test(t, test_rewrite_many_masters);
    suite_add_tcase(s, t);

    t = tcase_create("to_ini");
    tcase_add_test(t, test_to_ini_seed_handwritten);
    tcase_add_test(t, test_to_ini_seed_rewritten);
    tcase_add_test(t, test_to_ini_everything);
    suite_add_tcase(s, t);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(config_redis_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
