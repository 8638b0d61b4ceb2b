#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for nodeswan: the apt packages the kernel
# lab, the strongSwan interop peer and the native addon build need, then
# `npm ci` (which builds native/ and dist/). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # kernel lab: boot
  qemu-system-x86 linux-image-amd64 busybox-static xz-utils cpio kmod
  # kernel lab: networks, captures, the strongSwan peer
  iproute2 nftables tcpdump util-linux
  # IKEv2 probes of a running daemon (hardening tests)
  ike-scan
  strongswan-charon strongswan-swanctl libstrongswan-standard-plugins libcharon-extra-plugins
  # npm ci builds the native addon (native/) with node-gyp; a unit test
  # compiles linux/xfrm.h to check our struct layouts
  python3 make gcc g++ linux-libc-dev
  # certificates checked by openssl and strongSwan's pki; the unit file
  # checked by systemd-analyze
  openssl strongswan-pki systemd
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci
