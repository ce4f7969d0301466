#!/usr/bin/env bash
# The main job: on a fresh Debian 12 machine, install what is missing, build,
# boot a VM with a kernel that has XFS online repair, damage a filesystem
# there (an xattr leaf and a directory block), and show xfs_scrubd healing
# it: what upstream's repair loses, what our xfs_scrub brings back and the
# salvage record that proves it, then the daemon repairing the same damage
# on the kernel's health event, as soon as an application trips over it.
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it installs packages and boots a VM)" >&2; exit 1; }
echo "== setting up (packages, VM assets; the first run takes a few minutes)"
bash tests/setup.sh
if [ ! -d build ]; then meson setup build --buildtype=release >/dev/null; fi
ninja -C build >/dev/null
echo "== booting the demo VM (Debian testing kernel, TCG)"
exec tests/vm/run-vm.sh --disk 1G --timeout 1200 tests/vm/demo-guest.sh
