/*
 * scripts.c: the script runner.
 *
 * Jobs wait in one queue, oldest first, and run in that order. A job is
 * counted as Redis counts it (sentinelRunPendingScripts and
 * sentinelCollectTerminatedScripts): retry_num goes up each time the job
 * starts, so it reads 1 during the first run; a job that ends with exit
 * status 1 or by a signal (a SIGKILL for running too long included) runs
 * again after script-retry-delay * 2^(retry_num - 1), that is 30 s, 60 s,
 * 2 min, ... by default, until it has run SN_SCRIPT_RETRY_MAX times in
 * all. Exit status 2 and above is final, and so is an exec() that fails
 * (the child exits with 2).
 */

#include "scripts.h"

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "util.h"

extern char **environ;

/* Descriptors a child closes one by one when close_range() is missing (an
 * old kernel, some sandboxes): at most this many. */
#define CLOSE_FALLBACK_MAX (1 << 20)

struct job {
    int argc;
    char **argv;
    pid_t pid;                  /* 0: not running */
    int64_t start_ms;           /* running: when it started; else when it
                                   may start (0: at once) */
    int retry_num;              /* how many times it has started */
    bool killed;                /* SIGKILL sent for running too long */
    struct job *next;
};

struct sn_scripts {
    struct event_base *base;
    const struct sn_timers *timers;
    sn_scripts_event_fn fn;
    void *ctx;
    struct job *head;           /* queue order, oldest first */
    int len;
    int running;
    int fd_max;                 /* for the close() fallback in the child */
    struct event *tick;         /* armed while the queue is not empty */
    struct event *sigchld;
    struct sn_script_view *views;
    int views_cap;
};

static void
job_free(struct job *j)
{
    int i;

    for (i = 0; i < j->argc; i++)
        free(j->argv[i]);
    free(j->argv);
    free(j);
}

static void
unlink_job(struct sn_scripts *s, struct job *j)
{
    struct job **p = &s->head;

    while (*p != NULL && *p != j)
        p = &(*p)->next;
    if (*p == j) {
        *p = j->next;
        s->len--;
    }
}

static void
drop_job(struct sn_scripts *s, struct job *j)
{
    unlink_job(s, j);
    job_free(j);
}

/* The delay before run number retry_num + 1 (retry_num >= 1). */
static int64_t
retry_delay(const struct sn_scripts *s, int retry_num)
{
    int64_t delay = s->timers->script_retry_delay_ms;

    while (retry_num-- > 1 && delay < INT64_MAX / 2)
        delay *= 2;
    return delay;
}

/* The tick kills scripts that run too long and starts those whose retry
 * time came: it is needed only while there are jobs. */
static void
arm_tick(struct sn_scripts *s)
{
    struct timeval tv = { 0, 100 * 1000 };

    if (s->len == 0)
        evtimer_del(s->tick);
    else if (!evtimer_pending(s->tick, NULL))
        evtimer_add(s->tick, &tv);
}

/* ---------------------------------------------------------------------
 * Starting and reaping
 * ------------------------------------------------------------------- */

/* In the child, between fork() and execve(): async-signal-safe calls only.
 * The script must not hold the daemon's listening socket or its links
 * (a script that outlives a restart would keep the port busy), and it gets
 * default signal handling. stdin, stdout and stderr are inherited, as
 * Redis leaves them (/dev/null once daemonized). */
static void
exec_child(const struct sn_scripts *s, struct job *j)
{
    sigset_t none;
    int fd;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    if (close_range(3, ~0U, 0) != 0)
        for (fd = 3; fd < s->fd_max; fd++)
            close(fd);
    execve(j->argv[0], j->argv, environ);
    _exit(2);                   /* not executable: do not retry */
}

/* Start job j. A failed fork() is reported as Redis does (signal 99) and
 * the job is tried again after the retry delay, as long as it has runs
 * left. */
static void
start_job(struct sn_scripts *s, struct job *j, int64_t now)
{
    pid_t pid;

    j->retry_num++;
    pid = fork();
    if (pid == 0)
        exec_child(s, j);
    if (pid < 0) {
        char payload[512];

        sn_log(SN_LOG_WARNING, "Can't fork a script: %s", strerror(errno));
        snprintf(payload, sizeof(payload), "%s 99 0", j->argv[0]);
        s->fn(s->ctx, "-script-error", payload);
        if (j->retry_num >= SN_SCRIPT_RETRY_MAX)
            drop_job(s, j);
        else
            j->start_ms = now + retry_delay(s, j->retry_num);
        return;
    }
    j->pid = pid;
    j->start_ms = now;
    j->killed = false;
    s->running++;
    sn_log(SN_LOG_DEBUG, "+script-child %ld", (long)pid);
}

static void
run_pending(struct sn_scripts *s, int64_t now)
{
    struct job *j, *next;

    for (j = s->head; j != NULL && s->running < SN_SCRIPTS_RUNNING_MAX;
         j = next) {
        next = j->next;
        if (j->pid == 0 && j->start_ms <= now)
            start_job(s, j, now);
    }
}

static struct job *
job_by_pid(struct sn_scripts *s, pid_t pid)
{
    struct job *j;

    for (j = s->head; j != NULL; j = j->next)
        if (j->pid == pid)
            return j;
    return NULL;
}

