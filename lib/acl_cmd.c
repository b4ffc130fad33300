/*
 * acl_cmd.c: the ACL LOG and the ACL command (SETUSER, DELUSER, GETUSER,
 * LIST, USERS, WHOAMI, CAT, LOG, GENPASS, DRYRUN, HELP), with Redis 7.0's
 * replies.
 *
 * Where we differ from Redis, on purpose:
 *   3. Taking channels away from a user reports it (sn_acl_effects) even
 *      when the user had allchannels before (Redis 7.0 then keeps the
 *      pub/sub clients it should drop). (1 and 2 are in acl_rules.c.)
 */
#include "acl.h"
#include "acl_priv.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define LOG_SCAN        10      /* entries Redis looks at to merge one */
#define LOG_MERGE_MS    60000   /* ACL_LOG_GROUPING_MAX_TIME_DELTA */

/* ---------------------------------------------------------------------
 * The ACL LOG
 * ------------------------------------------------------------------- */

struct sn_acl_log_entry {
    uint64_t count;
    enum sn_acl_reason reason;
    char *object;
    size_t object_len;
    char *username;
    int64_t ctime_ms;
    char *cinfo;
};

static void
log_entry_free(struct sn_acl_log_entry *e)
{
    free(e->object);
    free(e->username);
    free(e->cinfo);
}

void
sn_acl_log_clear(struct sn_acl *acl)
{
    for (int i = 0; i < acl->log_len; i++)
        log_entry_free(&acl->log[i]);
    free(acl->log);
    acl->log = NULL;
    acl->log_len = 0;
}

void
sn_acl_set_log_max(struct sn_acl *acl, int max)
{
    acl->log_max = max < 0 ? 0 : max;
    while (acl->log_len > acl->log_max)
        log_entry_free(&acl->log[--acl->log_len]);
}

static bool
log_match(const struct sn_acl_log_entry *e, enum sn_acl_reason reason,
          const char *object, size_t object_len, const char *username,
          int64_t now_ms)
{
    int64_t delta = e->ctime_ms - now_ms;

    if (delta < 0)
        delta = -delta;
    return e->reason == reason && delta <= LOG_MERGE_MS &&
           e->object_len == object_len &&
           memcmp(e->object, object, object_len) == 0 &&
           strcmp(e->username, username) == 0;
}

void
sn_acl_log_denied(struct sn_acl *acl, enum sn_acl_reason reason,
                  const char *object, size_t object_len,
                  const char *username, const char *client_info,
                  int64_t now_ms)
{
    struct sn_acl_log_entry e;
    int i;

    if (client_info == NULL)
        client_info = "";
    for (i = 0; i < acl->log_len && i < LOG_SCAN; i++)
        if (log_match(&acl->log[i], reason, object, object_len, username,
                      now_ms))
            break;
    if (i < acl->log_len && i < LOG_SCAN) {
        e = acl->log[i];
        e.count++;
        e.ctime_ms = now_ms;
        sn_set_str(&e.cinfo, client_info);
        memmove(&acl->log[1], &acl->log[0], (size_t)i * sizeof(*acl->log));
        acl->log[0] = e;
        return;
    }
    if (acl->log_max == 0)
        return;
    if (acl->log_len == acl->log_max)
        log_entry_free(&acl->log[--acl->log_len]);
    e.count = 1;
    e.reason = reason;
    e.object = sn_malloc(object_len + 1);
    memcpy(e.object, object, object_len);
    e.object[object_len] = '\0';
    e.object_len = object_len;
    e.username = sn_strdup(username);
    e.ctime_ms = now_ms;
    e.cinfo = sn_strdup(client_info);
    acl->log = sn_realloc(acl->log, (size_t)(acl->log_len + 1) *
                          sizeof(*acl->log));
    memmove(&acl->log[1], &acl->log[0],
            (size_t)acl->log_len * sizeof(*acl->log));
    acl->log[0] = e;
    acl->log_len++;
}

static const char *
reason_name(enum sn_acl_reason r)
{
    switch (r) {
    case SN_ACL_DENIED_COMMAND:
        return "command";
    case SN_ACL_DENIED_KEY:
        return "key";
    case SN_ACL_DENIED_CHANNEL:
        return "channel";
    case SN_ACL_DENIED_AUTH:
        return "auth";
    default:
        return "unknown";
    }
}

/* ---------------------------------------------------------------------
 * The ACL command
 * ------------------------------------------------------------------- */

