/*
 * info.h: the text of a Redis INFO reply, reduced to what a sentinel
 * reads from it (Redis's sentinelRefreshInstanceInfo), and the reverse, an
 * INFO text made from such a struct for tests and the simulator.
 *
 * The text comes from the network and is treated as hostile: a field that
 * is missing, malformed, out of range or too long is absent, never a crash
 * and never a truncated value. The parser does not depend on the order of
 * the lines or on section headers; when a key appears twice the last line
 * wins (an invalid last line makes the field absent).
 *
 * Which fields matter for which role is the caller's business: the parser
 * reports every field it finds, whatever the role line says.
 */
#ifndef SN_INFO_H
#define SN_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

/* What `role:` says. */
enum sn_role {
    SN_ROLE_UNKNOWN = 0,            /* no role line, or not master/slave */
    SN_ROLE_MASTER,
    SN_ROLE_SLAVE,
};

/* `master_link_status:`. Like Redis, anything but "up" means down. */
enum sn_info_link {
    SN_INFO_LINK_ABSENT = 0,
    SN_INFO_LINK_UP,
    SN_INFO_LINK_DOWN,
};

/* `master_failover_state:` (Redis >= 6.2; Valkey 9's coordinated failover
 * requires it). */
enum sn_info_failover {
    SN_INFO_FAILOVER_ABSENT = 0,
    SN_INFO_FAILOVER_NONE,              /* "no-failover" */
    SN_INFO_FAILOVER_WAITING_FOR_SYNC,  /* "waiting-for-sync" */
    SN_INFO_FAILOVER_IN_PROGRESS,       /* "failover-in-progress" */
    SN_INFO_FAILOVER_UNKNOWN,           /* a value we do not know */
};

/* `state=` of a slaveN line. */
enum sn_info_replica_state {
    SN_INFO_REPLICA_UNKNOWN = 0,    /* missing or a value we do not know */
    SN_INFO_REPLICA_WAIT_BGSAVE,    /* "wait_bgsave" */
    SN_INFO_REPLICA_SEND_BULK,      /* "send_bulk" */
    SN_INFO_REPLICA_ONLINE,         /* "online" */
};

/* One `slaveN:` line, in either format:
 *   slave0:ip=127.0.0.1,port=7001,state=online,offset=123,lag=0  (>= 2.8)
 *   slave0:127.0.0.1,7001,online                                   (older) */
struct sn_info_replica {
    char host[SN_HOST_MAX + 1];     /* never empty */
    int port;                       /* 1..65535 */
    enum sn_info_replica_state state;
    bool has_offset;                /* the old format has no offset */
    uint64_t offset;                /* 0..INT64_MAX */
};

struct sn_info {
    /* Why sn_info_parse() returned -1 (a static string), else NULL. */
    const char *error;

    /* run_id: exactly 40 hex characters, else "" and run_id_invalid set
     * (a run_id line was there but malformed). */
    char run_id[SN_RUNID_LEN + 1];
    bool run_id_invalid;

    enum sn_role role;

    /* A replica's view of its master. master_host is "" when absent. */
    char master_host[SN_HOST_MAX + 1];
    bool has_master_port;
    int master_port;                        /* 1..65535 */
    enum sn_info_link master_link_status;
    /* Printed while the link is not connected; -1 when it never was.
     * Redis sets master_link_down_time = this * 1000, else 0. */
    bool has_master_link_down_since;
    int64_t master_link_down_since_seconds; /* -1..INT64_MAX/1000 */
    /* slave_priority, or replica_priority (a later line wins). */
    bool has_slave_priority;
    int slave_priority;                     /* 0..INT32_MAX */
    bool has_slave_repl_offset;
    uint64_t slave_repl_offset;             /* 0..INT64_MAX */
    /* replica_announced: true unless a valid line says 0. */
    bool replica_announced;

    bool has_master_repl_offset;
    uint64_t master_repl_offset;            /* 0..INT64_MAX */
    enum sn_info_failover master_failover_state;

    /* slaveN lines, in order of appearance. A line whose host and port
     * repeat an earlier entry replaces it (the last one wins). */
    struct sn_info_replica *replicas;       /* malloc'd, or NULL */
    size_t replicas_count;
    size_t replicas_cap;
    /* Distinct replicas beyond SN_REPLICAS_MAX, left out. */
    size_t replicas_dropped;
    /* slaveN lines that did not parse (bad host or port), left out. */
    size_t replicas_invalid;
};

/* Set every field to "absent": empty strings, no replicas, role unknown,
 * replica_announced true. */
void sn_info_init(struct sn_info *info);

/* Free the replica list and re-initialise; safe to call twice. */
void sn_info_free(struct sn_info *info);

/* Parse len bytes of INFO text (need not be NUL-terminated; CRLF or LF
 * line ends; NUL bytes make the line they sit in invalid). out is
 * overwritten without being freed: call sn_info_free() on a previous result
 * first. Returns:
 *   0   parsed; absent fields are marked so, out must be freed;
 *  -1   refused: the text is longer than SN_INFO_BYTES_MAX. out->error says
 *       why; out holds nothing to free. */
int sn_info_parse(struct sn_info *out, const char *text, size_t len);

/* Add a replica entry, or replace the one with the same host and port.
 * Returns 0, or -1 if the list already holds SN_REPLICAS_MAX entries
 * (replicas_dropped is then counted). */
int sn_info_add_replica(struct sn_info *info,
                        const struct sn_info_replica *replica);

/* An INFO text as redis-server 7.0 prints it: a short # Server section
 * with run_id, then # Replication with the layout of a master or of a
 * replica, CRLF line ends. A field that is absent in `in` is not printed,
 * so sn_info_parse() of the result gives back `in`; fields that a sentinel
 * does not read (master_replid, backlog) get plausible values. An entry
 * without an offset is printed in the old slaveN format. Returns a
 * malloc'd NUL-terminated string, its length in *len if len is not NULL. */
char *sn_info_render(const struct sn_info *in, size_t *len);

/* "master", "slave", "unknown". */
const char *sn_info_role_name(enum sn_role role);

#endif /* SN_INFO_H */
