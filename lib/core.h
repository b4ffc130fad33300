/*
 * core.h: the engine of one sentinel, sans I/O.
 *
 * The daemon (sentinel/) and the simulator (tests/sim/) drive a core the
 * same way, in the shape of hiredis' reader: feed inputs, then drain the
 * actions they caused.
 *
 *     sn_core_init(&core, &cfg, seed, now_ms, err, sizeof(err));
 *     for (;;) {
 *         sn_core_input(&core, &in, now_ms);    -- a link came up, a reply, ...
 *         sn_core_tick(&core, now_ms);          -- timers, detection, failover
 *         while (sn_core_next_action(&core, &act) == 1) {
 *             carry it out, in order;
 *             sn_core_action_free(&act);
 *         }
 *         sleep until sn_core_deadline_ms(&core) or the next input;
 *     }
 *
 * Actions are carried out in the order they are drained. A SAVE action is
 * durable before the next action that reaches another process runs (a
 * SEND, a SCRIPT, an EXIT) and before any reply to a client: that is what
 * makes a vote reach the disk before its reply leaves, and an epoch before
 * the votes asked in it. A caller may coalesce several SAVEs into one write
 * within those bounds (the daemon does); EVENT, CONNECT and DISCONNECT
 * actions need not wait for it.
 *
 * Time is a monotonic millisecond count chosen by the caller; it may jump
 * (the simulator tests that) and the core copes: a stall or a backward jump
 * puts it in TILT. Times below 1 are taken as 1 (0 means "never" in the
 * instance fields). The core asks to be ticked at least every second
 * (tilt-trigger / 2), so an idle gap never looks like a stall; a caller
 * that sleeps past sn_core_deadline_ms by more than tilt-trigger (2 s)
 * puts the core in TILT. Randomness comes from the seed given to
 * sn_core_new.
 */
#ifndef SN_CORE_H
#define SN_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "util.h"

struct sn_instance;

/* ---------------------------------------------------------------------
 * Replies from Redis instances and peers, as hiredis delivers them
 * ------------------------------------------------------------------- */

enum sn_reply_type {
    SN_REPLY_STATUS = 0,        /* +OK */
    SN_REPLY_ERROR,             /* -ERR ... */
    SN_REPLY_INTEGER,
    SN_REPLY_STRING,            /* bulk */
    SN_REPLY_NIL,
    SN_REPLY_ARRAY,
};

struct sn_reply {
    enum sn_reply_type type;
    int64_t integer;
    char *str;                  /* NUL-terminated; len bytes, binary-safe */
    size_t len;
    struct sn_reply **element;
    size_t elements;
};

/* Deep copy / free of a reply tree (the caller's copy is not kept). */
struct sn_reply *sn_reply_new(enum sn_reply_type type, const char *str,
                              size_t len, int64_t integer);
void sn_reply_append(struct sn_reply *array, struct sn_reply *child);
void sn_reply_free(struct sn_reply *r);

/* ---------------------------------------------------------------------
 * Links: the core owns the decision, the caller owns the socket
 * ------------------------------------------------------------------- */

enum sn_link_kind {
    SN_LINK_CMD = 0,            /* commands: PING, INFO, PUBLISH, SLAVEOF, ... */
    SN_LINK_PUBSUB,             /* SUBSCRIBE __sentinel__:hello */
};

/* ---------------------------------------------------------------------
 * Inputs
 * ------------------------------------------------------------------- */

enum sn_input_type {
    SN_IN_LINK_UP = 0,          /* link: the TCP connection is established */
    SN_IN_LINK_DOWN,            /* link: closed or failed (err says why) */
    SN_IN_REPLY,                /* link, tag: the reply to a SEND */
    SN_IN_MESSAGE,              /* link: a pub/sub message (channel, payload) */
};

struct sn_input {
    enum sn_input_type type;
    uint64_t link;
    uint64_t tag;               /* SN_IN_REPLY: the SEND's tag */
    const struct sn_reply *reply;   /* SN_IN_REPLY: borrowed */
    const char *channel;        /* SN_IN_MESSAGE */
    const char *payload;
    size_t payload_len;
    const char *err;            /* SN_IN_LINK_DOWN: a reason, may be NULL */
    const char *local_ip;       /* SN_IN_LINK_UP: our address on the link,
                                   used in hellos when announce-ip is unset */
    const char *peer_ip;        /* SN_IN_LINK_UP: the address connected to
                                   (what the host name resolved to; the
                                   host itself if literal), NULL if not
                                   known. With announce-hostnames no it is
                                   what replies, events and hellos show, as
                                   Redis's announceSentinelAddr, and an
                                   address that matches it names the same
                                   instance as the host */
};

