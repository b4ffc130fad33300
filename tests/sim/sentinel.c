/*
 * sentinel.c: one sentinel process around its core.
 *
 * The simulator plays the daemon's part: it carries out the core's actions
 * in the order they are drained (a SAVE is on "disk" before the next
 * action), opens and closes connections, answers peers' commands the way
 * sentinel/ does (PING, PUBLISH of hellos, SENTINEL is-master-down-by-addr),
 * and gives the core its own clock: the virtual time plus a per-node
 * offset (a backward jump), frozen during a stall.
 *
 * A crash loses everything but the disk; a restart loads the disk with
 * sn_config_load and builds a new core with a new seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instance.h"
#include "sim.h"

static const char *
nname(const struct sim *sim, int node)
{
    return node >= 0 ? sim->nodes[node].name : "?";
}

static int
sindex(const struct sim *sim, const struct sim_sentinel *s)
{
    return (int)(s - sim->sentinels);
}

void
sim_sentinel_init(struct sim *sim, struct sim_sentinel *s, int node,
                  const char *config_text)
{
    (void)sim;
    memset(s, 0, sizeof(*s));
    s->node = node;
    s->initial = sn_strdup(config_text);
    s->disk = sn_strdup(config_text);
    s->disk_len = strlen(config_text);
    s->disk_version = 1;
    s->frozen_until = INT64_MIN;
    sim_map_init(&s->links);
}

int64_t
sim_sentinel_now(const struct sim *sim, const struct sim_sentinel *s)
{
    return sim->now + s->clock_offset_ms;
}

const struct sn_config *
sim_sentinel_disk(struct sim *sim, struct sim_sentinel *s)
{
    struct sn_config_errors errs = { NULL, 0 };

    if (s->disk_cfg != NULL && s->disk_cfg_version == s->disk_version)
        return s->disk_cfg;
    if (s->disk_cfg != NULL) {
        sn_config_free(s->disk_cfg);
        free(s->disk_cfg);
        s->disk_cfg = NULL;
    }
    s->disk_cfg = sn_calloc(1, sizeof(*s->disk_cfg));
    sn_config_init(s->disk_cfg);
    if (sn_config_load(s->disk_cfg, s->disk, s->disk_len, "sentinel.conf",
                       &errs) != 0) {
        sim_violation(sim, "disk", "%s saved a config it cannot load: %s",
                      nname(sim, s->node),
                      errs.len > 0 ? errs.msgs[0] : "?");
        sn_config_errors_free(&errs);
        sn_config_free(s->disk_cfg);
        free(s->disk_cfg);
        s->disk_cfg = NULL;
        return NULL;
    }
    sn_config_errors_free(&errs);
    s->disk_cfg_version = s->disk_version;
    return s->disk_cfg;
}

struct sn_master *
sim_sentinel_master(const struct sim_sentinel *s, int group,
                    const struct sim *sim)
{
    if (s->core == NULL || group < 0)
        return NULL;
    return sn_core_master_by_name(s->core, sim->groups[group].name);
}

/* ---------------------------------------------------------------------
 * Wake-ups
 * ------------------------------------------------------------------- */

static void
schedule_wake(struct sim *sim, struct sim_sentinel *s)
{
    int64_t d, at;
    struct sim_msg *m;

    if (s->core == NULL)
        return;
    d = sn_core_deadline_ms(s->core);
    if (d >= INT64_MAX / 2)
        return;
    at = d - s->clock_offset_ms;
    if (at < sim->now)
        at = sim->now;
    if (s->spins > SIM_SPIN_MAX && at <= sim->now)
        at = sim->now + 1;
    if (s->wake_pending && s->wake_at <= at)
        return;
    m = sim_msg_new(SIM_EV_WAKE, at, s->node);
    m->gen = ++s->wake_gen;
    s->wake_pending = true;
    s->wake_at = at;
    sim_queue_push(&sim->queue, m);
}

