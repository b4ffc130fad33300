/*
 * test_resp.c: the request parser against the replies Redis 7 gives for the
 * same bytes (error texts, skipped empty requests, inline quoting), its
 * limits and its memory behaviour under hostile headers, feeding patterns
 * (one shot, byte by byte, random chunks: always the same result), a seeded
 * fuzz run, and the reply encoder's exact bytes in RESP2 and RESP3.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sn_limits.h"
#include "resp.h"
#include "util.h"

#define ERR_PREFIX "ERR Protocol error: "

/* ---------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------- */

/* Append one argument to a transcript, non-printable bytes as \xNN. */
static void
put_arg(struct sn_buf *t, const char *a, size_t n)
{
    size_t i;

    sn_buf_putc(t, '[');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)a[i];

        if (c < 0x20 || c >= 0x7f || c == '[' || c == ']' || c == '\\')
            sn_buf_printf(t, "\\x%02x", c);
        else
            sn_buf_putc(t, (char)c);
    }
    sn_buf_putc(t, ']');
}

/* Drain every complete command into t. Returns the last result of
 * sn_resp_next (0 or -1). */
static int
drain(struct sn_resp_parser *p, struct sn_buf *t)
{
    struct sn_resp_cmd cmd;
    int rc, i;

    while ((rc = sn_resp_next(p, &cmd)) == 1) {
        ck_assert_int_ge(cmd.argc, 1);
        sn_buf_printf(t, "%d", cmd.argc);
        for (i = 0; i < cmd.argc; i++) {
            /* Every argument ends with a NUL after its bytes. */
            ck_assert_int_eq(cmd.argv[i][cmd.argvlen[i]], '\0');
            sn_buf_putc(t, ' ');
            put_arg(t, cmd.argv[i], cmd.argvlen[i]);
        }
        sn_buf_putc(t, '\n');
    }
    return rc;
}

struct feed_opts {
    size_t query_buf_max;       /* 0: the default */
    bool auth_required;
};

/* Feed in in chunks (chunk 0: at once; rng non-NULL: random sizes up to
 * chunk) and return what came out: one line per command, then
 * "more <pending>" or "error <text>". */
static char *
transcript(const void *in, size_t len, size_t chunk, struct sn_rng *rng,
           const struct feed_opts *o)
{
    struct sn_resp_parser p;
    struct sn_buf t;
    const char *s = in;
    size_t off = 0, n;
    int rc = 0;

    sn_resp_parser_init(&p);
    sn_buf_init(&t);
    if (o != NULL && o->query_buf_max > 0)
        sn_resp_parser_set_query_buf_max(&p, o->query_buf_max);
    if (o != NULL)
        sn_resp_parser_set_auth_required(&p, o->auth_required);
    do {
        n = chunk == 0 ? len - off : chunk;
        if (rng != NULL && chunk > 0)
            n = 1 + (size_t)sn_rng_below(rng, chunk);
        if (n > len - off)
            n = len - off;
        sn_resp_feed(&p, s + off, n);
        off += n;
        rc = drain(&p, &t);
    } while (rc == 0 && off < len);
    if (rc < 0) {
        ck_assert_int_ne(sn_resp_parser_error_code(&p), SN_RESP_ERR_NONE);
        sn_buf_printf(&t, "error %s", sn_resp_parser_error(&p));
    } else {
        ck_assert_int_eq(sn_resp_parser_error_code(&p), SN_RESP_ERR_NONE);
        sn_buf_printf(&t, "more %zu", sn_resp_parser_pending(&p));
    }
    sn_resp_parser_free(&p);
    return sn_buf_steal(&t, NULL);
}

/* The transcript must not depend on how the bytes were split. */
static void
assert_transcript_opts(const void *in, size_t len, const struct feed_opts *o,
                       const char *want)
{
    struct sn_rng rng;
    char *one = transcript(in, len, 0, NULL, o);
    char *bytes = transcript(in, len, 1, NULL, o);
    char *chunks;

    ck_assert_str_eq(one, want);
    ck_assert_str_eq(bytes, want);
    sn_rng_seed(&rng, 42);
    chunks = transcript(in, len, 7, &rng, o);
    ck_assert_str_eq(chunks, want);
    free(one);
    free(bytes);
    free(chunks);
}

static void
assert_transcript(const char *in, const char *want)
{
    assert_transcript_opts(in, strlen(in), NULL, want);
}

/* A string of n copies of c followed by tail. */
static char *
repeat(char c, size_t n, const char *head, const char *tail, size_t *len)
{
    size_t hl = strlen(head), tl = strlen(tail);
    char *s = sn_malloc(hl + n + tl + 1);

    memcpy(s, head, hl);
    memset(s + hl, c, n);
    memcpy(s + hl + n, tail, tl + 1);
    *len = hl + n + tl;
    return s;
}

static void
assert_error_opts(const void *in, size_t len, const struct feed_opts *o,
                  enum sn_resp_error code, const char *text)
{
    struct sn_resp_parser p;
    struct sn_resp_cmd cmd;
    char *want = sn_printf("error %s", text);

    assert_transcript_opts(in, len, o, want);
    free(want);
    sn_resp_parser_init(&p);
    if (o != NULL && o->query_buf_max > 0)
        sn_resp_parser_set_query_buf_max(&p, o->query_buf_max);
    if (o != NULL)
        sn_resp_parser_set_auth_required(&p, o->auth_required);
    sn_resp_feed(&p, in, len);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), -1);
    ck_assert_int_eq(sn_resp_parser_error_code(&p), code);
    ck_assert_str_eq(sn_resp_parser_error(&p), text);
    sn_resp_parser_free(&p);
}

static void
assert_error(const char *in, enum sn_resp_error code, const char *text)
{
    assert_error_opts(in, strlen(in), NULL, code, text);
}