struct acl_call {
    struct sn_acl *acl;
    struct sn_resp_writer *w;
    int argc;
    char **argv;
    const size_t *argvlen;
    const struct sn_acl_env *env;
    struct sn_acl_effects *fx;
};

static void
syntax_error(const struct acl_call *a)
{
    sn_resp_write_errorf(a->w, "ERR unknown subcommand or wrong number of "
                         "arguments for '%.128s'. Try ACL HELP.",
                         a->argv[1]);
}

/* Did SETUSER take channels away (ACLKillPubsubClientsIfNeeded)? */
static bool
channels_narrowed(const struct sn_acl_user *before,
                  const struct sn_acl_user *after)
{
    for (int i = 0; i < after->selectors_len; i++)
        if (after->selectors[i].allchannels)
            return false;
    for (int i = 0; i < before->selectors_len; i++) {
        const struct sn_acl_selector *s = &before->selectors[i];

        if (s->allchannels)
            return true;
        for (int j = 0; j < s->channels_len; j++) {
            bool kept = false;

            for (int k = 0; k < after->selectors_len && !kept; k++)
                for (int l = 0; l < after->selectors[k].channels_len &&
                                !kept; l++)
                    kept = strcmp(after->selectors[k].channels[l],
                                  s->channels[j]) == 0;
            if (!kept)
                return true;
        }
    }
    return false;
}

static void
effects_narrowed(struct sn_acl_effects *fx, const struct sn_acl_user *u)
{
    fx->narrowed = sn_realloc(fx->narrowed, (size_t)(fx->narrowed_len + 1) *
                              sizeof(*fx->narrowed));
    fx->narrowed[fx->narrowed_len++] = u;
}

/* Stage every rule on a copy: all of them apply, or none. */
static void
acl_setuser(const struct acl_call *a)
{
    struct sn_acl_rules r = { .allchannels = a->acl->pubsub_allchannels };
    const char *name = a->argv[2];
    int at = sn_acl_user_index(a->acl, name);
    struct sn_acl_user *u = at >= 0 ? a->acl->users[at] : NULL, *temp;
    char err[2048];
    struct sn_acl_words w;

    if (sn_acl_name_check(name, sn_acl_arg_len(a->argvlen, a->argv, 2), err,
                   sizeof(err)) != 0) {
        sn_resp_write_errorf(a->w, "ERR %s", err);
        return;
    }
    sn_acl_words_merge(&w, a->argc - 3, a->argv + 3,
                a->argvlen != NULL ? a->argvlen + 3 : NULL);
    if (w.open_at >= 0) {
        sn_resp_write_errorf(a->w, "ERR Unmatched parenthesis in acl "
                             "selector starting at '%s'.",
                             a->argv[w.open_at + 3]);
        sn_acl_words_free(&w);
        return;
    }
    temp = u != NULL ? sn_acl_user_dup(u)
                     : sn_acl_user_new(name, r.allchannels);
    if (sn_acl_user_apply_words(temp, &w, &r, false, err, sizeof(err)) != 0 ||
        sn_acl_size_check(temp, err, sizeof(err)) != 0) {
        sn_resp_write_errorf(a->w, "ERR %s", err);
    } else if (u == NULL && a->acl->users_len >= SN_ACL_USERS_MAX) {
        sn_resp_write_errorf(a->w, "ERR There are already %d users, the "
                             "limit", SN_ACL_USERS_MAX);
    } else {
        if (u != NULL && channels_narrowed(u, temp))
            effects_narrowed(a->fx, u);
        if (u == NULL) {
            sn_acl_user_insert(a->acl, temp);
            temp = NULL;
        } else {
            sn_acl_user_copy_rules(u, temp);
        }
        a->fx->changed = true;
        sn_resp_write_status(a->w, "OK");
    }
    sn_acl_user_free(temp);
    sn_acl_words_free(&w);
}