void
sim_sentinel_wake(struct sim *sim, struct sim_sentinel *s, uint64_t gen)
{
    if (s->core == NULL || gen != s->wake_gen)
        return;
    s->wake_pending = false;
    if (s->spin_at == sim->now) {
        if (++s->spins == SIM_SPIN_MAX)
            sim_violation(sim, "deadline", "%s: sn_core_deadline_ms stays "
                          "at or before now after %d ticks",
                          nname(sim, s->node), SIM_SPIN_MAX);
    } else {
        s->spin_at = sim->now;
        s->spins = 0;
    }
    sn_core_tick(s->core, sim_sentinel_now(sim, s));
    sim_check_core(sim, s);
    sim_sentinel_drain(sim, s);
}

/* ---------------------------------------------------------------------
 * Lifecycle
 * ------------------------------------------------------------------- */

void
sim_sentinel_start(struct sim *sim, struct sim_sentinel *s)
{
    struct sn_config cfg;
    struct sn_config_errors errs = { NULL, 0 };
    char err[256];
    uint64_t seed;
    int i;

    sn_config_init(&cfg);
    if (sn_config_load(&cfg, s->disk, s->disk_len, "sentinel.conf",
                       &errs) != 0) {
        sim_violation(sim, "disk", "%s cannot load its disk: %s",
                      nname(sim, s->node),
                      errs.len > 0 ? errs.msgs[0] : "?");
        sn_config_errors_free(&errs);
        sn_config_free(&cfg);
        return;
    }
    sn_config_errors_free(&errs);
    if ((sim->opts.breaks & SIM_BREAK_VOTE_TWICE) && s->crashes > 0) {
        /* The broken rule: a sentinel that does not keep its vote, nor
         * the config epoch the vote led to (either alone stops a second
         * vote in that epoch). */
        for (i = 0; i < cfg.masters_len; i++) {
            cfg.masters[i].leader_epoch = 0;
            cfg.masters[i].leader[0] = '\0';
            cfg.masters[i].config_epoch = 0;
        }
        sim_trace(sim, "break: %s forgets its votes", nname(sim, s->node));
    }
    seed = sn_rng_next(&sim->rng);
    s->core = sn_core_new(&cfg, seed, sim_sentinel_now(sim, s), err,
                          sizeof(err));
    sn_config_free(&cfg);
    if (s->core == NULL) {
        sim_violation(sim, "disk", "%s: sn_core_new refused its disk: %s",
                      nname(sim, s->node), err);
        return;
    }
    s->incarnation++;
    snprintf(s->myid, sizeof(s->myid), "%s", sn_core_myid(s->core));
    s->wake_pending = false;
    s->wake_gen++;
    s->spins = 0;
    sim_trace(sim, "%s: started, myid %.8s, epoch %llu", nname(sim, s->node),
              s->myid, (unsigned long long)sn_core_current_epoch(s->core));
    sim_digest_str(sim, s->myid);
    sim_check_sentinel_reset(sim, s);
    sim_check_core(sim, s);
    sim_sentinel_drain(sim, s);
}

void
sim_sentinel_crash(struct sim *sim, struct sim_sentinel *s, const char *why)
{
    struct sim_node *n = &sim->nodes[s->node];
    size_t i;
    int g;

    if (s->core == NULL)
        return;
    /* Its own links: the far ends just see them close. */
    for (i = 0; i < s->links.cap; i++) {
        struct sim_conn *c;

        if (s->links.keys[i] == 0)
            continue;
        c = sim_conn_get(sim, s->links.vals[i]);
        if (c != NULL)
            sim_conn_close(sim, c, false, why);
    }
    sim_map_free(&s->links);
    sim_map_init(&s->links);
    /* Peers' links to it: they learn by a reset. */
    while (n->conns_len > 0)
        sim_conn_close(sim, sim_conn_get(sim, n->conns[0]), true,
                       "Connection reset by peer");
    sn_core_free(s->core);
    s->core = NULL;
    s->wake_pending = false;
    s->wake_gen++;
    s->frozen_until = INT64_MIN;
    s->crashes++;
    sim_trace(sim, "%s: crashed (%s)", n->name, why);
    sim_digest_str(sim, "crash");
    sim_check_sentinel_reset(sim, s);
    for (g = 0; g < sim->groups_len; g++)
        sim_group_check_failover_done(sim, g);
}

