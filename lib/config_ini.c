/*
 * config_ini.c: the INI format. `[sentinel]` holds the process settings,
 * every other section is one master, named by the section; keys are
 * Redis's directive names.
 *
 * Loading goes through inih, fed by our own line reader: inih (as Debian
 * builds it) does not tell a handler its line number, cuts lines at 200
 * bytes and names at 49 characters, and reads an indented line as the
 * continuation of the previous value. The reader sees each line first, so
 * it knows the line of every key, refuses what inih would cut, and strips
 * the indentation. Keys are collected, then applied section by section
 * (a master's monitor first), so every error is reported with its line.
 *
 * Rewriting follows Redis's CONFIG REWRITE: the user's comments, blank
 * lines and key order stay; each managed key is rewritten where it is;
 * new keys go after the last key of their section; new masters become new
 * sections at the end.
 */
#include "config_priv.h"

#include <ctype.h>
#include <ini.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define PROCESS_SECTION "sentinel"

/* What inih is handed for a refused section header: a name no valid
 * header can have, so the keys that follow are recognised and skipped
 * instead of being read as keys of the previous section. */
#define SKIP_HEADER     "[\x01]"

#define SECTION_NONE    (-1)    /* no header seen yet */
#define SECTION_SKIP    (-2)    /* under a refused header */

/* ---------------------------------------------------------------------
 * The keys
 * ------------------------------------------------------------------- */

enum ini_kind {
    INI_INT,                    /* int field, written if not the default */
    INI_I64,                    /* int64_t field, likewise */
    INI_BOOL,                   /* bool field, likewise */
    INI_STR,                    /* char * field, NULL = unset */
    INI_LOGLEVEL,
    INI_EPOCH,                  /* uint64_t state: always written */
    INI_BIND,
    INI_MYID,
    INI_MONITOR,
    INI_LEADER,
    INI_RENAMES,                /* one line per item */
    INI_REPLICAS,
    INI_PEERS,
    INI_USERS,                  /* one or more lines per user */
};

struct ini_key {
    const char *name;
    enum ini_kind kind;
    size_t offset;              /* of the field, for the scalar kinds */
    int64_t def;                /* INT, I64, BOOL, LOGLEVEL: the default */
    const char *def_str;        /* STR: the default, NULL if none */
    bool multi;                 /* the value holds several arguments */
};

struct ini_table {
    const struct ini_key *keys;
    int len;
};

#define KEYS_MAX 32             /* the longer of the two tables, rounded */
#define P(f) offsetof(struct sn_config, f)
#define M(f) offsetof(struct sn_config_master, f)

/* In the order a fresh file lists them. */
static const struct ini_key process_keys[] = {
    {"port", INI_INT, P(port), SN_DEFAULT_PORT, NULL, false},
    {"bind", INI_BIND, 0, 0, NULL, true},
    {"protected-mode", INI_BOOL, P(protected_mode), 0, NULL, false},
    {"daemonize", INI_BOOL, P(daemonize), 0, NULL, false},
    {"pidfile", INI_STR, P(pidfile), 0, NULL, false},
    {"logfile", INI_STR, P(logfile), 0, "", false},
    {"loglevel", INI_LOGLEVEL, 0, SN_DEFAULT_LOGLEVEL, NULL, false},
    {"syslog-enabled", INI_BOOL, P(syslog_enabled), 0, NULL, false},
    {"syslog-ident", INI_STR, P(syslog_ident), 0, SN_DEFAULT_SYSLOG_IDENT,
     false},
    {"syslog-facility", INI_STR, P(syslog_facility), 0,
     SN_DEFAULT_SYSLOG_FACILITY, false},
    {"dir", INI_STR, P(dir), 0, NULL, false},
    {"requirepass", INI_STR, P(requirepass), 0, NULL, false},
    {"maxclients", INI_INT, P(maxclients), SN_DEFAULT_MAXCLIENTS, NULL,
     false},
    {"announce-ip", INI_STR, P(announce_ip), 0, NULL, false},
    {"announce-port", INI_INT, P(announce_port), 0, NULL, false},
    {"resolve-hostnames", INI_BOOL, P(resolve_hostnames), 0, NULL, false},
    {"announce-hostnames", INI_BOOL, P(announce_hostnames), 0, NULL, false},
    {"deny-scripts-reconfig", INI_BOOL, P(deny_scripts_reconfig), 1, NULL,
     false},
    {"sentinel-user", INI_STR, P(sentinel_user), 0, NULL, false},
    {"sentinel-pass", INI_STR, P(sentinel_pass), 0, NULL, false},
    {"myid", INI_MYID, 0, 0, NULL, false},
    {"current-epoch", INI_EPOCH, P(current_epoch), 0, NULL, false},
    {"user", INI_USERS, 0, 0, NULL, true},
};

