#!/bin/bash
# Inside the bench VM (tests/vm/run-vm.sh --disk 2G --timeout 1800
# bench/guest/daemon-foreground.sh): a foreground metadata workload
# (create, stat, unlink), alone for XST_BENCH_FG_SECS (default 15) s, then
# for as long as a scan runs: xfs_scrubd's full scan at each CPU budget in
# XST_BENCH_BUDGETS (default "25 10 5"; io_pressure_max 10), and upstream
# `xfs_scrub -b -n`, on the same filesystem of XST_BENCH_INODES (default
# 10000) inodes.  Prints the workload's rate during each scan as a ratio to
# the unloaded rate (the mean of one measured just before and one just
# after), and how long each scan took (issue 5's target: ratio
# >= 0.95 with the scan done no later than xfs_scrub -b).  XST_BENCH_OTHER
# (build directories) runs those builds' daemons after ours at each budget,
# for a comparison within one boot; XST_BENCH_SCANS replaces the upstream
# command (a ";"-separated list); XST_BENCH_REPEAT=N runs all of it N times
# and prints the means.  XST_BENCH_WINDOW=S measures instead with the
# scanning process stopped (SIGSTOP) every other S seconds, the ratio being
# the rate in the running windows over the rate in the stopped ones (see
# foreground.py).  bench/daemon-foreground.sh boots it under multi-threaded
# TCG, where the guest's two CPUs run at once, with 2 s windows.
set -u
ninodes=${XST_BENCH_INODES:-10000}
secs=${XST_BENCH_FG_SECS:-15}
dev=/dev/vda mnt=/mnt/fg
ours=$XST_BUILD/daemon/xfs_scrubd ctl=$XST_BUILD/daemon/xfs_scrubctl
work=$(mktemp -d)
mkdir -p $mnt
. "$(dirname "$0")/common.sh"
populate_fs $dev $ninodes
mkdir $mnt/fg
sync

# fg [PID]: ops/s of the workload (foreground.py), for XST_BENCH_FG_SECS or
# while PID lives.
fg() {
	python3 "$(dirname "$0")/foreground.py" "$mnt/fg" "$secs" "${1:-0}"
}

# fgw WAITPID STOPPID: the workload in alternating windows of
# $XST_BENCH_WINDOW seconds with STOPPID running and stopped, while
# WAITPID lives; prints ratio, both rates and the scan's running seconds.
fgw() {
	python3 "$(dirname "$0")/foreground.py" --windows "$XST_BENCH_WINDOW" "$mnt/fg" "$1" "$2"
}

# start_ours [CPU_BUDGET]: xfs_scrubd on $mnt, report-only, with a fresh
# state directory and its control socket up; sets op.
start_ours() {
	rm -rf $work/state
	ours_conf never ${1:-}
	$ours -c $work/conf >$work/ours.log 2>&1 &
	op=$!
	for i in $(seq 1 100); do [ -S $work/run/control ] && break; sleep 0.1; done
	sleep 1
}

# ratio WITH BEFORE AFTER: the loaded rate against the mean of the unloaded
# ones measured just before and just after (within one boot the unloaded
# rate was seen to move by up to 30 % as the filesystem ages).
ratio() {
	awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN { printf "%.2f", 2 * a / (b + c) }'
}

# cpu_s PID: user+system CPU seconds the process has used (the kernel's
# work in its ioctls included), from /proc/PID/stat.
cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' /proc/$1/stat
}

# run_ours BUDGET BUILD: that build's daemon scans at that budget next to the
# workload; prints a line and adds "name<TAB>ratio<TAB>seconds" to $work/sum.
run_ours() {
	local budget=$1 build=$2 name r on off run with base after ms t0 cpu
	ours=$build/daemon/xfs_scrubd ctl=$build/daemon/xfs_scrubctl
	name="xfs_scrubd${XST_BENCH_OTHER:+ ($build)} cpu_budget $budget"
	# The unloaded rate drifts as the filesystem ages: measured next to
	# each run (this one's "before" is the last one's "after").
	[ "${XST_BENCH_WINDOW:-0}" != 0 ] || base=${last_fg:-$(fg)}
	start_ours $budget
	t0=$(date +%s%N)
	$ctl -s $work/run/control start --wait $mnt >$work/wait.log 2>&1 &
	wp=$!
	if [ "${XST_BENCH_WINDOW:-0}" != 0 ]; then
		read -r r on off run <<<"$(fgw $wp $op)"
		wait $wp
		cpu=$(cpu_s $op)
		kill $op; wait $op 2>/dev/null
		echo "$name: foreground $on ops/s with the scan running, $off stopped (${XST_BENCH_WINDOW} s windows), ratio $r, scan $run s running, daemon CPU $cpu s ($(tail -1 $work/wait.log))"
	else
		with=$(fg $wp)
		wait $wp
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		cpu=$(cpu_s $op)
		kill $op; wait $op 2>/dev/null
		after=$(fg)
		last_fg=$after
		r=$(ratio $with $base $after) run=$(awk -v ms=$ms 'BEGIN { printf "%.1f", ms / 1000 }')
		echo "$name: foreground $with ops/s (alone $base before, $after after), ratio $r, scan $ms ms, daemon CPU $cpu s ($(tail -1 $work/wait.log))"
	fi
	printf '%s\t%s\t%s\n' "$name" "$r" "$run" >>$work/sum
}

