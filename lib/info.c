/*
 * info.c: INFO text to struct sn_info, and back.
 *
 * The text is walked as (pointer, length) slices and never modified, so a
 * NUL byte or a missing CR cannot make a value run into the next line.
 * Values are copied only into fixed buffers after their length was checked.
 */
#include "info.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Redis keeps the backlog at 1 MB unless told otherwise. */
#define INFO_BACKLOG_SIZE 1048576

/* ---------------------------------------------------------------------
 * Small helpers on slices
 * ------------------------------------------------------------------- */

static bool
slice_is(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);

    return len == n && memcmp(s, lit, n) == 0;
}

/*
 * A strict decimal in [min, max]: an optional '-' then digits only, no
 * spaces, no '+', no NUL. Anything else, or out of range, is -1 so that the
 * field stays absent.
 */
static int
parse_num(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    char buf[24];
    size_t i = 0;

    if (len == 0 || len >= sizeof(buf))
        return -1;
    if (s[0] == '-')
        i = 1;
    if (i == len)
        return -1;
    for (; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return sn_parse_i64(buf, min, max, out);
}

static int
parse_port(const char *s, size_t len, int *out)
{
    int64_t v;

    if (parse_num(s, len, 1, 65535, &v) != 0)
        return -1;
    *out = (int)v;
    return 0;
}

static int
parse_offset(const char *s, size_t len, uint64_t *out)
{
    int64_t v;

    if (parse_num(s, len, 0, INT64_MAX, &v) != 0)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/*
 * A host we will store: 1..SN_HOST_MAX printable ASCII bytes, no space, and
 * neither ',' nor '=', which separate the fields of a slaveN line and so
 * could not come back out of one.
 */
static bool
host_ok(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || len > SN_HOST_MAX)
        return false;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c <= ' ' || c >= 0x7f || c == ',' || c == '=')
            return false;
    }
    return true;
}

static void
copy_slice(char *dst, const char *s, size_t len)
{
    memcpy(dst, s, len);
    dst[len] = '\0';
}

/* ---------------------------------------------------------------------
 * Scalar fields: one setter per key. Each one leaves its field absent when
 * the value is bad, so the last line for a key decides.
 * ------------------------------------------------------------------- */

static void
set_run_id(struct sn_info *o, const char *v, size_t len)
{
    char buf[SN_RUNID_LEN + 1];

    o->run_id[0] = '\0';
    o->run_id_invalid = true;
    if (len != SN_RUNID_LEN)
        return;
    copy_slice(buf, v, len);
    if (memchr(v, '\0', len) != NULL || !sn_is_runid(buf))
        return;
    memcpy(o->run_id, buf, sizeof(buf));
    o->run_id_invalid = false;
}

static void
set_role(struct sn_info *o, const char *v, size_t len)
{
    if (slice_is(v, len, "master"))
        o->role = SN_ROLE_MASTER;
    else if (slice_is(v, len, "slave"))
        o->role = SN_ROLE_SLAVE;
    else
        o->role = SN_ROLE_UNKNOWN;
}

static void
set_master_host(struct sn_info *o, const char *v, size_t len)
{
    if (host_ok(v, len))
        copy_slice(o->master_host, v, len);
    else
        o->master_host[0] = '\0';
}

static void
set_master_port(struct sn_info *o, const char *v, size_t len)
{
    o->has_master_port = parse_port(v, len, &o->master_port) == 0;
}

static void
set_master_link_status(struct sn_info *o, const char *v, size_t len)
{
    /* Redis: strcasecmp(value, "up") == 0 ? up : down. */
    if (len == 2 && strncasecmp(v, "up", 2) == 0)
        o->master_link_status = SN_INFO_LINK_UP;
    else
        o->master_link_status = SN_INFO_LINK_DOWN;
}

static void
set_master_link_down_since(struct sn_info *o, const char *v, size_t len)
{
    /* The caller multiplies by 1000: keep that from overflowing. */
    o->has_master_link_down_since =
        parse_num(v, len, -1, INT64_MAX / 1000,
                  &o->master_link_down_since_seconds) == 0;
}

