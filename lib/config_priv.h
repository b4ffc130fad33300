/*
 * config_priv.h: what the config modules share and nothing else sees.
 *
 * The Redis-style format is spread over three files:
 *   config_split.c    the tokenizer (sdssplitargs) and the quoting
 *                     (sdscatrepr), which the INI loader and acl.c use too;
 *   config_redis.c    the directives, one line parsed, the loader and the
 *                     rewriter;
 *   config_convert.c  the converter to INI (sn_config_to_ini).
 */
#ifndef SN_CONFIG_PRIV_H
#define SN_CONFIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "config.h"
#include "util.h"

/* The file as it was loaded, kept so that a rewrite changes only what it
 * must. Lines are stored without their line ending; line i of the file is
 * lines[i - 1]. */
struct sn_config_doc {
    enum sn_config_format format;
    char *filename;
    char **lines;
    int lines_len;
    bool final_newline;         /* the file ended with a line ending */
    bool crlf;                  /* the file used CR LF line endings */
};

/* Split text into a new document (never fails; an empty text gives no
 * lines). */
struct sn_config_doc *sn_config_doc_new(enum sn_config_format format,
                                        const char *filename,
                                        const char *text, size_t len);
void sn_config_doc_free(struct sn_config_doc *d);
struct sn_config_doc *sn_config_doc_copy(const struct sn_config_doc *d);

/* Format-specific rewriters behind sn_config_rewrite(). */
char *sn_config_rewrite_ini(const struct sn_config *c, size_t *len);
char *sn_config_rewrite_redis(const struct sn_config *c, size_t *len);

/* Unquote a value written with Redis's rules (double quotes with escapes
 * \n \r \t \b \a \\ \" \xNN; single quotes with only \'). `s` must be one
 * whole quoted token. Returns a malloc'd string (*len set, it may hold NUL
 * bytes) or NULL if the quoting is unbalanced or followed by other bytes. */
char *sn_config_unquote(const char *s, size_t *len);

/* Split a Redis-style config line into arguments, with Redis's rules
 * (sdssplitargs): spaces separate, double and single quotes group, escapes
 * as above, a closing quote must be followed by a space or the end.
 * Returns the argument count (argv malloc'd, each argument malloc'd and
 * NUL-terminated) or -1 on unbalanced quotes. argc 0 for a blank line. */
int sn_config_split(const char *line, char ***argv);
void sn_config_argv_free(int argc, char **argv);

/* The INI values ("name rules...", without "user = ") of user entry
 * `entry` (struct sn_config's users): a user whose words do not fit one
 * 196-byte line goes on over several lines of the same name, which the
 * INI loader joins. Returns the count; *values is a malloc'd array of
 * malloc'd strings (sn_config_argv_free frees it). */
int sn_config_user_ini_values(const char *entry, char ***values);

/* ---------------------------------------------------------------------
 * Indexes (config.c), so that a load or a rewrite of a file with
 * thousands of masters costs O(lines) lookups of O(1), not a scan of
 * every master or every line per line
 * ------------------------------------------------------------------- */

/* A hash map from a pair of strings (b may be NULL, which differs from
 * "") to an int. Keys are borrowed: they must outlive the map. It is only
 * ever looked up, never iterated, so no result depends on hash order. */
struct sn_config_map_ent {
    const char *a;              /* NULL: the entry is free */
    const char *b;
    int val;
};

struct sn_config_map {
    struct sn_config_map_ent *v;
    size_t cap;                 /* 0 or a power of two */
    size_t len;
};

void sn_config_map_init(struct sn_config_map *m);
void sn_config_map_free(struct sn_config_map *m);
/* The value of (a, b), or -1 if absent. */
int sn_config_map_get(const struct sn_config_map *m, const char *a,
                      const char *b);
/* Set the value of (a, b), replacing any value it had. */
void sn_config_map_put(struct sn_config_map *m, const char *a, const char *b,
                       int val);

/* Index c->masters by name into an initialised map: (name, NULL) -> the
 * master's position. The keys are the masters' own names, so the index
 * stays valid while masters are only added through
 * sn_config_set_master_ix() (a removal invalidates it). */
void sn_config_masters_index(struct sn_config_map *ix,
                             const struct sn_config *c);
/* sn_config_master_find() through the index. */
struct sn_config_master *sn_config_master_find_ix(
    const struct sn_config *c, const struct sn_config_map *ix,
    const char *name);
/* sn_config_set_master() through the index, which a new master (monitor)
 * is added to. */
