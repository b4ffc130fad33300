/*
 * core_harness.h: a small scripted world for the core's unit suites
 * (test_core, test_instance, test_detect, test_election, test_failover).
 *
 * One core, a virtual clock, and a few modelled servers: Redis instances
 * that answer PING, INFO (rendered from a struct sn_info), SLAVEOF (which
 * changes their role) and PUBLISH, and peer sentinels that answer
 * is-master-down-by-addr with a scripted state and a first-come vote.
 * Replies come back with no delay; h_run() advances the clock from one
 * core deadline to the next, so a test reads like a timeline.
 *
 * Everything is static inline: each suite uses the part it needs.
 */
#ifndef SN_CORE_HARNESS_H
#define SN_CORE_HARNESS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "core.h"
#include "core_priv.h"
#include "info.h"
#include "instance.h"
#include "util.h"

#define H_MYID   "0000000000000000000000000000000000000001"
#define H_PEER_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define H_PEER_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define H_PEER_C "cccccccccccccccccccccccccccccccccccccccc"
#define H_RUNID_M "1111111111111111111111111111111111111111"
#define H_RUNID_R1 "2222222222222222222222222222222222222222"
#define H_RUNID_R2 "3333333333333333333333333333333333333333"

#define H_SRV_MAX 16
#define H_LINK_MAX 512

enum h_srv_state {
    H_ALIVE = 0,        /* accepts connections and answers */
    H_DEAD,             /* refuses connections, links drop */
    H_HUNG,             /* accepts connections, never answers */
};

struct h_srv {
    char host[64];
    char ip[64];                /* what host resolves to ("": host) */
    int port;
    enum h_srv_state state;
    bool sentinel;
    struct sn_info info;        /* what INFO says (a Redis instance) */
    /* A peer sentinel: */
    bool says_down;             /* its answer about the master */
    bool votes;                 /* grants votes, first come per epoch */
    uint64_t voted_epoch;
    char voted_for[41];
    int slaveofs;               /* SLAVEOF transactions received */
    const char *ping_reply;     /* NULL: +PONG; "-X": an error */
    bool ignore_slaveof;        /* answers SLAVEOF but does not move */
};

struct h_link {
    uint64_t id;
    struct h_srv *srv;
    bool pubsub;
    bool up;
};

struct h_log {
    enum sn_action_type type;
    char *text;                 /* "event payload", "host:port argv...",
                                   SAVE text */
    enum sn_loglevel level;
    int64_t at;
};

struct harness {
    struct sn_core *core;
    int64_t now;
    struct h_srv srv[H_SRV_MAX];
    int nsrv;
    struct h_link links[H_LINK_MAX];
    int nlinks;
    struct h_log *log;
    int nlog;
    int caplog;
    int saves;
    bool exited;
};

/* ---------------------------------------------------------------------
 * Config
 * ------------------------------------------------------------------- */

static inline void
h_cfg_init(struct sn_config *c, int down_after_ms)
{
    char err[256];
    char *argv[3];
    char da[32];

    sn_config_init(c);
    argv[0] = (char *)H_MYID;
    ck_assert_int_eq(sn_config_set_process(c, "myid", 1, argv, err,
                                           sizeof(err)), 0);
    argv[0] = (char *)"10.0.0.1";
    argv[1] = (char *)"6379";
    argv[2] = (char *)"2";
    ck_assert_int_eq(sn_config_set_master(c, "mymaster", "monitor", 3, argv,
                                          err, sizeof(err)), 0);
    snprintf(da, sizeof(da), "%d", down_after_ms);
    argv[0] = da;
    ck_assert_int_eq(sn_config_set_master(c, "mymaster",
                                          "down-after-milliseconds", 1, argv,
                                          err, sizeof(err)), 0);
    argv[0] = (char *)"60000";
    ck_assert_int_eq(sn_config_set_master(c, "mymaster", "failover-timeout",
                                          1, argv, err, sizeof(err)), 0);
}

static inline void
h_cfg_set(struct sn_config *c, const char *key, const char *v1,
          const char *v2, const char *v3)
{
    char err[256];
    char *argv[3] = {(char *)v1, (char *)v2, (char *)v3};
    int argc = v3 ? 3 : v2 ? 2 : 1;

    ck_assert_msg(sn_config_set_master(c, "mymaster", key, argc, argv, err,
                                       sizeof(err)) == 0, "%s", err);
}

/* ---------------------------------------------------------------------
 * Servers
 * ------------------------------------------------------------------- */

