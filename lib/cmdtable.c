/*
 * cmdtable.c: look-ups in the sentinel's command table, and the COMMAND
 * command. The table itself is generated, in cmdtable_data.c.
 *
 * Redis keeps its commands in a dictionary and walks it in hash order,
 * which changes with every start; we keep them, and each container's
 * subcommands, in name order, so every reply is the same at every start.
 */
#include "cmdtable.h"

#include <assert.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* ---------------------------------------------------------------------
 * Look-ups
 * ------------------------------------------------------------------- */

static size_t
count_visible(const struct sn_cmd_entry *t)
{
    size_t n = 0;

    for (; t->name != NULL; t++)
        n += !t->hidden;
    return n;
}

/* The entry of t whose name, after skip bytes, is name[0..len). */
static const struct sn_cmd_entry *
find_in(const struct sn_cmd_entry *t, size_t skip, const char *name,
        size_t len)
{
    /* No strlen per entry: this runs for every command a client sends. */
    for (; t->name != NULL; t++) {
        const char *n = t->name + skip;

        if (len == 0 || tolower((unsigned char)n[0]) !=
                            tolower((unsigned char)name[0]))
            continue;
        if (strncasecmp(n, name, len) == 0 && n[len] == '\0')
            return t;
    }
    return NULL;
}

const struct sn_cmd_entry *
sn_cmdtable_find(const char *name)
{
    return find_in(sn_cmdtable_commands(), 0, name, strlen(name));
}

static const struct sn_cmd_entry *
sub_of(const struct sn_cmd_entry *e, const char *sub, size_t len)
{
    if (e == NULL || e->subcommands == NULL)
        return NULL;
    return find_in(e->subcommands, strlen(e->name) + 1, sub, len);
}

const struct sn_cmd_entry *
sn_cmdtable_sub(const char *name, const char *sub)
{
    return sub_of(sn_cmdtable_find(name), sub, strlen(sub));
}

const struct sn_cmd_entry *
sn_cmdtable_sub_of(const struct sn_cmd_entry *e, const char *sub)
{
    return sub_of(e, sub, strlen(sub));
}

bool
sn_cmdtable_has_subcommand(const char *name, const char *sub)
{
    return sn_cmdtable_sub(name, sub) != NULL;
}

static const struct sn_cmd_entry *
visible(const struct sn_cmd_entry *e)
{
    return e != NULL && !e->hidden ? e : NULL;
}

/* Redis's lookupCommandBySds: "name" or "container|sub", strictly, among
 * the commands COMMAND shows. */
static const struct sn_cmd_entry *
lookup_fullname(const char *name)
{
    const char *bar = strchr(name, '|');
    const struct sn_cmd_entry *e;

    if (bar == NULL)
        return visible(sn_cmdtable_find(name));
    if (strchr(bar + 1, '|') != NULL)
        return NULL;
    e = visible(find_in(sn_cmdtable_commands(), 0, name,
                        (size_t)(bar - name)));
    return visible(sub_of(e, bar + 1, strlen(bar + 1)));
}

/* ---------------------------------------------------------------------
 * COMMAND INFO
 * ------------------------------------------------------------------- */

/* A space-separated word list as a set, of status replies (flags,
 * categories) or of bulk strings (tips). NULL is the empty set. */
static void
write_words(struct sn_resp_writer *w, const char *words, bool status)
{
    const char *p;
    size_t n = 0, len;

    for (p = words; p != NULL && *p != '\0'; p += len) {
        p += strspn(p, " ");
        len = strcspn(p, " ");
        n += len > 0;
    }
    sn_resp_write_set(w, n);
    for (p = words; p != NULL && *p != '\0'; p += len) {
        p += strspn(p, " ");
        len = strcspn(p, " ");
        if (len > 0 && status)
            sn_resp_write_statusf(w, "%.*s", (int)len, p);
        else if (len > 0)
            sn_resp_write_bulk(w, p, len);
    }
}

