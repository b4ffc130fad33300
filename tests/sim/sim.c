/*
 * sim.c: the run loop, topology, faults and measurements.
 *
 * The loop pops the earliest event, sets the virtual clock to its time and
 * hands it to the node it is for. Events for a stalled sentinel wait for
 * the end of the stall; messages that reach a partition wait for it to
 * heal. Each event is one step; the invariants are checked as the step's
 * effects happen (check.c).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instance.h"
#include "sim.h"

/* Virtual time starts here, so that backward clock jumps stay positive. */
#define SIM_EPOCH_MS            1000000
#define SIM_CHECK_PERIOD_MS     500
/* Converged for this long after the heal ends a run early. */
#define SIM_STABLE_MS           5000

struct sim *
sim_new(const struct sim_opts *opts)
{
    struct sim *sim = sn_calloc(1, sizeof(*sim));

    sim->opts = *opts;
    sim->seed = opts->seed;
    sn_rng_seed(&sim->rng, opts->seed ^ 0x5e17e1c0ffeeULL);
    sim->now = sim->start_at = SIM_EPOCH_MS;
    sim->heal_at = -1;
    sim->digest = SIM_HASH_INIT;
    sim->delay_min_ms = 0;
    sim->delay_max_ms = 2;
    sim->sync_delay_ms = 200;
    sim->repl_timeout_ms = 60000;
    sim->converged_at = -1;
    sim->converged_since = -1;
    sim_queue_init(&sim->queue);
    sim_check_init(sim);
    return sim;
}

void
sim_free(struct sim *sim)
{
    int i;

    for (i = 0; i < sim->sentinels_len; i++)
        sim_sentinel_free(&sim->sentinels[i]);
    for (i = 0; i < sim->servers_len; i++) {
        struct sim_msg *m, *next;

        for (m = sim->servers[i].held_head; m != NULL; m = next) {
            next = m->next;
            sim_msg_free(m);
        }
    }
    for (i = 0; i < sim->nodes_len; i++)
        free(sim->nodes[i].conns);
    sim_queue_free(&sim->queue);
    sim_conn_free_all(sim);
    sim_check_free(sim);
    free(sim->blocked);
    free(sim->failover_ms);
    free(sim->scratch);
    free(sim);
}

void
sim_trace(struct sim *sim, const char *fmt, ...)
{
    va_list ap;

    if (!sim->opts.verbose)
        return;
    printf("%7" PRId64 ".%03" PRId64 " ", (sim->now - sim->start_at) / 1000,
           (sim->now - sim->start_at) % 1000);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

void
sim_digest_str(struct sim *sim, const char *s)
{
    sim->digest = sim_hash_str(sim->digest, s);
}

void
sim_digest_u64(struct sim *sim, uint64_t v)
{
    sim->digest = sim_hash_u64(sim->digest, v);
}

int64_t
sim_rand_between(struct sim *sim, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int64_t)sn_rng_below(&sim->rng, (uint64_t)(hi - lo + 1));
}

int
sim_group_by_name(const struct sim *sim, const char *name)
{
    int g;

    for (g = 0; g < sim->groups_len; g++)
        if (strcmp(sim->groups[g].name, name) == 0)
            return g;
    return -1;
}

int
sim_server_index(const struct sim *sim, int group, int i)
{
    return sim->groups[group].servers[i];
}

/* ---------------------------------------------------------------------
 * Topology
 * ------------------------------------------------------------------- */

int
sim_add_sentinels(struct sim *sim, int n)
{
    int i;

    for (i = 0; i < n && sim->sentinels_len < SIM_SENTINELS_MAX; i++) {
        char name[SIM_NAME_MAX], host[SIM_HOST_MAX];
        int idx = sim->sentinels_len++;

        snprintf(name, sizeof(name), "s%d", idx);
        snprintf(host, sizeof(host), "10.0.0.%d", idx + 1);
        sim->sentinels[idx].node = sim_net_add_node(sim, SIM_NODE_SENTINEL,
                                                    idx, name, host, 26379);
    }
    return sim->sentinels_len;
}

