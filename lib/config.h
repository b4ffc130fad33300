/*
 * config.h: the sentinel's configuration model, its loaders and rewriters.
 *
 * One model, two file formats:
 *   - INI (ours): `[sentinel]` holds the process settings, every other
 *     section is one monitored master named by the section; keys are Redis's
 *     directive names (config_ini.c, parsed with inih).
 *   - Redis-style `sentinel.conf` (drop-in): `port 26379`,
 *     `sentinel monitor mymaster 127.0.0.1 6379 2`, Redis's tokenizer
 *     (config_redis.c).
 * The format is recognised by shape: an INI file's first significant line
 * is a `[section]` header.
 *
 * Both loaders feed the same setters (sn_config_set_process,
 * sn_config_set_master), so validation and defaults are written once
 * (config.c). Both keep the file's lines, so a rewrite keeps the user's
 * comments, blank lines and order, updates managed keys in place and appends
 * new state (sn_config_rewrite).
 *
 * lib/ opens no files: the caller reads the file and passes its bytes, and
 * writes the bytes a rewrite returns (sentinel/persist.c does it atomically).
 */
#ifndef SN_CONFIG_H
#define SN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sn_limits.h"

enum sn_config_format {
    SN_CONFIG_FORMAT_INI = 0,
    SN_CONFIG_FORMAT_REDIS,
};

enum sn_loglevel {
    SN_LOG_DEBUG = 0,
    SN_LOG_VERBOSE,
    SN_LOG_NOTICE,
    SN_LOG_WARNING,
    SN_LOG_NOTHING,
};

/* Defaults, as Redis has them for a sentinel. */
#define SN_DEFAULT_PORT                 26379
#define SN_DEFAULT_DOWN_AFTER_MS        30000
#define SN_DEFAULT_FAILOVER_TIMEOUT_MS  180000
#define SN_DEFAULT_PARALLEL_SYNCS       1
#define SN_DEFAULT_MAXCLIENTS           10000
#define SN_DEFAULT_SYSLOG_IDENT         "redis"
#define SN_DEFAULT_SYSLOG_FACILITY      "local0"
#define SN_DEFAULT_LOGLEVEL             SN_LOG_NOTICE

struct sn_config_rename {
    char *from;                 /* the command as Redis knows it, lower case */
    char *to;                   /* what the monitored server calls it */
};

struct sn_config_replica {
    char *host;
    int port;
};

struct sn_config_peer {
    char *host;
    int port;
    char runid[SN_RUNID_LEN + 1];
};

struct sn_config_master {
    char *name;
    char *host;                 /* current address: updated on switch-master */
    int port;
    int quorum;
    int64_t down_after_ms;
    int64_t failover_timeout_ms;
    int parallel_syncs;
    char *auth_pass;            /* NULL when unset */
    char *auth_user;
    char *notification_script;
    char *client_reconfig_script;
    int64_t master_reboot_down_after_period_ms;   /* 0 = off */
    uint64_t config_epoch;
    uint64_t leader_epoch;
    char leader[SN_RUNID_LEN + 1];  /* run id voted for in leader_epoch, "" if none */

    struct sn_config_rename *renames;
    int renames_len;
    struct sn_config_replica *replicas;     /* known-replica */
    int replicas_len;
    struct sn_config_peer *peers;           /* known-sentinel */
    int peers_len;

    /* Where the master was declared (its section header or its `sentinel
     * monitor` line), and where its scripts were set, for error messages
     * raised after loading (an unexecutable script, found by sentinel/). */
    int line;
    int notification_script_line;
    int client_reconfig_script_line;
};

struct sn_config_doc;           /* the file's lines, kept for rewrite */

struct sn_config {
    enum sn_config_format format;

    /* [sentinel]: the process. */
    int port;
    char **bind;                /* NULL-free array; none = all interfaces */
    int bind_len;
    bool protected_mode;        /* default no in a sentinel */
    bool daemonize;
    char *pidfile;
    char *logfile;              /* "" = standard output */
    enum sn_loglevel loglevel;
    bool syslog_enabled;
    char *syslog_ident;
    char *syslog_facility;
    char *dir;                  /* NULL = the working directory */
    char *requirepass;
    int maxclients;
    char *announce_ip;
    int announce_port;          /* 0 = the listening port */
    bool resolve_hostnames;
    bool announce_hostnames;
    bool deny_scripts_reconfig; /* default yes */
    char *sentinel_user;
    char *sentinel_pass;
    char myid[SN_RUNID_LEN + 1];    /* "" until generated */
    uint64_t current_epoch;

    /* ACL users, one entry per user: its name and rules as config words
     * in Redis's quoting, without the `user` keyword ("alice on #<hash>
     * resetchannels -@all +ping"). Checked by acl.c when loaded; built
     * into users by sn_acl_load, written back by sn_acl_save_to_config. */
    char **users;
    int users_len;

    struct sn_config_master *masters;
    int masters_len;

    struct sn_config_doc *doc;  /* NULL for a model built in memory */
};

/* Errors collected while loading: each message is complete, in the form
 * `file:line: what is wrong`. */
struct sn_config_errors {
    char **msgs;
    int len;
};

