/*
 * config_split.c: the tokenizer and the quoting of Redis-style config
 * lines, after Redis's sdssplitargs and sdscatrepr.
 *
 * The Redis-style loader and rewriter (config_redis.c) split every line
 * with it, the INI loader splits multi-argument values with it, and acl.c
 * splits user entries and `(...)` selectors with it, so that all of them
 * read a value the same way.
 */
#include "config.h"
#include "config_priv.h"
#include "util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * The tokenizer (sdssplitargs) and the quoting (sdscatrepr)
 * ------------------------------------------------------------------- */

/* isspace() in the C locale, which is what sdssplitargs skips between
 * arguments; we do not depend on the process's locale. */
bool
sn_config_is_blank(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' ||
           ch == '\f' || ch == '\r';
}

static int
hex_value(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static char
unescape(char ch)
{
    switch (ch) {
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'b':
        return '\b';
    case 'a':
        return '\a';
    default:
        return ch;      /* \\ and \" and any other: the byte itself */
    }
}

/* Inside double quotes: one escape or byte at *pp. Returns 1 when the
 * closing quote was consumed, 0 to go on, or a split error. */
static int
read_double(const char **pp, struct sn_buf *b)
{
    const char *p = *pp;

    if (p[0] == '\\' && p[1] == 'x' && hex_value(p[2]) >= 0 &&
        hex_value(p[3]) >= 0) {
        sn_buf_putc(b, (char)(hex_value(p[2]) * 16 + hex_value(p[3])));
        *pp = p + 4;
        return 0;
    }
    if (p[0] == '\\' && p[1] != '\0') {
        sn_buf_putc(b, unescape(p[1]));
        *pp = p + 2;
        return 0;
    }
    if (p[0] == '"') {
        if (p[1] != '\0' && !sn_config_is_blank(p[1]))
            return -SN_SPLIT_AFTER_QUOTE;
        *pp = p + 1;
        return 1;
    }
    if (p[0] == '\0')
        return -SN_SPLIT_UNBALANCED;
    sn_buf_putc(b, p[0]);
    *pp = p + 1;
    return 0;
}

/* Inside single quotes only \' is an escape. Same returns as above. */
static int
read_single(const char **pp, struct sn_buf *b)
{
    const char *p = *pp;

    if (p[0] == '\\' && p[1] == '\'') {
        sn_buf_putc(b, '\'');
        *pp = p + 2;
        return 0;
    }
    if (p[0] == '\'') {
        if (p[1] != '\0' && !sn_config_is_blank(p[1]))
            return -SN_SPLIT_AFTER_QUOTE;
        *pp = p + 1;
        return 1;
    }
    if (p[0] == '\0')
        return -SN_SPLIT_UNBALANCED;
    sn_buf_putc(b, p[0]);
    *pp = p + 1;
    return 0;
}

/* Read one argument starting at line[*pos] (not a blank) into b, as
 * sdssplitargs does: quotes may open in the middle of an argument, and
 * only space, tab, CR and LF end an unquoted one. */
static enum sn_config_split_status
read_token(const char *line, size_t *pos, struct sn_buf *b)
{
    const char *p = line + *pos;
    int r;

    for (;;) {
        if (*p == '"' || *p == '\'') {
            char q = *p++;

            do {
                r = q == '"' ? read_double(&p, b) : read_single(&p, b);
            } while (r == 0);
            if (r < 0)
                return (enum sn_config_split_status)-r;
            continue;
        }
        if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n' ||
            *p == '\r')
            break;
        sn_buf_putc(b, *p++);
    }
    *pos = (size_t)(p - line);
    return SN_SPLIT_OK;
}

void
sn_config_toks_free(struct sn_config_toks *t)
{
    for (int i = 0; i < t->len; i++)
        free(t->v[i].s);
    free(t->v);
    t->v = NULL;
    t->len = 0;
    t->cap = 0;
}

/* Drop the arguments from index n on. */
void
sn_config_toks_cut(struct sn_config_toks *t, int n)
{
    for (int i = n; i < t->len; i++)
        free(t->v[i].s);
    if (n < t->len)
        t->len = n;
}

