/*
 * util.h: allocation, growable buffers, strict number parsing, glob
 * matching and the seeded random generator the core draws from.
 *
 * Allocation never returns NULL: running out of memory calls the handler
 * set with sn_util_set_oom_handler() (the daemon logs and exits), or traps.
 */
#ifndef SN_UTIL_H
#define SN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*sn_oom_handler_fn)(size_t size);

void sn_util_set_oom_handler(sn_oom_handler_fn fn);

void *sn_malloc(size_t size);
void *sn_calloc(size_t n, size_t size);
void *sn_realloc(void *p, size_t size);
char *sn_strdup(const char *s);
char *sn_strndup(const char *s, size_t n);
/* printf into a fresh malloc'd string. */
char *sn_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Replace *slot with a copy of s (NULL allowed), freeing the old value. */
void sn_set_str(char **slot, const char *s);

/* A growable byte buffer, always NUL-terminated after its len bytes. */
struct sn_buf {
    char *data;
    size_t len;
    size_t cap;
};

void sn_buf_init(struct sn_buf *b);
void sn_buf_free(struct sn_buf *b);
void sn_buf_reset(struct sn_buf *b);
void sn_buf_append(struct sn_buf *b, const void *p, size_t n);
void sn_buf_puts(struct sn_buf *b, const char *s);
void sn_buf_putc(struct sn_buf *b, char c);
void sn_buf_printf(struct sn_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sn_buf_vprintf(struct sn_buf *b, const char *fmt, va_list ap);
/* Hand the data over to the caller (malloc'd, NUL-terminated); the buffer
 * is left empty. */
char *sn_buf_steal(struct sn_buf *b, size_t *len);

/* Strict decimal parsing: the whole string must be an optionally signed
 * integer within [min, max], no spaces, no trailing bytes. Returns 0 and
 * sets *out, or -1. */
int sn_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
int sn_parse_u64(const char *s, uint64_t *out);

/* Redis's glob matching (stringmatchlen): * ? [abc] [^a-z] and \ escapes.
 * Returns true on a match. */
bool sn_glob_match(const char *pattern, const char *s, bool nocase);

/* Is s a 40-character lower- or upper-case hex run id? */
bool sn_is_runid(const char *s);

/* The seeded generator: splitmix64, so a seed replays exactly. */
struct sn_rng {
    uint64_t state;
};

void sn_rng_seed(struct sn_rng *r, uint64_t seed);
uint64_t sn_rng_next(struct sn_rng *r);
/* A uniform integer in [0, n); n > 0. */
uint64_t sn_rng_below(struct sn_rng *r, uint64_t n);
/* 40 lower-case hex characters and a NUL into out[41]. */
void sn_rng_runid(struct sn_rng *r, char out[41]);

#endif /* SN_UTIL_H */
