#!/usr/bin/env bash
# Rebuilds the real-block seeds of fuzz/corpus/ from a fresh v5 image: makes
# it with Debian testing's mkfs.xfs (tests/vm/xfs-tool.sh), populates it on a
# host loop mount (short-form, block and multi-block directories; short-form,
# leaf, node and remote xattrs, parent pointers), then cuts the blocks out
# with dd at the addresses xfs_db reports.  Needs root.  v4 seeds come from
# fuzz/make-v4-seeds.py.   Usage: fuzz/make-seeds.sh OUTDIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:?usage: $0 OUTDIR}")
tool=$top/tests/vm/xfs-tool.sh
work=$(mktemp -d /tmp/xst-seeds.XXXXXX)
trap 'umount "$work/mnt" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
truncate -s 320M img
"$tool" mkfs.xfs -f -q -b size=4096 img
mkdir mnt
mount -o loop img mnt
mkdir mnt/sf mnt/blk mnt/big
touch mnt/sf/f1 mnt/sf/f2 mnt/sf/f3; ln -s /etc/passwd mnt/sf/link; mkdir mnt/sf/sub
for i in $(seq 1 40); do touch "mnt/blk/entry-name-$i"; done
for i in $(seq 1 600); do touch "mnt/big/a-somewhat-longer-file-name-number-$i"; done
rm -f mnt/big/a-somewhat-longer-file-name-number-1?	# leaves unused regions
touch mnt/xa_sf mnt/xa_leaf mnt/xa_many mnt/xa_rmt
python3 - "$work/mnt" <<'PY'
import os, sys
m = sys.argv[1] + '/'
os.setxattr(m + 'xa_sf', 'user.a', b'1'); os.setxattr(m + 'xa_sf', 'trusted.t', b'tv')
for i in range(1, 61): os.setxattr(m + 'xa_leaf', 'user.attr%d' % i, b'value-%d-xxxxxxxxxxxx' % i)
os.setxattr(m + 'xa_leaf', 'security.sec', b'secval'); os.setxattr(m + 'xa_leaf', 'trusted.tru', b'truval')
os.removexattr(m + 'xa_leaf', 'user.attr7')
for i in range(1, 801): os.setxattr(m + 'xa_many', 'user.many%d' % i, b'v%d' % i)
os.setxattr(m + 'xa_rmt', 'user.small', b's')
os.setxattr(m + 'xa_rmt', 'user.remote', b'R' * 9000)
os.setxattr(m + 'xa_rmt', 'user.remote2', ','.join(str(i) for i in range(3000)).encode()[:6000])
PY
umount mnt

db() { "$tool" xfs_db -r "$@" img; }
# "data offset 0 startblock 32783 (1/15) count 1" -> byte address of each block
blocks() { # PATH a|d: one "logical byteaddr" line per fs block of that fork
	local f=$1 opt=; [ "$2" = a ] && opt=-a
	db -c "path /$f" -c "bmap $opt" | while read -r _ _ lo _ sb _ _ cnt _; do
		for ((k = 0; k < cnt; k++)); do
			echo "$((lo + k)) $(db -c "convert fsblock $((sb + k)) byte" | sed 's/.*(\([0-9]*\)).*/\1/')"
		done
	done
}
cut() { dd if=img of="$1" bs=4096 iflag=skip_bytes skip="$2" count="${3:-1}" status=none; }
mkdir -p "$out/dirblock" "$out/attrblock" "$out/shortform"
blocks blk d | while read -r lo addr; do cut "$out/dirblock/v5-block-xdb3" "$addr"; done
blocks big d | while read -r lo addr; do
	case $lo in
	(0|1|2|7) cut "$out/dirblock/v5-data-$lo" "$addr" ;;
	(8388608) cut "$out/dirblock/v5-node" "$addr" ;;
	(8388609) cut "$out/dirblock/v5-leafn" "$addr" ;;
	(16777216) cut "$out/dirblock/v5-free" "$addr" ;;
	esac
done
blocks xa_leaf a | while read -r lo addr; do cut "$out/attrblock/v5-leaf" "$addr"; done
blocks xa_many a | while read -r lo addr; do
	case $lo in
	(0) cut "$out/attrblock/v5-node" "$addr" ;;
	(1) cut "$out/attrblock/v5-leaf-many" "$addr" ;;
	(2) cut "$out/attrblock/v5-leaf-many2" "$addr" ;;
	esac
done
blocks xa_rmt a | while read -r lo addr; do
	case $lo in
	(0) cut "$out/attrblock/v5-leaf-rmt" "$addr" ;;
	(1) cut "$out/attrblock/v5-rmt-1" "$addr"; cut "$out/attrblock/v5-rmt-value3" "$addr" 3 ;;
	esac
done
# Literal areas: 512-byte v3 inodes, 176-byte core, forkoff 24 (192 bytes).
lit() { # OUT PATH OFFSET LEN
	local base
	base=$(db -c "path /$2" -c "stack" | sed -n 's/.*byte offset \([0-9]*\).*/\1/p' | head -n1)
	dd if=img of="$1" bs=1 skip=$((base + $3)) count="$4" status=none
}
lit "$out/shortform/v5-sfdir" sf 176 "$(db -c 'path /sf' -c 'p core.size' | sed 's/.*= //')"
lit "$out/shortform/v5-sfdir-fork" sf 176 192
lit "$out/shortform/v5-sfattr" xa_sf 368 144
lit "$out/shortform/v5-sfattr-parent" big/a-somewhat-longer-file-name-number-1 368 144
ls -l "$out"/*/