static const struct ini_key master_keys[] = {
    {"monitor", INI_MONITOR, 0, 0, NULL, true},
    {"down-after-milliseconds", INI_I64, M(down_after_ms),
     SN_DEFAULT_DOWN_AFTER_MS, NULL, false},
    {"failover-timeout", INI_I64, M(failover_timeout_ms),
     SN_DEFAULT_FAILOVER_TIMEOUT_MS, NULL, false},
    {"parallel-syncs", INI_INT, M(parallel_syncs),
     SN_DEFAULT_PARALLEL_SYNCS, NULL, false},
    {"auth-pass", INI_STR, M(auth_pass), 0, NULL, false},
    {"auth-user", INI_STR, M(auth_user), 0, NULL, false},
    {"notification-script", INI_STR, M(notification_script), 0, NULL,
     false},
    {"client-reconfig-script", INI_STR, M(client_reconfig_script), 0, NULL,
     false},
    {"master-reboot-down-after-period", INI_I64,
     M(master_reboot_down_after_period_ms), 0, NULL, false},
    {"rename-command", INI_RENAMES, 0, 0, NULL, true},
    {"config-epoch", INI_EPOCH, M(config_epoch), 0, NULL, false},
    {"leader-epoch", INI_LEADER, 0, 0, NULL, true},
    {"known-replica", INI_REPLICAS, 0, 0, NULL, true},
    {"known-sentinel", INI_PEERS, 0, 0, NULL, true},
};

#define TABLE(t) {t, (int)(sizeof(t) / sizeof((t)[0]))}

static const struct ini_table process_table = TABLE(process_keys);
static const struct ini_table master_table = TABLE(master_keys);

_Static_assert(sizeof(process_keys) / sizeof(process_keys[0]) <= KEYS_MAX,
               "KEYS_MAX too small");
_Static_assert(sizeof(master_keys) / sizeof(master_keys[0]) <= KEYS_MAX,
               "KEYS_MAX too small");

/* The index of key `name` (any case) in `t`, or -1. known-slave is Redis's
 * old name for known-replica. */
static int
ini_key_find(const struct ini_table *t, const char *name)
{
    int i;

    if (t == &master_table && strcasecmp(name, "known-slave") == 0)
        name = "known-replica";
    for (i = 0; i < t->len; i++)
        if (strcasecmp(t->keys[i].name, name) == 0)
            return i;
    return -1;
}

/* ---------------------------------------------------------------------
 * One line, as inih will read it
 * ------------------------------------------------------------------- */

enum ini_line_kind {
    INI_LINE_BLANK,
    INI_LINE_COMMENT,
    INI_LINE_SECTION,
    INI_LINE_KEY,
    INI_LINE_BAD,
};

struct ini_line {
    enum ini_line_kind kind;
    const char *start;          /* the line less its indentation */
    const char *name;           /* SECTION, KEY: not NUL-terminated */
    size_t name_len;
    const char *value;          /* KEY: the raw text after '=' or ':' */
    char why[96];               /* BAD: what is wrong */
};

static void
ini_section_parse(const char *p, struct ini_line *l)
{
    const char *close = strchr(p, ']'), *q;
    size_t i;

    l->kind = INI_LINE_BAD;
    if (close == NULL) {
        snprintf(l->why, sizeof(l->why), "missing ']' in section header");
        return;
    }
    l->name = p + 1;
    l->name_len = (size_t)(close - p - 1);
    for (q = close + 1; isspace((unsigned char)*q); q++)
        ;
    if (*q != '\0' && *q != ';' && *q != '#') {
        snprintf(l->why, sizeof(l->why), "unexpected text after section "
                 "header");
        return;
    }
    if (l->name_len == 0) {
        snprintf(l->why, sizeof(l->why), "empty section name");
        return;
    }
    if (l->name_len > SN_CONFIG_SECTION_MAX) {
        snprintf(l->why, sizeof(l->why), "section name too long (%zu "
                 "characters, the limit is %d)", l->name_len,
                 SN_CONFIG_SECTION_MAX);
        return;
    }
    for (i = 0; i < l->name_len; i++) {
        unsigned char ch = (unsigned char)l->name[i];

        if (ch <= ' ' || ch == 0x7f) {
            snprintf(l->why, sizeof(l->why), "a section name must not "
                     "contain spaces or control characters");
            return;
        }
    }
    l->kind = INI_LINE_SECTION;
}

/* inih splits a key line at the first '=' or ':', and a ';' that follows
 * whitespace starts a comment even before the separator. */
static void
ini_key_parse(const char *p, struct ini_line *l)
{
    const char *q = p, *end;
    bool was_space = false;

    l->kind = INI_LINE_BAD;
    while (*q != '\0' && *q != '=' && *q != ':' && !(was_space && *q == ';'))
        was_space = isspace((unsigned char)*q++);
    if (*q != '=' && *q != ':') {
        snprintf(l->why, sizeof(l->why), "expected 'key = value' or a "
                 "[section] header");
        return;
    }
    for (end = q; end > p && isspace((unsigned char)end[-1]); end--)
        ;
    l->name = p;
    l->name_len = (size_t)(end - p);
    l->value = q + 1;
    if (l->name_len == 0) {
        snprintf(l->why, sizeof(l->why), "missing key name before '%c'",
                 *q);
        return;
    }
    if (l->name_len > SN_CONFIG_KEY_MAX) {
        snprintf(l->why, sizeof(l->why), "key name too long (%zu "
                 "characters, the limit is %d)", l->name_len,
                 SN_CONFIG_KEY_MAX);
        return;
    }
    l->kind = INI_LINE_KEY;
}

