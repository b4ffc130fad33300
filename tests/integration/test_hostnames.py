#!/usr/bin/python3
"""Masters monitored by name (resolve-hostnames yes).

(a) A master monitored as `localhost` (from /etc/hosts), with two replicas
    and three sentinels, fails over after kill -9; the name stays the
    master's identity in the saved config until then.
(b) A DNS server that never answers (a UDP socket in this process that
    reads and drops queries, given to the daemon through SN_RESOLV_CONF)
    does not stall the daemon: PING keeps answering at once for 10 s, and
    a second master monitored by address keeps its PING replies fresh.
(c) A name that a DNS server in this process answers: the daemon links to
    the address it gets, and when the name moves to another address (a
    Kubernetes pod rescheduled) the daemon follows it on reconnection.

(b) and (c) check our resolver (evdns) and its SN_RESOLV_CONF hook: with
SN_KIND=redis they are skipped (redis-sentinel resolves with a blocking
getaddrinfo and would ask the system's nameserver).
"""

import atexit
import os
import re
import socket
import struct
import threading
import time

import redis

import harness as h

# A PING that takes longer means the event loop was blocked. Lenient:
# machines are noisy; a blocked loop costs seconds (the DNS timeout).
PING_MAX_S = 0.5
WATCH_S = 10.0


# --------------------------------------------------------------------------
# A DNS server on loopback, in this process
# --------------------------------------------------------------------------

