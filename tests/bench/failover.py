#!/usr/bin/python3
"""failover.py: failover latency, ours next to redis-sentinel.

The seed topology with real redis-servers (a master, two replicas, three
sentinels of one kind, quorum 2), fresh on fresh ports for every trial.
The master is killed (kill -9) or stopped (SIGSTOP); from the signal, each
trial measures:

  +sdown        the first "+sdown master mymaster ..." seen by a subscriber
                (PSUBSCRIBE * on every sentinel)
  +odown        the first "+odown master mymaster ..."
  +switch       the first "+switch-master mymaster ..."
  all answer    every sentinel answering the new master from
                SENTINEL GET-MASTER-ADDR-BY-NAME (polled every 10 ms)
  first write   the first successful SET through redis-py's Sentinel client
                (master_for, 100 ms socket timeouts, retried every 10 ms)
  replica up    the other replica reporting master_link_status:up to the
                new master (INFO polled every 10 ms)

for each down-after-milliseconds (1000 and 5000 by default) and each way of
failing, alternating the two daemons trial by trial (and which goes first).
Tables give median, p90 and max per metric for each daemon with ours/redis
of the medians, then each median's excess over down-after and ours/redis
of the excesses (below 1: ours is faster; shown when both are positive).
Nothing is asserted.

usage: /usr/bin/python3 tests/bench/failover.py [--trials N]
           [--down-after 1000,5000] [--methods kill,stop]
           [--sentinel ours|redis|both]
"""

import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

from redis.sentinel import Sentinel  # noqa: E402

METRICS = [
    ('sdown', '+sdown'),
    ('odown', '+odown'),
    ('switch', '+switch-master'),
    ('answer', 'all answer new master'),
    ('write', 'first write (redis-py)'),
    ('replica', 'other replica link up'),
]
METHODS = {'kill': ('kill -9', signal.SIGKILL),
           'stop': ('SIGSTOP', signal.SIGSTOP)}
POLL = 0.01


