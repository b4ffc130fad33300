/*
 * config_convert.c: a Redis-style sentinel.conf converted to our INI
 * format (sn_config_to_ini), for `sentinel --convert-redis-conf`.
 *
 * The model (struct sn_config) is written out as INI, with a value the
 * user wrote kept even when it is the default; every line of the original
 * that the INI file cannot carry (kept server directives, an old
 * known-sentinel without a run id, a line too long for inih) is reported
 * as a warning with its line number.
 */
#include "config.h"
#include "config_priv.h"
#include "util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------
 * Conversion to INI
 * ------------------------------------------------------------------- */

/* The INI loader (config_ini.c) takes a single value whole, unquoted only
 * if it starts with '"', and splits a multi-argument value with our
 * tokenizer; inih cuts a value at a ';' that follows a blank, even inside
 * quotes. So a value is quoted when it would not read back as itself, and
 * ';' and '#' are written as \xNN inside quotes. */
static bool
ini_needs_quotes(const char *s, bool multi)
{
    size_t n = strlen(s);

    if (n == 0 || s[0] == '"' || sn_config_is_blank((unsigned char)s[0]) ||
        sn_config_is_blank((unsigned char)s[n - 1]))
        return true;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch < 0x20 || ch == 0x7f || ch == ';')
            return true;
        if (multi && (sn_config_is_blank(ch) || ch == '"' || ch == '\''))
            return true;
    }
    return false;
}

static void
ini_put(struct sn_buf *b, const char *s, bool multi)
{
    struct sn_buf q;

    if (!ini_needs_quotes(s, multi)) {
        sn_buf_puts(b, s);
        return;
    }
    sn_buf_init(&q);
    sn_config_repr(&q, s, strlen(s));
    for (size_t i = 0; i < q.len; i++) {
        if (q.data[i] == ';' || q.data[i] == '#')
            sn_buf_printf(b, "\\x%02x", (unsigned char)q.data[i]);
        else
            sn_buf_putc(b, q.data[i]);
    }
    sn_buf_free(&q);
}

struct convert {
    const struct sn_config *c;
    struct sn_config defaults;
    const char *filename;
    struct sn_config_errors *warnings;
    struct sn_config_line *info;
    int lines;
    struct sn_buf out;
    struct sn_buf line;         /* the key line being built */
};

static void convert_warn(struct convert *cv, int lineno, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));

static void
convert_warn(struct convert *cv, int lineno, const char *fmt, ...)
{
    struct sn_buf b;
    va_list ap;

    if (cv->warnings == NULL)
        return;
    sn_buf_init(&b);
    va_start(ap, fmt);
    sn_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (lineno > 0)
        sn_config_errors_add(cv->warnings, "%s:%d: %s", cv->filename,
                             lineno, b.data);
    else
        sn_config_errors_add(cv->warnings, "%s: %s", cv->filename, b.data);
    sn_buf_free(&b);
}

/* The line of the file that set directive `key` (of `master`, or a
 * process directive when master is NULL), or 0. A key the user wrote is
 * carried over even when its value is the default. */
static int
convert_line_of(const struct convert *cv, const char *key,
                const char *master)
{
    for (int i = 0; i < cv->lines; i++) {
        const struct sn_config_line *li = &cv->info[i];

        if (li->kind == SN_LINE_MANAGED && strcmp(li->d->key, key) == 0 &&
            sn_config_str_eq(li->master, master))
            return i + 1;
    }
    return 0;
}

/* Start the line of `key`; ini_end() adds it to the output. */
static void
ini_begin(struct convert *cv, const char *key)
{
    sn_buf_reset(&cv->line);
    sn_buf_printf(&cv->line, "%s = ", key);
}

/* inih reads 200-byte lines: a longer one would not load, so say so. */
static void
ini_end(struct convert *cv, const char *key, const char *master)
{
    if (cv->line.len > SN_CONFIG_LINE_MAX)
        convert_warn(cv, convert_line_of(cv, key, master), "the INI line "
                     "for '%s' would be %zu bytes long, over inih's limit "
                     "of %d: shorten the value", key, cv->line.len,
                     SN_CONFIG_LINE_MAX);
    sn_buf_append(&cv->out, cv->line.data, cv->line.len);
    sn_buf_putc(&cv->out, '\n');
}

static void
ini_str(struct convert *cv, const char *key, const char *v,
        const char *def, const char *master)
{
    if (v == NULL || (v[0] == '\0' && !sn_config_str_eq(v, def)))
        return;
    if (sn_config_str_eq(v, def) && convert_line_of(cv, key, master) == 0)
        return;
    ini_begin(cv, key);
    ini_put(&cv->line, v, false);
    ini_end(cv, key, master);
}

