/*
 * fleet: thousands of fake Redis endpoints served from one process.
 *
 * A benchmark of a sentinel's cost per monitored master needs a thousand
 * masters with two replicas each; a thousand real redis-servers do not fit
 * on a small machine, and their own noise would drown what is measured.
 * This program answers, on one loopback port per endpoint, the commands a
 * sentinel sends to the servers it watches, with the same bytes Redis 7
 * would send back:
 *
 *   PING, ECHO, QUIT, AUTH, INFO [section] (server, clients, replication
 *   as Redis 7 prints them), ROLE, SUBSCRIBE/UNSUBSCRIBE/PUBLISH (the
 *   __sentinel__:hello channel fans out to that endpoint's subscribers),
 *   CLIENT SETNAME/KILL/..., MULTI/EXEC/DISCARD, SLAVEOF/REPLICAOF host
 *   port | NO ONE, CONFIG REWRITE/SET/GET, COMMAND, SCRIPT KILL.
 *
 * Endpoints come in groups: a master followed by its replicas, which
 * replicate from it. SLAVEOF changes an endpoint's role as it would change
 * a real server's, so a sentinel can fail a master over inside the fleet.
 *
 * A control port speaks RESP too, so redis-cli drives it:
 *
 *   KILL port...     the endpoint dies as with kill -9: its listener and
 *                    every connection to it are closed; replies :n
 *   FREEZE port...   the endpoint hangs as with SIGSTOP: it stops reading
 *                    and accepting, connections stay open; replies :n
 *   REVIVE port...   a killed or frozen endpoint answers again, in the
 *                    role it had; replies :n
 *   ROLES            one line per endpoint: "port role master_port alive"
 *   STATS            endpoints, alive, masters, clients, commands served
 *   PING, SHUTDOWN
 *
 * Once every listener is bound, the ports file (--ports-file) is written
 * atomically: "control <port>", then "<index> <port> master 0" or
 * "<index> <port> replica <master port>" per endpoint. Its appearance is
 * the signal that the fleet is ready.
 *
 * usage: fleet --masters N [--replicas R] [--base-port P] [--control-port C]
 *              [--ports-file F] [--seed S]
 *
 * With --base-port 0 (the default) the kernel picks every port; otherwise
 * endpoint i listens on P + i. Everything is bound to 127.0.0.1 only.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

/* Limits: a sentinel's requests are small; anything beyond these is not
 * a sentinel and gets an error and a closed connection. */
#define FLEET_ARGS_MAX          4096    /* KILL of thousands of ports */
#define FLEET_QUEUED_ARGS_MAX   16      /* a command inside MULTI */
#define FLEET_ARG_LEN_MAX       (64 * 1024)
#define FLEET_REQUEST_LEN_MAX   (1024 * 1024)
#define FLEET_QUEUED_MAX        32
#define FLEET_ENDPOINTS_MAX     30000
#define FLEET_INFO_LEN_MAX      (64 * 1024)

#define HELLO_CHANNEL           "__sentinel__:hello"
#define FLEET_HOST              "127.0.0.1"

enum fleet_role {
    FLEET_ROLE_MASTER,
    FLEET_ROLE_REPLICA,
};

enum fleet_state {
    FLEET_STATE_ALIVE,
    FLEET_STATE_KILLED,         /* no listener, no connections */
    FLEET_STATE_FROZEN,         /* listener and connections kept, silent */
};

struct fleet_client;

struct fleet_endpoint {
    int                      index;
    int                      port;
    enum fleet_role          role;
    enum fleet_state         state;
    char                     master_host[64];
    int                      master_port;   /* when a replica */
    int64_t                  role_since_ms; /* last SLAVEOF */
    int64_t                  state_since_ms;
    char                     run_id[41];
    char                     replid[41];
    struct evconnlistener   *listener;
    struct fleet_client     *clients;       /* doubly linked */
    int                      nclients;
};

/* One argument of a request, pointing into the connection's input buffer
 * while the request runs, or owned when queued by MULTI. */
struct fleet_arg {
    char    *ptr;
    size_t   len;
};

struct fleet_queued {
    int              argc;
    struct fleet_arg argv[FLEET_QUEUED_ARGS_MAX];
};

struct fleet_client {
    struct fleet_endpoint  *ep;         /* NULL on the control port */
    struct bufferevent     *bev;
    struct fleet_client    *prev, *next;
    bool                    subscribed_hello;
    int                     nsubs;      /* channels, hello included */
    bool                    in_multi;
    bool                    multi_error;
    int                     nqueued;
    struct fleet_queued    *queued;     /* FLEET_QUEUED_MAX, on demand */
    bool                    closing;
};

struct fleet {
    struct event_base       *base;
    struct fleet_endpoint   *eps;
    int                      neps;
    int                      replicas;
    int16_t                 *by_port;   /* port -> index + 1, 0 if none */
    struct evconnlistener   *control;
    int                      control_port;
    struct fleet_client     *control_clients;
    uint64_t                 commands;
    int64_t                  start_ms;
    int                      nclients;
    bool                     shutdown;  /* exit once the reply is sent */
};

static struct fleet fleet;

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */
/* ---------------------------------------------------------------------- */