class FakeDNS:
    """UDP on 127.0.0.1. `answers` maps a lower-case name to an IPv4
    address. With swallow=True it reads queries and never answers (a dead
    server); otherwise it answers A queries for known names, gives an
    empty answer (NODATA) to other types, and NXDOMAIN to unknown names."""

    def __init__(self, answers=None, swallow=False):
        self.answers = dict(answers or {})
        self.swallow = swallow
        self.queries = []       # (monotonic time, name, qtype)
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((h.HOST, 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        atexit.register(self.close)

    def set_answer(self, name, ip):
        with self.lock:
            self.answers[name.lower()] = ip

    def count(self, name=None, since=0.0):
        with self.lock:
            return len([q for q in self.queries if q[0] >= since and
                        (name is None or q[1] == name.lower())])

    def close(self):
        self.running = False
        if self.thread.is_alive():
            self.thread.join(2)
        self.sock.close()

    def _run(self):
        while self.running:
            try:
                data, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                reply = self._handle(data)
            except (IndexError, struct.error, UnicodeDecodeError):
                continue        # not a query we understand: drop it
            if reply is not None:
                self.sock.sendto(reply, peer)

    def _handle(self, data):
        qid, flags, qdcount = struct.unpack('!HHH', data[:6])
        if qdcount != 1:
            return None
        off, labels = 12, []
        while data[off] != 0:
            n = data[off]
            labels.append(data[off + 1:off + 1 + n].decode('ascii'))
            off += 1 + n
        qtype, _qclass = struct.unpack('!HH', data[off + 1:off + 5])
        question = data[12:off + 5]     # kept verbatim: evdns checks case
        name = '.'.join(labels).lower()
        with self.lock:
            self.queries.append((time.monotonic(), name, qtype))
            if self.swallow:
                return None
            ip = self.answers.get(name)
        rflags = 0x8000 | (flags & 0x7900) | 0x0080    # QR, opcode, RD, RA
        answers = b''
        ancount = 0
        if name not in self.answers:
            rflags |= 3                                 # NXDOMAIN
        elif qtype == 1 and ip is not None:             # A
            answers = (struct.pack('!HHHIH', 0xc00c, 1, 1, 0, 4) +
                       socket.inet_aton(ip))
            ancount = 1
        return (struct.pack('!HHHHHH', qid, rflags, 1, ancount, 0, 0) +
                question + answers)


def write_resolv_conf(c, dns, name):
    path = os.path.join(c.tmp, name)
    with open(path, 'w') as f:
        # evdns takes a port on a nameserver line; libc would not.
        f.write('nameserver %s:%d\n' % (h.HOST, dns.port))
    return path


# --------------------------------------------------------------------------
# Processes with a host name in their config
# --------------------------------------------------------------------------

def named_sentinel(c, host, port, env=None, quorum=2, **kw):
    """A sentinel whose master `mymaster` is monitored as host:port, with
    resolve-hostnames yes. `env` is added to its environment."""
    s = h.Sentinel(c, h.free_port(), h.default_kind(), port, quorum=quorum,
                   **kw)
    text = s.read_conf()
    text = text.replace('sentinel resolve-hostnames no',
                        'sentinel resolve-hostnames yes')
    text = text.replace('sentinel monitor %s %s %d ' % (h.MASTER_NAME, h.HOST,
                                                        port),
                        'sentinel monitor %s %s %d ' % (h.MASTER_NAME, host,
                                                        port))
    with open(s.conf, 'w') as f:
        f.write(text)
    c.sentinels.append(s)
    saved = {k: os.environ.get(k) for k in (env or {})}
    try:
        os.environ.update(env or {})
        s.start()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return s


class RedisAt(h.RedisServer):
    """A redis-server on another loopback address than the harness's."""

    def __init__(self, c, ip, port):
        super().__init__(c, h.free_port())     # its own directory
        self.ip = ip
        with open(self.conf) as f:
            text = f.read()
        text = re.sub(r'(?m)^port \d+$', 'port %d' % port, text)
        text = re.sub(r'(?m)^bind .*$', 'bind %s' % ip, text)
        with open(self.conf, 'w') as f:
            f.write(text)
        self.port = port
        self.name = 'redis-%s:%d' % (ip, port)
        c.servers.append(self)

    def client(self, timeout=2.0):
        return redis.Redis(host=self.ip, port=self.port, socket_timeout=timeout,
                           socket_connect_timeout=timeout,
                           decode_responses=True)


def stop_all(procs):
    for p in procs:
        p.stop(timeout=5)


# --------------------------------------------------------------------------
# (a) localhost fails over
# --------------------------------------------------------------------------

def part_localhost(c):
    h.log('(a) a master monitored as localhost fails over after kill -9')
    master = c.redis()
    reps = [c.redis(master=master) for _ in range(2)]
    c.wait_streaming(master, reps)
    P = master.port
    sents = [named_sentinel(c, 'localhost', P) for _ in range(3)]
    c.wait_discovery(sents, [r.port for r in reps])
    for s in sents:
        a = s.master_addr()
        h.log('%s: GET-MASTER-ADDR-BY-NAME %s, config: %s' % (
            s.name, a, [ln for ln in s.read_conf().splitlines()
                        if 'monitor' in ln]))
        h.check(a is not None and a[1] == P, '%s answers %r' % (s.name, a))
        if s.kind == 'ours':
            h.check(re.search(r'(?m)^sentinel monitor %s localhost %d 2$' % (
                h.MASTER_NAME, P), s.read_conf()) is not None,
                '%s: the saved config lost the name localhost:\n%s' % (
                    s.name, s.read_conf()))
    sub = c.subscriber(sents)
    t0 = time.monotonic()
    master.kill9()
    h.log('kill -9 of the master %d' % P)
    e = sub.wait('+sdown', re.compile(r'master %s \S+ %d' % (h.MASTER_NAME,
                                                             P)))
    h.log('+sdown %.3f s after the kill: %s' % (e.t - t0, e.data))
    Q, _ = c.wait_new_master(sents, P, t0)
    h.check(Q in [r.port for r in reps], 'new master %d is not a replica' % Q)
    new = c.server_by_port(Q)
    other = [r for r in reps if r.port != Q][0]
    for s in sents:
        e = sub.wait('+switch-master', re.compile(
            r'%s \S+ %d \S+ %d' % (h.MASTER_NAME, P, Q)), src=s.port)
        h.log('%s: +switch-master %s' % (s.name, e.data))
    h.wait_until(lambda: new.role() == 'master',
                 desc='%d to report role:master' % Q)
    h.wait_until(lambda: other.replicates_from(Q), timeout=h.FAILOVER_TIMEOUT,
                 desc='the other replica %d to follow %d' % (other.port, Q))
    h.log('(a) passed: replica %d promoted, %d follows it' % (Q, other.port))
    sub.close()
    c.sub = None
    stop_all(sents + [master] + reps)


# --------------------------------------------------------------------------
# (b) a dead DNS server does not stall the loop
# --------------------------------------------------------------------------

def part_dead_dns(c):
    h.log('(b) a DNS server that never answers does not delay PING')
    dns = FakeDNS(swallow=True)
    resolv = write_resolv_conf(c, dns, 'resolv-dead.conf')
    other = c.redis()
    name = 'redis-master.invalid'
    s = named_sentinel(
        c, name, h.free_port(), env={'SN_RESOLV_CONF': resolv}, quorum=1,
        extra=['sentinel monitor other %s %d 1' % (h.HOST, other.port),
               'sentinel down-after-milliseconds other 5000'])
    h.check(('sentinel monitor %s %s ' % (h.MASTER_NAME, name)) in
            s.read_conf(), 'the saved config lost the name %s' % name)
    h.wait_until(lambda: dns.count(name) > 0, timeout=10,
                 desc='a query for %s at the fake DNS server' % name)
    r = s.client(timeout=5.0)
    worst, n, worst_age = 0.0, 0, 0
    t0 = time.monotonic()
    next_master = t0
    while time.monotonic() - t0 < WATCH_S:
        a = time.monotonic()
        h.check(r.ping() is True, 'PING did not answer PONG')
        d = time.monotonic() - a
        worst = max(worst, d)
        n += 1
        if a >= next_master:
            m = h.pairs_to_dict(r.execute_command('SENTINEL', 'MASTER',
                                                  'other'))
            worst_age = max(worst_age, int(m['last-ok-ping-reply']))
            next_master = a + 0.5
        time.sleep(0.005)
    queries = dns.count(name, since=t0)
    mine = h.pairs_to_dict(r.execute_command('SENTINEL', 'MASTER',
                                             h.MASTER_NAME))
    h.log('%d PINGs in %.0f s, slowest %.1f ms; master "other" by address: '
          'oldest last-ok-ping-reply %d ms; %d queries for %s at the dead '
          'server meanwhile; %s flags: %s' % (
              n, WATCH_S, worst * 1000, worst_age, queries, name,
              h.MASTER_NAME, mine['flags']))
    h.check(worst < PING_MAX_S, 'a PING took %.0f ms: the event loop was '
            'blocked' % (worst * 1000))
    h.check(worst_age < 5000, 'master "other" went %d ms without a PING '
            'reply while %s did not resolve' % (worst_age, name))
    h.check('disconnected' in mine['flags'], '%s is not disconnected: %s' % (
        name, mine['flags']))
    h.check(queries > 0, 'no query for %s reached the fake server during '
            'the watch: the daemon stopped trying' % name)
    # Reconnections are paced by the core (at most one a second per link):
    # 2 links, A and AAAA, 2 attempts each, is 8 queries a second at most.
    h.check(queries < 10 * WATCH_S, '%d queries in %.0f s: a query storm' % (
        queries, WATCH_S))
    stop_all([s, other])
    dns.close()


# --------------------------------------------------------------------------
# (c) a name answered by DNS, then moved to another address
# --------------------------------------------------------------------------

def part_moving_name(c):
    h.log('(c) the daemon follows a name that moves to another address')
    name = 'redis-master.sn-test'
    dns = FakeDNS({name: '127.0.0.2'})
    resolv = write_resolv_conf(c, dns, 'resolv-live.conf')
    port = h.free_port()
    first = RedisAt(c, '127.0.0.2', port).start()
    s = named_sentinel(c, name, port, env={'SN_RESOLV_CONF': resolv},
                       quorum=1, down_after=60000)
    run1 = first.client().info('server')['run_id']

    def runid():
        m = s.master()
        return m['runid'] if 'disconnected' not in m['flags'] else None
    h.wait_until(lambda: runid() == run1, timeout=h.TIMEOUT,
                 desc='the sentinel to reach %s at 127.0.0.2' % name)
    h.log('linked to %s = 127.0.0.2:%d (run id %s...); %d queries' % (
        name, port, run1[:8], dns.count(name)))

    t0 = time.monotonic()
    dns.set_answer(name, '127.0.0.3')
    first.kill9()
    second = RedisAt(c, '127.0.0.3', port).start()
    run2 = second.client().info('server')['run_id']
    h.wait_until(lambda: runid() == run2, timeout=h.TIMEOUT,
                 desc='the sentinel to follow %s to 127.0.0.3' % name)
    m = s.master()
    h.log('followed %s to 127.0.0.3:%d %.3f s after the move (run id '
          '%s...); %d queries since' % (name, port, time.monotonic() - t0,
                                       run2[:8], dns.count(name, since=t0)))
    # announce-hostnames is off: replies show the address the name has
    # now (the name stays in the config file).
    h.check(m['ip'] == '127.0.0.3', 'SENTINEL MASTER ip is %r, expected '
            'the new address 127.0.0.3' % m['ip'])
    h.check((' %s ' % name) in s.read_conf(), 'the config lost the name '
            '%s:\n%s' % (name, s.read_conf()))
    h.check(dns.count(name, since=t0) > 0, 'no new query after the move')
    stop_all([s, first, second])
    dns.close()


def test(c):
    part_localhost(c)
    if h.default_kind() != 'ours':
        h.log('(b) and (c) skipped: they test our resolver (SN_KIND=%s)'
              % h.default_kind())
        return
    part_dead_dns(c)
    part_moving_name(c)


if __name__ == '__main__':
    h.run(test)
