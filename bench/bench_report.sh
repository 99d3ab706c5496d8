#!/bin/sh
# bench_report.sh: time `cxm report --json FILE > /dev/null` on a large
# generated event file and report MB/s, events/s and peak RSS.
#
#   bench/bench_report.sh [BUILD_DIR]        (default: build-bench)
#
# Environment (all optional):
#   EVENTS=3600000     rows to generate (about 250 MB without ids)
#   CUSTOMERS=1000000  distinct customers
#   SEED=1             generator seed
#   IDS=0              1: give every row an event id (gen_events --ids)
#   RUNS=3             timed runs; the best and the median are reported
#   FILE=...           where the data goes (default /tmp/cxm-bench-EVENTS-CUSTOMERS-SEED[-ids].csv;
#                      generated only when missing)
#   CXM=..., GEN=...   the binaries (default BUILD_DIR/src/cli/cxm, BUILD_DIR/bench/gen_events)
#
# Peak RSS comes from `/usr/bin/time -v` when it exists; otherwise it is
# left out (say so in the results). Run on an otherwise idle machine.
set -eu

build=${1:-build-bench}
EVENTS=${EVENTS:-3600000}
CUSTOMERS=${CUSTOMERS:-1000000}
SEED=${SEED:-1}
IDS=${IDS:-0}
RUNS=${RUNS:-3}
CXM=${CXM:-$build/src/cli/cxm}
GEN=${GEN:-$build/bench/gen_events}
suffix=""
idflag=""
if [ "$IDS" = 1 ]; then suffix="-ids"; idflag="--ids"; fi
FILE=${FILE:-/tmp/cxm-bench-$EVENTS-$CUSTOMERS-$SEED$suffix.csv}

for b in "$CXM" "$GEN"; do
  if [ ! -x "$b" ]; then
    echo "bench_report.sh: $b not found; build it first (ninja -C $build)" >&2
    exit 1
  fi
done

if [ ! -s "$FILE" ]; then
  echo "generating $FILE ($EVENTS events, $CUSTOMERS customers, seed $SEED${idflag:+, ids})" >&2
  "$GEN" "$EVENTS" "$CUSTOMERS" "$SEED" "$FILE" $idflag
fi
bytes=$(wc -c < "$FILE" | tr -d ' ')

# One untimed run: warms the page cache and gives the counts.
json=$(mktemp)
trap 'rm -f "$json" "$json.time"' EXIT
"$CXM" report --json "$FILE" > "$json"
counts=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["input"]
print(d["rows"], d["events"], d["rejected"], d["duplicates"], d["customers"])
' "$json")
set -- $counts
rows=$1 events=$2 rejected=$3 duplicates=$4 customers=$5

have_time=0
if [ -x /usr/bin/time ]; then have_time=1; fi

walls=""
rss_max=0
i=0
while [ "$i" -lt "$RUNS" ]; do
  i=$((i + 1))
  t0=$(date +%s.%N)
  if [ "$have_time" = 1 ]; then
    /usr/bin/time -v -o "$json.time" "$CXM" report --json "$FILE" > /dev/null
  else
    "$CXM" report --json "$FILE" > /dev/null
  fi
  t1=$(date +%s.%N)
  wall=$(echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}')
  walls="$walls $wall"
  if [ "$have_time" = 1 ]; then
    rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$json.time")
    if [ "$rss" -gt "$rss_max" ]; then rss_max=$rss; fi
  fi
  echo "run $i: $wall s" >&2
done

echo "$walls" | tr ' ' '\n' | grep . | sort -n | awk -v bytes="$bytes" -v rows="$rows" -v events="$events" \
  -v rejected="$rejected" -v dups="$duplicates" -v customers="$customers" -v rss="$rss_max" \
  -v have_time="$have_time" -v file="$FILE" '
  { w[NR] = $1 }
  END {
    best = w[1]; median = w[int((NR + 1) / 2)]
    printf "file        %s\n", file
    printf "size        %.1f MB (%d bytes), %d rows, %d events, %d rejected, %d duplicates, %d customers\n",
           bytes / 1e6, bytes, rows, events, rejected, dups, customers
    printf "runs        %d; best %.3f s, median %.3f s\n", NR, best, median
    printf "throughput  %.1f MB/s (best), %.1f MB/s (median)   target >= 250 MB/s\n",
           bytes / 1e6 / best, bytes / 1e6 / median
    printf "events/s    %.2f M (best), %.2f M (median)\n", rows / best / 1e6, rows / median / 1e6
    if (have_time == 1)
      printf "peak RSS    %.1f MiB (/usr/bin/time -v), %.1f bytes per customer\n",
             rss / 1024, rss * 1024 / (customers > 0 ? customers : 1)
    else
      printf "peak RSS    not measured (/usr/bin/time missing)\n"
  }'
