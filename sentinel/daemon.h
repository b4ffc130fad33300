/*
 * daemon.h: the running sentinel: one libevent base, one core, the links,
 * the client server, the script runner, and the loop that drives them.
 *
 * The loop has one timer, set at the core's deadline on CLOCK_MONOTONIC.
 * Inputs (link events, client commands) go to the core as they happen; the
 * actions they cause are carried out in order, outside hiredis' callbacks,
 * by sn_daemon_drain(). SAVEs become durable rewrites of the config file
 * on a writer thread (saver.h); what depends on them (a vote's reply, a
 * SLAVEOF) waits for them, so a vote is on disk before its reply.
 */
#ifndef SN_DAEMON_H
#define SN_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "core.h"

struct event;
struct event_base;
struct sn_links;
struct sn_server;
struct sn_scripts;
struct sn_acl;

struct sn_daemon {
    struct event_base *base;
    struct sn_core *core;
    struct sn_links *links;
    struct sn_server *server;
    struct sn_scripts *scripts;
    struct sn_acl *acl;         /* the users clients log in as */
    struct event *timer;
    struct event *drain_ev;
    struct event *trim_ev;      /* malloc_trim, now and then */
    struct event *sig_term, *sig_int, *sig_hup;

    char *config_path;          /* absolute */
    char *executable;           /* absolute, for INFO */
    char run_id[41];            /* per process, INFO's run_id */
    int64_t start_ms;           /* monotonic */
    int64_t start_unix;
    int port;                   /* the listening port */
    bool shutting_down;
    int64_t last_tick_ms;       /* monotonic, of the last sn_core_tick */
    int64_t timer_deadline_ms;  /* the core deadline the timer was set for */
    int64_t timer_tick_ms;      /* ... and last_tick_ms then */

    /* Saves (daemon.c, "Saves") */
    struct sn_saver *saver;     /* the writer thread */
    bool save_owed;             /* a SAVE was drained and not yet rendered */
    bool save_sync;             /* sn_daemon_save() is under way */
    uint64_t save_started;      /* saves rendered and handed over */
    uint64_t save_done;         /* saves that ended */
    struct sn_held {            /* actions waiting for save `need` */
        struct sn_action a;
        uint64_t need;
    } *held;
    int held_len, held_cap;
    int exit_status;
    uint64_t saves_failed;
};

/* Run the daemon until SIGTERM, SIGINT or SHUTDOWN. `cfg` is the loaded
 * config (its file at `config_path`, absolute). Returns the exit status. */
int sn_daemon_run(const struct sn_config *cfg, const char *config_path,
                  const char *argv0);

/* The monotonic clock, in milliseconds. */
int64_t sn_daemon_now_ms(void);

/* Carry out every action the core has queued. Safe to call from a client
 * command handler (not from inside a hiredis callback). */
void sn_daemon_drain(struct sn_daemon *d);

/* Ask for a drain from the event loop (from inside callbacks). */
void sn_daemon_schedule_drain(struct sn_daemon *d);

/* Save the core's config now, on the calling thread; returns 0 or -1
 * (logged). */
int sn_daemon_save(struct sn_daemon *d);

/* The number of the save that must end before something that depends on
 * the state as it is now may leave, and whether it has. */
uint64_t sn_daemon_save_need(const struct sn_daemon *d);
bool sn_daemon_durable(const struct sn_daemon *d, uint64_t need);

/* Start the save that is owed, unless one is under way. */
void sn_daemon_save_kick(struct sn_daemon *d);

struct sn_cmd_ctx;

/* Point the command context's callbacks at this process (INFO's facts,
 * script executability). */
void sn_daemon_fill_cmd_ctx(struct sn_daemon *d, struct sn_cmd_ctx *ctx);

/* Stop the loop: SHUTDOWN, SIGTERM. The config is saved first. */
void sn_daemon_shutdown(struct sn_daemon *d, int status);

#endif /* SN_DAEMON_H */