int
sim_add_group(struct sim *sim, int replicas, int quorum,
              int64_t down_after_ms, int64_t failover_timeout_ms)
{
    int g = sim->groups_len++, r;
    struct sim_group *grp = &sim->groups[g];
    int master_node = -1;

    memset(grp, 0, sizeof(*grp));
    snprintf(grp->name, sizeof(grp->name), "m%d", g);
    grp->quorum = quorum;
    grp->down_after_ms = down_after_ms;
    grp->failover_timeout_ms = failover_timeout_ms;
    grp->parallel_syncs = 1;
    grp->death_at = -1;
    grp->first_try_at = -1;
    grp->first_promotion_at = -1;
    grp->first_promoted_server = -1;
    grp->min_retry_gap_ms = -1;
    for (r = 0; r < SIM_SENTINELS_MAX; r++)
        grp->last_try_at[r] = -1;
    for (r = 0; r <= replicas && r < SIM_GROUP_SERVERS_MAX; r++) {
        char name[SIM_NAME_MAX], host[SIM_HOST_MAX];
        int idx = sim->servers_len++;
        struct sim_server *s = &sim->servers[idx];
        int node;

        snprintf(name, sizeof(name), "m%d.%d", g, r);
        snprintf(host, sizeof(host), "10.1.%d.%d", g, r + 1);
        node = sim_net_add_node(sim, SIM_NODE_SERVER, idx, name, host, 6379);
        sim_redis_init(sim, s, node, g, r, r == 0);
        if (r == 0) {
            master_node = node;
        } else {
            memcpy(s->master_host, sim->nodes[master_node].host,
                   SIM_HOST_MAX);
            s->master_port = sim->nodes[master_node].port;
            memcpy(s->saved_master_host, s->master_host,
                   sizeof(s->saved_master_host));
            s->saved_master_port = s->master_port;
            s->last_master_node = master_node;
            s->link = SIM_REPL_UP;      /* in sync from the start */
        }
        grp->servers[grp->servers_len++] = idx;
    }
    return g;
}

/* The config file a sentinel starts with: ours (INI) for even sentinels,
 * Redis's sentinel.conf for odd ones, so both loaders and rewriters are
 * exercised by restarts. */
static char *
config_text(const struct sim *sim, int idx)
{
    struct sn_buf b;
    int g;

    sn_buf_init(&b);
    if (idx % 2 == 0) {
        sn_buf_puts(&b, "[sentinel]\nport = 26379\n");
        for (g = 0; g < sim->groups_len; g++) {
            const struct sim_group *grp = &sim->groups[g];
            const struct sim_node *mn =
                &sim->nodes[sim->servers[grp->servers[0]].node];

            sn_buf_printf(&b, "\n[%s]\nmonitor = %s %d %d\n"
                          "down-after-milliseconds = %" PRId64 "\n"
                          "failover-timeout = %" PRId64 "\n"
                          "parallel-syncs = %d\n", grp->name, mn->host,
                          mn->port, grp->quorum, grp->down_after_ms,
                          grp->failover_timeout_ms, grp->parallel_syncs);
        }
    } else {
        sn_buf_puts(&b, "port 26379\n");
        for (g = 0; g < sim->groups_len; g++) {
            const struct sim_group *grp = &sim->groups[g];
            const struct sim_node *mn =
                &sim->nodes[sim->servers[grp->servers[0]].node];

            sn_buf_printf(&b, "sentinel monitor %s %s %d %d\n"
                          "sentinel down-after-milliseconds %s %" PRId64 "\n"
                          "sentinel failover-timeout %s %" PRId64 "\n"
                          "sentinel parallel-syncs %s %d\n", grp->name,
                          mn->host, mn->port, grp->quorum, grp->name,
                          grp->down_after_ms, grp->name,
                          grp->failover_timeout_ms, grp->name,
                          grp->parallel_syncs);
        }
    }
    return sn_buf_steal(&b, NULL);
}

