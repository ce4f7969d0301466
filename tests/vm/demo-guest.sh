#!/bin/bash
# The demo, inside the VM.  See demo.sh.
set -u
. /project/tests/vm/lib/xfsfixture.sh
ours=$XST_BUILD/scrub/xfs_scrub
dev=/dev/vda m=/mnt/demo
export XFS_SCRUBD_STATE_DIR=/var/lib/xfs_scrubd
mkdir -p $m
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
count_xattrs() { getfattr -d -m - $m/photos/album.jpg 2>/dev/null | grep -c '^user'; }

prepare() {
	xf_mkfs $dev && mount $dev $m
	mkdir -p $m/photos $m/projects
	: >$m/photos/album.jpg
	local args=() i
	for i in $(seq 1 100); do args+=("tag$i=holiday-$i"); done
	xf_setxattrs $m/photos/album.jpg "${args[@]}"
	for i in $(seq 1 200); do echo "notes $i" >$m/projects/report_number_$i.txt; done
	umount $m
	# Break the xattr leaf block's magic number (the rest of the block is fine).
	xf_db $dev 'path /photos/album.jpg' 'ablock 0' 'write -d hdr.info.hdr.magic 0' >/dev/null
	# Break one data block of the directory.
	xf_db $dev 'path /projects' 'dblock 1' 'write -d dhdr.hdr.magic 0' >/dev/null
	mount $dev $m
}

say "Kernel $(uname -r), xfsprogs $(mkfs.xfs -V | awk '{print $3}')"
say "A filesystem with a photo carrying 100 xattrs and a directory of 200 files; then damage"
prepare
echo "photo xattrs readable now: $(count_xattrs) (ls of projects: $(ls $m/projects 2>&1 | wc -l) entries)"

say "Upstream xfs_scrub (xfsprogs) repairs it:"
xfs_scrub $m 2>&1 | grep -v '^Info: AG' | sed 's/^/  /'
echo "  -> photo xattrs after upstream's repair: $(count_xattrs) of 100"
umount $m

say "Same damage again; this time xfs_scrubd's xfs_scrub:"
prepare
"$ours" $m 2>&1 | grep -v 'superblock' | sed 's/^/  /'
echo "  -> photo xattrs after our repair: $(count_xattrs) of 100"
echo "  -> projects entries: $(ls $m/projects | wc -l) of 200"

say "The salvage records kept for the operator:"
"$ours" --list-salvage | sed 's/^/  /'
rec=$(ls -1t $XFS_SCRUBD_STATE_DIR/salvage/*/*xattr*.rec | head -n1)
head -n 9 "$rec" | sed 's/^/  /'

say "A check afterwards (ours and upstream's, read-only):"
"$ours" -n $m >/dev/null 2>&1; echo "  ours -n: exit $?"
xfs_scrub -n $m >/dev/null 2>&1; echo "  upstream -n: exit $?"
umount $m
xfs_repair -n $dev >/dev/null 2>&1; echo "  xfs_repair -n: exit $?"

say "Same damage once more, now with the xfs_scrubd daemon running: reading the damaged objects is enough"
prepare
mkdir -p /run/xsd-demo
cat >/run/xsd-demo/conf <<EOC
[daemon]
state_dir = $XFS_SCRUBD_STATE_DIR
runtime_dir = /run/xsd-demo
[scan]
interval = 0
[repair]
mode = always
EOC
ctl="$XST_BUILD/daemon/xfs_scrubctl -s /run/xsd-demo/control"
"$XST_BUILD/daemon/xfs_scrubd" -c /run/xsd-demo/conf -s >/run/xsd-demo/log 2>&1 &
dpid=$!
for i in $(seq 1 100); do grep -q "$m: watching" /run/xsd-demo/log && break; sleep 0.1; done
echo "  (an application reads the photo's xattrs and lists the directory; both fail)"
echo "  photo xattrs readable: $(count_xattrs); ls projects: $(ls $m/projects 2>&1 | head -c 60)"
for i in $(seq 1 100); do
	[ "$(grep -c 'repaired' /run/xsd-demo/log)" -ge 2 ] && break
	sleep 0.1
done
sleep 1
echo "  the daemon's journal records (here mirrored on stderr):"
grep -E 'watching|corruption found|repaired|lost' /run/xsd-demo/log | cut -c1-150 | sed 's/^/    /'
echo "  -> photo xattrs now: $(count_xattrs) of 100; projects entries: $(ls $m/projects | wc -l) of 200"
echo "  xfs_scrubctl salvage:"
$ctl salvage $m | sed 's/^/    /'
echo "  xfs_scrubctl damage: $($ctl damage $m)"
echo "  a full scan on request (xfs_scrubctl start --wait):"
$ctl start --full-speed --wait $m 2>&1 | tail -n 1 | sed 's/^/    /'
kill $dpid; wait $dpid 2>/dev/null
umount $m
