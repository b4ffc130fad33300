/*
 * persist.h: reading the config file and replacing it safely.
 *
 * lib/ turns a model into bytes (sn_config_rewrite); this module puts those
 * bytes on disk the way Redis's rewriteConfigOverwriteFile does: a temp
 * file in the same directory, fsync, the original mode, rename over the
 * file, fsync of the directory. Where rename cannot work (EBUSY or EXDEV:
 * a single-file bind mount, a Kubernetes ConfigMap subPath) the file is
 * rewritten in place instead, which is not atomic but is what Redis did
 * before 6.0.9 and the only thing that works there.
 *
 * Every function returns 0 on success, or -1 with a complete sentence in
 * err (which step failed, on which path, and strerror(errno)).
 */
#ifndef SN_PERSIST_H
#define SN_PERSIST_H

#include <stddef.h>

/* The version of this build, and the Redis version we report (INFO
 * redis_version, --version) so that clients that check it for features
 * treat us as the Redis Sentinel we behave like. meson.build's project
 * version must match SN_VERSION. */
#define SN_VERSION "0.1.0"
#define SN_REDIS_VERSION "7.0.15"

/* Read the whole file at `path` into a malloc'd, NUL-terminated buffer
 * (*text, its length without the NUL in *len). Fails, leaving *text NULL:
 *   1. the file cannot be opened or read;
 *   2. it is a directory;
 *   3. it is larger than SN_CONFIG_BYTES_MAX. */
int sn_persist_read(const char *path, char **text, size_t *len, char *err,
                    size_t errlen);

/* Replace the contents of `path` with `len` bytes of `data`, atomically
 * where the filesystem allows it. The file keeps its mode (and, when we
 * may, its owner); a new file gets 0644 & ~umask. A path that is a
 * symbolic link is written through: the link stays, its target changes.
 * On failure the temp file is removed and, unless the in-place fallback
 * was under way, the original file is untouched. Fails:
 *   1. len is larger than SN_CONFIG_BYTES_MAX (we could not read it back);
 *   2. the temp file cannot be created (the directory does not exist or
 *      is not writable), written, synced or given the mode;
 *   3. rename fails with anything but EBUSY or EXDEV;
 *   4. the in-place fallback cannot open, write, truncate or sync the
 *      file;
 *   5. the directory cannot be synced after the rename (the new contents
 *      are in place, but may not survive a crash). */
int sn_persist_write(const char *path, const char *data, size_t len, char *err,
                     size_t errlen);

/* The absolute path of a config file, for use after chdir(): the realpath
 * of its directory joined with its base name (the file itself need not
 * exist, and a symbolic link is kept as a link). *abs is malloc'd. Fails
 * if the directory cannot be resolved or the path names a directory. */
int sn_persist_resolve(const char *path, char **abs, char *err, size_t errlen);

/* For tests only: replace rename(2) with `fn` (NULL restores rename), so
 * that EXDEV and EBUSY, which need a bind mount to happen for real, can be
 * simulated. `fn` returns 0 or -1 with errno set, as rename does. */
typedef int (*sn_persist_rename_fn)(const char *from, const char *to);
void sn_persist_set_rename_hook(sn_persist_rename_fn fn);

#endif /* SN_PERSIST_H */