class Trial:
    """One topology, one signal, the times at which things were seen."""

    def __init__(self, kind, down_after_ms, method, wait_s):
        self.kind = kind
        self.down_after_ms = down_after_ms
        self.method = method
        self.wait_s = wait_s
        self.t = {}             # metric -> seconds after the signal
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.t0 = None
        self.new_master = None
        self.replica_seen = {}  # replica port -> {master port: time}

    def mark(self, metric, when):
        with self.lock:
            if metric not in self.t and self.t0 is not None and when >= self.t0:
                self.t[metric] = when - self.t0

    # -- the topology

    def setup(self, wd):
        self.master = B.redis_server(wd, B.free_port())
        self.replicas = [B.redis_server(wd, B.free_port(), self.master.port)
                         for _ in range(2)]
        B.wait_until(lambda: all(self._linked(r, self.master.port)
                                 for r in self.replicas), 20,
                     desc='replicas in sync')
        self.sents = [B.sentinel(wd, self.kind,
                                 [(B.MASTER_NAME, self.master.port)],
                                 quorum=2, down_after_ms=self.down_after_ms)
                      for _ in range(3)]
        for s in self.sents:
            B.wait_until(lambda: self._discovered(s), 30,
                         desc='%s to see 2 replicas and 2 peers' % s.name)

    @staticmethod
    def _linked(r, port):
        i = B.client(r.port).info('replication')
        return (i.get('role') == 'slave' and int(i.get('master_port')) == port
                and i.get('master_link_status') == 'up')

    @staticmethod
    def _discovered(s):
        c = B.client(s.port)
        reps = [B.pairs(x) for x in c.execute_command(
            'SENTINEL', 'REPLICAS', B.MASTER_NAME)]
        if len(reps) != 2 or any(r.get('master-link-status') != 'ok'
                                 for r in reps):
            return False
        return len(c.execute_command('SENTINEL', 'SENTINELS',
                                     B.MASTER_NAME)) == 2

    # -- watchers, one thread each

    def _subscribe(self, port, ready):
        ps = None
        while not self.done.is_set():
            try:
                ps = B.client(port, 1.0).pubsub()
                ps.psubscribe('*')
                while not self.done.is_set():
                    m = ps.get_message(timeout=0.1)
                    if m is None:
                        continue
                    if m['type'] == 'psubscribe':
                        ready.set()
                    elif m['type'] == 'pmessage':
                        self._event(time.monotonic(), m['channel'], m['data'])
            except Exception:  # noqa: BLE001 - resubscribe
                time.sleep(0.05)
            finally:
                if ps is not None:
                    try:
                        ps.close()
                    except Exception:  # noqa: BLE001
                        pass

    def _event(self, when, channel, data):
        words = data.split()
        if channel in ('+sdown', '+odown') and words[:2] == [
                'master', B.MASTER_NAME]:
            self.mark(channel[1:], when)
        elif channel == '+switch-master' and words[:1] == [B.MASTER_NAME]:
            self.mark('switch', when)

    def _poll_sentinels(self):
        clients = [B.client(s.port, 0.5) for s in self.sents]
        first = {}      # sentinel -> (time, port) of its first new answer
        while not self.done.is_set():
            for i, c in enumerate(clients):
                if i in first:
                    continue
                try:
                    a = c.execute_command('SENTINEL',
                                          'GET-MASTER-ADDR-BY-NAME',
                                          B.MASTER_NAME)
                except Exception:  # noqa: BLE001
                    continue
                if self.t0 is not None and a and int(a[1]) != self.master.port:
                    first[i] = (time.monotonic(), int(a[1]))
            if len(first) == len(clients):
                self.new_master = first[0][1]
                self.mark('answer', max(t for t, _ in first.values()))
                return
            time.sleep(POLL)

    def _poll_replicas(self):
        clients = {r.port: B.client(r.port, 0.5) for r in self.replicas}
        while not self.done.is_set():
            for port, c in clients.items():
                try:
                    i = c.info('replication')
                except Exception:  # noqa: BLE001
                    continue
                now = time.monotonic()
                if (self.t0 is None or i.get('role') != 'slave' or
                        i.get('master_link_status') != 'up'):
                    continue
                mp = int(i.get('master_port'))
                if mp != self.master.port:
                    self.replica_seen.setdefault(port, {}).setdefault(mp, now)
            nm = self.new_master
            if nm is not None:
                for port, seen in self.replica_seen.items():
                    if port != nm and nm in seen:
                        self.mark('replica', seen[nm])
                        return
            time.sleep(POLL)

    def _writer(self, master):
        n = 0
        while not self.done.is_set():
            n += 1
            try:
                master.set('bench:failover', n)
                self.mark('write', time.monotonic())
                return
            except Exception:  # noqa: BLE001 - the master is gone: retry
                time.sleep(POLL)

    # -- one trial

    def run(self, wd):
        self.setup(wd)
        threads = []
        for s in self.sents:
            ready = threading.Event()
            t = threading.Thread(target=self._subscribe, args=(s.port, ready),
                                 daemon=True)
            t.start()
            threads.append(t)
            if not ready.wait(10):
                raise B.BenchError('no subscription on %s' % s.name)
        sentinel = Sentinel([(B.HOST, s.port) for s in self.sents],
                            socket_timeout=0.1, socket_connect_timeout=0.1,
                            sentinel_kwargs={'socket_timeout': 0.1,
                                             'socket_connect_timeout': 0.1})
        master = sentinel.master_for(B.MASTER_NAME, socket_timeout=0.1,
                                     socket_connect_timeout=0.1)
        # A client with a pooled connection to the master, as in life.
        master.set('bench:failover', 0)
        for fn in (self._poll_sentinels, self._poll_replicas):
            t = threading.Thread(target=fn, daemon=True)
            t.start()
            threads.append(t)
        time.sleep(0.1)

        self.t0 = time.monotonic()
        self.master.signal(METHODS[self.method][1])
        self._writer_thread = threading.Thread(target=self._writer,
                                               args=(master,), daemon=True)
        self._writer_thread.start()
        deadline = self.t0 + self.down_after_ms / 1000.0 + self.wait_s
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.t) == len(METRICS):
                    break
            time.sleep(0.05)
        self.done.set()
        for t in threads + [self._writer_thread]:
            t.join(2)
        master.connection_pool.disconnect()
        return self.t


