/*
 * link.c: hiredis async connections behind the core's link ids.
 *
 * A link to a host name is resolved first, with evdns (resolve.c), and
 * hiredis connects to the address found: hiredis would otherwise resolve
 * the name with a blocking getaddrinfo() inside the loop. The name is
 * resolved again on every CONNECT, so a new address behind it is followed.
 * The address connected to goes to the core with LINK_UP (peer_ip): with
 * announce-hostnames no the core shows it, as Redis shows the address it
 * resolved, and recognises the instance by it.
 */
#include "link.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "resolve.h"
#include "util.h"

enum link_state {
    LINK_RESOLVING = 0,         /* waiting for evdns: `req` is set */
    LINK_CONNECTING,            /* hiredis connects: `ac` is set */
    LINK_UP,
};

struct link {
    uint64_t id;
    enum sn_link_kind kind;
    enum link_state state;
    int port;
    char ip[64];                /* the literal address hiredis connects to */
    struct sn_resolve_req *req;
    redisAsyncContext *ac;
    struct event *timeout;      /* CONNECTING: give up at this time */
    struct sn_links *owner;
    struct link *next;          /* hash chain */
};

/* A failure found before the event loop could report it. */
struct deferred {
    uint64_t id;
    char *err;
    struct deferred *next;
};

#define LINK_BUCKETS 4096

/* hiredis 0.14 has no connect timeout: a SYN lost to a partition or a
 * dropped route would leave a link "connecting" for the kernel's minutes.
 * A link that is not up after this long is reported down, and the core
 * tries again (at most once per ping period). */
#define LINK_CONNECT_TIMEOUT_MS 2000

/* See link_open. */
#define LINK_READER_KEEP 1024

/* Our hiredis event adapter (in place of hiredis' libevent one). */
struct watch {
    redisAsyncContext *ac;
    struct sn_links *owner;
    struct event *rev, *wev;
    bool dirty;                 /* on owner's dirty list */
    struct watch *prev, *next;  /* the dirty list */
};

struct sn_links {
    struct event_base *base;
    struct watch *dirty;        /* contexts with output to write */
    struct event *flush_ev;
    bool flushing;
    sn_links_input_fn fn;
    void *ctx;
    struct link *buckets[LINK_BUCKETS];
    int count;
    struct deferred *deferred;
    struct event *deferred_ev;
    struct sn_resolver *resolver;
};

/* ---------------------------------------------------------------------
 * The event adapter
 *
 * hiredis' libevent adapter adds the write event for every command and
 * deletes it once the command is written: two epoll_ctl() calls per
 * command, the loop's largest cost with thousands of links (half its
 * system time, by strace). Ours writes without asking epoll: a command
 * marks its context dirty, and one flush at the end of the loop's pass
 * (an active event, so still before the loop sleeps) writes every dirty
 * context, all the commands of the pass in one write() each. Only a
 * socket that cannot take it all (or one still connecting, where hiredis
 * waits for writability to learn the result) gets a real write event.
 * ------------------------------------------------------------------- */

static void
dirty_remove(struct watch *w)
{
    struct sn_links *l = w->owner;

    if (!w->dirty)
        return;
    if (w->prev != NULL)
        w->prev->next = w->next;
    else
        l->dirty = w->next;
    if (w->next != NULL)
        w->next->prev = w->prev;
    w->prev = w->next = NULL;
    w->dirty = false;
}

static void
watch_read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct watch *w = arg;

    (void)fd;
    (void)what;
    redisAsyncHandleRead(w->ac);
}

static void
watch_write_cb(evutil_socket_t fd, short what, void *arg)
{
    struct watch *w = arg;

    (void)fd;
    (void)what;
    redisAsyncHandleWrite(w->ac);
}

static void
watch_add_read(void *arg)
{
    struct watch *w = arg;

    event_add(w->rev, NULL);
}

static void
watch_del_read(void *arg)
{
    struct watch *w = arg;

    event_del(w->rev);
}

static void
watch_add_write(void *arg)
{
    struct watch *w = arg;
    struct sn_links *l = w->owner;

    if (l->flushing || !(w->ac->c.flags & REDIS_CONNECTED)) {
        event_add(w->wev, NULL);
        return;
    }
    if (w->dirty || event_pending(w->wev, EV_WRITE, NULL))
        return;
    w->dirty = true;
    w->prev = NULL;
    w->next = l->dirty;
    if (l->dirty != NULL)
        l->dirty->prev = w;
    l->dirty = w;
    event_active(l->flush_ev, 0, 0);
}