void
sim_sentinel_restart(struct sim *sim, struct sim_sentinel *s, bool fresh)
{
    if (s->core != NULL)
        sim_sentinel_crash(sim, s, "restart");
    if (fresh) {
        free(s->disk);
        s->disk = sn_strdup(s->initial);
        s->disk_len = strlen(s->disk);
        s->disk_version++;
    }
    sim_sentinel_start(sim, s);
}

void
sim_sentinel_free(struct sim_sentinel *s)
{
    if (s->core != NULL)
        sn_core_free(s->core);
    s->core = NULL;
    free(s->initial);
    free(s->disk);
    if (s->disk_cfg != NULL) {
        sn_config_free(s->disk_cfg);
        free(s->disk_cfg);
    }
    sim_map_free(&s->links);
}

/* ---------------------------------------------------------------------
 * Connections
 * ------------------------------------------------------------------- */

static bool
node_dead(const struct sim *sim, int node)
{
    const struct sim_node *n = &sim->nodes[node];

    if (n->kind == SIM_NODE_SENTINEL)
        return sim->sentinels[n->index].core == NULL;
    return sim->servers[n->index].state == SIM_SRV_CRASHED;
}

/* The outcome of a connection attempt: refused at once by a dead node,
 * retried like a SYN across a partition, established after a round trip
 * otherwise. */
static void
schedule_connect(struct sim *sim, struct sim_conn *c)
{
    struct sim_msg *m;

    if (c->to < 0) {
        m = sim_msg_new(SIM_EV_CONNECT_DONE, sim->now + 1, c->from);
        m->err = sn_strdup("No route to host");
    } else if (sim_net_blocked(sim, c->from, c->to) ||
               sim_net_blocked(sim, c->to, c->from)) {
        m = sim_msg_new(SIM_EV_CONNECT_RETRY,
                        sim->now + (1000LL << c->syn_tries), c->from);
    } else {
        int64_t rtt = sim_net_delay(sim, c->from, c->to) +
                      sim_net_delay(sim, c->to, c->from);

        m = sim_msg_new(SIM_EV_CONNECT_DONE, sim->now + rtt, c->from);
        if (node_dead(sim, c->to))
            m->err = sn_strdup("Connection refused");
        else
            m->ok = true;
    }
    m->conn = c->id;
    sim_queue_push(&sim->queue, m);
}

static void
do_connect(struct sim *sim, struct sim_sentinel *s, const struct sn_action *a)
{
    struct sim_conn *c;
    uint64_t old;

    if (sim_map_get(&s->links, a->link, &old))
        sim_conn_close(sim, sim_conn_get(sim, old), false, "replaced");
    c = sim_conn_new(sim, s->node, a->link, a->link_kind,
                     sim_net_find(sim, a->host, a->port));
    sim_map_put(&s->links, a->link, c->id);
    schedule_connect(sim, c);
}

/* The sentinel and connection a message is for, or NULL if the message is
 * stale: the process restarted, or the core replaced or closed the link. */
static struct sim_sentinel *
owner_of(struct sim *sim, struct sim_conn *c)
{
    struct sim_sentinel *s = &sim->sentinels[sim->nodes[c->from].index];
    uint64_t cur;

    if (s->core == NULL || c->incarnation != s->incarnation)
        return NULL;
    if (!sim_map_get(&s->links, c->link, &cur) || cur != c->id)
        return NULL;
    return s;
}

static void
feed(struct sim *sim, struct sim_sentinel *s, const struct sn_input *in)
{
    sn_core_input(s->core, in, sim_sentinel_now(sim, s));
    sim_check_core(sim, s);
    sim_sentinel_drain(sim, s);
}

void
sim_sentinel_connect_retry(struct sim *sim, struct sim_msg *m)
{
    struct sim_conn *c = sim_conn_get(sim, m->conn);
    struct sim_msg *done;

    if (c == NULL || c->state != SIM_CONN_CONNECTING)
        return;
    if (++c->syn_tries > 6) {
        done = sim_msg_new(SIM_EV_CONNECT_DONE, sim->now, c->from);
        done->conn = c->id;
        done->err = sn_strdup("Connection timed out");
        sim_queue_push(&sim->queue, done);
        return;
    }
    schedule_connect(sim, c);
}

