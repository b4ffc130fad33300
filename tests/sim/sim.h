/*
 * sim.h: the deterministic simulator's shared types.
 *
 * One process runs N sentinel cores (lib/core.h) against a model of Redis
 * servers, on one virtual clock and one seeded network. Everything that
 * happens is an event in one priority queue ordered by (time, sequence), so
 * a seed replays exactly: the same events in the same order, which the
 * trace digest printed at the end of a run proves.
 *
 * Nodes are sentinels (nodes 0..N-1) and servers (the rest). A connection
 * is always opened by a sentinel (a CONNECT action) towards a server or a
 * peer sentinel, and carries requests one way and replies and pub/sub
 * messages the other, in order, like the TCP connection it models.
 *
 * Module map:
 *   queue.c     the event queue and messages
 *   reply.c     reply trees, argv copies, hashing, small maps
 *   net.c       addresses, connections, delays, partitions, loss
 *   redis.c     the Redis server model
 *   sentinel.c  a sentinel process: its core, its disk, its clock
 *   check.c     the invariant checker
 *   sim.c       the run loop, faults, measurements
 *   scenario.c  named scenarios and random schedules
 *   selftest.c  self tests of the parts that do not need a core
 *   main.c      the command line
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "util.h"

#define SIM_SENTINELS_MAX       8
#define SIM_GROUPS_MAX          64
#define SIM_GROUP_SERVERS_MAX   4
#define SIM_SERVERS_MAX         (SIM_GROUPS_MAX * SIM_GROUP_SERVERS_MAX)
#define SIM_NODES_MAX           (SIM_SENTINELS_MAX + SIM_SERVERS_MAX)
#define SIM_NAME_MAX            16
#define SIM_HOST_MAX            32

/* A core whose deadline stays in the past makes the loop spin at one
 * instant; after this many wakes without time moving we call it a bug. */
#define SIM_SPIN_MAX            10000

/* ---------------------------------------------------------------------
 * Reply trees, argv copies, hashing (reply.c)
 * ------------------------------------------------------------------- */

struct sn_reply *sim_reply_status(const char *s);
struct sn_reply *sim_reply_error(const char *s);
struct sn_reply *sim_reply_int(int64_t n);
struct sn_reply *sim_reply_bulk(const char *s, size_t len);
struct sn_reply *sim_reply_str(const char *s);
struct sn_reply *sim_reply_array(void);
void sim_reply_push(struct sn_reply *array, struct sn_reply *child);
void sim_reply_free(struct sn_reply *r);
/* One line, for the trace: +PONG, :1, $"...", *[...]. */
void sim_reply_describe(const struct sn_reply *r, struct sn_buf *out);
/* Feed a reply into a digest. */
uint64_t sim_reply_hash(uint64_t h, const struct sn_reply *r);

struct sim_argv {
    int argc;
    char **argv;
    size_t *argvlen;
};

void sim_argv_copy(struct sim_argv *dst, int argc, char *const *argv,
                   const size_t *argvlen);
void sim_argv_free(struct sim_argv *a);
/* Case-insensitive comparison of argument i with s. */
bool sim_argv_is(const struct sim_argv *a, int i, const char *s);
void sim_argv_describe(const struct sim_argv *a, struct sn_buf *out);

/* FNV-1a, 64 bits. */
uint64_t sim_hash(uint64_t h, const void *p, size_t n);
uint64_t sim_hash_u64(uint64_t h, uint64_t v);
uint64_t sim_hash_str(uint64_t h, const char *s);
#define SIM_HASH_INIT 0xcbf29ce484222325ULL

/* A map from uint64 keys to uint64 values (open addressing; key 0 is not
 * allowed). */
struct sim_map {
    uint64_t *keys;
    uint64_t *vals;
    size_t cap;
    size_t len;
};

void sim_map_init(struct sim_map *m);
void sim_map_free(struct sim_map *m);
bool sim_map_get(const struct sim_map *m, uint64_t key, uint64_t *val);
void sim_map_put(struct sim_map *m, uint64_t key, uint64_t val);
void sim_map_del(struct sim_map *m, uint64_t key);

