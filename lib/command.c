/*
 * command.c: SENTINEL, INFO, ROLE and PUBLISH, as a Redis 7 sentinel
 * answers them (Redis's sentinelCommand, sentinelSetCommand,
 * sentinelConfig{Get,Set}Command, sentinelInfoCommand, sentinelRoleCommand,
 * sentinelPublishCommand, addReplySentinelRedisInstance).
 *
 * Clients read these replies by position and by exact text, so the field
 * order, the bulk strings for numbers and every error text follow Redis.
 * Where Redis 7.0 and 7.2+ differ, the later behaviour is kept when it is
 * a superset (CONFIG GET and CONFIG SET take several parameters, loglevel
 * among them) and the texts that describe it follow it.
 *
 * SENTINEL SET and CONFIG SET write the core's model (struct sn_core's
 * cfg, from core_priv.h) through the config setters, then tell the core
 * with sn_core_config_changed, which applies the change and saves.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "config.h"
#include "core.h"
#include "core_priv.h"
#include "instance.h"
#include "resp.h"
#include "util.h"

/* One command being run: everything the handlers need. */
struct cmd {
    struct sn_core *core;
    const struct sn_cmd_ctx *ctx;
    int argc;
    char **argv;
    const size_t *argvlen;
    struct sn_resp_writer w;
    int64_t now_ms;
};

#define ERR_NO_MASTER "ERR No such master with that name"
#define ERR_NOT_INT "ERR value is not an integer or out of range"
#define ERR_CONFIG_USAGE                                                      \
    "ERR Only SENTINEL CONFIG GET <param> [<param> <param> ...] / "           \
    "SET <param> <value> [<param> <value> ...] are supported."
#define HELLO_CHANNEL "__sentinel__:hello"
#define REDACTED "******"

/* ---------------------------------------------------------------------
 * Arguments
 * ------------------------------------------------------------------- */

/* Is argument i exactly `name`, ignoring case? A NUL inside the argument
 * makes it a different word. */
static bool
arg_is(const struct cmd *c, int i, const char *name)
{
    return c->argvlen[i] == strlen(name) &&
           strncasecmp(c->argv[i], name, c->argvlen[i]) == 0;
}

/* Does argument i hold a NUL, a CR, an LF or another control character?
 * Such a value could break the config file it is saved to (Redis PR
 * #14970: a CRLF in auth-pass injected a notification-script line). */
static bool
arg_has_ctrl(const struct cmd *c, int i)
{
    size_t k;

    for (k = 0; k < c->argvlen[i]; k++) {
        unsigned char ch = (unsigned char)c->argv[i][k];

        if (ch < 0x20 || ch == 0x7f)
            return true;
    }
    return false;
}

/* Redis's string2ll: an optional '-', no '+', no leading zeros, no spaces,
 * digits only, within int64. Returns 0 and sets *out, or -1. */
