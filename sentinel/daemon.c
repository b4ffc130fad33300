/*
 * daemon.c: the loop that drives the core and carries out its actions.
 */
#include "daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "acl.h"
#include "command.h"
#include "link.h"
#include "log.h"
#include "persist.h"
#include "saver.h"
#include "scripts.h"
#include "server.h"
#include "util.h"

int64_t
sn_daemon_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------------
 * Carrying out actions
 * ------------------------------------------------------------------- */

/* ---------------------------------------------------------------------
 * Saves
 *
 * The core's SAVEs are coalesced into saves made on the writer thread
 * (saver.h). save_started counts the texts handed to it, save_done the
 * saves that ended; a change drained after the last render is owed to
 * the next one (save_owed). What must not leave before the state it came
 * from is on disk (a SEND that is not stateless, a script, a client
 * reply) needs save number save_need(): it goes at once if that save has
 * ended, or waits in `held` (client replies: in the server) until it has.
 * A vote is therefore on disk before its reply, an epoch before the votes
 * asked in it, a new master before SLAVEOF, while the loop goes on reading
 * replies and sending PINGs during the fsync. A failed save is logged and
 * releases what waited on it, as Redis goes on after a failed rewrite.
 * ------------------------------------------------------------------- */

static void do_now(struct sn_daemon *d, const struct sn_action *a);

/* Let out what waited for the saves that have ended. */
static void
release(struct sn_daemon *d)
{
    int i;

    for (i = 0; i < d->held_len && d->held[i].need <= d->save_done; i++) {
        do_now(d, &d->held[i].a);
        sn_action_free(&d->held[i].a);
    }
    if (i > 0) {
        memmove(d->held, d->held + i,
                (size_t)(d->held_len - i) * sizeof(*d->held));
        d->held_len -= i;
    }
    if (d->held_len == 0 && d->held_cap > 64) {
        free(d->held);
        d->held = NULL;
        d->held_cap = 0;
    }
    if (d->server != NULL)
        sn_server_release(d->server);
}

/* A failed save is counted and said as Redis says it. */
static void
save_ended(struct sn_daemon *d, int rc)
{
    if (rc == 0)
        return;
    d->saves_failed++;
    sn_log(SN_LOG_WARNING, "WARNING: Sentinel was not able to save the new "
                           "configuration on disk!!!");
}

/* Render the model and save it now, on this thread (after the save under
 * way, if any): at start-up, shutdown and a simulated crash. */
int
sn_daemon_save(struct sn_daemon *d)
{
    char *msgs = NULL, *text;
    size_t len;
    int rc;

    d->save_sync = true;        /* no new save starts from the callback */
    if (d->saver != NULL)
        sn_saver_wait(d->saver);
    text = sn_config_rewrite(sn_core_config(d->core), &len);
    rc = sn_saver_write(d->config_path, text, len, &msgs);
    free(text);
    sn_saver_log(msgs);
    save_ended(d, rc);
    d->save_owed = false;
    d->save_done = ++d->save_started;
    d->save_sync = false;
    release(d);
    return rc;
}

uint64_t
sn_daemon_save_need(const struct sn_daemon *d)
{
    return d->save_owed ? d->save_started + 1 : d->save_started;
}

bool
sn_daemon_durable(const struct sn_daemon *d, uint64_t need)
{
    return need <= d->save_done;
}

void
sn_daemon_save_kick(struct sn_daemon *d)
{
    char *text;
    size_t len;

    if (!d->save_owed || d->save_sync)
        return;
    if (d->saver == NULL) {
        sn_daemon_save(d);
        return;
    }
    if (sn_saver_busy(d->saver))
        return;
    text = sn_config_rewrite(sn_core_config(d->core), &len);
    d->save_owed = false;
    d->save_started++;
    sn_saver_start(d->saver, text, len);
}

static void
save_done_cb(void *arg, int rc)
{
    struct sn_daemon *d = arg;

    d->save_done = d->save_started;
    save_ended(d, rc);
    release(d);
    sn_daemon_save_kick(d);
}

