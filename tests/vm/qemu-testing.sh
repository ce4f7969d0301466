#!/usr/bin/env bash
# Prints the path of a qemu-system-x86_64 from Debian testing, cached beside
# the VM assets, for runs under multi-threaded TCG (XST_QEMU, with
# XST_VM_ACCEL=tcg-multi; bench/daemon-foreground.sh uses it).
#
# Why a second qemu: this host's qemu (Debian 12, 7.2) crashes the guest
# under multi-threaded TCG when the kernel patches its own text while
# another CPU runs ("Oops: int3" in xfs_dir_remove_child within a minute
# of a scan next to unlinks, seen here); testing's (11.1 on 2026-11-27) ran
# the same race clean.  Single-threaded TCG, which the tests use, runs both
# guest CPUs on one host thread, so a scan's CPU time is always taken from
# the foreground; the foreground bench needs the guest's CPUs to run at once.
#
# The qemu runs from an unpacked testing root through that root's own
# dynamic loader and libraries; nothing is installed on the host.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
suite=${XFS_SCRUBD_SUITE:-testing}
cache_root=${XFS_SCRUBD_VM_CACHE:-/var/cache/xfs_scrubd-vm}
# find_mirror, pkg_version
. "$here/archive.sh"
die() { echo "qemu-testing: $*" >&2; exit 1; }

# assets.sh refreshes the suite's index (and the tests need its assets anyway).
"$here/assets.sh" >/dev/null
index="$cache_root/Packages.$suite"
ver=$(pkg_version qemu-system-x86 "$index")
[ -n "$ver" ] || die "suite '$suite' has no qemu-system-x86"
dir="$cache_root/qemu/$suite-${ver//[^A-Za-z0-9.+-]/_}"
if [ -e "$dir/ready" ]; then echo "$dir/qemu-system-x86_64"; exit 0; fi

mirror=$(find_mirror) || die "no Debian mirror found in the apt configuration"
command -v debootstrap >/dev/null || die "debootstrap is missing (tests/vm/assets.sh installs it)"
echo "qemu-testing: unpacking qemu-system-x86 $ver from $suite into $dir" >&2
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
if ! debootstrap --variant=minbase --include=qemu-system-x86 "$suite" "$dir.tmp/root" "$mirror" \
	/usr/share/debootstrap/scripts/sid >"$dir.tmp/debootstrap.log" 2>&1; then
	tail -n 20 "$dir.tmp/debootstrap.log" >&2
	die "debootstrap of $suite with qemu-system-x86 failed (log: $dir.tmp/debootstrap.log)"
fi
# The root's path is fixed once the directory is renamed below.
cat >"$dir.tmp/qemu-system-x86_64" <<EOW
#!/bin/sh
r='$dir/root'
QEMU_MODULE_DIR="\$r/usr/lib/x86_64-linux-gnu/qemu" exec "\$r/lib64/ld-linux-x86-64.so.2" \\
	--library-path "\$r/usr/lib/x86_64-linux-gnu" "\$r/usr/bin/qemu-system-x86_64" \\
	-L "\$r/usr/share/qemu" -L "\$r/usr/share/seabios" "\$@"
EOW
chmod +x "$dir.tmp/qemu-system-x86_64"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
"$dir/qemu-system-x86_64" --version | head -n1 | grep -q 'QEMU emulator' ||
	die "the unpacked qemu does not run: $("$dir/qemu-system-x86_64" --version 2>&1 | head -n3)"
touch "$dir/ready"
echo "$dir/qemu-system-x86_64"
