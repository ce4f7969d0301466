#!/bin/bash
# Inside the bench VM (tests/vm/run-vm.sh --disk 1G bench/guest/event-repair.sh):
# time from the read that fails on a damaged directory block until the
# directory lists again (one process retrying every 2 ms), with upstream's
# `xfs_healer --repair` and with
# xfs_scrubd (repair mode always), on the same damage, interleaved,
# XST_BENCH_RUNS (default 5) times each.  Ours includes the salvage record,
# the check before and after the repair and the accounting; upstream issues
# one repair call.  Prints each run and the medians.  XST_BENCH_TRACE=1 runs
# ours with XST_TRACE=1 and prints milestones of each run and the whole trace
# of the last one (XST_BENCH_TRACE=all: of every run), in ms from the failing
# read.  XST_BENCH_OTHER=PATH also runs another build of xfs_scrubd (a path
# the guest sees, e.g. under /project) in every round, for an A/B in one
# boot: per-run figures spread far more than boots move the medians.
set -u
runs=${XST_BENCH_RUNS:-5}
dev=/dev/vda mnt=/mnt/ev
healer=/usr/libexec/xfsprogs/xfs_healer
. "$(dirname "$0")/event-common.sh"

# trace_ms LOG T0FILE: the XST_TRACE lines of LOG as "ms-after-T0 text".
trace_ms() {
	local t0
	t0=$(cat $2)
	awk -v s0="${t0:0:-9}" -v n0="${t0: -9}" '/^xst-trace/ {
		split($4, w, /[.)]/); ms = (w[1] - s0) * 1e3 + (w[2] * 1e3 - n0) / 1e6
		tid = $5; cpu = $7; sub(/]/, "", cpu); sub(/\[/, "", tid)
		line = $0; sub(/^xst-trace [^]]*] /, "", line)
		printf "%.1f %.1f %s %s\n", ms, (tid in c0 ? (cpu - c0[tid]) * 1e3 : 0), tid, line
		c0[tid] = cpu }' $1
}

# milestones LOG T0FILE: when the first health event arrived, the object's
# check started, the repair of its first type started (salvage), the kernel
# repair call started and returned, and the re-check ended.
milestones() {
	trace_ms $1 $2 | cut -d' ' -f1,4- | awk '
		/monitor: event kind 4/ && !ev { ev = $1 }
		/run_item: check/ && !ck { ck = $1 }
		/repair: type .* start/ && !rs { rs = $1 }
		/repair: marker armed/ && !ka { ka = $1 }
		/repair: kernel call returned/ && !kr { kr = $1 }
		/repair: re-check done/ && !rc { rc = $1 }
		END { printf "event %s, check %s, salvage %s, repair call %s-%s, re-check done %s", ev, ck, rs, ka, kr, rc }'
}

show_trace() {
	echo "# xfs_scrubd trace: ms after the failing read (+ms since the previous line; ms of CPU that thread used since its previous line) thread:"
	trace_ms $work/ours.log $work/t0.ours | awk '{ ms = $1; cpu = $2; $1 = $2 = ""
		printf "#   %8.1f (+%6.1f; cpu %5.1f)%s\n", ms, (NR > 1 ? ms - last : 0), cpu, $0; last = ms }'
	echo "#   (the directory listed again at $(cat $work/lists-again.ours) ms)"
}

# run_ours BIN CONF LOG: one run of a build of ours on fresh damage, started
# on CONF with its output in LOG; prints ms.
run_ours() {
	local op
	prepare
	$1 -c $2 -s >$3 2>&1 &
	op=$!
	for i in $(seq 1 100); do grep -q 'watching' $3 && break; sleep 0.1; done
	rm -f $work/lists-again		# written only when the directory lists again
	measure
	kill $op 2>/dev/null; wait $op 2>/dev/null
	umount $mnt
}

# ratio A B: A / B to two places.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

other=
if [ -n "${XST_BENCH_OTHER:-}" ]; then
	other=$work/xfs_scrubd.other
	cp "$XST_BENCH_OTHER" $other || exit 1
	# Its own state: the breakers' slots of two builds stay apart.
	sed "s|$work/state|$work/state.other|; s|$work/run|$work/run.other|" $work/conf >$work/conf.other
fi
declare -a up us ot
for r in $(seq 1 $runs); do
	prepare
	$healer --repair $mnt >$work/healer.log 2>&1 &
	hp=$!
	sleep 2
	up+=($(measure))
	kill $hp 2>/dev/null; wait $hp 2>/dev/null
	umount $mnt

	us+=($(XST_TRACE=${XST_BENCH_TRACE:-} run_ours $ours $work/conf $work/ours.log))
	# Ours' clock marks, before the other build's run writes its own.
	cp $work/t0 $work/t0.ours
	cp $work/lists-again $work/lists-again.ours 2>/dev/null || echo "(timed out)" >$work/lists-again.ours
	[ -n "$other" ] && ot+=($(run_ours $other $work/conf.other $work/other.log))
	echo "# run $r: xfs_healer --repair ${up[-1]} ms, xfs_scrubd ${us[-1]} ms${other:+, other build ${ot[-1]} ms}"
	if [ -n "${XST_BENCH_TRACE:-}" ]; then
		echo "#   xfs_scrubd, ms after the failing read: $(milestones $work/ours.log $work/t0.ours)"
		[ "$XST_BENCH_TRACE" = all ] && show_trace
	fi
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mu=$(med "${up[@]}") mo=$(med "${us[@]}")
echo "event -> directory lists again, median of $runs: xfs_healer --repair $mu ms, xfs_scrubd $mo ms, ratio $(ratio $mo $mu)"
if [ -n "$other" ]; then
	mt=$(med "${ot[@]}")
	echo "other build ($XST_BENCH_OTHER), median of $runs: $mt ms, ratio $(ratio $mt $mu)"
fi
echo "# last xfs_scrubd log:"; grep -v '^xst-trace' $work/ours.log | sed 's/^/#   /' | tail -6
[ "${XST_BENCH_TRACE:-}" = 1 ] && show_trace
echo "# last xfs_healer log:"; sed 's/^/#   /' $work/healer.log | tail -6
rm -rf $work