/* Keep `a` (moved: the caller's copy is emptied) until save `need`. */
static void
hold(struct sn_daemon *d, struct sn_action *a, uint64_t need)
{
    if (d->held_len == d->held_cap) {
        d->held_cap = d->held_cap ? d->held_cap * 2 : 64;
        d->held = sn_realloc(d->held, (size_t)d->held_cap * sizeof(*d->held));
    }
    d->held[d->held_len].a = *a;
    d->held[d->held_len].need = need;
    d->held_len++;
    memset(a, 0, sizeof(*a));
}

static void
do_event(struct sn_daemon *d, const struct sn_action *a)
{
    if (a->payload != NULL && a->payload[0] != '\0')
        sn_log(a->level, "%s %s", a->event, a->payload);
    else
        sn_log(a->level, "%s", a->event);
    /* Debug-level events are logged only, as Redis does. */
    if (a->level != SN_LOG_DEBUG)
        sn_server_publish(d->server, a->event,
                          a->payload != NULL ? a->payload : "");
    if (a->script != NULL) {
        char *argv[3] = { a->script, a->event, a->payload };
        sn_scripts_queue(d->scripts, 3, argv);
    }
}

static void
do_now(struct sn_daemon *d, const struct sn_action *a)
{
    switch (a->type) {
    case SN_ACT_CONNECT:
        sn_links_connect(d->links, a->link, a->link_kind, a->host, a->port);
        break;
    case SN_ACT_DISCONNECT:
        sn_links_disconnect(d->links, a->link);
        break;
    case SN_ACT_SEND:
        sn_links_send(d->links, a->link, a->tag, a->argc, a->argv,
                      a->argvlen);
        break;
    case SN_ACT_EVENT:
        do_event(d, a);
        break;
    case SN_ACT_SAVE:
        d->save_owed = true;
        break;
    case SN_ACT_SCRIPT:
        sn_scripts_queue(d->scripts, a->argc, a->argv);
        break;
    case SN_ACT_EXIT:
        sn_daemon_save(d);
        sn_log(SN_LOG_WARNING, "Simulated failure: exiting with status 99");
        _exit(99);
    }
}

/* Carry out `a`, or hold it until the state it depends on is on disk.
 * Events and connects never wait: they act on nothing a crash could make
 * us forget unsafely (and subscribers get events through the replies
 * gate anyway). */
static void
do_action(struct sn_daemon *d, struct sn_action *a)
{
    uint64_t need = sn_daemon_save_need(d);

    if (((a->type == SN_ACT_SEND && !a->stateless) ||
         a->type == SN_ACT_SCRIPT) && !sn_daemon_durable(d, need)) {
        hold(d, a, need);
        sn_daemon_save_kick(d);
        return;
    }
    do_now(d, a);
}

/* The core asks for a tick right after every input. With a thousand
 * masters, replies arrive every few hundred microseconds, and each tick
 * costs at least its walk over the touched masters; ticks are therefore at
 * least this far apart (inputs themselves are taken at once). 10 ms costs
 * a failover nothing next to Redis's 100 ms tick. */
#define TICK_GAP_MIN_MS 10

static void
schedule_timer(struct sn_daemon *d)
{
    int64_t deadline = sn_core_deadline_ms(d->core), now, wait;
    int64_t gap;
    struct timeval tv;

    /* Nothing moved since the timer was set (a read-only command, a
     * pipelined batch of them): it is right as it is. */
    if (deadline == d->timer_deadline_ms &&
        d->last_tick_ms == d->timer_tick_ms &&
        evtimer_pending(d->timer, NULL))
        return;
    d->timer_deadline_ms = deadline;
    d->timer_tick_ms = d->last_tick_ms;
    now = sn_daemon_now_ms();
    wait = deadline - now;
    gap = d->last_tick_ms + TICK_GAP_MIN_MS - now;
    if (wait < gap)
        wait = gap;

    /* Never sleep past a second: TILT is measured between ticks, and a
     * long sleep must not look like a stall. */
    if (wait < 0)
        wait = 0;
    if (wait > 1000)
        wait = 1000;
    tv.tv_sec = wait / 1000;
    tv.tv_usec = (wait % 1000) * 1000;
    evtimer_add(d->timer, &tv);
}

