#!/usr/bin/python3
"""examples/client.py: a redis-py client that finds the master through the
sentinels, keeps writing, and says where the master is.

    examples/client.py                      the seed topology's sentinels
    examples/client.py 127.0.0.1:26379 ...  other sentinels

Run examples/seed-demo.sh --keep in another terminal (or any sentinels
watching `mymaster`), then kill the master: the client reports the errors
while the sentinels fail over, then carries on against the new master.
Needs python3-redis (redis-py); Ctrl-C stops it.
"""

import sys
import time

import redis
from redis.sentinel import Sentinel

MASTER_NAME = 'mymaster'


def main(argv):
    addrs = argv or ['127.0.0.1:26379', '127.0.0.1:26380', '127.0.0.1:26381']
    sentinels = [(a.rsplit(':', 1)[0], int(a.rsplit(':', 1)[1]))
                 for a in addrs]
    sn = Sentinel(sentinels, socket_timeout=0.5)
    # A connection pool that asks the sentinels where the master is on
    # every new connection, and drops its connections when the server it
    # reaches is no longer the master (READONLY).
    master = sn.master_for(MASTER_NAME, socket_timeout=0.5,
                           decode_responses=True)
    where = None
    while True:
        try:
            n = master.incr('client:counter')
            now = sn.discover_master(MASTER_NAME)
            if now != where:
                print('%s master is %s:%d' % (time.strftime('%H:%M:%S'),
                                              now[0], now[1]), flush=True)
                where = now
            if n % 10 == 0:
                print('  counter %d' % n, flush=True)
        except (redis.exceptions.ConnectionError,
                redis.exceptions.TimeoutError,
                redis.exceptions.ReadOnlyError) as e:
            # Transient while a failover is under way.
            print('%s %s: %s' % (time.strftime('%H:%M:%S'),
                                 type(e).__name__, e), flush=True)
        time.sleep(0.1)


if __name__ == '__main__':
    try:
        main(sys.argv[1:])
    except KeyboardInterrupt:
        pass
