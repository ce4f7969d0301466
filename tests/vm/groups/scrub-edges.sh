#!/bin/bash
# xst-vm: --disk 2G --timeout 900
# The edges of xfs_scrub -n on a kernel with online scrub: a non-root caller,
# progress output on a descriptor and on a terminal, verbose and timing
# output, a forced filesystem shutdown and a lazy unmount in the middle of a
# run (a clear message, upstream's exit bits, no crash), a read-only mount,
# and single-call scrub giving the same verdict as vectored scrub.
set -u
. /project/tests/lib/tap.sh
scrub=$XST_BUILD/scrub/xfs_scrub
dev=/dev/vda mnt=/mnt/edges
mkdir -p $mnt
mkfs.xfs -q -f $dev && mount $dev $mnt || { t_fail "mkfs+mount" "cannot prepare $dev"; t_done; }
# Enough inodes that a run lasts a few seconds under emulation.
for d in $(seq 1 20); do
	mkdir $mnt/d$d
	(cd $mnt/d$d && touch $(seq -f "f%g" 1 250))
done
run() { out=$("$@" 2>&1); rc=$?; }

run "$scrub" -n $mnt
[ "$rc" -eq 0 ] && t_ok "clean fs: exit 0" || t_fail "clean fs: exit 0" "exit $rc: $out"

run setpriv --reuid=65534 --regid=65534 --clear-groups "$scrub" -n $mnt
if echo "$out" | grep -q "Must be root to run scrub" && [ $((rc & 4)) -ne 0 ]; then
	t_ok "non-root: 'Must be root', operational-error bit"
else t_fail "non-root: 'Must be root', operational-error bit" "exit $rc: $out"; fi

run "$scrub" -n -C 3 $mnt 3>/tmp/progress
if grep -qE "^3 [0-9]+ [0-9]+ $mnt\$" /tmp/progress && grep -qE "^2 [0-9]+ [0-9]+ $mnt\$" /tmp/progress &&
   [ "$rc" -eq 0 ]; then
	t_ok "-C fd: fsck-style progress lines for phases 2 and 3"
else t_fail "-C fd: fsck-style progress lines" "exit $rc; $(head -c 300 /tmp/progress)"; fi
last3=$(grep '^3 ' /tmp/progress | tail -n1)
set -- $last3
[ "${2:-x}" = "${3:-y}" ] && t_ok "-C fd: phase 3 ends at its total ($2)" ||
	t_fail "-C fd: phase 3 ends at its total" "last line: $last3"

script -qfec "$scrub -n $mnt" /tmp/tty.out >/dev/null 2>&1
if grep -q 'Phase 3: |' /tmp/tty.out; then t_ok "terminal: progress bar drawn"
else t_fail "terminal: progress bar drawn" "$(tr -d '\r' </tmp/tty.out | head -c 300)"; fi

run "$scrub" -n -v -T $mnt
if echo "$out" | grep -q "Phase 2: Check internal metadata." && echo "$out" | grep -q "Phase 3: Memory used:" &&
   echo "$out" | grep -q "using [0-9]* threads to scrub"; then
	t_ok "-v -T: phase names, threads, memory and time"
else t_fail "-v -T: phase names and usage" "$out"; fi

# -o autofsck: the filesystem property picks the mode, as upstream.
setfattr -n trusted.xfs:autofsck -v none $mnt
run "$scrub" -o autofsck $mnt
if [ "$rc" -eq 0 ] && echo "$out" | grep -q "Disabling scrub per autofsck directive"; then
	t_ok "autofsck=none: no scan, exit 0"
else t_fail "autofsck=none" "exit $rc: $out"; fi
setfattr -n trusted.xfs:autofsck -v check $mnt
run env XFS_SCRUBD_STATE_DIR=/nonexistent/not-writable "$scrub" -o autofsck $mnt
# A check never needs the state directory; a repair run would have refused it.
if [ "$rc" -eq 0 ] && echo "$out" | grep -q "Checking per autofsck directive"; then
	t_ok "autofsck=check: a read-only check"
else t_fail "autofsck=check" "exit $rc: $out"; fi
setfattr -x trusted.xfs:autofsck $mnt

run env XFS_SCRUB_FORCE_SINGLE=1 "$scrub" -d -n $mnt
[ "$rc" -eq 0 ] && t_ok "single-call scrub (no vectors): clean, exit 0" ||
	t_fail "single-call scrub: clean" "exit $rc: $out"

# A forced shutdown while the inode scan runs.
"$scrub" -n -bbbb $mnt >/tmp/shut.out 2>&1 &
pid=$!
sleep 1
xfs_io -x -c "shutdown" $mnt
wait $pid; rc=$?
if ! grep -q "Phase\|Corruption\|Error" /tmp/shut.out && [ "$rc" -eq 0 ]; then
	t_fail "shutdown mid-run" "the run ended before the shutdown; make it longer"
elif [ "$rc" -lt 128 ] && [ $((rc & 4)) -ne 0 ] && grep -qi "shut down" /tmp/shut.out; then
	t_ok "shutdown mid-run: 'shut down' message, operational-error bit, no crash"
else t_fail "shutdown mid-run" "exit $rc: $(cat /tmp/shut.out)"; fi
umount $mnt
mount $dev $mnt || { t_fail "remount after shutdown" "mount failed"; t_done; }

# A lazy unmount while the scan runs: the open root keeps the fs alive.
"$scrub" -n -bbbb $mnt >/tmp/lazy.out 2>&1 &
pid=$!
sleep 1
umount -l $mnt
wait $pid; rc=$?
if [ "$rc" -lt 128 ] && [ $((rc & ~7)) -eq 0 ]; then
	t_ok "lazy unmount mid-run: finishes with exit $rc, no crash"
else t_fail "lazy unmount mid-run" "exit $rc: $(cat /tmp/lazy.out)"; fi
sleep 1

mount -o ro $dev $mnt
run "$scrub" -n $mnt
[ "$rc" -eq 0 ] && t_ok "read-only mount: -n works, exit 0" ||
	t_fail "read-only mount: -n works" "exit $rc: $out"
umount $mnt
t_done