/* A map from strings to strings (vote records and the like). */
struct sim_smap {
    char **keys;
    char **vals;
    size_t cap;
    size_t len;
};

void sim_smap_init(struct sim_smap *m);
void sim_smap_free(struct sim_smap *m);
const char *sim_smap_get(const struct sim_smap *m, const char *key);
void sim_smap_put(struct sim_smap *m, const char *key, const char *val);

/* ---------------------------------------------------------------------
 * Events (queue.c)
 * ------------------------------------------------------------------- */

enum sim_ev_type {
    SIM_EV_WAKE = 0,        /* a sentinel's deadline */
    SIM_EV_CONNECT_DONE,    /* a CONNECT's outcome reaches its sentinel */
    SIM_EV_CONNECT_RETRY,   /* a SYN across a partition is sent again */
    SIM_EV_REQUEST,         /* a command reaches a server or a peer */
    SIM_EV_REPLY,           /* a reply reaches the sentinel */
    SIM_EV_MESSAGE,         /* a pub/sub message reaches the sentinel */
    SIM_EV_CLOSED,          /* the far end closed: LINK_DOWN to come */
    SIM_EV_SYNC_DONE,       /* a replica finished its sync */
    SIM_EV_REPL_TIMEOUT,    /* a replica gives up on a silent master */
    SIM_EV_FAULT,           /* a scheduled fault */
    SIM_EV_CHECK,           /* periodic convergence check */
};

/* What a reply answered, so the checker can read votes in transit, and
 * what an INFO showed of the server's priority. */
struct sim_vote_info {
    int info_priority;      /* an INFO reply: slave_priority, else -1 */
    bool is_vote_reply;     /* the answer to is-master-down-by-addr */
    int voter;              /* sentinel index of the peer that answered */
    char voter_id[SN_RUNID_LEN + 1];    /* its myid when it answered */
    int group;              /* the master the question was about, -1 */
    uint64_t req_epoch;
    bool req_vote;          /* a run id, not "*", was asked */
    bool down;
    char leader[SN_RUNID_LEN + 1];  /* "" for "*" */
    uint64_t leader_epoch;
};

struct sim_fault;

struct sim_msg {
    int64_t at;
    uint64_t seq;
    enum sim_ev_type type;
    int node;               /* the node it happens at */
    uint64_t conn;          /* connection id, 0 if none */
    uint64_t gen;           /* WAKE, SYNC_DONE, REPL_TIMEOUT: generation */
    bool backward;          /* travels server -> sentinel on `conn` */
    uint64_t tag;
    struct sim_argv req;    /* REQUEST */
    struct sn_reply *reply; /* REPLY */
    struct sim_vote_info vote;  /* REPLY */
    char *channel;          /* MESSAGE */
    char *payload;
    size_t payload_len;
    bool ok;                /* CONNECT_DONE */
    char *err;              /* CONNECT_DONE, CLOSED */
    struct sim_fault *fault;    /* FAULT */
    struct sim_msg *next;   /* held lists */
};

struct sim_queue {
    struct sim_msg **heap;
    size_t len;
    size_t cap;
    uint64_t seq;
};

struct sim_msg *sim_msg_new(enum sim_ev_type type, int64_t at, int node);
void sim_msg_free(struct sim_msg *m);
void sim_queue_init(struct sim_queue *q);
void sim_queue_free(struct sim_queue *q);
/* Assigns the sequence number: equal times keep the order of pushes. */
void sim_queue_push(struct sim_queue *q, struct sim_msg *m);
/* Re-push a message popped earlier (a postponed event) at a new time. */
void sim_queue_repush(struct sim_queue *q, struct sim_msg *m, int64_t at);
struct sim_msg *sim_queue_pop(struct sim_queue *q);
int64_t sim_queue_next_at(const struct sim_queue *q);

/* ---------------------------------------------------------------------
 * Nodes and the network (net.c)
 * ------------------------------------------------------------------- */

enum sim_node_kind {
    SIM_NODE_SENTINEL = 0,
    SIM_NODE_SERVER,
};

