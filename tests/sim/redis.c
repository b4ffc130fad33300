/*
 * redis.c: the model of a Redis server, as much of it as a sentinel sees.
 *
 * Role, run id, replication offset, REPLICAOF/SLAVEOF, MULTI/EXEC, INFO,
 * PING, CLIENT KILL, CONFIG REWRITE, SUBSCRIBE/PUBLISH with fan-out; a
 * replica's link comes up a sync delay after its master is reachable and
 * goes down at once when the master is gone (connection refused) or after
 * the replication timeout when it is silent (hung, partitioned). A master
 * takes writes at one offset unit per millisecond while it runs; a replica
 * with its link up sits `lag` behind its master.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "info.h"
#include "sim.h"

#define HELLO_CHANNEL "__sentinel__:hello"
#define CHAIN_DEPTH_MAX 8

enum reach {
    REACH_OK = 0,
    REACH_REFUSED,          /* gone: the link drops at once */
    REACH_STALLED,          /* silent: the link drops after a timeout */
};

struct sim_server *
sim_server_of(struct sim *sim, int node)
{
    if (node < 0 || sim->nodes[node].kind != SIM_NODE_SERVER)
        return NULL;
    return &sim->servers[sim->nodes[node].index];
}

static const struct sim_server *
server_of_const(const struct sim *sim, int node)
{
    if (node < 0 || sim->nodes[node].kind != SIM_NODE_SERVER)
        return NULL;
    return &sim->servers[sim->nodes[node].index];
}

static const char *
sname(const struct sim *sim, const struct sim_server *s)
{
    return sim->nodes[s->node].name;
}

void
sim_redis_init(struct sim *sim, struct sim_server *s, int node, int group,
               int index_in_group, bool is_master)
{
    memset(s, 0, sizeof(*s));
    s->node = node;
    s->group = group;
    s->index_in_group = index_in_group;
    s->state = SIM_SRV_UP;
    sn_rng_runid(&sim->rng, s->run_id);
    s->is_master = is_master;
    s->saved_is_master = is_master;
    s->last_master_node = -1;
    s->link = SIM_REPL_DOWN;
    s->link_down_since = -1;
    s->offset_at = sim->now;
    s->priority = 100;
}

/* ---------------------------------------------------------------------
 * Offsets
 * ------------------------------------------------------------------- */

static uint64_t
offset_depth(const struct sim *sim, const struct sim_server *s, int depth)
{
    if (s->state != SIM_SRV_UP)
        return s->offset;
    if (s->is_master)
        return s->offset + (uint64_t)(sim->now - s->offset_at);
    if (s->link == SIM_REPL_UP && depth < CHAIN_DEPTH_MAX) {
        int n = sim_net_find(sim, s->master_host, s->master_port);
        const struct sim_server *m = server_of_const(sim, n);

        if (m != NULL && m != s) {
            uint64_t v = offset_depth(sim, m, depth + 1);

            return v > s->lag ? v - s->lag : 0;
        }
    }
    return s->offset;
}

uint64_t
sim_redis_offset(const struct sim *sim, const struct sim_server *s)
{
    return offset_depth(sim, s, 0);
}

/* Fix the current offset before a change of state, so it stays
 * continuous: it grows as a master, follows the master over a live link,
 * and stands still otherwise. */
static void
materialize(struct sim *sim, struct sim_server *s)
{
    s->offset = sim_redis_offset(sim, s);
    s->offset_at = sim->now;
}

/* ---------------------------------------------------------------------
 * The replication link
 * ------------------------------------------------------------------- */

static enum reach
reachability(const struct sim *sim, const struct sim_server *s)
{
    int n = sim_net_find(sim, s->master_host, s->master_port);
    const struct sim_server *m = server_of_const(sim, n);

    if (m == NULL || m == s || m->state == SIM_SRV_CRASHED)
        return REACH_REFUSED;
    if (sim_net_blocked(sim, s->node, n) || sim_net_blocked(sim, n, s->node))
        return REACH_STALLED;
    if (m->state == SIM_SRV_HUNG)
        return REACH_STALLED;
    return REACH_OK;
}

