#!/bin/sh
# usage: check_headers.sh INCLUDE_DIR HEADER CC [CXX]
# Compiles a file that includes only HEADER, as C11 and (when CXX is given)
# as C++11, with every warning an error.
set -eu
inc=$1 header=$2 cc=$3 cxx=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include <%s>\nint cxm_header_check_anchor;\n' "$header" > "$tmp/t.c"
"$cc" -std=c11 -Wall -Wextra -pedantic -Werror -I"$inc" -c "$tmp/t.c" -o "$tmp/t.o"
if [ -n "$cxx" ]; then
  cp "$tmp/t.c" "$tmp/t.cpp"
  "$cxx" -std=c++11 -Wall -Wextra -pedantic -Werror -I"$inc" -c "$tmp/t.cpp" -o "$tmp/t2.o"
else
  echo "no C++ compiler: C++ check skipped"
fi
echo "$header: ok"
