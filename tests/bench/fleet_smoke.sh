#!/usr/bin/env bash
# fleet_smoke.sh FLEET: the fleet builds, starts and answers as Redis would.
#
# Serves 4 masters with 2 replicas each (12 endpoints) on kernel-chosen
# loopback ports and checks, with redis-cli, exact replies to PING, INFO
# replication on a master and a replica, a MULTI/EXEC failover
# transaction, a hello PUBLISH fanned out to a subscriber, and a KILL from
# the control port. No benchmark runs here and nothing is timed.
# Exit 77 (skip) without redis-cli.
set -uo pipefail

fleet=${1:?usage: fleet_smoke.sh FLEET}
command -v redis-cli >/dev/null || { echo "SKIP: no redis-cli"; exit 77; }

tmp=$(mktemp -d /tmp/sn-fleet-smoke-XXXXXX)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() { echo "FAIL: $*"; [ -f "$tmp/err" ] && cat "$tmp/err"; exit 1; }

"$fleet" --masters 4 --ports-file "$tmp/ports" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do
    [ -f "$tmp/ports" ] && break
    kill -0 "$pid" 2>/dev/null || fail "fleet exited"
    sleep 0.05
done
[ -f "$tmp/ports" ] || fail "no ports file"
[ "$(grep -c . "$tmp/ports")" -eq 13 ] || fail "ports file: $(cat "$tmp/ports")"

ctl=$(awk '$1 == "control" { print $2 }' "$tmp/ports")
m=$(awk '$1 == "3" { print $2 }' "$tmp/ports")    # the second master
r1=$(awk '$1 == "4" { print $2 }' "$tmp/ports")
r2=$(awk '$1 == "5" { print $2 }' "$tmp/ports")
cli() { timeout 5 redis-cli -h 127.0.0.1 "$@"; }
expect() { # expect WHAT GOT WANT
    [ "$2" = "$3" ] || fail "$1: got [$2], want [$3]"
    echo "ok: $1"
}

expect "PING" "$(cli -p "$m" PING)" "PONG"
expect "inline PING" "$(printf 'PING\r\n' | timeout 5 bash -c \
    "exec 3<>/dev/tcp/127.0.0.1/$m; cat >&3; head -c 7 <&3")" \
    "$(printf '+PONG\r\n')"
info=$(cli -p "$m" INFO | tr -d '\r')
grep -qx "role:master" <<<"$info" || fail "master INFO: $info"
grep -qx "connected_slaves:2" <<<"$info" || fail "master INFO: $info"
grep -qx "slave0:ip=127.0.0.1,port=$r1,state=online,offset=[0-9]*,lag=0" \
    <<<"$info" || fail "master INFO slave0: $info"
grep -qx "run_id:[0-9a-f]\{40\}" <<<"$info" || fail "run_id: $info"
echo "ok: master INFO"
info=$(cli -p "$r1" INFO replication | tr -d '\r')
grep -qx "role:slave" <<<"$info" || fail "replica INFO: $info"
grep -qx "master_port:$m" <<<"$info" || fail "replica INFO: $info"
grep -qx "master_link_status:up" <<<"$info" || fail "replica INFO: $info"
echo "ok: replica INFO"

# A subscriber on r2 gets a hello published there.
timeout 5 redis-cli -h 127.0.0.1 -p "$r2" SUBSCRIBE __sentinel__:hello \
    >"$tmp/sub" &
spid=$!
sleep 0.3
expect "PUBLISH" "$(cli -p "$r2" PUBLISH __sentinel__:hello hi)" "1"
sleep 0.2
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
expect "hello fan-out" "$(tr '\n' ' ' <"$tmp/sub")" \
    "subscribe __sentinel__:hello 1 message __sentinel__:hello hi "

# The master dies; r1 is promoted and r2 follows it, as a sentinel would.
expect "KILL" "$(cli -p "$ctl" KILL "$m")" "1"
cli -p "$m" PING >/dev/null 2>&1 && fail "a killed endpoint answers"
info=$(cli -p "$r1" INFO replication | tr -d '\r')
grep -qx "master_link_status:down" <<<"$info" || fail "link after KILL: $info"
got=$(printf 'MULTI\nSLAVEOF NO ONE\nCONFIG REWRITE\nCLIENT KILL TYPE normal\nEXEC\n' |
      cli -p "$r1" | tr '\n' ' ')
expect "MULTI/EXEC promotion" "$got" "OK QUEUED QUEUED QUEUED OK OK 0 "
expect "SLAVEOF" "$(cli -p "$r2" SLAVEOF 127.0.0.1 "$r1")" "OK"
# ROLE without the offsets (lines 2 and 5), which grow with time.
expect "ROLE" "$(cli -p "$r1" ROLE | sed '2d;5d' | tr '\n' ' ')" \
    "master 127.0.0.1 $r2 "
expect "ROLES" "$(cli -p "$ctl" ROLES | sed -n 4,6p | tr '\n' ' ')" \
    "$m master 0 killed $r1 master 0 alive $r2 replica $r1 alive "
# A frozen endpoint accepts but does not answer, as a stopped process.
expect "FREEZE" "$(cli -p "$ctl" FREEZE "$r1")" "1"
timeout 1 redis-cli -h 127.0.0.1 -p "$r1" PING >/dev/null 2>&1
expect "PING while frozen times out" "$?" "124"
expect "REVIVE" "$(cli -p "$ctl" REVIVE "$r1")" "1"
expect "PING after REVIVE" "$(cli -p "$r1" PING)" "PONG"

# Many ports in one KILL (a storm): the dead one 100 times, then r2.
expect "KILL x101" "$(cli -p "$ctl" KILL $(yes "$m" | head -n 100) "$r2")" "1"
expect "SHUTDOWN" "$(cli -p "$ctl" SHUTDOWN)" "OK"
wait "$pid"
rc=$?
pid=
expect "exit status" "$rc" "0"
echo "fleet smoke: all passed"