static void
link_down(struct sim *sim, struct sim_server *s)
{
    if (s->link == SIM_REPL_DOWN)
        return;
    materialize(sim, s);
    s->link = SIM_REPL_DOWN;
    s->link_down_since = sim->now;
    s->sync_gen++;
    s->timeout_pending = false;
    s->timeout_gen++;
    sim_trace(sim, "model: %s link to %s:%d down", sname(sim, s),
              s->master_host, s->master_port);
}

/* Replicas of s lose their link when s changes its replication stream
 * (it becomes a replica itself): they resync. */
static void
drop_chained(struct sim *sim, struct sim_server *s)
{
    int i;

    for (i = 0; i < sim->servers_len; i++) {
        struct sim_server *r = &sim->servers[i];

        if (r != s && !r->is_master && r->state == SIM_SRV_UP &&
            r->master_port == sim->nodes[s->node].port &&
            strcmp(r->master_host, sim->nodes[s->node].host) == 0)
            link_down(sim, r);
    }
}

void
sim_redis_repl_update(struct sim *sim, struct sim_server *s)
{
    struct sim_msg *m;

    if (s->state != SIM_SRV_UP)
        return;                 /* crashed: down already; hung: frozen */
    if (s->is_master) {
        link_down(sim, s);
        return;
    }
    switch (reachability(sim, s)) {
    case REACH_OK:
        if (s->timeout_pending) {
            s->timeout_pending = false;
            s->timeout_gen++;
        }
        if (s->link == SIM_REPL_DOWN) {
            s->link = SIM_REPL_SYNCING;
            s->sync_gen++;
            m = sim_msg_new(SIM_EV_SYNC_DONE, sim->now + sim->sync_delay_ms,
                            s->node);
            m->gen = s->sync_gen;
            sim_queue_push(&sim->queue, m);
        }
        break;
    case REACH_REFUSED:
        link_down(sim, s);
        break;
    case REACH_STALLED:
        if (s->link == SIM_REPL_SYNCING) {
            link_down(sim, s);
        } else if (s->link == SIM_REPL_UP && !s->timeout_pending) {
            s->timeout_pending = true;
            s->timeout_gen++;
            m = sim_msg_new(SIM_EV_REPL_TIMEOUT,
                            sim->now + sim->repl_timeout_ms, s->node);
            m->gen = s->timeout_gen;
            sim_queue_push(&sim->queue, m);
        }
        break;
    }
}

void
sim_redis_repl_update_all(struct sim *sim)
{
    int i;

    for (i = 0; i < sim->servers_len; i++)
        sim_redis_repl_update(sim, &sim->servers[i]);
}

void
sim_redis_sync_done(struct sim *sim, struct sim_server *s, uint64_t gen)
{
    if (gen != s->sync_gen || s->link != SIM_REPL_SYNCING ||
        s->state != SIM_SRV_UP)
        return;
    if (reachability(sim, s) != REACH_OK) {
        sim_redis_repl_update(sim, s);
        return;
    }
    s->link = SIM_REPL_UP;
    sim_trace(sim, "model: %s link to %s:%d up", sname(sim, s),
              s->master_host, s->master_port);
}

void
sim_redis_repl_timeout(struct sim *sim, struct sim_server *s, uint64_t gen)
{
    if (gen != s->timeout_gen || !s->timeout_pending)
        return;
    s->timeout_pending = false;
    link_down(sim, s);
    sim_redis_repl_update(sim, s);
}

/* ---------------------------------------------------------------------
 * Role changes
 * ------------------------------------------------------------------- */

void
sim_redis_slaveof(struct sim *sim, struct sim_server *s, const char *host,
                  int port)
{
    if (!s->is_master && s->master_port == port &&
        strcmp(s->master_host, host) == 0)
        return;
    if (s->is_master) {
        materialize(sim, s);
        s->is_master = false;
        s->link = SIM_REPL_DOWN;
        s->link_down_since = -1;
        drop_chained(sim, s);
    } else {
        link_down(sim, s);
    }
    snprintf(s->master_host, sizeof(s->master_host), "%s", host);
    s->master_port = port;
    s->last_master_node = sim_net_find(sim, host, port);
    sim_trace(sim, "model: %s is now a replica of %s:%d", sname(sim, s),
              host, port);
    sim_redis_repl_update(sim, s);
}

