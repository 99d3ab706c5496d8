#!/bin/sh
# usage: tools/check_format.sh [--fix] [FILE...]
#
# Checks the C files of the repository (src, include, tests, fuzz, bench,
# examples; bindings excepted) against .clang-format with clang-format 14
# (CLANG_FORMAT overrides the program). Exit 0 when all are formatted, 1
# listing those that are not. With --fix, formats them in place instead.
# Without FILEs, every tracked *.c and *.h of those folders.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fix=0
if [ "${1:-}" = "--fix" ]; then
  fix=1
  shift
fi
cf=${CLANG_FORMAT:-}
if [ -z "$cf" ]; then
  for c in clang-format-14 clang-format; do
    if command -v "$c" >/dev/null 2>&1; then cf=$c; break; fi
  done
fi
[ -n "$cf" ] || { echo "check_format: clang-format (14) not found; set CLANG_FORMAT" >&2; exit 2; }
case $("$cf" --version) in
  *"version 14."*) ;;
  *) echo "check_format: $("$cf" --version) is not clang-format 14; other versions format differently" >&2; exit 2 ;;
esac
if [ $# -eq 0 ]; then
  if command -v git >/dev/null 2>&1 && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    set -- $(git ls-files -- 'src/*.c' 'src/*.h' 'include/*.h' 'tests/*.c' 'tests/*.h' 'fuzz/*.c' 'fuzz/*.h' \
      'bench/*.c' 'examples/*.c')
  else
    # an unpacked tarball, or no git: the same folders' files
    set -- $(find src include tests fuzz bench examples -type f \( -name '*.c' -o -name '*.h' \) \
      ! -path 'bench/data/*' | LC_ALL=C sort)
  fi
  [ $# -gt 0 ] || { echo "check_format: no C files found under $root" >&2; exit 2; }
fi
if [ "$fix" = 1 ]; then
  "$cf" -i --style=file "$@"
  echo "check_format: formatted $# files"
  exit 0
fi
# One clang-format for every file (fast); only when it finds a difference,
# one per file to name them.
if "$cf" --style=file --dry-run --Werror "$@" >/dev/null 2>&1; then
  echo "check_format: $# files formatted"
  exit 0
fi
bad=0
for f in "$@"; do
  if ! "$cf" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "$f: not formatted (tools/check_format.sh --fix $f)"
    bad=$((bad + 1))
  fi
done
if [ "$bad" -gt 0 ]; then
  echo "check_format: $bad of $# files differ from .clang-format" >&2
  exit 1
fi
echo "check_format: $# files formatted"
