# Shared by bench/guest/event-repair.sh and event-timeline.sh (sourced):
# a scratch directory with our daemon's binary and configuration, the damage
# (a 300-entry directory whose block 0 lost its magic, made with xfs_db on
# the unmounted image) and the reader that waits for the directory to list
# again.  Expects dev and mnt; sets work and ours.
work=$(mktemp -d)
# Ours runs from the guest's page cache as upstream's does (the root share is
# cached, the project share is not: code run for the first time would read
# its pages over 9p in the middle of the repair, ~10 ms).
cp $XST_BUILD/daemon/xfs_scrubd $work/xfs_scrubd
ours=$work/xfs_scrubd
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

# measure: ms from the first failing listing to the first good one (10 s cap),
# to a tenth (whole ms made 34 against 35 ms read as a ratio of 1.03).
# Leaves the failing read's wall-clock time (ns) in $work/t0.  One process
# retries every 2 ms: a new `ls` per attempt took tens of ms under TCG
# (fork, exec and the kernel's corruption report on the serial console), so
# the first good listing came up to one attempt after the repair.
measure() {
	python3 - "$mnt/d" "$work" <<'PY'
import os, sys, time
d, work = sys.argv[1], sys.argv[2]
t0 = time.time_ns()
open(work + "/t0", "w").write("%d\n" % t0)
m0 = time.monotonic_ns()
def lists():
    try:
        os.listdir(d)
        return True
    except OSError:
        return False
if lists():
    print("not-damaged")
    sys.exit(0)
while time.monotonic_ns() - m0 < 10 * 10**9:
    time.sleep(0.002)
    if lists():
        ms = "%.1f" % ((time.monotonic_ns() - m0) / 1e6)
        open(work + "/lists-again", "w").write(ms + "\n")
        print(ms)
        sys.exit(0)
print("timeout")
PY
}

# Ours repairs whether or not the filesystem's autofsck property asks for
# it, and keeps its state in the scratch directory.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ours_conf always
# A configuration that did not arrive would leave ours on its defaults
# (report-only unless the filesystem asks, state under /var/lib) unnoticed.
grep -q '^mode = always' $work/conf && $ours -t -c $work/conf >/dev/null ||
	{ echo "bench configuration not written or not accepted"; exit 1; }