void
sim_redis_slaveof_no_one(struct sim *sim, struct sim_server *s)
{
    if (s->is_master)
        return;
    materialize(sim, s);
    s->is_master = true;
    s->link = SIM_REPL_DOWN;
    s->sync_gen++;
    s->timeout_pending = false;
    s->timeout_gen++;
    s->master_host[0] = '\0';
    s->master_port = 0;
    s->promotions++;
    sim_trace(sim, "model: %s is now a master (offset %llu)", sname(sim, s),
              (unsigned long long)s->offset);
}

/* ---------------------------------------------------------------------
 * Faults
 * ------------------------------------------------------------------- */

static void
close_all(struct sim *sim, struct sim_server *s, const char *why)
{
    struct sim_node *n = &sim->nodes[s->node];

    while (n->conns_len > 0) {
        struct sim_conn *c = sim_conn_get(sim, n->conns[0]);

        sim_conn_close(sim, c, true, why);
    }
}

static void
free_held(struct sim_server *s)
{
    struct sim_msg *m, *next;

    for (m = s->held_head; m != NULL; m = next) {
        next = m->next;
        sim_msg_free(m);
    }
    s->held_head = s->held_tail = NULL;
}

void
sim_redis_crash(struct sim *sim, struct sim_server *s)
{
    if (s->state == SIM_SRV_CRASHED)
        return;
    materialize(sim, s);
    s->state = SIM_SRV_CRASHED;
    if (s->link != SIM_REPL_DOWN) {
        s->link = SIM_REPL_DOWN;
        s->link_down_since = sim->now;
    }
    s->sync_gen++;
    s->timeout_pending = false;
    s->timeout_gen++;
    free_held(s);
    close_all(sim, s, "Connection reset by peer");
    sim_trace(sim, "model: %s crashed", sname(sim, s));
    sim_redis_repl_update_all(sim);
}

void
sim_redis_restart(struct sim *sim, struct sim_server *s, bool keep_runid)
{
    if (s->state == SIM_SRV_HUNG)
        sim_redis_resume(sim, s);
    if (s->state == SIM_SRV_UP)
        sim_redis_crash(sim, s);
    s->state = SIM_SRV_UP;
    s->offset_at = sim->now;
    if (!keep_runid)
        sn_rng_runid(&sim->rng, s->run_id);
    s->is_master = s->saved_is_master;
    snprintf(s->master_host, sizeof(s->master_host), "%s",
             s->saved_master_host);
    s->master_port = s->saved_master_port;
    s->link = SIM_REPL_DOWN;
    s->link_down_since = -1;
    sim_trace(sim, "model: %s restarted as %s, run id %.8s", sname(sim, s),
              s->is_master ? "master" : "replica", s->run_id);
    sim_redis_repl_update_all(sim);
}

void
sim_redis_hang(struct sim *sim, struct sim_server *s)
{
    if (s->state != SIM_SRV_UP)
        return;
    materialize(sim, s);
    s->state = SIM_SRV_HUNG;
    sim_trace(sim, "model: %s hung", sname(sim, s));
    sim_redis_repl_update_all(sim);
}

void
sim_redis_resume(struct sim *sim, struct sim_server *s)
{
    struct sim_msg *m, *next;

    if (s->state != SIM_SRV_HUNG)
        return;
    s->state = SIM_SRV_UP;
    s->offset_at = sim->now;
    sim_trace(sim, "model: %s resumed", sname(sim, s));
    m = s->held_head;
    s->held_head = s->held_tail = NULL;
    for (; m != NULL; m = next) {
        next = m->next;
        m->next = NULL;
        if (!sim_redis_request(sim, s, m))
            sim_msg_free(m);
    }
    sim_redis_repl_update_all(sim);
}

/* ---------------------------------------------------------------------
 * INFO
 * ------------------------------------------------------------------- */