static void
set_slave_priority(struct sn_info *o, const char *v, size_t len)
{
    int64_t n;

    /* Redis's priority is an int. INT32_MAX, because <limits.h> resolves
     * to lib/limits.h on this project's include path. */
    o->has_slave_priority = parse_num(v, len, 0, INT32_MAX, &n) == 0;
    o->slave_priority = o->has_slave_priority ? (int)n : 0;
}

static void
set_slave_repl_offset(struct sn_info *o, const char *v, size_t len)
{
    o->has_slave_repl_offset =
        parse_offset(v, len, &o->slave_repl_offset) == 0;
}

static void
set_replica_announced(struct sn_info *o, const char *v, size_t len)
{
    /* Only an explicit 0 hides a replica; a bad value keeps the default. */
    o->replica_announced = !slice_is(v, len, "0");
}

static void
set_master_repl_offset(struct sn_info *o, const char *v, size_t len)
{
    o->has_master_repl_offset =
        parse_offset(v, len, &o->master_repl_offset) == 0;
}

static void
set_master_failover_state(struct sn_info *o, const char *v, size_t len)
{
    if (slice_is(v, len, "no-failover"))
        o->master_failover_state = SN_INFO_FAILOVER_NONE;
    else if (slice_is(v, len, "waiting-for-sync"))
        o->master_failover_state = SN_INFO_FAILOVER_WAITING_FOR_SYNC;
    else if (slice_is(v, len, "failover-in-progress"))
        o->master_failover_state = SN_INFO_FAILOVER_IN_PROGRESS;
    else
        o->master_failover_state = SN_INFO_FAILOVER_UNKNOWN;
}

static const struct {
    const char *key;
    void (*set)(struct sn_info *o, const char *v, size_t len);
} info_fields[] = {
    {"run_id", set_run_id},
    {"role", set_role},
    {"master_host", set_master_host},
    {"master_port", set_master_port},
    {"master_link_status", set_master_link_status},
    {"master_link_down_since_seconds", set_master_link_down_since},
    {"slave_priority", set_slave_priority},
    {"replica_priority", set_slave_priority},
    {"slave_repl_offset", set_slave_repl_offset},
    {"replica_announced", set_replica_announced},
    {"master_repl_offset", set_master_repl_offset},
    {"master_failover_state", set_master_failover_state},
};

/* ---------------------------------------------------------------------
 * slaveN lines
 * ------------------------------------------------------------------- */

static enum sn_info_replica_state
replica_state(const char *v, size_t len)
{
    if (slice_is(v, len, "online"))
        return SN_INFO_REPLICA_ONLINE;
    if (slice_is(v, len, "wait_bgsave"))
        return SN_INFO_REPLICA_WAIT_BGSAVE;
    if (slice_is(v, len, "send_bulk"))
        return SN_INFO_REPLICA_SEND_BULK;
    return SN_INFO_REPLICA_UNKNOWN;
}

static const char *
replica_state_name(enum sn_info_replica_state s)
{
    switch (s) {
    case SN_INFO_REPLICA_WAIT_BGSAVE:
        return "wait_bgsave";
    case SN_INFO_REPLICA_SEND_BULK:
        return "send_bulk";
    case SN_INFO_REPLICA_ONLINE:
        return "online";
    case SN_INFO_REPLICA_UNKNOWN:
        break;
    }
    return "unknown";
}

/* "slave" followed by one or more digits and nothing else. */
static bool
is_slave_key(const char *k, size_t len)
{
    size_t i;

    if (len < 6 || memcmp(k, "slave", 5) != 0)
        return false;
    for (i = 5; i < len; i++)
        if (k[i] < '0' || k[i] > '9')
            return false;
    return true;
}

/* The next comma-separated field of [*p, end): sets *f and *flen and moves
 * *p past the comma, or to NULL after the last field. Returns false when
 * nothing is left. */
