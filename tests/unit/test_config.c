/*
 * test_config.c: the configuration model (lib/config.c): defaults, every
 * directive's validation and error text, copy and equality, the kept
 * document, the error list, format detection and the load guards.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_priv.h"
#include "util.h"

#define RUNID_A "0123456789abcdef0123456789abcdef01234567"
#define RUNID_B "89abcdef0123456789abcdef0123456789abcdef"

static struct sn_config cfg;
static char err[512];

static void
setup(void)
{
    sn_config_init(&cfg);
    err[0] = '\0';
}

static void
teardown(void)
{
    sn_config_free(&cfg);
}

/* Set a process key from a space-separated argument string. */
static int
setp(const char *key, const char *args)
{
    char **argv;
    int argc = sn_config_split(args, &argv), rc;

    ck_assert_int_ge(argc, 0);
    err[0] = '\0';
    rc = sn_config_set_process(&cfg, key, argc, argv, err, sizeof(err));
    sn_config_argv_free(argc, argv);
    return rc;
}

/* Set one argument verbatim (it may hold spaces or control bytes). */
static int
setp1(const char *key, const char *value)
{
    char *argv[1] = {(char *)value};

    err[0] = '\0';
    return sn_config_set_process(&cfg, key, 1, argv, err, sizeof(err));
}

static int
setm(const char *name, const char *key, const char *args)
{
    char **argv;
    int argc = sn_config_split(args, &argv), rc;

    ck_assert_int_ge(argc, 0);
    err[0] = '\0';
    rc = sn_config_set_master(&cfg, name, key, argc, argv, err, sizeof(err));
    sn_config_argv_free(argc, argv);
    return rc;
}

static int
setm1(const char *name, const char *key, const char *value)
{
    char *argv[1] = {(char *)value};

    err[0] = '\0';
    return sn_config_set_master(&cfg, name, key, 1, argv, err, sizeof(err));
}

static struct sn_config_master *
monitored(const char *name)
{
    ck_assert_int_eq(setm(name, "monitor", "127.0.0.1 6379 2"), 0);
    return sn_config_master_find(&cfg, name);
}

#define ck_err(rc, text)                                                    \
    do {                                                                    \
        ck_assert_int_eq((rc), -1);                                         \
        ck_assert_str_eq(err, (text));                                      \
    } while (0)

/* ---------------------------------------------------------------------
 * Defaults
 * ------------------------------------------------------------------- */

START_TEST(test_init_defaults_as_redis)
{
    ck_assert_int_eq(cfg.format, SN_CONFIG_FORMAT_INI);
    ck_assert_int_eq(cfg.port, 26379);
    ck_assert_int_eq(cfg.bind_len, 0);
    ck_assert(!cfg.protected_mode);
    ck_assert(!cfg.daemonize);
    ck_assert_ptr_null(cfg.pidfile);
    ck_assert_str_eq(cfg.logfile, "");
    ck_assert_int_eq(cfg.loglevel, SN_LOG_NOTICE);
    ck_assert(!cfg.syslog_enabled);
    ck_assert_str_eq(cfg.syslog_ident, "redis");
    ck_assert_str_eq(cfg.syslog_facility, "local0");
    ck_assert_ptr_null(cfg.dir);
    ck_assert_ptr_null(cfg.requirepass);
    ck_assert_int_eq(cfg.maxclients, 10000);
    ck_assert_ptr_null(cfg.announce_ip);
    ck_assert_int_eq(cfg.announce_port, 0);
    ck_assert(!cfg.resolve_hostnames);
    ck_assert(!cfg.announce_hostnames);
    ck_assert(cfg.deny_scripts_reconfig);
    ck_assert_ptr_null(cfg.sentinel_user);
    ck_assert_ptr_null(cfg.sentinel_pass);
    ck_assert_str_eq(cfg.myid, "");
    ck_assert_uint_eq(cfg.current_epoch, 0);
    ck_assert_int_eq(cfg.masters_len, 0);
    ck_assert_ptr_null(cfg.doc);
}
END_TEST

START_TEST(test_monitor_defaults_as_redis)
{
    struct sn_config_master *m = monitored("mymaster");

    ck_assert_str_eq(m->name, "mymaster");
    ck_assert_str_eq(m->host, "127.0.0.1");
    ck_assert_int_eq(m->port, 6379);
    ck_assert_int_eq(m->quorum, 2);
    ck_assert_int_eq(m->down_after_ms, 30000);
    ck_assert_int_eq(m->failover_timeout_ms, 180000);
    ck_assert_int_eq(m->parallel_syncs, 1);
    ck_assert_int_eq(m->master_reboot_down_after_period_ms, 0);
    ck_assert_ptr_null(m->auth_pass);
    ck_assert_ptr_null(m->auth_user);
    ck_assert_ptr_null(m->notification_script);
    ck_assert_ptr_null(m->client_reconfig_script);
    ck_assert_uint_eq(m->config_epoch, 0);
    ck_assert_uint_eq(m->leader_epoch, 0);
    ck_assert_str_eq(m->leader, "");
    ck_assert_int_eq(m->renames_len + m->replicas_len + m->peers_len, 0);
}
END_TEST

/* ---------------------------------------------------------------------
 * Process keys
 * ------------------------------------------------------------------- */