static void
watch_del_write(void *arg)
{
    struct watch *w = arg;

    dirty_remove(w);
    if (event_pending(w->wev, EV_WRITE, NULL))
        event_del(w->wev);
}

static void
watch_cleanup(void *arg)
{
    struct watch *w = arg;

    dirty_remove(w);
    event_free(w->rev);
    event_free(w->wev);
    free(w);
}

static void
watch_attach(struct sn_links *l, redisAsyncContext *ac)
{
    struct watch *w = sn_calloc(1, sizeof(*w));
    int fd = ac->c.fd;

    w->ac = ac;
    w->owner = l;
    w->rev = event_new(l->base, fd, EV_READ | EV_PERSIST, watch_read_cb, w);
    w->wev = event_new(l->base, fd, EV_WRITE | EV_PERSIST, watch_write_cb, w);
    ac->ev.data = w;
    ac->ev.addRead = watch_add_read;
    ac->ev.delRead = watch_del_read;
    ac->ev.addWrite = watch_add_write;
    ac->ev.delWrite = watch_del_write;
    ac->ev.cleanup = watch_cleanup;
}

/* Write what every dirty context holds. A write that fails disconnects
 * its context (and frees its watch) inside redisAsyncHandleWrite: each
 * one leaves the list before it is written. */
static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sn_links *l = arg;

    (void)fd;
    (void)what;
    l->flushing = true;
    while (l->dirty != NULL) {
        struct watch *w = l->dirty;

        dirty_remove(w);
        redisAsyncHandleWrite(w->ac);
    }
    l->flushing = false;
}

/* ---------------------------------------------------------------------
 * The id table
 * ------------------------------------------------------------------- */

static struct link **
slot_of(struct sn_links *l, uint64_t id)
{
    struct link **p = &l->buckets[id % LINK_BUCKETS];

    while (*p != NULL && (*p)->id != id)
        p = &(*p)->next;
    return p;
}

static struct link *
link_find(struct sn_links *l, uint64_t id)
{
    return *slot_of(l, id);
}

/* Forget a link: hiredis may still call back for it, so its context's
 * data is cleared first and every callback checks it. A lookup under way
 * is cancelled: its callback never runs. */
static void
link_forget(struct sn_links *l, struct link *k)
{
    struct link **p = slot_of(l, k->id);

    if (*p == k)
        *p = k->next;
    if (k->ac != NULL)
        k->ac->data = NULL;
    if (k->req != NULL)
        sn_resolve_cancel(k->req);
    if (k->timeout != NULL)
        event_free(k->timeout);
    l->count--;
    free(k);
}

/* ---------------------------------------------------------------------
 * Inputs to the core
 * ------------------------------------------------------------------- */

static void
deliver_down(struct sn_links *l, uint64_t id, const char *err)
{
    struct sn_input in;

    memset(&in, 0, sizeof(in));
    in.type = SN_IN_LINK_DOWN;
    in.link = id;
    in.err = err;
    l->fn(l->ctx, &in);
}

static void
deferred_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sn_links *l = arg;
    struct deferred *d = l->deferred;

    (void)fd;
    (void)what;
    l->deferred = NULL;
    while (d != NULL) {
        struct deferred *next = d->next;
        deliver_down(l, d->id, d->err);
        free(d->err);
        free(d);
        d = next;
    }
}

static void
defer_down(struct sn_links *l, uint64_t id, const char *err)
{
    struct deferred *d = sn_calloc(1, sizeof(*d));

    d->id = id;
    d->err = sn_strdup(err);
    d->next = l->deferred;
    l->deferred = d;
    event_active(l->deferred_ev, 0, 0);
}

static struct sn_reply *
reply_from(const redisReply *r)
{
    static const enum sn_reply_type types[] = {
        [REDIS_REPLY_STRING] = SN_REPLY_STRING,
        [REDIS_REPLY_ARRAY] = SN_REPLY_ARRAY,
        [REDIS_REPLY_INTEGER] = SN_REPLY_INTEGER,
        [REDIS_REPLY_NIL] = SN_REPLY_NIL,
        [REDIS_REPLY_STATUS] = SN_REPLY_STATUS,
        [REDIS_REPLY_ERROR] = SN_REPLY_ERROR,
    };
    enum sn_reply_type t = SN_REPLY_NIL;
    struct sn_reply *out;
    size_t i;

    if (r->type >= 1 && r->type <= REDIS_REPLY_ERROR)
        t = types[r->type];
    out = sn_reply_new(t, r->str, r->str != NULL ? r->len : 0, r->integer);
    for (i = 0; t == SN_REPLY_ARRAY && i < r->elements; i++)
        sn_reply_append(out, reply_from(r->element[i]));
    return out;
}