/* ---------------------------------------------------------------------
 * Parser: the two request forms
 * ------------------------------------------------------------------- */

START_TEST(test_parse_multibulk_simple)
{
    struct sn_resp_parser p;
    struct sn_resp_cmd cmd;
    const char *in = "*2\r\n$4\r\nPING\r\n$2\r\nhi\r\n";

    sn_resp_parser_init(&p);
    ck_assert_int_eq(sn_resp_parser_pending(&p), 0);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 0);
    sn_resp_feed(&p, in, strlen(in));
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 1);
    ck_assert_int_eq(cmd.argc, 2);
    ck_assert_str_eq(cmd.argv[0], "PING");
    ck_assert_uint_eq(cmd.argvlen[0], 4);
    ck_assert_str_eq(cmd.argv[1], "hi");
    ck_assert_uint_eq(cmd.argvlen[1], 2);
    ck_assert_uint_eq(sn_resp_parser_pending(&p), 0);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 0);
    ck_assert_int_eq(cmd.argc, 0);
    ck_assert_str_eq(sn_resp_parser_error(&p), "");
    sn_resp_parser_free(&p);
}
END_TEST

START_TEST(test_parse_inline_simple)
{
    assert_transcript("PING hi\r\n", "2 [PING] [hi]\nmore 0");
    /* A bare LF ends a line too, as in Redis. */
    assert_transcript("PING\n", "1 [PING]\nmore 0");
    /* Any run of blanks separates; CR inside a line is a blank. */
    assert_transcript("  SET\tk \r v  \r\n", "3 [SET] [k] [v]\nmore 0");
    assert_transcript("PING", "more 4");
}
END_TEST

START_TEST(test_parse_inline_double_quotes_escapes)
{
    assert_transcript("SET \"a b\" "
                      "\"\\x41\\x7a\\n\\r\\t\\b\\a\\\\\\\"\\q\"\r\n",
                      "3 [SET] [a b] [Az\\x0a\\x0d\\x09\\x08\\x07\\x5c\"q]\n"
                      "more 0");
    /* \x needs two hex digits, else the backslash escapes the x. */
    assert_transcript("\"\\x4g\" \"\\xZZ\"\n", "2 [x4g] [xZZ]\nmore 0");
    /* \x00 is a NUL inside the argument. */
    assert_transcript("\"a\\x00b\"\n", "1 [a\\x00b]\nmore 0");
    /* An empty pair of quotes is an empty argument. */
    assert_transcript("GET \"\"\n", "2 [GET] []\nmore 0");
}
END_TEST

START_TEST(test_parse_inline_single_quotes)
{
    /* Only \' is an escape inside single quotes. */
    assert_transcript("'it\\'s' '\\n' 'a \"b\"'\n",
                      "3 [it's] [\\x5cn] [a \"b\"]\nmore 0");
}
END_TEST

START_TEST(test_parse_inline_quotes_inside_word)
{
    /* sdssplitargs: a quote opens in the middle of a word, and the word
     * continues up to the closing quote. */
    assert_transcript("ab\"c d\" e\n", "2 [abc d] [e]\nmore 0");
    assert_transcript("x'y z'\n", "1 [xy z]\nmore 0");
}
END_TEST

START_TEST(test_parse_inline_unbalanced_quotes)
{
    const char *text = "ERR Protocol error: unbalanced quotes in request";

    assert_error("SET \"abc\r\n", SN_RESP_ERR_UNBALANCED_QUOTES, text);
    assert_error("SET 'abc\n", SN_RESP_ERR_UNBALANCED_QUOTES, text);
    /* A closing quote must be followed by a blank or the end. */
    assert_error("SET \"abc\"def\n", SN_RESP_ERR_UNBALANCED_QUOTES, text);
    assert_error("SET 'abc'def\n", SN_RESP_ERR_UNBALANCED_QUOTES, text);
    /* A backslash at the end escapes nothing. */
    assert_error("\"abc\\\n", SN_RESP_ERR_UNBALANCED_QUOTES, text);
}
END_TEST

START_TEST(test_parse_inline_nul_is_ordinary)
{
    static const char in[] = "GET a\0b\r\n";

    assert_transcript_opts(in, sizeof(in) - 1, NULL,
                           "2 [GET] [a\\x00b]\nmore 0");
}
END_TEST

START_TEST(test_parse_empty_inline_lines_skipped)
{
    assert_transcript("\r\n\n   \r\n\t\nPING\r\n", "1 [PING]\nmore 0");
    assert_transcript("\r\n", "more 0");
}
END_TEST

START_TEST(test_parse_empty_multibulk_skipped)
{
    assert_transcript("*0\r\n*-1\r\n*-10\r\n*1\r\n$4\r\nPING\r\n",
                      "1 [PING]\nmore 0");
}
END_TEST

START_TEST(test_parse_binary_bulk_args)
{
    static const char in[] = "*3\r\n$3\r\nSET\r\n$5\r\na\0\r\nb\r\n"
                             "$4\r\n\r\n\r\n\r\n";
    struct sn_resp_parser p;
    struct sn_resp_cmd cmd;

    assert_transcript_opts(in, sizeof(in) - 1, NULL,
                           "3 [SET] [a\\x00\\x0d\\x0ab] [\\x0d\\x0a\\x0d\\x0a]"
                           "\nmore 0");
    sn_resp_parser_init(&p);
    sn_resp_feed(&p, in, sizeof(in) - 1);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 1);
    ck_assert_uint_eq(cmd.argvlen[1], 5);
    ck_assert_mem_eq(cmd.argv[1], "a\0\r\nb", 5);
    ck_assert_uint_eq(cmd.argvlen[2], 4);
    ck_assert_mem_eq(cmd.argv[2], "\r\n\r\n", 4);
    sn_resp_parser_free(&p);
}
END_TEST

