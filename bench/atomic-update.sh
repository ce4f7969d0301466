#!/usr/bin/env bash
# Benchmark: commit a 1-byte change to a 1 GiB file atomically, two ways.
#
#   clone+commit  xfs_update --edit: FICLONE the file into a temporary,
#                 change one byte there, fsync, XFS_IOC_COMMIT_RANGE, fsync.
#                 Cost ~ metadata, independent of the file size.
#   rewrite       the classic safe update: copy all bytes into a new file
#                 (read/write, no reflink), change the byte, fsync it, rename
#                 it over the original, fsync the directory.  Cost ~ size.
#
# Both run on the same loop-mounted XFS image made by a modern mkfs
# (tests/vm/xfs-tool.sh), page cache warm for both unless BENCH_DROP_CACHES=1
# (then caches are dropped before every run: affects the whole machine).
# Prints the median of BENCH_RUNS (default 5) runs of each and the ratio
# (target: clone+commit at least 50x faster).  Not a test: it only prints.
# Needs root and ~3 GiB free where BENCH_DIR (default /var/tmp) lives.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
upd=${XFS_UPDATE:-${XST_BUILD:-$root/build}/lib/xfs_update}
runs=${BENCH_RUNS:-5}
size_mib=${BENCH_SIZE_MIB:-1024}

[ "$(id -u)" -eq 0 ] || { echo "atomic-update bench: needs root (loop mount)" >&2; exit 1; }
[ -x "$upd" ] || { echo "atomic-update bench: no $upd; build first" >&2; exit 1; }

work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/xst-bench-atomic.XXXXXX")
mnt=$work/mnt
cleanup() {
	mountpoint -q "$mnt" && umount "$mnt"
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$mnt"
# Preallocated, so the first run does not pay for the host allocating blocks.
fallocate -l $(( size_mib * 3 + 512 ))m "$work/img"
(cd "$work" && "$root/tests/vm/xfs-tool.sh" mkfs.xfs -f -q img)
mount -o loop "$work/img" "$mnt"
f=$mnt/big
echo "# writing a ${size_mib} MiB file of random data..."
head -c "${size_mib}m" /dev/urandom > "$f"
sync -f "$f"

now_us() { local t=${EPOCHREALTIME/./}; echo "${t#0}"; }
maybe_drop() {
	if [ "${BENCH_DROP_CACHES:-0}" = 1 ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
byte_at() { dd if="$f" bs=1 skip="$1" count=1 status=none; }

clone_commit() {	# OFFSET CHAR
	"$upd" -q --edit "printf $2 | dd bs=1 seek=$1 conv=notrunc status=none of=\"\$XFS_UPDATE_FILE\" && :" "$f"
}
rewrite_rename() {	# OFFSET CHAR
	local tmp=$mnt/.big.rewrite
	dd if="$f" of="$tmp" bs=4M status=none
	printf "$2" | dd of="$tmp" bs=1 seek="$1" conv=notrunc status=none
	sync "$tmp"		# fsync(2) of the new file
	mv -f "$tmp" "$f"
	sync "$mnt"		# fsync(2) of the directory
}

declare -a t_clone t_rewrite t_noop
letters=(a b c d e f g h i j)
for ((r = 0; r < runs; r++)); do
	off=$(( (RANDOM * 32768 + RANDOM) % (size_mib * 1048576) ))
	c=${letters[$((r % 10))]}
	maybe_drop
	t0=$(now_us); clone_commit "$off" "$c"; t1=$(now_us)
	[ "$(byte_at "$off")" = "$c" ] || { echo "clone+commit did not change the byte" >&2; exit 1; }
	t_clone+=( $((t1 - t0)) )
	t0=$(now_us); "$upd" -q --edit : "$f"; t1=$(now_us)
	t_noop+=( $((t1 - t0)) )
	c=${c^^}
	maybe_drop
	t0=$(now_us); rewrite_rename "$off" "$c"; t1=$(now_us)
	[ "$(byte_at "$off")" = "$c" ] || { echo "rewrite did not change the byte" >&2; exit 1; }
	t_rewrite+=( $((t1 - t0)) )
	echo "# run $((r + 1)): clone+commit $(( t_clone[r] / 1000 )) ms, rewrite+rename $(( t_rewrite[r] / 1000 )) ms"
done
mc=$(median "${t_clone[@]}")
mr=$(median "${t_rewrite[@]}")
mn=$(median "${t_noop[@]}")
awk -v c="$mc" -v r="$mr" -v z="$mn" -v s="$size_mib" -v n="$runs" -v cold="${BENCH_DROP_CACHES:-0}" 'BEGIN {
	printf "1-byte change to a %d MiB file, median of %d runs (%s page cache):\n", s, n, cold == 1 ? "cold" : "warm"
	printf "  clone + commit-range (xfs_update --edit): %10.1f ms\n", c / 1000
	printf "    (the same with a no-op edit command:    %10.1f ms; the rest is dd + CoW of one block)\n", z / 1000
	printf "  rewrite + rename + fsyncs:                %10.1f ms\n", r / 1000
	printf "  ratio: clone+commit is %.0fx faster (target >= 50x)\n", r / c
}'
