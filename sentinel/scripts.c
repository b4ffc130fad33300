/*
 * scripts.c: the script runner.
 */

#include "scripts.h"

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "util.h"

extern char **environ;

struct job {
    int argc;
    char **argv;
    pid_t pid;                  /* 0: not running */
    int64_t start_ms;           /* running: when it started; else when it
                                   may start */
    int retry_num;
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
    struct event *tick;
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

/* ---------------------------------------------------------------------
 * Starting and reaping
 * ------------------------------------------------------------------- */

static void
start_job(struct sn_scripts *s, struct job *j, int64_t now)
{
    pid_t pid = fork();

    if (pid == 0) {
        sigset_t none;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        close_range(3, ~0U, 0);
        execve(j->argv[0], j->argv, environ);
        _exit(2);               /* not executable: do not retry */
    }
    if (pid < 0) {
        char payload[512];

        snprintf(payload, sizeof(payload), "%s 99 0", j->argv[0]);
        s->fn(s->ctx, "-script-error", payload);
        unlink_job(s, j);
        job_free(j);
        return;
    }
    j->pid = pid;
    j->start_ms = now;
    s->running++;
    sn_log(SN_LOG_DEBUG, "+script-child %d", (int)pid);
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
    bool bysignal = WIFSIGNALED(status);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    int sig = bysignal ? WTERMSIG(status) : 0;

    sn_log(SN_LOG_DEBUG, "-script-child %d %d %d", (int)j->pid, code, sig);
    s->running--;
    j->pid = 0;
    if ((bysignal || code == 1) && j->retry_num < SN_SCRIPT_RETRY_MAX) {
        /* Retry later, the delay doubling each time. */
        int64_t delay = s->timers->script_retry_delay_ms;
        int i;

        for (i = 0; i < j->retry_num && delay < INT64_MAX / 4; i++)
            delay *= 2;
        j->retry_num++;
        j->start_ms = now + delay;
        return;
    }
    if (bysignal || code != 0) {
        char payload[512];

        snprintf(payload, sizeof(payload), "%s %d %d", j->argv[0], sig, code);
        s->fn(s->ctx, "-script-error", payload);
    }
    unlink_job(s, j);
    job_free(j);
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
    }
}

static void
kill_timedout(struct sn_scripts *s, int64_t now)
{
    struct job *j;

    for (j = s->head; j != NULL; j = j->next) {
        if (j->pid != 0 &&
            now - j->start_ms > s->timers->script_max_runtime_ms) {
            char payload[512];

            snprintf(payload, sizeof(payload), "%s %d", j->argv[0],
                     (int)j->pid);
            s->fn(s->ctx, "-script-timeout", payload);
            kill(j->pid, SIGKILL);
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
}

static void
sigchld_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sn_scripts *s = arg;

    (void)fd;
    (void)what;
    reap(s);
    run_pending(s, sn_daemon_now_ms());
}

/* ---------------------------------------------------------------------
 * The face
 * ------------------------------------------------------------------- */

struct sn_scripts *
sn_scripts_new(struct event_base *base, const struct sn_timers *timers,
               sn_scripts_event_fn fn, void *ctx)
{
    struct sn_scripts *s = sn_calloc(1, sizeof(*s));
    struct timeval tv = { 0, 100 * 1000 };

    s->base = base;
    s->timers = timers;
    s->fn = fn;
    s->ctx = ctx;
    s->tick = event_new(base, -1, EV_PERSIST, tick_cb, s);
    evtimer_add(s->tick, &tv);
    s->sigchld = evsignal_new(base, SIGCHLD, sigchld_cb, s);
    evsignal_add(s->sigchld, NULL);
    return s;
}

void
sn_scripts_free(struct sn_scripts *s)
{
    if (s == NULL)
        return;
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
        unlink_job(s, j);
        job_free(j);
    }
    j = sn_calloc(1, sizeof(*j));
    j->argc = argc;
    j->argv = sn_calloc((size_t)argc + 1, sizeof(char *));
    for (i = 0; i < argc; i++)
        j->argv[i] = sn_strdup(argv[i] != NULL ? argv[i] : "");
    j->start_ms = sn_daemon_now_ms();
    for (tail = &s->head; *tail != NULL; tail = &(*tail)->next)
        ;
    *tail = j;
    s->len++;
    run_pending(s, j->start_ms);
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
        v->run_delay_ms = v->running ? 0 : (j->start_ms > now ? j->start_ms - now : 0);
        v->retry_num = j->retry_num;
    }
    *len = n;
    return s->views;
}
