/*
 * acl.c: ACL users, their rules, the permission checks, the ACL LOG and
 * the ACL and AUTH commands, after Redis 7.0's acl.c.
 *
 * A selector holds one bit per command and subcommand of the table (the
 * "universe", built once from cmdtable.c), Redis's allowed_commands. Rules
 * change bits the way Redis changes them, so that the canonical
 * description (ACL LIST, GETUSER, the config rewrite) is computed from the
 * bits with Redis's own algorithm: start from +@all or -@all, add the
 * categories that fit best, then single commands. Where Redis walks a hash
 * table, we walk the table in its order, so descriptions are
 * deterministic.
 *
 * Where we differ from Redis, on purpose:
 *   1. Limits (acl.h): user names up to 64 bytes, patterns and first
 *      arguments up to 100, so that every rule fits a 196-byte INI line;
 *      at most 1024 words per user and 10000 users.
 *   2. A rule holding a NUL byte is a syntax error, but for a password.
 *   3. Taking channels away from a user reports it (sn_acl_effects) even
 *      when the user had allchannels before (Redis 7.0 then keeps the
 *      pub/sub clients it should drop).
 */
#include "acl.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdtable.h"
#include "config_priv.h"
#include "util.h"

#define COMMANDS_MAX    512     /* commands and subcommands of the table */
#define WORDS           (COMMANDS_MAX / 64)
#define LOG_SCAN        10      /* entries Redis looks at to merge one */
#define LOG_MERGE_MS    60000   /* ACL_LOG_GROUPING_MAX_TIME_DELTA */

static sn_acl_hash_fn hasher;

void
sn_acl_set_hasher(sn_acl_hash_fn fn)
{
    hasher = fn;
}

/* ---------------------------------------------------------------------
 * Categories, in Redis's order (ACL CAT)
 * ------------------------------------------------------------------- */

static const char *const categories[] = {
    "keyspace", "read", "write", "set", "sortedset", "list", "hash",
    "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin",
    "fast", "slow", "blocking", "dangerous", "connection", "transaction",
    "scripting",
};

#define CATEGORIES_LEN ((int)(sizeof(categories) / sizeof(categories[0])))

static int
category_find(const char *name)
{
    for (int i = 0; i < CATEGORIES_LEN; i++)
        if (strcasecmp(categories[i], name) == 0)
            return i;
    return -1;
}

/* ---------------------------------------------------------------------
 * The command universe
 * ------------------------------------------------------------------- */

enum chan_kind {
    CHAN_NONE = 0,
    CHAN_PUBLISH,               /* argv[1] is a channel */
    CHAN_SUBSCRIBE,             /* argv[1..] are channels */
    CHAN_PSUBSCRIBE,            /* argv[1..] are patterns */
};

struct cmd {
    const struct sn_cmd_entry *e;   /* e->name is the full name */
    int parent;                 /* the container's index, or -1 */
    int subs_first;             /* a container's subcommands */
    int subs_len;
    uint32_t cats;              /* bit i: categories[i] */
    bool no_auth;
    enum chan_kind chan;
};

static struct cmd cmds[COMMANDS_MAX];
static int cmds_len = -1;       /* -1 until built */

