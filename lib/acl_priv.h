/*
 * acl_priv.h: what the ACL modules share and nothing else sees.
 *
 * The split:
 *   acl_rules.c  what a user is: the command universe and its categories,
 *                selectors, the rules that change them, passwords, the
 *                canonical description.
 *   acl.c        the users a sentinel has: the set and its default user,
 *                their config lines (load and rewrite), authentication,
 *                permission checks.
 *   acl_cmd.c    the ACL LOG and the ACL command.
 */
#ifndef SN_ACL_PRIV_H
#define SN_ACL_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acl.h"
#include "cmdtable.h"
#include "config.h"
#include "util.h"

#define SN_ACL_COMMANDS_MAX     512     /* commands and subcommands of the
                                           table */
#define SN_ACL_COMMAND_WORDS    (SN_ACL_COMMANDS_MAX / 64)

/* ---------------------------------------------------------------------
 * The command universe (acl_rules.c)
 * ------------------------------------------------------------------- */

enum sn_acl_chan {
    SN_CHAN_NONE = 0,
    SN_CHAN_PUBLISH,            /* argv[1] is a channel */
    SN_CHAN_SUBSCRIBE,          /* argv[1..] are channels */
    SN_CHAN_PSUBSCRIBE,         /* argv[1..] are patterns */
};

/* One command or subcommand of the table; its index is its bit in a
 * selector. */
struct sn_acl_cmd {
    const struct sn_cmd_entry *e;   /* e->name is the full name */
    int parent;                 /* the container's index, or -1 */
    int subs_first;             /* a container's subcommands */
    int subs_len;
    uint32_t cats;              /* bit i: sn_acl_categories[i] */
    bool no_auth;
    enum sn_acl_chan chan;
};

/* The categories, in Redis's order (ACL CAT). */
extern const char *const sn_acl_categories[];
extern const int sn_acl_categories_len;

/* The category's index, case-insensitively, or -1. */
int sn_acl_category_find(const char *name);

/* The table's commands and subcommands, in its order, built on first use;
 * *len (if len is not NULL) is set to their count. */
const struct sn_acl_cmd *sn_acl_universe(int *len);

/* The index of the command argv runs: a container's subcommand when argv
 * has a second word, or -1 if the table has no such command. */
int sn_acl_cmd_resolve(int argc, char **argv);

/* ---------------------------------------------------------------------
 * Selectors and users (acl_rules.c)
 * ------------------------------------------------------------------- */

struct sn_acl_key {
    char *pattern;
    unsigned perms;             /* enum key_perm bits (acl_rules.c) */
};

struct sn_acl_firstarg {
    int cmd;
    char *arg;
};

/* One set of permissions: the root one of a user, or a `(...)`. */
struct sn_acl_selector {
    bool allkeys;
    bool allchannels;
    bool allcommands;           /* no bit needs checking */
    bool future;                /* +@all was the base: Redis's reserved
                                   bit, which decides how the rules are
                                   described */
    uint64_t allowed[SN_ACL_COMMAND_WORDS];
    struct sn_acl_key *keys;
    int keys_len;
    char **channels;
    int channels_len;
    struct sn_acl_firstarg *firstargs;
    int firstargs_len;
};

/* Is command `id` allowed by its bit (first arguments aside)? */
static inline bool
sn_acl_bit_get(const struct sn_acl_selector *s, int id)
{
    return (s->allowed[id / 64] >> (id % 64)) & 1;
}

/* How rules are applied. */
struct sn_acl_rules {
    bool allchannels;           /* acl-pubsub-default */
    bool check_only;            /* no hasher: passwords are not hashed */
};

enum sn_acl_user_state {
    SN_USER_OFF = 0,
    SN_USER_ON,
};

enum sn_acl_sanitize {
    SN_SANITIZE_UNSET = 0,      /* neither flag: a user never reset */
    SN_SANITIZE_YES,            /* sanitize-payload */
    SN_SANITIZE_SKIP,           /* skip-sanitize-payload */
};

struct sn_acl_user {
    char *name;
    enum sn_acl_user_state state;
    bool nopass;
    enum sn_acl_sanitize sanitize;
    char (*passwords)[SN_ACL_HASH_LEN + 1];
    int passwords_len;
    struct sn_acl_selector *selectors;  /* [0] is the root selector */
    int selectors_len;
};

/* A new user, as ACLCreateUser makes it: off, no password, no rights. */
struct sn_acl_user *sn_acl_user_new(const char *name, bool allchannels);
void sn_acl_user_free(struct sn_acl_user *u);
struct sn_acl_user *sn_acl_user_dup(const struct sn_acl_user *src);
/* Give dst the rules of src; dst keeps its name (ACLCopyUser), and its
 * address, which clients hold. */