void
sn_daemon_drain(struct sn_daemon *d)
{
    struct sn_action a;

    while (sn_core_next_action(d->core, &a) == 1) {
        do_action(d, &a);
        sn_action_free(&a);
    }
    sn_daemon_save_kick(d);
    if (!d->shutting_down)
        schedule_timer(d);
}

void
sn_daemon_schedule_drain(struct sn_daemon *d)
{
    event_active(d->drain_ev, 0, 0);
}


/* ---------------------------------------------------------------------
 * What the commands ask of the process
 * ------------------------------------------------------------------- */

static int64_t
tv_us(struct timeval tv)
{
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void
proc_fill(void *arg, struct sn_cmd_proc *p)
{
    static char os[300];
    static struct sn_cmd_script *scripts;
    static int scripts_cap;
    struct sn_daemon *d = arg;
    struct sn_server_stats st;
    const struct sn_script_view *v;
    struct rusage self, kids;
    struct utsname u;
    struct timeval now;
    int i, n;

    if (uname(&u) == 0)
        snprintf(os, sizeof(os), "%s %s %s", u.sysname, u.release, u.machine);
    gettimeofday(&now, NULL);
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    sn_server_stats(d->server, &st);
    p->redis_version = SN_REDIS_VERSION;
    p->os = os;
    p->arch_bits = (int)sizeof(void *) * 8;
    p->multiplexing_api = event_base_get_method(d->base);
    p->gcc_version = __VERSION__;
    p->process_id = getpid();
    p->run_id = d->run_id;
    p->tcp_port = d->port;
    p->server_time_usec = tv_us(now);
    p->uptime_s = (sn_daemon_now_ms() - d->start_ms) / 1000;
    p->hz = 10;
    p->configured_hz = 10;
    p->lru_clock = (uint32_t)(now.tv_sec & 0xffffff);
    p->executable = d->executable;
    p->config_file = d->config_path;
    p->connected_clients = st.clients;
    p->maxclients = sn_core_config(d->core)->maxclients;
    p->total_connections_received = (int64_t)st.connections_received;
    p->total_commands_processed = (int64_t)st.commands_processed;
    p->rejected_connections = (int64_t)st.rejected_connections;
    p->pubsub_channels = st.pubsub_channels;
    p->pubsub_patterns = st.pubsub_patterns;
    p->used_cpu_sys_us = tv_us(self.ru_stime);
    p->used_cpu_user_us = tv_us(self.ru_utime);
    p->used_cpu_sys_children_us = tv_us(kids.ru_stime);
    p->used_cpu_user_children_us = tv_us(kids.ru_utime);
    p->used_cpu_sys_main_thread_us = p->used_cpu_sys_us;
    p->used_cpu_user_main_thread_us = p->used_cpu_user_us;
    p->scripts_running = sn_scripts_running(d->scripts);
    v = sn_scripts_view(d->scripts, &n);
    p->scripts_queued = n;
    if (n > scripts_cap) {
        scripts_cap = n;
        scripts = sn_realloc(scripts, sizeof(*scripts) * (size_t)n);
    }
    for (i = 0; i < n; i++) {
        scripts[i].argc = v[i].argc;
        scripts[i].argv = v[i].argv;
        scripts[i].running = v[i].running;
        scripts[i].pid = v[i].pid;
        scripts[i].run_time_ms = v[i].running ? v[i].run_time_ms
                                              : v[i].run_delay_ms;
        scripts[i].retry_num = v[i].retry_num;
    }
    p->scripts = scripts;
    p->scripts_len = n;
}

static bool
is_executable(void *arg, const char *path)
{
    struct stat st;

    (void)arg;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
           access(path, X_OK) == 0;
}

void
sn_daemon_fill_cmd_ctx(struct sn_daemon *d, struct sn_cmd_ctx *ctx)
{
    ctx->proc_fill = proc_fill;
    ctx->is_executable = is_executable;
    ctx->arg = d;
}

/* ---------------------------------------------------------------------
 * Callbacks
 * ------------------------------------------------------------------- */

static void
drain_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sn_daemon_drain(arg);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sn_daemon *d = arg;

    (void)fd;
    (void)what;
    d->last_tick_ms = sn_daemon_now_ms();
    sn_core_tick(d->core, d->last_tick_ms);
    sn_daemon_drain(d);
}

