/*
 * resolve.c: evdns lookups behind a callback that always comes from the
 * loop.
 */
#include "resolve.h"

#include <arpa/inet.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "util.h"

#define DEFAULT_RESOLV_CONF "/etc/resolv.conf"

struct sn_resolve_req {
    struct sn_resolver *owner;
    sn_resolve_fn fn;
    void *arg;
    char *host;
    struct evdns_getaddrinfo_request *gai;
    /* evdns may answer from inside evdns_getaddrinfo (a hosts file entry,
     * an error found at once): the answer then waits here for `done_ev`,
     * and `gai` stays NULL. */
    bool starting;
    bool answered;              /* evdns called back: `gai` is spent */
    bool cancelled;
    char ip[INET6_ADDRSTRLEN];
    char *err;
    struct event *done_ev;
    struct sn_resolve_req *prev, *next;
};

struct sn_resolver {
    struct event_base *base;
    struct evdns_base *dns;
    struct sn_resolve_req *head;
    int pending;
};

/* ---------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------- */

static void
req_free(struct sn_resolve_req *q)
{
    struct sn_resolver *r = q->owner;

    if (q->prev != NULL)
        q->prev->next = q->next;
    else
        r->head = q->next;
    if (q->next != NULL)
        q->next->prev = q->prev;
    r->pending--;
    if (q->done_ev != NULL)
        event_free(q->done_ev);
    free(q->host);
    free(q->err);
    free(q);
}

static void
deliver(struct sn_resolve_req *q)
{
    sn_resolve_fn fn = q->fn;
    void *arg = q->arg;
    char ip[INET6_ADDRSTRLEN];
    char *err = q->err;

    /* The request is gone before the callback runs, so the callback may
     * start a new lookup or free whatever owns `arg`. */
    memcpy(ip, q->ip, sizeof(ip));
    q->err = NULL;
    req_free(q);
    fn(arg, err == NULL ? ip : NULL, err);
    free(err);
}

static void
done_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    deliver(arg);
}

/* The first IPv4 address, else the first IPv6 one: the servers a sentinel
 * watches listen on IPv4 far more often, and hiredis tries IPv4 first when
 * it resolves a name itself. */
static bool
pick_address(const struct evutil_addrinfo *res, char *ip, size_t iplen)
{
    const struct evutil_addrinfo *ai, *v6 = NULL;

    for (ai = res; ai != NULL; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET)
            return inet_ntop(AF_INET,
                             &((struct sockaddr_in *)ai->ai_addr)->sin_addr,
                             ip, (socklen_t)iplen) != NULL;
        if (ai->ai_family == AF_INET6 && v6 == NULL)
            v6 = ai;
    }
    return v6 != NULL &&
           inet_ntop(AF_INET6,
                     &((struct sockaddr_in6 *)v6->ai_addr)->sin6_addr, ip,
                     (socklen_t)iplen) != NULL;
}

static void
gai_cb(int result, struct evutil_addrinfo *res, void *arg)
{
    struct sn_resolve_req *q = arg;

    q->gai = NULL;
    q->answered = true;
    if (q->cancelled) {
        if (res != NULL)
            evutil_freeaddrinfo(res);
        req_free(q);
        return;
    }
    if (result != 0)
        q->err = sn_printf("can't resolve %s: %s", q->host,
                           evutil_gai_strerror(result));
    else if (!pick_address(res, q->ip, sizeof(q->ip)))
        q->err = sn_printf("can't resolve %s: no IPv4 or IPv6 address",
                           q->host);
    if (res != NULL)
        evutil_freeaddrinfo(res);
    if (q->starting)
        event_active(q->done_ev, 0, 0);
    else
        deliver(q);
}

/* ---------------------------------------------------------------------
 * The face
 * ------------------------------------------------------------------- */

static const char *
parse_error(int rc)
{
    switch (rc) {
    case 1:
        return "can't open the file";
    case 2:
        return "can't stat the file";
    case 3:
        return "the file is too large";
    case 4:
        return "out of memory";
    case 5:
        return "short read";
    case 6:
        return "no nameserver listed";
    default:
        return "unknown error";
    }
}

/* libevent writes to stderr unless told otherwise, and the daemon's stderr
 * is not its log. evdns speaks through libevent's log (its own hook,
 * evdns_set_log_fn, would also pass on its debug chatter): a dead
 * nameserver is reported once, when evdns marks it down, and again when it
 * answers. This hook is process-wide: it serves every libevent message. */
