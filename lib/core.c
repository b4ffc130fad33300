/*
 * core.c: the engine's face (core.h). Inputs and time come in, actions go
 * out; the decisions live in instance.c, detect.c, election.c and
 * failover.c. This file queues actions, opens and recycles links, routes
 * replies by tag, sends the periodic PING, INFO and hello, and carries the
 * operations behind the SENTINEL commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core_priv.h"

#define HELLO_CHANNEL "__sentinel__:hello"

/* The action queue's capacity kept once it is empty. */
#define SN_ACTS_KEEP 256

/* ---------------------------------------------------------------------
 * Replies and actions
 * ------------------------------------------------------------------- */

struct sn_reply *
sn_reply_new(enum sn_reply_type type, const char *str, size_t len,
             int64_t integer)
{
    struct sn_reply *r = sn_calloc(1, sizeof(*r));

    r->type = type;
    r->integer = integer;
    if (str != NULL) {
        r->str = sn_strndup(str, len);
        r->len = len;
    }
    return r;
}

void
sn_reply_append(struct sn_reply *array, struct sn_reply *child)
{
    array->element = sn_realloc(array->element, (array->elements + 1) *
                                                sizeof(*array->element));
    array->element[array->elements++] = child;
}

void
sn_reply_free(struct sn_reply *r)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->elements; i++)
        sn_reply_free(r->element[i]);
    free(r->element);
    free(r->str);
    free(r);
}

void
sn_action_free(struct sn_action *a)
{
    int i;

    for (i = 0; a->argv != NULL && i < a->argc; i++)
        free(a->argv[i]);
    free(a->argv);
    free(a->argvlen);
    free(a->host);
    free(a->event);
    free(a->payload);
    free(a->script);
    free(a->text);
    memset(a, 0, sizeof(*a));
}

void
sn_core_push(struct sn_core *core, struct sn_action *a)
{
    if (core->exited) {
        sn_action_free(a);
        return;
    }
    if (core->acts_head > 0 && core->acts_head == core->acts_len) {
        core->acts_head = 0;
        core->acts_len = 0;
    }
    if (core->acts_len == core->acts_cap) {
        if (core->acts_head > 0) {
            memmove(core->acts, core->acts + core->acts_head,
                    (core->acts_len - core->acts_head) * sizeof(*a));
            core->acts_len -= core->acts_head;
            core->acts_head = 0;
        }
        if (core->acts_len == core->acts_cap) {
            core->acts_cap = core->acts_cap ? core->acts_cap * 2 : 32;
            core->acts = sn_realloc(core->acts,
                                    core->acts_cap * sizeof(*a));
        }
    }
    core->acts[core->acts_len++] = *a;
    memset(a, 0, sizeof(*a));
}

int
sn_core_next_action(struct sn_core *core, struct sn_action *a)
{
    if (core->acts_head == core->acts_len)
        return 0;
    *a = core->acts[core->acts_head++];
    if (core->acts_head == core->acts_len) {
        core->acts_head = 0;
        core->acts_len = 0;
        /* A burst (the connects of a thousand masters at start-up) does
         * not keep its queue for good. */
        if (core->acts_cap > SN_ACTS_KEEP) {
            free(core->acts);
            core->acts = NULL;
            core->acts_cap = 0;
        }
    }
    return 1;
}

/* ---------------------------------------------------------------------
 * Events
 * ------------------------------------------------------------------- */

static void
inst_prefix(const struct sn_core *core, struct sn_buf *b,
            const struct sn_instance *ri)
{
    sn_buf_printf(b, "%s %s %s %d", sn_inst_type_name(ri), ri->name,
                  sn_inst_announce_host(core, ri), ri->port);
    if (ri->kind != SN_INST_MASTER && ri->master != NULL) {
        const struct sn_instance *m = &ri->master->inst;

        sn_buf_printf(b, " @ %s %s %d", m->name,
                      sn_inst_announce_host(core, m), m->port);
    }
}

static void
emit_buf(struct sn_core *core, enum sn_loglevel level, const char *event,
         const struct sn_instance *inst, struct sn_buf *b)
{
    struct sn_action a;

    memset(&a, 0, sizeof(a));
    a.type = SN_ACT_EVENT;
    a.level = level;
    a.event = sn_strdup(event);
    a.payload = sn_buf_steal(b, NULL);
    /* As Redis: the notification script runs for warnings that concern
     * an instance. */
    if (level == SN_LOG_WARNING && inst != NULL) {
        const char *s = sn_inst_master_of(inst)->cfg->notification_script;

        if (s != NULL && s[0] != '\0')
            a.script = sn_strdup(s);
    }
    sn_core_push(core, &a);
}

static void
emit_v(struct sn_core *core, enum sn_loglevel level, const char *event,
       const struct sn_instance *inst, bool prefix, const char *fmt,
       va_list ap)
{
    struct sn_buf b, text;

    sn_buf_init(&b);
    sn_buf_init(&text);
    sn_buf_vprintf(&text, fmt, ap);
    if (prefix && inst != NULL) {
        inst_prefix(core, &b, inst);
        if (text.len > 0)
            sn_buf_putc(&b, ' ');
    }
    sn_buf_append(&b, text.data, text.len);
    sn_buf_free(&text);
    emit_buf(core, level, event, inst, &b);
}

void
sn_core_emit(struct sn_core *core, enum sn_loglevel level, const char *event,
             const struct sn_instance *inst, bool prefix, const char *fmt,
             ...)
{
    va_list ap;

    va_start(ap, fmt);
    emit_v(core, level, event, inst, prefix, fmt, ap);
    va_end(ap);
}

