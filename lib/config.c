/*
 * config.c: the configuration model. Defaults, the setters that both file
 * formats feed (so validation is written once), copy and comparison, the
 * kept document, and the dispatch to the format-specific loaders and
 * rewriters (config_ini.c, config_redis.c).
 */
#include "config_priv.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "util.h"

/* Redis reads the millisecond settings with atoi(), so a file that Redis
 * wrote never holds more than an int; neither do we. */
#define MS_SETTING_MAX  INT_MAX

#define BIND_ADDRS_MAX  16      /* Redis's CONFIG_BINDADDR_MAX */

#define ERRORS_CUT_MSG  "too many errors: only the first ones are shown"

/* ---------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------- */

/* Grow an array of `size`-byte elements so that it holds len + 1 of them.
 * The capacity is kept at the next power of two above len, so a long run
 * of appends costs amortised constant time without a capacity field. */
static void *
grow(void *p, int len, size_t size)
{
    if (len == 0)
        return sn_realloc(p, size);
    if ((len & (len - 1)) == 0)
        return sn_realloc(p, (size_t)len * 2 * size);
    return p;
}

static char *
dup_or_null(const char *s)
{
    return s != NULL ? sn_strdup(s) : NULL;
}

static void
lower(char *s)
{
    for (; *s != '\0'; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* ---------------------------------------------------------------------
 * The kept document
 * ------------------------------------------------------------------- */

static void
doc_push(struct sn_config_doc *d, char *line)
{
    d->lines = grow(d->lines, d->lines_len, sizeof(*d->lines));
    d->lines[d->lines_len++] = line;
}

struct sn_config_doc *
sn_config_doc_new(enum sn_config_format format, const char *filename,
                  const char *text, size_t len)
{
    struct sn_config_doc *d = sn_calloc(1, sizeof(*d));
    const char *nl;
    size_t pos = 0;

    d->format = format;
    d->filename = dup_or_null(filename);
    if (len == 0)
        return d;
    /* The first line ending decides the style the rewrite will use. */
    nl = memchr(text, '\n', len);
    d->crlf = nl != NULL && nl > text && nl[-1] == '\r';
    while (pos < len) {
        const char *start = text + pos;
        size_t n, keep;

        nl = memchr(start, '\n', len - pos);
        n = nl != NULL ? (size_t)(nl - start) : len - pos;
        keep = n;
        if (d->crlf && keep > 0 && start[keep - 1] == '\r')
            keep--;
        doc_push(d, sn_strndup(start, keep));
        pos += n + (nl != NULL ? 1 : 0);
        d->final_newline = nl != NULL;
    }
    return d;
}

void
sn_config_doc_free(struct sn_config_doc *d)
{
    int i;

    if (d == NULL)
        return;
    for (i = 0; i < d->lines_len; i++)
        free(d->lines[i]);
    free(d->lines);
    free(d->filename);
    free(d);
}

struct sn_config_doc *
sn_config_doc_copy(const struct sn_config_doc *d)
{
    struct sn_config_doc *n;
    int i;

    if (d == NULL)
        return NULL;
    n = sn_calloc(1, sizeof(*n));
    *n = *d;
    n->filename = dup_or_null(d->filename);
    n->lines = NULL;
    n->lines_len = 0;
    for (i = 0; i < d->lines_len; i++)
        doc_push(n, sn_strdup(d->lines[i]));
    return n;
}

/* ---------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------- */

void
sn_config_errors_add(struct sn_config_errors *e, const char *fmt, ...)
{
    struct sn_buf b;
    va_list ap;

    /* Past the limit, the last slot says that more were left out, so the
     * user knows that fixing what is shown may not be the end of it. */
    if (e->len >= SN_CONFIG_ERRORS_MAX) {
        if (strcmp(e->msgs[e->len - 1], ERRORS_CUT_MSG) != 0)
            sn_set_str(&e->msgs[e->len - 1], ERRORS_CUT_MSG);
        return;
    }
    sn_buf_init(&b);
    va_start(ap, fmt);
    sn_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    e->msgs = grow(e->msgs, e->len, sizeof(*e->msgs));
    e->msgs[e->len++] = sn_buf_steal(&b, NULL);
}

void
sn_config_errors_free(struct sn_config_errors *e)
{
    int i;

    for (i = 0; i < e->len; i++)
        free(e->msgs[i]);
    free(e->msgs);
    e->msgs = NULL;
    e->len = 0;
}

/* ---------------------------------------------------------------------
 * Value words
 * ------------------------------------------------------------------- */

int
sn_config_yesno(const char *s)
{
    if (strcasecmp(s, "yes") == 0)
        return 1;
    if (strcasecmp(s, "no") == 0)
        return 0;
    return -1;
}

static const char *const loglevel_names[] = {
    [SN_LOG_DEBUG] = "debug",
    [SN_LOG_VERBOSE] = "verbose",
    [SN_LOG_NOTICE] = "notice",
    [SN_LOG_WARNING] = "warning",
    [SN_LOG_NOTHING] = "nothing",
};

const char *
sn_config_loglevel_name(enum sn_loglevel l)
{
    if ((int)l < 0 || (int)l > SN_LOG_NOTHING)
        return "notice";
    return loglevel_names[l];
}

int
sn_config_loglevel_parse(const char *s)
{
    int i;

    for (i = 0; i <= SN_LOG_NOTHING; i++)
        if (strcasecmp(s, loglevel_names[i]) == 0)
            return i;
    return -1;
}

/* ---------------------------------------------------------------------
 * Init, free, copy
 * ------------------------------------------------------------------- */

void
sn_config_init(struct sn_config *c)
{
    memset(c, 0, sizeof(*c));
    c->format = SN_CONFIG_FORMAT_INI;
    c->port = SN_DEFAULT_PORT;
    c->logfile = sn_strdup("");
    c->loglevel = SN_DEFAULT_LOGLEVEL;
    c->syslog_ident = sn_strdup(SN_DEFAULT_SYSLOG_IDENT);
    c->syslog_facility = sn_strdup(SN_DEFAULT_SYSLOG_FACILITY);
    c->maxclients = SN_DEFAULT_MAXCLIENTS;
    c->deny_scripts_reconfig = true;
}

static void
master_free(struct sn_config_master *m)
{
    int i;

    free(m->name);
    free(m->host);
    free(m->auth_pass);
    free(m->auth_user);
    free(m->notification_script);
    free(m->client_reconfig_script);
    for (i = 0; i < m->renames_len; i++) {
        free(m->renames[i].from);
        free(m->renames[i].to);
    }
    free(m->renames);
    for (i = 0; i < m->replicas_len; i++)
        free(m->replicas[i].host);
    free(m->replicas);
    for (i = 0; i < m->peers_len; i++)
        free(m->peers[i].host);
    free(m->peers);
}

static void
bind_free(struct sn_config *c)
{
    int i;

    for (i = 0; i < c->bind_len; i++)
        free(c->bind[i]);
    free(c->bind);
    c->bind = NULL;
    c->bind_len = 0;
}

void
sn_config_free(struct sn_config *c)
{
    int i;

    bind_free(c);
    free(c->pidfile);
    free(c->logfile);
    free(c->syslog_ident);
    free(c->syslog_facility);
    free(c->dir);
    free(c->requirepass);
    free(c->announce_ip);
    free(c->sentinel_user);
    free(c->sentinel_pass);
    sn_config_users_clear(c);
    for (i = 0; i < c->masters_len; i++)
        master_free(&c->masters[i]);
    free(c->masters);
    sn_config_doc_free(c->doc);
    memset(c, 0, sizeof(*c));
}

static void
master_copy(struct sn_config_master *d, const struct sn_config_master *s)
{
    int i;

    *d = *s;
    d->name = sn_strdup(s->name);
    d->host = dup_or_null(s->host);
    d->auth_pass = dup_or_null(s->auth_pass);
    d->auth_user = dup_or_null(s->auth_user);
    d->notification_script = dup_or_null(s->notification_script);
    d->client_reconfig_script = dup_or_null(s->client_reconfig_script);
    d->renames = sn_calloc((size_t)s->renames_len, sizeof(*d->renames));
    for (i = 0; i < s->renames_len; i++) {
        d->renames[i].from = sn_strdup(s->renames[i].from);
        d->renames[i].to = sn_strdup(s->renames[i].to);
    }
    d->replicas = sn_calloc((size_t)s->replicas_len, sizeof(*d->replicas));
    for (i = 0; i < s->replicas_len; i++) {
        d->replicas[i] = s->replicas[i];
        d->replicas[i].host = sn_strdup(s->replicas[i].host);
    }
    d->peers = sn_calloc((size_t)s->peers_len, sizeof(*d->peers));
    for (i = 0; i < s->peers_len; i++) {
        d->peers[i] = s->peers[i];
        d->peers[i].host = sn_strdup(s->peers[i].host);
    }
}

int
sn_config_copy(struct sn_config *dst, const struct sn_config *src)
{
    int i;

    *dst = *src;
    dst->bind = sn_calloc((size_t)src->bind_len, sizeof(*dst->bind));
    for (i = 0; i < src->bind_len; i++)
        dst->bind[i] = sn_strdup(src->bind[i]);
    dst->pidfile = dup_or_null(src->pidfile);
    dst->logfile = dup_or_null(src->logfile);
    dst->syslog_ident = dup_or_null(src->syslog_ident);
    dst->syslog_facility = dup_or_null(src->syslog_facility);
    dst->dir = dup_or_null(src->dir);
    dst->requirepass = dup_or_null(src->requirepass);
    dst->announce_ip = dup_or_null(src->announce_ip);
    dst->sentinel_user = dup_or_null(src->sentinel_user);
    dst->sentinel_pass = dup_or_null(src->sentinel_pass);
    dst->users = NULL;
    dst->users_len = 0;
    for (i = 0; i < src->users_len; i++)
        sn_config_user_add(dst, src->users[i]);
    dst->masters = sn_calloc((size_t)src->masters_len, sizeof(*dst->masters));
    for (i = 0; i < src->masters_len; i++)
        master_copy(&dst->masters[i], &src->masters[i]);
    dst->doc = sn_config_doc_copy(src->doc);
    return 0;
}

/* ---------------------------------------------------------------------
 * Masters
 * ------------------------------------------------------------------- */

struct sn_config_master *
sn_config_master_find(const struct sn_config *c, const char *name)
{
    int i;

    for (i = 0; i < c->masters_len; i++)
        if (strcmp(c->masters[i].name, name) == 0)
            return &c->masters[i];
    return NULL;
}

int
sn_config_master_remove(struct sn_config *c, const char *name)
{
    struct sn_config_master *m = sn_config_master_find(c, name);
    int i;

    if (m == NULL)
        return -1;
    i = (int)(m - c->masters);
    master_free(m);
    memmove(&c->masters[i], &c->masters[i + 1],
            (size_t)(c->masters_len - i - 1) * sizeof(*c->masters));
    c->masters_len--;
    return 0;
}

static struct sn_config_master *
master_add(struct sn_config *c, const char *name)
{
    struct sn_config_master *m;

    c->masters = grow(c->masters, c->masters_len, sizeof(*c->masters));
    m = &c->masters[c->masters_len++];
    memset(m, 0, sizeof(*m));
    m->name = sn_strdup(name);
    m->down_after_ms = SN_DEFAULT_DOWN_AFTER_MS;
    m->failover_timeout_ms = SN_DEFAULT_FAILOVER_TIMEOUT_MS;
    m->parallel_syncs = SN_DEFAULT_PARALLEL_SYNCS;
    return m;
}

/* ---------------------------------------------------------------------
 * Value checks shared by the setters
 * ------------------------------------------------------------------- */

/* A value must not smuggle a line ending (or any other control byte but a
 * tab) into the file: a rewrite would turn it into a directive of its own.
 * Values are never quoted back in messages: they may be passwords. */
static int
check_value(const char *key, const char *s, char *err, size_t errlen)
{
    size_t n = strlen(s), i;

    if (n > SN_VALUE_MAX) {
        snprintf(err, errlen, "%s value is too long (%zu bytes, the limit "
                 "is %d)", key, n, SN_VALUE_MAX);
        return -1;
    }
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
            snprintf(err, errlen, "%s value contains a control character "
                     "(0x%02x)", key, ch);
            return -1;
        }
    }
    return 0;
}

