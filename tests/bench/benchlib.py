"""benchlib.py: what the benchmarks in tests/bench/ share.

Processes on free 127.0.0.1 ports, always stopped (on success, on an
exception, on SIGINT/SIGTERM/SIGHUP, at exit; children also get
PR_SET_PDEATHSIG so that a driver killed with -9 leaves nothing behind);
the two kinds of sentinel behind one Redis-style config; statistics and
tables. Timing is measured and printed, never asserted: the machines are
shared and noisy, so every table puts ours next to redis-sentinel from the
same run, with the ratio.

Kinds of sentinel:
  ours  : --ours-bin, else $SN_SENTINEL_BIN, else <root>/build/sentinel/sentinel
  redis : --redis-bin, else $SN_REDIS_SENTINEL_BIN, else /usr/bin/redis-sentinel
"""

import argparse
import atexit
import ctypes
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.dirname(os.path.dirname(HERE))
HOST = '127.0.0.1'
MASTER_NAME = 'mymaster'
KINDS = ('ours', 'redis')

REDIS_SERVER = os.environ.get('SN_REDIS_SERVER_BIN', '/usr/bin/redis-server')
BINS = {
    'ours': os.environ.get('SN_SENTINEL_BIN') or os.path.join(
        SRC_ROOT, 'build', 'sentinel', 'sentinel'),
    'redis': os.environ.get('SN_REDIS_SENTINEL_BIN',
                            '/usr/bin/redis-sentinel'),
}

_T0 = time.monotonic()


def log(msg):
    print('[%8.2f] %s' % (time.monotonic() - _T0, msg), file=sys.stderr,
          flush=True)


class BenchError(Exception):
    """Something the benchmark needs did not happen."""


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def add_common_args(p):
    p.add_argument('--sentinel', choices=('ours', 'redis', 'both'),
                   default='both',
                   help='which daemon(s) to measure (default both)')
    p.add_argument('--ours-bin', help='our daemon (default %s)' % BINS['ours'])
    p.add_argument('--redis-bin',
                   help='redis-sentinel (default %s)' % BINS['redis'])
    p.add_argument('--keep-tmp', action='store_true',
                   help='keep the temporary directory')
    p.add_argument('--tmpdir',
                   help='where the servers and sentinels keep their files '
                        '(default: $TMPDIR or /tmp)')


def kinds_from_args(args):
    """The kinds to run, redis first so that a table always has its
    reference column. 'both' with a daemon of ours that does not work yet
    measures redis-sentinel alone and says why."""
    if args.ours_bin:
        BINS['ours'] = os.path.abspath(args.ours_bin)
    if args.redis_bin:
        BINS['redis'] = os.path.abspath(args.redis_bin)
    want = ['redis', 'ours'] if args.sentinel == 'both' else [args.sentinel]
    kinds = []
    for k in want:
        ok, why = sentinel_works(k)
        if ok:
            kinds.append(k)
        elif args.sentinel == 'both':
            print('NOTE: %s sentinel (%s) left out: %s' % (k, BINS[k], why),
                  flush=True)
        else:
            raise SystemExit('%s sentinel (%s) does not work: %s'
                             % (k, BINS[k], why))
    if not kinds:
        raise SystemExit('no sentinel to measure')
    return kinds


# --------------------------------------------------------------------------
# Ports and processes
# --------------------------------------------------------------------------

_used_ports = set()


def free_port():
    """A loopback port nobody listens on, never the same one twice in a
    run, so each trial has fresh ports."""
    for _ in range(200):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((HOST, 0))
        port = s.getsockname()[1]
        s.close()
        if port not in _used_ports:
            _used_ports.add(port)
            return port
    raise BenchError('no free port found')


_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1
_procs = []


def _child_setup(nofile):
    def setup():
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if nofile:
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            want = nofile if hard == resource.RLIM_INFINITY else min(
                nofile, hard)
            if want > soft:
                resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return setup