static bool
next_field(const char **p, const char *end, const char **f, size_t *flen)
{
    const char *comma;

    if (*p == NULL)
        return false;
    comma = memchr(*p, ',', (size_t)(end - *p));
    *f = *p;
    *flen = (size_t)((comma != NULL ? comma : end) - *p);
    *p = comma != NULL ? comma + 1 : NULL;
    return true;
}

/* New format: key=value fields in any order; ip and port are required,
 * unknown keys are ignored, a repeated key wins over an earlier one. */
static int
replica_new(struct sn_info_replica *r, const char *v, size_t len)
{
    const char *p = v, *end = v + len, *f, *ip = NULL, *port = NULL;
    size_t flen, iplen = 0, portlen = 0;

    while (next_field(&p, end, &f, &flen)) {
        const char *eq = memchr(f, '=', flen);
        size_t klen, vlen;

        if (eq == NULL)
            continue;
        klen = (size_t)(eq - f);
        vlen = flen - klen - 1;
        if (slice_is(f, klen, "ip")) {
            ip = eq + 1;
            iplen = vlen;
        } else if (slice_is(f, klen, "port")) {
            port = eq + 1;
            portlen = vlen;
        } else if (slice_is(f, klen, "state")) {
            r->state = replica_state(eq + 1, vlen);
        } else if (slice_is(f, klen, "offset")) {
            r->has_offset = parse_offset(eq + 1, vlen, &r->offset) == 0;
        }
    }
    if (ip == NULL || port == NULL || !host_ok(ip, iplen) ||
        parse_port(port, portlen, &r->port) != 0)
        return -1;
    copy_slice(r->host, ip, iplen);
    return 0;
}

/* Old format: ip,port,state; Redis needs all three, extra fields are
 * ignored. */
static int
replica_old(struct sn_info_replica *r, const char *v, size_t len)
{
    const char *p = v, *end = v + len, *ip, *port, *state;
    size_t iplen, portlen, statelen;

    if (!next_field(&p, end, &ip, &iplen) ||
        !next_field(&p, end, &port, &portlen) ||
        !next_field(&p, end, &state, &statelen))
        return -1;
    if (!host_ok(ip, iplen) || parse_port(port, portlen, &r->port) != 0)
        return -1;
    copy_slice(r->host, ip, iplen);
    r->state = replica_state(state, statelen);
    return 0;
}

static void
replica_line(struct sn_info *o, const char *v, size_t len)
{
    struct sn_info_replica r;
    const char *comma = memchr(v, ',', len);
    size_t first = comma != NULL ? (size_t)(comma - v) : len;
    int rc;

    memset(&r, 0, sizeof(r));
    /* Redis tells the formats apart by "ip=" anywhere in the line; an '='
     * in the first field is the same test for every line Redis prints and
     * cannot be fooled by a host name. */
    if (memchr(v, '=', first) != NULL)
        rc = replica_new(&r, v, len);
    else
        rc = replica_old(&r, v, len);
    if (rc != 0) {
        o->replicas_invalid++;
        return;
    }
    (void)sn_info_add_replica(o, &r);
}

/* ---------------------------------------------------------------------
 * The public face
 * ------------------------------------------------------------------- */

void
sn_info_init(struct sn_info *info)
{
    memset(info, 0, sizeof(*info));
    info->role = SN_ROLE_UNKNOWN;
    info->replica_announced = true;
}

void
sn_info_free(struct sn_info *info)
{
    free(info->replicas);
    sn_info_init(info);
}