START_TEST(test_process_port)
{
    ck_assert_int_eq(setp("port", "26380"), 0);
    ck_assert_int_eq(cfg.port, 26380);
    ck_assert_int_eq(setp("PORT", "0"), 0);
    ck_assert_int_eq(cfg.port, 0);
    ck_err(setp("port", "65536"),
           "port must be an integer between 0 and 65535");
    ck_err(setp("port", "-1"), "port must be an integer between 0 and 65535");
    ck_err(setp("port", "12x"), "port must be an integer between 0 and 65535");
    ck_err(setp("port", "1 2"), "port takes 1 value (port), got 2");
    ck_assert_int_eq(cfg.port, 0);
}
END_TEST

START_TEST(test_process_bind_several_addresses)
{
    ck_assert_int_eq(setp("bind", "127.0.0.1 ::1 -10.0.0.1"), 0);
    ck_assert_int_eq(cfg.bind_len, 3);
    ck_assert_str_eq(cfg.bind[0], "127.0.0.1");
    ck_assert_str_eq(cfg.bind[1], "::1");
    ck_assert_str_eq(cfg.bind[2], "-10.0.0.1");
    /* Given again, the new list replaces the old one. */
    ck_assert_int_eq(setp("bind", "0.0.0.0"), 0);
    ck_assert_int_eq(cfg.bind_len, 1);
    ck_assert_str_eq(cfg.bind[0], "0.0.0.0");
}
END_TEST

START_TEST(test_process_bind_at_most_16)
{
    char many[512] = "";
    int i;

    for (i = 0; i < 16; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many),
                 "10.0.0.%d ", i);
    ck_assert_int_eq(setp("bind", many), 0);
    ck_assert_int_eq(cfg.bind_len, 16);
    strcat(many, "10.0.0.99");
    ck_err(setp("bind", many), "bind takes 1 to 16 values (addresses), "
                               "got 17");
    ck_err(setp("bind", ""), "bind takes 1 to 16 values (addresses), got 0");
    ck_assert_int_eq(cfg.bind_len, 16);
}
END_TEST

START_TEST(test_process_yes_no_keys)
{
    static const char *keys[] = {
        "protected-mode", "daemonize", "syslog-enabled",
        "resolve-hostnames", "announce-hostnames", "deny-scripts-reconfig",
    };
    bool *fields[] = {
        &cfg.protected_mode, &cfg.daemonize, &cfg.syslog_enabled,
        &cfg.resolve_hostnames, &cfg.announce_hostnames,
        &cfg.deny_scripts_reconfig,
    };
    char want[128];
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        ck_assert_int_eq(setp(keys[i], "YES"), 0);
        ck_assert(*fields[i]);
        ck_assert_int_eq(setp(keys[i], "no"), 0);
        ck_assert(!*fields[i]);
        snprintf(want, sizeof(want), "%s must be yes or no", keys[i]);
        ck_err(setp(keys[i], "1"), want);
        ck_err(setp1(keys[i], ""), want);
    }
}
END_TEST

START_TEST(test_process_strings_empty_unsets)
{
    ck_assert_int_eq(setp("pidfile", "/run/sentinel.pid"), 0);
    ck_assert_str_eq(cfg.pidfile, "/run/sentinel.pid");
    ck_assert_int_eq(setp1("pidfile", ""), 0);
    ck_assert_ptr_null(cfg.pidfile);
    ck_assert_int_eq(setp1("requirepass", "pa ss"), 0);
    ck_assert_str_eq(cfg.requirepass, "pa ss");
    ck_assert_int_eq(setp1("requirepass", ""), 0);
    ck_assert_ptr_null(cfg.requirepass);
    ck_assert_int_eq(setp("announce-ip", "10.1.1.1"), 0);
    ck_assert_str_eq(cfg.announce_ip, "10.1.1.1");
    ck_assert_int_eq(setp("sentinel-user", "sentinel"), 0);
    ck_assert_str_eq(cfg.sentinel_user, "sentinel");
    ck_assert_int_eq(setp("sentinel-pass", "x"), 0);
    ck_assert_str_eq(cfg.sentinel_pass, "x");
    /* logfile "" means standard output: kept as "", not unset. */
    ck_assert_int_eq(setp("logfile", "/var/log/s.log"), 0);
    ck_assert_int_eq(setp1("logfile", ""), 0);
    ck_assert_str_eq(cfg.logfile, "");
    ck_assert_int_eq(setp("syslog-ident", "sentinel"), 0);
    ck_assert_str_eq(cfg.syslog_ident, "sentinel");
}
END_TEST

START_TEST(test_process_loglevel)
{
    static const char *names[] = {"debug", "verbose", "notice", "warning",
                                  "nothing"};
    int i;

    for (i = 0; i < 5; i++) {
        ck_assert_int_eq(setp("loglevel", names[i]), 0);
        ck_assert_int_eq(cfg.loglevel, i);
        ck_assert_str_eq(sn_config_loglevel_name(cfg.loglevel), names[i]);
    }
    ck_assert_int_eq(sn_config_loglevel_parse("WARNING"), SN_LOG_WARNING);
    ck_assert_int_eq(sn_config_loglevel_parse("loud"), -1);
    ck_err(setp("loglevel", "loud"),
           "loglevel must be one of debug, verbose, notice, warning, "
           "nothing");
}
END_TEST

