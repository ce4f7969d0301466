#!/bin/bash
# Inside the bench VM (tests/vm/run-vm.sh --disk 1G bench/guest/event-repair.sh):
# time from the read that fails on a damaged directory block until the
# directory lists again, with upstream's `xfs_healer --repair` and with
# xfs_scrubd (repair mode always), on the same damage, interleaved,
# XST_BENCH_RUNS (default 3) times each.  Ours includes the salvage record,
# the check before and after the repair and the accounting; upstream issues
# one repair call.  Prints each run and the medians.
set -u
runs=${XST_BENCH_RUNS:-3}
dev=/dev/vda mnt=/mnt/ev
healer=/usr/libexec/xfsprogs/xfs_healer
ours=$XST_BUILD/daemon/xfs_scrubd
work=$(mktemp -d)
mkdir -p $mnt

prepare() {
	mkfs.xfs -q -f $dev && mount $dev $mnt || exit 1
	mkdir $mnt/d
	(cd $mnt/d && seq -f "entry_with_a_longish_name_%g" 1 300 | xargs touch)
	dino=$(stat -c %i $mnt/d)
	umount $mnt
	xfs_db -x -c "inode $dino" -c "dblock 0" -c "write -d dhdr.hdr.magic 0" $dev >/dev/null 2>&1
	mount $dev $mnt
}

# measure: ms from the first failing listing to the first good one (10 s cap).
measure() {
	local t0 t1 i
	t0=$(date +%s%N)
	ls $mnt/d >/dev/null 2>&1 && { echo "not-damaged"; return; }
	for i in $(seq 1 2000); do
		if ls $mnt/d >/dev/null 2>&1; then
			t1=$(date +%s%N)
			echo $(( (t1 - t0) / 1000000 ))
			return
		fi
		sleep 0.005
	done
	echo "timeout"
}

cat >$work/conf <<EOF2
[daemon]
state_dir = $work/state
runtime_dir = $work/run
[scan]
interval = 0
[repair]
mode = always
[filesystems]
include = $mnt
EOF2

declare -a up us
for r in $(seq 1 $runs); do
	prepare
	$healer --repair $mnt >$work/healer.log 2>&1 &
	hp=$!
	sleep 2
	up+=($(measure))
	kill $hp 2>/dev/null; wait $hp 2>/dev/null
	umount $mnt

	prepare
	$ours -c $work/conf -s >$work/ours.log 2>&1 &
	op=$!
	for i in $(seq 1 100); do grep -q 'watching' $work/ours.log && break; sleep 0.1; done
	us+=($(measure))
	kill $op 2>/dev/null; wait $op 2>/dev/null
	umount $mnt
	echo "# run $r: xfs_healer --repair ${up[-1]} ms, xfs_scrubd ${us[-1]} ms"
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mu=$(med "${up[@]}") mo=$(med "${us[@]}")
echo "event -> directory lists again, median of $runs: xfs_healer --repair $mu ms, xfs_scrubd $mo ms, ratio $(awk -v a="$mo" -v b="$mu" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
echo "# last xfs_scrubd log:"; sed 's/^/#   /' $work/ours.log | tail -6
echo "# last xfs_healer log:"; sed 's/^/#   /' $work/healer.log | tail -6
rm -rf $work