int sn_config_set_master_ix(struct sn_config *c, struct sn_config_map *ix,
                            const char *name, const char *key, int argc,
                            char **argv, char *err, size_t errlen);

/* Checks that need every line loaded first, run by each loader at its
 * end: a monitored host must be an IP address unless resolve-hostnames is
 * yes, and a Redis-style file may set that after the monitor line. Adds
 * `file:line: ...` errors (the master's line) and returns -1 if any. */
int sn_config_validate(struct sn_config *c, struct sn_config_errors *errs,
                       const char *filename);

/* ---------------------------------------------------------------------
 * The tokenizer (config_split.c)
 * ------------------------------------------------------------------- */

/* One argument of a split line, with where it sits in the line, so that
 * the loader can tell a trailing comment and the rewriter can keep it. */
struct sn_config_tok {
    char *s;            /* the argument, NUL-terminated */
    size_t len;         /* its length: a \x00 escape may put a NUL inside */
    size_t start;       /* offset of its first byte in the line */
    size_t end;         /* offset just past its last byte (or quote) */
    bool hash;          /* it begins with an unquoted '#' */
};

struct sn_config_toks {
    struct sn_config_tok *v;
    int len;
    int cap;
};

enum sn_config_split_status {
    SN_SPLIT_OK = 0,
    SN_SPLIT_UNBALANCED,        /* a quote is never closed */
    SN_SPLIT_AFTER_QUOTE,       /* a closing quote is followed by a byte */
};

/* isspace() in the C locale, which is what sdssplitargs skips between
 * arguments; we do not depend on the process's locale. */
bool sn_config_is_blank(int ch);

/* Split a whole line into t (which needs no initialising). On error
 * (SN_SPLIT_UNBALANCED or SN_SPLIT_AFTER_QUOTE) t is left empty. */
enum sn_config_split_status sn_config_split_line(const char *line,
                                                 struct sn_config_toks *t);
void sn_config_toks_free(struct sn_config_toks *t);
/* Drop the arguments from index n on. */
void sn_config_toks_cut(struct sn_config_toks *t, int n);

/* Append s[0..len) to b as Redis's sdscatrepr writes it: always quoted,
 * \xNN in lower case for bytes that isprint() refuses in the C locale. */
void sn_config_repr(struct sn_buf *b, const char *s, size_t len);

/* ---------------------------------------------------------------------
 * One line of a Redis-style file, parsed (config_redis.c), for the
 * loader, the rewriter and the converter
 * ------------------------------------------------------------------- */

enum sn_config_scope {
    SN_SCOPE_PROCESS,   /* `port 26379`: applied as the file is read */
    SN_SCOPE_SENTINEL,  /* `sentinel myid ...`: applied before monitors */
    SN_SCOPE_MONITOR,   /* `sentinel monitor`: creates the master */
    SN_SCOPE_MASTER,    /* `sentinel <option> <master> ...`: applied last */
};

struct sn_config_directive {
    const char *name;   /* as written (matched case-insensitively) */
    const char *key;    /* the setter's key, and the rewrite slot it fills */
    enum sn_config_scope scope;
    int nargs;          /* arguments after the name and master that are
                         * required: a comment may start after them */
};

enum sn_config_line_kind {
    SN_LINE_NONE = 0,   /* blank, comment, or a bare `sentinel` */
    SN_LINE_KEPT,       /* a server directive kept as it is */
    SN_LINE_MANAGED,    /* a directive of the model: rewritten from it */
};

struct sn_config_line {
    enum sn_config_line_kind kind;
    const struct sn_config_directive *d;    /* SN_LINE_MANAGED */
    const char *kept;           /* SN_LINE_KEPT: the directive's name */
    bool meaningful;            /* SN_LINE_KEPT: it would mean something */
    struct sn_config_toks toks; /* arguments, a trailing comment cut off */
    char **argv;                /* the directive's own arguments */
    int argc;
    const char *master;         /* SN_SCOPE_MONITOR and SN_SCOPE_MASTER
                                   lines */
    size_t head;                /* bytes of indentation */
    size_t tail;                /* where a trailing comment may start */
};

/* Parse the document's lines (doc may be NULL) for a rewrite or a
 * conversion: *n lines, a line that does not parse left blank (kind
 * SN_LINE_NONE). Never fails; free with sn_config_lines_free(). */
struct sn_config_line *sn_config_lines_parse(const struct sn_config_doc *doc,
                                             int *n);
void sn_config_lines_free(struct sn_config_line *info, int n);

/* Two optional strings are equal: both NULL, or the same text. */
static inline bool
sn_config_str_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

#endif /* SN_CONFIG_PRIV_H */
