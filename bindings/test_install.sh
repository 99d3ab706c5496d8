#!/bin/sh
# The install recipes of docs/bindings.md, exercised from a scratch
# directory outside the source tree (meson test --suite install):
#   test_install.sh SRCDIR BUILDDIR SAMPLE_CSV
# 1. `meson install --destdir` of this build into a temporary root; the
#    library must land where the Python package looks for it without any
#    environment variable (Debian multiarch: /usr/local/lib/ARCH/libcxm.so.0).
# 2. Python: a venv made by /usr/bin/python3 (PEP 668: Debian's own
#    interpreter refuses plain `pip install`), `pip install` of
#    bindings/python into it, then the installed package, run from the
#    scratch directory with CXM_LIBRARY at the installed library, ingests
#    the sample. Also `pip install --target`.
# 3. Go: a new module in the scratch directory uses the binding with the
#    three documented lines (go mod init, go mod edit, build with
#    pkg-config finding the installed cxm.pc) and runs.
# Exits 77 (skipped) when meson or python3 is missing; the Go part is
# skipped, saying so, without the go toolchain.
set -eu
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
sample=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/cxm-install.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
case "$scratch" in "$src"/*) echo "scratch dir inside the tree"; exit 1;; esac

py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ] || ! command -v meson >/dev/null 2>&1; then
  echo "SKIP: needs meson and python3"; exit 77
fi
arch=$("$py" -c 'import sysconfig; print(sysconfig.get_config_var("MULTIARCH") or "")')
libdir=$(meson introspect "$build" --buildoptions | "$py" -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "libdir"][0])')
prefix=$(meson introspect "$build" --buildoptions | "$py" -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
root="$scratch/root"

echo "== meson install --destdir $root (prefix $prefix, libdir $libdir)"
meson install -C "$build" --destdir "$root" --no-rebuild --quiet >/dev/null
lib="$root$prefix/$libdir/libcxm.so.0"
[ -e "$lib" ] || { echo "FAIL: $lib was not installed"; exit 1; }
cd "$scratch"

echo "== python: the package looks where meson installs ($lib)"
PYTHONPATH="$src/bindings/python" "$py" - "$root" "$lib" <<'PYEOF'
import os, sys
from cxm import _lib
root, lib = sys.argv[1], sys.argv[2]
found = [p for p in _lib.system_paths(root) if os.path.exists(p)]
print("system_paths under the install root:", found)
assert found and os.path.realpath(found[0]) == os.path.realpath(lib), (found, lib)
PYEOF

echo "== python: venv with $py, pip install bindings/python"
if "$py" -m venv "$scratch/venv" >/dev/null 2>&1 && [ -x "$scratch/venv/bin/pip" ]; then
  "$scratch/venv/bin/python" -m pip install -q --no-build-isolation --no-index "$src/bindings/python"
  vpy="$scratch/venv/bin/python"
else
  echo "(no venv with pip for $py: python3-venv missing; trying --target only)"
  vpy=""
fi
"$py" -m pip install -q --no-build-isolation --no-index --target "$scratch/site" "$src/bindings/python"
check='
import sys, cxm
where = cxm.__file__
assert not where.startswith(sys.argv[2]), where
with cxm.Store() as s:
    got = s.ingest(sys.argv[1])
    print(where, cxm.version(), got.events, "events")
    assert got.events > 6000 and got.rejected == 0
'
for p in $vpy; do
  CXM_LIBRARY="$lib" "$p" -c "$check" "$sample" "$src"
done
CXM_LIBRARY="$lib" PYTHONPATH="$scratch/site" "$py" -c "$check" "$sample" "$src"

echo "== go: a module of its own uses the binding (three lines)"
if ! command -v go >/dev/null 2>&1; then
  echo "SKIP (go part): the go toolchain is not installed"
  exit 0
fi
mkdir "$scratch/app"
cd "$scratch/app"
cat > main.go <<'GOEOF'
package main

import (
	"fmt"
	"os"

	"cxm.example/cxm"
)

func main() {
	s, err := cxm.NewStore()
	if err != nil {
		panic(err)
	}
	defer s.Close()
	st, _, err := s.Ingest(os.Args[1])
	if err != nil {
		panic(err)
	}
	nps, _ := s.NPS(cxm.Filter{})
	fmt.Println(st.Events, "events, NPS", nps.Score)
}
GOEOF
# A fresh build cache: a cached cgo package would keep the -L of an
# earlier (deleted) scratch root.
export GOFLAGS=-mod=mod GOPROXY=off GOTELEMETRY=off GOCACHE="$scratch/gocache" GOPATH="$scratch/gopath"
# The documented recipe; PKG_CONFIG_SYSROOT_DIR only because the install
# went to a DESTDIR (a real install needs no pkg-config variable on Debian).
go mod init example.com/app >/dev/null 2>&1
go mod edit -require=cxm.example/cxm@v0.0.0 -replace=cxm.example/cxm="$src/bindings/go"
export PKG_CONFIG_PATH="$root$prefix/$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
echo "pkg-config --libs cxm: $(pkg-config --libs cxm)"
go build -o app .
LD_LIBRARY_PATH="$root$prefix/$libdir" ./app "$sample" | tee out.txt
grep -q "^[67][0-9][0-9][0-9] events, NPS " out.txt
echo "ok"
