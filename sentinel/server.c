/*
 * server.c: clients, their requests and their subscriptions.
 */
#include "server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "acl.h"
#include "cmdtable.h"
#include "command.h"
#include "crypto.h"
#include "daemon.h"
#include "log.h"
#include "persist.h"
#include "resp.h"
#include "scripts.h"
#include "server_priv.h"
#include "util.h"


/* ---------------------------------------------------------------------
 * Replies
 * ------------------------------------------------------------------- */

void
sn_srv_writer(struct client *c, struct sn_resp_writer *w)
{
    sn_resp_writer_init(w, &c->out, c->proto);
}

void
sn_srv_reply_ok(struct client *c)
{
    struct sn_resp_writer w;

    sn_srv_writer(c, &w);
    sn_resp_write_status(&w, "OK");
}

void
sn_srv_reply_error(struct client *c, const char *fmt, ...)
{
    struct sn_resp_writer w;
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sn_srv_writer(c, &w);
    sn_resp_write_error(&w, msg);
}

static void
reply_arity(struct client *c, const char *name)
{
    char lower[64];
    size_t i;

    for (i = 0; name[i] != '\0' && i < sizeof(lower) - 1; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    lower[i] = '\0';
    sn_srv_reply_error(c, "ERR wrong number of arguments for '%s' command", lower);
}

/* ---------------------------------------------------------------------
 * Pub/sub
 * ------------------------------------------------------------------- */

static int
list_find(char **list, int len, const char *s)
{
    int i;

    for (i = 0; i < len; i++)
        if (strcmp(list[i], s) == 0)
            return i;
    return -1;
}

int
sn_srv_subscriptions(const struct client *c)
{
    return c->channels_len + c->patterns_len;
}

static void
write_sub_reply(struct client *c, const char *kind, const char *name)
{
    struct sn_resp_writer w;

    sn_srv_writer(c, &w);
    sn_resp_write_push(&w, 3);
    sn_resp_write_bulk_str(&w, kind);
    if (name != NULL)
        sn_resp_write_bulk_str(&w, name);
    else
        sn_resp_write_null(&w);
    sn_resp_write_int(&w, sn_srv_subscriptions(c));
}

static void
subscribe(struct client *c, char ***list, int *len, const char *name,
          const char *kind)
{
    if (list_find(*list, *len, name) < 0) {
        *list = sn_realloc(*list, sizeof(char *) * (size_t)(*len + 1));
        (*list)[(*len)++] = sn_strdup(name);
    }
    write_sub_reply(c, kind, name);
}

static void
unsubscribe_one(char **list, int *len, int i)
{
    free(list[i]);
    memmove(&list[i], &list[i + 1], sizeof(char *) * (size_t)(*len - i - 1));
    (*len)--;
}

static void
unsubscribe(struct client *c, char ***list, int *len, int argc, char **argv,
            const char *kind)
{
    int i;

    if (argc == 1) {
        if (*len == 0)
            write_sub_reply(c, kind, NULL);
        while (*len > 0) {
            char *name = sn_strdup((*list)[0]);
            unsubscribe_one(*list, len, 0);
            write_sub_reply(c, kind, name);
            free(name);
        }
        return;
    }
    for (i = 1; i < argc; i++) {
        int at = list_find(*list, *len, argv[i]);
        if (at >= 0)
            unsubscribe_one(*list, len, at);
        write_sub_reply(c, kind, argv[i]);
    }
}

static void
publish_to(struct client *c, const char *pattern, const char *channel,
           const char *payload)
{
    struct sn_resp_writer w;

    if (c->reply == CLIENT_REPLY_OFF)
        return;
    /* To the client whose command runs: after that command's reply is
     * written, before it leaves (client_process orders them). */
    sn_resp_writer_init(&w, c == c->srv->current ? &c->push : &c->out,
                        c->proto);
    sn_resp_write_push(&w, pattern != NULL ? 4 : 3);
    sn_resp_write_bulk_str(&w, pattern != NULL ? "pmessage" : "message");
    if (pattern != NULL)
        sn_resp_write_bulk_str(&w, pattern);
    sn_resp_write_bulk_str(&w, channel);
    sn_resp_write_bulk_str(&w, payload);
    c->out_stateful = true;
    if (c != c->srv->current)
        sn_srv_client_flush(c);
}

void
sn_server_publish(struct sn_server *s, const char *channel,
                  const char *payload)
{
    struct client *c, *next;
    int i;

    if (s == NULL)
        return;
    for (c = s->clients; c != NULL; c = next) {
        next = c->next;
        if (c->closing)
            continue;
        if (list_find(c->channels, c->channels_len, channel) >= 0)
            publish_to(c, NULL, channel, payload);
        for (i = 0; i < c->patterns_len; i++)
            if (sn_glob_match(c->patterns[i], channel, false))
                publish_to(c, c->patterns[i], channel, payload);
    }
}

/* ---------------------------------------------------------------------
 * Connection-level commands
 * ------------------------------------------------------------------- */


static char *
client_info_str(const struct client *c)
{
    struct sn_buf b;

    sn_buf_init(&b);
    sn_srv_client_info_line(c, &b, sn_daemon_now_ms());
    if (b.len > 0 && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    return sn_buf_steal(&b, NULL);
}

static void
set_user(struct client *c, const struct sn_acl_user *u)
{
    c->user = u;
    c->authenticated = true;
    sn_resp_parser_set_auth_required(&c->parser, false);
}

static void
cmd_auth(struct client *c, int argc, char **argv, const size_t *argvlen)
{
    struct sn_resp_writer w;
    const struct sn_acl_user *u;
    char *info = client_info_str(c);

    sn_srv_writer(c, &w);
    u = sn_acl_auth_command(c->srv->d->acl, &w, argc, argv, argvlen, info,
                            sn_daemon_now_ms());
    free(info);
    if (u != NULL)
        set_user(c, u);
}

static void
cmd_hello(struct client *c, int argc, char **argv)
{
    struct sn_resp_writer w;
    int64_t ver = c->proto;
    int i;

    if (argc >= 2 && (sn_parse_i64(argv[1], INT64_MIN, INT64_MAX, &ver) != 0)) {
        sn_srv_reply_error(c, "ERR Protocol version is not an integer or out of "
                       "range");
        return;
    }
    if (ver < 2 || ver > 3) {
        sn_srv_reply_error(c, "NOPROTO unsupported protocol version");
        return;
    }
    for (i = 2; i < argc; i++) {
        bool more = i + 1 < argc;
        if (strcasecmp(argv[i], "AUTH") == 0 && i + 2 < argc) {
            const struct sn_acl_user *u = sn_acl_authenticate(
                c->srv->d->acl, argv[i + 1], argv[i + 2], strlen(argv[i + 2]));
            if (u == NULL) {
                char *info = client_info_str(c);
                sn_acl_log_denied(c->srv->d->acl, SN_ACL_DENIED_AUTH,
                                  argv[0], strlen(argv[0]), argv[i + 1], info,
                                  sn_daemon_now_ms());
                free(info);
                sn_srv_reply_error(c, "%s", SN_ACL_ERR_WRONGPASS);
                return;
            }
            set_user(c, u);
            i += 2;
        } else if (strcasecmp(argv[i], "SETNAME") == 0 && more) {
            sn_set_str(&c->name, argv[++i]);
        } else {
            sn_srv_reply_error(c, "ERR Syntax error in HELLO option '%s'", argv[i]);
            return;
        }
    }
    if (!c->authenticated && sn_acl_auth_required(c->srv->d->acl)) {
        sn_srv_reply_error(c, "NOAUTH HELLO must be called with the client already "
                       "authenticated, otherwise the HELLO AUTH <user> <pass> "
                       "option can be used to authenticate the client and "
                       "select the RESP protocol version at the same time");
        return;
    }
    c->proto = (int)ver;
    sn_srv_writer(c, &w);
    sn_resp_write_map(&w, 6);
    sn_resp_write_bulk_str(&w, "server");
    sn_resp_write_bulk_str(&w, "redis");
    sn_resp_write_bulk_str(&w, "version");
    sn_resp_write_bulk_str(&w, SN_REDIS_VERSION);
    sn_resp_write_bulk_str(&w, "proto");
    sn_resp_write_int(&w, c->proto);
    sn_resp_write_bulk_str(&w, "id");
    sn_resp_write_int(&w, (int64_t)c->id);
    sn_resp_write_bulk_str(&w, "mode");
    sn_resp_write_bulk_str(&w, "sentinel");
    sn_resp_write_bulk_str(&w, "modules");
    sn_resp_write_array(&w, 0);
}

static void
cmd_ping(struct client *c, int argc, char **argv)
{
    struct sn_resp_writer w;

    sn_srv_writer(c, &w);
    if (argc > 2) {
        reply_arity(c, "ping");
        return;
    }
    if (sn_srv_subscriptions(c) > 0 && c->proto == 2) {
        /* In the RESP2 subscribed context PING answers as a message. */
        sn_resp_write_array(&w, 2);
        sn_resp_write_bulk_str(&w, "pong");
        sn_resp_write_bulk_str(&w, argc == 2 ? argv[1] : "");
        return;
    }
    if (argc == 2)
        sn_resp_write_bulk_str(&w, argv[1]);
    else
        sn_resp_write_status(&w, "PONG");
}

/* ---------------------------------------------------------------------
 * Dispatch
 * ------------------------------------------------------------------- */

static bool
pubsub_allowed(const char *name)
{
    static const char *ok[] = { "subscribe", "psubscribe", "unsubscribe",
                                "punsubscribe", "ping", "quit", "reset" };
    size_t i;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcasecmp(name, ok[i]) == 0)
            return true;
    return false;
}

static void
fill_ctx(struct client *c, struct sn_cmd_ctx *ctx)
{
    struct sn_daemon *d = c->srv->d;

    memset(ctx, 0, sizeof(*ctx));
    ctx->proto = c->proto;
    sn_daemon_fill_cmd_ctx(d, ctx);
}

static void
run_sentinel_command(struct client *c, struct sn_resp_cmd *cmd)
{
    struct sn_cmd_ctx ctx;

    fill_ctx(c, &ctx);
    if (sn_command_exec(c->srv->d->core, &ctx, cmd->argc, cmd->argv,
                        cmd->argvlen, &c->out, sn_daemon_now_ms()) == 0) {
        sn_srv_reply_error(c, "ERR unknown command '%s', with args beginning with: ",
                    cmd->argv[0]);
        return;
    }
    /* Carry out what the command caused (a vote's SAVE, events) before
     * its reply leaves. SENTINEL CONFIG SET may have changed loglevel. */
    sn_daemon_drain(c->srv->d);
    sn_log_set_level(c->srv->cfg->loglevel);
}

static void
unknown_command(struct client *c, struct sn_resp_cmd *cmd)
{
    struct sn_buf b;
    int i;

    sn_buf_init(&b);
    for (i = 1; i < cmd->argc && b.len < 128; i++)
        sn_buf_printf(&b, "'%.*s' ", (int)(cmd->argvlen[i] > 128 ? 128 : cmd->argvlen[i]),
                      cmd->argv[i]);
    sn_srv_reply_error(c, "ERR unknown command '%.128s', with args beginning with: %s",
                cmd->argv[0], b.data != NULL ? b.data : "");
    sn_buf_free(&b);
}

/* SENTINEL's Valkey spellings, checked by ACL as the names Redis has. */
static const char *
sentinel_canonical(const char *sub)
{
    static const char *alias[][2] = {
        { "primaries", "masters" },
        { "primary", "master" },
        { "get-primary-addr-by-name", "get-master-addr-by-name" },
        { "is-primary-down-by-addr", "is-master-down-by-addr" },
    };
    size_t i;

    /* Every alias names a "primary". */
    if ((sub[0] | 0x20) != 'p' && strncasecmp(sub, "get-prim", 8) != 0 &&
        strncasecmp(sub, "is-prim", 7) != 0)
        return sub;
    for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
        if (strcasecmp(sub, alias[i][0]) == 0)
            return alias[i][1];
    return sub;
}

/* The ACL check, after the arity check as in Redis. A container's unknown
 * subcommand is left to its handler, which answers with the unknown
 * subcommand error; nothing runs for it. */
static bool
acl_allows(struct client *c, const struct sn_cmd_entry *e,
           struct sn_resp_cmd *cmd)
{
    struct sn_acl_denial d;
    char *argv1 = NULL;
    enum sn_acl_reason r;
    char *info;

    if (e->subcommands != NULL && cmd->argc >= 2) {
        const char *sub = cmd->argv[1];
        if (strcmp(e->name, "sentinel") == 0)
            sub = sentinel_canonical(sub);
        if (sn_cmdtable_sub_of(e, sub) == NULL)
            return true;
        if (sub != cmd->argv[1]) {
            argv1 = cmd->argv[1];
            cmd->argv[1] = (char *)sub;
        }
    }
    r = sn_acl_check_command(c->user, cmd->argc, cmd->argv, NULL, &d);
    if (argv1 != NULL)
        cmd->argv[1] = argv1;
    if (r == SN_ACL_OK)
        return true;
    info = client_info_str(c);
    sn_acl_log_denied(c->srv->d->acl, r, d.object, d.object_len,
                      sn_acl_user_name(c->user), info, sn_daemon_now_ms());
    free(info);
    sn_srv_reply_error(c, "%s", d.error);
    return false;
}

static void
close_clients_of(struct sn_server *s, const struct sn_acl_user *u,
                 struct client *current)
{
    struct client *t, *next;

    for (t = s->clients; t != NULL; t = next) {
        next = t->next;
        if (t->user != u)
            continue;
        if (t == current)
            t->close_after_reply = true;
        else
            sn_srv_client_free(t);
    }
}

/* Close the pub/sub clients of a user whose channels were narrowed, when
 * a subscription is no longer allowed, as Redis does. */
static void
recheck_subscriptions(struct sn_server *s, const struct sn_acl_user *u,
                      struct client *current)
{
    struct client *t, *next;
    int i;

    for (t = s->clients; t != NULL; t = next) {
        bool ok = true;
        next = t->next;
        if (t->user != u)
            continue;
        for (i = 0; ok && i < t->channels_len; i++)
            ok = sn_acl_check_channel(u, t->channels[i],
                                      strlen(t->channels[i]), false);
        for (i = 0; ok && i < t->patterns_len; i++)
            ok = sn_acl_check_channel(u, t->patterns[i],
                                      strlen(t->patterns[i]), true);
        if (ok)
            continue;
        if (t == current)
            t->close_after_reply = true;
        else
            sn_srv_client_free(t);
    }
}

static void
cmd_acl(struct client *c, struct sn_resp_cmd *cmd)
{
    struct sn_server *s = c->srv;
    unsigned char rnd[SN_ACL_GENPASS_BYTES];
    struct sn_acl_effects fx;
    struct sn_acl_env env;
    struct sn_resp_writer w;
    int i;

    memset(&env, 0, sizeof(env));
    env.user = c->user;
    env.now_ms = sn_daemon_now_ms();
    if (cmd->argc >= 2 && strcasecmp(cmd->argv[1], "genpass") == 0 &&
        sn_crypto_random(rnd, sizeof(rnd)) == 0) {
        env.random = rnd;
        env.random_len = sizeof(rnd);
    }
    sn_srv_writer(c, &w);
    sn_acl_exec(s->d->acl, &w, cmd->argc, cmd->argv, cmd->argvlen, &env, &fx);
    for (i = 0; i < fx.removed_len; i++)
        close_clients_of(s, fx.removed[i], c);
    for (i = 0; i < fx.narrowed_len; i++)
        recheck_subscriptions(s, fx.narrowed[i], c);
    if (fx.changed) {
        /* Persist the users as the rest of the state: through the core's
         * model and a SAVE, before the reply leaves. */
        sn_acl_save_to_config(s->d->acl, sn_core_config_mut(s->d->core));
        sn_core_save(s->d->core);
        sn_daemon_drain(s->d);
    }
    sn_acl_effects_free(&fx);
}

static bool
needs_no_auth(const char *name)
{
    return strcasecmp(name, "auth") == 0 || strcasecmp(name, "hello") == 0 ||
           strcasecmp(name, "quit") == 0;
}

static void
execute(struct client *c, struct sn_resp_cmd *cmd)
{
    const char *name = cmd->argv[0];
    int argc = cmd->argc;
    char **argv = cmd->argv;
    const struct sn_cmd_entry *e = c->last_entry, *sub = c->last_sub;

    /* A client mostly sends the same command again (a pipeline of
     * GET-MASTER-ADDR-BY-NAME): the table is searched when it changes. */
    if (e == NULL || strcasecmp(e->name, name) != 0) {
        e = sn_cmdtable_find(name);
        sub = NULL;
    }
    if (e != NULL && e->subcommands != NULL && argc >= 2) {
        if (sub == NULL || strcasecmp(sub->name + strlen(e->name) + 1,
                                      argv[1]) != 0)
            sub = sn_cmdtable_sub_of(e, argv[1]);
    } else {
        sub = NULL;
    }
    c->last_entry = e;
    c->last_sub = sub;
    c->srv->stats.commands_processed++;
    {
        /* CLIENT LIST's cmd=: the full name, "sentinel|masters". */
        const char *full;
        size_t n;

        full = sub != NULL ? sub->name : e != NULL ? e->name : "NULL";
        n = strnlen(full, sizeof(c->last_cmd) - 1);
        memcpy(c->last_cmd, full, n);
        c->last_cmd[n] = '\0';
    }
    if (e == NULL && strcasecmp(name, "quit") != 0) {
        unknown_command(c, cmd);
        return;
    }
    if (!c->authenticated && sn_acl_auth_required(c->srv->d->acl) &&
        !needs_no_auth(name)) {
        sn_srv_reply_error(c, "%s", SN_ACL_ERR_NOAUTH);
        return;
    }
    if (e != NULL && ((e->arity > 0 && argc != e->arity) ||
                      (e->arity < 0 && argc < -e->arity))) {
        reply_arity(c, e->name);
        return;
    }
    if (sub != NULL && ((sub->arity > 0 && argc != sub->arity) ||
                        (sub->arity < 0 && argc < -sub->arity))) {
        reply_arity(c, sub->name);
        return;
    }
    if (e != NULL && !acl_allows(c, e, cmd))
        return;
    if (sn_srv_subscriptions(c) > 0 && c->proto == 2 && !pubsub_allowed(name)) {
        sn_srv_reply_error(c, "ERR Can't execute '%s': only (P|S)SUBSCRIBE / "
                       "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed "
                       "in this context", e->name);
        return;
    }
    if (e != NULL && strcmp(e->name, "sentinel") == 0) {
        run_sentinel_command(c, cmd);
    } else if (strcasecmp(name, "quit") == 0) {
        sn_srv_reply_ok(c);
        c->close_after_reply = true;
    } else if (strcasecmp(name, "ping") == 0) {
        cmd_ping(c, argc, argv);
    } else if (strcasecmp(name, "echo") == 0) {
        struct sn_resp_writer w;
        sn_srv_writer(c, &w);
        sn_resp_write_bulk(&w, argv[1], cmd->argvlen[1]);
    } else if (strcasecmp(name, "auth") == 0) {
        cmd_auth(c, argc, argv, cmd->argvlen);
    } else if (strcasecmp(name, "acl") == 0) {
        cmd_acl(c, cmd);
    } else if (strcasecmp(name, "hello") == 0) {
        cmd_hello(c, argc, argv);
    } else if (strcasecmp(name, "client") == 0) {
        sn_srv_cmd_client(c, argc, argv);
    } else if (strcasecmp(name, "command") == 0) {
        struct sn_resp_writer w;
        sn_srv_writer(c, &w);
        sn_cmdtable_reply(&w, argc, argv);
    } else if (strcasecmp(name, "subscribe") == 0) {
        for (int i = 1; i < argc; i++)
            subscribe(c, &c->channels, &c->channels_len, argv[i], "subscribe");
        c->srv->stats.pubsub_channels += 0;
    } else if (strcasecmp(name, "psubscribe") == 0) {
        for (int i = 1; i < argc; i++)
            subscribe(c, &c->patterns, &c->patterns_len, argv[i], "psubscribe");
    } else if (strcasecmp(name, "unsubscribe") == 0) {
        unsubscribe(c, &c->channels, &c->channels_len, argc, argv, "unsubscribe");
    } else if (strcasecmp(name, "punsubscribe") == 0) {
        unsubscribe(c, &c->patterns, &c->patterns_len, argc, argv, "punsubscribe");
    } else if (strcasecmp(name, "shutdown") == 0) {
        c->close_after_reply = true;
        sn_daemon_shutdown(c->srv->d, 0);
    } else {
        run_sentinel_command(c, cmd);
    }
}

/* ---------------------------------------------------------------------
 * Connections
 * ------------------------------------------------------------------- */

/* Move the first n bytes of c->out to the socket's buffer. Returns false
 * if that closed the client (its output limit). */
static bool
send_out(struct client *c, size_t n)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    size_t limit;

    evbuffer_add(out, c->out.data, n);
    memmove(c->out.data, c->out.data + n, c->out.len - n);
    c->out.len -= n;
    /* Written at once, as Redis writes its replies before it sleeps: the
     * write event (two epoll_ctl calls per batch of replies) is only
     * asked for when the socket does not take it all. An error is left
     * to that event, which reports it (event_cb closes the client). */
    if (!(bufferevent_get_enabled(c->bev) & EV_WRITE)) {
        evbuffer_write(out, c->fd);
        if (evbuffer_get_length(out) > 0)
            bufferevent_enable(c->bev, EV_WRITE);
    }
    limit = sn_srv_subscriptions(c) > 0 ? OUTPUT_PUBSUB_MAX : OUTPUT_NORMAL_MAX;
    if (evbuffer_get_length(out) + c->out.len > limit) {
        sn_log(SN_LOG_WARNING, "Client id=%llu addr=%s scheduled to be "
               "closed ASAP for overcoming of output buffer limits.",
               (unsigned long long)c->id, c->addr);
        sn_srv_client_free(c);
        return false;
    }
    return true;
}

