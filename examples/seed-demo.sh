#!/usr/bin/env bash
# examples/seed-demo.sh: the seed walkthrough on one machine, in one command.
#
# A master on port 7000 with replicas on 7001 and 7002, watched by three
# sentinels on 26379, 26380 and 26381 (quorum 2, down-after 1000 ms), all
# on 127.0.0.1 in a temporary directory. The script shows SENTINEL MASTERS
# and the master's INFO replication, kills the master with kill -9, prints
# the sentinels' events as they arrive and the new master with how long it
# took, writes to it (`set age 24` -> OK, where a replica said READONLY),
# restarts the old master and shows it come back as a replica. Everything
# it started is stopped when it ends, however it ends.
#
#   examples/seed-demo.sh                   with our sentinel (built first)
#   examples/seed-demo.sh --sentinel redis  the same with Debian's
#                                           redis-sentinel, for comparison
#   --no-install   do not apt-get missing packages
#   --build-dir D  build in D (relative to the source root; default build)
#   --keep         keep the temporary directory (configs and logs)
#   --stay         leave the topology running at the end, until Ctrl-C
#                  (to try examples/client.py against it)
#
# Packages it needs are installed with apt-get when missing (as root, or
# through sudo).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
kind=ours
install=1
keep=0
stay=0
build=build

while [ $# -gt 0 ]; do
    case $1 in
    --sentinel)
        [ $# -ge 2 ] || { echo "--sentinel needs ours or redis" >&2; exit 2; }
        kind=$2
        shift 2
        ;;
    --sentinel=*) kind=${1#--sentinel=}; shift ;;
    --no-install) install=0; shift ;;
    --keep) keep=1; shift ;;
    --stay) stay=1; shift ;;
    --build-dir)
        [ $# -ge 2 ] || { echo "--build-dir needs a directory" >&2; exit 2; }
        build=$2
        shift 2
        ;;
    -h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
    esac
done
case $kind in
ours | redis) ;;
*) echo "--sentinel must be ours or redis, not '$kind'" >&2; exit 2 ;;
esac

MASTER=7000
REPLICAS=(7001 7002)
SENTINELS=(26379 26380 26381)
HOST=127.0.0.1

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
now_us() { echo "${EPOCHREALTIME/./}"; }
# seconds since $1 (microseconds), with 3 decimals
since() {
    local d=$(($(now_us) - $1))
    printf '%d.%03d' $((d / 1000000)) $((d / 1000 % 1000))
}

# ---------------------------------------------------------------- install
packages=(meson ninja-build pkg-config gcc libc6-dev libevent-dev
    libhiredis-dev libinih-dev check redis-server redis-tools python3-redis)
# Only when asked for: installing it starts a redis-sentinel service on
# 26379 where systemd runs, which would take one of our ports.
[ "$kind" = redis ] && packages+=(redis-sentinel)

if [ "$install" = 1 ]; then
    missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "Installing ${missing[*]}"
        sudo=()
        if [ "$(id -u)" != 0 ]; then
            command -v sudo >/dev/null ||
                { echo "need root or sudo to install ${missing[*]}" >&2; exit 1; }
            sudo=(sudo)
        fi
        export DEBIAN_FRONTEND=noninteractive
        "${sudo[@]}" apt-get update
        "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
    fi
fi

