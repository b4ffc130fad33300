/*
 * cmdtable.c: the sentinel's command table and the COMMAND command.
 */
#include "cmdtable.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define END { NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL }

#define SENT_SUB(n, a, s, v)                                               \
    { "sentinel|" n, a, "admin noscript loading stale", "@admin @slow @dangerous", \
      s, v, "sentinel", NULL }

static const struct sn_cmd_entry sentinel_subs[] = {
    SENT_SUB("ckquorum", 3, "Checks for a Redis Sentinel quorum.", "2.8.4"),
    SENT_SUB("config", -4, "Configures Redis Sentinel.", "6.2.0"),
    SENT_SUB("debug", -2, "Lists or updates the current configurable parameters of Redis Sentinel.", "7.0.0"),
    SENT_SUB("failover", 3, "Forces a Redis Sentinel failover.", "2.8.4"),
    SENT_SUB("flushconfig", 2, "Rewrites the Redis Sentinel configuration file.", "2.8.4"),
    SENT_SUB("get-master-addr-by-name", 3, "Returns the port and address of a master Redis instance.", "2.8.4"),
    { "sentinel|help", 2, "loading stale", "@slow", "Returns helpful text about the different subcommands.", "6.2.0", "sentinel", NULL },
    SENT_SUB("info-cache", -3, "Returns the cached `INFO` replies from the deployment's instances.", "3.2.0"),
    SENT_SUB("is-master-down-by-addr", 6, "Determines whether a master Redis instance is down.", "2.8.4"),
    SENT_SUB("master", 3, "Returns the state of a master Redis instance.", "2.8.4"),
    SENT_SUB("masters", 2, "Returns a list of the monitored Redis masters.", "2.8.4"),
    SENT_SUB("monitor", 6, "Starts monitoring.", "2.8.4"),
    SENT_SUB("myid", 2, "Returns the Redis Sentinel instance ID.", "6.2.0"),
    SENT_SUB("pending-scripts", 2, "Returns information about pending scripts for Redis Sentinel.", "2.8.4"),
    SENT_SUB("remove", 3, "Stops monitoring.", "2.8.4"),
    SENT_SUB("replicas", 3, "Returns a list of the monitored replicas.", "5.0.0"),
    SENT_SUB("reset", 3, "Resets Redis masters by name matching a pattern.", "2.8.4"),
    SENT_SUB("sentinels", 3, "Returns a list of Sentinel instances.", "2.8.4"),
    SENT_SUB("set", -5, "Changes the configuration of a monitored Redis master.", "2.8.4"),
    SENT_SUB("simulate-failure", -3, "Simulates failover scenarios.", "3.2.0"),
    SENT_SUB("slaves", 3, "Returns a list of the monitored replicas.", "2.8.0"),
    END
};

#define ACL_SUB(n, a, f, c, s, v)                                          \
    { "acl|" n, a, f, c, s, v, "server", NULL }

static const struct sn_cmd_entry acl_subs[] = {
    ACL_SUB("cat", -2, "noscript loading stale", "@slow", "Lists the ACL categories, or the commands inside a category.", "6.0.0"),
    ACL_SUB("deluser", -3, "admin noscript loading stale", "@admin @slow @dangerous", "Deletes ACL users, and terminates their connections.", "6.0.0"),
    ACL_SUB("dryrun", -4, "admin noscript loading stale", "@admin @slow @dangerous", "Simulates the execution of a command by a user, without executing the command.", "7.0.0"),
    ACL_SUB("genpass", -2, "noscript loading stale", "@slow", "Generates a pseudorandom, secure password that can be used to identify ACL users.", "6.0.0"),
    ACL_SUB("getuser", 3, "admin noscript loading stale", "@admin @slow @dangerous", "Lists the ACL rules of a user.", "6.0.0"),
    ACL_SUB("help", 2, "loading stale", "@slow", "Returns helpful text about the different subcommands.", "6.0.0"),
    ACL_SUB("list", 2, "admin noscript loading stale", "@admin @slow @dangerous", "Dumps the effective rules in ACL file format.", "6.0.0"),
    ACL_SUB("load", 2, "admin noscript loading stale", "@admin @slow @dangerous", "Reloads the rules from the configured ACL file.", "6.0.0"),
    ACL_SUB("log", -2, "admin noscript loading stale", "@admin @slow @dangerous", "Lists recent security events generated due to ACL rules.", "6.0.0"),
    ACL_SUB("save", 2, "admin noscript loading stale", "@admin @slow @dangerous", "Saves the effective ACL rules in the configured ACL file.", "6.0.0"),
    ACL_SUB("setuser", -3, "admin noscript loading stale", "@admin @slow @dangerous", "Creates and modifies an ACL user and its rules.", "6.0.0"),
    ACL_SUB("users", 2, "admin noscript loading stale", "@admin @slow @dangerous", "Lists all ACL users.", "6.0.0"),
    ACL_SUB("whoami", 2, "noscript loading stale", "@slow", "Returns the authenticated username of the current connection.", "6.0.0"),
    END
};

