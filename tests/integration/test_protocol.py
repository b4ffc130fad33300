#!/usr/bin/python3
"""Wire checks with raw sockets. Our sentinel and a redis-sentinel watch
the same master and replica (and see each other); the same requests go to
both and the replies are compared:
  exact   the bytes must be the same (error texts, fixed replies, and
          addresses both must agree on);
  fields  instance maps and other name/value replies: the same field names
          in the same order, every value of the same RESP type (values may
          differ);
  shape   the same RESP types, recursively.
Plus checks of our reply on its own: PING, the SENTINEL MASTERS field order
(Redis's), the unknown-command error, and what we answer on purpose where
redis-sentinel 7.0 does not (SENTINEL PRIMARY/PRIMARIES, ECHO, QUIT). Every
mismatch is printed before the test fails."""

import harness as h

# SENTINEL MASTER(S) field order, with the fields that come and go with
# the state (marked optional) in their places.
MASTER_FIELDS = [
    'name', 'ip', 'port', 'runid', 'flags', 'link-pending-commands',
    'link-refcount', '?failover-state', 'last-ping-sent',
    'last-ok-ping-reply', 'last-ping-reply', '?s-down-time', '?o-down-time',
    'down-after-milliseconds', 'info-refresh', 'role-reported',
    'role-reported-time', 'config-epoch', 'num-slaves',
    'num-other-sentinels', 'quorum', 'failover-timeout', 'parallel-syncs',
    '?notification-script', '?client-reconfig-script',
]


def field_order_ok(names, spec):
    """names is spec with some optional ('?') entries left out."""
    i = 0
    for want in spec:
        opt = want.startswith('?')
        want = want.lstrip('?')
        if i < len(names) and names[i] == want:
            i += 1
        elif not opt:
            return False
    return i == len(names)


def is_flat_map(r):
    return (r.type == '*' and r.val is not None and len(r.val) % 2 == 0 and
            len(r.val) > 0 and all(x.type == '$' for x in r.val[0::2]))


def fields(r):
    if is_flat_map(r):
        return ('map', [x.val.decode() for x in r.val[0::2]],
                [fields(x) for x in r.val[1::2]])
    if r.type == '%':
        return ('%', [x.py() for x in r.val[0::2]],
                [fields(x) for x in r.val[1::2]])
    if r.type in '*~>' and r.val is not None:
        return (r.type, [fields(x) for x in r.val])
    return r.type


def shape(r):
    if r.type in '*~>%|' and r.val is not None:
        return (r.type, [shape(x) for x in r.val])
    return r.type


def exact(r):
    if r.type in '*~>%|' and r.val is not None:
        return (r.type, [exact(x) for x in r.val])
    return (r.type, r.val)


NORM = {'exact': exact, 'fields': fields, 'shape': shape}


def info_keys(text):
    """[(section, [keys...])] of an INFO text."""
    out = []
    for line in text.splitlines():
        if line.startswith('# '):
            out.append((line[2:], []))
        elif ':' in line and out:
            out[-1][1].append(line.split(':', 1)[0])
    return out