START_TEST(test_parse_empty_bulk_arg)
{
    assert_transcript("*2\r\n$3\r\nGET\r\n$0\r\n\r\n", "2 [GET] []\nmore 0");
}
END_TEST

START_TEST(test_parse_pipelined_mixed_forms)
{
    struct sn_buf in, want;
    char *got;
    int i;

    sn_buf_init(&in);
    sn_buf_init(&want);
    for (i = 0; i < 1000; i++) {
        if (i % 3 == 0) {
            sn_buf_printf(&in, "*2\r\n$4\r\nECHO\r\n$%d\r\n%d\r\n",
                          snprintf(NULL, 0, "%d", i), i);
        } else if (i % 3 == 1) {
            sn_buf_printf(&in, "ECHO %d\r\n", i);
        } else {
            sn_buf_printf(&in, "\r\n*0\r\nECHO \"%d\"\n", i);
        }
        sn_buf_printf(&want, "2 [ECHO] [%d]\n", i);
    }
    sn_buf_puts(&in, "*1\r\n$4\r\nPI");
    sn_buf_puts(&want, "more 10");
    assert_transcript_opts(in.data, in.len, NULL, want.data);
    got = transcript(in.data, in.len, 4096, NULL, NULL);
    ck_assert_str_eq(got, want.data);
    free(got);
    sn_buf_free(&in);
    sn_buf_free(&want);
}
END_TEST

/* Commands completed before bad bytes are returned first: Redis runs them
 * before it sends the error. */
START_TEST(test_parse_commands_before_error_returned)
{
    assert_transcript("PING\r\n*1\r\n$4\r\nECHO\r\n*x\r\nPING\r\n",
                      "1 [PING]\n1 [ECHO]\n"
                      "error " ERR_PREFIX "invalid multibulk length");
}
END_TEST

START_TEST(test_parse_error_is_sticky)
{
    struct sn_resp_parser p;
    struct sn_resp_cmd cmd;

    sn_resp_parser_init(&p);
    sn_resp_feed(&p, "*x\r\n", 4);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), -1);
    sn_resp_feed(&p, "PING\r\n", 6);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), -1);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), -1);
    ck_assert_str_eq(sn_resp_parser_error(&p),
                     ERR_PREFIX "invalid multibulk length");
    sn_resp_parser_free(&p);
}
END_TEST

/* ---------------------------------------------------------------------
 * Parser: the error texts of Redis 7
 * ------------------------------------------------------------------- */

START_TEST(test_error_invalid_multibulk_length)
{
    const char *t = ERR_PREFIX "invalid multibulk length";

    assert_error("*abc\r\n", SN_RESP_ERR_MBULK_LEN, t);
    assert_error("*\r\n", SN_RESP_ERR_MBULK_LEN, t);
    /* string2ll: no '+', no leading zero, no "-0", no spaces. */
    assert_error("*+1\r\n", SN_RESP_ERR_MBULK_LEN, t);
    assert_error("*01\r\n", SN_RESP_ERR_MBULK_LEN, t);
    assert_error("*-0\r\n", SN_RESP_ERR_MBULK_LEN, t);
    assert_error("* 1\r\n", SN_RESP_ERR_MBULK_LEN, t);
    assert_error("*99999999999999999999\r\n", SN_RESP_ERR_MBULK_LEN, t);
    assert_error("*1048577\r\n", SN_RESP_ERR_MBULK_LEN, t);
}
END_TEST

START_TEST(test_error_expected_dollar)
{
    static const char nul[] = "*1\r\n\0\r\n";

    assert_error("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n",
                 SN_RESP_ERR_EXPECTED_DOLLAR,
                 ERR_PREFIX "expected '$', got 'f'");
    /* Redis cleans CR and LF to spaces ... */
    assert_error("*1\r\n\r\n", SN_RESP_ERR_EXPECTED_DOLLAR,
                 ERR_PREFIX "expected '$', got ' '");
    assert_error("*1\r\n\n\r\n", SN_RESP_ERR_EXPECTED_DOLLAR,
                 ERR_PREFIX "expected '$', got ' '");
    /* ... and a NUL (which Redis never gets to) shows as one too. */
    assert_error_opts(nul, sizeof(nul) - 1, NULL, SN_RESP_ERR_EXPECTED_DOLLAR,
                      ERR_PREFIX "expected '$', got ' '");
}
END_TEST

START_TEST(test_error_invalid_bulk_length)
{
    const char *t = ERR_PREFIX "invalid bulk length";

    assert_error("*1\r\n$-1\r\n", SN_RESP_ERR_BULK_LEN, t);
    assert_error("*1\r\n$abc\r\n", SN_RESP_ERR_BULK_LEN, t);
    assert_error("*1\r\n$\r\n", SN_RESP_ERR_BULK_LEN, t);
    assert_error("*1\r\n$536870913\r\n", SN_RESP_ERR_BULK_LEN, t);
    assert_error("*1\r\n$999999999\r\n", SN_RESP_ERR_BULK_LEN, t);
}
END_TEST

START_TEST(test_error_too_big_mbulk_count_string)
{
    const char *t = ERR_PREFIX "too big mbulk count string";
    size_t len;
    char *s;

    /* More than SN_INLINE_MAX bytes without a CR. */
    s = repeat('1', SN_INLINE_MAX, "*", "", &len);
    assert_error_opts(s, len, NULL, SN_RESP_ERR_MBULK_COUNT_TOO_BIG, t);
    free(s);
    /* The same length with its CR found: the same answer. */
    s = repeat('1', SN_INLINE_MAX, "*", "\r\n", &len);
    assert_error_opts(s, len, NULL, SN_RESP_ERR_MBULK_COUNT_TOO_BIG, t);
    free(s);
    /* One byte less is a line, and a bad number. */
    s = repeat('0', SN_INLINE_MAX - 1, "*", "", &len);
    assert_transcript_opts(s, len, NULL, "more 65536");
    free(s);
    s = repeat('0', SN_INLINE_MAX - 1, "*", "\r\n", &len);
    assert_error_opts(s, len, NULL, SN_RESP_ERR_MBULK_LEN,
                      ERR_PREFIX "invalid multibulk length");
    free(s);
}
END_TEST