static int64_t
fleet_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
fleet_die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("fleet: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* A 40-hex-digit id that depends on the seed, the port and a salt, so
 * each endpoint has its own run_id and every run of a seed the same. */
static void
fleet_make_id(char out[41], uint64_t seed, int port, uint64_t salt)
{
    uint64_t x = seed ^ ((uint64_t)port << 20) ^ (salt * 0x9e3779b97f4a7c15u);
    int i;

    for (i = 0; i < 5; i++) {
        /* splitmix64 */
        x += 0x9e3779b97f4a7c15u;
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        z ^= z >> 31;
        snprintf(out + i * 8, 9, "%08" PRIx32, (uint32_t)z);
    }
    out[40] = '\0';
}

static bool
fleet_arg_is(const struct fleet_arg *a, const char *s)
{
    size_t n = strlen(s);

    return a->len == n && strncasecmp(a->ptr, s, n) == 0;
}

static bool
fleet_arg_int(const struct fleet_arg *a, long *out)
{
    char tmp[32];
    char *end;

    if (a->len == 0 || a->len >= sizeof(tmp))
        return false;
    memcpy(tmp, a->ptr, a->len);
    tmp[a->len] = '\0';
    errno = 0;
    *out = strtol(tmp, &end, 10);
    return errno == 0 && *end == '\0';
}

static struct fleet_endpoint *
fleet_endpoint_by_port(long port)
{
    int i;

    if (port <= 0 || port > 65535)
        return NULL;
    i = fleet.by_port[port];
    return i == 0 ? NULL : &fleet.eps[i - 1];
}

/* Replication offset: grows with time, the same for every endpoint, so
 * that no replica looks behind and a sentinel's choice falls to its
 * tie-break rules. */
static long long
fleet_offset(void)
{
    return 1000 + (fleet_now_ms() - fleet.start_ms) * 10;
}

/* ---------------------------------------------------------------------- */
/* Replies                                                                */
/* ---------------------------------------------------------------------- */

static void
reply_status(struct evbuffer *out, const char *s)
{
    evbuffer_add_printf(out, "+%s\r\n", s);
}

static void
reply_error(struct evbuffer *out, const char *fmt, ...)
{
    va_list ap;

    evbuffer_add(out, "-", 1);
    va_start(ap, fmt);
    evbuffer_add_vprintf(out, fmt, ap);
    va_end(ap);
    evbuffer_add(out, "\r\n", 2);
}

static void
reply_int(struct evbuffer *out, long long v)
{
    evbuffer_add_printf(out, ":%lld\r\n", v);
}

static void
reply_bulk(struct evbuffer *out, const char *p, size_t len)
{
    evbuffer_add_printf(out, "$%zu\r\n", len);
    evbuffer_add(out, p, len);
    evbuffer_add(out, "\r\n", 2);
}

static void
reply_cstr(struct evbuffer *out, const char *s)
{
    reply_bulk(out, s, strlen(s));
}

static void
reply_array(struct evbuffer *out, long n)
{
    evbuffer_add_printf(out, "*%ld\r\n", n);
}

static void
reply_wrong_args(struct evbuffer *out, const struct fleet_arg *cmd)
{
    reply_error(out, "ERR wrong number of arguments for '%.*s' command",
                (int)cmd->len, cmd->ptr);
}

/* ---------------------------------------------------------------------- */
/* Endpoint life                                                          */
/* ---------------------------------------------------------------------- */

static void fleet_client_free(struct fleet_client *c);
static void fleet_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
                            struct sockaddr *sa, int salen, void *arg);

static struct evconnlistener *
fleet_listen(int port, void *arg, int *bound_port)
{
    struct sockaddr_in sin;
    struct evconnlistener *l;
    socklen_t len = sizeof(sin);

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    l = evconnlistener_new_bind(fleet.base, fleet_accept_cb, arg,
                                LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
                                511, (struct sockaddr *)&sin, sizeof(sin));
    if (l == NULL)
        return NULL;
    if (getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&sin,
                    &len) == 0)
        *bound_port = ntohs(sin.sin_port);
    return l;
}

static void
fleet_endpoint_kill(struct fleet_endpoint *ep)
{
    if (ep->listener != NULL) {
        evconnlistener_free(ep->listener);
        ep->listener = NULL;
    }
    while (ep->clients != NULL)
        fleet_client_free(ep->clients);
    ep->state = FLEET_STATE_KILLED;
    ep->state_since_ms = fleet_now_ms();
}

static void
fleet_endpoint_freeze(struct fleet_endpoint *ep)
{
    struct fleet_client *c;

    if (ep->state != FLEET_STATE_ALIVE)
        return;
    /* The kernel still completes handshakes into the backlog, as it does
     * for a stopped process. */
    evconnlistener_disable(ep->listener);
    for (c = ep->clients; c != NULL; c = c->next)
        bufferevent_disable(c->bev, EV_READ);
    ep->state = FLEET_STATE_FROZEN;
    ep->state_since_ms = fleet_now_ms();
}

static bool
fleet_endpoint_revive(struct fleet_endpoint *ep)
{
    struct fleet_client *c;
    int port = ep->port;

    switch (ep->state) {
    case FLEET_STATE_ALIVE:
        return false;
    case FLEET_STATE_FROZEN:
        evconnlistener_enable(ep->listener);
        for (c = ep->clients; c != NULL; c = c->next)
            bufferevent_enable(c->bev, EV_READ);
        break;
    case FLEET_STATE_KILLED:
        ep->listener = fleet_listen(ep->port, ep, &port);
        if (ep->listener == NULL) {
            fprintf(stderr, "fleet: cannot listen again on %d: %s\n",
                    ep->port, strerror(errno));
            return false;
        }
        /* A restarted server has a new run_id. */
        fleet_make_id(ep->run_id, (uint64_t)fleet_now_ms(), ep->port, 3);
        break;
    }
    ep->state = FLEET_STATE_ALIVE;
    ep->state_since_ms = fleet_now_ms();
    return true;
}

/* ---------------------------------------------------------------------- */
/* INFO                                                                   */
/* ---------------------------------------------------------------------- */

/* Whether a replica's link to its master is up: the master must be an
 * endpoint of the fleet, alive. */
static bool
fleet_link_up(const struct fleet_endpoint *ep)
{
    const struct fleet_endpoint *m = fleet_endpoint_by_port(ep->master_port);

    return m != NULL && m != ep && m->state == FLEET_STATE_ALIVE &&
           strcmp(ep->master_host, FLEET_HOST) == 0;
}

