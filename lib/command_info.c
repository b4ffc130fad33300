/*
 * command_info.c: INFO, as a Redis 7.0 sentinel answers it
 * (sentinelInfoCommand): the sections server, clients, stats, cpu and
 * sentinel, with Redis 7.0's field names in Redis's order. The process
 * facts come from the daemon (struct sn_cmd_proc), the sentinel section
 * from the core.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "core.h"
#include "core_priv.h"
#include "instance.h"
#include "resp.h"
#include "util.h"

/* ---------------------------------------------------------------------
 * INFO [section ...]: server, clients, stats, cpu, sentinel
 * ------------------------------------------------------------------- */

enum info_section {
    INFO_SERVER = 1 << 0,
    INFO_CLIENTS = 1 << 1,
    INFO_STATS = 1 << 2,
    INFO_CPU = 1 << 3,
    INFO_SENTINEL = 1 << 4,
    INFO_ALL = (1 << 5) - 1,
};

static const char *
dflt(const char *s, const char *d)
{
    return s != NULL ? s : d;
}

static void
info_server(struct sn_buf *b, const struct sn_cmd_proc *p)
{
    sn_buf_printf(b,
        "# Server\r\n"
        "redis_version:%s\r\n"
        "redis_git_sha1:%s\r\n"
        "redis_git_dirty:%d\r\n"
        "redis_build_id:%s\r\n"
        "redis_mode:sentinel\r\n"
        "os:%s\r\n"
        "arch_bits:%d\r\n"
        "monotonic_clock:%s\r\n"
        "multiplexing_api:%s\r\n"
        "atomicvar_api:%s\r\n"
        "gcc_version:%s\r\n"
        "process_id:%" PRId64 "\r\n"
        "process_supervised:%s\r\n"
        "run_id:%s\r\n"
        "tcp_port:%d\r\n"
        "server_time_usec:%" PRId64 "\r\n"
        "uptime_in_seconds:%" PRId64 "\r\n"
        "uptime_in_days:%" PRId64 "\r\n"
        "hz:%d\r\n"
        "configured_hz:%d\r\n"
        "lru_clock:%" PRIu32 "\r\n"
        "executable:%s\r\n"
        "config_file:%s\r\n"
        "io_threads_active:0\r\n",
        dflt(p->redis_version, SN_CMD_REDIS_VERSION),
        dflt(p->git_sha1, "00000000"), p->git_dirty,
        dflt(p->build_id, "0"), dflt(p->os, ""), p->arch_bits,
        dflt(p->monotonic_clock, "POSIX clock_gettime"),
        dflt(p->multiplexing_api, "epoll"),
        dflt(p->atomicvar_api, "c11-builtin"),
        dflt(p->gcc_version, "0.0.0"), p->process_id,
        dflt(p->process_supervised, "no"), dflt(p->run_id, ""), p->tcp_port,
        p->server_time_usec, p->uptime_s, p->uptime_s / 86400, p->hz,
        p->configured_hz, p->lru_clock, dflt(p->executable, ""),
        dflt(p->config_file, ""));
}

static void
info_clients(struct sn_buf *b, const struct sn_cmd_proc *p)
{
    sn_buf_printf(b,
        "# Clients\r\n"
        "connected_clients:%" PRId64 "\r\n"
        "cluster_connections:0\r\n"
        "maxclients:%" PRId64 "\r\n"
        "client_recent_max_input_buffer:%" PRId64 "\r\n"
        "client_recent_max_output_buffer:%" PRId64 "\r\n"
        "blocked_clients:%" PRId64 "\r\n"
        "tracking_clients:0\r\n"
        "clients_in_timeout_table:0\r\n",
        p->connected_clients, p->maxclients,
        p->client_recent_max_input_buffer,
        p->client_recent_max_output_buffer, p->blocked_clients);
}

