#!/usr/bin/python3
"""A sentinel restarted keeps what it saved: its myid, the epochs, the
master it last knew, its replicas and its peers. Once after SIGTERM (a
clean exit) and once after kill -9 (only what was flushed survives). The
restarted sentinels then take part in a second failover, whose epoch is
higher than the first."""

import re

import harness as h


def state(s):
    m = s.master()
    st = s.conf_state()
    return {
        'myid': s.myid(),
        'config-epoch': int(m['config-epoch']),
        'current-epoch(file)': st['current-epoch'],
        'master': s.master_addr(),
        'replicas': sorted(int(r['port']) for r in s.replicas()),
        'sentinels': sorted(p['name'] for p in s.sentinels()),
    }


def test(c):
    master, reps, sents = c.seed()
    c.wait_discovery(sents, [r.port for r in reps])
    sub = c.subscriber()
    P = master.port
    ids = {s.port: s.myid() for s in sents}

    # A failover, so that there are epochs to keep.
    t0 = h.time.monotonic()
    h.check(sents[0].cmd('SENTINEL', 'FAILOVER', h.MASTER_NAME) in
            (True, 'OK'), 'SENTINEL FAILOVER')
    Q, _ = c.wait_new_master(sents, P, t0, after='SENTINEL FAILOVER')
    for s in sents:
        sub.wait('+switch-master', 'mymaster 127.0.0.1 %d 127.0.0.1 %d'
                 % (P, Q), src=s.port)
    # The failover is over on the sentinel that ran it (else the second
    # one, below, would wait for its failover-timeout).
    sub.wait('+failover-end', re.compile(
        r'master mymaster 127\.0\.0\.1 (%d|%d)' % (P, Q)),
        src=sents[0].port)
    # Everyone at the same epochs, saved, and both replicas known again.
    rports = sorted([P] + [r.port for r in reps if r.port != Q])

    def settled():
        sts = [state(s) for s in sents]
        eps = {x['config-epoch'] for x in sts}
        return (len(eps) == 1 and min(eps) >= 1 and
                all(x['current-epoch(file)'] == x['config-epoch'] and
                    x['replicas'] == rports and x['master'] == (h.HOST, Q)
                    for x in sts)) and sts
    before = h.wait_until(settled, timeout=h.FAILOVER_TIMEOUT,
                          desc='epochs and replicas saved everywhere')
    epoch = before[0]['config-epoch']
    h.log('after the failover: master %d, epoch %d' % (Q, epoch))

    for i, how in ((1, 'term'), (2, 'kill')):
        s = sents[i]
        s.restart(how)
        h.log('%s restarted (%s)' % (s.name, how))
        after = state(s)
        h.check(after['myid'] == ids[s.port], '%s: myid %s after restart, '
                'was %s' % (s.name, after['myid'], ids[s.port]))
        h.check(after == before[i], '%s: state after restart (%s)\n  %r\n'
                'before:\n  %r' % (s.name, how, after, before[i]))
        h.check(sorted(after['sentinels']) ==
                sorted(ids[o.port] for o in sents if o is not s),
                '%s: peers after restart %r' % (s.name, after['sentinels']))
    # The restarted ones are linked again (their peers see them).
    c.wait_discovery(sents, rports)

    # A second failover with the restarted sentinels: a higher epoch.
    other = [r for r in reps if r.port != Q][0]
    h.wait_until(lambda: other.replicates_from(Q) and
                 master.replicates_from(Q), timeout=h.FAILOVER_TIMEOUT,
                 desc='both replicas to follow %d' % Q)
    newm = c.server_by_port(Q)
    t1 = h.time.monotonic()
    newm.kill9()
    R, _ = c.wait_new_master(sents, Q, t1)
    h.check(R in (P, other.port), 'second new master %d' % R)

    def epochs_up():
        eps = {int(s.master()['config-epoch']) for s in sents}
        return len(eps) == 1 and min(eps) > epoch and eps
    eps = h.wait_until(epochs_up, timeout=h.FAILOVER_TIMEOUT,
                       desc='a config epoch above %d everywhere' % epoch)
    h.log('second failover: master %d, epoch %s' % (R, eps))
    h.log('events of the second failover:')
    for e in sub.dump(t1):
        print('    +%7.3f %s' % (e.t - t1, str(e).split('] ', 1)[1]))
    for s in sents:
        h.check(s.myid() == ids[s.port], '%s: myid changed' % s.name)


if __name__ == '__main__':
    h.run(test)
