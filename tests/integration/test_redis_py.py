#!/usr/bin/python3
"""redis-py's own Sentinel support against the sentinels: a client from
Sentinel([...]).master_for('mymaster') keeps INCRementing a counter across
a kill -9 failover. Only transient errors are allowed while the master is
away (ConnectionError, which includes MasterNotFoundError, TimeoutError,
ReadOnlyError), and writes succeed again, on the new master, afterwards."""

import collections

import redis
from redis.sentinel import Sentinel

import harness as h

TRANSIENT = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
             redis.exceptions.ReadOnlyError)
WRITES_AFTER = 200


def test(c):
    master, reps, sents = c.seed()
    c.wait_discovery(sents, [r.port for r in reps])
    P = master.port

    sn = Sentinel([(h.HOST, s.port) for s in sents], socket_timeout=0.5,
                  socket_connect_timeout=0.5)
    h.check(sn.discover_master(h.MASTER_NAME) == (h.HOST, P),
            'discover_master: %r' % (sn.discover_master(h.MASTER_NAME),))
    h.check(sorted(p for _, p in sn.discover_slaves(h.MASTER_NAME)) ==
            sorted(r.port for r in reps),
            'discover_slaves: %r' % sn.discover_slaves(h.MASTER_NAME))
    m = sn.master_for(h.MASTER_NAME, socket_timeout=0.5,
                      socket_connect_timeout=0.5, decode_responses=True)
    m.delete('counter')

    ok_before = 0
    ok_after = 0
    errors = collections.Counter()
    first_error = last_error = None
    killed_at = None
    back_at = None
    last_value = 0
    deadline = h.time.monotonic() + h.FAILOVER_TIMEOUT + 30
    while ok_after < WRITES_AFTER:
        h.check(h.time.monotonic() < deadline,
                'writes did not come back: %d ok after the kill, errors %r'
                % (ok_after, dict(errors)))
        if killed_at is None and ok_before >= 100:
            master.kill9()
            killed_at = h.time.monotonic()
            h.log('kill -9 of the master %d after %d writes' % (P, ok_before))
        try:
            v = m.incr('counter')
        except TRANSIENT as e:
            h.check(killed_at is not None, 'error before the kill: %r' % e)
            errors[type(e).__name__] += 1
            now = h.time.monotonic()
            first_error = first_error or now
            last_error = now
            h.time.sleep(0.01)
            continue
        except redis.exceptions.RedisError as e:
            raise h.TestFailure('non-transient error %s: %s'
                                % (type(e).__name__, e))
        if killed_at is None:
            h.check(v == last_value + 1, 'counter went %d -> %d before the '
                    'kill' % (last_value, v))
            ok_before += 1
        else:
            if back_at is None:
                back_at = h.time.monotonic()
                # Replication is asynchronous: not asserted, reported.
                h.log('first write after the kill succeeded %.3f s after it'
                      ' (counter %d: %d acknowledged writes lost)'
                      % (back_at - killed_at, v, last_value + 1 - v))
            else:
                h.check(v == last_value + 1, 'counter went %d -> %d after '
                        'the failover' % (last_value, v))
            ok_after += 1
        last_value = v
    h.log('errors while the master was away: %r, from +%.3f to +%.3f s'
          % (dict(errors), (first_error or killed_at) - killed_at,
             (last_error or killed_at) - killed_at))
    Q = sn.discover_master(h.MASTER_NAME)[1]
    h.check(Q != P and Q in [r.port for r in reps],
            'discover_master after the failover: %d' % Q)
    h.check(int(c.server_by_port(Q).client().get('counter')) == last_value,
            'the counter on the new master %d is not the last value %d'
            % (Q, last_value))
    # A replica client from redis-py too: reads work, writes are refused.
    sl = sn.slave_for(h.MASTER_NAME, socket_timeout=0.5,
                      decode_responses=True)
    h.wait_until(lambda: sl.get('counter') is not None,
                 timeout=h.FAILOVER_TIMEOUT, desc='slave_for to read')
    h.log('%d writes before the kill, %d after; master now %d'
          % (ok_before, ok_after, Q))


if __name__ == '__main__':
    h.run(test)
