#!/bin/sh
# bench_report_channels.sh: time `cxm report --json FILE > /dev/null` on a
# generated file with many channels and segments (issue 12 item 7: the
# report used to cost one pass over the store per group).
#
#   bench/bench_report_channels.sh [BUILD_DIR]     (default: build-bench)
#
# Environment (all optional):
#   EVENTS=1000000   rows (gen_events)
#   CUSTOMERS=100000 distinct customers
#   CHANNELS=20000   custom channel tokens ch1..chN replacing gen_events' channels
#   SEGMENTS=20000   segment labels s1..sN replacing gen_events' segments
#   SEED=1           generator seed (gen_events and the rewrite)
#   BY=              --by value (default: the report's channel, stage, segment)
#   RUNS=3           timed runs; every run's seconds and peak RSS are printed
#   FILE=...         the data (default /tmp/cxm-channels-EVENTS-CUSTOMERS-CHANNELS-SEGMENTS-SEED.csv;
#                    generated only when missing)
#   CXM=..., GEN=... the binaries (default BUILD_DIR/src/cli/cxm, BUILD_DIR/bench/gen_events)
#
# The rewrite draws each row's channel and segment uniformly at random, so
# every channel holds about EVENTS / CHANNELS events over the 18 months.
# Peak RSS comes from `/usr/bin/time -v` when it exists.
set -eu

build=${1:-build-bench}
EVENTS=${EVENTS:-1000000}
CUSTOMERS=${CUSTOMERS:-100000}
CHANNELS=${CHANNELS:-20000}
SEGMENTS=${SEGMENTS:-20000}
SEED=${SEED:-1}
BY=${BY:-}
RUNS=${RUNS:-3}
CXM=${CXM:-$build/src/cli/cxm}
GEN=${GEN:-$build/bench/gen_events}
FILE=${FILE:-/tmp/cxm-channels-$EVENTS-$CUSTOMERS-$CHANNELS-$SEGMENTS-$SEED.csv}

for b in "$CXM" "$GEN"; do
  if [ ! -x "$b" ]; then
    echo "bench_report_channels.sh: $b not found; build it first (ninja -C $build)" >&2
    exit 1
  fi
done

if [ ! -f "$FILE" ]; then
  echo "generating $FILE ($EVENTS rows, $CHANNELS channels, $SEGMENTS segments)"
  # Columns: id,time,customer,kind,value,channel,stage,segment,ref,dimension
  "$GEN" "$EVENTS" "$CUSTOMERS" "$SEED" - |
    awk -F, -v OFS=, -v c="$CHANNELS" -v s="$SEGMENTS" -v seed="$SEED" '
      BEGIN { srand(seed) }
      NR == 1 { print; next }
      { $6 = "ch" (1 + int(rand() * c)); $8 = "s" (1 + int(rand() * s)); print }' > "$FILE.tmp"
  mv "$FILE.tmp" "$FILE"
fi

set -- report --json "$FILE"
if [ -n "$BY" ]; then set -- "$@" --by "$BY"; fi
echo "file: $FILE ($(wc -c < "$FILE") bytes)"
echo "command: $CXM $*"
i=0
while [ "$i" -lt "$RUNS" ]; do
  i=$((i + 1))
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "run $i: %e s elapsed, %U s user, %S s system, peak RSS %M KiB" "$CXM" "$@" > /dev/null
  else
    start=$(date +%s.%N)
    "$CXM" "$@" > /dev/null
    end=$(date +%s.%N)
    echo "run $i: $(echo "$end - $start" | bc) s elapsed (no /usr/bin/time: peak RSS not measured)"
  fi
done
