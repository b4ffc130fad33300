/*
 * selftest.c: the simulator's own parts tested without a core: the event
 * queue, the maps, the network's ordering and partitions, the Redis model
 * (INFO, MULTI/EXEC with CLIENT KILL, replication, offsets, crash, hang,
 * pub/sub fan-out). `sentinel-sim --selftest` runs them.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static int failures;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            printf("selftest: %s:%d: %s\n", __FILE__, __LINE__, #cond);    \
            failures++;                                                    \
        }                                                                  \
    } while (0)

/* Messages that reach the sentinel side, kept for inspection. */
struct inbox {
    struct sim_msg *msgs[512];
    int len;
};

static void
inbox_clear(struct inbox *in)
{
    int i;

    for (i = 0; i < in->len; i++)
        sim_msg_free(in->msgs[i]);
    in->len = 0;
}

/* Run the model's own events up to `until`; keep what reaches sentinels. */
static void
pump(struct sim *sim, int64_t until, struct inbox *in)
{
    while (sim_queue_next_at(&sim->queue) <= until) {
        struct sim_msg *m = sim_queue_pop(&sim->queue);

        sim->now = m->at;
        switch (m->type) {
        case SIM_EV_SYNC_DONE:
            sim_redis_sync_done(sim, sim_server_of(sim, m->node), m->gen);
            sim_msg_free(m);
            break;
        case SIM_EV_REPL_TIMEOUT:
            sim_redis_repl_timeout(sim, sim_server_of(sim, m->node), m->gen);
            sim_msg_free(m);
            break;
        case SIM_EV_REQUEST:
            if (!sim_redis_request(sim, sim_server_of(sim, m->node), m))
                sim_msg_free(m);
            break;
        default:
            if (in->len < 512)
                in->msgs[in->len++] = m;
            else
                sim_msg_free(m);
            break;
        }
    }
    if (sim->now < until)
        sim->now = until;
}

static struct sim *
model(void)
{
    struct sim_opts o;
    struct sim *sim;

    memset(&o, 0, sizeof(o));
    o.seed = 1;
    o.delay_max_ms = -1;
    sim = sim_new(&o);
    sim_add_sentinels(sim, 1);
    sim_add_group(sim, 2, 2, 1000, 10000);
    sim_net_finish_nodes(sim);
    sim->delay_min_ms = sim->delay_max_ms = 0;
    return sim;
}

static struct sim_conn *
open_conn(struct sim *sim, int to)
{
    static uint64_t link = 100;
    struct sim_conn *c = sim_conn_new(sim, sim->sentinels[0].node, ++link,
                                      SN_LINK_CMD, to);

    c->state = SIM_CONN_UP;
    sim_conn_attach(sim, c);
    return c;
}