static bool
is_message(const redisReply *r)
{
    return r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
           r->element[0]->type == REDIS_REPLY_STRING &&
           strcmp(r->element[0]->str, "message") == 0 &&
           r->element[1]->type == REDIS_REPLY_STRING &&
           r->element[2]->type == REDIS_REPLY_STRING;
}

static void
reply_cb(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct link *k = ac->data;
    redisReply *r = reply;
    struct sn_input in;
    struct sn_reply *sr;

    if (k == NULL || r == NULL)
        return;                 /* the link was closed: nobody waits */
    memset(&in, 0, sizeof(in));
    in.link = k->id;
    if (k->kind == SN_LINK_PUBSUB && is_message(r)) {
        in.type = SN_IN_MESSAGE;
        in.channel = r->element[1]->str;
        in.payload = r->element[2]->str;
        in.payload_len = r->element[2]->len;
        k->owner->fn(k->owner->ctx, &in);
        return;
    }
    in.type = SN_IN_REPLY;
    in.tag = (uint64_t)(uintptr_t)privdata;
    if (in.tag == 0)
        return;
    sr = reply_from(r);
    in.reply = sr;
    k->owner->fn(k->owner->ctx, &in);
    sn_reply_free(sr);
}

static void
connect_cb(const redisAsyncContext *ac, int status)
{
    struct link *k = ac->data;
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    char ip[INET6_ADDRSTRLEN] = "";
    struct sn_input in;

    if (k == NULL)
        return;
    if (status != REDIS_OK) {
        struct sn_links *l = k->owner;
        uint64_t id = k->id;
        char err[256];

        snprintf(err, sizeof(err), "%s", ac->errstr);
        k->ac = NULL;           /* hiredis frees it after this callback */
        link_forget(l, k);
        deliver_down(l, id, err);
        return;
    }
    k->state = LINK_UP;
    if (k->timeout != NULL) {
        event_free(k->timeout);
        k->timeout = NULL;
    }
    if (getsockname(ac->c.fd, (struct sockaddr *)&sa, &salen) == 0) {
        if (sa.ss_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, ip,
                      sizeof(ip));
        else if (sa.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, ip,
                      sizeof(ip));
    }
    memset(&in, 0, sizeof(in));
    in.type = SN_IN_LINK_UP;
    in.link = k->id;
    in.local_ip = ip;
    in.peer_ip = k->ip;
    k->owner->fn(k->owner->ctx, &in);
}

static void
disconnect_cb(const redisAsyncContext *ac, int status)
{
    struct link *k = ac->data;
    struct sn_links *l;
    uint64_t id;
    char err[256];

    (void)status;
    if (k == NULL)
        return;                 /* we closed it ourselves */
    l = k->owner;
    id = k->id;
    snprintf(err, sizeof(err), "%s",
             ac->errstr[0] != '\0' ? ac->errstr : "connection closed");
    k->ac = NULL;
    link_forget(l, k);
    deliver_down(l, id, err);
}

/* ---------------------------------------------------------------------
 * Connecting
 * ------------------------------------------------------------------- */

static void
connect_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    struct link *k = arg;
    struct sn_links *l = k->owner;
    redisAsyncContext *ac = k->ac;
    uint64_t id = k->id;

    (void)fd;
    (void)what;
    if (k->state != LINK_CONNECTING)
        return;
    link_forget(l, k);
    if (ac != NULL)
        redisAsyncFree(ac);     /* not connected: no callback follows */
    deliver_down(l, id, "connection timed out");
}

/* Hand link `k` to hiredis, connecting to `ip` (a literal address, so that
 * hiredis' own getaddrinfo() never asks a DNS server). Returns 0, or -1
 * with the reason in err: the caller then forgets the link. */