static void
ini_line_parse(const char *line, bool first, struct ini_line *l)
{
    const char *p = line;

    memset(l, 0, sizeof(*l));
    if (first && strncmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;                 /* a UTF-8 byte order mark, as inih skips */
    while (isspace((unsigned char)*p))
        p++;
    l->start = p;
    if (*p == '\0')
        l->kind = INI_LINE_BLANK;
    else if (*p == ';' || *p == '#')
        l->kind = INI_LINE_COMMENT;
    else if (*p == '[')
        ini_section_parse(p, l);
    else
        ini_key_parse(p, l);
}

/* Would inih's inline comment rule (a ';' after whitespace) cut `v`, the
 * raw text after the separator, inside a quoted part? Then inih would hand
 * us less than the user wrote: we refuse the line rather than misread it.
 * A single value is quoted only as a whole (it starts with '"'); in a
 * multi-argument value any argument may be quoted, Redis-style. */
static bool
ini_cut_in_quotes(const char *v, bool multi)
{
    bool was_space = false, escaped = false, started = false;
    char quote = 0;

    for (; *v != '\0'; v++) {
        char ch = *v;

        if (ch == ';' && was_space)
            return quote != 0;
        was_space = isspace((unsigned char)ch);
        if (escaped) {
            escaped = false;
        } else if (quote == '"' && ch == '\\') {
            escaped = true;
        } else if (quote == '\'' && ch == '\\' && v[1] == '\'') {
            escaped = true;
        } else if (quote != 0 && ch == quote) {
            quote = 0;
        } else if (quote == 0 && (multi || !started) &&
                   (ch == '"' || (multi && ch == '\''))) {
            quote = ch;
        }
        if (!was_space)
            started = true;
    }
    return false;
}

/* ---------------------------------------------------------------------
 * Loading: the reader and the handler inih calls
 * ------------------------------------------------------------------- */

struct ini_section {
    char *name;
    int line;
    bool process;
    int first;                  /* its first entry */
    int count;                  /* its entries (sections cannot repeat) */
};

struct ini_entry {
    int line;
    char *key;
    char *value;                /* as inih hands it: comment and spaces cut */
};

struct ini_load {
    const struct sn_config_doc *doc;
    const char *filename;
    struct sn_config_errors *errs;
    int errors;                 /* found by this load */
    int next;                   /* the next line to hand inih, 0-based */
    int lineno;                 /* the line inih is reading, 1-based */
    int section;                /* index, SECTION_NONE or SECTION_SKIP */
    struct ini_section *sections;
    int sections_len;
    int process_section;        /* index of [sentinel], or -1 */
    struct sn_config_map section_ix;    /* master sections by name */
    struct sn_config_map masters;       /* c->masters by name */
    struct ini_entry *entries;
    int entries_len;
};

static void *
ini_grow(void *p, int len, size_t size)
{
    if (len == 0)
        return sn_realloc(p, size);
    if ((len & (len - 1)) == 0)
        return sn_realloc(p, (size_t)len * 2 * size);
    return p;
}

static void ini_error(struct ini_load *st, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
ini_error(struct ini_load *st, int line, const char *fmt, ...)
{
    struct sn_buf b;
    va_list ap;

    sn_buf_init(&b);
    va_start(ap, fmt);
    sn_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    sn_config_errors_add(st->errs, "%s:%d: %s", st->filename, line,
                         b.data != NULL ? b.data : "");
    sn_buf_free(&b);
    st->errors++;
}

static const char *
ini_skip_section(struct ini_load *st)
{
    st->section = SECTION_SKIP;
    return SKIP_HEADER;
}

static int
ini_section_begin(struct ini_load *st, const struct ini_line *l)
{
    char *name = sn_strndup(l->name, l->name_len);
    bool process = strcasecmp(name, PROCESS_SECTION) == 0;
    struct ini_section *s;
    int i;

    i = process ? st->process_section
                : sn_config_map_get(&st->section_ix, name, NULL);
    if (i >= 0) {
        ini_error(st, st->lineno, "section [%s] given twice (first at "
                  "line %d)", name, st->sections[i].line);
        free(name);
        return -1;
    }
    st->sections = ini_grow(st->sections, st->sections_len,
                            sizeof(*st->sections));
    s = &st->sections[st->sections_len];
    memset(s, 0, sizeof(*s));
    s->name = name;
    s->line = st->lineno;
    s->process = process;
    if (process)
        st->process_section = st->sections_len;
    else
        sn_config_map_put(&st->section_ix, s->name, NULL, st->sections_len);
    st->section = st->sections_len++;
    return 0;
}

/* What inih gets for one line of the file: the line less its indentation
 * (so it is never read as a continuation), or, for a line we refuse, a
 * blank line or SKIP_HEADER, so that inih itself finds nothing wrong. */
static const char *
ini_take_line(struct ini_load *st, const char *line)
{
    size_t n = strlen(line);
    struct ini_line l;

    ini_line_parse(line, st->lineno == 1, &l);
    /* A long comment is harmless: inih never sees it, the rewrite keeps
     * it whole. */
    if (l.kind == INI_LINE_BLANK || l.kind == INI_LINE_COMMENT)
        return "";
    if (n > SN_CONFIG_LINE_MAX) {
        ini_error(st, st->lineno, "line too long (%zu bytes, the limit is "
                  "%d)", n, SN_CONFIG_LINE_MAX);
        return *l.start == '[' ? ini_skip_section(st) : "";
    }
    if (l.kind == INI_LINE_BAD) {
        ini_error(st, st->lineno, "%s", l.why);
        return *l.start == '[' ? ini_skip_section(st) : "";
    }
    if (l.kind == INI_LINE_SECTION)
        return ini_section_begin(st, &l) == 0 ? l.start
                                              : ini_skip_section(st);
    return l.start;
}

/* inih's ini_reader: hands over exactly one line of the document. */
static char *
ini_read(char *str, int num, void *stream)
{
    struct ini_load *st = stream;
    const char *hand;
    size_t n;

    if (st->next >= st->doc->lines_len)
        return NULL;
    st->lineno = ++st->next;
    hand = ini_take_line(st, st->doc->lines[st->next - 1]);
    n = strlen(hand);
    if (n + 2 > (size_t)num) {
        /* Cannot happen while SN_CONFIG_LINE_MAX fits inih's buffer. */
        ini_error(st, st->lineno, "line too long for inih");
        n = 0;
    }
    memcpy(str, hand, n);
    str[n] = '\n';
    str[n + 1] = '\0';
    return str;
}

static int
ini_on_key(void *user, const char *section, const char *name,
           const char *value)
{
    struct ini_load *st = user;
    struct ini_section *s;
    struct ini_entry *e;

    (void)section;              /* st->section says the same, by index */
    if (st->section == SECTION_SKIP)
        return 1;
    if (st->section == SECTION_NONE) {
        ini_error(st, st->lineno, "key '%s' comes before any [section]",
                  name);
        return 1;
    }
    s = &st->sections[st->section];
    if (s->count++ == 0)
        s->first = st->entries_len;
    st->entries = ini_grow(st->entries, st->entries_len,
                           sizeof(*st->entries));
    e = &st->entries[st->entries_len++];
    e->line = st->lineno;
    e->key = sn_strdup(name);
    e->value = sn_strdup(value);
    return 1;
}

/* ---------------------------------------------------------------------
 * Loading: applying the keys
 * ------------------------------------------------------------------- */

static void
ini_unknown(struct ini_load *st, const struct ini_entry *e,
            const char *master)
{
    if (master != NULL && ini_key_find(&process_table, e->key) >= 0)
        ini_error(st, e->line, "key '%s' belongs in the [sentinel] "
                  "section, not in [%s]", e->key, master);
    else if (master == NULL && ini_key_find(&master_table, e->key) >= 0)
        ini_error(st, e->line, "key '%s' belongs in a master's section, "
                  "not in [sentinel]", e->key);
    else
        ini_error(st, e->line, "unknown key '%s' in section [%s]", e->key,
                  master != NULL ? master : PROCESS_SECTION);
}

/* The arguments of one key: a multi-argument value is split with Redis's
 * rules; a single value is taken whole, unquoted if it starts with '"'.
 * Returns argc, or -1 after reporting the error. */
static int
ini_args(struct ini_load *st, const struct ini_entry *e,
         const struct ini_key *k, char ***argv)
{
    char *v;
    size_t len;
    int argc;

    if (k->multi) {
        argc = sn_config_split(e->value, argv);
        if (argc < 0)
            ini_error(st, e->line, "unbalanced quotes in the value of %s",
                      k->name);
        return argc;
    }
    if (e->value[0] == '"') {
        v = sn_config_unquote(e->value, &len);
        if (v == NULL) {
            ini_error(st, e->line, "bad quoting in the value of %s (a "
                      "quoted value must be one whole quoted string)",
                      k->name);
            return -1;
        }
        if (len != strlen(v)) {
            ini_error(st, e->line, "the value of %s contains a NUL byte",
                      k->name);
            free(v);
            return -1;
        }
    } else {
        v = sn_strdup(e->value);
    }
    *argv = sn_malloc(sizeof(**argv));
    (*argv)[0] = v;
    return 1;
}

static void
ini_note_line(struct sn_config *c, struct ini_load *st, const char *master,
              const struct ini_key *k, int line)
{
    struct sn_config_master *m;

    m = sn_config_master_find_ix(c, &st->masters, master);

    if (m == NULL)
        return;
    if (strcmp(k->name, "notification-script") == 0)
        m->notification_script_line = line;
    else if (strcmp(k->name, "client-reconfig-script") == 0)
        m->client_reconfig_script_line = line;
}

/* Apply one key of the [sentinel] section (master NULL) or of a master's
 * section. Returns 0, or -1 after reporting the error. */
static int
ini_apply(struct sn_config *c, struct ini_load *st,
          const struct ini_entry *e, const char *master)
{
    const struct ini_table *t = master != NULL ? &master_table
                                               : &process_table;
    int i = ini_key_find(t, e->key), argc, rc;
    const char *raw;
    char err[256];
    char **argv;

    if (i < 0) {
        ini_unknown(st, e, master);
        return -1;
    }
    raw = strpbrk(st->doc->lines[e->line - 1], "=:");
    if (raw != NULL && ini_cut_in_quotes(raw + 1, t->keys[i].multi)) {
        ini_error(st, e->line, "a ';' after a space starts a comment, even "
                  "inside quotes: write it as \\x3b in the value of %s",
                  t->keys[i].name);
        return -1;
    }
    argc = ini_args(st, e, &t->keys[i], &argv);
    if (argc < 0)
        return -1;
    if (master != NULL)
        rc = sn_config_set_master_ix(c, &st->masters, master, e->key, argc,
                                     argv, err, sizeof(err));
    else
        rc = sn_config_set_process(c, e->key, argc, argv, err, sizeof(err));
    sn_config_argv_free(argc, argv);
    if (rc != 0) {
        ini_error(st, e->line, "%s", err);
        return -1;
    }
    if (master != NULL)
        ini_note_line(c, st, master, &t->keys[i], e->line);
    return 0;
}

/* A master's section: its monitor line first (it creates the master),
 * then the other keys in their order, wherever the monitor line was. */
static void
ini_apply_master(struct sn_config *c, struct ini_load *st,
                 const struct ini_section *s)
{
    const struct ini_entry *e = st->entries + s->first, *mon = NULL;
    int i;

    for (i = 0; i < s->count && mon == NULL; i++)
        if (strcasecmp(e[i].key, "monitor") == 0)
            mon = &e[i];
    if (mon == NULL) {
        ini_error(st, s->line, "section [%s] has no monitor key", s->name);
        return;
    }
    /* Without its master, the other keys would only add noise. */
    if (ini_apply(c, st, mon, s->name) != 0)
        return;
    sn_config_master_find_ix(c, &st->masters, s->name)->line = s->line;
    for (i = 0; i < s->count; i++) {
        if (&e[i] == mon)
            continue;
        if (strcasecmp(e[i].key, "monitor") == 0)
            ini_error(st, e[i].line, "monitor given twice in section [%s]",
                      s->name);
        else
            ini_apply(c, st, &e[i], s->name);
    }
}

static void
ini_apply_all(struct sn_config *c, struct ini_load *st)
{
    int i, j;

    for (i = 0; i < st->sections_len; i++) {
        const struct ini_section *s = &st->sections[i];

        if (s->process)
            for (j = 0; j < s->count; j++)
                ini_apply(c, st, &st->entries[s->first + j], NULL);
    }
    for (i = 0; i < st->sections_len; i++)
        if (!st->sections[i].process)
            ini_apply_master(c, st, &st->sections[i]);
}

static void
ini_load_free(struct ini_load *st)
{
    int i;

    for (i = 0; i < st->sections_len; i++)
        free(st->sections[i].name);
    free(st->sections);
    for (i = 0; i < st->entries_len; i++) {
        free(st->entries[i].key);
        free(st->entries[i].value);
    }
    free(st->entries);
    sn_config_map_free(&st->section_ix);
    sn_config_map_free(&st->masters);
}

int
sn_config_load_ini(struct sn_config *c, const char *text, size_t len,
                   const char *filename, struct sn_config_errors *errs)
{
    struct ini_load st;
    int rc;

    if (filename == NULL)
        filename = "(config)";
    sn_config_doc_free(c->doc);
    c->doc = sn_config_doc_new(SN_CONFIG_FORMAT_INI, filename, text, len);
    c->format = SN_CONFIG_FORMAT_INI;
    memset(&st, 0, sizeof(st));
    st.doc = c->doc;
    st.filename = filename;
    st.errs = errs;
    st.section = SECTION_NONE;
    st.process_section = -1;
    sn_config_map_init(&st.section_ix);
    sn_config_map_init(&st.masters);
    sn_config_masters_index(&st.masters, c);
    rc = ini_parse_stream(ini_read, &st, ini_on_key, &st);
    if (rc != 0 && st.errors == 0)
        ini_error(&st, rc > 0 ? rc : 0, "syntax error");
    ini_apply_all(c, &st);
    if (sn_config_validate(c, errs, filename) != 0)
        st.errors++;
    ini_load_free(&st);
    return st.errors > 0 ? -1 : 0;
}

/* ---------------------------------------------------------------------
 * Rewriting: values
 * ------------------------------------------------------------------- */

/* A list of owned strings. */
struct strv {
    char **v;
    int len;
};

static void
strv_insert(struct strv *a, int at, char *s)
{
    a->v = ini_grow(a->v, a->len, sizeof(*a->v));
    memmove(&a->v[at + 1], &a->v[at], (size_t)(a->len - at) * sizeof(*a->v));
    a->v[at] = s;
    a->len++;
}

static void
strv_push(struct strv *a, char *s)
{
    strv_insert(a, a->len, s);
}

static void
strv_free(struct strv *a)
{
    int i;

    for (i = 0; i < a->len; i++)
        free(a->v[i]);
    free(a->v);
    a->v = NULL;
    a->len = 0;
}

/* Quote with the rules sn_config_unquote() reads (Redis's sdscatrepr),
 * and ';' and '#' escaped too, so that no INI reader can take a part of
 * the value for a comment. */
static void
ini_quote(struct sn_buf *b, const char *s)
{
    sn_buf_putc(b, '"');
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;

        switch (ch) {
        case '\\': sn_buf_puts(b, "\\\\"); break;
        case '"': sn_buf_puts(b, "\\\""); break;
        case '\n': sn_buf_puts(b, "\\n"); break;
        case '\r': sn_buf_puts(b, "\\r"); break;
        case '\t': sn_buf_puts(b, "\\t"); break;
        case '\a': sn_buf_puts(b, "\\a"); break;
        case '\b': sn_buf_puts(b, "\\b"); break;
        default:
            if (ch < 0x20 || ch >= 0x7f || ch == ';' || ch == '#')
                sn_buf_printf(b, "\\x%02x", ch);
            else
                sn_buf_putc(b, (char)ch);
        }
    }
    sn_buf_putc(b, '"');
}

/* Does `s` need quotes to be read back as it is: as a whole value
 * (multi false), or as one argument of several? */
static bool
ini_needs_quotes(const char *s, bool multi)
{
    size_t n = strlen(s), i;

    if (n == 0 || s[0] == '"' || isspace((unsigned char)s[0]) ||
        isspace((unsigned char)s[n - 1]))
        return true;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch < 0x20 || ch == 0x7f || ch == ';')
            return true;
        if (multi && (isspace(ch) || ch == '"' || ch == '\''))
            return true;
    }
    return false;
}

