/*
 * test_info.c: the INFO parser against real redis-server 7.0 replies
 * (golden/info/master.txt, replica.txt, replica_down.txt, captured with
 * redis-cli, CRLF as on the wire), hand-written hostile samples, and the
 * renderer the simulator uses.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "info.h"
#include "golden.h"
#include "util.h"

#define RUNID_A "0123456789abcdef0123456789abcdef01234567"

/* ---------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------- */

static char *
golden_read(const char *name, size_t *len)
{
    return sn_test_golden("info", name, len);
}

/* The text with every CRLF turned into LF. */
static char *
to_lf(const char *s, size_t len, size_t *out_len)
{
    char *d = sn_malloc(len + 1);
    size_t i, j = 0;

    for (i = 0; i < len; i++)
        if (!(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n'))
            d[j++] = s[i];
    d[j] = '\0';
    *out_len = j;
    return d;
}

static void
parse_str(struct sn_info *info, const char *text)
{
    ck_assert_int_eq(sn_info_parse(info, text, strlen(text)), 0);
}

/*
 * Every field that a render carries. The counters of what the parser left
 * out, and run_id_invalid, are facts about the input text and are not
 * rendered, so they are compared only when `counters` is set.
 */
static void
assert_info_eq(const struct sn_info *a, const struct sn_info *b,
               int counters)
{
    size_t i;

    ck_assert_str_eq(a->run_id, b->run_id);
    ck_assert_int_eq(a->role, b->role);
    ck_assert_str_eq(a->master_host, b->master_host);
    ck_assert_int_eq(a->has_master_port, b->has_master_port);
    if (a->has_master_port)
        ck_assert_int_eq(a->master_port, b->master_port);
    ck_assert_int_eq(a->master_link_status, b->master_link_status);
    ck_assert_int_eq(a->has_master_link_down_since,
                     b->has_master_link_down_since);
    if (a->has_master_link_down_since)
        ck_assert_int_eq(a->master_link_down_since_seconds,
                         b->master_link_down_since_seconds);
    ck_assert_int_eq(a->has_slave_priority, b->has_slave_priority);
    if (a->has_slave_priority)
        ck_assert_int_eq(a->slave_priority, b->slave_priority);
    ck_assert_int_eq(a->has_slave_repl_offset, b->has_slave_repl_offset);
    if (a->has_slave_repl_offset)
        ck_assert_uint_eq(a->slave_repl_offset, b->slave_repl_offset);
    ck_assert_int_eq(a->replica_announced, b->replica_announced);
    ck_assert_int_eq(a->has_master_repl_offset, b->has_master_repl_offset);
    if (a->has_master_repl_offset)
        ck_assert_uint_eq(a->master_repl_offset, b->master_repl_offset);
    ck_assert_int_eq(a->master_failover_state, b->master_failover_state);
    ck_assert_uint_eq(a->replicas_count, b->replicas_count);
    for (i = 0; i < a->replicas_count; i++) {
        const struct sn_info_replica *x = &a->replicas[i];
        const struct sn_info_replica *y = &b->replicas[i];

        ck_assert_str_eq(x->host, y->host);
        ck_assert_int_eq(x->port, y->port);
        ck_assert_int_eq(x->state, y->state);
        ck_assert_int_eq(x->has_offset, y->has_offset);
        if (x->has_offset)
            ck_assert_uint_eq(x->offset, y->offset);
    }
    if (counters) {
        ck_assert_int_eq(a->run_id_invalid, b->run_id_invalid);
        ck_assert_uint_eq(a->replicas_dropped, b->replicas_dropped);
        ck_assert_uint_eq(a->replicas_invalid, b->replicas_invalid);
    }
}

/* parse(render(in)) must give `in` back. */
static void
assert_round_trip(const struct sn_info *in)
{
    struct sn_info out;
    size_t len;
    char *text = sn_info_render(in, &len);

    ck_assert_uint_eq(strlen(text), len);
    ck_assert_int_eq(sn_info_parse(&out, text, len), 0);
    assert_info_eq(in, &out, 0);
    sn_info_free(&out);
    free(text);
}

/* The keys of the # Replication section, one per line, in order. */
static char *
replication_keys(const char *text, size_t len)
{
    struct sn_buf b;
    const char *p = strstr(text, "# Replication\r\n"), *end = text + len;

    ck_assert_ptr_nonnull(p);
    sn_buf_init(&b);
    p += strlen("# Replication\r\n");
    while (p < end && *p != '\r') {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        const char *nl = memchr(p, '\n', (size_t)(end - p));

        ck_assert_ptr_nonnull(colon);
        ck_assert_ptr_nonnull(nl);
        sn_buf_append(&b, p, (size_t)(colon - p));
        sn_buf_putc(&b, '\n');
        p = nl + 1;
    }
    return sn_buf_steal(&b, NULL);
}

static void
replica_set(struct sn_info_replica *r, const char *host, int port,
            enum sn_info_replica_state state, int has_offset,
            uint64_t offset)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->host, sizeof(r->host), "%s", host);
    r->port = port;
    r->state = state;
    r->has_offset = has_offset;
    r->offset = offset;
}

