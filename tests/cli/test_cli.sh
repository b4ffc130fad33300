#!/bin/sh
# test_cli.sh: the sentinel's command line, end to end.
#
#   tests/cli/test_cli.sh BUILD/sentinel/sentinel SOURCE_ROOT
#
# Prints one line per check and exits non-zero if any failed.

set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 SENTINEL_BINARY SOURCE_ROOT" >&2
    exit 2
fi
bin=$1
src=$2
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
case $src in /*) ;; *) src=$PWD/$src ;; esac
golden=$src/tests/unit/golden/config_redis

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sn-cli-XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

failed=0
checks=0

pass() {
    checks=$((checks + 1))
    echo "ok   $1"
}

fail() {
    checks=$((checks + 1))
    failed=$((failed + 1))
    echo "FAIL $1"
    echo "     exit status: $rc"
    sed 's/^/     stdout: /' "$tmp/out"
    sed 's/^/     stderr: /' "$tmp/err"
}

# run ARGS...: run the binary, keeping its output in $tmp/out, $tmp/err and
# its exit status in $rc.
run() {
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# expect_ok NAME FILE: --test-config accepts FILE.
expect_ok() {
    run --test-config "$2"
    if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "configuration OK" ]; then
        pass "$1"
    else
        fail "$1"
    fi
}

# expect_error NAME FILE TEXT...: --test-config refuses FILE with exit
# status 1 and every TEXT (a fixed string) on standard error.
expect_error() {
    name=$1
    file=$2
    shift 2
    run --test-config "$file"
    ok=yes
    [ "$rc" -eq 1 ] || ok=no
    [ -s "$tmp/out" ] && ok=no
    for text in "$@"; do
        grep -qF -- "$text" "$tmp/err" || ok=no
    done
    if [ $ok = yes ]; then pass "$name"; else fail "$name"; fi
}

# A line of N x characters.
long_line() {
    awk -v n="$1" 'BEGIN { s = ""; for (i = 0; i < n; i++) s = s "x"; print s }'
}

# ---------------------------------------------------------------------
# Good configs

expect_ok "--test-config sentinel.conf.sample" "$src/sentinel.conf.sample"
for seed in seed-handwritten seed-rewritten; do
    if [ ! -f "$golden/$seed.conf" ]; then
        rc=-
        : >"$tmp/out"
        echo "missing $golden/$seed.conf" >"$tmp/err"
        fail "--test-config $seed.conf"
        continue
    fi
    expect_ok "--test-config $seed.conf (Redis style, as it is)" \
        "$golden/$seed.conf"

    run --convert-redis-conf "$golden/$seed.conf"
    if [ "$rc" -eq 0 ] && head -n 50 "$tmp/out" | grep -q '^\[sentinel\]'; then
        pass "--convert-redis-conf $seed.conf"
    else
        fail "--convert-redis-conf $seed.conf"
    fi
    cp "$tmp/out" "$tmp/$seed.ini"
    expect_ok "--test-config of the converted $seed.ini" "$tmp/$seed.ini"

    run --convert-redis-conf "$tmp/$seed.ini"
    if [ "$rc" -eq 1 ] && grep -q 'already' "$tmp/err"; then
        pass "--convert-redis-conf refuses an INI file ($seed.ini)"
    else
        fail "--convert-redis-conf refuses an INI file ($seed.ini)"
    fi
done

# A relative config path, from its own directory and from another one.
mkdir "$tmp/rel"
cp "$src/sentinel.conf.sample" "$tmp/rel/s.ini"
(cd "$tmp/rel" && "$bin" --test-config s.ini) >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "configuration OK" ]; then
    pass "--test-config with a relative path"
else
    fail "--test-config with a relative path"
fi

# Running: a relative path and a relative dir. The daemon enters dir
# (its log file, named relative to dir, appears there), answers PING, saves
# its state into the config file it was given by a relative path (the
# generated myid lands there), and exits 0 on SIGTERM.
mkdir "$tmp/rel/data"
# A free port: the kernel picks one, we release it and use it at once.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + $$ % 20000)))
printf '[sentinel]\nport = %s\nbind = 127.0.0.1\ndir = data\nlogfile = sentinel.log\n\n[mymaster]\nmonitor = 127.0.0.1 1 2\n' \
    "$port" >"$tmp/rel/run.ini"
(cd "$tmp/rel" && exec "$bin" run.ini) >"$tmp/out" 2>"$tmp/err" &
daemon=$!
up=no
for _ in $(seq 1 100); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then
        up=yes
        break
    fi
    sleep 0.1
done
kill -TERM "$daemon" 2>/dev/null
wait "$daemon"
rc=$?
if [ "$up" = yes ] && [ "$rc" -eq 0 ] && [ -s "$tmp/rel/data/sentinel.log" ] &&
    grep -qE '^myid = [0-9a-f]{40}$' "$tmp/rel/run.ini"
then
    pass "sentinel FILE with a relative path and dir runs, saves and stops"
else
    fail "sentinel FILE with a relative path and dir runs, saves and stops"
    sed 's/^/     log: /' "$tmp/rel/data/sentinel.log" 2>/dev/null
fi

# A script named relative to dir, executable: accepted.
mkdir "$tmp/scripts"
printf '#!/bin/sh\nexit 0\n' >"$tmp/scripts/notify.sh"
chmod 755 "$tmp/scripts/notify.sh"
printf '[sentinel]\ndir = %s\n\n[m]\nmonitor = 127.0.0.1 6379 2\n%s\n' \
    "$tmp/scripts" 'notification-script = notify.sh' >"$tmp/script-ok.ini"
expect_ok "--test-config: a script relative to dir" "$tmp/script-ok.ini"

# ---------------------------------------------------------------------
# Broken configs: exit 1 with file:line

printf '[sentinel]\nport = 26379\n\n[m]\nmonitor = 127.0.0.1 6379 0\n' \
    >"$tmp/quorum.ini"
expect_error "INI quorum 0 refused" "$tmp/quorum.ini" "$tmp/quorum.ini:5:"

printf 'port 26379\nsentinel monitor m 127.0.0.1 6379 0\n' >"$tmp/quorum.conf"
expect_error "Redis-style quorum 0 refused" "$tmp/quorum.conf" \
    "$tmp/quorum.conf:2:"

printf '[sentinel]\nport = 26379\nfrobnicate = yes\n' >"$tmp/unknown.ini"
expect_error "INI unknown key refused" "$tmp/unknown.ini" \
    "$tmp/unknown.ini:3:" "frobnicate"

printf 'port 26379\nfrobnicate yes\n' >"$tmp/unknown.conf"
expect_error "Redis-style unknown directive refused" "$tmp/unknown.conf" \
    "$tmp/unknown.conf:2:" "frobnicate"

{ printf '[sentinel]\n'; printf 'announce-ip = '; long_line 300; } \
    >"$tmp/long.ini"
expect_error "INI over-long line refused" "$tmp/long.ini" "$tmp/long.ini:2:"

{ printf 'port 26379\n'; printf 'announce-ip '; long_line 70000; } \
    >"$tmp/long.conf"
expect_error "Redis-style over-long line refused" "$tmp/long.conf" \
    "$tmp/long.conf:2:"

printf '[sentinel]\nfrobnicate = 1\n\n[m]\nmonitor = 127.0.0.1 6379 0\n' \
    >"$tmp/two.ini"
expect_error "every error is reported" "$tmp/two.ini" "$tmp/two.ini:2:" \
    "$tmp/two.ini:5:"

printf '#!/bin/sh\n' >"$tmp/notexec.sh"
chmod 644 "$tmp/notexec.sh"
printf '[sentinel]\n\n[m]\nmonitor = 127.0.0.1 6379 2\n%s\n' \
    "client-reconfig-script = $tmp/notexec.sh" >"$tmp/script.ini"
expect_error "INI script not executable refused" "$tmp/script.ini" \
    "$tmp/script.ini:5:" "not executable"

printf 'sentinel monitor m 127.0.0.1 6379 2\n%s\n' \
    "sentinel notification-script m $tmp/none.sh" >"$tmp/script.conf"
expect_error "Redis-style missing script refused" "$tmp/script.conf" \
    "$tmp/script.conf:2:" "No such file"

expect_error "missing config file refused" "$tmp/none.ini" "$tmp/none.ini"

run "$tmp/quorum.ini"
if [ "$rc" -eq 1 ] && grep -qF "$tmp/quorum.ini:5:" "$tmp/err" &&
    grep -qF 'FATAL CONFIG FILE ERROR' "$tmp/err"; then
    pass "sentinel FILE refuses a broken config"
else
    fail "sentinel FILE refuses a broken config"
fi

# root may write any file, so this can only be seen as another user.
if [ "$(id -u)" -ne 0 ]; then
    cp "$src/sentinel.conf.sample" "$tmp/ro.ini"
    chmod 444 "$tmp/ro.ini"
    run "$tmp/ro.ini"
    if [ "$rc" -eq 1 ] && grep -qF 'not writable' "$tmp/err"; then
        pass "sentinel FILE refuses a file it cannot write"
    else
        fail "sentinel FILE refuses a file it cannot write"
    fi
fi

# ---------------------------------------------------------------------
# Options

run --version
if [ "$rc" -eq 0 ] && grep -q '^sentinel [0-9][0-9.]* ' "$tmp/out"; then
    pass "--version"
else
    fail "--version"
fi

run --help
if [ "$rc" -eq 0 ] && grep -q '^Usage: sentinel' "$tmp/out"; then
    pass "--help"
else
    fail "--help"
fi

run
if [ "$rc" -eq 1 ] && grep -q 'config file' "$tmp/err"; then
    pass "no arguments: exit 1"
else
    fail "no arguments: exit 1"
fi

run --no-such-option
if [ "$rc" -eq 1 ]; then pass "unknown option: exit 1"
else fail "unknown option: exit 1"; fi

run "$src/sentinel.conf.sample" --port 26380
if [ "$rc" -eq 1 ] && grep -qF "unexpected argument '--port'" "$tmp/err"
then
    pass "arguments after FILE refused"
else
    fail "arguments after FILE refused"
fi

echo "$((checks - failed)) of $checks checks passed"
[ "$failed" -eq 0 ]
