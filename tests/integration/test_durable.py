#!/usr/bin/python3
"""What depends on saved state leaves only once that state is on disk,
and the sentinel keeps serving while a save is under way.

The sentinel runs with SN_DEBUG_SAVE_DELAY_MS=1500: every save sleeps that
long before it writes (a slow disk). Then:
1. SENTINEL SET mymaster quorum 2 from client A; client B's PING is
   answered while A still waits; when A's +OK arrives, the file already
   has quorum 2.
2. A vote (SENTINEL IS-MASTER-DOWN-BY-ADDR with a run id, epoch 7) from
   A: B is answered meanwhile; when the vote arrives, the file already
   has current-epoch 7 and the vote (leader-epoch 7).
The checks are of order (what the file holds when a reply arrives, which
reply comes first), not of speed. Against redis-sentinel (SN_KIND=redis)
the delay does nothing and the order checks still hold."""

import os
import select
import socket

import harness as h

DELAY_MS = 1500
PEER_RUNID = 'a' * 40


def send_raw(sock, *args):
    out = ['*%d\r\n' % len(args)]
    for a in args:
        a = str(a)
        out.append('$%d\r\n%s\r\n' % (len(a.encode()), a))
    sock.sendall(''.join(out).encode())


def pending(sock):
    """Has the socket anything to read right now?"""
    r, _, _ = select.select([sock], [], [], 0)
    return bool(r)


def read_lines(sock, n, timeout=10.0):
    """A reply of n CRLF-terminated lines (no payload holds a CRLF)."""
    sock.settimeout(timeout)
    data = b''
    while data.count(b'\r\n') < n:
        chunk = sock.recv(65536)
        h.check(chunk, 'connection closed while waiting for a reply')
        data += chunk
    return data


def test(c):
    os.environ['SN_DEBUG_SAVE_DELAY_MS'] = str(DELAY_MS)
    master = c.redis()
    s = c.sentinel(master.port, quorum=1)
    b = s.client(timeout=5.0)
    a = socket.create_connection((h.HOST, s.port), timeout=10)

    # Let the start-up saves (myid, the replicas found) end first.
    h.wait_until(lambda: s.conf_state()['myid'], timeout=10,
                 desc='the first save')
    h.time.sleep(DELAY_MS / 1000.0 * 2)

    # 1. A configuration change.
    send_raw(a, 'SENTINEL', 'SET', h.MASTER_NAME, 'quorum', '2')
    h.check(b.ping() is True, 'PING during the save')
    if s.kind == 'ours':
        h.check(not pending(a), 'SENTINEL SET answered before its save '
                'ended (the PING after it was answered first?)')
    reply = read_lines(a, 1)
    h.check(reply == b'+OK\r\n', 'SENTINEL SET reply %r' % reply)
    conf = ' '.join(s.read_conf().split())
    h.check(('monitor %s %s %d 2' % (h.MASTER_NAME, h.HOST, master.port))
            in conf, 'the reply came before the file had quorum 2:\n%s'
            % s.read_conf())
    h.log('SENTINEL SET: +OK after the file had quorum 2; PING answered '
          'meanwhile')

    # 2. A vote.
    send_raw(a, 'SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', h.HOST, master.port, 7,
             PEER_RUNID)
    h.check(b.ping() is True, 'PING during the save of a vote')
    if s.kind == 'ours':
        h.check(not pending(a), 'the vote was answered before its save '
                'ended')
    reply = read_lines(a, 5)     # *3 :0 $40 <runid> :7
    h.check(PEER_RUNID.encode() in reply, 'vote reply %r' % reply)
    st = s.conf_state()
    h.check(st.get('current-epoch') == 7, 'the vote left before the file '
            'had current-epoch 7: %r' % st)
    h.check(int(st.get('leader-epoch') or 0) == 7,
            'the vote left before the file had leader-epoch 7: %r' % st)
    h.log('vote: reply after the file had current-epoch 7 and the vote')
    a.close()


if __name__ == '__main__':
    h.run(test)
