/*
 * command_harness.h: what the SENTINEL command suites share (test_command.c,
 * test_command_info.c): a core from a config text, running a command and
 * reading its reply, the actions it queued, golden files.
 */
#ifndef SN_TEST_COMMAND_HARNESS_H
#define SN_TEST_COMMAND_HARNESS_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "config.h"
#include "core.h"
#include "instance.h"
#include "golden.h"
#include "util.h"

#define NOW 10000000
#define MYID "854699bf5d5c1fb0268fedd7500b8c13538f9cc5"
#define RUNID_M "21eafe030e46a17e77b0ed62466df787a1b67cbd"
#define RUNID_R "57f45faf53c73d6c36bc7a9d4e13cd7114271872"
#define RUNID_S "3b56361b07e3b22501ef571f78bb38b7a2fe7929"
#define RUNID_T "1111111111111111111111111111111111111111"
#define RUNID_U "2222222222222222222222222222222222222222"

/* ---------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------- */

/* What the daemon would say about the process (INFO, PENDING-SCRIPTS). */
static struct sn_cmd_proc test_proc __attribute__((unused));
static bool test_executable __attribute__((unused));

static inline void
test_proc_fill(void *arg, struct sn_cmd_proc *p)
{
    (void)arg;
    *p = test_proc;
}

static inline bool
test_is_executable(void *arg, const char *path)
{
    (void)arg;
    (void)path;
    return test_executable;
}

/* The actions a command queued, drained. */
#define ACTS_MAX 64

struct acts {
    int n;
    int saves;
    char *event[ACTS_MAX];
    char *payload[ACTS_MAX];
};

static struct acts last_acts __attribute__((unused));

static inline void
acts_clear(struct acts *a)
{
    int i;

    for (i = 0; i < a->n; i++) {
        free(a->event[i]);
        free(a->payload[i]);
    }
    memset(a, 0, sizeof(*a));
}

static inline void
drain(struct sn_core *core)
{
    struct sn_action a;

    acts_clear(&last_acts);
    while (sn_core_next_action(core, &a) == 1) {
        if (a.type == SN_ACT_SAVE)
            last_acts.saves++;
        if (a.type == SN_ACT_EVENT && last_acts.n < ACTS_MAX) {
            last_acts.event[last_acts.n] = sn_strdup(a.event);
            last_acts.payload[last_acts.n] = sn_strdup(a.payload);
            last_acts.n++;
        }
        sn_action_free(&a);
    }
}

/* Was `event` with `payload` queued by the last command? */
static inline bool
has_event(const char *event, const char *payload)
{
    int i;

    for (i = 0; i < last_acts.n; i++)
        if (strcmp(last_acts.event[i], event) == 0 &&
            strcmp(last_acts.payload[i], payload) == 0)
            return true;
    return false;
}

static inline struct sn_core *
core_from(const char *text)
{
    struct sn_config cfg;
    struct sn_config_errors errs = {0};
    struct sn_core *core;
    char err[256];

    sn_config_init(&cfg);
    ck_assert_msg(sn_config_load(&cfg, text, strlen(text), "test.ini",
                                 &errs) == 0,
                  "config: %s", errs.len > 0 ? errs.msgs[0] : "?");
    core = sn_core_new(&cfg, 1, NOW, err, sizeof(err));
    ck_assert_msg(core != NULL, "core: %s", err);
    sn_config_free(&cfg);
    sn_config_errors_free(&errs);
    drain(core);
    memset(&test_proc, 0, sizeof(test_proc));
    test_executable = false;
    return core;
}

/* Run argv (argc strings, or NULL-terminated when argc < 0) and return the
 * reply, NUL-terminated and malloc'd, its length in *len if len != NULL. */
static inline char *
run_argv(struct sn_core *core, int proto, int argc, char **argv,
         size_t *argvlen, size_t *len)
{
    struct sn_cmd_ctx ctx = {proto, test_proc_fill, test_is_executable,
                             NULL};
    struct sn_buf out;
    int rc;

    sn_buf_init(&out);
    rc = sn_command_exec(core, &ctx, argc, argv, argvlen, &out, NOW);
    ck_assert_int_eq(rc, 1);
    drain(core);
    if (out.data == NULL)
        sn_buf_puts(&out, "");
    return sn_buf_steal(&out, len);
}

static inline char *
vrun(struct sn_core *core, int proto, va_list ap)
{
    char *argv[64];
    size_t argvlen[64];
    const char *s;
    int argc = 0;

    while ((s = va_arg(ap, const char *)) != NULL) {
        argv[argc] = (char *)s;
        argvlen[argc] = strlen(s);
        argc++;
    }
    return run_argv(core, proto, argc, argv, argvlen, NULL);
}

/* run(core, proto, "SENTINEL", "MASTERS", NULL) */
static inline char *
run(struct sn_core *core, int proto, ...)
{
    va_list ap;
    char *r;

    va_start(ap, proto);
    r = vrun(core, proto, ap);
    va_end(ap);
    return r;
}