static bool
has_space(const char *s)
{
    for (; *s != '\0'; s++)
        if (isspace((unsigned char)*s))
            return true;
    return false;
}

static int
check_host(const char *what, const char *s, char *err, size_t errlen)
{
    size_t n = strlen(s);

    if (n == 0) {
        snprintf(err, errlen, "%s host is empty", what);
        return -1;
    }
    if (n > SN_HOST_MAX) {
        snprintf(err, errlen, "%s host is too long (%zu bytes, the limit "
                 "is %d)", what, n, SN_HOST_MAX);
        return -1;
    }
    if (has_space(s)) {
        snprintf(err, errlen, "%s host must not contain spaces", what);
        return -1;
    }
    return 0;
}

/* Parse an integer in [min, max]; `what` names it in the message. */
static int
parse_int(const char *what, const char *s, int64_t min, int64_t max,
          int64_t *out, char *err, size_t errlen)
{
    int64_t v;

    if (sn_parse_i64(s, INT64_MIN, INT64_MAX, &v) != 0 || v < min) {
        snprintf(err, errlen, "%s must be %s", what,
                 min == 1   ? "a positive integer"
                 : min == 0 ? "a non-negative integer"
                            : "an integer");
        return -1;
    }
    if (v > max) {
        snprintf(err, errlen, "%s is too large (the limit is %" PRId64 ")",
                 what, max);
        return -1;
    }
    *out = v;
    return 0;
}

