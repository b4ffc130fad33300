/*
 * cmdtable.h: the commands a sentinel has, as COMMAND describes them.
 *
 * Only commands flagged for sentinel mode exist in a Redis sentinel; this
 * table is the set Redis 7.0's sentinel has, with its arity, flags, ACL
 * categories, tips and documentation, as COMMAND INFO and COMMAND DOCS
 * print them (tests/unit/golden/cmdtable/ holds Redis 7.0.15's replies and
 * the script that generated the table from them). A few more entries are
 * hidden: ECHO, QUIT and CLIENT SETINFO, which clients send and which the
 * daemon runs, but which a 7.0 sentinel does not have. Hidden entries are
 * found by sn_cmdtable_find and sn_cmdtable_sub (dispatch, arity, ACL) and
 * never shown by COMMAND.
 *
 * No sentinel command has key arguments: first key, last key and step are
 * 0 and the key specs empty for all of them.
 */
#ifndef SN_CMDTABLE_H
#define SN_CMDTABLE_H

#include <stdbool.h>

#include "resp.h"

/* An argument's type, as COMMAND DOCS names it. */
enum sn_cmd_arg_type {
    SN_CMD_ARG_STRING,
    SN_CMD_ARG_INTEGER,
    SN_CMD_ARG_DOUBLE,
    SN_CMD_ARG_KEY,
    SN_CMD_ARG_PATTERN,
    SN_CMD_ARG_UNIX_TIME,
    SN_CMD_ARG_PURE_TOKEN,
    SN_CMD_ARG_ONEOF,
    SN_CMD_ARG_BLOCK,
};

/* Independent facts about an argument (its COMMAND DOCS "flags"). */
#define SN_CMD_ARG_OPTIONAL         (1u << 0)
#define SN_CMD_ARG_MULTIPLE         (1u << 1)
#define SN_CMD_ARG_MULTIPLE_TOKEN   (1u << 2)

/* One argument of a command; a oneof or a block has its own. */
struct sn_cmd_arg {
    const char *name;
    enum sn_cmd_arg_type type;
    const char *token;              /* NULL: none */
    const char *since;              /* NULL: as old as the command */
    const char *deprecated_since;   /* NULL: not deprecated */
    unsigned flags;                 /* SN_CMD_ARG_* */
    const struct sn_cmd_arg *args;  /* oneof, block: ended by a NULL name */
};

/* One change to a command, as COMMAND DOCS "history" lists it. */
struct sn_cmd_history {
    const char *since;
    const char *change;
};

struct sn_cmd_entry {
    const char *name;           /* lower case; "container|sub" */
    int arity;                  /* > 0 exact, < 0 at least -arity */
    const char *flags;          /* space-separated, as COMMAND INFO lists */
    const char *categories;     /* space-separated, "@admin @slow ..." */
    const char *summary;        /* COMMAND DOCS; NULL: none */
    const char *since;          /* NULL: none */
    const char *group;
    const struct sn_cmd_entry *subcommands;     /* NULL-name terminated */
    const char *tips;           /* space-separated; NULL: none */
    const char *complexity;     /* NULL: none */
    const char *doc_flags;      /* space-separated; NULL: none */
    const char *deprecated_since;               /* NULL: not deprecated */
    const char *replaced_by;                    /* NULL: none */
    const struct sn_cmd_history *history;       /* NULL-since terminated */
    const struct sn_cmd_arg *args;              /* NULL-name terminated */
    bool hidden;                /* runs, but COMMAND and ACL CAT omit it */
};

/* The whole table, hidden entries included, in name order (COMMAND LIST's
 * order), ended by an entry whose name is NULL. Subcommands are in name
 * order too. */
const struct sn_cmd_entry *sn_cmdtable_commands(void);

/* The command `name` (case-insensitive), hidden or not, or NULL. */
const struct sn_cmd_entry *sn_cmdtable_find(const char *name);

/* The subcommand `sub` of container `name`, hidden or not, or NULL. */
const struct sn_cmd_entry *sn_cmdtable_sub(const char *name, const char *sub);
/* The same, from the container's entry (NULL: none). */
const struct sn_cmd_entry *sn_cmdtable_sub_of(const struct sn_cmd_entry *e,
                                              const char *sub);
bool sn_cmdtable_has_subcommand(const char *name, const char *sub);

/* Answer COMMAND [COUNT | LIST [FILTERBY ...] | INFO [name...] |
 * DOCS [name...] | GETKEYS | GETKEYSANDFLAGS | HELP] as Redis 7.0's
 * sentinel does, errors included (the arity of COMMAND's subcommands is
 * checked here). argv[0] is "COMMAND". */
void sn_cmdtable_reply(struct sn_resp_writer *w, int argc, char **argv);

#endif /* SN_CMDTABLE_H */
