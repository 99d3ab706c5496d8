#!/usr/bin/env bash
# A speed-regression guard that times nothing: the instructions (valgrind's
# callgrind, "Ir") that `cxm report` and `cxm churn` execute on a fixed
# generated file, against the counts committed in bench/perf-baseline.txt.
# A count above its baseline by more than the tolerance fails the run;
# one well below it asks for the baseline to be lowered (--update), so a
# gain is kept. Counts, unlike times, do not depend on the machine's load;
# they do depend on the compiler, so the baseline names the one it came
# from (CI's: Debian 12's gcc) and another compiler only reports.
#
#   tools/ci-perf-guard.sh BUILD_DIR [--update]
#
# BUILD_DIR is configured here as a release build when it does not exist.
# Exit status: 0 within tolerance; 1 a regression; 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || [ $# -gt 2 ] || { [ $# -eq 2 ] && [ "$2" != "--update" ]; }; then
  echo "usage: tools/ci-perf-guard.sh BUILD_DIR [--update]" >&2
  exit 2
fi
build=$1
update=0
[ $# -eq 2 ] && update=1
baseline=bench/perf-baseline.txt
tolerance=10 # percent
command -v valgrind >/dev/null || { echo "perf-guard: valgrind is not installed (tools/deps.sh)" >&2; exit 1; }

if [ ! -d "$build" ]; then
  meson setup "$build" --buildtype=release -Dtests=false -Dexamples=false -Dbench=true -Ddocs=disabled >/dev/null
fi
ninja -C "$build" src/cli/cxm bench/gen_events >/dev/null
cxm="$build/src/cli/cxm"
data="$build/perf-guard-events.csv"
# 200 000 events with ids over 10 000 customers (bench/gen_events.c: same
# arguments, same bytes): large enough that start-up is noise.
"$build/bench/gen_events" 200000 10000 1 "$data" --ids
compiler=$(cc --version | head -n 1)

# Instructions executed by one command (callgrind's "Collected").
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$cxm" "$@" 2>&1 >/dev/null |
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p'
}

declare -A now
now[report]=$(count report --json --threads 1 "$data")
now[churn]=$(count churn --json --threads 1 --to 2026-01-01 "$data")

if [ $update -eq 1 ]; then
  {
    echo "# Instructions (callgrind Ir) of the commands tools/ci-perf-guard.sh runs."
    echo "# Written by tools/ci-perf-guard.sh --update on $(date -u +%Y-%m-%d)."
    echo "compiler $compiler"
    for k in report churn; do echo "$k ${now[$k]}"; done
  } >"$baseline"
  echo "perf-guard: wrote $baseline"
  exit 0
fi

status=0
base_compiler=$(sed -n 's/^compiler //p' "$baseline")
for k in report churn; do
  base=$(sed -n "s/^$k \([0-9]*\)$/\1/p" "$baseline")
  pct=$(python3 -c "print(f'{100.0 * (${now[$k]} - $base) / $base:+.1f}')")
  echo "perf-guard: cxm $k: ${now[$k]} instructions, baseline $base ($pct %)"
  if [ "$compiler" != "$base_compiler" ]; then
    continue
  fi
  if python3 -c "import sys; sys.exit(0 if ${now[$k]} > $base * (1 + $tolerance / 100) else 1)"; then
    echo "perf-guard: cxm $k executes more than $tolerance % more instructions than its baseline" >&2
    status=1
  elif python3 -c "import sys; sys.exit(0 if ${now[$k]} < $base * (1 - $tolerance / 100) else 1)"; then
    echo "perf-guard: cxm $k got faster: lower the baseline (tools/ci-perf-guard.sh $build --update)"
  fi
done
if [ "$compiler" != "$base_compiler" ]; then
  echo "perf-guard: compiler \"$compiler\" is not the baseline's (\"$base_compiler\"): counts reported, not judged"
fi
exit $status