char *
sim_redis_info(const struct sim *sim, const struct sim_server *s,
               size_t *len)
{
    const struct sim_node *me = &sim->nodes[s->node];
    struct sn_info info;
    char *text;
    int i;

    sn_info_init(&info);
    memcpy(info.run_id, s->run_id, sizeof(info.run_id));
    info.role = s->is_master ? SN_ROLE_MASTER : SN_ROLE_SLAVE;
    if (!s->is_master) {
        snprintf(info.master_host, sizeof(info.master_host), "%s",
                 s->master_host);
        info.has_master_port = true;
        info.master_port = s->master_port;
        info.master_link_status = s->link == SIM_REPL_UP ?
                                  SN_INFO_LINK_UP : SN_INFO_LINK_DOWN;
        if (s->link != SIM_REPL_UP) {
            info.has_master_link_down_since = true;
            info.master_link_down_since_seconds =
                s->link_down_since < 0 ? -1 :
                (sim->now - s->link_down_since) / 1000;
        }
        info.has_slave_priority = true;
        info.slave_priority = s->priority;
        info.has_slave_repl_offset = true;
        info.slave_repl_offset = sim_redis_offset(sim, s);
        info.replica_announced = true;
    }
    info.has_master_repl_offset = true;
    info.master_repl_offset = sim_redis_offset(sim, s);
    info.master_failover_state = SN_INFO_FAILOVER_NONE;
    for (i = 0; i < sim->servers_len; i++) {
        const struct sim_server *r = &sim->servers[i];
        struct sn_info_replica e;

        if (r == s || r->is_master || r->state == SIM_SRV_CRASHED ||
            r->link == SIM_REPL_DOWN || r->master_port != me->port ||
            strcmp(r->master_host, me->host) != 0)
            continue;
        memset(&e, 0, sizeof(e));
        snprintf(e.host, sizeof(e.host), "%s", sim->nodes[r->node].host);
        e.port = sim->nodes[r->node].port;
        e.state = r->link == SIM_REPL_UP ? SN_INFO_REPLICA_ONLINE :
                  SN_INFO_REPLICA_WAIT_BGSAVE;
        e.has_offset = true;
        e.offset = r->link == SIM_REPL_UP ? sim_redis_offset(sim, r) : 0;
        sn_info_add_replica(&info, &e);
    }
    text = sn_info_render(&info, len);
    sn_info_free(&info);
    return text;
}

/* ---------------------------------------------------------------------
 * Commands
 * ------------------------------------------------------------------- */

static struct sn_reply *
client_kill(struct sim *sim, struct sim_server *s, struct sim_conn *caller,
            const struct sim_argv *a)
{
    struct sim_node *n = &sim->nodes[s->node];
    bool pubsub;
    uint64_t *ids;
    int i, len, killed = 0;

    if (a->argc != 4 || !sim_argv_is(a, 2, "type"))
        return sim_reply_int(0);
    if (sim_argv_is(a, 3, "pubsub"))
        pubsub = true;
    else if (sim_argv_is(a, 3, "normal"))
        pubsub = false;
    else
        return sim_reply_error("ERR Unknown client type 'x'");
    /* Closing changes the list: work on a copy. The caller survives
     * (Redis's SKIPME default). */
    len = n->conns_len;
    ids = sn_malloc((size_t)(len + 1) * sizeof(*ids));
    memcpy(ids, n->conns, (size_t)len * sizeof(*ids));
    for (i = 0; i < len; i++) {
        struct sim_conn *c = sim_conn_get(sim, ids[i]);

        if (c == caller || c->state != SIM_CONN_UP ||
            c->subscribed != pubsub)
            continue;
        sim_conn_close(sim, c, true, "Server closed the connection");
        killed++;
    }
    free(ids);
    return sim_reply_int(killed);
}

static struct sn_reply *
publish(struct sim *sim, struct sim_server *s, const struct sim_argv *a)
{
    struct sim_node *n = &sim->nodes[s->node];
    int i, count = 0;

    if (!sim_argv_is(a, 1, HELLO_CHANNEL))
        return sim_reply_int(0);
    for (i = 0; i < n->conns_len; i++) {
        struct sim_conn *c = sim_conn_get(sim, n->conns[i]);
        struct sim_msg *m;

        if (!c->subscribed || c->state != SIM_CONN_UP)
            continue;
        m = sim_msg_new(SIM_EV_MESSAGE, sim->now, c->from);
        m->channel = sn_strdup(HELLO_CHANNEL);
        m->payload = sn_strndup(a->argv[2], a->argvlen[2]);
        m->payload_len = a->argvlen[2];
        if (sim_conn_send(sim, c, m, true))
            count++;
    }
    return sim_reply_int(count);
}

