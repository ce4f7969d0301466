#!/bin/bash
# Inside the bench VM: fill a filesystem with large files, then compare the
# throughput of xfs_scrub -x's phase 6 (both paths: XFS_IOC_VERIFY_MEDIA and
# the O_DIRECT fallback) with a sequential `dd iflag=direct` read of the same
# number of bytes from the same device, interleaved, medians of N runs.
# Upstream's phase 6 is timed too, for reference.  Prints figures only.
set -u
runs=${XST_BENCH_RUNS:-5}
mib=${XST_BENCH_MEDIA_MIB:-3072}
dev=/dev/vda mnt=/mnt/bench
ours=$XST_BUILD/scrub/xfs_scrub
mkdir -p $mnt
mkfs.xfs -q -f $dev && mount $dev $mnt || exit 1
echo "# writing $mib MiB of file data; vCPUs: $(nproc)"
for i in 1 2 3 4; do
	xfs_io -f -c "pwrite -q -b 4m 0 $((mib / 4))m" -c fsync $mnt/f$i || exit 1
done
sync

# phase6 CMD...: "MIB SECONDS" of phase 6, from our -v line (bytes) and -T
# (wall time of the whole phase, planning and reporting included).
# Upstream prints rounded GiB, so its rate uses our byte count: it reads the
# same data (plus the small free gaps it merges over).
phase6() {
	local out
	out=$("$@" 2>&1)
	echo "$out" | awk '
		/^Phase 6: verified/ { mib = $4 }
		/^Phase 6: Memory used/ { t = $0; sub(/.*time: */, "", t); split(t, a, "/"); sec = a[1] + 0 }
		END { printf "%s %s\n", (mib == "") ? "-" : mib, sec }'
}
now() { date +%s.%N; }
ddread() { # MIB BS_MIB: seconds for a sequential O_DIRECT read of MIB MiB
	local t0 t1
	t0=$(now)
	dd if=$dev of=/dev/null bs=$2M count=$(( ($1 + $2 - 1) / $2 )) iflag=direct 2>/dev/null
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
rate() { awk -v m="$1" -v s="$2" 'BEGIN { printf "%.1f\n", (s > 0) ? m / s : 0 }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

kv=() od=() d32=() d1=() up=()
for i in $(seq 1 "$runs"); do
	set -- $(phase6 "$ours" -n -x -v -T $mnt); m=$1
	kv+=("$(rate "$1" "$2")"); echo "run $i ours VERIFY_MEDIA: $1 MiB in $2 s"
	set -- $(phase6 env XFS_SCRUB_NO_VERIFY_MEDIA=1 "$ours" -d -n -x -v -T $mnt)
	od+=("$(rate "$1" "$2")"); echo "run $i ours O_DIRECT: $1 MiB in $2 s"
	s=$(ddread "${m%.*}" 32); d32+=("$(rate "$m" "$s")"); echo "run $i dd bs=32M: $m MiB in $s s"
	s=$(ddread "${m%.*}" 1); d1+=("$(rate "$m" "$s")"); echo "run $i dd bs=1M: $m MiB in $s s"
	set -- $(phase6 xfs_scrub -n -x -v -T $mnt)
	up+=("$(rate "$m" "$2")"); echo "run $i upstream: $2 s"
done
mk=$(median "${kv[@]}") mo=$(median "${od[@]}") m32=$(median "${d32[@]}")
m1=$(median "${d1[@]}") mu=$(median "${up[@]}")
echo "median MiB/s: ours VERIFY_MEDIA $mk, ours O_DIRECT $mo, dd bs=32M $m32, dd bs=1M $m1, upstream -x $mu"
best=$(printf '%s\n' "$m32" "$m1" | sort -g | tail -n1)
awk -v a="$mk" -v b="$best" 'BEGIN { printf "ratio (ours VERIFY_MEDIA / best dd): %.3f\n", a / b }'
awk -v a="$mo" -v b="$best" 'BEGIN { printf "ratio (ours O_DIRECT / best dd): %.3f\n", a / b }'
awk -v a="$mu" -v b="$best" 'BEGIN { printf "ratio (upstream -x / best dd): %.3f\n", a / b }'