static void
request(struct sim *sim, struct sim_conn *c, uint64_t tag, int argc, ...)
{
    struct sim_msg *m = sim_msg_new(SIM_EV_REQUEST, sim->now, c->to);
    char *argv[16];
    va_list ap;
    int i;

    va_start(ap, argc);
    for (i = 0; i < argc && i < 16; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    sim_argv_copy(&m->req, argc, argv, NULL);
    m->tag = tag;
    sim_conn_send(sim, c, m, false);
}

/* The reply with this tag in the inbox, described. */
static const char *
reply_of(struct inbox *in, uint64_t tag, struct sn_buf *b)
{
    int i;

    sn_buf_reset(b);
    for (i = 0; i < in->len; i++)
        if (in->msgs[i]->type == SIM_EV_REPLY && in->msgs[i]->tag == tag) {
            sim_reply_describe(in->msgs[i]->reply, b);
            return b->data;
        }
    return "(none)";
}

static const char *
info_of(struct inbox *in, uint64_t tag)
{
    int i;

    for (i = 0; i < in->len; i++)
        if (in->msgs[i]->type == SIM_EV_REPLY && in->msgs[i]->tag == tag)
            return in->msgs[i]->reply->str != NULL ?
                   in->msgs[i]->reply->str : "";
    return "";
}

/* ---------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------- */

static void
test_queue_order(void)
{
    struct sim_queue q;
    struct sn_rng r;
    struct sim_msg *m;
    int64_t last_at = -1;
    uint64_t last_seq = 0;
    int i;

    sim_queue_init(&q);
    sn_rng_seed(&r, 7);
    for (i = 0; i < 2000; i++)
        sim_queue_push(&q, sim_msg_new(SIM_EV_WAKE,
                                       (int64_t)sn_rng_below(&r, 50), 0));
    for (i = 0; (m = sim_queue_pop(&q)) != NULL; i++) {
        CHECK(m->at > last_at || (m->at == last_at && m->seq > last_seq));
        last_at = m->at;
        last_seq = m->seq;
        sim_msg_free(m);
    }
    CHECK(i == 2000);
    sim_queue_free(&q);
}

static void
test_maps(void)
{
    struct sim_map m;
    struct sim_smap sm;
    uint64_t v;
    int i, ok = 1;

    sim_map_init(&m);
    for (i = 1; i <= 1000; i++)
        sim_map_put(&m, (uint64_t)i * 7919, (uint64_t)i);
    for (i = 1; i <= 1000; i += 2)
        sim_map_del(&m, (uint64_t)i * 7919);
    for (i = 1; i <= 1000; i++) {
        bool got = sim_map_get(&m, (uint64_t)i * 7919, &v);

        if (got != (i % 2 == 0) || (got && v != (uint64_t)i))
            ok = 0;
    }
    CHECK(ok);
    CHECK(m.len == 500);
    sim_map_free(&m);

    sim_smap_init(&sm);
    sim_smap_put(&sm, "a/1/2", "x");
    sim_smap_put(&sm, "a/1/3", "y");
    sim_smap_put(&sm, "a/1/2", "z");
    CHECK(strcmp(sim_smap_get(&sm, "a/1/2"), "z") == 0);
    CHECK(strcmp(sim_smap_get(&sm, "a/1/3"), "y") == 0);
    CHECK(sim_smap_get(&sm, "a/1/4") == NULL);
    sim_smap_free(&sm);
}

static void
test_net_fifo(void)
{
    struct sim *sim = model();
    struct sim_conn *c = open_conn(sim, sim->servers[0].node);
    struct inbox in = { {0}, 0 };
    struct sn_buf b;
    int i, ok = 1;

    sim->delay_max_ms = 50;
    sn_buf_init(&b);
    for (i = 1; i <= 100; i++)
        request(sim, c, (uint64_t)i, 1, "PING");
    pump(sim, sim->now + 1000, &in);
    CHECK(in.len == 100);
    for (i = 0; i < in.len; i++)
        if (in.msgs[i]->tag != (uint64_t)i + 1)
            ok = 0;
    CHECK(ok);
    CHECK(strcmp(reply_of(&in, 1, &b), "+PONG") == 0);
    inbox_clear(&in);
    sn_buf_free(&b);
    sim_free(sim);
}

static void
test_net_partition_holds(void)
{
    struct sim *sim = model();
    int s0 = sim->sentinels[0].node, m0 = sim->servers[0].node;
    struct sim_conn *c = open_conn(sim, m0);
    struct sim_msg *m;
    int delivered = 0, i;

    /* The dispatcher holds messages at a block; emulate it here. */
    sim_net_set_blocked(sim, s0, m0, true);
    for (i = 1; i <= 3; i++)
        request(sim, c, (uint64_t)i, 1, "PING");
    while ((m = sim_queue_pop(&sim->queue)) != NULL) {
        sim->now = m->at;
        CHECK(sim_net_blocked(sim, s0, m0));
        sim_conn_hold(c, m);
    }
    CHECK(c->held_head != NULL && c->held_head->tag == 1);
    sim_net_set_blocked(sim, s0, m0, false);
    sim_net_release(sim);
    CHECK(c->held_head == NULL);
    for (i = 1; (m = sim_queue_pop(&sim->queue)) != NULL; i++) {
        CHECK(m->tag == (uint64_t)i);
        delivered++;
        sim_msg_free(m);
    }
    CHECK(delivered == 3);
    sim_free(sim);
}

static void
test_redis_info(void)
{
    struct sim *sim = model();
    struct sim_conn *cm = open_conn(sim, sim->servers[0].node);
    struct sim_conn *cr = open_conn(sim, sim->servers[2].node);
    struct inbox in = { {0}, 0 };
    const char *t;

    sim->servers[2].priority = 0;
    sim->servers[2].lag = 10;
    pump(sim, sim->now + 1000, &in);
    request(sim, cm, 1, 1, "INFO");
    request(sim, cr, 2, 2, "INFO", "replication");
    pump(sim, sim->now + 10, &in);
    t = info_of(&in, 1);
    CHECK(strstr(t, "role:master\r\n") != NULL);
    CHECK(strstr(t, "connected_slaves:2\r\n") != NULL);
    CHECK(strstr(t, "slave0:ip=10.1.0.2,port=6379,state=online,"
                    "offset=1000,") != NULL);
    CHECK(strstr(t, "slave1:ip=10.1.0.3,port=6379,state=online,"
                    "offset=990,") != NULL);
    CHECK(strstr(t, "master_repl_offset:1000\r\n") != NULL);
    CHECK(strstr(t, sim->servers[0].run_id) != NULL);
    t = info_of(&in, 2);
    CHECK(strstr(t, "role:slave\r\n") != NULL);
    CHECK(strstr(t, "master_host:10.1.0.1\r\n") != NULL);
    CHECK(strstr(t, "master_port:6379\r\n") != NULL);
    CHECK(strstr(t, "master_link_status:up\r\n") != NULL);
    CHECK(strstr(t, "slave_priority:0\r\n") != NULL);
    CHECK(strstr(t, "slave_repl_offset:990\r\n") != NULL);
    inbox_clear(&in);
    sim_free(sim);
}

/* The reconfiguration transaction: replies queued, then applied at EXEC;
 * CLIENT KILL closes the other clients of each type, not the caller. */
static void
test_redis_multi_exec_promote(void)
{
    struct sim *sim = model();
    int r1 = sim->servers[1].node;
    struct sim_conn *a = open_conn(sim, r1);
    struct sim_conn *other = open_conn(sim, r1);
    struct sim_conn *sub = open_conn(sim, r1);
    struct inbox in = { {0}, 0 };
    struct sn_buf b;
    int i, closed = 0;

    sn_buf_init(&b);
    request(sim, sub, 1, 2, "SUBSCRIBE", "__sentinel__:hello");
    request(sim, a, 2, 1, "MULTI");
    request(sim, a, 3, 3, "SLAVEOF", "NO", "ONE");
    request(sim, a, 4, 2, "CONFIG", "REWRITE");
    request(sim, a, 5, 4, "CLIENT", "KILL", "TYPE", "normal");
    request(sim, a, 6, 4, "CLIENT", "KILL", "TYPE", "pubsub");
    pump(sim, sim->now + 5, &in);
    CHECK(!sim->servers[1].is_master);     /* queued, not applied */
    CHECK(strcmp(reply_of(&in, 1, &b), "[\"subscribe\" "
                 "\"__sentinel__:hello\" :1]") == 0);
    CHECK(strcmp(reply_of(&in, 3, &b), "+QUEUED") == 0);
    request(sim, a, 7, 1, "EXEC");
    pump(sim, sim->now + 5, &in);
    CHECK(sim->servers[1].is_master);
    CHECK(sim->servers[1].saved_is_master);
    CHECK(strcmp(reply_of(&in, 7, &b), "[+OK +OK :1 :1]") == 0);
    CHECK(a->state == SIM_CONN_UP);
    CHECK(other->state == SIM_CONN_CLOSED);
    CHECK(sub->state == SIM_CONN_CLOSED);
    for (i = 0; i < in.len; i++)
        if (in.msgs[i]->type == SIM_EV_CLOSED)
            closed++;
    CHECK(closed == 2);
    inbox_clear(&in);
    sn_buf_free(&b);
    sim_free(sim);
}

static void
test_redis_replication(void)
{
    struct sim *sim = model();
    struct sim_server *m = &sim->servers[0], *r1 = &sim->servers[1],
                      *r2 = &sim->servers[2];
    struct inbox in = { {0}, 0 };

    pump(sim, sim->now + 1000, &in);
    CHECK(sim_redis_offset(sim, r1) == 1000);
    sim_redis_slaveof_no_one(sim, r1);
    CHECK(r1->is_master);
    sim_redis_slaveof(sim, r2, "10.1.0.2", 6379);
    CHECK(r2->link == SIM_REPL_SYNCING);
    pump(sim, sim->now + sim->sync_delay_ms - 1, &in);
    CHECK(r2->link == SIM_REPL_SYNCING);
    pump(sim, sim->now + 1, &in);
    CHECK(r2->link == SIM_REPL_UP);
    pump(sim, sim->now + 500, &in);
    CHECK(sim_redis_offset(sim, r2) == sim_redis_offset(sim, r1));
    /* Two masters in the group: the old one never stopped. */
    CHECK(sim_group_model_master(sim, 0, NULL) == -1);
    sim_redis_slaveof(sim, m, "10.1.0.2", 6379);
    CHECK(sim_group_model_master(sim, 0, NULL) == 1);
    /* The new master crashes: its replicas' links drop at once. */
    pump(sim, sim->now + 1000, &in);
    sim_redis_crash(sim, r1);
    CHECK(r2->link == SIM_REPL_DOWN && m->link == SIM_REPL_DOWN);
    {
        uint64_t frozen = sim_redis_offset(sim, r2);
        char *text;

        pump(sim, sim->now + 3000, &in);
        CHECK(sim_redis_offset(sim, r2) == frozen);
        text = sim_redis_info(sim, r2, NULL);
        CHECK(strstr(text, "master_link_down_since_seconds:3\r\n") != NULL);
        free(text);
    }
    sim_redis_restart(sim, r1, false);
    CHECK(!r1->is_master);          /* CONFIG REWRITE was never sent */
    pump(sim, sim->now + sim->sync_delay_ms, &in);
    CHECK(r2->link == SIM_REPL_UP);
    inbox_clear(&in);
    sim_free(sim);
}

static void
test_redis_hang_and_pubsub(void)
{
    struct sim *sim = model();
    struct sim_server *m = &sim->servers[0];
    struct sim_conn *a = open_conn(sim, m->node);
    struct sim_conn *s1 = open_conn(sim, m->node);
    struct sim_conn *s2 = open_conn(sim, m->node);
    struct inbox in = { {0}, 0 };
    struct sn_buf b;
    int i, messages = 0;

    sn_buf_init(&b);
    request(sim, s1, 1, 2, "SUBSCRIBE", "__sentinel__:hello");
    request(sim, s2, 2, 2, "SUBSCRIBE", "__sentinel__:hello");
    pump(sim, sim->now + 1, &in);
    request(sim, a, 3, 3, "PUBLISH", "__sentinel__:hello", "hi");
    pump(sim, sim->now + 1, &in);
    CHECK(strcmp(reply_of(&in, 3, &b), ":2") == 0);
    for (i = 0; i < in.len; i++)
        if (in.msgs[i]->type == SIM_EV_MESSAGE &&
            strcmp(in.msgs[i]->payload, "hi") == 0)
            messages++;
    CHECK(messages == 2);
    request(sim, s1, 4, 1, "INFO");
    pump(sim, sim->now + 1, &in);
    CHECK(strncmp(reply_of(&in, 4, &b), "-ERR Can't execute 'INFO'", 25) ==
          0);
    inbox_clear(&in);

    sim_redis_hang(sim, m);
    request(sim, a, 5, 1, "PING");
    pump(sim, sim->now + 5000, &in);
    CHECK(strcmp(reply_of(&in, 5, &b), "(none)") == 0);
    /* The replicas keep their link until the replication timeout. */
    CHECK(sim->servers[1].link == SIM_REPL_UP);
    sim_redis_resume(sim, m);
    pump(sim, sim->now + 1, &in);
    CHECK(strcmp(reply_of(&in, 5, &b), "+PONG") == 0);
    sim_redis_hang(sim, m);
    pump(sim, sim->now + sim->repl_timeout_ms, &in);
    CHECK(sim->servers[1].link == SIM_REPL_DOWN);
    inbox_clear(&in);
    sn_buf_free(&b);
    sim_free(sim);
}

int
sim_selftest(void)
{
    failures = 0;
    test_queue_order();
    test_maps();
    test_net_fifo();
    test_net_partition_holds();
    test_redis_info();
    test_redis_multi_exec_promote();
    test_redis_replication();
    test_redis_hang_and_pubsub();
    printf("selftest: %s (%d failures)\n", failures == 0 ? "ok" : "FAILED",
           failures);
    return failures;
}