/* CR and LF made visible, for failure messages. */
static inline char *
visible(const char *s, size_t len)
{
    struct sn_buf b;
    size_t i;

    sn_buf_init(&b);
    for (i = 0; i < len; i++) {
        if (s[i] == '\r')
            sn_buf_puts(&b, "\\r");
        else if (s[i] == '\n')
            sn_buf_puts(&b, "\\n");
        else
            sn_buf_putc(&b, s[i]);
    }
    return sn_buf_steal(&b, NULL);
}

static inline void
assert_bytes(const char *got, size_t glen, const char *want, size_t wlen,
             const char *what)
{
    size_t at = 0, from, glen_w, wlen_w;
    char *g, *w;

    if (glen == wlen && memcmp(got, want, glen) == 0)
        return;
    /* Show where they part, not the whole of two long replies. */
    while (at < glen && at < wlen && got[at] == want[at])
        at++;
    from = at > 60 ? at - 60 : 0;
    glen_w = glen - from < 160 ? glen - from : 160;
    wlen_w = wlen - from < 160 ? wlen - from : 160;
    g = visible(got + from, glen_w);
    w = visible(want + from, wlen_w);
    ck_abort_msg("%s: %zu and %zu bytes, first difference at byte %zu:\n"
                 " got: ...%s\nwant: ...%s", what, glen, wlen, at, g, w);
}

/* The reply to the NULL-terminated command must be exactly `want`. */
static inline void
expect(struct sn_core *core, int proto, const char *want, ...)
{
    va_list ap;
    char *r;

    va_start(ap, want);
    r = vrun(core, proto, ap);
    va_end(ap);
    assert_bytes(r, strlen(r), want, strlen(want), "reply");
    free(r);
}

static inline char *
golden(const char *name, size_t *len)
{
    return sn_test_golden("command", name, len);
}

/* The reply to the NULL-terminated command equals the golden file. */
static inline void
expect_golden(struct sn_core *core, int proto, const char *name, ...)
{
    size_t wlen;
    char *want = golden(name, &wlen);
    va_list ap;
    char *r;

    va_start(ap, name);
    r = vrun(core, proto, ap);
    va_end(ap);
    assert_bytes(r, strlen(r), want, wlen, name);
    free(r);
    free(want);
}

static inline void
link_up(struct sn_link *l, int64_t ok_ago)
{
    l->connected = true;
    l->pending = 0;
    l->act_ping_ms = 0;
    l->last_avail_ms = NOW - ok_ago;
    l->last_pong_ms = NOW - ok_ago;
}

static inline void
inst_up(struct sn_instance *ri, const char *runid, int64_t ok_ago)
{
    snprintf(ri->runid, sizeof(ri->runid), "%s", runid);
    link_up(ri->cc, ok_ago);
    if (ri->pc != NULL)
        link_up(ri->pc, ok_ago);
    ri->flags &= ~(unsigned)SN_F_DISCONNECTED;
}

/* The state of redis-sentinel 7.0.15 when master.resp2, replicas.resp2
 * and sentinels.resp2 were captured. */
static const char *seed_ini __attribute__((unused)) =
    "[sentinel]\n"
    "myid = " MYID "\n"
    "\n"
    "[mymaster]\n"
    "monitor = 127.0.0.1 17000 2\n"
    "down-after-milliseconds = 5000\n"
    "config-epoch = 1\n"
    "known-replica = 127.0.0.1 16999\n"
    "known-sentinel = 127.0.0.1 27000 " RUNID_S "\n";

static inline struct sn_core *
seed_core(void)
{
    struct sn_core *core = core_from(seed_ini);
    struct sn_master *m = sn_core_master_by_name(core, "mymaster");
    struct sn_instance *r, *s;

    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->replicas_len, 1);
    ck_assert_int_eq(m->sentinels_len, 1);
    inst_up(&m->inst, RUNID_M, 1002);
    m->inst.info_refresh_ms = NOW - 2646;
    m->inst.role_reported = SN_ROLE_MASTER;
    m->inst.role_reported_ms = NOW - 370140;

    r = m->replicas[0];
    inst_up(r, RUNID_R, 666);
    r->info_refresh_ms = NOW - 5125;
    r->role_reported = SN_ROLE_SLAVE;
    r->role_reported_ms = NOW - 361774;
    r->master_link_down_ms = 0;
    r->slave_master_link_up = true;
    sn_set_str(&r->slave_master_host, "127.0.0.1");
    r->slave_master_port = 17000;
    r->slave_priority = 100;
    r->slave_repl_offset = 68442;
    r->replica_announced = true;

    s = m->sentinels[0];
    inst_up(s, RUNID_S, 424);
    s->last_hello_ms = NOW - 2000;
    s->leader[0] = '\0';
    s->leader_epoch = 0;
    return core;
}

static inline struct sn_master *
master(struct sn_core *core, const char *name)
{
    struct sn_master *m = sn_core_master_by_name(core, name);

    ck_assert_ptr_nonnull(m);
    return m;
}


#endif /* SN_TEST_COMMAND_HARNESS_H */