static void
ini_put_value(struct sn_buf *b, const char *s, bool multi)
{
    if (ini_needs_quotes(s, multi))
        ini_quote(b, s);
    else
        sn_buf_puts(b, s);
}

static char *
ini_single(const char *s)
{
    struct sn_buf b;

    sn_buf_init(&b);
    ini_put_value(&b, s, false);
    return sn_buf_steal(&b, NULL);
}

/* Room for a user's words on one line: the line limit, less "user = "
 * and some indentation. */
#define USER_VALUE_MAX  (SN_CONFIG_LINE_MAX - 24)

int
sn_config_user_ini_values(const char *entry, char ***values)
{
    struct strv out = {NULL, 0};
    struct sn_buf b, word;
    char **argv;
    int argc = sn_config_split(entry, &argv), i;
    size_t name_len;

    *values = NULL;
    if (argc < 1) {
        sn_config_argv_free(argc < 0 ? 0 : argc, argv);
        return 0;
    }
    sn_buf_init(&b);
    sn_buf_init(&word);
    ini_put_value(&b, argv[0], true);
    name_len = b.len;
    for (i = 1; i < argc; i++) {
        sn_buf_reset(&word);
        ini_put_value(&word, argv[i], true);
        /* A full line goes on under the same name; a word too long for
         * any line still gets one of its own. */
        if (b.len + 1 + word.len > USER_VALUE_MAX && b.len > name_len) {
            strv_push(&out, sn_buf_steal(&b, NULL));
            ini_put_value(&b, argv[0], true);
        }
        sn_buf_putc(&b, ' ');
        sn_buf_append(&b, word.data, word.len);
    }
    strv_push(&out, sn_buf_steal(&b, NULL));
    sn_buf_free(&word);
    sn_config_argv_free(argc, argv);
    *values = out.v;
    return out.len;
}

