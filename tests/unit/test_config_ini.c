/*
 * test_config_ini.c: the INI loader and rewriter (lib/config_ini.c).
 *
 * Golden files are under golden/config_ini/ (SN_GOLDEN_DIR): an input, and
 * the exact bytes its rewrite must give after a set of state changes made
 * through the API. SN_GOLDEN_UPDATE=1 rewrites the expected files instead
 * of comparing (then read the diff before committing it).
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_priv.h"
#include "util.h"

#define RUNID_A "0123456789abcdef0123456789abcdef01234567"
#define RUNID_B "89abcdef0123456789abcdef0123456789abcdef"
#define RUNID_C "fedcba9876543210fedcba9876543210fedcba98"

static struct sn_config cfg;
static struct sn_config_errors errs;
static char err[512];

static void
setup(void)
{
    sn_config_init(&cfg);
    memset(&errs, 0, sizeof(errs));
}

static void
teardown(void)
{
    sn_config_free(&cfg);
    sn_config_errors_free(&errs);
}

/* ---------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------- */

static char *
golden_path(const char *name)
{
    const char *dir = getenv("SN_GOLDEN_DIR");

    ck_assert_msg(dir != NULL, "SN_GOLDEN_DIR is not set");
    return sn_printf("%s/config_ini/%s", dir, name);
}

static char *
golden_read(const char *name, size_t *len)
{
    char *path = golden_path(name);
    FILE *f = fopen(path, "rb");
    struct sn_buf b;
    char chunk[4096];
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    sn_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        sn_buf_append(&b, chunk, n);
    fclose(f);
    free(path);
    return sn_buf_steal(&b, len);
}

static void
golden_check(const char *name, const char *text, size_t len)
{
    size_t want_len;
    char *want;

    if (getenv("SN_GOLDEN_UPDATE") != NULL) {
        char *path = golden_path(name);
        FILE *f = fopen(path, "wb");

        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(text, 1, len, f), len);
        fclose(f);
        free(path);
    }
    want = golden_read(name, &want_len);
    ck_assert_msg(want_len == len && memcmp(want, text, len) == 0,
                  "%s differs; got:\n%s", name, text);
    free(want);
}

static const char *
all_errors(void)
{
    static char buf[4096];
    int i;

    buf[0] = '\0';
    for (i = 0; i < errs.len; i++)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s\n",
                 errs.msgs[i]);
    return buf;
}

static int
load_into(struct sn_config *c, const char *text)
{
    sn_config_errors_free(&errs);
    return sn_config_load_ini(c, text, strlen(text), "t.ini", &errs);
}

static int
load(const char *text)
{
    return load_into(&cfg, text);
}

static void
load_ok(const char *text)
{
    ck_assert_msg(load(text) == 0, "errors:\n%s", all_errors());
    ck_assert_int_eq(errs.len, 0);
}

/* The load fails with exactly these messages, newline-separated. */
static void
load_fails(const char *text, const char *want)
{
    ck_assert_int_eq(load(text), -1);
    ck_assert_str_eq(all_errors(), want);
}

static void
setm(const char *name, const char *key, const char *args)
{
    char **argv;
    int argc = sn_config_split(args, &argv);

    ck_assert_msg(sn_config_set_master(&cfg, name, key, argc, argv, err,
                                       sizeof(err)) == 0, "%s", err);
    sn_config_argv_free(argc, argv);
}

static void
setp(const char *key, const char *args)
{
    char **argv;
    int argc = sn_config_split(args, &argv);

    ck_assert_msg(sn_config_set_process(&cfg, key, argc, argv, err,
                                        sizeof(err)) == 0, "%s", err);
    sn_config_argv_free(argc, argv);
}

static char *
rewrite(const struct sn_config *c)
{
    size_t len;
    char *text = sn_config_rewrite(c, &len);

    ck_assert_uint_eq(len, strlen(text));
    return text;
}

/* Rewrite c, load the result: an equal model; rewrite that: the same
 * bytes. Returns the first rewrite. */