void
sim_sentinel_connect_done(struct sim *sim, struct sim_msg *m)
{
    struct sim_conn *c = sim_conn_get(sim, m->conn);
    struct sim_sentinel *s;
    struct sn_input in;

    if (c == NULL || c->state != SIM_CONN_CONNECTING)
        return;
    s = owner_of(sim, c);
    if (s == NULL) {
        sim_conn_close(sim, c, false, "stale");
        return;
    }
    memset(&in, 0, sizeof(in));
    in.link = c->link;
    if (m->ok && (sim_net_blocked(sim, c->from, c->to) ||
                  sim_net_blocked(sim, c->to, c->from))) {
        schedule_connect(sim, c);       /* cut during the handshake */
        return;
    }
    if (m->ok && node_dead(sim, c->to)) {
        m->ok = false;
        m->err = sn_strdup("Connection refused");
    }
    if (m->ok) {
        c->state = SIM_CONN_UP;
        sim_conn_attach(sim, c);
        in.type = SN_IN_LINK_UP;
        in.local_ip = sim->nodes[s->node].host;
        sim_trace(sim, "%s: link %llu to %s up", nname(sim, s->node),
                  (unsigned long long)c->link, nname(sim, c->to));
    } else {
        c->state = SIM_CONN_CLOSED;
        in.type = SN_IN_LINK_DOWN;
        in.err = m->err;
        sim_trace(sim, "%s: link %llu to %s failed: %s",
                  nname(sim, s->node), (unsigned long long)c->link,
                  nname(sim, c->to), m->err);
    }
    sim_digest_u64(sim, c->link);
    feed(sim, s, &in);
}

void
sim_sentinel_reply(struct sim *sim, struct sim_msg *m)
{
    struct sim_conn *c = sim_conn_get(sim, m->conn);
    struct sim_sentinel *s;
    struct sn_input in;

    if (c == NULL || c->state != SIM_CONN_UP || (s = owner_of(sim, c)) == NULL)
        return;
    if (sim->opts.verbose) {
        struct sn_buf b;

        sn_buf_init(&b);
        sim_reply_describe(m->reply, &b);
        sim_trace(sim, "%s <- %s: tag %llu %s", nname(sim, s->node),
                  nname(sim, c->to), (unsigned long long)m->tag, b.data);
        sn_buf_free(&b);
    }
    sim->digest = sim_reply_hash(sim->digest, m->reply);
    if (m->vote.is_vote_reply)
        sim_check_reply(sim, s, &m->vote);
    if (m->vote.info_priority >= 0 && sim_server_of(sim, c->to) != NULL)
        sim_check_info(sim, s, sim->nodes[c->to].index,
                       m->vote.info_priority);
    memset(&in, 0, sizeof(in));
    in.type = SN_IN_REPLY;
    in.link = c->link;
    in.tag = m->tag;
    in.reply = m->reply;
    feed(sim, s, &in);
}

void
sim_sentinel_message(struct sim *sim, struct sim_msg *m)
{
    struct sim_conn *c = sim_conn_get(sim, m->conn);
    struct sim_sentinel *s;
    struct sn_input in;

    if (c == NULL || c->state != SIM_CONN_UP || (s = owner_of(sim, c)) == NULL)
        return;
    sim_trace(sim, "%s <- %s: message %s %s", nname(sim, s->node),
              nname(sim, c->to), m->channel, m->payload);
    sim_digest_str(sim, m->payload);
    memset(&in, 0, sizeof(in));
    in.type = SN_IN_MESSAGE;
    in.link = c->link;
    in.channel = m->channel;
    in.payload = m->payload;
    in.payload_len = m->payload_len;
    feed(sim, s, &in);
}

