#!/usr/bin/python3
"""measure_failover.py: how long after kill -9 of the master every sentinel
answers the new master (SENTINEL GET-MASTER-ADDR-BY-NAME, polled every
10 ms), for our sentinel and for redis-sentinel, measured the same way in
the same run. The seed case: a master, 2 replicas, 3 sentinels, quorum 2,
down-after-milliseconds 1000. Not a test: it prints a table.

    tests/integration/measure_failover.py [ROUNDS]   (default 5 per kind)
"""

import statistics
import sys

import harness as h


def one(kind):
    c = h.Cluster(prefix='sn-measure-')
    try:
        master, reps, sents = c.seed(kinds=[kind] * 3)
        c.wait_discovery(sents, [r.port for r in reps])
        t0 = h.time.monotonic()
        master.kill9()
        _, first = c.wait_new_master(sents, master.port, t0)
        return max(v[0] for v in first.values())
    finally:
        c.close()


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    res = {'ours': [], 'redis': []}
    for i in range(rounds):
        for kind in ('ours', 'redis'):
            t = one(kind)
            res[kind].append(t)
            print('round %d %-5s %.3f s' % (i + 1, kind, t), flush=True)
    print('\nkill -9 -> every sentinel answers the new master '
          '(down-after 1000 ms, %d rounds)' % rounds)
    print('%-6s %8s %8s %8s' % ('', 'min', 'median', 'max'))
    for kind, ts in res.items():
        print('%-6s %7.3fs %7.3fs %7.3fs' % (kind, min(ts),
                                            statistics.median(ts), max(ts)))


if __name__ == '__main__':
    for k in ('ours', 'redis'):
        if not h.os.access(h.sentinel_bin(k), h.os.X_OK):
            sys.exit('%s not found (SN_SENTINEL_BIN?)' % h.sentinel_bin(k))
    try:
        main()
    finally:
        h._kill_everything()