static void
libevent_log(int severity, const char *msg)
{
    enum sn_loglevel level = SN_LOG_WARNING;

    if (severity == EVENT_LOG_DEBUG)
        level = SN_LOG_DEBUG;
    else if (severity == EVENT_LOG_MSG)
        level = SN_LOG_VERBOSE;
    sn_log(level, "libevent: %s", msg);
}

static void
set_option(struct evdns_base *dns, const char *name, int value)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "%d", value);
    if (evdns_base_set_option(dns, name, buf) != 0)
        sn_log(SN_LOG_WARNING, "DNS: can't set option %s%s", name, buf);
}

struct sn_resolver *
sn_resolve_new(struct event_base *base)
{
    struct sn_resolver *r = sn_calloc(1, sizeof(*r));
    const char *path = getenv("SN_RESOLV_CONF");
    int rc;

    if (path == NULL || path[0] == '\0')
        path = DEFAULT_RESOLV_CONF;
    r->base = base;
    event_set_log_callback(libevent_log);
    /* Configured by hand rather than with EVDNS_BASE_INITIALIZE_NAMESERVERS
     * so that the file can be replaced. DNS_OPTIONS_ALL loads /etc/hosts
     * too. With no usable nameserver evdns asks 127.0.0.1, as libc does. */
    r->dns = evdns_base_new(base, 0);
    if (r->dns == NULL) {
        sn_log(SN_LOG_WARNING, "DNS: can't create the resolver: out of "
                               "memory");
        abort();
    }
    rc = evdns_base_resolv_conf_parse(r->dns, DNS_OPTIONS_ALL, path);
    if (rc != 0)
        sn_log(SN_LOG_WARNING, "DNS: reading %s: %s", path, parse_error(rc));
    else
        sn_log(SN_LOG_VERBOSE, "DNS: nameservers from %s", path);
    /* After the file: its own timeout and attempts options must not make
     * a dead server keep a link waiting for half a minute. */
    set_option(r->dns, "timeout:", SN_RESOLVE_TIMEOUT_S);
    set_option(r->dns, "attempts:", SN_RESOLVE_ATTEMPTS);
    return r;
}

void
sn_resolve_free(struct sn_resolver *r)
{
    if (r == NULL)
        return;
    /* Without fail_requests evdns drops the lookups under way and never
     * calls back, so their requests can be freed here. (evdns still keeps
     * a few hundred bytes per lookup in flight, which only its callback
     * would free: a leak at exit, not in a running daemon.) */
    evdns_base_free(r->dns, 0);
    while (r->head != NULL)
        req_free(r->head);
    free(r);
}

bool
sn_resolve_is_ip(const char *host)
{
    unsigned char addr[sizeof(struct in6_addr)];

    return inet_pton(AF_INET, host, addr) == 1 ||
           inet_pton(AF_INET6, host, addr) == 1;
}

struct sn_resolve_req *
sn_resolve_start(struct sn_resolver *r, const char *host, sn_resolve_fn fn,
                 void *arg)
{
    struct sn_resolve_req *q = sn_calloc(1, sizeof(*q));
    struct evutil_addrinfo hints;
    struct evdns_getaddrinfo_request *gai;

    q->owner = r;
    q->fn = fn;
    q->arg = arg;
    q->host = sn_strdup(host);
    q->done_ev = event_new(r->base, -1, 0, done_cb, q);
    q->next = r->head;
    if (r->head != NULL)
        r->head->prev = q;
    r->head = q;
    r->pending++;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    q->starting = true;
    gai = evdns_getaddrinfo(r->dns, host, NULL, &hints, gai_cb, q);
    q->starting = false;
    if (!q->answered)
        q->gai = gai;           /* the answer is still to come */
    return q;
}

void
sn_resolve_cancel(struct sn_resolve_req *q)
{
    if (q == NULL)
        return;
    if (!q->answered) {
        /* evdns still calls back, with EVUTIL_EAI_CANCEL, from the loop:
         * the request is freed then. */
        q->cancelled = true;
        evdns_getaddrinfo_cancel(q->gai);
        return;
    }
    req_free(q);                /* answered, waiting for done_ev */
}

int
sn_resolve_pending(const struct sn_resolver *r)
{
    return r->pending;
}
