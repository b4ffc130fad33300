/*
 * acl_rules.c: what an ACL user is, after Redis 7.0's acl.c: the command
 * universe and its categories, selectors, the rules that change them,
 * passwords, and the canonical description.
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
 */
#include "acl.h"
#include "acl_priv.h"

#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdtable.h"
#include "config_priv.h"
#include "util.h"

static sn_acl_hash_fn hasher;

void
sn_acl_set_hasher(sn_acl_hash_fn fn)
{
    hasher = fn;
}

/* ---------------------------------------------------------------------
 * Categories, in Redis's order (ACL CAT)
 * ------------------------------------------------------------------- */

const char *const sn_acl_categories[] = {
    "keyspace", "read", "write", "set", "sortedset", "list", "hash",
    "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin",
    "fast", "slow", "blocking", "dangerous", "connection", "transaction",
    "scripting",
};

#define CATEGORIES_LEN \
    ((int)(sizeof(sn_acl_categories) / sizeof(sn_acl_categories[0])))

const int sn_acl_categories_len = CATEGORIES_LEN;

int
sn_acl_category_find(const char *name)
{
    for (int i = 0; i < CATEGORIES_LEN; i++)
        if (strcasecmp(sn_acl_categories[i], name) == 0)
            return i;
    return -1;
}

/* ---------------------------------------------------------------------
 * The command universe
 * ------------------------------------------------------------------- */

static struct sn_acl_cmd cmds[SN_ACL_COMMANDS_MAX];
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
    struct sn_acl_cmd *c;
    const char *name = e->name;

    assert(cmds_len < SN_ACL_COMMANDS_MAX);
    c = &cmds[cmds_len];
    memset(c, 0, sizeof(*c));
    c->e = e;
    c->parent = parent;
    for (int i = 0; i < CATEGORIES_LEN; i++) {
        char at[32];

        snprintf(at, sizeof(at), "@%s", sn_acl_categories[i]);
        if (e->categories != NULL && has_word(e->categories, at))
            c->cats |= 1u << i;
    }
    c->no_auth = e->flags != NULL && has_word(e->flags, "no_auth");
    if (strcmp(name, "publish") == 0 || strcmp(name, "spublish") == 0)
        c->chan = SN_CHAN_PUBLISH;
    else if (strcmp(name, "subscribe") == 0 ||
             strcmp(name, "ssubscribe") == 0)
        c->chan = SN_CHAN_SUBSCRIBE;
    else if (strcmp(name, "psubscribe") == 0)
        c->chan = SN_CHAN_PSUBSCRIBE;
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

const struct sn_acl_cmd *
sn_acl_universe(int *len)
{
    universe_build();
    if (len != NULL)
        *len = cmds_len;
    return cmds;
}