void
sim_sentinel_closed(struct sim *sim, struct sim_msg *m)
{
    struct sim_conn *c = sim_conn_get(sim, m->conn);
    struct sim_sentinel *s;
    struct sn_input in;

    if (c == NULL || (s = owner_of(sim, c)) == NULL)
        return;
    sim_trace(sim, "%s: link %llu to %s closed: %s", nname(sim, s->node),
              (unsigned long long)c->link, nname(sim, c->to), m->err);
    sim_digest_u64(sim, c->link);
    memset(&in, 0, sizeof(in));
    in.type = SN_IN_LINK_DOWN;
    in.link = c->link;
    in.err = m->err;
    feed(sim, s, &in);
}

/* ---------------------------------------------------------------------
 * Actions
 * ------------------------------------------------------------------- */

static void
trace_action(struct sim *sim, struct sim_sentinel *s,
             const struct sn_action *a, const struct sim_conn *c)
{
    struct sim_argv av;
    struct sn_buf b;
    int i;

    sim_digest_u64(sim, (uint64_t)a->type);
    sim_digest_u64(sim, a->link);
    sim_digest_u64(sim, a->tag);
    for (i = 0; i < a->argc; i++)
        sim->digest = sim_hash(sim->digest, a->argv[i],
                               a->argvlen != NULL ? a->argvlen[i] :
                               strlen(a->argv[i]));
    if (a->type == SN_ACT_EVENT) {
        sim_digest_str(sim, a->event);
        sim_digest_str(sim, a->payload);
    }
    if (a->type == SN_ACT_SAVE && a->text != NULL)
        sim->digest = sim_hash(sim->digest, a->text, a->text_len);
    if (!sim->opts.verbose)
        return;
    sn_buf_init(&b);
    switch (a->type) {
    case SN_ACT_CONNECT:
        sn_buf_printf(&b, "connect link %llu %s %s:%d",
                      (unsigned long long)a->link,
                      a->link_kind == SN_LINK_PUBSUB ? "pubsub" : "cmd",
                      a->host, a->port);
        break;
    case SN_ACT_DISCONNECT:
        sn_buf_printf(&b, "disconnect link %llu", (unsigned long long)a->link);
        break;
    case SN_ACT_SEND:
        av.argc = a->argc;
        av.argv = a->argv;
        av.argvlen = a->argvlen;
        if (av.argvlen == NULL) {
            /* Descriptions need lengths; count them. */
            av.argvlen = sn_calloc((size_t)a->argc + 1, sizeof(size_t));
            for (i = 0; i < a->argc; i++)
                av.argvlen[i] = strlen(a->argv[i]);
        }
        sn_buf_printf(&b, "-> %s tag %llu: ",
                      c != NULL ? nname(sim, c->to) : "(no link)",
                      (unsigned long long)a->tag);
        sim_argv_describe(&av, &b);
        if (av.argvlen != a->argvlen)
            free(av.argvlen);
        break;
    case SN_ACT_EVENT:
        sn_buf_printf(&b, "event %s %s", a->event,
                      a->payload != NULL ? a->payload : "");
        break;
    case SN_ACT_SAVE:
        sn_buf_printf(&b, "save (%zu bytes)", a->text_len);
        break;
    case SN_ACT_SCRIPT:
        sn_buf_printf(&b, "script %s", a->argc > 0 ? a->argv[0] : "");
        break;
    case SN_ACT_EXIT:
        sn_buf_puts(&b, "exit");
        break;
    }
    sim_trace(sim, "%s: %s", nname(sim, s->node), b.data);
    sn_buf_free(&b);
}

static void
do_send(struct sim *sim, struct sim_sentinel *s, const struct sn_action *a,
        struct sim_conn *c)
{
    struct sim_msg *m;

    /* As the daemon (sentinel/link.c): a link that is not up drops it. */
    if (c == NULL || c->state != SIM_CONN_UP)
        return;
    m = sim_msg_new(SIM_EV_REQUEST, sim->now, c->to);
    m->tag = a->tag;
    sim_argv_copy(&m->req, a->argc, a->argv, a->argvlen);
    sim_conn_send(sim, c, m, false);
    (void)s;
}

