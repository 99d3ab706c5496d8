#!/usr/bin/env bash
# Every test: install what is missing, then build with warnings as errors
# and run the whole suite twice, plainly and under AddressSanitizer +
# UndefinedBehaviorSanitizer, build the API reference (Doxygen warnings are
# errors too), install and link through pkg-config and as a subproject.
#
#   tools/test-all.sh              # the above: a few minutes on 2 idle cores
#   tools/test-all.sh --reliability  # also the long runs of docs/reliability.md
#
# --reliability (what CI runs) adds the PostgreSQL extension's suite (a
# single server and a local Citus cluster, docs/postgresql.md), the
# ThreadSanitizer build, valgrind memcheck, and every libFuzzer target for
# CXM_FUZZ_SECONDS (default 60) each, and the instruction-count guard of
# tools/ci-perf-guard.sh. Any failure or finding fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
reliability=0
case "${1:-}" in
  "") ;;
  --reliability) reliability=1 ;;
  *) echo "usage: tools/test-all.sh [--reliability]" >&2; exit 2 ;;
esac
. tools/deps.sh
if [ $reliability -eq 1 ]; then
  # clang and its runtime build the libFuzzer targets; valgrind runs memcheck.
  cxm_install_deps clang libclang-rt-dev valgrind "${cxm_pg_packages[@]}"
else
  cxm_install_deps
fi

# The PostgreSQL suite (a server per test, Citus built once: minutes) runs
# with --reliability only.
suite_args=()
[ $reliability -eq 1 ] || suite_args=(--no-suite postgresql)

run_suite() {
  local dir=$1
  shift
  [ -d "$dir" ] || meson setup "$dir" --werror "$@"
  ninja -C "$dir"
  meson test -C "$dir" --print-errorlogs "${suite_args[@]}"
}

echo "== plain build =="
run_suite build-test
echo "== API reference (doxygen, warnings are errors) =="
ninja -C build-test docs
echo "== install, then link a program through pkg-config =="
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
meson install -C build-test --destdir "$stage" >/dev/null
prefix=$(meson introspect build-test --buildoptions | python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
pcdir=$(dirname "$(find "$stage" -name cxm.pc | head -n 1)")
libdir=$(dirname "$(find "$stage" -name 'libcxm.so' | head -n 1)")
PKG_CONFIG_SYSROOT_DIR="$stage" PKG_CONFIG_PATH="$pcdir" \
  cc -std=c11 -Wall -Wextra -pedantic -Werror examples/nps_basics.c -o "$stage/nps_basics" \
  $(PKG_CONFIG_SYSROOT_DIR="$stage" PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs cxm)
LD_LIBRARY_PATH="$libdir" "$stage/nps_basics" >/dev/null
echo "installed headers under $prefix/include/cxm, pkg-config link: ok"
echo "== cxm as a Meson subproject =="
consumer="$stage/consumer"
cp -r tests/subproject "$consumer"
mkdir -p "$consumer/subprojects"
ln -s "$PWD" "$consumer/subprojects/cxm"
meson setup "$consumer/build" "$consumer" >/dev/null
ninja -C "$consumer/build" >/dev/null
meson test -C "$consumer/build" --print-errorlogs | tail -n 3
echo "== sanitizer build (address, undefined) =="
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
  run_suite build-test-san -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fno-sanitize-recover=all
builds=(build-test build-test-san)
tsan_rc=skip valgrind_rc=skip fuzz_rc=skip perf_rc=skip
if [ $reliability -eq 1 ]; then
  echo "== ThreadSanitizer (threads and unit suites, cxm report --threads) =="
  tsan_rc=0
  bash tools/ci-tsan.sh build-test-tsan || tsan_rc=$?
  echo "== valgrind memcheck =="
  valgrind_rc=0
  bash tools/ci-valgrind.sh build-test-valgrind || valgrind_rc=$?
  echo "== libFuzzer, ${CXM_FUZZ_SECONDS:-60} s per target =="
  fuzz_rc=0
  bash tools/ci-fuzz.sh build-test-fuzz "${CXM_FUZZ_SECONDS:-60}" || fuzz_rc=$?
  echo "== instruction counts against bench/perf-baseline.txt =="
  perf_rc=0
  bash tools/ci-perf-guard.sh build-test-perf || perf_rc=$?
  echo "reliability runs: tsan exit $tsan_rc, valgrind exit $valgrind_rc, fuzz exit $fuzz_rc, perf guard exit $perf_rc"
  builds+=(build-test-tsan build-test-valgrind)
fi
# One closing line for every run, in the plain form CI reads.
TSAN_RC=$tsan_rc VALGRIND_RC=$valgrind_rc FUZZ_RC=$fuzz_rc PERF_RC=$perf_rc python3 - "${builds[@]}" <<'PY'
import glob, json, os, sys
passed = failed = skipped = 0
for build in sys.argv[1:]:
    # testlog.json, or testlog-<wrapper>.json for runs under a wrapper (valgrind)
    # or a second setup (the TSan run's cli tests).
    paths = sorted(glob.glob(os.path.join(build, "meson-logs", "testlog*.json")))
    if not paths:  # a run that could not even build
        failed += 1
    for path in paths:
      for line in open(path):
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
# The fuzz run and the scripts' own checks (valgrind on the command, TSan
# reports) count as one test each, when they ran (--reliability).
for name in ("TSAN_RC", "VALGRIND_RC", "FUZZ_RC", "PERF_RC"):
    if os.environ[name] == "skip":
        continue
    if os.environ[name] == "0":
        passed += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
