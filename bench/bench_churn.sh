#!/bin/sh
# bench_churn.sh: time `cxm churn --json --to TO FILE` against
# `cxm report --json FILE` on the same file, run alternately (report, churn,
# report, churn, ...) so that both see the same machine load, and report
# wall time, CPU time (user + sys) and peak RSS of each, and churn / report.
#
#   bench/bench_churn.sh [BUILD_DIR]        (default: build-bench)
#
# Environment (all optional):
#   FILE=...          the event file (default bench/data/events-10m.csv;
#                     generated when missing, see GEN_PY)
#   EVENTS=10000000   rows to generate when FILE is missing
#   GEN_PY=...        the peers' generator, gen_events.py (needs numpy); when
#                     it is not given or not found, bench/gen_events makes the
#                     file instead (EVENTS rows, CUSTOMERS customers, SEED)
#   CUSTOMERS=500000, SEED=1   for bench/gen_events
#   TO=2026-04-01     churn's --to (a cut-off inside the data)
#   RUNS=3            rounds; medians are reported
#   CXM=..., GEN=...  the binaries (default BUILD_DIR/src/cli/cxm, BUILD_DIR/bench/gen_events)
#   CHURN_ARGS=...    more churn options (e.g. "--model bgnbd")
#
# Needs /usr/bin/time (GNU time) for the CPU time and peak RSS. Run on an
# otherwise idle machine; with other load, compare only runs of one call.
set -eu

build=${1:-build-bench}
FILE=${FILE:-bench/data/events-10m.csv}
EVENTS=${EVENTS:-10000000}
CUSTOMERS=${CUSTOMERS:-500000}
SEED=${SEED:-1}
TO=${TO:-2026-04-01}
RUNS=${RUNS:-3}
CHURN_ARGS=${CHURN_ARGS:-}
GEN_PY=${GEN_PY:-}
CXM=${CXM:-$build/src/cli/cxm}
GEN=${GEN:-$build/bench/gen_events}

if [ ! -x "$CXM" ]; then
  echo "bench_churn.sh: $CXM not found; build it first (ninja -C $build)" >&2
  exit 1
fi
if [ ! -x /usr/bin/time ]; then
  echo "bench_churn.sh: /usr/bin/time (GNU time) is needed for CPU time and peak RSS" >&2
  exit 1
fi

if [ ! -s "$FILE" ]; then
  mkdir -p "$(dirname "$FILE")"
  if [ -n "$GEN_PY" ] && [ -f "$GEN_PY" ]; then
    echo "generating $FILE ($EVENTS events, $GEN_PY --seed 1)" >&2
    /usr/bin/python3 "$GEN_PY" --rows "$EVENTS" --seed 1 --out "$FILE"
  else
    echo "generating $FILE ($EVENTS events, $CUSTOMERS customers, gen_events seed $SEED)" >&2
    "$GEN" "$EVENTS" "$CUSTOMERS" "$SEED" "$FILE"
  fi
fi
bytes=$(wc -c < "$FILE" | tr -d ' ')

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp".*' EXIT
# One untimed report: warms the page cache.
"$CXM" report --json "$FILE" > /dev/null

# One line per run: command wall user sys rss_kb
i=0
while [ "$i" -lt "$RUNS" ]; do
  i=$((i + 1))
  for cmd in report churn; do
    if [ "$cmd" = report ]; then
      set -- report --json "$FILE"
    else
      # shellcheck disable=SC2086
      set -- churn --json --to "$TO" $CHURN_ARGS "$FILE"
    fi
    /usr/bin/time -f "%e %U %S %M" -o "$tmp.time" "$CXM" "$@" > /dev/null 2> "$tmp.err" || {
      echo "bench_churn.sh: cxm $cmd failed:" >&2
      cat "$tmp.err" >&2
      exit 1
    }
    read -r wall user sys rss < "$tmp.time"
    echo "$cmd $wall $user $sys $rss" >> "$tmp"
    echo "round $i: $cmd wall $wall s, cpu $(echo "$user $sys" | awk '{printf "%.2f", $1 + $2}') s, peak $((rss / 1024)) MiB" >&2
  done
done

awk -v file="$FILE" -v bytes="$bytes" -v to="$TO" '
  function median(a, n,    i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    k = $1; n[k]++
    wall[k, n[k]] = $2; cpu[k, n[k]] = $3 + $4
    if ($5 > rss[k]) rss[k] = $5
  }
  END {
    for (c = 1; c <= 2; c++) {
      k = c == 1 ? "report" : "churn"
      for (i = 1; i <= n[k]; i++) { w[i] = wall[k, i]; u[i] = cpu[k, i] }
      mw[k] = median(w, n[k]); mc[k] = median(u, n[k])
    }
    printf "file        %s (%.1f MB)\n", file, bytes / 1e6
    printf "%-28s %8s %8s %10s\n", "command (median of " n["report"] ")", "wall s", "cpu s", "peak MiB"
    printf "%-28s %8.2f %8.2f %10.0f\n", "report --json", mw["report"], mc["report"], rss["report"] / 1024
    printf "%-28s %8.2f %8.2f %10.0f\n", "churn --json --to " to, mw["churn"], mc["churn"], rss["churn"] / 1024
    printf "%-28s %8.2fx %7.2fx %9.2fx\n", "churn / report", mw["churn"] / mw["report"], mc["churn"] / mc["report"],
           rss["churn"] / rss["report"]
  }' "$tmp"