static int
parse_ll(const char *s, size_t len, int64_t *out)
{
    uint64_t v = 0, limit;
    bool neg = false;
    size_t i = 0;

    if (len == 0 || len > 20)
        return -1;
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return 0;
    }
    if (s[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i >= len || s[i] < '1' || s[i] > '9')
        return -1;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (v > (limit - (uint64_t)(s[i] - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return 0;
}

static int
arg_ll(const struct cmd *c, int i, int64_t *out)
{
    return parse_ll(c->argv[i], c->argvlen[i], out);
}

/* The master named by argument i, or NULL after replying Redis's error. */
static struct sn_master *
arg_master(struct cmd *c, int i)
{
    struct sn_master *m = NULL;

    if (strlen(c->argv[i]) == c->argvlen[i])
        m = sn_core_master_by_name(c->core, c->argv[i]);
    if (m == NULL)
        sn_resp_write_error(&c->w, ERR_NO_MASTER);
    return m;
}

/* ---------------------------------------------------------------------
 * Instance maps (addReplySentinelRedisInstance): field order, all values
 * bulk strings
 * ------------------------------------------------------------------- */

#define FIELDS_MAX 48

struct fields {
    int n;
    const char *key[FIELDS_MAX];
    const char *val[FIELDS_MAX];
    char num[FIELDS_MAX][24];
};

static void
f_str(struct fields *f, const char *key, const char *val)
{
    if (f->n >= FIELDS_MAX)
        return;
    f->key[f->n] = key;
    f->val[f->n] = val;
    f->n++;
}

static void
f_i64(struct fields *f, const char *key, int64_t v)
{
    if (f->n >= FIELDS_MAX)
        return;
    snprintf(f->num[f->n], sizeof(f->num[f->n]), "%" PRId64, v);
    f_str(f, key, f->num[f->n]);
}

static void
f_u64(struct fields *f, const char *key, uint64_t v)
{
    if (f->n >= FIELDS_MAX)
        return;
    snprintf(f->num[f->n], sizeof(f->num[f->n]), "%" PRIu64, v);
    f_str(f, key, f->num[f->n]);
}

static void
fields_write(struct sn_resp_writer *w, const struct fields *f)
{
    int i;

    sn_resp_write_map(w, (size_t)f->n);
    for (i = 0; i < f->n; i++) {
        sn_resp_write_bulk_str(w, f->key[i]);
        sn_resp_write_bulk_str(w, f->val[i]);
    }
}

/* The `flags` field: a comma list in Redis's order. */
static void
inst_flags(const struct sn_instance *ri, char *out, size_t outlen)
{
    static const struct {
        unsigned flag;
        const char *name;
    } after_kind[] = {
        {SN_F_MASTER_DOWN, "master_down"},
        {SN_F_FAILOVER_IN_PROGRESS, "failover_in_progress"},
        {SN_F_PROMOTED, "promoted"},
        {SN_F_RECONF_SENT, "reconf_sent"},
        {SN_F_RECONF_INPROG, "reconf_inprog"},
        {SN_F_RECONF_DONE, "reconf_done"},
        {SN_F_FORCE_FAILOVER, "force_failover"},
        {SN_F_SCRIPT_KILL_SENT, "script_kill_sent"},
        {SN_F_MASTER_REBOOT, "master_reboot"},
    };
    struct sn_buf b;
    size_t i;

    sn_buf_init(&b);
    if (ri->flags & SN_F_S_DOWN)
        sn_buf_puts(&b, "s_down,");
    if (ri->flags & SN_F_O_DOWN)
        sn_buf_puts(&b, "o_down,");
    sn_buf_puts(&b, ri->kind == SN_INST_MASTER    ? "master,"
                    : ri->kind == SN_INST_REPLICA ? "slave,"
                                                  : "sentinel,");
    if (ri->flags & SN_F_DISCONNECTED)
        sn_buf_puts(&b, "disconnected,");
    for (i = 0; i < sizeof(after_kind) / sizeof(after_kind[0]); i++)
        if (ri->flags & after_kind[i].flag) {
            sn_buf_puts(&b, after_kind[i].name);
            sn_buf_putc(&b, ',');
        }
    b.data[b.len - 1] = '\0';       /* the trailing comma */
    snprintf(out, outlen, "%s", b.data);
    sn_buf_free(&b);
}

/* The fields every kind has, up to down-after-milliseconds. */
static void
inst_common(struct fields *f, const struct sn_core *core,
            const struct sn_instance *ri, const char *flags,
            int64_t down_after_ms, int64_t now)
{
    const struct sn_link *l = ri->cc;

    f_str(f, "name", ri->name);
    f_str(f, "ip", sn_inst_announce_host(core, ri));
    f_i64(f, "port", ri->port);
    f_str(f, "runid", ri->runid);
    f_str(f, "flags", flags);
    f_i64(f, "link-pending-commands", l ? l->pending : 0);
    f_i64(f, "link-refcount", l ? l->refcount : 0);
    if (ri->kind == SN_INST_MASTER &&
        (ri->flags & SN_F_FAILOVER_IN_PROGRESS)) {
        const struct sn_master *m = (const struct sn_master *)ri;

        f_str(f, "failover-state",
              sn_failover_state_name(m->failover_state));
    }
    f_i64(f, "last-ping-sent", l && l->act_ping_ms ? now - l->act_ping_ms
                                                   : 0);
    f_i64(f, "last-ok-ping-reply", l ? now - l->last_avail_ms : 0);
    f_i64(f, "last-ping-reply", l ? now - l->last_pong_ms : 0);
    if (ri->flags & SN_F_S_DOWN)
        f_i64(f, "s-down-time", now - ri->s_down_since_ms);
    if (ri->flags & SN_F_O_DOWN)
        f_i64(f, "o-down-time", now - ri->o_down_since_ms);
    f_i64(f, "down-after-milliseconds", down_after_ms);
}

/* Masters and replicas: what their INFO said. */
static void
inst_info_fields(struct fields *f, const struct sn_instance *ri, int64_t now)
{
    const char *role;

    switch (ri->role_reported) {
    case SN_ROLE_MASTER:
        role = "master";
        break;
    case SN_ROLE_SLAVE:
        role = "slave";
        break;
    default:
        role = ri->kind == SN_INST_MASTER ? "master" : "slave";
        break;
    }
    f_i64(f, "info-refresh", ri->info_refresh_ms ? now - ri->info_refresh_ms
                                                 : 0);
    f_str(f, "role-reported", role);
    f_i64(f, "role-reported-time", now - ri->role_reported_ms);
}

static void
reply_master(struct cmd *c, const struct sn_master *m)
{
    const struct sn_config_master *cfg = m->cfg;
    struct fields f = {0};
    char flags[256];

    inst_flags(&m->inst, flags, sizeof(flags));
    inst_common(&f, c->core, &m->inst, flags, cfg->down_after_ms, c->now_ms);
    inst_info_fields(&f, &m->inst, c->now_ms);
    f_u64(&f, "config-epoch", cfg->config_epoch);
    f_i64(&f, "num-slaves", m->replicas_len);
    f_i64(&f, "num-other-sentinels", m->sentinels_len);
    f_i64(&f, "quorum", cfg->quorum);
    f_i64(&f, "failover-timeout", cfg->failover_timeout_ms);
    f_i64(&f, "parallel-syncs", cfg->parallel_syncs);
    if (cfg->notification_script != NULL)
        f_str(&f, "notification-script", cfg->notification_script);
    if (cfg->client_reconfig_script != NULL)
        f_str(&f, "client-reconfig-script", cfg->client_reconfig_script);
    fields_write(&c->w, &f);
}

static void
reply_replica(struct cmd *c, const struct sn_instance *ri)
{
    struct fields f = {0};
    char flags[256];
    const char *mhost = ri->slave_master_host;

    inst_flags(ri, flags, sizeof(flags));
    inst_common(&f, c->core, ri, flags, ri->down_after_ms, c->now_ms);
    inst_info_fields(&f, ri, c->now_ms);
    f_i64(&f, "master-link-down-time", ri->master_link_down_ms);
    f_str(&f, "master-link-status", ri->slave_master_link_up ? "ok" : "err");
    f_str(&f, "master-host", mhost != NULL && mhost[0] != '\0' ? mhost : "?");
    f_i64(&f, "master-port", ri->slave_master_port);
    f_i64(&f, "slave-priority", ri->slave_priority);
    f_u64(&f, "slave-repl-offset", ri->slave_repl_offset);
    f_i64(&f, "replica-announced", ri->replica_announced ? 1 : 0);
    fields_write(&c->w, &f);
}

static void
reply_sentinel(struct cmd *c, const struct sn_instance *ri)
{
    struct fields f = {0};
    char flags[256];

    inst_flags(ri, flags, sizeof(flags));
    inst_common(&f, c->core, ri, flags, ri->down_after_ms, c->now_ms);
    f_i64(&f, "last-hello-message", c->now_ms - ri->last_hello_ms);
    f_str(&f, "voted-leader", ri->leader[0] != '\0' ? ri->leader : "?");
    f_u64(&f, "voted-leader-epoch", ri->leader_epoch);
    fields_write(&c->w, &f);
}

/* ---------------------------------------------------------------------
 * SENTINEL: reading the state
 * ------------------------------------------------------------------- */

static void
sub_masters(struct cmd *c)
{
    struct sn_master **ms;
    int n, i;

    ms = sn_core_masters(c->core, &n);
    sn_resp_write_array(&c->w, (size_t)n);
    for (i = 0; i < n; i++)
        reply_master(c, ms[i]);
}

static void
sub_master(struct cmd *c)
{
    struct sn_master *m = arg_master(c, 2);

    if (m != NULL)
        reply_master(c, m);
}

/* Replicas that said replica-announced:0 are left out, as Redis does. */
static void
sub_replicas(struct cmd *c)
{
    struct sn_master *m = arg_master(c, 2);
    size_t n = 0;
    int i;

    if (m == NULL)
        return;
    for (i = 0; i < m->replicas_len; i++)
        if (m->replicas[i]->replica_announced)
            n++;
    sn_resp_write_array(&c->w, n);
    for (i = 0; i < m->replicas_len; i++)
        if (m->replicas[i]->replica_announced)
            reply_replica(c, m->replicas[i]);
}

static void
sub_sentinels(struct cmd *c)
{
    struct sn_master *m = arg_master(c, 2);
    int i;

    if (m == NULL)
        return;
    sn_resp_write_array(&c->w, (size_t)m->sentinels_len);
    for (i = 0; i < m->sentinels_len; i++)
        reply_sentinel(c, m->sentinels[i]);
}

/* An unknown name is a null array, not an error: clients test for it. */
/* A port as a bulk string, without printf: GET-MASTER-ADDR-BY-NAME is the
 * command clients send most. */
static void
write_port(struct sn_resp_writer *w, int port)
{
    char buf[16], *p = buf + sizeof(buf);
    unsigned v = port < 0 ? 0 : (unsigned)port;

    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0 && p > buf);
    sn_resp_write_bulk(w, p, (size_t)(buf + sizeof(buf) - p));
}

static void
sub_get_master_addr(struct cmd *c)
{
    struct sn_master *m = NULL;
    const struct sn_instance *ri;

    if (strlen(c->argv[2]) == c->argvlen[2])
        m = sn_core_master_by_name(c->core, c->argv[2]);
    if (m == NULL) {
        sn_resp_write_null_array(&c->w);
        return;
    }
    ri = sn_core_current_master(m);
    sn_resp_write_array(&c->w, 2);
    sn_resp_write_bulk_str(&c->w, sn_inst_announce_host(c->core, ri));
    write_port(&c->w, ri->port);
}

/* IS-MASTER-DOWN-BY-ADDR ip port current-epoch runid|*: a peer asks
 * whether we see the master down and, with a run id, for our vote. */
static void
sub_is_master_down(struct cmd *c)
{
    char leader[SN_RUNID_LEN + 1] = "";
    uint64_t leader_epoch = 0;
    int64_t port, epoch;
    bool down = false;

    if (arg_ll(c, 3, &port) != 0 || arg_ll(c, 4, &epoch) != 0) {
        sn_resp_write_error(&c->w, ERR_NOT_INT);
        return;
    }
    if (port < 0 || port > 65535)
        port = -1;                  /* matches no master */
    if (sn_core_is_master_down(c->core, c->argv[2], (int)port,
                               (uint64_t)epoch, c->argv[5], c->now_ms,
                               &down, leader, &leader_epoch) != 0) {
        down = false;
        leader[0] = '\0';
        leader_epoch = 0;
    }
    sn_resp_write_array(&c->w, 3);
    sn_resp_write_int(&c->w, down ? 1 : 0);
    sn_resp_write_bulk_str(&c->w, leader[0] != '\0' ? leader : "*");
    sn_resp_write_int(&c->w, (int64_t)leader_epoch);
}

/* CKQUORUM (sentinelIsQuorumReachable): usable = us + peers not down;
 * voters = us + every peer known since the last RESET. */
static void
sub_ckquorum(struct cmd *c)
{
    struct sn_master *m = arg_master(c, 2);
    int usable = 1, voters, i;
    bool noquorum, noauth;

    if (m == NULL)
        return;
    for (i = 0; i < m->sentinels_len; i++)
        if (!(m->sentinels[i]->flags & (SN_F_S_DOWN | SN_F_O_DOWN)))
            usable++;
    voters = m->sentinels_len + 1;
    noquorum = usable < m->cfg->quorum;
    noauth = usable < voters / 2 + 1;
    if (!noquorum && !noauth) {
        sn_resp_write_statusf(&c->w, "OK %d usable Sentinels. Quorum and "
                              "failover authorization can be reached",
                              usable);
        return;
    }
    sn_resp_write_errorf(
        &c->w, "NOQUORUM %d usable Sentinels. %s%s%s", usable,
        noquorum ? "Not enough available Sentinels to reach the specified "
                   "quorum for this master"
                 : "",
        noquorum && noauth ? ". " : "",
        noauth ? "Not enough available Sentinels to reach the majority and "
                 "authorize a failover"
               : "");
}

static void
sub_myid(struct cmd *c)
{
    sn_resp_write_bulk_str(&c->w, sn_core_myid(c->core));
}

static void
info_cache_entry(struct cmd *c, const struct sn_instance *ri)
{
    sn_resp_write_array(&c->w, 2);
    sn_resp_write_int(&c->w, ri->info_refresh_ms ? c->now_ms -
                                                       ri->info_refresh_ms
                                                 : 0);
    if (ri->info != NULL)
        sn_resp_write_bulk_str(&c->w, ri->info);
    else
        sn_resp_write_null(&c->w);
}

/* INFO-CACHE name...: unknown names are skipped, a name given twice is
 * answered once (Redis collects them in a dict). */
static void
sub_info_cache(struct cmd *c)
{
    struct sn_master **found;
    int n = 0, i, j;

    found = sn_calloc((size_t)c->argc, sizeof(*found));
    for (i = 2; i < c->argc; i++) {
        struct sn_master *m = NULL;

        if (strlen(c->argv[i]) == c->argvlen[i])
            m = sn_core_master_by_name(c->core, c->argv[i]);
        for (j = 0; m != NULL && j < n; j++)
            if (found[j] == m)
                m = NULL;
        if (m != NULL)
            found[n++] = m;
    }
    sn_resp_write_array(&c->w, (size_t)n * 2);
    for (i = 0; i < n; i++) {
        sn_resp_write_bulk_str(&c->w, found[i]->inst.name);
        sn_resp_write_array(&c->w, (size_t)found[i]->replicas_len + 1);
        info_cache_entry(c, &found[i]->inst);
        for (j = 0; j < found[i]->replicas_len; j++)
            info_cache_entry(c, found[i]->replicas[j]);
    }
    free(found);
}

static void
proc_get(const struct cmd *c, struct sn_cmd_proc *p)
{
    memset(p, 0, sizeof(*p));
    if (c->ctx->proc_fill != NULL)
        c->ctx->proc_fill(c->ctx->arg, p);
}

static void
sub_pending_scripts(struct cmd *c)
{
    struct sn_cmd_proc p;
    int i, j;

    proc_get(c, &p);
    sn_resp_write_array(&c->w, (size_t)p.scripts_len);
    for (i = 0; i < p.scripts_len; i++) {
        const struct sn_cmd_script *s = &p.scripts[i];

        sn_resp_write_map(&c->w, 5);
        sn_resp_write_bulk_str(&c->w, "argv");
        sn_resp_write_array(&c->w, (size_t)s->argc);
        for (j = 0; j < s->argc; j++)
            sn_resp_write_bulk_str(&c->w, s->argv[j]);
        sn_resp_write_bulk_str(&c->w, "flags");
        sn_resp_write_bulk_str(&c->w, s->running ? "running" : "scheduled");
        sn_resp_write_bulk_str(&c->w, "pid");
        sn_resp_write_bulkf(&c->w, "%" PRId64, s->pid);
        sn_resp_write_bulk_str(&c->w, s->running ? "run-time" : "run-delay");
        sn_resp_write_bulkf(&c->w, "%" PRId64, s->run_time_ms);
        sn_resp_write_bulk_str(&c->w, "retry-num");
        sn_resp_write_bulkf(&c->w, "%d", s->retry_num);
    }
}

/* ---------------------------------------------------------------------
 * SENTINEL: acting
 * ------------------------------------------------------------------- */

/* Is s an IPv4 or IPv6 address? (anetResolve with ANET_IP_ONLY) */
static bool
is_ip(const char *s)
{
    unsigned char addr[16];

    return inet_pton(AF_INET, s, addr) == 1 ||
           inet_pton(AF_INET6, s, addr) == 1;
}

/* A name DNS could resolve: letters, digits, '-', '_' and '.'. lib/ does
 * no DNS: the daemon resolves it when it connects. */
static bool
is_hostname(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > SN_HOST_MAX)
        return false;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' &&
            s[i] != '.')
            return false;
    return true;
}