int
sn_info_add_replica(struct sn_info *info,
                    const struct sn_info_replica *replica)
{
    size_t i;

    for (i = 0; i < info->replicas_count; i++) {
        struct sn_info_replica *r = &info->replicas[i];

        if (r->port == replica->port && strcmp(r->host, replica->host) == 0) {
            *r = *replica;
            return 0;
        }
    }
    if (info->replicas_count >= SN_REPLICAS_MAX) {
        info->replicas_dropped++;
        return -1;
    }
    if (info->replicas_count == info->replicas_cap) {
        size_t cap = info->replicas_cap ? info->replicas_cap * 2 : 4;

        if (cap > SN_REPLICAS_MAX)
            cap = SN_REPLICAS_MAX;
        info->replicas = sn_realloc(info->replicas,
                                    cap * sizeof(*info->replicas));
        info->replicas_cap = cap;
    }
    info->replicas[info->replicas_count++] = *replica;
    return 0;
}

static void
info_line(struct sn_info *o, const char *line, size_t len)
{
    const char *colon;
    size_t klen, i;

    /* Section headers ("# Replication") and lines without ':' say nothing
     * we read. */
    if (len == 0 || line[0] == '#')
        return;
    colon = memchr(line, ':', len);
    if (colon == NULL)
        return;
    klen = (size_t)(colon - line);
    if (is_slave_key(line, klen)) {
        replica_line(o, colon + 1, len - klen - 1);
        return;
    }
    for (i = 0; i < sizeof(info_fields) / sizeof(info_fields[0]); i++) {
        if (slice_is(line, klen, info_fields[i].key)) {
            info_fields[i].set(o, colon + 1, len - klen - 1);
            return;
        }
    }
}

int
sn_info_parse(struct sn_info *out, const char *text, size_t len)
{
    const char *p = text, *end = text + len;

    assert(text != NULL || len == 0);
    sn_info_init(out);
    if (len > SN_INFO_BYTES_MAX) {
        out->error = "INFO reply longer than SN_INFO_BYTES_MAX";
        return -1;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl != NULL ? nl : end;
        size_t n = (size_t)(eol - p);

        if (n > 0 && p[n - 1] == '\r')
            n--;
        info_line(out, p, n);
        p = eol + (nl != NULL);
    }
    return 0;
}

const char *
sn_info_role_name(enum sn_role role)
{
    switch (role) {
    case SN_ROLE_MASTER:
        return "master";
    case SN_ROLE_SLAVE:
        return "slave";
    case SN_ROLE_UNKNOWN:
        break;
    }
    return "unknown";
}

/* ---------------------------------------------------------------------
 * Rendering, in redis-server 7.0's order (replicationInfo)
 * ------------------------------------------------------------------- */

static const char *
failover_state_name(enum sn_info_failover s)
{
    switch (s) {
    case SN_INFO_FAILOVER_NONE:
        return "no-failover";
    case SN_INFO_FAILOVER_WAITING_FOR_SYNC:
        return "waiting-for-sync";
    case SN_INFO_FAILOVER_IN_PROGRESS:
        return "failover-in-progress";
    case SN_INFO_FAILOVER_ABSENT:
    case SN_INFO_FAILOVER_UNKNOWN:
        break;
    }
    return "unknown";
}

static void
render_server(struct sn_buf *b, const struct sn_info *in)
{
    sn_buf_puts(b, "# Server\r\n"
                   "redis_version:7.0.15\r\n"
                   "redis_mode:standalone\r\n"
                   "arch_bits:64\r\n");
    if (in->run_id[0] != '\0')
        sn_buf_printf(b, "run_id:%s\r\n", in->run_id);
    sn_buf_puts(b, "\r\n");
}

