/*
 * resp.c: the request parser and the reply encoder of the Redis protocol.
 *
 * The parser follows Redis 7's processInlineBuffer and
 * processMultibulkBuffer closely enough that a client sees the same
 * replies and the same error texts, with three differences made on
 * purpose:
 *   1. Commands are returned in place, without copying a bulk argument out
 *      of the buffer; the CR after each bulk is overwritten with a NUL.
 *   2. A NUL byte is an ordinary byte everywhere. Redis looks for line ends
 *      with strchr, so a NUL before one hides it; here it does not.
 *   3. The result depends on the bytes only, never on how they were split
 *      into feeds: a limit that Redis checks only while a line end is
 *      missing is also checked when the line end is found, against the
 *      same offset. The query buffer limit applies to one command (its
 *      bytes as sent) the same way.
 * Like Redis, the byte after a header's CR, and the two after a bulk's
 * payload, are skipped without looking at them.
 */
#include "resp.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sn_limits.h"

/* Tuning, not limits a user meets. */
#define RESP_BIG_ARG        (32 * 1024)   /* a bulk this large gets room
                                             reserved when its length is
                                             read, as Redis does ... */
#define RESP_PREALLOC_MAX   (1024 * 1024) /* ... but never more than this
                                             before the bytes arrive */
#define RESP_BUF_MIN        1024          /* first allocation */
#define RESP_BUF_KEEP       (64 * 1024)   /* an empty buffer larger than
                                             this is given back */
#define RESP_ARGS_KEEP      1024          /* argument slots kept between
                                             commands, and the most
                                             reserved from a count */
#define RESP_UNAUTH_ARGS_MAX 10           /* Redis' limits before AUTH */
#define RESP_UNAUTH_BULK_MAX 16384
#define RESP_LL_CHARS_MAX   20            /* string2ll: LONG_STR_SIZE - 1 */

/* ---------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------- */

static const char *const resp_error_text[] = {
    [SN_RESP_ERR_NONE] = "",
    [SN_RESP_ERR_INLINE_TOO_BIG] = "too big inline request",
    [SN_RESP_ERR_UNBALANCED_QUOTES] = "unbalanced quotes in request",
    [SN_RESP_ERR_MBULK_COUNT_TOO_BIG] = "too big mbulk count string",
    [SN_RESP_ERR_MBULK_LEN] = "invalid multibulk length",
    [SN_RESP_ERR_MBULK_UNAUTH] = "unauthenticated multibulk length",
    [SN_RESP_ERR_BULK_COUNT_TOO_BIG] = "too big bulk count string",
    [SN_RESP_ERR_EXPECTED_DOLLAR] = "expected '$', got '%c'",
    [SN_RESP_ERR_BULK_LEN] = "invalid bulk length",
    [SN_RESP_ERR_BULK_UNAUTH] = "unauthenticated bulk length",
    [SN_RESP_ERR_QUERY_BUF] = "command larger than the query buffer limit",
};

static int
parser_fail(struct sn_resp_parser *p, enum sn_resp_error err)
{
    p->err = err;
    if (err == SN_RESP_ERR_QUERY_BUF)
        snprintf(p->errstr, sizeof(p->errstr),
                 "ERR Protocol error: %s of %zu bytes",
                 resp_error_text[err], p->query_buf_max);
    else
        snprintf(p->errstr, sizeof(p->errstr), "ERR Protocol error: %s",
                 resp_error_text[err]);
    return -1;
}

/* Redis formats this one with %c and then cleans the text as every
 * formatted error: CR and LF become spaces. It never meets a NUL there
 * (its strchr stops at one and it waits for more bytes); here a NUL is a
 * byte like any other and is shown as a space too, so the text stays whole. */
static int
parser_fail_dollar(struct sn_resp_parser *p, char got)
{
    p->err = SN_RESP_ERR_EXPECTED_DOLLAR;
    if (got == '\r' || got == '\n' || got == '\0')
        got = ' ';
    snprintf(p->errstr, sizeof(p->errstr),
             "ERR Protocol error: expected '$', got '%c'", got);
    return -1;
}

/* ---------------------------------------------------------------------
 * Parser: buffer and argument bookkeeping
 * ------------------------------------------------------------------- */

void
sn_resp_parser_init(struct sn_resp_parser *p)
{
    memset(p, 0, sizeof(*p));
    sn_buf_init(&p->inline_args);
    p->query_buf_max = SN_QUERY_BUF_MAX;
    p->mbulk_left = -1;
    p->bulk_len = -1;
}