static long
fleet_link_down_since_s(const struct fleet_endpoint *ep)
{
    const struct fleet_endpoint *m = fleet_endpoint_by_port(ep->master_port);
    int64_t since = ep->role_since_ms;

    if (m != NULL && m->state != FLEET_STATE_ALIVE &&
        m->state_since_ms > since)
        since = m->state_since_ms;
    return (long)((fleet_now_ms() - since) / 1000);
}

static void
fleet_info_server(struct evbuffer *b, const struct fleet_endpoint *ep)
{
    evbuffer_add_printf(b,
        "# Server\r\n"
        "redis_version:7.0.15\r\n"
        "redis_git_sha1:00000000\r\n"
        "redis_git_dirty:0\r\n"
        "redis_build_id:fleet\r\n"
        "redis_mode:standalone\r\n"
        "os:Linux\r\n"
        "arch_bits:64\r\n"
        "multiplexing_api:epoll\r\n"
        "process_id:%ld\r\n"
        "process_supervised:no\r\n"
        "run_id:%s\r\n"
        "tcp_port:%d\r\n"
        "uptime_in_seconds:%ld\r\n"
        "uptime_in_days:0\r\n"
        "hz:10\r\n"
        "configured_hz:10\r\n"
        "executable:/usr/bin/redis-server\r\n"
        "config_file:\r\n"
        "\r\n",
        (long)getpid(), ep->run_id, ep->port,
        (long)((fleet_now_ms() - fleet.start_ms) / 1000));
}

static void
fleet_info_clients(struct evbuffer *b, const struct fleet_endpoint *ep)
{
    evbuffer_add_printf(b,
        "# Clients\r\n"
        "connected_clients:%d\r\n"
        "cluster_connections:0\r\n"
        "maxclients:10000\r\n"
        "blocked_clients:0\r\n"
        "\r\n", ep->nclients);
}

/* The slaveN lines: every live endpoint that replicates from this one. */
static int
fleet_info_replica_lines(struct evbuffer *b, const struct fleet_endpoint *ep,
                         long long off)
{
    int i, n = 0;

    for (i = 0; i < fleet.neps; i++) {
        const struct fleet_endpoint *r = &fleet.eps[i];

        if (r == ep || r->role != FLEET_ROLE_REPLICA ||
            r->state != FLEET_STATE_ALIVE || r->master_port != ep->port ||
            strcmp(r->master_host, FLEET_HOST) != 0)
            continue;
        evbuffer_add_printf(b,
            "slave%d:ip=%s,port=%d,state=online,offset=%lld,lag=0\r\n",
            n, FLEET_HOST, r->port, off);
        n++;
    }
    return n;
}

static int
fleet_count_replicas(const struct fleet_endpoint *ep)
{
    int i, n = 0;

    for (i = 0; i < fleet.neps; i++) {
        const struct fleet_endpoint *r = &fleet.eps[i];

        if (r != ep && r->role == FLEET_ROLE_REPLICA &&
            r->state == FLEET_STATE_ALIVE && r->master_port == ep->port &&
            strcmp(r->master_host, FLEET_HOST) == 0)
            n++;
    }
    return n;
}

static void
fleet_info_replication(struct evbuffer *b, const struct fleet_endpoint *ep)
{
    long long off = fleet_offset();

    evbuffer_add_printf(b, "# Replication\r\n");
    if (ep->role == FLEET_ROLE_MASTER) {
        evbuffer_add_printf(b, "role:master\r\n");
    } else {
        bool up = fleet_link_up(ep);

        evbuffer_add_printf(b,
            "role:slave\r\n"
            "master_host:%s\r\n"
            "master_port:%d\r\n"
            "master_link_status:%s\r\n"
            "master_last_io_seconds_ago:%d\r\n"
            "master_sync_in_progress:0\r\n"
            "slave_read_repl_offset:%lld\r\n"
            "slave_repl_offset:%lld\r\n",
            ep->master_host, ep->master_port, up ? "up" : "down",
            up ? 0 : -1, off, off);
        if (!up)
            evbuffer_add_printf(b, "master_link_down_since_seconds:%ld\r\n",
                                fleet_link_down_since_s(ep));
        evbuffer_add_printf(b,
            "slave_priority:100\r\n"
            "slave_read_only:1\r\n"
            "replica_announced:1\r\n");
    }
    evbuffer_add_printf(b, "connected_slaves:%d\r\n",
                        fleet_count_replicas(ep));
    fleet_info_replica_lines(b, ep, off);
    evbuffer_add_printf(b,
        "master_failover_state:no-failover\r\n"
        "master_replid:%s\r\n"
        "master_replid2:0000000000000000000000000000000000000000\r\n"
        "master_repl_offset:%lld\r\n"
        "second_repl_offset:-1\r\n"
        "repl_backlog_active:1\r\n"
        "repl_backlog_size:1048576\r\n"
        "repl_backlog_first_byte_offset:1\r\n"
        "repl_backlog_histlen:%lld\r\n"
        "\r\n", ep->replid, off, off - 1);
}

static void
cmd_info(struct fleet_client *c, int argc, struct fleet_arg *argv,
         struct evbuffer *out)
{
    struct evbuffer *b = evbuffer_new();
    bool all = argc == 1;
    bool server = false, clients = false, repl = false;
    size_t len;
    int i;

