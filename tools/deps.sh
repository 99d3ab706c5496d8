#!/usr/bin/env bash
# Installs the Debian packages cxm needs to build and test, skipping those
# already present (so repeated runs stay fast). Sourced by quickstart.sh and
# test-all.sh; needs root (or sudo) only when something is missing.
# Extra package names may be given (test-all.sh adds the fuzzing toolchain).
# postgresql-15 and its server headers build and test the extension of
# postgresql/; the -dev libraries and make build Citus for its tests
# (docs/postgresql.md).
cxm_install_deps() {
  local pkgs=(gcc g++ meson ninja-build pkg-config libcmocka-dev python3 doxygen binutils golang-go valgrind
    postgresql-15 postgresql-server-dev-15 liblz4-dev libzstd-dev libkrb5-dev libssl-dev libreadline-dev make "$@")
  local missing=() p
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
}
