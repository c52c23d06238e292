#!/usr/bin/env bash
# Installs the Debian 12 packages cairn needs (only those missing) and builds
# it into build/. Used by deploy/local.sh and tests/run; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ meson ninja-build pkg-config ccache
  capnproto libcapnp-dev libcaf-dev libleveldb-dev libcli11-dev
  libspdlog-dev libfmt-dev doctest-dev libcurl4-openssl-dev libarchive-dev
  python3 curl ca-certificates procps iproute2 iptables systemd
  chromium chromium-driver python3-selenium python3-marathon
  clang libclang-rt-14-dev
  libprotobuf-dev protobuf-compiler python3-protobuf
  docker.io busybox-static haproxy
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
if [ ! -f build/build.ninja ]; then
  CXX="ccache g++" meson setup build --buildtype=debugoptimized >/dev/null
fi
ninja -C build