void
sim_boot(struct sim *sim)
{
    int i;

    sim_net_finish_nodes(sim);
    for (i = 0; i < sim->sentinels_len; i++) {
        char *text = config_text(sim, i);

        sim_sentinel_init(sim, &sim->sentinels[i], sim->sentinels[i].node,
                          text);
        free(text);
    }
    for (i = 0; i < sim->sentinels_len; i++)
        sim_sentinel_start(sim, &sim->sentinels[i]);
}

/* ---------------------------------------------------------------------
 * Faults
 * ------------------------------------------------------------------- */

struct sim_fault *
sim_at(struct sim *sim, int64_t t, enum sim_fault_type type, int a,
       int64_t v)
{
    struct sim_msg *m = sim_msg_new(SIM_EV_FAULT, sim->start_at + t, -1);
    struct sim_fault *f = sn_calloc(1, sizeof(*f));

    f->type = type;
    f->a = a;
    f->b = -1;
    f->v = v;
    m->fault = f;
    sim_queue_push(&sim->queue, m);
    if (type == SIM_F_HEAL)
        sim->heal_at = sim->start_at + t;
    return f;
}

void
sim_split_at(struct sim *sim, int64_t t, const char *spec)
{
    struct sim_fault *f = sim_at(sim, t, SIM_F_SPLIT, -1, 0);
    char *copy = sn_strdup(spec), *save = NULL, *tok;
    int side = 0, i;

    f->sides = sn_malloc((size_t)SIM_NODES_MAX);
    for (i = 0; i < SIM_NODES_MAX; i++)
        f->sides[i] = -1;
    for (tok = strtok_r(copy, " ", &save); tok != NULL;
         tok = strtok_r(NULL, " ", &save)) {
        int node;

        if (strcmp(tok, "|") == 0) {
            side++;
            continue;
        }
        node = sim_net_node_by_name(sim, tok);
        if (node < 0) {
            fprintf(stderr, "sentinel-sim: split: no node %s\n", tok);
            abort();
        }
        f->sides[node] = (signed char)side;
    }
    free(copy);
}

void
sim_call_at(struct sim *sim, int64_t t, void (*fn)(struct sim *sim, int arg),
            int arg)
{
    struct sim_fault *f = sim_at(sim, t, SIM_F_CALL, arg, 0);

    f->fn = fn;
}

static struct sim_sentinel *
sentinel_at(struct sim *sim, int i)
{
    return i >= 0 && i < sim->sentinels_len ? &sim->sentinels[i] : NULL;
}

void
sim_group_master_died(struct sim *sim, int group, int server)
{
    struct sim_group *grp = &sim->groups[group];
    const struct sim_node *n = &sim->nodes[sim->servers[server].node];
    int i, named = 0, live = 0;

    if (grp->death_at >= 0)
        return;
    /* Only the death of the master the sentinels name starts the clock. */
    for (i = 0; i < sim->sentinels_len; i++) {
        const struct sn_config_master *cm;

        if (sim->sentinels[i].core == NULL)
            continue;
        live++;
        cm = sn_config_master_find(sn_core_config(sim->sentinels[i].core),
                                   grp->name);
        if (cm != NULL && cm->port == n->port &&
            strcmp(cm->host, n->host) == 0)
            named++;
    }
    if (live == 0 || named < live)
        return;
    grp->death_at = sim->now;
    memcpy(grp->death_host, n->host, SIM_HOST_MAX);
    grp->death_port = n->port;
}

