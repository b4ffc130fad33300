/*
 * config_map.c: the small hash map the config modules index lines and
 * masters with, so that loading and rewriting a file of thousands of
 * masters stays linear (keys are borrowed pairs of strings).
 */
#include "config_priv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
sn_config_map_init(struct sn_config_map *m)
{
    memset(m, 0, sizeof(*m));
}

void
sn_config_map_free(struct sn_config_map *m)
{
    free(m->v);
    sn_config_map_init(m);
}

/* FNV-1a over a, then a byte that tells a NULL b from "", then b. */
static size_t
map_hash(const char *a, const char *b)
{
    uint64_t h = 14695981039346656037ULL;
    const unsigned char *p;

    for (p = (const unsigned char *)a; *p != '\0'; p++)
        h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ (b != NULL ? 1u : 2u)) * 1099511628211ULL;
    if (b != NULL)
        for (p = (const unsigned char *)b; *p != '\0'; p++)
            h = (h ^ *p) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 32));
}

/* The slot holding (a, b), or the free slot where it would go (linear
 * probing; the map is never more than half full, so one is free). */
static size_t
map_slot(const struct sn_config_map *m, const char *a, const char *b)
{
    size_t i = map_hash(a, b) & (m->cap - 1);

    while (m->v[i].a != NULL &&
           (strcmp(m->v[i].a, a) != 0 || !sn_config_str_eq(m->v[i].b, b)))
        i = (i + 1) & (m->cap - 1);
    return i;
}

int
sn_config_map_get(const struct sn_config_map *m, const char *a, const char *b)
{
    size_t i;

    if (m->cap == 0)
        return -1;
    i = map_slot(m, a, b);
    return m->v[i].a != NULL ? m->v[i].val : -1;
}

static void
map_grow(struct sn_config_map *m)
{
    struct sn_config_map old = *m;
    size_t i;

    m->cap = old.cap == 0 ? 16 : old.cap * 2;
    m->v = sn_calloc(m->cap, sizeof(*m->v));
    for (i = 0; i < old.cap; i++)
        if (old.v[i].a != NULL)
            m->v[map_slot(m, old.v[i].a, old.v[i].b)] = old.v[i];
    free(old.v);
}

void
sn_config_map_put(struct sn_config_map *m, const char *a, const char *b,
                  int val)
{
    size_t i;

    if ((m->len + 1) * 2 > m->cap)
        map_grow(m);
    i = map_slot(m, a, b);
    if (m->v[i].a == NULL) {
        m->v[i].a = a;
        m->v[i].b = b;
        m->len++;
    }
    m->v[i].val = val;
}

void
sn_config_masters_index(struct sn_config_map *ix, const struct sn_config *c)
{
    int i;

    for (i = 0; i < c->masters_len; i++)
        sn_config_map_put(ix, c->masters[i].name, NULL, i);
}

struct sn_config_master *
sn_config_master_find_ix(const struct sn_config *c,
                         const struct sn_config_map *ix, const char *name)
{
    int i = sn_config_map_get(ix, name, NULL);

    return i >= 0 ? &c->masters[i] : NULL;
}