/* "host port [more]" with each host quoted if it must be. */
static char *
ini_addr(const char *host, int port, const char *more)
{
    struct sn_buf b;

    sn_buf_init(&b);
    ini_put_value(&b, host, true);
    sn_buf_printf(&b, " %d", port);
    if (more != NULL)
        sn_buf_printf(&b, " %s", more);
    return sn_buf_steal(&b, NULL);
}

static void
ini_list_values(const struct ini_key *k, const struct sn_config *c,
                const struct sn_config_master *m, struct strv *out)
{
    struct sn_buf b;
    int i;

    sn_buf_init(&b);
    switch (k->kind) {
    case INI_BIND:
        for (i = 0; i < c->bind_len; i++) {
            if (i > 0)
                sn_buf_putc(&b, ' ');
            ini_put_value(&b, c->bind[i], true);
        }
        if (c->bind_len > 0)
            strv_push(out, sn_buf_steal(&b, NULL));
        break;
    case INI_MYID:
        if (c->myid[0] != '\0')
            strv_push(out, sn_strdup(c->myid));
        break;
    case INI_MONITOR:
        sn_buf_printf(&b, "%d", m->quorum);
        strv_push(out, ini_addr(m->host, m->port, b.data));
        break;
    case INI_LEADER:
        strv_push(out, sn_printf("%" PRIu64 "%s%s", m->leader_epoch,
                                 m->leader[0] != '\0' ? " " : "",
                                 m->leader));
        break;
    case INI_RENAMES:
        for (i = 0; i < m->renames_len; i++) {
            sn_buf_reset(&b);
            ini_put_value(&b, m->renames[i].from, true);
            sn_buf_putc(&b, ' ');
            ini_put_value(&b, m->renames[i].to, true);
            strv_push(out, sn_strdup(b.data));
        }
        break;
    case INI_REPLICAS:
        for (i = 0; i < m->replicas_len; i++)
            strv_push(out, ini_addr(m->replicas[i].host,
                                    m->replicas[i].port, NULL));
        break;
    case INI_PEERS:
        for (i = 0; i < m->peers_len; i++)
            strv_push(out, ini_addr(m->peers[i].host, m->peers[i].port,
                                    m->peers[i].runid));
        break;
    case INI_USERS:
        for (i = 0; i < c->users_len; i++) {
            char **v;
            int j, n = sn_config_user_ini_values(c->users[i], &v);

            for (j = 0; j < n; j++)
                strv_push(out, v[j]);
            free(v);
        }
        break;
    default:
        break;
    }
    sn_buf_free(&b);
}