/* Give freed memory back to the system every TRIM_PERIOD_S. The start-up
 * of a thousand masters leaves megabytes of holes in the heap that malloc
 * keeps (a trim gave back 3.4 MB of RSS there). */
#define TRIM_PERIOD_S 10

static void
trim_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    malloc_trim(0);
}

/* Inputs from links arrive inside hiredis callbacks: the core takes them at
 * once, and the actions wait for the loop, so that no hiredis context is
 * closed from inside its own callback. */
static void
link_input_cb(void *ctx, const struct sn_input *in)
{
    struct sn_daemon *d = ctx;

    sn_core_input(d->core, in, sn_daemon_now_ms());
    sn_daemon_schedule_drain(d);
}

static void
script_event_cb(void *ctx, const char *event, const char *payload)
{
    struct sn_daemon *d = ctx;

    sn_log(SN_LOG_WARNING, "%s %s", event, payload);
    sn_server_publish(d->server, event, payload);
}

void
sn_daemon_shutdown(struct sn_daemon *d, int status)
{
    if (d->shutting_down)
        return;
    d->shutting_down = true;
    d->exit_status = status;
    sn_log(SN_LOG_WARNING, "User requested shutdown...");
    sn_daemon_save(d);
    event_base_loopexit(d->base, NULL);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
    struct sn_daemon *d = arg;
    char err[512];

    (void)what;
    if (sig == SIGHUP) {
        if (sn_log_reopen(err, sizeof(err)) != 0)
            sn_log(SN_LOG_WARNING, "%s", err);
        else
            sn_log(SN_LOG_NOTICE, "Log file reopened on SIGHUP");
        return;
    }
    sn_log(SN_LOG_WARNING, "Received %s scheduling shutdown...",
           sig == SIGTERM ? "SIGTERM" : "SIGINT");
    sn_daemon_shutdown(d, 0);
}

/* ---------------------------------------------------------------------
 * Start-up
 * ------------------------------------------------------------------- */

static uint64_t
draw_seed(void)
{
    uint64_t seed = 0;
    struct timeval tv;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd >= 0) {
        if (read(fd, &seed, sizeof(seed)) != (ssize_t)sizeof(seed))
            seed = 0;
        close(fd);
    }
    gettimeofday(&tv, NULL);
    return seed ^ ((uint64_t)tv.tv_sec << 20) ^ (uint64_t)tv.tv_usec ^
           ((uint64_t)getpid() << 40);
}

static int
daemonize(void)
{
    int fd;

    switch (fork()) {
    case -1:
        return -1;
    case 0:
        break;
    default:
        _exit(0);
    }
    if (setsid() < 0)
        return -1;
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO)
            close(fd);
    }
    return 0;
}

