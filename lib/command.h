/*
 * command.h: the client commands whose answers depend on the sentinel's
 * state: SENTINEL (every subcommand), INFO, ROLE and PUBLISH.
 *
 * argv in, reply bytes out, the way a Redis 7 sentinel answers: field
 * order, bulk strings for numbers, error texts, RESP2 or RESP3. Effects on
 * the state go through the core (lib/core.h), which queues the actions
 * they cause (events, SAVE, links dropped); the caller drains them after
 * the call and before it sends the reply, so that a vote is on disk before
 * its answer leaves.
 *
 * The daemon answers the connection-level commands itself (AUTH, HELLO,
 * CLIENT, the SUBSCRIBE family, PING, ECHO, QUIT, COMMAND, SHUTDOWN) and
 * gives the process facts only it knows (pid, uptime, counters, scripts)
 * through a callback, called only by the commands that print them.
 */
#ifndef SN_COMMAND_H
#define SN_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "util.h"

/* What INFO's server section says by default. */
#define SN_CMD_REDIS_VERSION "7.0.15"

/* One script of SENTINEL PENDING-SCRIPTS. Pointers are borrowed: they
 * must stay valid until sn_command_exec returns. */
struct sn_cmd_script {
    int argc;
    char **argv;
    bool running;
    int64_t pid;                /* 0 while scheduled */
    int64_t run_time_ms;        /* running: for how long; scheduled: the
                                   delay before it may start (run-delay) */
    int retry_num;
};

/* The process facts INFO and PENDING-SCRIPTS print, filled by the daemon
 * on demand. sn_command_exec zeroes the struct before the callback runs:
 * a field left alone prints as 0, a string left NULL as the default named
 * in its comment ("" when none is). Strings are borrowed, as above. */
struct sn_cmd_proc {
    /* # Server */
    const char *redis_version;      /* SN_CMD_REDIS_VERSION */
    const char *git_sha1;           /* "00000000" */
    int git_dirty;
    const char *build_id;           /* "0" */
    const char *os;                 /* uname: "Linux 6.1.0-18-amd64 x86_64" */
    int arch_bits;
    const char *monotonic_clock;    /* "POSIX clock_gettime" */
    const char *multiplexing_api;   /* "epoll" */
    const char *atomicvar_api;      /* "c11-builtin" */
    const char *gcc_version;        /* "0.0.0" */
    int64_t process_id;
    const char *process_supervised; /* "no" */
    const char *run_id;             /* 40 hex, drawn per process (not myid) */
    int tcp_port;
    int64_t server_time_usec;       /* wall clock */
    int64_t uptime_s;
    int hz;
    int configured_hz;
    uint32_t lru_clock;
    const char *executable;
    const char *config_file;

    /* # Clients */
    int64_t connected_clients;
    int64_t maxclients;
    int64_t client_recent_max_input_buffer;
    int64_t client_recent_max_output_buffer;
    int64_t blocked_clients;

    /* # Stats */
    int64_t total_connections_received;
    int64_t total_commands_processed;
    int64_t instantaneous_ops_per_sec;
    int64_t total_net_input_bytes;
    int64_t total_net_output_bytes;
    double instantaneous_input_kbps;
    double instantaneous_output_kbps;
    int64_t rejected_connections;
    int64_t pubsub_channels;
    int64_t pubsub_patterns;
    int64_t total_error_replies;
    int64_t total_reads_processed;
    int64_t total_writes_processed;

    /* # CPU, in microseconds (printed as seconds.micros) */
    int64_t used_cpu_sys_us;
    int64_t used_cpu_user_us;
    int64_t used_cpu_sys_children_us;
    int64_t used_cpu_user_children_us;
    int64_t used_cpu_sys_main_thread_us;
    int64_t used_cpu_user_main_thread_us;

    /* # Sentinel and PENDING-SCRIPTS */
    int scripts_running;
    int scripts_queued;             /* queue length, running ones included,
                                       as Redis counts it */
    const struct sn_cmd_script *scripts;    /* in queue order, as Redis */
    int scripts_len;
};

/* What the daemon tells about the client and the process. */
struct sn_cmd_ctx {
    int proto;                      /* 2, or 3 after HELLO 3 */

    /* Fill the process facts (INFO, PENDING-SCRIPTS). NULL: all zero. */
    void (*proc_fill)(void *arg, struct sn_cmd_proc *out);

    /* Is `path` an existing file this process may execute (access X_OK)?
     * SENTINEL SET ...-script asks it; NULL: nothing is. */
    bool (*is_executable)(void *arg, const char *path);

    void *arg;                      /* passed to the callbacks */
};

/* Run one client command. argv[i] holds argvlen[i] bytes followed by a NUL
 * (as struct sn_resp_cmd gives them); argc >= 1.
 *
 * Returns 1 if the command is one of this module's (SENTINEL, INFO, ROLE,
 * PUBLISH, in any case): its complete reply, errors included, has been
 * appended to out in ctx->proto. Returns 0, with nothing appended, for any
 * other command: the caller answers it.
 *
 * The caller must then drain the core's actions (sn_core_next_action)
 * before it sends the reply: a MONITOR, SET, vote or FLUSHCONFIG queued a
 * SAVE that must be durable first. */
int sn_command_exec(struct sn_core *core, const struct sn_cmd_ctx *ctx,
                    int argc, char **argv, const size_t *argvlen,
                    struct sn_buf *out, int64_t now_ms);

/* INFO [section ...] (command_info.c), which sn_command_exec calls: the
 * sections server, clients, stats, cpu and sentinel; none, `all`,
 * `default` or `everything` means the five, unknown names are ignored.
 * Appends one bulk string (even in RESP3, as a sentinel does) to out. */
void sn_command_info(struct sn_core *core, const struct sn_cmd_ctx *ctx,
                     int argc, char **argv, const size_t *argvlen,
                     struct sn_buf *out, int64_t now_ms);

#endif /* SN_COMMAND_H */
