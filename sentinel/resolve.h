/*
 * resolve.h: host names to addresses without blocking the event loop.
 *
 * hiredis resolves a name it is given with a blocking getaddrinfo(), inside
 * the loop: a slow or dead DNS server would then stall PING replies, timers
 * and every other link. The links therefore resolve a name here first, with
 * libevent's evdns, and hand hiredis the literal address it found.
 *
 * Names are looked up in /etc/hosts first, then with the nameservers,
 * search list and options of resolv.conf, read once at start-up. Nothing
 * is cached beyond what evdns keeps (the hosts file): every lookup asks
 * again, so an address that changes behind a name (a Kubernetes pod that
 * was rescheduled) is followed at the next reconnection.
 *
 * The wait is bounded whatever resolv.conf says: each query is retried
 * SN_RESOLVE_ATTEMPTS times, SN_RESOLVE_TIMEOUT_S seconds apart, so a dead
 * server turns into an error after about SN_RESOLVE_ATTEMPTS *
 * SN_RESOLVE_TIMEOUT_S seconds.
 *
 * Environment (a hook for tests and operators):
 *   SN_RESOLV_CONF=PATH  read PATH instead of /etc/resolv.conf. evdns
 *                        accepts a port on a nameserver line
 *                        ("nameserver 127.0.0.1:5353"), which lets a test
 *                        point the daemon at a server of its own.
 */
#ifndef SN_RESOLVE_H
#define SN_RESOLVE_H

#include <stdbool.h>

#define SN_RESOLVE_TIMEOUT_S    2
#define SN_RESOLVE_ATTEMPTS     2

struct event_base;
struct sn_resolver;
struct sn_resolve_req;

/* The outcome of one lookup: `ip` is a literal IPv4 (preferred) or IPv6
 * address and `err` NULL, or `ip` NULL and `err` says why. Both strings
 * are valid during the call only. */
typedef void (*sn_resolve_fn)(void *arg, const char *ip, const char *err);

/* A resolver on `base`, configured from resolv.conf ($SN_RESOLV_CONF if
 * set) and /etc/hosts. An unreadable file is logged, not fatal: evdns then
 * falls back to a nameserver on 127.0.0.1. Never returns NULL. */
struct sn_resolver *sn_resolve_new(struct event_base *base);

/* Free the resolver. Lookups still under way are dropped without their
 * callbacks. */
void sn_resolve_free(struct sn_resolver *r);

/* Is `host` a literal IPv4 or IPv6 address (nothing to resolve)? */
bool sn_resolve_is_ip(const char *host);

/* Start looking `host` up. `fn` is called exactly once, always from the
 * event loop and never from inside this call, unless the request is
 * cancelled first. Returns the request, valid until its callback returns
 * or it is cancelled. */
struct sn_resolve_req *sn_resolve_start(struct sn_resolver *r,
                                        const char *host, sn_resolve_fn fn,
                                        void *arg);

/* Cancel a request whose callback has not run yet: it never will. */
void sn_resolve_cancel(struct sn_resolve_req *q);

/* How many lookups are under way. */
int sn_resolve_pending(const struct sn_resolver *r);

#endif /* SN_RESOLVE_H */