static void
acl_deluser(const struct acl_call *a)
{
    struct sn_acl_effects *fx = a->fx;
    int deleted = 0;

    for (int i = 2; i < a->argc; i++) {
        if (strcmp(a->argv[i], "default") == 0) {
            sn_resp_write_error(a->w, "ERR The 'default' user cannot be "
                                "removed");
            return;
        }
    }
    for (int i = 2; i < a->argc; i++) {
        int at = sn_acl_user_index(a->acl, a->argv[i]);

        if (at < 0)
            continue;
        fx->removed = sn_realloc(fx->removed, (size_t)(fx->removed_len + 1) *
                                 sizeof(*fx->removed));
        fx->removed[fx->removed_len++] = a->acl->users[at];
        memmove(&a->acl->users[at], &a->acl->users[at + 1],
                (size_t)(a->acl->users_len - at - 1) *
                sizeof(*a->acl->users));
        a->acl->users_len--;
        deleted++;
    }
    if (deleted > 0)
        fx->changed = true;
    sn_resp_write_int(a->w, deleted);
}

static void
write_selector(struct sn_resp_writer *w, const struct sn_acl_selector *s)
{
    struct sn_buf b;

    sn_buf_init(&b);
    sn_resp_write_bulk_str(w, "commands");
    sn_acl_describe_commands(s, &b);
    sn_resp_write_bulk(w, b.data, b.len);
    sn_buf_reset(&b);
    sn_resp_write_bulk_str(w, "keys");
    if (s->allkeys) {
        sn_buf_puts(&b, "~*");
    } else {
        for (int i = 0; i < s->keys_len; i++) {
            if (i > 0)
                sn_buf_putc(&b, ' ');
            sn_acl_describe_key(&b, &s->keys[i]);
        }
    }
    sn_resp_write_bulk(w, b.data != NULL ? b.data : "", b.len);
    sn_buf_reset(&b);
    sn_resp_write_bulk_str(w, "channels");
    if (s->allchannels) {
        sn_buf_puts(&b, "&*");
    } else {
        for (int i = 0; i < s->channels_len; i++)
            sn_buf_printf(&b, "%s&%s", i > 0 ? " " : "", s->channels[i]);
    }
    sn_resp_write_bulk(w, b.data != NULL ? b.data : "", b.len);
    sn_buf_free(&b);
}

static void
acl_getuser(const struct acl_call *a)
{
    const struct sn_acl_user *u = sn_acl_find_user(a->acl, a->argv[2]);
    const char *flags[4];
    size_t nflags = 0;

    if (u == NULL) {
        sn_resp_write_null(a->w);
        return;
    }
    flags[nflags++] = u->state == SN_USER_ON ? "on" : "off";
    if (u->nopass)
        flags[nflags++] = "nopass";
    if (u->sanitize == SN_SANITIZE_SKIP)
        flags[nflags++] = "skip-sanitize-payload";
    else if (u->sanitize == SN_SANITIZE_YES)
        flags[nflags++] = "sanitize-payload";
    sn_resp_write_map(a->w, 6);
    sn_resp_write_bulk_str(a->w, "flags");
    sn_resp_write_set(a->w, nflags);
    for (size_t i = 0; i < nflags; i++)
        sn_resp_write_bulk_str(a->w, flags[i]);
    sn_resp_write_bulk_str(a->w, "passwords");
    sn_resp_write_array(a->w, (size_t)u->passwords_len);
    for (int i = 0; i < u->passwords_len; i++)
        sn_resp_write_bulk_str(a->w, u->passwords[i]);
    write_selector(a->w, &u->selectors[0]);
    sn_resp_write_bulk_str(a->w, "selectors");
    sn_resp_write_array(a->w, (size_t)u->selectors_len - 1);
    for (int i = 1; i < u->selectors_len; i++) {
        sn_resp_write_map(a->w, 3);
        write_selector(a->w, &u->selectors[i]);
    }
}

static void
acl_list(const struct acl_call *a, bool names_only)
{
    sn_resp_write_array(a->w, (size_t)a->acl->users_len);
    for (int i = 0; i < a->acl->users_len; i++) {
        const struct sn_acl_user *u = a->acl->users[i];
        char *d;

        if (names_only) {
            sn_resp_write_bulk_str(a->w, u->name);
            continue;
        }
        d = sn_acl_describe_user(u);
        sn_resp_write_bulkf(a->w, "user %s %s", u->name, d);
        free(d);
    }
}