/* The values key `k` should have in the file: the text after "key = ",
 * one per line. `present`: the user wrote the key in this section, so it
 * stays even at its default value. */
static void
ini_key_values(const struct ini_key *k, const struct sn_config *c,
               const struct sn_config_master *m, bool present,
               struct strv *out)
{
    const char *f = (m != NULL ? (const char *)m : (const char *)c) +
                    k->offset;
    const char *s;
    int64_t v;

    switch (k->kind) {
    case INI_INT:
    case INI_I64:
    case INI_BOOL:
    case INI_LOGLEVEL:
        v = k->kind == INI_INT     ? *(const int *)(const void *)f
            : k->kind == INI_I64   ? *(const int64_t *)(const void *)f
            : k->kind == INI_BOOL  ? *(const bool *)(const void *)f
                                   : (int64_t)c->loglevel;
        if (!present && v == k->def)
            break;
        if (k->kind == INI_BOOL)
            strv_push(out, sn_strdup(v ? "yes" : "no"));
        else if (k->kind == INI_LOGLEVEL)
            strv_push(out, sn_strdup(sn_config_loglevel_name(c->loglevel)));
        else
            strv_push(out, sn_printf("%" PRId64, v));
        break;
    case INI_STR:
        s = *(char *const *)(const void *)f;
        if (s != NULL && (present || k->def_str == NULL ||
                          strcmp(s, k->def_str) != 0))
            strv_push(out, ini_single(s));
        break;
    case INI_EPOCH:
        strv_push(out, sn_printf("%" PRIu64,
                                 *(const uint64_t *)(const void *)f));
        break;
    default:
        ini_list_values(k, c, m, out);
        break;
    }
}

