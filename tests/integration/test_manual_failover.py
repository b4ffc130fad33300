#!/usr/bin/python3
"""SENTINEL FAILOVER mymaster: +OK at once, no agreement needed; a replica
is promoted, every sentinel switches, and the old (healthy) master is
reconfigured as a replica of the new one."""

import re

import redis

import harness as h


def test(c):
    master, reps, sents = c.seed()
    c.wait_discovery(sents, [r.port for r in reps])
    sub = c.subscriber()
    P = master.port
    s0 = sents[0]

    # Errors first: an unknown master.
    try:
        s0.cmd('SENTINEL', 'FAILOVER', 'nosuchmaster')
        raise h.TestFailure('SENTINEL FAILOVER nosuchmaster succeeded')
    except redis.exceptions.ResponseError as e:
        h.check(str(e) == 'No such master with that name',
                'SENTINEL FAILOVER nosuchmaster: %r' % str(e))

    t0 = h.time.monotonic()
    r = s0.cmd('SENTINEL', 'FAILOVER', h.MASTER_NAME)
    h.check(r is True or r == 'OK', 'SENTINEL FAILOVER replied %r' % (r,))
    h.log('SENTINEL FAILOVER sent to %s' % s0.name)

    Q, _ = c.wait_new_master(sents, P, t0, after='SENTINEL FAILOVER')
    h.check(Q in [r.port for r in reps], 'new master %d is not a replica' % Q)
    for s in sents:
        sub.wait('+switch-master', 'mymaster 127.0.0.1 %d 127.0.0.1 %d'
                 % (P, Q), src=s.port)
    # The sentinel asked did it, without an election. Redis names the old
    # address in +failover-end (it switches after); a sentinel that
    # switches at promotion names the new one.
    e = sub.wait('+failover-end', re.compile(
        r'master mymaster 127\.0\.0\.1 (%d|%d)' % (P, Q)), src=s0.port)
    if e.data.endswith(' %d' % Q):
        h.log('NOTE: +failover-end names the new master (%s); '
              'redis-sentinel names the old one' % e.data)
    h.check(not sub.find('+sdown', 'master mymaster 127.0.0.1 %d' % P),
            'a manual failover of a healthy master produced +sdown: %r'
            % sub.find('+sdown'))

    new = c.server_by_port(Q)
    h.wait_until(lambda: new.role() == 'master', desc='%d role:master' % Q)
    for r in [master] + [x for x in reps if x.port != Q]:
        h.wait_until(lambda: r.replicates_from(Q), timeout=h.FAILOVER_TIMEOUT,
                     desc='%d to replicate from %d' % (r.port, Q))
    for s in sents:
        h.wait_until(lambda: int(s.master()['port']) == Q,
                     desc='%s: SENTINEL MASTER at %d' % (s.name, Q))
    h.check(new.client().set('age', 24) is True, 'write to the new master')

    # A second one right away, while the first has just ended: either OK
    # or INPROG, never anything else.
    try:
        r = s0.cmd('SENTINEL', 'FAILOVER', h.MASTER_NAME)
        h.log('second SENTINEL FAILOVER: %r' % (r,))
    except redis.exceptions.ResponseError as e:
        h.check(str(e).startswith(('INPROG', 'NOGOODSLAVE')),
                'second SENTINEL FAILOVER: %r' % str(e))
        h.log('second SENTINEL FAILOVER: -%s' % e)


if __name__ == '__main__':
    h.run(test)
