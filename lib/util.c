/*
 * util.c: allocation, buffers, parsing, globbing and the seeded generator.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sn_oom_handler_fn oom_handler;

void
sn_util_set_oom_handler(sn_oom_handler_fn fn)
{
    oom_handler = fn;
}

static void
oom(size_t size)
{
    if (oom_handler != NULL)
        oom_handler(size);
    __builtin_trap();
}

void *
sn_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (p == NULL)
        oom(size);
    return p;
}

void *
sn_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
        oom(n * size);
    return p;
}

void *
sn_realloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);

    if (q == NULL)
        oom(size);
    return q;
}

char *
sn_strdup(const char *s)
{
    return sn_strndup(s, strlen(s));
}

char *
sn_strndup(const char *s, size_t n)
{
    char *p = sn_malloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
sn_printf(const char *fmt, ...)
{
    struct sn_buf b;
    va_list ap;

    sn_buf_init(&b);
    va_start(ap, fmt);
    sn_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return sn_buf_steal(&b, NULL);
}

void
sn_set_str(char **slot, const char *s)
{
    char *copy = s != NULL ? sn_strdup(s) : NULL;

    free(*slot);
    *slot = copy;
}

/* ---------------------------------------------------------------------
 * Buffers
 * ------------------------------------------------------------------- */

void
sn_buf_init(struct sn_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void
sn_buf_free(struct sn_buf *b)
{
    free(b->data);
    sn_buf_init(b);
}

void
sn_buf_reset(struct sn_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

static void
buf_reserve(struct sn_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;

    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = sn_realloc(b->data, cap);
    b->cap = cap;
}

void
sn_buf_append(struct sn_buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
sn_buf_puts(struct sn_buf *b, const char *s)
{
    sn_buf_append(b, s, strlen(s));
}

void
sn_buf_putc(struct sn_buf *b, char c)
{
    sn_buf_append(b, &c, 1);
}

void
sn_buf_vprintf(struct sn_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void
sn_buf_printf(struct sn_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sn_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *
sn_buf_steal(struct sn_buf *b, size_t *len)
{
    char *p;

    if (b->data == NULL)
        sn_buf_append(b, "", 0);
    p = b->data;
    if (len != NULL)
        *len = b->len;
    sn_buf_init(b);
    return p;
}

/* ---------------------------------------------------------------------
 * Numbers, globs, run ids
 * ------------------------------------------------------------------- */

int
sn_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int
sn_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static bool
glob_class(const char **pp, char c, bool nocase)
{
    const char *p = *pp;
    bool negate = false, match = false;

    if (*p == '^') {
        negate = true;
        p++;
    }
    for (; *p != '\0' && *p != ']'; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
            if (*p == c)
                match = true;
        } else if (p[1] == '-' && p[2] != '\0' && p[2] != ']') {
            char lo = p[0], hi = p[2], x = c;
            if (lo > hi) {
                char t = lo;
                lo = hi;
                hi = t;
            }
            if (nocase) {
                lo = (char)tolower((unsigned char)lo);
                hi = (char)tolower((unsigned char)hi);
                x = (char)tolower((unsigned char)x);
            }
            if (x >= lo && x <= hi)
                match = true;
            p += 2;
        } else if (nocase ? tolower((unsigned char)*p) ==
                                tolower((unsigned char)c)
                          : *p == c) {
            match = true;
        }
    }
    *pp = *p == ']' ? p : p - 1;
    return negate ? !match : match;
}

static bool
glob_match(const char *p, const char *s, bool nocase, int depth)
{
    if (depth > 1000)
        return false;           /* a pathological pattern: refuse, do not spin */
    for (; *p != '\0'; p++) {
        switch (*p) {
        case '*':
            while (p[1] == '*')
                p++;
            if (p[1] == '\0')
                return true;
            for (; *s != '\0'; s++)
                if (glob_match(p + 1, s, nocase, depth + 1))
                    return true;
            return glob_match(p + 1, s, nocase, depth + 1);
        case '?':
            if (*s == '\0')
                return false;
            s++;
            break;
        case '[':
            if (*s == '\0')
                return false;
            p++;
            if (!glob_class(&p, *s, nocase))
                return false;
            if (*p == '\0')
                return *++s == '\0';
            s++;
            break;
        case '\\':
            if (p[1] != '\0')
                p++;
            /* fall through */
        default:
            if (nocase ? tolower((unsigned char)*p) != tolower((unsigned char)*s)
                       : *p != *s)
                return false;
            if (*s == '\0')
                return false;
            s++;
            break;
        }
    }
    return *s == '\0';
}

bool
sn_glob_match(const char *pattern, const char *s, bool nocase)
{
    return glob_match(pattern, s, nocase, 0);
}

bool
sn_is_runid(const char *s)
{
    size_t i;

    for (i = 0; i < 40; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return s[40] == '\0';
}

/* ---------------------------------------------------------------------
 * The seeded generator
 * ------------------------------------------------------------------- */

void
sn_rng_seed(struct sn_rng *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t
sn_rng_next(struct sn_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t
sn_rng_below(struct sn_rng *r, uint64_t n)
{
    return sn_rng_next(r) % n;
}

void
sn_rng_runid(struct sn_rng *r, char out[41])
{
    static const char hex[] = "0123456789abcdef";
    int i;

    for (i = 0; i < 40; i += 16) {
        uint64_t v = sn_rng_next(r);
        int j;
        for (j = 0; j < 16 && i + j < 40; j++) {
            out[i + j] = hex[v & 15];
            v >>= 4;
        }
    }
    out[40] = '\0';
}
