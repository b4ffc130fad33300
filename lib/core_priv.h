/*
 * core_priv.h: the engine's insides, shared by the modules that make up a
 * sentinel's brain (core, instance, detect, election, failover) and by
 * their unit tests. Nothing outside lib/ and tests/unit/ includes it.
 *
 * The split:
 *   core.c      the face (core.h), the action queue, links coming up and
 *               going down, replies routed by tag, the periodic commands
 *               (PING, INFO, hello), the operations behind SENTINEL.
 *   instance.c  masters, replicas, peers and their links; INFO (its
 *               passive half) and hello processing; discovery.
 *   detect.c    TILT, SDOWN, ODOWN, asking peers, idle link recycling.
 *   election.c  votes and the leader count.
 *   failover.c  the failover state machine, replica selection, SLAVEOF,
 *               switch-master, the acting half of INFO.
 */
#ifndef SN_CORE_PRIV_H
#define SN_CORE_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "core.h"
#include "hello.h"
#include "info.h"
#include "instance.h"
#include "util.h"

/* ---------------------------------------------------------------------
 * Timing choices (issue 3 item 7: faster than Redis, as safe)
 *
 * Redis ticks every 100 ms and polls on fixed periods; this core runs at
 * the next real timer instead, and shortens the polls that decide how fast
 * a failover completes. None of them weakens a rule: SDOWN still needs
 * down-after ms without a valid reply while PINGs are outstanding, ODOWN a
 * quorum of fresh replies, a leader a majority of voters in one epoch.
 * ------------------------------------------------------------------- */

/* PINGs go out to masters every min(ping-period, down-after /
 * SN_PING_DIVISOR): a healthy master is far from the threshold, a hung
 * one is noticed within a tenth of down-after of its death plus
 * down-after (one that crashed closes its link, and is timed from its
 * last reply whatever the period). That costs ten times Redis's PINGs, so
 * it has a budget: SN_MASTER_PINGS_PER_S in all, which stretches the
 * interval to (masters) ms beyond 100 masters at down-after 1000, and to
 * Redis's ping-period at 1,000. Replicas and peers, whose death starts no
 * failover, get Redis's min(ping-period, down-after). */
#define SN_PING_DIVISOR             10
#define SN_MASTER_PINGS_PER_S       1000
/* No period derived from down-after goes below this. */
#define SN_PERIOD_MIN_MS            10
/* Peers are asked about an SDOWN master every min(ask-period / 4, the
 * master's PING interval), at once on SDOWN (Redis: every second). */
#define SN_ASK_DIVISOR              4
/* INFO to replicas of a master that is SDOWN, ODOWN or failing over, to
 * replicas that claim to be masters, and during RECONF_SLAVES (Redis: 1 s
 * for some of these, 10 s for the rest). */
#define SN_INFO_FAST_MS             250
/* INFO to the replica being promoted, during WAIT_PROMOTION (Redis waits
 * for its next 1 s poll). */
#define SN_INFO_PROMOTION_MS        100
/* How long SELECT_SLAVE waits for the INFO of replicas whose last one is
 * too old to trust (failover.c, info_on_the_way). */
#define SN_SELECT_WAIT_MS           1000
/* INFO to replicas that report their master link down (as Redis). */
#define SN_INFO_LINK_DOWN_MS        1000
/* The random delay before a sentinel asks for votes after it started a
 * failover (Redis draws 0..1000 ms). It only spreads candidates that saw
 * ODOWN in the same instant; safety comes from epochs and majorities. */
#define SN_FAILOVER_DESYNC_MS       100
/* A SLAVEOF to fix a replica (convert-to-slave, fix-slave-config) is not
 * repeated sooner than this while INFO still shows the old state. */
#define SN_SLAVEOF_RETRY_MS         1000
/* The core asks to be ticked at least this often (tilt-trigger / 2 when
 * that is smaller), so that a stall of the process shows as a gap between
 * ticks, as with Redis's 100 ms timer. */
#define SN_HEARTBEAT_MS             1000

/* ---------------------------------------------------------------------
 * Commands in flight on a link
 * ------------------------------------------------------------------- */