/* ---------------------------------------------------------------------
 * Actions
 * ------------------------------------------------------------------- */

enum sn_action_type {
    SN_ACT_CONNECT = 0,         /* open link `link` to host:port; report
                                   SN_IN_LINK_UP or SN_IN_LINK_DOWN */
    SN_ACT_DISCONNECT,          /* close link `link`; no input follows and
                                   replies still in flight are dropped */
    SN_ACT_SEND,                /* send argv on `link`; the reply comes back
                                   as SN_IN_REPLY with `tag` (tag 0: the
                                   reply is not wanted) */
    SN_ACT_EVENT,               /* log, publish to subscribers of channel
                                   `event`, and run the notification script
                                   if `script` is set */
    SN_ACT_SAVE,                /* write the config file durably before the
                                   next SEND, SCRIPT or EXIT (see above),
                                   rendered by the caller from
                                   sn_core_config() */
    SN_ACT_SCRIPT,              /* run argv[0] with argv (no shell) */
    SN_ACT_EXIT,                /* SIMULATE-FAILURE: crash now, status 99 */
};

struct sn_action {
    enum sn_action_type type;
    uint64_t link;
    enum sn_link_kind link_kind;    /* CONNECT */
    char *host;                     /* CONNECT */
    int port;                       /* CONNECT */
    uint64_t tag;                   /* SEND */
    /* SEND: the command carries no state (PING, INFO, SUBSCRIBE, AUTH,
     * CLIENT SETNAME, SCRIPT KILL), so it may leave while a save is still
     * under way. Every other SEND (a hello with our epochs, a vote
     * request, the SLAVEOF transaction) goes out only after the state it
     * was sent from is on disk. Overtaking is safe: replies are matched by
     * tag, and the commands held back leave together, in order. */
    bool stateless;
    int argc;                       /* SEND, SCRIPT */
    char **argv;
    size_t *argvlen;
    enum sn_loglevel level;         /* EVENT */
    char *event;                    /* EVENT: "+sdown" */
    char *payload;                  /* EVENT: "master mymaster 127.0.0.1 7000" */
    char *script;                   /* EVENT: notification script path or NULL */
    /* Unused, always NULL and 0: a SAVE carries no text. The caller
     * renders sn_config_rewrite(sn_core_config(core), &len) itself when
     * it writes, which lets it coalesce several SAVEs into one render.
     * Kept so that code which frees or reads them still compiles. */
    char *text;
    size_t text_len;
};

void sn_action_free(struct sn_action *a);

/* ---------------------------------------------------------------------
 * The engine
 * ------------------------------------------------------------------- */

struct sn_core;

/* Create a core from a loaded config (copied: the core keeps its own
 * model and updates it as state changes). `seed` feeds every random choice.
 * If the config has no myid, one is drawn and a SAVE is queued first.
 * Returns NULL with a message in err on an unusable config. */
struct sn_core *sn_core_new(const struct sn_config *cfg, uint64_t seed,
                            int64_t now_ms, char *err, size_t errlen);
void sn_core_free(struct sn_core *core);

/* Feed one input. Unknown links and tags are ignored (they belong to links
 * the core already closed). Every input (and every operation below) sets
 * the deadline to now: the caller ticks before it sleeps. */
void sn_core_input(struct sn_core *core, const struct sn_input *in,
                   int64_t now_ms);

/* Run the timers and state machines up to now_ms. */
void sn_core_tick(struct sn_core *core, int64_t now_ms);

/* The earliest time at which sn_core_tick has something to do. */
int64_t sn_core_deadline_ms(const struct sn_core *core);

/* Take the next action. Returns 1 and fills *a (the caller frees it with
 * sn_action_free), or 0 when none is left. */
int sn_core_next_action(struct sn_core *core, struct sn_action *a);

/* The current model (what a SAVE writes). */
const struct sn_config *sn_core_config(const struct sn_core *core);
/* The same, for a caller that changes a part the core does not act on
 * (the ACL users) and then asks for a SAVE with sn_core_save. */
struct sn_config *sn_core_config_mut(struct sn_core *core);


/* ---------------------------------------------------------------------
 * Timers (SENTINEL DEBUG adjusts them at run time)
 * ------------------------------------------------------------------- */

struct sn_timers {
    int64_t ping_period_ms;             /* 1000 */
    int64_t info_period_ms;             /* 10000 */
    int64_t ask_period_ms;              /* 1000 */
    int64_t publish_period_ms;          /* 2000 */
    int64_t default_down_after_ms;      /* 30000 */
    int64_t tilt_trigger_ms;            /* 2000 */
    int64_t tilt_period_ms;             /* 30000 */
    int64_t slave_reconf_timeout_ms;    /* 10000 */
    int64_t min_link_reconnect_period_ms;   /* 15000 */
    int64_t default_failover_timeout_ms;    /* 180000 */
    int64_t election_timeout_ms;        /* 10000 */
    int64_t script_max_runtime_ms;      /* 60000 */
    int64_t script_retry_delay_ms;      /* 30000 */
};