static void
acl_cat(const struct acl_call *a)
{
    const struct sn_acl_cmd *cmds;
    int cat, cmds_len, n = 0;

    if (a->argc == 2) {
        sn_resp_write_array(a->w, (size_t)sn_acl_categories_len);
        for (int i = 0; i < sn_acl_categories_len; i++)
            sn_resp_write_bulk_str(a->w, sn_acl_categories[i]);
        return;
    }
    if (a->argc != 3) {
        syntax_error(a);
        return;
    }
    cat = sn_acl_category_find(a->argv[2]);
    if (cat < 0) {
        sn_resp_write_errorf(a->w, "ERR Unknown category '%.128s'",
                             a->argv[2]);
        return;
    }
    cmds = sn_acl_universe(&cmds_len);
    /* Hidden commands (ECHO, QUIT, CLIENT SETINFO: not in a Redis 7.0
     * sentinel's table) are checked like the others but not listed. */
    for (int i = 0; i < cmds_len; i++)
        n += (cmds[i].cats & (1u << cat)) != 0 && !cmds[i].e->hidden;
    sn_resp_write_array(a->w, (size_t)n);
    for (int i = 0; i < cmds_len; i++)
        if ((cmds[i].cats & (1u << cat)) && !cmds[i].e->hidden)
            sn_resp_write_bulk_str(a->w, cmds[i].e->name);
}

static void
acl_genpass(const struct acl_call *a)
{
    char hex[SN_ACL_GENPASS_BYTES * 2 + 1];
    int64_t bits = 256;
    size_t chars;

    if (a->argc > 3) {
        syntax_error(a);
        return;
    }
    if (a->argc == 3 &&
        sn_parse_i64(a->argv[2], LONG_MIN, LONG_MAX, &bits) != 0) {
        sn_resp_write_error(a->w, "ERR value is not an integer or out of "
                            "range");
        return;
    }
    if (bits <= 0 || bits > SN_ACL_GENPASS_BITS_MAX) {
        sn_resp_write_errorf(a->w, "ERR ACL GENPASS argument must be the "
                             "number of bits for the output password, a "
                             "positive number up to %d",
                             SN_ACL_GENPASS_BITS_MAX);
        return;
    }
    chars = (size_t)(bits + 3) / 4;
    if (a->env->random == NULL || a->env->random_len < (chars + 1) / 2) {
        sn_resp_write_error(a->w, "ERR no random bytes to make a password "
                            "from");
        return;
    }
    sn_acl_hex_encode(a->env->random, (chars + 1) / 2, hex);
    sn_resp_write_bulk(a->w, hex, chars);
}

static void
acl_log(const struct acl_call *a)
{
    struct sn_acl *acl = a->acl;
    int64_t count = 10;

    if (a->argc > 3) {
        syntax_error(a);
        return;
    }
    if (a->argc == 3) {
        if (strcasecmp(a->argv[2], "reset") == 0) {
            sn_acl_log_clear(acl);
            sn_resp_write_status(a->w, "OK");
            return;
        }
        if (sn_parse_i64(a->argv[2], LONG_MIN, LONG_MAX, &count) != 0) {
            sn_resp_write_error(a->w, "ERR value is not an integer or out "
                                "of range");
            return;
        }
        if (count < 0)
            count = 0;
    }
    if (count > acl->log_len)
        count = acl->log_len;
    sn_resp_write_array(a->w, (size_t)count);
    for (int i = 0; i < count; i++) {
        const struct sn_acl_log_entry *e = &acl->log[i];

        sn_resp_write_map(a->w, 7);
        sn_resp_write_bulk_str(a->w, "count");
        sn_resp_write_int(a->w, (int64_t)e->count);
        sn_resp_write_bulk_str(a->w, "reason");
        sn_resp_write_bulk_str(a->w, reason_name(e->reason));
        sn_resp_write_bulk_str(a->w, "context");
        sn_resp_write_bulk_str(a->w, "toplevel");
        sn_resp_write_bulk_str(a->w, "object");
        sn_resp_write_bulk(a->w, e->object, e->object_len);
        sn_resp_write_bulk_str(a->w, "username");
        sn_resp_write_bulk_str(a->w, e->username);
        sn_resp_write_bulk_str(a->w, "age-seconds");
        sn_resp_write_double(a->w,
                             (double)(a->env->now_ms - e->ctime_ms) / 1000);
        sn_resp_write_bulk_str(a->w, "client-info");
        sn_resp_write_bulk_str(a->w, e->cinfo);
    }
}