void
sim_group_check_failover_done(struct sim *sim, int group)
{
    struct sim_group *grp = &sim->groups[group];
    const char *host = NULL;
    int port = 0, i, live = 0;

    if (grp->death_at < 0)
        return;
    for (i = 0; i < sim->sentinels_len; i++) {
        const struct sn_config_master *cm;

        if (sim->sentinels[i].core == NULL)
            continue;
        live++;
        cm = sn_config_master_find(sn_core_config(sim->sentinels[i].core),
                                   grp->name);
        if (cm == NULL)
            return;
        if (cm->port == grp->death_port &&
            strcmp(cm->host, grp->death_host) == 0)
            return;
        if (host != NULL && (cm->port != port || strcmp(cm->host, host) != 0))
            return;
        host = cm->host;
        port = cm->port;
    }
    if (live == 0)
        return;
    if (sim->failover_len == sim->failover_cap) {
        sim->failover_cap = sim->failover_cap == 0 ? 16 :
                            sim->failover_cap * 2;
        sim->failover_ms = sn_realloc(sim->failover_ms,
                                      (size_t)sim->failover_cap *
                                      sizeof(*sim->failover_ms));
    }
    sim->failover_ms[sim->failover_len++] = sim->now - grp->death_at;
    sim_trace(sim, "measure: %s failed over in %" PRId64 " ms", grp->name,
              sim->now - grp->death_at);
    grp->death_at = -1;
}

/* A master that comes back before anyone moved on: stop the clock. */
static void
master_back(struct sim *sim, struct sim_server *s)
{
    struct sim_group *grp = &sim->groups[s->group];
    const struct sim_node *n = &sim->nodes[s->node];

    if (grp->death_at >= 0 && grp->death_port == n->port &&
        strcmp(grp->death_host, n->host) == 0)
        grp->death_at = -1;
}

static void
apply_split(struct sim *sim, const signed char *sides)
{
    int a, b;

    for (a = 0; a < sim->nodes_len; a++)
        for (b = 0; b < sim->nodes_len; b++)
            if (sides[a] >= 0 && sides[b] >= 0 && sides[a] != sides[b])
                sim_net_set_blocked(sim, a, b, true);
}

static void
heal_net(struct sim *sim)
{
    memset(sim->blocked, 0, (size_t)sim->nodes_len * (size_t)sim->nodes_len);
}

static void
net_changed(struct sim *sim)
{
    sim_redis_repl_update_all(sim);
    sim_net_release(sim);
}

static void
heal_all(struct sim *sim)
{
    int i;

    heal_net(sim);
    for (i = 0; i < sim->nodes_len; i++)
        sim->nodes[i].extra_delay_ms = 0;
    for (i = 0; i < sim->servers_len; i++) {
        struct sim_server *s = &sim->servers[i];

        if (s->state == SIM_SRV_HUNG) {
            sim_redis_resume(sim, s);
            master_back(sim, s);
        } else if (s->state == SIM_SRV_CRASHED) {
            sim_redis_restart(sim, s, false);
            master_back(sim, s);
        }
    }
    for (i = 0; i < sim->sentinels_len; i++) {
        struct sim_sentinel *s = &sim->sentinels[i];

        s->frozen_until = INT64_MIN;
        if (s->core == NULL)
            sim_sentinel_start(sim, s);
    }
    net_changed(sim);
    sim->healed = true;
}

static void
server_fault(struct sim *sim, const struct sim_fault *f)
{
    struct sim_server *s = &sim->servers[f->a];

    switch (f->type) {
    case SIM_F_SERVER_CRASH:
        if (s->is_master && s->state == SIM_SRV_UP)
            sim_group_master_died(sim, s->group, f->a);
        sim_redis_crash(sim, s);
        break;
    case SIM_F_SERVER_RESTART:
        sim_redis_restart(sim, s, f->v != 0);
        master_back(sim, s);
        break;
    case SIM_F_SERVER_HANG:
        if (s->is_master && s->state == SIM_SRV_UP)
            sim_group_master_died(sim, s->group, f->a);
        sim_redis_hang(sim, s);
        break;
    case SIM_F_SERVER_RESUME:
        sim_redis_resume(sim, s);
        master_back(sim, s);
        break;
    case SIM_F_SERVER_PRIORITY:
        s->priority = (int)f->v;
        break;
    default:
        break;
    }
}