static void
ini_int(struct convert *cv, const char *key, int64_t v, int64_t def,
        const char *master)
{
    if (v == def && convert_line_of(cv, key, master) == 0)
        return;
    ini_begin(cv, key);
    sn_buf_printf(&cv->line, "%" PRId64, v);
    ini_end(cv, key, master);
}

static void
ini_yesno(struct convert *cv, const char *key, bool v, bool def)
{
    if (v == def && convert_line_of(cv, key, NULL) == 0)
        return;
    ini_begin(cv, key);
    sn_buf_puts(&cv->line, v ? "yes" : "no");
    ini_end(cv, key, NULL);
}

static void
ini_process(struct convert *cv)
{
    const struct sn_config *c = cv->c, *d = &cv->defaults;

    sn_buf_puts(&cv->out, "[sentinel]\n");
    ini_int(cv, "port", c->port, d->port, NULL);
    if (c->bind_len > 0) {
        ini_begin(cv, "bind");
        for (int i = 0; i < c->bind_len; i++) {
            if (i > 0)
                sn_buf_putc(&cv->line, ' ');
            ini_put(&cv->line, c->bind[i], true);
        }
        ini_end(cv, "bind", NULL);
    }
    ini_yesno(cv, "protected-mode", c->protected_mode, d->protected_mode);
    ini_yesno(cv, "daemonize", c->daemonize, d->daemonize);
    ini_str(cv, "pidfile", c->pidfile, d->pidfile, NULL);
    ini_str(cv, "logfile", c->logfile, d->logfile, NULL);
    ini_str(cv, "loglevel", sn_config_loglevel_name(c->loglevel),
            sn_config_loglevel_name(d->loglevel), NULL);
    ini_yesno(cv, "syslog-enabled", c->syslog_enabled, d->syslog_enabled);
    ini_str(cv, "syslog-ident", c->syslog_ident, d->syslog_ident, NULL);
    ini_str(cv, "syslog-facility", c->syslog_facility, d->syslog_facility,
            NULL);
    ini_str(cv, "dir", c->dir, d->dir, NULL);
    ini_str(cv, "requirepass", c->requirepass, d->requirepass, NULL);
    ini_int(cv, "maxclients", c->maxclients, d->maxclients, NULL);
    for (int i = 0; i < c->users_len; i++) {
        char **values;
        int n = sn_config_user_ini_values(c->users[i], &values);

        for (int j = 0; j < n; j++) {
            ini_begin(cv, "user");
            sn_buf_puts(&cv->line, values[j]);
            ini_end(cv, "user", NULL);
        }
        sn_config_argv_free(n, values);
    }
}

static void
ini_sentinel(struct convert *cv)
{
    const struct sn_config *c = cv->c, *d = &cv->defaults;

    ini_str(cv, "announce-ip", c->announce_ip, d->announce_ip, NULL);
    ini_int(cv, "announce-port", c->announce_port, d->announce_port, NULL);
    ini_yesno(cv, "resolve-hostnames", c->resolve_hostnames,
              d->resolve_hostnames);
    ini_yesno(cv, "announce-hostnames", c->announce_hostnames,
              d->announce_hostnames);
    ini_yesno(cv, "deny-scripts-reconfig", c->deny_scripts_reconfig,
              d->deny_scripts_reconfig);
    ini_str(cv, "sentinel-user", c->sentinel_user, d->sentinel_user, NULL);
    ini_str(cv, "sentinel-pass", c->sentinel_pass, d->sentinel_pass, NULL);
    if (c->myid[0] != '\0')
        sn_buf_printf(&cv->out, "myid = %s\n", c->myid);
    sn_buf_printf(&cv->out, "current-epoch = %" PRIu64 "\n",
                  c->current_epoch);
}

/* "host port" and what follows, for known-replica and known-sentinel. */
static void
ini_addr(struct convert *cv, const struct sn_config_master *m,
         const char *key, const char *host, int port, const char *more)
{
    ini_begin(cv, key);
    ini_put(&cv->line, host, true);
    sn_buf_printf(&cv->line, " %d", port);
    if (more != NULL)
        sn_buf_printf(&cv->line, " %s", more);
    ini_end(cv, key, m->name);
}