    for (i = 1; i < argc; i++) {
        if (fleet_arg_is(&argv[i], "all") ||
            fleet_arg_is(&argv[i], "default") ||
            fleet_arg_is(&argv[i], "everything"))
            all = true;
        else if (fleet_arg_is(&argv[i], "server"))
            server = true;
        else if (fleet_arg_is(&argv[i], "clients"))
            clients = true;
        else if (fleet_arg_is(&argv[i], "replication"))
            repl = true;
    }
    if (all || server)
        fleet_info_server(b, c->ep);
    if (all || clients)
        fleet_info_clients(b, c->ep);
    if (all || repl)
        fleet_info_replication(b, c->ep);
    /* Redis ends the text without the last section's blank line. */
    len = evbuffer_get_length(b);
    if (len >= 2)
        len -= 2;
    evbuffer_add_printf(out, "$%zu\r\n", len);
    evbuffer_remove_buffer(b, out, len);
    evbuffer_add(out, "\r\n", 2);
    evbuffer_free(b);
}

/* ---------------------------------------------------------------------- */
/* Endpoint commands                                                      */
/* ---------------------------------------------------------------------- */

static void
cmd_role(struct fleet_client *c, struct evbuffer *out)
{
    struct fleet_endpoint *ep = c->ep;
    long long off = fleet_offset();
    int i;

    if (ep->role == FLEET_ROLE_REPLICA) {
        reply_array(out, 5);
        reply_cstr(out, "slave");
        reply_cstr(out, ep->master_host);
        reply_int(out, ep->master_port);
        reply_cstr(out, fleet_link_up(ep) ? "connected" : "connect");
        reply_int(out, off);
        return;
    }
    reply_array(out, 3);
    reply_cstr(out, "master");
    reply_int(out, off);
    reply_array(out, fleet_count_replicas(ep));
    for (i = 0; i < fleet.neps; i++) {
        const struct fleet_endpoint *r = &fleet.eps[i];
        char port[16], offs[32];

        if (r == ep || r->role != FLEET_ROLE_REPLICA ||
            r->state != FLEET_STATE_ALIVE || r->master_port != ep->port ||
            strcmp(r->master_host, FLEET_HOST) != 0)
            continue;
        snprintf(port, sizeof(port), "%d", r->port);
        snprintf(offs, sizeof(offs), "%lld", off);
        reply_array(out, 3);
        reply_cstr(out, FLEET_HOST);
        reply_cstr(out, port);
        reply_cstr(out, offs);
    }
}

static void
cmd_slaveof(struct fleet_client *c, int argc, struct fleet_arg *argv,
            struct evbuffer *out)
{
    struct fleet_endpoint *ep = c->ep;
    long port;

    if (argc != 3) {
        reply_wrong_args(out, &argv[0]);
        return;
    }
    if (fleet_arg_is(&argv[1], "no") && fleet_arg_is(&argv[2], "one")) {
        if (ep->role != FLEET_ROLE_MASTER) {
            ep->role = FLEET_ROLE_MASTER;
            ep->role_since_ms = fleet_now_ms();
            /* A promoted replica starts a new replication history. */
            fleet_make_id(ep->replid, (uint64_t)fleet_now_ms(), ep->port, 2);
        }
        reply_status(out, "OK");
        return;
    }
    if (!fleet_arg_int(&argv[2], &port) || port <= 0 || port > 65535 ||
        argv[1].len >= sizeof(ep->master_host)) {
        reply_error(out, "ERR Invalid master port");
        return;
    }
    ep->role = FLEET_ROLE_REPLICA;
    memcpy(ep->master_host, argv[1].ptr, argv[1].len);
    ep->master_host[argv[1].len] = '\0';
    ep->master_port = (int)port;
    ep->role_since_ms = fleet_now_ms();
    reply_status(out, "OK");
}

static void
cmd_client(int argc, struct fleet_arg *argv, struct evbuffer *out)
{
    if (argc < 2) {
        reply_wrong_args(out, &argv[0]);
        return;
    }
    if (fleet_arg_is(&argv[1], "kill")) {
        /* The old form names one client; the filter form counts. No
         * client is killed: the sentinel's own links are all there is. */
        if (argc == 3)
            reply_error(out, "ERR No such client");
        else
            reply_int(out, 0);
    } else if (fleet_arg_is(&argv[1], "id")) {
        reply_int(out, 1);
    } else if (fleet_arg_is(&argv[1], "getname")) {
        evbuffer_add(out, "$-1\r\n", 5);
    } else {
        reply_status(out, "OK");
    }
}

static void
cmd_config(int argc, struct fleet_arg *argv, struct evbuffer *out)
{
    if (argc >= 2 && fleet_arg_is(&argv[1], "get"))
        reply_array(out, 0);
    else
        reply_status(out, "OK");
}

static void
cmd_subscribe(struct fleet_client *c, int argc, struct fleet_arg *argv,
              struct evbuffer *out)
{
    int i;

    if (argc < 2) {
        reply_wrong_args(out, &argv[0]);
        return;
    }
    for (i = 1; i < argc; i++) {
        if (fleet_arg_is(&argv[i], HELLO_CHANNEL)) {
            if (!c->subscribed_hello)
                c->nsubs++;
            c->subscribed_hello = true;
        } else {
            c->nsubs++;
        }
        reply_array(out, 3);
        reply_cstr(out, "subscribe");
        reply_bulk(out, argv[i].ptr, argv[i].len);
        reply_int(out, c->nsubs);
    }
}

static void
cmd_unsubscribe(struct fleet_client *c, struct evbuffer *out)
{
    c->subscribed_hello = false;
    c->nsubs = 0;
    reply_array(out, 3);
    reply_cstr(out, "unsubscribe");
    evbuffer_add(out, "$-1\r\n", 5);
    reply_int(out, 0);
}

static void
cmd_publish(struct fleet_client *c, int argc, struct fleet_arg *argv,
            struct evbuffer *out)
{
    struct fleet_client *s;
    long long n = 0;