/* A master with one replica, as the simulator would model it. */
static void
sample_master(struct sn_info *in)
{
    struct sn_info_replica r;

    sn_info_init(in);
    snprintf(in->run_id, sizeof(in->run_id), "%s", RUNID_A);
    in->role = SN_ROLE_MASTER;
    in->has_master_repl_offset = true;
    in->master_repl_offset = 4242;
    in->master_failover_state = SN_INFO_FAILOVER_NONE;
    replica_set(&r, "127.0.0.1", 7001, SN_INFO_REPLICA_ONLINE, 1, 4242);
    ck_assert_int_eq(sn_info_add_replica(in, &r), 0);
    replica_set(&r, "::1", 7002, SN_INFO_REPLICA_SEND_BULK, 1, 0);
    ck_assert_int_eq(sn_info_add_replica(in, &r), 0);
}

/* A replica whose link is down, with every field set. */
static void
sample_replica(struct sn_info *in)
{
    sn_info_init(in);
    snprintf(in->run_id, sizeof(in->run_id), "%s", RUNID_A);
    in->role = SN_ROLE_SLAVE;
    snprintf(in->master_host, sizeof(in->master_host), "10.0.0.1");
    in->has_master_port = true;
    in->master_port = 6379;
    in->master_link_status = SN_INFO_LINK_DOWN;
    in->has_master_link_down_since = true;
    in->master_link_down_since_seconds = 12;
    in->has_slave_priority = true;
    in->slave_priority = 10;
    in->has_slave_repl_offset = true;
    in->slave_repl_offset = 4000;
    in->has_master_repl_offset = true;
    in->master_repl_offset = 4000;
    in->master_failover_state = SN_INFO_FAILOVER_NONE;
}

/* ---------------------------------------------------------------------
 * Real replies from redis-server 7.0
 * ------------------------------------------------------------------- */

START_TEST(test_golden_master_fields)
{
    struct sn_info info;
    size_t len;
    char *text = golden_read("master.txt", &len);

    ck_assert_int_eq(sn_info_parse(&info, text, len), 0);
    ck_assert_ptr_null(info.error);
    ck_assert_str_eq(info.run_id, "301a84322eb045b1808b0cc39e495c1d9f0d5efb");
    ck_assert(!info.run_id_invalid);
    ck_assert_int_eq(info.role, SN_ROLE_MASTER);
    ck_assert_str_eq(info.master_host, "");
    ck_assert(!info.has_master_port);
    ck_assert_int_eq(info.master_link_status, SN_INFO_LINK_ABSENT);
    ck_assert(!info.has_master_link_down_since);
    ck_assert(!info.has_slave_priority);
    ck_assert(!info.has_slave_repl_offset);
    ck_assert(info.replica_announced);
    ck_assert(info.has_master_repl_offset);
    ck_assert_uint_eq(info.master_repl_offset, 625);
    ck_assert_int_eq(info.master_failover_state, SN_INFO_FAILOVER_NONE);
    ck_assert_uint_eq(info.replicas_count, 1);
    ck_assert_str_eq(info.replicas[0].host, "127.0.0.1");
    ck_assert_int_eq(info.replicas[0].port, 17001);
    ck_assert_int_eq(info.replicas[0].state, SN_INFO_REPLICA_ONLINE);
    ck_assert(info.replicas[0].has_offset);
    ck_assert_uint_eq(info.replicas[0].offset, 625);
    ck_assert_uint_eq(info.replicas_dropped, 0);
    ck_assert_uint_eq(info.replicas_invalid, 0);
    sn_info_free(&info);
    free(text);
}
END_TEST

START_TEST(test_golden_replica_fields)
{
    struct sn_info info;
    size_t len;
    char *text = golden_read("replica.txt", &len);

    ck_assert_int_eq(sn_info_parse(&info, text, len), 0);
    ck_assert_str_eq(info.run_id, "d6c88aaad82f18f755bfb2b0cd2c9cc45252ad2d");
    ck_assert_int_eq(info.role, SN_ROLE_SLAVE);
    ck_assert_str_eq(info.master_host, "127.0.0.1");
    ck_assert(info.has_master_port);
    ck_assert_int_eq(info.master_port, 17000);
    ck_assert_int_eq(info.master_link_status, SN_INFO_LINK_UP);
    ck_assert(!info.has_master_link_down_since);
    ck_assert(info.has_slave_priority);
    ck_assert_int_eq(info.slave_priority, 100);
    ck_assert(info.has_slave_repl_offset);
    ck_assert_uint_eq(info.slave_repl_offset, 625);
    ck_assert(info.replica_announced);
    ck_assert_uint_eq(info.master_repl_offset, 625);
    ck_assert_int_eq(info.master_failover_state, SN_INFO_FAILOVER_NONE);
    ck_assert_uint_eq(info.replicas_count, 0);
    ck_assert_ptr_null(info.replicas);
    sn_info_free(&info);
    free(text);
}
END_TEST

