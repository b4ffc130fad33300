/*
 * daemon.c: the loop that drives the core and carries out its actions.
 */
#include "daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <limits.h>
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

/* Would `text` load again? A change made at run time can produce a file
 * its format cannot hold (a value that makes an INI line longer than inih
 * reads, say); such a file is not written, so the sentinel can still start
 * from the last good one. */
static int
check_loads(const struct sn_daemon *d, const char *text, size_t len)
{
    struct sn_config_errors errs = { NULL, 0 };
    struct sn_config check;
    int i, rc;

    sn_config_init(&check);
    rc = sn_config_load(&check, text, len, d->config_path, &errs);
    for (i = 0; rc != 0 && i < errs.len; i++)
        sn_log(SN_LOG_WARNING, "the rewritten config would not load: %s",
               errs.msgs[i]);
    sn_config_errors_free(&errs);
    sn_config_free(&check);
    return rc;
}

int
sn_daemon_save(struct sn_daemon *d)
{
    const struct sn_config *cfg = sn_core_config(d->core);
    char err[512];
    size_t len;
    char *text = sn_config_rewrite(cfg, &len);
    int rc = check_loads(d, text, len);

    if (rc == 0)
        rc = sn_persist_write(d->config_path, text, len, err, sizeof(err));
    else
        snprintf(err, sizeof(err), "%s left as it was", d->config_path);
    free(text);
    if (rc != 0) {
        d->saves_failed++;
        sn_log(SN_LOG_WARNING, "%s", err);
        sn_log(SN_LOG_WARNING, "WARNING: Sentinel was not able to save the "
                               "new configuration on disk!!!");
    }
    return rc;
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

/* SAVE actions are coalesced: a save is owed from the first SAVE and is
 * made before the next action that reaches another process (a command
 * sent, a script, an exit) and at the end of every drain, so before any
 * client reply. What the state protects (a vote before its reply, an epoch
 * before the votes asked in it, a new master before SLAVEOF) is therefore
 * on disk before it is acted on, while a burst of changes (the replicas
 * and peers found at start-up) costs one rewrite instead of one each.
 * Events and connects may go first: they act on nothing a crash could
 * make us forget unsafely. */
static void
settle(struct sn_daemon *d)
{
    if (d->save_owed) {
        d->save_owed = false;
        sn_daemon_save(d);
    }
}

static void
do_action(struct sn_daemon *d, const struct sn_action *a)
{
    if (a->type == SN_ACT_SEND || a->type == SN_ACT_SCRIPT ||
        a->type == SN_ACT_EXIT)
        settle(d);
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
        sn_log(SN_LOG_WARNING, "Simulated failure: exiting with status 99");
        _exit(99);
    }
}

/* The core asks for a tick right after every input, and a tick visits
 * every master. With a thousand masters the replies of one second would
 * each pay for a full visit; ticks are therefore at least this far apart
 * (inputs themselves are taken at once). 10 ms costs a failover nothing
 * next to Redis's 100 ms tick. */
#define TICK_GAP_MIN_MS 10

static void
schedule_timer(struct sn_daemon *d)
{
    int64_t now = sn_daemon_now_ms();
    int64_t wait = sn_core_deadline_ms(d->core) - now;
    int64_t gap = d->last_tick_ms + TICK_GAP_MIN_MS - now;
    struct timeval tv;

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
    settle(d);
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
    d->timer = evtimer_new(d->base, timer_cb, d);
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
