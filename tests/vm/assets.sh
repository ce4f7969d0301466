#!/usr/bin/env bash
# Builds, caches and prints the location of the VM test assets: a Debian testing
# root filesystem (debootstrap minbase plus xfsprogs and the tools the tests
# need), the testing kernel with its modules, and a tiny initramfs that mounts
# that root over 9p with a tmpfs overlay.
#
# The host kernel has no online scrub, so every real scrub/repair test runs in
# a VM booting testing's kernel.  The cache lives outside the checkout and is
# keyed by the suite and the versions of the packages that matter, so a new
# kernel or xfsprogs in testing triggers a rebuild and nothing stale is used.
#
# Usage: tests/vm/assets.sh            ensure the cache, print its directory
#        tests/vm/assets.sh --key      print the cache key only
# Environment: XFS_SCRUBD_VM_CACHE (default /var/cache/xfs_scrubd-vm),
#              XFS_SCRUBD_SUITE (default testing).
set -euo pipefail

suite=${XFS_SCRUBD_SUITE:-testing}
cache_root=${XFS_SCRUBD_VM_CACHE:-/var/cache/xfs_scrubd-vm}
# Bump when the recipe below changes, so old caches are not reused.
recipe=5
# Packages installed into the guest root.  Our binaries are built on the host
# (Debian 12) and run in the guest against these runtime libraries.
guest_pkgs=(xfsprogs attr acl systemd systemd-sysv udev dbus kmod util-linux
	    procps libsystemd0 liburcu8t64 libinih1 e2fsprogs coreutils
	    findutils python3-minimal dmsetup bsdextrautils file diffutils
	    gawk)
# Modules loaded by the initramfs, in this order, before the root exists.
initrd_mods=(netfs fscache 9pnet 9pnet_virtio 9p overlay virtio_blk)

die() { echo "vm-assets: $*" >&2; exit 1; }

# find_mirror, pkg_version
. "$(dirname "$0")/archive.sh"

