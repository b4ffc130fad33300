/*
 * instance.c: masters, replicas, peer sentinels and their links; what INFO
 * and hello messages teach us about them (Redis's
 * sentinelRefreshInstanceInfo, passive half, and
 * sentinelProcessHelloMessage).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core_priv.h"

/* Link ids: the slot in the low bits, a generation above, so that an id is
 * never reused and a reply for a closed connection finds nothing. */
#define LINK_SLOT_BITS 24
#define LINK_SLOT_MASK ((1u << LINK_SLOT_BITS) - 1)

const char *
sn_failover_state_name(enum sn_failover_state s)
{
    switch (s) {
    case SN_FO_NONE:                return "none";
    case SN_FO_WAIT_START:          return "wait_start";
    case SN_FO_SELECT_SLAVE:        return "select_slave";
    case SN_FO_SEND_SLAVEOF_NOONE:  return "send_slaveof_noone";
    case SN_FO_WAIT_PROMOTION:      return "wait_promotion";
    case SN_FO_RECONF_SLAVES:       return "reconf_slaves";
    case SN_FO_UPDATE_CONFIG:       return "update_config";
    }
    return "unknown";
}

const char *
sn_inst_type_name(const struct sn_instance *ri)
{
    switch (ri->kind) {
    case SN_INST_MASTER:    return "master";
    case SN_INST_REPLICA:   return "slave";
    case SN_INST_SENTINEL:  return "sentinel";
    }
    return "unknown";
}

bool
sn_inst_addr_eq(const char *h1, int p1, const char *h2, int p2)
{
    return p1 == p2 && h1 != NULL && h2 != NULL && strcasecmp(h1, h2) == 0;
}

/* ---------------------------------------------------------------------
 * Host names and the addresses behind them
 *
 * The host an instance was configured or discovered with is its identity:
 * it names the instance in the saved config and its links connect to it,
 * resolved again at every connection. The address the command link last
 * reached is kept beside it, on the link, for two things Redis does with
 * the address it resolved once: show it (announce-hostnames no) and
 * recognise the instance by it.
 * ------------------------------------------------------------------- */

bool
sn_inst_host_is_ip(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];

    return inet_pton(AF_INET, host, buf) == 1 ||
           inet_pton(AF_INET6, host, buf) == 1;
}

const char *
sn_inst_ip(const struct sn_instance *ri)
{
    if (ri->cc == NULL || ri->cc->peer_ip[0] == '\0')
        return NULL;
    return ri->cc->peer_ip;
}

bool
sn_inst_addr_is(const struct sn_instance *ri, const char *host, int port)
{
    const char *ip;

    if (host == NULL || ri->host == NULL || ri->port != port)
        return false;
    if (strcasecmp(ri->host, host) == 0)
        return true;
    ip = sn_inst_ip(ri);
    return ip != NULL && strcasecmp(ip, host) == 0;
}

const char *
sn_inst_announce_host(const struct sn_core *core,
                      const struct sn_instance *ri)
{
    const char *ip = sn_inst_ip(ri);

    if (core->cfg.announce_hostnames || ip == NULL ||
        sn_inst_host_is_ip(ri->host))
        return ri->host;
    return ip;
}

/* ---------------------------------------------------------------------
 * Links
 * ------------------------------------------------------------------- */

static uint32_t
link_slot_alloc(struct sn_core *core)
{
    uint32_t i;

    for (i = 0; i < core->links_len; i++)
        if (core->links[i] == NULL)
            return i;
    core->links = sn_realloc(core->links,
                             (core->links_len + 1) * sizeof(*core->links));
    core->links[core->links_len] = NULL;
    return core->links_len++;
}

struct sn_link *
sn_link_new(struct sn_core *core, const char *host, int port, bool pubsub,
            struct sn_instance *owner)
{
    struct sn_link *l = sn_calloc(1, sizeof(*l));
    int64_t now = core->now_ms;

    l->refcount = 1;
    l->host = sn_strdup(host);
    l->port = port;
    l->pubsub = pubsub;
    l->owner = owner;
    /* As Redis: "now" even before a connection exists, so that an instance
     * we never reach is seen down after down-after. */
    l->act_ping_ms = now;
    l->last_avail_ms = now;
    l->last_pong_ms = now;
    l->slot = link_slot_alloc(core);
    core->links[l->slot] = l;
    core->reconnect_due_ms = 0;
    sn_core_wake(core, now + 1);
    return l;
}

