/*
 * link.c: hiredis async connections behind the core's link ids.
 */
#include "link.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "util.h"

struct link {
    uint64_t id;
    enum sn_link_kind kind;
    redisAsyncContext *ac;
    struct sn_links *owner;
    bool up;
    struct link *next;          /* hash chain */
};

/* A failure found before the event loop could report it. */
struct deferred {
    uint64_t id;
    char *err;
    struct deferred *next;
};

#define LINK_BUCKETS 4096

struct sn_links {
    struct event_base *base;
    sn_links_input_fn fn;
    void *ctx;
    struct link *buckets[LINK_BUCKETS];
    int count;
    struct deferred *deferred;
    struct event *deferred_ev;
};

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
 * data is cleared first and every callback checks it. */
static void
link_forget(struct sn_links *l, struct link *k)
{
    struct link **p = slot_of(l, k->id);

    if (*p == k)
        *p = k->next;
    if (k->ac != NULL)
        k->ac->data = NULL;
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
    k->up = true;
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
    return l;
}

void
sn_links_free(struct sn_links *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < LINK_BUCKETS; i++)
        while (l->buckets[i] != NULL)
            sn_links_disconnect(l, l->buckets[i]->id);
    while (l->deferred != NULL) {
        struct deferred *d = l->deferred;
        l->deferred = d->next;
        free(d->err);
        free(d);
    }
    event_free(l->deferred_ev);
    free(l);
}

void
sn_links_connect(struct sn_links *l, uint64_t id, enum sn_link_kind kind,
                 const char *host, int port)
{
    redisAsyncContext *ac;
    struct link *k;

    if (link_find(l, id) != NULL)
        sn_links_disconnect(l, id);
    ac = redisAsyncConnect(host, port);
    if (ac == NULL) {
        defer_down(l, id, "out of memory");
        return;
    }
    if (ac->err) {
        defer_down(l, id, ac->errstr);
        redisAsyncFree(ac);
        return;
    }
    k = sn_calloc(1, sizeof(*k));
    k->id = id;
    k->kind = kind;
    k->ac = ac;
    k->owner = l;
    k->next = l->buckets[id % LINK_BUCKETS];
    l->buckets[id % LINK_BUCKETS] = k;
    l->count++;
    ac->data = k;
    redisEnableKeepAlive(&ac->c);
    redisLibeventAttach(ac, l->base);
    redisAsyncSetConnectCallback(ac, connect_cb);
    redisAsyncSetDisconnectCallback(ac, disconnect_cb);
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

    if (k == NULL || k->ac == NULL || !k->up)
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