    if (argc != 3) {
        reply_wrong_args(out, &argv[0]);
        return;
    }
    if (fleet_arg_is(&argv[1], HELLO_CHANNEL)) {
        for (s = c->ep->clients; s != NULL; s = s->next) {
            struct evbuffer *o;

            if (!s->subscribed_hello || s->closing)
                continue;
            o = bufferevent_get_output(s->bev);
            reply_array(o, 3);
            reply_cstr(o, "message");
            reply_cstr(o, HELLO_CHANNEL);
            reply_bulk(o, argv[2].ptr, argv[2].len);
            n++;
        }
    }
    reply_int(out, n);
}

static void
cmd_ping(struct fleet_client *c, int argc, struct fleet_arg *argv,
         struct evbuffer *out)
{
    if (c->nsubs > 0) {
        reply_array(out, 2);
        reply_cstr(out, "pong");
        if (argc > 1)
            reply_bulk(out, argv[1].ptr, argv[1].len);
        else
            reply_cstr(out, "");
    } else if (argc > 1) {
        reply_bulk(out, argv[1].ptr, argv[1].len);
    } else {
        reply_status(out, "PONG");
    }
}

/* Runs one command on an endpoint, outside MULTI. */
static void
fleet_exec_endpoint(struct fleet_client *c, int argc, struct fleet_arg *argv,
                    struct evbuffer *out)
{
    struct fleet_arg *cmd = &argv[0];

    fleet.commands++;
    if (c->nsubs > 0 && !fleet_arg_is(cmd, "ping") &&
        !fleet_arg_is(cmd, "subscribe") &&
        !fleet_arg_is(cmd, "unsubscribe") && !fleet_arg_is(cmd, "quit")) {
        reply_error(out, "ERR Can't execute '%.*s': only (P)SUBSCRIBE / "
                    "(P)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                    "this context", (int)cmd->len, cmd->ptr);
        return;
    }
    if (fleet_arg_is(cmd, "ping"))
        cmd_ping(c, argc, argv, out);
    else if (fleet_arg_is(cmd, "info"))
        cmd_info(c, argc, argv, out);
    else if (fleet_arg_is(cmd, "publish"))
        cmd_publish(c, argc, argv, out);
    else if (fleet_arg_is(cmd, "subscribe"))
        cmd_subscribe(c, argc, argv, out);
    else if (fleet_arg_is(cmd, "unsubscribe"))
        cmd_unsubscribe(c, out);
    else if (fleet_arg_is(cmd, "client"))
        cmd_client(argc, argv, out);
    else if (fleet_arg_is(cmd, "slaveof") || fleet_arg_is(cmd, "replicaof"))
        cmd_slaveof(c, argc, argv, out);
    else if (fleet_arg_is(cmd, "config"))
        cmd_config(argc, argv, out);
    else if (fleet_arg_is(cmd, "role"))
        cmd_role(c, out);
    else if (fleet_arg_is(cmd, "auth") || fleet_arg_is(cmd, "select"))
        reply_status(out, "OK");
    else if (fleet_arg_is(cmd, "echo") && argc == 2)
        reply_bulk(out, argv[1].ptr, argv[1].len);
    else if (fleet_arg_is(cmd, "command"))
        reply_array(out, 0);
    else if (fleet_arg_is(cmd, "script"))
        reply_error(out, "NOTBUSY No scripts in execution right now.");
    else if (fleet_arg_is(cmd, "quit")) {
        reply_status(out, "OK");
        c->closing = true;
    } else
        reply_error(out, "ERR unknown command '%.*s', with args beginning "
                    "with: ", (int)cmd->len, cmd->ptr);
}

static void
fleet_queue_free(struct fleet_client *c)
{
    int i, j;

    for (i = 0; i < c->nqueued; i++)
        for (j = 0; j < c->queued[i].argc; j++)
            free(c->queued[i].argv[j].ptr);
    c->nqueued = 0;
    c->in_multi = false;
    c->multi_error = false;
}

static void
fleet_queue_add(struct fleet_client *c, int argc, struct fleet_arg *argv,
                struct evbuffer *out)
{
    struct fleet_queued *q;
    int i;

    if (c->nqueued == FLEET_QUEUED_MAX || argc > FLEET_QUEUED_ARGS_MAX) {
        c->multi_error = true;
        reply_error(out, "ERR fleet: more than %d queued commands or %d "
                    "arguments", FLEET_QUEUED_MAX, FLEET_QUEUED_ARGS_MAX);
        return;
    }
    if (c->queued == NULL) {
        c->queued = calloc(FLEET_QUEUED_MAX, sizeof(*c->queued));
        if (c->queued == NULL)
            fleet_die("out of memory");
    }
    q = &c->queued[c->nqueued++];
    q->argc = argc;
    for (i = 0; i < argc; i++) {
        q->argv[i].ptr = malloc(argv[i].len + 1);
        if (q->argv[i].ptr == NULL)
            fleet_die("out of memory");
        memcpy(q->argv[i].ptr, argv[i].ptr, argv[i].len);
        q->argv[i].ptr[argv[i].len] = '\0';
        q->argv[i].len = argv[i].len;
    }
    reply_status(out, "QUEUED");
}

/* MULTI/EXEC around the endpoint commands: EXEC's reply is the array
 * header followed by each queued command's reply, in order. */
static void
fleet_dispatch_endpoint(struct fleet_client *c, int argc,
                        struct fleet_arg *argv, struct evbuffer *out)
{
    struct fleet_arg *cmd = &argv[0];
    int i;

