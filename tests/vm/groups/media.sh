#!/bin/bash
# xst-vm: --disk 2G --disk 64M --disk 64M --disk 256M --timeout 900
# xfs_scrub -x against real read errors.  The filesystem sits on a
# device-mapper device made of linear segments over /dev/vda, with `error`
# segments placed exactly on chosen blocks of chosen files, on a block of the
# log, on an unwritten (preallocated) extent and in free space, and one more
# free space region mapped onto /dev/vdb so that any read of it shows in
# vdb's read counter.  Both verification paths (XFS_IOC_VERIFY_MEDIA and the
# O_DIRECT fallback) must name exactly the files that own the bad blocks, at
# the right offsets, and the log block, never read free space, and print the
# same lines as upstream's xfs_scrub -x in the same boot.  A second
# filesystem with an external log (/dev/vdc) and a realtime device (dm over
# /dev/vdd) checks that an error on a realtime file names that file.
set -u
. /project/tests/lib/tap.sh
. /project/tests/vm/lib/blocks.sh
scrub=$XST_BUILD/scrub/xfs_scrub
upstream=/usr/sbin/xfs_scrub
mnt=/mnt/media dm=xst-media dev=/dev/mapper/xst-media
modprobe dm-mod 2>/dev/null

sz=$(blockdev --getsz /dev/vda)
echo "0 $sz linear /dev/vda 0" | dmsetup create --noudevsync $dm && dmsetup mknodes
mkdir -p $mnt
if ! mkfs.xfs -q -f -K $dev || ! mount $dev $mnt; then
	t_fail "dm device, mkfs and mount" "cannot prepare $dev"
	t_done
fi
mkdir -p $mnt/d1/sub $mnt/d2
xfs_io -f -c 'pwrite -S 0x61 0 4m' -c fsync $mnt/d1/sub/bad1 >/dev/null
xfs_io -f -c 'pwrite -S 0x62 0 1m' -c fsync $mnt/d2/bad2 >/dev/null
xfs_io -f -c 'pwrite -S 0x63 0 4m' -c fsync $mnt/good >/dev/null
xfs_io -f -c 'falloc 0 1m' $mnt/prealloc
for i in $(seq 1 20); do echo "small $i" >$mnt/d2/small$i; done
sync

# A 1 MiB slice in the middle of the largest free extent, far from any data
# so that nobody's read merging could reach it.
free_start=$(xfs_io -c 'fsmap -d' $mnt | awk "/free space/ { $ext"'
	len = a[2] - a[1] + 1; if (len > best) { best = len; st = a[1] } }
	END { print st + int(best / 2) }')
# One block near the end of the log, which the head of a fresh log will not
# reach during the test (a failed log write would shut the filesystem down).
bl=$(xfs_io -c 'fsmap -d' $mnt | awk "/journalling log/ { $ext"'; print a[2] + 1 - 64; exit }')
b1=$(sector $mnt/d1/sub/bad1 $((1024 * 1024)))
b2=$(sector $mnt/d2/bad2 40960)
bp=$(sector $mnt/prealloc 65536)
echo "# bad1 sector $b1, bad2 sector $b2, prealloc sector $bp, log sector $bl, free region $free_start"
if [ -z "$b1" ] || [ -z "$b2" ] || [ -z "$bp" ] || [ -z "$bl" ] || [ -z "$free_start" ]; then
	t_fail "locate file blocks" "b1=$b1 b2=$b2 bp=$bp bl=$bl free=$free_start"
	t_done
fi
fv=$free_start fe=$((free_start + 4096))	# vdb-backed region, error region

# The table: special segments, linear /dev/vda in between.
table() {
	dm_table "$sz" /dev/vda "$b1 16 error" "$b2 8 error" "$bp 8 error" "$bl 8 error" \
		"$fv 2048 linear /dev/vdb 0" "$fe 2048 error"
}
tbl=$(table)
echo "# dm table:"; echo "$tbl" | sed 's/^/#   /'
dmsetup suspend --noudevsync $dm && echo "$tbl" | dmsetup reload $dm &&
	dmsetup resume --noudevsync $dm
if dmsetup table $dm | grep -c error | grep -qx 5; then
	t_ok "dm table with error segments on bad1, bad2, prealloc, the log and free space"
else
	t_fail "dm table with error segments" "$(dmsetup table $dm)"
	t_done
fi
# Prove the error segments bite where they are, and only there.
if ! dd if=$dev of=/dev/null bs=512 skip=$b1 count=1 iflag=direct 2>/dev/null &&
   dd if=$dev of=/dev/null bs=512 skip=$((b1 + 16)) count=1 iflag=direct 2>/dev/null; then
	t_ok "reading the dm device fails exactly on the error segment"
