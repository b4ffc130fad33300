/*
 * link.h: the core's links, carried by hiredis async connections on the
 * daemon's libevent base.
 *
 * The core names every link by an id and decides when to open and close
 * it; this module keeps the hiredis context behind each id and turns what
 * hiredis reports into core inputs (link up, link down, reply, pub/sub
 * message), delivered through the callback given to sn_links_new. Inputs
 * are never delivered from inside sn_links_connect/send/disconnect: a
 * connection that fails at once is reported from the event loop.
 */
#ifndef SN_LINK_H
#define SN_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

struct event_base;
struct sn_links;

typedef void (*sn_links_input_fn)(void *ctx, const struct sn_input *in);

struct sn_links *sn_links_new(struct event_base *base, sn_links_input_fn fn,
                              void *ctx);
void sn_links_free(struct sn_links *l);

/* Open link `id` (a CONNECT action). The outcome arrives as an input. */
void sn_links_connect(struct sn_links *l, uint64_t id, enum sn_link_kind kind,
                      const char *host, int port);
/* Close link `id` (a DISCONNECT action): no input follows. */
void sn_links_disconnect(struct sn_links *l, uint64_t id);
/* Send a command on link `id` (a SEND action). A link that is not up
 * drops it: the core learns of the link's state by its own inputs. */
void sn_links_send(struct sn_links *l, uint64_t id, uint64_t tag, int argc,
                   char **argv, size_t *argvlen);

/* How many links are open, and how many commands wait for replies. */
int sn_links_count(const struct sn_links *l);

#endif /* SN_LINK_H */