/* ---------------------------------------------------------------------
 * Rewriting: sections
 * ------------------------------------------------------------------- */

struct ini_wants {
    const struct ini_table *t;
    struct strv values[KEYS_MAX];
    int used[KEYS_MAX];
};

static void
ini_wants_init(struct ini_wants *w, const struct ini_table *t,
               const struct sn_config *c, const struct sn_config_master *m,
               const bool *present)
{
    int i;

    memset(w, 0, sizeof(*w));
    w->t = t;
    for (i = 0; i < t->len; i++)
        ini_key_values(&t->keys[i], c, m, present[i], &w->values[i]);
}

static void
ini_wants_free(struct ini_wants *w)
{
    int i;

    for (i = 0; i < w->t->len; i++)
        strv_free(&w->values[i]);
}

/* The next line key i should have, or NULL once all are placed. */
static char *
ini_wants_next(struct ini_wants *w, int i)
{
    if (w->used[i] >= w->values[i].len)
        return NULL;
    return sn_printf("%s = %s", w->t->keys[i].name,
                     w->values[i].v[w->used[i]++]);
}

/* The table index of the key on doc line `i` (0-based), or -1 if the line
 * holds no key that the table knows. */
static int
ini_doc_key(const struct sn_config_doc *d, int i, const struct ini_table *t)
{
    char name[SN_CONFIG_KEY_MAX + 1];
    struct ini_line l;

    ini_line_parse(d->lines[i], i == 0, &l);
    if (l.kind != INI_LINE_KEY)
        return -1;
    memcpy(name, l.name, l.name_len);
    name[l.name_len] = '\0';
    return ini_key_find(t, name);
}

/* Where the inline comment of a key line starts (the whitespace before a
 * ';' that follows whitespace, inih's rule), or NULL. `v` is the raw text
 * after the separator. */
static const char *
ini_comment(const char *v)
{
    const char *ws = NULL;
    bool was_space = false;

    for (; *v != '\0'; v++) {
        if (*v == ';' && was_space)
            return ws;
        if (isspace((unsigned char)*v)) {
            if (!was_space)
                ws = v;
            was_space = true;
        } else {
            was_space = false;
        }
    }
    return NULL;
}

/* A managed key's new line in the slot of doc line `orig`: the user's
 * indentation and inline comment stay around the new `key = value`. */
static char *
ini_slot_line(const char *orig, char *text)
{
    struct ini_line l;
    const char *comment;
    char *line;

    ini_line_parse(orig, false, &l);
    comment = l.kind == INI_LINE_KEY ? ini_comment(l.value) : NULL;
    line = sn_printf("%.*s%s%s", (int)(l.start - orig), orig, text,
                     comment != NULL ? comment : "");
    free(text);
    return line;
}

/* One section of the document, lines [h, end): the header, then each line
 * in its place, a managed key rewritten with its current value (repeated
 * keys fill their old slots in order, extra old lines go), then whatever
 * is left appended after the section's last key line. */
static void
ini_emit_section(struct strv *out, const struct sn_config_doc *d, int h,
                 int end, const struct ini_table *t,
                 const struct sn_config *c, const struct sn_config_master *m)
{
    bool present[KEYS_MAX] = {false};
    const char *last = "";      /* the last key line: its indentation */
    struct ini_wants w;
    int i, k, at;
    char *line;

    for (i = h + 1; i < end; i++)
        if ((k = ini_doc_key(d, i, t)) >= 0)
            present[k] = true;
    ini_wants_init(&w, t, c, m, present);
    strv_push(out, sn_strdup(d->lines[h]));
    at = out->len;
    for (i = h + 1; i < end; i++) {
        k = ini_doc_key(d, i, t);
        if (k < 0) {
            strv_push(out, sn_strdup(d->lines[i]));
            continue;
        }
        if ((line = ini_wants_next(&w, k)) != NULL) {
            strv_push(out, ini_slot_line(d->lines[i], line));
            at = out->len;
            last = d->lines[i];
        }
    }
    for (k = 0; k < t->len; k++) {
        while ((line = ini_wants_next(&w, k)) != NULL) {
            strv_insert(out, at++, sn_printf("%.*s%s",
                                             (int)strspn(last, " \t"),
                                             last, line));
            free(line);
        }
    }
    ini_wants_free(&w);
}