struct sn_link *
sn_link_peer(struct sn_core *core, const char *host, int port)
{
    uint32_t i;

    for (i = 0; i < core->links_len; i++) {
        struct sn_link *l = core->links[i];

        if (l != NULL && l->owner == NULL && !l->pubsub &&
            sn_inst_addr_eq(l->host, l->port, host, port)) {
            l->refcount++;
            return l;
        }
    }
    return sn_link_new(core, host, port, false, NULL);
}

struct sn_link *
sn_link_by_id(const struct sn_core *core, uint64_t id)
{
    uint32_t slot = (uint32_t)(id & LINK_SLOT_MASK);
    struct sn_link *l;

    if (id == 0 || slot >= core->links_len)
        return NULL;
    l = core->links[slot];
    return l != NULL && l->id == id ? l : NULL;
}

uint64_t
sn_link_next_id(struct sn_core *core, struct sn_link *link)
{
    core->link_gen++;
    link->id = (core->link_gen << LINK_SLOT_BITS) | link->slot;
    return link->id;
}

void
sn_link_close(struct sn_core *core, struct sn_link *link)
{
    if (link->id != 0) {
        struct sn_action a;

        memset(&a, 0, sizeof(a));
        a.type = SN_ACT_DISCONNECT;
        a.link = link->id;
        sn_core_push(core, &a);
    }
    link->id = 0;
    core->reconnect_due_ms = 0;
    link->connected = false;
    link->connecting = false;
    link->cmds_len = 0;
    link->pending = 0;
    sn_core_wake(core, core->now_ms + 1);
}

void
sn_link_release(struct sn_core *core, struct sn_link *link)
{
    if (link == NULL)
        return;
    if (--link->refcount > 0)
        return;
    sn_link_close(core, link);
    core->links[link->slot] = NULL;
    free(link->cmds);
    free(link->host);
    free(link);
}

void
sn_link_cmd_push(struct sn_link *link, uint64_t tag, enum sn_cmd_kind kind,
                 uint64_t master_id)
{
    if (link->cmds_len == link->cmds_cap) {
        link->cmds_cap = link->cmds_cap ? link->cmds_cap * 2 : 4;
        link->cmds = sn_realloc(link->cmds,
                                (size_t)link->cmds_cap * sizeof(*link->cmds));
    }
    link->cmds[link->cmds_len].tag = tag;
    link->cmds[link->cmds_len].kind = kind;
    link->cmds[link->cmds_len].master_id = master_id;
    link->cmds_len++;
    link->pending = link->cmds_len;
}

bool
sn_link_cmd_pop(struct sn_link *link, uint64_t tag, struct sn_link_cmd *out)
{
    int i;

    /* Replies come in order: the match is nearly always the first. */
    for (i = 0; i < link->cmds_len; i++) {
        if (link->cmds[i].tag != tag)
            continue;
        *out = link->cmds[i];
        memmove(&link->cmds[i], &link->cmds[i + 1],
                (size_t)(link->cmds_len - i - 1) * sizeof(*link->cmds));
        link->cmds_len--;
        link->pending = link->cmds_len;
        return true;
    }
    return false;
}

bool
sn_link_clogged(const struct sn_link *link)
{
    return link->pending >= SN_LINK_PENDING_MAX * link->refcount;
}

void
sn_inst_update_links(struct sn_instance *ri)
{
    bool down = ri->cc == NULL || !ri->cc->connected ||
                (ri->pc != NULL && !ri->pc->connected);

    if (down)
        ri->flags |= SN_F_DISCONNECTED;
    else
        ri->flags &= ~(unsigned)SN_F_DISCONNECTED;
}

/* ---------------------------------------------------------------------
 * Instances
 * ------------------------------------------------------------------- */

static char *
replica_name(const char *host, int port)
{
    if (strchr(host, ':') != NULL)
        return sn_printf("[%s]:%d", host, port);
    return sn_printf("%s:%d", host, port);
}