static int
parse_port(const char *what, const char *s, int *out, char *err,
           size_t errlen)
{
    int64_t v;

    if (sn_parse_i64(s, 0, 65535, &v) != 0) {
        snprintf(err, errlen, "%s must be an integer between 0 and 65535",
                 what);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int
parse_epoch(const char *what, const char *s, uint64_t *out, char *err,
            size_t errlen)
{
    if (sn_parse_u64(s, out) != 0) {
        snprintf(err, errlen, "%s must be a non-negative integer", what);
        return -1;
    }
    return 0;
}

static int
parse_runid(const char *what, const char *s, char out[SN_RUNID_LEN + 1],
            char *err, size_t errlen)
{
    if (!sn_is_runid(s)) {
        snprintf(err, errlen, "%s must be %d hexadecimal characters", what,
                 SN_RUNID_LEN);
        return -1;
    }
    memcpy(out, s, SN_RUNID_LEN + 1);
    return 0;
}

/* ---------------------------------------------------------------------
 * The key tables
 * ------------------------------------------------------------------- */

enum field_kind {
    FIELD_BOOL,                 /* yes or no */
    FIELD_STR,                  /* any text; "" is kept */
    FIELD_STR_OR_NULL,          /* any text; "" unsets */
    FIELD_CUSTOM,               /* its own function */
};

/* `m` is NULL for a process key. */
typedef int (*set_fn)(struct sn_config *c, struct sn_config_master *m,
                      char **argv, int argc, char *err, size_t errlen);

struct key_def {
    const char *name;
    enum field_kind kind;
    size_t offset;              /* of the field, for the generic kinds */
    int argc_min;
    int argc_max;
    const char *usage;          /* the arguments, for a count error */
    set_fn set;
};

static const struct key_def *
key_find(const struct key_def *table, const char *name)
{
    for (; table->name != NULL; table++)
        if (strcasecmp(table->name, name) == 0)
            return table;
    return NULL;
}

static int
key_check_args(const struct key_def *k, int argc, char **argv, char *err,
               size_t errlen)
{
    int i;

    if (argc < k->argc_min || argc > k->argc_max) {
        if (k->argc_min == k->argc_max)
            snprintf(err, errlen, "%s takes %d value%s (%s), got %d",
                     k->name, k->argc_min, k->argc_min > 1 ? "s" : "",
                     k->usage, argc);
        else
            snprintf(err, errlen, "%s takes %d to %d values (%s), got %d",
                     k->name, k->argc_min, k->argc_max, k->usage, argc);
        return -1;
    }
    for (i = 0; i < argc; i++)
        if (check_value(k->name, argv[i], err, errlen) != 0)
            return -1;
    return 0;
}

static int
key_apply(const struct key_def *k, struct sn_config *c,
          struct sn_config_master *m, void *base, int argc, char **argv,
          char *err, size_t errlen)
{
    char *field = (char *)base + k->offset;
    int yes;

    switch (k->kind) {
    case FIELD_BOOL:
        yes = sn_config_yesno(argv[0]);
        if (yes < 0) {
            snprintf(err, errlen, "%s must be yes or no", k->name);
            return -1;
        }
        *(bool *)(void *)field = yes != 0;
        return 0;
    case FIELD_STR:
        sn_set_str((char **)(void *)field, argv[0]);
        return 0;
    case FIELD_STR_OR_NULL:
        sn_set_str((char **)(void *)field, argv[0][0] != '\0' ? argv[0]
                                                              : NULL);
        return 0;
    case FIELD_CUSTOM:
        break;
    }
    return k->set(c, m, argv, argc, err, errlen);
}

/* ---------------------------------------------------------------------
 * Process keys
 * ------------------------------------------------------------------- */

static int
p_port(struct sn_config *c, struct sn_config_master *m, char **argv,
       int argc, char *err, size_t errlen)
{
    (void)m;
    (void)argc;
    return parse_port("port", argv[0], &c->port, err, errlen);
}

static int
p_announce_port(struct sn_config *c, struct sn_config_master *m,
                char **argv, int argc, char *err, size_t errlen)
{
    (void)m;
    (void)argc;
    return parse_port("announce-port", argv[0], &c->announce_port, err,
                      errlen);
}

/* bind takes up to 16 addresses on one line; given again, the new list
 * replaces the old one, as in Redis. */
static int
p_bind(struct sn_config *c, struct sn_config_master *m, char **argv,
       int argc, char *err, size_t errlen)
{
    int i;

    (void)m;
    for (i = 0; i < argc; i++) {
        if (argv[i][0] == '\0' || has_space(argv[i])) {
            snprintf(err, errlen, "bind addresses must not be empty or "
                     "contain spaces");
            return -1;
        }
    }
    bind_free(c);
    c->bind = sn_calloc((size_t)argc, sizeof(*c->bind));
    for (i = 0; i < argc; i++)
        c->bind[i] = sn_strdup(argv[i]);
    c->bind_len = argc;
    return 0;
}

static int
p_loglevel(struct sn_config *c, struct sn_config_master *m, char **argv,
           int argc, char *err, size_t errlen)
{
    int l = sn_config_loglevel_parse(argv[0]);

    (void)m;
    (void)argc;
    if (l < 0) {
        snprintf(err, errlen, "loglevel must be one of debug, verbose, "
                 "notice, warning, nothing");
        return -1;
    }
    c->loglevel = (enum sn_loglevel)l;
    return 0;
}

static int
p_syslog_facility(struct sn_config *c, struct sn_config_master *m,
                  char **argv, int argc, char *err, size_t errlen)
{
    const char *v = argv[0];

    (void)m;
    (void)argc;
    if (strcasecmp(v, "user") != 0 &&
        !(strncasecmp(v, "local", 5) == 0 && v[5] >= '0' && v[5] <= '7' &&
          v[6] == '\0')) {
        snprintf(err, errlen, "syslog-facility must be user or local0 to "
                 "local7");
        return -1;
    }
    sn_set_str(&c->syslog_facility, v);
    lower(c->syslog_facility);
    return 0;
}

static int
p_dir(struct sn_config *c, struct sn_config_master *m, char **argv,
      int argc, char *err, size_t errlen)
{
    (void)m;
    (void)argc;
    if (argv[0][0] == '\0') {
        snprintf(err, errlen, "dir must not be empty");
        return -1;
    }
    sn_set_str(&c->dir, argv[0]);
    return 0;
}

static int
p_maxclients(struct sn_config *c, struct sn_config_master *m, char **argv,
             int argc, char *err, size_t errlen)
{
    int64_t v;

    (void)m;
    (void)argc;
    if (parse_int("maxclients", argv[0], 1, INT_MAX, &v, err, errlen) != 0)
        return -1;
    c->maxclients = (int)v;
    return 0;
}

static int
p_myid(struct sn_config *c, struct sn_config_master *m, char **argv,
       int argc, char *err, size_t errlen)
{
    (void)m;
    (void)argc;
    return parse_runid("myid", argv[0], c->myid, err, errlen);
}

/* Redis keeps the largest current-epoch it reads (config-epoch lines may
 * have raised it already). */
static int
p_current_epoch(struct sn_config *c, struct sn_config_master *m,
                char **argv, int argc, char *err, size_t errlen)
{
    uint64_t v;

    (void)m;
    (void)argc;
    if (parse_epoch("current-epoch", argv[0], &v, err, errlen) != 0)
        return -1;
    if (v > c->current_epoch)
        c->current_epoch = v;
    return 0;
}

/* ---------------------------------------------------------------------
 * ACL users
 * ------------------------------------------------------------------- */

void
sn_config_user_add(struct sn_config *c, const char *entry)
{
    c->users = grow(c->users, c->users_len, sizeof(*c->users));
    c->users[c->users_len++] = sn_strdup(entry);
}

void
sn_config_users_clear(struct sn_config *c)
{
    int i;

    for (i = 0; i < c->users_len; i++)
        free(c->users[i]);
    free(c->users);
    c->users = NULL;
    c->users_len = 0;
}

/* Is `entry` the entry of user `name`? A name written bare is compared
 * in place; a quoted one is split first. */
static bool
user_entry_is(const char *entry, const char *name)
{
    size_t n = strlen(name);
    char **argv;
    int argc;
    bool is;

    if (entry[0] != '"' && entry[0] != '\'')
        return strncmp(entry, name, n) == 0 &&
               (entry[n] == ' ' || entry[n] == '\0');
    argc = sn_config_split(entry, &argv);
    is = argc > 0 && strcmp(argv[0], name) == 0;
    sn_config_argv_free(argc < 0 ? 0 : argc, argv);
    return is;
}

static int
user_find(const struct sn_config *c, const char *name)
{
    int i;

    for (i = 0; i < c->users_len; i++)
        if (user_entry_is(c->users[i], name))
            return i;
    return -1;
}

/* A word of a user entry as the Redis tokenizer reads it back: quoted
 * only when it must be. Unlike sn_config_quote, a leading '#' (a password
 * hash) stays bare: user lines have no trailing comments. */
static void
user_word(struct sn_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    char *q;

    for (; *p != '\0'; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '\'')
            break;
    if (*s != '\0' && *p == '\0') {
        sn_buf_puts(b, s);
        return;
    }
    q = sn_config_quote(s);
    sn_buf_puts(b, q);
    free(q);
}

/* user NAME RULES...: checked by acl.c, kept as one entry. In an INI
 * file a user's rules may go on over several `user` keys of the same name
 * (a line holds 196 bytes), so a selector may be left open until the
 * user's last line (sn_config_validate checks that it was closed). In a
 * Redis-style file a user is defined once, as Redis requires. */
static int
p_user(struct sn_config *c, struct sn_config_master *m, char **argv,
       int argc, char *err, size_t errlen)
{
    int at = user_find(c, argv[0]), all_len = 0, i, rc;
    bool ini = c->format == SN_CONFIG_FORMAT_INI;
    struct sn_buf b;
    char **all = NULL;

    (void)m;
    if (at >= 0 && !ini) {
        snprintf(err, errlen, "user '%.64s': Duplicate user found. A user "
                 "can only be defined once in config files", argv[0]);
        return -1;
    }
    if (at >= 0)
        all_len = sn_config_split(c->users[at], &all);
    all = sn_realloc(all, (size_t)(all_len + argc + 1) * sizeof(*all));
    for (i = at >= 0 ? 1 : 0; i < argc; i++)
        all[all_len++] = sn_strdup(argv[i]);
    all[all_len] = NULL;
    rc = sn_acl_check_user_rules(all_len, all, ini, err, errlen);
    if (rc == 0) {
        sn_buf_init(&b);
        for (i = 0; i < all_len; i++) {
            if (i > 0)
                sn_buf_putc(&b, ' ');
            user_word(&b, all[i]);
        }
        if (at >= 0)
            sn_set_str(&c->users[at], b.data);
        else
            sn_config_user_add(c, b.data);
        sn_buf_free(&b);
    } else {
        /* Say whose rules they are. */
        char *msg = sn_printf("user '%.64s': %s", all[0], err);

        snprintf(err, errlen, "%s", msg);
        free(msg);
    }
    sn_config_argv_free(all_len, all);
    return rc;
}

#define PROC(f) offsetof(struct sn_config, f)

static const struct key_def process_keys[] = {
    {"port", FIELD_CUSTOM, 0, 1, 1, "port", p_port},
    {"bind", FIELD_CUSTOM, 0, 1, BIND_ADDRS_MAX, "addresses", p_bind},
    {"protected-mode", FIELD_BOOL, PROC(protected_mode), 1, 1, "yes|no",
     NULL},
    {"daemonize", FIELD_BOOL, PROC(daemonize), 1, 1, "yes|no", NULL},
    {"pidfile", FIELD_STR_OR_NULL, PROC(pidfile), 1, 1, "path", NULL},
    {"logfile", FIELD_STR, PROC(logfile), 1, 1, "path", NULL},
    {"loglevel", FIELD_CUSTOM, 0, 1, 1, "level", p_loglevel},
    {"syslog-enabled", FIELD_BOOL, PROC(syslog_enabled), 1, 1, "yes|no",
     NULL},
    {"syslog-ident", FIELD_STR, PROC(syslog_ident), 1, 1, "name", NULL},
    {"syslog-facility", FIELD_CUSTOM, 0, 1, 1, "facility",
     p_syslog_facility},
    {"dir", FIELD_CUSTOM, 0, 1, 1, "path", p_dir},
    {"requirepass", FIELD_STR_OR_NULL, PROC(requirepass), 1, 1, "password",
     NULL},
    {"maxclients", FIELD_CUSTOM, 0, 1, 1, "count", p_maxclients},
    {"announce-ip", FIELD_STR_OR_NULL, PROC(announce_ip), 1, 1, "address",
     NULL},
    {"announce-port", FIELD_CUSTOM, 0, 1, 1, "port", p_announce_port},
    {"resolve-hostnames", FIELD_BOOL, PROC(resolve_hostnames), 1, 1,
     "yes|no", NULL},
    {"announce-hostnames", FIELD_BOOL, PROC(announce_hostnames), 1, 1,
     "yes|no", NULL},
    {"deny-scripts-reconfig", FIELD_BOOL, PROC(deny_scripts_reconfig), 1, 1,
     "yes|no", NULL},
    {"sentinel-user", FIELD_STR_OR_NULL, PROC(sentinel_user), 1, 1, "user",
     NULL},
    {"sentinel-pass", FIELD_STR_OR_NULL, PROC(sentinel_pass), 1, 1,
     "password", NULL},
    {"myid", FIELD_CUSTOM, 0, 1, 1, "run id", p_myid},
    {"current-epoch", FIELD_CUSTOM, 0, 1, 1, "epoch", p_current_epoch},
    {"user", FIELD_CUSTOM, 0, 1, SN_ACL_RULES_MAX + 1, "name rules",
     p_user},
    {NULL, FIELD_CUSTOM, 0, 0, 0, NULL, NULL},
};

int
sn_config_set_process(struct sn_config *c, const char *key, int argc,
                      char **argv, char *err, size_t errlen)
{
    const struct key_def *k = key_find(process_keys, key);

    if (k == NULL) {
        snprintf(err, errlen, "unknown key '%.64s'", key);
        return -1;
    }
    if (key_check_args(k, argc, argv, err, errlen) != 0)
        return -1;
    return key_apply(k, c, NULL, c, argc, argv, err, errlen);
}

/* ---------------------------------------------------------------------
 * Master keys
 * ------------------------------------------------------------------- */

static int
m_ms(const char *key, const char *s, int64_t min, int64_t *out, char *err,
     size_t errlen)
{
    return parse_int(key, s, min, MS_SETTING_MAX, out, err, errlen);
}

static int
m_down_after(struct sn_config *c, struct sn_config_master *m, char **argv,
             int argc, char *err, size_t errlen)
{
    (void)c;
    (void)argc;
    return m_ms("down-after-milliseconds", argv[0], 1, &m->down_after_ms,
                err, errlen);
}

static int
m_failover_timeout(struct sn_config *c, struct sn_config_master *m,
                   char **argv, int argc, char *err, size_t errlen)
{
    (void)c;
    (void)argc;
    return m_ms("failover-timeout", argv[0], 1, &m->failover_timeout_ms, err,
                errlen);
}

static int
m_reboot_period(struct sn_config *c, struct sn_config_master *m,
                char **argv, int argc, char *err, size_t errlen)
{
    (void)c;
    (void)argc;
    return m_ms("master-reboot-down-after-period", argv[0], 0,
                &m->master_reboot_down_after_period_ms, err, errlen);
}

static int
m_parallel_syncs(struct sn_config *c, struct sn_config_master *m,
                 char **argv, int argc, char *err, size_t errlen)
{
    int64_t v;

    (void)c;
    (void)argc;
    if (parse_int("parallel-syncs", argv[0], 1, INT_MAX, &v, err, errlen))
        return -1;
    m->parallel_syncs = (int)v;
    return 0;
}

/* A master's config-epoch raises current-epoch, as Redis does on load. */
static int
m_config_epoch(struct sn_config *c, struct sn_config_master *m, char **argv,
               int argc, char *err, size_t errlen)
{
    (void)argc;
    if (parse_epoch("config-epoch", argv[0], &m->config_epoch, err, errlen))
        return -1;
    if (m->config_epoch > c->current_epoch)
        c->current_epoch = m->config_epoch;
    return 0;
}

/* leader-epoch EPOCH [RUNID]: the run id of the vote is INI only (Redis
 * does not save it). */
static int
m_leader_epoch(struct sn_config *c, struct sn_config_master *m, char **argv,
               int argc, char *err, size_t errlen)
{
    uint64_t epoch;
    char leader[SN_RUNID_LEN + 1] = "";

    (void)c;
    if (parse_epoch("leader-epoch", argv[0], &epoch, err, errlen) != 0)
        return -1;
    if (argc > 1 &&
        parse_runid("leader-epoch run id", argv[1], leader, err, errlen))
        return -1;
    m->leader_epoch = epoch;
    memcpy(m->leader, leader, sizeof(leader));
    return 0;
}

static int
rename_find(const struct sn_config_master *m, const char *from)
{
    int i;

    for (i = 0; i < m->renames_len; i++)
        if (strcasecmp(m->renames[i].from, from) == 0)
            return i;
    return -1;
}

/* rename-command FROM TO. FROM == TO (in any case) removes the mapping, as
 * SENTINEL SET does; a FROM given twice is an error, as in Redis. */
static int
m_rename(struct sn_config *c, struct sn_config_master *m, char **argv,
         int argc, char *err, size_t errlen)
{
    int i = rename_find(m, argv[0]);

    (void)c;
    (void)argc;
    if (argv[0][0] == '\0' || argv[1][0] == '\0') {
        snprintf(err, errlen, "rename-command needs two non-empty command "
                 "names");
        return -1;
    }
    if (strcasecmp(argv[0], argv[1]) == 0) {
        if (i >= 0) {
            free(m->renames[i].from);
            free(m->renames[i].to);
            memmove(&m->renames[i], &m->renames[i + 1],
                    (size_t)(m->renames_len - i - 1) * sizeof(*m->renames));
            m->renames_len--;
        }
        return 0;
    }
    if (i >= 0) {
        snprintf(err, errlen, "rename-command for '%.64s' given twice",
                 argv[0]);
        return -1;
    }
    if (m->renames_len >= SN_RENAMES_MAX) {
        snprintf(err, errlen, "too many rename-command entries (the limit "
                 "is %d)", SN_RENAMES_MAX);
        return -1;
    }
    m->renames = grow(m->renames, m->renames_len, sizeof(*m->renames));
    m->renames[m->renames_len].from = sn_strdup(argv[0]);
    lower(m->renames[m->renames_len].from);
    m->renames[m->renames_len++].to = sn_strdup(argv[1]);
    return 0;
}

static int
m_known_replica(struct sn_config *c, struct sn_config_master *m,
                char **argv, int argc, char *err, size_t errlen)
{
    int port, i;

    (void)c;
    (void)argc;
    if (check_host("known-replica", argv[0], err, errlen) != 0 ||
        parse_port("known-replica port", argv[1], &port, err, errlen) != 0)
        return -1;
    for (i = 0; i < m->replicas_len; i++) {
        if (m->replicas[i].port == port &&
            strcasecmp(m->replicas[i].host, argv[0]) == 0) {
            snprintf(err, errlen, "known-replica %s:%d given twice",
                     argv[0], port);
            return -1;
        }
    }
    if (m->replicas_len >= SN_REPLICAS_MAX) {
        snprintf(err, errlen, "too many known replicas (the limit is %d)",
                 SN_REPLICAS_MAX);
        return -1;
    }
    m->replicas = grow(m->replicas, m->replicas_len, sizeof(*m->replicas));
    m->replicas[m->replicas_len].host = sn_strdup(argv[0]);
    m->replicas[m->replicas_len++].port = port;
    return 0;
}

/* known-sentinel HOST PORT RUNID. Redis silently ignores the old form
 * without a run id: so do we. */
static int
m_known_sentinel(struct sn_config *c, struct sn_config_master *m,
                 char **argv, int argc, char *err, size_t errlen)
{
    struct sn_config_peer p;
    int i;

    (void)c;
    if (argc < 3)
        return 0;
    if (check_host("known-sentinel", argv[0], err, errlen) != 0 ||
        parse_port("known-sentinel port", argv[1], &p.port, err, errlen) ||
        parse_runid("known-sentinel run id", argv[2], p.runid, err, errlen))
        return -1;
    for (i = 0; i < m->peers_len; i++) {
        if (m->peers[i].port == p.port &&
            strcasecmp(m->peers[i].host, argv[0]) == 0) {
            snprintf(err, errlen, "known-sentinel %s:%d given twice",
                     argv[0], p.port);
            return -1;
        }
    }
    if (m->peers_len >= SN_SENTINELS_MAX) {
        snprintf(err, errlen, "too many known sentinels (the limit is %d)",
                 SN_SENTINELS_MAX);
        return -1;
    }
    p.host = sn_strdup(argv[0]);
    m->peers = grow(m->peers, m->peers_len, sizeof(*m->peers));
    m->peers[m->peers_len++] = p;
    return 0;
}

#define MAST(f) offsetof(struct sn_config_master, f)

static const struct key_def master_keys[] = {
    {"monitor", FIELD_CUSTOM, 0, 3, 3, "host port quorum", NULL},
    {"down-after-milliseconds", FIELD_CUSTOM, 0, 1, 1, "ms", m_down_after},
    {"failover-timeout", FIELD_CUSTOM, 0, 1, 1, "ms", m_failover_timeout},
    {"parallel-syncs", FIELD_CUSTOM, 0, 1, 1, "count", m_parallel_syncs},
    {"auth-pass", FIELD_STR_OR_NULL, MAST(auth_pass), 1, 1, "password",
     NULL},
    {"auth-user", FIELD_STR_OR_NULL, MAST(auth_user), 1, 1, "user", NULL},
    {"notification-script", FIELD_STR_OR_NULL, MAST(notification_script),
     1, 1, "path", NULL},
    {"client-reconfig-script", FIELD_STR_OR_NULL,
     MAST(client_reconfig_script), 1, 1, "path", NULL},
    {"master-reboot-down-after-period", FIELD_CUSTOM, 0, 1, 1, "ms",
     m_reboot_period},
    {"rename-command", FIELD_CUSTOM, 0, 2, 2, "command new-name", m_rename},
    {"config-epoch", FIELD_CUSTOM, 0, 1, 1, "epoch", m_config_epoch},
    {"leader-epoch", FIELD_CUSTOM, 0, 1, 2, "epoch [run-id]",
     m_leader_epoch},
    {"known-replica", FIELD_CUSTOM, 0, 2, 2, "host port", m_known_replica},
    {"known-slave", FIELD_CUSTOM, 0, 2, 2, "host port", m_known_replica},
    {"known-sentinel", FIELD_CUSTOM, 0, 2, 3, "host port run-id",
     m_known_sentinel},
    {NULL, FIELD_CUSTOM, 0, 0, 0, NULL, NULL},
};

static int
check_master_name(const char *name, char *err, size_t errlen)
{
    size_t n = strlen(name), i;

    if (n == 0 || n > SN_MASTER_NAME_MAX) {
        snprintf(err, errlen, "a master name must have 1 to %d characters",
                 SN_MASTER_NAME_MAX);
        return -1;
    }
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];

        if (ch <= ' ' || ch == 0x7f) {
            snprintf(err, errlen, "a master name must not contain spaces or "
                     "control characters");
            return -1;
        }
    }
    return 0;
}

