/*
 * acl.c: the ACL users a sentinel has, after Redis 7.0's acl.c: the set
 * of users, their `user` lines in the config (loaded, and rewritten in
 * place), authentication (AUTH, HELLO AUTH), and the permission checks
 * every command goes through.
 *
 * What a user is and how rules change it is in acl_rules.c; the ACL LOG
 * and the ACL command are in acl_cmd.c (acl_priv.h has the split).
 */
#include "acl.h"
#include "acl_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_priv.h"
#include "util.h"

/* ---------------------------------------------------------------------
 * The set of users
 * ------------------------------------------------------------------- */

int
sn_acl_user_index(const struct sn_acl *acl, const char *name)
{
    for (int i = 0; i < acl->users_len; i++)
        if (strcmp(acl->users[i]->name, name) == 0)
            return i;
    return -1;
}

void
sn_acl_user_insert(struct sn_acl *acl, struct sn_acl_user *u)
{
    int at = 0;

    while (at < acl->users_len && strcmp(acl->users[at]->name, u->name) < 0)
        at++;
    acl->users = sn_realloc(acl->users, (size_t)(acl->users_len + 1) *
                            sizeof(*acl->users));
    memmove(&acl->users[at + 1], &acl->users[at],
            (size_t)(acl->users_len - at) * sizeof(*acl->users));
    acl->users[at] = u;
    acl->users_len++;
}

static void
users_free(struct sn_acl_user **users, int n)
{
    for (int i = 0; i < n; i++)
        sn_acl_user_free(users[i]);
    free(users);
}

/* ACLCreateDefaultUser. */
static struct sn_acl_user *
default_user_new(const struct sn_acl_rules *r)
{
    struct sn_acl_user *u = sn_acl_user_new("default", r->allchannels);

    sn_acl_user_apply_builtin(u, "+@all", r);
    sn_acl_user_apply_builtin(u, "~*", r);
    sn_acl_user_apply_builtin(u, "&*", r);
    sn_acl_user_apply_builtin(u, "on", r);
    sn_acl_user_apply_builtin(u, "nopass", r);
    return u;
}

struct sn_acl *
sn_acl_new(void)
{
    struct sn_acl *acl = sn_calloc(1, sizeof(*acl));
    struct sn_acl_rules r = { .allchannels = false };

    acl->log_max = SN_ACL_LOG_LEN_DEFAULT;
    acl->default_user = default_user_new(&r);
    sn_acl_user_insert(acl, acl->default_user);
    return acl;
}

void
sn_acl_free(struct sn_acl *acl)
{
    if (acl == NULL)
        return;
    users_free(acl->users, acl->users_len);
    sn_acl_log_clear(acl);
    free(acl);
}

void
sn_acl_set_pubsub_default(struct sn_acl *acl, bool allchannels)
{
    acl->pubsub_allchannels = allchannels;
}

const struct sn_acl_user *
sn_acl_find_user(const struct sn_acl *acl, const char *name)
{
    int i = sn_acl_user_index(acl, name);

    return i >= 0 ? acl->users[i] : NULL;
}

const struct sn_acl_user *
sn_acl_default_user(const struct sn_acl *acl)
{
    return acl->default_user;
}

const char *
sn_acl_user_name(const struct sn_acl_user *u)
{
    return u->name;
}

bool
sn_acl_auth_required(const struct sn_acl *acl)
{
    const struct sn_acl_user *d = acl->default_user;

    return !d->nopass || d->state != SN_USER_ON;
}

/* ---------------------------------------------------------------------
 * Users in the config: `user` lines, loaded and rewritten
 * ------------------------------------------------------------------- */

/* Split a config entry ("name rule rule ...") into its words. Returns the
 * name's argv (argv[0]) and count, or -1. */
static int
entry_split(const char *entry, char ***argv)
{
    int argc = sn_config_split(entry, argv);

    if (argc < 1) {
        sn_config_argv_free(argc < 0 ? 0 : argc, *argv);
        *argv = NULL;
        return -1;
    }
    return argc;
}

/* The user an entry makes, from `base` (a new user, or for the default
 * user a reset one, as Redis's loader does). NULL with err on error. */