#define CLIENT_SUB(n, a, f, c, s, v)                                       \
    { "client|" n, a, f, c, s, v, "connection", NULL }

static const struct sn_cmd_entry client_subs[] = {
    CLIENT_SUB("getname", 2, "noscript loading stale", "@slow @connection", "Returns the name of the connection.", "2.6.9"),
    CLIENT_SUB("help", 2, "loading stale", "@slow @connection", "Returns helpful text about the different subcommands.", "5.0.0"),
    CLIENT_SUB("id", 2, "noscript loading stale", "@slow @connection", "Returns the unique client ID of the connection.", "5.0.0"),
    CLIENT_SUB("info", 2, "noscript loading stale", "@slow @connection", "Returns information about the connection.", "6.2.0"),
    CLIENT_SUB("kill", -3, "admin noscript loading stale", "@admin @slow @dangerous @connection", "Terminates open connections.", "2.4.0"),
    CLIENT_SUB("list", -2, "admin noscript loading stale", "@admin @slow @dangerous @connection", "Lists open connections.", "2.4.0"),
    CLIENT_SUB("setinfo", 4, "noscript loading stale", "@slow @connection", "Sets information specific to the client or connection.", "7.2.0"),
    CLIENT_SUB("setname", 3, "noscript loading stale", "@slow @connection", "Sets the connection name.", "2.6.9"),
    END
};

static const struct sn_cmd_entry command_subs[] = {
    { "command|count", 2, "loading stale", "@slow @connection", "Returns a count of commands.", "2.8.13", "server", NULL },
    { "command|docs", -2, "loading stale", "@slow @connection", "Returns documentary information about one, multiple or all commands.", "7.0.0", "server", NULL },
    { "command|help", 2, "loading stale", "@slow @connection", "Returns helpful text about the different subcommands.", "5.0.0", "server", NULL },
    { "command|info", -2, "loading stale", "@slow @connection", "Returns information about one, multiple or all commands.", "2.8.13", "server", NULL },
    { "command|list", -2, "loading stale", "@slow @connection", "Returns a list of command names.", "7.0.0", "server", NULL },
    END
};