struct sim_node {
    enum sim_node_kind kind;
    int index;              /* in sim.sentinels or sim.servers */
    char name[SIM_NAME_MAX];    /* s0, m1.2 */
    char host[SIM_HOST_MAX];
    int port;
    int64_t extra_delay_ms; /* a "slow node" fault, both directions */
    uint64_t *conns;        /* connections that end here (server side) */
    int conns_len;
    int conns_cap;
};

enum sim_conn_state {
    SIM_CONN_CONNECTING = 0,
    SIM_CONN_UP,
    SIM_CONN_CLOSED,
};

struct sim_conn {
    uint64_t id;
    int from;               /* the sentinel's node */
    uint64_t incarnation;   /* of that sentinel when it connected */
    uint64_t link;          /* the core's link id */
    enum sn_link_kind kind;
    int to;                 /* target node, -1 if the address is unknown */
    enum sim_conn_state state;
    int64_t connect_started;
    int syn_tries;
    /* TCP keeps order: the arrival of the last message each way. */
    int64_t last_fwd_at;
    int64_t last_back_at;
    /* Messages that reached a partition, released when it heals. */
    struct sim_msg *held_head;
    struct sim_msg *held_tail;
    /* Server side. */
    bool subscribed;        /* SUBSCRIBE __sentinel__:hello done */
    bool in_multi;
    struct sim_argv *queued;    /* MULTI queue */
    int queued_len;
};

/* ---------------------------------------------------------------------
 * Servers (redis.c)
 * ------------------------------------------------------------------- */

enum sim_srv_state {
    SIM_SRV_UP = 0,
    SIM_SRV_CRASHED,        /* connections refused */
    SIM_SRV_HUNG,           /* SIGSTOP: accepts, never answers */
};

enum sim_repl_link {
    SIM_REPL_DOWN = 0,
    SIM_REPL_SYNCING,
    SIM_REPL_UP,
};

struct sim_server {
    int node;
    int group;
    int index_in_group;
    enum sim_srv_state state;
    char run_id[SN_RUNID_LEN + 1];
    bool is_master;
    char master_host[SIM_HOST_MAX];
    int master_port;
    int last_master_node;   /* the node it last replicated from, -1 */
    /* What CONFIG REWRITE persisted: the role a restart comes back in. */
    bool saved_is_master;
    char saved_master_host[SIM_HOST_MAX];
    int saved_master_port;

    enum sim_repl_link link;
    int64_t link_down_since;    /* -1: never connected */
    uint64_t sync_gen;
    bool timeout_pending;
    uint64_t timeout_gen;

    uint64_t offset;        /* materialised at offset_at */
    int64_t offset_at;
    uint64_t lag;           /* a replica trails its master by this much */
    int priority;

    struct sim_msg *held_head;  /* requests that reached it while hung */
    struct sim_msg *held_tail;
    int promotions;         /* SLAVEOF NO ONE applied */
};

/* ---------------------------------------------------------------------
 * Sentinels (sentinel.c)
 * ------------------------------------------------------------------- */

struct sim_sentinel {
    int node;
    struct sn_core *core;   /* NULL while crashed */
    uint64_t incarnation;
    char myid[SN_RUNID_LEN + 1];
    char *initial;          /* the config file it was first given */
    char *disk;             /* the last SAVE: its config file */
    size_t disk_len;
    uint64_t disk_version;
    struct sn_config *disk_cfg;     /* disk parsed, for the checker */
    uint64_t disk_cfg_version;
    int64_t clock_offset_ms;        /* its clock = sim.now + this */
    int64_t frozen_until;           /* a stall: nothing runs before */
    uint64_t wake_gen;
    bool wake_pending;
    int64_t wake_at;
    int64_t spin_at;
    int spins;
    struct sim_map links;   /* core link id -> connection id */
    unsigned simfail_flags; /* SIMULATE-FAILURE (not kept by a restart) */
    int crashes;
};

/* ---------------------------------------------------------------------
 * Groups: one monitored master and its replicas
 * ------------------------------------------------------------------- */