static void
ini_master_lists(struct convert *cv, const struct sn_config_master *m)
{
    for (int i = 0; i < m->replicas_len; i++)
        ini_addr(cv, m, "known-replica", m->replicas[i].host,
                 m->replicas[i].port, NULL);
    for (int i = 0; i < m->peers_len; i++) {
        if (m->peers[i].runid[0] != '\0')
            ini_addr(cv, m, "known-sentinel", m->peers[i].host,
                     m->peers[i].port, m->peers[i].runid);
    }
    for (int i = 0; i < m->renames_len; i++) {
        ini_begin(cv, "rename-command");
        ini_put(&cv->line, m->renames[i].from, true);
        sn_buf_putc(&cv->line, ' ');
        ini_put(&cv->line, m->renames[i].to, true);
        ini_end(cv, "rename-command", m->name);
    }
}

/* A master's name becomes a section header: say so when inih or the
 * loader cannot read it back as that master. */
static void
ini_check_name(struct convert *cv, const struct sn_config_master *m)
{
    const char *why = NULL;

    if (strlen(m->name) > SN_CONFIG_SECTION_MAX)
        why = "is longer than inih's 49-character section names";
    else if (strchr(m->name, ']') != NULL)
        why = "holds a ']'";
    else if (strcasecmp(m->name, "sentinel") == 0)
        why = "is the name of the process's own section";
    if (why != NULL)
        convert_warn(cv, m->line, "the name of master '%s' %s: rename the "
                     "master before converting", m->name, why);
}

static void
ini_master(struct convert *cv, const struct sn_config_master *m)
{
    ini_check_name(cv, m);
    sn_buf_printf(&cv->out, "\n[%s]\n", m->name);
    ini_begin(cv, "monitor");
    ini_put(&cv->line, m->host, true);
    sn_buf_printf(&cv->line, " %d %d", m->port, m->quorum);
    ini_end(cv, "monitor", m->name);
    ini_int(cv, "down-after-milliseconds", m->down_after_ms,
            SN_DEFAULT_DOWN_AFTER_MS, m->name);
    ini_int(cv, "failover-timeout", m->failover_timeout_ms,
            SN_DEFAULT_FAILOVER_TIMEOUT_MS, m->name);
    ini_int(cv, "parallel-syncs", m->parallel_syncs,
            SN_DEFAULT_PARALLEL_SYNCS, m->name);
    ini_str(cv, "notification-script", m->notification_script, NULL,
            m->name);
    ini_str(cv, "client-reconfig-script", m->client_reconfig_script, NULL,
            m->name);
    ini_str(cv, "auth-pass", m->auth_pass, NULL, m->name);
    ini_str(cv, "auth-user", m->auth_user, NULL, m->name);
    ini_int(cv, "master-reboot-down-after-period",
            m->master_reboot_down_after_period_ms, 0, m->name);
    sn_buf_printf(&cv->out, "config-epoch = %" PRIu64 "\n",
                  m->config_epoch);
    sn_buf_printf(&cv->out, "leader-epoch = %" PRIu64 "\n",
                  m->leader_epoch);
    ini_master_lists(cv, m);
}

/* Report every line of the original that the INI file does not carry. */
static void
convert_warnings(struct convert *cv)
{
    for (int i = 0; i < cv->lines; i++) {
        const struct sn_config_line *li = &cv->info[i];

        if (li->kind == SN_LINE_MANAGED &&
            strcmp(li->d->key, "known-sentinel") == 0 && li->argc == 2) {
            convert_warn(cv, i + 1, "'sentinel known-sentinel' without a "
                         "run id is ignored, as Redis ignores it");
            continue;
        }
        if (li->kind != SN_LINE_KEPT)
            continue;
        if (li->meaningful)
            convert_warn(cv, i + 1, "'%s' is not supported yet and is not "
                         "carried over", li->toks.v[0].s);
        else
            convert_warn(cv, i + 1, "'%s' has no meaning for a sentinel "
                         "and is not carried over", li->toks.v[0].s);
    }
}

char *
sn_config_to_ini(const struct sn_config *c, const char *filename,
                 struct sn_config_errors *warnings)
{
    struct convert cv = {
        .c = c, .filename = filename != NULL ? filename : "(config)",
        .warnings = warnings,
    };

    sn_config_init(&cv.defaults);
    sn_buf_init(&cv.out);
    sn_buf_init(&cv.line);
    cv.info = sn_config_lines_parse(c->doc, &cv.lines);
    convert_warnings(&cv);
    sn_buf_puts(&cv.out, "# Converted from a Redis-style sentinel.conf.\n");
    ini_process(&cv);
    ini_sentinel(&cv);
    for (int i = 0; i < c->masters_len; i++)
        ini_master(&cv, &c->masters[i]);
    sn_config_lines_free(cv.info, cv.lines);
    sn_buf_free(&cv.line);
    sn_config_free(&cv.defaults);
    return sn_buf_steal(&cv.out, NULL);
}