static const struct sn_cmd_entry commands[] = {
    { "acl", -2, "", "@slow", "A container for Access List Control commands.", "6.0.0", "server", acl_subs },
    { "auth", -2, "noscript loading stale fast no_auth allow_busy", "@fast @connection", "Authenticates the connection.", "1.0.0", "connection", NULL },
    { "client", -2, "", "@slow", "A container for client connection commands.", "2.4.0", "connection", client_subs },
    { "command", -1, "loading stale", "@slow @connection", "Returns detailed information about all commands.", "2.8.13", "server", command_subs },
    { "echo", 2, "fast", "@fast @connection", "Returns the given string.", "1.0.0", "connection", NULL },
    { "hello", -1, "noscript loading stale fast no_auth allow_busy", "@fast @connection", "Handshakes with the Redis server.", "6.0.0", "connection", NULL },
    { "info", -1, "loading stale", "@slow @dangerous", "Returns information and statistics about the server.", "1.0.0", "server", NULL },
    { "ping", -1, "fast", "@fast @connection", "Returns the server's liveliness response.", "1.0.0", "connection", NULL },
    { "psubscribe", -2, "pubsub noscript loading stale", "@pubsub @slow", "Listens for messages published to channels that match one or more patterns.", "2.0.0", "pubsub", NULL },
    { "publish", 3, "pubsub loading stale fast", "@pubsub @fast", "Posts a message to a channel.", "2.0.0", "pubsub", NULL },
    { "punsubscribe", -1, "pubsub noscript loading stale", "@pubsub @slow", "Stops listening to messages published to channels that match one or more patterns.", "2.0.0", "pubsub", NULL },
    { "quit", -1, "allow_busy noscript loading stale fast no_auth", "@fast @connection", "Closes the connection.", "1.0.0", "connection", NULL },
    { "role", 1, "noscript loading stale fast", "@admin @fast @dangerous", "Returns the replication role.", "2.8.12", "server", NULL },
    { "sentinel", -2, "", "@slow", "A container for Redis Sentinel commands.", "2.8.4", "sentinel", sentinel_subs },
    { "shutdown", -1, "admin noscript loading stale no_multi allow_busy", "@admin @slow @dangerous", "Synchronously saves the database(s) to disk and shuts down the Redis server.", "1.0.0", "server", NULL },
    { "subscribe", -2, "pubsub noscript loading stale", "@pubsub @slow", "Listens for messages published to channels.", "2.0.0", "pubsub", NULL },
    { "unsubscribe", -1, "pubsub noscript loading stale", "@pubsub @slow", "Stops listening to messages posted to channels.", "2.0.0", "pubsub", NULL },
    END
};

/* ---------------------------------------------------------------------
 * Look-ups
 * ------------------------------------------------------------------- */

static size_t
count_of(const struct sn_cmd_entry *t)
{
    size_t n = 0;

    while (t[n].name != NULL)
        n++;
    return n;
}

const struct sn_cmd_entry *
sn_cmdtable_commands(void)
{
    return commands;
}

const struct sn_cmd_entry *
sn_cmdtable_find(const char *name)
{
    const struct sn_cmd_entry *e;

    for (e = commands; e->name != NULL; e++)
        if (strcasecmp(e->name, name) == 0)
            return e;
    return NULL;
}

const struct sn_cmd_entry *
sn_cmdtable_sub(const char *name, const char *sub)
{
    const struct sn_cmd_entry *e = sn_cmdtable_find(name);
    const struct sn_cmd_entry *s;
    size_t n;

    if (e == NULL || e->subcommands == NULL)
        return NULL;
    n = strlen(e->name) + 1;
    for (s = e->subcommands; s->name != NULL; s++)
        if (strcasecmp(s->name + n, sub) == 0)
            return s;
    return NULL;
}

bool
sn_cmdtable_has_subcommand(const char *name, const char *sub)
{
    return sn_cmdtable_sub(name, sub) != NULL;
}

/* ---------------------------------------------------------------------
 * COMMAND replies
 * ------------------------------------------------------------------- */

/* Write a space-separated word list as a set of status strings. */
static void
write_words(struct sn_resp_writer *w, const char *words)
{
    char buf[256];
    size_t n = 0;
    const char *p;
    char *tok, *save;

    for (p = words; *p != '\0'; p++)
        if (*p != ' ' && (p == words || p[-1] == ' '))
            n++;
    sn_resp_write_set(w, n);
    snprintf(buf, sizeof(buf), "%s", words);
    for (tok = strtok_r(buf, " ", &save); tok != NULL;
         tok = strtok_r(NULL, " ", &save))
        sn_resp_write_status(w, tok);
}

static void
write_info(struct sn_resp_writer *w, const struct sn_cmd_entry *e)
{
    size_t i, n;

    sn_resp_write_array(w, 10);
    sn_resp_write_bulk_str(w, e->name);
    sn_resp_write_int(w, e->arity);
    write_words(w, e->flags);
    sn_resp_write_int(w, 0);
    sn_resp_write_int(w, 0);
    sn_resp_write_int(w, 0);
    write_words(w, e->categories);
    sn_resp_write_set(w, 0);            /* tips */
    sn_resp_write_array(w, 0);          /* key specs */
    n = e->subcommands != NULL ? count_of(e->subcommands) : 0;
    sn_resp_write_array(w, n);
    for (i = 0; i < n; i++)
        write_info(w, &e->subcommands[i]);
}