static inline struct h_srv *
h_srv_lookup(struct harness *h, const char *host, int port)
{
    int i;

    for (i = 0; i < h->nsrv; i++)
        if (strcasecmp(h->srv[i].host, host) == 0 && h->srv[i].port == port)
            return &h->srv[i];
    return NULL;
}

/* A server the test set up (it must exist). */
static inline struct h_srv *
h_srv_find(struct harness *h, const char *host, int port)
{
    struct h_srv *s = h_srv_lookup(h, host, port);

    if (s == NULL)
        ck_abort_msg("no server %s:%d", host, port);
    return s;
}

static inline struct h_srv *
h_srv_add(struct harness *h, const char *host, int port)
{
    struct h_srv *s = &h->srv[h->nsrv++];

    ck_assert_int_le(h->nsrv, H_SRV_MAX);
    memset(s, 0, sizeof(*s));
    snprintf(s->host, sizeof(s->host), "%s", host);
    s->port = port;
    sn_info_init(&s->info);
    return s;
}

static inline void
h_srv_replica_of(struct h_srv *s, const char *runid, const char *mhost,
                 int mport, int priority, uint64_t offset)
{
    snprintf(s->info.run_id, sizeof(s->info.run_id), "%s", runid);
    s->info.role = SN_ROLE_SLAVE;
    snprintf(s->info.master_host, sizeof(s->info.master_host), "%s", mhost);
    s->info.has_master_port = true;
    s->info.master_port = mport;
    s->info.master_link_status = SN_INFO_LINK_UP;
    s->info.has_slave_priority = true;
    s->info.slave_priority = priority;
    s->info.has_slave_repl_offset = true;
    s->info.slave_repl_offset = offset;
}

static inline void
h_srv_master(struct h_srv *s, const char *runid)
{
    snprintf(s->info.run_id, sizeof(s->info.run_id), "%s", runid);
    s->info.role = SN_ROLE_MASTER;
    s->info.master_host[0] = '\0';
    s->info.has_master_port = false;
    s->info.master_link_status = SN_INFO_LINK_ABSENT;
}

static inline void
h_srv_list_replica(struct h_srv *s, const char *host, int port)
{
    struct sn_info_replica r;

    memset(&r, 0, sizeof(r));
    snprintf(r.host, sizeof(r.host), "%s", host);
    r.port = port;
    r.state = SN_INFO_REPLICA_ONLINE;
    r.has_offset = true;
    sn_info_add_replica(&s->info, &r);
}

/* The seed's world: master 10.0.0.1:6379 with replicas .2 and .3, and
 * two peers at .11 and .12 (voting). */
static inline void
h_world(struct harness *h)
{
    struct h_srv *m = h_srv_add(h, "10.0.0.1", 6379), *s;

    h_srv_master(m, H_RUNID_M);
    h_srv_list_replica(m, "10.0.0.2", 6379);
    h_srv_list_replica(m, "10.0.0.3", 6379);
    h_srv_replica_of(h_srv_add(h, "10.0.0.2", 6379), H_RUNID_R1, "10.0.0.1",
                     6379, 100, 1000);
    h_srv_replica_of(h_srv_add(h, "10.0.0.3", 6379), H_RUNID_R2, "10.0.0.1",
                     6379, 100, 900);
    s = h_srv_add(h, "10.0.0.11", 26379);
    s->sentinel = true;
    s->votes = true;
    s = h_srv_add(h, "10.0.0.12", 26379);
    s->sentinel = true;
    s->votes = true;
}

/* ---------------------------------------------------------------------
 * The log
 * ------------------------------------------------------------------- */

static inline void
h_log_add(struct harness *h, enum sn_action_type t, enum sn_loglevel lvl,
          char *text)
{
    if (h->nlog == h->caplog) {
        h->caplog = h->caplog ? h->caplog * 2 : 1024;
        h->log = sn_realloc(h->log, (size_t)h->caplog * sizeof(*h->log));
    }
    h->log[h->nlog].type = t;
    h->log[h->nlog].level = lvl;
    h->log[h->nlog].text = text;
    h->log[h->nlog].at = h->now;
    h->nlog++;
}

static inline void
h_log_clear(struct harness *h)
{
    int i;

    for (i = 0; i < h->nlog; i++)
        free(h->log[i].text);
    h->nlog = 0;
}

/* Index of the first log entry of `type` starting with `prefix` at or
 * after `from`, or -1. */
static inline int
h_find_from(const struct harness *h, int from, enum sn_action_type type,
            const char *prefix)
{
    int i;

    for (i = from; i < h->nlog; i++)
        if (h->log[i].type == type &&
            strncmp(h->log[i].text, prefix, strlen(prefix)) == 0)
            return i;
    return -1;
}

