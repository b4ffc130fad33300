#!/usr/bin/python3
"""notification-script, as Redis runs it.

(a) Each of three sentinels has a notification script that appends its
    arguments to a file. kill -9 of the master: every +sdown and
    +switch-master a sentinel publishes is recorded by its script, with
    exactly two arguments, <event-type> <event-description>.
(b) On one sentinel (deny-scripts-reconfig no), with
    SENTINEL DEBUG script-max-runtime 2000, a script that hangs
    (exec sleep 1000) shows in SENTINEL PENDING-SCRIPTS as running,
    holds no descriptor of the daemon's beyond stdin/stdout/stderr, is
    killed after 2 s with a -script-timeout event, and is queued again
    (retry-num 1, after at most script-retry-delay).
(c) A script that exits 1 runs 10 times in all (retries with back-off,
    SENTINEL DEBUG script-retry-delay 10), then -script-error; a script
    that exits 2 runs once, then -script-error, and is not queued again.
"""

import atexit
import os
import re
import signal
import stat
import time

import harness as h

RETRY_MAX = 10


def write_script(path, body):
    with open(path, 'w') as f:
        f.write('#!/bin/sh\n' + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP |
             stat.S_IXOTH)
    return path


def records(path):
    """The lines a recording script wrote: (argc, type, description)."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return []
    return [tuple(ln.split('|', 2)) for ln in lines]


# The sleeps a hanging script leaves if the daemon never kills them, or
# starts again just before it stops: the test kills them itself at the
# end, whatever happened.
_hang_pidfiles = []


def kill_hangs():
    for pf in _hang_pidfiles:
        try:
            with open(pf) as f:
                pids = [int(x) for x in f.read().split()]
        except (OSError, ValueError):
            continue
        for pid in pids:
            try:
                with open('/proc/%d/cmdline' % pid, 'rb') as f:
                    if b'sleep' not in f.read():
                        continue
                os.kill(pid, signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass


atexit.register(kill_hangs)


def pending(s):
    return [h.pairs_to_dict(j) for j in s.cmd('SENTINEL', 'PENDING-SCRIPTS')]


# --------------------------------------------------------------------------
# (a) the notification script records the failover
# --------------------------------------------------------------------------

def part_failover(c):
    h.log('(a) a notification script records every +sdown and '
          '+switch-master of a failover')
    outs, kws = [], []
    for i in range(3):
        out = os.path.join(c.tmp, 'notify-%d.log' % i)
        script = write_script(os.path.join(c.tmp, 'notify-%d.sh' % i),
                              'printf "%%s|%%s|%%s\\n" "$#" "$1" "$2" >> %s\n'
                              % out)
        outs.append(out)
        extra = ['sentinel notification-script %s %s' % (h.MASTER_NAME,
                                                        script)]
        if i == 0:
            extra.append('sentinel deny-scripts-reconfig no')
        kws.append({'extra': extra})
    master, reps, sents = c.seed(sentinel_kw=kws)
    c.wait_discovery(sents, [r.port for r in reps])
    sub = c.subscriber()
    P = master.port
    t0 = time.monotonic()
    master.kill9()
    h.log('kill -9 of the master %d' % P)
    Q, _ = c.wait_new_master(sents, P, t0)
    for s in sents:
        sub.wait('+switch-master', 'mymaster 127.0.0.1 %d 127.0.0.1 %d'
                 % (P, Q), src=s.port)

    def published(s):
        return sorted((e.channel, e.data) for ch in ('+sdown', '+switch-master')
                      for e in sub.find(ch, src=s.port))

    def recorded(i):
        return sorted((r[1], r[2]) for r in records(outs[i])
                      if len(r) == 3 and r[1] in ('+sdown', '+switch-master'))

    for i, s in enumerate(sents):
        h.wait_until(lambda: published(s) and published(s) == recorded(i),
                     desc='%s: its script to record what it published '
                     '(published %r, recorded %r)' % (
                         s.name, published(s), recorded(i)))
        h.log('%s: the script recorded %s' % (s.name, recorded(i)))
        bad = [r for r in records(outs[i]) if r[0] != '2']
        h.check(not bad, '%s: a script did not get 2 arguments: %r'
                % (s.name, bad))
        h.check(('+switch-master', 'mymaster 127.0.0.1 %d 127.0.0.1 %d'
                 % (P, Q)) in recorded(i), '%s: no +switch-master recorded'
                % s.name)
    h.check(any(r[0] == '+sdown' and r[1] == 'master mymaster 127.0.0.1 %d'
                % P for i in range(3) for r in recorded(i)),
            'no +sdown of the master recorded')
    return sents[0], sub


# --------------------------------------------------------------------------
# (b) a hanging script is killed
# --------------------------------------------------------------------------

def part_hang(c, s, sub):
    h.log('(b) a hanging script shows in PENDING-SCRIPTS and is killed')
    pidfile = os.path.join(c.tmp, 'hang.pids')
    _hang_pidfiles.append(pidfile)
    hang = write_script(os.path.join(c.tmp, 'hang.sh'),
                        'echo $$ >> %s\nexec sleep 1000\n' % pidfile)
    h.check(s.cmd('SENTINEL', 'DEBUG', 'script-max-runtime', '2000') == 'OK',
            'SENTINEL DEBUG script-max-runtime refused')
    t0 = time.monotonic()
    s.cmd('SENTINEL', 'SET', h.MASTER_NAME, 'notification-script', hang)
    # A +set event, a warning about the master, runs its script.
    s.cmd('SENTINEL', 'SET', h.MASTER_NAME, 'parallel-syncs', '1')

    def running():
        js = [j for j in pending(s) if j['argv'][0] == hang and
              j['flags'] == 'running']
        return js[0] if js else None
    job = h.wait_until(running, desc='PENDING-SCRIPTS to show %s running'
                       % hang)
    pid = int(job['pid'])
    h.log('PENDING-SCRIPTS: %r' % job)
    h.check(job['argv'][1] == '+set' and len(job['argv']) == 3,
            'argv of the job: %r' % job['argv'])
    h.check(job['retry-num'] == '1', 'retry-num %r during the first run'
            % job['retry-num'])
    h.wait_until(lambda: os.path.exists('/proc/%d/cmdline' % pid) and
                 b'sleep' in open('/proc/%d/cmdline' % pid, 'rb').read(),
                 desc='the script %d to exec sleep' % pid)
    fds = sorted(os.listdir('/proc/%d/fd' % pid), key=int)
    h.log('descriptors of the running script: %s' % fds)
    h.check(set(fds) <= {'0', '1', '2'}, 'the script inherited descriptors '
            '%s from the daemon' % fds)

    e = sub.wait('-script-timeout', '%s %d' % (hang, pid), src=s.port,
                 timeout=20)
    h.log('-script-timeout %.3f s after the SET: %s' % (e.t - t0, e.data))
    h.wait_until(lambda: not os.path.exists('/proc/%d' % pid),
                 desc='the hanging script %d to be killed and reaped' % pid)

    def requeued():
        js = [j for j in pending(s) if j['argv'][0] == hang and
              j['flags'] == 'scheduled' and j['retry-num'] == '1']
        return js[0] if js else None
    job = h.wait_until(requeued, desc='the killed script to be queued again')
    h.log('queued again: %r' % job)
    h.check(0 < int(job['run-delay']) <= 30000, 'run-delay %r, expected the '
            'retry delay (30 s)' % job['run-delay'])


# --------------------------------------------------------------------------
# (c) exit status 1 is retried, 2 is not
# --------------------------------------------------------------------------

def part_exit_status(c, s, sub):
    h.log('(c) exit 1 is retried %d times in all, exit 2 is final'
          % RETRY_MAX)
    out1 = os.path.join(c.tmp, 'exit1.log')
    exit1 = write_script(os.path.join(c.tmp, 'exit1.sh'),
                         'echo "$2" >> %s\nexit 1\n' % out1)
    out2 = os.path.join(c.tmp, 'exit2.log')
    exit2 = write_script(os.path.join(c.tmp, 'exit2.sh'),
                         'echo "$2" >> %s\nexit 2\n' % out2)
    h.check(s.cmd('SENTINEL', 'DEBUG', 'script-retry-delay', '10') == 'OK',
            'SENTINEL DEBUG script-retry-delay refused')

    # The +set of a value seen nowhere else marks the job to count.
    t0 = time.monotonic()
    s.cmd('SENTINEL', 'SET', h.MASTER_NAME, 'notification-script', exit1)
    s.cmd('SENTINEL', 'SET', h.MASTER_NAME, 'down-after-milliseconds', '1001')
    e = sub.wait('-script-error', '%s 0 1' % exit1, src=s.port, timeout=60)
    mark = re.compile(r'.* down-after-milliseconds 1001$')

    def runs():
        with open(out1) as f:
            return len([ln for ln in f.read().splitlines()
                        if mark.fullmatch(ln)])
    h.wait_until(lambda: runs() == RETRY_MAX and not [
        j for j in pending(s) if j['argv'][0] == exit1 and
        mark.fullmatch(j['argv'][2])],
        desc='%d runs of %s for one event, then no job left (runs: %s)'
        % (RETRY_MAX, exit1, runs()))
    time.sleep(0.5)
    h.check(runs() == RETRY_MAX, '%s ran %d times, expected %d' % (
        exit1, runs(), RETRY_MAX))
    h.log('%s ran %d times, then -script-error %.3f s after the SET' % (
        exit1, runs(), e.t - t0))

    t1 = time.monotonic()
    s.cmd('SENTINEL', 'SET', h.MASTER_NAME, 'notification-script', exit2)
    s.cmd('SENTINEL', 'SET', h.MASTER_NAME, 'down-after-milliseconds', '1002')
    sub.wait('-script-error', '%s 0 2' % exit2, src=s.port, since=t1,
             timeout=20)
    time.sleep(0.5)
    with open(out2) as f:
        n = len([ln for ln in f.read().splitlines()
                 if ln.endswith('down-after-milliseconds 1002')])
    h.check(n == 1, '%s ran %d times for one event, expected once' % (exit2,
                                                                     n))
    left = [j for j in pending(s) if j['argv'][0] == exit2]
    h.check(not left, 'exit status 2 was queued again: %r' % left)
    h.log('%s ran once, -script-error, not queued again' % exit2)


def test(c):
    try:
        s, sub = part_failover(c)
        part_hang(c, s, sub)
        part_exit_status(c, s, sub)
    finally:
        # A killed script is queued again, so a sentinel may start another
        # hang up to its last moment: stop them first. (h.run leaves with
        # os._exit, which skips atexit.)
        for p in c.sentinels:
            p.stop(timeout=5)
        kill_hangs()


if __name__ == '__main__':
    h.run(test)
