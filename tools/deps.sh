#!/usr/bin/env bash
# Installs the Debian packages cxm needs, skipping those already present (so
# repeated runs stay fast). Sourced by quickstart.sh and test-all.sh; needs
# root (or sudo) only when something is missing.
#
#   cxm_install_build_deps      # to build the library and the command
#   cxm_install_deps [PKG...]   # to build and run the tests, plus PKG...
cxm_build_packages=(gcc meson ninja-build pkg-config)
cxm_test_packages=(g++ libcmocka-dev python3 doxygen binutils golang-go clang-format-14)

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