/* Replies and messages leave once the state they were written in is on
 * disk (daemon.c, "Saves"): a vote's reply after the vote, an address
 * after the failover that made it. Until then they stay in c->out, in
 * order, each stretch marked with the number of the save it waits for;
 * sn_server_release() sends each stretch as its save ends, so that a
 * subscriber still gets its messages during a long run of saves. */
void
sn_srv_client_flush(struct client *c)
{
    struct sn_daemon *d = c->srv->d;
    uint64_t need;
    struct out_mark *last;

    if (c->out.len == 0 || c->closing)
        return;
    need = sn_daemon_save_need(d);
    if (c->marks_len == 0 && (!c->out_stateful || sn_daemon_durable(d, need))) {
        c->out_stateful = false;
        send_out(c, c->out.len);
        return;
    }
    c->out_stateful = false;
    last = c->marks_len > 0 ? &c->marks[c->marks_len - 1] : NULL;
    if (last != NULL && (last->need == need || last->end == c->out.len)) {
        if (last->need < need)
            last->need = need;
        last->end = c->out.len;
    } else {
        if (c->marks_len == c->marks_cap) {
            c->marks_cap = c->marks_cap ? c->marks_cap * 2 : 4;
            c->marks = sn_realloc(c->marks,
                                  (size_t)c->marks_cap * sizeof(*c->marks));
        }
        c->marks[c->marks_len].end = c->out.len;
        c->marks[c->marks_len].need = need;
        c->marks_len++;
    }
    sn_daemon_save_kick(d);
}

