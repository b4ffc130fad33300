/*
 * persist.c: reading the config file and replacing it safely.
 *
 * The write path follows Redis's rewriteConfigOverwriteFile (6.0.9+):
 * temp file next to the target, write, fchmod, fsync, rename, fsync of the
 * directory. Redis falls back to nothing when rename fails; we fall back to
 * an in-place write on EBUSY and EXDEV, which is what a file bind-mounted
 * on its own (docker -v file:file, a Kubernetes ConfigMap subPath) gives:
 * such a file can be rewritten but never replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "sn_limits.h"
#include "util.h"

#include "persist.h"

/* Read in chunks of this size: a config file is small, and the limit is
 * checked as the bytes arrive, not only against what fstat said. */
#define PERSIST_READ_CHUNK (64 * 1024)

static sn_persist_rename_fn persist_rename_hook;

static void persist_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
persist_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void
sn_persist_set_rename_hook(sn_persist_rename_fn fn)
{
    persist_rename_hook = fn;
}

/* ---------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------- */

/* Read fd to its end into b, refusing more than SN_CONFIG_BYTES_MAX.
 * Returns 0, -1 with errno on a read error, or 1 if the limit was hit. */
static int
persist_read_fd(int fd, struct sn_buf *b)
{
    char chunk[PERSIST_READ_CHUNK];
    ssize_t n;

    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -1;
        if (n == 0)
            return 0;
        if (b->len + (size_t)n > SN_CONFIG_BYTES_MAX)
            return 1;
        sn_buf_append(b, chunk, (size_t)n);
    }
}

int
sn_persist_read(const char *path, char **text, size_t *len, char *err,
                size_t errlen)
{
    struct sn_buf b;
    struct stat st;
    int fd, rc, saved;

    *text = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        persist_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    saved = fstat(fd, &st) == -1 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (saved != 0) {
        close(fd);
        persist_err(err, errlen, "cannot read %s: %s", path, strerror(saved));
        return -1;
    }
    /* A regular file too large is refused before reading it; a pipe is
     * counted as it is read. */
    rc = 1;
    sn_buf_init(&b);
    if (!S_ISREG(st.st_mode) || st.st_size <= SN_CONFIG_BYTES_MAX)
        rc = persist_read_fd(fd, &b);
    saved = errno;
    close(fd);
    if (rc != 0) {
        sn_buf_free(&b);
        if (rc == 1)
            persist_err(err, errlen,
                        "cannot read %s: it is larger than "
                        "the %d-byte limit for a config file",
                        path, SN_CONFIG_BYTES_MAX);
        else
            persist_err(err, errlen, "cannot read %s: %s", path,
                        strerror(saved));
        return -1;
    }
    *text = sn_buf_steal(&b, len);
    return 0;
}

/* ---------------------------------------------------------------------
 * Paths
 * ------------------------------------------------------------------- */

/* The directory part of path ("." for a bare name, "/" for "/x"). */
static char *
persist_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return sn_strdup(".");
    if (slash == path)
        return sn_strdup("/");
    return sn_strndup(path, (size_t)(slash - path));
}

int
sn_persist_resolve(const char *path, char **abs, char *err, size_t errlen)
{
    const char *slash, *base;
    char *dir, *real;

    *abs = NULL;
    slash = strrchr(path, '/');
    base = slash != NULL ? slash + 1 : path;
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        persist_err(err, errlen, "'%s' does not name a file", path);
        return -1;
    }
    dir = persist_dirname(path);
    real = realpath(dir, NULL);
    if (real == NULL) {
        persist_err(err, errlen,
                    "cannot resolve the directory %s of %s: "
                    "%s",
                    dir, path, strerror(errno));
        free(dir);
        return -1;
    }
    *abs = strcmp(real, "/") == 0 ? sn_printf("/%s", base)
                                  : sn_printf("%s/%s", real, base);
    free(real);
    free(dir);
    return 0;
}

/* The file a write must replace: path itself, or the file its symbolic
 * link points to, so that the link survives the rename. */
static char *
persist_target(const char *path, char *err, size_t errlen)
{
    struct stat st;
    char *real;

    if (lstat(path, &st) == -1 || !S_ISLNK(st.st_mode))
        return sn_strdup(path);
    real = realpath(path, NULL);
    if (real == NULL) {
        persist_err(err, errlen, "cannot follow the symbolic link %s: %s", path,
                    strerror(errno));
        return NULL;
    }
    return real;
}

/* ---------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------- */