/* monitor HOST PORT QUORUM creates the master. Whether HOST must be an
 * address depends on resolve-hostnames, which a Redis-style file may set
 * on a later line: sn_config_validate() checks it once all is loaded. */
static int
master_monitor(struct sn_config *c, struct sn_config_map *ix,
               const char *name, char **argv, char *err, size_t errlen)
{
    struct sn_config_master *m;
    int64_t quorum;
    int port;

    if (check_master_name(name, err, errlen) != 0)
        return -1;
    if ((ix != NULL ? sn_config_master_find_ix(c, ix, name)
                    : sn_config_master_find(c, name)) != NULL) {
        snprintf(err, errlen, "master '%s' is already monitored", name);
        return -1;
    }
    if (c->masters_len >= SN_MASTERS_MAX) {
        snprintf(err, errlen, "too many masters (the limit is %d)",
                 SN_MASTERS_MAX);
        return -1;
    }
    if (check_host("monitor", argv[0], err, errlen) != 0 ||
        parse_port("monitor port", argv[1], &port, err, errlen) != 0)
        return -1;
    if (sn_parse_i64(argv[2], INT64_MIN, INT64_MAX, &quorum) != 0 ||
        quorum < 1) {
        snprintf(err, errlen, "quorum must be 1 or greater");
        return -1;
    }
    if (quorum > SN_SENTINELS_MAX + 1) {
        snprintf(err, errlen, "quorum is too large (the limit is %d)",
                 SN_SENTINELS_MAX + 1);
        return -1;
    }
    m = master_add(c, name);
    m->host = sn_strdup(argv[0]);
    m->port = port;
    m->quorum = (int)quorum;
    if (ix != NULL)
        sn_config_map_put(ix, m->name, NULL, c->masters_len - 1);
    return 0;
}