/* A section the document does not have, at the end of `out`, after a
 * blank line. */
static void
ini_new_section(struct strv *out, const char *name,
                const struct ini_table *t, const struct sn_config *c,
                const struct sn_config_master *m)
{
    bool present[KEYS_MAX] = {false};
    struct ini_wants w;
    char *line;
    int k;

    if (out->len > 0 && out->v[out->len - 1][strspn(out->v[out->len - 1],
                                                    " \t")] != '\0')
        strv_push(out, sn_strdup(""));
    strv_push(out, sn_printf("[%s]", name));
    ini_wants_init(&w, t, c, m, present);
    for (k = 0; k < t->len; k++)
        while ((line = ini_wants_next(&w, k)) != NULL)
            strv_push(out, line);
    ini_wants_free(&w);
}

/* The section header on doc line i, copied into name, or false. */
static bool
ini_doc_header(const struct sn_config_doc *d, int i,
               char name[SN_CONFIG_SECTION_MAX + 1])
{
    struct ini_line l;

    ini_line_parse(d->lines[i], i == 0, &l);
    if (l.kind != INI_LINE_SECTION)
        return false;
    memcpy(name, l.name, l.name_len);
    name[l.name_len] = '\0';
    return true;
}

/* A removed master's section: its header and keys go, its comments and
 * blank lines stay (they may be about something else). */
static void
ini_drop_section(struct strv *out, const struct sn_config_doc *d, int h,
                 int end)
{
    struct ini_line l;
    int i;

    for (i = h + 1; i < end; i++) {
        ini_line_parse(d->lines[i], false, &l);
        if (l.kind == INI_LINE_BLANK || l.kind == INI_LINE_COMMENT)
            strv_push(out, sn_strdup(d->lines[i]));
    }
}

static int
ini_section_end(const struct sn_config_doc *d, int h)
{
    char name[SN_CONFIG_SECTION_MAX + 1];
    int i;

    for (i = h + 1; i < d->lines_len; i++)
        if (ini_doc_header(d, i, name))
            break;
    return i;
}

/* Before the document's first section (at `first`), if it has no
 * [sentinel]. */
static void
ini_process_first(struct strv *out, const struct sn_config_doc *d,
                  int first, const struct sn_config *c)
{
    char name[SN_CONFIG_SECTION_MAX + 1];
    int i;

    for (i = 0; i < d->lines_len; i++)
        if (ini_doc_header(d, i, name) &&
            strcasecmp(name, PROCESS_SECTION) == 0)
            return;
    ini_new_section(out, PROCESS_SECTION, &process_table, c, NULL);
    if (first < d->lines_len)
        strv_push(out, sn_strdup(""));
}

static void
ini_rewrite_doc(struct strv *out, const struct sn_config_doc *d,
                const struct sn_config *c)
{
    char name[SN_CONFIG_SECTION_MAX + 1];
    bool *seen = sn_calloc((size_t)c->masters_len + 1, sizeof(*seen));
    const struct sn_config_master *m;
    struct sn_config_map ix;
    int i, end;

    sn_config_map_init(&ix);
    sn_config_masters_index(&ix, c);

    for (i = 0; i < d->lines_len && !ini_doc_header(d, i, name); i++)
        strv_push(out, sn_strdup(d->lines[i]));
    ini_process_first(out, d, i, c);
    for (; i < d->lines_len; i = end) {
        end = ini_section_end(d, i);
        ini_doc_header(d, i, name);
        if (strcasecmp(name, PROCESS_SECTION) == 0) {
            ini_emit_section(out, d, i, end, &process_table, c, NULL);
        } else if ((m = sn_config_master_find_ix(c, &ix, name)) != NULL &&
                   !seen[m - c->masters]) {
            ini_emit_section(out, d, i, end, &master_table, c, m);
            seen[m - c->masters] = true;
        } else {
            ini_drop_section(out, d, i, end);
        }
    }
    for (i = 0; i < c->masters_len; i++)
        if (!seen[i])
            ini_new_section(out, c->masters[i].name, &master_table, c,
                            &c->masters[i]);
    sn_config_map_free(&ix);
    free(seen);
}

char *
sn_config_rewrite_ini(const struct sn_config *c, size_t *len)
{
    const struct sn_config_doc *d = c->doc;
    bool crlf = false, final_newline = true;
    struct strv out = {NULL, 0};
    struct sn_buf b;
    int i;

    if (d != NULL && d->format == SN_CONFIG_FORMAT_INI) {
        ini_rewrite_doc(&out, d, c);
        crlf = d->crlf;
        final_newline = d->final_newline || d->lines_len == 0;
    } else {
        ini_new_section(&out, PROCESS_SECTION, &process_table, c, NULL);
        for (i = 0; i < c->masters_len; i++)
            ini_new_section(&out, c->masters[i].name, &master_table, c,
                            &c->masters[i]);
    }
    sn_buf_init(&b);
    for (i = 0; i < out.len; i++) {
        sn_buf_puts(&b, out.v[i]);
        if (i < out.len - 1 || final_newline)
            sn_buf_puts(&b, crlf ? "\r\n" : "\n");
    }
    strv_free(&out);
    return sn_buf_steal(&b, len);
}