static void
inst_init(struct sn_core *core, struct sn_instance *ri,
          enum sn_inst_kind kind, const char *host, int port,
          struct sn_master *m)
{
    memset(ri, 0, sizeof(*ri));
    ri->kind = kind;
    ri->host = sn_strdup(host);
    ri->port = port;
    ri->master = m;
    ri->down_after_ms = m->cfg->down_after_ms;
    ri->slave_master_host = sn_strdup("");
    ri->slave_priority = 100;
    ri->replica_announced = true;
    ri->role_reported = kind == SN_INST_REPLICA ? SN_ROLE_SLAVE
                                                : SN_ROLE_MASTER;
    ri->role_reported_ms = core->now_ms;
    ri->flags = SN_F_DISCONNECTED;
}

/* Free what an instance owns; its links are released unless detached. */
static void
inst_destroy(struct sn_core *core, struct sn_instance *ri)
{
    sn_link_release(core, ri->cc);
    sn_link_release(core, ri->pc);
    free(ri->name);
    free(ri->host);
    free(ri->info);
    free(ri->slave_master_host);
    free(ri->hello_master_host);
}

static void
masters_insert(struct sn_core *core, struct sn_master *m)
{
    int i = core->masters_len;

    core->masters = sn_realloc(core->masters,
                               (size_t)(i + 1) * sizeof(*core->masters));
    while (i > 0 && strcmp(core->masters[i - 1]->inst.name,
                           m->inst.name) > 0) {
        core->masters[i] = core->masters[i - 1];
        i--;
    }
    core->masters[i] = m;
    core->masters_len++;
}

struct sn_master *
sn_inst_master_new(struct sn_core *core, struct sn_config_master *cfg)
{
    struct sn_master *m = sn_calloc(1, sizeof(*m));
    int i;

    m->cfg = cfg;
    m->id = ++core->next_master_id;
    inst_init(core, &m->inst, SN_INST_MASTER, cfg->host, cfg->port, m);
    m->inst.master = NULL;
    m->inst.name = sn_strdup(cfg->name);
    m->inst.cc = sn_link_new(core, cfg->host, cfg->port, false, &m->inst);
    m->inst.pc = sn_link_new(core, cfg->host, cfg->port, true, &m->inst);
    m->leader_epoch = cfg->leader_epoch;
    memcpy(m->leader, cfg->leader, sizeof(m->leader));
    for (i = 0; i < cfg->replicas_len; i++)
        sn_inst_replica_add(core, m, cfg->replicas[i].host,
                            cfg->replicas[i].port);
    for (i = 0; i < cfg->peers_len; i++)
        sn_inst_sentinel_add(core, m, cfg->peers[i].host, cfg->peers[i].port,
                             cfg->peers[i].runid);
    masters_insert(core, m);
    return m;
}

static void
free_replicas(struct sn_core *core, struct sn_master *m)
{
    int i;

    for (i = 0; i < m->replicas_len; i++) {
        inst_destroy(core, m->replicas[i]);
        free(m->replicas[i]);
    }
    free(m->replicas);
    m->replicas = NULL;
    m->replicas_len = 0;
    m->promoted = NULL;
}

static void
free_sentinels(struct sn_core *core, struct sn_master *m)
{
    int i;

    for (i = 0; i < m->sentinels_len; i++) {
        inst_destroy(core, m->sentinels[i]);
        free(m->sentinels[i]);
    }
    free(m->sentinels);
    m->sentinels = NULL;
    m->sentinels_len = 0;
}

void
sn_inst_master_free(struct sn_core *core, struct sn_master *m)
{
    int i;

    for (i = 0; i < core->masters_len; i++) {
        if (core->masters[i] != m)
            continue;
        memmove(&core->masters[i], &core->masters[i + 1],
                (size_t)(core->masters_len - i - 1) * sizeof(m));
        core->masters_len--;
        break;
    }
    free_replicas(core, m);
    free_sentinels(core, m);
    inst_destroy(core, &m->inst);
    free(m);
}

/* A replica with the given links (NULL: new ones). */
static struct sn_instance *
replica_add_links(struct sn_core *core, struct sn_master *m,
                  const char *host, int port, struct sn_link *cc,
                  struct sn_link *pc)
{
    struct sn_instance *ri;