START_TEST(test_golden_replica_link_down)
{
    struct sn_info info;
    size_t len;
    char *text = golden_read("replica_down.txt", &len);

    ck_assert_int_eq(sn_info_parse(&info, text, len), 0);
    ck_assert_int_eq(info.role, SN_ROLE_SLAVE);
    ck_assert_int_eq(info.master_link_status, SN_INFO_LINK_DOWN);
    ck_assert(info.has_master_link_down_since);
    ck_assert_int_eq(info.master_link_down_since_seconds, 2);
    ck_assert_int_eq(info.master_port, 17000);
    sn_info_free(&info);
    free(text);
}
END_TEST

/* The same replies with LF line ends parse to the same struct. */
START_TEST(test_golden_lf_same_as_crlf)
{
    static const char *const names[] = {"master.txt", "replica.txt",
                                        "replica_down.txt"};
    size_t i;

    for (i = 0; i < 3; i++) {
        struct sn_info crlf, lf;
        size_t len, lf_len;
        char *text = golden_read(names[i], &len);
        char *lf_text = to_lf(text, len, &lf_len);

        ck_assert_uint_lt(lf_len, len);
        ck_assert_int_eq(sn_info_parse(&crlf, text, len), 0);
        ck_assert_int_eq(sn_info_parse(&lf, lf_text, lf_len), 0);
        assert_info_eq(&crlf, &lf, 1);
        sn_info_free(&crlf);
        sn_info_free(&lf);
        free(text);
        free(lf_text);
    }
}
END_TEST

/* Rendering what we parsed from a real reply gives the Replication section
 * of that reply key for key, in redis-server 7.0's order. */
START_TEST(test_render_replication_layout_as_redis_7_0)
{
    static const char *const names[] = {"master.txt", "replica.txt",
                                        "replica_down.txt"};
    size_t i;

    for (i = 0; i < 3; i++) {
        struct sn_info info, again;
        size_t len, rlen;
        char *text = golden_read(names[i], &len);
        char *rendered, *want, *got;

        ck_assert_int_eq(sn_info_parse(&info, text, len), 0);
        rendered = sn_info_render(&info, &rlen);
        want = replication_keys(text, len);
        got = replication_keys(rendered, rlen);
        ck_assert_msg(strcmp(want, got) == 0, "%s: keys\n%s\nvs\n%s",
                      names[i], want, got);
        ck_assert_int_eq(sn_info_parse(&again, rendered, rlen), 0);
        assert_info_eq(&info, &again, 1);
        sn_info_free(&info);
        sn_info_free(&again);
        free(text);
        free(rendered);
        free(want);
        free(got);
    }
}
END_TEST

/* ---------------------------------------------------------------------
 * The renderer: exact bytes and round trips
 * ------------------------------------------------------------------- */

static void
assert_render_golden(const struct sn_info *in, const char *name)
{
    size_t len, want_len;
    char *got = sn_info_render(in, &len);
    char *want = golden_read(name, &want_len);

    ck_assert_msg(len == want_len && memcmp(got, want, len) == 0,
                  "%s differs; got:\n%s", name, got);
    free(got);
    free(want);
}

START_TEST(test_render_master_exact_bytes)
{
    struct sn_info in;

    sample_master(&in);
    assert_render_golden(&in, "render_master.txt");
    sn_info_free(&in);
}
END_TEST

START_TEST(test_render_replica_exact_bytes)
{
    struct sn_info in;

    sample_replica(&in);
    assert_render_golden(&in, "render_replica.txt");
    sn_info_free(&in);
}
END_TEST

START_TEST(test_render_parse_round_trip)
{
    struct sn_info in;
    struct sn_info_replica r;

    sn_info_init(&in);
    assert_round_trip(&in);                 /* nothing at all */

    sample_master(&in);
    assert_round_trip(&in);
    /* An entry without offset comes out in the old format. */
    replica_set(&r, "replica.example", 6380, SN_INFO_REPLICA_WAIT_BGSAVE, 0,
                0);
    ck_assert_int_eq(sn_info_add_replica(&in, &r), 0);
    replica_set(&r, "10.0.0.9", 1, SN_INFO_REPLICA_UNKNOWN, 1, INT64_MAX);
    ck_assert_int_eq(sn_info_add_replica(&in, &r), 0);
    in.master_failover_state = SN_INFO_FAILOVER_IN_PROGRESS;
    assert_round_trip(&in);
    in.master_failover_state = SN_INFO_FAILOVER_WAITING_FOR_SYNC;
    in.replica_announced = false;
    assert_round_trip(&in);
    sn_info_free(&in);

    sample_replica(&in);
    assert_round_trip(&in);
    in.master_link_down_since_seconds = -1;     /* never connected */
    in.slave_priority = 0;
    in.replica_announced = false;
    in.master_failover_state = SN_INFO_FAILOVER_UNKNOWN;
    assert_round_trip(&in);
    in.master_link_status = SN_INFO_LINK_UP;
    in.has_master_link_down_since = false;
    in.slave_repl_offset = INT64_MAX;
    in.master_port = 65535;
    snprintf(in.master_host, sizeof(in.master_host), "2001:db8::1");
    assert_round_trip(&in);
    sn_info_free(&in);
}
END_TEST

/* ---------------------------------------------------------------------
 * Hand-written samples: fields
 * ------------------------------------------------------------------- */

