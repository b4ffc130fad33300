"""harness.py: real redis-server and sentinel processes on loopback ports.

The integration tests start every process they need in a temporary
directory, on free 127.0.0.1 ports, and always stop them: on success, on a
failed check, on an exception, on SIGTERM/SIGINT (meson's timeout) and at
interpreter exit. A process the test stopped with SIGSTOP is resumed before
it is killed, and anything still alive after a SIGTERM gets SIGKILL.
Children also get PR_SET_PDEATHSIG, so a harness killed with -9 does not
leave them behind.

The same test drives either sentinel, with the same Redis-style
sentinel.conf:
  kind 'ours'  : $SN_SENTINEL_BIN, else <source root>/build/sentinel/sentinel
  kind 'redis' : $SN_REDIS_SENTINEL_BIN, else /usr/bin/redis-sentinel
The default kind is $SN_KIND, else 'ours'.

Timing is never asserted: every wait has a generous timeout and fails only
when the awaited thing never happens. Timings are printed for the record.

Environment:
  SN_KIND=ours|redis      which sentinel the tests run (default ours)
  SN_SENTINEL_BIN=PATH    our daemon
  SN_BASE_PORT=N          use ports N, N+1, ... instead of asking the kernel
  SN_KEEP_TMP=1           keep the temporary directory (printed) at the end
  SN_VERBOSE=1            print every event as it arrives
"""

import atexit
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import redis

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.dirname(os.path.dirname(HERE))

REDIS_SERVER = os.environ.get('SN_REDIS_SERVER_BIN', '/usr/bin/redis-server')
REDIS_SENTINEL = os.environ.get('SN_REDIS_SENTINEL_BIN',
                                '/usr/bin/redis-sentinel')

MASTER_NAME = 'mymaster'
HOST = '127.0.0.1'

# Generous: a wait fails only when the thing never happens.
TIMEOUT = float(os.environ.get('SN_TIMEOUT', '30'))
FAILOVER_TIMEOUT = float(os.environ.get('SN_FAILOVER_WAIT', '60'))

VERBOSE = os.environ.get('SN_VERBOSE', '') not in ('', '0')

# meson's "skipped" exit status.
EXIT_SKIP = 77


class TestFailure(Exception):
    """A check that did not hold."""


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def log(msg):
    print('[%8.3f] %s' % (time.monotonic() - _T0, msg), flush=True)


_T0 = time.monotonic()


# --------------------------------------------------------------------------
# Kinds of sentinel
# --------------------------------------------------------------------------

def default_kind():
    kind = os.environ.get('SN_KIND', 'ours')
    if kind not in ('ours', 'redis'):
        raise SystemExit('SN_KIND must be ours or redis, not %r' % kind)
    return kind


def sentinel_bin(kind):
    if kind == 'redis':
        return REDIS_SENTINEL
    path = os.environ.get('SN_SENTINEL_BIN') or os.path.join(
        SRC_ROOT, 'build', 'sentinel', 'sentinel')
    return os.path.abspath(path)


# --------------------------------------------------------------------------
# Ports
# --------------------------------------------------------------------------

_used_ports = set()
_next_base = None


def _port_is_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port():
    """A loopback port nobody listens on, never the same one twice."""
    global _next_base
    base = os.environ.get('SN_BASE_PORT')
    if base:
        if _next_base is None:
            _next_base = int(base)
        while True:
            port = _next_base
            _next_base += 1
            if port > 65535:
                raise TestFailure('SN_BASE_PORT: ran out of ports')
            if port not in _used_ports and _port_is_free(port):
                _used_ports.add(port)
                return port
    for _ in range(100):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((HOST, 0))
        port = s.getsockname()[1]
        s.close()
        if port not in _used_ports:
            _used_ports.add(port)
            return port
    raise TestFailure('no free port found')


# --------------------------------------------------------------------------
# Waiting
# --------------------------------------------------------------------------