/* ---------------------------------------------------------------------
 * The model (config.c)
 * ------------------------------------------------------------------- */

/* Initialise `c` with Redis's defaults and no masters. Never fails. */
void sn_config_init(struct sn_config *c);

/* Free everything `c` owns (masters, strings, the document). `c` may be
 * initialised again afterwards. */
void sn_config_free(struct sn_config *c);

/* Deep copy of `src` into uninitialised `dst`, the document included.
 * Returns 0. */
int sn_config_copy(struct sn_config *dst, const struct sn_config *src);

/* Structural equality of two models (every setting and all state, not the
 * document or line numbers). Used by the load/rewrite/load tests. */
bool sn_config_equal(const struct sn_config *a, const struct sn_config *b);

/* Set one process directive. `key` is Redis's directive name (case-
 * insensitive); argv holds its arguments, already unquoted. Returns 0, or
 * -1 with a message (no file or line: the caller adds them) in err, for an
 * unknown key, a wrong argument count or an invalid value. */
int sn_config_set_process(struct sn_config *c, const char *key,
                          int argc, char **argv, char *err, size_t errlen);

/* Set one directive of master `name`. `monitor` creates the master
 * (argv: host port quorum); every other key needs it to exist already,
 * except that the loaders may queue lines that come before the monitor
 * line (Redis allows it) and apply them afterwards. Returns 0 or -1 with a
 * message in err, as above. */
int sn_config_set_master(struct sn_config *c, const char *name,
                         const char *key, int argc, char **argv,
                         char *err, size_t errlen);

/* Append a copy of a user entry (see struct sn_config), or drop every
 * entry. No check is made: the entry must come from acl.c. */
void sn_config_user_add(struct sn_config *c, const char *entry);
void sn_config_users_clear(struct sn_config *c);

/* The master called `name` (case-sensitive, as Redis), or NULL. */
struct sn_config_master *sn_config_master_find(const struct sn_config *c,
                                               const char *name);

/* Remove master `name` (SENTINEL REMOVE). Returns 0, or -1 if absent. */
int sn_config_master_remove(struct sn_config *c, const char *name);

/* Parse a yes/no value (case-insensitive). Returns 0 or 1, -1 if neither. */
int sn_config_yesno(const char *s);

/* The name of a log level as Redis spells it ("notice"), and the reverse
 * (-1 if unknown). */
const char *sn_config_loglevel_name(enum sn_loglevel l);
int sn_config_loglevel_parse(const char *s);

void sn_config_errors_add(struct sn_config_errors *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sn_config_errors_free(struct sn_config_errors *e);

/* ---------------------------------------------------------------------
 * Loading and rewriting (config_ini.c, config_redis.c)
 * ------------------------------------------------------------------- */

/* Guess the format of a file's text: INI if the first line that is neither
 * blank nor a comment is a `[section]` header, Redis otherwise. */
enum sn_config_format sn_config_detect(const char *text, size_t len);

/* Load `text` (len bytes, need not be NUL-terminated) into an initialised
 * `c`, in the format sn_config_detect() finds. `filename` is used only in
 * messages. Returns 0 on success. On failure returns -1 and adds every
 * error found (up to SN_CONFIG_ERRORS_MAX) to `errs`; `c` is then in an
 * unspecified but freeable state. Nothing is truncated: an over-long line,
 * section or key is an error. Whatever the format, `c->doc` keeps the lines
 * for sn_config_rewrite(). */
int sn_config_load(struct sn_config *c, const char *text, size_t len,
                   const char *filename, struct sn_config_errors *errs);

/* The two format-specific loaders behind sn_config_load(). */
int sn_config_load_ini(struct sn_config *c, const char *text, size_t len,
                       const char *filename, struct sn_config_errors *errs);
int sn_config_load_redis(struct sn_config *c, const char *text, size_t len,
                         const char *filename,
                         struct sn_config_errors *errs);

/* Serialise `c` back into the text of its file, in its own format, the way
 * Redis's CONFIG REWRITE does: the user's comments, blank lines and order
 * stay, managed keys are updated in place, new keys are appended (INI: at
 * the end of their section; new masters as new sections; Redis: after a
 * `# Generated by CONFIG REWRITE` line), keys that no longer apply are
 * removed. With no document (a model built in memory), a fresh file is
 * produced. Returns a malloc'd NUL-terminated string (*len set to its
 * length), never NULL. Loading the result gives an equal model. */
char *sn_config_rewrite(const struct sn_config *c, size_t *len);

/* The INI text equivalent of `c` (a Redis-style file being converted).
 * Lines of the original that cannot be carried over (server directives
 * that mean nothing to a sentinel) are reported in `warnings` as
 * `file:line: ...` messages. Returns a malloc'd string, never NULL. */
char *sn_config_to_ini(const struct sn_config *c, const char *filename,
                       struct sn_config_errors *warnings);

/* Quote `s` for a config value if it needs it (Redis's sdscatrepr rules:
 * double quotes, \n \r \t \a \b \" \\ and \xNN for other non-printable
 * bytes); otherwise a plain copy. Returns a malloc'd string. */
char *sn_config_quote(const char *s);

#endif /* SN_CONFIG_H */