START_TEST(test_parse_empty_text_all_absent)
{
    struct sn_info info;

    ck_assert_int_eq(sn_info_parse(&info, NULL, 0), 0);
    ck_assert_str_eq(info.run_id, "");
    ck_assert(!info.run_id_invalid);
    ck_assert_int_eq(info.role, SN_ROLE_UNKNOWN);
    ck_assert(info.replica_announced);
    ck_assert_int_eq(info.master_failover_state, SN_INFO_FAILOVER_ABSENT);
    ck_assert_int_eq(info.master_link_status, SN_INFO_LINK_ABSENT);
    ck_assert(!info.has_master_repl_offset);
    sn_info_free(&info);
    sn_info_free(&info);                    /* twice is fine */
}
END_TEST

START_TEST(test_parse_missing_fields_absent)
{
    struct sn_info info;

    parse_str(&info, "# Replication\r\nrole:slave\r\n");
    ck_assert_int_eq(info.role, SN_ROLE_SLAVE);
    ck_assert_str_eq(info.master_host, "");
    ck_assert(!info.has_master_port);
    ck_assert(!info.has_slave_priority);
    ck_assert(!info.has_slave_repl_offset);
    ck_assert(!info.has_master_link_down_since);
    ck_assert_int_eq(info.master_link_status, SN_INFO_LINK_ABSENT);
    sn_info_free(&info);
}
END_TEST

START_TEST(test_parse_role_exact_values)
{
    struct sn_info info;

    parse_str(&info, "role:master");        /* no line end at all */
    ck_assert_int_eq(info.role, SN_ROLE_MASTER);
    parse_str(&info, "role:slave\n");
    ck_assert_int_eq(info.role, SN_ROLE_SLAVE);
    parse_str(&info, "role:masterx\r\n");
    ck_assert_int_eq(info.role, SN_ROLE_UNKNOWN);
    parse_str(&info, "role:Master\r\n");
    ck_assert_int_eq(info.role, SN_ROLE_UNKNOWN);
    parse_str(&info, "role: master\r\n");
    ck_assert_int_eq(info.role, SN_ROLE_UNKNOWN);
    /* A lone CR is part of the value, not a line end. */
    parse_str(&info, "role:master\rrole:slave\n");
    ck_assert_int_eq(info.role, SN_ROLE_UNKNOWN);
}
END_TEST

START_TEST(test_parse_run_id_valid_or_flagged)
{
    struct sn_info info;

    parse_str(&info, "run_id:" RUNID_A "\r\n");
    ck_assert_str_eq(info.run_id, RUNID_A);
    ck_assert(!info.run_id_invalid);
    parse_str(&info, "run_id:0123456789ABCDEF0123456789abcdef01234567\n");
    ck_assert_str_eq(info.run_id,
                     "0123456789ABCDEF0123456789abcdef01234567");
    parse_str(&info, "run_id:0123456789abcdef0123456789abcdef0123456\n");
    ck_assert_str_eq(info.run_id, "");      /* 39 */
    ck_assert(info.run_id_invalid);
    parse_str(&info, "run_id:" RUNID_A "8\n");
    ck_assert_str_eq(info.run_id, "");      /* 41 */
    ck_assert(info.run_id_invalid);
    parse_str(&info, "run_id:0123456789abcdef0123456789abcdef0123456g\n");
    ck_assert(info.run_id_invalid);
    parse_str(&info, "run_id:\n");
    ck_assert(info.run_id_invalid);
    /* Duplicates: the last line wins either way. */
    parse_str(&info, "run_id:bad\nrun_id:" RUNID_A "\n");
    ck_assert_str_eq(info.run_id, RUNID_A);
    ck_assert(!info.run_id_invalid);
    parse_str(&info, "run_id:" RUNID_A "\nrun_id:bad\n");
    ck_assert_str_eq(info.run_id, "");
    ck_assert(info.run_id_invalid);
}
END_TEST

START_TEST(test_parse_ports_in_range_only)
{
    static const char *const bad[] = {
        "master_port:0",     "master_port:-1",  "master_port:65536",
        "master_port:",      "master_port:+1",  "master_port: 1",
        "master_port:1 ",    "master_port:1x",  "master_port:-",
        "master_port:99999999999999999999999999",
        "master_port:0x10",
    };
    struct sn_info info;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        parse_str(&info, bad[i]);
        ck_assert_msg(!info.has_master_port, "%s accepted", bad[i]);
    }
    parse_str(&info, "master_port:65535\r\n");
    ck_assert(info.has_master_port);
    ck_assert_int_eq(info.master_port, 65535);
    parse_str(&info, "master_port:1\r\n");
    ck_assert_int_eq(info.master_port, 1);
}
END_TEST

