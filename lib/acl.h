/*
 * acl.h: ACL users as a Redis 7.0 sentinel has them, sans I/O.
 *
 * The model is Redis's (acl.c of 7.0): every user has a name, on or off,
 * a set of SHA-256 password hashes or `nopass`, and a root selector of
 * command, key and channel permissions, plus optional extra selectors
 * `(...)`. Rules are Redis's ACL SETUSER words:
 *
 *     on off nopass resetpass >pass <pass #hash !hash reset
 *     ~pattern %R~pattern %W~pattern allkeys resetkeys
 *     &pattern allchannels resetchannels
 *     +cmd -cmd +cmd|sub -cmd|sub +cmd|firstarg +@cat -@cat
 *     allcommands nocommands (selector rules) clearselectors
 *     sanitize-payload skip-sanitize-payload
 *
 * Commands and categories come from the command table (cmdtable.h), so a
 * rule names only commands a sentinel has (`+get` is an unknown command,
 * as in a Redis sentinel). New users and selectors start with no channels
 * (Redis 7's acl-pubsub-default resetchannels) unless
 * sn_acl_set_pubsub_default() says otherwise.
 *
 * Passwords: lib/ links no crypto library, so the daemon hands in its
 * SHA-256 (sn_acl_set_hasher). A password is hashed as soon as a rule is
 * parsed; only the hex hash is kept, and error messages that would echo a
 * `>password` or `<password` rule name it without its text.
 *
 * The daemon wires it so:
 *   start-up      sn_acl_set_hasher(sn_crypto_sha256); load the config
 *                 (the loaders check `user` lines with
 *                 sn_acl_check_user_rules); acl = sn_acl_new();
 *                 sn_acl_load(acl, cfg, ...);
 *   connection    client->user = sn_acl_default_user(acl);
 *                 client->authenticated = !sn_acl_auth_required(acl);
 *   each command  if (!authenticated && sn_acl_auth_required(acl) &&
 *                     the command is not no_auth) reply SN_ACL_ERR_NOAUTH;
 *                 else if (sn_acl_check_command(user, ...) != SN_ACL_OK)
 *                     sn_acl_log_denied(...), reply the denial's text;
 *   AUTH          sn_acl_auth_command(); HELLO ... AUTH u p:
 *                 sn_acl_authenticate(), on NULL sn_acl_log_denied(AUTH)
 *                 and reply SN_ACL_ERR_WRONGPASS;
 *   ACL ...       sn_acl_exec(), then act on its effects (close clients of
 *                 deleted users, persist with sn_acl_save_to_config and a
 *                 config rewrite).
 */
#ifndef SN_ACL_H
#define SN_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "resp.h"

/* Limits (they belong with the others in sn_limits.h). */
#define SN_ACL_USERS_MAX        10000   /* users, the default included */
#define SN_ACL_NAME_MAX         64      /* a user name, in bytes */
#define SN_ACL_PATTERN_MAX      100     /* a key or channel pattern, a
                                           first argument: so that any rule
                                           fits on one 196-byte INI line */
#define SN_ACL_RULES_MAX        1024    /* words of one user's description:
                                           a config line's user rules */
#define SN_ACL_LOG_LEN_DEFAULT  128     /* Redis's acllog-max-len */
#define SN_ACL_HASH_LEN         64      /* SHA-256 in lower-case hex */
#define SN_ACL_GENPASS_BITS_MAX 4096
/* Random bytes ACL GENPASS needs at most (two hex digits per byte). */
#define SN_ACL_GENPASS_BYTES    (SN_ACL_GENPASS_BITS_MAX / 8)

/* Replies the server sends around authentication, as Redis 7.0 words
 * them (without the leading '-'). */
#define SN_ACL_ERR_NOAUTH       "NOAUTH Authentication required."
#define SN_ACL_ERR_WRONGPASS \
    "WRONGPASS invalid username-password pair or user is disabled."
#define SN_ACL_ERR_AUTH_NOPASS \
    "ERR AUTH <password> called without any password configured for " \
    "the default user. Are you sure your configuration is correct?"
#define SN_ACL_ERR_HELLO_NOAUTH \
    "NOAUTH HELLO must be called with the client already authenticated, " \
    "otherwise the HELLO AUTH <user> <pass> option can be used to " \
    "authenticate the client and select the RESP protocol version at the " \
    "same time"

/* SHA-256 of len bytes into out[32]. It must not fail. */
typedef void (*sn_acl_hash_fn)(const void *data, size_t len,
                               unsigned char out[32]);

/* Set the SHA-256 function for the whole process (sentinel/crypto.c has
 * one). Until it is set, a `>password` or `<password` rule is refused
 * ("no SHA-256 function set") everywhere but in sn_acl_check_user_rules,
 * which then checks only the syntax of such rules. */
