/*
 * cmdtable.h: the commands a sentinel has, as COMMAND describes them.
 *
 * Only commands flagged for sentinel mode exist in a Redis sentinel; this
 * table is that set (plus ECHO and QUIT, which clients send and which are
 * harmless), with Redis 7's arity, flags and ACL categories. The server
 * checks arity against it before dispatch, and COMMAND, COMMAND COUNT,
 * COMMAND LIST, COMMAND INFO and COMMAND DOCS render it.
 */
#ifndef SN_CMDTABLE_H
#define SN_CMDTABLE_H

#include <stdbool.h>

#include "resp.h"

struct sn_cmd_entry {
    const char *name;           /* lower case */
    int arity;                  /* > 0 exact, < 0 at least -arity */
    const char *flags;          /* space-separated, as COMMAND INFO lists */
    const char *categories;     /* space-separated, "@admin @slow ..." */
    const char *summary;        /* COMMAND DOCS */
    const char *since;
    const char *group;
    const struct sn_cmd_entry *subcommands;     /* NULL-name terminated */
};

/* The whole table, in COMMAND LIST's order, ended by an entry whose
 * name is NULL. */
const struct sn_cmd_entry *sn_cmdtable_commands(void);

/* The command `name` (case-insensitive), or NULL. */
const struct sn_cmd_entry *sn_cmdtable_find(const char *name);

/* The subcommand `sub` of container `name`, or NULL. */
const struct sn_cmd_entry *sn_cmdtable_sub(const char *name, const char *sub);
bool sn_cmdtable_has_subcommand(const char *name, const char *sub);

/* Answer COMMAND [COUNT | LIST | INFO name... | DOCS name... | HELP]. */
void sn_cmdtable_reply(struct sn_resp_writer *w, int argc, char **argv);

#endif /* SN_CMDTABLE_H */