struct sim_group {
    char name[SIM_NAME_MAX];
    int servers[SIM_GROUP_SERVERS_MAX];     /* server indices */
    int servers_len;
    int quorum;
    int64_t down_after_ms;
    int64_t failover_timeout_ms;
    int parallel_syncs;

    /* Failover timing: from the master's death to every live sentinel's
     * config naming another address. */
    int64_t death_at;       /* -1: not measuring */
    char death_host[SIM_HOST_MAX];
    int death_port;

    /* What happened, for scenario assertions. */
    int promotions;         /* SLAVEOF NO ONE sent */
    int switches;           /* +switch-master events */
    int tries;              /* +try-failover events */
    int aborts_no_good;     /* -failover-abort-no-good-slave */
    int aborts_not_elected;
    int64_t first_try_at;
    uint64_t first_try_epoch[SIM_SENTINELS_MAX];   /* 0: none */
    unsigned promoted_by_mask;  /* sentinels that sent SLAVEOF NO ONE */
    int64_t first_promotion_at;
    int first_promoted_server;  /* server index, -1 */
    int64_t last_try_at[SIM_SENTINELS_MAX];
    int64_t min_retry_gap_ms;   /* smallest gap between two tries of one
                                   sentinel, -1 if none */
};

/* ---------------------------------------------------------------------
 * Faults
 * ------------------------------------------------------------------- */

enum sim_fault_type {
    SIM_F_SERVER_CRASH = 0,     /* a: server */
    SIM_F_SERVER_RESTART,       /* a: server, v: 1 = keep the run id */
    SIM_F_SERVER_HANG,          /* a: server */
    SIM_F_SERVER_RESUME,        /* a: server */
    SIM_F_SERVER_PRIORITY,      /* a: server, v: priority */
    SIM_F_SENTINEL_CRASH,       /* a: sentinel */
    SIM_F_SENTINEL_RESTART,     /* a: sentinel, v: 1 = fresh disk */
    SIM_F_BLOCK,                /* a -> b (nodes), one way */
    SIM_F_UNBLOCK,              /* a -> b */
    SIM_F_SPLIT,                /* sides[]: cut between listed sides */
    SIM_F_HEAL_NET,             /* every partition */
    SIM_F_CLOCK_STALL,          /* a: sentinel, v: ms */
    SIM_F_CLOCK_JUMP,           /* a: sentinel, v: ms (+/-) */
    SIM_F_DELAY,                /* a: node, v: extra ms each way */
    SIM_F_SIMFAIL,              /* a: sentinel (-1 all), v: flags */
    SIM_F_FORCE_FAILOVER,       /* a: sentinel, b: group */
    SIM_F_HEAL,                 /* faults stop: heal everything */
    SIM_F_CALL,                 /* fn(sim, arg) */
};

struct sim;

struct sim_fault {
    enum sim_fault_type type;
    int a;
    int b;
    int64_t v;
    signed char *sides;     /* SPLIT: per node, -1 = not listed */
    void (*fn)(struct sim *sim, int arg);
};

/* ---------------------------------------------------------------------
 * Options, results
 * ------------------------------------------------------------------- */

enum sim_break {
    SIM_BREAK_NONE = 0,
    /* A restarted sentinel forgets its vote (its disk loses leader and
     * leader-epoch): it may vote twice in one epoch. */
    SIM_BREAK_VOTE_TWICE = 1 << 0,
    /* SAVE actions are not written: votes are answered before they are
     * durable. */
    SIM_BREAK_NO_SAVE = 1 << 1,
    /* A peer grants every vote request, whatever it answered. */
    SIM_BREAK_FORGE_VOTE = 1 << 2,
};

struct sim_opts {
    uint64_t seed;
    const char *scenario;   /* NULL: a random schedule */
    bool verbose;
    unsigned breaks;        /* enum sim_break */
    int64_t delay_max_ms;   /* -1: the scenario's own */
};

/* The checker's state (check.c). */
struct sim_check;