class Compare:
    def __init__(self, ours, theirs):
        self.ours, self.theirs = ours, theirs
        self.mismatches = []
        self.notes = []
        self.n = 0

    def fail(self, what, ours, theirs):
        self.mismatches.append((what, ours, theirs))
        print('MISMATCH %s\n    ours:  %r\n    redis: %r' % (what, ours,
                                                              theirs))

    def req(self, mode, *args, raw=None, closes=None, newer=()):
        """Send the same request on fresh connections to both. `newer`:
        fields of a flat name/value reply that Redis versions after 7.0 add
        and we may answer (left out of the comparison, noted)."""
        self.n += 1
        what = ' '.join(map(str, args)) if raw is None else repr(raw)
        replies = []
        closed = []
        for port in (self.ours, self.theirs):
            c = h.RawConn(port)
            try:
                if raw is not None:
                    c.send_raw(raw)
                else:
                    c.send(*args)
                replies.append(c.read())
                closed.append(c.closed_by_peer(0.5) if closes is not None
                              else None)
            finally:
                c.close()
        if newer and is_flat_map(replies[0]):
            kept = []
            for k, v in zip(replies[0].val[0::2], replies[0].val[1::2]):
                if k.val.decode() in newer:
                    self.notes.append('%s: ours has %s (Redis >= 7.2)'
                                      % (what, k.val.decode()))
                    print('NOTE ' + self.notes[-1])
                else:
                    kept += [k, v]
            replies[0] = h.Reply('*', kept)
        a, b = (NORM[mode](x) for x in replies)
        if h.VERBOSE:
            print('%-50s %r' % (what[:50], replies[1]))
        if a != b:
            self.fail('%s [%s]' % (what, mode), replies[0], replies[1])
        elif closed[0] != closed[1]:
            self.fail('%s: connection closed after the reply' % what,
                      closed[0], closed[1])
        return replies[0]

    def seq(self, mode, steps, label):
        """A sequence of requests on one connection each side; compares
        every reply."""
        self.n += 1
        got = []
        for port in (self.ours, self.theirs):
            c = h.RawConn(port)
            try:
                out = []
                for args in steps:
                    c.send(*args)
                    out.append(c.read())
                got.append(out)
            finally:
                c.close()
        for i, args in enumerate(steps):
            m = mode[i] if isinstance(mode, list) else mode
            if NORM[m](got[0][i]) != NORM[m](got[1][i]):
                self.fail('%s: %s [%s]' % (label, ' '.join(map(str, args)),
                                           m), got[0][i], got[1][i])
        return got[0]


def deliberate(cmp, ours, theirs):
    """Deliberate differences: redis-sentinel 7.0 does not know these (the
    PRIMARY spellings are Valkey's, QUIT and ECHO are not sentinel commands
    in Redis 7.0); we answer them as Valkey or a Redis server does."""
    cn = h.RawConn(ours.port)
    theirs_cn = h.RawConn(theirs.port)
    for args, like in ((('SENTINEL', 'PRIMARY', 'mymaster'),
                        ('SENTINEL', 'MASTER', 'mymaster')),
                       (('SENTINEL', 'PRIMARIES'), ('SENTINEL', 'MASTERS'))):
        a, b = cn.call(*args), theirs_cn.call(*like)
        if fields(a) != fields(b):
            cmp.fail('%s like redis-sentinel\'s %s' % (' '.join(args),
                                                       ' '.join(like)), a, b)
    r = cn.call('ECHO', 'x')
    if (r.type, r.val) != ('$', b'x'):
        cmp.fail('ECHO x (expected $x)', r, None)
    r = cn.call('QUIT')
    if (r.type, r.val) != ('+', 'OK') or not cn.closed_by_peer(2.0):
        cmp.fail('QUIT (expected +OK, then the connection closed)', r, None)
    cn.close()
    theirs_cn.close()