static struct sn_reply *
role_reply(const struct sim *sim, const struct sim_server *s)
{
    struct sn_reply *r = sim_reply_array();

    if (s->is_master) {
        sim_reply_push(r, sim_reply_str("master"));
        sim_reply_push(r, sim_reply_int((int64_t)sim_redis_offset(sim, s)));
        sim_reply_push(r, sim_reply_array());
    } else {
        sim_reply_push(r, sim_reply_str("slave"));
        sim_reply_push(r, sim_reply_str(s->master_host));
        sim_reply_push(r, sim_reply_int(s->master_port));
        sim_reply_push(r, sim_reply_str(s->link == SIM_REPL_UP ?
                                        "connected" : "connect"));
        sim_reply_push(r, sim_reply_int((int64_t)sim_redis_offset(sim, s)));
    }
    return r;
}

static struct sn_reply *
slaveof(struct sim *sim, struct sim_server *s, const struct sim_argv *a)
{
    int64_t port;

    if (a->argc != 3)
        return sim_reply_error("ERR wrong number of arguments for 'slaveof' "
                               "command");
    if (sim_argv_is(a, 1, "no") && sim_argv_is(a, 2, "one")) {
        sim_redis_slaveof_no_one(sim, s);
        return sim_reply_status("OK");
    }
    if (sn_parse_i64(a->argv[2], 0, 65535, &port) != 0)
        return sim_reply_error("ERR value is out of range");
    if (sim_net_find(sim, a->argv[1], (int)port) == s->node)
        return sim_reply_error("ERR Can't replicate myself");
    sim_redis_slaveof(sim, s, a->argv[1], (int)port);
    return sim_reply_status("OK");
}

static struct sn_reply *exec_one(struct sim *sim, struct sim_server *s,
                                 struct sim_conn *c,
                                 const struct sim_argv *a);

static struct sn_reply *
exec_multi(struct sim *sim, struct sim_server *s, struct sim_conn *c)
{
    struct sn_reply *r = sim_reply_array();
    struct sim_argv *q = c->queued;
    int i, len = c->queued_len;

    c->queued = NULL;
    c->queued_len = 0;
    c->in_multi = false;
    for (i = 0; i < len; i++) {
        /* A CLIENT KILL in the transaction may close other connections,
         * never this one. */
        sim_reply_push(r, exec_one(sim, s, c, &q[i]));
        sim_argv_free(&q[i]);
    }
    free(q);
    return r;
}

static bool
allowed_in_pubsub(const struct sim_argv *a)
{
    static const char *const ok[] = {
        "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ping",
        "quit", "reset", NULL,
    };
    int i;

    for (i = 0; ok[i] != NULL; i++)
        if (sim_argv_is(a, 0, ok[i]))
            return true;
    return false;
}

/* MULTI, EXEC, DISCARD, and any command inside a transaction (queued);
 * NULL for a command that runs now. */
static struct sn_reply *
exec_transaction(struct sim *sim, struct sim_server *s, struct sim_conn *c,
                 const struct sim_argv *a)
{
    int i;

    if (sim_argv_is(a, 0, "multi")) {
        if (c->in_multi)
            return sim_reply_error("ERR MULTI calls can not be nested");
        c->in_multi = true;
        return sim_reply_status("OK");
    }
    if (sim_argv_is(a, 0, "exec")) {
        if (!c->in_multi)
            return sim_reply_error("ERR EXEC without MULTI");
        return exec_multi(sim, s, c);
    }
    if (sim_argv_is(a, 0, "discard")) {
        if (!c->in_multi)
            return sim_reply_error("ERR DISCARD without MULTI");
        for (i = 0; i < c->queued_len; i++)
            sim_argv_free(&c->queued[i]);
        c->queued_len = 0;
        c->in_multi = false;
        return sim_reply_status("OK");
    }
    if (!c->in_multi)
        return NULL;
    c->queued = sn_realloc(c->queued, (size_t)(c->queued_len + 1) *
                                      sizeof(*c->queued));
    sim_argv_copy(&c->queued[c->queued_len++], a->argc, a->argv, a->argvlen);
    return sim_reply_status("QUEUED");
}