static void
toks_push(struct sn_config_toks *t, struct sn_buf *b, size_t start,
          size_t end, bool hash)
{
    struct sn_config_tok *k;

    if (t->len == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 8;
        t->v = sn_realloc(t->v, (size_t)t->cap * sizeof(*t->v));
    }
    k = &t->v[t->len++];
    k->len = b->len;
    k->s = sn_buf_steal(b, NULL);
    k->start = start;
    k->end = end;
    k->hash = hash;
}

/* Split a whole line. On error t is left empty. */
enum sn_config_split_status
sn_config_split_line(const char *line, struct sn_config_toks *t)
{
    struct sn_buf b;
    size_t pos = 0;

    memset(t, 0, sizeof(*t));
    sn_buf_init(&b);
    for (;;) {
        size_t start;
        enum sn_config_split_status st;

        while (sn_config_is_blank((unsigned char)line[pos]))
            pos++;
        if (line[pos] == '\0')
            break;
        start = pos;
        st = read_token(line, &pos, &b);
        if (st != SN_SPLIT_OK) {
            sn_buf_free(&b);
            sn_config_toks_free(t);
            return st;
        }
        toks_push(t, &b, start, pos, line[start] == '#');
    }
    sn_buf_free(&b);
    return SN_SPLIT_OK;
}

int
sn_config_split(const char *line, char ***argv)
{
    struct sn_config_toks t;
    char **v;

    *argv = NULL;
    if (sn_config_split_line(line, &t) != SN_SPLIT_OK)
        return -1;
    v = sn_calloc((size_t)t.len + 1, sizeof(*v));
    for (int i = 0; i < t.len; i++)
        v[i] = t.v[i].s;
    free(t.v);
    *argv = v;
    return t.len;
}

void
sn_config_argv_free(int argc, char **argv)
{
    if (argv == NULL)
        return;
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
}

char *
sn_config_unquote(const char *s, size_t *len)
{
    struct sn_buf b;
    size_t pos = 0;

    /* A plain value is its own text: callers may pass any value. */
    if (s[0] != '"' && s[0] != '\'') {
        if (len != NULL)
            *len = strlen(s);
        return sn_strdup(s);
    }
    sn_buf_init(&b);
    if (read_token(s, &pos, &b) != SN_SPLIT_OK || s[pos] != '\0') {
        sn_buf_free(&b);
        return NULL;
    }
    return sn_buf_steal(&b, len);
}

/* sdscatrepr: always quoted, \xNN in lower case for bytes that isprint()
 * refuses in the C locale (Redis never sets LC_CTYPE). */
void
sn_config_repr(struct sn_buf *b, const char *s, size_t len)
{
    sn_buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        switch (ch) {
        case '\\':
        case '"':
            sn_buf_putc(b, '\\');
            sn_buf_putc(b, (char)ch);
            break;
        case '\n':
            sn_buf_puts(b, "\\n");
            break;
        case '\r':
            sn_buf_puts(b, "\\r");
            break;
        case '\t':
            sn_buf_puts(b, "\\t");
            break;
        case '\a':
            sn_buf_puts(b, "\\a");
            break;
        case '\b':
            sn_buf_puts(b, "\\b");
            break;
        default:
            if (ch >= 0x20 && ch < 0x7f)
                sn_buf_putc(b, (char)ch);
            else
                sn_buf_printf(b, "\\x%02x", ch);
            break;
        }
    }
    sn_buf_putc(b, '"');
}

/* A value needs quotes when it would not read back as itself: empty,
 * with a blank, a quote or a byte outside printable ASCII, or starting
 * with '#' (our loader's trailing comments; see config_redis.c). */
static bool
needs_quotes(const char *s)
{
    if (s[0] == '\0' || s[0] == '#')
        return true;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '\'')
            return true;
    }
    return false;
}

char *
sn_config_quote(const char *s)
{
    struct sn_buf b;

    if (!needs_quotes(s))
        return sn_strdup(s);
    sn_buf_init(&b);
    sn_config_repr(&b, s, strlen(s));
    return sn_buf_steal(&b, NULL);
}
