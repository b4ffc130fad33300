/*
 * test_acl.c: ACL users (lib/acl.c) and their place in the config model.
 *
 * Expected replies are Redis 7.0.15's, taken from a redis-server started
 * with --sentinel (where our command table and Redis's agree): the exact
 * bytes of ACL GETUSER, LOG and CAT, the error texts of ACL SETUSER, and
 * the descriptions ACL LIST prints.
 *
 * lib/ takes its SHA-256 from the daemon (sentinel/crypto.c links
 * libcrypto); this suite gives it a table of real SHA-256 digests of the
 * passwords it uses (computed with sha256sum), so that the hashes in the
 * expected replies are the ones Redis shows, and any other input fails
 * the test.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "config.h"
#include "config_priv.h"
#include "util.h"

#define H_PW  "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"
#define H_P1  "f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a"
#define H_P2  "3946ca64ff78d93ca61090a437cbb6b3d2ca0d488f5f9ccf3059608368b27693"
#define H_FOO "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
#define H_SEC "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"
#define H_BAD "2f05d4b689d270cafb02285f35f44866f7dc8a2d368a3f9d1124373eeab31fb1"

static const struct {
    const char *pass;
    const char *hex;
} sha256_table[] = {
    { "pw", H_PW }, { "p1", H_P1 }, { "p2", H_P2 }, { "foo", H_FOO },
    { "secret", H_SEC }, { "bad", H_BAD },
};

static void
table_sha256(const void *data, size_t len, unsigned char out[32])
{
    size_t n = sizeof(sha256_table) / sizeof(sha256_table[0]);

    for (size_t i = 0; i < n; i++) {
        const char *hex = sha256_table[i].hex;

        if (strlen(sha256_table[i].pass) != len ||
            memcmp(sha256_table[i].pass, data, len) != 0)
            continue;
        for (int j = 0; j < 32; j++) {
            unsigned v;

            sscanf(hex + 2 * j, "%2x", &v);
            out[j] = (unsigned char)v;
        }
        return;
    }
    ck_abort_msg("no SHA-256 for '%.*s' in the test's table", (int)len,
                 (const char *)data);
}

static struct sn_acl *acl;
static unsigned char random_bytes[SN_ACL_GENPASS_BYTES];

static void
setup(void)
{
    sn_acl_set_hasher(table_sha256);
    acl = sn_acl_new();
    for (size_t i = 0; i < sizeof(random_bytes); i++)
        random_bytes[i] = (unsigned char)(i * 37 + 11);
}

static void
teardown(void)
{
    sn_acl_free(acl);
    acl = NULL;
}

/* ---------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------- */

/* Run `line` (split with Redis's rules) as an ACL command in protocol
 * `proto`, as `user` at time now_ms; return the reply bytes. */
static char *
run_full(int proto, const struct sn_acl_user *user, int64_t now_ms,
         const char *line, struct sn_acl_effects *fx)
{
    struct sn_acl_env env = {
        .user = user, .now_ms = now_ms, .random = random_bytes,
        .random_len = sizeof(random_bytes),
    };
    struct sn_resp_writer w;
    struct sn_buf out;
    char **argv;
    int argc = sn_config_split(line, &argv);

    ck_assert_int_gt(argc, 0);
    sn_buf_init(&out);
    sn_resp_writer_init(&w, &out, proto);
    sn_acl_exec(acl, &w, argc, argv, NULL, &env, fx);
    sn_config_argv_free(argc, argv);
    return sn_buf_steal(&out, NULL);
}

static char *
run(const char *line)
{
    struct sn_acl_effects fx;
    char *r = run_full(2, sn_acl_default_user(acl), 1000, line, &fx);

    sn_acl_effects_free(&fx);
    return r;
}

#define expect(line, reply) do {                                          \
        char *r_ = run(line);                                             \
        ck_assert_str_eq(r_, reply);                                      \
        free(r_);                                                         \
    } while (0)

/* "$len\r\ns\r\n" */
static char *
bulk(const char *s)
{
    return sn_printf("$%zu\r\n%s\r\n", strlen(s), s);
}

/* The ACL LIST line of `name`, from the describe API. */
static char *
described(const char *name)
{
    const struct sn_acl_user *u = sn_acl_find_user(acl, name);

    ck_assert_msg(u != NULL, "no user %s", name);
    return sn_acl_describe_user(u);
}

#define expect_user(name, text) do {                                      \
        char *d_ = described(name);                                       \
        ck_assert_str_eq(d_, text);                                       \
        free(d_);                                                         \
    } while (0)

/* Check `line` (the command's words) for user `name`. */
static enum sn_acl_reason
check(const char *name, const char *line, struct sn_acl_denial *d)
{
    const struct sn_acl_user *u = sn_acl_find_user(acl, name);
    enum sn_acl_reason r;
    char **argv;
    int argc = sn_config_split(line, &argv);

    ck_assert_msg(u != NULL, "no user %s", name);
    r = sn_acl_check_command(u, argc, argv, NULL, d);
    /* d->object may point into argv: keep a copy for the caller. */
    if (r == SN_ACL_DENIED_CHANNEL) {
        static char obj[256];

        snprintf(obj, sizeof(obj), "%.*s", (int)d->object_len, d->object);
        d->object = obj;
    }
    sn_config_argv_free(argc, argv);
    return r;
}

static void
load_config(struct sn_config *c, const char *text, const char *file)
{
    struct sn_config_errors e = { 0 };

    sn_config_init(c);
    if (sn_config_load(c, text, strlen(text), file, &e) != 0) {
        struct sn_buf b;

        sn_buf_init(&b);
        for (int i = 0; i < e.len; i++)
            sn_buf_printf(&b, "%s\n", e.msgs[i]);
        ck_abort_msg("%s did not load:\n%s", file, b.data);
    }
    sn_config_errors_free(&e);
}

/* The errors loading `text` gives, one a line. */
static char *
load_errors(const char *text, const char *file)
{
    struct sn_config_errors e = { 0 };
    struct sn_config c;
    struct sn_buf b;

    sn_config_init(&c);
    ck_assert_int_eq(sn_config_load(&c, text, strlen(text), file, &e), -1);
    sn_buf_init(&b);
    for (int i = 0; i < e.len; i++)
        sn_buf_printf(&b, "%s\n", e.msgs[i]);
    sn_config_errors_free(&e);
    sn_config_free(&c);
    return sn_buf_steal(&b, NULL);
}

