/*
 * instance.h: what one sentinel knows of the world.
 *
 * Masters (from the config and SENTINEL MONITOR), their replicas
 * (discovered from the master's INFO) and the peer sentinels that watch the
 * same master (discovered from hellos). Every field is plain data, read by
 * the modules that decide (detect, election, failover, core) and by the
 * SENTINEL commands (command.c), written only by the core's modules.
 *
 * Role is an enum; independent facts are flags (STYLE.md item 4). Flag
 * names and order follow Redis's `flags` field in SENTINEL MASTER(S).
 */
#ifndef SN_INSTANCE_H
#define SN_INSTANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "info.h"
#include "sn_limits.h"

enum sn_inst_kind {
    SN_INST_MASTER = 0,
    SN_INST_REPLICA,
    SN_INST_SENTINEL,
};

/* Independent facts, in the order Redis prints them. */
enum sn_inst_flag {
    SN_F_S_DOWN = 1 << 0,
    SN_F_O_DOWN = 1 << 1,
    /* master, slave, sentinel come from the kind */
    SN_F_DISCONNECTED = 1 << 2,     /* a link (command, or pub/sub for
                                       masters and replicas) is not up */
    SN_F_MASTER_DOWN = 1 << 3,      /* a peer said the master is down */
    SN_F_FAILOVER_IN_PROGRESS = 1 << 4,
    SN_F_PROMOTED = 1 << 5,         /* the replica we promote */
    SN_F_RECONF_SENT = 1 << 6,
    SN_F_RECONF_INPROG = 1 << 7,
    SN_F_RECONF_DONE = 1 << 8,
    SN_F_FORCE_FAILOVER = 1 << 9,
    SN_F_SCRIPT_KILL_SENT = 1 << 10,
    SN_F_MASTER_REBOOT = 1 << 11,
};

enum sn_failover_state {
    SN_FO_NONE = 0,
    SN_FO_WAIT_START,
    SN_FO_SELECT_SLAVE,
    SN_FO_SEND_SLAVEOF_NOONE,
    SN_FO_WAIT_PROMOTION,
    SN_FO_RECONF_SLAVES,
    SN_FO_UPDATE_CONFIG,
};

/* "wait_start", as SENTINEL MASTER's failover-state field spells it. */
const char *sn_failover_state_name(enum sn_failover_state s);

struct sn_link_cmd;                 /* core_priv.h: what a tag was for */
struct sn_instance;

/* One connection to an instance. The id names it to the caller (a new id
 * for every connection attempt, so a late reply of an old connection is
 * never mistaken for a new one); a link to a peer sentinel is shared, by
 * address, by every master that peer watches. */
struct sn_link {
    uint64_t id;                    /* 0 while no connection is open */
    int refcount;
    bool connected;
    bool connecting;
    int64_t connected_ms;           /* when it came up */
    int64_t last_connect_ms;        /* last CONNECT action: at most 1/s */
    int pending;                    /* commands sent and not answered */
    int64_t act_ping_ms;            /* first unanswered PING, 0 if none */
    int64_t last_ping_ms;           /* last PING sent */
    int64_t last_pong_ms;           /* last reply of any kind to a PING */
    int64_t last_avail_ms;          /* last valid PING reply */
    int64_t pc_last_activity_ms;    /* pub/sub: last message */
    char local_ip[64];              /* our address on this link */
    char peer_ip[64];               /* the address it last connected to
                                       (LINK_UP's peer_ip), "" if never
                                       known; kept while it reconnects */

    char *host;                     /* where it connects */
    int port;
    bool pubsub;                    /* the SUBSCRIBE link of an instance */
    struct sn_instance *owner;      /* master or replica it serves; NULL
                                       for a peer link shared by address */
    uint32_t slot;                  /* its index in the core's table */
    struct sn_link_cmd *cmds;       /* commands in flight, oldest first */
    int cmds_len;
    int cmds_cap;
};

struct sn_master;

struct sn_instance {
    enum sn_inst_kind kind;
    unsigned flags;                 /* enum sn_inst_flag */
    char *name;                     /* master: its name; replica: ip:port;
                                       sentinel: its run id */
    char *host;
    int port;
    char runid[SN_RUNID_LEN + 1];   /* "" until known */
    struct sn_master *master;       /* replica, sentinel: the master */

    struct sn_link *cc;             /* command link */
    struct sn_link *pc;             /* pub/sub link (masters, replicas) */

    int64_t down_after_ms;
    int64_t s_down_since_ms;
    int64_t o_down_since_ms;
    int64_t last_hello_ms;          /* sentinel: last hello heard from it;
                                       others: last hello we published */
    int64_t last_pub_ms;            /* last hello we published to it and
                                       that it acknowledged */
    int64_t hello_sent_ms;          /* a PUBLISH in flight since, 0 none */
    int64_t info_sent_ms;           /* an INFO in flight since, 0 none */
    int64_t ask_sent_ms;            /* sentinel: is-master-down in flight */
    int64_t slaveof_sent_ms;        /* last SLAVEOF transaction we sent */
    bool demoted;                   /* replica: the master our last
                                       switch-master replaced, not seen
                                       as a replica since */

    /* From INFO (masters and replicas). */
    int64_t info_refresh_ms;        /* 0 = never */
    char *info;                     /* the last INFO text, for INFO-CACHE */
    enum sn_role role_reported;
    int64_t role_reported_ms;
    int64_t master_link_down_ms;    /* replica: how long its link is down */
    char *slave_master_host;        /* replica: its master, "" if unknown */
    int slave_master_port;
    bool slave_master_link_up;
    int slave_priority;             /* default 100 */
    uint64_t slave_repl_offset;
    bool replica_announced;
    int64_t slave_conf_change_ms;   /* replica: when its master changed */
    int64_t slave_reconf_sent_ms;
    int64_t master_reboot_since_ms;

    /* Sentinels: what their last hello said of the master. */
    uint64_t hello_config_epoch;
    char *hello_master_host;        /* NULL until a hello is heard */
    int hello_master_port;

    /* Sentinels: the answer to our last is-master-down-by-addr. */
    int64_t last_master_down_reply_ms;
    char leader[SN_RUNID_LEN + 1];  /* the run id it voted for, "" if none */
    uint64_t leader_epoch;
};

struct sn_master {
    struct sn_instance inst;
    struct sn_config_master *cfg;   /* settings and persisted state */

    struct sn_instance **replicas;
    int replicas_len;
    struct sn_instance **sentinels;
    int sentinels_len;

    enum sn_failover_state failover_state;
    int64_t failover_state_change_ms;
    int64_t failover_start_ms;      /* attempt start, with the random delay */
    uint64_t failover_epoch;
    struct sn_instance *promoted;   /* the replica being promoted */
    char leader[SN_RUNID_LEN + 1];  /* our vote, for leader_epoch */
    uint64_t leader_epoch;

    uint64_t id;                    /* names it in the links' tag tables */
    bool votes_asked;               /* WAIT_START: vote requests are out */
    bool switched;                  /* RECONF_SLAVES: +switch-master was
                                       announced at promotion already */
    bool claim_pending;             /* forced failover: the replica is
                                       promoted, the epoch not confirmed */

    /* The tick (core.c, "The tick") */
    bool touched;                   /* an input changed it: visit it */
    int64_t due_ms;                 /* its earliest timer; 0: at once */
};

#endif /* SN_INSTANCE_H */
