/*
 * log.c: Redis-format log lines to a file, standard output and syslog.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static struct {
    enum sn_loglevel level;
    char *path;                 /* NULL or "": standard output */
    int fd;                     /* -1: standard output */
    bool syslog;
    char *ident;
} lg = { SN_LOG_NOTICE, NULL, -1, false, NULL };

static int
facility_of(const char *name)
{
    static const struct { const char *name; int facility; } map[] = {
        { "user", LOG_USER }, { "local0", LOG_LOCAL0 },
        { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
        { "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
        { "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
        { "local7", LOG_LOCAL7 },
    };
    size_t i;

    for (i = 0; name != NULL && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcasecmp(name, map[i].name) == 0)
            return map[i].facility;
    return LOG_LOCAL0;
}

static int
open_file(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

    if (fd < 0)
        snprintf(err, errlen, "can't open the log file %s: %s", path,
                 strerror(errno));
    return fd;
}

int
sn_log_open(const struct sn_config *cfg, char *err, size_t errlen)
{
    lg.level = cfg->loglevel;
    sn_set_str(&lg.path, cfg->logfile);
    if (lg.syslog)
        closelog();
    lg.syslog = cfg->syslog_enabled;
    if (lg.syslog) {
        sn_set_str(&lg.ident, cfg->syslog_ident);
        openlog(lg.ident, LOG_PID | LOG_NDELAY | LOG_NOWAIT,
                facility_of(cfg->syslog_facility));
    }
    return sn_log_reopen(err, errlen);
}

int
sn_log_reopen(char *err, size_t errlen)
{
    int fd;

    if (lg.path == NULL || lg.path[0] == '\0') {
        if (lg.fd >= 0)
            close(lg.fd);
        lg.fd = -1;
        return 0;
    }
    fd = open_file(lg.path, err, errlen);
    if (fd < 0)
        return -1;
    if (lg.fd >= 0)
        close(lg.fd);
    lg.fd = fd;
    return 0;
}

void
sn_log_set_level(enum sn_loglevel level)
{
    lg.level = level;
}

void
sn_log_close(void)
{
    if (lg.fd >= 0)
        close(lg.fd);
    lg.fd = -1;
    if (lg.syslog)
        closelog();
    lg.syslog = false;
    free(lg.path);
    lg.path = NULL;
    free(lg.ident);
    lg.ident = NULL;
}

bool
sn_log_to_file(void)
{
    return lg.fd >= 0;
}

void
sn_log(enum sn_loglevel level, const char *fmt, ...)
{
    static const char marks[] = ".-*#";
    static const int prio[] = { LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING };
    char msg[8192], line[8400], stamp[64];
    struct timeval tv;
    struct tm tm;
    va_list ap;
    int n;

    if (level < lg.level || level >= SN_LOG_NOTHING)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%d %b %Y %H:%M:%S", &tm);
    n = snprintf(line, sizeof(line), "%d:X %s.%03d %c %s\n", (int)getpid(),
                 stamp, (int)(tv.tv_usec / 1000), marks[level], msg);
    if (n > (int)sizeof(line) - 1)
        n = (int)sizeof(line) - 1;
    /* One write per line, so concurrent writers never interleave. A
     * failed write has nowhere better to go: the line is dropped. */
    if (write(lg.fd >= 0 ? lg.fd : STDOUT_FILENO, line, (size_t)n) < 0)
        (void)0;
    if (lg.syslog)
        syslog(prio[level], "%s", msg);
}
