/*
 * hello.c: the __sentinel__:hello payload, parsed strictly and formatted.
 *
 * A hello moves epochs and master addresses, so a malformed one is dropped
 * whole rather than half used. The checks are numbered as in hello.h.
 */
#include "hello.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HELLO_TOKENS 8

enum hello_token {
    TOK_SENTINEL_IP = 0,
    TOK_SENTINEL_PORT,
    TOK_SENTINEL_RUNID,
    TOK_CURRENT_EPOCH,
    TOK_MASTER_NAME,
    TOK_MASTER_IP,
    TOK_MASTER_PORT,
    TOK_MASTER_CONFIG_EPOCH,
};

struct hello_tok {
    const char *s;
    size_t len;
};

static int
fail(struct sn_hello *out, const char *why)
{
    out->error = why;
    return -1;
}

static bool
all_digits(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return len > 0;
}

/* Tokens are at most SN_HELLO_BYTES_MAX bytes, so a copy always fits. */
static int
tok_u64(const struct hello_tok *t, uint64_t *out)
{
    char buf[SN_HELLO_BYTES_MAX + 1];

    if (!all_digits(t->s, t->len))
        return -1;
    memcpy(buf, t->s, t->len);
    buf[t->len] = '\0';
    return sn_parse_u64(buf, out);
}

static int
tok_port(const struct hello_tok *t, int *out)
{
    uint64_t v;

    if (tok_u64(t, &v) != 0 || v < 1 || v > 65535)
        return -1;
    *out = (int)v;
    return 0;
}

/* 5. An address: bounded, no space (control bytes went at check 2). */
static int
tok_host(const struct hello_tok *t, char *dst)
{
    if (t->len > SN_HOST_MAX || memchr(t->s, ' ', t->len) != NULL)
        return -1;
    memcpy(dst, t->s, t->len);
    dst[t->len] = '\0';
    return 0;
}

/* Checks 1 to 4: size, bytes, and the split into 8 non-empty tokens. */
static int
hello_split(struct sn_hello *out, const char *payload, size_t len,
            struct hello_tok tok[HELLO_TOKENS])
{
    size_t i, n = 0, start = 0;

    if (len == 0)
        return fail(out, "1. empty hello");
    if (len > SN_HELLO_BYTES_MAX)
        return fail(out, "1. hello longer than SN_HELLO_BYTES_MAX");
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)payload[i];

        if (c < 0x20 || c == 0x7f)
            return fail(out, "2. control character in hello");
    }
    for (i = 0; i <= len; i++) {
        if (i < len && payload[i] != ',')
            continue;
        if (n == HELLO_TOKENS)
            return fail(out, "3. hello has more than 8 fields");
        tok[n].s = payload + start;
        tok[n].len = i - start;
        n++;
        start = i + 1;
    }
    if (n != HELLO_TOKENS)
        return fail(out, "3. hello has fewer than 8 fields");
    for (i = 0; i < HELLO_TOKENS; i++)
        if (tok[i].len == 0)
            return fail(out, "4. empty field in hello");
    return 0;
}

int
sn_hello_parse(struct sn_hello *out, const char *payload, size_t len)
{
    struct hello_tok tok[HELLO_TOKENS];
    const struct hello_tok *name = &tok[TOK_MASTER_NAME];
    const struct hello_tok *runid = &tok[TOK_SENTINEL_RUNID];

    assert(payload != NULL || len == 0);
    memset(out, 0, sizeof(*out));
    if (hello_split(out, payload, len, tok) != 0)
        return -1;
    if (tok_host(&tok[TOK_SENTINEL_IP], out->sentinel_ip) != 0 ||
        tok_host(&tok[TOK_MASTER_IP], out->master_ip) != 0)
        return fail(out, "5. bad address in hello");
    if (name->len > SN_MASTER_NAME_MAX)
        return fail(out, "5. master name too long in hello");
    memcpy(out->master_name, name->s, name->len);
    out->master_name[name->len] = '\0';
    if (tok_port(&tok[TOK_SENTINEL_PORT], &out->sentinel_port) != 0 ||
        tok_port(&tok[TOK_MASTER_PORT], &out->master_port) != 0)
        return fail(out, "6. bad port in hello");
    if (runid->len != SN_RUNID_LEN)
        return fail(out, "7. bad run id in hello");
    memcpy(out->sentinel_runid, runid->s, runid->len);
    out->sentinel_runid[SN_RUNID_LEN] = '\0';
    if (!sn_is_runid(out->sentinel_runid))
        return fail(out, "7. bad run id in hello");
    if (tok_u64(&tok[TOK_CURRENT_EPOCH], &out->current_epoch) != 0 ||
        tok_u64(&tok[TOK_MASTER_CONFIG_EPOCH],
                &out->master_config_epoch) != 0)
        return fail(out, "8. bad epoch in hello");
    return 0;
}

char *
sn_hello_format(const struct sn_hello *h, size_t *len)
{
    struct sn_hello check;
    char *s;
    size_t n;

    /* The precisions keep an unterminated array from being overrun. */
    s = sn_printf("%.*s,%d,%.*s,%llu,%.*s,%.*s,%d,%llu",
                  (int)SN_HOST_MAX, h->sentinel_ip, h->sentinel_port,
                  (int)SN_RUNID_LEN, h->sentinel_runid,
                  (unsigned long long)h->current_epoch,
                  (int)SN_MASTER_NAME_MAX, h->master_name,
                  (int)SN_HOST_MAX, h->master_ip, h->master_port,
                  (unsigned long long)h->master_config_epoch);
    n = strlen(s);
    /* What a peer would drop is not worth sending: the parser is the one
     * definition of a valid hello. */
    if (sn_hello_parse(&check, s, n) != 0) {
        free(s);
        return NULL;
    }
    if (len != NULL)
        *len = n;
    return s;
}