START_TEST(test_parse_huge_numbers_absent)
{
    struct sn_info info;

    parse_str(&info, "slave_repl_offset:9223372036854775807\r\n"
                     "master_repl_offset:9223372036854775807\r\n");
    ck_assert(info.has_slave_repl_offset);
    ck_assert_uint_eq(info.slave_repl_offset, INT64_MAX);
    ck_assert_uint_eq(info.master_repl_offset, INT64_MAX);
    parse_str(&info, "slave_repl_offset:9223372036854775808\r\n"
                     "master_repl_offset:18446744073709551616\r\n");
    ck_assert(!info.has_slave_repl_offset);
    ck_assert(!info.has_master_repl_offset);
    parse_str(&info, "slave_repl_offset:-1\r\n");
    ck_assert(!info.has_slave_repl_offset);
    parse_str(&info, "slave_priority:2147483647\r\n");
    ck_assert(info.has_slave_priority);
    ck_assert_int_eq(info.slave_priority, 2147483647);
    parse_str(&info, "slave_priority:2147483648\r\n");
    ck_assert(!info.has_slave_priority);
    parse_str(&info, "slave_priority:-1\r\n");
    ck_assert(!info.has_slave_priority);
}
END_TEST

START_TEST(test_parse_link_down_since_range)
{
    struct sn_info info;

    parse_str(&info, "master_link_down_since_seconds:-1\r\n");
    ck_assert(info.has_master_link_down_since);
    ck_assert_int_eq(info.master_link_down_since_seconds, -1);
    /* INT64_MAX / 1000: the caller's * 1000 still fits. */
    parse_str(&info, "master_link_down_since_seconds:9223372036854775\r\n");
    ck_assert(info.has_master_link_down_since);
    parse_str(&info, "master_link_down_since_seconds:9223372036854776\r\n");
    ck_assert(!info.has_master_link_down_since);
    parse_str(&info, "master_link_down_since_seconds:-2\r\n");
    ck_assert(!info.has_master_link_down_since);
    parse_str(&info, "master_link_down_since_second:5\r\n");
    ck_assert(!info.has_master_link_down_since);
}
END_TEST

START_TEST(test_parse_link_status_up_else_down)
{
    struct sn_info info;

    parse_str(&info, "master_link_status:up\r\n");
    ck_assert_int_eq(info.master_link_status, SN_INFO_LINK_UP);
    parse_str(&info, "master_link_status:UP\r\n");
    ck_assert_int_eq(info.master_link_status, SN_INFO_LINK_UP);
    parse_str(&info, "master_link_status:down\r\n");
    ck_assert_int_eq(info.master_link_status, SN_INFO_LINK_DOWN);
    parse_str(&info, "master_link_status:upx\r\n");
    ck_assert_int_eq(info.master_link_status, SN_INFO_LINK_DOWN);
    parse_str(&info, "master_link_status:\r\n");
    ck_assert_int_eq(info.master_link_status, SN_INFO_LINK_DOWN);
}
END_TEST

START_TEST(test_parse_priority_both_names_last_wins)
{
    struct sn_info info;

    parse_str(&info, "replica_priority:7\r\n");
    ck_assert(info.has_slave_priority);
    ck_assert_int_eq(info.slave_priority, 7);
    parse_str(&info, "slave_priority:100\r\nreplica_priority:0\r\n");
    ck_assert_int_eq(info.slave_priority, 0);
    parse_str(&info, "replica_priority:0\r\nslave_priority:100\r\n");
    ck_assert_int_eq(info.slave_priority, 100);
}
END_TEST

START_TEST(test_parse_replica_announced_default_1)
{
    struct sn_info info;

    parse_str(&info, "role:slave\r\n");
    ck_assert(info.replica_announced);
    parse_str(&info, "replica_announced:0\r\n");
    ck_assert(!info.replica_announced);
    parse_str(&info, "replica_announced:0\r\nreplica_announced:1\r\n");
    ck_assert(info.replica_announced);
    parse_str(&info, "replica_announced:00x\r\n");
    ck_assert(info.replica_announced);
}
END_TEST

START_TEST(test_parse_failover_state_values)
{
    struct sn_info info;

    parse_str(&info, "master_failover_state:no-failover\r\n");
    ck_assert_int_eq(info.master_failover_state, SN_INFO_FAILOVER_NONE);
    parse_str(&info, "master_failover_state:waiting-for-sync\r\n");
    ck_assert_int_eq(info.master_failover_state,
                     SN_INFO_FAILOVER_WAITING_FOR_SYNC);
    parse_str(&info, "master_failover_state:failover-in-progress\r\n");
    ck_assert_int_eq(info.master_failover_state,
                     SN_INFO_FAILOVER_IN_PROGRESS);
    parse_str(&info, "master_failover_state:something-new\r\n");
    ck_assert_int_eq(info.master_failover_state, SN_INFO_FAILOVER_UNKNOWN);
}
END_TEST