/* Send what waited for saves that have ended. Returns false if that
 * closed the client. */
static bool
release_out(struct client *c)
{
    struct sn_daemon *d = c->srv->d;
    size_t n = 0;
    int i = 0, j;

    while (i < c->marks_len && sn_daemon_durable(d, c->marks[i].need))
        n = c->marks[i++].end;
    if (i == 0)
        return true;
    for (j = i; j < c->marks_len; j++) {
        c->marks[j - i].end = c->marks[j].end - n;
        c->marks[j - i].need = c->marks[j].need;
    }
    c->marks_len -= i;
    return send_out(c, n);
}

void
sn_srv_client_free(struct client *c)
{
    struct sn_server *s = c->srv;
    int i;

    if (s->current == c) {
        c->closing = true;      /* freed when its command returns */
        return;
    }
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        s->clients = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    s->clients_len--;
    bufferevent_free(c->bev);
    sn_resp_parser_free(&c->parser);
    sn_buf_free(&c->out);
    free(c->marks);
    sn_buf_free(&c->push);
    sn_srv_tracking_free(c);
    for (i = 0; i < c->held_argc; i++)
        free(c->held_argv[i]);
    free(c->held_argv);
    free(c->held_len);
    for (i = 0; i < c->channels_len; i++)
        free(c->channels[i]);
    for (i = 0; i < c->patterns_len; i++)
        free(c->patterns[i]);
    free(c->channels);
    free(c->patterns);
    free(c->name);
    free(c->lib_name);
    free(c->lib_ver);
    free(c);
}