    if (fleet_arg_is(cmd, "multi")) {
        if (c->in_multi) {
            reply_error(out, "ERR MULTI calls can not be nested");
            return;
        }
        c->in_multi = true;
        reply_status(out, "OK");
    } else if (fleet_arg_is(cmd, "exec")) {
        if (!c->in_multi) {
            reply_error(out, "ERR EXEC without MULTI");
            return;
        }
        if (c->multi_error) {
            reply_error(out, "EXECABORT Transaction discarded because of "
                        "previous errors.");
        } else {
            reply_array(out, c->nqueued);
            for (i = 0; i < c->nqueued; i++)
                fleet_exec_endpoint(c, c->queued[i].argc, c->queued[i].argv,
                                    out);
        }
        fleet_queue_free(c);
    } else if (fleet_arg_is(cmd, "discard")) {
        if (!c->in_multi) {
            reply_error(out, "ERR DISCARD without MULTI");
            return;
        }
        fleet_queue_free(c);
        reply_status(out, "OK");
    } else if (c->in_multi) {
        fleet_queue_add(c, argc, argv, out);
    } else {
        fleet_exec_endpoint(c, argc, argv, out);
    }
}

/* ---------------------------------------------------------------------- */
/* Control commands                                                       */
/* ---------------------------------------------------------------------- */

static void
ctl_each_port(int argc, struct fleet_arg *argv, struct evbuffer *out,
              const char *what)
{
    long port, n = 0;
    int i;

    for (i = 1; i < argc; i++) {
        struct fleet_endpoint *ep;

        if (!fleet_arg_int(&argv[i], &port) ||
            (ep = fleet_endpoint_by_port(port)) == NULL) {
            reply_error(out, "ERR no endpoint on port '%.*s'",
                        (int)argv[i].len, argv[i].ptr);
            return;
        }
        if (strcmp(what, "kill") == 0) {
            if (ep->state != FLEET_STATE_KILLED) {
                fleet_endpoint_kill(ep);
                n++;
            }
        } else if (strcmp(what, "freeze") == 0) {
            if (ep->state == FLEET_STATE_ALIVE) {
                fleet_endpoint_freeze(ep);
                n++;
            }
        } else if (fleet_endpoint_revive(ep)) {
            n++;
        }
    }
    reply_int(out, n);
}

static void
ctl_roles(struct evbuffer *out)
{
    struct evbuffer *b = evbuffer_new();
    static const char *state[] = { "alive", "killed", "frozen" };
    int i;

    for (i = 0; i < fleet.neps; i++) {
        const struct fleet_endpoint *ep = &fleet.eps[i];

        evbuffer_add_printf(b, "%d %s %d %s\n", ep->port,
                            ep->role == FLEET_ROLE_MASTER ? "master"
                                                          : "replica",
                            ep->role == FLEET_ROLE_MASTER ? 0
                                                          : ep->master_port,
                            state[ep->state]);
    }
    evbuffer_add_printf(out, "$%zu\r\n", evbuffer_get_length(b));
    evbuffer_add_buffer(out, b);
    evbuffer_add(out, "\r\n", 2);
    evbuffer_free(b);
}

static void
ctl_stats(struct evbuffer *out)
{
    char text[512];
    int i, alive = 0, masters = 0;

    for (i = 0; i < fleet.neps; i++) {
        alive += fleet.eps[i].state == FLEET_STATE_ALIVE;
        masters += fleet.eps[i].role == FLEET_ROLE_MASTER &&
                   fleet.eps[i].state == FLEET_STATE_ALIVE;
    }
    snprintf(text, sizeof(text),
             "endpoints:%d\nalive:%d\nmasters:%d\nclients:%d\n"
             "commands:%" PRIu64 "\n",
             fleet.neps, alive, masters, fleet.nclients, fleet.commands);
    reply_cstr(out, text);
}

static void
fleet_dispatch_control(struct fleet_client *c, int argc,
                       struct fleet_arg *argv, struct evbuffer *out)
{
    struct fleet_arg *cmd = &argv[0];