static inline int
h_find(const struct harness *h, enum sn_action_type type, const char *prefix)
{
    return h_find_from(h, 0, type, prefix);
}

static inline int
h_find_last(const struct harness *h, enum sn_action_type type,
            const char *prefix)
{
    int i;

    for (i = h->nlog - 1; i >= 0; i--)
        if (h->log[i].type == type &&
            strncmp(h->log[i].text, prefix, strlen(prefix)) == 0)
            return i;
    return -1;
}

static inline int
h_count(const struct harness *h, enum sn_action_type type,
        const char *prefix)
{
    int i, n = 0;

    for (i = 0; i < h->nlog; i++)
        if (h->log[i].type == type &&
            strncmp(h->log[i].text, prefix, strlen(prefix)) == 0)
            n++;
    return n;
}

/* An event, exactly: "name payload". */
static inline int
h_event(const struct harness *h, const char *exact)
{
    int i;

    for (i = 0; i < h->nlog; i++)
        if (h->log[i].type == SN_ACT_EVENT &&
            strcmp(h->log[i].text, exact) == 0)
            return i;
    return -1;
}

static inline void
h_dump(const struct harness *h)
{
    int i;

    for (i = 0; i < h->nlog; i++)
        if (h->log[i].type != SN_ACT_SAVE)
            fprintf(stderr, "%6lld %d %s\n", (long long)h->log[i].at,
                    h->log[i].type, h->log[i].text);
}

/* ---------------------------------------------------------------------
 * The network
 * ------------------------------------------------------------------- */

struct h_pending {
    struct sn_input in;
    struct sn_reply *reply;
};

static inline struct h_link *
h_link_find(struct harness *h, uint64_t id)
{
    int i;

    for (i = 0; i < h->nlinks; i++)
        if (h->links[i].id == id)
            return &h->links[i];
    return NULL;
}

static inline struct sn_reply *
h_status(const char *s)
{
    return sn_reply_new(SN_REPLY_STATUS, s, strlen(s), 0);
}

static inline struct sn_reply *
h_ask_reply(struct h_srv *s, uint64_t req_epoch, const char *runid)
{
    struct sn_reply *r = sn_reply_new(SN_REPLY_ARRAY, NULL, 0, 0);
    const char *leader = "*";

    if (strcmp(runid, "*") != 0 && s->votes) {
        if (req_epoch > s->voted_epoch) {
            s->voted_epoch = req_epoch;
            snprintf(s->voted_for, sizeof(s->voted_for), "%s", runid);
        }
        leader = s->voted_for;
    }
    sn_reply_append(r, sn_reply_new(SN_REPLY_INTEGER, NULL, 0,
                                    s->says_down ? 1 : 0));
    sn_reply_append(r, sn_reply_new(SN_REPLY_STRING, leader, strlen(leader),
                                    0));
    sn_reply_append(r, sn_reply_new(SN_REPLY_INTEGER, NULL, 0,
                                    (int64_t)s->voted_epoch));
    return r;
}

static inline void
h_apply_slaveof(struct h_srv *s, const struct sn_action *a)
{
    s->slaveofs++;
    if (strcasecmp(a->argv[1], "NO") == 0) {
        s->info.role = SN_ROLE_MASTER;
        s->info.master_host[0] = '\0';
        s->info.has_master_port = false;
        s->info.master_link_status = SN_INFO_LINK_ABSENT;
    } else {
        s->info.role = SN_ROLE_SLAVE;
        snprintf(s->info.master_host, sizeof(s->info.master_host), "%s",
                 a->argv[1]);
        s->info.has_master_port = true;
        s->info.master_port = atoi(a->argv[2]);
        s->info.master_link_status = SN_INFO_LINK_UP;
    }
}

/* The reply a server gives to a command, or NULL for none. */
static inline struct sn_reply *
h_answer(struct h_srv *s, const struct sn_action *a)
{
    const char *cmd = a->argv[0];

    if (strcasecmp(cmd, "PING") == 0 && s->ping_reply != NULL &&
        s->ping_reply[0] == '-')
        return sn_reply_new(SN_REPLY_ERROR, s->ping_reply + 1,
                            strlen(s->ping_reply + 1), 0);
    if (strcasecmp(cmd, "PING") == 0)
        return h_status("PONG");
    if (strcasecmp(cmd, "INFO") == 0) {
        size_t len;
        char *text = sn_info_render(&s->info, &len);
        struct sn_reply *r = sn_reply_new(SN_REPLY_STRING, text, len, 0);

        free(text);
        return r;
    }
    if (strcasecmp(cmd, "PUBLISH") == 0)
        return sn_reply_new(SN_REPLY_INTEGER, NULL, 0, 1);
    if (strcasecmp(cmd, "SENTINEL") == 0 && a->argc == 6) {
        uint64_t e = strtoull(a->argv[4], NULL, 10);

        return h_ask_reply(s, e, a->argv[5]);
    }
    if (strcasecmp(cmd, "SLAVEOF") == 0 && !s->ignore_slaveof)
        h_apply_slaveof(s, a);
    if (strcasecmp(cmd, "SUBSCRIBE") == 0)
        return NULL;
    return h_status("OK");
}