void sn_acl_set_hasher(sn_acl_hash_fn fn);

struct sn_acl;
struct sn_acl_user;

/* Why a command or a login was refused; the values and names are those
 * of Redis's ACL LOG. */
enum sn_acl_reason {
    SN_ACL_OK = 0,
    SN_ACL_DENIED_COMMAND,      /* "command" */
    SN_ACL_DENIED_KEY,          /* "key": no sentinel command has keys */
    SN_ACL_DENIED_AUTH,         /* "auth" */
    SN_ACL_DENIED_CHANNEL,      /* "channel" */
};

/* ---------------------------------------------------------------------
 * The users
 * ------------------------------------------------------------------- */

/* A set of users holding only the default one (`on nopass ~* &* +@all`)
 * and an empty ACL LOG. Never fails. */
struct sn_acl *sn_acl_new(void);

/* Free the set, its users and its log. Pointers to its users die. */
void sn_acl_free(struct sn_acl *acl);

/* The channels of a new user or selector, and of a user after `reset`:
 * Redis's acl-pubsub-default (false: resetchannels, Redis 7's default;
 * true: allchannels). Set it before sn_acl_load. */
void sn_acl_set_pubsub_default(struct sn_acl *acl, bool allchannels);

/* How many ACL LOG entries are kept (Redis's acllog-max-len, default
 * SN_ACL_LOG_LEN_DEFAULT); older ones are dropped at once. */
void sn_acl_set_log_max(struct sn_acl *acl, int max);

/* Replace the users with those of `c`, as Redis builds them at start-up:
 * the default user `on nopass ~* &* +@all`; requirepass, if set, becomes
 * its only password; then every `user` entry of c->users in order (a
 * `user default` entry resets the default user first). Meant for
 * start-up, before any client holds a user: the old users are freed.
 * Returns 0, or -1 with a message in err (the users are then unchanged);
 * a config that loaded cleanly never fails here. */
int sn_acl_load(struct sn_acl *acl, const struct sn_config *c, char *err,
                size_t errlen);

/* Put the users into c->users for a config rewrite, in the canonical form
 * ACL LIST shows without the `user ` word ("alice on #<hash> resetchannels
 * -@all +ping"). An entry c->users already holds keeps its place, and its
 * very text when it still describes the same user and holds no plain-text
 * password (so a hand-written line survives a rewrite byte for byte); new
 * users follow in name order. The default user is written only if c->users
 * had it or it differs from what requirepass alone makes of it. */
void sn_acl_save_to_config(const struct sn_acl *acl, struct sn_config *c);

/* Check one user as a config file gives it: argv[0] the name, then its
 * rules (Redis's split words; a selector may span words). With
 * `open_ok`, a selector left open at the end is not an error (an INI user
 * continues on its next `user` line); its words are then unchecked.
 * Returns 0, or -1 with a message that names the rule and why, as Redis
 * 7.0 says it ("Error in ACL SETUSER modifier '+get': Unknown command or
 * category name in ACL"), passwords not shown. */
int sn_acl_check_user_rules(int argc, char **argv, bool open_ok, char *err,
                            size_t errlen);

/* The user called `name` (exact bytes), or NULL. */
const struct sn_acl_user *sn_acl_find_user(const struct sn_acl *acl,
                                           const char *name);
const struct sn_acl_user *sn_acl_default_user(const struct sn_acl *acl);
const char *sn_acl_user_name(const struct sn_acl_user *u);

/* Must a new connection authenticate before it runs a command that is not
 * no_auth? True when the default user is off or has no `nopass`. Ask
 * before every command: an ACL SETUSER default may change the answer, for
 * clients already connected too, as in Redis. */
bool sn_acl_auth_required(const struct sn_acl *acl);

/* ---------------------------------------------------------------------
 * Authentication
 * ------------------------------------------------------------------- */

/* The user `user` if it exists, is on, and is `nopass` or has the
 * password (passlen bytes; compared by hash in constant time). NULL means
 * WRONGPASS; nothing is logged (see sn_acl_log_denied). */
const struct sn_acl_user *sn_acl_authenticate(const struct sn_acl *acl,
                                              const char *user,
                                              const char *pass,
                                              size_t passlen);

/* AUTH [username] password (argv[0] is "AUTH", argc >= 2 by arity), as
 * Redis 7.0 answers it: +OK and the user, who becomes the client's user
 * (the client is then authenticated); or an error (AUTH <password>
 * without a password configured, WRONGPASS, ERR syntax error), an `auth`
 * entry in the ACL LOG for a failed login, and NULL. */