struct sim {
    struct sim_opts opts;
    uint64_t seed;
    struct sn_rng rng;
    int64_t now;
    int64_t start_at;
    int64_t end_at;
    int64_t heal_at;        /* faults stop; -1 = not yet scheduled */
    bool healed;
    uint64_t step;
    struct sim_queue queue;
    uint64_t digest;
    bool stop;

    struct sim_node nodes[SIM_NODES_MAX];
    int nodes_len;
    struct sim_sentinel sentinels[SIM_SENTINELS_MAX];
    int sentinels_len;
    struct sim_server servers[SIM_SERVERS_MAX];
    int servers_len;
    struct sim_group groups[SIM_GROUPS_MAX];
    int groups_len;

    /* The network. */
    unsigned char *blocked;     /* nodes_len x nodes_len: from -> to */
    int64_t delay_min_ms;
    int64_t delay_max_ms;
    uint32_t loss_ppm;          /* a message breaks its connection */
    int64_t sync_delay_ms;      /* a replica's sync after (re)connecting */
    int64_t repl_timeout_ms;    /* a replica drops a silent master */
    struct sim_conn **conns;    /* by id - 1 */
    size_t conns_len;
    size_t conns_cap;

    /* Convergence. */
    int64_t converged_at;       /* -1 */
    int64_t converged_since;

    struct sim_check *check;
    int violations;

    /* Results. */
    int64_t *failover_ms;
    int failover_len;
    int failover_cap;
    int events_tilt;
    int exits;

    /* Scenario. */
    int64_t run_ms;             /* how long it runs, from the start */
    /* Called when a sentinel exits (SIMULATE-FAILURE). */
    void (*on_exit)(struct sim *sim, int sentinel);
    /* Called for every event a core emits (after the checker saw it). */
    void (*on_event)(struct sim *sim, int sentinel, const char *event,
                     const char *payload);
    const struct sim_scenario *scenario;
    void *scratch;
};

struct sim_scenario {
    const char *name;
    const char *summary;
    void (*setup)(struct sim *sim);
    int (*verify)(struct sim *sim);     /* returns failed expectations */
};

/* ---------------------------------------------------------------------
 * net.c
 * ------------------------------------------------------------------- */

int sim_net_add_node(struct sim *sim, enum sim_node_kind kind, int index,
                     const char *name, const char *host, int port);
/* The node at host:port, or -1. */
int sim_net_find(const struct sim *sim, const char *host, int port);
/* A node by its name (s0, m1.2), or -1. */
int sim_net_node_by_name(const struct sim *sim, const char *name);
void sim_net_finish_nodes(struct sim *sim);
bool sim_net_blocked(const struct sim *sim, int from, int to);
void sim_net_set_blocked(struct sim *sim, int from, int to, bool on);
/* Release messages held by healed partitions. */
void sim_net_release(struct sim *sim);
int64_t sim_net_delay(struct sim *sim, int from, int to);

struct sim_conn *sim_conn_get(const struct sim *sim, uint64_t id);
struct sim_conn *sim_conn_new(struct sim *sim, int from, uint64_t link,
                              enum sn_link_kind kind, int to);
/* Attach an established connection to its target's list. */
void sim_conn_attach(struct sim *sim, struct sim_conn *c);
/* Close a connection. notify: the sentinel learns of it (LINK_DOWN) after
 * the delay back; otherwise it closed it itself. */
void sim_conn_close(struct sim *sim, struct sim_conn *c, bool notify,
                    const char *why);
/* Queue a message on a connection (sets its arrival in order). With a
 * loss rate, may break the connection instead: returns false then. */
bool sim_conn_send(struct sim *sim, struct sim_conn *c, struct sim_msg *m,
                   bool backward);
/* Hold a message that reached a partition. */
void sim_conn_hold(struct sim_conn *c, struct sim_msg *m);
/* Reply on a connection (tag 0: nothing goes back). Takes the reply. */
void sim_conn_reply(struct sim *sim, struct sim_conn *c, uint64_t tag,
                    struct sn_reply *r, const struct sim_vote_info *vote);
void sim_conn_free_all(struct sim *sim);

/* ---------------------------------------------------------------------
 * redis.c
 * ------------------------------------------------------------------- */