else t_fail "error segment bites" "reads at $b1/$((b1 + 16)) did not fail/succeed as set"; fi

vdb_reads() { awk '{ print $1 }' /sys/block/vdb/stat; }
# Upstream's wording: file data is an Unfixable Error at a file offset; the
# log is metadata, a Corruption at a byte offset on the disk.
expect=$(printf '%s\n' "Unfixable Error: $mnt/d1/sub/bad1: media error at data offset 1048576 length 8192." \
	"Unfixable Error: $mnt/d2/bad2: media error at data offset 40960 length 4096." \
	"Corruption: disk offset $((bl * 512)): media error in journalling log." | sort)
# media_lines: the media error lines of a report, sorted.
media_lines() { grep -E '^(Unfixable Error|Corruption): .*media error' | sort; }

# run NAME CMD...: one scrub run; checks the exact report and that the
# free-space region on vdb was never read.
run() {
	local name=$1 before after got
	shift
	before=$(vdb_reads)
	out=$("$@" 2>&1); rc=$?
	after=$(vdb_reads)
	echo "$out" | sed "s/^/#   [$name] /"
	got=$(echo "$out" | media_lines)
	# With XST_BUILD pointing at a sanitizer build, its reports fail the run.
	if echo "$out" | grep -qE 'runtime error|AddressSanitizer|LeakSanitizer'; then
		t_fail "$name: sanitizer report" "$(echo "$out" | grep -m1 -E 'runtime error|Sanitizer')"
	fi
	if [ "$got" = "$expect" ]; then
		t_ok "$name: names exactly bad1, bad2 (with offsets) and the log block"
	else t_fail "$name: exact media error report" "got: $(echo "$got" | tr '\n' '|')"; fi
	if [ $((rc & 1)) -eq 1 ] && [ $((rc & 4)) -eq 0 ]; then
		t_ok "$name: exit $rc (unfixable bit, no operational error)"
	else t_fail "$name: exit bits" "exit $rc"; fi
	if [ "$before" = "$after" ]; then
		t_ok "$name: free space never read (vdb reads $before -> $after)"
	else t_fail "$name: free space never read" "vdb reads $before -> $after"; fi
}

run "VERIFY_MEDIA" "$scrub" -n -x -v $mnt
if echo "$out" | grep -q "with XFS_IOC_VERIFY_MEDIA"; then
	t_ok "VERIFY_MEDIA: the kernel path was used (7.2 kernel)"
else t_fail "VERIFY_MEDIA: kernel path used" "no 'with XFS_IOC_VERIFY_MEDIA' in -v output"; fi
owners() { sed -n 's/^[A-Za-z ]*: \([^:]*\): media error.*/\1/p' | sort -u; }
ours=$(echo "$out" | owners)
ours_lines=$(echo "$out" | media_lines)

run "O_DIRECT" env XFS_SCRUB_NO_VERIFY_MEDIA=1 "$scrub" -d -n -x -v $mnt
if echo "$out" | grep -q "with /dev/dm-"; then
	t_ok "O_DIRECT: the fallback read the block device"
else t_fail "O_DIRECT: fallback used" "no 'with /dev/dm-N' in -v output"; fi

# Without -d the knob is ignored, as upstream's debug knobs are.
out=$(XFS_SCRUB_NO_VERIFY_MEDIA=1 "$scrub" -n -x -v $mnt 2>&1)
if echo "$out" | grep -q "with XFS_IOC_VERIFY_MEDIA"; then
	t_ok "XFS_SCRUB_NO_VERIFY_MEDIA needs -d"
else t_fail "XFS_SCRUB_NO_VERIFY_MEDIA needs -d" "$(echo "$out" | grep verifying)"; fi

# Background mode: small reads, one thread, a rest; same findings.
run "-b" "$scrub" -n -x -bb $mnt

# Progress: fsck -C lines for phase 6 in bytes, ending at the total.
"$scrub" -n -x -C 3 $mnt 3>/tmp/media-progress >/dev/null 2>&1
last6=$(grep "^6 " /tmp/media-progress | tail -n1)
set -- $last6
if [ -n "$last6" ] && [ "${2:-x}" = "${3:-y}" ] && [ "${4:-}" = "$mnt" ] && [ "${3:-0}" -gt $((8 << 20)) ]; then
	t_ok "-C: phase 6 progress in bytes ends at its total ($3)"
