#!/usr/bin/env bash
# Bounded fuzzing for CI (docs/fuzzing.md).
#
#   tools/ci-fuzz.sh BUILD_DIR [SECONDS]
#
# Configures BUILD_DIR as a clang build with -Dfuzzing=true (only the
# library and the fuzz targets), then runs every libFuzzer target for
# SECONDS (default 60) on a COPY of its seed corpus (fuzz/corpus/<target>/;
# the repository is never written), with its crashers
# (fuzz/regressions/<target>/) as extra read-only seeds and its dictionary
# (fuzz/<target>.dict) when there is one. Prints executions and coverage per
# target. Exits 1 on any finding (crash, property violation, sanitizer
# report, leak, timeout, out-of-memory), naming the file that reproduces it;
# 2 on a usage or build error.
#
# Reproduce a finding:  BUILD_DIR/fuzz/fuzz_<target> FILE
# Keep it as a regression: see docs/fuzzing.md.
set -u -o pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 BUILD_DIR [SECONDS]" >&2
  exit 2
fi
build=$1
duration=${2:-60}
case $duration in
  '' | *[!0-9]*) echo "$0: SECONDS must be a whole number, got '$duration'" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
cc=${CC:-clang}
options=(-Dfuzzing=true -Dtests=false -Dcli=false -Dexamples=false -Dbench=false -Ddocs=disabled
         --buildtype=debugoptimized)

if [ -f "$build/build.ninja" ]; then
  meson setup --reconfigure "$build" "$root" "${options[@]}" >/dev/null || { echo "$0: meson setup failed" >&2; exit 2; }
else
  CC=$cc meson setup "$build" "$root" "${options[@]}" >/dev/null || { echo "$0: meson setup failed (is clang installed?)" >&2; exit 2; }
fi
ninja -C "$build" >/dev/null || { echo "$0: build failed" >&2; exit 2; }
build=$(cd "$build" && pwd)

work="$build/fuzz-run"
rm -rf "$work"
mkdir -p "$work"

targets=()
for exe in "$build"/fuzz/fuzz_*; do
  [ -f "$exe" ] && [ -x "$exe" ] && targets+=("$(basename "$exe")")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "$0: no fuzz targets in $build/fuzz" >&2
  exit 2
fi

# Sanitizers stop at the first report; leaks count as findings.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

findings=0
printf '%-16s %12s %10s %8s %8s %10s  %s\n' target executions exec/s cov ft corpus result
for exe in "${targets[@]}"; do
  name=${exe#fuzz_}
  corpus="$work/$name/corpus"
  artifacts="$work/$name/artifacts"
  log="$work/$name/fuzz.log"
  mkdir -p "$corpus" "$artifacts"
  if [ -d "$root/fuzz/corpus/$name" ]; then
    cp -R "$root/fuzz/corpus/$name/." "$corpus/"
  fi
  args=(-max_total_time="$duration" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  if [ -f "$root/fuzz/$name.dict" ]; then
    args+=(-dict="$root/fuzz/$name.dict")
  fi
  dirs=("$corpus")
  if [ -d "$root/fuzz/regressions/$name" ]; then
    dirs+=("$root/fuzz/regressions/$name")
  fi
  # libFuzzer writes new inputs only into the first directory (the copy).
  (cd "$work/$name" && timeout $((duration + 300)) "$build/fuzz/$exe" "${args[@]}" "${dirs[@]}") >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -n 1)
  cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  units=$(find "$corpus" -type f | wc -l | tr -d ' ')
  found=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
    result=ok
  else
    result="FINDING (exit $rc)"
    findings=$((findings + 1))
  fi
  printf '%-16s %12s %10s %8s %8s %10s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$units" "$result"
  if [ "$result" != ok ]; then
    grep -E 'property violated|ERROR: |runtime error|SUMMARY' "$log" | head -n 5 | sed 's/^/    /'
    if [ -n "$found" ]; then
      printf '%s\n' "$found" | sed 's/^/    reproduce: '"$(printf '%s' "$build/fuzz/$exe" | sed 's/[\/&]/\\&/g')"' /'
    else
      echo "    no reproducer written; log: $log"
    fi
  fi
done

if [ "$findings" -gt 0 ]; then
  echo "ci-fuzz: $findings target(s) with findings; logs and inputs in $work"
  exit 1
fi
echo "ci-fuzz: ${#targets[@]} targets, ${duration}s each, no findings"
exit 0
