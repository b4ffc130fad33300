/*
 * server.h: the Redis-protocol server clients and peers talk to.
 *
 * Connections are accepted on every `bind` address at `port`; requests are
 * parsed by lib/resp; connection-level commands (AUTH, HELLO, CLIENT,
 * COMMAND, the SUBSCRIBE family, PING, ECHO, QUIT, SHUTDOWN) are answered
 * here, and the sentinel's own (SENTINEL, INFO, ROLE, PUBLISH) by
 * lib/command against the core. Events reach subscribers through
 * sn_server_publish.
 */
#ifndef SN_SERVER_H
#define SN_SERVER_H

#include <stdint.h>

#include "config.h"

struct sn_daemon;
struct sn_server;

struct sn_server_stats {
    int clients;
    uint64_t connections_received;
    uint64_t commands_processed;
    uint64_t rejected_connections;
    int pubsub_channels;
    int pubsub_patterns;
};

/* Listen on every bind address. Returns NULL with a message in err if no
 * address could be bound (Redis refuses to start then too). */
struct sn_server *sn_server_new(struct sn_daemon *d,
                                const struct sn_config *cfg, char *err,
                                size_t errlen);
void sn_server_free(struct sn_server *s);

/* Send `payload` on `channel` to every subscriber (and pattern match). */
void sn_server_publish(struct sn_server *s, const char *channel,
                       const char *payload);

/* Send the replies and messages that waited for a save to end
 * (sn_daemon_durable). */
void sn_server_release(struct sn_server *s);

void sn_server_stats(const struct sn_server *s, struct sn_server_stats *st);

#endif /* SN_SERVER_H */