def trial(kind, down_after_ms, method, args):
    wd = B.Workdir('sn-bench-failover-', keep=args.keep_tmp,
                   base=args.tmpdir)
    tr = Trial(kind, down_after_ms, method, args.wait)
    try:
        t = tr.run(wd)
    except B.BenchError as e:
        B.log('%s: trial failed: %s' % (kind, e))
        t = {}
    finally:
        if len(tr.t) < len(METRICS) and getattr(tr, 'sents', None):
            for s in tr.sents[:1]:
                B.log('%s log tail:\n  %s' % (s.name, '\n  '.join(
                    s.tail(s.logfile, 15))))
        B.stop_all()
        wd.close()
    ms = ' '.join('%s=%s' % (m, B.fmt(t[m] * 1000 if m in t else None))
                  for m, _ in METRICS)
    B.log('%-5s down-after %5d %-4s %s' % (kind, down_after_ms, method, ms))
    return t


def report(results, kinds, down_after_ms, method, trials):
    rows = []
    summary = {}
    for m, label in METRICS:
        cells = [label]
        med = {}
        for k in ('redis', 'ours'):
            xs = [r[m] * 1000 for r in results.get(k, []) if m in r]
            n = len(results.get(k, []))
            if k in kinds and xs:
                med[k] = B.median(xs)
                cells += ['%d/%d' % (len(xs), n), B.fmt(med[k]),
                          B.fmt(B.percentile(xs, 90)), B.fmt(max(xs))]
            else:
                cells += ['%d/%d' % (len(xs), n) if k in kinds else '-',
                          '-', '-', '-']
        ex = {k: med[k] - down_after_ms for k in med}
        # A ratio of excesses means something only when both are positive
        # (a sentinel may count down-after from its last reply, before the
        # signal, and so see +sdown sooner than down-after after it).
        rex = None
        if ex.get('redis', 0) > 0 and ex.get('ours', 0) > 0:
            rex = B.ratio(ex['ours'], ex['redis'])
        cells += [B.fmt_ratio(B.ratio(med.get('ours'), med.get('redis'))),
                  B.fmt(ex.get('redis')), B.fmt(ex.get('ours')),
                  B.fmt_ratio(rex)]
        summary[m] = ex
        rows.append(cells)
    B.table(['metric (ms from signal)',
             'redis ok', 'median', 'p90', 'max',
             'ours ok', 'median', 'p90', 'max', 'ours/redis',
             'excess redis', 'excess ours', 'ours/redis'],
            rows,
            title='Failover: down-after %d ms, %s of the master, %d trials '
                  'per daemon' % (down_after_ms, METHODS[method][0], trials))
    return summary


def main():
    p = B.argparser(__doc__)
    p.add_argument('--trials', type=int, default=10)
    p.add_argument('--down-after', default='1000,5000',
                   help='comma-separated down-after-milliseconds values')
    p.add_argument('--methods', default='kill,stop',
                   help='comma-separated: kill (kill -9), stop (SIGSTOP)')
    p.add_argument('--wait', type=float, default=60.0,
                   help='seconds to wait after down-after for a failover')
    args = p.parse_args()
    kinds = B.kinds_from_args(args)
    das = [int(x) for x in args.down_after.split(',') if x]
    methods = [x for x in args.methods.split(',') if x]
    for m in methods:
        if m not in METHODS:
            raise SystemExit('unknown method %r' % m)
    print('failover.py: %s; sentinels: %s' % (
        B.machine_line(), ', '.join('%s=%s' % (k, B.BINS[k]) for k in kinds)),
        flush=True)
    for da in das:
        for method in methods:
            results = {k: [] for k in kinds}
            for i in range(args.trials):
                order = kinds if i % 2 == 0 else list(reversed(kinds))
                for k in order:
                    results[k].append(trial(k, da, method, args))
            report(results, kinds, da, method, args.trials)


if __name__ == '__main__':
    main()
