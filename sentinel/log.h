/*
 * log.h: the daemon's voice, in Redis's log line format.
 *
 *   12345:X 22 Nov 2026 10:00:00.123 # +sdown master mymaster 127.0.0.1 7000
 *
 * Before the log file is opened (and when logfile is ""), lines go to
 * standard output, as Redis does. Once a log file is open the daemon never
 * writes to stderr. With syslog-enabled, lines also go to syslog.
 */
#ifndef SN_LOG_H
#define SN_LOG_H

#include <stdbool.h>

#include "config.h"

/* Open (or reopen, on SIGHUP) the log with the config's logfile, loglevel
 * and syslog settings. Returns 0, or -1 with a message in err (the file
 * could not be opened: the daemon then keeps its previous destination). */
int sn_log_open(const struct sn_config *cfg, char *err, size_t errlen);
int sn_log_reopen(char *err, size_t errlen);
void sn_log_set_level(enum sn_loglevel level);
void sn_log_close(void);

/* Log one line at `level` (dropped below the configured level). */
void sn_log(enum sn_loglevel level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* True once output goes to a file rather than standard output. */
bool sn_log_to_file(void);

#endif /* SN_LOG_H */
