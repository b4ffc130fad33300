/*
 * reply.c: reply trees, argv copies, digests and two small maps.
 *
 * The simulator builds the replies the core receives itself (a struct
 * sn_reply is plain data), so it depends on nothing in lib/ but util.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

/* ---------------------------------------------------------------------
 * Replies
 * ------------------------------------------------------------------- */

static struct sn_reply *
reply_new(enum sn_reply_type type, const char *s, size_t len, int64_t n)
{
    struct sn_reply *r = sn_calloc(1, sizeof(*r));

    r->type = type;
    r->integer = n;
    if (s != NULL) {
        r->str = sn_malloc(len + 1);
        memcpy(r->str, s, len);
        r->str[len] = '\0';
        r->len = len;
    }
    return r;
}

struct sn_reply *
sim_reply_status(const char *s)
{
    return reply_new(SN_REPLY_STATUS, s, strlen(s), 0);
}

struct sn_reply *
sim_reply_error(const char *s)
{
    return reply_new(SN_REPLY_ERROR, s, strlen(s), 0);
}

struct sn_reply *
sim_reply_int(int64_t n)
{
    return reply_new(SN_REPLY_INTEGER, NULL, 0, n);
}

struct sn_reply *
sim_reply_bulk(const char *s, size_t len)
{
    return reply_new(SN_REPLY_STRING, s, len, 0);
}

struct sn_reply *
sim_reply_str(const char *s)
{
    return reply_new(SN_REPLY_STRING, s, strlen(s), 0);
}

struct sn_reply *
sim_reply_array(void)
{
    return reply_new(SN_REPLY_ARRAY, NULL, 0, 0);
}

void
sim_reply_push(struct sn_reply *array, struct sn_reply *child)
{
    array->element = sn_realloc(array->element,
                                (array->elements + 1) * sizeof(child));
    array->element[array->elements++] = child;
}

void
sim_reply_free(struct sn_reply *r)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->elements; i++)
        sim_reply_free(r->element[i]);
    free(r->element);
    free(r->str);
    free(r);
}

static void
describe_str(struct sn_buf *out, const char *s, size_t len, size_t max)
{
    size_t i;

    for (i = 0; i < len && i < max; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\r')
            sn_buf_puts(out, "\\r");
        else if (c == '\n')
            sn_buf_puts(out, "\\n");
        else if (c < 0x20 || c >= 0x7f)
            sn_buf_printf(out, "\\x%02x", c);
        else
            sn_buf_putc(out, (char)c);
    }
    if (len > max)
        sn_buf_printf(out, "...(%zu bytes)", len);
}

void
sim_reply_describe(const struct sn_reply *r, struct sn_buf *out)
{
    size_t i;

    switch (r->type) {
    case SN_REPLY_STATUS:
        sn_buf_putc(out, '+');
        describe_str(out, r->str, r->len, 60);
        break;
    case SN_REPLY_ERROR:
        sn_buf_putc(out, '-');
        describe_str(out, r->str, r->len, 60);
        break;
    case SN_REPLY_INTEGER:
        sn_buf_printf(out, ":%lld", (long long)r->integer);
        break;
    case SN_REPLY_STRING:
        sn_buf_putc(out, '"');
        describe_str(out, r->str, r->len, 40);
        sn_buf_putc(out, '"');
        break;
    case SN_REPLY_NIL:
        sn_buf_puts(out, "(nil)");
        break;
    case SN_REPLY_ARRAY:
        sn_buf_putc(out, '[');
        for (i = 0; i < r->elements; i++) {
            if (i > 0)
                sn_buf_putc(out, ' ');
            sim_reply_describe(r->element[i], out);
        }
        sn_buf_putc(out, ']');
        break;
    }
}

uint64_t
sim_reply_hash(uint64_t h, const struct sn_reply *r)
{
    size_t i;

    h = sim_hash_u64(h, (uint64_t)r->type);
    h = sim_hash_u64(h, (uint64_t)r->integer);
    if (r->str != NULL)
        h = sim_hash(h, r->str, r->len);
    for (i = 0; i < r->elements; i++)
        h = sim_reply_hash(h, r->element[i]);
    return h;
}

/* ---------------------------------------------------------------------
 * argv
 * ------------------------------------------------------------------- */

void
sim_argv_copy(struct sim_argv *dst, int argc, char *const *argv,
              const size_t *argvlen)
{
    int i;

    dst->argc = argc;
    dst->argv = sn_calloc((size_t)argc + 1, sizeof(char *));
    dst->argvlen = sn_calloc((size_t)argc + 1, sizeof(size_t));
    for (i = 0; i < argc; i++) {
        size_t len = argvlen != NULL ? argvlen[i] : strlen(argv[i]);

        dst->argv[i] = sn_malloc(len + 1);
        memcpy(dst->argv[i], argv[i], len);
        dst->argv[i][len] = '\0';
        dst->argvlen[i] = len;
    }
}

void
sim_argv_free(struct sim_argv *a)
{
    int i;

    for (i = 0; i < a->argc; i++)
        free(a->argv[i]);
    free(a->argv);
    free(a->argvlen);
    a->argv = NULL;
    a->argvlen = NULL;
    a->argc = 0;
}

