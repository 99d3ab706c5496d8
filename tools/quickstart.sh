#!/usr/bin/env bash
# Quick start: install what is missing, build cxm, and report on the bundled
# sample data (examples/data/sample_events.csv). Only what building needs is
# installed (a compiler, Meson, Ninja, pkg-config); the tests' packages come
# with tools/test-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
cxm_install_build_deps
[ -d build ] || meson setup build --buildtype=release \
  -Dtests=false -Dexamples=false -Dbench=false -Ddocs=disabled >/dev/null
ninja -C build >/dev/null
./build/src/cli/cxm report examples/data/sample_events.csv "$@"