int
sn_config_set_master(struct sn_config *c, const char *name, const char *key,
                     int argc, char **argv, char *err, size_t errlen)
{
    return sn_config_set_master_ix(c, NULL, name, key, argc, argv, err,
                                   errlen);
}

/* ix NULL: look the master up by a scan, as sn_config_set_master(). */
int
sn_config_set_master_ix(struct sn_config *c, struct sn_config_map *ix,
                        const char *name, const char *key, int argc,
                        char **argv, char *err, size_t errlen)
{
    const struct key_def *k = key_find(master_keys, key);
    struct sn_config_master *m;

    if (k == NULL) {
        snprintf(err, errlen, "unknown key '%.64s'", key);
        return -1;
    }
    if (key_check_args(k, argc, argv, err, errlen) != 0)
        return -1;
    if (k == &master_keys[0])
        return master_monitor(c, ix, name, argv, err, errlen);
    m = ix != NULL ? sn_config_master_find_ix(c, ix, name)
                   : sn_config_master_find(c, name);
    if (m == NULL) {
        snprintf(err, errlen, "no such master '%.64s'", name);
        return -1;
    }
    return key_apply(k, c, m, m, argc, argv, err, errlen);
}

/* ---------------------------------------------------------------------
 * Checks once everything is loaded
 * ------------------------------------------------------------------- */