else t_fail "-C: phase 6 progress" "last line: '$last6'"; fi

# Upstream in the same boot: the same files.
before=$(vdb_reads)
up=$("$upstream" -n -x $mnt 2>&1); uprc=$?
after=$(vdb_reads)
echo "$up" | sed 's/^/#   [upstream] /'
theirs=$(echo "$up" | owners)
if [ -n "$theirs" ] && [ "$ours" = "$theirs" ]; then
	t_ok "upstream xfs_scrub -x names the same files and places ($(echo $theirs | tr '\n' ' '))"
else t_fail "same files as upstream" "ours: $(echo $ours); upstream (exit $uprc): $(echo $theirs)"; fi
up_lines=$(echo "$up" | media_lines)
if [ "$ours_lines" = "$up_lines" ]; then
	t_ok "upstream's media error lines are identical to ours"
else t_fail "upstream's media error lines are identical to ours" "see the reports above"; fi
echo "# upstream read the vdb free-space region: $before -> $after reads"

# A clean filesystem: no error segments, exit 0.
dmsetup suspend --noudevsync $dm && echo "0 $sz linear /dev/vda 0" | dmsetup reload $dm &&
	dmsetup resume --noudevsync $dm
out=$("$scrub" -n -x $mnt 2>&1); rc=$?
if [ "$rc" -eq 0 ] && ! echo "$out" | grep -q "media error"; then
	t_ok "clean device: exit 0, no media errors"
else t_fail "clean device" "exit $rc: $out"; fi

umount $mnt
dmsetup remove --noudevsync $dm

# External log (/dev/vdc) and a realtime device (dm over /dev/vdd) with
# rtgroups, so that the realtime space map names the owners: an error on a
# realtime file's block names that file.
rtdm=xst-media-rt rtdev=/dev/mapper/xst-media-rt
rsz=$(blockdev --getsz /dev/vdd)
echo "0 $rsz linear /dev/vdd 0" | dmsetup create --noudevsync $rtdm && dmsetup mknodes
if mkfs.xfs -q -f -K -m metadir=1 -l logdev=/dev/vdc -r rtdev=$rtdev -d rtinherit=1 /dev/vda &&
   mount -o logdev=/dev/vdc,rtdev=$rtdev /dev/vda $mnt; then
	xfs_io -f -c 'pwrite -S 0x64 0 1m' -c fsync $mnt/rtfile >/dev/null
	mkdir -p $mnt/dd && xfs_io -f -c 'pwrite -S 0x65 0 1m' -c fsync $mnt/dd/rtgood >/dev/null
	sync
	br=$(sector $mnt/rtfile 65536)
	echo "# realtime file block at rt sector $br"
	dmsetup suspend --noudevsync $rtdm && printf '%s\n' "0 $br linear /dev/vdd 0" "$br 8 error" \
		"$((br + 8)) $((rsz - br - 8)) linear /dev/vdd $((br + 8))" | dmsetup reload $rtdm &&
		dmsetup resume --noudevsync $rtdm
	rtexpect="$mnt/rtfile: media error at data offset 65536 length 4096."
	for how in VERIFY_MEDIA O_DIRECT; do
		if [ $how = O_DIRECT ]; then
			out=$(XFS_SCRUB_NO_VERIFY_MEDIA=1 "$scrub" -d -n -x -v $mnt 2>&1); rc=$?
		else out=$("$scrub" -n -x -v $mnt 2>&1); rc=$?; fi
		echo "$out" | sed "s/^/#   [rt $how] /"
		got=$(echo "$out" | media_lines)
		if echo "$out" | grep -qE 'runtime error|AddressSanitizer|LeakSanitizer'; then
			t_fail "rt+external log, $how: sanitizer report" "$(echo "$out" | grep -m1 -E 'runtime error|Sanitizer')"
		fi
		if [ "$got" = "Unfixable Error: $rtexpect" ] && [ $((rc & 5)) -eq 1 ]; then
			t_ok "rt+external log, $how: names the realtime file and offset, exit $rc"
		else t_fail "rt+external log, $how" "exit $rc, got: $(echo "$got" | tr '\n' '|')"; fi
	done
	up=$("$upstream" -n -x $mnt 2>&1)
	echo "$up" | sed 's/^/#   [rt upstream] /'
	echo "# upstream on realtime: $(echo "$up" | grep -c 'media error') media error line(s)"
	umount $mnt
else
	t_fail "rt+external log filesystem" "mkfs or mount failed"
fi
dmsetup remove --noudevsync $rtdm
t_done