static int
link_open(struct sn_links *l, struct link *k, const char *ip, char *err,
          size_t errlen)
{
    redisAsyncContext *ac = redisAsyncConnect(ip, k->port);

    if (ac == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (ac->err) {
        snprintf(err, errlen, "%s", ac->errstr);
        redisAsyncFree(ac);
        return -1;
    }
    k->state = LINK_CONNECTING;
    snprintf(k->ip, sizeof(k->ip), "%s", ip);
    k->ac = ac;
    ac->data = k;
    /* hiredis keeps a reader buffer of up to 16 KB once it has grown (an
     * INFO reply grows it to 8 KB): with thousands of links, most of our
     * memory. A buffer this much larger than what it holds is dropped at
     * the next read instead. */
    ac->c.reader->maxbuf = LINK_READER_KEEP;
    redisEnableKeepAlive(&ac->c);
    watch_attach(l, ac);
    redisAsyncSetConnectCallback(ac, connect_cb);
    redisAsyncSetDisconnectCallback(ac, disconnect_cb);
    {
        struct timeval tv = { LINK_CONNECT_TIMEOUT_MS / 1000,
                              (LINK_CONNECT_TIMEOUT_MS % 1000) * 1000 };
        k->timeout = evtimer_new(l->base, connect_timeout_cb, k);
        evtimer_add(k->timeout, &tv);
    }
    return 0;
}

/* A lookup ended (from the loop): connect, or report the link down. The
 * core paces its reconnections (at most one a second per link), so a
 * name that does not resolve never turns into a storm of queries. */
static void
resolved_cb(void *arg, const char *ip, const char *err)
{
    struct link *k = arg;
    struct sn_links *l = k->owner;
    uint64_t id = k->id;
    char buf[256];

    k->req = NULL;              /* spent: link_forget must not cancel it */
    if (ip != NULL && link_open(l, k, ip, buf, sizeof(buf)) == 0)
        return;
    if (ip == NULL)
        snprintf(buf, sizeof(buf), "%s", err);
    /* The core logs it (-cmd-link-reconnection #can't resolve ...). */
    link_forget(l, k);
    deliver_down(l, id, buf);
}

/* ---------------------------------------------------------------------
 * The face
 * ------------------------------------------------------------------- */

struct sn_links *
sn_links_new(struct event_base *base, sn_links_input_fn fn, void *ctx)
{
    struct sn_links *l = sn_calloc(1, sizeof(*l));

    l->base = base;
    l->fn = fn;
    l->ctx = ctx;
    l->deferred_ev = event_new(base, -1, 0, deferred_cb, l);
    l->flush_ev = event_new(base, -1, 0, flush_cb, l);
    l->resolver = sn_resolve_new(base);
    return l;
}

void
sn_links_free(struct sn_links *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < LINK_BUCKETS; i++) {
        while (l->buckets[i] != NULL) {
            /* A cancelled lookup is freed by a callback from the loop,
             * which has stopped: leave the lookups to sn_resolve_free,
             * which drops them at once. */
            l->buckets[i]->req = NULL;
            sn_links_disconnect(l, l->buckets[i]->id);
        }
    }
    while (l->deferred != NULL) {
        struct deferred *d = l->deferred;
        l->deferred = d->next;
        free(d->err);
        free(d);
    }
    event_free(l->deferred_ev);
    event_free(l->flush_ev);
    sn_resolve_free(l->resolver);
    free(l);
}

void
sn_links_connect(struct sn_links *l, uint64_t id, enum sn_link_kind kind,
                 const char *host, int port)
{
    struct link *k;
    char err[256];

    if (link_find(l, id) != NULL)
        sn_links_disconnect(l, id);
    k = sn_calloc(1, sizeof(*k));
    k->id = id;
    k->kind = kind;
    k->port = port;
    k->owner = l;
    k->next = l->buckets[id % LINK_BUCKETS];
    l->buckets[id % LINK_BUCKETS] = k;
    l->count++;
    if (!sn_resolve_is_ip(host)) {
        /* The callback always comes from the loop, never from here. */
        k->state = LINK_RESOLVING;
        k->req = sn_resolve_start(l->resolver, host, resolved_cb, k);
        return;
    }
    if (link_open(l, k, host, err, sizeof(err)) != 0) {
        link_forget(l, k);
        defer_down(l, id, err);
    }
}

void
sn_links_disconnect(struct sn_links *l, uint64_t id)
{
    struct link *k = link_find(l, id);
    redisAsyncContext *ac;

    if (k == NULL)
        return;
    ac = k->ac;
    link_forget(l, k);
    if (ac != NULL)
        redisAsyncFree(ac);     /* deferred by hiredis inside a callback */
}

void
sn_links_send(struct sn_links *l, uint64_t id, uint64_t tag, int argc,
              char **argv, size_t *argvlen)
{
    struct link *k = link_find(l, id);

    if (k == NULL || k->state != LINK_UP)
        return;
    if (redisAsyncCommandArgv(k->ac, reply_cb, (void *)(uintptr_t)tag, argc,
                              (const char **)argv, argvlen) != REDIS_OK)
        sn_log(SN_LOG_DEBUG, "link %llu: command not queued: %s",
               (unsigned long long)id, k->ac->errstr);
}

int
sn_links_count(const struct sn_links *l)
{
    return l->count;
}