static inline char *
h_argv_text(const struct h_link *l, const struct sn_action *a)
{
    struct sn_buf b;
    int i;

    sn_buf_init(&b);
    sn_buf_printf(&b, "%s:%d%s", l->srv != NULL ? l->srv->host : "?",
                  l->srv != NULL ? l->srv->port : 0, l->pubsub ? "/ps" : "");
    for (i = 0; i < a->argc; i++)
        sn_buf_printf(&b, " %s", a->argv[i]);
    return sn_buf_steal(&b, NULL);
}

static inline void
h_connect(struct harness *h, const struct sn_action *a,
          struct h_pending *q, int *nq)
{
    struct h_link *l = &h->links[h->nlinks++];

    ck_assert_int_lt(h->nlinks, H_LINK_MAX);
    l->id = a->link;
    l->pubsub = a->link_kind == SN_LINK_PUBSUB;
    l->srv = h_srv_lookup(h, a->host, a->port);
    l->up = l->srv != NULL && l->srv->state != H_DEAD;
    memset(&q[*nq], 0, sizeof(q[*nq]));
    q[*nq].in.type = l->up ? SN_IN_LINK_UP : SN_IN_LINK_DOWN;
    q[*nq].in.link = a->link;
    q[*nq].in.local_ip = "10.0.0.100";
    /* As the daemon: the address connected to, the host if literal. */
    if (l->srv != NULL)
        q[*nq].in.peer_ip = l->srv->ip[0] != '\0' ? l->srv->ip
                                                  : l->srv->host;
    q[*nq].in.err = "connection refused";
    (*nq)++;
    h_log_add(h, SN_ACT_CONNECT, SN_LOG_DEBUG,
              sn_printf("%s:%d%s", a->host, a->port, l->pubsub ? "/ps" : ""));
}

static inline void
h_send(struct harness *h, const struct sn_action *a, struct h_pending *q,
       int *nq)
{
    struct h_link *l = h_link_find(h, a->link);
    struct sn_reply *r;

    ck_assert_ptr_nonnull(l);
    h_log_add(h, SN_ACT_SEND, SN_LOG_DEBUG, h_argv_text(l, a));
    if (!l->up || l->srv == NULL || l->srv->state != H_ALIVE)
        return;
    r = h_answer(l->srv, a);
    if (r == NULL)
        return;
    if (a->tag == 0) {
        sn_reply_free(r);
        return;
    }
    memset(&q[*nq], 0, sizeof(q[*nq]));
    q[*nq].in.type = SN_IN_REPLY;
    q[*nq].in.link = a->link;
    q[*nq].in.tag = a->tag;
    q[*nq].reply = r;
    (*nq)++;
}

/* Carry out every action (recording it) and feed back what the world
 * answers, until the core is quiet. */
static inline void
h_pump(struct harness *h)
{
    static struct h_pending q[4096];
    struct sn_action a;
    int nq, i, rounds = 0;

    do {
        nq = 0;
        /* As the daemon: a deadline that is due runs a tick. */
        if (sn_core_deadline_ms(h->core) <= h->now)
            sn_core_tick(h->core, h->now);
        while (sn_core_next_action(h->core, &a) == 1) {
            switch (a.type) {
            case SN_ACT_CONNECT:
                h_connect(h, &a, q, &nq);
                break;
            case SN_ACT_SEND:
                h_send(h, &a, q, &nq);
                break;
            case SN_ACT_EVENT:
                h_log_add(h, a.type, a.level,
                          sn_printf("%s %s", a.event, a.payload));
                break;
            case SN_ACT_SAVE: {
                size_t len;

                /* A SAVE carries no text: render the model now, as the
                 * daemon does when it writes. */
                ck_assert_ptr_null(a.text);
                h->saves++;
                h_log_add(h, a.type, SN_LOG_DEBUG,
                          sn_config_rewrite(sn_core_config(h->core), &len));
                break;
            }
            case SN_ACT_EXIT:
                h->exited = true;
                h_log_add(h, a.type, SN_LOG_DEBUG, sn_strdup("EXIT"));
                break;
            case SN_ACT_SCRIPT: {
                struct sn_buf b;
                int k;

                sn_buf_init(&b);
                for (k = 0; k < a.argc; k++)
                    sn_buf_printf(&b, "%s%s", k ? " " : "", a.argv[k]);
                h_log_add(h, a.type, SN_LOG_DEBUG, sn_buf_steal(&b, NULL));
                break;
            }
            default:
                h_log_add(h, a.type, SN_LOG_DEBUG, sn_strdup(""));
                break;
            }
            sn_action_free(&a);
            ck_assert_int_lt(nq, 4000);
        }
        for (i = 0; i < nq; i++) {
            if (q[i].reply != NULL)
                q[i].in.reply = q[i].reply;
            sn_core_input(h->core, &q[i].in, h->now);
            sn_reply_free(q[i].reply);
        }
        ck_assert_int_lt(++rounds, 1000);
    } while (nq > 0);
}