/* A client that is to be closed after its reply goes once all of it has
 * left (replies that wait for a save included). */
static void
close_if_done(struct client *c)
{
    if (c->close_after_reply && c->out.len == 0 &&
        evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
        sn_srv_client_free(c);
}

/* Put the reply of the command just run (out[before..]) after the
 * messages published to this client while it ran, or drop it when the
 * client muted replies (CLIENT REPLY OFF or SKIP). */
static void
finish_reply(struct client *c, size_t before, bool mute)
{
    size_t reply_len = c->out.len - before;
    char *reply;

    if (c->push.len == 0) {
        if (mute)
            c->out.len = before;
        return;
    }
    reply = sn_strndup(c->out.data + before, reply_len);
    c->out.len = before;
    sn_buf_append(&c->out, c->push.data, c->push.len);
    if (!mute)
        sn_buf_append(&c->out, reply, reply_len);
    free(reply);
    sn_buf_reset(&c->push);
}

static void
hold(struct client *c, const struct sn_resp_cmd *cmd)
{
    int i;

    c->held_argc = cmd->argc;
    c->held_argv = sn_calloc((size_t)cmd->argc + 1, sizeof(char *));
    c->held_len = sn_calloc((size_t)cmd->argc, sizeof(size_t));
    for (i = 0; i < cmd->argc; i++) {
        c->held_argv[i] = sn_strndup(cmd->argv[i], cmd->argvlen[i]);
        c->held_len[i] = cmd->argvlen[i];
    }
}

/* Commands whose replies tell nothing of the monitored state: they need
 * not wait for a save under way (a health check's PING is answered during
 * a slow fsync), unless a reply that must wait is ahead of them. */
static bool
stateless_command(const struct sn_cmd_entry *e)
{
    static const char *const names[] = {
        "ping", "echo", "quit", "hello", "auth", "client", "command",
        "subscribe", "psubscribe", "unsubscribe", "punsubscribe", "reset",
    };
    size_t i;

    /* Unknown commands count as stateful, as before a table entry was
     * known; SENTINEL, by far the most frequent, is not one of them. */
    if (e == NULL || strcmp(e->name, "sentinel") == 0)
        return false;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(e->name, names[i]) == 0)
            return true;
    return false;
}