static char *
check_roundtrip(const struct sn_config *c)
{
    struct sn_config again;
    char *first = rewrite(c), *second;

    sn_config_init(&again);
    ck_assert_msg(load_into(&again, first) == 0, "reload failed:\n%s\n%s",
                  all_errors(), first);
    ck_assert_msg(sn_config_equal(c, &again), "reload differs:\n%s", first);
    second = rewrite(&again);
    ck_assert_str_eq(second, first);
    free(second);
    sn_config_free(&again);
    return first;
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

/* ---------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------- */

START_TEST(test_design_example_loads)
{
    size_t len;
    char *text = golden_read("design.ini", &len);
    struct sn_config_master *m;

    ck_assert_int_eq(sn_config_detect(text, len), SN_CONFIG_FORMAT_INI);
    ck_assert_msg(sn_config_load(&cfg, text, len, "design.ini", &errs) == 0,
                  "%s", all_errors());
    ck_assert_int_eq(cfg.port, 26379);
    ck_assert_int_eq(cfg.bind_len, 1);
    ck_assert_str_eq(cfg.bind[0], "0.0.0.0");
    ck_assert(cfg.daemonize);
    ck_assert_str_eq(cfg.dir, "/var/lib/sentinel");
    ck_assert_int_eq(cfg.masters_len, 1);
    m = &cfg.masters[0];
    ck_assert_str_eq(m->name, "mainmaster");
    ck_assert_str_eq(m->host, "192.168.193.129");
    ck_assert_int_eq(m->port, 6379);
    ck_assert_int_eq(m->quorum, 2);
    ck_assert_str_eq(m->auth_pass, "emei268");
    ck_assert_int_eq(m->down_after_ms, 10000);
    ck_assert_int_eq(m->parallel_syncs, 1);
    ck_assert_int_eq(m->failover_timeout_ms, 60000);
    ck_assert_int_eq(m->line, 7);
    free(text);
}
END_TEST

START_TEST(test_keys_before_monitor_are_applied)
{
    load_ok("[m]\n"
            "auth-pass = pw\n"
            "notification-script = /bin/notify\n"
            "monitor = 10.0.0.1 6379 2\n");
    ck_assert_str_eq(cfg.masters[0].auth_pass, "pw");
    ck_assert_str_eq(cfg.masters[0].notification_script, "/bin/notify");
    ck_assert_int_eq(cfg.masters[0].notification_script_line, 3);
    ck_assert_int_eq(cfg.masters[0].line, 1);
}
END_TEST

START_TEST(test_line_too_long_refused_with_line)
{
    char line[300], text[600];

    memset(line, 'a', sizeof(line));
    /* "auth-pass = " and 185 bytes: 197 in all. */
    memcpy(line, "auth-pass = ", 12);
    line[197] = '\0';
    snprintf(text, sizeof(text), "[m]\nmonitor = 10.0.0.1 6379 2\n%s\n",
             line);
    load_fails(text, "t.ini:3: line too long (197 bytes, the limit is "
                     "196)\n");
    ck_assert_ptr_null(cfg.masters[0].auth_pass);
    /* 196 bytes are fine, and read whole. */
    line[196] = '\0';
    snprintf(text, sizeof(text), "[m]\nmonitor = 10.0.0.1 6379 2\n%s\n",
             line);
    sn_config_free(&cfg);
    sn_config_init(&cfg);
    load_ok(text);
    ck_assert_uint_eq(strlen(cfg.masters[0].auth_pass), 196 - 12);
}
END_TEST

START_TEST(test_long_comment_is_harmless)
{
    char text[1200];

    snprintf(text, sizeof(text), "[sentinel]\n# %0900d\nport = 1\n", 0);
    load_ok(text);
    ck_assert_int_eq(cfg.port, 1);
}
END_TEST

START_TEST(test_section_name_over_49_refused)
{
    const char *name49 = "m234567890123456789012345678901234567890123456789";

    load_fails("[m2345678901234567890123456789012345678901234567890]\n"
               "monitor = 10.0.0.1 6379 2\n"
               "bogus = 1\n",
               "t.ini:1: section name too long (50 characters, the limit "
               "is 49)\n");
    ck_assert_int_eq(cfg.masters_len, 0);
    sn_config_free(&cfg);
    sn_config_init(&cfg);
    {
        char text[200];

        snprintf(text, sizeof(text), "[%s]\nmonitor = 10.0.0.1 6379 2\n",
                 name49);
        load_ok(text);
        ck_assert_str_eq(cfg.masters[0].name, name49);
    }
}
END_TEST

START_TEST(test_key_name_over_49_refused)
{
    load_fails("[sentinel]\n"
               "k234567890123456789012345678901234567890123456789x = 1\n",
               "t.ini:2: key name too long (50 characters, the limit is "
               "49)\n");
}
END_TEST

START_TEST(test_bad_section_headers)
{
    load_fails("[sentinel\n"
               "[]\n"
               "[my master]\n"
               "[m] extra\n"
               "[sentinel] ; fine\n"
               "port = 2\n",
               "t.ini:1: missing ']' in section header\n"
               "t.ini:2: empty section name\n"
               "t.ini:3: a section name must not contain spaces or "
               "control characters\n"
               "t.ini:4: unexpected text after section header\n");
    ck_assert_int_eq(cfg.port, 2);
}
END_TEST

START_TEST(test_unknown_key_names_key_and_section)
{
    load_fails("[sentinel]\n"
               "foo = 1\n"
               "[mymaster]\n"
               "monitor = 10.0.0.1 6379 2\n"
               "bar = 2\n",
               "t.ini:2: unknown key 'foo' in section [sentinel]\n"
               "t.ini:5: unknown key 'bar' in section [mymaster]\n");
}
END_TEST

START_TEST(test_key_in_wrong_section_says_where)
{
    load_fails("[sentinel]\n"
               "auth-pass = x\n"
               "[m]\n"
               "monitor = 10.0.0.1 6379 2\n"
               "port = 1\n",
               "t.ini:2: key 'auth-pass' belongs in a master's section, "
               "not in [sentinel]\n"
               "t.ini:5: key 'port' belongs in the [sentinel] section, not "
               "in [m]\n");
}
END_TEST

START_TEST(test_key_before_any_section)
{
    load_fails("# hello\n"
               "port = 1\n"
               "[sentinel]\n",
               "t.ini:2: key 'port' comes before any [section]\n");
}
END_TEST

START_TEST(test_line_without_separator)
{
    load_fails("[sentinel]\n"
               "port 26379\n",
               "t.ini:2: expected 'key = value' or a [section] header\n");
}
END_TEST

START_TEST(test_missing_monitor_names_section_line)
{
    load_fails("[sentinel]\n"
               "\n"
               "[m]\n"
               "down-after-milliseconds = 1000\n",
               "t.ini:3: section [m] has no monitor key\n");
}
END_TEST

START_TEST(test_monitor_twice_and_section_twice)
{
    load_fails("[m]\n"
               "monitor = 10.0.0.1 6379 2\n"
               "monitor = 10.0.0.2 6379 2\n"
               "[m]\n"
               "auth-pass = x\n"
               "[sentinel]\n"
               "[SENTINEL]\n",
               "t.ini:4: section [m] given twice (first at line 1)\n"
               "t.ini:7: section [SENTINEL] given twice (first at line 6)\n"
               "t.ini:3: monitor given twice in section [m]\n");
    ck_assert_str_eq(cfg.masters[0].host, "10.0.0.1");
    ck_assert_ptr_null(cfg.masters[0].auth_pass);
}
END_TEST

START_TEST(test_value_errors_have_their_line)
{
    load_fails("[sentinel]\n"
               "port = 99999\n"
               "[m]\n"
               "down-after-milliseconds = 0\n"
               "monitor = 10.0.0.1 6379 0\n"
               "[n]\n"
               "monitor = 10.0.0.1 6379 1\n"
               "parallel-syncs = -1\n",
               "t.ini:2: port must be an integer between 0 and 65535\n"
               "t.ini:5: quorum must be 1 or greater\n"
               "t.ini:8: parallel-syncs must be a positive integer\n");
}
END_TEST

START_TEST(test_errors_stop_at_max)
{
    struct sn_buf b;
    int i;

    sn_buf_init(&b);
    sn_buf_puts(&b, "[sentinel]\n");
    for (i = 0; i < 150; i++)
        sn_buf_printf(&b, "k%d = 1\n", i);
    ck_assert_int_eq(load(b.data), -1);
    ck_assert_int_eq(errs.len, SN_CONFIG_ERRORS_MAX);
    ck_assert_str_eq(errs.msgs[0], "t.ini:2: unknown key 'k0' in section "
                                   "[sentinel]");
    ck_assert_str_eq(errs.msgs[SN_CONFIG_ERRORS_MAX - 1],
                     "too many errors: only the first ones are shown");
    sn_buf_free(&b);
}
END_TEST

START_TEST(test_host_needs_resolve_hostnames_set_anywhere)
{
    const char *text = "[m]\n"
                       "monitor = redis.example 6379 2\n";
    struct sn_buf b;

    load_fails(text, "t.ini:1: host 'redis.example' of master 'm' is not "
                     "an IP address (set resolve-hostnames to yes to use "
                     "host names)\n");
    sn_config_free(&cfg);
    sn_config_init(&cfg);
    /* [sentinel] after the master: still seen. */
    sn_buf_init(&b);
    sn_buf_printf(&b, "%s[sentinel]\nresolve-hostnames = yes\n", text);
    load_ok(b.data);
    ck_assert_str_eq(cfg.masters[0].host, "redis.example");
    sn_buf_free(&b);
}
END_TEST

/* ---------------------------------------------------------------------
 * Values: quoting, comments, separators
 * ------------------------------------------------------------------- */

START_TEST(test_quoted_values_with_spaces_and_semicolons)
{
    load_ok("[sentinel]\n"
            "requirepass = pa ss word\n"
            "sentinel-pass = \"  a b;c # d \"\n"
            "sentinel-user = \"x\\x3b y\\x23\" ; a comment\n"
            "port = 26380 ; a comment\n"
            "logfile = a;b#c\n"
            "[m]\n"
            "monitor = 10.0.0.1 6379 2\n"
            "auth-pass = \"say \\\"hi\\\"\"\n"
            "rename-command = config \"my cfg\"\n");
    ck_assert_str_eq(cfg.requirepass, "pa ss word");
    ck_assert_str_eq(cfg.sentinel_pass, "  a b;c # d ");
    ck_assert_str_eq(cfg.sentinel_user, "x; y#");
    ck_assert_int_eq(cfg.port, 26380);
    ck_assert_str_eq(cfg.logfile, "a;b#c");
    ck_assert_str_eq(cfg.masters[0].auth_pass, "say \"hi\"");
    ck_assert_str_eq(cfg.masters[0].renames[0].to, "my cfg");
    free(check_roundtrip(&cfg));
}
END_TEST

START_TEST(test_semicolon_after_space_in_quotes_refused)
{
    load_fails("[sentinel]\n"
               "requirepass = \"a ;b\"\n"
               "[m]\n"
               "monitor = 10.0.0.1 6379 2\n"
               "rename-command = config 'my ;cfg'\n",
               "t.ini:2: a ';' after a space starts a comment, even inside "
               "quotes: write it as \\x3b in the value of requirepass\n"
               "t.ini:5: a ';' after a space starts a comment, even inside "
               "quotes: write it as \\x3b in the value of rename-command\n");
    ck_assert_ptr_null(cfg.requirepass);
}
END_TEST

START_TEST(test_bad_quoting_refused)
{
    load_fails("[sentinel]\n"
               "requirepass = \"abc\n"
               "sentinel-pass = \"abc\" def\n"
               "[m]\n"
               "monitor = 10.0.0.1 \"6379 2\n",
               "t.ini:2: bad quoting in the value of requirepass (a quoted "
               "value must be one whole quoted string)\n"
               "t.ini:3: bad quoting in the value of sentinel-pass (a "
               "quoted value must be one whole quoted string)\n"
               "t.ini:5: unbalanced quotes in the value of monitor\n");
}
END_TEST

START_TEST(test_quoted_control_characters_refused)
{
    load_fails("[sentinel]\n"
               "requirepass = \"a\\nb\"\n"
               "sentinel-pass = \"a\\x00b\"\n",
               "t.ini:2: requirepass value contains a control character "
               "(0x0a)\n"
               "t.ini:3: the value of sentinel-pass contains a NUL byte\n");
}
END_TEST

START_TEST(test_indented_line_is_not_a_continuation)
{
    load_ok("[sentinel]\n"
            "requirepass = abc\n"
            "   port = 26390\n"
            "\tdaemonize = yes\n");
    ck_assert_str_eq(cfg.requirepass, "abc");
    ck_assert_int_eq(cfg.port, 26390);
    ck_assert(cfg.daemonize);
}
END_TEST

START_TEST(test_colon_separator_and_bom)
{
    load_ok("\xef\xbb\xbf[sentinel]\n"
            "port: 26391\n"
            "[m]\n"
            "monitor: ::1 6379 1\n");
    ck_assert_int_eq(cfg.port, 26391);
    ck_assert_str_eq(cfg.masters[0].host, "::1");
}
END_TEST

START_TEST(test_known_sentinel_old_form_ignored)
{
    load_ok("[m]\n"
            "monitor = 10.0.0.1 6379 2\n"
            "known-sentinel = 10.0.0.2 26379\n"
            "known-sentinel = 10.0.0.3 26379 " RUNID_A "\n");
    ck_assert_int_eq(cfg.masters[0].peers_len, 1);
    ck_assert_str_eq(cfg.masters[0].peers[0].host, "10.0.0.3");
}
END_TEST

/* ---------------------------------------------------------------------
 * Rewriting
 * ------------------------------------------------------------------- */

/* The state changes a running sentinel makes, through the API. */
static void
shop_changes(void)
{
    struct sn_config_master *m;

    setp("myid", RUNID_A);
    cfg.current_epoch = 8;
    setp("announce-ip", "10.1.1.1");
    /* switch-master: 7001 was promoted; the old master is now a replica,
     * 7003 is gone. */
    m = sn_config_master_find(&cfg, "mainmaster");
    sn_set_str(&m->host, "192.168.193.129");
    m->port = 7001;
    m->replicas[0].port = 7002;
    m->replicas[1].port = 6379;
    free(m->replicas[2].host);
    m->replicas_len = 2;
    m->config_epoch = 8;
    m->leader_epoch = 8;
    memcpy(m->leader, RUNID_B, sizeof(m->leader));
    setm("cache", "known-replica", "10.0.0.6 6380");
    setm("cache", "known-sentinel", "10.0.0.8 26379 " RUNID_C);
    ck_assert_int_eq(sn_config_master_remove(&cfg, "oldmaster"), 0);
    setm("payments", "monitor", "10.0.1.1 6379 2");
    setm("payments", "auth-pass", "\"p w;d\"");
    setm("payments", "down-after-milliseconds", "5000");
}

START_TEST(test_golden_shop_rewrite)
{
    size_t len;
    char *text = golden_read("shop.ini", &len), *out;

    ck_assert_msg(sn_config_load(&cfg, text, len, "shop.ini", &errs) == 0,
                  "%s", all_errors());
    ck_assert_str_eq(cfg.sentinel_pass, "s3cret; with spaces");
    ck_assert_str_eq(cfg.logfile, "");
    ck_assert_int_eq(cfg.masters_len, 3);
    ck_assert_int_eq(cfg.masters[0].replicas_len, 3);
    ck_assert_str_eq(cfg.masters[2].name, "cache");
    /* Unchanged, the rewrite changes nothing but the spelling of managed
     * lines; changed, it must give the golden bytes. */
    shop_changes();
    out = check_roundtrip(&cfg);
    golden_check("shop.rewrite.ini", out, strlen(out));
    free(out);
    free(text);
}
END_TEST

START_TEST(test_golden_design_rewrite)
{
    size_t len;
    char *text = golden_read("design.ini", &len), *out;

    ck_assert_int_eq(sn_config_load(&cfg, text, len, "design.ini", &errs),
                     0);
    setp("myid", RUNID_A);
    cfg.current_epoch = 1;
    cfg.masters[0].leader_epoch = 1;
    setm("mainmaster", "known-replica", "192.168.193.129 7001");
    setm("mainmaster", "known-replica", "192.168.193.129 7002");
    out = check_roundtrip(&cfg);
    golden_check("design.rewrite.ini", out, strlen(out));
    free(out);
    free(text);
}
END_TEST

/* A model built in memory, every key away from its default. */
START_TEST(test_golden_fresh_file)
{
    char *out;

    setp("port", "26400");
    setp("bind", "127.0.0.1 ::1");
    setp("protected-mode", "yes");
    setp("daemonize", "yes");
    setp("pidfile", "/run/sentinel.pid");
    setp("logfile", "/var/log/sentinel.log");
    setp("loglevel", "warning");
    setp("syslog-enabled", "yes");
    setp("syslog-ident", "sentinel");
    setp("syslog-facility", "local3");
    setp("dir", "\"/home/cat/\\xe6\\xa1\\x8c\\xe9\\x9d\\xa2\"");
    setp("requirepass", "\" quote\\\" back\\\\slash; hash# \"");
    setp("maxclients", "500");
    setp("announce-ip", "10.1.1.1");
    setp("announce-port", "26401");
    setp("resolve-hostnames", "yes");
    setp("announce-hostnames", "yes");
    setp("deny-scripts-reconfig", "no");
    setp("sentinel-user", "sentinel");
    setp("sentinel-pass", "pw");
    setp("myid", RUNID_A);
    setp("current-epoch", "12");
    setm("a", "monitor", "redis-a.example 6379 2");
    setm("a", "down-after-milliseconds", "5000");
    setm("a", "failover-timeout", "60000");
    setm("a", "parallel-syncs", "2");
    setm("a", "auth-pass", "\"a;b\"");
    setm("a", "auth-user", "admin");
    setm("a", "notification-script", "/bin/n.sh");
    setm("a", "client-reconfig-script", "/bin/r.sh");
    setm("a", "master-reboot-down-after-period", "1000");
    setm("a", "rename-command", "CONFIG \"my config\"");
    setm("a", "rename-command", "slaveof replicaof2");
    setm("a", "config-epoch", "11");
    setm("a", "leader-epoch", "12 " RUNID_B);
    setm("a", "known-replica", "10.0.0.2 6380");
    setm("a", "known-replica", "10.0.0.3 6380");
    setm("a", "known-sentinel", "10.0.0.5 26379 " RUNID_B);
    setm("b", "monitor", "10.0.0.9 6379 1");
    out = check_roundtrip(&cfg);
    golden_check("fresh.ini", out, strlen(out));
    free(out);
}
END_TEST

START_TEST(test_rewrite_unchanged_keeps_every_byte)
{
    const char *text = "; top comment\n"
                       "\n"
                       "[sentinel]\n"
                       "  # indented comment\n"
                       "daemonize = no\n"
                       "port = 26379  ; the default, but written\n"
                       "current-epoch = 0\n"
                       "\n"
                       "\n"
                       "[m]\n"
                       "  known-replica = 10.0.0.3 6379\n"
                       "monitor = 10.0.0.1 6379 2\n"
                       "config-epoch = 0\n"
                       "leader-epoch = 0\n"
                       "# trailing\n";
    char *out;

    load_ok(text);
    out = check_roundtrip(&cfg);
    ck_assert_str_eq(out, text);
    free(out);
}
END_TEST

START_TEST(test_rewrite_repeated_key_last_wins_in_first_slot)
{
    char *out;

    load_ok("[sentinel]\n"
            "port = 1\n"
            "# between\n"
            "port = 2\n"
            "current-epoch = 0\n");
    ck_assert_int_eq(cfg.port, 2);
    out = check_roundtrip(&cfg);
    ck_assert_str_eq(out, "[sentinel]\n"
                          "port = 2\n"
                          "# between\n"
                          "current-epoch = 0\n");
    free(out);
}
END_TEST

START_TEST(test_rewrite_drops_unset_keys_and_adds_state)
{
    char *out;

    load_ok("[sentinel]\n"
            "pidfile = /run/s.pid\n"
            "\n"
            "[m]\n"
            "monitor = 10.0.0.1 6379 2\n"
            "known-slave = 10.0.0.2 6379\n"
            "auth-pass = x\n"
            "\n");
    sn_set_str(&cfg.pidfile, NULL);
    sn_set_str(&cfg.masters[0].auth_pass, NULL);
    out = check_roundtrip(&cfg);
    ck_assert_str_eq(out, "[sentinel]\n"
                          "current-epoch = 0\n"
                          "\n"
                          "[m]\n"
                          "monitor = 10.0.0.1 6379 2\n"
                          "known-replica = 10.0.0.2 6379\n"
                          "config-epoch = 0\n"
                          "leader-epoch = 0\n"
                          "\n");
    free(out);
}
END_TEST

START_TEST(test_rewrite_adds_sentinel_section_first)
{
    char *out;

    load_ok("# masters only\n"
            "[m]\n"
            "monitor = 10.0.0.1 6379 2\n");
    setp("myid", RUNID_A);
    out = check_roundtrip(&cfg);
    ck_assert_str_eq(out, "# masters only\n"
                          "\n"
                          "[sentinel]\n"
                          "myid = " RUNID_A "\n"
                          "current-epoch = 0\n"
                          "\n"
                          "[m]\n"
                          "monitor = 10.0.0.1 6379 2\n"
                          "config-epoch = 0\n"
                          "leader-epoch = 0\n");
    free(out);
}
END_TEST

START_TEST(test_crlf_file_stays_crlf)
{
    const char *text = "[sentinel]\r\n"
                       "requirepass = abc\r\n"
                       "current-epoch = 0\r\n"
                       "[m]\r\n"
                       "monitor = 10.0.0.1 6379 2\r\n"
                       "config-epoch = 0\r\n"
                       "leader-epoch = 0\r\n";
    char *out;

    load_ok(text);
    ck_assert_str_eq(cfg.requirepass, "abc");
    ck_assert(cfg.doc->crlf);
    out = check_roundtrip(&cfg);
    ck_assert_str_eq(out, text);
    free(out);
    cfg.current_epoch = 5;
    out = rewrite(&cfg);
    ck_assert_ptr_nonnull(strstr(out, "current-epoch = 5\r\n[m]\r\n"));
    free(out);
}
END_TEST

START_TEST(test_no_final_newline_kept)
{
    const char *text = "[sentinel]\ncurrent-epoch = 0";
    char *out;

    load_ok(text);
    out = check_roundtrip(&cfg);
    ck_assert_str_eq(out, text);
    free(out);
}
END_TEST

/* Many masters: a rewrite looks each section's master up through an
 * index, and the loader each key's, so 2,000 masters (24,000 lines)
 * rewrite and load in a few tens of milliseconds. Not timed (a slow run
 * shows as a slow test); checked for the same bytes and model instead. */
START_TEST(test_rewrite_many_masters)
{
    struct sn_config c, loaded;
    char *out, *after;

    big_model(&c, SN_CONFIG_FORMAT_INI, 2000);
    out = check_roundtrip(&c);
    /* A failover in the middle: its keys change in place. */
    sn_config_init(&loaded);
    ck_assert_msg(load_into(&loaded, out) == 0, "%s", all_errors());
    big_failover(&loaded, 1000);
    after = rewrite(&loaded);
    ck_assert_uint_eq(strlen(after), strlen(out));
    ck_assert_ptr_nonnull(strstr(after, "\n[m1000]\nmonitor = 10.4.0.2 "
                                 "6379 2\ndown-after-milliseconds = "
                                 "5000\n"));
    ck_assert_ptr_nonnull(strstr(after, "\nconfig-epoch = 1001\n"));
    ck_assert_ptr_nonnull(strstr(after, "\nknown-replica = 10.4.0.1 "
                                 "6379\n"));
    sn_config_free(&c);
    free(after);
    free(out);
    sn_config_free(&loaded);
}
END_TEST

START_TEST(test_rewrite_empty_doc)
{
    char *out;

    load_ok("");
    out = check_roundtrip(&cfg);
    ck_assert_str_eq(out, "[sentinel]\ncurrent-epoch = 0\n");
    free(out);
}
END_TEST

static Suite *
config_ini_suite(void)
{
    Suite *s = suite_create("config_ini");
    TCase *l = tcase_create("load");
    TCase *v = tcase_create("values");
    TCase *r = tcase_create("rewrite");

    tcase_add_checked_fixture(l, setup, teardown);
    tcase_add_test(l, test_design_example_loads);
    tcase_add_test(l, test_keys_before_monitor_are_applied);
    tcase_add_test(l, test_line_too_long_refused_with_line);
    tcase_add_test(l, test_long_comment_is_harmless);
    tcase_add_test(l, test_section_name_over_49_refused);
    tcase_add_test(l, test_key_name_over_49_refused);
    tcase_add_test(l, test_bad_section_headers);
    tcase_add_test(l, test_unknown_key_names_key_and_section);
    tcase_add_test(l, test_key_in_wrong_section_says_where);
    tcase_add_test(l, test_key_before_any_section);
    tcase_add_test(l, test_line_without_separator);
    tcase_add_test(l, test_missing_monitor_names_section_line);
    tcase_add_test(l, test_monitor_twice_and_section_twice);
    tcase_add_test(l, test_value_errors_have_their_line);
    tcase_add_test(l, test_errors_stop_at_max);
    tcase_add_test(l, test_host_needs_resolve_hostnames_set_anywhere);
    suite_add_tcase(s, l);

    tcase_add_checked_fixture(v, setup, teardown);
    tcase_add_test(v, test_quoted_values_with_spaces_and_semicolons);
    tcase_add_test(v, test_semicolon_after_space_in_quotes_refused);
    tcase_add_test(v, test_bad_quoting_refused);
    tcase_add_test(v, test_quoted_control_characters_refused);
    tcase_add_test(v, test_indented_line_is_not_a_continuation);
    tcase_add_test(v, test_colon_separator_and_bom);
    tcase_add_test(v, test_known_sentinel_old_form_ignored);
    suite_add_tcase(s, v);

    tcase_add_checked_fixture(r, setup, teardown);
    tcase_add_test(r, test_golden_shop_rewrite);
    tcase_add_test(r, test_golden_design_rewrite);
    tcase_add_test(r, test_golden_fresh_file);
    tcase_add_test(r, test_rewrite_unchanged_keeps_every_byte);
    tcase_add_test(r, test_rewrite_repeated_key_last_wins_in_first_slot);
    tcase_add_test(r, test_rewrite_drops_unset_keys_and_adds_state);
    tcase_add_test(r, test_rewrite_adds_sentinel_section_first);
    tcase_add_test(r, test_crlf_file_stays_crlf);
    tcase_add_test(r, test_no_final_newline_kept);
    tcase_add_test(r, test_rewrite_empty_doc);
    tcase_add_test(r, test_rewrite_many_masters);
    suite_add_tcase(s, r);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(config_ini_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
