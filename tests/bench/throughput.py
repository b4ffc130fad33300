#!/usr/bin/python3
"""throughput.py: query throughput, ours next to redis-sentinel.

One real redis-server master with two replicas, and one sentinel of each
kind monitoring it (both at once, on their own ports: they see each other
through hello messages, as sentinels of a mixed deployment would). Then
redis-benchmark (redis-tools), 50 clients, against each sentinel in turn:

  PING                                          unpipelined and -P 16
  SENTINEL get-master-addr-by-name mymaster     unpipelined and -P 16

Each figure is the median of --runs runs (3 by default); runs alternate
the two daemons. The table gives requests per second and ours/redis (above
1: ours serves more). redis-benchmark runs on the same machine and takes a
core of its own; both daemons share that handicap. Nothing is asserted.

usage: /usr/bin/python3 tests/bench/throughput.py [--runs 3]
           [--requests 100000] [--requests-pipelined 400000]
           [--sentinel ours|redis|both]
"""

import csv
import io
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

TESTS = [
    ('PING', ['PING']),
    ('get-master-addr-by-name',
     ['SENTINEL', 'get-master-addr-by-name', B.MASTER_NAME]),
]


def bench(port, cmd, clients, requests, pipeline):
    argv = ['redis-benchmark', '-h', B.HOST, '-p', str(port),
            '-c', str(clients), '-n', str(requests), '--csv']
    if pipeline > 1:
        argv += ['-P', str(pipeline)]
    r = subprocess.run(argv + cmd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=300)
    rows = list(csv.reader(io.StringIO(r.stdout)))
    if r.returncode != 0 or len(rows) < 2:
        raise B.BenchError('redis-benchmark failed (%d): %s %s' % (
            r.returncode, r.stdout[-300:], r.stderr[-300:]))
    head, vals = rows[0], rows[-1]
    return float(vals[head.index('rps')])


def main():
    p = B.argparser(__doc__)
    p.add_argument('--runs', type=int, default=3)
    p.add_argument('--clients', type=int, default=50)
    p.add_argument('--requests', type=int, default=100000)
    p.add_argument('--requests-pipelined', type=int, default=400000)
    args = p.parse_args()
    if shutil.which('redis-benchmark') is None:
        raise SystemExit('redis-benchmark not found (apt-get install '
                         'redis-tools)')
    kinds = B.kinds_from_args(args)
    print('throughput.py: %s; sentinels: %s' % (
        B.machine_line(), ', '.join('%s=%s' % (k, B.BINS[k]) for k in kinds)),
        flush=True)
    wd = B.Workdir('sn-bench-throughput-', keep=args.keep_tmp,
                   base=args.tmpdir)
    try:
        master = B.redis_server(wd, B.free_port())
        for _ in range(2):
            B.redis_server(wd, B.free_port(), master.port)
        sents = {k: B.sentinel(wd, k, [(B.MASTER_NAME, master.port)],
                               quorum=2, down_after_ms=5000) for k in kinds}
        for k, s in sents.items():
            a = B.client(s.port).execute_command(
                'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', B.MASTER_NAME)
            if not a or int(a[1]) != master.port:
                raise B.BenchError('%s answers %r, not the master' % (k, a))
        rps = {}
        for run in range(args.runs):
            order = kinds if run % 2 == 0 else list(reversed(kinds))
            for name, cmd in TESTS:
                for pl in (1, 16):
                    for k in order:
                        n = args.requests if pl == 1 else \
                            args.requests_pipelined
                        v = bench(sents[k].port, cmd, args.clients, n, pl)
                        rps.setdefault((name, pl, k), []).append(v)
                        B.log('run %d %-5s %-24s -P %-2d %10.0f rps' % (
                            run + 1, k, name, pl, v))
        for k, s in sents.items():
            if not s.alive():
                raise B.BenchError('%s exited during the benchmark' % s.name)
        rows = []
        for name, _ in TESTS:
            for pl in (1, 16):
                med = {k: B.median(rps.get((name, pl, k), [])) for k in
                       ('redis', 'ours')}
                rows.append([name, str(pl), B.fmt(med['redis']),
                             B.fmt(med['ours']),
                             B.fmt_ratio(B.ratio(med['ours'],
                                                 med['redis']))])
        B.table(['command', 'pipeline', 'redis rps', 'ours rps',
                 'ours/redis'], rows,
                title='Query throughput: redis-benchmark, %d clients, '
                      'median of %d runs' % (args.clients, args.runs))
    finally:
        B.stop_all()
        wd.close()


if __name__ == '__main__':
    main()