START_TEST(test_error_too_big_bulk_count_string)
{
    const char *t = ERR_PREFIX "too big bulk count string";
    size_t len;
    char *s;

    s = repeat('1', SN_INLINE_MAX, "*1\r\n$", "", &len);
    assert_error_opts(s, len, NULL, SN_RESP_ERR_BULK_COUNT_TOO_BIG, t);
    free(s);
    s = repeat('1', SN_INLINE_MAX, "*1\r\n$", "\r\n", &len);
    assert_error_opts(s, len, NULL, SN_RESP_ERR_BULK_COUNT_TOO_BIG, t);
    free(s);
    /* Even before the '$' is looked at: Redis waits for the line first. */
    s = repeat('x', SN_INLINE_MAX + 1, "*1\r\n", "", &len);
    assert_error_opts(s, len, NULL, SN_RESP_ERR_BULK_COUNT_TOO_BIG, t);
    free(s);
}
END_TEST

START_TEST(test_error_too_big_inline_request)
{
    const char *t = ERR_PREFIX "too big inline request";
    size_t len;
    char *s, *want;

    s = repeat('a', SN_INLINE_MAX + 1, "", "", &len);
    assert_error_opts(s, len, NULL, SN_RESP_ERR_INLINE_TOO_BIG, t);
    free(s);
    /* Redis counts the bytes before the LF, CR included. */
    s = repeat('a', SN_INLINE_MAX, "", "\r\n", &len);
    assert_error_opts(s, len, NULL, SN_RESP_ERR_INLINE_TOO_BIG, t);
    free(s);
    s = repeat('a', SN_INLINE_MAX - 1, "", "\r\n", &len);
    want = repeat('a', SN_INLINE_MAX - 1, "1 [", "]\nmore 0", &len);
    assert_transcript_opts(s, strlen(s), NULL, want);
    free(s);
    free(want);
    s = repeat('a', SN_INLINE_MAX, "", "\n", &len);
    want = repeat('a', SN_INLINE_MAX, "1 [", "]\nmore 0", &len);
    assert_transcript_opts(s, strlen(s), NULL, want);
    free(s);
    free(want);
}
END_TEST

START_TEST(test_error_unauthenticated_limits)
{
    struct feed_opts o = {.auth_required = true};
    struct sn_buf in;

    assert_error_opts("*11\r\n", 5, &o, SN_RESP_ERR_MBULK_UNAUTH,
                      ERR_PREFIX "unauthenticated multibulk length");
    assert_error_opts("*1\r\n$16385\r\n", 12, &o, SN_RESP_ERR_BULK_UNAUTH,
                      ERR_PREFIX "unauthenticated bulk length");
    /* At the limits, accepted. */
    sn_buf_init(&in);
    sn_buf_puts(&in, "*10\r\n$16384\r\n");
    assert_transcript_opts(in.data, in.len, &o, "more 13");
    /* An invalid length is invalid first. */
    assert_error_opts("*1048577\r\n", 10, &o, SN_RESP_ERR_MBULK_LEN,
                      ERR_PREFIX "invalid multibulk length");
    sn_buf_free(&in);
}
END_TEST

START_TEST(test_auth_lifted_for_next_command_of_pipeline)
{
    struct sn_resp_parser p;
    struct sn_resp_cmd cmd;
    const char *in = "AUTH pw\r\n*11\r\n$1\r\na\r\n";

    sn_resp_parser_init(&p);
    sn_resp_parser_set_auth_required(&p, true);
    sn_resp_feed(&p, in, strlen(in));
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 1);
    ck_assert_str_eq(cmd.argv[0], "AUTH");
    sn_resp_parser_set_auth_required(&p, false);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 0);
    ck_assert_int_eq(sn_resp_parser_error_code(&p), SN_RESP_ERR_NONE);
    sn_resp_parser_free(&p);
}
END_TEST

/* ---------------------------------------------------------------------
 * Parser: limits and memory
 * ------------------------------------------------------------------- */

START_TEST(test_limit_query_buf_small)
{
    struct feed_opts o = {.query_buf_max = 32};
    const char *text =
        ERR_PREFIX "command larger than the query buffer limit of 32 bytes";
    /* 32 bytes exactly: accepted. */
    const char *fits = "*2\r\n$4\r\nECHO\r\n$11\r\n0123456789a\r\n";
    const char *over = "*2\r\n$4\r\nECHO\r\n$12\r\n0123456789ab\r\n";
    struct sn_buf in;
    char *one, *bytes;

    ck_assert_uint_eq(strlen(fits), 32);
    assert_transcript_opts(fits, 32, &o, "2 [ECHO] [0123456789a]\nmore 0");
    assert_error_opts(over, strlen(over), &o, SN_RESP_ERR_QUERY_BUF, text);
    /* The limit is per command: many small ones pass. */
    sn_buf_init(&in);
    for (int i = 0; i < 20; i++)
        sn_buf_append(&in, fits, 32);
    one = transcript(in.data, in.len, 0, NULL, &o);
    bytes = transcript(in.data, in.len, 1, NULL, &o);
    ck_assert_str_eq(one, bytes);
    ck_assert_str_eq(one + strlen(one) - 7, "\nmore 0");
    free(one);
    free(bytes);
    sn_buf_free(&in);
    /* An inline line too, and an incomplete command. */
    assert_error_opts("ECHO 0123456789012345678901234567\r\n", 35, &o,
                      SN_RESP_ERR_QUERY_BUF, text);
    assert_error_opts("*2\r\n$4\r\nECHO\r\n$100\r\n0123456789012", 33, &o,
                      SN_RESP_ERR_QUERY_BUF, text);
    /* A protocol error inside the limit wins over the limit. */
    assert_error_opts("*1\r\nx\r\n0123456789012345678901234567", 35, &o,
                      SN_RESP_ERR_EXPECTED_DOLLAR,
                      ERR_PREFIX "expected '$', got 'x'");
}
END_TEST

