#!/bin/bash
# Inside the bench VM (tests/vm/run-vm.sh --disk 2G --timeout 1200
# bench/guest/daemon-foreground.sh): a foreground metadata workload
# (create, stat, unlink) for XST_BENCH_FG_SECS (default 15) s, alone, then
# while xfs_scrubd runs a full scan at its default budget (cpu_budget 25,
# io_pressure_max 10), then while upstream `xfs_scrub -b -n` runs, on the
# same filesystem of XST_BENCH_INODES (default 10000) inodes.  Prints the
# workload's rate under each scan as a ratio to the unloaded rate, and how
# long each scan took (issue 5's target: ratio >= 0.95 with the scan done no
# later than xfs_scrub -b).
set -u
ninodes=${XST_BENCH_INODES:-10000}
secs=${XST_BENCH_FG_SECS:-15}
dev=/dev/vda mnt=/mnt/fg
ours=$XST_BUILD/daemon/xfs_scrubd ctl=$XST_BUILD/daemon/xfs_scrubctl
work=$(mktemp -d)
mkdir -p $mnt
mkfs.xfs -q -f $dev && mount $dev $mnt || exit 1
echo "# populating $ninodes inodes"
for d in $(seq 1 $((ninodes / 500 + 1))); do
	mkdir $mnt/d$d
	(cd $mnt/d$d && seq -f "f%g" 1 499 | xargs touch)
done
mkdir $mnt/fg
sync

# fg: operations per second of create+stat+unlink over $secs seconds.
fg() {
	python3 - "$mnt/fg" "$secs" <<'PY'
import os, sys, time
d, secs = sys.argv[1], float(sys.argv[2])
end = time.monotonic() + secs
n = 0
while time.monotonic() < end:
    p = os.path.join(d, "x%d" % (n % 64))
    with open(p, "w"):
        pass
    os.stat(p)
    os.unlink(p)
    n += 1
print("%.1f" % (n / secs))
PY
}

base1=$(fg)
cat >$work/conf <<EOF2
[daemon]
state_dir = $work/state
runtime_dir = $work/run
[scan]
interval = 0
[repair]
mode = never
[filesystems]
include = $mnt
EOF2
$ours -c $work/conf >$work/ours.log 2>&1 &
op=$!
for i in $(seq 1 100); do [ -S $work/run/control ] && break; sleep 0.1; done
sleep 1
t0=$(date +%s%N)
$ctl -s $work/run/control start --wait $mnt >$work/wait.log 2>&1 &
wp=$!
sleep 1
with_ours=$(fg)
wait $wp
ours_scan=$(( ($(date +%s%N) - t0) / 1000000 ))
kill $op; wait $op 2>/dev/null

base2=$(fg)
t0=$(date +%s%N)
xfs_scrub -b -n $mnt >$work/up.log 2>&1 &
up=$!
sleep 1
with_up=$(fg)
wait $up
up_scan=$(( ($(date +%s%N) - t0) / 1000000 ))
base=$(awk -v a="$base1" -v b="$base2" 'BEGIN { printf "%.1f", (a + b) / 2 }')

echo "# foreground create+stat+unlink, ops/s: alone $base1 / $base2, with xfs_scrubd scan $with_ours, with xfs_scrub -b $with_up"
echo "foreground ratio: xfs_scrubd $(awk -v a="$with_ours" -v b="$base" 'BEGIN { printf "%.2f", a / b }'), xfs_scrub -b $(awk -v a="$with_up" -v b="$base" 'BEGIN { printf "%.2f", a / b }')"
echo "scan time ($ninodes inodes): xfs_scrubd $ours_scan ms ($(tail -1 $work/wait.log)), xfs_scrub -b -n $up_scan ms"
umount $mnt
rm -rf $work