static void
args_release(struct sn_resp_parser *p)
{
    free(p->arg_off);
    free(p->arg_len);
    free(p->argv);
    p->arg_off = NULL;
    p->arg_len = NULL;
    p->argv = NULL;
    p->args_cap = 0;
}

void
sn_resp_parser_free(struct sn_resp_parser *p)
{
    free(p->buf);
    args_release(p);
    sn_buf_free(&p->inline_args);
    memset(p, 0, sizeof(*p));
}

void
sn_resp_parser_set_query_buf_max(struct sn_resp_parser *p, size_t max)
{
    assert(max > 0);
    p->query_buf_max = max;
}

void
sn_resp_parser_set_auth_required(struct sn_resp_parser *p, bool on)
{
    p->auth_required = on;
}

const char *
sn_resp_parser_error(const struct sn_resp_parser *p)
{
    return p->errstr;
}

enum sn_resp_error
sn_resp_parser_error_code(const struct sn_resp_parser *p)
{
    return p->err;
}

size_t
sn_resp_parser_pending(const struct sn_resp_parser *p)
{
    return p->len - p->start;
}

/* With nothing pending, start again at offset 0 (free of charge), and give
 * back a buffer that one large command left behind. */
static void
buf_rewind(struct sn_resp_parser *p)
{
    if (p->start != p->len)
        return;
    p->start = 0;
    p->len = 0;
    if (p->cap > RESP_BUF_KEEP) {
        free(p->buf);
        p->buf = NULL;
        p->cap = 0;
    }
}

/* Make room for extra bytes after len. The consumed prefix is dropped
 * only here, when room runs short, so that a pipeline is not moved after
 * every command: a move copies only the command in progress, and happens
 * at most once between two completed commands. */
static void
buf_reserve(struct sn_resp_parser *p, size_t extra)
{
    size_t cap;

    if (p->cap - p->len >= extra)
        return;
    if (p->start > 0) {
        memmove(p->buf, p->buf + p->start, p->len - p->start);
        p->len -= p->start;
        p->start = 0;
        if (p->cap - p->len >= extra)
            return;
    }
    cap = p->cap > 0 ? p->cap : RESP_BUF_MIN;
    while (cap - p->len < extra)
        cap *= 2;
    p->buf = sn_realloc(p->buf, cap);
    p->cap = cap;
}

void
sn_resp_feed(struct sn_resp_parser *p, const void *buf, size_t len)
{
    if (p->err != SN_RESP_ERR_NONE || len == 0)
        return;
    if (p->reqtype == SN_RESP_REQ_NONE)
        buf_rewind(p);
    buf_reserve(p, len);
    memcpy(p->buf + p->len, buf, len);
    p->len += len;
}

static void
args_grow(struct sn_resp_parser *p, size_t cap)
{
    p->arg_off = sn_realloc(p->arg_off, cap * sizeof(*p->arg_off));
    p->arg_len = sn_realloc(p->arg_len, cap * sizeof(*p->arg_len));
    p->argv = sn_realloc(p->argv, cap * sizeof(*p->argv));
    p->args_cap = cap;
}

static void
args_push(struct sn_resp_parser *p, size_t off, size_t len)
{
    if ((size_t)p->argc == p->args_cap)
        args_grow(p, p->args_cap > 0 ? p->args_cap * 2 : 8);
    p->arg_off[p->argc] = off;
    p->arg_len[p->argc] = len;
    p->argc++;
}

/* Find ch in [pos, end) of the current command. How far a failed search
 * got is remembered, so a header trickling in byte by byte is scanned once
 * in all, not once per byte. */
static bool
find_byte(struct sn_resp_parser *p, size_t end, char ch, size_t *at)
{
    const char *b = p->buf + p->start;
    size_t from = p->scan > p->pos ? p->scan : p->pos;
    const char *q;

    if (from < end) {
        q = memchr(b + from, ch, end - from);
        if (q != NULL) {
            *at = (size_t)(q - b);
            return true;
        }
    }
    if (end > p->scan)
        p->scan = end;
    return false;
}

/* Redis' string2ll: an optional '-', no '+', no spaces, no leading zero,
 * at most 20 characters, within a long long. */
