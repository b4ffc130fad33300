/*
 * server_priv.h: what server.c (connections, dispatch, pub/sub) and
 * client.c (the CLIENT command) share, and nothing else sees.
 */
#ifndef SN_SERVER_PRIV_H
#define SN_SERVER_PRIV_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>

#include "acl.h"
#include "resp.h"
#include "server.h"
#include "util.h"

/* A subscriber slower than this is disconnected, as Redis's
 * client-output-buffer-limit pubsub hard limit does. */
#define OUTPUT_PUBSUB_MAX   (32 * 1024 * 1024)
#define OUTPUT_NORMAL_MAX   (1024 * 1024 * 1024)
#define LISTENERS_MAX       16

/* CLIENT REPLY: whether the client gets replies. */
enum client_reply {
    CLIENT_REPLY_ON = 0,
    CLIENT_REPLY_OFF,
    CLIENT_REPLY_SKIP_NEXT,     /* SKIP was sent: mute the next command */
    CLIENT_REPLY_SKIP,          /* this command is muted */
};

/* CLIENT TRACKING state. A sentinel has no keys, so no invalidation is
 * ever sent; the state is kept and reported as Redis does. */
struct client_tracking {
    bool on;
    bool bcast;
    bool optin;
    bool optout;
    bool noloop;
    int caching;                /* 0 unset, 1 yes, -1 no (next command) */
    uint64_t redirect;          /* 0: none */
    char **prefixes;
    int prefixes_len;
};

struct client {
    uint64_t id;
    struct sn_server *srv;
    struct bufferevent *bev;
    int fd;
    char addr[INET6_ADDRSTRLEN + 8];
    char laddr[INET6_ADDRSTRLEN + 8];
    bool loopback;
    char *name;
    char *lib_name;
    char *lib_ver;
    int proto;
    const struct sn_acl_user *user;
    bool authenticated;         /* by AUTH or HELLO AUTH */
    bool close_after_reply;
    bool closing;               /* freed once the current command ends */
    int64_t created_ms;
    int64_t last_ms;
    char last_cmd[64];
    char **channels;
    int channels_len;
    char **patterns;
    int patterns_len;
    struct sn_resp_parser parser;
    struct sn_buf out;
    struct out_mark {           /* out[..end] waits for save `need` */
        size_t end;
        uint64_t need;
    } *marks;
    int marks_len, marks_cap;
    bool out_stateful;          /* out has more than stateless replies */
    const struct sn_cmd_entry *last_entry;  /* the last command's entry */
    const struct sn_cmd_entry *last_sub;    /* ... and subcommand's */
    struct sn_buf push;         /* messages published to this client while
                                   its own command runs: they go out before
                                   that command's reply, as in Redis */
    enum client_reply reply;
    struct client_tracking tracking;
    bool no_evict;
    int held_argc;              /* a command held back by CLIENT PAUSE */
    char **held_argv;
    size_t *held_len;
    struct client *prev, *next;
};

struct sn_server {
    struct sn_daemon *d;
    int64_t batch_ms;               /* when the current batch was read */
    const struct sn_config *cfg;    /* the core's live model */
    struct evconnlistener *listeners[LISTENERS_MAX];
    int listeners_len;
    struct client *clients;
    int clients_len;
    uint64_t next_id;
    struct client *current;         /* the client whose command runs */
    int64_t pause_end_ms;           /* CLIENT PAUSE: 0 = not paused */
    bool pause_all;                 /* ALL, else WRITE */
    struct event *unpause_ev;
    struct sn_server_stats stats;
};


void sn_srv_writer(struct client *c, struct sn_resp_writer *w);
void sn_srv_reply_ok(struct client *c);
void sn_srv_reply_error(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sn_srv_client_free(struct client *c);
void sn_srv_client_flush(struct client *c);
int sn_srv_subscriptions(const struct client *c);

/* client.c */
void sn_srv_client_info_line(const struct client *c, struct sn_buf *b,
                             int64_t now);
void sn_srv_cmd_client(struct client *c, int argc, char **argv);
void sn_srv_tracking_free(struct client *c);
/* Start or end a CLIENT PAUSE; resume paused clients when it ends. */
void sn_srv_pause(struct sn_server *s, int64_t end_ms, bool all);
void sn_srv_unpause(struct sn_server *s);
/* Is this command held back by a CLIENT PAUSE now? */
bool sn_srv_paused_for(const struct sn_server *s, const char *name);
/* Process what clients sent while a pause held them (server.c). */
void sn_srv_resume_all(struct sn_server *s);

#endif /* SN_SERVER_PRIV_H */