def wait_until(pred, timeout=TIMEOUT, interval=0.05, desc='condition'):
    """Call pred() until it returns something true; return that. Exceptions
    from pred count as "not yet". Fails after `timeout` seconds, with the
    last value or exception seen."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            v = pred()
            if v:
                return v
            last = 'returned %r' % (v,)
        except TestFailure:
            raise
        except Exception as e:  # noqa: BLE001 - any error means "not yet"
            last = 'raised %s: %s' % (type(e).__name__, e)
        if time.monotonic() >= deadline:
            raise TestFailure('timed out after %.0f s waiting for %s '
                              '(last: %s)' % (timeout, desc, last))
        time.sleep(interval)


# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _child_setup():
    # Die with the harness, even when it is killed with -9.
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


_all_procs = []


class Proc:
    """One child process with its output in a file."""

    def __init__(self, name, workdir):
        self.name = name
        self.dir = workdir
        self.popen = None
        self.out = os.path.join(workdir, 'stdout.log')
        self.stopped = False    # SIGSTOPped by the test
        _all_procs.append(self)

    def argv(self):
        raise NotImplementedError

    def spawn(self):
        check(not self.alive(), '%s is already running' % self.name)
        argv = self.argv()
        with open(self.out, 'ab') as out:
            out.write(('--- start: %s\n' % ' '.join(argv)).encode())
            out.flush()
            self.popen = subprocess.Popen(
                argv, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, preexec_fn=_child_setup)
        self.stopped = False

    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.popen.pid, sig)
            if sig == signal.SIGSTOP:
                self.stopped = True
            elif sig == signal.SIGCONT:
                self.stopped = False

    def kill9(self):
        """kill -9 and reap."""
        if self.alive():
            os.kill(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        self.stopped = False

    def sigstop(self):
        self.signal(signal.SIGSTOP)

    def sigcont(self):
        self.signal(signal.SIGCONT)

    def stop(self, timeout=10.0):
        """SIGTERM (after SIGCONT if stopped), then SIGKILL. Returns the
        exit status, or None if it had to be killed."""
        if self.popen is None:
            return None
        if self.popen.poll() is not None:
            return self.popen.returncode
        try:
            os.kill(self.popen.pid, signal.SIGCONT)
            os.kill(self.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            return None
        finally:
            self.stopped = False

    def exit_status(self):
        return None if self.popen is None else self.popen.poll()

    def tail(self, path, n=40):
        try:
            with open(path, 'rb') as f:
                lines = f.read().decode('utf-8', 'replace').splitlines()
        except OSError as e:
            return ['(cannot read %s: %s)' % (path, e)]
        return lines[-n:]


def _kill_everything():
    for p in _all_procs:
        if p.popen is not None and p.popen.poll() is None:
            try:
                os.kill(p.popen.pid, signal.SIGCONT)
                os.kill(p.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 5
    for p in _all_procs:
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


atexit.register(_kill_everything)


def _on_signal(signum, _frame):
    # Turn the signal into an exception so that finally blocks run.
    raise SystemExit('killed by signal %d' % signum)


for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, _on_signal)


def client(port, timeout=2.0, **kw):
    return redis.Redis(host=HOST, port=port, socket_timeout=timeout,
                       socket_connect_timeout=timeout, decode_responses=True,
                       **kw)


class RedisServer(Proc):
    """A redis-server with its own config file (so that CONFIG REWRITE, which
    a failover sends, works) and directory."""

    def __init__(self, cluster, port, master_port=None, priority=None):
        self.port = port
        workdir = os.path.join(cluster.tmp, 'redis-%d' % port)
        os.makedirs(workdir, exist_ok=True)
        super().__init__('redis-%d' % port, workdir)
        self.conf = os.path.join(workdir, 'redis.conf')
        self.logfile = os.path.join(workdir, 'redis.log')
        lines = [
            'port %d' % port,
            'bind %s' % HOST,
            'save ""',
            'appendonly no',
            'daemonize no',
            'dir %s' % workdir,
            'logfile %s' % self.logfile,
            # Full syncs start at once instead of after 5 s.
            'repl-diskless-sync-delay 0',
        ]
        if master_port is not None:
            lines.append('replicaof %s %d' % (HOST, master_port))
        if priority is not None:
            lines.append('replica-priority %d' % priority)
        with open(self.conf, 'w') as f:
            f.write('\n'.join(lines) + '\n')

    def argv(self):
        return [REDIS_SERVER, self.conf]

    def start(self):
        self.spawn()
        wait_until(lambda: self._ready(), timeout=TIMEOUT,
                   desc='%s to answer PING' % self.name)
        return self

    def _ready(self):
        if not self.alive():
            raise TestFailure('%s exited with %s; log:\n%s' % (
                self.name, self.exit_status(),
                '\n'.join(self.tail(self.logfile) + self.tail(self.out))))
        return self.client(timeout=0.5).ping()

    def client(self, timeout=2.0):
        return client(self.port, timeout)

    def info(self, section='replication'):
        return self.client().info(section)

    def role(self):
        return self.info().get('role')

    def master_port(self):
        """The port this server replicates from, or None for a master."""
        i = self.info()
        if i.get('role') != 'slave':
            return None
        return int(i.get('master_port'))

    def replicates_from(self, port):
        i = self.info()
        return (i.get('role') == 'slave' and int(i.get('master_port')) == port
                and i.get('master_link_status') == 'up')

    def log_tail(self, n=30):
        return self.tail(self.logfile, n)


class Sentinel(Proc):
    """A sentinel of either kind, from a Redis-style sentinel.conf."""

    def __init__(self, cluster, port, kind, master_port, quorum=2,
                 down_after=1000, failover_timeout=10000, extra=()):
        self.port = port
        self.kind = kind
        workdir = os.path.join(cluster.tmp, 'sentinel-%d' % port)
        os.makedirs(workdir, exist_ok=True)
        super().__init__('sentinel-%d(%s)' % (port, kind), workdir)
        self.conf = os.path.join(workdir, 'sentinel.conf')
        self.logfile = os.path.join(workdir, 'sentinel.log')
        self.master_port = master_port
        lines = [
            '# Written by tests/integration/harness.py.',
            '# A user comment: the rewrite must keep it.',
            'port %d' % port,
            'bind %s' % HOST,
            'daemonize no',
            'dir %s' % workdir,
            'logfile %s' % self.logfile,
            'loglevel verbose',
            'sentinel resolve-hostnames no',
            '',
            '# The seed topology: quorum 2 of 3.',
            'sentinel monitor %s %s %d %d' % (MASTER_NAME, HOST, master_port,
                                              quorum),
            'sentinel down-after-milliseconds %s %d' % (MASTER_NAME,
                                                        down_after),
            'sentinel failover-timeout %s %d' % (MASTER_NAME,
                                                 failover_timeout),
            'sentinel parallel-syncs %s 1' % MASTER_NAME,
        ]
        lines.extend(extra)
        with open(self.conf, 'w') as f:
            f.write('\n'.join(lines) + '\n')

    def argv(self):
        return [sentinel_bin(self.kind), self.conf]

    def start(self, timeout=TIMEOUT):
        binary = sentinel_bin(self.kind)
        check(os.access(binary, os.X_OK),
              'sentinel binary %s is not there or not executable' % binary)
        self.spawn()
        wait_until(self._ready, timeout=timeout,
                   desc='%s to answer PING' % self.name)
        return self

    def _ready(self):
        if not self.alive():
            raise TestFailure('%s exited with status %s; output:\n%s' % (
                self.name, self.exit_status(),
                '\n'.join(self.tail(self.out) + self.tail(self.logfile))))
        return self.client(timeout=0.5).ping()

    def restart(self, how='term'):
        if how == 'kill':
            self.kill9()
        else:
            rc = self.stop()
            check(rc == 0, '%s: exit status %r after SIGTERM, expected 0'
                  % (self.name, rc))
        return self.start()

    def client(self, timeout=2.0):
        return client(self.port, timeout)

    def cmd(self, *args, timeout=2.0):
        return self.client(timeout).execute_command(*args)

    # SENTINEL subcommands, replies turned into dicts.

    def master_addr(self):
        r = self.cmd('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)
        if not r:
            return None
        return (r[0], int(r[1]))

    def master(self):
        return pairs_to_dict(self.cmd('SENTINEL', 'MASTER', MASTER_NAME))

    def masters(self):
        return [pairs_to_dict(m) for m in self.cmd('SENTINEL', 'MASTERS')]

    def replicas(self):
        return [pairs_to_dict(m)
                for m in self.cmd('SENTINEL', 'REPLICAS', MASTER_NAME)]

    def sentinels(self):
        return [pairs_to_dict(m)
                for m in self.cmd('SENTINEL', 'SENTINELS', MASTER_NAME)]

    def myid(self):
        return self.cmd('SENTINEL', 'MYID')

    def read_conf(self):
        with open(self.conf) as f:
            return f.read()

    def conf_state(self):
        return parse_conf_state(self.read_conf())

    def log_tail(self, n=40):
        return self.tail(self.logfile, n) + [
            '-- stdout/stderr:'] + self.tail(self.out, 10)


def pairs_to_dict(flat):
    return {flat[i]: flat[i + 1] for i in range(0, len(flat) - 1, 2)}


def parse_conf_state(text, master=MASTER_NAME):
    """The state a sentinel saved in its config file, from a Redis-style or
    an INI file: myid, current-epoch, and the config-epoch, leader-epoch,
    known-replica and known-sentinel lines of `master`."""
    st = {'myid': None, 'current-epoch': None, 'config-epoch': None,
          'leader-epoch': None, 'known-replica': [], 'known-sentinel': [],
          'comments': []}
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line[0] in '#;':
            st['comments'].append(line)
            continue
        if line.startswith('['):
            section = line.strip('[]').strip()
            continue
        if '=' in line and not line.lower().startswith('sentinel '):
            # INI: key = value
            key, _, val = line.partition('=')
            key, val = key.strip().lower(), val.strip()
            words = [key] + val.split()
            name = section if section not in (None, 'sentinel') else None
            args = words[1:]
        else:
            words = [w.strip('"') for w in line.split()]
            if words[0].lower() != 'sentinel' or len(words) < 2:
                continue
            key = words[1].lower()
            args = words[2:]
            name = None
            if key in ('config-epoch', 'leader-epoch', 'known-replica',
                       'known-slave', 'known-sentinel') and args:
                name, args = args[0], args[1:]
        if key in ('myid', 'current-epoch') and args:
            st[key] = args[0] if key == 'myid' else int(args[0])
        elif name != master:
            continue
        elif key in ('config-epoch', 'leader-epoch') and args:
            st[key] = int(args[0])
        elif key in ('known-replica', 'known-slave'):
            st['known-replica'].append((args[0], int(args[1])))
        elif key == 'known-sentinel':
            st['known-sentinel'].append((args[0], int(args[1]), args[2]))
    return st


# --------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------

class Event:
    __slots__ = ('t', 'src', 'channel', 'data')

    def __init__(self, t, src, channel, data):
        self.t, self.src, self.channel, self.data = t, src, channel, data

    def __repr__(self):
        return '[%8.3f] %d %s %s' % (self.t - _T0, self.src, self.channel,
                                     self.data)


class Subscriber:
    """PSUBSCRIBE * on sentinels, one thread each, every event kept with its
    arrival time and the port of the sentinel that published it. A
    subscription reconnects when its sentinel restarts."""

    def __init__(self):
        self.events = []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.running = True
        self.threads = []
        self.ready = {}

    def add(self, port):
        self.ready[port] = threading.Event()
        t = threading.Thread(target=self._run, args=(port,), daemon=True)
        t.start()
        self.threads.append(t)
        wait_until(lambda: self.ready[port].is_set(), timeout=TIMEOUT,
                   desc='a subscription on %d' % port)

    def _run(self, port):
        while self.running:
            ps = None
            try:
                ps = client(port, timeout=1.0).pubsub()
                ps.psubscribe('*')
                while self.running:
                    m = ps.get_message(timeout=0.2)
                    if m is None:
                        continue
                    if m['type'] == 'psubscribe':
                        self.ready[port].set()
                        continue
                    if m['type'] != 'pmessage':
                        continue
                    ev = Event(time.monotonic(), port, m['channel'],
                               m['data'])
                    if VERBOSE:
                        log('event %r' % ev)
                    with self.cond:
                        self.events.append(ev)
                        self.cond.notify_all()
            except Exception:  # noqa: BLE001 - reconnect on anything
                time.sleep(0.2)
            finally:
                if ps is not None:
                    try:
                        ps.close()
                    except Exception:  # noqa: BLE001
                        pass

    def close(self):
        self.running = False
        for t in self.threads:
            t.join(2)

    def find(self, channel, data=None, src=None, since=0.0):
        """Events on `channel` whose payload equals `data` (a string) or
        matches it (a compiled regex), from `src`, after `since`."""
        with self.lock:
            evs = list(self.events)
        out = []
        for e in evs:
            if e.t < since or e.channel != channel:
                continue
            if src is not None and e.src != src:
                continue
            if data is not None:
                if hasattr(data, 'fullmatch'):
                    if not data.fullmatch(e.data):
                        continue
                elif e.data != data:
                    continue
            out.append(e)
        return out

    def wait(self, channel, data=None, src=None, since=0.0,
             timeout=FAILOVER_TIMEOUT):
        def found():
            r = self.find(channel, data, src, since)
            return r[0] if r else None
        try:
            return wait_until(found, timeout=timeout, interval=0.02,
                              desc='event %s %s%s' % (
                                  channel,
                                  getattr(data, 'pattern', data) or '',
                                  '' if src is None else ' from %d' % src))
        except TestFailure as e:
            raise TestFailure('%s\nevents seen on that channel: %r' % (
                e, self.find(channel)))

    def dump(self, since=0.0):
        with self.lock:
            return [e for e in self.events if e.t >= since]


# --------------------------------------------------------------------------
# A topology
# --------------------------------------------------------------------------

class Cluster:
    """Owns a temporary directory and every process started in it."""

    def __init__(self, prefix='sn-it-'):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.servers = []
        self.sentinels = []
        self.sub = None

    # builders

    def redis(self, master=None, priority=None, port=None):
        port = port or free_port()
        s = RedisServer(self, port, master.port if master else None, priority)
        self.servers.append(s)
        return s.start()

    def sentinel(self, master_port, kind=None, start=True, **kw):
        s = Sentinel(self, free_port(), kind or default_kind(), master_port,
                     **kw)
        self.sentinels.append(s)
        if start:
            s.start()
        return s

    def subscriber(self, sentinels=None):
        if self.sub is None:
            self.sub = Subscriber()
        for s in sentinels or self.sentinels:
            self.sub.add(s.port)
        return self.sub

    def seed(self, kinds=None, replicas=2, quorum=2, down_after=1000,
             failover_timeout=10000, priorities=None, sentinel_kw=None):
        """The seed topology: a master, its replicas (all in sync before a
        sentinel starts, so that the first INFO finds them), sentinels of
        the given kinds. Returns (master, [replicas], [sentinels])."""
        kinds = kinds or [default_kind()] * 3
        master = self.redis()
        reps = []
        for i in range(replicas):
            pr = priorities[i] if priorities else None
            reps.append(self.redis(master=master, priority=pr))
        self.wait_streaming(master, reps)
        sents = []
        for i, k in enumerate(kinds):
            kw = dict(quorum=quorum, down_after=down_after,
                      failover_timeout=failover_timeout)
            if sentinel_kw and sentinel_kw[i]:
                kw.update(sentinel_kw[i])
            sents.append(self.sentinel(master.port, kind=k, **kw))
        log('seed: master %d, replicas %s, sentinels %s' % (
            master.port, [r.port for r in reps],
            ['%d(%s)' % (s.port, s.kind) for s in sents]))
        return master, reps, sents

    def wait_streaming(self, master, reps, timeout=TIMEOUT):
        """Every replica linked to `master` and receiving its writes. A
        link that is "up" is not enough: after a diskless full sync the
        master holds the stream back until the replica's first REPLCONF
        ACK (up to a second later), and writes made meanwhile die with a
        master killed at once. So write a token and wait to read it back."""
        wait_until(lambda: all(r.replicates_from(master.port) for r in reps),
                   timeout=timeout, desc='replicas linked to %d' % master.port)
        token = '%d-%f' % (master.port, time.monotonic())
        master.client().set('__harness_sync__', token)
        wait_until(lambda: all(r.client().get('__harness_sync__') == token
                               for r in reps), timeout=timeout,
                   desc='replicas of %d to receive a write' % master.port)

    def wait_discovery(self, sents, replica_ports, timeout=TIMEOUT):
        """Every sentinel knows every replica and every other sentinel."""
        want = sorted(replica_ports)

        def done(s):
            reps = s.replicas()
            if sorted(int(r['port']) for r in reps) != want:
                return False
            # Linked to their master, as a failover needs to pick one.
            if any(r.get('master-link-status') != 'ok' for r in reps):
                return False
            return len(s.sentinels()) == len(sents) - 1
        t0 = time.monotonic()
        for s in sents:
            wait_until(lambda: done(s), timeout=timeout,
                       desc='%s to discover replicas %s and %d peers' % (
                           s.name, want, len(sents) - 1))
        log('discovery complete after %.2f s' % (time.monotonic() - t0))

    def wait_new_master(self, sents, old_port, t0, timeout=FAILOVER_TIMEOUT,
                        after='the kill'):
        """Wait until every sentinel answers the same master, not old_port.
        Prints, per sentinel, how long after t0 it first did."""
        first = {}

        def poll():
            for s in sents:
                if s.port in first:
                    continue
                try:
                    a = s.master_addr()
                except Exception:  # noqa: BLE001
                    continue
                if a and a[1] != old_port:
                    first[s.port] = (time.monotonic() - t0, a)
            return len(first) == len(sents)
        wait_until(poll, timeout=timeout, interval=0.01,
                   desc='every sentinel to answer a new master')
        addrs = {a for (_, a) in first.values()}
        check(len(addrs) == 1,
              'sentinels answer different masters: %r' % first)
        for s in sents:
            log('%s answered %s:%d %.3f s after %s' % (
                s.name, first[s.port][1][0], first[s.port][1][1],
                first[s.port][0], after))
        log('every sentinel answered the new master %.3f s after %s'
            % (max(v[0] for v in first.values()), after))
        return addrs.pop()[1], first

    def server_by_port(self, port):
        for s in self.servers:
            if s.port == port:
                return s
        raise TestFailure('no server on port %d' % port)

    # teardown

    def dump_logs(self):
        for s in self.sentinels:
            print('----- %s: %s' % (s.name, s.logfile))
            for line in s.log_tail():
                print('  ' + line)
        for s in self.servers:
            print('----- %s: %s' % (s.name, s.logfile))
            for line in s.log_tail(15):
                print('  ' + line)
        if self.sub is not None:
            print('----- events')
            for e in self.sub.dump():
                print('  %r' % e)
        sys.stdout.flush()

    def close(self):
        if self.sub is not None:
            self.sub.close()
        for p in self.sentinels + self.servers:
            p.stop(timeout=5)
        if os.environ.get('SN_KEEP_TMP', '') not in ('', '0'):
            print('kept %s' % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def run(test, kinds_needed=None):
    """Run test(cluster) and exit: 0 on success, 1 on failure, 77 (skip)
    when a sentinel binary the test needs is missing."""
    for prog in (REDIS_SERVER, REDIS_SENTINEL):
        if not os.access(prog, os.X_OK):
            print('SKIP: %s not found (apt-get install redis-server '
                  'redis-sentinel)' % prog)
            sys.exit(EXIT_SKIP)
    for kind in kinds_needed or [default_kind()]:
        b = sentinel_bin(kind)
        if not os.access(b, os.X_OK):
            print('SKIP: sentinel binary %s (kind %s) not found' % (b, kind))
            sys.exit(EXIT_SKIP)
    print('%s, kind %s, sentinel %s' % (
        os.path.basename(sys.argv[0]), default_kind(),
        sentinel_bin(default_kind())), flush=True)
    cluster = Cluster()
    rc = 1
    try:
        test(cluster)
        rc = 0
        log('PASS')
    except BaseException as e:  # noqa: BLE001 - report, then fail
        if isinstance(e, TestFailure):
            print('FAIL: %s' % e)
        else:
            traceback.print_exc()
            print('FAIL: %s: %s' % (type(e).__name__, e))
        cluster.dump_logs()
    finally:
        cluster.close()
        _kill_everything()
    sys.stdout.flush()
    os._exit(rc)


# --------------------------------------------------------------------------
# Raw RESP, for wire checks
# --------------------------------------------------------------------------

class Reply:
    """One RESP reply, its type byte kept: '+', '-', ':', '$', '*', and the
    RESP3 ones '%', '~', '>', '_', '#', ',', '(', '=', '|'. `val` is a str
    for simple strings and errors, an int, bytes or None for a bulk, a list
    of Reply (or None) for aggregates; a map is a flat list."""

    __slots__ = ('type', 'val')

    def __init__(self, type_, val):
        self.type, self.val = type_, val

    def __repr__(self):
        if self.type in '*%~>|' and self.val is not None:
            return '%s[%s]' % (self.type, ', '.join(map(repr, self.val)))
        return '%s%r' % (self.type, self.val)

    def py(self):
        """Plain Python: strings for bulks, lists for aggregates."""
        if self.type in '*%~>|':
            return None if self.val is None else [x.py() for x in self.val]
        if self.type in '$=' and self.val is not None:
            return self.val.decode('utf-8', 'replace')
        return self.val


class RawConn:
    """A socket speaking RESP by hand: exact bytes out, typed replies in."""

    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b''

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, *args):
        out = [b'*%d\r\n' % len(args)]
        for a in args:
            if not isinstance(a, bytes):
                a = str(a).encode()
            out.append(b'$%d\r\n%s\r\n' % (len(a), a))
        self.sock.sendall(b''.join(out))

    def call(self, *args):
        self.send(*args)
        return self.read()

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError('connection closed by the server')
        self.buf += chunk

    def _line(self):
        while b'\r\n' not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        t, rest = chr(line[0]), line[1:].decode('utf-8', 'replace')
        if t in '+-':
            return Reply(t, rest)
        if t == ':':
            return Reply(t, int(rest))
        if t in '$=':
            n = int(rest)
            return Reply(t, None if n < 0 else self._exact(n))
        if t in '*~>':
            n = int(rest)
            return Reply(t, None if n < 0 else [self.read() for _ in range(n)])
        if t in '%|':
            n = int(rest)
            return Reply(t, [self.read() for _ in range(2 * n)])
        if t == '_':
            return Reply(t, None)
        if t == '#':
            return Reply(t, rest == 't')
        if t in ',(':
            return Reply(t, rest)
        raise TestFailure('unknown RESP type byte %r in %r' % (t, line))

    def closed_by_peer(self, timeout=2.0):
        """True when the server closes the connection within `timeout`."""
        self.sock.settimeout(timeout)
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except socket.timeout:
            return False
        except OSError:
            return True