/* addReplyCommandInfo: the ten fields, subcommands last. */
static void
write_info(struct sn_resp_writer *w, const struct sn_cmd_entry *e)
{
    const struct sn_cmd_entry *s;

    if (e == NULL) {
        sn_resp_write_null(w);
        return;
    }
    sn_resp_write_array(w, 10);
    sn_resp_write_bulk_str(w, e->name);
    sn_resp_write_int(w, e->arity);
    write_words(w, e->flags, true);
    sn_resp_write_int(w, 0);            /* first key */
    sn_resp_write_int(w, 0);            /* last key */
    sn_resp_write_int(w, 0);            /* step */
    write_words(w, e->categories, true);
    write_words(w, e->tips, false);
    sn_resp_write_set(w, 0);            /* key specs */
    if (e->subcommands == NULL) {
        sn_resp_write_set(w, 0);
        return;
    }
    sn_resp_write_array(w, count_visible(e->subcommands));
    for (s = e->subcommands; s->name != NULL; s++)
        if (!s->hidden)
            write_info(w, s);
}

/* ---------------------------------------------------------------------
 * COMMAND DOCS
 * ------------------------------------------------------------------- */

static const char *const arg_type_names[] = {
    [SN_CMD_ARG_STRING] = "string",
    [SN_CMD_ARG_INTEGER] = "integer",
    [SN_CMD_ARG_DOUBLE] = "double",
    [SN_CMD_ARG_KEY] = "key",
    [SN_CMD_ARG_PATTERN] = "pattern",
    [SN_CMD_ARG_UNIX_TIME] = "unix-time",
    [SN_CMD_ARG_PURE_TOKEN] = "pure-token",
    [SN_CMD_ARG_ONEOF] = "oneof",
    [SN_CMD_ARG_BLOCK] = "block",
};

static void
write_pair(struct sn_resp_writer *w, const char *key, const char *val)
{
    sn_resp_write_bulk_str(w, key);
    sn_resp_write_bulk_str(w, val);
}

static void
write_arg_flags(struct sn_resp_writer *w, unsigned flags)
{
    sn_resp_write_bulk_str(w, "flags");
    sn_resp_write_set(w, (size_t)((flags & SN_CMD_ARG_OPTIONAL) != 0) +
                         ((flags & SN_CMD_ARG_MULTIPLE) != 0) +
                         ((flags & SN_CMD_ARG_MULTIPLE_TOKEN) != 0));
    if (flags & SN_CMD_ARG_OPTIONAL)
        sn_resp_write_status(w, "optional");
    if (flags & SN_CMD_ARG_MULTIPLE)
        sn_resp_write_status(w, "multiple");
    if (flags & SN_CMD_ARG_MULTIPLE_TOKEN)
        sn_resp_write_status(w, "multiple_token");
}

/* addReplyCommandArgList: each argument as a map, fields in Redis's
 * order, nested arguments for a oneof or a block. */
static void
write_args(struct sn_resp_writer *w, const struct sn_cmd_arg *args)
{
    const struct sn_cmd_arg *a;
    size_t n = 0;

    while (args[n].name != NULL)
        n++;
    sn_resp_write_array(w, n);
    for (a = args; a->name != NULL; a++) {
        bool nested = a->type == SN_CMD_ARG_ONEOF ||
                      a->type == SN_CMD_ARG_BLOCK;

        assert(!nested || a->args != NULL);
        sn_resp_write_map(w, 2 + (a->token != NULL) + (a->since != NULL) +
                             (a->deprecated_since != NULL) +
                             (a->flags != 0) + nested);
        write_pair(w, "name", a->name);
        write_pair(w, "type", arg_type_names[a->type]);
        if (a->token != NULL)
            write_pair(w, "token", a->token);
        if (a->since != NULL)
            write_pair(w, "since", a->since);
        if (a->deprecated_since != NULL)
            write_pair(w, "deprecated_since", a->deprecated_since);
        if (a->flags != 0)
            write_arg_flags(w, a->flags);
        if (nested) {
            sn_resp_write_bulk_str(w, "arguments");
            write_args(w, a->args);
        }
    }
}

static void
write_history(struct sn_resp_writer *w, const struct sn_cmd_history *h)
{
    size_t i, n = 0;

    while (h[n].since != NULL)
        n++;
    sn_resp_write_bulk_str(w, "history");
    sn_resp_write_set(w, n);
    for (i = 0; i < n; i++) {
        sn_resp_write_array(w, 2);
        sn_resp_write_bulk_str(w, h[i].since);
        sn_resp_write_bulk_str(w, h[i].change);
    }
}