static int
persist_write_all(int fd, const char *data, size_t len)
{
    ssize_t n;

    while (len > 0) {
        n = write(fd, data, len);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -1;
        if (n == 0) {
            errno = ENOSPC;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The mode a new file gets, as open(2) with 0644 would give it. umask()
 * can only be read by setting it; the daemon is single-threaded. */
static mode_t
persist_new_mode(void)
{
    mode_t mask = umask(0);

    umask(mask);
    return 0644 & ~mask;
}

/* Sync the directory so the rename itself survives a crash. Like Redis's
 * fsyncFileDir, EINVAL and EBADF (a filesystem that cannot sync a
 * directory) are not errors. */
static int
persist_sync_dir(const char *dir)
{
    int fd, rc, saved;

    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd == -1)
        return -1;
    rc = fsync(fd);
    saved = errno;
    close(fd);
    if (rc == -1 && saved != EINVAL && saved != EBADF) {
        errno = saved;
        return -1;
    }
    return 0;
}

/* The fallback for a file that cannot be replaced: write over it, cut it
 * to the new length, sync. Written before the truncation so that the file
 * is never seen empty. */
static int
persist_write_in_place(const char *target, const char *data, size_t len,
                       int rename_errno, char *err, size_t errlen)
{
    const char *step = "open";
    int fd, saved;

    fd = open(target, O_WRONLY | O_CLOEXEC);
    if (fd == -1)
        goto fail;
    step = "write";
    if (persist_write_all(fd, data, len) == -1)
        goto fail_fd;
    step = "truncate";
    if (ftruncate(fd, (off_t)len) == -1)
        goto fail_fd;
    step = "fsync";
    if (fsync(fd) == -1)
        goto fail_fd;
    step = "close";
    if (close(fd) == -1)
        goto fail;
    return 0;

fail_fd:
    saved = errno;
    close(fd);
    errno = saved;
fail:
    persist_err(err, errlen,
                "cannot rewrite %s in place (rename gave: %s): "
                "%s failed: %s",
                target, strerror(rename_errno), step, strerror(errno));
    return -1;
}

/* Create the temp file next to target and fill it: data, mode, owner,
 * fsync. Returns the temp file's path or NULL (nothing left behind). */
static char *
persist_write_temp(const char *target, const char *data, size_t len, char *err,
                   size_t errlen)
{
    const char *step = "write";
    struct stat st;
    char *tmp, *dir;
    int fd, saved;

    tmp = sn_printf("%s.tmp-XXXXXX", target);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd == -1) {
        saved = errno;
        dir = persist_dirname(target);
        persist_err(err, errlen,
                    "cannot create a temporary file in %s "
                    "to replace %s: %s",
                    dir, target, strerror(saved));
        free(dir);
        free(tmp);
        return NULL;
    }
    if (persist_write_all(fd, data, len) == -1)
        goto fail;
    step = "stat of the original file";
    if (stat(target, &st) == -1) {
        if (errno != ENOENT)
            goto fail;
        st.st_mode = persist_new_mode();
        st.st_uid = geteuid();
        st.st_gid = getegid();
    }
    step = "fchmod";
    if (fchmod(fd, st.st_mode & 07777) == -1)
        goto fail;
    /* Keep the owner too when we run as root for a file that is not ours;
     * anyone else may not change it, and a file they could write but not
     * own is still written, under their name. */
    step = "fchown";
    if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
        fchown(fd, st.st_uid, st.st_gid) == -1 && errno != EPERM)
        goto fail;
    step = "fsync";
    if (fsync(fd) == -1)
        goto fail;
    step = "close";
    saved = close(fd);
    fd = -1;
    if (saved == -1)
        goto fail;
    return tmp;

fail:
    saved = errno;
    if (fd != -1)
        close(fd);
    unlink(tmp);
    persist_err(err, errlen,
                "cannot write the temporary file %s: %s "
                "failed: %s",
                tmp, step, strerror(saved));
    free(tmp);
    return NULL;
}

int
sn_persist_write(const char *path, const char *data, size_t len, char *err,
                 size_t errlen)
{
    sn_persist_rename_fn do_rename =
        persist_rename_hook != NULL ? persist_rename_hook : rename;
    char *target, *tmp, *dir;
    int rc = 0, saved;

    if (len > SN_CONFIG_BYTES_MAX) {
        persist_err(err, errlen,
                    "cannot write %s: %zu bytes is more than "
                    "the %d-byte limit for a config file",
                    path, len, SN_CONFIG_BYTES_MAX);
        return -1;
    }
    target = persist_target(path, err, errlen);
    if (target == NULL)
        return -1;
    tmp = persist_write_temp(target, data, len, err, errlen);
    if (tmp == NULL) {
        free(target);
        return -1;
    }
    if (do_rename(tmp, target) == -1) {
        saved = errno;
        unlink(tmp);
        if (saved == EBUSY || saved == EXDEV)
            rc = persist_write_in_place(target, data, len, saved, err, errlen);
        else {
            persist_err(err, errlen, "cannot rename %s to %s: %s", tmp, target,
                        strerror(saved));
            rc = -1;
        }
    } else {
        dir = persist_dirname(target);
        if (persist_sync_dir(dir) == -1) {
            persist_err(err, errlen,
                        "%s was replaced, but fsync of its "
                        "directory %s failed: %s",
                        target, dir, strerror(errno));
            rc = -1;
        }
        free(dir);
    }
    free(tmp);
    free(target);
    return rc;
}