bool
sim_argv_is(const struct sim_argv *a, int i, const char *s)
{
    return i < a->argc && strcasecmp(a->argv[i], s) == 0;
}

void
sim_argv_describe(const struct sim_argv *a, struct sn_buf *out)
{
    int i;

    for (i = 0; i < a->argc; i++) {
        if (i > 0)
            sn_buf_putc(out, ' ');
        describe_str(out, a->argv[i], a->argvlen[i], 60);
    }
}

/* ---------------------------------------------------------------------
 * Hashing
 * ------------------------------------------------------------------- */

uint64_t
sim_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t
sim_hash_u64(uint64_t h, uint64_t v)
{
    /* A word at a time: the digest is fed on every step. */
    h ^= v;
    h *= 0x100000001b3ULL;
    return h ^ (h >> 29);
}

uint64_t
sim_hash_str(uint64_t h, const char *s)
{
    if (s == NULL)
        return sim_hash_u64(h, 0xffULL);
    return sim_hash(h, s, strlen(s) + 1);
}

/* ---------------------------------------------------------------------
 * uint64 -> uint64 map
 * ------------------------------------------------------------------- */

static size_t
slot_of(uint64_t key, size_t cap)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)(key & (cap - 1));
}

void
sim_map_init(struct sim_map *m)
{
    memset(m, 0, sizeof(*m));
}

void
sim_map_free(struct sim_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

bool
sim_map_get(const struct sim_map *m, uint64_t key, uint64_t *val)
{
    size_t i;

    if (m->cap == 0)
        return false;
    for (i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == 0)
            return false;
        if (m->keys[i] == key) {
            *val = m->vals[i];
            return true;
        }
    }
}

static void
map_grow(struct sim_map *m)
{
    struct sim_map n;
    size_t i;

    n.cap = m->cap == 0 ? 16 : m->cap * 2;
    n.len = 0;
    n.keys = sn_calloc(n.cap, sizeof(uint64_t));
    n.vals = sn_calloc(n.cap, sizeof(uint64_t));
    for (i = 0; i < m->cap; i++)
        if (m->keys[i] != 0)
            sim_map_put(&n, m->keys[i], m->vals[i]);
    sim_map_free(m);
    *m = n;
}

void
sim_map_put(struct sim_map *m, uint64_t key, uint64_t val)
{
    size_t i;

    if ((m->len + 1) * 2 > m->cap)
        map_grow(m);
    for (i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return;
        }
        if (m->keys[i] == 0) {
            m->keys[i] = key;
            m->vals[i] = val;
            m->len++;
            return;
        }
    }
}

void
sim_map_del(struct sim_map *m, uint64_t key)
{
    size_t i, j;

    if (m->cap == 0)
        return;
    for (i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == 0)
            return;
        if (m->keys[i] == key)
            break;
    }
    /* Backward-shift deletion keeps every probe chain intact. */
    m->keys[i] = 0;
    m->len--;
    for (j = (i + 1) & (m->cap - 1); m->keys[j] != 0;
         j = (j + 1) & (m->cap - 1)) {
        uint64_t k = m->keys[j], v = m->vals[j];

        m->keys[j] = 0;
        m->len--;
        sim_map_put(m, k, v);
    }
}

/* ---------------------------------------------------------------------
 * string -> string map
 * ------------------------------------------------------------------- */

void
sim_smap_init(struct sim_smap *m)
{
    memset(m, 0, sizeof(*m));
}

void
sim_smap_free(struct sim_smap *m)
{
    size_t i;

    for (i = 0; i < m->cap; i++) {
        free(m->keys[i]);
        free(m->vals[i]);
    }
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

static size_t
sslot_of(const char *key, size_t cap)
{
    return (size_t)(sim_hash_str(SIM_HASH_INIT, key) & (cap - 1));
}

const char *
sim_smap_get(const struct sim_smap *m, const char *key)
{
    size_t i;

    if (m->cap == 0)
        return NULL;
    for (i = sslot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == NULL)
            return NULL;
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
    }
}

void
sim_smap_put(struct sim_smap *m, const char *key, const char *val)
{
    size_t i;

    if ((m->len + 1) * 2 > m->cap) {
        struct sim_smap n;

        n.cap = m->cap == 0 ? 64 : m->cap * 2;
        n.len = 0;
        n.keys = sn_calloc(n.cap, sizeof(char *));
        n.vals = sn_calloc(n.cap, sizeof(char *));
        for (i = 0; i < m->cap; i++)
            if (m->keys[i] != NULL)
                sim_smap_put(&n, m->keys[i], m->vals[i]);
        sim_smap_free(m);
        *m = n;
    }
    for (i = sslot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == NULL) {
            m->keys[i] = sn_strdup(key);
            m->vals[i] = sn_strdup(val);
            m->len++;
            return;
        }
        if (strcmp(m->keys[i], key) == 0) {
            sn_set_str(&m->vals[i], val);
            return;
        }
    }
}