static void
do_save(struct sim *sim, struct sim_sentinel *s, const struct sn_action *a)
{
    if (sim->opts.breaks & SIM_BREAK_NO_SAVE)
        return;
    free(s->disk);
    s->disk = sn_malloc(a->text_len + 1);
    memcpy(s->disk, a->text, a->text_len);
    s->disk[a->text_len] = '\0';
    s->disk_len = a->text_len;
    s->disk_version++;
}

void
sim_sentinel_drain(struct sim *sim, struct sim_sentinel *s)
{
    struct sn_action a;

    while (s->core != NULL && sn_core_next_action(s->core, &a) == 1) {
        struct sim_conn *c = NULL;
        uint64_t id;

        if ((a.type == SN_ACT_SEND || a.type == SN_ACT_DISCONNECT) &&
            sim_map_get(&s->links, a.link, &id))
            c = sim_conn_get(sim, id);
        /* A SAVE carries no text: render the model now, as the daemon
         * does when it writes, so the digest and the disk both see it
         * (sn_action_free frees it). */
        if (a.type == SN_ACT_SAVE) {
            free(a.text);
            a.text = sn_config_rewrite(sn_core_config(s->core), &a.text_len);
        }
        trace_action(sim, s, &a, c);
        sim_check_action(sim, s, &a, c);
        switch (a.type) {
        case SN_ACT_CONNECT:
            do_connect(sim, s, &a);
            break;
        case SN_ACT_DISCONNECT:
            if (c != NULL)
                sim_conn_close(sim, c, false, "closed by the core");
            sim_map_del(&s->links, a.link);
            break;
        case SN_ACT_SEND:
            do_send(sim, s, &a, c);
            break;
        case SN_ACT_EVENT:
            if (sim->on_event != NULL)
                sim->on_event(sim, sindex(sim, s), a.event, a.payload);
            break;
        case SN_ACT_SCRIPT:
            break;
        case SN_ACT_SAVE:
            do_save(sim, s, &a);
            break;
        case SN_ACT_EXIT:
            sim->exits++;
            sn_action_free(&a);
            sim_sentinel_crash(sim, s, "SN_ACT_EXIT");
            if (sim->on_exit != NULL)
                sim->on_exit(sim, sindex(sim, s));
            return;
        }
        sn_action_free(&a);
    }
    schedule_wake(sim, s);
}

/* ---------------------------------------------------------------------
 * What a peer asks of this sentinel
 * ------------------------------------------------------------------- */

static struct sn_reply *
vote_reply(bool down, const char *leader, uint64_t epoch)
{
    struct sn_reply *r = sim_reply_array();

    sim_reply_push(r, sim_reply_int(down ? 1 : 0));
    sim_reply_push(r, sim_reply_str(leader[0] != '\0' ? leader : "*"));
    sim_reply_push(r, sim_reply_int((int64_t)epoch));
    return r;
}

static void
is_master_down(struct sim *sim, struct sim_sentinel *t, struct sim_conn *c,
               struct sim_msg *m)
{
    const struct sim_argv *a = &m->req;
    struct sim_vote_info v;
    struct sim_server *srv;
    char leader[SN_RUNID_LEN + 1] = "";
    uint64_t epoch, leader_epoch = 0;
    int64_t port;
    bool down = false;
    int rc;

