/*
 * net.c: the simulated network.
 *
 * Every node has an address. Connections are opened by sentinels and carry
 * messages both ways in order (TCP): each message arrives at
 * max(now + delay, arrival of the previous one in that direction). A
 * partition between two nodes is a one-way block; a message that reaches a
 * block waits for it to heal, as TCP retransmits, and a connection
 * attempt across it is retried like a SYN. Loss is modelled as a broken
 * connection, never as a message silently missing from a live one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* ---------------------------------------------------------------------
 * Nodes
 * ------------------------------------------------------------------- */

int
sim_net_add_node(struct sim *sim, enum sim_node_kind kind, int index,
                 const char *name, const char *host, int port)
{
    struct sim_node *n;

    if (sim->nodes_len >= SIM_NODES_MAX || sim->blocked != NULL)
        abort();                /* topology limits are the caller's bug */
    n = &sim->nodes[sim->nodes_len];
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->index = index;
    snprintf(n->name, sizeof(n->name), "%s", name);
    snprintf(n->host, sizeof(n->host), "%s", host);
    n->port = port;
    return sim->nodes_len++;
}

int
sim_net_find(const struct sim *sim, const char *host, int port)
{
    int i;

    for (i = 0; i < sim->nodes_len; i++)
        if (sim->nodes[i].port == port &&
            strcmp(sim->nodes[i].host, host) == 0)
            return i;
    return -1;
}

int
sim_net_node_by_name(const struct sim *sim, const char *name)
{
    int i;

    for (i = 0; i < sim->nodes_len; i++)
        if (strcmp(sim->nodes[i].name, name) == 0)
            return i;
    return -1;
}

void
sim_net_finish_nodes(struct sim *sim)
{
    size_t n = (size_t)sim->nodes_len;

    sim->blocked = sn_calloc(n * n, 1);
}

bool
sim_net_blocked(const struct sim *sim, int from, int to)
{
    if (sim->blocked == NULL || from < 0 || to < 0)
        return false;
    return sim->blocked[(size_t)from * (size_t)sim->nodes_len + (size_t)to];
}

void
sim_net_set_blocked(struct sim *sim, int from, int to, bool on)
{
    if (from == to)
        return;
    sim->blocked[(size_t)from * (size_t)sim->nodes_len + (size_t)to] =
        on ? 1 : 0;
}

int64_t
sim_net_delay(struct sim *sim, int from, int to)
{
    int64_t d = sim->delay_min_ms;

    if (sim->delay_max_ms > sim->delay_min_ms)
        d += (int64_t)sn_rng_below(&sim->rng,
                                   (uint64_t)(sim->delay_max_ms -
                                              sim->delay_min_ms + 1));
    if (from >= 0)
        d += sim->nodes[from].extra_delay_ms;
    if (to >= 0)
        d += sim->nodes[to].extra_delay_ms;
    return d;
}

/* ---------------------------------------------------------------------
 * Connections
 * ------------------------------------------------------------------- */

struct sim_conn *
sim_conn_get(const struct sim *sim, uint64_t id)
{
    if (id == 0 || id > sim->conns_len)
        return NULL;
    return sim->conns[id - 1];
}

struct sim_conn *
sim_conn_new(struct sim *sim, int from, uint64_t link,
             enum sn_link_kind kind, int to)
{
    struct sim_conn *c = sn_calloc(1, sizeof(*c));

    if (sim->conns_len == sim->conns_cap) {
        sim->conns_cap = sim->conns_cap == 0 ? 256 : sim->conns_cap * 2;
        sim->conns = sn_realloc(sim->conns,
                                sim->conns_cap * sizeof(*sim->conns));
    }
    sim->conns[sim->conns_len++] = c;
    c->id = sim->conns_len;
    c->from = from;
    c->incarnation = sim->sentinels[sim->nodes[from].index].incarnation;
    c->link = link;
    c->kind = kind;
    c->to = to;
    c->state = SIM_CONN_CONNECTING;
    c->connect_started = sim->now;
    return c;
}

void
sim_conn_attach(struct sim *sim, struct sim_conn *c)
{
    struct sim_node *n = &sim->nodes[c->to];

    if (n->conns_len == n->conns_cap) {
        n->conns_cap = n->conns_cap == 0 ? 16 : n->conns_cap * 2;
        n->conns = sn_realloc(n->conns, (size_t)n->conns_cap *
                                        sizeof(*n->conns));
    }
    n->conns[n->conns_len++] = c->id;
}

static void
detach(struct sim *sim, struct sim_conn *c)
{
    struct sim_node *n;
    int i;

    if (c->to < 0)
        return;
    n = &sim->nodes[c->to];
    for (i = 0; i < n->conns_len; i++) {
        if (n->conns[i] == c->id) {
            /* Keep the order: fan-out follows connection order. */
            memmove(&n->conns[i], &n->conns[i + 1],
                    (size_t)(n->conns_len - i - 1) * sizeof(*n->conns));
            n->conns_len--;
            return;
        }
    }
}

