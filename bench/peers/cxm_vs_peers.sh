#!/usr/bin/env bash
# cxm against DuckDB and pandas (and the read-the-file limit) on one events file, alternating runs in one
# session so load changes hit every command alike. Medians of RUNS after one warm-up each.
#   ./cxm_vs_peers.sh CXM_BINARY EVENTS.csv [RUNS]
set -euo pipefail
cxm=$(realpath "$1"); csv=$(realpath "$2"); runs=${3:-3}
cd "$(dirname "$0")"
[ -d node_modules/@duckdb ] || npm ci --silent >/dev/null 2>&1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bytes=$(stat -c %s "$csv")
declare -A cmd=(
  [limit_wc]="wc -l $csv"
  [cxm_t1]="$cxm report --json --by channel --threads 1 $csv"
  [cxm_t2]="$cxm report --json --by channel --threads 2 $csv"
  [duckdb_t2]="node peer_duckdb.mjs $csv"
  [duckdb_t1]="node peer_duckdb.mjs --threads 1 $csv"
  [pandas]="${PYTHON:-/usr/bin/python3} peer_pandas.py $csv"
)
order=(limit_wc cxm_t1 cxm_t2 duckdb_t2 duckdb_t1)
# pandas is the slowest by far: PANDAS=0 leaves it out
[ "${PANDAS:-1}" = 0 ] || order+=(pandas)
for k in "${order[@]}"; do ${cmd[$k]} >/dev/null 2>&1 || { echo "$k failed"; exit 1; }; done
for ((i = 0; i < runs; i++)); do
  for k in "${order[@]}"; do
    /usr/bin/time -f '%e %M' -o "$tmp/t" ${cmd[$k]} >/dev/null 2>&1
    echo "$k $(cat "$tmp/t")" >> "$tmp/all"
  done
done
python3 - "$tmp/all" "$bytes" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
b = int(sys.argv[2]); res = {}
for k, w, m in rows: res.setdefault(k, []).append((float(w), int(m)))
print(f"file {b/1e6:.1f} MB")
for k, v in res.items():
    w = statistics.median(x[0] for x in v); m = statistics.median(x[1] for x in v) / 1024
    print(f"{k:10s} wall {w:6.2f} s  ({min(x[0] for x in v):.2f}-{max(x[0] for x in v):.2f})  peak {m:7.0f} MiB  {b/1e6/w:6.0f} MB/s")
med = {k: statistics.median(x[0] for x in v) for k, v in res.items()}
if "pandas" in med:
    print(f"ratios: pandas/cxm_t1 {med['pandas']/med['cxm_t1']:.2f}  pandas/cxm_t2 {med['pandas']/med['cxm_t2']:.2f}")
print(f"ratios: duckdb_t2/cxm_t1 {med['duckdb_t2']/med['cxm_t1']:.2f}  duckdb_t2/cxm_t2 {med['duckdb_t2']/med['cxm_t2']:.2f}  duckdb_t1/cxm_t1 {med['duckdb_t1']/med['cxm_t1']:.2f}  cxm_t1/limit {med['cxm_t1']/med['limit_wc']:.1f}")
PY