/* Run the clock forward by ms, ticking at every deadline. */
static inline void
h_run(struct harness *h, int64_t ms)
{
    int64_t end = h->now + ms;

    for (;;) {
        int64_t d = sn_core_deadline_ms(h->core);

        if (d <= h->now)
            d = h->now + 1;
        if (d > end)
            break;
        h->now = d;
        sn_core_tick(h->core, h->now);
        h_pump(h);
    }
    h->now = end;
    sn_core_tick(h->core, h->now);
    h_pump(h);
}

/* A server dies: refuses connections and drops its links. */
static inline void
h_kill(struct harness *h, struct h_srv *s, enum h_srv_state state)
{
    int i;

    s->state = state;
    if (state != H_DEAD)
        return;
    for (i = 0; i < h->nlinks; i++) {
        struct h_link *l = &h->links[i];
        struct sn_input in;

        if (l->srv != s || !l->up)
            continue;
        l->up = false;
        memset(&in, 0, sizeof(in));
        in.type = SN_IN_LINK_DOWN;
        in.link = l->id;
        in.err = "connection reset";
        sn_core_input(h->core, &in, h->now);
    }
    h_pump(h);
}

/* Deliver a hello as if published on a channel we subscribe to. */
static inline void
h_hello(struct harness *h, const char *ip, int port, const char *runid,
        uint64_t epoch, const char *mip, int mport, uint64_t cfg_epoch)
{
    char *p = sn_printf("%s,%d,%s,%llu,mymaster,%s,%d,%llu", ip, port, runid,
                        (unsigned long long)epoch, mip, mport,
                        (unsigned long long)cfg_epoch);

    sn_core_hello(h->core, p, strlen(p), h->now);
    free(p);
    h_pump(h);
}

static inline void
h_start(struct harness *h, const struct sn_config *cfg)
{
    char err[256];

    h->now = 1000;
    h->core = sn_core_new(cfg, 42, h->now, err, sizeof(err));
    ck_assert_ptr_nonnull(h->core);
    sn_core_tick(h->core, h->now);
    h_pump(h);
}

/* The whole seed world, running with down-after `da`. */
static inline void
h_setup(struct harness *h, int da)
{
    struct sn_config cfg;

    memset(h, 0, sizeof(*h));
    h_world(h);
    h_cfg_init(&cfg, da);
    h_start(h, &cfg);
    sn_config_free(&cfg);
}

/* Introduce the two peers by hello (current epoch 0, config epoch 0). */
static inline void
h_meet_peers(struct harness *h)
{
    h_hello(h, "10.0.0.11", 26379, H_PEER_A, 0, "10.0.0.1", 6379, 0);
    h_hello(h, "10.0.0.12", 26379, H_PEER_B, 0, "10.0.0.1", 6379, 0);
}

/* Both peers publish a hello naming `mhost`:6379 in config epoch `e`. */
static inline void
h_meet_peers_cfg(struct harness *h, uint64_t e, const char *mhost)
{
    h_hello(h, "10.0.0.11", 26379, H_PEER_A, e, mhost, 6379, e);
    h_hello(h, "10.0.0.12", 26379, H_PEER_B, e, mhost, 6379, e);
}

static inline void
h_free(struct harness *h)
{
    int i;

    sn_core_free(h->core);
    h_log_clear(h);
    free(h->log);
    for (i = 0; i < h->nsrv; i++)
        sn_info_free(&h->srv[i].info);
}

static inline struct sn_master *
h_master(struct harness *h)
{
    struct sn_master *m = sn_core_master_by_name(h->core, "mymaster");

    ck_assert_ptr_nonnull(m);
    return m;
}

#endif /* SN_CORE_HARNESS_H */