START_TEST(test_process_syslog_facility)
{
    ck_assert_int_eq(setp("syslog-facility", "LOCAL7"), 0);
    ck_assert_str_eq(cfg.syslog_facility, "local7");
    ck_assert_int_eq(setp("syslog-facility", "user"), 0);
    ck_assert_str_eq(cfg.syslog_facility, "user");
    ck_err(setp("syslog-facility", "local8"),
           "syslog-facility must be user or local0 to local7");
    ck_err(setp("syslog-facility", "daemon"),
           "syslog-facility must be user or local0 to local7");
}
END_TEST

START_TEST(test_process_dir_and_maxclients)
{
    ck_assert_int_eq(setp("dir", "/var/lib/sentinel"), 0);
    ck_assert_str_eq(cfg.dir, "/var/lib/sentinel");
    ck_err(setp1("dir", ""), "dir must not be empty");
    ck_assert_int_eq(setp("maxclients", "5"), 0);
    ck_assert_int_eq(cfg.maxclients, 5);
    ck_err(setp("maxclients", "0"), "maxclients must be a positive integer");
    ck_err(setp("maxclients", "3000000000"),
           "maxclients is too large (the limit is 2147483647)");
}
END_TEST

START_TEST(test_process_announce_port)
{
    ck_assert_int_eq(setp("announce-port", "26390"), 0);
    ck_assert_int_eq(cfg.announce_port, 26390);
    ck_err(setp("announce-port", "99999"),
           "announce-port must be an integer between 0 and 65535");
}
END_TEST

START_TEST(test_process_myid_exactly_40_hex)
{
    ck_assert_int_eq(setp("myid", RUNID_A), 0);
    ck_assert_str_eq(cfg.myid, RUNID_A);
    ck_err(setp("myid", "0123456789abcdef0123456789abcdef0123456"),
           "myid must be 40 hexadecimal characters");
    ck_err(setp("myid", "0123456789abcdef0123456789abcdef012345678"),
           "myid must be 40 hexadecimal characters");
    ck_err(setp("myid", "0123456789abcdef0123456789abcdef0123456g"),
           "myid must be 40 hexadecimal characters");
    ck_assert_str_eq(cfg.myid, RUNID_A);
}
END_TEST

START_TEST(test_process_current_epoch_keeps_max)
{
    ck_assert_int_eq(setp("current-epoch", "5"), 0);
    ck_assert_uint_eq(cfg.current_epoch, 5);
    ck_assert_int_eq(setp("current-epoch", "3"), 0);
    ck_assert_uint_eq(cfg.current_epoch, 5);
    ck_assert_int_eq(setp("current-epoch", "18446744073709551615"), 0);
    ck_assert_uint_eq(cfg.current_epoch, UINT64_MAX);
    ck_err(setp("current-epoch", "-1"),
           "current-epoch must be a non-negative integer");
}
END_TEST

START_TEST(test_process_unknown_key)
{
    ck_err(setp("foo", "bar"), "unknown key 'foo'");
    /* A master key is not a process key. */
    ck_err(setp("monitor", "127.0.0.1 6379 2"), "unknown key 'monitor'");
}
END_TEST

START_TEST(test_value_control_characters_refused)
{
    ck_err(setp1("requirepass", "abc\ndef"),
           "requirepass value contains a control character (0x0a)");
    ck_err(setp1("requirepass", "abc\r"),
           "requirepass value contains a control character (0x0d)");
    ck_err(setp1("logfile", "\x01"),
           "logfile value contains a control character (0x01)");
    ck_err(setp1("logfile", "a\x7f"),
           "logfile value contains a control character (0x7f)");
    ck_assert_ptr_null(cfg.requirepass);
    /* A tab is fine. */
    ck_assert_int_eq(setp1("requirepass", "a\tb"), 0);
    monitored("m");
    ck_err(setm1("m", "auth-pass", "x\ny"),
           "auth-pass value contains a control character (0x0a)");
    ck_err(setm("m", "known-replica", "\"10.0.0.1\\n\" 6380"),
           "known-replica value contains a control character (0x0a)");
}
END_TEST

START_TEST(test_value_longer_than_max_refused)
{
    char *v = sn_malloc(SN_VALUE_MAX + 2);

    memset(v, 'a', SN_VALUE_MAX + 1);
    v[SN_VALUE_MAX + 1] = '\0';
    ck_err(setp1("requirepass", v),
           "requirepass value is too long (4097 bytes, the limit is 4096)");
    v[SN_VALUE_MAX] = '\0';
    ck_assert_int_eq(setp1("requirepass", v), 0);
    ck_assert_int_eq(strlen(cfg.requirepass), SN_VALUE_MAX);
    free(v);
}
END_TEST

/* ---------------------------------------------------------------------
 * monitor
 * ------------------------------------------------------------------- */

