#!/usr/bin/env bash
# ThreadSanitizer run (docs/threads.md): configures BUILD_DIR with
# -Db_sanitize=thread (gcc), builds the tests and runs the `threads` suite,
# then (without --threads-only) the `unit` suite and the command's own
# threads, `cxm report --threads N` (POSIX threads in src/cli/input.c),
# through the `cli threads` and `hostile corpus` tests, which run the
# TSan-built cxm; any ThreadSanitizer report fails the run.
#
#   tools/ci-tsan.sh BUILD_DIR [--threads-only]
#
# Exit status: 0 when every test passed and ThreadSanitizer reported
# nothing; 1 otherwise; 2 for a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || [ $# -gt 2 ] || { [ $# -eq 2 ] && [ "$2" != "--threads-only" ]; }; then
  echo "usage: tools/ci-tsan.sh BUILD_DIR [--threads-only]" >&2
  exit 2
fi
build=$1
suites=(--suite threads)
[ $# -eq 2 ] || suites+=(--suite unit)

if [ ! -d "$build" ]; then
  # The examples and benchmarks add nothing the suites above test.
  CC=${CC:-gcc} meson setup "$build" --werror -Db_sanitize=thread -Db_lundef=false \
    -Dexamples=false -Dbench=false -Ddocs=disabled
fi
ninja -C "$build" -j2

# halt_on_error: the first report ends the test with exitcode (66), so a
# race can never pass unnoticed; the report itself is in the test's log.
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 history_size=4 ${TSAN_OPTIONS:-}"
start=$(date +%s)
status=0
meson test -C "$build" --no-rebuild --print-errorlogs --timeout-multiplier 4 "${suites[@]}" || status=1
if [ $# -eq 1 ]; then
  # Python drives the TSan-built cxm: a report makes it exit with 66.
  meson test -C "$build" --no-rebuild --print-errorlogs --timeout-multiplier 4 --logbase testlog-cli \
    "cli threads" "hostile corpus" || status=1
fi
# Belt and braces: a report in any log fails the run even if a test
# swallowed the exit status.
for log in "$build"/meson-logs/testlog.txt "$build"/meson-logs/testlog-cli.txt; do
  if [ -f "$log" ] && grep -q "ThreadSanitizer" "$log"; then
    echo "ThreadSanitizer reported a problem (see $log)" >&2
    status=1
  fi
done
echo "tsan: ${suites[*]}$([ $# -eq 1 ] && echo ' + cli threads, hostile corpus') in $(($(date +%s) - start)) s, status $status"
exit $status