START_TEST(test_limit_arg_count)
{
    struct sn_resp_parser p;
    struct sn_resp_cmd cmd;
    char head[32];
    int n;

    /* The largest count is accepted and reserves nothing like 1M slots. */
    sn_resp_parser_init(&p);
    n = snprintf(head, sizeof(head), "*%d\r\n", SN_ARGS_MAX);
    sn_resp_feed(&p, head, (size_t)n);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 0);
    ck_assert_uint_le(p.args_cap, 1024);
    /* ... and then holds that many arguments. */
    for (int i = 0; i < SN_ARGS_MAX; i++)
        sn_resp_feed(&p, "$1\r\nx\r\n", 7);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 1);
    ck_assert_int_eq(cmd.argc, SN_ARGS_MAX);
    ck_assert_str_eq(cmd.argv[SN_ARGS_MAX - 1], "x");
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 0);
    sn_resp_parser_free(&p);
    n = snprintf(head, sizeof(head), "*%d\r\n", SN_ARGS_MAX + 1);
    assert_error_opts(head, (size_t)n, NULL, SN_RESP_ERR_MBULK_LEN,
                      ERR_PREFIX "invalid multibulk length");
}
END_TEST

/* A liar's header costs at most the capped preallocation. */
START_TEST(test_limit_hostile_bulk_header_no_big_alloc)
{
    struct sn_resp_parser p;
    struct sn_resp_cmd cmd;
    char head[64];
    int n;

    sn_resp_parser_init(&p);
    n = snprintf(head, sizeof(head), "*1\r\n$%d\r\n", SN_ARG_BYTES_MAX);
    sn_resp_feed(&p, head, (size_t)n);
    sn_resp_feed(&p, "abcdef", 6);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 0);
    ck_assert_uint_le(p.cap, 4 * 1024 * 1024);
    ck_assert_uint_eq(sn_resp_parser_pending(&p), (size_t)n + 6);
    sn_resp_parser_free(&p);
}
END_TEST

START_TEST(test_limit_big_bulk_trickled)
{
    const size_t size = 3 * 1024 * 1024 + 17;
    struct sn_resp_parser p;
    struct sn_resp_cmd cmd;
    struct sn_rng rng;
    char *payload = sn_malloc(size), head[64];
    size_t off = 0, n;
    int hn;

    sn_rng_seed(&rng, 7);
    for (size_t i = 0; i < size; i++)
        payload[i] = (char)sn_rng_below(&rng, 256);
    sn_resp_parser_init(&p);
    hn = snprintf(head, sizeof(head), "*2\r\n$3\r\nSET\r\n$%zu\r\n", size);
    sn_resp_feed(&p, head, (size_t)hn);
    while (off < size) {
        n = 1 + (size_t)sn_rng_below(&rng, 5000);
        n = n < size - off ? n : size - off;
        sn_resp_feed(&p, payload + off, n);
        off += n;
        ck_assert_int_eq(sn_resp_next(&p, &cmd), 0);
    }
    sn_resp_feed(&p, "\r\n", 2);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 1);
    ck_assert_int_eq(cmd.argc, 2);
    ck_assert_uint_eq(cmd.argvlen[1], size);
    ck_assert_mem_eq(cmd.argv[1], payload, size);
    /* Memory grew with the data, not beyond twice of it. */
    ck_assert_uint_le(p.cap, 2 * (size + 64));
    /* Once drained, the big buffer is given back. */
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 0);
    ck_assert_uint_le(p.cap, 64 * 1024);
    sn_resp_feed(&p, "PING\r\n", 6);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 1);
    ck_assert_uint_le(p.cap, 64 * 1024);
    sn_resp_parser_free(&p);
    free(payload);
}
END_TEST

/* A header trickling in byte by byte is scanned once, not once per byte. */
START_TEST(test_parse_slow_header_scanned_once)
{
    struct sn_resp_parser p;
    struct sn_resp_cmd cmd;

    sn_resp_parser_init(&p);
    sn_resp_feed(&p, "*1\r\n$", 5);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 0);
    for (int i = 0; i < 5; i++) {
        sn_resp_feed(&p, "0", 1);
        ck_assert_int_eq(sn_resp_next(&p, &cmd), 0);
        ck_assert_uint_eq(p.scan, 4 + 1 + (size_t)i + 1);
    }
    sn_resp_parser_free(&p);
}
END_TEST

/* Commands in one feed are returned in place: nothing is moved between
 * them, and the consumed prefix is dropped only when room runs short. */
