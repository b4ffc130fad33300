#!/usr/bin/python3
"""The seed topology (a master, 2 replicas, 3 sentinels, quorum 2):
every sentinel discovers both replicas and both peers, and rewrites its
config file with its myid, the epochs, known-replica and known-sentinel
lines, keeping the user's comments."""

import harness as h


def test(c):
    master, reps, sents = c.seed()
    rports = sorted(r.port for r in reps)
    c.wait_discovery(sents, rports)
    ids = {s.port: s.myid() for s in sents}
    for s in sents:
        myid = ids[s.port]
        h.check(isinstance(myid, str) and len(myid) == 40
                and all(ch in '0123456789abcdef' for ch in myid),
                '%s: SENTINEL MYID %r is not 40 hex digits' % (s.name, myid))
    h.check(len(set(ids.values())) == 3, 'two sentinels share an id: %r'
            % ids)

    for s in sents:
        # REPLICAS: both, seen as replicas of this master.
        def replicas_ok():
            rs = s.replicas()
            got = sorted(int(r['port']) for r in rs)
            if got != rports:
                return False
            for r in rs:
                h.check('slave' in r['flags'].split(','),
                        '%s: replica flags %r' % (s.name, r['flags']))
                h.check(r['ip'] == h.HOST and
                        r['name'] == '%s:%s' % (h.HOST, r['port']),
                        '%s: replica name/ip %r %r' % (s.name, r['name'],
                                                       r['ip']))
                if (r['master-link-status'] != 'ok' or
                        int(r['master-port']) != master.port):
                    return False
            return True
        h.wait_until(replicas_ok, desc='%s: SENTINEL REPLICAS lists %s, '
                     'linked to %d' % (s.name, rports, master.port))

        # SENTINELS: the two others, named by their ids.
        peers = s.sentinels()
        got = sorted((int(p['port']), p['name']) for p in peers)
        want = sorted((o.port, ids[o.port]) for o in sents if o is not s)
        h.check(got == want, '%s: SENTINEL SENTINELS %r, expected %r'
                % (s.name, got, want))
        for p in peers:
            h.check('sentinel' in p['flags'].split(',') and
                    p['runid'] == p['name'] and p['ip'] == h.HOST,
                    '%s: peer entry %r' % (s.name, p))

        # MASTER: what it counts.
        m = s.master()
        h.check(m['name'] == h.MASTER_NAME and m['ip'] == h.HOST and
                int(m['port']) == master.port,
                '%s: SENTINEL MASTER name/ip/port %r' % (s.name, m))
        h.check(m['flags'] == 'master', '%s: flags %r' % (s.name,
                                                          m['flags']))
        h.check((m['num-slaves'], m['num-other-sentinels'], m['quorum']) ==
                ('2', '2', '2'), '%s: num-slaves %s num-other-sentinels %s '
                'quorum %s' % (s.name, m['num-slaves'],
                               m['num-other-sentinels'], m['quorum']))
        h.check(m['role-reported'] == 'master', '%s: role-reported %r'
                % (s.name, m['role-reported']))

        # GET-MASTER-ADDR-BY-NAME: the configured master.
        h.check(s.master_addr() == (h.HOST, master.port),
                '%s: GET-MASTER-ADDR-BY-NAME %r' % (s.name, s.master_addr()))

    # The config files: state saved, comments kept.
    for s in sents:
        want_reps = sorted((h.HOST, p) for p in rports)
        want_sents = sorted((h.HOST, o.port, ids[o.port])
                            for o in sents if o is not s)

        def saved():
            st = s.conf_state()
            return (st['myid'] == ids[s.port] and
                    sorted(st['known-replica']) == want_reps and
                    sorted(st['known-sentinel']) == want_sents and
                    st['current-epoch'] is not None and
                    st['config-epoch'] is not None and
                    st['leader-epoch'] is not None)
        try:
            h.wait_until(saved, desc='%s: config rewritten with its state'
                         % s.name)
        except h.TestFailure:
            print('----- %s' % s.conf)
            print(s.read_conf())
            raise
        st = s.conf_state()
        h.check(st['current-epoch'] == 0 and st['config-epoch'] == 0,
                '%s: epochs %r/%r, expected 0 before any failover' % (
                    s.name, st['current-epoch'], st['config-epoch']))
        for comment in ('# Written by tests/integration/harness.py.',
                        '# A user comment: the rewrite must keep it.',
                        '# The seed topology: quorum 2 of 3.'):
            h.check(comment in st['comments'],
                    '%s: the comment %r was lost in the rewrite:\n%s' % (
                        s.name, comment, s.read_conf()))
        h.log('%s: config rewritten:\n    %s' % (
            s.name, s.read_conf().rstrip().replace('\n', '\n    ')))


if __name__ == '__main__':
    h.run(test)
