/*
 * sn_limits.h: every bound the sentinel enforces, in one place.
 *
 * A limit reached is an error a user can read, never a silent truncation.
 * Names end in _max (a count or a size) or _ms (a duration).
 */
#ifndef SN_SN_LIMITS_H
#define SN_SN_LIMITS_H

/* Config files. */
#define SN_CONFIG_BYTES_MAX        (4 * 1024 * 1024) /* whole file */
#define SN_CONFIG_LINE_MAX         196   /* inih's 200-byte buffer less CR, LF, NUL and one spare */
#define SN_CONFIG_SECTION_MAX      49    /* inih cuts section names at 49 chars */
#define SN_CONFIG_KEY_MAX          49    /* inih cuts key names at 49 chars */
#define SN_CONFIG_REDIS_LINE_MAX   (64 * 1024) /* a Redis-style line */
#define SN_CONFIG_ARGS_MAX         64    /* tokens on a Redis-style line */
#define SN_CONFIG_ERRORS_MAX       100   /* errors collected before giving up */

/* What is monitored. */
#define SN_MASTERS_MAX             10000
#define SN_MASTER_NAME_MAX         255
#define SN_HOST_MAX                255   /* a DNS name or an address */
#define SN_RUNID_LEN               40
#define SN_REPLICAS_MAX            1024  /* per master */
#define SN_SENTINELS_MAX           1024  /* peers per master */
#define SN_RENAMES_MAX             64    /* rename-command per master */
#define SN_VALUE_MAX               4096  /* a password, a path, a user name */

/* Client protocol. */
#define SN_QUERY_BUF_MAX           (1024 * 1024 * 1024) /* Redis' client-query-buffer-limit */
#define SN_ARGS_MAX                (1024 * 1024)        /* multibulk length */
#define SN_ARG_BYTES_MAX           (512 * 1024 * 1024)  /* Redis' proto-max-bulk-len */
#define SN_INLINE_MAX              (64 * 1024)          /* an inline command line */
#define SN_CLIENTS_MAX_DEFAULT     10000

/* Links to Redis instances and peers. */
#define SN_LINK_PENDING_MAX        100   /* per link refcount, as Redis */
#define SN_INFO_BYTES_MAX          (1024 * 1024) /* an INFO reply we will parse */
#define SN_HELLO_BYTES_MAX         1024  /* a hello payload */

/* Scripts. */
#define SN_SCRIPTS_RUNNING_MAX     16
#define SN_SCRIPTS_QUEUE_MAX       256
#define SN_SCRIPT_RETRY_MAX        10

#endif /* SN_SN_LIMITS_H */