static struct sn_acl_user *
entry_user(const char *entry, struct sn_acl_user *base,
           const struct sn_acl_rules *r, char *err, size_t errlen)
{
    struct sn_acl_words w;
    char **argv;
    int argc = entry_split(entry, &argv);

    if (argc < 0) {
        snprintf(err, errlen, "bad user entry");
        return NULL;
    }
    if (sn_acl_name_check(argv[0], strlen(argv[0]), err, errlen) != 0) {
        sn_config_argv_free(argc, argv);
        return NULL;
    }
    sn_acl_words_merge(&w, argc - 1, argv + 1, NULL);
    if (w.open_at >= 0) {
        snprintf(err, errlen, "Unmatched parenthesis in acl selector "
                 "starting at '%s'.", argv[w.open_at + 1]);
        base = NULL;
    } else if (sn_acl_user_apply_words(base, &w, r, true, err, errlen) != 0) {
        base = NULL;
    }
    sn_acl_words_free(&w);
    sn_config_argv_free(argc, argv);
    return base;
}

static char *
entry_name(const char *entry)
{
    char **argv;
    char *name;
    int argc = entry_split(entry, &argv);

    if (argc < 0)
        return NULL;
    name = sn_strdup(argv[0]);
    sn_config_argv_free(argc, argv);
    return name;
}

/* The default user as the config alone makes it: built in, with
 * requirepass as its only password (ACLUpdateDefaultUserPassword). */
static struct sn_acl_user *
implicit_default(const struct sn_config *c, const struct sn_acl_rules *r)
{
    struct sn_acl_user *u = default_user_new(r);
    const char *pass = c->requirepass;
    char hex[SN_ACL_HASH_LEN + 1];

    if (pass == NULL || pass[0] == '\0')
        return u;
    sn_acl_user_apply_builtin(u, "resetpass", r);
    if (sn_acl_hash_password(pass, strlen(pass), hex))
        sn_acl_password_add(u, hex);
    return u;
}

int
sn_acl_load(struct sn_acl *acl, const struct sn_config *c, char *err,
            size_t errlen)
{
    struct sn_acl_rules r = { .allchannels = acl->pubsub_allchannels };
    struct sn_acl fresh = { .log_max = 0 };
    char hex[SN_ACL_HASH_LEN + 1];

    if (c->requirepass != NULL && c->requirepass[0] != '\0' &&
        !sn_acl_hash_password(c->requirepass, strlen(c->requirepass), hex)) {
        snprintf(err, errlen, "requirepass: %s", SN_ACL_ERR_NO_HASHER);
        return -1;
    }
    fresh.default_user = implicit_default(c, &r);
    sn_acl_user_insert(&fresh, fresh.default_user);
    for (int i = 0; i < c->users_len; i++) {
        char *name = entry_name(c->users[i]);
        struct sn_acl_user *u = NULL;
        char why[512] = "bad user entry";
        int at = name != NULL ? sn_acl_user_index(&fresh, name) : -1;

        if (at >= 0) {
            /* Only the default user exists before its line. */
            u = fresh.users[at];
            if (u == fresh.default_user)
                sn_acl_user_reset(u, &r);
        } else if (name != NULL && fresh.users_len >= SN_ACL_USERS_MAX) {
            snprintf(why, sizeof(why), "more than %d users",
                     SN_ACL_USERS_MAX);
        } else if (name != NULL) {
            u = sn_acl_user_new(name, r.allchannels);
            sn_acl_user_insert(&fresh, u);
        }
        if (u == NULL ||
            entry_user(c->users[i], u, &r, why, sizeof(why)) == NULL) {
            snprintf(err, errlen, "user '%s': %s",
                     name != NULL ? name : "?", why);
            free(name);
            users_free(fresh.users, fresh.users_len);
            return -1;
        }
        free(name);
    }
    users_free(acl->users, acl->users_len);
    acl->users = fresh.users;
    acl->users_len = fresh.users_len;
    acl->default_user = fresh.default_user;
    return 0;
}

/* Does config entry `entry` make exactly user `u`? An entry with a
 * plain-text password never does: the rewrite must drop the text. */
static bool
entry_same(const char *entry, const struct sn_acl_user *u,
           const struct sn_acl_rules *r)
{
    struct sn_acl_user *base;
    char err[512], **argv;
    bool same = false, plain = false;
    int argc = entry_split(entry, &argv);

    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '>' || argv[i][0] == '<')
            plain = true;
    sn_config_argv_free(argc < 0 ? 0 : argc, argv);
    if (argc < 0 || plain)
        return false;
    base = sn_acl_user_new(u->name, r->allchannels);
    if (strcmp(u->name, "default") == 0)
        sn_acl_user_reset(base, r);
    if (entry_user(entry, base, r, err, sizeof(err)) != NULL) {
        char *a = sn_acl_describe_user(base), *b = sn_acl_describe_user(u);

        same = strcmp(a, b) == 0;
        free(a);
        free(b);
    }
    sn_acl_user_free(base);
    return same;
}