    if (m->replicas_len >= SN_REPLICAS_MAX ||
        sn_inst_replica_find(m, host, port) != NULL ||
        sn_inst_addr_is(&m->inst, host, port)) {
        sn_link_release(core, cc);
        sn_link_release(core, pc);
        return NULL;
    }
    ri = sn_malloc(sizeof(*ri));
    inst_init(core, ri, SN_INST_REPLICA, host, port, m);
    ri->name = replica_name(host, port);
    ri->cc = cc != NULL ? cc : sn_link_new(core, host, port, false, ri);
    ri->pc = pc != NULL ? pc : sn_link_new(core, host, port, true, ri);
    ri->cc->owner = ri;
    ri->pc->owner = ri;
    sn_inst_update_links(ri);
    m->replicas = sn_realloc(m->replicas, (size_t)(m->replicas_len + 1) *
                                          sizeof(*m->replicas));
    m->replicas[m->replicas_len++] = ri;
    return ri;
}

struct sn_instance *
sn_inst_replica_add(struct sn_core *core, struct sn_master *m,
                    const char *host, int port)
{
    return replica_add_links(core, m, host, port, NULL, NULL);
}

struct sn_instance *
sn_inst_sentinel_add(struct sn_core *core, struct sn_master *m,
                     const char *host, int port, const char *runid)
{
    struct sn_instance *si;

    if (m->sentinels_len >= SN_SENTINELS_MAX ||
        sn_inst_sentinel_find(m, NULL, 0, runid) != NULL)
        return NULL;
    si = sn_malloc(sizeof(*si));
    inst_init(core, si, SN_INST_SENTINEL, host, port, m);
    si->name = sn_strdup(runid);
    snprintf(si->runid, sizeof(si->runid), "%s", runid);
    si->cc = sn_link_peer(core, host, port);
    sn_inst_update_links(si);
    m->sentinels = sn_realloc(m->sentinels, (size_t)(m->sentinels_len + 1) *
                                            sizeof(*m->sentinels));
    m->sentinels[m->sentinels_len++] = si;
    return si;
}

void
sn_inst_sentinel_remove(struct sn_core *core, struct sn_master *m,
                        struct sn_instance *si)
{
    int i;

    for (i = 0; i < m->sentinels_len; i++) {
        if (m->sentinels[i] != si)
            continue;
        memmove(&m->sentinels[i], &m->sentinels[i + 1],
                (size_t)(m->sentinels_len - i - 1) * sizeof(si));
        m->sentinels_len--;
        inst_destroy(core, si);
        free(si);
        return;
    }
}

struct sn_instance *
sn_inst_replica_find(const struct sn_master *m, const char *host, int port)
{
    int i;

    for (i = 0; i < m->replicas_len; i++)
        if (sn_inst_addr_is(m->replicas[i], host, port))
            return m->replicas[i];
    return NULL;
}

struct sn_instance *
sn_inst_sentinel_find(const struct sn_master *m, const char *host, int port,
                      const char *runid)
{
    int i;

    for (i = 0; i < m->sentinels_len; i++) {
        struct sn_instance *si = m->sentinels[i];

        if (host != NULL && !sn_inst_addr_is(si, host, port))
            continue;
        if (runid != NULL && strcasecmp(si->runid, runid) != 0)
            continue;
        return si;
    }
    return NULL;
}

/* ---------------------------------------------------------------------
 * Reset and change of address
 * ------------------------------------------------------------------- */

/* What a reset clears on the master itself (links aside). */
static void
master_clear(struct sn_core *core, struct sn_master *m)
{
    struct sn_instance *ri = &m->inst;
    int64_t now = core->now_ms;

    /* Our vote (leader, leader_epoch) is kept: unlike Redis, which forgets
     * the run id, so that a reset never lets us answer a second one. */
    ri->flags &= SN_F_DISCONNECTED;
    m->failover_state = SN_FO_NONE;
    m->failover_state_change_ms = 0;
    m->failover_start_ms = 0;
    m->promoted = NULL;
    m->votes_asked = false;
    m->switched = false;
    m->claim_pending = false;
    ri->runid[0] = '\0';
    sn_set_str(&ri->slave_master_host, "");
    ri->s_down_since_ms = 0;
    ri->o_down_since_ms = 0;
    ri->info_refresh_ms = 0;
    ri->info_sent_ms = 0;
    ri->role_reported = SN_ROLE_MASTER;
    ri->role_reported_ms = now;
    ri->master_reboot_since_ms = 0;
}

