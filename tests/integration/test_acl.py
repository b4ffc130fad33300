#!/usr/bin/python3
"""ACL users, as an operator sets them up (README "Access control"):

1. a client user that may only ask where the master is can do that and
   nothing else (NOPERM for SENTINEL MASTERS, an ACL LOG entry);
2. peers log in to each other as a `peer` user given by sentinel-user and
   sentinel-pass: a sentinel with a wrong sentinel-pass cannot use its
   peers, and SENTINEL CKQUORUM says so; SENTINEL CONFIG SET sentinel-pass
   with the right one restores them;
3. with every sentinel logging in as `peer`, a failover still happens
   (the votes go through `sentinel|is-master-down-by-addr`);
4. an ACL SETUSER made at run time is saved in the config file."""

import redis

import harness as h

ADMIN_PASS = 'admin-secret'
PEER_USER = ('user peer on >peer-secret resetchannels &__sentinel__:hello '
             '-@all +auth +client|setname +ping +publish '
             '+sentinel|is-master-down-by-addr')
APP_USER = ('user app on >app-secret resetchannels -@all +ping +hello +auth '
            '+sentinel|get-master-addr-by-name')


def extra(peer_pass):
    return ['requirepass %s' % ADMIN_PASS, PEER_USER, APP_USER,
            'sentinel sentinel-user peer',
            'sentinel sentinel-pass %s' % peer_pass]


def as_admin(s):
    """The harness talks to sentinels as the default user, which now has
    a password."""
    s.client = lambda timeout=2.0: h.client(s.port, timeout,
                                            password=ADMIN_PASS)


def ckquorum(s):
    try:
        return s.cmd('SENTINEL', 'CKQUORUM', h.MASTER_NAME)
    except redis.ResponseError as e:
        return str(e)


def test(c):
    master = c.redis()
    reps = [c.redis(master=master), c.redis(master=master)]
    c.wait_streaming(master, reps)
    sents = []
    for peer_pass in ('peer-secret', 'peer-secret', 'wrong-secret'):
        s = c.sentinel(master.port, start=False, extra=extra(peer_pass))
        as_admin(s)
        s.start()
        sents.append(s)
    c.wait_discovery(sents, [r.port for r in reps])

    # 1. The client user.
    app = h.client(sents[0].port, username='app', password='app-secret')
    addr = app.execute_command('SENTINEL', 'GET-MASTER-ADDR-BY-NAME',
                               h.MASTER_NAME)
    h.check(addr == [h.HOST, str(master.port)], 'app: address %r' % addr)
    h.check(app.ping() is True, 'app: PING')
    try:
        app.execute_command('SENTINEL', 'MASTERS')
        raise h.TestFailure('app ran SENTINEL MASTERS')
    except redis.exceptions.NoPermissionError as e:
        h.check("no permissions to run the 'sentinel|masters' command"
                in str(e), 'app: NOPERM text %r' % str(e))
    log = sents[0].cmd('ACL', 'LOG', '1')
    h.check(log and 'sentinel|masters' in log[0], 'ACL LOG: %r' % log)
    try:
        redis.Redis(host=h.HOST, port=sents[0].port).ping()
        raise h.TestFailure('a client without a password ran PING')
    except redis.exceptions.AuthenticationError:
        pass

    # 2. The sentinel with the wrong sentinel-pass cannot use its peers.
    bad = sents[2]
    h.wait_until(lambda: ckquorum(bad).startswith('NOQUORUM 1 usable'),
                 desc='CKQUORUM on %s to report its peers unusable'
                 % bad.name)
    h.log('%s with a wrong sentinel-pass: %s' % (bad.name, ckquorum(bad)))
    for s in sents[:2]:
        h.check(ckquorum(s).startswith('OK 3 usable'),
                '%s: CKQUORUM %r' % (s.name, ckquorum(s)))
    ok = bad.cmd('SENTINEL', 'CONFIG', 'SET', 'sentinel-pass', 'peer-secret')
    h.check(ok is True or ok == 'OK', 'CONFIG SET: %r' % ok)
    h.wait_until(lambda: ckquorum(bad).startswith('OK 3 usable'),
                 desc='CKQUORUM on %s to recover' % bad.name)
    h.log('%s after CONFIG SET sentinel-pass: %s' % (bad.name,
                                                    ckquorum(bad)))
    h.check('sentinel sentinel-pass peer-secret' in bad.read_conf(),
            'the new sentinel-pass was not saved:\n%s' % bad.read_conf())

    # 3. A failover, every vote asked through the peer user.
    master.kill9()
    t0 = h.time.monotonic()
    new_port, _ = c.wait_new_master(sents, master.port, t0)
    h.check(new_port in [r.port for r in reps], 'new master %d' % new_port)

    # 4. A run-time ACL change is saved.
    sents[0].cmd('ACL', 'SETUSER', 'ops', 'on', '>ops-secret', '+@all')
    conf = sents[0].read_conf()
    h.check('user ops on #' in conf and 'ops-secret' not in conf,
            'ACL SETUSER not saved as a hash:\n%s' % conf)


if __name__ == '__main__':
    h.run(test)
