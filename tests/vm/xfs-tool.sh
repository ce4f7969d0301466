#!/usr/bin/env bash
# Runs the Debian testing root filesystem's own XFS tools (mkfs.xfs, xfs_db,
# xfs_io, xfs_repair, xfs_admin, ...) on image files of the host.  The host's
# Debian 12 mkfs cannot make filesystems with exchange-range or parent
# pointers; testing's can.  The tools run chrooted into the cached root, with
# the caller's working directory bound at /mnt/host inside a private mount
# namespace, so relative image paths work and nothing leaks to the host.
#
# Usage: tests/vm/xfs-tool.sh TOOL [ARGS...]      (paths relative to $PWD)
# Example: tests/vm/xfs-tool.sh mkfs.xfs -f -q disk.img
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 TOOL [ARGS...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
assets=$("$here/assets.sh")
root="$assets/root"
[ -d "$root/mnt/host" ] || { echo "xfs-tool: $root has no /mnt/host" >&2; exit 1; }
case "$PWD" in
(/) echo "xfs-tool: run me from the directory holding the images, not /" >&2; exit 2 ;;
esac
exec unshare --mount --propagation private -- \
	/bin/sh -c 'mount --bind "$1" "$2/mnt/host" && root=$2 && shift 2 &&
		exec chroot "$root" /bin/sh -c "cd /mnt/host && exec \"\$@\"" tool "$@"' \
	xfs-tool "$PWD" "$root" "$@"