/* Write an error text from the core: Redis's own code if it has one. */
static void
reply_core_error(struct cmd *c, const char *err)
{
    if (err[0] == '-' || strncmp(err, "ERR ", 4) == 0)
        sn_resp_write_error(&c->w, err);
    else
        sn_resp_write_errorf(&c->w, "ERR %s", err);
}

/* MONITOR name ip port quorum, checked in Redis's order: quorum parses,
 * port parses, quorum >= 1, the address, the port range, the name. */
static void
sub_monitor(struct cmd *c)
{
    const struct sn_config *cfg = sn_core_config(c->core);
    int64_t quorum, port;
    char err[256] = "";

    if (arg_ll(c, 5, &quorum) != 0) {
        sn_resp_write_error(&c->w, "ERR Invalid quorum");
        return;
    }
    if (arg_ll(c, 4, &port) != 0) {
        sn_resp_write_error(&c->w, "ERR Invalid port");
        return;
    }
    if (quorum <= 0) {
        sn_resp_write_error(&c->w, "ERR Quorum must be 1 or greater.");
        return;
    }
    if (arg_has_ctrl(c, 3) ||
        !(is_ip(c->argv[3]) ||
          (cfg->resolve_hostnames && is_hostname(c->argv[3])))) {
        sn_resp_write_error(&c->w,
                            "ERR Invalid IP address or hostname specified");
        return;
    }
    if (port < 0 || port > 65535) {
        sn_resp_write_error(&c->w, "ERR Invalid port number.");
        return;
    }
    /* A NUL would cut the name short; the model refuses other control
     * characters and spaces itself. */
    if (strlen(c->argv[2]) != c->argvlen[2]) {
        sn_resp_write_error(&c->w, "ERR Invalid master name");
        return;
    }
    if (sn_core_monitor(c->core, c->argv[2], c->argv[3], (int)port,
                        (int)quorum, c->now_ms, err, sizeof(err)) != 0) {
        reply_core_error(c, err[0] != '\0' ? err : "Duplicate master name.");
        return;
    }
    sn_resp_write_status(&c->w, "OK");
}

