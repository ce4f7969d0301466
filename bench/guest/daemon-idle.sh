#!/bin/bash
# Inside the bench VM (tests/vm/run-vm.sh --disk 1G --disk 1G
# bench/guest/daemon-idle.sh): two XFS filesystems with the kernel's health
# monitor (Linux 7.x), then bench/daemon-idle.sh: wakeups and RSS of an
# idle xfs_scrubd over 60 s.  Expected: no wakeups at all (no timers are
# configured; the monitors, the mount table and the control socket are fds).
set -u
for d in a b; do
	dev=/dev/vd$d
	mkfs.xfs -q -f $dev && mkdir -p /mnt/$d && mount $dev /mnt/$d || exit 1
done
XST_BUILD=$XST_BUILD BENCH_SECS=${XST_BENCH_SECS:-60} bash /project/bench/daemon-idle.sh /mnt/a /mnt/b
umount /mnt/a /mnt/b