static void
link_restart(struct sn_link *l, int64_t now)
{
    l->act_ping_ms = now;
    l->last_ping_ms = 0;
    l->last_avail_ms = now;
    l->last_pong_ms = now;
}

void
sn_inst_reset_master(struct sn_core *core, struct sn_master *m,
                     bool sentinels, bool event)
{
    free_replicas(core, m);
    if (sentinels)
        free_sentinels(core, m);
    sn_link_close(core, m->inst.cc);
    sn_link_close(core, m->inst.pc);
    link_restart(m->inst.cc, core->now_ms);
    master_clear(core, m);
    sn_inst_update_links(&m->inst);
    if (event)
        sn_core_emit_inst(core, SN_LOG_WARNING, "+reset-master", &m->inst);
}

/* A replica's address and links, kept across a change of address. */
struct kept {
    char *host;
    int port;
    struct sn_link *cc;
    struct sn_link *pc;
    bool demoted;
};

static void
kept_take(struct kept *k, struct sn_instance *ri, const char *host,
          int port)
{
    k->host = sn_strdup(host);
    k->port = port;
    k->cc = ri->cc;
    k->pc = ri->pc;
    k->demoted = false;
    ri->cc = NULL;
    ri->pc = NULL;
}

/* Collect the replicas to re-add: every replica but the one at the new
 * address (whose links go to the master), then the old master unless it
 * is at the new address (`same`). Returns the count. */
static int
collect_kept(struct sn_master *m, const char *host, int port, bool same,
             struct kept *kept, struct kept *newmaster)
{
    int n = 0, i;

    memset(newmaster, 0, sizeof(*newmaster));
    for (i = 0; i < m->replicas_len; i++) {
        struct sn_instance *r = m->replicas[i];

        /* The first match only: a replica known by its name and again by
         * its address (seen before the name resolved) is one server. */
        if (!same && newmaster->host == NULL &&
            sn_inst_addr_is(r, host, port))
            kept_take(newmaster, r, r->host, r->port);
        else
            kept_take(&kept[n++], r, r->host, r->port);
    }
    if (!same) {
        kept_take(&kept[n], &m->inst, m->inst.host, m->inst.port);
        kept[n++].demoted = true;
    }
    return n;
}

static void
master_take_links(struct sn_core *core, struct sn_master *m,
                  struct kept *nm)
{
    struct sn_instance *ri = &m->inst;

    if (ri->cc != NULL) {
        /* Same address: the master keeps its own links. */
        return;
    }
    ri->cc = nm->cc != NULL ? nm->cc
                            : sn_link_new(core, ri->host, ri->port, false,
                                          ri);
    ri->pc = nm->pc != NULL ? nm->pc
                            : sn_link_new(core, ri->host, ri->port, true, ri);
    ri->cc->owner = ri;
    ri->pc->owner = ri;
    if (nm->cc == NULL || !nm->cc->connected)
        link_restart(ri->cc, core->now_ms);
}

void
sn_inst_change_address(struct sn_core *core, struct sn_master *m,
                       const char *host, int port)
{
    struct kept *kept = sn_calloc((size_t)m->replicas_len + 1,
                                  sizeof(*kept));
    struct kept nm;
    bool same = sn_inst_addr_is(&m->inst, host, port);
    char *newhost;
    int n, i;

    n = collect_kept(m, host, port, same, kept, &nm);
    /* The host stays the identity: the master keeps its own name when the
     * new address is its own, and takes the name of the replica known at
     * that address, however the address was given (a peer's hello carries
     * the address when announce-hostnames is off). */
    newhost = sn_strdup(same ? m->inst.host
                             : nm.host != NULL ? nm.host : host);
    free_replicas(core, m);
    master_clear(core, m);
    sn_set_str(&m->inst.host, newhost);
    m->inst.port = port;
    sn_set_str(&m->cfg->host, newhost);
    m->cfg->port = port;
    master_take_links(core, m, &nm);
    free(nm.host);
    sn_inst_update_links(&m->inst);
    for (i = 0; i < n; i++) {
        struct sn_instance *r;

        r = replica_add_links(core, m, kept[i].host, kept[i].port,
                              kept[i].cc, kept[i].pc);
        if (r != NULL) {
            r->demoted = kept[i].demoted;
            sn_core_emit_inst(core, SN_LOG_NOTICE, "+slave", r);
        }
        free(kept[i].host);
    }
    free(kept);
    free(newhost);
    sn_core_dirty(core);
}