struct sn_timers *sn_core_timers(struct sn_core *core);

/* ---------------------------------------------------------------------
 * What the SENTINEL commands (command.c) and the simulator read and do
 * ------------------------------------------------------------------- */

struct sn_master;

/* The monitored masters, in a stable order (by name). */
struct sn_master **sn_core_masters(const struct sn_core *core, int *len);
struct sn_master *sn_core_master_by_name(const struct sn_core *core,
                                         const char *name);
const char *sn_core_myid(const struct sn_core *core);
uint64_t sn_core_current_epoch(const struct sn_core *core);
bool sn_core_tilt(const struct sn_core *core);
int64_t sn_core_tilt_since_ms(const struct sn_core *core);   /* -1 if not */

/* SENTINEL MONITOR: validated by the caller except for duplicates.
 * Returns 0, or -1 with Redis's error text in err. Emits +monitor, saves. */
int sn_core_monitor(struct sn_core *core, const char *name,
                    const char *host, int port, int quorum,
                    int64_t now_ms, char *err, size_t errlen);
/* SENTINEL REMOVE. Returns 0 or -1 if no such master. -monitor, saves. */
int sn_core_remove(struct sn_core *core, const char *name, int64_t now_ms);
/* SENTINEL RESET: the number of masters matching the glob. */
int sn_core_reset(struct sn_core *core, const char *pattern, int64_t now_ms);
/* SENTINEL FAILOVER: 0, or -1 with "-INPROG Failover already in progress"
 * or "-NOGOODSLAVE No suitable replica to promote" in err. */
int sn_core_failover(struct sn_core *core, struct sn_master *m,
                     int64_t now_ms, char *err, size_t errlen);
/* SENTINEL IS-MASTER-DOWN-BY-ADDR ip port epoch runid: the answer. A vote
 * (runid not "*") queues its SAVE before returning, so the caller must
 * drain actions before it sends the reply. Returns 0, or -1 if no master
 * has that address (Redis then answers down=0, leader "*", epoch 0). */
int sn_core_is_master_down(struct sn_core *core, const char *ip, int port,
                           uint64_t req_epoch, const char *runid,
                           int64_t now_ms, bool *down,
                           char leader[SN_RUNID_LEN + 1],
                           uint64_t *leader_epoch);
/* A hello that reached us by PUBLISH __sentinel__:hello. */
void sn_core_hello(struct sn_core *core, const char *payload, size_t len,
                   int64_t now_ms);
/* The config changed through the model (SENTINEL SET, CONFIG SET): apply
 * to the running instances (drop links on auth changes, propagate
 * down-after) and queue a SAVE. `what` is the directive name. */
void sn_core_config_changed(struct sn_core *core, struct sn_master *m,
                            const char *what, int64_t now_ms);
/* Queue an event as the core does (command.c uses it for +set). The
 * payload is the instance's prefix, `<type> <name> <ip> <port>` and for
 * replicas and peers ` @ <master> <ip> <port>`, then a space and the
 * formatted text if it is not empty ("%s", "" gives the bare prefix);
 * with inst NULL, the text alone. A WARNING about an instance carries the
 * master's notification-script. */
void sn_core_event(struct sn_core *core, enum sn_loglevel level,
                   const char *event, const struct sn_instance *inst,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Queue a SAVE of the current model (FLUSHCONFIG). */
void sn_core_save(struct sn_core *core);
/* SIMULATE-FAILURE flags. */
#define SN_SIMFAIL_CRASH_AFTER_ELECTION  (1 << 0)
#define SN_SIMFAIL_CRASH_AFTER_PROMOTION (1 << 1)
void sn_core_simulate_failure(struct sn_core *core, unsigned flags);
unsigned sn_core_simulate_failure_flags(const struct sn_core *core);
/* The address clients should use now (GET-MASTER-ADDR-BY-NAME): the
 * promoted replica once the failover reached RECONF_SLAVES. Unlike Redis,
 * the leader also moves m->inst.host/port (SENTINEL MASTER's ip/port) and
 * announces +switch-master at that moment (failover.c explains why). The
 * host is the instance's identity as configured or discovered (a name
 * stays a name); GET-MASTER-ADDR-BY-NAME shows the address it resolved to
 * (peer_ip) unless announce-hostnames is yes. */
void sn_core_master_addr(const struct sn_master *m, const char **host,
                         int *port);

#endif /* SN_CORE_H */
