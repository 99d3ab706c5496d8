#!/usr/bin/env bash
# Installs the Debian packages cxm needs, skipping those already present (so
# repeated runs stay fast). Sourced by quickstart.sh and test-all.sh; needs
# root (or sudo) only when something is missing.
#
#   cxm_install_build_deps      # to build the library and the command
#   cxm_install_deps [PKG...]   # to build and run the tests, plus PKG...
#   "${cxm_pg_packages[@]}"     # the PostgreSQL extension and its Citus tests
cxm_build_packages=(gcc meson ninja-build pkg-config)
# python3-pandas runs the Python binding's DataFrame tests (bindings/python/tests/test_pandas.py);
# chromium renders the HTML report in tests/cli/test_report.py (group html);
# zlib1g-dev lets the command read .gz; man-db, groff-base and bsdutils
# (script) serve the man-page and progress tests of tests/cli/test_input.py;
# clang-format-14 checks the code style (tools/check_format.sh).
# python3-numpy and python3-scipy: the churn worlds (tests/cli/test_churn_worlds.py).
cxm_test_packages=(g++ libcmocka-dev python3 python3-pandas doxygen binutils golang-go chromium
                   zlib1g-dev man-db groff-base bsdutils clang-format-14 python3-numpy python3-scipy)
# postgresql-15 and its server headers build and test the extension of
# postgresql/; the -dev libraries and make build Citus for its tests
# (docs/postgresql.md).
cxm_pg_packages=(postgresql-15 postgresql-server-dev-15 liblz4-dev libzstd-dev libkrb5-dev libssl-dev
                 libreadline-dev make)

cxm_install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
}

cxm_install_build_deps() {
  cxm_install_packages "${cxm_build_packages[@]}"
}

cxm_install_deps() {
  cxm_install_packages "${cxm_build_packages[@]}" "${cxm_test_packages[@]}" "$@"
}