# run_other CMD: the same for another scanning command (upstream's).
run_other() {
	local cmd=$1 r on off run with base after t0 ms
	[ "${XST_BENCH_WINDOW:-0}" != 0 ] || base=${last_fg:-$(fg)}
	t0=$(date +%s%N)
	$cmd $mnt >$work/up.log 2>&1 &
	up=$!
	if [ "${XST_BENCH_WINDOW:-0}" != 0 ]; then
		read -r r on off run <<<"$(fgw $up $up)"
		wait $up
		echo "$cmd: foreground $on ops/s with the scan running, $off stopped (${XST_BENCH_WINDOW} s windows), ratio $r, scan $run s running"
	else
		with=$(fg $up)
		wait $up
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		after=$(fg)
		last_fg=$after
		r=$(ratio $with $base $after) run=$(awk -v ms=$ms 'BEGIN { printf "%.1f", ms / 1000 }')
		echo "$cmd: foreground $with ops/s (alone $base before, $after after), ratio $r, scan $ms ms"
	fi
	printf '%s\t%s\t%s\n' "$cmd" "$r" "$run" >>$work/sum
}

# XST_BENCH_SCANS: the other scans to measure, separated by ";" (default
# upstream's "xfs_scrub -b -n"; "@" stands for this build's directory).
# XST_BENCH_REPEAT (default 1) runs the whole list that many times, round
# after round, so that the drift of a boot falls on every entry alike.
IFS=';' read -ra scans <<<"${XST_BENCH_SCANS:-xfs_scrub -b -n}"
mine=$XST_BUILD
: >$work/sum
for round in $(seq 1 "${XST_BENCH_REPEAT:-1}"); do
	for budget in ${XST_BENCH_BUDGETS:-25 10 5}; do
		for build in $mine ${XST_BENCH_OTHER:-}; do
			run_ours $budget $build
		done
	done
	for cmd in "${scans[@]}"; do
		run_other "${cmd//@/$XST_BUILD}"
	done
done
ours=$mine/daemon/xfs_scrubd ctl=$mine/daemon/xfs_scrubctl
if [ "${XST_BENCH_REPEAT:-1}" -gt 1 ]; then
	echo "means over ${XST_BENCH_REPEAT} rounds (ratio, scan seconds):"
	awk -F'\t' '{ n[$1]++; r[$1] += $2; s[$1] += $3; if (!($1 in o)) o[$1] = NR }
		END { for (k in n) printf "%d\t  %s: %.2f, %.1f s\n", o[k], k, r[k] / n[k], s[k] / n[k] }' $work/sum |
		sort -n | cut -f2-
fi

# The scans alone, for the CPU they need: xfs_scrubd at full speed, our
# xfs_scrub -n, upstream's xfs_scrub -n and -b -n.
start_ours
t0=$(date +%s%N)
$ctl -s $work/run/control start --full-speed --wait $mnt >/dev/null 2>&1
echo "alone: xfs_scrubd full speed $(( ($(date +%s%N) - t0) / 1000000 )) ms, daemon CPU $(cpu_s $op) s"
kill $op; wait $op 2>/dev/null
for cmd in "$XST_BUILD/scrub/xfs_scrub -n" "xfs_scrub -n" "xfs_scrub -b -n"; do
	t0=$(date +%s%N)
	$cmd $mnt >/dev/null 2>&1
	echo "alone: $cmd $(( ($(date +%s%N) - t0) / 1000000 )) ms"
done
umount $mnt
rm -rf $work