START_TEST(test_parse_host_bounds)
{
    struct sn_info info;
    char host[SN_HOST_MAX + 2], *text;

    memset(host, 'h', SN_HOST_MAX);
    host[SN_HOST_MAX] = '\0';
    text = sn_printf("master_host:%s\r\n", host);
    parse_str(&info, text);
    ck_assert_str_eq(info.master_host, host);       /* 255: kept */
    free(text);
    host[SN_HOST_MAX] = 'h';
    host[SN_HOST_MAX + 1] = '\0';
    text = sn_printf("master_host:%s\r\n", host);
    parse_str(&info, text);
    ck_assert_str_eq(info.master_host, "");         /* 256: dropped */
    free(text);
    parse_str(&info, "master_host:\r\n");
    ck_assert_str_eq(info.master_host, "");
    parse_str(&info, "master_host:a b\r\n");
    ck_assert_str_eq(info.master_host, "");
    parse_str(&info, "master_host:a\tb\r\n");
    ck_assert_str_eq(info.master_host, "");
    parse_str(&info, "master_host:fe80::1%eth0\r\n");
    ck_assert_str_eq(info.master_host, "fe80::1%eth0");
    /* Last wins, even when the last is bad. */
    parse_str(&info, "master_host:a\r\nmaster_host:b\r\n");
    ck_assert_str_eq(info.master_host, "b");
    parse_str(&info, "master_host:a\r\nmaster_host:b c\r\n");
    ck_assert_str_eq(info.master_host, "");
}
END_TEST

START_TEST(test_parse_nul_bytes_invalidate_line)
{
    static const char text[] = "master_port:17\0" "000\r\n"
                               "role:mas\0ter\r\n"
                               "master_host:ab\0cd\r\n"
                               "slave_prio\0rity:5\r\n"
                               "slave_repl_offset:42\r\n";
    struct sn_info info;

    ck_assert_int_eq(sn_info_parse(&info, text, sizeof(text) - 1), 0);
    ck_assert(!info.has_master_port);
    ck_assert_int_eq(info.role, SN_ROLE_UNKNOWN);
    ck_assert_str_eq(info.master_host, "");
    ck_assert(!info.has_slave_priority);
    /* The line after them is read as usual. */
    ck_assert(info.has_slave_repl_offset);
    ck_assert_uint_eq(info.slave_repl_offset, 42);
}
END_TEST

START_TEST(test_parse_lines_without_colon_ignored)
{
    struct sn_info info;

    parse_str(&info, "garbage\r\n\r\n\n# Replication\r\nrole\r\n"
                     "master_port\r\n:\r\n::::\r\nmaster_port:5\r\n");
    ck_assert_int_eq(info.role, SN_ROLE_UNKNOWN);
    ck_assert_int_eq(info.master_port, 5);
    /* A header-looking line is skipped even if it has a colon. */
    parse_str(&info, "#role:master\r\n");
    ck_assert_int_eq(info.role, SN_ROLE_UNKNOWN);
}
END_TEST

START_TEST(test_parse_duplicate_keys_last_wins)
{
    struct sn_info info;

    parse_str(&info, "role:master\r\nrole:slave\r\n"
                     "master_port:1\r\nmaster_port:2\r\n"
                     "master_link_status:up\r\nmaster_link_status:down\r\n"
                     "slave_repl_offset:9\r\nslave_repl_offset:x\r\n");
    ck_assert_int_eq(info.role, SN_ROLE_SLAVE);
    ck_assert_int_eq(info.master_port, 2);
    ck_assert_int_eq(info.master_link_status, SN_INFO_LINK_DOWN);
    ck_assert(!info.has_slave_repl_offset);
}
END_TEST

START_TEST(test_parse_too_big_refused)
{
    struct sn_info info;
    char *text = sn_malloc(SN_INFO_BYTES_MAX + 1);

    memset(text, '\n', SN_INFO_BYTES_MAX + 1);
    memcpy(text, "role:master\n", 12);
    ck_assert_int_eq(sn_info_parse(&info, text, SN_INFO_BYTES_MAX + 1), -1);
    ck_assert_ptr_nonnull(info.error);
    ck_assert_int_eq(info.role, SN_ROLE_UNKNOWN);
    ck_assert_ptr_null(info.replicas);
    ck_assert_int_eq(sn_info_parse(&info, text, SN_INFO_BYTES_MAX), 0);
    ck_assert_ptr_null(info.error);
    ck_assert_int_eq(info.role, SN_ROLE_MASTER);
    sn_info_free(&info);
    free(text);
}
END_TEST

/* ---------------------------------------------------------------------
 * Hand-written samples: slaveN lines
 * ------------------------------------------------------------------- */

START_TEST(test_replicas_new_and_old_format)
{
    struct sn_info info;

    parse_str(&info,
              "slave0:ip=127.0.0.1,port=7001,state=online,offset=123,lag=0\r\n"
              "slave1:10.0.0.2,7002,online\r\n"
              "slave2:::1,7003,send_bulk\r\n"
              "slave3:ip=::1,port=7004,state=wait_bgsave,offset=0,lag=1\r\n"
              "slave4:port=7005,lag=3,ip=h5,state=weird\r\n");
    ck_assert_uint_eq(info.replicas_count, 5);
    ck_assert_str_eq(info.replicas[0].host, "127.0.0.1");
    ck_assert_int_eq(info.replicas[0].port, 7001);
    ck_assert_int_eq(info.replicas[0].state, SN_INFO_REPLICA_ONLINE);
    ck_assert(info.replicas[0].has_offset);
    ck_assert_uint_eq(info.replicas[0].offset, 123);
    ck_assert_str_eq(info.replicas[1].host, "10.0.0.2");
    ck_assert_int_eq(info.replicas[1].port, 7002);
    ck_assert_int_eq(info.replicas[1].state, SN_INFO_REPLICA_ONLINE);
    ck_assert(!info.replicas[1].has_offset);
    ck_assert_str_eq(info.replicas[2].host, "::1");
    ck_assert_int_eq(info.replicas[2].state, SN_INFO_REPLICA_SEND_BULK);
    ck_assert_str_eq(info.replicas[3].host, "::1");
    ck_assert_int_eq(info.replicas[3].port, 7004);
    ck_assert_int_eq(info.replicas[3].state, SN_INFO_REPLICA_WAIT_BGSAVE);
    ck_assert_str_eq(info.replicas[4].host, "h5");
    ck_assert_int_eq(info.replicas[4].port, 7005);
    ck_assert_int_eq(info.replicas[4].state, SN_INFO_REPLICA_UNKNOWN);
    ck_assert(!info.replicas[4].has_offset);
    ck_assert_uint_eq(info.replicas_invalid, 0);
    sn_info_free(&info);
}
END_TEST

