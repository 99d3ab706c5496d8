#!/usr/bin/env bash
# Quick start: install what is missing, build cxm, and report on the bundled
# sample data (examples/data/sample_events.csv).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
cxm_install_deps
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
./build/src/cli/cxm report examples/data/sample_events.csv "$@"