static char *
entry_of(const struct sn_acl_user *u)
{
    char *d = sn_acl_describe_user(u), *e = sn_printf("%s %s", u->name, d);

    free(d);
    return e;
}

void
sn_acl_save_to_config(const struct sn_acl *acl, struct sn_config *c)
{
    struct sn_acl_rules r = { .allchannels = acl->pubsub_allchannels };
    bool *done = sn_calloc((size_t)acl->users_len + 1, sizeof(*done));
    char **old = c->users;
    int old_len = c->users_len;

    c->users = NULL;
    c->users_len = 0;
    for (int i = 0; i < old_len; i++) {
        char *name = entry_name(old[i]);
        int at = name != NULL ? sn_acl_user_index(acl, name) : -1;

        free(name);
        if (at < 0 || done[at])
            continue;
        done[at] = true;
        if (entry_same(old[i], acl->users[at], &r)) {
            sn_config_user_add(c, old[i]);
        } else {
            char *e = entry_of(acl->users[at]);

            sn_config_user_add(c, e);
            free(e);
        }
    }
    for (int i = 0; i < acl->users_len; i++) {
        const struct sn_acl_user *u = acl->users[i];
        char *e;

        if (done[i])
            continue;
        if (u == acl->default_user) {
            struct sn_acl_user *imp = implicit_default(c, &r);
            char *a = sn_acl_describe_user(imp), *b = sn_acl_describe_user(u);
            bool same = strcmp(a, b) == 0;

            free(a);
            free(b);
            sn_acl_user_free(imp);
            if (same)
                continue;
        }
        e = entry_of(u);
        sn_config_user_add(c, e);
        free(e);
    }
    for (int i = 0; i < old_len; i++)
        free(old[i]);
    free(old);
    free(done);
}

/* ---------------------------------------------------------------------
 * Authentication
 * ------------------------------------------------------------------- */

/* Compare two hex hashes in time independent of where they differ. */
static bool
hash_equal(const char *a, const char *b)
{
    unsigned diff = 0;

    for (int i = 0; i < SN_ACL_HASH_LEN; i++)
        diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
    return diff == 0;
}

const struct sn_acl_user *
sn_acl_authenticate(const struct sn_acl *acl, const char *user,
                    const char *pass, size_t passlen)
{
    const struct sn_acl_user *u = sn_acl_find_user(acl, user);
    char hex[SN_ACL_HASH_LEN + 1];
    bool ok = false;

    if (u == NULL || u->state != SN_USER_ON)
        return NULL;
    if (u->nopass)
        return u;
    if (!sn_acl_hash_password(pass, passlen, hex))
        return NULL;
    for (int i = 0; i < u->passwords_len; i++)
        ok |= hash_equal(hex, u->passwords[i]);
    return ok ? u : NULL;
}

const struct sn_acl_user *
sn_acl_auth_command(struct sn_acl *acl, struct sn_resp_writer *w,
                    int argc, char **argv, const size_t *argvlen,
                    const char *client_info, int64_t now_ms)
{
    const struct sn_acl_user *u;
    const char *name;
    int pass;

    if (argc > 3) {
        sn_resp_write_error(w, "ERR syntax error");
        return NULL;
    }
    if (argc == 2) {
        if (acl->default_user->nopass) {
            sn_resp_write_error(w, SN_ACL_ERR_AUTH_NOPASS);
            return NULL;
        }
        name = "default";
        pass = 1;
    } else {
        name = argv[1];
        pass = 2;
    }
    u = sn_acl_authenticate(acl, name, argv[pass],
                            sn_acl_arg_len(argvlen, argv, pass));
    if (u == NULL) {
        sn_acl_log_denied(acl, SN_ACL_DENIED_AUTH, argv[0],
                          sn_acl_arg_len(argvlen, argv, 0), name,
                          client_info, now_ms);
        sn_resp_write_error(w, SN_ACL_ERR_WRONGPASS);
        return NULL;
    }
    sn_resp_write_status(w, "OK");
    return u;
}

/* ---------------------------------------------------------------------
 * Permission checks
 * ------------------------------------------------------------------- */

static bool
channel_in_list(const struct sn_acl_selector *s, const char *ch, size_t len,
                bool literal)
{
    /* A NUL inside would cut the name short of what it is. */
    if (memchr(ch, '\0', len) != NULL)
        return false;
    for (int i = 0; i < s->channels_len; i++) {
        const char *p = s->channels[i];

        if (literal ? strcmp(p, ch) == 0 : sn_glob_match(p, ch, false))
            return true;
    }
    return false;
}