START_TEST(test_parse_pipeline_returned_in_place)
{
    struct sn_resp_parser p;
    struct sn_resp_cmd cmd;
    const char *in = "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPONG\r\nECHO x\r\nPI";
    char *base;

    sn_resp_parser_init(&p);
    sn_resp_feed(&p, in, strlen(in));
    base = p.buf;
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 1);
    ck_assert_ptr_eq(cmd.argv[0], base + 8);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 1);
    ck_assert_ptr_eq(cmd.argv[0], base + 22);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 1);
    ck_assert_str_eq(cmd.argv[1], "x");
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 0);
    ck_assert_ptr_eq(p.buf, base);
    ck_assert_uint_eq(p.start, strlen(in) - 2);
    /* Room runs short: only the two pending bytes move. */
    {
        char big[2048];

        memset(big, 'N', sizeof(big));
        big[sizeof(big) - 2] = '\r';
        big[sizeof(big) - 1] = '\n';
        sn_resp_feed(&p, big, sizeof(big));
    }
    ck_assert_uint_eq(p.start, 0);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 1);
    ck_assert_uint_eq(cmd.argvlen[0], 2 + 2046);
    ck_assert_mem_eq(cmd.argv[0], "PINN", 4);
    sn_resp_parser_free(&p);
}
END_TEST

/* ---------------------------------------------------------------------
 * Parser: feeding patterns and fuzz
 * ------------------------------------------------------------------- */

START_TEST(test_parse_byte_at_a_time_equals_one_shot)
{
    static const char *const inputs[] = {
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nGET k\r\n",
        "SET \"a\\x41\" 'b c'\r\n\r\n*0\r\nPING",
        "*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\n*1\r\n$1\r\nx",
        "*1\r\n$3\r\nabcXY*1\r\n$1\r\nz\r\n",
        "*2\r\n$1\r\na\r\nfoo\r\n",
        "ECHO \"unterminated\r\nPING\r\n",
        "*1\r\n$-5\r\n",
        "*1\rX$1\rXa\r\n",
    };

    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        char *one = transcript(inputs[i], strlen(inputs[i]), 0, NULL, NULL);

        assert_transcript(inputs[i], one);
        free(one);
    }
}
END_TEST

/* Like Redis, the two bytes after a header's CR and a payload are skipped
 * unread. */
START_TEST(test_parse_crlf_bytes_not_checked)
{
    assert_transcript("*1\rX$1\rXa\r\n", "1 [a]\nmore 0");
    assert_transcript("*1\r\n$3\r\nabcXY*1\r\n$1\r\nz\r\n",
                      "1 [abc]\n1 [z]\nmore 0");
}
END_TEST

static const char fuzz_alphabet[] = "*$\r\n0123456789-\"' \\xaZP\t";

static size_t
fuzz_input(struct sn_rng *rng, char *out, size_t cap)
{
    size_t n = (size_t)sn_rng_below(rng, cap), i;

    for (i = 0; i < n; i++) {
        uint64_t r = sn_rng_below(rng, 100);

        if (r < 85)
            out[i] = fuzz_alphabet[sn_rng_below(rng,
                                                sizeof(fuzz_alphabet) - 1)];
        else
            out[i] = (char)sn_rng_below(rng, 256);
    }
    /* Now and then, a well-formed frame to get deeper. */
    if (n + 32 < cap && sn_rng_below(rng, 4) == 0) {
        memcpy(out + n, "*2\r\n$1\r\nA\r\n$3\r\n", 15);
        n += 15;
    }
    return n;
}

/* 100k seeded strings: no crash, no leak, no sanitizer report, and the
 * result never depends on the feeding pattern. */
START_TEST(test_parse_fuzz_feeding_invariant)
{
    struct sn_rng rng, chunks;
    struct feed_opts o;
    char in[96];
    size_t n;

    sn_rng_seed(&rng, 20240501);
    sn_rng_seed(&chunks, 99);
    for (int i = 0; i < 100000; i++) {
        n = fuzz_input(&rng, in, sizeof(in) - 32);
        o.query_buf_max = sn_rng_below(&rng, 3) == 0
                              ? 1 + (size_t)sn_rng_below(&rng, 40) : 0;
        o.auth_required = sn_rng_below(&rng, 4) == 0;
        char *one = transcript(in, n, 0, NULL, &o);
        char *bytes = transcript(in, n, 1, NULL, &o);
        char *chunked = transcript(in, n, 9, &chunks, &o);

        ck_assert_msg(strcmp(one, bytes) == 0 && strcmp(one, chunked) == 0,
                      "seed 20240501 case %d: one-shot '%s' byte '%s' "
                      "chunks '%s'", i, one, bytes, chunked);
        free(one);
        free(bytes);
        free(chunked);
    }
}
END_TEST

/* ---------------------------------------------------------------------
 * Reply encoder
 * ------------------------------------------------------------------- */

static struct sn_buf out;
static struct sn_resp_writer w2, w3;

static void
writer_setup(void)
{
    sn_buf_init(&out);
}

static void
writer_teardown(void)
{
    sn_buf_free(&out);
}

/* Run the same writes in RESP2 and RESP3 and compare the bytes. */
#define ASSERT_BOTH(call, want2, want3)                                     \
    do {                                                                    \
        sn_buf_reset(&out);                                                 \
        sn_resp_writer_init(&w2, &out, 2);                                  \
        {                                                                   \
            struct sn_resp_writer *w = &w2;                                 \
            call;                                                           \
        }                                                                   \
        ck_assert_uint_eq(out.len, sizeof(want2) - 1);                      \
        ck_assert_mem_eq(out.data, want2, sizeof(want2) - 1);               \
        sn_buf_reset(&out);                                                 \
        sn_resp_writer_init(&w3, &out, 3);                                  \
        {                                                                   \
            struct sn_resp_writer *w = &w3;                                 \
            call;                                                           \
        }                                                                   \
        ck_assert_uint_eq(out.len, sizeof(want3) - 1);                      \
        ck_assert_mem_eq(out.data, want3, sizeof(want3) - 1);               \
    } while (0)