/* Run one command. Returns false if CLIENT PAUSE holds it back. */
static bool
run_one(struct client *c, struct sn_resp_cmd *cmd)
{
    bool mute;
    size_t before;

    if (sn_srv_paused_for(c->srv, cmd->argv[0])) {
        hold(c, cmd);
        return false;
    }
    mute = c->reply == CLIENT_REPLY_OFF || c->reply == CLIENT_REPLY_SKIP;
    before = c->out.len;
    c->last_ms = c->srv->batch_ms;
    execute(c, cmd);
    /* execute() left the command's table entry in c->last_entry. */
    if (c->out.len > before && !stateless_command(c->last_entry))
        c->out_stateful = true;
    finish_reply(c, before, mute);
    if (c->reply == CLIENT_REPLY_SKIP)
        c->reply = CLIENT_REPLY_ON;
    else if (c->reply == CLIENT_REPLY_SKIP_NEXT)
        c->reply = CLIENT_REPLY_SKIP;
    /* Pipelined replies leave together, at the end of the batch
     * (client_process), unless they pile up. */
    if (c->out.len > 64 * 1024)
        sn_srv_client_flush(c);
    return true;
}

/* The command CLIENT PAUSE held back, if it may run now. Returns false
 * while it is still held. */
static bool
run_held(struct client *c)
{
    struct sn_resp_cmd cmd;
    bool ran;
    int i;

    if (c->held_argc == 0)
        return true;
    if (sn_srv_paused_for(c->srv, c->held_argv[0]))
        return false;
    cmd.argc = c->held_argc;
    cmd.argv = c->held_argv;
    cmd.argvlen = c->held_len;
    c->held_argc = 0;
    ran = run_one(c, &cmd);
    for (i = 0; i < cmd.argc; i++)
        free(cmd.argv[i]);
    free(cmd.argv);
    free(cmd.argvlen);
    if (!ran)
        return false;
    c->held_argv = NULL;
    c->held_len = NULL;
    return true;
}

