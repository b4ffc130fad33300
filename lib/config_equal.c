/*
 * config_equal.c: structural equality of two config models (every
 * setting and all state; not the document or line numbers), for the
 * load / rewrite / load tests and the simulator.
 */
#include "config_priv.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------
 * Equality
 * ------------------------------------------------------------------- */

static bool
process_equal(const struct sn_config *a, const struct sn_config *b)
{
    int i;

    if (a->port != b->port || a->bind_len != b->bind_len ||
        a->protected_mode != b->protected_mode ||
        a->daemonize != b->daemonize || a->loglevel != b->loglevel ||
        a->syslog_enabled != b->syslog_enabled ||
        a->maxclients != b->maxclients ||
        a->announce_port != b->announce_port ||
        a->resolve_hostnames != b->resolve_hostnames ||
        a->announce_hostnames != b->announce_hostnames ||
        a->deny_scripts_reconfig != b->deny_scripts_reconfig ||
        a->current_epoch != b->current_epoch ||
        strcmp(a->myid, b->myid) != 0)
        return false;
    for (i = 0; i < a->bind_len; i++)
        if (strcmp(a->bind[i], b->bind[i]) != 0)
            return false;
    if (a->users_len != b->users_len)
        return false;
    for (i = 0; i < a->users_len; i++)
        if (strcmp(a->users[i], b->users[i]) != 0)
            return false;
    return sn_config_str_eq(a->pidfile, b->pidfile) &&
           sn_config_str_eq(a->logfile, b->logfile) &&
           sn_config_str_eq(a->syslog_ident, b->syslog_ident) &&
           sn_config_str_eq(a->syslog_facility, b->syslog_facility) &&
           sn_config_str_eq(a->dir, b->dir) && sn_config_str_eq(a->requirepass, b->requirepass) &&
           sn_config_str_eq(a->announce_ip, b->announce_ip) &&
           sn_config_str_eq(a->sentinel_user, b->sentinel_user) &&
           sn_config_str_eq(a->sentinel_pass, b->sentinel_pass);
}

static bool
master_lists_equal(const struct sn_config_master *a,
                   const struct sn_config_master *b)
{
    int i;

    if (a->renames_len != b->renames_len ||
        a->replicas_len != b->replicas_len || a->peers_len != b->peers_len)
        return false;
    for (i = 0; i < a->renames_len; i++)
        if (strcmp(a->renames[i].from, b->renames[i].from) != 0 ||
            strcmp(a->renames[i].to, b->renames[i].to) != 0)
            return false;
    for (i = 0; i < a->replicas_len; i++)
        if (strcmp(a->replicas[i].host, b->replicas[i].host) != 0 ||
            a->replicas[i].port != b->replicas[i].port)
            return false;
    for (i = 0; i < a->peers_len; i++)
        if (strcmp(a->peers[i].host, b->peers[i].host) != 0 ||
            a->peers[i].port != b->peers[i].port ||
            strcmp(a->peers[i].runid, b->peers[i].runid) != 0)
            return false;
    return true;
}

static bool
master_equal(const struct sn_config_master *a,
             const struct sn_config_master *b)
{
    if (a->port != b->port || a->quorum != b->quorum ||
        a->down_after_ms != b->down_after_ms ||
        a->failover_timeout_ms != b->failover_timeout_ms ||
        a->parallel_syncs != b->parallel_syncs ||
        a->master_reboot_down_after_period_ms !=
            b->master_reboot_down_after_period_ms ||
        a->config_epoch != b->config_epoch ||
        a->leader_epoch != b->leader_epoch ||
        strcmp(a->leader, b->leader) != 0)
        return false;
    return sn_config_str_eq(a->host, b->host) && sn_config_str_eq(a->auth_pass, b->auth_pass) &&
           sn_config_str_eq(a->auth_user, b->auth_user) &&
           sn_config_str_eq(a->notification_script, b->notification_script) &&
           sn_config_str_eq(a->client_reconfig_script, b->client_reconfig_script) &&
           master_lists_equal(a, b);
}

/* Masters are matched by name, not position: the order of the sections
 * in a file is the user's business. The format is not compared either, so
 * a Redis-style file and its INI conversion compare equal. */
bool
sn_config_equal(const struct sn_config *a, const struct sn_config *b)
{
    struct sn_config_map ix;
    bool eq = true;
    int i;

    if (!process_equal(a, b) || a->masters_len != b->masters_len)
        return false;
    sn_config_map_init(&ix);
    sn_config_masters_index(&ix, b);
    for (i = 0; i < a->masters_len && eq; i++) {
        const struct sn_config_master *m;

        m = sn_config_master_find_ix(b, &ix, a->masters[i].name);
        eq = m != NULL && master_equal(&a->masters[i], m);
    }
    sn_config_map_free(&ix);
    return eq;
}

