/*
 * config_priv.h: what the config modules share and nothing else sees.
 */
#ifndef SN_CONFIG_PRIV_H
#define SN_CONFIG_PRIV_H

#include <stdbool.h>

#include "config.h"

/* The file as it was loaded, kept so that a rewrite changes only what it
 * must. Lines are stored without their line ending; line i of the file is
 * lines[i - 1]. */
struct sn_config_doc {
    enum sn_config_format format;
    char *filename;
    char **lines;
    int lines_len;
    bool final_newline;         /* the file ended with a line ending */
    bool crlf;                  /* the file used CR LF line endings */
};

/* Split text into a new document (never fails; an empty text gives no
 * lines). */
struct sn_config_doc *sn_config_doc_new(enum sn_config_format format,
                                        const char *filename,
                                        const char *text, size_t len);
void sn_config_doc_free(struct sn_config_doc *d);
struct sn_config_doc *sn_config_doc_copy(const struct sn_config_doc *d);

/* Format-specific rewriters behind sn_config_rewrite(). */
char *sn_config_rewrite_ini(const struct sn_config *c, size_t *len);
char *sn_config_rewrite_redis(const struct sn_config *c, size_t *len);

/* Unquote a value written with Redis's rules (double quotes with escapes
 * \n \r \t \b \a \\ \" \xNN; single quotes with only \'). `s` must be one
 * whole quoted token. Returns a malloc'd string (*len set, it may hold NUL
 * bytes) or NULL if the quoting is unbalanced or followed by other bytes. */
char *sn_config_unquote(const char *s, size_t *len);

/* Split a Redis-style config line into arguments, with Redis's rules
 * (sdssplitargs): spaces separate, double and single quotes group, escapes
 * as above, a closing quote must be followed by a space or the end.
 * Returns the argument count (argv malloc'd, each argument malloc'd and
 * NUL-terminated) or -1 on unbalanced quotes. argc 0 for a blank line. */
int sn_config_split(const char *line, char ***argv);
void sn_config_argv_free(int argc, char **argv);

/* The INI values ("name rules...", without "user = ") of user entry
 * `entry` (struct sn_config's users): a user whose words do not fit one
 * 196-byte line goes on over several lines of the same name, which the
 * INI loader joins. Returns the count; *values is a malloc'd array of
 * malloc'd strings (sn_config_argv_free frees it). */
int sn_config_user_ini_values(const char *entry, char ***values);

/* Checks that need every line loaded first, run by each loader at its
 * end: a monitored host must be an IP address unless resolve-hostnames is
 * yes, and a Redis-style file may set that after the monitor line. Adds
 * `file:line: ...` errors (the master's line) and returns -1 if any. */
int sn_config_validate(struct sn_config *c, struct sn_config_errors *errs,
                       const char *filename);

#endif /* SN_CONFIG_PRIV_H */
