/*
 * client.c: the CLIENT command: ids, names, library info, LIST and INFO,
 * KILL, REPLY, PAUSE, TRACKING and the rest of Redis 7.0's subcommands.
 */
#include <ctype.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdtable.h"
#include "daemon.h"
#include "server_priv.h"

static struct client *client_by_id(struct sn_server *s, uint64_t id);

/* CLIENT LIST's flags, in Redis's order, "N" for none. */
static const char *
client_flags(const struct client *c, char out[16])
{
    char *p = out;

    if (sn_srv_subscriptions(c) > 0)
        *p++ = 'P';
    if (c->tracking.on)
        *p++ = 't';
    if (c->tracking.on && c->tracking.redirect != 0 &&
        client_by_id(c->srv, c->tracking.redirect) == NULL)
        *p++ = 'R';
    if (c->tracking.bcast)
        *p++ = 'B';
    if (c->close_after_reply)
        *p++ = 'c';
    if (c->no_evict)
        *p++ = 'e';
    if (p == out)
        *p++ = 'N';
    *p = '\0';
    return out;
}

void
sn_srv_client_info_line(const struct client *c, struct sn_buf *b, int64_t now)
{
    char flags[16];

    sn_buf_printf(b,
        "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld "
        "flags=%s db=0 sub=%d psub=%d ssub=0 multi=-1 qbuf=%zu "
        "qbuf-free=%zu argv-mem=0 multi-mem=0 rbs=%zu rbp=0 obl=0 oll=0 "
        "omem=%zu tot-mem=%zu events=r cmd=%s user=%s redir=-1 "
        "resp=%d lib-name=%s lib-ver=%s\n",
        (unsigned long long)c->id, c->addr, c->laddr, c->fd,
        c->name != NULL ? c->name : "", (long long)((now - c->created_ms) / 1000),
        (long long)((now - c->last_ms) / 1000),
        client_flags(c, flags), c->channels_len, c->patterns_len,
        sn_resp_parser_pending(&c->parser), c->parser.cap - c->parser.len,
        c->parser.cap, c->out.len, c->parser.cap + c->out.len + sizeof(*c),
        c->last_cmd[0] != '\0' ? c->last_cmd : "NULL",
        c->user != NULL ? sn_acl_user_name(c->user) : "default", c->proto,
        c->lib_name != NULL ? c->lib_name : "",
        c->lib_ver != NULL ? c->lib_ver : "");
}

static bool
valid_client_name(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s <= ' ' || *s > '~')
            return false;
    return true;
}

static int
client_kill_filters(struct client *c, int argc, char **argv)
{
    struct sn_server *s = c->srv;
    const char *addr = NULL, *laddr = NULL, *type = NULL, *user = NULL;
    int64_t id = -1, maxage = -1;
    bool skipme = true;
    struct client *t, *next;
    int i, killed = 0;

    for (i = 2; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcasecmp(k, "id") == 0) {
            if (sn_parse_i64(v, 1, INT64_MAX, &id) != 0)
                return -2;
        } else if (strcasecmp(k, "addr") == 0) {
            addr = v;
        } else if (strcasecmp(k, "laddr") == 0) {
            laddr = v;
        } else if (strcasecmp(k, "type") == 0) {
            if (strcasecmp(v, "normal") != 0 && strcasecmp(v, "pubsub") != 0 &&
                strcasecmp(v, "master") != 0 && strcasecmp(v, "replica") != 0 &&
                strcasecmp(v, "slave") != 0)
                return -3;
            type = v;
        } else if (strcasecmp(k, "user") == 0) {
            if (sn_acl_find_user(s->d->acl, v) == NULL)
                return -4;
            user = v;
        } else if (strcasecmp(k, "skipme") == 0) {
            int yn = sn_config_yesno(v);
            if (yn < 0)
                return -1;
            skipme = yn == 1;
        } else if (strcasecmp(k, "maxage") == 0) {
            if (sn_parse_i64(v, 0, INT64_MAX, &maxage) != 0)
                return -2;
        } else {
            return -1;
        }
    }
    if (i != argc)
        return -1;
    for (t = s->clients; t != NULL; t = next) {
        int64_t now = sn_daemon_now_ms();
        next = t->next;
        if ((id >= 0 && (uint64_t)id != t->id) ||
            (addr != NULL && strcmp(addr, t->addr) != 0) ||
            (laddr != NULL && strcmp(laddr, t->laddr) != 0) ||
            (user != NULL && (t->user == NULL ||
                              strcmp(user, sn_acl_user_name(t->user)) != 0)) ||
            (maxage >= 0 && (now - t->created_ms) / 1000 < maxage) ||
            (skipme && t == c) || t->closing)
            continue;
        if (type != NULL) {
            bool pubsub = sn_srv_subscriptions(t) > 0;
            if (strcasecmp(type, "pubsub") == 0 ? !pubsub
                : strcasecmp(type, "normal") == 0 ? pubsub : true)
                continue;
        }
        if (t == c)
            c->close_after_reply = true;
        else
            sn_srv_client_free(t);
        killed++;
    }
    return killed;
}

