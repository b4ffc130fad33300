/*
 * main.c: the command line.
 *
 *   sentinel FILE                       load FILE and run the daemon
 *   sentinel --test-config FILE         check FILE, print every error
 *   sentinel --convert-redis-conf FILE  print a Redis-style file as INI
 *   sentinel --version | --help
 *
 * FILE is INI (ours) or a Redis-style sentinel.conf; the loader tells them
 * apart. What lib/ cannot check because it touches no files is checked
 * here: that scripts exist and are executable, that the file is writable
 * (a sentinel saves its state there, and Redis refuses to start without
 * that), that `dir` can be entered.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

#include "acl.h"
#include "crypto.h"
#include "daemon.h"
#include "persist.h"

enum cli_mode {
    CLI_RUN = 0,
    CLI_TEST_CONFIG,
    CLI_CONVERT,
    CLI_VERSION,
    CLI_HELP,
};

/* getopt_long values for options with no short form. */
enum {
    CLI_OPT_CONVERT = 256,
};

static const struct option cli_options[] = {
    {"test-config", required_argument, NULL, 't'},
    {"convert-redis-conf", required_argument, NULL, CLI_OPT_CONVERT},
    {"version", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void
cli_usage(FILE *f)
{
    fputs("Usage: sentinel FILE\n"
          "       sentinel --test-config FILE\n"
          "       sentinel --convert-redis-conf FILE\n"
          "       sentinel --version | --help\n"
          "\n"
          "A Redis Sentinel compatible high-availability monitor for "
          "Redis.\n"
          "\n"
          "  FILE                       the config file, INI or a "
          "Redis-style sentinel.conf;\n"
          "                             it must be writable: the "
          "sentinel saves its state there\n"
          "  -t, --test-config FILE     check FILE, print `configuration "
          "OK` or every error\n"
          "      --convert-redis-conf FILE\n"
          "                             print the INI equivalent of a "
          "Redis-style FILE\n"
          "  -v, --version              print the version\n"
          "  -h, --help                 print this help\n"
          "\n"
          "Exit status: 0 on success, 1 on a config or usage error.\n",
          f);
}

static void
cli_oom(size_t size)
{
    fprintf(stderr, "sentinel: out of memory allocating %zu bytes\n", size);
    exit(1);
}

/* ---------------------------------------------------------------------
 * Loading and checking a config file
 * ------------------------------------------------------------------- */

/* Where a script named in the config really is: Redis enters `dir` while
 * it loads the file and runs scripts from there, so a relative script
 * path is relative to `dir`. */
static char *
cli_script_path(const struct sn_config *c, const char *script)
{
    if (script[0] == '/' || c->dir == NULL || c->dir[0] == '\0')
        return sn_strdup(script);
    return sn_printf("%s/%s", c->dir, script);
}

static void
cli_check_script(const struct sn_config *c, const char *filename, int line,
                 const char *key, const char *script,
                 struct sn_config_errors *errs)
{
    struct stat st;
    char *path;

    if (script == NULL)
        return;
    path = cli_script_path(c, script);
    if (stat(path, &st) == -1)
        sn_config_errors_add(errs, "%s:%d: %s %s: %s", filename, line, key,
                             path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        sn_config_errors_add(errs, "%s:%d: %s %s is not a regular file",
                             filename, line, key, path);
    else if (access(path, X_OK) == -1)
        sn_config_errors_add(errs, "%s:%d: %s %s is not executable: %s",
                             filename, line, key, path, strerror(errno));
    free(path);
}

/* The checks lib/ cannot make: every script exists and is executable. */
static void
cli_check_scripts(const struct sn_config *c, const char *filename,
                  struct sn_config_errors *errs)
{
    const struct sn_config_master *m;
    int i;

    for (i = 0; i < c->masters_len; i++) {
        m = &c->masters[i];
        cli_check_script(c, filename,
                         m->notification_script_line > 0
                             ? m->notification_script_line
                             : m->line,
                         "notification-script", m->notification_script, errs);
        cli_check_script(
            c, filename,
            m->client_reconfig_script_line > 0 ? m->client_reconfig_script_line
                                               : m->line,
            "client-reconfig-script", m->client_reconfig_script, errs);
    }
}

/* Load `path` (read from its absolute form `abs`) into `c`, initialised
 * here, and check its scripts. Every problem goes to `errs`. Returns 0
 * if there was none. */
static int
cli_load(const char *path, const char *abs, struct sn_config *c,
         struct sn_config_errors *errs)
{
    char err[512];
    char *text;
    size_t len;
    int rc;

    sn_config_init(c);
    if (sn_persist_read(abs, &text, &len, err, sizeof(err)) == -1) {
        sn_config_errors_add(errs, "%s", err);
        return -1;
    }
    rc = sn_config_load(c, text, len, path, errs);
    free(text);
    if (rc == 0)
        cli_check_scripts(c, path, errs);
    return errs->len > 0 ? -1 : 0;
}

static void
cli_print_errors(const struct sn_config_errors *errs)
{
    int i;

    for (i = 0; i < errs->len; i++)
        fprintf(stderr, "%s\n", errs->msgs[i]);
}

/* ---------------------------------------------------------------------
 * The daemon: `cfg` is loaded and checked, the working directory is `dir`,
 * and `abs_path` is the config file's absolute path, for the rewrites that
 * persist state.
 * ------------------------------------------------------------------- */

static int
run_daemon(struct sn_config *cfg, const char *abs_path, const char *argv0)
{
    return sn_daemon_run(cfg, abs_path, argv0);
}

/* ---------------------------------------------------------------------
 * The modes
 * ------------------------------------------------------------------- */

static int
cli_fatal_config(const char *path, const struct sn_config_errors *errs)
{
    cli_print_errors(errs);
    fprintf(stderr,
            "\n*** FATAL CONFIG FILE ERROR (sentinel %s) ***\n"
            "%d error%s in %s\n",
            SN_VERSION, errs->len, errs->len == 1 ? "" : "s", path);
    return 1;
}

static int
cli_run(const char *path, const char *argv0)
{
    struct sn_config_errors errs = {NULL, 0};
    struct sn_config c;
    char err[512];
    char *abs = NULL;
    int rc = 1;

    if (sn_persist_resolve(path, &abs, err, sizeof(err)) == -1) {
        sn_config_errors_add(&errs, "%s", err);
        rc = cli_fatal_config(path, &errs);
        sn_config_errors_free(&errs);
        return rc;
    }
    if (cli_load(path, abs, &c, &errs) == -1) {
        rc = cli_fatal_config(path, &errs);
        goto out;
    }
    /* As Redis's sentinelCheckConfigFile: state we could not save would be
     * lost on restart, votes included, so do not start at all. */
    if (access(abs, W_OK) == -1) {
        fprintf(stderr,
                "sentinel: config file %s is not writable: %s; "
                "a sentinel saves its state there. Exiting.\n",
                path, strerror(errno));
        goto out;
    }
    /* Entered now, as Redis does while loading, so relative paths in the
     * config (pidfile, logfile, scripts) mean what they mean to Redis. The
     * config file itself is reached through abs from here on. */
    if (c.dir != NULL && c.dir[0] != '\0' && chdir(c.dir) == -1) {
        fprintf(stderr, "sentinel: cannot enter dir %s: %s\n", c.dir,
                strerror(errno));
        goto out;
    }
    rc = run_daemon(&c, abs, argv0);

out:
    sn_config_free(&c);
    sn_config_errors_free(&errs);
    free(abs);
    return rc;
}

static int
cli_test_config(const char *path)
{
    struct sn_config_errors errs = {NULL, 0};
    struct sn_config c;
    char err[512];
    char *abs = NULL;
    int rc = 1;

    if (sn_persist_resolve(path, &abs, err, sizeof(err)) == -1) {
        sn_config_errors_add(&errs, "%s", err);
        cli_print_errors(&errs);
        sn_config_errors_free(&errs);
        return 1;
    }
    if (cli_load(path, abs, &c, &errs) == -1) {
        cli_print_errors(&errs);
        fprintf(stderr, "%s: configuration test failed (%d error%s)\n", path,
                errs.len, errs.len == 1 ? "" : "s");
        goto out;
    }
    /* Not an error here: a sample or a file checked before it is
     * installed need not be writable, but the daemon will refuse it. */
    if (access(abs, W_OK) == -1)
        fprintf(stderr,
                "warning: %s is not writable (%s); the sentinel "
                "will refuse to start with it\n",
                path, strerror(errno));
    printf("configuration OK\n");
    rc = 0;

out:
    sn_config_free(&c);
    sn_config_errors_free(&errs);
    free(abs);
    return rc;
}

static int
cli_convert(const char *path)
{
    struct sn_config_errors errs = {NULL, 0}, warnings = {NULL, 0};
    struct sn_config c;
    char err[512];
    char *text, *ini;
    size_t len;
    int rc = 1;

    if (sn_persist_read(path, &text, &len, err, sizeof(err)) == -1) {
        fprintf(stderr, "sentinel: %s\n", err);
        return 1;
    }
    if (sn_config_detect(text, len) == SN_CONFIG_FORMAT_INI) {
        fprintf(stderr,
                "sentinel: %s is already an INI file; there is "
                "nothing to convert\n",
                path);
        free(text);
        return 1;
    }
    sn_config_init(&c);
    if (sn_config_load_redis(&c, text, len, path, &errs) == -1) {
        cli_print_errors(&errs);
        fprintf(stderr, "%s: not converted (%d error%s)\n", path, errs.len,
                errs.len == 1 ? "" : "s");
        goto out;
    }
    ini = sn_config_to_ini(&c, path, &warnings);
    cli_print_errors(&warnings);
    fputs(ini, stdout);
    free(ini);
    if (fflush(stdout) == EOF || ferror(stdout)) {
        fprintf(stderr, "sentinel: cannot write the standard output: %s\n",
                strerror(errno));
        goto out;
    }
    rc = 0;

out:
    sn_config_free(&c);
    sn_config_errors_free(&errs);
    sn_config_errors_free(&warnings);
    free(text);
    return rc;
}

/* ---------------------------------------------------------------------
 * main
 * ------------------------------------------------------------------- */

static int
cli_set_mode(enum cli_mode *mode, enum cli_mode m, const char **file,
             const char *arg)
{
    if (*mode != CLI_RUN && *mode != m) {
        fputs("sentinel: give only one of --test-config, "
              "--convert-redis-conf, --version, --help\n",
              stderr);
        return -1;
    }
    *mode = m;
    if (arg != NULL)
        *file = arg;
    return 0;
}

/* Parse the command line into a mode and its file. Returns 0, or -1
 * after telling the user what is wrong. */
static int
cli_parse(int argc, char **argv, enum cli_mode *mode, const char **file)
{
    int opt, rc;

    /* "+": stop at the first operand, so that what follows FILE is left
     * for Redis-style overrides (`sentinel FILE --port 26380`) later. */
    while ((opt = getopt_long(argc, argv, "+t:vh", cli_options, NULL)) != -1) {
        switch (opt) {
        case 't':
            rc = cli_set_mode(mode, CLI_TEST_CONFIG, file, optarg);
            break;
        case CLI_OPT_CONVERT:
            rc = cli_set_mode(mode, CLI_CONVERT, file, optarg);
            break;
        case 'v':
            rc = cli_set_mode(mode, CLI_VERSION, file, NULL);
            break;
        case 'h':
            rc = cli_set_mode(mode, CLI_HELP, file, NULL);
            break;
        default:
            rc = -1; /* getopt has said what is wrong */
            break;
        }
        if (rc == -1) {
            fputs("Try 'sentinel --help'.\n", stderr);
            return -1;
        }
    }
    if (*mode == CLI_RUN && optind < argc)
        *file = argv[optind++];
    if (optind < argc) {
        fprintf(stderr,
                "sentinel: unexpected argument '%s'; command-line "
                "config options are not supported\n"
                "Try 'sentinel --help'.\n",
                argv[optind]);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    enum cli_mode mode = CLI_RUN;
    const char *file = NULL;

    /* Passwords in user rules are kept as SHA-256 hashes. */
    sn_acl_set_hasher(sn_crypto_sha256);

    sn_util_set_oom_handler(cli_oom);
    if (cli_parse(argc, argv, &mode, &file) == -1)
        return 1;
    switch (mode) {
    case CLI_VERSION:
        printf("sentinel %s (Redis Sentinel compatible, redis_version %s)\n",
               SN_VERSION, SN_REDIS_VERSION);
        return 0;
    case CLI_HELP:
        cli_usage(stdout);
        return 0;
    case CLI_TEST_CONFIG:
        return cli_test_config(file);
    case CLI_CONVERT:
        return cli_convert(file);
    case CLI_RUN:
        if (file == NULL) {
            fputs("sentinel: a sentinel needs a config file on disk to "
                  "save its state\n",
                  stderr);
            cli_usage(stderr);
            return 1;
        }
        return cli_run(file, argv[0]);
    }
    return 1;
}
