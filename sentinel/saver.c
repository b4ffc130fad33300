/*
 * saver.c: durable config saves on a writer thread (see saver.h).
 */
#include "saver.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "persist.h"
#include "util.h"

struct sn_saver {
    struct event_base *base;
    struct event *wake_ev;
    int wake[2];                /* the thread writes a byte when done */
    char *path;
    sn_saver_done_fn done;
    void *arg;
    pthread_t thread;
    bool started;
    long delay_ms;              /* SN_DEBUG_SAVE_DELAY_MS (tests) */

    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool busy;                  /* loop side: a save was handed over */
    bool stop;                  /* under mu */
    char *text;                 /* under mu: the job, NULL when none */
    size_t len;
    bool finished;              /* under mu: the job ended */
    int rc;                     /* under mu: its result */
    char *msgs;                 /* under mu: why it failed */
};

int
sn_saver_write(const char *path, const char *text, size_t len, char **msgs)
{
    struct sn_config_errors errs = { NULL, 0 };
    struct sn_config check;
    struct sn_buf out;
    char err[512];
    int i, rc;

    sn_buf_init(&out);
    sn_config_init(&check);
    rc = sn_config_load(&check, text, len, path, &errs);
    for (i = 0; rc != 0 && i < errs.len; i++)
        sn_buf_printf(&out, "the rewritten config would not load: %s\n",
                      errs.msgs[i]);
    sn_config_errors_free(&errs);
    sn_config_free(&check);
    if (rc == 0)
        rc = sn_persist_write(path, text, len, err, sizeof(err));
    else
        snprintf(err, sizeof(err), "%s left as it was", path);
    if (rc != 0)
        sn_buf_printf(&out, "%s\n", err);
    *msgs = rc != 0 ? sn_buf_steal(&out, NULL) : NULL;
    sn_buf_free(&out);
    return rc;
}

void
sn_saver_log(char *msgs)
{
    char *line, *next;

    for (line = msgs; line != NULL && *line != '\0'; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        sn_log(SN_LOG_WARNING, "%s", line);
    }
    free(msgs);
}

static void *
writer_main(void *arg)
{
    struct sn_saver *s = arg;
    char one = 1;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        char *text, *msgs;
        size_t len;
        int rc;

        while (s->text == NULL && !s->stop)
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->text == NULL)
            break;
        text = s->text;
        len = s->len;
        pthread_mutex_unlock(&s->mu);

        if (s->delay_ms > 0) {
            struct timespec ts = { s->delay_ms / 1000,
                                   (s->delay_ms % 1000) * 1000000 };
            nanosleep(&ts, NULL);
        }
        rc = sn_saver_write(s->path, text, len, &msgs);
        free(text);
        /* The check above parsed the whole file: with a thousand masters,
         * megabytes of short-lived allocations, made in this thread's own
         * malloc arena. Its free memory is given back to the system here
         * rather than kept until the next save. */
        malloc_trim(0);

        pthread_mutex_lock(&s->mu);
        s->text = NULL;
        s->rc = rc;
        s->msgs = msgs;
        s->finished = true;
        pthread_cond_broadcast(&s->cv);
        /* The pipe holds far more than the one byte a save can owe. */
        while (write(s->wake[1], &one, 1) < 0 && errno == EINTR)
            ;
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* On the loop: report the save that finished, if one did. */
static void
collect(struct sn_saver *s)
{
    char *msgs;
    int rc;

    pthread_mutex_lock(&s->mu);
    if (!s->finished) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    s->finished = false;
    rc = s->rc;
    msgs = s->msgs;
    s->msgs = NULL;
    pthread_mutex_unlock(&s->mu);

    s->busy = false;
    sn_saver_log(msgs);
    s->done(s->arg, rc);
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
    char buf[64];

    (void)what;
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    collect(arg);
}

struct sn_saver *
sn_saver_new(struct event_base *base, const char *path, sn_saver_done_fn done,
             void *arg, char *err, size_t errlen)
{
    struct sn_saver *s = sn_calloc(1, sizeof(*s));
    int rc;

    s->base = base;
    s->path = sn_strdup(path);
    s->done = done;
    s->arg = arg;
    s->wake[0] = s->wake[1] = -1;
    /* A slow disk, for the tests that check what waits for a save. */
    if (getenv("SN_DEBUG_SAVE_DELAY_MS") != NULL)
        s->delay_ms = strtol(getenv("SN_DEBUG_SAVE_DELAY_MS"), NULL, 10);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        snprintf(err, errlen, "can't create the saver's pipe: %s",
                 strerror(errno));
        sn_saver_free(s);
        return NULL;
    }
    s->wake_ev = event_new(base, s->wake[0], EV_READ | EV_PERSIST, wake_cb, s);
    event_add(s->wake_ev, NULL);
    rc = pthread_create(&s->thread, NULL, writer_main, s);
    if (rc != 0) {
        snprintf(err, errlen, "can't start the saver thread: %s",
                 strerror(rc));
        sn_saver_free(s);
        return NULL;
    }
    s->started = true;
    return s;
}

void
sn_saver_free(struct sn_saver *s)
{
    if (s == NULL)
        return;
    if (s->started) {
        pthread_mutex_lock(&s->mu);
        while (s->text != NULL)
            pthread_cond_wait(&s->cv, &s->mu);
        s->stop = true;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
    }
    if (s->wake_ev != NULL)
        event_free(s->wake_ev);
    if (s->wake[0] >= 0)
        close(s->wake[0]);
    if (s->wake[1] >= 0)
        close(s->wake[1]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->msgs);
    free(s->text);
    free(s->path);
    free(s);
}

bool
sn_saver_busy(const struct sn_saver *s)
{
    return s->busy;
}

void
sn_saver_start(struct sn_saver *s, char *text, size_t len)
{
    pthread_mutex_lock(&s->mu);
    s->text = text;
    s->len = len;
    s->busy = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void
sn_saver_wait(struct sn_saver *s)
{
    if (!s->busy)
        return;
    pthread_mutex_lock(&s->mu);
    while (!s->finished)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    collect(s);
}