/* The replica's half: master_host .. replica_announced. */
static void
render_replica_of(struct sn_buf *b, const struct sn_info *in)
{
    bool slave = in->role == SN_ROLE_SLAVE;

    if (in->master_host[0] != '\0')
        sn_buf_printf(b, "master_host:%s\r\n", in->master_host);
    if (in->has_master_port)
        sn_buf_printf(b, "master_port:%d\r\n", in->master_port);
    if (in->master_link_status != SN_INFO_LINK_ABSENT)
        sn_buf_printf(b, "master_link_status:%s\r\n",
                      in->master_link_status == SN_INFO_LINK_UP ? "up"
                                                                 : "down");
    if (slave)
        sn_buf_printf(b, "master_last_io_seconds_ago:%d\r\n"
                         "master_sync_in_progress:0\r\n",
                      in->master_link_status == SN_INFO_LINK_UP ? 1 : -1);
    if (in->has_slave_repl_offset)
        sn_buf_printf(b, "slave_read_repl_offset:%llu\r\n"
                         "slave_repl_offset:%llu\r\n",
                      (unsigned long long)in->slave_repl_offset,
                      (unsigned long long)in->slave_repl_offset);
    if (in->has_master_link_down_since)
        sn_buf_printf(b, "master_link_down_since_seconds:%lld\r\n",
                      (long long)in->master_link_down_since_seconds);
    if (in->has_slave_priority)
        sn_buf_printf(b, "slave_priority:%d\r\n", in->slave_priority);
    if (slave)
        sn_buf_puts(b, "slave_read_only:1\r\n");
    if (slave || !in->replica_announced)
        sn_buf_printf(b, "replica_announced:%d\r\n",
                      in->replica_announced ? 1 : 0);
}

static void
render_replicas(struct sn_buf *b, const struct sn_info *in)
{
    size_t i;

    sn_buf_printf(b, "connected_slaves:%zu\r\n", in->replicas_count);
    for (i = 0; i < in->replicas_count; i++) {
        const struct sn_info_replica *r = &in->replicas[i];

        if (r->has_offset)
            sn_buf_printf(b, "slave%zu:ip=%s,port=%d,state=%s,"
                             "offset=%llu,lag=0\r\n",
                          i, r->host, r->port, replica_state_name(r->state),
                          (unsigned long long)r->offset);
        else
            sn_buf_printf(b, "slave%zu:%s,%d,%s\r\n", i, r->host, r->port,
                          replica_state_name(r->state));
    }
}

/* master_failover_state .. repl_backlog_histlen. */
static void
render_backlog(struct sn_buf *b, const struct sn_info *in)
{
    uint64_t off = in->has_master_repl_offset ? in->master_repl_offset : 0;
    bool active = off > 0 || in->replicas_count > 0 ||
                  in->role == SN_ROLE_SLAVE;

    if (in->master_failover_state != SN_INFO_FAILOVER_ABSENT)
        sn_buf_printf(b, "master_failover_state:%s\r\n",
                      failover_state_name(in->master_failover_state));
    /* Not the run id: Redis draws a replication id of its own. Any fixed
     * 40 hex characters will do for a reader that ignores it. */
    sn_buf_puts(b, "master_replid:8c6fe4f5d1a2b3c4d5e6f708192a3b4c5d6e7f80\r\n"
                   "master_replid2:0000000000000000000000000000000000000000"
                   "\r\n");
    if (in->has_master_repl_offset)
        sn_buf_printf(b, "master_repl_offset:%llu\r\n",
                      (unsigned long long)off);
    sn_buf_printf(b, "second_repl_offset:-1\r\n"
                     "repl_backlog_active:%d\r\n"
                     "repl_backlog_size:%d\r\n"
                     "repl_backlog_first_byte_offset:%d\r\n"
                     "repl_backlog_histlen:%llu\r\n",
                  active ? 1 : 0, INFO_BACKLOG_SIZE, active ? 1 : 0,
                  (unsigned long long)(off < INFO_BACKLOG_SIZE
                                           ? off
                                           : INFO_BACKLOG_SIZE));
}

char *
sn_info_render(const struct sn_info *in, size_t *len)
{
    struct sn_buf b;

    sn_buf_init(&b);
    render_server(&b, in);
    sn_buf_puts(&b, "# Replication\r\n");
    if (in->role != SN_ROLE_UNKNOWN)
        sn_buf_printf(&b, "role:%s\r\n", sn_info_role_name(in->role));
    render_replica_of(&b, in);
    render_replicas(&b, in);
    render_backlog(&b, in);
    return sn_buf_steal(&b, len);
}