static void
acl_load_ok(const struct sn_config *c)
{
    char err[512];

    ck_assert_msg(sn_acl_load(acl, c, err, sizeof(err)) == 0, "%s", err);
}

/* ---------------------------------------------------------------------
 * Rules
 * ------------------------------------------------------------------- */

START_TEST(test_default_user_built_in)
{
    expect("ACL LIST", "*1\r\n$34\r\nuser default on nopass ~* &* +@all\r\n");
    ck_assert(!sn_acl_auth_required(acl));
    ck_assert_str_eq(sn_acl_user_name(sn_acl_default_user(acl)),
                     "default");
}
END_TEST

/* Each form, on a new user; the description is Redis 7.0's. */
START_TEST(test_rules_every_form)
{
    static const struct {
        const char *rules;
        const char *described;
    } cases[] = {
        { "", "off resetchannels -@all" },
        { "on", "on resetchannels -@all" },
        { "on off", "off resetchannels -@all" },
        { "ON +PING", "on resetchannels -@all +ping" },
        { "nopass", "off nopass resetchannels -@all" },
        { ">pw", "off #" H_PW " resetchannels -@all" },
        { ">pw >pw >p1", "off #" H_PW " #" H_P1 " resetchannels -@all" },
        { ">pw <pw", "off resetchannels -@all" },
        { "#" H_P1 " !" H_P1, "off resetchannels -@all" },
        { ">pw resetpass", "off resetchannels -@all" },
        { ">pw nopass", "off nopass resetchannels -@all" },
        { "nopass >pw", "off #" H_PW " resetchannels -@all" },
        { "~*", "off ~* resetchannels -@all" },
        { "allkeys", "off ~* resetchannels -@all" },
        { "~a %R~b %W~c %RW~d %R~a", "off ~a %R~b %W~c ~d resetchannels "
          "-@all" },
        { "%R", "off %R~ resetchannels -@all" },
        { "~a resetkeys ~e", "off ~e resetchannels -@all" },
        { "&*", "off &* -@all" },
        { "allchannels", "off &* -@all" },
        { "&a &b &a resetchannels &c", "off resetchannels &c -@all" },
        { "+@all", "off resetchannels +@all" },
        { "allcommands", "off resetchannels +@all" },
        { "+@all nocommands", "off resetchannels -@all" },
        { "+@all -@admin", "off resetchannels +@all -@admin" },
        { "+@all -sentinel|masters", "off resetchannels +@all "
          "-sentinel|masters" },
        { "-@all +sentinel|get-master-addr-by-name +ping",
          "off resetchannels -@all +ping +sentinel|get-master-addr-by-name" },
        { "+@all -@all +@connection", "off resetchannels -@all "
          "+@connection" },
        { "+@pubsub -@slow", "off resetchannels -@all +publish" },
        { "+ping|x +ping|Y", "off resetchannels -@all +ping|x +ping|Y" },
        { "+ping|x +ping|Y -ping", "off resetchannels -@all" },
        { "+@all -ping +ping|x", "off resetchannels +@all -ping +ping|x" },
        { "skip-sanitize-payload", "off skip-sanitize-payload "
          "resetchannels -@all" },
        { "on >pw ~* &* +@all reset", "off sanitize-payload resetchannels "
          "-@all" },
        { "(+ping &z)", "off resetchannels -@all (resetchannels &z -@all "
          "+ping)" },
        { "(+ping ~x) () clearselectors", "off resetchannels -@all" },
        { "()", "off resetchannels -@all (resetchannels -@all)" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *line = sn_printf("ACL SETUSER u%zu %s", i, cases[i].rules);
        char *name = sn_printf("u%zu", i);

        expect(line, "+OK\r\n");
        expect_user(name, cases[i].described);
        free(line);
        free(name);
    }
}
END_TEST

/* A selector spread over several arguments is one rule, as in Redis. */
START_TEST(test_rules_selector_over_arguments)
{
    expect("ACL SETUSER c \"(+ping\" \"~x)\"", "+OK\r\n");
    expect_user("c", "off resetchannels -@all (~x resetchannels -@all "
                "+ping)");
    expect("ACL SETUSER d (+ping",
           "-ERR Unmatched parenthesis in acl selector starting at "
           "'(+ping'.\r\n");
    ck_assert_ptr_null(sn_acl_find_user(acl, "d"));
}
END_TEST

/* The texts Redis 7.0.15 answers, byte for byte. */
START_TEST(test_rules_errors_as_redis)
{
    static const struct {
        const char *rules;
        const char *error;
    } cases[] = {
        { "#e5a4", "'#e5a4': The password hash must be exactly 64 "
          "characters and contain only lowercase hexadecimal characters" },
        { "#" "2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266"
          "E7AE", "'#2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E"
          "886266E7AE': The password hash must be exactly 64 characters "
          "and contain only lowercase hexadecimal characters" },
        { "foo", "'foo': Syntax error" },
        { "+get", "'+get': Unknown command or category name in ACL" },
        { "+@foo", "'+@foo': Unknown command or category name in ACL" },
        { "<pw", "'<pw': The password you are trying to remove from the "
          "user does not exist" },
        { "~* ~a", "'~a': Adding a pattern after the * pattern (or the "
          "'allkeys' flag) is not valid and does not have any effect. Try "
          "'resetkeys' to start with an empty list of patterns" },
        { "&* &a", "'&a': Adding a pattern after the * pattern (or the "
          "'allchannels' flag) is not valid and does not have any effect. "
          "Try 'resetchannels' to start with an empty list of channels" },
        { "+sentinel|masters|x", "'+sentinel|masters|x': Allowing "
          "first-arg of a subcommand is not supported" },
        { "+ping|", "'+ping|': Syntax error" },
        { "+sentinel|", "'+sentinel|': Syntax error" },
        { "-sentinel|masters|x", "'-sentinel|masters|x': Unknown command "
          "or category name in ACL" },
        { "-ping|x", "'-ping|x': Unknown command or category name in ACL" },
        { "+sentinel|nosuch", "'+sentinel|nosuch': Unknown command or "
          "category name in ACL" },
        { "%~x", "'%~x': Syntax error" },
        { "%RX~a", "'%RX~a': Syntax error" },
        { "\"~a b\"", "'~a b': Syntax error" },
        { "(+get)", "'(+get)': Unknown command or category name in ACL" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *line = sn_printf("ACL SETUSER bob on %s", cases[i].rules);
        char *want = sn_printf("-ERR Error in ACL SETUSER modifier %s\r\n",
                               cases[i].error);

        expect(line, want);
        free(line);
        free(want);
    }
    /* Nothing of a refused SETUSER applies, not even its first rules. */
    ck_assert_ptr_null(sn_acl_find_user(acl, "bob"));
    expect("ACL SETUSER \"a b\" on",
           "-ERR Usernames can't contain spaces or null characters\r\n");
    expect("ACL SETUSER alice on +ping", "+OK\r\n");
    expect("ACL SETUSER alice off -ping +get",
           "-ERR Error in ACL SETUSER modifier '+get': Unknown command or "
           "category name in ACL\r\n");
    expect_user("alice", "on resetchannels -@all +ping");
}
END_TEST

START_TEST(test_rules_limits)
{
    char *p = sn_printf("ACL SETUSER u ~%0101d", 0);
    char *n = sn_printf("ACL SETUSER %065d on", 0);

    expect(p, "-ERR Error in ACL SETUSER modifier '~"
           "0000000000000000000000000000000000000000000000000000000000000"
           "0000000000000000000000000000000000000000': Patterns and first "
           "arguments are limited to 100 bytes\r\n");
    expect(n, "-ERR Usernames are limited to 64 bytes\r\n");
    free(p);
    free(n);
}
END_TEST

/* ---------------------------------------------------------------------
 * Permission checks
 * ------------------------------------------------------------------- */

/* A client user that may ask where the master is, and nothing else but
 * what needs no authentication. */
START_TEST(test_limited_user_runs_exactly_its_commands)
{
    static const struct {
        const char *line;
        const char *denied;     /* NULL: allowed */
    } cases[] = {
        { "SENTINEL get-master-addr-by-name mymaster", NULL },
        { "sentinel GET-MASTER-ADDR-BY-NAME mymaster", NULL },
        { "PING", NULL },
        { "ping hello", NULL },
        { "AUTH alice pw", NULL },
        { "HELLO 3", NULL },
        { "SENTINEL masters", "sentinel|masters" },
        { "SENTINEL master mymaster", "sentinel|master" },
        { "SENTINEL help", "sentinel|help" },
        { "SENTINEL failover mymaster", "sentinel|failover" },
        { "INFO", "info" },
        { "ROLE", "role" },
        { "SUBSCRIBE +switch-master", "subscribe" },
        { "PUBLISH __sentinel__:hello x", "publish" },
        { "CLIENT SETNAME x", "client|setname" },
        { "SHUTDOWN", "shutdown" },
    };
    struct sn_acl_denial d;

    expect("ACL SETUSER alice on >pw -@all "
           "+sentinel|get-master-addr-by-name +ping", "+OK\r\n");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum sn_acl_reason r = check("alice", cases[i].line, &d);
        char *want;

        if (cases[i].denied == NULL) {
            ck_assert_msg(r == SN_ACL_OK, "%s denied", cases[i].line);
            continue;
        }
        ck_assert_msg(r == SN_ACL_DENIED_COMMAND, "%s allowed",
                      cases[i].line);
        want = sn_printf("NOPERM this user has no permissions to run the "
                         "'%s' command", cases[i].denied);
        ck_assert_str_eq(d.error, want);
        ck_assert_str_eq(d.object, cases[i].denied);
        ck_assert_uint_eq(d.object_len, strlen(cases[i].denied));
        free(want);
    }
    /* A NULL user (no ACL at all) may run anything. */
    ck_assert(sn_acl_check_command(NULL, 1, (char *[]){ "role" }, NULL,
                                   &d) == SN_ACL_OK);
}
END_TEST

START_TEST(test_channels_subscribe_psubscribe_publish)
{
    static const char noperm[] = "NOPERM this user has no permissions to "
        "access one of the channels used as arguments";
    struct sn_acl_denial d;

    expect("ACL SETUSER bob on nopass +@all &news.* &__sentinel__:hello",
           "+OK\r\n");
    ck_assert(check("bob", "SUBSCRIBE news.1", &d) == SN_ACL_OK);
    ck_assert(check("bob", "SUBSCRIBE news.1 other", &d) ==
              SN_ACL_DENIED_CHANNEL);
    ck_assert_str_eq(d.error, noperm);
    ck_assert_str_eq(d.object, "other");
    ck_assert(check("bob", "SUBSCRIBE +sdown news.1", &d) ==
              SN_ACL_DENIED_CHANNEL);
    ck_assert_str_eq(d.object, "+sdown");
    /* Patterns are compared literally, channels matched as globs. */
    ck_assert(check("bob", "PSUBSCRIBE news.*", &d) == SN_ACL_OK);
    ck_assert(check("bob", "PSUBSCRIBE news.1", &d) ==
              SN_ACL_DENIED_CHANNEL);
    ck_assert(check("bob", "PSUBSCRIBE *", &d) == SN_ACL_DENIED_CHANNEL);
    ck_assert(check("bob", "PUBLISH __sentinel__:hello x", &d) ==
              SN_ACL_OK);
    ck_assert(check("bob", "PUBLISH other news.1", &d) ==
              SN_ACL_DENIED_CHANNEL);
    ck_assert_str_eq(d.object, "other");
    /* Unsubscribing names no channel that needs a right. */
    ck_assert(check("bob", "UNSUBSCRIBE other", &d) == SN_ACL_OK);
    ck_assert(sn_acl_check_channel(sn_acl_find_user(acl, "bob"), "news.x",
                                   6, false));
    ck_assert(!sn_acl_check_channel(sn_acl_find_user(acl, "bob"), "news.x",
                                    6, true));

    /* Redis 7: a new user has no channels; `&*` gives them all. */
    expect("ACL SETUSER carol on nopass +@all", "+OK\r\n");
    ck_assert(check("carol", "SUBSCRIBE a", &d) == SN_ACL_DENIED_CHANNEL);
    expect("ACL SETUSER carol &*", "+OK\r\n");
    ck_assert(check("carol", "PSUBSCRIBE *", &d) == SN_ACL_OK);

    /* acl-pubsub-default allchannels: new users and `reset` get &*. */
    sn_acl_set_pubsub_default(acl, true);
    expect("ACL SETUSER dave on nopass +@all", "+OK\r\n");
    ck_assert(check("dave", "SUBSCRIBE a", &d) == SN_ACL_OK);
    expect("ACL SETUSER dave reset", "+OK\r\n");
    expect_user("dave", "off sanitize-payload &* -@all");
}
END_TEST

/* A selector can allow what the root selector does not. */
START_TEST(test_selectors_checked)
{
    struct sn_acl_denial d;

    expect("ACL SETUSER s on nopass -@all \"(+ping)\" \"(+@all &x)\"",
           "+OK\r\n");
    ck_assert(check("s", "PING", &d) == SN_ACL_OK);
    ck_assert(check("s", "SUBSCRIBE x", &d) == SN_ACL_OK);
    /* Denied by every selector: the channel reason wins over the
     * command's, as in Redis. */
    ck_assert(check("s", "SUBSCRIBE y", &d) == SN_ACL_DENIED_CHANNEL);
    ck_assert_str_eq(d.object, "y");
}
END_TEST

/* ---------------------------------------------------------------------
 * Passwords and authentication
 * ------------------------------------------------------------------- */

START_TEST(test_passwords_hashed)
{
    const struct sn_acl_user *u;
    char *r;

    expect("ACL SETUSER carol on >secret ~* +@all", "+OK\r\n");
    u = sn_acl_find_user(acl, "carol");
    ck_assert_ptr_eq(sn_acl_authenticate(acl, "carol", "secret", 6), u);
    ck_assert_ptr_null(sn_acl_authenticate(acl, "carol", "bad", 3));
    ck_assert_ptr_null(sn_acl_authenticate(acl, "nobody", "secret", 6));
    r = run("ACL LIST");
    ck_assert_ptr_null(strstr(r, "secret"));
    ck_assert_ptr_nonnull(strstr(r, "#" H_SEC));
    free(r);
    r = run("ACL GETUSER carol");
    ck_assert_ptr_null(strstr(r, "secret"));
    free(r);
    /* off: no login, even with the right password. */
    expect("ACL SETUSER carol off", "+OK\r\n");
    ck_assert_ptr_null(sn_acl_authenticate(acl, "carol", "secret", 6));
    /* nopass: any password. */
    expect("ACL SETUSER carol on nopass", "+OK\r\n");
    ck_assert_ptr_eq(sn_acl_authenticate(acl, "carol", "bad", 3), u);

    /* Without a SHA-256 function, no password can be set. */
    sn_acl_set_hasher(NULL);
    expect("ACL SETUSER carol >pw", "-ERR Error in ACL SETUSER modifier "
           "'>pw': no SHA-256 function set\r\n");
}
END_TEST

START_TEST(test_auth_command)
{
    struct sn_resp_writer w;
    struct sn_buf out;
    const struct sn_acl_user *u;
    char *r;

    sn_buf_init(&out);
    sn_resp_writer_init(&w, &out, 2);
    expect("ACL SETUSER alice on >pw +@all", "+OK\r\n");
    u = sn_acl_auth_command(acl, &w, 2, (char *[]){ "AUTH", "pw" }, NULL,
                            "id=7", 5000);
    ck_assert_ptr_null(u);
    ck_assert_str_eq(out.data, "-" SN_ACL_ERR_AUTH_NOPASS "\r\n");
    sn_buf_reset(&out);
    u = sn_acl_auth_command(acl, &w, 3, (char *[]){ "auth", "alice", "pw" },
                            NULL, "id=7", 5000);
    ck_assert_ptr_eq(u, sn_acl_find_user(acl, "alice"));
    ck_assert_str_eq(out.data, "+OK\r\n");
    sn_buf_reset(&out);
    u = sn_acl_auth_command(acl, &w, 3, (char *[]){ "auth", "alice", "bad" },
                            NULL, "id=7", 5000);
    ck_assert_ptr_null(u);
    ck_assert_str_eq(out.data, "-WRONGPASS invalid username-password pair "
                     "or user is disabled.\r\n");
    sn_buf_reset(&out);
    u = sn_acl_auth_command(acl, &w, 4,
                            (char *[]){ "AUTH", "a", "b", "c" }, NULL,
                            "id=7", 5000);
    ck_assert_ptr_null(u);
    ck_assert_str_eq(out.data, "-ERR syntax error\r\n");
    sn_buf_free(&out);
    /* The failed login is in the log, under the name it tried and the
     * command as typed. */
    r = run_full(2, NULL, 6500, "ACL LOG", &(struct sn_acl_effects){ 0 });
    ck_assert_str_eq(r, "*1\r\n*14\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n"
                     "$4\r\nauth\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n"
                     "$6\r\nobject\r\n$4\r\nauth\r\n$8\r\nusername\r\n"
                     "$5\r\nalice\r\n$11\r\nage-seconds\r\n$3\r\n1.5\r\n"
                     "$11\r\nclient-info\r\n$4\r\nid=7\r\n");
    free(r);
}
END_TEST

START_TEST(test_auth_required_follows_default_user)
{
    ck_assert(!sn_acl_auth_required(acl));
    expect("ACL SETUSER default resetpass >foo", "+OK\r\n");
    ck_assert(sn_acl_auth_required(acl));
    ck_assert_ptr_eq(sn_acl_authenticate(acl, "default", "foo", 3),
                     sn_acl_default_user(acl));
    expect("ACL SETUSER default nopass off", "+OK\r\n");
    ck_assert(sn_acl_auth_required(acl));
    expect("ACL SETUSER default on", "+OK\r\n");
    ck_assert(!sn_acl_auth_required(acl));
}
END_TEST

/* ---------------------------------------------------------------------
 * Reply layouts
 * ------------------------------------------------------------------- */

START_TEST(test_list_and_users_layout)
{
    char *a, *d, *want;

    expect("ACL SETUSER zed", "+OK\r\n");
    expect("ACL SETUSER alice on >pw -@all "
           "+sentinel|get-master-addr-by-name +ping", "+OK\r\n");
    a = bulk("user alice on #" H_PW " resetchannels -@all +ping "
             "+sentinel|get-master-addr-by-name");
    d = bulk("user default on nopass ~* &* +@all");
    want = sn_printf("*3\r\n%s%s$32\r\nuser zed off resetchannels -@all"
                     "\r\n", a, d);
    expect("ACL LIST", want);
    expect("acl users", "*3\r\n$5\r\nalice\r\n$7\r\ndefault\r\n$3\r\nzed"
           "\r\n");
    free(a);
    free(d);
    free(want);
}
END_TEST

/* The bytes Redis 7.0.15 sends for the same user, in RESP2 and RESP3. */
START_TEST(test_getuser_layout_resp2_and_resp3)
{
    static const char resp2[] =
        "*12\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$9\r\npasswords\r\n"
        "*1\r\n$64\r\n" H_P1 "\r\n$8\r\ncommands\r\n$11\r\n-@all +ping"
        "\r\n$4\r\nkeys\r\n$4\r\n%R~a\r\n$8\r\nchannels\r\n$2\r\n&x\r\n"
        "$9\r\nselectors\r\n*1\r\n*6\r\n$8\r\ncommands\r\n$11\r\n-@all "
        "+ping\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$2\r\n&z\r\n";
    static const char resp3[] =
        "%6\r\n$5\r\nflags\r\n~1\r\n$2\r\non\r\n$9\r\npasswords\r\n"
        "*1\r\n$64\r\n" H_P1 "\r\n$8\r\ncommands\r\n$11\r\n-@all +ping"
        "\r\n$4\r\nkeys\r\n$4\r\n%R~a\r\n$8\r\nchannels\r\n$2\r\n&x\r\n"
        "$9\r\nselectors\r\n*1\r\n%3\r\n$8\r\ncommands\r\n$11\r\n-@all "
        "+ping\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$2\r\n&z\r\n";
    struct sn_acl_effects fx;
    char *r;

    expect("ACL SETUSER d2 on >p1 %R~a &x \"(+ping &z)\" -@all +ping",
           "+OK\r\n");
    expect("ACL GETUSER d2", resp2);
    r = run_full(3, NULL, 0, "ACL GETUSER d2", &fx);
    ck_assert_str_eq(r, resp3);
    free(r);
    expect("ACL GETUSER default",
           "*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n"
           "$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n"
           "$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n"
           "$9\r\nselectors\r\n*0\r\n");
    expect("ACL GETUSER nobody", "$-1\r\n");
    r = run_full(3, NULL, 0, "ACL GETUSER nobody", &fx);
    ck_assert_str_eq(r, "_\r\n");
    free(r);
}
END_TEST

START_TEST(test_cat_layout)
{
    char **argv;
    char *r;
    int n;

    expect("ACL CAT",
           "*21\r\n$8\r\nkeyspace\r\n$4\r\nread\r\n$5\r\nwrite\r\n$3\r\nset"
           "\r\n$9\r\nsortedset\r\n$4\r\nlist\r\n$4\r\nhash\r\n$6\r\n"
           "string\r\n$6\r\nbitmap\r\n$11\r\nhyperloglog\r\n$3\r\ngeo\r\n"
           "$6\r\nstream\r\n$6\r\npubsub\r\n$5\r\nadmin\r\n$4\r\nfast\r\n"
           "$4\r\nslow\r\n$8\r\nblocking\r\n$9\r\ndangerous\r\n$10\r\n"
           "connection\r\n$11\r\ntransaction\r\n$9\r\nscripting\r\n");
    expect("ACL CAT foo", "-ERR Unknown category 'foo'\r\n");
    expect("ACL CAT keyspace", "*0\r\n");
    /* The pub/sub commands of a sentinel, in the table's order. */
    r = run("ACL CAT PubSub");
    ck_assert_ptr_nonnull(strstr(r, "$10\r\npsubscribe\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "$7\r\npublish\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "$12\r\npunsubscribe\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "$9\r\nsubscribe\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "$11\r\nunsubscribe\r\n"));
    ck_assert(strncmp(r, "*5\r\n", 4) == 0);
    free(r);
    /* Every SENTINEL subcommand but HELP is @admin. */
    r = run("ACL CAT admin");
    n = sn_config_split("sentinel|masters sentinel|failover "
                        "sentinel|get-master-addr-by-name", &argv);
    for (int i = 0; i < n; i++) {
        char *b = bulk(argv[i]);

        ck_assert_msg(strstr(r, b) != NULL, "%s is not @admin", argv[i]);
        free(b);
    }
    ck_assert_ptr_null(strstr(r, "sentinel|help"));
    sn_config_argv_free(n, argv);
    free(r);
}
END_TEST

static void
deny(const char *user, const char *line, int64_t now_ms, const char *info)
{
    struct sn_acl_denial d;
    enum sn_acl_reason r = check(user, line, &d);

    ck_assert(r != SN_ACL_OK);
    sn_acl_log_denied(acl, r, d.object, d.object_len, user, info, now_ms);
}

START_TEST(test_log_layout_and_grouping)
{
    struct sn_acl_effects fx;
    char *r;

    expect("ACL SETUSER alice on nopass -@all +ping", "+OK\r\n");
    deny("alice", "SENTINEL masters", 1000, "id=1 cmd=sentinel|masters");
    deny("alice", "SENTINEL masters", 2000, "id=2 cmd=sentinel|masters");
    deny("alice", "SUBSCRIBE x", 2500, "id=3");
    /* Newest first; the two alike are one entry, counted twice, with the
     * latest client and time. */
    r = run_full(2, NULL, 4000, "ACL LOG", &fx);
    ck_assert_str_eq(r,
        "*2\r\n"
        "*14\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$7\r\ncommand\r\n"
        "$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$9\r\nsubscribe"
        "\r\n$8\r\nusername\r\n$5\r\nalice\r\n$11\r\nage-seconds\r\n$3\r\n"
        "1.5\r\n$11\r\nclient-info\r\n$4\r\nid=3\r\n"
        "*14\r\n$5\r\ncount\r\n:2\r\n$6\r\nreason\r\n$7\r\ncommand\r\n"
        "$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$16\r\n"
        "sentinel|masters\r\n$8\r\nusername\r\n$5\r\nalice\r\n$11\r\n"
        "age-seconds\r\n$1\r\n2\r\n$11\r\nclient-info\r\n$25\r\nid=2 "
        "cmd=sentinel|masters\r\n");
    free(r);
    /* RESP3: a map per entry, the age a double. */
    r = run_full(3, NULL, 2526, "ACL LOG 1", &fx);
    ck_assert_str_eq(r,
        "*1\r\n%7\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$7\r\ncommand\r\n"
        "$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$9\r\nsubscribe"
        "\r\n$8\r\nusername\r\n$5\r\nalice\r\n$11\r\nage-seconds\r\n"
        ",0.025999999999999999\r\n$11\r\nclient-info\r\n$4\r\nid=3\r\n");
    free(r);
    /* A channel denial names the channel. */
    expect("ACL SETUSER alice +@all", "+OK\r\n");
    deny("alice", "SUBSCRIBE a b", 3000, "id=4");
    r = run("ACL LOG 1");
    ck_assert_ptr_nonnull(strstr(r, "$6\r\nreason\r\n$7\r\nchannel\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "$6\r\nobject\r\n$1\r\na\r\n"));
    free(r);
    /* Past 60 s, an alike entry is a new one. */
    deny("alice", "SUBSCRIBE a", 63001, "id=5");
    r = run("ACL LOG 2");
    ck_assert_ptr_nonnull(strstr(r, ":1\r\n"));
    ck_assert_ptr_null(strstr(r, ":2\r\n"));
    free(r);
    expect("ACL LOG -1", "*0\r\n");
    expect("ACL LOG x", "-ERR value is not an integer or out of range\r\n");
    expect("ACL LOG 1 2", "-ERR unknown subcommand or wrong number of "
           "arguments for 'LOG'. Try ACL HELP.\r\n");
    expect("ACL LOG RESET", "+OK\r\n");
    expect("ACL LOG", "*0\r\n");
    /* acllog-max-len. */
    sn_acl_set_log_max(acl, 1);
    deny("alice", "SUBSCRIBE a", 1000, "id=6");
    deny("alice", "SUBSCRIBE b", 1000, "id=7");
    r = run("ACL LOG");
    ck_assert(strncmp(r, "*1\r\n", 4) == 0);
    ck_assert_ptr_nonnull(strstr(r, "id=7"));
    free(r);
}
END_TEST

START_TEST(test_deluser_default_refused)
{
    struct sn_acl_effects fx;
    const struct sn_acl_user *a;
    char *r;

    expect("ACL SETUSER a on", "+OK\r\n");
    expect("ACL SETUSER b on", "+OK\r\n");
    a = sn_acl_find_user(acl, "a");
    r = run_full(2, NULL, 0, "ACL DELUSER a default", &fx);
    ck_assert_str_eq(r, "-ERR The 'default' user cannot be removed\r\n");
    ck_assert(!fx.changed);
    ck_assert_int_eq(fx.removed_len, 0);
    sn_acl_effects_free(&fx);
    free(r);
    ck_assert_ptr_eq(sn_acl_find_user(acl, "a"), a);
    /* The server closes the clients of the removed users, then frees. */
    r = run_full(2, NULL, 0, "ACL DELUSER a nobody", &fx);
    ck_assert_str_eq(r, ":1\r\n");
    ck_assert(fx.changed);
    ck_assert_int_eq(fx.removed_len, 1);
    ck_assert_ptr_eq(fx.removed[0], a);
    ck_assert_str_eq(sn_acl_user_name(fx.removed[0]), "a");
    ck_assert_ptr_null(sn_acl_find_user(acl, "a"));
    sn_acl_effects_free(&fx);
    free(r);
    expect("ACL USERS", "*2\r\n$1\r\nb\r\n$7\r\ndefault\r\n");
}
END_TEST

/* SETUSER keeps the user's address (clients hold it) and says when
 * channels were taken away, so that pub/sub clients are re-checked. */
START_TEST(test_setuser_effects)
{
    struct sn_acl_effects fx;
    const struct sn_acl_user *u;
    char *r;

    expect("ACL SETUSER p on &a &b", "+OK\r\n");
    u = sn_acl_find_user(acl, "p");
    r = run_full(2, NULL, 0, "ACL SETUSER p &c", &fx);
    ck_assert(fx.changed);
    ck_assert_int_eq(fx.narrowed_len, 0);
    sn_acl_effects_free(&fx);
    free(r);
    r = run_full(2, NULL, 0, "ACL SETUSER p resetchannels &a", &fx);
    ck_assert_int_eq(fx.narrowed_len, 1);
    ck_assert_ptr_eq(fx.narrowed[0], u);
    ck_assert_ptr_eq(sn_acl_find_user(acl, "p"), u);
    sn_acl_effects_free(&fx);
    free(r);
    expect("ACL SETUSER p &*", "+OK\r\n");
    r = run_full(2, NULL, 0, "ACL SETUSER p resetchannels", &fx);
    ck_assert_int_eq(fx.narrowed_len, 1);
    sn_acl_effects_free(&fx);
    free(r);
    r = run_full(2, NULL, 0, "ACL SETUSER p +nosuch", &fx);
    ck_assert(!fx.changed);
    sn_acl_effects_free(&fx);
    free(r);
}
END_TEST

START_TEST(test_other_subcommands)
{
    struct sn_acl_effects fx;
    char *r;

    expect("ACL SETUSER alice on nopass -@all +ping", "+OK\r\n");
    expect("ACL DRYRUN alice ping", "+OK\r\n");
    expect("ACL DRYRUN alice sentinel masters", "$66\r\nThis user has no "
           "permissions to run the 'sentinel|masters' command\r\n");
    expect("ACL DRYRUN alice subscribe x", "$59\r\nThis user has no "
           "permissions to run the 'subscribe' command\r\n");
    expect("ACL SETUSER alice +@all", "+OK\r\n");
    expect("ACL DRYRUN alice subscribe x", "$54\r\nThis user has no "
           "permissions to access the 'x' channel\r\n");
    expect("ACL DRYRUN nobody ping", "-ERR User 'nobody' not found\r\n");
    expect("ACL DRYRUN alice foo", "-ERR Command 'foo' not found\r\n");
    expect("ACL DRYRUN alice sentinel foo",
           "-ERR Command 'sentinel' not found\r\n");
    r = run_full(2, sn_acl_find_user(acl, "alice"), 0, "ACL WHOAMI", &fx);
    ck_assert_str_eq(r, "$5\r\nalice\r\n");
    free(r);
    r = run_full(2, NULL, 0, "ACL WHOAMI", &fx);
    ck_assert_str_eq(r, "$-1\r\n");
    free(r);
    /* GENPASS: the caller's random bytes in hex, bits rounded up to a
     * digit. */
    expect("ACL GENPASS 5", "$2\r\n0b\r\n");
    r = run("ACL GENPASS");
    ck_assert(strncmp(r, "$64\r\n0b30557a", 13) == 0);
    free(r);
    expect("ACL GENPASS 0", "-ERR ACL GENPASS argument must be the number "
           "of bits for the output password, a positive number up to "
           "4096\r\n");
    expect("ACL GENPASS x",
           "-ERR value is not an integer or out of range\r\n");
    expect("ACL LOAD", "-ERR This Redis instance is not configured to use "
           "an ACL file. You may want to specify users via the ACL SETUSER "
           "command and then issue a CONFIG REWRITE (assuming you have a "
           "Redis configuration file set) in order to store users in the "
           "Redis configuration.\r\n");
    expect("ACL foo", "-ERR unknown subcommand 'foo'. Try ACL HELP.\r\n");
    expect("ACL GETUSER", "-ERR wrong number of arguments for "
           "'acl|getuser' command\r\n");
    expect("ACL", "-ERR wrong number of arguments for 'acl' command\r\n");
    r = run("ACL HELP");
    ck_assert(strncmp(r, "*29\r\n+ACL <subcommand> [<arg> [value] [opt] "
                      "...]. Subcommands are:\r\n+CAT [<category>]\r\n",
                      70) == 0);
    ck_assert_ptr_nonnull(strstr(r, "+HELP\r\n+    Prints this help.\r\n"));
    free(r);
}
END_TEST

/* ---------------------------------------------------------------------
 * Users in the config model
 * ------------------------------------------------------------------- */

/* requirepass is the default user's password; a `user default` line
 * wins over it, as in Redis 7.0 (whose acl-pubsub-default then leaves the
 * seed's default user without channels). */
START_TEST(test_load_requirepass_and_default_line)
{
    struct sn_config c;

    load_config(&c, "requirepass foo\nsentinel monitor m 127.0.0.1 6379 1\n",
                "s.conf");
    acl_load_ok(&c);
    expect_user("default", "on #" H_FOO " ~* &* +@all");
    ck_assert(sn_acl_auth_required(acl));
    sn_config_free(&c);
    load_config(&c, "requirepass foo\nuser default on nopass ~* +@all\n",
                "s.conf");
    acl_load_ok(&c);
    expect_user("default", "on nopass sanitize-payload ~* resetchannels "
                "+@all");
    ck_assert(!sn_acl_auth_required(acl));
    sn_config_free(&c);
}
END_TEST

static char *
rewrite_with_acl(struct sn_config *c)
{
    size_t len;

    sn_acl_save_to_config(acl, c);
    return sn_config_rewrite(c, &len);
}

/* The seed's line survives byte for byte; a changed user is rewritten
 * in its place in canonical form; a new one goes after the marker. */
START_TEST(test_round_trip_redis_format)
{
    static const char text[] =
        "port 26379\n"
        "user default on nopass ~* +@all\n"
        "# the client user\n"
        "user alice on #" H_PW " resetchannels -@all +ping "
        "+sentinel|get-master-addr-by-name\n"
        "sentinel monitor m 127.0.0.1 6379 1\n"
        "sentinel config-epoch m 0\n"
        "sentinel leader-epoch m 0\n"
        "sentinel current-epoch 0\n";
    struct sn_config c, back;
    char *out;

    load_config(&c, text, "s.conf");
    ck_assert_int_eq(c.users_len, 2);
    ck_assert_str_eq(c.users[0], "default on nopass ~* +@all");
    acl_load_ok(&c);
    out = rewrite_with_acl(&c);
    ck_assert_str_eq(out, text);
    free(out);

    expect("ACL SETUSER alice +sentinel|masters", "+OK\r\n");
    expect("ACL SETUSER bob on >p2 &__sentinel__:hello +@all", "+OK\r\n");
    out = rewrite_with_acl(&c);
    ck_assert_str_eq(out,
        "port 26379\n"
        "user default on nopass ~* +@all\n"
        "# the client user\n"
        "user alice on #" H_PW " resetchannels -@all +ping "
        "+sentinel|get-master-addr-by-name +sentinel|masters\n"
        "sentinel monitor m 127.0.0.1 6379 1\n"
        "sentinel config-epoch m 0\n"
        "sentinel leader-epoch m 0\n"
        "sentinel current-epoch 0\n"
        "# Generated by CONFIG REWRITE\n"
        "user bob on #" H_P2 " resetchannels &__sentinel__:hello +@all\n");
    load_config(&back, out, "s.conf");
    ck_assert(sn_config_equal(&c, &back));
    sn_config_free(&back);
    free(out);

    /* A deleted user's line goes; a changed default user is written. */
    expect("ACL DELUSER alice", ":1\r\n");
    expect("ACL SETUSER default resetchannels", "+OK\r\n");
    out = rewrite_with_acl(&c);
    ck_assert_ptr_null(strstr(out, "alice"));
    /* (resetchannels changed nothing: the line stays as written.) */
    ck_assert_ptr_nonnull(strstr(out, "\nuser default on nopass ~* +@all\n"
                                      "# the client user\n"));
    free(out);
    expect("ACL SETUSER default -role", "+OK\r\n");
    out = rewrite_with_acl(&c);
    ck_assert_ptr_nonnull(strstr(out, "\nuser default on nopass "
                                      "sanitize-payload ~* resetchannels "
                                      "+@all -role\n# the client user\n"));
    free(out);
    sn_config_free(&c);
}
END_TEST

/* A default user left as requirepass makes it is not written. */
START_TEST(test_save_skips_implicit_default)
{
    struct sn_config c;
    char *out;

    load_config(&c, "requirepass foo\n", "s.conf");
    acl_load_ok(&c);
    out = rewrite_with_acl(&c);
    ck_assert_ptr_null(strstr(out, "user"));
    free(out);
    expect("ACL SETUSER default -role", "+OK\r\n");
    sn_acl_save_to_config(acl, &c);
    ck_assert_int_eq(c.users_len, 1);
    ck_assert_str_eq(c.users[0], "default on #" H_FOO " ~* &* +@all -role");
    sn_config_free(&c);
}
END_TEST

/* A plain-text password in the file is hashed by the first rewrite. */
START_TEST(test_plaintext_password_rewritten_hashed)
{
    struct sn_config c;

    load_config(&c, "user carol on \">secret\" ~* +@all\n", "s.conf");
    acl_load_ok(&c);
    ck_assert_ptr_eq(sn_acl_authenticate(acl, "carol", "secret", 6),
                     sn_acl_find_user(acl, "carol"));
    sn_acl_save_to_config(acl, &c);
    ck_assert_int_eq(c.users_len, 1);
    ck_assert_str_eq(c.users[0], "carol on #" H_SEC " ~* resetchannels "
                     "+@all");
    sn_config_free(&c);
}
END_TEST

/* INI: a user longer than a 196-byte line goes on over several `user`
 * lines of the same name, a selector too. */
START_TEST(test_round_trip_ini_users_span_lines)
{
    static const char text[] =
        "[sentinel]\n"
        "port = 26379\n"
        "user = alice on #" H_PW "\n"
        "user = alice -@all +ping (+sentinel|masters\n"
        "user = alice &x)\n"
        "\n"
        "[m]\n"
        "monitor = 127.0.0.1 6379 1\n";
    struct sn_config c, back;
    size_t len;
    char *out;
    const char *p;

    load_config(&c, text, "s.ini");
    ck_assert_int_eq(c.users_len, 1);
    ck_assert_str_eq(c.users[0], "alice on #" H_PW " -@all +ping "
                     "(+sentinel|masters &x)");
    acl_load_ok(&c);
    expect_user("alice", "on #" H_PW " resetchannels -@all +ping "
                "(resetchannels &x -@all +sentinel|masters)");
    expect("ACL SETUSER alice >p1 >p2 +sentinel|myid +sentinel|sentinels "
           "+sentinel|replicas", "+OK\r\n");
    out = rewrite_with_acl(&c);
    for (p = out; *p != '\0'; p = strchr(p, '\n') + 1)
        ck_assert_int_le(strcspn(p, "\n"), SN_CONFIG_LINE_MAX);
    ck_assert_ptr_nonnull(strstr(out, "port = 26379\nuser = alice on #"));
    load_config(&back, out, "s.ini");
    ck_assert(sn_config_equal(&c, &back));
    ck_assert_int_eq(back.users_len, 1);
    sn_config_free(&back);
    free(out);
    out = sn_config_to_ini(&c, "s.ini", NULL);
    free(out);
    sn_config_free(&c);
    (void)len;
}
END_TEST

/* A name that needs quotes keeps them in the entry and in the file. */
START_TEST(test_quoted_user_name)
{
    struct sn_config c;
    size_t len;
    char *out;

    load_config(&c, "[sentinel]\nuser = \"a'b\" on\nuser = \"a'b\" +ping"
                "\n", "s.ini");
    ck_assert_int_eq(c.users_len, 1);
    ck_assert_str_eq(c.users[0], "\"a'b\" on +ping");
    acl_load_ok(&c);
    expect_user("a'b", "on resetchannels -@all +ping");
    out = sn_config_rewrite(&c, &len);
    ck_assert_str_eq(out, "[sentinel]\nuser = \"a'b\" on +ping\n"
                     "current-epoch = 0\n");
    free(out);
    sn_config_free(&c);
}
END_TEST

START_TEST(test_load_errors_name_file_and_line)
{
    char *e;

    e = load_errors("port 1\nuser alice on +get\n", "s.conf");
    ck_assert_str_eq(e, "s.conf:2: user 'alice': Error in ACL SETUSER "
                     "modifier '+get': Unknown command or category name in "
                     "ACL\n");
    free(e);
    /* A password is never shown. */
    e = load_errors("user alice on <secret\n", "s.conf");
    ck_assert_str_eq(e, "s.conf:1: user 'alice': Error in ACL SETUSER "
                     "modifier '<(password)': The password you are trying "
                     "to remove from the user does not exist\n");
    free(e);
    e = load_errors("user alice on\nuser alice off\n", "s.conf");
    ck_assert_str_eq(e, "s.conf:2: user 'alice': Duplicate user found. A "
                     "user can only be defined once in config files\n");
    free(e);
    e = load_errors("[sentinel]\nuser = alice on (+ping\n", "s.ini");
    ck_assert_str_eq(e, "s.ini: user 'alice': Unmatched parenthesis in acl "
                     "selector starting at '(+ping'.\n");
    free(e);
    e = load_errors("[sentinel]\nuser = alice on +get\n", "s.ini");
    ck_assert_str_eq(e, "s.ini:2: user 'alice': Error in ACL SETUSER "
                     "modifier '+get': Unknown command or category name in "
                     "ACL\n");
    free(e);
}
END_TEST

START_TEST(test_check_user_rules)
{
    char err[256];
    char *argv[] = { "alice", "on", "(+ping", NULL };

    ck_assert_int_eq(sn_acl_check_user_rules(3, argv, true, err,
                                             sizeof(err)), 0);
    ck_assert_int_eq(sn_acl_check_user_rules(3, argv, false, err,
                                             sizeof(err)), -1);
    ck_assert_str_eq(err, "Unmatched parenthesis in acl selector starting "
                     "at '(+ping'.");
    /* Without a hasher, only the syntax of a password rule is checked. */
    sn_acl_set_hasher(NULL);
    argv[2] = "<unknown";
    ck_assert_int_eq(sn_acl_check_user_rules(3, argv, false, err,
                                             sizeof(err)), 0);
}
END_TEST

/* ---------------------------------------------------------------------
 * The suite
 * ------------------------------------------------------------------- */

static Suite *
acl_suite(void)
{
    Suite *s = suite_create("acl");
    TCase *r = tcase_create("rules");
    TCase *c = tcase_create("checks");
    TCase *l = tcase_create("layouts");
    TCase *f = tcase_create("config");

    tcase_add_checked_fixture(r, setup, teardown);
    tcase_add_test(r, test_default_user_built_in);
    tcase_add_test(r, test_rules_every_form);
    tcase_add_test(r, test_rules_selector_over_arguments);
    tcase_add_test(r, test_rules_errors_as_redis);
    tcase_add_test(r, test_rules_limits);
    suite_add_tcase(s, r);

    tcase_add_checked_fixture(c, setup, teardown);
    tcase_add_test(c, test_limited_user_runs_exactly_its_commands);
    tcase_add_test(c, test_channels_subscribe_psubscribe_publish);
    tcase_add_test(c, test_selectors_checked);
    tcase_add_test(c, test_passwords_hashed);
    tcase_add_test(c, test_auth_command);
    tcase_add_test(c, test_auth_required_follows_default_user);
    suite_add_tcase(s, c);

    tcase_add_checked_fixture(l, setup, teardown);
    tcase_add_test(l, test_list_and_users_layout);
    tcase_add_test(l, test_getuser_layout_resp2_and_resp3);
    tcase_add_test(l, test_cat_layout);
    tcase_add_test(l, test_log_layout_and_grouping);
    tcase_add_test(l, test_deluser_default_refused);
    tcase_add_test(l, test_setuser_effects);
    tcase_add_test(l, test_other_subcommands);
    suite_add_tcase(s, l);

    tcase_add_checked_fixture(f, setup, teardown);
    tcase_add_test(f, test_load_requirepass_and_default_line);
    tcase_add_test(f, test_round_trip_redis_format);
    tcase_add_test(f, test_save_skips_implicit_default);
    tcase_add_test(f, test_plaintext_password_rewritten_hashed);
    tcase_add_test(f, test_round_trip_ini_users_span_lines);
    tcase_add_test(f, test_quoted_user_name);
    tcase_add_test(f, test_load_errors_name_file_and_line);
    tcase_add_test(f, test_check_user_rules);
    suite_add_tcase(s, f);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(acl_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