/* ---------------------------------------------------------------------
 * INFO, the passive half
 * ------------------------------------------------------------------- */

static void
info_runid(struct sn_core *core, struct sn_instance *ri,
           const struct sn_info *info)
{
    if (info->run_id[0] == '\0' || strcmp(ri->runid, info->run_id) == 0)
        return;
    if (ri->runid[0] != '\0') {
        sn_core_emit_inst(core, SN_LOG_NOTICE, "+reboot", ri);
        if (ri->kind == SN_INST_MASTER &&
            sn_inst_master_of(ri)->cfg->master_reboot_down_after_period_ms
                != 0) {
            ri->flags |= SN_F_MASTER_REBOOT;
            ri->master_reboot_since_ms = core->now_ms;
        }
    }
    memcpy(ri->runid, info->run_id, sizeof(ri->runid));
}

static void
info_discover(struct sn_core *core, struct sn_master *m,
              const struct sn_info *info)
{
    size_t i;

    for (i = 0; i < info->replicas_count; i++) {
        const struct sn_info_replica *r = &info->replicas[i];
        struct sn_instance *ri;

        if (sn_inst_replica_find(m, r->host, r->port) != NULL)
            continue;
        ri = sn_inst_replica_add(core, m, r->host, r->port);
        if (ri != NULL) {
            sn_core_emit_inst(core, SN_LOG_NOTICE, "+slave", ri);
            sn_core_dirty(core);
        }
    }
}

static void
info_replica_fields(struct sn_core *core, struct sn_instance *ri,
                    const struct sn_info *info)
{
    int port = info->has_master_port ? info->master_port : 0;

    if (strcasecmp(ri->slave_master_host, info->master_host) != 0) {
        sn_set_str(&ri->slave_master_host, info->master_host);
        ri->slave_conf_change_ms = core->now_ms;
    }
    if (ri->slave_master_port != port) {
        ri->slave_master_port = port;
        ri->slave_conf_change_ms = core->now_ms;
    }
    ri->slave_master_link_up = info->master_link_status == SN_INFO_LINK_UP;
    if (info->has_slave_priority)
        ri->slave_priority = info->slave_priority;
    if (info->has_slave_repl_offset)
        ri->slave_repl_offset = info->slave_repl_offset;
    ri->replica_announced = info->replica_announced;
}

static void
info_role(struct sn_core *core, struct sn_instance *ri, enum sn_role role)
{
    bool coherent;

    if (role == SN_ROLE_UNKNOWN || role == ri->role_reported)
        return;
    ri->role_reported_ms = core->now_ms;
    ri->role_reported = role;
    if (role == SN_ROLE_SLAVE)
        ri->slave_conf_change_ms = core->now_ms;
    coherent = (ri->kind == SN_INST_MASTER && role == SN_ROLE_MASTER) ||
               (ri->kind == SN_INST_REPLICA && role == SN_ROLE_SLAVE);
    sn_core_emit(core, SN_LOG_VERBOSE,
                 coherent ? "+role-change" : "-role-change", ri, true,
                 "new reported role is %s",
                 role == SN_ROLE_MASTER ? "master" : "slave");
}

void
sn_inst_refresh_info(struct sn_core *core, struct sn_instance *ri,
                     const char *text, size_t len)
{
    struct sn_info info;
    enum sn_role role;

    if (sn_info_parse(&info, text, len) != 0)
        return;
    free(ri->info);
    ri->info = sn_strndup(text, len);
    info_runid(core, ri, &info);
    if (ri->kind == SN_INST_MASTER)
        info_discover(core, (struct sn_master *)ri, &info);
    ri->master_link_down_ms = info.has_master_link_down_since
                                  ? info.master_link_down_since_seconds * 1000
                                  : 0;
    if (info.role == SN_ROLE_SLAVE) {
        info_replica_fields(core, ri, &info);
        ri->demoted = false;
    }
    ri->info_refresh_ms = core->now_ms;
    info_role(core, ri, info.role);
    role = info.role;
    sn_info_free(&info);
    /* None of the acting half happens in TILT. */
    if (!core->tilt)
        sn_failover_info(core, ri, role);
}