# ------------------------------------------------------------------ build
if [ "$kind" = ours ]; then
    case $build in /*) ;; *) build=$root/$build ;; esac
    say "Building the sentinel (meson, in $build)"
    cd "$root"
    [ -f "$build/build.ninja" ] || meson setup "$build"
    meson compile -C "$build"
    sentinel_bin=$build/sentinel/sentinel
else
    sentinel_bin=$(command -v redis-sentinel || true)
    [ -n "$sentinel_bin" ] || { echo "redis-sentinel is not installed" >&2; exit 1; }
fi
command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
    { echo "redis-server and redis-cli are needed (apt-get install redis-server redis-tools)" >&2; exit 1; }

# ------------------------------------------------------- ports must be free
busy=()
for p in $MASTER "${REPLICAS[@]}" "${SENTINELS[@]}"; do
    if (exec 3<>"/dev/tcp/$HOST/$p") 2>/dev/null; then
        busy+=("$p")
    fi
done
if [ ${#busy[@]} -gt 0 ]; then
    echo "Refusing to start: port(s) ${busy[*]} on $HOST already in use." >&2
    command -v ss >/dev/null && ss -ltnp 2>/dev/null | grep -E ":($(IFS='|'; echo "${busy[*]}")) " >&2 || true
    echo "Stop what listens there (e.g. 'systemctl stop redis-sentinel') and run again." >&2
    exit 1
fi

# ------------------------------------------------- cleanup, whatever happens
tmp=$(mktemp -d "${TMPDIR:-/tmp}/seed-demo-XXXXXX")
pids=()
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do
        kill -CONT "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
    done
    sleep 0.5
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "$keep" = 1 ]; then
        echo "kept $tmp"
    else
        rm -rf "$tmp"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- servers
# start_redis PORT [MASTER_PORT]: a redis-server with its own config file,
# so that the CONFIG REWRITE a failover sends works.
start_redis() {
    local port=$1 dir=$tmp/redis-$1
    mkdir -p "$dir"
    if [ ! -f "$dir/redis.conf" ]; then
        {
            echo "port $port"
            echo "bind $HOST"
            echo 'save ""'
            echo "appendonly no"
            echo "dir $dir"
            echo "logfile $dir/redis.log"
            echo "repl-diskless-sync-delay 0"
            if [ $# -ge 2 ]; then echo "replicaof $HOST $2"; fi
        } >"$dir/redis.conf"
    fi
    redis-server "$dir/redis.conf" >/dev/null 2>&1 &
    pids+=($!)
    redis_pid[$port]=$!
    wait_for "redis $port to answer" redis-cli -p "$port" ping
}
declare -A redis_pid=()

# wait_for WHAT CMD...: run CMD until it prints PONG/true, at most 30 s.
wait_for() {
    local what=$1 i
    shift
    for i in $(seq 300); do
        if [ "$("$@" 2>/dev/null)" = PONG ]; then return 0; fi
        sleep 0.1
    done
    echo "timed out waiting for $what" >&2
    exit 1
}

# field PORT NAME: a field of SENTINEL MASTER mymaster on a sentinel.
field() {
    redis-cli -p "$1" sentinel master mymaster 2>/dev/null |
        awk -v k="$2" 'NR % 2 == 1 && $0 == k { getline; print; exit }'
}
master_of() {
    redis-cli -p "$1" sentinel get-master-addr-by-name mymaster 2>/dev/null |
        paste -sd: -
}

say "Starting the master on $MASTER and replicas on ${REPLICAS[*]} (in $tmp)"
start_redis $MASTER
for p in "${REPLICAS[@]}"; do start_redis "$p" $MASTER; done
# Linked, and streaming: a write on the master shows on the replicas.
redis-cli -p $MASTER set demo:sync ok >/dev/null
synced() { [ "$(redis-cli -p "$1" get demo:sync)" = ok ] && echo PONG; }
for p in "${REPLICAS[@]}"; do
    wait_for "replica $p to sync" synced "$p"
done

say "Starting 3 sentinels ($kind: $sentinel_bin) on ${SENTINELS[*]}, quorum 2"
for p in "${SENTINELS[@]}"; do
    dir=$tmp/sentinel-$p
    mkdir -p "$dir"
    cat >"$dir/sentinel.conf" <<EOF
# The seed's sentinel.conf, on one machine. The sentinel rewrites this file
# to save what it learns; these comments stay.
port $p
bind $HOST
daemonize no
dir $dir
logfile $dir/sentinel.log
sentinel resolve-hostnames no
sentinel monitor mymaster $HOST $MASTER 2
sentinel down-after-milliseconds mymaster 1000
sentinel parallel-syncs mymaster 1
sentinel failover-timeout mymaster 10000
EOF
    "$sentinel_bin" "$dir/sentinel.conf" >"$dir/stdout.log" 2>&1 &
    pids+=($!)
    wait_for "sentinel $p to answer" redis-cli -p "$p" ping
done

# Discovery: every sentinel knows both replicas and both peers.
discovered() {
    [ "$(field "$1" num-slaves)" = 2 ] &&
        [ "$(field "$1" num-other-sentinels)" = 2 ] && echo PONG
}
for p in "${SENTINELS[@]}"; do
    wait_for "sentinel $p to discover the replicas and its peers" \
        discovered "$p"
done

say "redis-cli -p 26379 sentinel masters"
redis-cli -p 26379 sentinel masters
say "redis-cli -p $MASTER info replication"
redis-cli -p $MASTER info replication | tr -d '\r'
say "The config file sentinel 26379 rewrote ($tmp/sentinel-26379/sentinel.conf)"
cat "$tmp/sentinel-26379/sentinel.conf"
say "A replica refuses writes: redis-cli -p ${REPLICAS[1]} set age 24"
redis-cli -p "${REPLICAS[1]}" set age 24 || true

# ----------------------------------------------------------------- events
# redis-cli prints each message as 4 lines: pmessage, pattern, channel,
# payload. The reader exits when redis-cli does.
t0_file=$tmp/t0
print_events() {
    local type _pattern channel data
    while IFS= read -r type; do
        [ "$type" = pmessage ] || continue
        IFS= read -r _pattern || break
        IFS= read -r channel || break
        IFS= read -r data || break
        if [ -f "$t0_file" ]; then
            printf '  [+%ss] %s %s\n' "$(since "$(cat "$t0_file")")" \
                "$channel" "$data"
        else
            printf '  %s %s\n' "$channel" "$data"
        fi
    done
}
redis-cli -p 26379 psubscribe '*' 2>/dev/null > >(print_events) &
pids+=($!)
sleep 0.3

say "kill -9 the master ($MASTER); events from sentinel 26379 as they arrive:"
now_us >"$t0_file"
t0=$(cat "$t0_file")
kill -9 "${redis_pid[$MASTER]}"
wait "${redis_pid[$MASTER]}" 2>/dev/null || true

# Every sentinel answers the new master (polled every 20 ms).
declare -A answered=()
n_answered=0
new=
for i in $(seq 3000); do
    for p in "${SENTINELS[@]}"; do
        [ -n "${answered[$p]:-}" ] && continue
        a=$(master_of "$p")
        if [ -n "$a" ] && [ "$a" != "$HOST:$MASTER" ]; then
            answered[$p]="$a after $(since "$t0") s"
            n_answered=$((n_answered + 1))
            new=${a##*:}
        fi
    done
    [ $n_answered -eq ${#SENTINELS[@]} ] && break
    sleep 0.02
done
[ $n_answered -eq ${#SENTINELS[@]} ] ||
    { echo "not every sentinel answered a new master within 60 s" >&2; exit 1; }
took=$(since "$t0")
sleep 1.5 # let the remaining events print
say "New master: $HOST:$new"
for p in "${SENTINELS[@]}"; do
    echo "  sentinel $p answered ${answered[$p]}"
done
echo "  every sentinel answered the new master $took s after kill -9" \
    "(down-after-milliseconds 1000, $kind sentinels)"

say "The old replica, now master, takes writes: redis-cli -p $new set age 24"
redis-cli -p "$new" set age 24

say "Restarting the old master on $MASTER: it comes back as a replica of $new"
t1=$(now_us)
start_redis $MASTER
for i in $(seq 600); do
    info=$(redis-cli -p $MASTER info replication | tr -d '\r')
    if grep -q '^role:slave' <<<"$info" && grep -q "^master_port:$new\$" <<<"$info" &&
        grep -q '^master_link_status:up' <<<"$info"; then
        break
    fi
    sleep 0.1
done
echo "  (after $(since "$t1") s)"
say "redis-cli -p $MASTER info replication"
redis-cli -p $MASTER info replication | tr -d '\r'
grep -q "^master_port:$new\$" <<<"$info" ||
    { echo "the old master did not become a replica of $new" >&2; exit 1; }
say "redis-cli -p $new info replication"
redis-cli -p "$new" info replication | tr -d '\r'
say "redis-cli -p $MASTER get age (replicated from the new master)"
redis-cli -p $MASTER get age

if [ "$stay" = 1 ]; then
    say "Still running (master $HOST:$new, sentinels ${SENTINELS[*]}); Ctrl-C stops everything"
    trap 'exit 0' INT TERM
    while :; do sleep 1; done
fi
say "Done: stopping everything this script started"