void sn_acl_user_copy_rules(struct sn_acl_user *dst,
                            const struct sn_acl_user *src);
/* `reset`: back to a new user's state, sanitize-payload set. */
void sn_acl_user_reset(struct sn_acl_user *u, const struct sn_acl_rules *r);
/* Apply a rule that cannot fail, such as the built-in users' (a failure
 * is a programmer error: an assertion). */
void sn_acl_user_apply_builtin(struct sn_acl_user *u, const char *op,
                               const struct sn_acl_rules *r);
/* Add a hashed password (lower-case hex), unless u has it already. */
void sn_acl_password_add(struct sn_acl_user *u,
                         const char hex[SN_ACL_HASH_LEN + 1]);

/* Why a password cannot be hashed: sn_acl_set_hasher() was not called. */
#define SN_ACL_ERR_NO_HASHER    "no SHA-256 function set"

/* Hash a password with the daemon's SHA-256 (sn_acl_set_hasher) into
 * lower-case hex. Returns false, out untouched, when no hasher is set. */
bool sn_acl_hash_password(const char *pass, size_t len,
                          char out[SN_ACL_HASH_LEN + 1]);
/* n bytes as 2n lower-case hex digits and a NUL. */
void sn_acl_hex_encode(const unsigned char *p, size_t n, char *out);

/* ACLDescribeSelectorCommandRules, appended to b. */
void sn_acl_describe_commands(const struct sn_acl_selector *s,
                              struct sn_buf *b);
/* One key pattern as a rule: ~p, %R~p or %W~p. */
void sn_acl_describe_key(struct sn_buf *b, const struct sn_acl_key *k);

/* ---------------------------------------------------------------------
 * Rule words (acl_rules.c)
 * ------------------------------------------------------------------- */

struct sn_acl_word {
    char *s;                    /* NUL-terminated, may hold NUL bytes */
    size_t len;
};

struct sn_acl_words {
    struct sn_acl_word *v;
    int len;
    int open_at;                /* the argument opening an unclosed
                                   selector, or -1 */
};

/* argv[i]'s length: argvlen[i], or strlen() without argvlen. */
size_t sn_acl_arg_len(const size_t *argvlen, char **argv, int i);

/* Join `(a b c)` spread over several arguments into one word. An
 * unclosed selector leaves w->open_at set and its words out. Free with
 * sn_acl_words_free(), which wipes the words (passwords) first. */
void sn_acl_words_merge(struct sn_acl_words *w, int argc, char **argv,
                        const size_t *argvlen);
void sn_acl_words_free(struct sn_acl_words *w);

/* Apply the merged words to u. Returns 0, or -1 with Redis's message;
 * with `redact`, a password rule is shown without its password. */
int sn_acl_user_apply_words(struct sn_acl_user *u,
                            const struct sn_acl_words *w,
                            const struct sn_acl_rules *r, bool redact,
                            char *err, size_t errlen);
/* A user name: no spaces or NUL bytes (ACLStringHasSpaces), and short.
 * Returns 0, or -1 with a message. */
int sn_acl_name_check(const char *name, size_t len, char *err,
                      size_t errlen);
/* A description that a config line can carry: 0, or -1 with a message. */
int sn_acl_size_check(const struct sn_acl_user *u, char *err,
                      size_t errlen);

/* ---------------------------------------------------------------------
 * The set of users (acl.c)
 * ------------------------------------------------------------------- */

struct sn_acl {
    struct sn_acl_user **users;     /* sorted by name, as Redis's rax */
    int users_len;
    struct sn_acl_user *default_user;
    bool pubsub_allchannels;
    struct sn_acl_log_entry *log;   /* newest first (acl_cmd.c) */
    int log_len;
    int log_max;
};

/* The index of the user named `name` in acl->users, or -1. */
int sn_acl_user_index(const struct sn_acl *acl, const char *name);
/* Add u (whose name is not taken) in name order; acl owns it then. */
void sn_acl_user_insert(struct sn_acl *acl, struct sn_acl_user *u);

/* ACLCheckAllUserCommandPerm for command `id` (sn_acl_cmd_resolve): any
 * selector may allow; otherwise the highest reason, and of equal ones the
 * latest argument, whose index goes to *pos. */
enum sn_acl_reason sn_acl_user_check(const struct sn_acl_user *u, int id,
                                     int argc, char **argv,
                                     const size_t *argvlen, int *pos);

/* ---------------------------------------------------------------------
 * The ACL LOG (acl_cmd.c)
 * ------------------------------------------------------------------- */

/* Drop every entry (ACL LOG RESET, and on sn_acl_free). */
void sn_acl_log_clear(struct sn_acl *acl);

#endif /* SN_ACL_PRIV_H */