/* ---------------------------------------------------------------------
 * Hello messages
 * ------------------------------------------------------------------- */

/* Remove every peer of m with this run id. Returns how many. */
static int
remove_runid(struct sn_core *core, struct sn_master *m, const char *runid)
{
    struct sn_instance *si;
    int n = 0;

    while ((si = sn_inst_sentinel_find(m, NULL, 0, runid)) != NULL) {
        sn_inst_sentinel_remove(core, m, si);
        n++;
    }
    return n;
}

/* Redis's sentinelUpdateSentinelAddressInAllMasters. */
static void
address_everywhere(struct sn_core *core, struct sn_instance *si)
{
    int i, n = 0;

    for (i = 0; i < core->masters_len; i++) {
        struct sn_instance *o;

        o = sn_inst_sentinel_find(core->masters[i], NULL, 0, si->runid);
        if (o == NULL || o == si)
            continue;
        if (!sn_inst_addr_eq(o->host, o->port, si->host, si->port)) {
            sn_link_release(core, o->cc);
            sn_set_str(&o->host, si->host);
            o->port = si->port;
            o->cc = sn_link_peer(core, si->host, si->port);
            sn_inst_update_links(o);
        }
        n++;
    }
    if (n > 0)
        sn_core_emit(core, SN_LOG_NOTICE, "+sentinel-address-update", si,
                     true, "%d additional matching instances", n);
}

/* A hello from a peer we do not know at this address with this run id. */
static struct sn_instance *
hello_new_peer(struct sn_core *core, struct sn_master *m,
               const struct sn_hello *h)
{
    struct sn_instance *si, *other;
    int removed, i;

    removed = remove_runid(core, m, h->sentinel_runid);
    if (removed > 0) {
        sn_core_emit(core, SN_LOG_NOTICE, "+sentinel-address-switch",
                     &m->inst, true, "ip %s port %d for %s", h->sentinel_ip,
                     h->sentinel_port, h->sentinel_runid);
    } else {
        /* Another run id at this address: that peer restarted with a new
         * id, and the old one must not count as a voter any more. */
        other = sn_inst_sentinel_find(m, h->sentinel_ip, h->sentinel_port,
                                      NULL);
        if (other != NULL) {
            char runid[SN_RUNID_LEN + 1];

            sn_core_emit_inst(core, SN_LOG_NOTICE, "+sentinel-invalid-addr",
                              other);
            memcpy(runid, other->runid, sizeof(runid));
            for (i = 0; i < core->masters_len; i++)
                remove_runid(core, core->masters[i], runid);
        }
    }
    si = sn_inst_sentinel_add(core, m, h->sentinel_ip, h->sentinel_port,
                              h->sentinel_runid);
    if (si == NULL)
        return NULL;
    if (removed == 0)
        sn_core_emit_inst(core, SN_LOG_NOTICE, "+sentinel", si);
    else
        address_everywhere(core, si);
    sn_core_dirty(core);
    return si;
}

static bool
payload_has(const char *payload, size_t len, const char *s)
{
    size_t n = strlen(s);

    return n > 0 && memmem(payload, len, s, n) != NULL;
}

void
sn_inst_process_hello(struct sn_core *core, const char *payload, size_t len)
{
    struct sn_hello h;
    struct sn_master *m;
    struct sn_instance *si;

    /* Our own hello, come back through a master's channel. */
    if (payload_has(payload, len, core->cfg.myid))
        return;
    if (sn_hello_parse(&h, payload, len) != 0)
        return;
    m = sn_core_master_by_name(core, h.master_name);
    if (m == NULL)
        return;
    sn_core_touch(core, m);
    si = sn_inst_sentinel_find(m, h.sentinel_ip, h.sentinel_port,
                               h.sentinel_runid);
    if (si == NULL)
        si = hello_new_peer(core, m, &h);
    if (h.current_epoch > core->cfg.current_epoch)
        sn_election_adopt_epoch(core, m, h.current_epoch);
    if (si == NULL)
        return;
    si->last_hello_ms = core->now_ms;
    si->hello_config_epoch = h.master_config_epoch;
    sn_set_str(&si->hello_master_host, h.master_ip);
    si->hello_master_port = h.master_port;
    if (h.master_config_epoch > m->cfg->config_epoch)
        sn_failover_hello_config(core, m, si, &h);
}