static struct sn_reply *
exec_one(struct sim *sim, struct sim_server *s, struct sim_conn *c,
         const struct sim_argv *a)
{
    struct sn_reply *r;
    char err[160];

    if (a->argc == 0)
        return sim_reply_error("ERR empty command");
    if (c->subscribed && !allowed_in_pubsub(a)) {
        snprintf(err, sizeof(err), "ERR Can't execute '%.40s': only "
                 "(P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                 "are allowed in this context", a->argv[0]);
        return sim_reply_error(err);
    }
    if ((r = exec_transaction(sim, s, c, a)) != NULL)
        return r;
    if (sim_argv_is(a, 0, "ping")) {
        if (!c->subscribed)
            return sim_reply_status("PONG");
        r = sim_reply_array();
        sim_reply_push(r, sim_reply_str("pong"));
        sim_reply_push(r, sim_reply_str(""));
        return r;
    }
    if (sim_argv_is(a, 0, "info")) {
        size_t len;
        char *text = sim_redis_info(sim, s, &len);

        r = sim_reply_bulk(text, len);
        free(text);
        return r;
    }
    if (sim_argv_is(a, 0, "auth"))
        return sim_reply_error("ERR AUTH <password> called without any "
                               "password configured for the default user. "
                               "Are you sure your configuration is "
                               "correct?");
    if (sim_argv_is(a, 0, "client")) {
        if (sim_argv_is(a, 1, "kill"))
            return client_kill(sim, s, c, a);
        return sim_reply_status("OK");
    }
    if (sim_argv_is(a, 0, "config")) {
        if (sim_argv_is(a, 1, "rewrite")) {
            s->saved_is_master = s->is_master;
            snprintf(s->saved_master_host, sizeof(s->saved_master_host),
                     "%s", s->master_host);
            s->saved_master_port = s->master_port;
        }
        return sim_reply_status("OK");
    }
    if (sim_argv_is(a, 0, "slaveof") || sim_argv_is(a, 0, "replicaof"))
        return slaveof(sim, s, a);
    if (sim_argv_is(a, 0, "subscribe")) {
        r = sim_reply_array();
        if (a->argc >= 2 && sim_argv_is(a, 1, HELLO_CHANNEL))
            c->subscribed = true;
        sim_reply_push(r, sim_reply_str("subscribe"));
        sim_reply_push(r, sim_reply_str(a->argc >= 2 ? a->argv[1] : ""));
        sim_reply_push(r, sim_reply_int(1));
        return r;
    }
    if (sim_argv_is(a, 0, "publish") && a->argc == 3)
        return publish(sim, s, a);
    if (sim_argv_is(a, 0, "role"))
        return role_reply(sim, s);
    if (sim_argv_is(a, 0, "script"))
        return sim_reply_error("NOTBUSY No scripts in execution right now.");
    snprintf(err, sizeof(err), "ERR unknown command '%.40s'", a->argv[0]);
    return sim_reply_error(err);
}

bool
sim_redis_request(struct sim *sim, struct sim_server *s, struct sim_msg *m)
{
    struct sim_conn *c = sim_conn_get(sim, m->conn);
    struct sn_reply *r;

    if (c == NULL || c->state != SIM_CONN_UP || s->state == SIM_SRV_CRASHED)
        return false;
    if (s->state == SIM_SRV_HUNG) {
        m->next = NULL;
        if (s->held_tail != NULL)
            s->held_tail->next = m;
        else
            s->held_head = m;
        s->held_tail = m;
        return true;
    }
    r = exec_one(sim, s, c, &m->req);
    if (c->state == SIM_CONN_UP) {
        struct sim_vote_info meta;

        memset(&meta, 0, sizeof(meta));
        meta.voter = meta.group = -1;
        meta.info_priority = -1;
        if (sim_argv_is(&m->req, 0, "info") && !s->is_master &&
            r->type == SN_REPLY_STRING)
            meta.info_priority = s->priority;
        sim_conn_reply(sim, c, m->tag, r, &meta);
    } else {
        sim_reply_free(r);
    }
    return false;
}

int
sim_group_model_master(const struct sim *sim, int group, int *count)
{
    const struct sim_group *g = &sim->groups[group];
    int i, found = -1, n = 0;

    for (i = 0; i < g->servers_len; i++) {
        const struct sim_server *s = &sim->servers[g->servers[i]];

        if (s->state != SIM_SRV_CRASHED && s->is_master) {
            found = g->servers[i];
            n++;
        }
    }
    if (count != NULL)
        *count = n;
    return n == 1 ? found : -1;
}