START_TEST(test_monitor_quorum_must_be_1_or_greater)
{
    ck_err(setm("m", "monitor", "127.0.0.1 6379 0"),
           "quorum must be 1 or greater");
    ck_err(setm("m", "monitor", "127.0.0.1 6379 -2"),
           "quorum must be 1 or greater");
    ck_err(setm("m", "monitor", "127.0.0.1 6379 two"),
           "quorum must be 1 or greater");
    ck_err(setm("m", "monitor", "127.0.0.1 6379 1026"),
           "quorum is too large (the limit is 1025)");
    ck_assert_int_eq(cfg.masters_len, 0);
    ck_assert_int_eq(setm("m", "monitor", "127.0.0.1 6379 1"), 0);
}
END_TEST

START_TEST(test_monitor_port_and_host)
{
    ck_err(setm("m", "monitor", "127.0.0.1 65536 2"),
           "monitor port must be an integer between 0 and 65535");
    ck_err(setm("m", "monitor", "\"\" 6379 2"), "monitor host is empty");
    ck_err(setm("m", "monitor", "\"a b\" 6379 2"),
           "monitor host must not contain spaces");
    ck_err(setm("m", "monitor", "127.0.0.1 6379"),
           "monitor takes 3 values (host port quorum), got 2");
    ck_assert_int_eq(setm("m", "monitor", "::1 0 2"), 0);
    ck_assert_int_eq(setm("n", "monitor", "redis.example 65535 2"), 0);
}
END_TEST

START_TEST(test_monitor_duplicate_name)
{
    monitored("m");
    ck_err(setm("m", "monitor", "127.0.0.2 6379 2"),
           "master 'm' is already monitored");
    ck_assert_int_eq(cfg.masters_len, 1);
    ck_assert_str_eq(cfg.masters[0].host, "127.0.0.1");
}
END_TEST

START_TEST(test_monitor_master_name)
{
    char name[SN_MASTER_NAME_MAX + 2];

    ck_err(setm("my master", "monitor", "127.0.0.1 6379 2"),
           "a master name must not contain spaces or control characters");
    ck_err(setm("", "monitor", "127.0.0.1 6379 2"),
           "a master name must have 1 to 255 characters");
    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    ck_err(setm(name, "monitor", "127.0.0.1 6379 2"),
           "a master name must have 1 to 255 characters");
    name[SN_MASTER_NAME_MAX] = '\0';
    ck_assert_int_eq(setm(name, "monitor", "127.0.0.1 6379 2"), 0);
}
END_TEST

START_TEST(test_master_key_needs_master)
{
    ck_err(setm("nope", "down-after-milliseconds", "1000"),
           "no such master 'nope'");
    monitored("m");
    ck_err(setm("m", "port", "1"), "unknown key 'port'");
    ck_err(setm("m", "bogus", "1"), "unknown key 'bogus'");
}
END_TEST

/* ---------------------------------------------------------------------
 * Master keys
 * ------------------------------------------------------------------- */

START_TEST(test_master_millisecond_keys)
{
    struct sn_config_master *m = monitored("m");

    ck_assert_int_eq(setm("m", "down-after-milliseconds", "5000"), 0);
    ck_assert_int_eq(m->down_after_ms, 5000);
    ck_err(setm("m", "down-after-milliseconds", "0"),
           "down-after-milliseconds must be a positive integer");
    ck_err(setm("m", "down-after-milliseconds", "abc"),
           "down-after-milliseconds must be a positive integer");
    ck_err(setm("m", "down-after-milliseconds", "2147483648"),
           "down-after-milliseconds is too large (the limit is 2147483647)");
    ck_assert_int_eq(setm("m", "failover-timeout", "60000"), 0);
    ck_assert_int_eq(m->failover_timeout_ms, 60000);
    ck_err(setm("m", "failover-timeout", "-5"),
           "failover-timeout must be a positive integer");
    ck_assert_int_eq(setm("m", "master-reboot-down-after-period", "0"), 0);
    ck_assert_int_eq(setm("m", "master-reboot-down-after-period", "100"), 0);
    ck_assert_int_eq(m->master_reboot_down_after_period_ms, 100);
    ck_err(setm("m", "master-reboot-down-after-period", "-1"),
           "master-reboot-down-after-period must be a non-negative integer");
    ck_assert_int_eq(m->down_after_ms, 5000);
}
END_TEST

START_TEST(test_master_parallel_syncs)
{
    struct sn_config_master *m = monitored("m");

    ck_assert_int_eq(setm("m", "parallel-syncs", "3"), 0);
    ck_assert_int_eq(m->parallel_syncs, 3);
    ck_err(setm("m", "parallel-syncs", "0"),
           "parallel-syncs must be a positive integer");
}
END_TEST

START_TEST(test_master_strings)
{
    struct sn_config_master *m = monitored("m");

    ck_assert_int_eq(setm1("m", "auth-pass", "se cret;#"), 0);
    ck_assert_str_eq(m->auth_pass, "se cret;#");
    ck_assert_int_eq(setm1("m", "auth-user", "sentinel"), 0);
    ck_assert_str_eq(m->auth_user, "sentinel");
    ck_assert_int_eq(setm1("m", "notification-script", "/bin/n.sh"), 0);
    ck_assert_str_eq(m->notification_script, "/bin/n.sh");
    ck_assert_int_eq(setm1("m", "client-reconfig-script", "/bin/r.sh"), 0);
    ck_assert_str_eq(m->client_reconfig_script, "/bin/r.sh");
    ck_assert_int_eq(setm1("m", "auth-pass", ""), 0);
    ck_assert_ptr_null(m->auth_pass);
}
END_TEST