static void
sub_remove(struct cmd *c)
{
    if (arg_master(c, 2) == NULL)
        return;
    if (sn_core_remove(c->core, c->argv[2], c->now_ms) != 0) {
        sn_resp_write_error(&c->w, ERR_NO_MASTER);
        return;
    }
    sn_resp_write_status(&c->w, "OK");
}

static void
sub_reset(struct cmd *c)
{
    sn_resp_write_int(&c->w, sn_core_reset(c->core, c->argv[2], c->now_ms));
}

static void
sub_failover(struct cmd *c)
{
    struct sn_master *m = arg_master(c, 2);
    char err[256] = "";

    if (m == NULL)
        return;
    if (sn_core_failover(c->core, m, c->now_ms, err, sizeof(err)) != 0) {
        reply_core_error(c, err[0] != '\0' ? err
                                           : "-INPROG Failover already in "
                                             "progress");
        return;
    }
    sn_resp_write_status(&c->w, "OK");
}

/* FLUSHCONFIG: the SAVE is queued; the daemon writes it before the reply
 * leaves, and logs a failure as Redis does after a failed rewrite. */
static void
sub_flushconfig(struct cmd *c)
{
    sn_core_save(c->core);
    sn_resp_write_status(&c->w, "OK");
}

/* SIMULATE-FAILURE: the flags start from nothing at each call; HELP and an
 * unknown word stop the loop with what was set before them. */
static void
sub_simulate_failure(struct cmd *c)
{
    unsigned flags = 0;
    int i;

    sn_core_simulate_failure(c->core, 0);
    for (i = 2; i < c->argc; i++) {
        if (arg_is(c, i, "crash-after-election")) {
            flags |= SN_SIMFAIL_CRASH_AFTER_ELECTION;
        } else if (arg_is(c, i, "crash-after-promotion")) {
            flags |= SN_SIMFAIL_CRASH_AFTER_PROMOTION;
        } else if (arg_is(c, i, "help")) {
            sn_core_simulate_failure(c->core, flags);
            sn_resp_write_array(&c->w, 2);
            sn_resp_write_bulk_str(&c->w, "crash-after-election");
            sn_resp_write_bulk_str(&c->w, "crash-after-promotion");
            return;
        } else {
            sn_core_simulate_failure(c->core, flags);
            sn_resp_write_error(&c->w,
                                "ERR Unknown failure simulation specified");
            return;
        }
    }
    sn_core_simulate_failure(c->core, flags);
    sn_resp_write_status(&c->w, "OK");
}