static void
client_process(struct client *c)
{
    struct sn_resp_cmd cmd;
    int rc;

    c->srv->current = c;
    /* One clock reading for the batch: a pipeline of thousands of
     * commands is read in one go. */
    c->srv->batch_ms = sn_daemon_now_ms();
    if (run_held(c)) {
        while (!c->closing && !c->close_after_reply &&
               (rc = sn_resp_next(&c->parser, &cmd)) != 0) {
            if (rc < 0) {
                struct sn_resp_writer w;
                sn_srv_writer(c, &w);
                if (sn_resp_parser_error_code(&c->parser) !=
                    SN_RESP_ERR_QUERY_BUF)
                    sn_resp_write_error(&w, sn_resp_parser_error(&c->parser));
                else
                    sn_log(SN_LOG_WARNING, "Closing client that reached max "
                           "query buffer length: id=%llu addr=%s",
                           (unsigned long long)c->id, c->addr);
                c->close_after_reply = true;
                break;
            }
            if (!run_one(c, &cmd))
                break;
        }
    }
    c->srv->current = NULL;
    if (c->closing) {
        sn_srv_client_free(c);
        return;
    }
    sn_srv_client_flush(c);
    close_if_done(c);
}

void
sn_server_release(struct sn_server *s)
{
    struct client *c, *next;

    for (c = s->clients; c != NULL; c = next) {
        next = c->next;
        if (c->marks_len == 0 || c->closing)
            continue;
        if (release_out(c))
            close_if_done(c);
    }
}

/* ---------------------------------------------------------------------
 * CLIENT PAUSE
 * ------------------------------------------------------------------- */