static void
write_pidfile(const char *path)
{
    FILE *f;

    if (path == NULL || path[0] == '\0')
        return;
    f = fopen(path, "w");
    if (f == NULL) {
        sn_log(SN_LOG_WARNING, "Failed to write PID file %s: %s", path,
               strerror(errno));
        return;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
}

static void
oom_handler(size_t size)
{
    sn_log(SN_LOG_WARNING, "Out Of Memory allocating %zu bytes!", size);
    abort();
}

static int
setup(struct sn_daemon *d, const struct sn_config *cfg, char *err,
      size_t errlen)
{
    struct sn_rng rng;

    sn_rng_seed(&rng, draw_seed());
    sn_rng_runid(&rng, d->run_id);
    d->start_ms = sn_daemon_now_ms();
    d->start_unix = (int64_t)time(NULL);
    d->port = cfg->port;
    d->base = event_base_new();
    if (d->base == NULL) {
        snprintf(err, errlen, "can't create the event loop");
        return -1;
    }
    /* The users are built from the config, then written back into the
     * core's model in canonical form: what is saved holds password
     * hashes, never the plain text a user line may have had. */
    d->acl = sn_acl_new();
    if (sn_acl_load(d->acl, cfg, err, errlen) != 0)
        return -1;
    d->core = sn_core_new(cfg, sn_rng_next(&rng), d->start_ms, err, errlen);
    if (d->core == NULL)
        return -1;
    if (cfg->users_len > 0)
        sn_acl_save_to_config(d->acl, sn_core_config_mut(d->core));
    d->links = sn_links_new(d->base, link_input_cb, d);
    d->scripts = sn_scripts_new(d->base, sn_core_timers(d->core),
                                script_event_cb, d);
    d->server = sn_server_new(d, cfg, err, errlen);
    if (d->server == NULL)
        return -1;
    d->saver = sn_saver_new(d->base, d->config_path, save_done_cb, d, err,
                            errlen);
    if (d->saver == NULL)
        return -1;
    d->timer = evtimer_new(d->base, timer_cb, d);
    d->trim_ev = event_new(d->base, -1, EV_PERSIST, trim_cb, d);
    {
        struct timeval tv = { TRIM_PERIOD_S, 0 };
        event_add(d->trim_ev, &tv);
    }
    d->drain_ev = event_new(d->base, -1, 0, drain_cb, d);
    d->sig_term = evsignal_new(d->base, SIGTERM, signal_cb, d);
    d->sig_int = evsignal_new(d->base, SIGINT, signal_cb, d);
    d->sig_hup = evsignal_new(d->base, SIGHUP, signal_cb, d);
    evsignal_add(d->sig_term, NULL);
    evsignal_add(d->sig_int, NULL);
    evsignal_add(d->sig_hup, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static void
teardown(struct sn_daemon *d)
{
    int i;

    if (d->saver != NULL)
        sn_saver_free(d->saver);
    for (i = 0; i < d->held_len; i++)
        sn_action_free(&d->held[i].a);
    free(d->held);
    if (d->server != NULL)
        sn_server_free(d->server);
    if (d->scripts != NULL)
        sn_scripts_free(d->scripts);
    if (d->links != NULL)
        sn_links_free(d->links);
    if (d->core != NULL)
        sn_core_free(d->core);
    if (d->acl != NULL)
        sn_acl_free(d->acl);
    if (d->trim_ev != NULL)
        event_free(d->trim_ev);
    if (d->timer != NULL)
        event_free(d->timer);
    if (d->drain_ev != NULL)
        event_free(d->drain_ev);
    if (d->sig_term != NULL)
        event_free(d->sig_term);
    if (d->sig_int != NULL)
        event_free(d->sig_int);
    if (d->sig_hup != NULL)
        event_free(d->sig_hup);
    if (d->base != NULL)
        event_base_free(d->base);
    free(d->config_path);
    free(d->executable);
}

int
sn_daemon_run(const struct sn_config *cfg, const char *config_path,
              const char *argv0)
{
    struct sn_daemon d;
    char err[1024], exe[PATH_MAX];
    ssize_t n;

    memset(&d, 0, sizeof(d));
    sn_util_set_oom_handler(oom_handler);
    d.config_path = sn_strdup(config_path);
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = '\0';
    d.executable = sn_strdup(n > 0 ? exe : argv0);

    /* main.c has changed directory to `dir` already. */
    if (cfg->daemonize && daemonize() != 0) {
        fprintf(stderr, "can't daemonize: %s\n", strerror(errno));
        teardown(&d);
        return 1;
    }
    if (sn_log_open(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        teardown(&d);
        return 1;
    }
    if (setup(&d, cfg, err, sizeof(err)) != 0) {
        sn_log(SN_LOG_WARNING, "%s", err);
        if (!sn_log_to_file())
            fprintf(stderr, "%s\n", err);
        teardown(&d);
        return 1;
    }
    write_pidfile(cfg->pidfile);
    sn_log(SN_LOG_NOTICE, "Sentinel %s (Redis %s compatible) started, "
           "pid %d, port %d", SN_VERSION, SN_REDIS_VERSION, (int)getpid(),
           cfg->port);
    sn_log(SN_LOG_WARNING, "Sentinel ID is %s", sn_core_myid(d.core));
    sn_daemon_drain(&d);
    event_base_dispatch(d.base);
    if (cfg->pidfile != NULL && cfg->pidfile[0] != '\0')
        unlink(cfg->pidfile);
    sn_log(SN_LOG_WARNING, "Sentinel is now ready to exit, bye bye...");
    n = d.exit_status;
    teardown(&d);
    sn_log_close();
    return (int)n;
}