/* A numeric IPv4 or IPv6 address (with an optional %zone), what Redis's
 * anetResolve(ANET_IP_ONLY) accepts. */
static bool
looks_like_ip(const char *s)
{
    unsigned char buf[16];
    const char *pct = strchr(s, '%');
    char head[64];

    if (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1)
        return true;
    if (pct == NULL || pct == s || (size_t)(pct - s) >= sizeof(head) ||
        pct[1] == '\0')
        return false;
    memcpy(head, s, (size_t)(pct - s));
    head[pct - s] = '\0';
    return inet_pton(AF_INET6, head, buf) == 1;
}

int
sn_config_validate(struct sn_config *c, struct sn_config_errors *errs,
                   const char *filename)
{
    int i, bad = 0;

    if (filename == NULL)
        filename = "(config)";
    for (i = 0; c->format == SN_CONFIG_FORMAT_INI && i < c->users_len; i++) {
        char err[512], **argv;
        int argc = sn_config_split(c->users[i], &argv);

        if (argc > 0 &&
            sn_acl_check_user_rules(argc, argv, false, err, sizeof(err))) {
            sn_config_errors_add(errs, "%s: user '%s': %s", filename,
                                 argv[0], err);
            bad = -1;
        }
        sn_config_argv_free(argc < 0 ? 0 : argc, argv);
    }
    for (i = 0; i < c->masters_len; i++) {
        const struct sn_config_master *m = &c->masters[i];

        if (c->resolve_hostnames || looks_like_ip(m->host))
            continue;
        sn_config_errors_add(errs, "%s:%d: host '%s' of master '%s' is not "
                             "an IP address (set resolve-hostnames to yes "
                             "to use host names)", filename, m->line,
                             m->host, m->name);
        bad = -1;
    }
    return bad;
}