static const char *const fault_names[] = {
    "server-crash", "server-restart", "server-hang", "server-resume",
    "server-priority", "sentinel-crash", "sentinel-restart", "block",
    "unblock", "split", "heal-net", "clock-stall", "clock-jump", "delay",
    "simfail", "force-failover", "heal", "call",
};

void
sim_apply_fault(struct sim *sim, const struct sim_fault *f)
{
    struct sim_sentinel *s;
    int i;

    sim_trace(sim, "fault: %s a=%d b=%d v=%" PRId64, fault_names[f->type],
              f->a, f->b, f->v);
    sim_digest_u64(sim, (uint64_t)f->type);
    switch (f->type) {
    case SIM_F_SERVER_CRASH:
    case SIM_F_SERVER_RESTART:
    case SIM_F_SERVER_HANG:
    case SIM_F_SERVER_RESUME:
    case SIM_F_SERVER_PRIORITY:
        server_fault(sim, f);
        break;
    case SIM_F_SENTINEL_CRASH:
        if ((s = sentinel_at(sim, f->a)) != NULL)
            sim_sentinel_crash(sim, s, "fault");
        break;
    case SIM_F_SENTINEL_RESTART:
        if ((s = sentinel_at(sim, f->a)) != NULL)
            sim_sentinel_restart(sim, s, f->v != 0);
        break;
    case SIM_F_BLOCK:
    case SIM_F_UNBLOCK:
        sim_net_set_blocked(sim, f->a, f->b, f->type == SIM_F_BLOCK);
        net_changed(sim);
        break;
    case SIM_F_SPLIT:
        apply_split(sim, f->sides);
        net_changed(sim);
        break;
    case SIM_F_HEAL_NET:
        heal_net(sim);
        net_changed(sim);
        break;
    case SIM_F_CLOCK_STALL:
        if ((s = sentinel_at(sim, f->a)) != NULL && s->core != NULL)
            s->frozen_until = sim->now + f->v;
        break;
    case SIM_F_CLOCK_JUMP:
        if ((s = sentinel_at(sim, f->a)) != NULL)
            s->clock_offset_ms += f->v;
        break;
    case SIM_F_DELAY:
        sim->nodes[f->a].extra_delay_ms = f->v;
        break;
    case SIM_F_SIMFAIL:
        for (i = 0; i < sim->sentinels_len; i++)
            if (f->a < 0 || f->a == i)
                sim_sentinel_set_simfail(sim, &sim->sentinels[i],
                                         (unsigned)f->v);
        break;
    case SIM_F_FORCE_FAILOVER:
        if ((s = sentinel_at(sim, f->a)) != NULL && s->core != NULL)
            sim_sentinel_force_failover(sim, s, f->b);
        break;
    case SIM_F_HEAL:
        heal_all(sim);
        break;
    case SIM_F_CALL:
        f->fn(sim, f->a);
        break;
    }
}

/* ---------------------------------------------------------------------
 * The loop
 * ------------------------------------------------------------------- */

static struct sim_conn *
live_conn(struct sim *sim, const struct sim_msg *m)
{
    struct sim_conn *c = sim_conn_get(sim, m->conn);

    return c != NULL && c->state == SIM_CONN_UP ? c : NULL;
}

static bool
has_held(const struct sim_conn *c, bool backward)
{
    const struct sim_msg *m;

    for (m = c->held_head; m != NULL; m = m->next)
        if (m->backward == backward)
            return true;
    return false;
}

/* A message on a connection meets a partition (or follows one that did):
 * it waits. Returns true if the message was held. */
static bool
held_by_partition(struct sim *sim, struct sim_msg *m)
{
    struct sim_conn *c = live_conn(sim, m);
    int from, to;

    if (c == NULL)
        return false;
    from = m->backward ? c->to : c->from;
    to = m->backward ? c->from : c->to;
    if (!sim_net_blocked(sim, from, to) && !has_held(c, m->backward))
        return false;
    sim_conn_hold(c, m);
    return true;
}