START_TEST(test_write_status)
{
    ASSERT_BOTH(sn_resp_write_status(w, "OK"), "+OK\r\n", "+OK\r\n");
    ASSERT_BOTH(sn_resp_write_status(w, "a\r\nb"), "+a  b\r\n", "+a  b\r\n");
    ASSERT_BOTH(sn_resp_write_statusf(w, "%s-%d", "x", 5), "+x-5\r\n",
                "+x-5\r\n");
    ASSERT_BOTH(sn_resp_write_status(w, ""), "+\r\n", "+\r\n");
}
END_TEST

START_TEST(test_write_error)
{
    ASSERT_BOTH(sn_resp_write_error(w, "ERR no such master with that name"),
                "-ERR no such master with that name\r\n",
                "-ERR no such master with that name\r\n");
    /* A leading '-' is not doubled; CR/LF trimmed at the ends, spaces
     * inside. */
    ASSERT_BOTH(sn_resp_write_error(w, "-NOGOODSLAVE none"),
                "-NOGOODSLAVE none\r\n", "-NOGOODSLAVE none\r\n");
    ASSERT_BOTH(sn_resp_write_error(w, "\r\nERR a\nb\r\r\n"),
                "-ERR a b\r\n", "-ERR a b\r\n");
    ASSERT_BOTH(sn_resp_write_errorf(w, "ERR unknown command '%s'", "x\ny"),
                "-ERR unknown command 'x y'\r\n",
                "-ERR unknown command 'x y'\r\n");
}
END_TEST

START_TEST(test_write_error_from_parser)
{
    struct sn_resp_parser p;
    struct sn_resp_cmd cmd;

    sn_resp_parser_init(&p);
    sn_resp_feed(&p, "*1\r\n$x\r\n", 8);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), -1);
    ASSERT_BOTH(sn_resp_write_error(w, sn_resp_parser_error(&p)),
                "-ERR Protocol error: invalid bulk length\r\n",
                "-ERR Protocol error: invalid bulk length\r\n");
    sn_resp_parser_free(&p);
}
END_TEST

START_TEST(test_write_int)
{
    ASSERT_BOTH(sn_resp_write_int(w, 0), ":0\r\n", ":0\r\n");
    ASSERT_BOTH(sn_resp_write_int(w, -42), ":-42\r\n", ":-42\r\n");
    ASSERT_BOTH(sn_resp_write_int(w, INT64_MAX), ":9223372036854775807\r\n",
                ":9223372036854775807\r\n");
    ASSERT_BOTH(sn_resp_write_int(w, INT64_MIN), ":-9223372036854775808\r\n",
                ":-9223372036854775808\r\n");
}
END_TEST

START_TEST(test_write_bulk)
{
    ASSERT_BOTH(sn_resp_write_bulk(w, "a\0\r\nb", 5), "$5\r\na\0\r\nb\r\n",
                "$5\r\na\0\r\nb\r\n");
    ASSERT_BOTH(sn_resp_write_bulk(w, "", 0), "$0\r\n\r\n", "$0\r\n\r\n");
    ASSERT_BOTH(sn_resp_write_bulk_str(w, "mymaster"), "$8\r\nmymaster\r\n",
                "$8\r\nmymaster\r\n");
    ASSERT_BOTH(sn_resp_write_bulk_str(w, NULL), "$-1\r\n", "_\r\n");
    ASSERT_BOTH(sn_resp_write_bulkf(w, "%d", 6379), "$4\r\n6379\r\n",
                "$4\r\n6379\r\n");
}
END_TEST

START_TEST(test_write_nulls)
{
    ASSERT_BOTH(sn_resp_write_null(w), "$-1\r\n", "_\r\n");
    ASSERT_BOTH(sn_resp_write_null_array(w), "*-1\r\n", "_\r\n");
}
END_TEST

START_TEST(test_write_aggregates)
{
    ASSERT_BOTH(sn_resp_write_array(w, 0), "*0\r\n", "*0\r\n");
    ASSERT_BOTH(sn_resp_write_array(w, 2), "*2\r\n", "*2\r\n");
    ASSERT_BOTH(sn_resp_write_map(w, 3), "*6\r\n", "%3\r\n");
    ASSERT_BOTH(sn_resp_write_set(w, 2), "*2\r\n", "~2\r\n");
    ASSERT_BOTH(sn_resp_write_push(w, 3), "*3\r\n", ">3\r\n");
}
END_TEST

START_TEST(test_write_double)
{
    ASSERT_BOTH(sn_resp_write_double(w, 1.5), "$3\r\n1.5\r\n", ",1.5\r\n");
    ASSERT_BOTH(sn_resp_write_double(w, 0.1), "$19\r\n0.10000000000000001\r\n",
                ",0.10000000000000001\r\n");
    ASSERT_BOTH(sn_resp_write_double(w, -3), "$2\r\n-3\r\n", ",-3\r\n");
    ASSERT_BOTH(sn_resp_write_double(w, INFINITY), "$3\r\ninf\r\n",
                ",inf\r\n");
    ASSERT_BOTH(sn_resp_write_double(w, -INFINITY), "$4\r\n-inf\r\n",
                ",-inf\r\n");
    ASSERT_BOTH(sn_resp_write_double(w, NAN), "$3\r\nnan\r\n", ",nan\r\n");
}
END_TEST

START_TEST(test_write_bool)
{
    ASSERT_BOTH(sn_resp_write_bool(w, true), ":1\r\n", "#t\r\n");
    ASSERT_BOTH(sn_resp_write_bool(w, false), ":0\r\n", "#f\r\n");
}
END_TEST

START_TEST(test_write_verbatim)
{
    ASSERT_BOTH(sn_resp_write_verbatim(w, "txt", "# Server\r\nx:1\r\n", 15),
                "$15\r\n# Server\r\nx:1\r\n\r\n",
                "=19\r\ntxt:# Server\r\nx:1\r\n\r\n");
}
END_TEST

