#!/usr/bin/env bash
# ThreadSanitizer run (docs/threads.md): configures BUILD_DIR with
# -Db_sanitize=thread (gcc), builds the tests and runs the `threads` suite,
# then the `unit` suite; any ThreadSanitizer report fails the run.
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
  # The CLI, examples and benchmarks add nothing the suites above test.
  CC=${CC:-gcc} meson setup "$build" --werror -Db_sanitize=thread -Db_lundef=false \
    -Dcli=false -Dexamples=false -Dbench=false -Ddocs=disabled
fi
ninja -C "$build" -j2

# halt_on_error: the first report ends the test with exitcode (66), so a
# race can never pass unnoticed; the report itself is in the test's log.
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 history_size=4 ${TSAN_OPTIONS:-}"
start=$(date +%s)
status=0
meson test -C "$build" --no-rebuild --print-errorlogs --timeout-multiplier 4 "${suites[@]}" || status=1
# Belt and braces: a report in any log fails the run even if a test
# swallowed the exit status.
if grep -q "WARNING: ThreadSanitizer" "$build/meson-logs/testlog.txt"; then
  echo "ThreadSanitizer reported a problem (see $build/meson-logs/testlog.txt)" >&2
  status=1
fi
echo "tsan: ${suites[*]} in $(($(date +%s) - start)) s, status $status"
exit $status