static void
free_queued(struct sim_conn *c)
{
    int i;

    for (i = 0; i < c->queued_len; i++)
        sim_argv_free(&c->queued[i]);
    free(c->queued);
    c->queued = NULL;
    c->queued_len = 0;
    c->in_multi = false;
}

static void
free_held(struct sim_conn *c)
{
    struct sim_msg *m, *next;

    for (m = c->held_head; m != NULL; m = next) {
        next = m->next;
        sim_msg_free(m);
    }
    c->held_head = c->held_tail = NULL;
}

void
sim_conn_close(struct sim *sim, struct sim_conn *c, bool notify,
               const char *why)
{
    struct sim_msg *m;
    int64_t at;

    if (c->state == SIM_CONN_CLOSED)
        return;
    if (c->state == SIM_CONN_UP)
        detach(sim, c);
    c->state = SIM_CONN_CLOSED;
    c->subscribed = false;
    free_queued(c);
    free_held(c);
    if (!notify)
        return;
    at = sim->now + sim_net_delay(sim, c->to, c->from);
    if (at < c->last_back_at)
        at = c->last_back_at;
    m = sim_msg_new(SIM_EV_CLOSED, at, c->from);
    m->conn = c->id;
    m->err = sn_strdup(why);
    sim_queue_push(&sim->queue, m);
}

bool
sim_conn_send(struct sim *sim, struct sim_conn *c, struct sim_msg *m,
              bool backward)
{
    int from = backward ? c->to : c->from;
    int to = backward ? c->from : c->to;
    int64_t at;

    if (sim->loss_ppm > 0 &&
        sn_rng_below(&sim->rng, 1000000) < sim->loss_ppm) {
        sim_trace(sim, "net: %s-%s connection %llu broken (loss)",
                  sim->nodes[c->from].name, sim->nodes[c->to].name,
                  (unsigned long long)c->id);
        sim_msg_free(m);
        sim_conn_close(sim, c, true, "Connection reset by peer");
        return false;
    }
    at = sim->now + sim_net_delay(sim, from, to);
    if (backward) {
        if (at < c->last_back_at)
            at = c->last_back_at;
        c->last_back_at = at;
    } else {
        if (at < c->last_fwd_at)
            at = c->last_fwd_at;
        c->last_fwd_at = at;
    }
    m->at = at;
    m->conn = c->id;
    m->backward = backward;
    m->node = to;
    sim_queue_push(&sim->queue, m);
    return true;
}

void
sim_conn_hold(struct sim_conn *c, struct sim_msg *m)
{
    m->next = NULL;
    if (c->held_tail != NULL)
        c->held_tail->next = m;
    else
        c->held_head = m;
    c->held_tail = m;
}

void
sim_conn_reply(struct sim *sim, struct sim_conn *c, uint64_t tag,
               struct sn_reply *r, const struct sim_vote_info *vote)
{
    struct sim_msg *m;

    if (tag == 0 || c->state != SIM_CONN_UP) {
        sim_reply_free(r);
        return;
    }
    m = sim_msg_new(SIM_EV_REPLY, sim->now, c->from);
    m->tag = tag;
    m->reply = r;
    if (vote != NULL)
        m->vote = *vote;
    sim_conn_send(sim, c, m, true);
}

/* Re-send, in order, the held messages whose direction is open again.
 * Messages still blocked stay held. No loss draw: they were sent once. */
static void
release_conn(struct sim *sim, struct sim_conn *c)
{
    struct sim_msg *m, *next, *keep_head = NULL, *keep_tail = NULL;

    m = c->held_head;
    c->held_head = c->held_tail = NULL;
    for (; m != NULL; m = next) {
        int from = m->backward ? c->to : c->from;
        int to = m->backward ? c->from : c->to;
        int64_t at, *last;

        next = m->next;
        m->next = NULL;
        if (sim_net_blocked(sim, from, to)) {
            if (keep_tail != NULL)
                keep_tail->next = m;
            else
                keep_head = m;
            keep_tail = m;
            continue;
        }
        last = m->backward ? &c->last_back_at : &c->last_fwd_at;
        at = sim->now + sim_net_delay(sim, from, to);
        if (at < *last)
            at = *last;
        *last = at;
        sim_queue_repush(&sim->queue, m, at);
    }
    c->held_head = keep_head;
    c->held_tail = keep_tail;
}

void
sim_net_release(struct sim *sim)
{
    size_t i;

    for (i = 0; i < sim->conns_len; i++) {
        struct sim_conn *c = sim->conns[i];

        if (c->state == SIM_CONN_UP && c->held_head != NULL)
            release_conn(sim, c);
    }
}

void
sim_conn_free_all(struct sim *sim)
{
    size_t i;

    for (i = 0; i < sim->conns_len; i++) {
        struct sim_conn *c = sim->conns[i];

        free_queued(c);
        free_held(c);
        free(c);
    }
    free(sim->conns);
    sim->conns = NULL;
    sim->conns_len = sim->conns_cap = 0;
}