/* ACLSelectorCheckCmd. *pos: the argument refused. */
static enum sn_acl_reason
selector_check(const struct sn_acl_selector *s, int id, int argc, char **argv,
               const size_t *argvlen, int *pos)
{
    const struct sn_acl_cmd *c = &sn_acl_universe(NULL)[id];
    int first, last;

    if (!s->allcommands && !c->no_auth && !sn_acl_bit_get(s, id)) {
        int idx = c->parent >= 0 ? 2 : 1;
        bool ok = false;

        for (int j = 0; argc > idx && j < s->firstargs_len && !ok; j++)
            ok = s->firstargs[j].cmd == id &&
                 strcasecmp(s->firstargs[j].arg, argv[idx]) == 0;
        if (!ok)
            return SN_ACL_DENIED_COMMAND;
    }
    if (s->allchannels || c->chan == SN_CHAN_NONE)
        return SN_ACL_OK;
    first = 1;
    last = c->chan == SN_CHAN_PUBLISH ? 1 : argc - 1;
    for (int j = first; j <= last && j < argc; j++) {
        if (!channel_in_list(s, argv[j], sn_acl_arg_len(argvlen, argv, j),
                             c->chan == SN_CHAN_PSUBSCRIBE)) {
            *pos = j;
            return SN_ACL_DENIED_CHANNEL;
        }
    }
    return SN_ACL_OK;
}

/* ACLCheckAllUserCommandPerm: any selector may allow; otherwise the
 * highest reason, and of equal ones the latest argument. */
enum sn_acl_reason
sn_acl_user_check(const struct sn_acl_user *u, int id, int argc,
                  char **argv, const size_t *argvlen, int *pos)
{
    enum sn_acl_reason worst = SN_ACL_DENIED_COMMAND;
    int last = 0;

    for (int i = 0; i < u->selectors_len; i++) {
        int p = 0;
        enum sn_acl_reason r = selector_check(&u->selectors[i], id, argc,
                                              argv, argvlen, &p);

        if (r == SN_ACL_OK)
            return SN_ACL_OK;
        if (r > worst || (r == worst && p > last)) {
            worst = r;
            last = p;
        }
    }
    *pos = last;
    return worst;
}

enum sn_acl_reason
sn_acl_check_command(const struct sn_acl_user *u, int argc, char **argv,
                     const size_t *argvlen, struct sn_acl_denial *d)
{
    enum sn_acl_reason r;
    int id, pos = 0;

    d->reason = SN_ACL_OK;
    d->object = NULL;
    d->object_len = 0;
    d->error[0] = '\0';
    /* A user who may run anything on any channel (the default user of
     * most deployments) needs no look-up: this is every command's path. */
    if (u == NULL || (u->selectors[0].allcommands &&
                      u->selectors[0].allchannels))
        return SN_ACL_OK;
    id = sn_acl_cmd_resolve(argc, argv);
    if (id < 0) {
        /* Not a command of the table: only a user who may run anything
         * passes (the server should have refused it first). */
        if (u->selectors[0].allcommands)
            return SN_ACL_OK;
        d->reason = SN_ACL_DENIED_COMMAND;
        d->object = argv[0];
        d->object_len = strlen(argv[0]);
        snprintf(d->error, sizeof(d->error), "NOPERM this user has no "
                 "permissions to run the '%.100s' command", argv[0]);
        return d->reason;
    }
    r = sn_acl_user_check(u, id, argc, argv, argvlen, &pos);
    d->reason = r;
    if (r == SN_ACL_DENIED_COMMAND) {
        d->object = sn_acl_universe(NULL)[id].e->name;
        d->object_len = strlen(d->object);
        snprintf(d->error, sizeof(d->error), "NOPERM this user has no "
                 "permissions to run the '%s' command", d->object);
    } else if (r == SN_ACL_DENIED_CHANNEL) {
        d->object = argv[pos];
        d->object_len = sn_acl_arg_len(argvlen, argv, pos);
        snprintf(d->error, sizeof(d->error), "NOPERM this user has no "
                 "permissions to access one of the channels used as "
                 "arguments");
    }
    return r;
}

bool
sn_acl_check_channel(const struct sn_acl_user *u, const char *channel,
                     size_t len, bool is_pattern)
{
    for (int i = 0; i < u->selectors_len; i++) {
        const struct sn_acl_selector *s = &u->selectors[i];

        if (s->allchannels || channel_in_list(s, channel, len, is_pattern))
            return true;
    }
    return false;
}