static bool
parse_ll(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    uint64_t v = 0;
    size_t i = 0;

    if (n == 0 || n > RESP_LL_CHARS_MAX)
        return false;
    if (n == 1 && s[0] == '0') {
        *out = 0;
        return true;
    }
    if (s[0] == '-') {
        neg = true;
        i++;
    }
    if (i == n || s[i] < '1' || s[i] > '9')
        return false;
    for (; i < n; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');

        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (neg && v > (uint64_t)INT64_MAX + 1)
        return false;
    if (!neg && v > (uint64_t)INT64_MAX)
        return false;
    /* -v computed in unsigned arithmetic, so INT64_MIN is not an overflow */
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* ---------------------------------------------------------------------
 * Parser: inline requests
 * ------------------------------------------------------------------- */

enum resp_quote {
    RESP_QUOTE_NONE = 0,
    RESP_QUOTE_DOUBLE,
    RESP_QUOTE_SINGLE,
};

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
           c == '\r';
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Inside double quotes: \xNN, the escapes \n \r \t \b \a, and a backslash
 * before anything else stands for that character. Returns the bytes
 * consumed. */
static size_t
inline_escape(struct sn_buf *out, const char *s, size_t n, size_t i)
{
    char c;

    if (s[i + 1] == 'x' && i + 3 < n && hex_value(s[i + 2]) >= 0 &&
        hex_value(s[i + 3]) >= 0) {
        sn_buf_putc(out,
                    (char)(hex_value(s[i + 2]) * 16 + hex_value(s[i + 3])));
        return 4;
    }
    switch (s[i + 1]) {
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'b': c = '\b'; break;
    case 'a': c = '\a'; break;
    default: c = s[i + 1]; break;
    }
    sn_buf_putc(out, c);
    return 2;
}

/* One argument starting at s[*ip], as sdssplitargs reads it: quotes may
 * start anywhere in a word, a closing quote must be followed by a blank or
 * the end of the line. Returns 0, or -1 on unbalanced quotes. */
static int
inline_token(struct sn_buf *out, const char *s, size_t n, size_t *ip)
{
    enum resp_quote q = RESP_QUOTE_NONE;
    size_t i = *ip;

    for (;;) {
        if (q != RESP_QUOTE_NONE && i == n)
            return -1;
        if (q == RESP_QUOTE_DOUBLE && s[i] == '\\' && i + 1 < n) {
            i += inline_escape(out, s, n, i);
        } else if (q == RESP_QUOTE_SINGLE && s[i] == '\\' && i + 1 < n &&
                   s[i + 1] == '\'') {
            sn_buf_putc(out, '\'');
            i += 2;
        } else if ((q == RESP_QUOTE_DOUBLE && s[i] == '"') ||
                   (q == RESP_QUOTE_SINGLE && s[i] == '\'')) {
            if (i + 1 < n && !is_space(s[i + 1]))
                return -1;
            i++;
            break;
        } else if (q != RESP_QUOTE_NONE) {
            sn_buf_putc(out, s[i++]);
        } else if (i == n || s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
                   s[i] == '\r') {
            break;
        } else if (s[i] == '"' || s[i] == '\'') {
            q = s[i] == '"' ? RESP_QUOTE_DOUBLE : RESP_QUOTE_SINGLE;
            i++;
        } else {
            sn_buf_putc(out, s[i++]);
        }
    }
    *ip = i;
    return 0;
}

/* Split a line into arguments held in inline_args, a NUL after each. */
static int
inline_split(struct sn_resp_parser *p, const char *s, size_t n)
{
    struct sn_buf *out = &p->inline_args;
    size_t i = 0, off;

    for (;;) {
        while (i < n && is_space(s[i]))
            i++;
        if (i == n)
            return 0;
        off = out->len;
        if (inline_token(out, s, n, &i) < 0)
            return -1;
        sn_buf_putc(out, '\0');
        args_push(p, off, out->len - off - 1);
    }
}

/* A line ends at LF; a CR before it is dropped. Redis checks the length
 * only while the LF is missing, so a line is too big when more than
 * SN_INLINE_MAX bytes come before its LF. */
static int
parse_inline(struct sn_resp_parser *p, size_t end)
{
    const char *b = p->buf + p->start;
    size_t nl, n;

    if (!find_byte(p, end, '\n', &nl)) {
        if (end > SN_INLINE_MAX)
            return parser_fail(p, SN_RESP_ERR_INLINE_TOO_BIG);
        return 0;
    }
    if (nl > SN_INLINE_MAX)
        return parser_fail(p, SN_RESP_ERR_INLINE_TOO_BIG);
    n = nl;
    if (n > 0 && b[n - 1] == '\r')
        n--;
    if (inline_split(p, b, n) < 0)
        return parser_fail(p, SN_RESP_ERR_UNBALANCED_QUOTES);
    p->pos = nl + 1;
    return 1;
}

/* ---------------------------------------------------------------------
 * Parser: multibulk requests
 * ------------------------------------------------------------------- */

/* Find the header line at pos: 1 with its CR at *cr and the byte after it
 * present, 0 if more bytes are needed, -1 if it runs longer than
 * SN_INLINE_MAX (error `too_big`). */
static int
header_line(struct sn_resp_parser *p, size_t end, enum sn_resp_error too_big,
            size_t *cr)
{
    if (!find_byte(p, end, '\r', cr)) {
        if (end - p->pos > SN_INLINE_MAX)
            return parser_fail(p, too_big);
        return 0;
    }
    if (*cr - p->pos > SN_INLINE_MAX)
        return parser_fail(p, too_big);
    return *cr + 1 < end ? 1 : 0;
}

/* `*<count>`: a count of 0 or less is an empty command, skipped. */
static int
mbulk_count(struct sn_resp_parser *p, size_t end)
{
    const char *b = p->buf + p->start;
    size_t cr;
    int64_t ll;
    int rc;

    rc = header_line(p, end, SN_RESP_ERR_MBULK_COUNT_TOO_BIG, &cr);
    if (rc <= 0)
        return rc;
    if (!parse_ll(b + p->pos + 1, cr - p->pos - 1, &ll) || ll > SN_ARGS_MAX)
        return parser_fail(p, SN_RESP_ERR_MBULK_LEN);
    if (p->auth_required && ll > RESP_UNAUTH_ARGS_MAX)
        return parser_fail(p, SN_RESP_ERR_MBULK_UNAUTH);
    p->pos = cr + 2;
    p->mbulk_left = ll > 0 ? ll : 0;
    /* A liar's count costs nothing up front: slots grow as bulks come. */
    if (ll > 0 && p->args_cap < (size_t)ll && p->args_cap < RESP_ARGS_KEEP)
        args_grow(p, ll < RESP_ARGS_KEEP ? (size_t)ll : RESP_ARGS_KEEP);
    return 1;
}

/* `$<len>` */
static int
bulk_header(struct sn_resp_parser *p, size_t end)
{
    const char *b = p->buf + p->start;
    size_t cr, have, want;
    int64_t ll;
    int rc;

    rc = header_line(p, end, SN_RESP_ERR_BULK_COUNT_TOO_BIG, &cr);
    if (rc <= 0)
        return rc;
    if (b[p->pos] != '$')
        return parser_fail_dollar(p, b[p->pos]);
    if (!parse_ll(b + p->pos + 1, cr - p->pos - 1, &ll) || ll < 0 ||
        ll > SN_ARG_BYTES_MAX)
        return parser_fail(p, SN_RESP_ERR_BULK_LEN);
    if (p->auth_required && ll > RESP_UNAUTH_BULK_MAX)
        return parser_fail(p, SN_RESP_ERR_BULK_UNAUTH);
    p->pos = cr + 2;
    p->bulk_len = ll;
    if (ll >= RESP_BIG_ARG) {
        have = p->len - p->start - p->pos;
        want = (size_t)ll + 2;
        if (want > have)
            buf_reserve(p, want - have < RESP_PREALLOC_MAX
                               ? want - have : RESP_PREALLOC_MAX);
    }
    return 1;
}

static int
parse_multibulk(struct sn_resp_parser *p, size_t end)
{
    size_t len;
    int rc;

    if (p->mbulk_left < 0 && (rc = mbulk_count(p, end)) <= 0)
        return rc;
    while (p->mbulk_left > 0) {
        if (p->bulk_len < 0 && (rc = bulk_header(p, end)) <= 0)
            return rc;
        len = (size_t)p->bulk_len;
        if (end - p->pos < len + 2)
            return 0;
        args_push(p, p->pos, len);
        /* The CR after the payload is consumed: make it the NUL. */
        p->buf[p->start + p->pos + len] = '\0';
        p->pos += len + 2;
        p->bulk_len = -1;
        p->mbulk_left--;
    }
    return 1;
}

/* ---------------------------------------------------------------------
 * Parser: the face
 * ------------------------------------------------------------------- */

static void
command_begin(struct sn_resp_parser *p)
{
    p->reqtype = p->buf[p->start] == '*' ? SN_RESP_REQ_MULTIBULK
                                         : SN_RESP_REQ_INLINE;
    p->pos = 0;
    p->scan = 0;
    p->mbulk_left = -1;
    p->bulk_len = -1;
    p->argc = 0;
    if (p->args_cap > RESP_ARGS_KEEP)
        args_release(p);
    sn_buf_reset(&p->inline_args);
    if (p->inline_args.cap > RESP_BUF_KEEP)
        sn_buf_free(&p->inline_args);
}

static void
command_finish(struct sn_resp_parser *p, struct sn_resp_cmd *cmd)
{
    char *base = p->reqtype == SN_RESP_REQ_INLINE ? p->inline_args.data
                                                  : p->buf + p->start;
    int i;

    for (i = 0; i < p->argc; i++)
        p->argv[i] = base + p->arg_off[i];
    cmd->argc = p->argc;
    cmd->argv = p->argv;
    cmd->argvlen = p->arg_len;
}

int
sn_resp_next(struct sn_resp_parser *p, struct sn_resp_cmd *cmd)
{
    size_t avail, end;
    int rc;

    cmd->argc = 0;
    cmd->argv = NULL;
    cmd->argvlen = NULL;
    if (p->err != SN_RESP_ERR_NONE)
        return -1;
    for (;;) {
        if (p->reqtype == SN_RESP_REQ_NONE) {
            buf_rewind(p);
            if (p->start == p->len)
                return 0;
            command_begin(p);
        }
        /* Parse only what the limit allows of this command: whether the
         * command fits then depends on its bytes, not on the feeds. */
        avail = p->len - p->start;
        end = avail < p->query_buf_max ? avail : p->query_buf_max;
        if (end < p->pos)
            end = p->pos;
        rc = p->reqtype == SN_RESP_REQ_INLINE ? parse_inline(p, end)
                                              : parse_multibulk(p, end);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return avail > end ? parser_fail(p, SN_RESP_ERR_QUERY_BUF) : 0;
        if (p->argc > 0)
            command_finish(p, cmd);
        p->start += p->pos;
        p->reqtype = SN_RESP_REQ_NONE;
        if (cmd->argc > 0)
            return 1;
    }
}

/* ---------------------------------------------------------------------
 * Reply encoder
 * ------------------------------------------------------------------- */

void
sn_resp_writer_init(struct sn_resp_writer *w, struct sn_buf *out, int proto)
{
    assert(proto == 2 || proto == 3);
    w->out = out;
    w->proto = proto;
}

/* <type><n>\r\n, formatted by hand: every reply has a few of these,
 * and printf's machinery was the largest cost of a pipelined reply. */
static void
put_number_line(struct sn_resp_writer *w, char type, long long n)
{
    char tmp[32], *p = tmp + sizeof(tmp);
    unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n
                                 : (unsigned long long)n;

    *--p = '\n';
    *--p = '\r';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (n < 0)
        *--p = '-';
    *--p = type;
    sn_buf_append(w->out, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* <type><text>\r\n, with CR and LF inside the text turned to spaces. */
static void
put_text_line(struct sn_resp_writer *w, char type, const char *s, size_t n)
{
    struct sn_buf *out = w->out;
    size_t i, at;

    sn_buf_putc(out, type);
    at = out->len;
    sn_buf_append(out, s, n);
    for (i = at; i < out->len; i++) {
        if (out->data[i] == '\r' || out->data[i] == '\n')
            out->data[i] = ' ';
    }
    sn_buf_append(out, "\r\n", 2);
}

void
sn_resp_write_status(struct sn_resp_writer *w, const char *text)
{
    put_text_line(w, '+', text, strlen(text));
}

void
sn_resp_write_statusf(struct sn_resp_writer *w, const char *fmt, ...)
{
    struct sn_buf tmp;
    va_list ap;

    sn_buf_init(&tmp);
    va_start(ap, fmt);
    sn_buf_vprintf(&tmp, fmt, ap);
    va_end(ap);
    put_text_line(w, '+', tmp.data != NULL ? tmp.data : "", tmp.len);
    sn_buf_free(&tmp);
}

void
sn_resp_write_error(struct sn_resp_writer *w, const char *text)
{
    size_t n = strlen(text);

    while (n > 0 && (text[0] == '\r' || text[0] == '\n')) {
        text++;
        n--;
    }
    while (n > 0 && (text[n - 1] == '\r' || text[n - 1] == '\n'))
        n--;
    if (n > 0 && text[0] == '-') {
        text++;
        n--;
    }
    put_text_line(w, '-', text, n);
}

void
sn_resp_write_errorf(struct sn_resp_writer *w, const char *fmt, ...)
{
    struct sn_buf tmp;
    va_list ap;

    sn_buf_init(&tmp);
    va_start(ap, fmt);
    sn_buf_vprintf(&tmp, fmt, ap);
    va_end(ap);
    sn_resp_write_error(w, tmp.data != NULL ? tmp.data : "");
    sn_buf_free(&tmp);
}

void
sn_resp_write_int(struct sn_resp_writer *w, int64_t n)
{
    put_number_line(w, ':', (long long)n);
}

void
sn_resp_write_bulk(struct sn_resp_writer *w, const void *p, size_t len)
{
    put_number_line(w, '$', (long long)len);
    sn_buf_append(w->out, p, len);
    sn_buf_append(w->out, "\r\n", 2);
}

void
sn_resp_write_bulk_str(struct sn_resp_writer *w, const char *s)
{
    if (s == NULL)
        sn_resp_write_null(w);
    else
        sn_resp_write_bulk(w, s, strlen(s));
}

void
sn_resp_write_bulkf(struct sn_resp_writer *w, const char *fmt, ...)
{
    struct sn_buf tmp;
    va_list ap;

    sn_buf_init(&tmp);
    va_start(ap, fmt);
    sn_buf_vprintf(&tmp, fmt, ap);
    va_end(ap);
    sn_resp_write_bulk(w, tmp.data != NULL ? tmp.data : "", tmp.len);
    sn_buf_free(&tmp);
}

void
sn_resp_write_null(struct sn_resp_writer *w)
{
    sn_buf_puts(w->out, w->proto == 3 ? "_\r\n" : "$-1\r\n");
}

void
sn_resp_write_null_array(struct sn_resp_writer *w)
{
    sn_buf_puts(w->out, w->proto == 3 ? "_\r\n" : "*-1\r\n");
}

void
sn_resp_write_array(struct sn_resp_writer *w, size_t n)
{
    put_number_line(w, '*', (long long)n);
}

void
sn_resp_write_map(struct sn_resp_writer *w, size_t n)
{
    if (w->proto == 3)
        put_number_line(w, '%', (long long)n);
    else
        put_number_line(w, '*', (long long)(2 * n));
}

void
sn_resp_write_set(struct sn_resp_writer *w, size_t n)
{
    put_number_line(w, w->proto == 3 ? '~' : '*', (long long)n);
}

void
sn_resp_write_push(struct sn_resp_writer *w, size_t n)
{
    put_number_line(w, w->proto == 3 ? '>' : '*', (long long)n);
}

void
sn_resp_write_double(struct sn_resp_writer *w, double d)
{
    char tmp[64];

    if (isinf(d))
        snprintf(tmp, sizeof(tmp), "%s", d > 0 ? "inf" : "-inf");
    else if (isnan(d))
        snprintf(tmp, sizeof(tmp), "nan");
    else
        snprintf(tmp, sizeof(tmp), "%.17g", d);
    if (w->proto == 3) {
        sn_buf_putc(w->out, ',');
        sn_buf_puts(w->out, tmp);
        sn_buf_append(w->out, "\r\n", 2);
    } else {
        sn_resp_write_bulk(w, tmp, strlen(tmp));
    }
}

void
sn_resp_write_bool(struct sn_resp_writer *w, bool b)
{
    if (w->proto == 3)
        sn_buf_puts(w->out, b ? "#t\r\n" : "#f\r\n");
    else
        sn_buf_puts(w->out, b ? ":1\r\n" : ":0\r\n");
}

void
sn_resp_write_verbatim(struct sn_resp_writer *w, const char *ext,
                       const void *p, size_t len)
{
    char tmp[32];
    int k;

    if (w->proto == 2) {
        sn_resp_write_bulk(w, p, len);
        return;
    }
    assert(strlen(ext) == 3);
    k = snprintf(tmp, sizeof(tmp), "=%zu\r\n", len + 4);
    sn_buf_append(w->out, tmp, (size_t)k);
    sn_buf_append(w->out, ext, 3);
    sn_buf_putc(w->out, ':');
    sn_buf_append(w->out, p, len);
    sn_buf_append(w->out, "\r\n", 2);
}