START_TEST(test_master_rename_command_rules)
{
    struct sn_config_master *m = monitored("m");

    ck_assert_int_eq(setm("m", "rename-command", "CONFIG MyConfig"), 0);
    ck_assert_int_eq(m->renames_len, 1);
    ck_assert_str_eq(m->renames[0].from, "config");
    ck_assert_str_eq(m->renames[0].to, "MyConfig");
    ck_assert_int_eq(setm("m", "rename-command", "slaveof rep"), 0);
    ck_err(setm("m", "rename-command", "Config other"),
           "rename-command for 'Config' given twice");
    ck_err(setm("m", "rename-command", "config"),
           "rename-command takes 2 values (command new-name), got 1");
    ck_err(setm("m", "rename-command", "\"\" x"),
           "rename-command needs two non-empty command names");
    /* FROM == TO in any case removes the mapping. */
    ck_assert_int_eq(setm("m", "rename-command", "config CONFIG"), 0);
    ck_assert_int_eq(m->renames_len, 1);
    ck_assert_str_eq(m->renames[0].from, "slaveof");
    ck_assert_int_eq(setm("m", "rename-command", "ping ping"), 0);
    ck_assert_int_eq(m->renames_len, 1);
}
END_TEST

START_TEST(test_master_config_epoch_raises_current_epoch)
{
    struct sn_config_master *m = monitored("m");

    cfg.current_epoch = 4;
    ck_assert_int_eq(setm("m", "config-epoch", "2"), 0);
    ck_assert_uint_eq(m->config_epoch, 2);
    ck_assert_uint_eq(cfg.current_epoch, 4);
    ck_assert_int_eq(setm("m", "config-epoch", "9"), 0);
    ck_assert_uint_eq(cfg.current_epoch, 9);
    ck_err(setm("m", "config-epoch", "x"),
           "config-epoch must be a non-negative integer");
}
END_TEST

START_TEST(test_master_leader_epoch)
{
    struct sn_config_master *m = monitored("m");

    ck_assert_int_eq(setm("m", "leader-epoch", "7 " RUNID_B), 0);
    ck_assert_uint_eq(m->leader_epoch, 7);
    ck_assert_str_eq(m->leader, RUNID_B);
    ck_assert_uint_eq(cfg.current_epoch, 0);
    ck_assert_int_eq(setm("m", "leader-epoch", "8"), 0);
    ck_assert_uint_eq(m->leader_epoch, 8);
    ck_assert_str_eq(m->leader, "");
    ck_err(setm("m", "leader-epoch", "9 abc"),
           "leader-epoch run id must be 40 hexadecimal characters");
    ck_assert_uint_eq(m->leader_epoch, 8);
}
END_TEST

START_TEST(test_master_known_replica)
{
    struct sn_config_master *m = monitored("m");

    ck_assert_int_eq(setm("m", "known-replica", "10.0.0.2 6380"), 0);
    ck_assert_int_eq(setm("m", "known-slave", "10.0.0.3 6380"), 0);
    ck_assert_int_eq(m->replicas_len, 2);
    ck_assert_str_eq(m->replicas[1].host, "10.0.0.3");
    ck_assert_int_eq(m->replicas[1].port, 6380);
    ck_err(setm("m", "known-slave", "10.0.0.2 6380"),
           "known-replica 10.0.0.2:6380 given twice");
    ck_err(setm("m", "known-replica", "10.0.0.4 70000"),
           "known-replica port must be an integer between 0 and 65535");
    ck_assert_int_eq(m->replicas_len, 2);
}
END_TEST

START_TEST(test_master_known_sentinel)
{
    struct sn_config_master *m = monitored("m");

    ck_assert_int_eq(setm("m", "known-sentinel", "10.0.0.5 26379 " RUNID_A),
                     0);
    ck_assert_int_eq(m->peers_len, 1);
    ck_assert_str_eq(m->peers[0].host, "10.0.0.5");
    ck_assert_int_eq(m->peers[0].port, 26379);
    ck_assert_str_eq(m->peers[0].runid, RUNID_A);
    /* The old form without a run id is ignored, as Redis does. */
    ck_assert_int_eq(setm("m", "known-sentinel", "10.0.0.6 26379"), 0);
    ck_assert_int_eq(m->peers_len, 1);
    ck_err(setm("m", "known-sentinel", "10.0.0.5 26379 " RUNID_B),
           "known-sentinel 10.0.0.5:26379 given twice");
    ck_err(setm("m", "known-sentinel", "10.0.0.7 26379 xyz"),
           "known-sentinel run id must be 40 hexadecimal characters");
    ck_assert_int_eq(m->peers_len, 1);
}
END_TEST

/* ---------------------------------------------------------------------
 * Validation after loading
 * ------------------------------------------------------------------- */