    if (a->argc != 6 || sn_parse_i64(a->argv[3], 0, 65535, &port) != 0 ||
        sn_parse_u64(a->argv[4], &epoch) != 0) {
        sim_conn_reply(sim, c, m->tag,
                       sim_reply_error("ERR invalid arguments"), NULL);
        return;
    }
    memset(&v, 0, sizeof(v));
    v.info_priority = -1;
    srv = sim_server_of(sim, sim_net_find(sim, a->argv[2], (int)port));
    v.is_vote_reply = true;
    v.voter = sindex(sim, t);
    memcpy(v.voter_id, t->myid, sizeof(v.voter_id));
    v.group = srv != NULL ? srv->group : -1;
    v.req_epoch = epoch;
    v.req_vote = strcmp(a->argv[5], "*") != 0;
    rc = sn_core_is_master_down(t->core, a->argv[2], (int)port, epoch,
                                a->argv[5], sim_sentinel_now(sim, t), &down,
                                leader, &leader_epoch);
    sim_check_core(sim, t);
    /* Its actions first: a vote's SAVE reaches the disk before the reply
     * leaves, which the checker verifies below. */
    sim_sentinel_drain(sim, t);
    if (t->core == NULL || c->state != SIM_CONN_UP)
        return;
    if (rc != 0) {
        down = false;
        leader[0] = '\0';
        leader_epoch = 0;
    }
    if (strcmp(leader, "*") == 0)
        leader[0] = '\0';
    v.down = down;
    memcpy(v.leader, leader, sizeof(v.leader));
    v.leader_epoch = leader_epoch;
    if (rc == 0)
        sim_check_vote_answer(sim, t, v.group, &v);
    if ((sim->opts.breaks & SIM_BREAK_FORGE_VOTE) && v.req_vote &&
        rc == 0 && strlen(a->argv[5]) == SN_RUNID_LEN) {
        memcpy(v.leader, a->argv[5], SN_RUNID_LEN + 1);
        v.leader_epoch = epoch;
        sim_trace(sim, "break: %s's answer forged to grant %.8s epoch %llu",
                  nname(sim, t->node), v.leader, (unsigned long long)epoch);
    }
    sim_conn_reply(sim, c, m->tag, vote_reply(v.down, v.leader,
                                              v.leader_epoch), &v);
}

void
sim_sentinel_request(struct sim *sim, struct sim_sentinel *t,
                     struct sim_msg *m)
{
    struct sim_conn *c = sim_conn_get(sim, m->conn);
    const struct sim_argv *a = &m->req;

    if (c == NULL || c->state != SIM_CONN_UP || t->core == NULL)
        return;
    if (sim_argv_is(a, 0, "ping")) {
        sim_conn_reply(sim, c, m->tag, sim_reply_status("PONG"), NULL);
    } else if (sim_argv_is(a, 0, "auth") || sim_argv_is(a, 0, "client")) {
        sim_conn_reply(sim, c, m->tag, sim_reply_status("OK"), NULL);
    } else if (sim_argv_is(a, 0, "publish") && a->argc == 3) {
        if (!sim_argv_is(a, 1, "__sentinel__:hello")) {
            sim_conn_reply(sim, c, m->tag,
                           sim_reply_error("ERR Only HELLO messages are "
                                           "accepted by Sentinel "
                                           "instances."), NULL);
            return;
        }
        sim_trace(sim, "%s <- %s: hello %s", nname(sim, t->node),
                  nname(sim, c->from), a->argv[2]);
        sn_core_hello(t->core, a->argv[2], a->argvlen[2],
                      sim_sentinel_now(sim, t));
        sim_check_core(sim, t);
        sim_sentinel_drain(sim, t);
        sim_conn_reply(sim, c, m->tag, sim_reply_int(1), NULL);
    } else if (sim_argv_is(a, 0, "sentinel") &&
               sim_argv_is(a, 1, "is-master-down-by-addr")) {
        is_master_down(sim, t, c, m);
    } else {
        sim_conn_reply(sim, c, m->tag,
                       sim_reply_error("ERR unknown command"), NULL);
    }
}

void
sim_sentinel_force_failover(struct sim *sim, struct sim_sentinel *s,
                            int group)
{
    struct sn_master *m = sim_sentinel_master(s, group, sim);
    char err[128];

    if (m == NULL)
        return;
    sim_check_forced(sim, s, group, true);
    if (sn_core_failover(s->core, m, sim_sentinel_now(sim, s), err,
                         sizeof(err)) != 0)
        sim_trace(sim, "%s: SENTINEL FAILOVER %s: %s", nname(sim, s->node),
                  sim->groups[group].name, err);
    sim_check_core(sim, s);
    sim_sentinel_drain(sim, s);
    sim_check_forced(sim, s, group, false);
}

void
sim_sentinel_set_simfail(struct sim *sim, struct sim_sentinel *s,
                         unsigned flags)
{
    (void)sim;
    s->simfail_flags = flags;
    if (s->core != NULL)
        sn_core_simulate_failure(s->core, flags);
}
