#!/usr/bin/env bash
# run-all.sh: every benchmark table, ours next to redis-sentinel.
#
#   tests/bench/run-all.sh            the full run (about 15 minutes on 2 cores)
#   tests/bench/run-all.sh --quick    a smoke run: 1 trial each, 100 masters
#
# Options: --sentinel ours|redis|both (default both), --build DIR (default
# build-bench, or $SN_BENCH_BUILD), --only failover|throughput|cost (may be
# repeated). Builds the daemon and tests/bench/fleet with meson (the
# project's default build type), then runs throughput.py, failover.py and
# cost.py with Debian's /usr/bin/python3 (it has redis-py). Tables go to
# stdout, progress to stderr. Every process runs on 127.0.0.1 and is
# stopped at the end, also on failure or Ctrl-C. Nothing is asserted: the
# figures are for reading, and the ratios are what compare.
#
# If our daemon does not build or does not run yet, the tables show
# redis-sentinel alone and say why.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/bench
build=${SN_BENCH_BUILD:-$root/build-bench}
py=${SN_BENCH_PYTHON:-/usr/bin/python3}
quick=0
sentinel=both
only=()

while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --sentinel) sentinel=${2:?}; shift ;;
    --build) build=${2:?}; shift ;;
    --only) only+=("${2:?}"); shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "run-all.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ ${#only[@]} -eq 0 ] && only=(throughput failover cost)
case $build in /*) ;; *) build=$PWD/$build ;; esac

"$py" -c 'import redis' 2>/dev/null ||
    { echo "run-all.sh: $py has no redis module (apt-get install python3-redis)" >&2; exit 1; }
for t in redis-server redis-sentinel redis-benchmark redis-cli; do
    command -v "$t" >/dev/null ||
        { echo "run-all.sh: $t not found (apt-get install redis-server redis-sentinel redis-tools)" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- build
echo "=== build ($build)" >&2
cd "$root"
ours_ok=1
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" ${SN_BENCH_MESON_ARGS:-} >"$build.setup.log" 2>&1 ||
        { cat "$build.setup.log" >&2; ours_ok=0; }
fi
if [ $ours_ok = 1 ] && ! meson compile -C "$build" >"$build.compile.log" 2>&1; then
    tail -n 30 "$build.compile.log" >&2
    ours_ok=0
fi
ours=$build/sentinel/sentinel
fleet=$build/tests/bench/fleet
if [ ! -x "$fleet" ]; then
    # tests/bench is not in the meson tree (yet): build the fleet alone.
    mkdir -p "$build/bench"
    fleet=$build/bench/fleet
    cc -O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
        "$here/fleet.c" -o "$fleet" $(pkg-config --cflags --libs libevent) ||
        { echo "run-all.sh: cannot build the fleet" >&2; exit 1; }
fi
if [ $ours_ok = 0 ] || [ ! -x "$ours" ]; then
    echo "NOTE: our daemon did not build; measuring redis-sentinel alone"
    [ "$sentinel" = both ] && sentinel=redis
    [ "$sentinel" = ours ] && exit 1
fi

common=(--sentinel "$sentinel" --ours-bin "$ours")
if [ $quick = 1 ]; then
    thr=(--runs 1 --requests 20000 --requests-pipelined 100000)
    fo=(--trials 1)
    cost=(--masters 100 --storm 10 --window 5 --settle 2)
else
    thr=()
    fo=()
    cost=()
fi

again=tests/bench/run-all.sh
[ $quick = 1 ] && again="$again --quick"
[ "$sentinel" != both ] && again="$again --sentinel $sentinel"
echo "# Benchmarks: ours vs redis-sentinel $(redis-sentinel --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -srm)"
echo "# reproduce: $again"
echo

rc=0
for b in "${only[@]}"; do
    case $b in
    throughput) "$py" "$here/throughput.py" "${common[@]}" "${thr[@]}" || rc=1 ;;
    failover) "$py" "$here/failover.py" "${common[@]}" "${fo[@]}" || rc=1 ;;
    cost) "$py" "$here/cost.py" "${common[@]}" --fleet-bin "$fleet" "${cost[@]}" || rc=1 ;;
    *) echo "run-all.sh: unknown benchmark $b" >&2; rc=2 ;;
    esac
done
exit $rc
