#!/usr/bin/env bash
# Every test: install what is missing, then build with warnings as errors
# and run the whole suite twice, plainly and under AddressSanitizer +
# UndefinedBehaviorSanitizer, and build the API reference (Doxygen warnings
# are errors too).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
cxm_install_deps

run_suite() {
  local dir=$1
  shift
  [ -d "$dir" ] || meson setup "$dir" --werror "$@"
  ninja -C "$dir"
  meson test -C "$dir" --print-errorlogs
}

echo "== plain build =="
run_suite build-test
echo "== API reference (doxygen, warnings are errors) =="
ninja -C build-test docs
echo "== sanitizer build (address, undefined) =="
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
  run_suite build-test-san -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fno-sanitize-recover=all
echo "all tests passed"