class Proc:
    """A child process with its output in a file in its own directory."""

    def __init__(self, name, argv, workdir, nofile=None):
        self.name = name
        self.argv = argv
        self.dir = workdir
        self.out = os.path.join(workdir, 'out.log')
        self.nofile = nofile
        self.popen = None
        _procs.append(self)

    def start(self):
        with open(self.out, 'ab') as out:
            self.popen = subprocess.Popen(
                self.argv, cwd=self.dir, stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=_child_setup(self.nofile))
        return self

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.popen.pid, sig)

    def stop(self, timeout=5.0):
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            os.kill(self.popen.pid, signal.SIGCONT)
            os.kill(self.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def tail(self, path=None, n=20):
        try:
            with open(path or self.out, 'rb') as f:
                return f.read().decode('utf-8', 'replace').splitlines()[-n:]
        except OSError as e:
            return ['(%s)' % e]


def stop_all():
    for p in _procs:
        if p.alive():
            try:
                os.kill(p.popen.pid, signal.SIGCONT)
                os.kill(p.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 5
    for p in _procs:
        if p.popen is None:
            continue
        try:
            p.popen.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.kill(p.popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.popen.wait()
    del _procs[:]


atexit.register(stop_all)


def _on_signal(signum, _frame):
    raise SystemExit('killed by signal %d' % signum)


for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, _on_signal)


class Workdir:
    """A temporary directory, removed at the end unless kept."""

    def __init__(self, prefix, keep=False, base=None):
        self.path = tempfile.mkdtemp(prefix=prefix, dir=base)
        self.keep = keep

    def sub(self, name):
        d = os.path.join(self.path, name)
        os.makedirs(d, exist_ok=True)
        return d

    def close(self):
        if self.keep:
            print('kept %s' % self.path, file=sys.stderr)
        else:
            shutil.rmtree(self.path, ignore_errors=True)


def wait_until(pred, timeout, interval=0.02, desc='condition'):
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            v = pred()
            if v:
                return v
            last = v
        except BenchError:
            raise
        except Exception as e:  # noqa: BLE001 - "not yet"
            last = '%s: %s' % (type(e).__name__, e)
        if time.monotonic() >= deadline:
            raise BenchError('timed out after %.0f s waiting for %s (last: %s)'
                             % (timeout, desc, last))
        time.sleep(interval)


def client(port, timeout=1.0):
    import redis
    return redis.Redis(host=HOST, port=port, socket_timeout=timeout,
                       socket_connect_timeout=timeout, decode_responses=True)


# --------------------------------------------------------------------------
# Servers and sentinels
# --------------------------------------------------------------------------

def redis_server(wd, port, master_port=None):
    d = wd.sub('redis-%d' % port)
    conf = os.path.join(d, 'redis.conf')
    lines = ['port %d' % port, 'bind %s' % HOST, 'save ""',
             'appendonly no', 'daemonize no', 'dir %s' % d,
             'logfile %s' % os.path.join(d, 'redis.log'),
             'repl-diskless-sync-delay 0']
    if master_port:
        lines.append('replicaof %s %d' % (HOST, master_port))
    with open(conf, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    p = Proc('redis-%d' % port, [REDIS_SERVER, conf], d)
    p.port = port
    p.start()
    wait_until(lambda: _ready(p, port), 10, desc='%s to answer' % p.name)
    return p


def _ready(p, port):
    if not p.alive():
        raise BenchError('%s exited: %s' % (p.name, '\n'.join(p.tail())))
    return client(port, 0.5).ping()


def sentinel_conf(port, workdir, masters, quorum, down_after_ms,
                  failover_timeout_ms=10000):
    """A Redis-style sentinel.conf, which both daemons read. masters is a
    list of (name, port)."""
    lines = ['port %d' % port, 'bind %s' % HOST, 'daemonize no',
             'dir %s' % workdir,
             'logfile %s' % os.path.join(workdir, 'sentinel.log')]
    for name, mport in masters:
        lines += [
            'sentinel monitor %s %s %d %d' % (name, HOST, mport, quorum),
            'sentinel down-after-milliseconds %s %d' % (name, down_after_ms),
            'sentinel failover-timeout %s %d' % (name, failover_timeout_ms),
            'sentinel parallel-syncs %s 1' % name,
        ]
    return '\n'.join(lines) + '\n'


def sentinel(wd, kind, masters, quorum=2, down_after_ms=1000,
             failover_timeout_ms=10000, nofile=None, wait=True,
             start_timeout=20, ping_timeout=0.5):
    port = free_port()
    d = wd.sub('sentinel-%d-%s' % (port, kind))
    conf = os.path.join(d, 'sentinel.conf')
    with open(conf, 'w') as f:
        f.write(sentinel_conf(port, d, masters, quorum, down_after_ms,
                              failover_timeout_ms))
    p = Proc('sentinel-%d(%s)' % (port, kind), [BINS[kind], conf], d,
             nofile=nofile)
    p.port = port
    p.kind = kind
    p.logfile = os.path.join(d, 'sentinel.log')
    p.start()
    if wait:
        wait_until(lambda: _sentinel_ready(p, ping_timeout), start_timeout,
                   desc='%s to answer PING' % p.name)
    return p


def _sentinel_ready(p, timeout=0.5):
    if not p.alive():
        raise BenchError('%s exited with %s:\n%s' % (
            p.name, p.popen.returncode,
            '\n'.join(p.tail() + p.tail(p.logfile))))
    return client(p.port, timeout).ping()


_works = {}


def sentinel_works(kind):
    """Whether this kind of sentinel starts and keeps running (our daemon
    is being finished: at first it loaded its config and exited). Tried
    once per run with a config that monitors a port nobody listens on."""
    if kind in _works:
        return _works[kind]
    b = BINS[kind]
    if not os.access(b, os.X_OK):
        _works[kind] = (False, 'not built (no executable at %s)' % b)
        return _works[kind]
    wd = Workdir('sn-bench-probe-')
    p = None
    try:
        p = sentinel(wd, kind, [(MASTER_NAME, free_port())], quorum=1,
                     wait=False)
        try:
            wait_until(lambda: _sentinel_ready(p), 5, desc='PING')
            time.sleep(1.0)
            if not p.alive():
                raise BenchError('exited with %s after answering PING:\n%s'
                                 % (p.popen.returncode,
                                    '\n'.join(p.tail(n=5))))
            r = client(p.port).execute_command(
                'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)
            if not r:
                raise BenchError('no answer to GET-MASTER-ADDR-BY-NAME')
            _works[kind] = (True, '')
        except BenchError as e:
            first = str(e).strip().splitlines()
            _works[kind] = (False, ' | '.join(first[-3:])[:300])
    finally:
        if p is not None:
            p.stop()
        wd.close()
    return _works[kind]


def pairs(flat):
    return {flat[i]: flat[i + 1] for i in range(0, len(flat) - 1, 2)}


# --------------------------------------------------------------------------
# /proc
# --------------------------------------------------------------------------

CLK_TCK = os.sysconf('SC_CLK_TCK')


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise BenchError('no VmRSS for %d' % pid)


def cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    with open('/proc/%d/stat' % pid) as f:
        s = f.read()
    fields = s[s.rindex(')') + 2:].split()
    # fields[0] is state (field 3); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


# --------------------------------------------------------------------------
# Statistics and tables
# --------------------------------------------------------------------------

def median(xs):
    xs = sorted(xs)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def percentile(xs, q):
    """Nearest-rank percentile."""
    xs = sorted(xs)
    if not xs:
        return None
    k = max(0, min(len(xs) - 1, int(-(-q * len(xs) // 100)) - 1))
    return xs[k]


def ratio(ours, theirs):
    if ours is None or theirs is None:
        return None
    if theirs == 0:
        return None if ours != 0 else 1.0
    return ours / theirs


def fmt(v, spec='%.0f'):
    return '-' if v is None else spec % v


def fmt_ratio(r):
    return '-' if r is None else '%.2fx' % r


def table(headers, rows, title=None):
    """Print a plain text table; numbers right-aligned."""
    cols = len(headers)
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    w = [max(len(r[i]) for r in cells) for i in range(cols)]
    out = []
    if title:
        out.append(title)
    for n, r in enumerate(cells):
        line = '  '.join((r[i].ljust(w[i]) if i == 0 else r[i].rjust(w[i]))
                         for i in range(cols))
        out.append(line.rstrip())
        if n == 0:
            out.append('  '.join('-' * w[i] for i in range(cols)))
    print('\n'.join(out) + '\n', flush=True)


def machine_line():
    return '%s, %d cores, %s' % (
        time.strftime('%Y-%m-%d %H:%M'), os.cpu_count() or 0,
        ' '.join(os.uname()[i] for i in (0, 2, 4)))


def argparser(doc):
    p = argparse.ArgumentParser(
        description=doc.strip().splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=doc)
    add_common_args(p)
    return p