static void
write_docs(struct sn_resp_writer *w, const struct sn_cmd_entry *e)
{
    size_t i, n = e->subcommands != NULL ? count_of(e->subcommands) : 0;

    sn_resp_write_map(w, n > 0 ? 5 : 4);
    sn_resp_write_bulk_str(w, "summary");
    sn_resp_write_bulk_str(w, e->summary);
    sn_resp_write_bulk_str(w, "since");
    sn_resp_write_bulk_str(w, e->since);
    sn_resp_write_bulk_str(w, "group");
    sn_resp_write_bulk_str(w, e->group);
    sn_resp_write_bulk_str(w, "complexity");
    sn_resp_write_bulk_str(w, "O(1)");
    if (n == 0)
        return;
    sn_resp_write_bulk_str(w, "subcommands");
    sn_resp_write_map(w, n);
    for (i = 0; i < n; i++) {
        sn_resp_write_bulk_str(w, e->subcommands[i].name);
        write_docs(w, &e->subcommands[i]);
    }
}

static void
reply_named(struct sn_resp_writer *w, int argc, char **argv, bool docs)
{
    const struct sn_cmd_entry *e;
    int i, found = 0;

    if (argc == 2) {
        size_t n = count_of(commands);
        if (docs)
            sn_resp_write_map(w, n);
        else
            sn_resp_write_array(w, n);
        for (e = commands; e->name != NULL; e++) {
            if (docs)
                sn_resp_write_bulk_str(w, e->name);
            if (docs)
                write_docs(w, e);
            else
                write_info(w, e);
        }
        return;
    }
    if (docs) {
        for (i = 2; i < argc; i++)
            found += sn_cmdtable_find(argv[i]) != NULL;
        sn_resp_write_map(w, (size_t)found);
    } else {
        sn_resp_write_array(w, (size_t)(argc - 2));
    }
    for (i = 2; i < argc; i++) {
        e = sn_cmdtable_find(argv[i]);
        if (e == NULL && !docs)
            sn_resp_write_null_array(w);
        else if (e != NULL && docs) {
            sn_resp_write_bulk_str(w, e->name);
            write_docs(w, e);
        } else if (e != NULL)
            write_info(w, e);
    }
}

void
sn_cmdtable_reply(struct sn_resp_writer *w, int argc, char **argv)
{
    const char *sub = argc >= 2 ? argv[1] : NULL;
    const struct sn_cmd_entry *e;

    if (sub == NULL) {
        reply_named(w, 2, argv, false);
    } else if (strcasecmp(sub, "count") == 0 && argc == 2) {
        sn_resp_write_int(w, (int64_t)count_of(commands));
    } else if (strcasecmp(sub, "list") == 0) {
        sn_resp_write_array(w, count_of(commands));
        for (e = commands; e->name != NULL; e++)
            sn_resp_write_bulk_str(w, e->name);
    } else if (strcasecmp(sub, "info") == 0) {
        reply_named(w, argc, argv, false);
    } else if (strcasecmp(sub, "docs") == 0) {
        reply_named(w, argc, argv, true);
    } else if (strcasecmp(sub, "help") == 0 && argc == 2) {
        static const char *help[] = {
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
            "HELP",
            "    Print this help.",
        };
        size_t i, n = sizeof(help) / sizeof(help[0]);
        sn_resp_write_array(w, n);
        for (i = 0; i < n; i++)
            sn_resp_write_status(w, help[i]);
    } else if (sn_cmdtable_has_subcommand("command", sub)) {
        sn_resp_write_errorf(w, "ERR wrong number of arguments for "
                                "'command|%s' command", sub);
    } else {
        sn_resp_write_errorf(w, "ERR unknown subcommand '%.128s'. Try "
                                "COMMAND HELP.", sub);
    }
}
