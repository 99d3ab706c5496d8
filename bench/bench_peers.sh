#!/usr/bin/env bash
# cxm against the peers a user would pick instead (DuckDB, pandas) on one
# generated events file, in one command: builds a release cxm, generates
# the file once (bench/peers/gen_events.py, seeded: same rows, same bytes),
# checks that every peer gives cxm's numbers (bench/peers/compare.py, cxm's
# report put in their shape by bench/peers/cxm_core.py), then
# runs bench/peers/cxm_vs_peers.sh: alternating timed runs, medians and
# peak memory, and the read limit (`wc -l` on the file in page cache).
#
#   bench/bench_peers.sh [EVENTS] [RUNS]     # default 1000000 events, 3 runs
#
# Needs node and npm (DuckDB's client is installed from the npm registry on
# first use) and Debian's python3-numpy and python3-pandas. The file lands
# in bench/data/ (not committed). Results: bench/README.md, "Peers".
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
runs=${2:-3}
py=${PYTHON:-/usr/bin/python3}
build=build-bench
[ -d "$build" ] || meson setup "$build" --buildtype=release -Dtests=false -Dexamples=false -Ddocs=disabled >/dev/null
ninja -C "$build" src/cli/cxm >/dev/null
mkdir -p bench/data
csv=bench/data/peers-$events-1.csv
[ -s "$csv" ] || "$py" bench/peers/gen_events.py --rows "$events" --seed 1 --out "$csv"
(cd bench/peers && { [ -d node_modules/@duckdb ] || npm ci --silent >/dev/null; })
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/src/cli/cxm" report --json --by channel "$csv" >"$tmp/cxm.json"
node bench/peers/peer_duckdb.mjs "$csv" >"$tmp/duckdb.json"
"$py" bench/peers/peer_pandas.py "$csv" >"$tmp/pandas.json"
"$py" bench/peers/cxm_core.py "$tmp/cxm.json" "$tmp/pandas.json" >"$tmp/cxm_core.json"
"$py" bench/peers/compare.py "$tmp/pandas.json" "$tmp/duckdb.json" "$tmp/cxm_core.json"
echo "machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
PYTHON="$py" bash bench/peers/cxm_vs_peers.sh "$build/src/cli/cxm" "$csv" "$runs"
