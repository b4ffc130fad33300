/*
 * saver.h: durable config saves off the event loop.
 *
 * A save is a check that the text would load again, a write to a temp
 * file, fsync, rename and an fsync of the directory (persist.c). With a
 * thousand masters that is tens of milliseconds, and a failover storm asks
 * for one per step: made on the loop, they starved it of replies until it
 * took its own stalls for a clock jump (TILT). The saver makes them on one
 * writer thread instead. The loop renders the text (only the loop touches
 * the model), hands it over, and keeps reading replies and sending PINGs;
 * whatever must not leave before the state is on disk (a vote's reply, a
 * SLAVEOF, a hello with a new epoch) waits in the daemon for the done
 * callback (daemon.c). One save is under way at a time; changes made in
 * the meantime go into the next one, so a burst costs a save per writer
 * round trip, not one per change.
 *
 * The thread touches nothing but the text it was given and the file: it
 * does not log (its messages come back to the loop) and takes no locks
 * the loop holds. It is started after daemonize(), and scripts fork with
 * async-signal-safe children only, so neither fork meets it half-way.
 *
 * SN_DEBUG_SAVE_DELAY_MS in the environment makes every threaded save
 * sleep that long first: a slow disk, for the test that checks what
 * waits for a save (tests/integration/test_durable.py).
 */
#ifndef SN_SAVER_H
#define SN_SAVER_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct sn_saver;

/* Called on the loop when a save ends: rc 0, or -1 after the messages
 * (already logged as warnings) said why. */
typedef void (*sn_saver_done_fn)(void *arg, int rc);

/* Start the writer thread for the file at `path` (absolute). NULL with a
 * message in err if the thread or its wake-up pipe cannot be made. */
struct sn_saver *sn_saver_new(struct event_base *base, const char *path,
                              sn_saver_done_fn done, void *arg, char *err,
                              size_t errlen);

/* Stop the thread after the save under way, if any (its callback is not
 * called), and free everything. */
void sn_saver_free(struct sn_saver *s);

/* Is a save under way? */
bool sn_saver_busy(const struct sn_saver *s);

/* Save `len` bytes of `text` (malloc'd; the saver frees it). Only when
 * not busy. */
void sn_saver_start(struct sn_saver *s, char *text, size_t len);

/* Block until the save under way, if any, has ended, and call its
 * callback. For shutdown and exit, which must not leave before it. */
void sn_saver_wait(struct sn_saver *s);

/* The save itself, on the calling thread: check that `text` loads again
 * (a change made at run time can produce a file its format cannot hold;
 * such a file is not written, so the sentinel can still start from the
 * last good one), then write it. Returns 0, or -1 with the reasons in
 * *msgs (malloc'd, one per line, for the caller to log and free). */
int sn_saver_write(const char *path, const char *text, size_t len,
                   char **msgs);

/* Log each line of sn_saver_write's *msgs as a warning, and free it
 * (NULL: nothing). */
void sn_saver_log(char *msgs);

#endif /* SN_SAVER_H */
