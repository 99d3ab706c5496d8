#!/bin/sh
# usage: check_exports.sh LIBCXM.so EXPECTED.txt
# Fails when the shared library's dynamic symbol table differs from the
# list of documented functions (one name a line, sorted).
set -eu
lib=$1 expected=$2
nm=$(command -v nm || true)
[ -n "$nm" ] || { echo "nm not found"; exit 1; }
actual=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort)
want=$(grep -v '^#' "$expected" | sort)
if [ "$actual" != "$want" ]; then
  echo "exported symbols differ from $expected:"
  printf '%s\n' "$want" > /tmp/cxm_exports_want.$$
  printf '%s\n' "$actual" > /tmp/cxm_exports_actual.$$
  diff /tmp/cxm_exports_want.$$ /tmp/cxm_exports_actual.$$ || true
  rm -f /tmp/cxm_exports_want.$$ /tmp/cxm_exports_actual.$$
  exit 1
fi
echo "exports: $(printf '%s\n' "$actual" | wc -l) symbols, as documented"