need_host_tools() {
	local missing=()
	command -v debootstrap >/dev/null || missing+=(debootstrap)
	command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
	[ -x /bin/busybox ] && /bin/busybox --list | grep -qx switch_root || missing+=(busybox-static)
	command -v cpio >/dev/null || missing+=(cpio)
	command -v xz >/dev/null || missing+=(xz-utils)
	command -v zstd >/dev/null || missing+=(zstd)
	command -v curl >/dev/null || missing+=(curl)
	command -v depmod >/dev/null || missing+=(kmod)
	if [ ${#missing[@]} -gt 0 ]; then
		echo "vm-assets: installing ${missing[*]}" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
			die "could not install ${missing[*]}"
	fi
}

mirror=$(find_mirror) || die "no Debian mirror found in the apt configuration"
mkdir -p "$cache_root"

index="$cache_root/Packages.$suite"
if curl -sSf --max-time 60 -o "$index.xz.new" \
	"$mirror/dists/$suite/main/binary-amd64/Packages.xz" 2>"$cache_root/curl.err"; then
	xz -dc "$index.xz.new" >"$index.new" && mv "$index.new" "$index" && rm -f "$index.xz.new"
else
	newest=$(ls -1td "$cache_root"/*/ready 2>/dev/null | head -n1 || true)
	if [ -n "$newest" ]; then
		echo "vm-assets: cannot reach $mirror ($(cat "$cache_root/curl.err")); using the cached $(dirname "$newest")" >&2
		dirname "$newest"
		exit 0
	fi
	die "cannot reach the Debian archive at $mirror for suite '$suite': $(cat "$cache_root/curl.err")"
fi

kmeta=$(pkg_version linux-image-amd64 "$index")
[ -n "$kmeta" ] || die "suite '$suite' has no linux-image-amd64"
kpkg=$(awk '$1=="Package:" {f=($2=="linux-image-amd64")} f && $1=="Depends:" {print; exit}' "$index" |
       grep -o 'linux-image-[0-9][^ ,]*-amd64' | head -n1)
[ -n "$kpkg" ] || die "cannot resolve the kernel package behind linux-image-amd64"
xfsver=$(pkg_version xfsprogs "$index")
key_text="suite=$suite recipe=$recipe kernel=$kpkg/$kmeta xfsprogs=$xfsver pkgs=${guest_pkgs[*]}"
key=$(printf '%s' "$key_text" | sha256sum | cut -c1-16)
if [ "${1:-}" = --key ]; then echo "$key_text"; exit 0; fi

dir="$cache_root/$key"
if [ -e "$dir/ready" ]; then echo "$dir"; exit 0; fi

need_host_tools
echo "vm-assets: building $dir ($key_text)" >&2
root="$dir.tmp/root"
# A finished debootstrap is kept across failures of the later steps.
if [ ! -e "$dir.tmp/debootstrap.done" ]; then
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	inc=$(IFS=,; echo "${guest_pkgs[*]}")
	# bookworm's debootstrap does not know testing's codename: use the sid
	# script, which serves every current suite.
	if ! debootstrap --variant=minbase --include="$inc" "$suite" "$root" "$mirror" \
		/usr/share/debootstrap/scripts/sid >"$dir.tmp/debootstrap.log" 2>&1; then
		tail -n 20 "$dir.tmp/debootstrap.log" >&2
		die "debootstrap of $suite failed (log: $dir.tmp/debootstrap.log)"
	fi
	touch "$dir.tmp/debootstrap.done"
fi

# The kernel image and modules are unpacked, not installed: installing would
# run initramfs hooks we do not need; we make our own initramfs below.
# linux-image-X is a meta package; the kernel is in linux-binary-X and the
# modules in linux-modules-X.
kabi=${kpkg#linux-image-}
for p in "linux-binary-$kabi" "linux-modules-$kabi"; do
	kfile=$(awk -v p="$p" '$1=="Package:" {f=($2==p)} f && $1=="Filename:" {print $2; exit}' "$index")
	[ -n "$kfile" ] || die "no $p in the $suite index"
	curl -sSf --max-time 600 -o "$dir.tmp/kernel.deb" "$mirror/$kfile" ||
		die "cannot download $mirror/$kfile"
	# The guest root is merged-/usr: keep its /lib symlink when unpacking.
	dpkg-deb --fsys-tarfile "$dir.tmp/kernel.deb" |
		tar -x -C "$root" --keep-directory-symlink -f -
	rm -f "$dir.tmp/kernel.deb"
done
# A frozen mirror may carry an expired Release file; apt in the guest must
# not refuse it if a test ever installs something.
cat >"$root/etc/apt/apt.conf.d/99xfs-scrubd" <<'EOT'
Acquire::Check-Valid-Until "false";
APT::Install-Recommends "false";
EOT
kver=$(ls "$root/lib/modules" | head -n1)
[ -n "$kver" ] || die "no modules in $kpkg"
depmod -b "$root" "$kver"
if [ -e "$root/boot/vmlinuz-$kver" ]; then cp "$root/boot/vmlinuz-$kver" "$dir.tmp/vmlinuz"; else cp "$root/lib/modules/$kver/vmlinuz" "$dir.tmp/vmlinuz"; fi
echo "$kver" >"$dir.tmp/kver"

# Guest root settings: no getty on the console, a hostname, an empty fstab,
# a mount point for the host-side chroot helpers and for the shared build.
echo xfs-scrubd-vm >"$root/etc/hostname"
: >"$root/etc/fstab"
mkdir -p "$root/mnt/host" "$root/project" "$root/results" "$root/images"
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"
ln -sf /dev/null "$root/etc/systemd/system/getty@tty1.service"
ln -sf /dev/null "$root/etc/systemd/system/systemd-firstboot.service"
ln -sf /dev/null "$root/etc/systemd/system/xfs_healer_start.service"
ln -sf /dev/null "$root/etc/systemd/system/xfs_scrub_all.timer"
rm -f "$root/etc/machine-id"; : >"$root/etc/machine-id"
sed -i 's/^root:[^:]*:/root::/' "$root/etc/shadow"

# The initramfs base: a static busybox and the few modules needed to reach
# the 9p root.  Modules are stored uncompressed because busybox's
# insmod cannot read xz/zstd modules.
ird="$dir.tmp/initrd"
mkdir -p "$ird/bin" "$ird/mods" "$ird/dev" "$ird/proc" "$ird/sys" "$ird/newroot"
cp /bin/busybox "$ird/bin/busybox"
for m in "${initrd_mods[@]}"; do
	f=$(modinfo -b "$root" -k "$kver" -n "$m" 2>/dev/null) || { echo "vm-assets: module $m is built in or absent" >&2; continue; }
	case "$f" in
	(*.xz) xz -dc "$f" >"$ird/mods/$m.ko" ;;
	(*.zst) zstd -qdc "$f" >"$ird/mods/$m.ko" ;;
	(*) cp "$f" "$ird/mods/$m.ko" ;;
	esac
	echo "$m" >>"$ird/mods/order"
done
# /init itself is appended at boot time by run-vm.sh, so that changes to it
# need no rebuild of this cache.
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1 >"$dir.tmp/initrd-base.img")
rm -rf "$ird"

echo "$key_text" >"$dir.tmp/key"
touch "$dir.tmp/ready"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
# Older caches are dead weight once a newer one is ready.
for old in "$cache_root"/*/; do
	old=${old%/}
	[ "$old" = "$dir" ] || [ ! -e "$old/ready" ] || rm -rf "$old"
done
echo "$dir"
