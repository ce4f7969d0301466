#!/bin/bash
# Inside the bench VM (tests/vm/run-vm.sh --disk 1G bench/guest/event-timeline.sh):
# where the time between a failing read and the directory listing again goes,
# for `xfs_healer --repair` and for xfs_scrubd, read from the kernel's own
# clock with ftrace (no tracing in either program).  Same damage and retrying
# reader as bench/guest/event-repair.sh, XST_BENCH_RUNS (default 6) runs each,
# interleaved.  Per run, in ms after the first sick mark:
#   read      the daemon read the health event
#   call      it entered the repair ioctl
#   exchange  the kernel swapped the rebuilt directory in (exchmaps)
#   lists     the reader's last readdir (the one that worked)
# and "pre" (read to call) and "in call" (call to exchange).  Medians last.
# XST_BENCH_TIMELINE=1 also prints every daemon syscall between read and call.
set -u
runs=${XST_BENCH_RUNS:-6}
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
modprobe xfs 2>/dev/null
[ -d $T/events/xfs ] || { echo "no tracefs with xfs events here"; exit 1; }
dev=/dev/vda mnt=/mnt/ev
healer=/usr/libexec/xfsprogs/xfs_healer
. "$(dirname "$0")/event-common.sh"

trace_on() {
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo 8192 >$T/buffer_size_kb
	echo mono >$T/trace_clock
	for e in xfs_inode_mark_sick xfs_healthmon_read_start xfs_readdir xfs_exchmaps_defer; do
		echo 1 >$T/events/xfs/$e/enable
	done
	for e in sys_enter sys_exit; do
		echo 'comm == "xfs_scrubd" || comm == "xfs_healer"' >$T/events/raw_syscalls/$e/filter
		echo 1 >$T/events/raw_syscalls/$e/enable
	done
	echo 1 >$T/tracing_on
}

# The trace as "ms-after-the-first-sick-mark task event args".
trace_take() {
	echo 0 >$T/tracing_on
	awk '!/^#/ {
		for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = $i; sub(":", "", t); ev = $(i + 1); break }
		if (!t0 && ev == "xfs_inode_mark_sick:") t0 = t
		if (t0) { rest = $0; sub(/.*[0-9]: [a-z_]+: /, "", rest); printf "%.2f %s %s %s\n", (t - t0) * 1000, $1, ev, rest }
	}' $T/trace >$work/tl
	echo >$T/trace
}

# Repair ioctls: XFS_IOC_SCRUB_METADATA and XFS_IOC_SCRUBV_METADATA.
CALLS='NR 16 [(][0-9a-f]+, (c040583c|c0285840)'
summary() {
	awk -v calls="$CALLS" '
		$3 == "xfs_healthmon_read_start:" && !rd { rd = $1 }
		$3 == "sys_enter:" && $0 ~ calls && !call { call = $1 }
		$3 == "xfs_exchmaps_defer:" && !ex { ex = $1 }
		$2 ~ /^python3/ && $3 == "xfs_readdir:" { ls = $1 }
		END { printf "%.1f %.1f %.1f %.1f %.1f %.1f\n", rd, call, ex, ls, call - rd, ex - call }' $work/tl
}

syscalls() {
	awk -v calls="$CALLS" '
		$3 == "xfs_healthmon_read_start:" { go = 1 }
		go && $3 == "sys_enter:" && $0 ~ calls { exit }
		go && $3 == "sys_enter:" { printf " %s:%s:%s", $1, $2, $5 }' $work/tl
	echo
}

# one NAME CMD...: a run with the daemon CMD started on the damage; prints
# the run's line and appends its summary to the array named NAME.
one() {
	local -n res=$1
	local name=$2 pid m
	shift 2
	prepare
	"$@" >$work/daemon.log 2>&1 &
	pid=$!
	# Both up and watching: upstream says nothing when it starts.
	sleep 2
	trace_on
	m=$(measure)
	sleep 0.3
	trace_take
	res+=("$(summary)")
	echo "# run $r $name ($m ms): read call exchange lists pre in-call: ${res[-1]}"
	[ -n "${XST_BENCH_TIMELINE:-}" ] && echo "#   syscalls:$(syscalls)"
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	umount $mnt
	rm -rf $work/state
}

declare -a up us
for r in $(seq 1 $runs); do
	one up "xfs_healer --repair" $healer --repair $mnt
	one us xfs_scrubd $ours -c $work/conf -s
done
# col N: the median of column N over the runs given.
col() { local n=$1; shift; printf '%s\n' "$@" | awk -v n=$n '{print $n}' | sort -n |
	awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for who in up us; do
	declare -n v=$who
	name=$([ $who = up ] && echo "xfs_healer --repair" || echo "xfs_scrubd")
	echo "$name, medians of $runs (ms after the failing read's sick mark): event read $(col 1 "${v[@]}"), repair call $(col 2 "${v[@]}"), exchange $(col 3 "${v[@]}"), lists $(col 4 "${v[@]}"); event to call $(col 5 "${v[@]}"), call to exchange $(col 6 "${v[@]}")"
done
rm -rf $work
