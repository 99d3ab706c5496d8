#!/bin/sh
# usage: check_exports.sh LIBCXM.so EXPECTED.txt [GEN_SYMBOL_MAP.py INCLUDE_DIR]
# Fails when the shared library's dynamic symbol table differs from the
# list of documented functions (one name a line, sorted). With the
# generator and the public headers, also fails when that list differs from
# the CXM_API declarations, or, in a library linked with the version script,
# when a function is not in the version node of its @since.
set -eu
lib=$1 expected=$2
nm=$(command -v nm || true)
[ -n "$nm" ] || { echo "nm not found"; exit 1; }
tmp=${TMPDIR:-/tmp}/cxm_exports.$$
trap 'rm -f "$tmp".*' EXIT
versioned=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort)
actual=$(printf '%s\n' "$versioned" | sed 's/@.*//' | sort)
want=$(grep -v '^#' "$expected" | sort)
if [ "$actual" != "$want" ]; then
  echo "exported symbols differ from $expected:"
  printf '%s\n' "$want" > "$tmp.want"
  printf '%s\n' "$actual" > "$tmp.actual"
  diff "$tmp.want" "$tmp.actual" || true
  exit 1
fi
if [ $# -ge 4 ]; then
  py=$(command -v python3)
  decl=$("$py" "$3" --list "$4")
  if [ "$(printf '%s\n' "$decl" | awk '{print $1}')" != "$want" ]; then
    echo "the CXM_API declarations of $4 differ from $expected:"
    printf '%s\n' "$want" > "$tmp.want"
    printf '%s\n' "$decl" | awk '{print $1}' > "$tmp.decl"
    diff "$tmp.want" "$tmp.decl" || true
    exit 1
  fi
  if printf '%s\n' "$versioned" | grep -q '@'; then
    got=$(printf '%s\n' "$versioned" | sed 's/@@*/ /' | sort)
    if [ "$got" != "$decl" ]; then
      echo "symbol versions differ from the @since of the declarations (tools/gen_symbol_map.py):"
      printf '%s\n' "$decl" > "$tmp.decl"
      printf '%s\n' "$got" > "$tmp.got"
      diff "$tmp.decl" "$tmp.got" || true
      exit 1
    fi
    echo "exports: versions match @since ($(printf '%s\n' "$decl" | awk '{print $2}' | sort -u | tr '\n' ' '))"
  fi
fi
echo "exports: $(printf '%s\n' "$actual" | wc -l) symbols, as documented and declared"