bool
sn_srv_paused_for(const struct sn_server *s, const char *name)
{
    const struct sn_cmd_entry *e;

    if (s->pause_end_ms == 0 || sn_daemon_now_ms() >= s->pause_end_ms)
        return false;
    if (s->pause_all)
        return true;
    /* WRITE pauses the commands that write or may replicate: a sentinel
     * has none, as in Redis. */
    e = sn_cmdtable_find(name);
    return e != NULL && (strstr(e->flags, "write") != NULL ||
                         strstr(e->flags, "may_replicate") != NULL);
}

static void
unpause_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sn_server *s = arg;

    (void)fd;
    (void)what;
    if (s->pause_end_ms != 0 && sn_daemon_now_ms() < s->pause_end_ms) {
        sn_srv_pause(s, s->pause_end_ms, s->pause_all);  /* woke early */
        return;
    }
    s->pause_end_ms = 0;
    sn_srv_resume_all(s);
}

void
sn_srv_pause(struct sn_server *s, int64_t end_ms, bool all)
{
    int64_t now = sn_daemon_now_ms(), wait;
    struct timeval tv;

    if (s->pause_end_ms != 0 && now < s->pause_end_ms) {
        /* A pause under way is only ever extended or widened. */
        if (s->pause_end_ms > end_ms)
            end_ms = s->pause_end_ms;
        all = all || s->pause_all;
    }
    s->pause_end_ms = end_ms > 0 ? end_ms : 1;
    s->pause_all = all;
    wait = end_ms - now;
    if (wait < 0)
        wait = 0;
    tv.tv_sec = wait / 1000;
    tv.tv_usec = (wait % 1000) * 1000;
    evtimer_add(s->unpause_ev, &tv);
}

void
sn_srv_unpause(struct sn_server *s)
{
    s->pause_end_ms = 0;
    /* Resume from the loop, not from inside the UNPAUSE command. */
    event_active(s->unpause_ev, 0, 0);
}

void
sn_srv_resume_all(struct sn_server *s)
{
    uint64_t *ids;
    struct client *c;
    int n = 0, i;

    if (s->clients_len == 0)
        return;
    /* Running a client may free others: walk by id. */
    ids = sn_calloc((size_t)s->clients_len, sizeof(*ids));
    for (c = s->clients; c != NULL && n < s->clients_len; c = c->next)
        if (c->held_argc > 0 || sn_resp_parser_pending(&c->parser) > 0)
            ids[n++] = c->id;
    for (i = 0; i < n; i++) {
        for (c = s->clients; c != NULL && c->id != ids[i]; c = c->next)
            ;
        if (c != NULL && !c->closing)
            client_process(c);
    }
    free(ids);
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
    struct client *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    char buf[16384];
    int n;

    if (c->close_after_reply) {
        evbuffer_drain(in, evbuffer_get_length(in));
        return;
    }
    while ((n = evbuffer_remove(in, buf, sizeof(buf))) > 0)
        sn_resp_feed(&c->parser, buf, (size_t)n);
    client_process(c);
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
    struct client *c = arg;

    /* All written: back to writing at once (send_out). */
    bufferevent_disable(bev, EV_WRITE);
    if (c->close_after_reply && c->out.len == 0)
        sn_srv_client_free(c);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        sn_srv_client_free(arg);
}

static void
format_addr(const struct sockaddr *sa, char *out, size_t len, bool *loopback)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
        port = ntohs(in->sin_port);
        if (loopback != NULL)
            *loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
        snprintf(out, len, "%s:%d", ip, port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        port = ntohs(in6->sin6_port);
        if (loopback != NULL)
            *loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
        snprintf(out, len, "%s:%d", ip, port);
    } else {
        snprintf(out, len, "?:0");
        if (loopback != NULL)
            *loopback = true;   /* a unix socket is local */
    }
}

/* Refuse a connection with a one-line error, as Redis does before it has
 * a client for it. */
static void
refuse(evutil_socket_t fd, const char *msg)
{
    if (write(fd, msg, strlen(msg)) < 0)
        (void)0;
    close(fd);
}

static const char denied_text[] =
    "-DENIED Redis is running in protected mode because protected mode is "
    "enabled and no password is set for the default user. In this mode "
    "connections are only accepted from the loopback interface. If you want "
    "to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by "
    "connecting to Redis from the same host the server is running, however "
    "MAKE SURE Redis is not publicly accessible from internet if you do so. "
    "Use CONFIG REWRITE to make this change permanent. 2) Alternatively you "
    "can just disable the protected mode by editing the Redis configuration "
    "file, and setting the protected mode option to 'no', and then "
    "restarting the server. 3) If you started the server manually just for "
    "testing, restart it with the '--protected-mode no' option. 4) Set up an "
    "authentication password for the default user. NOTE: You only need to "
    "do one of the above things in order for the server to start accepting "
    "connections from the outside.\r\n";