static void
cmd_client_kill(struct client *c, int argc, char **argv)
{
    struct sn_resp_writer w;
    int n;

    if (argc == 3) {
        /* The old form: CLIENT KILL addr:port. */
        struct client *t;
        for (t = c->srv->clients; t != NULL; t = t->next)
            if (!t->closing && strcmp(t->addr, argv[2]) == 0)
                break;
        if (t == NULL) {
            sn_srv_reply_error(c, "ERR No such client");
            return;
        }
        if (t == c)
            c->close_after_reply = true;
        else
            sn_srv_client_free(t);
        sn_srv_reply_ok(c);
        return;
    }
    n = client_kill_filters(c, argc, argv);
    if (n == -1) {
        sn_srv_reply_error(c, "ERR syntax error");
        return;
    }
    if (n == -2) {
        sn_srv_reply_error(c, "ERR client-id should be greater than 0");
        return;
    }
    if (n == -3) {
        sn_srv_reply_error(c, "ERR Unknown client type '%s'", argv[3]);
        return;
    }
    if (n == -4) {
        int i;
        for (i = 2; i + 1 < argc && strcasecmp(argv[i], "user") != 0; i += 2)
            ;
        sn_srv_reply_error(c, "ERR No such user '%s'", argv[i + 1]);
        return;
    }
    sn_srv_writer(c, &w);
    sn_resp_write_int(&w, n);
}

/* ---------------------------------------------------------------------
 * LIST, REPLY, PAUSE, UNBLOCK
 * ------------------------------------------------------------------- */

static int
on_off(const char *s)
{
    if (strcasecmp(s, "on") == 0)
        return 1;
    if (strcasecmp(s, "off") == 0)
        return 0;
    return -1;
}

static bool
client_is_type(const struct client *t, const char *type)
{
    bool pubsub = sn_srv_subscriptions(t) > 0;

    if (strcasecmp(type, "pubsub") == 0)
        return pubsub;
    if (strcasecmp(type, "normal") == 0)
        return !pubsub;
    return false;               /* master, replica: never in a sentinel */
}

static void
cmd_client_list(struct client *c, int argc, char **argv, int64_t now)
{
    struct sn_resp_writer w;
    const char *type = NULL;
    struct sn_buf b;
    struct client *t;
    int i, first_id = 0;

    if (argc >= 4 && strcasecmp(argv[2], "type") == 0 && argc == 4) {
        type = argv[3];
        if (strcasecmp(type, "normal") != 0 && strcasecmp(type, "pubsub") != 0 &&
            strcasecmp(type, "master") != 0 && strcasecmp(type, "replica") != 0 &&
            strcasecmp(type, "slave") != 0) {
            sn_srv_reply_error(c, "ERR Unknown client type '%s'", type);
            return;
        }
    } else if (argc >= 4 && strcasecmp(argv[2], "id") == 0) {
        first_id = 3;
        for (i = 3; i < argc; i++) {
            int64_t id;
            if (sn_parse_i64(argv[i], 1, INT64_MAX, &id) != 0) {
                sn_srv_reply_error(c, "ERR Invalid client ID");
                return;
            }
        }
    } else if (argc != 2) {
        sn_srv_reply_error(c, "ERR syntax error");
        return;
    }
    sn_buf_init(&b);
    for (t = c->srv->clients; t != NULL; t = t->next) {
        bool match = first_id == 0;
        if (t->closing || (type != NULL && !client_is_type(t, type)))
            continue;
        for (i = first_id; first_id > 0 && i < argc; i++)
            match |= strtoull(argv[i], NULL, 10) == t->id;
        if (match)
            sn_srv_client_info_line(t, &b, now);
    }
    sn_srv_writer(c, &w);
    sn_resp_write_verbatim(&w, "txt", b.data != NULL ? b.data : "", b.len);
    sn_buf_free(&b);
}