    if (fleet_arg_is(cmd, "ping"))
        reply_status(out, "PONG");
    else if (fleet_arg_is(cmd, "kill"))
        ctl_each_port(argc, argv, out, "kill");
    else if (fleet_arg_is(cmd, "freeze"))
        ctl_each_port(argc, argv, out, "freeze");
    else if (fleet_arg_is(cmd, "revive"))
        ctl_each_port(argc, argv, out, "revive");
    else if (fleet_arg_is(cmd, "roles"))
        ctl_roles(out);
    else if (fleet_arg_is(cmd, "stats"))
        ctl_stats(out);
    else if (fleet_arg_is(cmd, "shutdown")) {
        /* The loop ends when this reply has gone out and the client is
         * freed. */
        reply_status(out, "OK");
        c->closing = true;
        fleet.shutdown = true;
    } else
        reply_error(out, "ERR unknown control command '%.*s'",
                    (int)cmd->len, cmd->ptr);
}

/* ---------------------------------------------------------------------- */
/* Request parsing                                                        */
/* ---------------------------------------------------------------------- */

enum fleet_parse {
    FLEET_PARSE_OK,
    FLEET_PARSE_MORE,
    FLEET_PARSE_ERROR,
};

static const char *
fleet_find_crlf(const char *p, const char *end)
{
    const char *q = memchr(p, '\r', (size_t)(end - p));

    return q != NULL && q + 1 < end && q[1] == '\n' ? q : NULL;
}

/* Parses an inline request: words separated by blanks, ending at \n. */
static enum fleet_parse
fleet_parse_inline(char *p, char *end, int *argc, struct fleet_arg *argv,
                   size_t *used)
{
    char *nl = memchr(p, '\n', (size_t)(end - p));
    char *q, *stop;

    if (nl == NULL)
        return end - p > FLEET_ARG_LEN_MAX ? FLEET_PARSE_ERROR
                                           : FLEET_PARSE_MORE;
    stop = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
    *argc = 0;
    for (q = p; q < stop;) {
        while (q < stop && (*q == ' ' || *q == '\t'))
            q++;
        if (q == stop)
            break;
        if (*argc == FLEET_ARGS_MAX)
            return FLEET_PARSE_ERROR;
        argv[*argc].ptr = q;
        while (q < stop && *q != ' ' && *q != '\t')
            q++;
        argv[*argc].len = (size_t)(q - argv[*argc].ptr);
        (*argc)++;
    }
    *used = (size_t)(nl + 1 - p);
    return FLEET_PARSE_OK;
}

/* Parses one request from p..end: a multibulk (*N then $len lines) or an
 * inline command. On FLEET_PARSE_OK, argv points into the buffer and
 * *used is the request's length; *argc may be 0 for an empty line. */
static enum fleet_parse
fleet_parse(char *p, char *end, int *argc, struct fleet_arg *argv,
            size_t *used)
{
    const char *crlf;
    char *q = p;
    long n, len;
    int i;

    if (p == end)
        return FLEET_PARSE_MORE;
    if (*p != '*')
        return fleet_parse_inline(p, end, argc, argv, used);
    if ((crlf = fleet_find_crlf(q, end)) == NULL)
        return end - q > 32 ? FLEET_PARSE_ERROR : FLEET_PARSE_MORE;
    n = strtol(q + 1, NULL, 10);
    if (n < 0 || n > FLEET_ARGS_MAX)
        return FLEET_PARSE_ERROR;
    q = (char *)crlf + 2;
    for (i = 0; i < n; i++) {
        if (q == end)
            return FLEET_PARSE_MORE;
        if (*q != '$')
            return FLEET_PARSE_ERROR;
        if ((crlf = fleet_find_crlf(q, end)) == NULL)
            return end - q > 32 ? FLEET_PARSE_ERROR : FLEET_PARSE_MORE;
        len = strtol(q + 1, NULL, 10);
        if (len < 0 || len > FLEET_ARG_LEN_MAX)
            return FLEET_PARSE_ERROR;
        q = (char *)crlf + 2;
        if (end - q < len + 2)
            return FLEET_PARSE_MORE;
        argv[i].ptr = q;
        argv[i].len = (size_t)len;
        q += len + 2;
    }
    *argc = (int)n;
    *used = (size_t)(q - p);
    return FLEET_PARSE_OK;
}

/* ---------------------------------------------------------------------- */
/* Connections                                                            */
/* ---------------------------------------------------------------------- */

static void
fleet_client_free(struct fleet_client *c)
{
    struct fleet_endpoint *ep = c->ep;
    struct fleet_client **head = ep != NULL ? &ep->clients
                                            : &fleet.control_clients;

    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        *head = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    if (ep != NULL)
        ep->nclients--;
    fleet_queue_free(c);
    free(c->queued);
    bufferevent_free(c->bev);
    fleet.nclients--;
    if (ep == NULL && c->closing && fleet.shutdown)
        event_base_loopexit(fleet.base, NULL);
    free(c);
}

static void
fleet_write_cb(struct bufferevent *bev, void *arg)
{
    struct fleet_client *c = arg;

    (void)bev;
    if (c->closing)
        fleet_client_free(c);
}

static void
fleet_read_cb(struct bufferevent *bev, void *arg)
{
    struct fleet_client *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    struct evbuffer *out = bufferevent_get_output(bev);
    static struct fleet_arg argv[FLEET_ARGS_MAX];   /* 64 KiB */
    size_t total, used, done = 0;
    enum fleet_parse r;
    char *p;
    int argc;

    if (c->closing)
        return;
    total = evbuffer_get_length(in);
    if (total == 0)
        return;
    p = (char *)evbuffer_pullup(in, -1);
    for (;;) {
        r = fleet_parse(p + done, p + total, &argc, argv, &used);
        if (r != FLEET_PARSE_OK)
            break;
        done += used;
        if (argc == 0)
            continue;
        if (c->ep != NULL)
            fleet_dispatch_endpoint(c, argc, argv, out);
        else
            fleet_dispatch_control(c, argc, argv, out);
        if (c->closing)
            break;
    }
    evbuffer_drain(in, done);
    if (r == FLEET_PARSE_ERROR ||
        evbuffer_get_length(in) > FLEET_REQUEST_LEN_MAX) {
        reply_error(out, "ERR Protocol error");
        c->closing = true;
    }
    if (c->closing) {
        bufferevent_disable(bev, EV_READ);
        if (evbuffer_get_length(out) == 0)
            fleet_client_free(c);
    }
}

static void
fleet_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        fleet_client_free(arg);
}

static void
fleet_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
                struct sockaddr *sa, int salen, void *arg)
{
    struct fleet_endpoint *ep = arg;
    struct fleet_client *c, **head;
    int one = 1;

    (void)l;
    (void)sa;
    (void)salen;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        fleet_die("out of memory");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->ep = ep;
    c->bev = bufferevent_socket_new(fleet.base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (c->bev == NULL) {
        evutil_closesocket(fd);
        free(c);
        return;
    }
    head = ep != NULL ? &ep->clients : &fleet.control_clients;
    c->next = *head;
    if (*head != NULL)
        (*head)->prev = c;
    *head = c;
    if (ep != NULL)
        ep->nclients++;
    fleet.nclients++;
    bufferevent_setcb(c->bev, fleet_read_cb, fleet_write_cb, fleet_event_cb,
                      c);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void
fleet_accept_error_cb(struct evconnlistener *l, void *arg)
{
    int err = EVUTIL_SOCKET_ERROR();

    (void)l;
    (void)arg;
    /* EMFILE: the process is out of descriptors. Keep serving the
     * connections there are; the kernel queues the rest. */
    fprintf(stderr, "fleet: accept: %s\n", evutil_socket_error_to_string(err));
}

/* ---------------------------------------------------------------------- */
/* Start-up                                                               */
/* ---------------------------------------------------------------------- */

static void
fleet_raise_nofile(int need)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < need)
        fprintf(stderr, "fleet: warning: %ld descriptors allowed, about %d "
                "needed for %d endpoints with two links each\n",
                (long)rl.rlim_cur, need, fleet.neps);
}