/* addReplyCommandDocs: the fields present, in Redis's order. */
static void
write_docs(struct sn_resp_writer *w, const struct sn_cmd_entry *e)
{
    const struct sn_cmd_entry *s;

    sn_resp_write_map(w, 1 + (e->summary != NULL) + (e->since != NULL) +
                         (e->complexity != NULL) + (e->doc_flags != NULL) +
                         (e->deprecated_since != NULL) +
                         (e->replaced_by != NULL) + (e->history != NULL) +
                         (e->args != NULL) + (e->subcommands != NULL));
    if (e->summary != NULL)
        write_pair(w, "summary", e->summary);
    if (e->since != NULL)
        write_pair(w, "since", e->since);
    write_pair(w, "group", e->group);
    if (e->complexity != NULL)
        write_pair(w, "complexity", e->complexity);
    if (e->doc_flags != NULL) {
        sn_resp_write_bulk_str(w, "doc_flags");
        write_words(w, e->doc_flags, true);
    }
    if (e->deprecated_since != NULL)
        write_pair(w, "deprecated_since", e->deprecated_since);
    if (e->replaced_by != NULL)
        write_pair(w, "replaced_by", e->replaced_by);
    if (e->history != NULL)
        write_history(w, e->history);
    if (e->args != NULL) {
        sn_resp_write_bulk_str(w, "arguments");
        write_args(w, e->args);
    }
    if (e->subcommands == NULL)
        return;
    sn_resp_write_bulk_str(w, "subcommands");
    sn_resp_write_map(w, count_visible(e->subcommands));
    for (s = e->subcommands; s->name != NULL; s++) {
        if (s->hidden)
            continue;
        sn_resp_write_bulk_str(w, s->name);
        write_docs(w, s);
    }
}

/* ---------------------------------------------------------------------
 * COMMAND subcommands
 * ------------------------------------------------------------------- */

static void
reply_info(struct sn_resp_writer *w, int argc, char **argv)
{
    const struct sn_cmd_entry *e;
    int i;

    if (argc <= 2) {
        sn_resp_write_array(w, count_visible(sn_cmdtable_commands()));
        for (e = sn_cmdtable_commands(); e->name != NULL; e++)
            if (!e->hidden)
                write_info(w, e);
        return;
    }
    sn_resp_write_array(w, (size_t)(argc - 2));
    for (i = 2; i < argc; i++)
        write_info(w, lookup_fullname(argv[i]));
}

/* Names that are not found are left out, duplicates are not. */
static void
reply_docs(struct sn_resp_writer *w, int argc, char **argv)
{
    const struct sn_cmd_entry *e;
    size_t n = 0;
    int i;

    if (argc == 2) {
        sn_resp_write_map(w, count_visible(sn_cmdtable_commands()));
        for (e = sn_cmdtable_commands(); e->name != NULL; e++) {
            if (e->hidden)
                continue;
            sn_resp_write_bulk_str(w, e->name);
            write_docs(w, e);
        }
        return;
    }
    for (i = 2; i < argc; i++)
        n += lookup_fullname(argv[i]) != NULL;
    sn_resp_write_map(w, n);
    for (i = 2; i < argc; i++) {
        if ((e = lookup_fullname(argv[i])) == NULL)
            continue;
        sn_resp_write_bulk_str(w, e->name);
        write_docs(w, e);
    }
}

enum list_filter {
    LIST_ALL,
    LIST_MODULE,
    LIST_ACLCAT,
    LIST_PATTERN,
};

static bool
has_word_nocase(const char *words, const char *word)
{
    size_t len, n = strlen(word);

    for (; words != NULL && *words != '\0'; words += len) {
        words += strspn(words, " ");
        len = strcspn(words, " ");
        if (len == n && strncasecmp(words, word, n) == 0)
            return true;
    }
    return false;
}

/* shouldFilterFromCommandList, inverted. No module is loaded, so a module
 * filter matches nothing; an unknown category is in no command's list. */
static bool
list_match(const struct sn_cmd_entry *e, enum list_filter f,
           const char *arg)
{
    char cat[64];

    switch (f) {
    case LIST_ALL:
        return true;
    case LIST_MODULE:
        return false;
    case LIST_ACLCAT:
        if (strlen(arg) + 2 > sizeof(cat))
            return false;
        cat[0] = '@';
        memcpy(cat + 1, arg, strlen(arg) + 1);
        return has_word_nocase(e->categories, cat);
    case LIST_PATTERN:
        return sn_glob_match(arg, e->name, true);
    }
    return false;
}