START_TEST(test_validate_host_must_be_ip_unless_resolve_hostnames)
{
    struct sn_config_errors errs = {NULL, 0};

    monitored("a")->line = 3;
    ck_assert_int_eq(setm("b", "monitor", "redis.example 6379 2"), 0);
    sn_config_master_find(&cfg, "b")->line = 7;
    ck_assert_int_eq(setm("c", "monitor", "fe80::1%eth0 6379 2"), 0);
    ck_assert_int_eq(setm("d", "monitor", "2001:db8::1 6379 2"), 0);
    ck_assert_int_eq(sn_config_validate(&cfg, &errs, "s.ini"), -1);
    ck_assert_int_eq(errs.len, 1);
    ck_assert_str_eq(errs.msgs[0], "s.ini:7: host 'redis.example' of master "
                                   "'b' is not an IP address (set "
                                   "resolve-hostnames to yes to use host "
                                   "names)");
    sn_config_errors_free(&errs);
    cfg.resolve_hostnames = true;
    ck_assert_int_eq(sn_config_validate(&cfg, &errs, "s.ini"), 0);
    ck_assert_int_eq(errs.len, 0);
}
END_TEST

/* ---------------------------------------------------------------------
 * Masters, copy, equality
 * ------------------------------------------------------------------- */

START_TEST(test_master_find_and_remove)
{
    monitored("a");
    monitored("b");
    monitored("c");
    ck_assert_ptr_null(sn_config_master_find(&cfg, "A"));
    ck_assert_int_eq(sn_config_master_remove(&cfg, "b"), 0);
    ck_assert_int_eq(sn_config_master_remove(&cfg, "b"), -1);
    ck_assert_int_eq(cfg.masters_len, 2);
    ck_assert_str_eq(cfg.masters[0].name, "a");
    ck_assert_str_eq(cfg.masters[1].name, "c");
    ck_assert_ptr_eq(sn_config_master_find(&cfg, "c"), &cfg.masters[1]);
}
END_TEST

static void
fill(void)
{
    ck_assert_int_eq(setp("bind", "127.0.0.1 ::1"), 0);
    ck_assert_int_eq(setp("pidfile", "/run/s.pid"), 0);
    ck_assert_int_eq(setp("myid", RUNID_A), 0);
    monitored("m");
    ck_assert_int_eq(setm1("m", "auth-pass", "pw"), 0);
    ck_assert_int_eq(setm("m", "rename-command", "config c2"), 0);
    ck_assert_int_eq(setm("m", "known-replica", "10.0.0.2 6380"), 0);
    ck_assert_int_eq(setm("m", "known-sentinel", "10.0.0.5 1 " RUNID_B), 0);
    monitored("n");
    cfg.doc = sn_config_doc_new(SN_CONFIG_FORMAT_INI, "f", "a\nb\n", 4);
}

START_TEST(test_copy_is_deep_and_equal)
{
    struct sn_config copy;

    fill();
    ck_assert_int_eq(sn_config_copy(&copy, &cfg), 0);
    ck_assert(sn_config_equal(&copy, &cfg));
    ck_assert_ptr_ne(copy.bind[0], cfg.bind[0]);
    ck_assert_ptr_ne(copy.masters, cfg.masters);
    ck_assert_ptr_ne(copy.masters[0].replicas, cfg.masters[0].replicas);
    ck_assert_int_eq(copy.doc->lines_len, 2);
    ck_assert_str_eq(copy.doc->lines[1], "b");
    ck_assert_ptr_ne(copy.doc->lines, cfg.doc->lines);
    sn_config_free(&copy);
}
END_TEST