static void
finished(struct sn_scripts *s, struct job *j, int status, int64_t now)
{
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;

    sn_log(SN_LOG_DEBUG, "-script-child %ld %d %d", (long)j->pid, code, sig);
    s->running--;
    j->pid = 0;
    /* 1 means "try again later"; so does a signal. */
    if ((sig != 0 || code == 1) && j->retry_num < SN_SCRIPT_RETRY_MAX) {
        j->start_ms = now + retry_delay(s, j->retry_num);
        return;
    }
    if (sig != 0 || code != 0) {
        char payload[512];

        snprintf(payload, sizeof(payload), "%s %d %d", j->argv[0], sig, code);
        s->fn(s->ctx, "-script-error", payload);
    }
    drop_job(s, j);
}

static void
reap(struct sn_scripts *s)
{
    int64_t now = sn_daemon_now_ms();
    int status;
    pid_t pid;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        struct job *j = job_by_pid(s, pid);

        if (j != NULL)
            finished(s, j, status, now);
        else
            sn_log(SN_LOG_WARNING, "waitpid() returned a pid (%ld) we can't "
                   "find in our scripts execution queue!", (long)pid);
    }
}

/* SIGKILL for a script past script-max-runtime, once: the event is not
 * repeated while the kill is on its way. */
static void
kill_timedout(struct sn_scripts *s, int64_t now)
{
    struct job *j;

    for (j = s->head; j != NULL; j = j->next) {
        if (j->pid != 0 && !j->killed &&
            now - j->start_ms > s->timers->script_max_runtime_ms) {
            char payload[512];

            snprintf(payload, sizeof(payload), "%s %ld", j->argv[0],
                     (long)j->pid);
            s->fn(s->ctx, "-script-timeout", payload);
            kill(j->pid, SIGKILL);
            j->killed = true;
        }
    }
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sn_scripts *s = arg;
    int64_t now = sn_daemon_now_ms();

    (void)fd;
    (void)what;
    reap(s);
    kill_timedout(s, now);
    run_pending(s, now);
    arm_tick(s);
}

static void
sigchld_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sn_scripts *s = arg;

    (void)fd;
    (void)what;
    reap(s);
    run_pending(s, sn_daemon_now_ms());
    arm_tick(s);
}

/* ---------------------------------------------------------------------
 * The face
 * ------------------------------------------------------------------- */

struct sn_scripts *
sn_scripts_new(struct event_base *base, const struct sn_timers *timers,
               sn_scripts_event_fn fn, void *ctx)
{
    struct sn_scripts *s = sn_calloc(1, sizeof(*s));
    struct rlimit rl;

    s->base = base;
    s->timers = timers;
    s->fn = fn;
    s->ctx = ctx;
    s->fd_max = CLOSE_FALLBACK_MAX;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < CLOSE_FALLBACK_MAX)
        s->fd_max = (int)rl.rlim_cur;
    s->tick = event_new(base, -1, EV_PERSIST, tick_cb, s);
    s->sigchld = evsignal_new(base, SIGCHLD, sigchld_cb, s);
    evsignal_add(s->sigchld, NULL);
    return s;
}

void
sn_scripts_free(struct sn_scripts *s)
{
    if (s == NULL)
        return;
    /* Scripts still running are left to finish on their own, as Redis
     * leaves them. */
    while (s->head != NULL) {
        struct job *j = s->head;
        s->head = j->next;
        job_free(j);
    }
    event_free(s->tick);
    event_free(s->sigchld);
    free(s->views);
    free(s);
}

void
sn_scripts_queue(struct sn_scripts *s, int argc, char **argv)
{
    struct job *j, **tail;
    int i;

    if (argc < 1 || argv[0] == NULL)
        return;
    if (s->len >= SN_SCRIPTS_QUEUE_MAX) {
        /* Full: drop the oldest job that is not running. */
        for (j = s->head; j != NULL && j->pid != 0; j = j->next)
            ;
        if (j == NULL)
            return;             /* every slot runs: drop the new one */
        sn_log(SN_LOG_VERBOSE, "Script queue full: dropping %s",
               j->argv[0]);
        drop_job(s, j);
    }
    j = sn_calloc(1, sizeof(*j));
    j->argc = argc;
    j->argv = sn_calloc((size_t)argc + 1, sizeof(char *));
    for (i = 0; i < argc; i++)
        j->argv[i] = sn_strdup(argv[i] != NULL ? argv[i] : "");
    for (tail = &s->head; *tail != NULL; tail = &(*tail)->next)
        ;
    *tail = j;
    s->len++;
    run_pending(s, sn_daemon_now_ms());
    arm_tick(s);
}

int
sn_scripts_running(const struct sn_scripts *s)
{
    return s->running;
}

int
sn_scripts_queued(const struct sn_scripts *s)
{
    return s->len - s->running;
}

const struct sn_script_view *
sn_scripts_view(struct sn_scripts *s, int *len)
{
    int64_t now = sn_daemon_now_ms();
    struct job *j;
    int n = 0;

    if (s->views_cap < s->len) {
        s->views_cap = s->len;
        s->views = sn_realloc(s->views, sizeof(*s->views) * (size_t)s->len);
    }
    for (j = s->head; j != NULL; j = j->next, n++) {
        struct sn_script_view *v = &s->views[n];

        v->argc = j->argc;
        v->argv = j->argv;
        v->running = j->pid != 0;
        v->pid = j->pid;
        v->run_time_ms = v->running ? now - j->start_ms : 0;
        v->run_delay_ms = 0;
        if (!v->running && j->start_ms > now)
            v->run_delay_ms = j->start_ms - now;
        v->retry_num = j->retry_num;
    }
    *len = n;
    return s->views;
}