const struct sn_acl_user *sn_acl_auth_command(struct sn_acl *acl,
                                              struct sn_resp_writer *w,
                                              int argc, char **argv,
                                              const size_t *argvlen,
                                              const char *client_info,
                                              int64_t now_ms);

/* ---------------------------------------------------------------------
 * Permission checks
 * ------------------------------------------------------------------- */

/* Why a command was refused: the reply and the ACL LOG's object. */
struct sn_acl_denial {
    enum sn_acl_reason reason;
    const char *object;         /* the command's full name
                                   ("sentinel|masters", static), or the
                                   channel argument (points into argv) */
    size_t object_len;
    char error[160];            /* the reply, without '-': "NOPERM this
                                   user has no permissions to run the
                                   'sentinel|masters' command" */
};

/* May `u` run argv (argc >= 1, arity already checked; argvlen may be
 * NULL for C strings)? argv[0] must be a command of the table, and for a
 * container argv[1] one of its subcommands (the server answers unknown
 * commands first); the check is Redis's: the command bit or a first
 * argument rule, no_auth commands always pass, then the channels of
 * PUBLISH, SUBSCRIBE and PSUBSCRIBE (patterns literally). A NULL user may
 * run anything. Returns SN_ACL_OK, or SN_ACL_DENIED_COMMAND or
 * SN_ACL_DENIED_CHANNEL with *d filled in. */
enum sn_acl_reason sn_acl_check_command(const struct sn_acl_user *u,
                                        int argc, char **argv,
                                        const size_t *argvlen,
                                        struct sn_acl_denial *d);

/* May `u` use `channel` (len bytes)? is_pattern: a PSUBSCRIBE pattern,
 * matched literally against the user's patterns. For re-checking the
 * subscriptions of a user's pub/sub clients after an ACL SETUSER. */
bool sn_acl_check_channel(const struct sn_acl_user *u, const char *channel,
                          size_t len, bool is_pattern);

/* Add an entry to the ACL LOG (newest first; an entry like one of the
 * last ten, same reason, object and user, within 60 s, is counted there
 * instead). object: the denial's object, or for SN_ACL_DENIED_AUTH the
 * command as the client typed it ("auth", "HELLO"); username: the client's
 * user, or for AUTH the name it tried; client_info: the client's CLIENT
 * LIST line; now_ms: any clock, the same one for sn_acl_exec. */
void sn_acl_log_denied(struct sn_acl *acl, enum sn_acl_reason reason,
                       const char *object, size_t object_len,
                       const char *username, const char *client_info,
                       int64_t now_ms);

/* ---------------------------------------------------------------------
 * The ACL command
 * ------------------------------------------------------------------- */

/* What the caller provides for an ACL command. */
struct sn_acl_env {
    const struct sn_acl_user *user;     /* the client's (ACL WHOAMI) */
    int64_t now_ms;                     /* ACL LOG ages */
    const unsigned char *random;        /* ACL GENPASS: fresh bytes from
                                           the OS, SN_ACL_GENPASS_BYTES of
                                           them (only GENPASS reads them) */
    size_t random_len;
};

/* What an ACL command did that the server must act upon. */
struct sn_acl_effects {
    bool changed;               /* users changed: persist them
                                   (sn_acl_save_to_config, rewrite) */
    struct sn_acl_user **removed;       /* ACL DELUSER: close every client
                                           of these users (the current one
                                           after its reply), then
                                           sn_acl_effects_free() */
    int removed_len;
    const struct sn_acl_user **narrowed;    /* ACL SETUSER took channels
                                               away: close the pub/sub
                                               clients of these users whose
                                               subscriptions
                                               sn_acl_check_channel no
                                               longer allows */
    int narrowed_len;
};

/* Run ACL <subcommand> ... (argv[0] is "ACL"; argc >= 2 by arity) and
 * write its reply, as Redis 7.0 does in a sentinel: SETUSER, DELUSER,
 * GETUSER, LIST, USERS, WHOAMI, CAT, LOG [count|RESET], GENPASS [bits],
 * DRYRUN, HELP; LOAD and SAVE say there is no ACL file. *fx is
 * initialised here; free it with sn_acl_effects_free once acted upon. */
void sn_acl_exec(struct sn_acl *acl, struct sn_resp_writer *w, int argc,
                 char **argv, const size_t *argvlen,
                 const struct sn_acl_env *env, struct sn_acl_effects *fx);

/* Free the deleted users and the lists. */
void sn_acl_effects_free(struct sn_acl_effects *fx);

/* The canonical description of `u`, as ACL LIST shows it after
 * "user <name> ". A malloc'd string. */
char *sn_acl_describe_user(const struct sn_acl_user *u);

#endif /* SN_ACL_H */