static int
top_find(const char *name, size_t len)
{
    for (int i = 0; i < cmds_len; i++) {
        const char *n = cmds[i].e->name;

        if (cmds[i].parent < 0 && strncasecmp(n, name, len) == 0 &&
            n[len] == '\0')
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

        if (strncasecmp(n, sub, len) == 0 && n[len] == '\0')
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
int
sn_acl_cmd_resolve(int argc, char **argv)
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

static void
selector_init(struct sn_acl_selector *s, bool allchannels)
{
    memset(s, 0, sizeof(*s));
    s->allchannels = allchannels;
}

static void
keys_clear(struct sn_acl_selector *s)
{
    for (int i = 0; i < s->keys_len; i++)
        free(s->keys[i].pattern);
    free(s->keys);
    s->keys = NULL;
    s->keys_len = 0;
}

static void
channels_clear(struct sn_acl_selector *s)
{
    for (int i = 0; i < s->channels_len; i++)
        free(s->channels[i]);
    free(s->channels);
    s->channels = NULL;
    s->channels_len = 0;
}

static void
firstargs_clear(struct sn_acl_selector *s)
{
    for (int i = 0; i < s->firstargs_len; i++)
        free(s->firstargs[i].arg);
    free(s->firstargs);
    s->firstargs = NULL;
    s->firstargs_len = 0;
}

static void
selector_free(struct sn_acl_selector *s)
{
    keys_clear(s);
    channels_clear(s);
    firstargs_clear(s);
}

static void
selector_copy(struct sn_acl_selector *d, const struct sn_acl_selector *s)
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

/* Clearing a bit clears allcommands: each bit must be tested again. */
static void
bit_set(struct sn_acl_selector *s, int id, bool on)
{
    if (on) {
        s->allowed[id / 64] |= UINT64_C(1) << (id % 64);
    } else {
        s->allowed[id / 64] &= ~(UINT64_C(1) << (id % 64));
        s->allcommands = false;
    }
}

static void
firstargs_reset(struct sn_acl_selector *s, int id)
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
firstarg_add(struct sn_acl_selector *s, int id, const char *arg)
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
perm_change(struct sn_acl_selector *s, int id, bool allow)
{
    bit_set(s, id, allow);
    firstargs_reset(s, id);
    for (int i = 0; i < cmds[id].subs_len; i++)
        bit_set(s, cmds[id].subs_first + i, allow);
}

static void
category_change(struct sn_acl_selector *s, int cat, bool allow)
{
    for (int i = 0; i < cmds_len; i++)
        if (cmds[i].cats & (1u << cat))
            perm_change(s, i, allow);
}

static void
commands_all(struct sn_acl_selector *s, bool allow)
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
    [RULE_NO_HASHER] = SN_ACL_ERR_NO_HASHER,
    [RULE_TOO_LONG] = "Patterns and first arguments are limited to 100 "
        "bytes",
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
key_rule(struct sn_acl_selector *s, const char *op, size_t len)
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
channel_rule(struct sn_acl_selector *s, const char *op, size_t len)
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
allow_with_bar(struct sn_acl_selector *s, const char *name)
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
command_rule(struct sn_acl_selector *s, const char *op)
{
    int id;

    if (op[1] == '@') {
        int cat = sn_acl_category_find(op + 2);

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
selector_rule(struct sn_acl_selector *s, const char *op, size_t len)
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

/* A new user, as ACLCreateUser makes it: off, no password, no rights. */
struct sn_acl_user *
sn_acl_user_new(const char *name, bool allchannels)
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

void
sn_acl_user_free(struct sn_acl_user *u)
{
    if (u == NULL)
        return;
    user_clear(u);
    free(u->name);
    free(u);
}

/* Give dst the rules of src; dst keeps its name (ACLCopyUser), and its
 * address, which clients hold. */
void
sn_acl_user_copy_rules(struct sn_acl_user *dst,
                       const struct sn_acl_user *src)
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

struct sn_acl_user *
sn_acl_user_dup(const struct sn_acl_user *src)
{
    struct sn_acl_user *u = sn_calloc(1, sizeof(*u));

    u->name = sn_strdup(src->name);
    sn_acl_user_copy_rules(u, src);
    return u;
}

void
sn_acl_hex_encode(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

bool
sn_acl_hash_password(const char *pass, size_t len,
                     char out[SN_ACL_HASH_LEN + 1])
{
    unsigned char digest[32];

    if (hasher == NULL)
        return false;
    hasher(pass, len, digest);
    sn_acl_hex_encode(digest, sizeof(digest), out);
    return true;
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

void
sn_acl_password_add(struct sn_acl_user *u,
                    const char hex[SN_ACL_HASH_LEN + 1])
{
    if (password_find(u, hex) >= 0)
        return;
    u->passwords = sn_realloc(u->passwords, (size_t)(u->passwords_len + 1) *
                              sizeof(*u->passwords));
    memcpy(u->passwords[u->passwords_len++], hex, SN_ACL_HASH_LEN + 1);
}

static void
passwords_clear(struct sn_acl_user *u)
{
    free(u->passwords);
    u->passwords = NULL;
    u->passwords_len = 0;
}

/* >pass #hash <pass !hash */
static enum rule_error
password_rule(struct sn_acl_user *u, const char *op, size_t len,
              const struct sn_acl_rules *r)
{
    char hex[SN_ACL_HASH_LEN + 1];
    bool add = op[0] == '>' || op[0] == '#';
    int i;

    if (op[0] == '#' || op[0] == '!') {
        if (!hash_valid(op + 1, len - 1))
            return RULE_BAD_HASH;
        memcpy(hex, op + 1, SN_ACL_HASH_LEN);
        hex[SN_ACL_HASH_LEN] = '\0';
    } else if (sn_acl_hash_password(op + 1, len - 1, hex)) {
        /* Hashed: only the hash is kept. */
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
        sn_acl_password_add(u, hex);
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
                                 size_t len, const struct sn_acl_rules *r);

/* (rule rule ...): a new selector, split with Redis's rules. */
static enum rule_error
selector_group(struct sn_acl_user *u, const char *op, size_t len,
               const struct sn_acl_rules *r)
{
    char *inner = sn_strndup(op + 1, len - 2);
    struct sn_acl_selector s;
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
void
sn_acl_user_reset(struct sn_acl_user *u, const struct sn_acl_rules *r)
{
    struct sn_acl_selector *root = &u->selectors[0];

    u->nopass = false;
    passwords_clear(u);
    root->allkeys = false;
    keys_clear(root);
    root->allchannels = r->allchannels;
    channels_clear(root);
    u->state = SN_USER_OFF;
    u->sanitize = SN_SANITIZE_YES;
    selectors_clear_extra(u);
    commands_all(root, false);
}

/* ACLSetUser: apply one rule of len bytes (op[len] is a NUL). */
static enum rule_error
user_rule(struct sn_acl_user *u, const char *op, size_t len,
          const struct sn_acl_rules *r)
{
    if (len == 0)
        return RULE_OK;
    if (op[0] == '>' || op[0] == '<' || op[0] == '#' || op[0] == '!')
        return password_rule(u, op, len, r);
    if (memchr(op, '\0', len) != NULL)
        return RULE_SYNTAX;
    if (op_is(op, len, "on")) {
        u->state = SN_USER_ON;
    } else if (op_is(op, len, "off")) {
        u->state = SN_USER_OFF;
    } else if (op_is(op, len, "skip-sanitize-payload")) {
        u->sanitize = SN_SANITIZE_SKIP;
    } else if (op_is(op, len, "sanitize-payload")) {
        u->sanitize = SN_SANITIZE_YES;
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
        sn_acl_user_reset(u, r);
    } else {
        return selector_rule(&u->selectors[0], op, len);
    }
    return RULE_OK;
}

/* A rule that cannot fail, such as the built-in users' (a failure is a
 * programmer error). */
void
sn_acl_user_apply_builtin(struct sn_acl_user *u, const char *op,
                          const struct sn_acl_rules *r)
{
    enum rule_error rc = user_rule(u, op, strlen(op), r);

    assert(rc == RULE_OK);
    (void)rc;
}

/* ---------------------------------------------------------------------
 * Describing (ACLDescribeUser)
 * ------------------------------------------------------------------- */

static void
category_count(const struct sn_acl_selector *s, int cat, unsigned long *on,
               unsigned long *off)
{
    *on = *off = 0;
    for (int i = 0; i < cmds_len; i++) {
        if (!(cmds[i].cats & (1u << cat)))
            continue;
        if (sn_acl_bit_get(s, i))
            (*on)++;
        else
            (*off)++;
    }
}

/* The category that best moves `fake` towards the user: more commands in
 * common than different, then the fewest differences, then the most in
 * common; the first in Redis's order on a tie. -1 if none fits. */
static int
category_best(const struct sn_acl_selector *temp, bool additive,
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
void
sn_acl_describe_commands(const struct sn_acl_selector *s, struct sn_buf *b)
{
    struct sn_acl_selector fake, temp;
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
        sn_buf_printf(b, "%c@%s ", additive ? '+' : '-',
                      sn_acl_categories[best]);
        applied[best] = true;
    }
    for (int i = 0; i < cmds_len; i++) {
        bool mine = sn_acl_bit_get(s, i);

        if (mine != sn_acl_bit_get(&fake, i)) {
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

void
sn_acl_describe_key(struct sn_buf *b, const struct sn_acl_key *k)
{
    sn_buf_puts(b, k->perms == KEY_ALL    ? "~"
                   : k->perms == KEY_READ ? "%R~"
                                          : "%W~");
    sn_buf_puts(b, k->pattern);
}

/* ACLDescribeSelector: keys, channels, commands. */
static void
describe_selector(const struct sn_acl_selector *s, struct sn_buf *b)
{
    if (s->allkeys) {
        sn_buf_puts(b, "~* ");
    } else {
        for (int i = 0; i < s->keys_len; i++) {
            sn_acl_describe_key(b, &s->keys[i]);
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
    sn_acl_describe_commands(s, b);
}

static void
describe_user(const struct sn_acl_user *u, struct sn_buf *b)
{
    sn_buf_puts(b, u->state == SN_USER_ON ? "on " : "off ");
    if (u->nopass)
        sn_buf_puts(b, "nopass ");
    if (u->sanitize == SN_SANITIZE_SKIP)
        sn_buf_puts(b, "skip-sanitize-payload ");
    else if (u->sanitize == SN_SANITIZE_YES)
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

static void
words_push(struct sn_acl_words *w, char *s, size_t len)
{
    w->v = sn_realloc(w->v, (size_t)(w->len + 1) * sizeof(*w->v));
    w->v[w->len].s = s;
    w->v[w->len++].len = len;
}

void
sn_acl_words_free(struct sn_acl_words *w)
{
    for (int i = 0; i < w->len; i++) {
        /* A word may be a password: leave no copy behind. */
        memset(w->v[i].s, 0, w->v[i].len);
        free(w->v[i].s);
    }
    free(w->v);
    memset(w, 0, sizeof(*w));
}

size_t
sn_acl_arg_len(const size_t *argvlen, char **argv, int i)
{
    return argvlen != NULL ? argvlen[i] : strlen(argv[i]);
}

/* Join `(a b c)` spread over several arguments into one word. An
 * unclosed selector leaves w->open_at set and its words out. */
void
sn_acl_words_merge(struct sn_acl_words *w, int argc, char **argv,
                   const size_t *argvlen)
{
    struct sn_buf sel;

    memset(w, 0, sizeof(*w));
    w->open_at = -1;
    sn_buf_init(&sel);
    for (int i = 0; i < argc; i++) {
        const char *op = argv[i];
        size_t len = sn_acl_arg_len(argvlen, argv, i);
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
 * Applying a user's rules
 * ------------------------------------------------------------------- */

/* Apply the merged words to u. Returns 0, or -1 with Redis's message;
 * with `redact`, a password rule is shown without its password. */
int
sn_acl_user_apply_words(struct sn_acl_user *u, const struct sn_acl_words *w,
                        const struct sn_acl_rules *r, bool redact, char *err,
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
int
sn_acl_name_check(const char *name, size_t len, char *err, size_t errlen)
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
int
sn_acl_size_check(const struct sn_acl_user *u, char *err, size_t errlen)
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
    struct sn_acl_rules r = { .check_only = true };
    struct sn_acl_user *u;
    struct sn_acl_words w;
    int rc = 0;

    if (argc < 1) {
        snprintf(err, errlen, "a user needs a name");
        return -1;
    }
    if (sn_acl_name_check(argv[0], strlen(argv[0]), err, errlen) != 0)
        return -1;
    sn_acl_words_merge(&w, argc - 1, argv + 1, NULL);
    if (w.open_at >= 0 && !open_ok) {
        snprintf(err, errlen, "Unmatched parenthesis in acl selector "
                 "starting at '%s'.", argv[w.open_at + 1]);
        sn_acl_words_free(&w);
        return -1;
    }
    u = sn_acl_user_new(argv[0], false);
    if (sn_acl_user_apply_words(u, &w, &r, true, err, errlen) != 0 ||
        sn_acl_size_check(u, err, errlen) != 0)
        rc = -1;
    sn_acl_user_free(u);
    sn_acl_words_free(&w);
    return rc;
}