/* ---------------------------------------------------------------------
 * SENTINEL DEBUG: the timers, in milliseconds
 * ------------------------------------------------------------------- */

struct debug_param {
    const char *name;           /* as DEBUG takes it */
    const char *shown;          /* as DEBUG lists it */
    size_t offset;
};

#define DBG(n, s, f) {n, s, offsetof(struct sn_timers, f)}

/* In the order Redis lists them. */
static const struct debug_param debug_params[] = {
    DBG("info-period", "INFO-PERIOD", info_period_ms),
    DBG("ping-period", "PING-PERIOD", ping_period_ms),
    DBG("ask-period", "ASK-PERIOD", ask_period_ms),
    DBG("publish-period", "PUBLISH-PERIOD", publish_period_ms),
    DBG("default-down-after", "DEFAULT-DOWN-AFTER", default_down_after_ms),
    DBG("default-failover-timeout", "DEFAULT-FAILOVER-TIMEOUT",
        default_failover_timeout_ms),
    DBG("tilt-trigger", "TILT-TRIGGER", tilt_trigger_ms),
    DBG("tilt-period", "TILT-PERIOD", tilt_period_ms),
    DBG("slave-reconf-timeout", "SLAVE-RECONF-TIMEOUT",
        slave_reconf_timeout_ms),
    DBG("min-link-reconnect-period", "MIN-LINK-RECONNECT-PERIOD",
        min_link_reconnect_period_ms),
    DBG("election-timeout", "ELECTION-TIMEOUT", election_timeout_ms),
    DBG("script-max-runtime", "SCRIPT-MAX-RUNTIME", script_max_runtime_ms),
    DBG("script-retry-delay", "SCRIPT-RETRY-DELAY", script_retry_delay_ms),
};

#define DEBUG_PARAMS_LEN (sizeof(debug_params) / sizeof(debug_params[0]))

static int64_t *
timer_field(struct sn_timers *t, const struct debug_param *p)
{
    return (int64_t *)(void *)((char *)t + p->offset);
}

/* DEBUG with no argument lists the timers; with pairs it sets them, in
 * order, each > 0; a bad pair stops there (earlier ones stay set). */
static void
sub_debug(struct cmd *c)
{
    struct sn_timers *t = sn_core_timers(c->core);
    size_t k;
    int i;

    if (c->argc == 2) {
        sn_resp_write_map(&c->w, DEBUG_PARAMS_LEN);
        for (k = 0; k < DEBUG_PARAMS_LEN; k++) {
            sn_resp_write_bulk_str(&c->w, debug_params[k].shown);
            sn_resp_write_bulkf(&c->w, "%" PRId64,
                                *timer_field(t, &debug_params[k]));
        }
        return;
    }
    for (i = 2; i < c->argc; i += 2) {
        const struct debug_param *p = NULL;
        int64_t v;

        for (k = 0; k < DEBUG_PARAMS_LEN && i + 1 < c->argc; k++)
            if (arg_is(c, i, debug_params[k].name))
                p = &debug_params[k];
        if (p == NULL) {
            sn_resp_write_errorf(&c->w, "ERR Unknown option or number of "
                                 "arguments for SENTINEL DEBUG '%s'",
                                 c->argv[i]);
            return;
        }
        if (arg_ll(c, i + 1, &v) != 0 || v <= 0) {
            sn_resp_write_errorf(&c->w, "ERR Invalid argument '%s' for "
                                 "SENTINEL DEBUG '%s'", c->argv[i + 1],
                                 c->argv[i]);
            return;
        }
        *timer_field(t, p) = v;
    }
    sn_resp_write_status(&c->w, "OK");
}

/* ---------------------------------------------------------------------
 * SENTINEL SET master option value [option value ...]
 * ------------------------------------------------------------------- */

enum set_kind {
    SET_MS_POSITIVE,            /* an integer > 0 */
    SET_MS_NONNEG,              /* an integer >= 0 */
    SET_SCRIPT,                 /* a path, or "" to clear */
    SET_STRING,                 /* any text, "" to clear */
    SET_RENAME,                 /* two command names */
};

struct set_option {
    const char *name;
    enum set_kind kind;
    bool redacted;              /* shown as ****** in the +set event */
};

static const struct set_option set_options[] = {
    {"down-after-milliseconds", SET_MS_POSITIVE, false},
    {"failover-timeout", SET_MS_POSITIVE, false},
    {"parallel-syncs", SET_MS_POSITIVE, false},
    {"notification-script", SET_SCRIPT, false},
    {"client-reconfig-script", SET_SCRIPT, false},
    {"auth-pass", SET_STRING, true},
    {"auth-user", SET_STRING, false},
    {"quorum", SET_MS_POSITIVE, false},
    {"rename-command", SET_RENAME, false},
    {"master-reboot-down-after-period", SET_MS_NONNEG, false},
};

#define SET_OPTIONS_LEN (sizeof(set_options) / sizeof(set_options[0]))

enum set_result {
    SET_OK = 0,
    SET_BAD_ARG,                /* Invalid argument '<v>' ...: *bad says
                                   which argument */
    SET_REPLIED,                /* an error reply is already written */
};

/* Store one value through the config model, which applies its own limits
 * (SN_VALUE_MAX, the largest period). */
static int
set_store(struct cmd *c, struct sn_master *m, const char *key, int argc,
          char **argv)
{
    char err[256];

    return sn_config_set_master(&c->core->cfg, m->cfg->name,
                                key, argc, argv, err, sizeof(err));
}

static enum set_result
set_number(struct cmd *c, struct sn_master *m, const struct set_option *o,
           int i)
{
    int64_t v;

    if (arg_ll(c, i + 1, &v) != 0 ||
        v < (o->kind == SET_MS_NONNEG ? 0 : 1))
        return SET_BAD_ARG;
    if (strcmp(o->name, "quorum") == 0) {
        if (v > SN_SENTINELS_MAX + 1)
            return SET_BAD_ARG;
        m->cfg->quorum = (int)v;
        return SET_OK;
    }
    return set_store(c, m, o->name, 1, &c->argv[i + 1]) == 0 ? SET_OK
                                                             : SET_BAD_ARG;
}

