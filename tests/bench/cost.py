#!/usr/bin/python3
"""cost.py: what a sentinel costs to run, ours next to redis-sentinel.

1. Idle in the seed topology: for each daemon, a real redis-server master
   with two replicas and three sentinels (quorum 2). Both topologies run
   at the same time and are sampled over the same --window seconds: RSS
   (VmRSS) and CPU (utime + stime from /proc/PID/stat), averaged over the
   three sentinels of a kind.

2. A fleet: tests/bench/fleet serves --masters masters with two replicas
   each (3,000 endpoints for 1,000 masters) from one process. One sentinel
   monitors all of them (quorum 1, down-after --down-after ms). Measured:
   the time from its start until every master reports two replicas and
   every replica's link is up (SENTINEL MASTERS flags "master", num-slaves
   2; SENTINEL REPLICAS flags "slave", master-link-status ok); then RSS and
   CPU over --window seconds.

3. A storm: --storm masters of that fleet die at once (the fleet closes
   their listeners and connections, as kill -9 would). Measured: the time
   until the sentinel has published +switch-master for every one of them,
   and whether the fleet's roles agree (one replica promoted, the other
   replicating from it).

   Why one sentinel with quorum 1: three sentinels would triple the fleet's
   connections (two per endpoint per sentinel: 18,000 descriptors in one
   process) and mix three processes' costs; one sentinel that fails over
   alone measures exactly one daemon's work per master. The seed runs
   measure the three-sentinel case.

Files (configs the sentinels rewrite, logs) live in /dev/shm unless
--tmpdir says otherwise. Why: redis-sentinel rewrites and fsyncs its whole
config for every replica it discovers; with 1,000 masters on this
machine's shared disk (about 10 ms per fsync) that blocks it long enough to
time its own links out and fail healthy masters over, which measures the
disk, not the daemon. On tmpfs it still spends about 50 ms of CPU per
rewrite (about 110 s to discover 2,000 replicas), which is its own cost.

Each daemon gets a fresh fleet, one after the other. Per-master figures
are the increment from the seed to the fleet, divided by the extra masters.
Nothing is asserted.

usage: /usr/bin/python3 tests/bench/cost.py --fleet-bin PATH
           [--masters 1000] [--storm 100] [--window 30]
           [--sentinel ours|redis|both]
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

NOFILE = 65536


# --------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------

def sample(procs, window):
    """Mean RSS (KiB, sampled each second) and CPU seconds per second of
    each process over the window."""
    cpu0 = {p: B.cpu_seconds(p.pid) for p in procs}
    t0 = time.monotonic()
    rss = {p: [] for p in procs}
    while True:
        for p in procs:
            if not p.alive():
                raise B.BenchError('%s exited while measured' % p.name)
            rss[p].append(B.rss_kib(p.pid))
        left = t0 + window - time.monotonic()
        if left <= 0:
            break
        time.sleep(min(1.0, left))
    dt = time.monotonic() - t0
    return {p: (B.median(rss[p]), (B.cpu_seconds(p.pid) - cpu0[p]) / dt)
            for p in procs}


# --------------------------------------------------------------------------
# 1. The seed topology, idle
# --------------------------------------------------------------------------

def discovered(s):
    c = B.client(s.port)
    reps = [B.pairs(x) for x in c.execute_command(
        'SENTINEL', 'REPLICAS', B.MASTER_NAME)]
    if len(reps) != 2 or any(r.get('master-link-status') != 'ok'
                             for r in reps):
        return False
    return len(c.execute_command('SENTINEL', 'SENTINELS',
                                 B.MASTER_NAME)) == 2


def seed_idle(wd, kinds, window):
    sents = {}
    for k in kinds:
        master = B.redis_server(wd, B.free_port())
        for _ in range(2):
            B.redis_server(wd, B.free_port(), master.port)
        sents[k] = [B.sentinel(wd, k, [(B.MASTER_NAME, master.port)],
                               quorum=2, down_after_ms=5000)
                    for _ in range(3)]
    for k in kinds:
        for s in sents[k]:
            B.wait_until(lambda: discovered(s), 30,
                         desc='%s to see 2 replicas and 2 peers' % s.name)
    time.sleep(2)
    B.log('seed: sampling %s over %d s' % ('+'.join(kinds), window))
    res = sample([s for k in kinds for s in sents[k]], window)
    out = {}
    for k in kinds:
        xs = [res[s] for s in sents[k]]
        out[k] = (sum(x[0] for x in xs) / len(xs),
                  sum(x[1] for x in xs) / len(xs))
        B.log('seed %-5s RSS %.0f KiB, CPU %.2f ms/s' % (
            k, out[k][0], out[k][1] * 1000))
    B.stop_all()
    return out


# --------------------------------------------------------------------------
# 2 and 3. The fleet
# --------------------------------------------------------------------------

def start_fleet(wd, fleet_bin, masters):
    d = wd.sub('fleet-%d' % int(time.monotonic() * 1000))
    ports = os.path.join(d, 'ports')
    p = B.Proc('fleet', [fleet_bin, '--masters', str(masters),
                         '--ports-file', ports], d, nofile=NOFILE)
    p.start()

    def ready():
        if not p.alive():
            raise B.BenchError('fleet exited:\n%s' % '\n'.join(p.tail()))
        return os.path.exists(ports)
    B.wait_until(ready, 60, desc='the fleet to listen')
    groups = []
    with open(ports) as f:
        for line in f:
            w = line.split()
            if w[0] == 'control':
                p.control = int(w[1])
            elif w[2] == 'master':
                groups.append([int(w[1])])
            else:
                groups[-1].append(int(w[1]))
    p.groups = groups
    return p


def master_name(i):
    return 'm%05d' % i


def tilted(c):
    return int(c.info('sentinel').get('sentinel_tilt', 0)) != 0


def links_up(c, n, progress):
    """Every master linked with two replicas, every replica linked. Counts
    what is done so far in progress, for the message of a timeout."""
    ms = [B.pairs(x) for x in c.execute_command('SENTINEL', 'MASTERS')]
    good = [m for m in ms if m.get('flags') == 'master' and
            int(m.get('num-slaves', 0)) == 2]
    progress['masters linked with 2 replicas'] = '%d/%d' % (len(good), n)
    if len(good) != n:
        return False
    pipe = c.pipeline(transaction=False)
    for m in ms:
        pipe.execute_command('SENTINEL', 'REPLICAS', m['name'])
    linked = 0
    for reps in pipe.execute():
        linked += sum(1 for r in (B.pairs(x) for x in reps)
                      if r.get('flags') == 'slave' and
                      r.get('master-link-status') == 'ok')
    progress['replicas linked'] = '%d/%d' % (linked, 2 * n)
    return linked == 2 * n


class SwitchWatch:
    """+switch-master events from one sentinel, with arrival times."""

    def __init__(self, port):
        self.port = port
        self.seen = {}
        self.ready = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        if not self.ready.wait(10):
            raise B.BenchError('cannot subscribe to +switch-master')

    def _run(self):
        while not self.done.is_set():
            ps = None
            try:
                ps = B.client(self.port, 2.0).pubsub()
                ps.subscribe('+switch-master')
                while not self.done.is_set():
                    m = ps.get_message(timeout=0.1)
                    if m is None:
                        continue
                    if m['type'] == 'subscribe':
                        self.ready.set()
                    elif m['type'] == 'message':
                        name = m['data'].split()[0]
                        self.seen.setdefault(name, time.monotonic())
            except Exception:  # noqa: BLE001 - resubscribe
                time.sleep(0.1)
            finally:
                if ps is not None:
                    try:
                        ps.close()
                    except Exception:  # noqa: BLE001
                        pass

    def close(self):
        self.done.set()
        self.thread.join(2)


def verify_roles(fleet, killed):
    """How many killed groups the fleet shows failed over: one replica a
    master, the other replicating from it."""
    text = B.client(fleet.control, 5).execute_command('ROLES')
    role = {}
    for line in text.splitlines():
        port, r, mport, _state = line.split()
        role[int(port)] = (r, int(mport))
    ok = 0
    for g in killed:
        reps = fleet.groups[g][1:]
        promoted = [p for p in reps if role[p][0] == 'master']
        if len(promoted) != 1:
            continue
        others = [p for p in reps if p != promoted[0]]
        if all(role[p] == ('replica', promoted[0]) for p in others):
            ok += 1
    return ok


def fleet_run(wd, kind, args):
    res = {}
    fleet = start_fleet(wd, args.fleet_bin, args.masters)
    try:
        masters = [(master_name(i), g[0]) for i, g in
                   enumerate(fleet.groups)]
        t0 = time.monotonic()
        s = B.sentinel(wd, kind, masters, quorum=1,
                       down_after_ms=args.down_after,
                       failover_timeout_ms=args.failover_timeout,
                       nofile=NOFILE, start_timeout=120,
                       ping_timeout=30)
        res['start'] = time.monotonic() - t0
        c = B.client(s.port, 30)
        tilt = [False]
        progress = {}

        def up():
            tilt[0] = tilt[0] or tilted(c)
            return links_up(c, len(masters), progress)
        try:
            B.wait_until(up, args.link_timeout, interval=0.25,
                         desc='%s: every link up' % kind)
        except B.BenchError as e:
            raise B.BenchError('%s; seen: %s; CPU used %.1f s, RSS %d KiB'
                               % (e, progress or 'no answer',
                                  B.cpu_seconds(s.pid), B.rss_kib(s.pid)))
        res['links'] = time.monotonic() - t0
        B.log('fleet %-5s: up %.2f s, every link up %.2f s' % (
            kind, res['start'], res['links']))
        time.sleep(args.settle)
        # A sentinel in TILT neither detects nor fails over: the idle
        # window and the storm wait until it is out (30 s after the last
        # trigger, for redis-sentinel).
        tilt[0] = tilt[0] or tilted(c)
        B.wait_until(lambda: not tilted(c), 120, interval=0.5,
                     desc='%s: out of TILT' % kind)
        res['tilt'] = tilt[0]
        if tilt[0]:
            B.log('fleet %-5s: entered TILT at start-up; out after %.1f s'
                  % (kind, time.monotonic() - t0))
        res['rss'], res['cpu'] = sample([s], args.window)[s]
        B.log('fleet %-5s: RSS %.0f KiB, CPU %.2f ms/s' % (
            kind, res['rss'], res['cpu'] * 1000))

        watch = SwitchWatch(s.port)
        n = len(fleet.groups)
        killed = sorted({i * n // args.storm for i in range(args.storm)})
        names = {master_name(g) for g in killed}
        cpu0 = B.cpu_seconds(s.pid)
        t_kill = time.monotonic()
        B.client(fleet.control, 5).execute_command(
            'KILL', *[fleet.groups[g][0] for g in killed])
        try:
            B.wait_until(lambda: names <= set(watch.seen), args.storm_timeout,
                         interval=0.05, desc='%s: %d failovers' % (
                             kind, len(names)))
        except B.BenchError as e:
            B.log(str(e))
        watch.close()
        times = sorted(watch.seen[x] - t_kill for x in names
                       if x in watch.seen)
        res['storm_n'] = len(times)
        res['storm_first'] = times[0] if times else None
        res['storm_median'] = B.median(times)
        res['storm_all'] = times[-1] if len(times) == len(names) else None
        res['storm_cpu'] = B.cpu_seconds(s.pid) - cpu0
        res['storm_ok'] = verify_roles(fleet, killed)
        B.log('fleet %-5s: storm %d/%d switched, last %s s, roles ok %d' % (
            kind, len(times), len(names), B.fmt(res['storm_all'], '%.2f'),
            res['storm_ok']))
        if not s.alive():
            raise B.BenchError('%s exited during the storm' % s.name)
        return res
    finally:
        B.stop_all()


def report(args, kinds, seed, fl):
    n = args.masters

    def row(label, get, spec='%.0f', scale=1.0):
        v = {}
        for k in ('redis', 'ours'):
            try:
                x = get(k)
                v[k] = None if x is None else x * scale
            except (KeyError, TypeError):
                v[k] = None
        return [label, B.fmt(v['redis'], spec), B.fmt(v['ours'], spec),
                B.fmt_ratio(B.ratio(v['ours'], v['redis']))]

    rows = [
        row('seed idle: RSS (KiB)', lambda k: seed[k][0]),
        row('seed idle: CPU (ms/s)', lambda k: seed[k][1], '%.2f', 1000),
        row('%d masters: start to every link up (s)' % n,
            lambda k: fl[k]['links'], '%.2f'),
        row('%d masters: RSS (KiB)' % n, lambda k: fl[k]['rss']),
        row('%d masters: CPU (ms/s)' % n, lambda k: fl[k]['cpu'], '%.2f',
            1000),
        row('per extra master: RSS (KiB)',
            lambda k: (fl[k]['rss'] - seed[k][0]) / (n - 1), '%.2f'),
        row('per extra master: CPU (us/s)',
            lambda k: (fl[k]['cpu'] - seed[k][1]) / (n - 1), '%.2f', 1e6),
        row('storm %d: first +switch-master (s)' % args.storm,
            lambda k: fl[k]['storm_first'], '%.2f'),
        row('storm %d: median +switch-master (s)' % args.storm,
            lambda k: fl[k]['storm_median'], '%.2f'),
        row('storm %d: all failed over (s)' % args.storm,
            lambda k: fl[k]['storm_all'], '%.2f'),
        row('storm %d: all, excess over down-after (s)' % args.storm,
            lambda k: fl[k]['storm_all'] - args.down_after / 1000.0,
            '%.2f'),
        row('storm %d: CPU spent (s)' % args.storm,
            lambda k: fl[k]['storm_cpu'], '%.2f'),
    ]
    rows.append(['%d masters: TILT at start-up' % n] + [
        ('yes' if fl[k]['tilt'] else 'no') if k in fl else '-'
        for k in ('redis', 'ours')] + [''])
    # Counts, not costs: failovers seen / groups the fleet shows right.
    rows.append(['storm %d: switched / roles right' % args.storm] + [
        '%d/%d' % (fl[k]['storm_n'], fl[k]['storm_ok']) if k in fl else '-'
        for k in ('redis', 'ours')] + [''])
    B.table(['cost (one sentinel; lower is better)', 'redis', 'ours',
             'ours/redis'], rows,
            title='Cost: seed idle (3 sentinels, %d s window); fleet of %d '
                  'masters x 2 replicas, one sentinel, quorum 1, '
                  'down-after %d ms' % (args.window, n, args.down_after))


def main():
    p = B.argparser(__doc__)
    p.add_argument('--fleet-bin', default=os.environ.get('SN_FLEET_BIN'),
                   help='the fleet program (meson builds it as '
                        'tests/bench/fleet in the build directory)')
    p.add_argument('--masters', type=int, default=1000)
    p.add_argument('--storm', type=int, default=100)
    p.add_argument('--window', type=float, default=30.0)
    p.add_argument('--settle', type=float, default=5.0,
                   help='seconds between every link up and the window')
    p.add_argument('--down-after', type=int, default=1000)
    p.add_argument('--failover-timeout', type=int, default=10000)
    p.add_argument('--link-timeout', type=float, default=300.0)
    p.add_argument('--storm-timeout', type=float, default=600.0)
    p.add_argument('--skip-seed', action='store_true')
    args = p.parse_args()
    if not args.fleet_bin or not os.access(args.fleet_bin, os.X_OK):
        raise SystemExit('--fleet-bin: no fleet program at %r' %
                         args.fleet_bin)
    args.fleet_bin = os.path.abspath(args.fleet_bin)
    args.storm = max(1, min(args.storm, args.masters))
    if args.tmpdir is None and os.access('/dev/shm', os.W_OK):
        args.tmpdir = '/dev/shm'
    kinds = B.kinds_from_args(args)
    print('cost.py: %s; sentinels: %s' % (
        B.machine_line(), ', '.join('%s=%s' % (k, B.BINS[k]) for k in kinds)),
        flush=True)
    wd = B.Workdir('sn-bench-cost-', keep=args.keep_tmp,
                   base=args.tmpdir)
    try:
        seed = {} if args.skip_seed else seed_idle(wd, kinds, args.window)
        fl = {}
        notes = []
        for k in kinds:
            try:
                fl[k] = fleet_run(wd, k, args)
            except B.BenchError as e:
                B.log('fleet %s failed: %s' % (k, e))
                notes.append('NOTE: %s, fleet of %d masters: %s' % (
                    k, args.masters, e))
        report(args, kinds, seed, fl)
        for n in notes:
            print(n, flush=True)
    finally:
        B.stop_all()
        wd.close()


if __name__ == '__main__':
    main()