/* ---------------------------------------------------------------------
 * Format detection, loading and rewriting
 * ------------------------------------------------------------------- */

enum sn_config_format
sn_config_detect(const char *text, size_t len)
{
    size_t pos = 0;

    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        pos = 3;                /* a UTF-8 byte order mark, as inih skips */
    while (pos < len) {
        char ch = text[pos];

        if (isspace((unsigned char)ch)) {
            pos++;
        } else if (ch == '#' || ch == ';') {
            const char *nl = memchr(text + pos, '\n', len - pos);

            if (nl == NULL)
                break;
            pos = (size_t)(nl - text) + 1;
        } else {
            return ch == '[' ? SN_CONFIG_FORMAT_INI : SN_CONFIG_FORMAT_REDIS;
        }
    }
    return SN_CONFIG_FORMAT_REDIS;
}

static int
line_at(const char *text, size_t pos)
{
    int line = 1;
    size_t i;

    for (i = 0; i < pos; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

/* A text both loaders can trust: not too large, no NUL byte (a line
 * would end there for one reader and not another). */
static int
check_text(const char *text, size_t len, const char *filename,
           struct sn_config_errors *errs)
{
    const char *nul;

    if (len > SN_CONFIG_BYTES_MAX) {
        sn_config_errors_add(errs, "%s:%d: file too large (%zu bytes, the "
                             "limit is %d)", filename,
                             line_at(text, SN_CONFIG_BYTES_MAX), len,
                             SN_CONFIG_BYTES_MAX);
        return -1;
    }
    nul = len > 0 ? memchr(text, '\0', len) : NULL;
    if (nul != NULL) {
        sn_config_errors_add(errs, "%s:%d: the file contains a NUL byte",
                             filename, line_at(text, (size_t)(nul - text)));
        return -1;
    }
    return 0;
}

int
sn_config_load(struct sn_config *c, const char *text, size_t len,
               const char *filename, struct sn_config_errors *errs)
{
    if (filename == NULL)
        filename = "(config)";
    if (check_text(text, len, filename, errs) != 0)
        return -1;
    c->format = sn_config_detect(text, len);
    if (c->format == SN_CONFIG_FORMAT_INI)
        return sn_config_load_ini(c, text, len, filename, errs);
    return sn_config_load_redis(c, text, len, filename, errs);
}

char *
sn_config_rewrite(const struct sn_config *c, size_t *len)
{
    if (c->format == SN_CONFIG_FORMAT_REDIS)
        return sn_config_rewrite_redis(c, len);
    return sn_config_rewrite_ini(c, len);
}