void
sn_core_emit_inst(struct sn_core *core, enum sn_loglevel level,
                  const char *event, const struct sn_instance *inst)
{
    struct sn_buf b;

    sn_buf_init(&b);
    inst_prefix(core, &b, inst);
    emit_buf(core, level, event, inst, &b);
}

void
sn_core_event(struct sn_core *core, enum sn_loglevel level,
              const char *event, const struct sn_instance *inst,
              const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    emit_v(core, level, event, inst, true, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------------
 * The model and its saves
 * ------------------------------------------------------------------- */

static void
sync_replicas(struct sn_config_master *c, const struct sn_master *m)
{
    int i;

    for (i = 0; i < c->replicas_len; i++)
        free(c->replicas[i].host);
    free(c->replicas);
    c->replicas = sn_calloc((size_t)m->replicas_len + 1,
                            sizeof(*c->replicas));
    for (i = 0; i < m->replicas_len; i++) {
        c->replicas[i].host = sn_strdup(m->replicas[i]->host);
        c->replicas[i].port = m->replicas[i]->port;
    }
    c->replicas_len = m->replicas_len;
}

static void
sync_peers(struct sn_config_master *c, const struct sn_master *m)
{
    int i, n = 0;

    for (i = 0; i < c->peers_len; i++)
        free(c->peers[i].host);
    free(c->peers);
    c->peers = sn_calloc((size_t)m->sentinels_len + 1, sizeof(*c->peers));
    for (i = 0; i < m->sentinels_len; i++) {
        const struct sn_instance *si = m->sentinels[i];

        if (si->runid[0] == '\0')
            continue;
        c->peers[n].host = sn_strdup(si->host);
        c->peers[n].port = si->port;
        memcpy(c->peers[n].runid, si->runid, sizeof(c->peers[n].runid));
        n++;
    }
    c->peers_len = n;
}

/* Bring the model up to date with what the instances know. */
static void
sync_model(struct sn_core *core)
{
    int i;

    for (i = 0; i < core->masters_len; i++) {
        struct sn_master *m = core->masters[i];
        struct sn_config_master *c = m->cfg;

        c->leader_epoch = m->leader_epoch;
        memcpy(c->leader, m->leader, sizeof(c->leader));
        sync_replicas(c, m);
        sync_peers(c, m);
    }
}

void
sn_core_dirty(struct sn_core *core)
{
    core->dirty = true;
}

void
sn_core_flush(struct sn_core *core)
{
    struct sn_action a;

    sync_model(core);
    memset(&a, 0, sizeof(a));
    /* No text: rendering the whole file here cost a rewrite per SAVE,
     * and the caller, which coalesces SAVEs, renders it once itself. */
    a.type = SN_ACT_SAVE;
    sn_core_push(core, &a);
    core->dirty = false;
}

/* After a master was added or removed, the model's array moved. */
static void
repoint_cfg(struct sn_core *core)
{
    int i;

    for (i = 0; i < core->masters_len; i++) {
        struct sn_master *m = core->masters[i];

        m->cfg = sn_config_master_find(&core->cfg, m->inst.name);
    }
}

/* ---------------------------------------------------------------------
 * Sending
 * ------------------------------------------------------------------- */

/* rename-command: what the monitored server calls this command. */
static const char *
map_command(const struct sn_instance *inst, const char *cmd)
{
    const struct sn_config_master *c;
    int i;

    if (inst == NULL || inst->kind == SN_INST_SENTINEL)
        return cmd;
    c = sn_inst_master_of(inst)->cfg;
    for (i = 0; i < c->renames_len; i++)
        if (strcasecmp(c->renames[i].from, cmd) == 0)
            return c->renames[i].to;
    return cmd;
}

uint64_t
sn_core_send(struct sn_core *core, struct sn_link *link,
             const struct sn_instance *inst, enum sn_cmd_kind kind,
             uint64_t master_id, int argc, const char **argv)
{
    struct sn_action a;
    int i;

    memset(&a, 0, sizeof(a));
    a.type = SN_ACT_SEND;
    a.link = link->id;
    a.argc = argc;
    a.argv = sn_calloc((size_t)argc, sizeof(*a.argv));
    a.argvlen = sn_calloc((size_t)argc, sizeof(*a.argvlen));
    for (i = 0; i < argc; i++) {
        const char *s = i == 0 ? map_command(inst, argv[0]) : argv[i];

        a.argv[i] = sn_strdup(s);
        a.argvlen[i] = strlen(s);
    }
    a.stateless = kind == SN_CMD_PING || kind == SN_CMD_INFO ||
                  kind == SN_CMD_SUBSCRIBE || kind == SN_CMD_AUTH ||
                  kind == SN_CMD_SETNAME || kind == SN_CMD_SCRIPT_KILL;
    if (kind != SN_CMD_SUBSCRIBE) {
        a.tag = ++core->next_tag;
        sn_link_cmd_push(link, a.tag, kind, master_id);
    }
    sn_core_push(core, &a);
    return a.tag;
}

static void
send_ping(struct sn_core *core, struct sn_link *link,
          const struct sn_instance *inst)
{
    const char *argv[] = {"PING"};

    sn_core_send(core, link, inst, SN_CMD_PING, 0, 1, argv);
    if (link->act_ping_ms == 0)
        link->act_ping_ms = core->now_ms;
    link->last_ping_ms = core->now_ms;
}

void
sn_core_send_info(struct sn_core *core, struct sn_instance *ri)
{
    const char *argv[] = {"INFO"};

    if (ri->cc == NULL || !ri->cc->connected)
        return;
    sn_core_send(core, ri->cc, ri, SN_CMD_INFO, 0, 1, argv);
    ri->info_sent_ms = core->now_ms;
}

void
sn_core_send_hello(struct sn_core *core, struct sn_instance *ri)
{
    struct sn_master *m = sn_inst_master_of(ri);
    const struct sn_instance *cur = sn_core_current_master(m);
    const char *ip = core->cfg.announce_ip, *argv[3];
    struct sn_hello h;
    char *payload;

    if (ri->cc == NULL || !ri->cc->connected)
        return;
    if (ip == NULL || ip[0] == '\0')
        ip = ri->cc->local_ip;
    if (ip[0] == '\0')
        return;
    memset(&h, 0, sizeof(h));
    snprintf(h.sentinel_ip, sizeof(h.sentinel_ip), "%s", ip);
    h.sentinel_port = core->cfg.announce_port ? core->cfg.announce_port
                                              : core->cfg.port;
    memcpy(h.sentinel_runid, core->cfg.myid, sizeof(h.sentinel_runid));
    h.current_epoch = core->cfg.current_epoch;
    snprintf(h.master_name, sizeof(h.master_name), "%s", m->inst.name);
    snprintf(h.master_ip, sizeof(h.master_ip), "%s",
             sn_inst_announce_host(core, cur));
    h.master_port = cur->port;
    h.master_config_epoch = m->cfg->config_epoch;
    payload = sn_hello_format(&h, NULL);
    if (payload == NULL)
        return;
    argv[0] = "PUBLISH";
    argv[1] = HELLO_CHANNEL;
    argv[2] = payload;
    sn_core_send(core, ri->cc, ri, SN_CMD_HELLO, m->id, 3, argv);
    free(payload);
    ri->hello_sent_ms = core->now_ms;
}

/* ---------------------------------------------------------------------
 * Links coming up and going down
 * ------------------------------------------------------------------- */

/* The instances a link serves: its owner, or every peer using it. */
static void
link_update_users(struct sn_core *core, struct sn_link *link)
{
    int i, j;

    if (link->owner != NULL) {
        sn_inst_update_links(link->owner);
        return;
    }
    for (i = 0; i < core->masters_len; i++) {
        struct sn_master *m = core->masters[i];

        for (j = 0; j < m->sentinels_len; j++) {
            struct sn_instance *si = m->sentinels[j];

            if (si->cc == link) {
                sn_inst_update_links(si);
                si->hello_sent_ms = 0;
                si->ask_sent_ms = 0;
            }
        }
    }
}

static const struct sn_instance *
link_some_user(const struct sn_core *core, const struct sn_link *link)
{
    int i, j;

    if (link->owner != NULL)
        return link->owner;
    for (i = 0; i < core->masters_len; i++)
        for (j = 0; j < core->masters[i]->sentinels_len; j++)
            if (core->masters[i]->sentinels[j]->cc == link)
                return core->masters[i]->sentinels[j];
    return NULL;
}

static void
send_auth(struct sn_core *core, struct sn_link *link)
{
    const char *user, *pass, *argv[3];

    if (link->owner != NULL) {
        const struct sn_config_master *c;

        c = sn_inst_master_of(link->owner)->cfg;
        user = c->auth_user;
        pass = c->auth_pass;
    } else if (core->cfg.sentinel_pass != NULL) {
        user = core->cfg.sentinel_user;
        pass = core->cfg.sentinel_pass;
    } else {
        /* As Redis: requirepass doubles as the peers' password. */
        user = NULL;
        pass = core->cfg.requirepass;
    }
    if (pass == NULL)
        return;
    argv[0] = "AUTH";
    argv[1] = user != NULL ? user : pass;
    argv[2] = pass;
    sn_core_send(core, link, link->owner, SN_CMD_AUTH, 0,
                 user != NULL ? 3 : 2, argv);
}

static void
link_up(struct sn_core *core, struct sn_link *link, const char *local_ip,
        const char *peer_ip)
{
    char name[64];
    const char *argv[3];

    link->connected = true;
    link->connecting = false;
    link->connected_ms = core->now_ms;
    snprintf(link->local_ip, sizeof(link->local_ip), "%s",
             local_ip != NULL ? local_ip : "");
    /* An unknown address (a caller that does not say) leaves the last
     * one known in place. */
    if (peer_ip != NULL && peer_ip[0] != '\0')
        snprintf(link->peer_ip, sizeof(link->peer_ip), "%s", peer_ip);
    send_auth(core, link);
    snprintf(name, sizeof(name), "sentinel-%.8s-%s", core->cfg.myid,
             link->pubsub ? "pubsub" : "cmd");
    argv[0] = "CLIENT";
    argv[1] = "SETNAME";
    argv[2] = name;
    sn_core_send(core, link, link->owner, SN_CMD_SETNAME, 0, 3, argv);
    if (link->pubsub) {
        link->pc_last_activity_ms = core->now_ms;
        argv[0] = "SUBSCRIBE";
        argv[1] = HELLO_CHANNEL;
        sn_core_send(core, link, link->owner, SN_CMD_SUBSCRIBE, 0, 2, argv);
    } else {
        send_ping(core, link, link->owner);
        /* Learn the role at once: a returning instance is seen in one
         * round trip, not at the next 10 s poll. */
        if (link->owner != NULL)
            sn_core_send_info(core, link->owner);
    }
    link_update_users(core, link);
}

static void
link_down(struct sn_core *core, struct sn_link *link, const char *err)
{
    const struct sn_instance *user = link_some_user(core, link);

    if (user != NULL)
        sn_core_emit(core, SN_LOG_DEBUG,
                     link->pubsub ? "-pubsub-link-reconnection"
                                  : "-cmd-link-reconnection",
                     user, true, "#%s", err != NULL ? err : "closed");
    link->id = 0;
    core->reconnect_due_ms = 0;
    link->connected = false;
    link->connecting = false;
    link->cmds_len = 0;
    link->pending = 0;
    if (link->owner != NULL) {
        link->owner->info_sent_ms = 0;
        link->owner->hello_sent_ms = 0;
    }
    link_update_users(core, link);
}

/* Open links that are down, at most once per ping-period each. Only when
 * one may be due (reconnect_due_ms): a walk over thousands of links per
 * tick cost more than the tick's real work. */
static void
links_reconnect(struct sn_core *core)
{
    int64_t now = core->now_ms, period = core->timers.ping_period_ms;
    int64_t next = INT64_MAX;
    uint32_t i;

    if (now < core->reconnect_due_ms) {
        sn_core_wake(core, core->reconnect_due_ms);
        return;
    }
    for (i = 0; i < core->links_len; i++) {
        struct sn_link *l = core->links[i];
        struct sn_action a;

        if (l == NULL || l->id != 0)
            continue;
        if (l->last_connect_ms != 0 && now - l->last_connect_ms < period) {
            if (l->last_connect_ms + period < next)
                next = l->last_connect_ms + period;
            continue;
        }
        sn_link_next_id(core, l);
        l->connecting = true;
        l->last_connect_ms = now;
        memset(&a, 0, sizeof(a));
        a.type = SN_ACT_CONNECT;
        a.link = l->id;
        a.link_kind = l->pubsub ? SN_LINK_PUBSUB : SN_LINK_CMD;
        a.host = sn_strdup(l->host);
        a.port = l->port;
        sn_core_push(core, &a);
    }
    core->reconnect_due_ms = next;
    if (next != INT64_MAX)
        sn_core_wake(core, next);
}

/* ---------------------------------------------------------------------
 * Inputs
 * ------------------------------------------------------------------- */

static struct sn_instance *
peer_on_link(const struct sn_core *core, uint64_t master_id,
             const struct sn_link *link)
{
    struct sn_master *m = sn_core_master_by_id(core, master_id);
    int i;

    for (i = 0; m != NULL && i < m->sentinels_len; i++)
        if (m->sentinels[i]->cc == link)
            return m->sentinels[i];
    return NULL;
}

static void
hello_acked(struct sn_core *core, struct sn_instance *ri,
            const struct sn_reply *r)
{
    if (ri == NULL)
        return;
    ri->hello_sent_ms = 0;
    if (r->type == SN_REPLY_ERROR)
        return;
    ri->last_pub_ms = core->now_ms;
    if (ri->kind != SN_INST_SENTINEL)
        ri->last_hello_ms = core->now_ms;
}

static void
on_reply(struct sn_core *core, struct sn_link *link, uint64_t tag,
         const struct sn_reply *r)
{
    struct sn_link_cmd cmd;
    struct sn_instance *ri;

    if (r == NULL || !sn_link_cmd_pop(link, tag, &cmd))
        return;
    switch (cmd.kind) {
    case SN_CMD_PING:
        sn_detect_ping_reply(core, link, r);
        break;
    case SN_CMD_INFO:
        ri = link->owner;
        if (ri == NULL)
            break;
        ri->info_sent_ms = 0;
        if (r->type == SN_REPLY_STRING)
            sn_inst_refresh_info(core, ri, r->str, r->len);
        break;
    case SN_CMD_HELLO:
        ri = link->owner != NULL ? link->owner
                                 : peer_on_link(core, cmd.master_id, link);
        hello_acked(core, ri, r);
        /* The instance answered: as good a sign of life as a PONG (a
         * hung server answers nothing), so the next PING can wait. A PING
         * sent after the PUBLISH may still be outstanding: act_ping_ms
         * stays as it is. */
        if (r->type != SN_REPLY_ERROR) {
            link->last_pong_ms = core->now_ms;
            link->last_avail_ms = core->now_ms;
        }
        break;
    case SN_CMD_ASK:
        sn_core_touch(core, NULL);
        ri = peer_on_link(core, cmd.master_id, link);
        if (ri != NULL) {
            ri->ask_sent_ms = 0;
            sn_detect_ask_reply(core, ri, r);
        }
        break;
    default:
        break;
    }
}

static void
on_message(struct sn_core *core, struct sn_link *link, const char *channel,
           const char *payload, size_t len)
{
    if (!link->pubsub)
        return;
    link->pc_last_activity_ms = core->now_ms;
    if (channel == NULL || payload == NULL ||
        strcmp(channel, HELLO_CHANNEL) != 0)
        return;
    sn_inst_process_hello(core, payload, len);
}

/* The end of every entry point: save what changed, tick soon. Commands
 * and the other entry points may change anything: that tick visits every
 * master. An input marks what it touched itself (sn_core_input). */
static void
finish_touched(struct sn_core *core)
{
    if (core->dirty)
        sn_core_flush(core);
    core->deadline_ms = core->now_ms;
}

static void
finish(struct sn_core *core)
{
    core->tick_all = true;
    finish_touched(core);
}

void
sn_core_touch(struct sn_core *core, struct sn_master *m)
{
    /* Touched while a tick runs: the next tick comes at once. */
    if (core->ticking != NULL)
        sn_core_wake(core, core->now_ms + 1);
    if (m == NULL) {
        core->tick_all = true;
        return;
    }
    if (m->touched)
        return;
    m->touched = true;
    if (core->touched_len == core->touched_cap) {
        core->touched_cap = core->touched_cap ? core->touched_cap * 2 : 16;
        core->touched = sn_realloc(core->touched, (size_t)core->touched_cap *
                                                      sizeof(*core->touched));
    }
    core->touched[core->touched_len++] = m;
}

/* The master whose state an input on `link` concerns: its owner's. A link
 * to a peer sentinel is shared by every master that peer watches (NULL:
 * all of them). */
static struct sn_master *
master_of_link(const struct sn_link *link)
{
    return link->owner != NULL ? sn_inst_master_of(link->owner) : NULL;
}

void
sn_core_input(struct sn_core *core, const struct sn_input *in,
              int64_t now_ms)
{
    struct sn_link *link;

    if (core->exited)
        return;
    sn_detect_clock(core, now_ms);
    link = sn_link_by_id(core, in->link);
    if (link == NULL)
        return;
    switch (in->type) {
    case SN_IN_LINK_UP:
        link_up(core, link, in->local_ip, in->peer_ip);
        break;
    case SN_IN_LINK_DOWN:
        link_down(core, link, in->err);
        break;
    case SN_IN_REPLY:
        on_reply(core, link, in->tag, in->reply);
        break;
    case SN_IN_MESSAGE:
        on_message(core, link, in->channel, in->payload, in->payload_len);
        break;
    }
    sn_core_touch(core, master_of_link(link));
    finish_touched(core);
}

/* ---------------------------------------------------------------------
 * Periodic commands (Redis's sentinelSendPeriodicCommands)
 * ------------------------------------------------------------------- */

int64_t
sn_core_ping_interval(const struct sn_core *core,
                      const struct sn_instance *ri)
{
    int64_t p = ri->down_after_ms / SN_PING_DIVISOR;
    int64_t floor = (int64_t)core->masters_len * 1000 / SN_MASTER_PINGS_PER_S;

    /* Replicas and peers: Redis's period. */
    if (ri->kind != SN_INST_MASTER)
        p = ri->down_after_ms;
    if (p < floor)
        p = floor;
    if (p < SN_PERIOD_MIN_MS)
        p = SN_PERIOD_MIN_MS;
    if (p > core->timers.ping_period_ms)
        p = core->timers.ping_period_ms;
    return p;
}

static int64_t
info_interval(const struct sn_core *core, const struct sn_instance *ri)
{
    const struct sn_master *m = ri->master;
    unsigned hot = SN_F_S_DOWN | SN_F_O_DOWN | SN_F_FAILOVER_IN_PROGRESS;
    int64_t p = core->timers.info_period_ms;

    if (ri->kind != SN_INST_REPLICA)
        return p;
    if (m->promoted == ri && m->failover_state == SN_FO_WAIT_PROMOTION)
        return SN_INFO_PROMOTION_MS < p ? SN_INFO_PROMOTION_MS : p;
    if ((m->inst.flags & hot) || ri->role_reported == SN_ROLE_MASTER)
        return SN_INFO_FAST_MS < p ? SN_INFO_FAST_MS : p;
    if (ri->master_link_down_ms != 0)
        return SN_INFO_LINK_DOWN_MS < p ? SN_INFO_LINK_DOWN_MS : p;
    return p;
}

static void
periodic_ping(struct sn_core *core, struct sn_instance *ri)
{
    struct sn_link *l = ri->cc;
    int64_t now = core->now_ms, p = sn_core_ping_interval(core, ri);
    int64_t due = l->last_pong_ms + p + 1;

    if (l->last_ping_ms + p / 2 + 1 > due)
        due = l->last_ping_ms + p / 2 + 1;
    /* A hello just published asks the same question: its answer counts
     * as a PONG (on_reply), so a PING due with it waits for that answer
     * (half an interval at most). Redis sends both: half its PINGs to
     * replicas and peers go out with a hello. */
    if (ri->hello_sent_ms != 0 && ri->hello_sent_ms + p / 2 + 1 > due)
        due = ri->hello_sent_ms + p / 2 + 1;
    if (now >= due) {
        send_ping(core, l, ri->kind == SN_INST_SENTINEL ? NULL : ri);
        due = now + p / 2 + 1;
    }
    sn_core_wake(core, due);
}

static void
periodic_info(struct sn_core *core, struct sn_instance *ri)
{
    int64_t now = core->now_ms, p = info_interval(core, ri), due;

    due = ri->info_refresh_ms == 0 ? now : ri->info_refresh_ms + p;
    /* One INFO in flight at a time, unless it looks lost. */
    if (ri->info_sent_ms != 0 && ri->info_sent_ms + p > due)
        due = ri->info_sent_ms + p;
    if (now >= due) {
        sn_core_send_info(core, ri);
        due = now + p;
    }
    sn_core_wake(core, due);
}

static void
periodic_hello(struct sn_core *core, struct sn_instance *ri)
{
    int64_t now = core->now_ms, p = core->timers.publish_period_ms, due;

    due = ri->last_pub_ms == 0 ? now : ri->last_pub_ms + p;
    if (ri->hello_sent_ms != 0 && ri->hello_sent_ms + p > due)
        due = ri->hello_sent_ms + p;
    if (now >= due) {
        sn_core_send_hello(core, ri);
        due = now + p;
    }
    sn_core_wake(core, due);
}

static void
periodic(struct sn_core *core, struct sn_instance *ri)
{
    if (ri->cc == NULL || !ri->cc->connected)
        return;
    /* A clogged link gets nothing more until replies drain it; a reply
     * is an input, which ticks the core again. */
    if (sn_link_clogged(ri->cc))
        return;
    if (ri->kind != SN_INST_SENTINEL)
        periodic_info(core, ri);
    periodic_hello(core, ri);
    periodic_ping(core, ri);
}

/* ---------------------------------------------------------------------
 * The tick
 * ------------------------------------------------------------------- */

static void
handle_instance(struct sn_core *core, struct sn_instance *ri)
{
    periodic(core, ri);
    if (core->tilt)
        return;
    sn_detect_sdown(core, ri);
}

static void
handle_master(struct sn_core *core, struct sn_master *m)
{
    int i;

    handle_instance(core, &m->inst);
    if (!core->tilt) {
        sn_detect_odown(core, m);
        /* The vote requests go out from WAIT_START, after the start
         * delay (failover.c). */
        sn_failover_start_if_needed(core, m);
        sn_failover_run(core, m);
        if (core->exited)
            return;
        sn_detect_ask(core, m, false);
    }
    for (i = 0; i < m->replicas_len; i++)
        handle_instance(core, m->replicas[i]);
    for (i = 0; i < m->sentinels_len; i++)
        handle_instance(core, m->sentinels[i]);
}

static void tick_touched(struct sn_core *core);
static void tick_scan(struct sn_core *core, bool all);

/* A tick visits the masters that need it: those an input touched, those
 * whose earliest timer (the wakes asked for while they were last visited)
 * has come, and, after a command or at least every heartbeat, all of them.
 * With a thousand masters, replies arrive every few hundred microseconds;
 * a tick that visited every instance for each of them spent more than
 * the replies themselves. The heartbeat sweep also catches any state a
 * path changed without marking it. */
void
sn_core_tick(struct sn_core *core, int64_t now_ms)
{
    int64_t beat = SN_HEARTBEAT_MS;
    bool all;

    if (core->exited)
        return;
    sn_detect_clock(core, now_ms);
    if (core->timers.tilt_trigger_ms / 2 < beat)
        beat = core->timers.tilt_trigger_ms / 2;
    if (beat < 1)
        beat = 1;
    core->deadline_ms = core->now_ms + beat;
    all = core->tick_all || core->tilt || core->now_ms >= core->sweep_due_ms;
    if (all) {
        core->tick_all = false;
        core->sweep_due_ms = core->now_ms + beat;
    }
    sn_core_wake(core, core->sweep_due_ms);
    if (core->tilt)
        sn_detect_tilt_exit(core);
    links_reconnect(core);
    if (!all && core->now_ms < core->min_due_ms) {
        /* No timer is due: the touched masters are all there is to do,
         * without a walk over every master. */
        tick_touched(core);
    } else {
        tick_scan(core, all);
    }
    if (core->dirty)
        sn_core_flush(core);
}

static void
visit(struct sn_core *core, struct sn_master *m)
{
    m->touched = false;
    core->ticking = m;
    core->ticking_due_ms = INT64_MAX;
    handle_master(core, m);
    core->ticking = NULL;
    m->due_ms = core->ticking_due_ms;
}

/* Visit the masters inputs touched since the last tick. */
static void
tick_touched(struct sn_core *core)
{
    struct sn_master **list = core->touched;
    int i, n = core->touched_len;

    /* Touches made while visiting go to a fresh list, for the next tick. */
    core->touched = NULL;
    core->touched_len = core->touched_cap = 0;
    for (i = 0; i < n && !core->exited; i++) {
        struct sn_master *m = list[i];

        if (!m->touched)
            continue;
        visit(core, m);
        if (m->due_ms < core->min_due_ms)
            core->min_due_ms = m->due_ms;
    }
    free(list);
    sn_core_wake(core, core->min_due_ms);
}

/* Walk every master: visit those touched or due (all of them if `all`),
 * and learn the earliest timer of the rest. */
static void
tick_scan(struct sn_core *core, bool all)
{
    int64_t min_due = INT64_MAX;
    int i;

    core->touched_len = 0;      /* the walk sees every touched master */
    for (i = 0; i < core->masters_len && !core->exited; i++) {
        struct sn_master *m = core->masters[i];

        if (all || m->touched || m->due_ms <= core->now_ms)
            visit(core, m);
        if (m->due_ms < min_due)
            min_due = m->due_ms;
    }
    core->min_due_ms = min_due;
    sn_core_wake(core, min_due);
}

void
sn_core_wake(struct sn_core *core, int64_t when)
{
    if (when <= core->now_ms)
        return;
    if (when < core->deadline_ms)
        core->deadline_ms = when;
    if (core->ticking != NULL && when < core->ticking_due_ms)
        core->ticking_due_ms = when;
}

int64_t
sn_core_deadline_ms(const struct sn_core *core)
{
    return core->deadline_ms;
}

void
sn_core_crash(struct sn_core *core)
{
    struct sn_action a;

    if (core->dirty)
        sn_core_flush(core);
    memset(&a, 0, sizeof(a));
    a.type = SN_ACT_EXIT;
    sn_core_push(core, &a);
    core->exited = true;
}

/* ---------------------------------------------------------------------
 * Creation
 * ------------------------------------------------------------------- */

static void
timers_default(struct sn_timers *t)
{
    t->ping_period_ms = 1000;
    t->info_period_ms = 10000;
    t->ask_period_ms = 1000;
    t->publish_period_ms = 2000;
    t->default_down_after_ms = SN_DEFAULT_DOWN_AFTER_MS;
    t->tilt_trigger_ms = 2000;
    t->tilt_period_ms = 30000;
    t->slave_reconf_timeout_ms = 10000;
    t->min_link_reconnect_period_ms = 15000;
    t->default_failover_timeout_ms = SN_DEFAULT_FAILOVER_TIMEOUT_MS;
    t->election_timeout_ms = 10000;
    t->script_max_runtime_ms = 60000;
    t->script_retry_delay_ms = 30000;
}

struct sn_core *
sn_core_new(const struct sn_config *cfg, uint64_t seed, int64_t now_ms,
            char *err, size_t errlen)
{
    struct sn_core *core;
    int i;

    if (cfg == NULL) {
        snprintf(err, errlen, "no configuration");
        return NULL;
    }
    core = sn_calloc(1, sizeof(*core));
    sn_config_copy(&core->cfg, cfg);
    sn_rng_seed(&core->rng, seed);
    timers_default(&core->timers);
    core->now_ms = now_ms > 0 ? now_ms : 1;
    core->last_clock_ms = core->now_ms;
    core->deadline_ms = core->now_ms;
    if (core->cfg.myid[0] == '\0') {
        sn_rng_runid(&core->rng, core->cfg.myid);
        sn_core_flush(core);
    }
    for (i = 0; i < core->cfg.masters_len; i++) {
        struct sn_master *m;

        m = sn_inst_master_new(core, &core->cfg.masters[i]);
        sn_core_emit(core, SN_LOG_WARNING, "+monitor", &m->inst, true,
                     "quorum %d", m->cfg->quorum);
    }
    return core;
}

void
sn_core_free(struct sn_core *core)
{
    size_t i;

    if (core == NULL)
        return;
    while (core->masters_len > 0)
        sn_inst_master_free(core, core->masters[0]);
    free(core->masters);
    for (i = core->acts_head; i < core->acts_len; i++)
        sn_action_free(&core->acts[i]);
    free(core->acts);
    free(core->touched);
    free(core->links);
    sn_config_free(&core->cfg);
    free(core);
}

/* ---------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------- */

const struct sn_config *
sn_core_config(const struct sn_core *core)
{
    return &core->cfg;
}

struct sn_config *
sn_core_config_mut(struct sn_core *core)
{
    return &core->cfg;
}

struct sn_timers *
sn_core_timers(struct sn_core *core)
{
    return &core->timers;
}

struct sn_master **
sn_core_masters(const struct sn_core *core, int *len)
{
    *len = core->masters_len;
    return core->masters;
}

struct sn_master *
sn_core_master_by_name(const struct sn_core *core, const char *name)
{
    int lo = 0, hi = core->masters_len - 1;

    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(core->masters[mid]->inst.name, name);

        if (c == 0)
            return core->masters[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

struct sn_master *
sn_core_master_by_id(const struct sn_core *core, uint64_t id)
{
    int i;

    for (i = 0; i < core->masters_len; i++)
        if (core->masters[i]->id == id)
            return core->masters[i];
    return NULL;
}

const char *
sn_core_myid(const struct sn_core *core)
{
    return core->cfg.myid;
}

uint64_t
sn_core_current_epoch(const struct sn_core *core)
{
    return core->cfg.current_epoch;
}

bool
sn_core_tilt(const struct sn_core *core)
{
    return core->tilt;
}

int64_t
sn_core_tilt_since_ms(const struct sn_core *core)
{
    return core->tilt ? core->tilt_start_ms : -1;
}

const struct sn_instance *
sn_core_current_master(const struct sn_master *m)
{
    if (m->failover_state >= SN_FO_RECONF_SLAVES && m->promoted != NULL)
        return m->promoted;
    return &m->inst;
}

void
sn_core_master_addr(const struct sn_master *m, const char **host, int *port)
{
    const struct sn_instance *ri = sn_core_current_master(m);

    *host = ri->host;
    *port = ri->port;
}

/* ---------------------------------------------------------------------
 * Operations (SENTINEL subcommands)
 * ------------------------------------------------------------------- */

int
sn_core_monitor(struct sn_core *core, const char *name, const char *host,
                int port, int quorum, int64_t now_ms, char *err,
                size_t errlen)
{
    char portstr[16], quorumstr[16];
    char *argv[3];
    struct sn_master *m;

    sn_detect_clock(core, now_ms);
    if (sn_core_master_by_name(core, name) != NULL) {
        snprintf(err, errlen, "Duplicate master name.");
        return -1;
    }
    snprintf(portstr, sizeof(portstr), "%d", port);
    snprintf(quorumstr, sizeof(quorumstr), "%d", quorum);
    argv[0] = (char *)host;
    argv[1] = portstr;
    argv[2] = quorumstr;
    if (sn_config_set_master(&core->cfg, name, "monitor", 3, argv, err,
                             errlen) != 0)
        return -1;
    repoint_cfg(core);
    m = sn_inst_master_new(core, sn_config_master_find(&core->cfg, name));
    sn_core_emit(core, SN_LOG_WARNING, "+monitor", &m->inst, true,
                 "quorum %d", m->cfg->quorum);
    sn_core_dirty(core);
    finish(core);
    return 0;
}

int
sn_core_remove(struct sn_core *core, const char *name, int64_t now_ms)
{
    struct sn_master *m = sn_core_master_by_name(core, name);

    sn_detect_clock(core, now_ms);
    if (m == NULL)
        return -1;
    sn_core_emit_inst(core, SN_LOG_WARNING, "-monitor", &m->inst);
    sn_inst_master_free(core, m);
    sn_config_master_remove(&core->cfg, name);
    repoint_cfg(core);
    sn_core_dirty(core);
    finish(core);
    return 0;
}

int
sn_core_reset(struct sn_core *core, const char *pattern, int64_t now_ms)
{
    int i, n = 0;

    sn_detect_clock(core, now_ms);
    for (i = 0; i < core->masters_len; i++) {
        struct sn_master *m = core->masters[i];

        if (!sn_glob_match(pattern, m->inst.name, false))
            continue;
        /* As Redis: no save here; the next one writes the new state. */
        sn_inst_reset_master(core, m, true, true);
        n++;
    }
    finish(core);
    return n;
}

int
sn_core_failover(struct sn_core *core, struct sn_master *m, int64_t now_ms,
                 char *err, size_t errlen)
{
    sn_detect_clock(core, now_ms);
    if (m->inst.flags & SN_F_FAILOVER_IN_PROGRESS) {
        snprintf(err, errlen, "-INPROG Failover already in progress");
        return -1;
    }
    if (sn_failover_select(core, m) == NULL) {
        snprintf(err, errlen, "-NOGOODSLAVE No suitable replica to promote");
        return -1;
    }
    sn_failover_start(core, m);
    m->inst.flags |= SN_F_FORCE_FAILOVER;
    /* A forced failover asks nobody: no delay before it goes on. */
    m->failover_start_ms = core->now_ms;
    finish(core);
    return 0;
}

static struct sn_master *
master_by_addr(const struct sn_core *core, const char *ip, int port)
{
    int i;

    for (i = 0; i < core->masters_len; i++)
        if (sn_inst_addr_is(&core->masters[i]->inst, ip, port))
            return core->masters[i];
    return NULL;
}

int
sn_core_is_master_down(struct sn_core *core, const char *ip, int port,
                       uint64_t req_epoch, const char *runid,
                       int64_t now_ms, bool *down,
                       char leader[SN_RUNID_LEN + 1],
                       uint64_t *leader_epoch)
{
    struct sn_master *m;
    const char *vote = NULL;

    sn_detect_clock(core, now_ms);
    *down = false;
    *leader_epoch = 0;
    snprintf(leader, SN_RUNID_LEN + 1, "*");
    m = master_by_addr(core, ip, port);
    if (m == NULL) {
        finish(core);
        return -1;
    }
    /* In TILT we never say down, but we still vote. */
    *down = !core->tilt && (m->inst.flags & SN_F_S_DOWN);
    if (strcmp(runid, "*") != 0)
        vote = sn_election_vote(core, m, req_epoch, runid, leader_epoch);
    if (vote != NULL && vote[0] != '\0')
        snprintf(leader, SN_RUNID_LEN + 1, "%s", vote);
    finish(core);
    return 0;
}

void
sn_core_hello(struct sn_core *core, const char *payload, size_t len,
              int64_t now_ms)
{
    if (core->exited)
        return;
    sn_detect_clock(core, now_ms);
    sn_inst_process_hello(core, payload, len);
    finish(core);
}

static void
drop_master_links(struct sn_core *core, struct sn_master *m)
{
    int i;

    sn_link_close(core, m->inst.cc);
    sn_link_close(core, m->inst.pc);
    for (i = 0; i < m->replicas_len; i++) {
        sn_link_close(core, m->replicas[i]->cc);
        sn_link_close(core, m->replicas[i]->pc);
    }
}

static void
drop_sentinel_links(struct sn_core *core)
{
    uint32_t i;

    for (i = 0; i < core->links_len; i++)
        if (core->links[i] != NULL && core->links[i]->owner == NULL)
            sn_link_close(core, core->links[i]);
}

static void
set_down_after(struct sn_master *m)
{
    int i;

    m->inst.down_after_ms = m->cfg->down_after_ms;
    for (i = 0; i < m->replicas_len; i++)
        m->replicas[i]->down_after_ms = m->cfg->down_after_ms;
    for (i = 0; i < m->sentinels_len; i++)
        m->sentinels[i]->down_after_ms = m->cfg->down_after_ms;
}

void
sn_core_config_changed(struct sn_core *core, struct sn_master *m,
                       const char *what, int64_t now_ms)
{
    sn_detect_clock(core, now_ms);
    if (m != NULL && strcasecmp(what, "down-after-milliseconds") == 0)
        set_down_after(m);
    else if (m != NULL && (strcasecmp(what, "auth-pass") == 0 ||
                           strcasecmp(what, "auth-user") == 0))
        drop_master_links(core, m);
    else if (strcasecmp(what, "sentinel-user") == 0 ||
             strcasecmp(what, "sentinel-pass") == 0)
        drop_sentinel_links(core);
    sn_core_dirty(core);
    finish(core);
}

void
sn_core_save(struct sn_core *core)
{
    sn_core_flush(core);
}

void
sn_core_simulate_failure(struct sn_core *core, unsigned flags)
{
    core->simfail = flags;
}

unsigned
sn_core_simulate_failure_flags(const struct sn_core *core)
{
    return core->simfail;
}