static enum set_result
set_script(struct cmd *c, struct sn_master *m, const struct set_option *o,
           int i)
{
    const char *path = c->argv[i + 1];
    bool notify = strcmp(o->name, "notification-script") == 0;

    if (sn_core_config(c->core)->deny_scripts_reconfig) {
        sn_resp_write_error(&c->w, "ERR Reconfiguration of scripts path is "
                            "denied for security reasons. Check the "
                            "deny-scripts-reconfig configuration directive "
                            "in your Sentinel configuration");
        return SET_REPLIED;
    }
    if (path[0] != '\0' &&
        (c->ctx->is_executable == NULL ||
         !c->ctx->is_executable(c->ctx->arg, path))) {
        sn_resp_write_error(&c->w,
                            notify ? "ERR Notification script seems non "
                                     "existing or non executable"
                                   : "ERR Client reconfiguration script "
                                     "seems non existing or non executable");
        return SET_REPLIED;
    }
    return set_store(c, m, o->name, 1, &c->argv[i + 1]) == 0 ? SET_OK
                                                             : SET_BAD_ARG;
}

/* rename-command old new: the old mapping goes first, and new == old
 * (in any case) leaves none, as Redis does. */
static enum set_result
set_rename(struct cmd *c, struct sn_master *m, int i, int *bad)
{
    char *same[2];

    if (c->argvlen[i + 1] == 0 || c->argvlen[i + 2] == 0) {
        *bad = c->argvlen[i + 2] != 0 ? i + 1 : i + 2;
        return SET_BAD_ARG;
    }
    same[0] = same[1] = c->argv[i + 1];
    if (set_store(c, m, "rename-command", 2, same) != 0 ||
        set_store(c, m, "rename-command", 2, &c->argv[i + 1]) != 0) {
        *bad = i + 2;
        return SET_BAD_ARG;
    }
    return SET_OK;
}

/* Apply the option at argv[i] to its value(s) after it; on SET_BAD_ARG,
 * *bad is the index of the argument to name in the error. */
static enum set_result
set_one(struct cmd *c, struct sn_master *m, const struct set_option *o,
        int i, int *bad)
{
    int k;

    *bad = i + 1;
    for (k = i + 1; k <= i + (o->kind == SET_RENAME ? 2 : 1); k++)
        if (arg_has_ctrl(c, k)) {
            *bad = k;
            return SET_BAD_ARG;
        }
    switch (o->kind) {
    case SET_MS_POSITIVE:
    case SET_MS_NONNEG:
        return set_number(c, m, o, i);
    case SET_SCRIPT:
        return set_script(c, m, o, i);
    case SET_STRING:
        return set_store(c, m, o->name, 1, &c->argv[i + 1]) == 0
                   ? SET_OK
                   : SET_BAD_ARG;
    case SET_RENAME:
        return set_rename(c, m, i, bad);
    }
    return SET_BAD_ARG;
}

static const struct set_option *
set_find(const struct cmd *c, int i)
{
    size_t k;

    for (k = 0; k < SET_OPTIONS_LEN; k++) {
        int need = set_options[k].kind == SET_RENAME ? 2 : 1;

        if (arg_is(c, i, set_options[k].name) && i + need < c->argc)
            return &set_options[k];
    }
    return NULL;
}

/* The +set event names the option as the client spelled it. */
static void
set_event(struct cmd *c, struct sn_master *m, const struct set_option *o,
          int i)
{
    if (o->kind == SET_RENAME)
        sn_core_event(c->core, SN_LOG_WARNING, "+set", &m->inst, "%s %s %s",
                      c->argv[i], c->argv[i + 1], c->argv[i + 2]);
    else
        sn_core_event(c->core, SN_LOG_WARNING, "+set", &m->inst, "%s %s",
                      c->argv[i], o->redacted ? REDACTED : c->argv[i + 1]);
}

/* Not atomic, as in Redis: the pairs before a bad one stay applied, and
 * each applied pair is saved and announced by a +set event. */
static void
sub_set(struct cmd *c)
{
    struct sn_master *m = arg_master(c, 2);
    int i;

    if (m == NULL)
        return;
    for (i = 3; i < c->argc;) {
        const struct set_option *o = set_find(c, i);
        enum set_result r;
        int bad = i + 1;

        if (o == NULL) {
            sn_resp_write_errorf(&c->w, "ERR Unknown option or number of "
                                 "arguments for SENTINEL SET '%s'",
                                 c->argv[i]);
            return;
        }
        r = set_one(c, m, o, i, &bad);
        if (r == SET_BAD_ARG)
            sn_resp_write_errorf(&c->w, "ERR Invalid argument '%s' for "
                                 "SENTINEL SET '%s'", c->argv[bad],
                                 c->argv[i]);
        if (r != SET_OK)
            return;
        set_event(c, m, o, i);
        sn_core_config_changed(c->core, m, o->name, c->now_ms);
        i += o->kind == SET_RENAME ? 3 : 2;
    }
    sn_resp_write_status(&c->w, "OK");
}

/* ---------------------------------------------------------------------
 * SENTINEL CONFIG GET pattern... / SET param value [param value ...]
 * ------------------------------------------------------------------- */

enum cfg_kind {
    CFG_YESNO,
    CFG_PORT,
    CFG_STRING,
    CFG_LOGLEVEL,
};

struct cfg_param {
    const char *name;
    enum cfg_kind kind;
};

/* In the order CONFIG GET lists them. deny-scripts-reconfig is not here:
 * a client must not be able to turn it off. */
static const struct cfg_param cfg_params[] = {
    {"resolve-hostnames", CFG_YESNO},
    {"announce-hostnames", CFG_YESNO},
    {"announce-ip", CFG_STRING},
    {"announce-port", CFG_PORT},
    {"sentinel-user", CFG_STRING},
    {"sentinel-pass", CFG_STRING},
    {"loglevel", CFG_LOGLEVEL},
};

#define CFG_PARAMS_LEN (sizeof(cfg_params) / sizeof(cfg_params[0]))

