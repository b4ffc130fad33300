/*
 * scripts.h: notification-script and client-reconfig-script, run as Redis
 * runs them: fork/exec without a shell, at most SN_SCRIPTS_RUNNING_MAX at
 * once, a queue of at most SN_SCRIPTS_QUEUE_MAX (the oldest job that is
 * not running is dropped when it is full), a retry with doubling back-off
 * (script-retry-delay, then twice that, ...) on exit status 1 or a signal,
 * at most SN_SCRIPT_RETRY_MAX runs in all, no retry on 2 and above, and
 * SIGKILL after script-max-runtime (-script-timeout; the kill counts as a
 * signal, so the job is retried). A job that ends badly for good emits
 * -script-error `<path> <signal> <exit status>`. Both timers are read from
 * the core's struct sn_timers at every use, so SENTINEL DEBUG changes them
 * at once.
 */
#ifndef SN_SCRIPTS_H
#define SN_SCRIPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core.h"

struct event_base;
struct sn_scripts;

/* How -script-error and -script-timeout reach the log and subscribers. */
typedef void (*sn_scripts_event_fn)(void *ctx, const char *event,
                                    const char *payload);

struct sn_scripts *sn_scripts_new(struct event_base *base,
                                  const struct sn_timers *timers,
                                  sn_scripts_event_fn fn, void *ctx);
void sn_scripts_free(struct sn_scripts *s);

/* Queue argv (argv[0] is the script's path). */
void sn_scripts_queue(struct sn_scripts *s, int argc, char **argv);

int sn_scripts_running(const struct sn_scripts *s);
int sn_scripts_queued(const struct sn_scripts *s);

/* One job, as SENTINEL PENDING-SCRIPTS shows it. */
struct sn_script_view {
    int argc;
    char **argv;
    bool running;
    pid_t pid;
    int64_t run_time_ms;        /* running: for how long */
    int64_t run_delay_ms;       /* scheduled: until it may start */
    int retry_num;              /* times started: 1 during the first run */
};

/* The jobs in queue order; *len set. The array is valid until the next
 * call into this module. */
const struct sn_script_view *sn_scripts_view(struct sn_scripts *s, int *len);

#endif /* SN_SCRIPTS_H */