/* REPLY OFF and SKIP get no reply themselves; server.c mutes what
 * follows (client_process). */
static void
cmd_client_reply(struct client *c, const char *mode)
{
    if (strcasecmp(mode, "on") == 0) {
        c->reply = CLIENT_REPLY_ON;
        sn_srv_reply_ok(c);
    } else if (strcasecmp(mode, "off") == 0) {
        c->reply = CLIENT_REPLY_OFF;
    } else if (strcasecmp(mode, "skip") == 0) {
        if (c->reply != CLIENT_REPLY_OFF)
            c->reply = CLIENT_REPLY_SKIP_NEXT;
    } else {
        sn_srv_reply_error(c, "ERR syntax error");
    }
}

static void
cmd_client_pause(struct client *c, int argc, char **argv, int64_t now)
{
    int64_t ms;
    bool all = true;

    if (sn_parse_i64(argv[2], 0, INT64_MAX / 2, &ms) != 0) {
        sn_srv_reply_error(c, "ERR timeout is not an integer or out of range");
        return;
    }
    if (argc == 4) {
        if (strcasecmp(argv[3], "write") == 0)
            all = false;
        else if (strcasecmp(argv[3], "all") != 0) {
            sn_srv_reply_error(c, "ERR CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    }
    sn_srv_pause(c->srv, now + ms, all);
    sn_srv_reply_ok(c);
}

/* No client ever blocks in a sentinel (it has no blocking commands), so
 * there is never one to unblock. */
static void
cmd_client_unblock(struct client *c, int argc, char **argv)
{
    struct sn_resp_writer w;
    int64_t id;

    if (sn_parse_i64(argv[2], INT64_MIN, INT64_MAX, &id) != 0) {
        sn_srv_reply_error(c, "ERR value is not an integer or out of range");
        return;
    }
    if (argc == 4 && strcasecmp(argv[3], "timeout") != 0 &&
        strcasecmp(argv[3], "error") != 0) {
        sn_srv_reply_error(c, "ERR CLIENT UNBLOCK reason should be TIMEOUT "
                              "or ERROR");
        return;
    }
    sn_srv_writer(c, &w);
    sn_resp_write_int(&w, 0);
}

/* ---------------------------------------------------------------------
 * TRACKING, TRACKINGINFO, CACHING
 * ------------------------------------------------------------------- */

void
sn_srv_tracking_free(struct client *c)
{
    int i;

    for (i = 0; i < c->tracking.prefixes_len; i++)
        free(c->tracking.prefixes[i]);
    free(c->tracking.prefixes);
    memset(&c->tracking, 0, sizeof(c->tracking));
}

static struct client *
client_by_id(struct sn_server *s, uint64_t id)
{
    struct client *t;

    for (t = s->clients; t != NULL; t = t->next)
        if (t->id == id && !t->closing)
            return t;
    return NULL;
}

/* Parse the options after ON into `t`. Returns 0 or -1 (error sent). */
static int
tracking_options(struct client *c, int argc, char **argv,
                 struct client_tracking *t)
{
    int i;

    for (i = 3; i < argc; i++) {
        bool more = i + 1 < argc;
        if (strcasecmp(argv[i], "redirect") == 0 && more) {
            int64_t id;
            if (t->redirect != 0) {
                sn_srv_reply_error(c, "ERR A client can only redirect to a "
                                      "single other client");
                return -1;
            }
            if (sn_parse_i64(argv[++i], 1, INT64_MAX, &id) != 0 ||
                client_by_id(c->srv, (uint64_t)id) == NULL) {
                sn_srv_reply_error(c, "ERR The client ID you want redirect "
                                      "to does not exist");
                return -1;
            }
            t->redirect = (uint64_t)id;
        } else if (strcasecmp(argv[i], "bcast") == 0) {
            t->bcast = true;
        } else if (strcasecmp(argv[i], "optin") == 0) {
            t->optin = true;
        } else if (strcasecmp(argv[i], "optout") == 0) {
            t->optout = true;
        } else if (strcasecmp(argv[i], "noloop") == 0) {
            t->noloop = true;
        } else if (strcasecmp(argv[i], "prefix") == 0 && more) {
            t->prefixes = sn_realloc(t->prefixes, sizeof(char *) *
                                     (size_t)(t->prefixes_len + 1));
            t->prefixes[t->prefixes_len++] = sn_strdup(argv[++i]);
        } else {
            sn_srv_reply_error(c, "ERR syntax error");
            return -1;
        }
    }
    if (t->prefixes_len > 0 && !t->bcast) {
        sn_srv_reply_error(c, "ERR PREFIX option requires BCAST mode to be "
                              "enabled");
        return -1;
    }
    if (t->optin && t->optout) {
        sn_srv_reply_error(c, "ERR You can't use both OPTIN and OPTOUT");
        return -1;
    }
    if ((t->optin || t->optout) && t->bcast) {
        sn_srv_reply_error(c, "ERR OPTIN and OPTOUT are not compatible with "
                              "BCAST");
        return -1;
    }
    return 0;
}

static void
cmd_client_tracking(struct client *c, int argc, char **argv)
{
    struct client_tracking t;
    int yn = on_off(argv[2]);

    memset(&t, 0, sizeof(t));
    if (yn < 0) {
        sn_srv_reply_error(c, "ERR syntax error");
        return;
    }
    if (yn == 0) {
        sn_srv_tracking_free(c);
        sn_srv_reply_ok(c);
        return;
    }
    if (tracking_options(c, argc, argv, &t) != 0) {
        int i;
        for (i = 0; i < t.prefixes_len; i++)
            free(t.prefixes[i]);
        free(t.prefixes);
        return;
    }
    sn_srv_tracking_free(c);
    c->tracking = t;
    c->tracking.on = true;
    sn_srv_reply_ok(c);
}

static void
cmd_client_trackinginfo(struct client *c)
{
    const struct client_tracking *t = &c->tracking;
    const char *flags[8];
    struct sn_resp_writer w;
    size_t n = 0, i;

    if (!t->on) {
        flags[n++] = "off";
    } else {
        flags[n++] = "on";
        if (t->bcast)
            flags[n++] = "bcast";
        if (t->optin)
            flags[n++] = "optin";
        if (t->optout)
            flags[n++] = "optout";
        if (t->caching == 1)
            flags[n++] = "caching-yes";
        if (t->caching == -1)
            flags[n++] = "caching-no";
        if (t->noloop)
            flags[n++] = "noloop";
        if (t->redirect != 0 && client_by_id(c->srv, t->redirect) == NULL)
            flags[n++] = "broken_redirect";
    }
    sn_srv_writer(c, &w);
    sn_resp_write_map(&w, 3);
    sn_resp_write_bulk_str(&w, "flags");
    sn_resp_write_set(&w, n);
    for (i = 0; i < n; i++)
        sn_resp_write_bulk_str(&w, flags[i]);
    sn_resp_write_bulk_str(&w, "redirect");
    sn_resp_write_int(&w, !t->on ? -1 : (int64_t)t->redirect);
    sn_resp_write_bulk_str(&w, "prefixes");
    sn_resp_write_array(&w, (size_t)t->prefixes_len);
    for (i = 0; i < (size_t)t->prefixes_len; i++)
        sn_resp_write_bulk_str(&w, t->prefixes[i]);
}

static void
cmd_client_caching(struct client *c, const char *arg)
{
    const struct client_tracking *t = &c->tracking;

    if (!t->on || (!t->optin && !t->optout)) {
        sn_srv_reply_error(c, "ERR CLIENT CACHING can be called only when the "
                              "client is in tracking mode with OPTIN or OPTOUT "
                              "mode enabled");
        return;
    }
    if (strcasecmp(arg, "yes") == 0) {
        if (!t->optin) {
            sn_srv_reply_error(c, "ERR CLIENT CACHING YES is only valid when "
                                  "tracking is enabled in OPTIN mode.");
            return;
        }
        c->tracking.caching = 1;
    } else if (strcasecmp(arg, "no") == 0) {
        if (!t->optout) {
            sn_srv_reply_error(c, "ERR CLIENT CACHING NO is only valid when "
                                  "tracking is enabled in OPTOUT mode.");
            return;
        }
        c->tracking.caching = -1;
    } else {
        sn_srv_reply_error(c, "ERR syntax error");
        return;
    }
    sn_srv_reply_ok(c);
}

/* ---------------------------------------------------------------------
 * The CLIENT command
 * ------------------------------------------------------------------- */

void
sn_srv_cmd_client(struct client *c, int argc, char **argv)
{
    struct sn_resp_writer w;
    const char *sub = argc >= 2 ? argv[1] : "";
    int64_t now = sn_daemon_now_ms();

    sn_srv_writer(c, &w);
    if (strcasecmp(sub, "id") == 0 && argc == 2) {
        sn_resp_write_int(&w, (int64_t)c->id);
    } else if (strcasecmp(sub, "getname") == 0 && argc == 2) {
        sn_resp_write_bulk_str(&w, c->name);
    } else if (strcasecmp(sub, "setname") == 0 && argc == 3) {
        if (!valid_client_name(argv[2])) {
            sn_srv_reply_error(c, "ERR Client names cannot contain spaces, newlines "
                           "or special characters.");
            return;
        }
        sn_set_str(&c->name, argv[2][0] != '\0' ? argv[2] : NULL);
        sn_srv_reply_ok(c);
    } else if (strcasecmp(sub, "setinfo") == 0 && argc == 4) {
        if (!valid_client_name(argv[3])) {
            sn_srv_reply_error(c, "ERR %s cannot contain spaces, newlines or "
                           "special characters.", argv[2]);
            return;
        }
        if (strcasecmp(argv[2], "lib-name") == 0)
            sn_set_str(&c->lib_name, argv[3]);
        else if (strcasecmp(argv[2], "lib-ver") == 0)
            sn_set_str(&c->lib_ver, argv[3]);
        else {
            sn_srv_reply_error(c, "ERR Unrecognized option '%s'", argv[2]);
            return;
        }
        sn_srv_reply_ok(c);
    } else if (strcasecmp(sub, "info") == 0 && argc == 2) {
        struct sn_buf b;
        sn_buf_init(&b);
        sn_srv_client_info_line(c, &b, now);
        sn_resp_write_verbatim(&w, "txt", b.data, b.len);
        sn_buf_free(&b);
    } else if (strcasecmp(sub, "list") == 0) {
        cmd_client_list(c, argc, argv, now);
    } else if (strcasecmp(sub, "kill") == 0 && argc >= 3) {
        cmd_client_kill(c, argc, argv);
    } else if (strcasecmp(sub, "help") == 0 && argc == 2) {
        /* Redis 7.0.15's text, word for word: COMMAND lists the same
         * subcommands. SETINFO (7.2) is accepted but not listed. */
        static const char *help[] = {
            "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in "
            "OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is "
            "enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> "
            "milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> "
            "[...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
            "HELP",
            "    Prints this help.",
        };
        size_t i, n = sizeof(help) / sizeof(help[0]);
        sn_resp_write_array(&w, n);
        for (i = 0; i < n; i++)
            sn_resp_write_status(&w, help[i]);
    } else if (strcasecmp(sub, "no-evict") == 0 && argc == 3) {
        /* A sentinel never evicts clients for memory; the flag is kept so
         * CLIENT LIST shows it as Redis does. */
        int yn = on_off(argv[2]);
        if (yn < 0) {
            sn_srv_reply_error(c, "ERR syntax error");
            return;
        }
        c->no_evict = yn == 1;
        sn_srv_reply_ok(c);
    } else if (strcasecmp(sub, "reply") == 0 && argc == 3) {
        cmd_client_reply(c, argv[2]);
    } else if (strcasecmp(sub, "pause") == 0 && (argc == 3 || argc == 4)) {
        cmd_client_pause(c, argc, argv, now);
    } else if (strcasecmp(sub, "unpause") == 0 && argc == 2) {
        sn_srv_unpause(c->srv);
        sn_srv_reply_ok(c);
    } else if (strcasecmp(sub, "unblock") == 0 && (argc == 3 || argc == 4)) {
        cmd_client_unblock(c, argc, argv);
    } else if (strcasecmp(sub, "getredir") == 0 && argc == 2) {
        sn_resp_write_int(&w, c->tracking.on ? (int64_t)c->tracking.redirect
                                             : -1);
    } else if (strcasecmp(sub, "tracking") == 0 && argc >= 3) {
        cmd_client_tracking(c, argc, argv);
    } else if (strcasecmp(sub, "trackinginfo") == 0 && argc == 2) {
        cmd_client_trackinginfo(c);
    } else if (strcasecmp(sub, "caching") == 0 && argc == 3) {
        cmd_client_caching(c, argv[2]);
    } else if (sn_cmdtable_has_subcommand("client", sub)) {
        sn_srv_reply_error(c, "ERR syntax error");
    } else {
        sn_srv_reply_error(c, "ERR unknown subcommand '%s'. Try CLIENT HELP.", sub);
    }
}