enum sn_cmd_kind {
    SN_CMD_OTHER = 0,           /* reply ignored (the SLAVEOF transaction) */
    SN_CMD_AUTH,
    SN_CMD_SETNAME,
    SN_CMD_PING,
    SN_CMD_INFO,
    SN_CMD_HELLO,               /* PUBLISH __sentinel__:hello */
    SN_CMD_ASK,                 /* SENTINEL is-master-down-by-addr */
    SN_CMD_SCRIPT_KILL,
    SN_CMD_SUBSCRIBE,           /* sent with tag 0: no reply is routed */
};

struct sn_link_cmd {
    uint64_t tag;
    enum sn_cmd_kind kind;
    uint64_t master_id;         /* HELLO, ASK: whose hello or question */
};

/* ---------------------------------------------------------------------
 * The engine
 * ------------------------------------------------------------------- */

struct sn_core {
    struct sn_config cfg;           /* our own copy, kept current */
    struct sn_rng rng;
    struct sn_timers timers;

    struct sn_master **masters;     /* sorted by name */
    int masters_len;
    uint64_t next_master_id;

    struct sn_link **links;         /* by slot; NULL slots are free */
    uint32_t links_len;
    uint64_t link_gen;              /* the high bits of the next link id */
    int64_t reconnect_due_ms;       /* a down link may be due for a
                                       reconnect (0: look now) */
    uint64_t next_tag;

    struct sn_action *acts;         /* queued actions, from acts_head */
    size_t acts_head;
    size_t acts_len;
    size_t acts_cap;

    int64_t now_ms;                 /* the time of the current entry */
    int64_t last_clock_ms;          /* the previous entry, for TILT */
    bool tilt;
    int64_t tilt_start_ms;
    int64_t deadline_ms;
    bool tick_all;                  /* the next tick visits every master */
    int64_t sweep_due_ms;           /* ... and so does the first after this */
    struct sn_master **touched;     /* the masters inputs touched */
    int touched_len, touched_cap;
    int64_t min_due_ms;             /* no master's timer is earlier */
    struct sn_master *ticking;      /* the master being visited */
    int64_t ticking_due_ms;         /* the earliest wake it asked for */
    bool dirty;                     /* the model changed: SAVE at the end */
    bool exited;                    /* SN_ACT_EXIT queued: nothing more */
    unsigned simfail;
};

/* ---- core.c ---------------------------------------------------------- */

/* An input changed master m: the next tick visits it (NULL: every
 * master). */
void sn_core_touch(struct sn_core *core, struct sn_master *m);

/* Queue an action (its pointers are taken over). */
void sn_core_push(struct sn_core *core, struct sn_action *a);
/* Send argv on a link with a fresh tag recorded as `kind`; `inst` (may be
 * NULL) is the master or replica whose rename-command table applies to
 * argv[0]. Returns the tag. */
uint64_t sn_core_send(struct sn_core *core, struct sn_link *link,
                      const struct sn_instance *inst, enum sn_cmd_kind kind,
                      uint64_t master_id, int argc, const char **argv);
/* An event as Redis's sentinelEvent: with `prefix` the payload starts with
 * the instance's `<type> <name> <ip> <port> [@ <master> <ip> <port>]`,
 * followed by a space and the formatted text when it is not empty. */