static void
accept_cb(struct evconnlistener *lst, evutil_socket_t fd, struct sockaddr *sa,
          int salen, void *arg)
{
    struct sn_server *s = arg;
    struct sockaddr_storage local;
    socklen_t llen = sizeof(local);
    struct client *c;
    bool loopback = false;
    char addr[sizeof(c->addr)];
    int one = 1;

    (void)lst;
    (void)salen;
    s->stats.connections_received++;
    format_addr(sa, addr, sizeof(addr), &loopback);
    if (s->clients_len >= s->cfg->maxclients) {
        s->stats.rejected_connections++;
        refuse(fd, "-ERR max number of clients reached\r\n");
        return;
    }
    if (s->cfg->protected_mode && !loopback &&
        !sn_acl_auth_required(s->d->acl)) {
        s->stats.rejected_connections++;
        refuse(fd, denied_text);
        return;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c = sn_calloc(1, sizeof(*c));
    c->srv = s;
    c->id = ++s->next_id;
    c->fd = (int)fd;
    memcpy(c->addr, addr, sizeof(addr));
    c->loopback = loopback;
    if (getsockname(fd, (struct sockaddr *)&local, &llen) == 0)
        format_addr((struct sockaddr *)&local, c->laddr, sizeof(c->laddr), NULL);
    c->proto = 2;
    c->user = sn_acl_default_user(s->d->acl);
    c->authenticated = false;
    c->created_ms = c->last_ms = sn_daemon_now_ms();
    sn_resp_parser_init(&c->parser);
    sn_resp_parser_set_auth_required(&c->parser,
                                     sn_acl_auth_required(s->d->acl));
    sn_buf_init(&c->out);
    c->bev = bufferevent_socket_new(s->d->base, fd,
                                    BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
    bufferevent_enable(c->bev, EV_READ);     /* EV_WRITE: send_out */
    c->next = s->clients;
    if (s->clients != NULL)
        s->clients->prev = c;
    s->clients = c;
    s->clients_len++;
}

static int
listen_on(struct sn_server *s, const char *host, int port, char *err,
          size_t errlen)
{
    struct sockaddr_storage ss;
    int sslen = sizeof(ss);
    char spec[300];
    struct evconnlistener *l;

    if (s->listeners_len >= LISTENERS_MAX) {
        snprintf(err, errlen, "too many bind addresses (at most %d)",
                 LISTENERS_MAX);
        return -1;
    }
    if (strchr(host, ':') != NULL)
        snprintf(spec, sizeof(spec), "[%s]:%d", host, port);
    else
        snprintf(spec, sizeof(spec), "%s:%d", host, port);
    memset(&ss, 0, sizeof(ss));
    if (evutil_parse_sockaddr_port(spec, (struct sockaddr *)&ss, &sslen) != 0) {
        snprintf(err, errlen, "Invalid bind address '%s'", host);
        return -1;
    }
    l = evconnlistener_new_bind(s->d->base, accept_cb, s,
                                LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
                                    LEV_OPT_CLOSE_ON_EXEC |
                                    (ss.ss_family == AF_INET6 ? LEV_OPT_BIND_IPV6ONLY : 0),
                                511, (struct sockaddr *)&ss, sslen);
    if (l == NULL) {
        snprintf(err, errlen, "Could not create server TCP listening socket "
                 "%s: %s", spec, strerror(errno));
        return -1;
    }
    s->listeners[s->listeners_len++] = l;
    return 0;
}

struct sn_server *
sn_server_new(struct sn_daemon *d, const struct sn_config *cfg, char *err,
              size_t errlen)
{
    struct sn_server *s = sn_calloc(1, sizeof(*s));
    int i;

    s->d = d;
    s->cfg = sn_core_config(d->core);
    s->unpause_ev = evtimer_new(d->base, unpause_cb, s);
    if (cfg->bind_len == 0) {
        /* Redis's default: every IPv4 address, and IPv6 where there is. */
        if (listen_on(s, "0.0.0.0", cfg->port, err, errlen) != 0) {
            sn_server_free(s);
            return NULL;
        }
        char ignored[256];
        listen_on(s, "::", cfg->port, ignored, sizeof(ignored));
    }
    for (i = 0; i < cfg->bind_len; i++) {
        const char *h = cfg->bind[i];
        bool optional = h[0] == '-';
        char e2[512];
        if (optional)
            h++;
        if (strcmp(h, "*") == 0)
            h = "0.0.0.0";
        if (listen_on(s, h, cfg->port, e2, sizeof(e2)) != 0) {
            if (optional) {
                sn_log(SN_LOG_WARNING, "%s", e2);
                continue;
            }
            snprintf(err, errlen, "%s", e2);
            sn_server_free(s);
            return NULL;
        }
    }
    if (s->listeners_len == 0) {
        snprintf(err, errlen, "no address to listen on");
        sn_server_free(s);
        return NULL;
    }
    return s;
}

void
sn_server_free(struct sn_server *s)
{
    int i;

    if (s == NULL)
        return;
    s->current = NULL;
    while (s->clients != NULL)
        sn_srv_client_free(s->clients);
    for (i = 0; i < s->listeners_len; i++)
        evconnlistener_free(s->listeners[i]);
    if (s->unpause_ev != NULL)
        event_free(s->unpause_ev);
    free(s);
}

void
sn_server_stats(const struct sn_server *s, struct sn_server_stats *st)
{
    const struct client *c;

    *st = s->stats;
    st->clients = s->clients_len;
    st->pubsub_channels = 0;
    st->pubsub_patterns = 0;
    for (c = s->clients; c != NULL; c = c->next) {
        st->pubsub_channels += c->channels_len;
        st->pubsub_patterns += c->patterns_len;
    }
}