/* Events for a stalled sentinel wait for the end of the stall. */
static bool
postponed(struct sim *sim, struct sim_msg *m)
{
    struct sim_sentinel *s;

    if (m->node < 0 || sim->nodes[m->node].kind != SIM_NODE_SENTINEL)
        return false;
    s = &sim->sentinels[sim->nodes[m->node].index];
    /* Inclusive, and re-pushed one past the end: an event due exactly at
     * the end of the stall must not overtake one postponed earlier. */
    if (s->frozen_until < sim->now)
        return false;
    sim_queue_repush(&sim->queue, m, s->frozen_until + 1);
    return true;
}

static void
periodic_check(struct sim *sim)
{
    struct sim_msg *m;

    if (sim_check_converged(sim, false)) {
        if (sim->converged_since < 0)
            sim->converged_since = sim->now;
        if (sim->converged_at < 0)
            sim->converged_at = sim->now;
        if (sim->now - sim->converged_since >= SIM_STABLE_MS)
            sim->stop = true;
    } else {
        sim->converged_since = -1;
    }
    m = sim_msg_new(SIM_EV_CHECK, sim->now + SIM_CHECK_PERIOD_MS, -1);
    sim_queue_push(&sim->queue, m);
}

/* Returns true if the message was kept (postponed, held). */
static bool
dispatch(struct sim *sim, struct sim_msg *m)
{
    struct sim_server *srv;

    if (postponed(sim, m))
        return true;
    switch (m->type) {
    case SIM_EV_WAKE:
        sim_sentinel_wake(sim, &sim->sentinels[sim->nodes[m->node].index],
                          m->gen);
        break;
    case SIM_EV_CONNECT_DONE:
        sim_sentinel_connect_done(sim, m);
        break;
    case SIM_EV_CONNECT_RETRY:
        sim_sentinel_connect_retry(sim, m);
        break;
    case SIM_EV_REQUEST:
        if (live_conn(sim, m) == NULL)
            break;
        if (held_by_partition(sim, m))
            return true;
        srv = sim_server_of(sim, m->node);
        if (srv != NULL)
            return sim_redis_request(sim, srv, m);
        sim_sentinel_request(sim, &sim->sentinels[sim->nodes[m->node].index],
                             m);
        break;
    case SIM_EV_REPLY:
    case SIM_EV_MESSAGE:
        if (live_conn(sim, m) == NULL)
            break;
        if (held_by_partition(sim, m))
            return true;
        if (m->type == SIM_EV_REPLY)
            sim_sentinel_reply(sim, m);
        else
            sim_sentinel_message(sim, m);
        break;
    case SIM_EV_CLOSED:
        sim_sentinel_closed(sim, m);
        break;
    case SIM_EV_SYNC_DONE:
        sim_redis_sync_done(sim, sim_server_of(sim, m->node), m->gen);
        break;
    case SIM_EV_REPL_TIMEOUT:
        sim_redis_repl_timeout(sim, sim_server_of(sim, m->node), m->gen);
        break;
    case SIM_EV_FAULT:
        sim_apply_fault(sim, m->fault);
        if (m->fault->type == SIM_F_HEAL)
            periodic_check(sim);
        break;
    case SIM_EV_CHECK:
        periodic_check(sim);
        break;
    }
    return false;
}

int
sim_run(struct sim *sim, int64_t end)
{
    struct sim_msg *m;

    sim->end_at = sim->start_at + end;
    while (!sim->stop && (m = sim_queue_pop(&sim->queue)) != NULL) {
        if (m->at > sim->end_at) {
            sim_msg_free(m);
            break;
        }
        sim->now = m->at;
        sim->step++;
        sim_digest_u64(sim, (uint64_t)m->at);
        sim_digest_u64(sim, (uint64_t)m->type);
        if (!dispatch(sim, m))
            sim_msg_free(m);
    }
    if (sim->now < sim->end_at && !sim->stop)
        sim->now = sim->end_at;
    if (sim->heal_at >= 0 &&
        sim->converged_since < 0) {
        sim_check_converged(sim, true);
    }
    return sim->violations;
}