START_TEST(test_replicas_invalid_lines_counted)
{
    static const char *const bad[] = {
        "slave0:ip=1.2.3.4\r\n",                    /* no port */
        "slave0:port=1\r\n",                        /* no ip */
        "slave0:ip=1.2.3.4,port=0\r\n",
        "slave0:ip=1.2.3.4,port=-5\r\n",
        "slave0:ip=1.2.3.4,port=65536\r\n",
        "slave0:ip=1.2.3.4,port=99999999999999999999999\r\n",
        "slave0:ip=,port=1\r\n",
        "slave0:ip=a b,port=1\r\n",
        "slave0:1.2.3.4,7001\r\n",                  /* old needs state */
        "slave0:1.2.3.4\r\n",
        "slave0:\r\n",
        "slave0:,1,online\r\n",
        "slave0:h,x,online\r\n",
    };
    struct sn_info info;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        parse_str(&info, bad[i]);
        ck_assert_msg(info.replicas_count == 0, "%s accepted", bad[i]);
        ck_assert_uint_eq(info.replicas_invalid, 1);
        sn_info_free(&info);
    }
    /* A bad offset loses the offset, not the replica. */
    parse_str(&info, "slave0:ip=h,port=1,offset=99999999999999999999\r\n");
    ck_assert_uint_eq(info.replicas_count, 1);
    ck_assert(!info.replicas[0].has_offset);
    sn_info_free(&info);
}
END_TEST

START_TEST(test_replicas_key_must_be_slave_digits)
{
    struct sn_info info;

    parse_str(&info, "slave:h,1,online\r\nslavex:h,1,online\r\n"
                     "slave0x:h,1,online\r\nslave_priority:5\r\n"
                     "Slave0:h,1,online\r\n");
    ck_assert_uint_eq(info.replicas_count, 0);
    ck_assert_uint_eq(info.replicas_invalid, 0);
    ck_assert_int_eq(info.slave_priority, 5);
}
END_TEST

START_TEST(test_replicas_long_host_dropped)
{
    struct sn_info info;
    char host[SN_HOST_MAX + 2];
    char *text;

    memset(host, 'r', SN_HOST_MAX + 1);
    host[SN_HOST_MAX + 1] = '\0';
    text = sn_printf("slave0:ip=%s,port=1\r\nslave1:%s,2,online\r\n"
                     "slave2:ip=%s,port=3\r\n",
                     host, host, host + 1);
    parse_str(&info, text);
    ck_assert_uint_eq(info.replicas_invalid, 2);
    ck_assert_uint_eq(info.replicas_count, 1);
    ck_assert_str_eq(info.replicas[0].host, host + 1);
    ck_assert_int_eq(info.replicas[0].port, 3);
    sn_info_free(&info);
    free(text);
}
END_TEST

START_TEST(test_replicas_same_address_last_wins)
{
    struct sn_info info;

    parse_str(&info,
              "slave0:ip=h,port=1,state=send_bulk,offset=1\r\n"
              "slave1:ip=h,port=2,state=online,offset=2\r\n"
              "slave0:ip=h,port=1,state=online,offset=9\r\n");
    ck_assert_uint_eq(info.replicas_count, 2);
    ck_assert_int_eq(info.replicas[0].port, 1);
    ck_assert_int_eq(info.replicas[0].state, SN_INFO_REPLICA_ONLINE);
    ck_assert_uint_eq(info.replicas[0].offset, 9);
    ck_assert_int_eq(info.replicas[1].port, 2);
    sn_info_free(&info);
}
END_TEST