/* Does the space-separated list `words` hold `w`? */
static bool
has_word(const char *words, const char *w)
{
    size_t n = strlen(w);

    for (const char *p = words; p != NULL && *p != '\0';) {
        while (*p == ' ')
            p++;
        if (strncmp(p, w, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
            return true;
        p = strchr(p, ' ');
    }
    return false;
}

static int
universe_add(const struct sn_cmd_entry *e, int parent)
{
    struct cmd *c;
    const char *name = e->name;

    assert(cmds_len < COMMANDS_MAX);
    c = &cmds[cmds_len];
    memset(c, 0, sizeof(*c));
    c->e = e;
    c->parent = parent;
    for (int i = 0; i < CATEGORIES_LEN; i++) {
        char at[32];

        snprintf(at, sizeof(at), "@%s", categories[i]);
        if (e->categories != NULL && has_word(e->categories, at))
            c->cats |= 1u << i;
    }
    c->no_auth = e->flags != NULL && has_word(e->flags, "no_auth");
    if (strcmp(name, "publish") == 0 || strcmp(name, "spublish") == 0)
        c->chan = CHAN_PUBLISH;
    else if (strcmp(name, "subscribe") == 0 ||
             strcmp(name, "ssubscribe") == 0)
        c->chan = CHAN_SUBSCRIBE;
    else if (strcmp(name, "psubscribe") == 0)
        c->chan = CHAN_PSUBSCRIBE;
    return cmds_len++;
}

static void
universe_add_top(const char *name)
{
    const struct sn_cmd_entry *e = sn_cmdtable_find(name);
    int i;

    if (e == NULL || strchr(name, '|') != NULL)
        return;
    i = universe_add(e, -1);
    if (e->subcommands == NULL)
        return;
    cmds[i].subs_first = cmds_len;
    for (const struct sn_cmd_entry *s = e->subcommands; s->name != NULL;
         s++)
        universe_add(s, i);
    cmds[i].subs_len = cmds_len - cmds[i].subs_first;
}

/* The table's top-level commands, in its order. */
static void
universe_build(void)
{
    const struct sn_cmd_entry *e;

    if (cmds_len >= 0)
        return;
    cmds_len = 0;
    for (e = sn_cmdtable_commands(); e->name != NULL; e++)
        universe_add_top(e->name);
}

static int
top_find(const char *name, size_t len)
{
    for (int i = 0; i < cmds_len; i++) {
        const char *n = cmds[i].e->name;

        if (cmds[i].parent < 0 && strlen(n) == len &&
            strncasecmp(n, name, len) == 0)
            return i;
    }
    return -1;
}

static int
sub_find(int top, const char *sub, size_t len)
{
    size_t skip = strlen(cmds[top].e->name) + 1;

    for (int i = 0; i < cmds[top].subs_len; i++) {
        const char *n = cmds[cmds[top].subs_first + i].e->name + skip;

        if (strlen(n) == len && strncasecmp(n, sub, len) == 0)
            return cmds[top].subs_first + i;
    }
    return -1;
}

/* "cmd" or "cmd|sub", case-insensitive, as Redis's strict lookup: a
 * second part needs a container, a third is never found. */
static int
cmd_lookup(const char *name)
{
    const char *bar = strchr(name, '|');
    int top;

    universe_build();
    if (bar == NULL)
        return top_find(name, strlen(name));
    if (strchr(bar + 1, '|') != NULL)
        return -1;
    top = top_find(name, (size_t)(bar - name));
    if (top < 0 || cmds[top].subs_len == 0)
        return -1;
    return sub_find(top, bar + 1, strlen(bar + 1));
}

/* The command argv runs: a container's subcommand, or -1. */
static int
cmd_resolve(int argc, char **argv)
{
    int top, sub;

    universe_build();
    top = top_find(argv[0], strlen(argv[0]));
    if (top < 0 || cmds[top].subs_len == 0 || argc < 2)
        return top;
    sub = sub_find(top, argv[1], strlen(argv[1]));
    return sub;
}

/* ---------------------------------------------------------------------
 * Selectors
 * ------------------------------------------------------------------- */

enum key_perm {
    KEY_READ = 1,
    KEY_WRITE = 2,
    KEY_ALL = 3,
};

struct key_pattern {
    char *pattern;
    unsigned perms;             /* enum key_perm bits */
};

struct first_arg {
    int cmd;
    char *arg;
};

/* One set of permissions: the root one of a user, or a `(...)`. */
struct selector {
    bool allkeys;
    bool allchannels;
    bool allcommands;           /* no bit needs checking */
    bool future;                /* +@all was the base: Redis's reserved
                                   bit, which decides how the rules are
                                   described */
    uint64_t allowed[WORDS];
    struct key_pattern *keys;
    int keys_len;
    char **channels;
    int channels_len;
    struct first_arg *firstargs;
    int firstargs_len;
};

static void
selector_init(struct selector *s, bool allchannels)
{
    memset(s, 0, sizeof(*s));
    s->allchannels = allchannels;
}

static void
keys_clear(struct selector *s)
{
    for (int i = 0; i < s->keys_len; i++)
        free(s->keys[i].pattern);
    free(s->keys);
    s->keys = NULL;
    s->keys_len = 0;
}

static void
channels_clear(struct selector *s)
{
    for (int i = 0; i < s->channels_len; i++)
        free(s->channels[i]);
    free(s->channels);
    s->channels = NULL;
    s->channels_len = 0;
}

static void
firstargs_clear(struct selector *s)
{
    for (int i = 0; i < s->firstargs_len; i++)
        free(s->firstargs[i].arg);
    free(s->firstargs);
    s->firstargs = NULL;
    s->firstargs_len = 0;
}

static void
selector_free(struct selector *s)
{
    keys_clear(s);
    channels_clear(s);
    firstargs_clear(s);
}

static void
selector_copy(struct selector *d, const struct selector *s)
{
    *d = *s;
    d->keys = sn_calloc((size_t)s->keys_len + 1, sizeof(*d->keys));
    for (int i = 0; i < s->keys_len; i++) {
        d->keys[i].pattern = sn_strdup(s->keys[i].pattern);
        d->keys[i].perms = s->keys[i].perms;
    }
    d->channels = sn_calloc((size_t)s->channels_len + 1,
                            sizeof(*d->channels));
    for (int i = 0; i < s->channels_len; i++)
        d->channels[i] = sn_strdup(s->channels[i]);
    d->firstargs = sn_calloc((size_t)s->firstargs_len + 1,
                             sizeof(*d->firstargs));
    for (int i = 0; i < s->firstargs_len; i++) {
        d->firstargs[i].cmd = s->firstargs[i].cmd;
        d->firstargs[i].arg = sn_strdup(s->firstargs[i].arg);
    }
}

static bool
bit_get(const struct selector *s, int id)
{
    return (s->allowed[id / 64] >> (id % 64)) & 1;
}

/* Clearing a bit clears allcommands: each bit must be tested again. */
static void
bit_set(struct selector *s, int id, bool on)
{
    if (on) {
        s->allowed[id / 64] |= UINT64_C(1) << (id % 64);
    } else {
        s->allowed[id / 64] &= ~(UINT64_C(1) << (id % 64));
        s->allcommands = false;
    }
}

static void
firstargs_reset(struct selector *s, int id)
{
    int j = 0;

    for (int i = 0; i < s->firstargs_len; i++) {
        if (s->firstargs[i].cmd == id)
            free(s->firstargs[i].arg);
        else
            s->firstargs[j++] = s->firstargs[i];
    }
    s->firstargs_len = j;
}

static void
firstarg_add(struct selector *s, int id, const char *arg)
{
    for (int i = 0; i < s->firstargs_len; i++)
        if (s->firstargs[i].cmd == id &&
            strcasecmp(s->firstargs[i].arg, arg) == 0)
            return;
    s->firstargs = sn_realloc(s->firstargs, (size_t)(s->firstargs_len + 1) *
                              sizeof(*s->firstargs));
    s->firstargs[s->firstargs_len].cmd = id;
    s->firstargs[s->firstargs_len++].arg = sn_strdup(arg);
}

/* Allowing or blocking a container does the same to its subcommands
 * (ACLChangeSelectorPerm). */
static void
perm_change(struct selector *s, int id, bool allow)
{
    bit_set(s, id, allow);
    firstargs_reset(s, id);
    for (int i = 0; i < cmds[id].subs_len; i++)
        bit_set(s, cmds[id].subs_first + i, allow);
}

static void
category_change(struct selector *s, int cat, bool allow)
{
    for (int i = 0; i < cmds_len; i++)
        if (cmds[i].cats & (1u << cat))
            perm_change(s, i, allow);
}

static void
commands_all(struct selector *s, bool allow)
{
    memset(s->allowed, allow ? 0xff : 0, sizeof(s->allowed));
    s->allcommands = allow;
    s->future = allow;
    firstargs_clear(s);
}

/* ---------------------------------------------------------------------
 * Rules: errors
 * ------------------------------------------------------------------- */

enum rule_error {
    RULE_OK = 0,
    RULE_UNKNOWN,               /* Redis's ENOENT */
    RULE_SYNTAX,                /* EINVAL */
    RULE_KEY_AFTER_ALL,         /* EEXIST */
    RULE_CHANNEL_AFTER_ALL,     /* EISDIR */
    RULE_NO_SUCH_PASSWORD,      /* ENODEV */
    RULE_BAD_HASH,              /* EBADMSG */
    RULE_SUBCOMMAND_FIRSTARG,   /* ECHILD */
    RULE_NO_HASHER,
    RULE_TOO_LONG,
};

_Static_assert(SN_ACL_PATTERN_MAX == 100, "fix the RULE_TOO_LONG text");

static const char *const rule_errors[] = {
    [RULE_OK] = "",
    [RULE_UNKNOWN] = "Unknown command or category name in ACL",
    [RULE_SYNTAX] = "Syntax error",
    [RULE_KEY_AFTER_ALL] = "Adding a pattern after the * pattern (or the "
        "'allkeys' flag) is not valid and does not have any effect. Try "
        "'resetkeys' to start with an empty list of patterns",
    [RULE_CHANNEL_AFTER_ALL] = "Adding a pattern after the * pattern (or "
        "the 'allchannels' flag) is not valid and does not have any "
        "effect. Try 'resetchannels' to start with an empty list of "
        "channels",
    [RULE_NO_SUCH_PASSWORD] = "The password you are trying to remove from "
        "the user does not exist",
    [RULE_BAD_HASH] = "The password hash must be exactly 64 characters and "
        "contain only lowercase hexadecimal characters",
    [RULE_SUBCOMMAND_FIRSTARG] = "Allowing first-arg of a subcommand is not "
        "supported",
    [RULE_NO_HASHER] = "no SHA-256 function set",
    [RULE_TOO_LONG] = "Patterns and first arguments are limited to 100 "
        "bytes",
};

/* How rules are applied. */
struct rules {
    bool allchannels;           /* acl-pubsub-default */
    bool check_only;            /* no hasher: passwords are not hashed */
};

/* ---------------------------------------------------------------------
 * Rules: a selector's
 * ------------------------------------------------------------------- */

static bool
op_is(const char *op, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(op, word, len) == 0;
}

/* Redis's ACLStringHasSpaces: spaces and NUL bytes are refused in names
 * and patterns. */
static bool
has_space_or_nul(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (isspace((unsigned char)s[i]) || s[i] == '\0')
            return true;
    return false;
}

static enum rule_error
key_rule(struct selector *s, const char *op, size_t len)
{
    unsigned perms = 0;
    size_t off = 1;

    if (s->allkeys)
        return RULE_KEY_AFTER_ALL;
    if (op[0] == '%') {
        for (; off < len; off++) {
            char ch = (char)toupper((unsigned char)op[off]);

            if (ch == 'R' && !(perms & KEY_READ)) {
                perms |= KEY_READ;
            } else if (ch == 'W' && !(perms & KEY_WRITE)) {
                perms |= KEY_WRITE;
            } else if (op[off] == '~') {
                off++;
                break;
            } else {
                return RULE_SYNTAX;
            }
        }
        if (perms == 0)
            return RULE_SYNTAX;
    } else {
        perms = KEY_ALL;
    }
    if (has_space_or_nul(op + off, len - off))
        return RULE_SYNTAX;
    if (len - off > SN_ACL_PATTERN_MAX)
        return RULE_TOO_LONG;
    for (int i = 0; i < s->keys_len; i++) {
        if (strlen(s->keys[i].pattern) == len - off &&
            memcmp(s->keys[i].pattern, op + off, len - off) == 0) {
            s->keys[i].perms |= perms;
            return RULE_OK;
        }
    }
    s->keys = sn_realloc(s->keys, (size_t)(s->keys_len + 1) *
                         sizeof(*s->keys));
    s->keys[s->keys_len].pattern = sn_strndup(op + off, len - off);
    s->keys[s->keys_len++].perms = perms;
    return RULE_OK;
}

static enum rule_error
channel_rule(struct selector *s, const char *op, size_t len)
{
    if (s->allchannels)
        return RULE_CHANNEL_AFTER_ALL;
    if (has_space_or_nul(op + 1, len - 1))
        return RULE_SYNTAX;
    if (len - 1 > SN_ACL_PATTERN_MAX)
        return RULE_TOO_LONG;
    for (int i = 0; i < s->channels_len; i++)
        if (strlen(s->channels[i]) == len - 1 &&
            memcmp(s->channels[i], op + 1, len - 1) == 0)
            return RULE_OK;
    s->channels = sn_realloc(s->channels, (size_t)(s->channels_len + 1) *
                             sizeof(*s->channels));
    s->channels[s->channels_len++] = sn_strndup(op + 1, len - 1);
    return RULE_OK;
}

/* +cmd|x: a subcommand of a container, or a first argument of a plain
 * command (Redis warns that this use is deprecated; it still works). */
static enum rule_error
allow_with_bar(struct selector *s, const char *name)
{
    char *base = sn_strdup(name), *sub = strrchr(base, '|');
    enum rule_error rc = RULE_OK;
    int id;

    *sub++ = '\0';
    id = cmd_lookup(base);
    if (id < 0)
        rc = RULE_UNKNOWN;
    else if (cmds[id].parent >= 0)
        rc = RULE_SUBCOMMAND_FIRSTARG;
    else if (*sub == '\0')
        rc = RULE_SYNTAX;
    else if (cmds[id].subs_len > 0) {
        int sid = cmd_lookup(name);

        if (sid < 0)
            rc = RULE_UNKNOWN;
        else
            perm_change(s, sid, true);
    } else if (strlen(sub) > SN_ACL_PATTERN_MAX) {
        rc = RULE_TOO_LONG;
    } else {
        firstarg_add(s, id, sub);
    }
    free(base);
    return rc;
}

static enum rule_error
command_rule(struct selector *s, const char *op)
{
    int id;

    if (op[1] == '@') {
        int cat = category_find(op + 2);

        if (cat < 0)
            return RULE_UNKNOWN;
        category_change(s, cat, op[0] == '+');
        return RULE_OK;
    }
    if (op[0] == '+' && strchr(op, '|') != NULL)
        return allow_with_bar(s, op + 1);
    id = cmd_lookup(op + 1);
    if (id < 0)
        return RULE_UNKNOWN;
    perm_change(s, id, op[0] == '+');
    return RULE_OK;
}

/* ACLSetSelector: op is NUL-terminated and holds no other NUL. */
static enum rule_error
selector_rule(struct selector *s, const char *op, size_t len)
{
    universe_build();
    if (op_is(op, len, "allkeys") || op_is(op, len, "~*")) {
        s->allkeys = true;
        keys_clear(s);
    } else if (op_is(op, len, "resetkeys")) {
        s->allkeys = false;
        keys_clear(s);
    } else if (op_is(op, len, "allchannels") || op_is(op, len, "&*")) {
        s->allchannels = true;
        channels_clear(s);
    } else if (op_is(op, len, "resetchannels")) {
        s->allchannels = false;
        channels_clear(s);
    } else if (op_is(op, len, "allcommands") || op_is(op, len, "+@all")) {
        commands_all(s, true);
    } else if (op_is(op, len, "nocommands") || op_is(op, len, "-@all")) {
        commands_all(s, false);
    } else if (op[0] == '~' || op[0] == '%') {
        return key_rule(s, op, len);
    } else if (op[0] == '&') {
        return channel_rule(s, op, len);
    } else if (op[0] == '+' || op[0] == '-') {
        return command_rule(s, op);
    } else {
        return RULE_SYNTAX;
    }
    return RULE_OK;
}

/* ---------------------------------------------------------------------
 * Users
 * ------------------------------------------------------------------- */

enum user_state {
    USER_OFF = 0,
    USER_ON,
};

enum sanitize {
    SANITIZE_UNSET = 0,         /* neither flag: a user never reset */
    SANITIZE_YES,               /* sanitize-payload */
    SANITIZE_SKIP,              /* skip-sanitize-payload */
};

struct sn_acl_user {
    char *name;
    enum user_state state;
    bool nopass;
    enum sanitize sanitize;
    char (*passwords)[SN_ACL_HASH_LEN + 1];
    int passwords_len;
    struct selector *selectors;     /* [0] is the root selector */
    int selectors_len;
};

/* A new user, as ACLCreateUser makes it: off, no password, no rights. */
static struct sn_acl_user *
user_new(const char *name, bool allchannels)
{
    struct sn_acl_user *u = sn_calloc(1, sizeof(*u));

    u->name = sn_strdup(name);
    u->selectors = sn_calloc(1, sizeof(*u->selectors));
    u->selectors_len = 1;
    selector_init(&u->selectors[0], allchannels);
    return u;
}

static void
user_clear(struct sn_acl_user *u)
{
    for (int i = 0; i < u->selectors_len; i++)
        selector_free(&u->selectors[i]);
    free(u->selectors);
    free(u->passwords);
    u->selectors = NULL;
    u->selectors_len = 0;
    u->passwords = NULL;
    u->passwords_len = 0;
}

static void
user_free(struct sn_acl_user *u)
{
    if (u == NULL)
        return;
    user_clear(u);
    free(u->name);
    free(u);
}

/* Give dst the rules of src; dst keeps its name (ACLCopyUser), and its
 * address, which clients hold. */
static void
user_copy_rules(struct sn_acl_user *dst, const struct sn_acl_user *src)
{
    user_clear(dst);
    dst->state = src->state;
    dst->nopass = src->nopass;
    dst->sanitize = src->sanitize;
    dst->passwords_len = src->passwords_len;
    dst->passwords = sn_calloc((size_t)src->passwords_len + 1,
                               sizeof(*dst->passwords));
    if (src->passwords_len > 0)
        memcpy(dst->passwords, src->passwords,
               (size_t)src->passwords_len * sizeof(*dst->passwords));
    dst->selectors_len = src->selectors_len;
    dst->selectors = sn_calloc((size_t)src->selectors_len,
                               sizeof(*dst->selectors));
    for (int i = 0; i < src->selectors_len; i++)
        selector_copy(&dst->selectors[i], &src->selectors[i]);
}

static struct sn_acl_user *
user_dup(const struct sn_acl_user *src)
{
    struct sn_acl_user *u = sn_calloc(1, sizeof(*u));

    u->name = sn_strdup(src->name);
    user_copy_rules(u, src);
    return u;
}

static void
hex_encode(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

static void
hash_password(const char *pass, size_t len, char out[SN_ACL_HASH_LEN + 1])
{
    unsigned char digest[32];

    hasher(pass, len, digest);
    hex_encode(digest, sizeof(digest), out);
}

/* ACLCheckPasswordHash: 64 lower-case hex digits. */
static bool
hash_valid(const char *s, size_t len)
{
    if (len != SN_ACL_HASH_LEN)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static int
password_find(const struct sn_acl_user *u, const char *hex)
{
    for (int i = 0; i < u->passwords_len; i++)
        if (strcmp(u->passwords[i], hex) == 0)
            return i;
    return -1;
}

static void
passwords_clear(struct sn_acl_user *u)
{
    free(u->passwords);
    u->passwords = NULL;
    u->passwords_len = 0;
}

static void password_add(struct sn_acl_user *u,
                         const char hex[SN_ACL_HASH_LEN + 1]);

/* >pass #hash <pass !hash */
static enum rule_error
password_rule(struct sn_acl_user *u, const char *op, size_t len,
              const struct rules *r)
{
    char hex[SN_ACL_HASH_LEN + 1];
    bool add = op[0] == '>' || op[0] == '#';
    int i;

    if (op[0] == '#' || op[0] == '!') {
        if (!hash_valid(op + 1, len - 1))
            return RULE_BAD_HASH;
        memcpy(hex, op + 1, SN_ACL_HASH_LEN);
        hex[SN_ACL_HASH_LEN] = '\0';
    } else if (hasher != NULL) {
        hash_password(op + 1, len - 1, hex);
    } else if (r->check_only) {
        /* Only the syntax is checked: nothing to compare with. */
        if (add)
            u->nopass = false;
        return RULE_OK;
    } else {
        return RULE_NO_HASHER;
    }
    i = password_find(u, hex);
    if (add) {
        password_add(u, hex);
        u->nopass = false;
        return RULE_OK;
    }
    if (i < 0)
        return RULE_NO_SUCH_PASSWORD;
    memmove(&u->passwords[i], &u->passwords[i + 1],
            (size_t)(u->passwords_len - i - 1) * sizeof(*u->passwords));
    u->passwords_len--;
    return RULE_OK;
}

static enum rule_error user_rule(struct sn_acl_user *u, const char *op,
                                 size_t len, const struct rules *r);

/* (rule rule ...): a new selector, split with Redis's rules. */
static enum rule_error
selector_group(struct sn_acl_user *u, const char *op, size_t len,
               const struct rules *r)
{
    char *inner = sn_strndup(op + 1, len - 2);
    struct selector s;
    enum rule_error rc = RULE_OK;
    char **argv;
    int argc = sn_config_split(inner, &argv);

    free(inner);
    if (argc < 0)
        return RULE_SYNTAX;
    selector_init(&s, r->allchannels);
    for (int i = 0; i < argc && rc == RULE_OK; i++)
        rc = selector_rule(&s, argv[i], strlen(argv[i]));
    sn_config_argv_free(argc, argv);
    if (rc != RULE_OK) {
        selector_free(&s);
        return rc;
    }
    u->selectors = sn_realloc(u->selectors, (size_t)(u->selectors_len + 1) *
                              sizeof(*u->selectors));
    u->selectors[u->selectors_len++] = s;
    return RULE_OK;
}

static void
selectors_clear_extra(struct sn_acl_user *u)
{
    for (int i = 1; i < u->selectors_len; i++)
        selector_free(&u->selectors[i]);
    u->selectors_len = 1;
}

/* `reset`: back to a new user's state, sanitize-payload set. */
static void
user_reset(struct sn_acl_user *u, const struct rules *r)
{
    struct selector *root = &u->selectors[0];

    u->nopass = false;
    passwords_clear(u);
    root->allkeys = false;
    keys_clear(root);
    root->allchannels = r->allchannels;
    channels_clear(root);
    u->state = USER_OFF;
    u->sanitize = SANITIZE_YES;
    selectors_clear_extra(u);
    commands_all(root, false);
}

/* ACLSetUser: apply one rule of len bytes (op[len] is a NUL). */
static enum rule_error
user_rule(struct sn_acl_user *u, const char *op, size_t len,
          const struct rules *r)
{
    if (len == 0)
        return RULE_OK;
    if (op[0] == '>' || op[0] == '<' || op[0] == '#' || op[0] == '!')
        return password_rule(u, op, len, r);
    if (memchr(op, '\0', len) != NULL)
        return RULE_SYNTAX;
    if (op_is(op, len, "on")) {
        u->state = USER_ON;
    } else if (op_is(op, len, "off")) {
        u->state = USER_OFF;
    } else if (op_is(op, len, "skip-sanitize-payload")) {
        u->sanitize = SANITIZE_SKIP;
    } else if (op_is(op, len, "sanitize-payload")) {
        u->sanitize = SANITIZE_YES;
    } else if (op_is(op, len, "nopass")) {
        u->nopass = true;
        passwords_clear(u);
    } else if (op_is(op, len, "resetpass")) {
        u->nopass = false;
        passwords_clear(u);
    } else if (op[0] == '(' && op[len - 1] == ')') {
        return selector_group(u, op, len, r);
    } else if (op_is(op, len, "clearselectors")) {
        selectors_clear_extra(u);
    } else if (op_is(op, len, "reset")) {
        user_reset(u, r);
    } else {
        return selector_rule(&u->selectors[0], op, len);
    }
    return RULE_OK;
}

/* ---------------------------------------------------------------------
 * Describing (ACLDescribeUser)
 * ------------------------------------------------------------------- */

static void
category_count(const struct selector *s, int cat, unsigned long *on,
               unsigned long *off)
{
    *on = *off = 0;
    for (int i = 0; i < cmds_len; i++) {
        if (!(cmds[i].cats & (1u << cat)))
            continue;
        if (bit_get(s, i))
            (*on)++;
        else
            (*off)++;
    }
}

/* The category that best moves `fake` towards the user: more commands in
 * common than different, then the fewest differences, then the most in
 * common; the first in Redis's order on a tie. -1 if none fits. */
static int
category_best(const struct selector *temp, bool additive,
              const bool *applied)
{
    unsigned long mindiff = INT_MAX, maxsame = 0;
    int best = -1;

    for (int j = 0; j < CATEGORIES_LEN; j++) {
        unsigned long on, off, diff, same;

        if (applied[j])
            continue;
        category_count(temp, j, &on, &off);
        diff = additive ? off : on;
        same = additive ? on : off;
        if (same > diff &&
            (diff < mindiff || (diff == mindiff && same > maxsame))) {
            best = j;
            mindiff = diff;
            maxsame = same;
        }
    }
    return best;
}

/* ACLDescribeSelectorCommandRules: +@all or -@all, the categories that
 * fit, then the single commands and first arguments left. */
static void
describe_commands(const struct selector *s, struct sn_buf *b)
{
    struct selector fake, temp;
    bool applied[CATEGORIES_LEN] = { false };
    bool additive = !s->future;
    size_t start = b->len;
    int best;

    universe_build();
    memset(&fake, 0, sizeof(fake));
    memset(&temp, 0, sizeof(temp));
    memset(fake.allowed, additive ? 0 : 0xff, sizeof(fake.allowed));
    memcpy(temp.allowed, s->allowed, sizeof(temp.allowed));
    sn_buf_puts(b, additive ? "-@all " : "+@all ");
    while ((best = category_best(&temp, additive, applied)) >= 0) {
        category_change(&fake, best, additive);
        category_change(&temp, best, !additive);
        sn_buf_printf(b, "%c@%s ", additive ? '+' : '-', categories[best]);
        applied[best] = true;
    }
    for (int i = 0; i < cmds_len; i++) {
        bool mine = bit_get(s, i);

        if (mine != bit_get(&fake, i)) {
            sn_buf_printf(b, "%c%s ", mine ? '+' : '-', cmds[i].e->name);
            perm_change(&fake, i, mine);
        }
        for (int j = 0; !mine && j < s->firstargs_len; j++)
            if (s->firstargs[j].cmd == i)
                sn_buf_printf(b, "+%s|%s ", cmds[i].e->name,
                              s->firstargs[j].arg);
    }
    /* fake's first arguments are never set: nothing to free. */
    assert(b->len > start);
    b->data[--b->len] = '\0';
}

static void
describe_key(struct sn_buf *b, const struct key_pattern *k)
{
    sn_buf_puts(b, k->perms == KEY_ALL    ? "~"
                   : k->perms == KEY_READ ? "%R~"
                                          : "%W~");
    sn_buf_puts(b, k->pattern);
}

/* ACLDescribeSelector: keys, channels, commands. */
static void
describe_selector(const struct selector *s, struct sn_buf *b)
{
    if (s->allkeys) {
        sn_buf_puts(b, "~* ");
    } else {
        for (int i = 0; i < s->keys_len; i++) {
            describe_key(b, &s->keys[i]);
            sn_buf_putc(b, ' ');
        }
    }
    if (s->allchannels) {
        sn_buf_puts(b, "&* ");
    } else {
        sn_buf_puts(b, "resetchannels ");
        for (int i = 0; i < s->channels_len; i++)
            sn_buf_printf(b, "&%s ", s->channels[i]);
    }
    describe_commands(s, b);
}

static void
describe_user(const struct sn_acl_user *u, struct sn_buf *b)
{
    sn_buf_puts(b, u->state == USER_ON ? "on " : "off ");
    if (u->nopass)
        sn_buf_puts(b, "nopass ");
    if (u->sanitize == SANITIZE_SKIP)
        sn_buf_puts(b, "skip-sanitize-payload ");
    else if (u->sanitize == SANITIZE_YES)
        sn_buf_puts(b, "sanitize-payload ");
    for (int i = 0; i < u->passwords_len; i++)
        sn_buf_printf(b, "#%s ", u->passwords[i]);
    describe_selector(&u->selectors[0], b);
    for (int i = 1; i < u->selectors_len; i++) {
        sn_buf_puts(b, " (");
        describe_selector(&u->selectors[i], b);
        sn_buf_putc(b, ')');
    }
}

char *
sn_acl_describe_user(const struct sn_acl_user *u)
{
    struct sn_buf b;

    sn_buf_init(&b);
    describe_user(u, &b);
    return sn_buf_steal(&b, NULL);
}

static int
count_words(const char *s)
{
    int n = *s != '\0';

    for (; *s != '\0'; s++)
        n += *s == ' ';
    return n;
}

/* ---------------------------------------------------------------------
 * Rule words: merging selectors (ACLMergeSelectorArguments)
 * ------------------------------------------------------------------- */

struct word {
    char *s;                    /* NUL-terminated, may hold NUL bytes */
    size_t len;
};

struct words {
    struct word *v;
    int len;
    int open_at;                /* the argument opening an unclosed
                                   selector, or -1 */
};

static void
words_push(struct words *w, char *s, size_t len)
{
    w->v = sn_realloc(w->v, (size_t)(w->len + 1) * sizeof(*w->v));
    w->v[w->len].s = s;
    w->v[w->len++].len = len;
}

static void
words_free(struct words *w)
{
    for (int i = 0; i < w->len; i++) {
        /* A word may be a password: leave no copy behind. */
        memset(w->v[i].s, 0, w->v[i].len);
        free(w->v[i].s);
    }
    free(w->v);
    memset(w, 0, sizeof(*w));
}

static size_t
arg_len(const size_t *argvlen, char **argv, int i)
{
    return argvlen != NULL ? argvlen[i] : strlen(argv[i]);
}

/* Join `(a b c)` spread over several arguments into one word. An
 * unclosed selector leaves w->open_at set and its words out. */
static void
words_merge(struct words *w, int argc, char **argv, const size_t *argvlen)
{
    struct sn_buf sel;

    memset(w, 0, sizeof(*w));
    w->open_at = -1;
    sn_buf_init(&sel);
    for (int i = 0; i < argc; i++) {
        const char *op = argv[i];
        size_t len = arg_len(argvlen, argv, i);
        char *s;

        if (w->open_at < 0 && len > 0 && op[0] == '(' && op[len - 1] != ')') {
            sn_buf_reset(&sel);
            sn_buf_append(&sel, op, len);
            w->open_at = i;
            continue;
        }
        if (w->open_at >= 0) {
            sn_buf_putc(&sel, ' ');
            sn_buf_append(&sel, op, len);
            if (len > 0 && op[len - 1] == ')') {
                size_t n;

                s = sn_buf_steal(&sel, &n);
                words_push(w, s, n);
                w->open_at = -1;
            }
            continue;
        }
        /* A password may hold NUL bytes: copy them all. */
        s = sn_malloc(len + 1);
        memcpy(s, op, len);
        s[len] = '\0';
        words_push(w, s, len);
    }
    sn_buf_free(&sel);
}

/* ---------------------------------------------------------------------
 * The set of users
 * ------------------------------------------------------------------- */

struct log_entry {
    uint64_t count;
    enum sn_acl_reason reason;
    char *object;
    size_t object_len;
    char *username;
    int64_t ctime_ms;
    char *cinfo;
};

struct sn_acl {
    struct sn_acl_user **users;     /* sorted by name, as Redis's rax */
    int users_len;
    struct sn_acl_user *default_user;
    bool pubsub_allchannels;
    struct log_entry *log;          /* newest first */
    int log_len;
    int log_max;
};

static int
user_index(const struct sn_acl *acl, const char *name)
{
    for (int i = 0; i < acl->users_len; i++)
        if (strcmp(acl->users[i]->name, name) == 0)
            return i;
    return -1;
}

static void
user_insert(struct sn_acl *acl, struct sn_acl_user *u)
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
        user_free(users[i]);
    free(users);
}

static void
apply_or_die(struct sn_acl_user *u, const char *op, const struct rules *r)
{
    enum rule_error rc = user_rule(u, op, strlen(op), r);

    assert(rc == RULE_OK);
    (void)rc;
}

/* ACLCreateDefaultUser. */
static struct sn_acl_user *
default_user_new(const struct rules *r)
{
    struct sn_acl_user *u = user_new("default", r->allchannels);

    apply_or_die(u, "+@all", r);
    apply_or_die(u, "~*", r);
    apply_or_die(u, "&*", r);
    apply_or_die(u, "on", r);
    apply_or_die(u, "nopass", r);
    return u;
}

struct sn_acl *
sn_acl_new(void)
{
    struct sn_acl *acl = sn_calloc(1, sizeof(*acl));
    struct rules r = { .allchannels = false };

    acl->log_max = SN_ACL_LOG_LEN_DEFAULT;
    acl->default_user = default_user_new(&r);
    user_insert(acl, acl->default_user);
    return acl;
}

static void
log_entry_free(struct log_entry *e)
{
    free(e->object);
    free(e->username);
    free(e->cinfo);
}

static void
log_clear(struct sn_acl *acl)
{
    for (int i = 0; i < acl->log_len; i++)
        log_entry_free(&acl->log[i]);
    free(acl->log);
    acl->log = NULL;
    acl->log_len = 0;
}

void
sn_acl_free(struct sn_acl *acl)
{
    if (acl == NULL)
        return;
    users_free(acl->users, acl->users_len);
    log_clear(acl);
    free(acl);
}

void
sn_acl_set_pubsub_default(struct sn_acl *acl, bool allchannels)
{
    acl->pubsub_allchannels = allchannels;
}

void
sn_acl_set_log_max(struct sn_acl *acl, int max)
{
    acl->log_max = max < 0 ? 0 : max;
    while (acl->log_len > acl->log_max)
        log_entry_free(&acl->log[--acl->log_len]);
}

const struct sn_acl_user *
sn_acl_find_user(const struct sn_acl *acl, const char *name)
{
    int i = user_index(acl, name);

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

    return !d->nopass || d->state != USER_ON;
}

/* ---------------------------------------------------------------------
 * Applying a user's rules
 * ------------------------------------------------------------------- */

/* Apply the merged words to u. Returns 0, or -1 with Redis's message;
 * with `redact`, a password rule is shown without its password. */
static int
user_apply_words(struct sn_acl_user *u, const struct words *w,
                 const struct rules *r, bool redact, char *err,
                 size_t errlen)
{
    for (int i = 0; i < w->len; i++) {
        const char *op = w->v[i].s;
        enum rule_error rc = user_rule(u, op, w->v[i].len, r);

        if (rc == RULE_OK)
            continue;
        if (redact && (op[0] == '>' || op[0] == '<'))
            snprintf(err, errlen, "Error in ACL SETUSER modifier "
                     "'%c(password)': %s", op[0], rule_errors[rc]);
        else
            snprintf(err, errlen, "Error in ACL SETUSER modifier '%s': %s",
                     op, rule_errors[rc]);
        return -1;
    }
    return 0;
}

/* A user name: no spaces or NUL bytes (ACLStringHasSpaces), and short. */
static int
name_check(const char *name, size_t len, char *err, size_t errlen)
{
    if (has_space_or_nul(name, len)) {
        snprintf(err, errlen, "Usernames can't contain spaces or null "
                 "characters");
        return -1;
    }
    if (len > SN_ACL_NAME_MAX) {
        snprintf(err, errlen, "Usernames are limited to %d bytes",
                 SN_ACL_NAME_MAX);
        return -1;
    }
    return 0;
}

/* A description that a config line can carry. */
static int
size_check(const struct sn_acl_user *u, char *err, size_t errlen)
{
    char *d = sn_acl_describe_user(u);
    int n = count_words(d);

    free(d);
    if (n <= SN_ACL_RULES_MAX)
        return 0;
    snprintf(err, errlen, "The user's rules would take %d words, over the "
             "limit of %d", n, SN_ACL_RULES_MAX);
    return -1;
}

int
sn_acl_check_user_rules(int argc, char **argv, bool open_ok, char *err,
                        size_t errlen)
{
    struct rules r = { .check_only = true };
    struct sn_acl_user *u;
    struct words w;
    int rc = 0;

    if (argc < 1) {
        snprintf(err, errlen, "a user needs a name");
        return -1;
    }
    if (name_check(argv[0], strlen(argv[0]), err, errlen) != 0)
        return -1;
    words_merge(&w, argc - 1, argv + 1, NULL);
    if (w.open_at >= 0 && !open_ok) {
        snprintf(err, errlen, "Unmatched parenthesis in acl selector "
                 "starting at '%s'.", argv[w.open_at + 1]);
        words_free(&w);
        return -1;
    }
    u = user_new(argv[0], false);
    if (user_apply_words(u, &w, &r, true, err, errlen) != 0 ||
        size_check(u, err, errlen) != 0)
        rc = -1;
    user_free(u);
    words_free(&w);
    return rc;
}

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
           const struct rules *r, char *err, size_t errlen)
{
    struct words w;
    char **argv;
    int argc = entry_split(entry, &argv);

    if (argc < 0) {
        snprintf(err, errlen, "bad user entry");
        return NULL;
    }
    if (name_check(argv[0], strlen(argv[0]), err, errlen) != 0) {
        sn_config_argv_free(argc, argv);
        return NULL;
    }
    words_merge(&w, argc - 1, argv + 1, NULL);
    if (w.open_at >= 0) {
        snprintf(err, errlen, "Unmatched parenthesis in acl selector "
                 "starting at '%s'.", argv[w.open_at + 1]);
        base = NULL;
    } else if (user_apply_words(base, &w, r, true, err, errlen) != 0) {
        base = NULL;
    }
    words_free(&w);
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

static void
password_add(struct sn_acl_user *u, const char hex[SN_ACL_HASH_LEN + 1])
{
    if (password_find(u, hex) >= 0)
        return;
    u->passwords = sn_realloc(u->passwords, (size_t)(u->passwords_len + 1) *
                              sizeof(*u->passwords));
    memcpy(u->passwords[u->passwords_len++], hex, SN_ACL_HASH_LEN + 1);
}

/* The default user as the config alone makes it: built in, with
 * requirepass as its only password (ACLUpdateDefaultUserPassword). */
static struct sn_acl_user *
implicit_default(const struct sn_config *c, const struct rules *r)
{
    struct sn_acl_user *u = default_user_new(r);
    const char *pass = c->requirepass;
    char hex[SN_ACL_HASH_LEN + 1];

    if (pass == NULL || pass[0] == '\0')
        return u;
    apply_or_die(u, "resetpass", r);
    if (hasher != NULL) {
        hash_password(pass, strlen(pass), hex);
        password_add(u, hex);
    }
    return u;
}

int
sn_acl_load(struct sn_acl *acl, const struct sn_config *c, char *err,
            size_t errlen)
{
    struct rules r = { .allchannels = acl->pubsub_allchannels };
    struct sn_acl fresh = { .log_max = 0 };

    if (c->requirepass != NULL && c->requirepass[0] != '\0' &&
        hasher == NULL) {
        snprintf(err, errlen, "requirepass: %s", rule_errors[RULE_NO_HASHER]);
        return -1;
    }
    fresh.default_user = implicit_default(c, &r);
    user_insert(&fresh, fresh.default_user);
    for (int i = 0; i < c->users_len; i++) {
        char *name = entry_name(c->users[i]);
        struct sn_acl_user *u = NULL;
        char why[512] = "bad user entry";
        int at = name != NULL ? user_index(&fresh, name) : -1;

        if (at >= 0) {
            /* Only the default user exists before its line. */
            u = fresh.users[at];
            if (u == fresh.default_user)
                user_reset(u, &r);
        } else if (name != NULL && fresh.users_len >= SN_ACL_USERS_MAX) {
            snprintf(why, sizeof(why), "more than %d users",
                     SN_ACL_USERS_MAX);
        } else if (name != NULL) {
            u = user_new(name, r.allchannels);
            user_insert(&fresh, u);
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
           const struct rules *r)
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
    base = user_new(u->name, r->allchannels);
    if (strcmp(u->name, "default") == 0)
        user_reset(base, r);
    if (entry_user(entry, base, r, err, sizeof(err)) != NULL) {
        char *a = sn_acl_describe_user(base), *b = sn_acl_describe_user(u);

        same = strcmp(a, b) == 0;
        free(a);
        free(b);
    }
    user_free(base);
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
    struct rules r = { .allchannels = acl->pubsub_allchannels };
    bool *done = sn_calloc((size_t)acl->users_len + 1, sizeof(*done));
    char **old = c->users;
    int old_len = c->users_len;

    c->users = NULL;
    c->users_len = 0;
    for (int i = 0; i < old_len; i++) {
        char *name = entry_name(old[i]);
        int at = name != NULL ? user_index(acl, name) : -1;

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
            user_free(imp);
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

    if (u == NULL || u->state != USER_ON)
        return NULL;
    if (u->nopass)
        return u;
    if (hasher == NULL)
        return NULL;
    hash_password(pass, passlen, hex);
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
                            arg_len(argvlen, argv, pass));
    if (u == NULL) {
        sn_acl_log_denied(acl, SN_ACL_DENIED_AUTH, argv[0],
                          arg_len(argvlen, argv, 0), name, client_info,
                          now_ms);
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
channel_in_list(const struct selector *s, const char *ch, size_t len,
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
selector_check(const struct selector *s, int id, int argc, char **argv,
               const size_t *argvlen, int *pos)
{
    const struct cmd *c = &cmds[id];
    int first, last;

    if (!s->allcommands && !c->no_auth && !bit_get(s, id)) {
        int idx = c->parent >= 0 ? 2 : 1;
        bool ok = false;

        for (int j = 0; argc > idx && j < s->firstargs_len && !ok; j++)
            ok = s->firstargs[j].cmd == id &&
                 strcasecmp(s->firstargs[j].arg, argv[idx]) == 0;
        if (!ok)
            return SN_ACL_DENIED_COMMAND;
    }
    if (s->allchannels || c->chan == CHAN_NONE)
        return SN_ACL_OK;
    first = 1;
    last = c->chan == CHAN_PUBLISH ? 1 : argc - 1;
    for (int j = first; j <= last && j < argc; j++) {
        if (!channel_in_list(s, argv[j], arg_len(argvlen, argv, j),
                             c->chan == CHAN_PSUBSCRIBE)) {
            *pos = j;
            return SN_ACL_DENIED_CHANNEL;
        }
    }
    return SN_ACL_OK;
}

/* ACLCheckAllUserCommandPerm: any selector may allow; otherwise the
 * highest reason, and of equal ones the latest argument. */
static enum sn_acl_reason
user_check(const struct sn_acl_user *u, int id, int argc, char **argv,
           const size_t *argvlen, int *pos)
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

    memset(d, 0, sizeof(*d));
    if (u == NULL)
        return SN_ACL_OK;
    id = cmd_resolve(argc, argv);
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
    r = user_check(u, id, argc, argv, argvlen, &pos);
    d->reason = r;
    if (r == SN_ACL_DENIED_COMMAND) {
        d->object = cmds[id].e->name;
        d->object_len = strlen(d->object);
        snprintf(d->error, sizeof(d->error), "NOPERM this user has no "
                 "permissions to run the '%s' command", d->object);
    } else if (r == SN_ACL_DENIED_CHANNEL) {
        d->object = argv[pos];
        d->object_len = arg_len(argvlen, argv, pos);
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
        const struct selector *s = &u->selectors[i];

        if (s->allchannels || channel_in_list(s, channel, len, is_pattern))
            return true;
    }
    return false;
}

/* ---------------------------------------------------------------------
 * The ACL LOG
 * ------------------------------------------------------------------- */

static bool
log_match(const struct log_entry *e, enum sn_acl_reason reason,
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
    struct log_entry e;
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
        const struct selector *s = &before->selectors[i];

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
    struct rules r = { .allchannels = a->acl->pubsub_allchannels };
    const char *name = a->argv[2];
    int at = user_index(a->acl, name);
    struct sn_acl_user *u = at >= 0 ? a->acl->users[at] : NULL, *temp;
    char err[2048];
    struct words w;

    if (name_check(name, arg_len(a->argvlen, a->argv, 2), err,
                   sizeof(err)) != 0) {
        sn_resp_write_errorf(a->w, "ERR %s", err);
        return;
    }
    words_merge(&w, a->argc - 3, a->argv + 3,
                a->argvlen != NULL ? a->argvlen + 3 : NULL);
    if (w.open_at >= 0) {
        sn_resp_write_errorf(a->w, "ERR Unmatched parenthesis in acl "
                             "selector starting at '%s'.",
                             a->argv[w.open_at + 3]);
        words_free(&w);
        return;
    }
    temp = u != NULL ? user_dup(u) : user_new(name, r.allchannels);
    if (user_apply_words(temp, &w, &r, false, err, sizeof(err)) != 0 ||
        size_check(temp, err, sizeof(err)) != 0) {
        sn_resp_write_errorf(a->w, "ERR %s", err);
    } else if (u == NULL && a->acl->users_len >= SN_ACL_USERS_MAX) {
        sn_resp_write_errorf(a->w, "ERR There are already %d users, the "
                             "limit", SN_ACL_USERS_MAX);
    } else {
        if (u != NULL && channels_narrowed(u, temp))
            effects_narrowed(a->fx, u);
        if (u == NULL) {
            user_insert(a->acl, temp);
            temp = NULL;
        } else {
            user_copy_rules(u, temp);
        }
        a->fx->changed = true;
        sn_resp_write_status(a->w, "OK");
    }
    user_free(temp);
    words_free(&w);
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
        int at = user_index(a->acl, a->argv[i]);

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
write_selector(struct sn_resp_writer *w, const struct selector *s)
{
    struct sn_buf b;

    sn_buf_init(&b);
    sn_resp_write_bulk_str(w, "commands");
    describe_commands(s, &b);
    sn_resp_write_bulk(w, b.data, b.len);
    sn_buf_reset(&b);
    sn_resp_write_bulk_str(w, "keys");
    if (s->allkeys) {
        sn_buf_puts(&b, "~*");
    } else {
        for (int i = 0; i < s->keys_len; i++) {
            if (i > 0)
                sn_buf_putc(&b, ' ');
            describe_key(&b, &s->keys[i]);
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
    flags[nflags++] = u->state == USER_ON ? "on" : "off";
    if (u->nopass)
        flags[nflags++] = "nopass";
    if (u->sanitize == SANITIZE_SKIP)
        flags[nflags++] = "skip-sanitize-payload";
    else if (u->sanitize == SANITIZE_YES)
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
    int cat, n = 0;

    if (a->argc == 2) {
        sn_resp_write_array(a->w, CATEGORIES_LEN);
        for (int i = 0; i < CATEGORIES_LEN; i++)
            sn_resp_write_bulk_str(a->w, categories[i]);
        return;
    }
    if (a->argc != 3) {
        syntax_error(a);
        return;
    }
    cat = category_find(a->argv[2]);
    if (cat < 0) {
        sn_resp_write_errorf(a->w, "ERR Unknown category '%.128s'",
                             a->argv[2]);
        return;
    }
    universe_build();
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
    hex_encode(a->env->random, (chars + 1) / 2, hex);
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
            log_clear(acl);
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
        const struct log_entry *e = &acl->log[i];

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
    id = cmd_resolve(argc, argv);
    if (id < 0) {
        sn_resp_write_errorf(a->w, "ERR Command '%s' not found", argv[0]);
        return;
    }
    r = user_check(u, id, argc, argv, argvlen, &pos);
    if (r == SN_ACL_DENIED_COMMAND)
        sn_resp_write_bulkf(a->w, "This user has no permissions to run the "
                            "'%s' command", cmds[id].e->name);
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
        user_free(fx->removed[i]);
    free(fx->removed);
    free(fx->narrowed);
    memset(fx, 0, sizeof(*fx));
}
