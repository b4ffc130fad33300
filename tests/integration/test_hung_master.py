#!/usr/bin/python3
"""A hung master (SIGSTOP): its sockets stay open but nothing answers.
The sentinels fail over to a replica; after SIGCONT the old master, which
still believes it is a master, is turned into a replica of the new one."""

import redis

import harness as h


def test(c):
    master, reps, sents = c.seed()
    c.wait_discovery(sents, [r.port for r in reps])
    sub = c.subscriber()
    P = master.port

    t0 = h.time.monotonic()
    master.sigstop()
    h.log('SIGSTOP to the master %d' % P)
    # At least one sees it down (the others may hear of the new master
    # first).
    sub.wait('+sdown', 'master mymaster 127.0.0.1 %d' % P)
    Q, _ = c.wait_new_master(sents, P, t0, after='SIGSTOP')
    h.check(Q in [r.port for r in reps], 'new master %d is not a replica' % Q)
    for s in sents:
        sub.wait('+switch-master', 'mymaster 127.0.0.1 %d 127.0.0.1 %d'
                 % (P, Q), src=s.port)
    other = [r for r in reps if r.port != Q][0]
    h.wait_until(lambda: other.replicates_from(Q), timeout=h.FAILOVER_TIMEOUT,
                 desc='the other replica %d to follow %d' % (other.port, Q))

    t1 = h.time.monotonic()
    master.sigcont()
    h.log('SIGCONT to the old master %d' % P)
    e = sub.wait('+convert-to-slave',
                 'slave 127.0.0.1:%d 127.0.0.1 %d @ mymaster 127.0.0.1 %d'
                 % (P, P, Q), since=t1)
    h.log('+convert-to-slave from %d %.3f s after SIGCONT' % (e.src,
                                                               e.t - t1))
    h.wait_until(lambda: master.replicates_from(Q), timeout=h.FAILOVER_TIMEOUT,
                 desc='the old master %d to replicate from %d' % (P, Q))
    try:
        master.client().set('k', 'v')
        raise h.TestFailure('the old master still accepts writes')
    except redis.exceptions.ReadOnlyError:
        pass
    for s in sents:
        h.check(s.master_addr() == (h.HOST, Q),
                '%s: answers %r after SIGCONT' % (s.name, s.master_addr()))


if __name__ == '__main__':
    h.run(test)