/* The value of parameter k as CONFIG GET shows it; num holds a number. */
static const char *
cfg_value(const struct sn_config *cfg, size_t k, char num[16])
{
    const char *s;

    switch (k) {
    case 0:
        return cfg->resolve_hostnames ? "yes" : "no";
    case 1:
        return cfg->announce_hostnames ? "yes" : "no";
    case 2:
        s = cfg->announce_ip;
        break;
    case 3:
        snprintf(num, 16, "%d", cfg->announce_port);
        return num;
    case 4:
        s = cfg->sentinel_user;
        break;
    case 5:
        s = cfg->sentinel_pass;
        break;
    default:
        s = sn_config_loglevel_name(cfg->loglevel);
        break;
    }
    return s != NULL ? s : "";
}

/* Every parameter matching any pattern, each once, in pattern order. */
static void
config_get(struct cmd *c)
{
    const struct sn_config *cfg = sn_core_config(c->core);
    bool seen[CFG_PARAMS_LEN] = {false};
    size_t order[CFG_PARAMS_LEN], n = 0, k;
    int i;

    for (i = 3; i < c->argc; i++)
        for (k = 0; k < CFG_PARAMS_LEN; k++)
            if (!seen[k] && strlen(c->argv[i]) == c->argvlen[i] &&
                sn_glob_match(c->argv[i], cfg_params[k].name, true)) {
                seen[k] = true;
                order[n++] = k;
            }
    sn_resp_write_map(&c->w, n);
    for (k = 0; k < n; k++) {
        char num[16];

        sn_resp_write_bulk_str(&c->w, cfg_params[order[k]].name);
        sn_resp_write_bulk_str(&c->w, cfg_value(cfg, order[k], num));
    }
}

static bool
cfg_valid(const struct cmd *c, const struct cfg_param *p, int i)
{
    int64_t v;

    if (arg_has_ctrl(c, i) || c->argvlen[i] > SN_VALUE_MAX)
        return false;
    switch (p->kind) {
    case CFG_YESNO:
        return sn_config_yesno(c->argv[i]) >= 0;
    case CFG_PORT:
        return arg_ll(c, i, &v) == 0 && v >= 0 && v <= 65535;
    case CFG_LOGLEVEL:
        return sn_config_loglevel_parse(c->argv[i]) >= 0;
    case CFG_STRING:
        return true;
    }
    return false;
}

static const struct cfg_param *
cfg_find(const struct cmd *c, int i)
{
    size_t k;

    for (k = 0; k < CFG_PARAMS_LEN; k++)
        if (arg_is(c, i, cfg_params[k].name))
            return &cfg_params[k];
    return NULL;
}

/* All pairs are checked before any is applied (Redis 7.2). */
static bool
config_set_check(struct cmd *c)
{
    const struct cfg_param *seen[CFG_PARAMS_LEN];
    size_t n = 0, k;
    int i;

    for (i = 3; i < c->argc; i += 2) {
        const struct cfg_param *p = cfg_find(c, i);

        if (p == NULL) {
            sn_resp_write_errorf(&c->w, "ERR Invalid argument '%s' to "
                                 "SENTINEL CONFIG SET", c->argv[i]);
            return false;
        }
        for (k = 0; k < n; k++)
            if (seen[k] == p) {
                sn_resp_write_errorf(&c->w, "ERR Duplicate argument '%s' to "
                                     "SENTINEL CONFIG SET", c->argv[i]);
                return false;
            }
        seen[n++] = p;
        if (i + 1 >= c->argc) {
            sn_resp_write_errorf(&c->w, "ERR Missing argument '%s' value",
                                 c->argv[i]);
            return false;
        }
        if (!cfg_valid(c, p, i + 1)) {
            sn_resp_write_errorf(&c->w, "ERR Invalid value '%s' to SENTINEL "
                                 "CONFIG SET '%s'", c->argv[i + 1],
                                 c->argv[i]);
            return false;
        }
    }
    return true;
}

static void
config_set(struct cmd *c)
{
    struct sn_config *cfg;
    int i;

    if (!config_set_check(c))
        return;
    cfg = &c->core->cfg;
    for (i = 3; i < c->argc; i += 2) {
        const struct cfg_param *p = cfg_find(c, i);
        char err[256];

        if (sn_config_set_process(cfg, p->name, 1, &c->argv[i + 1], err,
                                  sizeof(err)) != 0) {
            /* Checked above: only a limit of the model can refuse. */
            sn_resp_write_errorf(&c->w, "ERR Invalid value '%s' to SENTINEL "
                                 "CONFIG SET '%s'", c->argv[i + 1],
                                 c->argv[i]);
            return;
        }
        sn_core_config_changed(c->core, NULL, p->name, c->now_ms);
    }
    sn_resp_write_status(&c->w, "OK");
}

static void
sub_config(struct cmd *c)
{
    if (arg_is(c, 2, "set") && c->argc >= 5)
        config_set(c);
    else if (arg_is(c, 2, "get") && c->argc >= 4)
        config_get(c);
    else
        sn_resp_write_error(&c->w, ERR_CONFIG_USAGE);
}

/* ---------------------------------------------------------------------
 * SENTINEL HELP
 * ------------------------------------------------------------------- */

/* Redis 7's lines (the CONFIG ones as of 7.2, which takes several
 * parameters, as we do), as status replies. */
static const char *const help_lines[] = {
    "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CKQUORUM <master-name>",
    "    Check if the current Sentinel configuration is able to reach the "
    "quorum",
    "    needed to failover a master and the majority needed to authorize "
    "the",
    "    failover.",
    "CONFIG SET param value [param value ...]",
    "    Set a global Sentinel configuration parameter.",
    "CONFIG GET <param> [param param param ...]",
    "    Get global Sentinel configuration parameter.",
    "DEBUG [<param> <value> ...]",
    "    Show a list of configurable time parameters and their values "
    "(milliseconds).",
    "    Or update current configurable parameters values (one or more).",
    "GET-MASTER-ADDR-BY-NAME <master-name>",
    "    Return the ip and port number of the master with that name.",
    "FAILOVER <master-name>",
    "    Manually failover a master node without asking for agreement from "
    "other",
    "    Sentinels",
    "FLUSHCONFIG",
    "    Force Sentinel to rewrite its configuration on disk, including the "
    "current",
    "    Sentinel state.",
    "INFO-CACHE <master-name>",
    "    Return last cached INFO output from masters and all its replicas.",
    "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
    "    Check if the master specified by ip:port is down from current "
    "Sentinel's",
    "    point of view.",
    "MASTER <master-name>",
    "    Show the state and info of the specified master.",
    "MASTERS",
    "    Show a list of monitored masters and their state.",
    "MONITOR <name> <ip> <port> <quorum>",
    "    Start monitoring a new master with the specified name, ip, port and "
    "quorum.",
    "MYID",
    "    Return the ID of the Sentinel instance.",
    "PENDING-SCRIPTS",
    "    Get pending scripts information.",
    "REMOVE <master-name>",
    "    Remove master from Sentinel's monitor list.",
    "REPLICAS <master-name>",
    "    Show a list of replicas for this master and their state.",
    "RESET <pattern>",
    "    Reset masters for specific master name matching this pattern.",
    "SENTINELS <master-name>",
    "    Show a list of Sentinel instances for this master and their state.",
    "SET <master-name> <option> <value> [<option> <value> ...]",
    "    Set configuration parameters for certain masters.",
    "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
    "    Simulate a Sentinel crash.",
    "HELP",
    "    Prints this help.",
};