static void
acl_dryrun(const struct acl_call *a)
{
    const struct sn_acl_user *u = sn_acl_find_user(a->acl, a->argv[2]);
    char **argv = a->argv + 3;
    const size_t *argvlen = a->argvlen != NULL ? a->argvlen + 3 : NULL;
    int argc = a->argc - 3, id, pos = 0;
    enum sn_acl_reason r;

    if (u == NULL) {
        sn_resp_write_errorf(a->w, "ERR User '%s' not found", a->argv[2]);
        return;
    }
    id = sn_acl_cmd_resolve(argc, argv);
    if (id < 0) {
        sn_resp_write_errorf(a->w, "ERR Command '%s' not found", argv[0]);
        return;
    }
    r = sn_acl_user_check(u, id, argc, argv, argvlen, &pos);
    if (r == SN_ACL_DENIED_COMMAND)
        sn_resp_write_bulkf(a->w, "This user has no permissions to run the "
                            "'%s' command",
                            sn_acl_universe(NULL)[id].e->name);
    else if (r == SN_ACL_DENIED_CHANNEL)
        sn_resp_write_bulkf(a->w, "This user has no permissions to access "
                            "the '%s' channel", argv[pos]);
    else
        sn_resp_write_status(a->w, "OK");
}

static void
acl_help(const struct acl_call *a)
{
    static const char *const help[] = {
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command "
        "categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without "
        "executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` "
        "argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help.",
    };
    size_t n = sizeof(help) / sizeof(help[0]);

    sn_resp_write_array(a->w, n);
    for (size_t i = 0; i < n; i++)
        sn_resp_write_status(a->w, help[i]);
}

static void
acl_no_file(const struct acl_call *a)
{
    sn_resp_write_error(a->w, "ERR This Redis instance is not configured "
                        "to use an ACL file. You may want to specify users "
                        "via the ACL SETUSER command and then issue a "
                        "CONFIG REWRITE (assuming you have a Redis "
                        "configuration file set) in order to store users "
                        "in the Redis configuration.");
}

static void
acl_whoami(const struct acl_call *a)
{
    if (a->env->user != NULL)
        sn_resp_write_bulk_str(a->w, a->env->user->name);
    else
        sn_resp_write_null(a->w);
}

typedef void (*acl_fn)(const struct acl_call *a);

static void
acl_users(const struct acl_call *a)
{
    acl_list(a, true);
}

static void
acl_list_all(const struct acl_call *a)
{
    acl_list(a, false);
}

/* Redis 7.0's ACL subcommands and their arity. */
static const struct {
    const char *name;
    int arity;
    acl_fn fn;
} acl_subs[] = {
    { "cat", -2, acl_cat },
    { "deluser", -3, acl_deluser },
    { "dryrun", -4, acl_dryrun },
    { "genpass", -2, acl_genpass },
    { "getuser", 3, acl_getuser },
    { "help", 2, acl_help },
    { "list", 2, acl_list_all },
    { "load", 2, acl_no_file },
    { "log", -2, acl_log },
    { "save", 2, acl_no_file },
    { "setuser", -3, acl_setuser },
    { "users", 2, acl_users },
    { "whoami", 2, acl_whoami },
};

void
sn_acl_exec(struct sn_acl *acl, struct sn_resp_writer *w, int argc,
            char **argv, const size_t *argvlen,
            const struct sn_acl_env *env, struct sn_acl_effects *fx)
{
    struct acl_call a = {
        .acl = acl, .w = w, .argc = argc, .argv = argv,
        .argvlen = argvlen, .env = env, .fx = fx,
    };
    size_t n = sizeof(acl_subs) / sizeof(acl_subs[0]);

    memset(fx, 0, sizeof(*fx));
    if (argc < 2) {
        sn_resp_write_error(w, "ERR wrong number of arguments for 'acl' "
                            "command");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int ar = acl_subs[i].arity;

        if (strcasecmp(acl_subs[i].name, argv[1]) != 0)
            continue;
        if ((ar > 0 && argc != ar) || (ar < 0 && argc < -ar)) {
            sn_resp_write_errorf(w, "ERR wrong number of arguments for "
                                 "'acl|%s' command", acl_subs[i].name);
            return;
        }
        acl_subs[i].fn(&a);
        return;
    }
    sn_resp_write_errorf(w, "ERR unknown subcommand '%.128s'. Try ACL HELP.",
                         argv[1]);
}

void
sn_acl_effects_free(struct sn_acl_effects *fx)
{
    for (int i = 0; i < fx->removed_len; i++)
        sn_acl_user_free(fx->removed[i]);
    free(fx->removed);
    free(fx->narrowed);
    memset(fx, 0, sizeof(*fx));
}