static void
fleet_write_ports(const char *path)
{
    char tmp[PATH_MAX];
    FILE *f;
    int i;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (f == NULL)
        fleet_die("%s: %s", tmp, strerror(errno));
    fprintf(f, "control %d\n", fleet.control_port);
    for (i = 0; i < fleet.neps; i++) {
        const struct fleet_endpoint *ep = &fleet.eps[i];

        fprintf(f, "%d %d %s %d\n", ep->index, ep->port,
                ep->role == FLEET_ROLE_MASTER ? "master" : "replica",
                ep->role == FLEET_ROLE_MASTER ? 0 : ep->master_port);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        fleet_die("%s: %s", path, strerror(errno));
}

static void
fleet_signal_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    (void)arg;
    event_base_loopexit(fleet.base, NULL);
}

static void
fleet_setup_endpoints(int masters, int base_port, uint64_t seed)
{
    int group = fleet.replicas + 1;
    int i;

    fleet.neps = masters * group;
    fleet.eps = calloc((size_t)fleet.neps, sizeof(*fleet.eps));
    fleet.by_port = calloc(65536, sizeof(*fleet.by_port));
    if (fleet.eps == NULL || fleet.by_port == NULL)
        fleet_die("out of memory");
    for (i = 0; i < fleet.neps; i++) {
        struct fleet_endpoint *ep = &fleet.eps[i];
        int want = base_port == 0 ? 0 : base_port + i;

        ep->index = i;
        if (want > 65535)
            fleet_die("port %d is out of range", want);
        ep->listener = fleet_listen(want, ep, &ep->port);
        if (ep->listener == NULL)
            fleet_die("cannot listen on %s:%d: %s", FLEET_HOST, want,
                      strerror(errno));
        evconnlistener_set_error_cb(ep->listener, fleet_accept_error_cb);
        fleet.by_port[ep->port] = (int16_t)(i + 1);
        fleet_make_id(ep->run_id, seed, ep->port, 1);
        fleet_make_id(ep->replid, seed, ep->port, 2);
        ep->state = FLEET_STATE_ALIVE;
    }
    /* Roles once every port is known: replicas point at the first
     * endpoint of their group. */
    for (i = 0; i < fleet.neps; i++) {
        struct fleet_endpoint *ep = &fleet.eps[i];

        if (i % group == 0) {
            ep->role = FLEET_ROLE_MASTER;
        } else {
            ep->role = FLEET_ROLE_REPLICA;
            ep->master_port = fleet.eps[i - i % group].port;
            snprintf(ep->master_host, sizeof(ep->master_host), "%s",
                     FLEET_HOST);
        }
    }
}

static void
fleet_usage(void)
{
    fprintf(stderr, "usage: fleet --masters N [--replicas R] "
            "[--base-port P] [--control-port C] [--ports-file F] "
            "[--seed S]\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    const char *ports_file = NULL;
    long masters = 0, replicas = 2, base_port = 0, control_port = 0;
    long long seed = 1;
    struct event *sigs[3];
    int i, sig[3] = { SIGINT, SIGTERM, SIGHUP };

    for (i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (v == NULL)
            fleet_usage();
        if (strcmp(o, "--masters") == 0)
            masters = strtol(v, NULL, 10);
        else if (strcmp(o, "--replicas") == 0)
            replicas = strtol(v, NULL, 10);
        else if (strcmp(o, "--base-port") == 0)
            base_port = strtol(v, NULL, 10);
        else if (strcmp(o, "--control-port") == 0)
            control_port = strtol(v, NULL, 10);
        else if (strcmp(o, "--ports-file") == 0)
            ports_file = v;
        else if (strcmp(o, "--seed") == 0)
            seed = strtoll(v, NULL, 10);
        else
            fleet_usage();
        i++;
    }
    if (masters <= 0 || replicas < 0 || replicas > 16 ||
        masters * (replicas + 1) > FLEET_ENDPOINTS_MAX ||
        base_port < 0 || base_port > 65535 ||
        control_port < 0 || control_port > 65535)
        fleet_usage();

    signal(SIGPIPE, SIG_IGN);
    fleet.replicas = (int)replicas;
    fleet.start_ms = fleet_now_ms();
    fleet.base = event_base_new();
    if (fleet.base == NULL)
        fleet_die("event_base_new failed");
    fleet.neps = (int)(masters * (replicas + 1));
    fleet_raise_nofile(fleet.neps * 3 + 64);

    fleet.control = fleet_listen((int)control_port, NULL, &fleet.control_port);
    if (fleet.control == NULL)
        fleet_die("cannot listen on control port %ld: %s", control_port,
                  strerror(errno));
    fleet_setup_endpoints((int)masters, (int)base_port, (uint64_t)seed);
    for (i = 0; i < 3; i++) {
        sigs[i] = evsignal_new(fleet.base, sig[i], fleet_signal_cb, NULL);
        event_add(sigs[i], NULL);
    }
    if (ports_file != NULL)
        fleet_write_ports(ports_file);
    fprintf(stderr, "fleet: %d endpoints (%ld masters), control port %d\n",
            fleet.neps, masters, fleet.control_port);

    event_base_dispatch(fleet.base);

    for (i = 0; i < fleet.neps; i++)
        fleet_endpoint_kill(&fleet.eps[i]);
    while (fleet.control_clients != NULL)
        fleet_client_free(fleet.control_clients);
    evconnlistener_free(fleet.control);
    for (i = 0; i < 3; i++)
        event_free(sigs[i]);
    event_base_free(fleet.base);
    free(fleet.eps);
    free(fleet.by_port);
    return 0;
}
