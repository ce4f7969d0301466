#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian 12 machine, then
# makes sure the cached VM assets exist.  Safe to run again: it only installs
# what is missing.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "setup: run as root (apt, loop devices, VMs)" >&2; exit 1; }
pkgs=(meson ninja-build pkg-config gcc libc6-dev libsystemd-dev liburcu-dev
      xfslibs-dev libinih-dev libcmocka-dev qemu-system-x86 debootstrap
      busybox-static cpio xz-utils zstd curl kmod xfsprogs e2fsprogs attr
      util-linux clang libclang-rt-14-dev dbus)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
here=$(cd "$(dirname "$0")" && pwd)
"$here/vm/assets.sh" >/dev/null