void sim_redis_init(struct sim *sim, struct sim_server *s, int node,
                    int group, int index_in_group, bool is_master);
uint64_t sim_redis_offset(const struct sim *sim, const struct sim_server *s);
/* A request reached the server. Returns true if the server kept the
 * message (it is hung: answered on resume), false if the caller frees it. */
bool sim_redis_request(struct sim *sim, struct sim_server *s,
                       struct sim_msg *m);
/* The INFO text (malloc'd). */
char *sim_redis_info(const struct sim *sim, const struct sim_server *s,
                     size_t *len);
void sim_redis_crash(struct sim *sim, struct sim_server *s);
void sim_redis_restart(struct sim *sim, struct sim_server *s,
                       bool keep_runid);
void sim_redis_hang(struct sim *sim, struct sim_server *s);
void sim_redis_resume(struct sim *sim, struct sim_server *s);
void sim_redis_slaveof(struct sim *sim, struct sim_server *s,
                       const char *host, int port);
void sim_redis_slaveof_no_one(struct sim *sim, struct sim_server *s);
/* Re-evaluate every replica's link (after a partition change). */
void sim_redis_repl_update_all(struct sim *sim);
void sim_redis_repl_update(struct sim *sim, struct sim_server *s);
void sim_redis_sync_done(struct sim *sim, struct sim_server *s,
                         uint64_t gen);
void sim_redis_repl_timeout(struct sim *sim, struct sim_server *s,
                            uint64_t gen);
/* The server of a node, or NULL for a sentinel. */
struct sim_server *sim_server_of(struct sim *sim, int node);
/* The live master of a group per the model: the one UP (or HUNG) server
 * with the master role, -1 if none or several (*count says how many). */
int sim_group_model_master(const struct sim *sim, int group, int *count);

/* ---------------------------------------------------------------------
 * sentinel.c
 * ------------------------------------------------------------------- */

/* Create a sentinel with its initial config file text. */
void sim_sentinel_init(struct sim *sim, struct sim_sentinel *s, int node,
                       const char *config_text);
int64_t sim_sentinel_now(const struct sim *sim, const struct sim_sentinel *s);
/* Start the core from the disk. */
void sim_sentinel_start(struct sim *sim, struct sim_sentinel *s);
void sim_sentinel_crash(struct sim *sim, struct sim_sentinel *s,
                        const char *why);
void sim_sentinel_restart(struct sim *sim, struct sim_sentinel *s,
                          bool fresh);
void sim_sentinel_wake(struct sim *sim, struct sim_sentinel *s,
                       uint64_t gen);
void sim_sentinel_connect_done(struct sim *sim, struct sim_msg *m);
void sim_sentinel_connect_retry(struct sim *sim, struct sim_msg *m);
void sim_sentinel_reply(struct sim *sim, struct sim_msg *m);
void sim_sentinel_message(struct sim *sim, struct sim_msg *m);
void sim_sentinel_closed(struct sim *sim, struct sim_msg *m);
/* A peer's command reached this sentinel. */
void sim_sentinel_request(struct sim *sim, struct sim_sentinel *s,
                          struct sim_msg *m);
/* Drain the core's actions, then schedule its next wake. */
void sim_sentinel_drain(struct sim *sim, struct sim_sentinel *s);
void sim_sentinel_force_failover(struct sim *sim, struct sim_sentinel *s,
                                 int group);
void sim_sentinel_set_simfail(struct sim *sim, struct sim_sentinel *s,
                              unsigned flags);
/* The master of group g in the sentinel's core, or NULL. */
struct sn_master *sim_sentinel_master(const struct sim_sentinel *s,
                                      int group, const struct sim *sim);
/* The parsed disk (cached). NULL if it does not parse. */
const struct sn_config *sim_sentinel_disk(struct sim *sim,
                                          struct sim_sentinel *s);
void sim_sentinel_free(struct sim_sentinel *s);

/* ---------------------------------------------------------------------
 * check.c
 * ------------------------------------------------------------------- */