void sn_core_emit(struct sn_core *core, enum sn_loglevel level,
                  const char *event, const struct sn_instance *inst,
                  bool prefix, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* The event with just the instance prefix as payload ("%@"). */
void sn_core_emit_inst(struct sn_core *core, enum sn_loglevel level,
                       const char *event, const struct sn_instance *inst);
/* The model changed: a SAVE goes out at the end of this entry point. */
void sn_core_dirty(struct sn_core *core);
/* Queue the SAVE now (a vote: durable before anything that follows). */
void sn_core_flush(struct sn_core *core);
/* Ask for a tick at `when` (ignored unless it is in the future and
 * earlier than what is already asked). */
void sn_core_wake(struct sn_core *core, int64_t when);
/* The instance whose address clients should use now: the promoted
 * replica once the failover reached RECONF_SLAVES, else the master (see
 * sn_core_master_addr). */
const struct sn_instance *sn_core_current_master(const struct sn_master *m);
/* The master with this id, or NULL. */
struct sn_master *sn_core_master_by_id(const struct sn_core *core,
                                       uint64_t id);
/* Send a hello about the master of `ri` to `ri` now, if its link can. */
void sn_core_send_hello(struct sn_core *core, struct sn_instance *ri);
/* Send INFO to a master or replica now, if its link can. */
void sn_core_send_info(struct sn_core *core, struct sn_instance *ri);
/* The SIMULATE-FAILURE crash: queue SN_ACT_EXIT and stop. */
void sn_core_crash(struct sn_core *core);
/* The PING interval of an instance (see SN_PING_DIVISOR). */
int64_t sn_core_ping_interval(const struct sn_core *core,
                              const struct sn_instance *ri);

/* ---- instance.c ------------------------------------------------------ */

/* The master an instance belongs to (itself for a master). */
static inline struct sn_master *
sn_inst_master_of(const struct sn_instance *ri)
{
    return ri->kind == SN_INST_MASTER ? (struct sn_master *)ri : ri->master;
}

struct sn_master *sn_inst_master_new(struct sn_core *core,
                                     struct sn_config_master *cfg);
void sn_inst_master_free(struct sn_core *core, struct sn_master *m);
/* A replica or a peer, added to its master (no event, no save). Returns
 * NULL when the master already holds the maximum number. */
struct sn_instance *sn_inst_replica_add(struct sn_core *core,
                                        struct sn_master *m,
                                        const char *host, int port);
struct sn_instance *sn_inst_sentinel_add(struct sn_core *core,
                                         struct sn_master *m,
                                         const char *host, int port,
                                         const char *runid);
void sn_inst_sentinel_remove(struct sn_core *core, struct sn_master *m,
                             struct sn_instance *si);
struct sn_instance *sn_inst_replica_find(const struct sn_master *m,
                                         const char *host, int port);
/* A peer of m by address (host NULL: any) and run id (NULL: any). */
struct sn_instance *sn_inst_sentinel_find(const struct sn_master *m,
                                          const char *host, int port,
                                          const char *runid);
/* Redis's sentinelResetMaster: drop replicas (and peers with
 * `sentinels`), clear the failover, restart the master's links. */
void sn_inst_reset_master(struct sn_core *core, struct sn_master *m,
                          bool sentinels, bool event);
/* Redis's sentinelResetMasterAndChangeAddress: the master moves to
 * host:port, the old address and the other replicas come back as
 * replicas (+slave each). Links to addresses that stay are kept. */
void sn_inst_change_address(struct sn_core *core, struct sn_master *m,
                            const char *host, int port);
/* Recompute SN_F_DISCONNECTED. */
void sn_inst_update_links(struct sn_instance *ri);
/* An INFO reply of a master or replica. */
void sn_inst_refresh_info(struct sn_core *core, struct sn_instance *ri,
                          const char *text, size_t len);
/* A hello, from a pub/sub link or a PUBLISH to us. */
void sn_inst_process_hello(struct sn_core *core, const char *payload,
                           size_t len);
/* "master", "slave", "sentinel". */
const char *sn_inst_type_name(const struct sn_instance *ri);
/* Host equality as Redis (case-insensitive) and port. */
bool sn_inst_addr_eq(const char *h1, int p1, const char *h2, int p2);
/* The address ri's command link last connected to (what its host name
 * resolved to), or NULL if none is known yet. */
const char *sn_inst_ip(const struct sn_instance *ri);
/* Is host:port the address of ri? It is if host is ri's host (names
 * compare case-insensitively) or the address ri's host last resolved to:
 * a peer without announce-hostnames, or a replica's master_host, gives
 * the address of a master we monitor by name. */
bool sn_inst_addr_is(const struct sn_instance *ri, const char *host,
                     int port);
/* What replies, events, hellos, vote requests and SLAVEOF show for ri, as
 * Redis's announceSentinelAddr: its host with announce-hostnames yes, or
 * when the host is a literal address, or while no address is known for
 * it; otherwise the address it resolved to. The saved config keeps the
 * host whatever this says. */
const char *sn_inst_announce_host(const struct sn_core *core,
                                  const struct sn_instance *ri);
/* Is host a literal IPv4 or IPv6 address? */
bool sn_inst_host_is_ip(const char *host);

/* Links. */
struct sn_link *sn_link_new(struct sn_core *core, const char *host,
                            int port, bool pubsub,
                            struct sn_instance *owner);
/* The shared command link to a peer at host:port (refcount taken). */
struct sn_link *sn_link_peer(struct sn_core *core, const char *host,
                             int port);
/* Drop one reference; the last one closes and frees the link. */
void sn_link_release(struct sn_core *core, struct sn_link *link);
/* Close the connection (DISCONNECT) and forget what was in flight; the
 * link reconnects later. */
void sn_link_close(struct sn_core *core, struct sn_link *link);
struct sn_link *sn_link_by_id(const struct sn_core *core, uint64_t id);
/* Give the link the id of its next connection. */
uint64_t sn_link_next_id(struct sn_core *core, struct sn_link *link);
/* Record / take back a command in flight. */
void sn_link_cmd_push(struct sn_link *link, uint64_t tag,
                      enum sn_cmd_kind kind, uint64_t master_id);
bool sn_link_cmd_pop(struct sn_link *link, uint64_t tag,
                     struct sn_link_cmd *out);
/* Is the link clogged (pending >= SN_LINK_PENDING_MAX x refcount)? */
bool sn_link_clogged(const struct sn_link *link);

/* ---- detect.c -------------------------------------------------------- */

/* Check the clock at every entry: a backward jump or a gap longer than
 * tilt-trigger enters TILT (+tilt). */
void sn_detect_clock(struct sn_core *core, int64_t now_ms);
/* Leave TILT after tilt-period (-tilt). */
void sn_detect_tilt_exit(struct sn_core *core);
void sn_detect_sdown(struct sn_core *core, struct sn_instance *ri);
void sn_detect_odown(struct sn_core *core, struct sn_master *m);
/* Ask peers about m (SENTINEL is-master-down-by-addr); `forced` skips
 * the ask period. */
void sn_detect_ask(struct sn_core *core, struct sn_master *m, bool forced);
void sn_detect_ask_reply(struct sn_core *core, struct sn_instance *si,
                         const struct sn_reply *r);
/* A reply to PING on link (owner: the master or replica, NULL for a
 * peer link). */
void sn_detect_ping_reply(struct sn_core *core, struct sn_link *link,
                          const struct sn_reply *r);

/* ---- election.c ------------------------------------------------------ */

/* Redis's sentinelVoteLeader: adopt a newer epoch, vote for `runid` if
 * we have not voted in req_epoch, SAVE before returning. Returns our vote
 * ("" if none) and its epoch in *leader_epoch. */
const char *sn_election_vote(struct sn_core *core, struct sn_master *m,
                             uint64_t req_epoch, const char *runid,
                             uint64_t *leader_epoch);
/* Is there a leader of m for `epoch` (casting our own vote as Redis
 * does)? It needs a majority of voters and, unless `forced` (SENTINEL
 * FAILOVER: no ODOWN to agree on), quorum votes. Returns true and its run
 * id in out, or false. */
bool sn_election_leader(struct sn_core *core, struct sn_master *m,
                        uint64_t epoch, bool forced,
                        char out[SN_RUNID_LEN + 1]);
/* Our current epoch moved up (hello, vote request): +new-epoch, save. */
void sn_election_adopt_epoch(struct sn_core *core, struct sn_master *m,
                             uint64_t epoch);

/* ---- failover.c ------------------------------------------------------ */

bool sn_failover_start_if_needed(struct sn_core *core, struct sn_master *m);
void sn_failover_start(struct sn_core *core, struct sn_master *m);
void sn_failover_run(struct sn_core *core, struct sn_master *m);
void sn_failover_abort(struct sn_core *core, struct sn_master *m);
/* The best replica to promote, or NULL (rules numbered in failover.c). */
struct sn_instance *sn_failover_select(struct sn_core *core,
                                       struct sn_master *m);
/* MULTI, SLAVEOF host port (NULL: NO ONE), CONFIG REWRITE, CLIENT KILL
 * TYPE normal, CLIENT KILL TYPE pubsub, EXEC. Returns 0, or -1 if the
 * link is not up. */
int sn_failover_send_slaveof(struct sn_core *core, struct sn_instance *ri,
                             const char *host, int port);
/* The acting half of an INFO reply (not in TILT), with the role this
 * reply reported. May switch the master: ri must not be used after. */
void sn_failover_info(struct sn_core *core, struct sn_instance *ri,
                      enum sn_role role);
/* +switch-master to host:port, change address, client-reconfig script
 * (`role` "leader" or "observer"). */
void sn_failover_switch(struct sn_core *core, struct sn_master *m,
                        const char *host, int port, const char *role);
/* A hello carried a config epoch newer than ours for m, from peer si. */
void sn_failover_hello_config(struct sn_core *core, struct sn_master *m,
                              struct sn_instance *si,
                              const struct sn_hello *h);

#endif /* SN_CORE_PRIV_H */