static void
sub_help(struct cmd *c)
{
    size_t n = sizeof(help_lines) / sizeof(help_lines[0]), i;

    sn_resp_write_array(&c->w, n);
    for (i = 0; i < n; i++)
        sn_resp_write_status(&c->w, help_lines[i]);
}

/* ---------------------------------------------------------------------
 * SENTINEL dispatch
 * ------------------------------------------------------------------- */

struct sub_def {
    const char *name;           /* lower case, as arity errors print it */
    int arity;                  /* counting SENTINEL and the subcommand;
                                   < 0: at least -arity */
    void (*fn)(struct cmd *c);
};

static const struct sub_def subs[] = {
    {"masters", 2, sub_masters},
    {"primaries", 2, sub_masters},
    {"master", 3, sub_master},
    {"primary", 3, sub_master},
    {"replicas", 3, sub_replicas},
    {"slaves", 3, sub_replicas},
    {"sentinels", 3, sub_sentinels},
    {"get-master-addr-by-name", 3, sub_get_master_addr},
    {"get-primary-addr-by-name", 3, sub_get_master_addr},
    {"is-master-down-by-addr", 6, sub_is_master_down},
    {"is-primary-down-by-addr", 6, sub_is_master_down},
    {"reset", 3, sub_reset},
    {"failover", 3, sub_failover},
    {"ckquorum", 3, sub_ckquorum},
    {"flushconfig", 2, sub_flushconfig},
    {"monitor", 6, sub_monitor},
    {"remove", 3, sub_remove},
    {"set", -5, sub_set},
    {"myid", 2, sub_myid},
    {"config", -4, sub_config},
    {"info-cache", -3, sub_info_cache},
    {"pending-scripts", 2, sub_pending_scripts},
    {"simulate-failure", -3, sub_simulate_failure},
    {"debug", -2, sub_debug},
    {"help", 2, sub_help},
};

static bool
arity_ok(int arity, int argc)
{
    return arity > 0 ? argc == arity : argc >= -arity;
}

static void
cmd_sentinel(struct cmd *c)
{
    size_t k;

    for (k = 0; k < sizeof(subs) / sizeof(subs[0]); k++) {
        if (!arg_is(c, 1, subs[k].name))
            continue;
        if (!arity_ok(subs[k].arity, c->argc)) {
            sn_resp_write_errorf(&c->w, "ERR wrong number of arguments for "
                                 "'sentinel|%s' command", subs[k].name);
            return;
        }
        subs[k].fn(c);
        return;
    }
    sn_resp_write_errorf(&c->w, "ERR unknown subcommand '%.128s'. Try "
                         "SENTINEL HELP.", c->argv[1]);
}

/* ---------------------------------------------------------------------
 * ROLE, PUBLISH
 * ------------------------------------------------------------------- */

static void
cmd_role(struct cmd *c)
{
    struct sn_master **ms;
    int n, i;

    ms = sn_core_masters(c->core, &n);
    sn_resp_write_array(&c->w, 2);
    sn_resp_write_bulk_str(&c->w, "sentinel");
    sn_resp_write_array(&c->w, (size_t)n);
    for (i = 0; i < n; i++)
        sn_resp_write_bulk_str(&c->w, ms[i]->inst.name);
}

/* INFO lives in command_info.c. */
static void
cmd_info(struct cmd *c)
{
    sn_command_info(c->core, c->ctx, c->argc, c->argv, c->argvlen, c->w.out,
                    c->now_ms);
}

/* Peers may send their hello by PUBLISH to us; nothing else is accepted,
 * and it is not relayed to our own subscribers. */
static void
cmd_publish(struct cmd *c)
{
    if (c->argvlen[1] != strlen(HELLO_CHANNEL) ||
        memcmp(c->argv[1], HELLO_CHANNEL, c->argvlen[1]) != 0) {
        sn_resp_write_error(&c->w, "ERR Only HELLO messages are accepted by "
                            "Sentinel instances.");
        return;
    }
    sn_core_hello(c->core, c->argv[2], c->argvlen[2], c->now_ms);
    sn_resp_write_int(&c->w, 1);
}

/* ---------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------- */

struct top_def {
    const char *name;
    int arity;
    void (*fn)(struct cmd *c);
};

static const struct top_def tops[] = {
    {"sentinel", -2, cmd_sentinel},
    {"info", -1, cmd_info},
    {"role", 1, cmd_role},
    {"publish", 3, cmd_publish},
};

int
sn_command_exec(struct sn_core *core, const struct sn_cmd_ctx *ctx,
                int argc, char **argv, const size_t *argvlen,
                struct sn_buf *out, int64_t now_ms)
{
    struct cmd c;
    size_t k;

    c.core = core;
    c.ctx = ctx;
    c.argc = argc;
    c.argv = argv;
    c.argvlen = argvlen;
    c.now_ms = now_ms;
    for (k = 0; k < sizeof(tops) / sizeof(tops[0]); k++) {
        if (!arg_is(&c, 0, tops[k].name))
            continue;
        sn_resp_writer_init(&c.w, out, ctx->proto);
        if (!arity_ok(tops[k].arity, argc)) {
            sn_resp_write_errorf(&c.w, "ERR wrong number of arguments for "
                                 "'%s' command", tops[k].name);
            return 1;
        }
        tops[k].fn(&c);
        return 1;
    }
    return 0;
}