void sim_check_init(struct sim *sim);
void sim_check_free(struct sim *sim);
void sim_violation(struct sim *sim, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* After every call into a core: epochs, votes, TILT. */
void sim_check_core(struct sim *sim, struct sim_sentinel *s);
/* An action drained from a core, before it is carried out. */
void sim_check_action(struct sim *sim, struct sim_sentinel *s,
                      const struct sn_action *a, const struct sim_conn *c);
/* A reply about to be delivered to sentinel s (votes granted, down). */
void sim_check_reply(struct sim *sim, struct sim_sentinel *s,
                     const struct sim_vote_info *v);
/* An INFO reply from server `server` reaches sentinel s. */
void sim_check_info(struct sim *sim, struct sim_sentinel *s, int server,
                    int priority);
/* A peer answers is-master-down-by-addr: the vote must be durable. */
void sim_check_vote_answer(struct sim *sim, struct sim_sentinel *voter,
                           int group, const struct sim_vote_info *v);
/* A forced failover (SENTINEL FAILOVER) on s for group g: begin is true
 * before the call into the core, false after its actions are drained. */
void sim_check_forced(struct sim *sim, struct sim_sentinel *s, int group,
                      bool begin);
/* A sentinel (re)started or crashed: per-incarnation state resets. */
void sim_check_sentinel_reset(struct sim *sim, struct sim_sentinel *s);
/* Convergence: returns true if every group is converged; with report,
 * every difference is a violation. */
bool sim_check_converged(struct sim *sim, bool report);
/* A vote recorded for a candidate other than the voter itself: the voter's
 * sentinel index, the group, the epoch and the candidate. Returns false if
 * there is none. */
bool sim_check_find_vote(struct sim *sim, int *voter, int *group,
                         uint64_t *epoch, char leader[SN_RUNID_LEN + 1]);

/* ---------------------------------------------------------------------
 * sim.c
 * ------------------------------------------------------------------- */

struct sim *sim_new(const struct sim_opts *opts);
void sim_free(struct sim *sim);
/* Topology. */
int sim_add_sentinels(struct sim *sim, int n);
/* A group with `replicas` replicas (server 0 is the master). */
int sim_add_group(struct sim *sim, int replicas, int quorum,
                  int64_t down_after_ms, int64_t failover_timeout_ms);
/* Create the cores once the topology is complete. */
void sim_boot(struct sim *sim);
/* Schedule a fault at time t (ms from the start). */
struct sim_fault *sim_at(struct sim *sim, int64_t t,
                         enum sim_fault_type type, int a, int64_t v);
/* Split: "s0 m0.0 | s1 s2 m0.1" (unlisted nodes talk to everybody). */
void sim_split_at(struct sim *sim, int64_t t, const char *spec);
void sim_call_at(struct sim *sim, int64_t t,
                 void (*fn)(struct sim *sim, int arg), int arg);
/* Run until end (ms from the start); returns the violations. */
int sim_run(struct sim *sim, int64_t end);
void sim_trace(struct sim *sim, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sim_digest_str(struct sim *sim, const char *s);
void sim_digest_u64(struct sim *sim, uint64_t v);
/* Record that a group's master died (starts the failover clock). */
void sim_group_master_died(struct sim *sim, int group, int server);
/* A +switch-master or a crash: maybe the failover clock stops. */
void sim_group_check_failover_done(struct sim *sim, int group);
int sim_group_by_name(const struct sim *sim, const char *name);
int sim_server_index(const struct sim *sim, int group, int i);
int64_t sim_rand_between(struct sim *sim, int64_t lo, int64_t hi);
/* Fault application (also used by callbacks). */
void sim_apply_fault(struct sim *sim, const struct sim_fault *f);

/* ---------------------------------------------------------------------
 * scenario.c
 * ------------------------------------------------------------------- */

const struct sim_scenario *sim_scenario_find(const char *name);
const struct sim_scenario *sim_scenarios(int *len);
/* A random schedule from sim->seed. */
void sim_scenario_random(struct sim *sim);
/* Build and run a scenario (or a random schedule); returns violations
 * plus failed expectations. */
int sim_scenario_run(struct sim *sim);

int sim_selftest(void);

#endif /* SIM_H */