def test(c):
    master = c.redis()
    rep = c.redis(master=master)
    h.wait_until(lambda: rep.replicates_from(master.port), desc='replica')
    ours = c.sentinel(master.port, kind=h.default_kind())
    theirs = c.sentinel(master.port, kind='redis')
    c.wait_discovery([ours, theirs], [rep.port])
    P = master.port

    # Our replies on their own.
    conn = h.RawConn(ours.port)
    conn.send(b'PING')
    conn.send_raw(b'PING\r\n')
    for how in ('multibulk', 'inline'):
        r = conn.read()
        h.check((r.type, r.val) == ('+', 'PONG'), 'PING (%s): %r' % (how, r))
    r = conn.call('SENTINEL', 'MASTERS')
    h.check(r.type == '*' and len(r.val) == 1, 'SENTINEL MASTERS: %r' % r)
    m = r.val[0]
    h.check(is_flat_map(m) and all(x.type == '$' for x in m.val),
            'SENTINEL MASTERS[0] is not a flat array of bulk strings: %r' % m)
    names = [x.val.decode() for x in m.val[0::2]]
    h.check(field_order_ok(names, MASTER_FIELDS),
            'SENTINEL MASTERS field order:\n  %r\nexpected (? = optional):\n'
            '  %r' % (names, MASTER_FIELDS))
    d = m.py()
    d = dict(zip(d[0::2], d[1::2]))
    h.check((d['name'], d['ip'], d['port']) == ('mymaster', h.HOST, str(P)),
            'SENTINEL MASTERS name/ip/port: %r' % d)
    r = conn.call('FOO', 'bar')
    h.check(r.type == '-' and r.val.startswith("ERR unknown command 'FOO'"),
            'FOO bar: %r' % r)
    conn.close()

    # The same requests to both.
    cmp = Compare(ours.port, theirs.port)
    R = cmp.req
    R('exact', 'PING')
    R('exact', 'ping', 'hello')
    R('exact', raw=b'PING\r\n')
    R('exact', raw=b'  ping   "a b"  \r\n')
    R('exact', 'FOO', 'bar', 'baz')
    R('exact', 'FOO')
    R('exact', 'SELECT', '1')
    R('exact', 'CONFIG', 'GET', '*')
    R('exact', 'GET', 'x')
    R('exact', 'SENTINEL')
    R('exact', 'SENTINEL', 'NOSUCH')
    R('exact', 'sentinel', 'master')
    R('exact', 'SENTINEL', 'MASTER', 'nosuch')
    R('exact', 'SENTINEL', 'MASTERS', 'extra')
    R('fields', 'SENTINEL', 'MASTERS')
    R('fields', 'SENTINEL', 'MASTER', 'mymaster')
    R('fields', 'SENTINEL', 'REPLICAS', 'mymaster')
    R('fields', 'SENTINEL', 'SLAVES', 'mymaster')
    R('exact', 'SENTINEL', 'REPLICAS', 'nosuch')
    R('fields', 'SENTINEL', 'SENTINELS', 'mymaster')
    R('exact', 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')
    R('exact', 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'nosuch')
    R('exact', 'SENTINEL', 'CKQUORUM', 'mymaster')
    R('exact', 'SENTINEL', 'CKQUORUM', 'nosuch')
    R('exact', 'SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', h.HOST, P, '0', '*')
    R('exact', 'SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', h.HOST, '1', '0', '*')
    R('exact', 'SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', h.HOST, 'x', '0', '*')
    R('shape', 'SENTINEL', 'MYID')
    R('exact', 'ROLE')
    R('fields', 'SENTINEL', 'CONFIG', 'GET', '*', newer=('loglevel',))
    R('exact', 'SENTINEL', 'CONFIG', 'GET', 'resolve-hostnames')
    R('exact', 'SENTINEL', 'CONFIG', 'SET', 'bogus', '1')
    R('exact', 'SENTINEL', 'CONFIG', 'SET', 'announce-port', 'x')
    R('shape', 'SENTINEL', 'INFO-CACHE', 'mymaster')
    R('exact', 'SENTINEL', 'INFO-CACHE', 'nosuch')
    R('exact', 'SENTINEL', 'PENDING-SCRIPTS')
    R('exact', 'SENTINEL', 'SIMULATE-FAILURE', 'HELP')
    R('exact', 'SENTINEL', 'SIMULATE-FAILURE', 'bogus')
    R('exact', 'SENTINEL', 'SET', 'mymaster', 'bogus', '1')
    R('exact', 'SENTINEL', 'SET', 'mymaster', 'quorum', 'x')
    R('exact', 'SENTINEL', 'SET', 'nosuch', 'quorum', '2')
    R('exact', 'SENTINEL', 'SET', 'mymaster', 'quorum')
    R('fields', 'SENTINEL', 'DEBUG')
    R('exact', 'SENTINEL', 'DEBUG', 'bogus', '1')
    R('shape', 'SENTINEL', 'HELP')
    R('exact', 'SENTINEL', 'RESET', 'nomatch*')
    R('exact', 'SENTINEL', 'FLUSHCONFIG')
    R('exact', 'SENTINEL', 'FAILOVER', 'nosuch')
    R('exact', 'SENTINEL', 'MONITOR', 'x', h.HOST, 'abc', '2')
    R('exact', 'SENTINEL', 'MONITOR', 'x', h.HOST, '70000', '2')
    R('exact', 'SENTINEL', 'MONITOR', 'x', h.HOST, '6379', '0')
    R('exact', 'SENTINEL', 'MONITOR', 'x', h.HOST, '6379', 'q')
    R('exact', 'SENTINEL', 'MONITOR', 'x', 'not-an-ip', '6379', '2')
    R('exact', 'SENTINEL', 'MONITOR', 'mymaster', h.HOST, '6379', '2')
    R('exact', 'SENTINEL', 'REMOVE', 'nosuch')
    R('exact', 'AUTH', 'x')
    R('exact', 'AUTH', 'u', 'x')
    R('exact', 'PUBLISH', 'foo', 'bar')
    R('exact', 'CLIENT', 'SETNAME', 'x y')
    R('exact', 'CLIENT', 'GETNAME')
    R('exact', 'CLIENT', 'BOGUS')
    R('shape', 'CLIENT', 'ID')
    R('shape', 'COMMAND', 'COUNT')
    R('fields', 'HELLO', '2')
    R('exact', 'HELLO', '4')
    R('exact', 'UNSUBSCRIBE')
    R('exact', 'PUNSUBSCRIBE')
    R('exact', raw=b'SET "a\r\n', closes=True)
    R('exact', raw=b'*x\r\n', closes=True)
    R('exact', raw=b'*1\r\n$x\r\n', closes=True)
    R('exact', raw=b'*1\r\n-x\r\n', closes=True)


    if ours.kind != 'redis':
        deliberate(cmp, ours, theirs)

    cmp.seq(['exact', 'exact', 'exact', 'exact', 'exact'],
            [('CLIENT', 'SETNAME', 'probe'), ('CLIENT', 'GETNAME'),
             ('SUBSCRIBE', 'a', 'b'), ('PING',), ('UNSUBSCRIBE',)],
            'one connection')
    cmp.seq(['exact', 'exact', 'exact'],
            [('PSUBSCRIBE', '+switch-master'), ('PING', 'x'),
             ('GET', 'x')], 'subscribed')
    cmp.seq(['fields', 'fields', 'fields', 'exact', 'exact', 'fields'],
            [('HELLO', '3'), ('SENTINEL', 'MASTER', 'mymaster'),
             ('SENTINEL', 'MASTERS'),
             ('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'nosuch'),
             ('SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', h.HOST, P, '0', '*'),
             ('HELLO', '2')], 'RESP3')

    # INFO: the same sections in the same order; the sentinel section with
    # the same keys in the same order and the same master line. The other
    # sections' key differences are only noted.
    infos = []
    for s in (ours, theirs):
        cn = h.RawConn(s.port)
        infos.append([cn.call('INFO').py(), cn.call('INFO', 'sentinel').py(),
                      cn.call('INFO', 'bogus').py()])
        cn.close()
    (oa, os_, ob), (ta, ts, tb) = infos
    ok, tk = info_keys(oa), info_keys(ta)
    if [s for s, _ in ok] != [s for s, _ in tk]:
        cmp.fail('INFO sections', [s for s, _ in ok], [s for s, _ in tk])
    if info_keys(os_) != info_keys(ts):
        cmp.fail('INFO sentinel keys', info_keys(os_), info_keys(ts))
    mo = [ln for ln in os_.splitlines() if ln.startswith('master0:')]
    mt = [ln for ln in ts.splitlines() if ln.startswith('master0:')]
    if mo != mt:
        cmp.fail('INFO sentinel master0 line', mo, mt)
    if ob != tb:
        cmp.fail('INFO bogus', ob, tb)
    for (sec, keys), (_, rkeys) in zip(ok, tk):
        missing = [k for k in rkeys if k not in keys]
        extra = [k for k in keys if k not in rkeys]
        if missing or extra:
            print('NOTE INFO %s: missing %r, extra %r' % (sec, missing, extra))
    for k in ('redis_version', 'maxclients', 'used_cpu_user', 'sentinel_tilt'):
        h.check(k + ':' in oa, 'INFO lacks %s' % k)
    for k in ('used_memory', 'rdb_last_bgsave', 'master_repl_offset',
              'cluster_enabled'):
        h.check(k + ':' not in oa, 'INFO has %s' % k)

    h.log('%d comparisons, %d mismatches' % (cmp.n + 4, len(cmp.mismatches)))
    h.check(not cmp.mismatches, '%d replies differ from redis-sentinel: %s'
            % (len(cmp.mismatches), '; '.join(w for w, _, _ in
                                               cmp.mismatches)))


if __name__ == '__main__':
    h.run(test, kinds_needed=[h.default_kind(), 'redis'])
