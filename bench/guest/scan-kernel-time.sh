#!/bin/bash
# Inside the bench VM (tests/vm/run-vm.sh --disk 2G bench/guest/scan-kernel-time.sh):
# where a full scan's time goes in the kernel.  On a filesystem of
# XST_BENCH_INODES (default 10000) inodes, one full report-only scan by
# xfs_scrubd at full speed, then upstream `xfs_scrub -b -n`, each with the
# kernel's own scrub tracepoints on (xfs_scrub:xchk_start, xchk_done): per
# scrub type, calls and kernel time, the total, and each program's user and
# system CPU (the system figure holds the scrub calls and everything else
# it asks of the kernel).  Under single-threaded TCG this CPU is what a
# scan takes from the foreground (bench/guest/daemon-foreground.sh).
set -u
ninodes=${XST_BENCH_INODES:-10000}
dev=/dev/vda mnt=/mnt/kt
ours=$XST_BUILD/daemon/xfs_scrubd ctl=$XST_BUILD/daemon/xfs_scrubctl
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
modprobe xfs 2>/dev/null
[ -d $T/events/xfs_scrub/xchk_start ] || { echo "no xfs_scrub tracepoints here"; exit 1; }
work=$(mktemp -d)
mkdir -p $mnt
. "$(dirname "$0")/common.sh"
populate_fs $dev $ninodes
sync
hz=$(getconf CLK_TCK)

trace_on() {
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo 65536 >$T/buffer_size_kb
	echo mono >$T/trace_clock
	echo 1 >$T/events/xfs_scrub/xchk_start/enable
	echo 1 >$T/events/xfs_scrub/xchk_done/enable
	echo 1 >$T/tracing_on
}

# Kernel time per scrub type, from each task's start/done pairs.
per_type() {
	echo 0 >$T/tracing_on
	grep -q "LOST" $T/trace && echo "#   (trace buffer overran: figures low)"
	awk '
	function ts() { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = $i; sub(":", "", t); return t } }
	/xchk_start:/ { t = ts(); for (i = 1; i <= NF; i++) if ($i == "type") ty = $(i + 1); st[$1] = t; sty[$1] = ty }
	/xchk_done:/ { t = ts(); if ($1 in st) { d = t - st[$1]; tot[sty[$1]] += d; n[sty[$1]]++; all += d; delete st[$1] } }
	END {
		for (k in tot) printf "#   %-12s %6d calls %8.1f ms\n", k, n[k], tot[k] * 1000 | "sort -k5 -n -r"
		close("sort -k5 -n -r")
		printf "#   all types  %.1f ms in scrub calls\n", all * 1000
	}' $T/trace
	echo >$T/trace
}

# ticks PID: "user system" clock ticks used by the process so far.
ticks() { awk '{ print $14, $15 }' /proc/$1/stat; }

ours_conf never

# ours_scan: one full-speed scan by a fresh daemon, traced.
ours_scan() {
	local op u0 s0 u1 s1 t0 t1
	rm -rf $work/state
	$ours -c $work/conf >$work/ours.log 2>&1 &
	op=$!
	for i in $(seq 1 100); do [ -S $work/run/control ] && break; sleep 0.1; done
	sleep 1
	read u0 s0 < <(ticks $op)
	trace_on
	t0=$(date +%s%N)
	$ctl -s $work/run/control start --full-speed --wait $mnt >$work/wait.log 2>&1
	t1=$(date +%s%N)
	read u1 s1 < <(ticks $op)
	echo "xfs_scrubd full-speed scan: $(( (t1 - t0) / 1000000 )) ms, user $(( (u1 - u0) * 1000 / hz )) ms, system $(( (s1 - s0) * 1000 / hz )) ms ($(tail -1 $work/wait.log))"
	per_type
	kill $op; wait $op 2>/dev/null
}

# Ours before and after upstream: the first scan after populating meets colder caches.
ours_scan
trace_on
t0=$(date +%s%N)
( xfs_scrub -b -n $mnt >$work/up.log 2>&1; times >$work/times )
t1=$(date +%s%N)
echo "xfs_scrub -b -n: $(( (t1 - t0) / 1000000 )) ms, user and system: $(tail -1 $work/times)"
per_type
ours_scan
umount $mnt
rm -rf $work