/* Redis 7.0's stats fields; what a sentinel never does reads 0. */
static void
info_stats(struct sn_buf *b, const struct sn_cmd_proc *p)
{
    sn_buf_printf(b,
        "# Stats\r\n"
        "total_connections_received:%" PRId64 "\r\n"
        "total_commands_processed:%" PRId64 "\r\n"
        "instantaneous_ops_per_sec:%" PRId64 "\r\n"
        "total_net_input_bytes:%" PRId64 "\r\n"
        "total_net_output_bytes:%" PRId64 "\r\n"
        "total_net_repl_input_bytes:0\r\n"
        "total_net_repl_output_bytes:0\r\n"
        "instantaneous_input_kbps:%.2f\r\n"
        "instantaneous_output_kbps:%.2f\r\n"
        "instantaneous_input_repl_kbps:0.00\r\n"
        "instantaneous_output_repl_kbps:0.00\r\n"
        "rejected_connections:%" PRId64 "\r\n",
        p->total_connections_received, p->total_commands_processed,
        p->instantaneous_ops_per_sec, p->total_net_input_bytes,
        p->total_net_output_bytes, p->instantaneous_input_kbps,
        p->instantaneous_output_kbps, p->rejected_connections);
    sn_buf_puts(b,
        "sync_full:0\r\n"
        "sync_partial_ok:0\r\n"
        "sync_partial_err:0\r\n"
        "expired_keys:0\r\n"
        "expired_stale_perc:0.00\r\n"
        "expired_time_cap_reached_count:0\r\n"
        "expire_cycle_cpu_milliseconds:0\r\n"
        "evicted_keys:0\r\n"
        "evicted_clients:0\r\n"
        "total_eviction_exceeded_time:0\r\n"
        "current_eviction_exceeded_time:0\r\n"
        "keyspace_hits:0\r\n"
        "keyspace_misses:0\r\n");
    sn_buf_printf(b,
        "pubsub_channels:%" PRId64 "\r\n"
        "pubsub_patterns:%" PRId64 "\r\n",
        p->pubsub_channels, p->pubsub_patterns);
    sn_buf_puts(b,
        "pubsubshard_channels:0\r\n"
        "latest_fork_usec:0\r\n"
        "total_forks:0\r\n"
        "migrate_cached_sockets:0\r\n"
        "slave_expires_tracked_keys:0\r\n"
        "active_defrag_hits:0\r\n"
        "active_defrag_misses:0\r\n"
        "active_defrag_key_hits:0\r\n"
        "active_defrag_key_misses:0\r\n"
        "total_active_defrag_time:0\r\n"
        "current_active_defrag_time:0\r\n"
        "tracking_total_keys:0\r\n"
        "tracking_total_items:0\r\n"
        "tracking_total_prefixes:0\r\n"
        "unexpected_error_replies:0\r\n");
    sn_buf_printf(b,
        "total_error_replies:%" PRId64 "\r\n"
        "dump_payload_sanitizations:0\r\n"
        "total_reads_processed:%" PRId64 "\r\n"
        "total_writes_processed:%" PRId64 "\r\n"
        "io_threaded_reads_processed:0\r\n"
        "io_threaded_writes_processed:0\r\n"
        "reply_buffer_shrinks:0\r\n"
        "reply_buffer_expands:0\r\n",
        p->total_error_replies, p->total_reads_processed,
        p->total_writes_processed);
}

/* Seconds with six decimals, as Redis prints a struct timeval. */
static void
info_cpu_line(struct sn_buf *b, const char *name, int64_t us)
{
    if (us < 0)
        us = 0;
    sn_buf_printf(b, "%s:%" PRId64 ".%06" PRId64 "\r\n", name,
                  us / 1000000, us % 1000000);
}

static void
info_cpu(struct sn_buf *b, const struct sn_cmd_proc *p)
{
    sn_buf_puts(b, "# CPU\r\n");
    info_cpu_line(b, "used_cpu_sys", p->used_cpu_sys_us);
    info_cpu_line(b, "used_cpu_user", p->used_cpu_user_us);
    info_cpu_line(b, "used_cpu_sys_children", p->used_cpu_sys_children_us);
    info_cpu_line(b, "used_cpu_user_children",
                  p->used_cpu_user_children_us);
    info_cpu_line(b, "used_cpu_sys_main_thread",
                  p->used_cpu_sys_main_thread_us);
    info_cpu_line(b, "used_cpu_user_main_thread",
                  p->used_cpu_user_main_thread_us);
}

