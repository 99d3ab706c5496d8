#!/usr/bin/env bash
# Installs the Debian packages cxm needs to build and test, skipping those
# already present (so repeated runs stay fast). Sourced by quickstart.sh and
# test-all.sh; needs root (or sudo) only when something is missing.
# Extra package names may be given (test-all.sh adds the fuzzing toolchain).
cxm_install_deps() {
  # python3-numpy, python3-scipy: the churn worlds test (tests/cli/test_churn_worlds.py)
  local pkgs=(gcc g++ meson ninja-build pkg-config libcmocka-dev python3 python3-numpy python3-scipy doxygen binutils
    golang-go valgrind "$@")
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