START_TEST(test_replicas_beyond_max_dropped)
{
    struct sn_info info;
    struct sn_buf b;
    int i, extra = 5;

    sn_buf_init(&b);
    for (i = 0; i < SN_REPLICAS_MAX + extra; i++)
        sn_buf_printf(&b, "slave%d:ip=10.0.%d.%d,port=%d,state=online,"
                          "offset=%d,lag=0\r\n",
                      i, i / 256, i % 256, 1000 + i, i);
    /* An address already listed still updates its entry when full. */
    sn_buf_printf(&b, "slave9999:ip=10.0.0.0,port=1000,state=send_bulk\r\n");
    ck_assert_int_eq(sn_info_parse(&info, b.data, b.len), 0);
    ck_assert_uint_eq(info.replicas_count, SN_REPLICAS_MAX);
    ck_assert_uint_eq(info.replicas_dropped, (size_t)extra);
    ck_assert_int_eq(info.replicas[0].state, SN_INFO_REPLICA_SEND_BULK);
    ck_assert_str_eq(info.replicas[SN_REPLICAS_MAX - 1].host, "10.0.3.255");
    sn_info_free(&info);
    sn_buf_free(&b);
}
END_TEST

/* ---------------------------------------------------------------------
 * Hostile input at large
 * ------------------------------------------------------------------- */

/* A byte that is likely to matter to the parser. */
static char
fuzz_byte(struct sn_rng *rng)
{
    static const char interesting[] = ":,=\r\n\0-0123456789#x";

    if (sn_rng_below(rng, 2) == 0)
        return interesting[sn_rng_below(rng, sizeof(interesting))];
    return (char)sn_rng_below(rng, 256);
}

/*
 * Mutated real replies and random bytes: no crash (the sanitizer build
 * checks the memory side), and whatever parses renders to a text that
 * parses to the same thing.
 */
START_TEST(test_parse_hostile_fuzz_render_stable)
{
    static const char *const names[] = {"master.txt", "replica.txt",
                                        "replica_down.txt"};
    uint64_t seed = 0x1f0c0ffee;
    struct sn_rng rng;
    char *base[3];
    size_t base_len[3], i, round;

    for (i = 0; i < 3; i++)
        base[i] = golden_read(names[i], &base_len[i]);
    sn_rng_seed(&rng, seed);
    for (round = 0; round < 20000; round++) {
        size_t which = round % 3, len, n, k, rlen;
        struct sn_info a, b;
        char *text, *rendered;

        len = base_len[which];
        text = sn_malloc(len + 1);
        memcpy(text, base[which], len);
        if (round % 10 == 9)                /* random bytes */
            for (k = 0; k < len; k++)
                text[k] = fuzz_byte(&rng);
        n = 1 + sn_rng_below(&rng, 16);
        for (k = 0; k < n; k++)
            text[sn_rng_below(&rng, len)] = fuzz_byte(&rng);
        len = sn_rng_below(&rng, 8) == 0 ? sn_rng_below(&rng, len + 1)
                                          : len;
        ck_assert_msg(sn_info_parse(&a, text, len) == 0, "seed %llu round %zu",
                      (unsigned long long)seed, round);
        rendered = sn_info_render(&a, &rlen);
        ck_assert_int_eq(sn_info_parse(&b, rendered, rlen), 0);
        assert_info_eq(&a, &b, 0);
        sn_info_free(&a);
        sn_info_free(&b);
        free(rendered);
        free(text);
    }
    for (i = 0; i < 3; i++)
        free(base[i]);
}
END_TEST

static Suite *
info_suite(void)
{
    Suite *s = suite_create("info");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_golden_master_fields);
    tcase_add_test(tc, test_golden_replica_fields);
    tcase_add_test(tc, test_golden_replica_link_down);
    tcase_add_test(tc, test_golden_lf_same_as_crlf);
    tcase_add_test(tc, test_render_replication_layout_as_redis_7_0);
    tcase_add_test(tc, test_render_master_exact_bytes);
    tcase_add_test(tc, test_render_replica_exact_bytes);
    tcase_add_test(tc, test_render_parse_round_trip);
    tcase_add_test(tc, test_parse_empty_text_all_absent);
    tcase_add_test(tc, test_parse_missing_fields_absent);
    tcase_add_test(tc, test_parse_role_exact_values);
    tcase_add_test(tc, test_parse_run_id_valid_or_flagged);
    tcase_add_test(tc, test_parse_ports_in_range_only);
    tcase_add_test(tc, test_parse_huge_numbers_absent);
    tcase_add_test(tc, test_parse_link_down_since_range);
    tcase_add_test(tc, test_parse_link_status_up_else_down);
    tcase_add_test(tc, test_parse_priority_both_names_last_wins);
    tcase_add_test(tc, test_parse_replica_announced_default_1);
    tcase_add_test(tc, test_parse_failover_state_values);
    tcase_add_test(tc, test_parse_host_bounds);
    tcase_add_test(tc, test_parse_nul_bytes_invalidate_line);
    tcase_add_test(tc, test_parse_lines_without_colon_ignored);
    tcase_add_test(tc, test_parse_duplicate_keys_last_wins);
    tcase_add_test(tc, test_parse_too_big_refused);
    tcase_add_test(tc, test_replicas_new_and_old_format);
    tcase_add_test(tc, test_replicas_invalid_lines_counted);
    tcase_add_test(tc, test_replicas_key_must_be_slave_digits);
    tcase_add_test(tc, test_replicas_long_host_dropped);
    tcase_add_test(tc, test_replicas_same_address_last_wins);
    tcase_add_test(tc, test_replicas_beyond_max_dropped);
    tcase_add_test(tc, test_parse_hostile_fuzz_render_stable);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(info_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