/* Change one thing in a copy; it must no longer compare equal. */
#define CK_DIFFERS(stmt)                                                    \
    do {                                                                    \
        struct sn_config c2;                                                \
        struct sn_config *c = &c2;                                          \
        sn_config_copy(&c2, &cfg);                                          \
        stmt;                                                               \
        ck_assert_msg(!sn_config_equal(&cfg, &c2), "equal after: %s",      \
                      #stmt);                                               \
        ck_assert_msg(!sn_config_equal(&c2, &cfg), "equal after: %s",      \
                      #stmt);                                               \
        sn_config_free(&c2);                                                \
    } while (0)

START_TEST(test_equal_sees_every_change)
{
    fill();
    CK_DIFFERS(c->port = 1);
    CK_DIFFERS(sn_set_str(&c->bind[1], "::2"));
    CK_DIFFERS(sn_set_str(&c->bind[0], "::3"));
    CK_DIFFERS(c->daemonize = true);
    CK_DIFFERS(sn_set_str(&c->pidfile, NULL));
    CK_DIFFERS(sn_set_str(&c->logfile, "x"));
    CK_DIFFERS(c->loglevel = SN_LOG_DEBUG);
    CK_DIFFERS(sn_set_str(&c->requirepass, "x"));
    CK_DIFFERS(c->deny_scripts_reconfig = false);
    CK_DIFFERS(c->myid[0] = 'f');
    CK_DIFFERS(c->current_epoch = 3);
    CK_DIFFERS(sn_config_master_remove(c, "n"));
    CK_DIFFERS(sn_set_str(&c->masters[0].host, "10.9.9.9"));
    CK_DIFFERS(c->masters[0].port = 1);
    CK_DIFFERS(c->masters[0].quorum = 1);
    CK_DIFFERS(c->masters[0].down_after_ms = 1);
    CK_DIFFERS(sn_set_str(&c->masters[0].auth_pass, NULL));
    CK_DIFFERS(c->masters[0].config_epoch = 1);
    CK_DIFFERS(c->masters[0].leader_epoch = 1);
    CK_DIFFERS(strcpy(c->masters[0].leader, RUNID_A));
    CK_DIFFERS(sn_set_str(&c->masters[0].renames[0].to, "x"));
    CK_DIFFERS(c->masters[0].replicas[0].port = 1);
    CK_DIFFERS(c->masters[0].peers[0].runid[0] = 'f');
    CK_DIFFERS(c->masters[0].peers[0].port = 2);
}
END_TEST

START_TEST(test_equal_ignores_doc_lines_format_and_order)
{
    struct sn_config c2;

    fill();
    sn_config_copy(&c2, &cfg);
    sn_config_doc_free(c2.doc);
    c2.doc = NULL;
    c2.format = SN_CONFIG_FORMAT_REDIS;
    c2.masters[0].line = 99;
    /* Swap the masters: matched by name. */
    {
        struct sn_config_master t = c2.masters[0];
        c2.masters[0] = c2.masters[1];
        c2.masters[1] = t;
    }
    ck_assert(sn_config_equal(&cfg, &c2));
    sn_config_free(&c2);
}
END_TEST

/* ---------------------------------------------------------------------
 * Small helpers: yes/no, errors, document, detection, load guards
 * ------------------------------------------------------------------- */

START_TEST(test_yesno)
{
    ck_assert_int_eq(sn_config_yesno("yes"), 1);
    ck_assert_int_eq(sn_config_yesno("No"), 0);
    ck_assert_int_eq(sn_config_yesno("y"), -1);
    ck_assert_int_eq(sn_config_yesno(""), -1);
}
END_TEST

START_TEST(test_errors_stop_at_max_and_say_so)
{
    struct sn_config_errors e = {NULL, 0};
    int i;

    for (i = 0; i < SN_CONFIG_ERRORS_MAX; i++)
        sn_config_errors_add(&e, "f:%d: bad", i + 1);
    ck_assert_int_eq(e.len, SN_CONFIG_ERRORS_MAX);
    ck_assert_str_eq(e.msgs[SN_CONFIG_ERRORS_MAX - 1], "f:100: bad");
    sn_config_errors_add(&e, "f:101: bad");
    sn_config_errors_add(&e, "f:102: bad");
    ck_assert_int_eq(e.len, SN_CONFIG_ERRORS_MAX);
    ck_assert_str_eq(e.msgs[SN_CONFIG_ERRORS_MAX - 2], "f:99: bad");
    ck_assert_str_eq(e.msgs[SN_CONFIG_ERRORS_MAX - 1],
                     "too many errors: only the first ones are shown");
    sn_config_errors_free(&e);
    ck_assert_int_eq(e.len, 0);
}
END_TEST

START_TEST(test_doc_lines_and_endings)
{
    struct sn_config_doc *d;

    d = sn_config_doc_new(SN_CONFIG_FORMAT_INI, "f", "a\n\nb", 4);
    ck_assert_int_eq(d->lines_len, 3);
    ck_assert_str_eq(d->lines[0], "a");
    ck_assert_str_eq(d->lines[1], "");
    ck_assert_str_eq(d->lines[2], "b");
    ck_assert(!d->final_newline);
    ck_assert(!d->crlf);
    ck_assert_str_eq(d->filename, "f");
    sn_config_doc_free(d);

    d = sn_config_doc_new(SN_CONFIG_FORMAT_REDIS, NULL, "a\r\nb\r\n", 6);
    ck_assert_int_eq(d->lines_len, 2);
    ck_assert_str_eq(d->lines[0], "a");
    ck_assert_str_eq(d->lines[1], "b");
    ck_assert(d->final_newline);
    ck_assert(d->crlf);
    ck_assert_int_eq(d->format, SN_CONFIG_FORMAT_REDIS);
    sn_config_doc_free(d);

    d = sn_config_doc_new(SN_CONFIG_FORMAT_INI, "f", "", 0);
    ck_assert_int_eq(d->lines_len, 0);
    ck_assert(!d->final_newline);
    sn_config_doc_free(d);
}
END_TEST

START_TEST(test_detect_format_by_shape)
{
    const char *ini = "\xef\xbb\xbf# c\n; c\n\n  [sentinel]\nport = 1\n";

    ck_assert_int_eq(sn_config_detect(ini, strlen(ini)),
                     SN_CONFIG_FORMAT_INI);
    ck_assert_int_eq(sn_config_detect("# x\nport 26379\n", 16),
                     SN_CONFIG_FORMAT_REDIS);
    ck_assert_int_eq(sn_config_detect("", 0), SN_CONFIG_FORMAT_REDIS);
    ck_assert_int_eq(sn_config_detect("# only\n", 7), SN_CONFIG_FORMAT_REDIS);
    /* Only the first significant line counts. */
    ck_assert_int_eq(sn_config_detect("[s]x", 3), SN_CONFIG_FORMAT_INI);
}
END_TEST

START_TEST(test_load_refuses_nul_byte_with_line)
{
    struct sn_config_errors e = {NULL, 0};
    const char text[] = "[sentinel]\nport = 1\nlogfile = a\0b\n";

    ck_assert_int_eq(sn_config_load(&cfg, text, sizeof(text) - 1, "s.ini",
                                    &e), -1);
    ck_assert_int_eq(e.len, 1);
    ck_assert_str_eq(e.msgs[0], "s.ini:3: the file contains a NUL byte");
    sn_config_errors_free(&e);
}
END_TEST

START_TEST(test_load_refuses_too_large_text)
{
    struct sn_config_errors e = {NULL, 0};
    size_t n = SN_CONFIG_BYTES_MAX + 1;
    char *text = sn_malloc(n);

    memset(text, '#', n);
    text[0] = '[';
    text[1] = ']';
    text[2] = '\n';
    ck_assert_int_eq(sn_config_load(&cfg, text, n, "big.ini", &e), -1);
    ck_assert_int_eq(e.len, 1);
    ck_assert_str_eq(e.msgs[0], "big.ini:2: file too large (4194305 bytes, "
                                "the limit is 4194304)");
    sn_config_errors_free(&e);
    free(text);
}
END_TEST

START_TEST(test_load_dispatches_on_shape)
{
    struct sn_config_errors e = {NULL, 0};
    const char *ini = "[sentinel]\nport = 26390\n";

    ck_assert_int_eq(sn_config_load(&cfg, ini, strlen(ini), "s", &e), 0);
    ck_assert_int_eq(cfg.format, SN_CONFIG_FORMAT_INI);
    ck_assert_int_eq(cfg.port, 26390);
    ck_assert_ptr_nonnull(cfg.doc);
    ck_assert_int_eq(cfg.doc->format, SN_CONFIG_FORMAT_INI);
    ck_assert_int_eq(e.len, 0);
}
END_TEST

START_TEST(test_rewrite_without_doc_is_fresh_ini)
{
    size_t len;
    char *text;

    monitored("m");
    text = sn_config_rewrite(&cfg, &len);
    ck_assert_str_eq(text, "[sentinel]\n"
                           "current-epoch = 0\n"
                           "\n"
                           "[m]\n"
                           "monitor = 127.0.0.1 6379 2\n"
                           "config-epoch = 0\n"
                           "leader-epoch = 0\n");
    ck_assert_uint_eq(len, strlen(text));
    free(text);
}
END_TEST

static Suite *
config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *d = tcase_create("defaults");
    TCase *p = tcase_create("process");
    TCase *m = tcase_create("master");
    TCase *o = tcase_create("model");

    tcase_add_checked_fixture(d, setup, teardown);
    tcase_add_test(d, test_init_defaults_as_redis);
    tcase_add_test(d, test_monitor_defaults_as_redis);
    suite_add_tcase(s, d);

    tcase_add_checked_fixture(p, setup, teardown);
    tcase_add_test(p, test_process_port);
    tcase_add_test(p, test_process_bind_several_addresses);
    tcase_add_test(p, test_process_bind_at_most_16);
    tcase_add_test(p, test_process_yes_no_keys);
    tcase_add_test(p, test_process_strings_empty_unsets);
    tcase_add_test(p, test_process_loglevel);
    tcase_add_test(p, test_process_syslog_facility);
    tcase_add_test(p, test_process_dir_and_maxclients);
    tcase_add_test(p, test_process_announce_port);
    tcase_add_test(p, test_process_myid_exactly_40_hex);
    tcase_add_test(p, test_process_current_epoch_keeps_max);
    tcase_add_test(p, test_process_unknown_key);
    tcase_add_test(p, test_value_control_characters_refused);
    tcase_add_test(p, test_value_longer_than_max_refused);
    suite_add_tcase(s, p);

    tcase_add_checked_fixture(m, setup, teardown);
    tcase_add_test(m, test_monitor_quorum_must_be_1_or_greater);
    tcase_add_test(m, test_monitor_port_and_host);
    tcase_add_test(m, test_monitor_duplicate_name);
    tcase_add_test(m, test_monitor_master_name);
    tcase_add_test(m, test_master_key_needs_master);
    tcase_add_test(m, test_master_millisecond_keys);
    tcase_add_test(m, test_master_parallel_syncs);
    tcase_add_test(m, test_master_strings);
    tcase_add_test(m, test_master_rename_command_rules);
    tcase_add_test(m, test_master_config_epoch_raises_current_epoch);
    tcase_add_test(m, test_master_leader_epoch);
    tcase_add_test(m, test_master_known_replica);
    tcase_add_test(m, test_master_known_sentinel);
    tcase_add_test(m, test_validate_host_must_be_ip_unless_resolve_hostnames);
    suite_add_tcase(s, m);

    tcase_add_checked_fixture(o, setup, teardown);
    tcase_add_test(o, test_master_find_and_remove);
    tcase_add_test(o, test_copy_is_deep_and_equal);
    tcase_add_test(o, test_equal_sees_every_change);
    tcase_add_test(o, test_equal_ignores_doc_lines_format_and_order);
    tcase_add_test(o, test_yesno);
    tcase_add_test(o, test_errors_stop_at_max_and_say_so);
    tcase_add_test(o, test_doc_lines_and_endings);
    tcase_add_test(o, test_detect_format_by_shape);
    tcase_add_test(o, test_load_refuses_nul_byte_with_line);
    tcase_add_test(o, test_load_refuses_too_large_text);
    tcase_add_test(o, test_load_dispatches_on_shape);
    tcase_add_test(o, test_rewrite_without_doc_is_fresh_ini);
    suite_add_tcase(s, o);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(config_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