/* A whole reply as SENTINEL MASTERS-style code writes it: a pub/sub
 * message and a map with mixed values. */
START_TEST(test_write_nested_reply)
{
    ASSERT_BOTH(({
                    sn_resp_write_push(w, 3);
                    sn_resp_write_bulk_str(w, "message");
                    sn_resp_write_bulk_str(w, "+sdown");
                    sn_resp_write_bulk_str(w, "master m 127.0.0.1 6379");
                    sn_resp_write_map(w, 2);
                    sn_resp_write_bulk_str(w, "name");
                    sn_resp_write_bulk_str(w, "m");
                    sn_resp_write_bulk_str(w, "port");
                    sn_resp_write_int(w, 6379);
                }),
                "*3\r\n$7\r\nmessage\r\n$6\r\n+sdown\r\n"
                "$23\r\nmaster m 127.0.0.1 6379\r\n"
                "*4\r\n$4\r\nname\r\n$1\r\nm\r\n$4\r\nport\r\n:6379\r\n",
                ">3\r\n$7\r\nmessage\r\n$6\r\n+sdown\r\n"
                "$23\r\nmaster m 127.0.0.1 6379\r\n"
                "%2\r\n$4\r\nname\r\n$1\r\nm\r\n$4\r\nport\r\n:6379\r\n");
}
END_TEST

/* Encoder and parser agree: a command encoded as an array of bulks parses
 * back to the same arguments. */
START_TEST(test_write_array_of_bulks_parses_back)
{
    struct sn_resp_parser p;
    struct sn_resp_cmd cmd;
    struct sn_resp_writer w;

    sn_resp_writer_init(&w, &out, 2);
    sn_resp_write_array(&w, 3);
    sn_resp_write_bulk(&w, "SENTINEL", 8);
    sn_resp_write_bulk(&w, "is-master-down-by-addr", 22);
    sn_resp_write_bulk(&w, "\0\r\n", 3);
    sn_resp_parser_init(&p);
    sn_resp_feed(&p, out.data, out.len);
    ck_assert_int_eq(sn_resp_next(&p, &cmd), 1);
    ck_assert_int_eq(cmd.argc, 3);
    ck_assert_str_eq(cmd.argv[1], "is-master-down-by-addr");
    ck_assert_uint_eq(cmd.argvlen[2], 3);
    ck_assert_mem_eq(cmd.argv[2], "\0\r\n", 3);
    sn_resp_parser_free(&p);
}
END_TEST

static Suite *
resp_suite(void)
{
    Suite *s = suite_create("resp");
    TCase *tp = tcase_create("parser");
    TCase *tw = tcase_create("writer");

    tcase_set_timeout(tp, 120);
    tcase_add_test(tp, test_parse_multibulk_simple);
    tcase_add_test(tp, test_parse_inline_simple);
    tcase_add_test(tp, test_parse_inline_double_quotes_escapes);
    tcase_add_test(tp, test_parse_inline_single_quotes);
    tcase_add_test(tp, test_parse_inline_quotes_inside_word);
    tcase_add_test(tp, test_parse_inline_unbalanced_quotes);
    tcase_add_test(tp, test_parse_inline_nul_is_ordinary);
    tcase_add_test(tp, test_parse_empty_inline_lines_skipped);
    tcase_add_test(tp, test_parse_empty_multibulk_skipped);
    tcase_add_test(tp, test_parse_binary_bulk_args);
    tcase_add_test(tp, test_parse_empty_bulk_arg);
    tcase_add_test(tp, test_parse_pipelined_mixed_forms);
    tcase_add_test(tp, test_parse_commands_before_error_returned);
    tcase_add_test(tp, test_parse_error_is_sticky);
    tcase_add_test(tp, test_error_invalid_multibulk_length);
    tcase_add_test(tp, test_error_expected_dollar);
    tcase_add_test(tp, test_error_invalid_bulk_length);
    tcase_add_test(tp, test_error_too_big_mbulk_count_string);
    tcase_add_test(tp, test_error_too_big_bulk_count_string);
    tcase_add_test(tp, test_error_too_big_inline_request);
    tcase_add_test(tp, test_error_unauthenticated_limits);
    tcase_add_test(tp, test_auth_lifted_for_next_command_of_pipeline);
    tcase_add_test(tp, test_limit_query_buf_small);
    tcase_add_test(tp, test_limit_arg_count);
    tcase_add_test(tp, test_limit_hostile_bulk_header_no_big_alloc);
    tcase_add_test(tp, test_limit_big_bulk_trickled);
    tcase_add_test(tp, test_parse_slow_header_scanned_once);
    tcase_add_test(tp, test_parse_pipeline_returned_in_place);
    tcase_add_test(tp, test_parse_byte_at_a_time_equals_one_shot);
    tcase_add_test(tp, test_parse_crlf_bytes_not_checked);
    tcase_add_test(tp, test_parse_fuzz_feeding_invariant);
    suite_add_tcase(s, tp);

    tcase_add_checked_fixture(tw, writer_setup, writer_teardown);
    tcase_add_test(tw, test_write_status);
    tcase_add_test(tw, test_write_error);
    tcase_add_test(tw, test_write_error_from_parser);
    tcase_add_test(tw, test_write_int);
    tcase_add_test(tw, test_write_bulk);
    tcase_add_test(tw, test_write_nulls);
    tcase_add_test(tw, test_write_aggregates);
    tcase_add_test(tw, test_write_double);
    tcase_add_test(tw, test_write_bool);
    tcase_add_test(tw, test_write_verbatim);
    tcase_add_test(tw, test_write_nested_reply);
    tcase_add_test(tw, test_write_array_of_bulks_parses_back);
    suite_add_tcase(s, tw);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(resp_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
