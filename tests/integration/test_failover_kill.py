#!/usr/bin/python3
"""kill -9 of the master in the seed topology: every sentinel answers the
new master, the events carry Redis's exact payloads, the other replica
follows, a replica still refuses writes, and the old master, restarted,
is turned into a replica of the new one."""

import re

import redis

import harness as h


def test(c):
    master, reps, sents = c.seed()
    c.wait_discovery(sents, [r.port for r in reps])
    sub = c.subscriber()
    P = master.port
    me = 'mymaster 127.0.0.1 %d' % P

    t0 = h.time.monotonic()
    master.kill9()
    h.log('kill -9 of the master %d' % P)

    # A sentinel sees it down, then one with the quorum. Not necessarily
    # every sentinel: one may learn of the new master from the leader's
    # hello before its own down-after-milliseconds has passed.
    e = sub.wait('+sdown', 'master ' + me)
    h.log('first +sdown (%d) %.3f s after the kill' % (e.src, e.t - t0))
    odown = re.compile(r'master mymaster 127\.0\.0\.1 %d #quorum (\d+)/2'
                       % P)
    e = sub.wait('+odown', odown)
    h.log('first +odown (%d) %.3f s after the kill: %s' % (e.src, e.t - t0,
                                                            e.data))
    for e in sub.find('+sdown', re.compile('master .*')):
        h.check(e.data == 'master ' + me, 'bad +sdown payload from %d: %r'
                % (e.src, e.data))
    for e in sub.find('+odown'):
        m = odown.fullmatch(e.data)
        h.check(m is not None and int(m.group(1)) >= 2,
                'bad +odown payload from %d: %r' % (e.src, e.data))

    Q, _ = c.wait_new_master(sents, P, t0)
    h.check(Q in [r.port for r in reps], 'new master %d is not one of the '
            'replicas' % Q)
    new = c.server_by_port(Q)
    other = [r for r in reps if r.port != Q][0]

    switch = 'mymaster 127.0.0.1 %d 127.0.0.1 %d' % (P, Q)
    for s in sents:
        e = sub.wait('+switch-master', switch, src=s.port)
        h.log('%s: +switch-master %.3f s after the kill' % (s.name,
                                                            e.t - t0))
    h.log('sentinels that published +sdown master: %s' % sorted(
        {e.src for e in sub.find('+sdown', 'master ' + me)}))
    for e in sub.find('+switch-master'):
        h.check(e.data == switch, 'bad +switch-master from %d: %r, expected '
                '%r' % (e.src, e.data, switch))

    h.wait_until(lambda: new.role() == 'master',
                 desc='%d to report role:master' % Q)
    h.wait_until(lambda: other.replicates_from(Q), timeout=h.FAILOVER_TIMEOUT,
                 desc='the other replica %d to follow %d' % (other.port, Q))
    h.log('the other replica %d follows the new master %d' % (other.port, Q))

    # The seed's two writes: refused on a replica, accepted on the new
    # master.
    try:
        other.client().set('age', 24)
        raise h.TestFailure('a write to the replica %d succeeded'
                            % other.port)
    except redis.exceptions.ReadOnlyError as e:
        h.check(str(e).startswith("You can't write against a read only "
                                  "replica"), 'READONLY text %r' % str(e))
    h.check(new.client().set('age', 24) is True,
            'set age 24 on the new master failed')

    for s in sents:
        h.wait_until(lambda: int(s.master()['port']) == Q,
                     desc='%s: SENTINEL MASTER at %d' % (s.name, Q))
    epochs = {s.port: int(s.master()['config-epoch']) for s in sents}
    h.check(len(set(epochs.values())) == 1 and min(epochs.values()) >= 1,
            'config epochs after the failover: %r' % epochs)

    # The old master comes back as a master; the sentinels demote it.
    t1 = h.time.monotonic()
    master.start()
    h.log('old master %d restarted' % P)
    conv = 'slave 127.0.0.1:%d 127.0.0.1 %d @ mymaster 127.0.0.1 %d' % (
        P, P, Q)
    e = sub.wait('+convert-to-slave', conv, since=t1)
    h.log('+convert-to-slave from %d %.3f s after the restart' % (e.src,
                                                                   e.t - t1))
    h.wait_until(lambda: master.replicates_from(Q), timeout=h.FAILOVER_TIMEOUT,
                 desc='the old master %d to replicate from %d' % (P, Q))
    h.check(master.client().get('age') == '24',
            'the old master did not sync the new data')
    for s in sents:
        h.wait_until(lambda: sorted(int(r['port']) for r in s.replicas()) ==
                     sorted([P, other.port]),
                     desc='%s: SENTINEL REPLICAS lists %d and %d' % (
                         s.name, P, other.port))

    h.log('events:')
    for e in sub.dump(t0):
        print('    +%7.3f %s' % (e.t - t0, str(e).split('] ', 1)[1]))


if __name__ == '__main__':
    h.run(test)
