#!/usr/bin/env bash
# Memcheck run: the unit, data and threads suites and the cxm command on
# the bundled samples, each under valgrind; any invalid access, use of
# uninitialised memory or definite/indirect leak fails the run.
#
#   tools/ci-valgrind.sh BUILD_DIR [--all]
#
# BUILD_DIR is configured here when it does not exist (a plain build: no
# sanitizer, since valgrind and ASan do not mix). Every test of those suites
# runs. The property tests repeat the same code over many random streams;
# under valgrind (30-50x slower) they run a tenth of their streams
# (CXM_TEST_QUICK, tests/test_helpers.h): memcheck looks for memory errors,
# which the first streams exercise, and the plain and ASan/UBSan runs of
# tools/test-all.sh run the full counts. --all runs the full counts here too
# (measured 2026-11-23: 593 s of test time, 326 s wall with two at a time).
# The cli, python and go suites are left out: they run the library through
# interpreters valgrind would mostly be measuring; the command itself is
# checked in step 2 instead.
# Exit status: 0 clean; 1 a test failed or valgrind reported an error;
# 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || [ $# -gt 2 ] || { [ $# -eq 2 ] && [ "$2" != "--all" ]; }; then
  echo "usage: tools/ci-valgrind.sh BUILD_DIR [--all]" >&2
  exit 2
fi
build=$1
all=0
[ $# -eq 2 ] && all=1
command -v valgrind >/dev/null || { echo "ci-valgrind: valgrind is not installed (tools/deps.sh)" >&2; exit 1; }

if [ ! -d "$build" ]; then
  meson setup "$build" --werror -Dexamples=false -Dbench=false -Ddocs=disabled >/dev/null
fi
ninja -C "$build" -j2 >/dev/null

vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-fds=no)
start=$(date +%s)
status=0

# 1. The cmocka suites through meson's wrapper (valgrind's status 99 fails
# the test). Timeouts are 20 times the plain ones: valgrind is ~20-50x
# slower on these loops.
[ $all -eq 1 ] || export CXM_TEST_QUICK=1
tests=()
while IFS= read -r name; do
  tests+=("$name")
done < <(meson test -C "$build" --no-rebuild --list --suite unit --suite data --suite threads 2>/dev/null |
         sed -n 's/^cxm:[a-z]* \/ //p')
meson test -C "$build" --no-rebuild --print-errorlogs --wrap="${vg[*]}" --timeout-multiplier 20 \
  --num-processes 2 "${tests[@]}" || status=1

# 2. The command on the samples: a report with every slice (CSV, JSON Lines,
# bad rows, several files) and the churn model.
cxm="$build/src/cli/cxm"
if [ -x "$cxm" ]; then
  run_cxm() {
    local rc=0
    "${vg[@]}" "$cxm" "$@" >/dev/null 2>"$build/valgrind-cxm.log" || rc=$?
    # cxm's own status may be 0 or 1 (a file that cannot be read); 99 is valgrind's.
    if [ $rc -eq 99 ] || grep -q "^==[0-9]*==" "$build/valgrind-cxm.log"; then
      echo "valgrind: cxm $* FAILED" >&2
      cat "$build/valgrind-cxm.log" >&2
      status=1
    else
      echo "valgrind: cxm $* ok (exit $rc)"
    fi
  }
  run_cxm report --json --by channel,stage,segment,month,week examples/data/sample_events.csv
  run_cxm report examples/data/with_errors.csv tests/cli/data/basic.csv tests/cli/data/more.jsonl tests/cli/data/noheader.csv
  run_cxm churn --json examples/data/sample_events.csv
else
  echo "valgrind: $cxm was not built (configure $build with -Dcli=true)" >&2
  status=1
fi

echo "valgrind: done in $(($(date +%s) - start)) s, status $status"
exit $status