static void
info_sentinel(struct sn_core *core, struct sn_buf *b,
              const struct sn_cmd_proc *p, int64_t now_ms)
{
    struct sn_master **ms;
    int64_t since = sn_core_tilt_since_ms(core);
    bool tilt = sn_core_tilt(core);
    int n, i;

    ms = sn_core_masters(core, &n);
    sn_buf_printf(b,
        "# Sentinel\r\n"
        "sentinel_masters:%d\r\n"
        "sentinel_tilt:%d\r\n"
        "sentinel_tilt_since_seconds:%" PRId64 "\r\n"
        "sentinel_running_scripts:%d\r\n"
        "sentinel_scripts_queue_length:%d\r\n"
        "sentinel_simulate_failure_flags:%u\r\n",
        n, tilt ? 1 : 0,
        tilt && since >= 0 ? (now_ms - since) / 1000 : -1,
        p->scripts_running, p->scripts_queued,
        sn_core_simulate_failure_flags(core));
    for (i = 0; i < n; i++) {
        const struct sn_master *m = ms[i];
        const char *status = m->inst.flags & SN_F_O_DOWN   ? "odown"
                             : m->inst.flags & SN_F_S_DOWN ? "sdown"
                                                           : "ok";

        /* As Redis: host:port, no brackets even for IPv6. */
        sn_buf_printf(b, "master%d:name=%s,status=%s,address=%s:%d,"
                      "slaves=%d,sentinels=%d\r\n", i, m->inst.name,
                      status, sn_inst_announce_host(core, &m->inst),
                      m->inst.port, m->replicas_len, m->sentinels_len + 1);
    }
}

/* The sections asked for: none, all, default or everything mean the five;
 * others are dropped silently. */
static unsigned
info_sections(int argc, char **argv, const size_t *argvlen)
{
    static const struct {
        const char *name;
        unsigned bits;
    } names[] = {
        {"server", INFO_SERVER},     {"clients", INFO_CLIENTS},
        {"stats", INFO_STATS},       {"cpu", INFO_CPU},
        {"sentinel", INFO_SENTINEL}, {"all", INFO_ALL},
        {"default", INFO_ALL},       {"everything", INFO_ALL},
    };
    unsigned bits = 0;
    size_t k;
    int i;

    if (argc == 1)
        return INFO_ALL;
    for (i = 1; i < argc; i++)
        for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
            if (argvlen[i] == strlen(names[k].name) &&
                strncasecmp(argv[i], names[k].name, argvlen[i]) == 0)
                bits |= names[k].bits;
    return bits;
}

/* The sections come in Redis's order whatever the order asked, a blank
 * line between two; INFO is a bulk string even in RESP3 for a sentinel. */
void
sn_command_info(struct sn_core *core, const struct sn_cmd_ctx *ctx,
                int argc, char **argv, const size_t *argvlen,
                struct sn_buf *out, int64_t now_ms)
{
    unsigned bits = info_sections(argc, argv, argvlen);
    struct sn_resp_writer w;
    struct sn_cmd_proc p;
    struct sn_buf b;

    memset(&p, 0, sizeof(p));
    if (ctx->proc_fill != NULL)
        ctx->proc_fill(ctx->arg, &p);
    sn_buf_init(&b);
    if (bits & INFO_SERVER)
        info_server(&b, &p);
    if (bits & INFO_CLIENTS) {
        if (b.len > 0)
            sn_buf_puts(&b, "\r\n");
        info_clients(&b, &p);
    }
    if (bits & INFO_STATS) {
        if (b.len > 0)
            sn_buf_puts(&b, "\r\n");
        info_stats(&b, &p);
    }
    if (bits & INFO_CPU) {
        if (b.len > 0)
            sn_buf_puts(&b, "\r\n");
        info_cpu(&b, &p);
    }
    if (bits & INFO_SENTINEL) {
        if (b.len > 0)
            sn_buf_puts(&b, "\r\n");
        info_sentinel(core, &b, &p, now_ms);
    }
    sn_resp_writer_init(&w, out, ctx->proto);
    sn_resp_write_bulk(&w, b.data != NULL ? b.data : "", b.len);
    sn_buf_free(&b);
}