/* Count, and write if w is not NULL, the names that pass: each command,
 * then its subcommands, as Redis walks them. */
static size_t
list_walk(struct sn_resp_writer *w, enum list_filter f, const char *arg)
{
    const struct sn_cmd_entry *e, *s;
    size_t n = 0;

    for (e = sn_cmdtable_commands(); e->name != NULL; e++) {
        if (e->hidden)
            continue;
        if (list_match(e, f, arg) && ++n && w != NULL)
            sn_resp_write_bulk_str(w, e->name);
        for (s = e->subcommands; s != NULL && s->name != NULL; s++)
            if (!s->hidden && list_match(s, f, arg) && ++n && w != NULL)
                sn_resp_write_bulk_str(w, s->name);
    }
    return n;
}

/* COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN glob]:
 * the filter must be the last three arguments, as Redis parses it. */
static void
reply_list(struct sn_resp_writer *w, int argc, char **argv)
{
    enum list_filter f = LIST_ALL;
    const char *arg = NULL;

    if (argc > 2) {
        if (argc != 5 || strcasecmp(argv[2], "filterby") != 0) {
            sn_resp_write_error(w, "ERR syntax error");
            return;
        }
        if (strcasecmp(argv[3], "module") == 0)
            f = LIST_MODULE;
        else if (strcasecmp(argv[3], "aclcat") == 0)
            f = LIST_ACLCAT;
        else if (strcasecmp(argv[3], "pattern") == 0)
            f = LIST_PATTERN;
        else {
            sn_resp_write_error(w, "ERR syntax error");
            return;
        }
        arg = argv[4];
    }
    sn_resp_write_array(w, list_walk(NULL, f, arg));
    list_walk(w, f, arg);
}

/* GETKEYS and GETKEYSANDFLAGS: Redis's lookupCommand (a container's
 * subcommand when there is an argument after it), then its key check,
 * which no sentinel command passes. */
static void
reply_getkeys(struct sn_resp_writer *w, char **argv)
{
    const struct sn_cmd_entry *e = visible(sn_cmdtable_find(argv[2]));

    if (e != NULL && e->subcommands != NULL)
        e = visible(sub_of(e, argv[3], strlen(argv[3])));
    if (e == NULL)
        sn_resp_write_error(w, "ERR Invalid command specified");
    else
        sn_resp_write_error(w, "ERR The command has no key arguments");
}

static void
reply_help(struct sn_resp_writer *w)
{
    static const char *const help[] = {
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
    };
    size_t i, n = sizeof(help) / sizeof(help[0]);

    sn_resp_write_array(w, n);
    for (i = 0; i < n; i++)
        sn_resp_write_status(w, help[i]);
}

void
sn_cmdtable_reply(struct sn_resp_writer *w, int argc, char **argv)
{
    const struct sn_cmd_entry *sub;
    const char *name;

    if (argc < 2) {
        reply_info(w, argc, argv);
        return;
    }
    sub = visible(sn_cmdtable_sub("command", argv[1]));
    if (sub == NULL) {
        sn_resp_write_errorf(w, "ERR unknown subcommand '%.128s'. Try "
                                "COMMAND HELP.", argv[1]);
        return;
    }
    if ((sub->arity > 0 && argc != sub->arity) ||
        (sub->arity < 0 && argc < -sub->arity)) {
        sn_resp_write_errorf(w, "ERR wrong number of arguments for '%s' "
                                "command", sub->name);
        return;
    }
    name = sub->name + strlen("command|");
    if (strcmp(name, "count") == 0)
        sn_resp_write_int(w, (int64_t)count_visible(sn_cmdtable_commands()));
    else if (strcmp(name, "list") == 0)
        reply_list(w, argc, argv);
    else if (strcmp(name, "info") == 0)
        reply_info(w, argc, argv);
    else if (strcmp(name, "docs") == 0)
        reply_docs(w, argc, argv);
    else if (strcmp(name, "help") == 0)
        reply_help(w);
    else
        reply_getkeys(w, argv);         /* getkeys, getkeysandflags */
}
