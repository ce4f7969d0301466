#!/bin/bash
# xst-vm: --disk 1G --timeout 900
# One damage class at a time, injected with xfs_db into a freshly made and
# populated (otherwise clean) filesystem: upstream's `xfs_scrub -n` must flag
# the damaged object (this proves the recipe), ours must flag it too with
# exit bit 1 set, and both must report the same set of Corruption/Warning
# lines and exit with the same status.  Recipes: tests/vm/lib/xfsfixture.sh;
# why each was chosen: docs/testing.md, "VM damage tests".
#
# XST_T_DAMAGE_CASES="dir_data fscounters" runs a subset.
. /project/tests/lib/tap.sh
. /project/tests/vm/lib/xfsfixture.sh

dev=/dev/vda mnt=/mnt/xf
ours=${XST_BUILD:-/project/build}/scrub/xfs_scrub
upstream=/usr/sbin/xfs_scrub
work=$(mktemp -d /tmp/check-damage.XXXXXX)
# A scrub of these small filesystems takes seconds; a hung one must not eat
# the group's time.
export XF_SCRUB_TIMEOUT=120
mkdir -p "$mnt"
group_start=$(date +%s)

# CASE -> the object's path (relative to the mount), or "ino:NAME" to accept
# only the inode form, or "ag:N"/"fs"; and the type description upstream uses.
cases="dir_data dir_leaf dir_node xattr_leaf xattr_remote sf_dir inode_core
	inode_verifier bnobt_ag1 rmapbt_ag2 fscounters"
object_of() {
	case "$1" in
	(dir_data|dir_leaf) echo "path dir_leaf|directory entries" ;;
	(dir_node) echo "path dir_node|directory entries" ;;
	(xattr_leaf) echo "path xattr_leaf|extended attributes" ;;
	(xattr_remote) echo "path xattr_remote|extended attributes" ;;
	(sf_dir) echo "path dir_sf|directory entries" ;;
	(inode_core) echo "path files/f1|inode record" ;;
	(inode_verifier) echo "path files/f1|inode record" ;;
	(bnobt_ag1) echo "ag 1|freesp by block btree" ;;
	(rmapbt_ag2) echo "ag 2|reverse mapping btree" ;;
	(fscounters) echo "fs|filesystem summary counters" ;;
	esac
}

# expect_re CASE: an extended regex matching the Corruption line that names
# the damaged object: by path (parent pointers) or by inode number.
expect_re() {
	local spec kind name type ino
	spec=$(object_of "$1")
	type=${spec#*|}; spec=${spec%%|*}
	kind=${spec%% *}; name=${spec#* }
	case "$kind" in
	(path)
		ino=$(xf_ino "$name")
		echo "^Corruption: ($mnt/$name|inode $ino \\([0-9]+/[0-9]+\\)) $type: " ;;
	(ag) echo "^Corruption: AG $name $type: " ;;
	(fs) echo "^Corruption: $type: " ;;
	esac
}

# fresh: a new populated filesystem, unmounted, with its ground truth.
fresh() {
	xf_mkfs "$dev" && mount "$dev" "$mnt" && xf_populate "$mnt" &&
		xf_truth_record "$mnt" && umount "$mnt"
}

for c in ${XST_T_DAMAGE_CASES:-$cases}; do
	t0=$(date +%s)
	echo "# ---- $c"
	if ! fresh >"$work/$c.fresh" 2>&1; then
		sed 's/^/#   /' "$work/$c.fresh"
		t_fail "$c: fresh filesystem" "mkfs/populate failed"
		umount "$mnt" 2>/dev/null
		continue
	fi
	if ! "xf_damage_$c" "$dev"; then
		t_fail "$c: inject damage" "the xfs_db recipe did not apply"
		continue
	fi
	if ! mount "$dev" "$mnt" 2>"$work/$c.mount"; then
		t_fail "$c: mount the damaged filesystem" "$(cat "$work/$c.mount")"
		continue
	fi
	re=$(expect_re "$c")
	echo "# expected: /$re/"

	rc_up=$(xf_run_scrub "$work/$c.upstream" "$upstream" -n "$mnt")
	echo "# upstream xfs_scrub -n: exit $rc_up"
	xf_show "$work/$c.upstream"
	if grep -qE "$re" "$work/$c.upstream" && [ $((rc_up & 1)) -eq 1 ]; then
		t_ok "$c: upstream flags the damaged object"
	else
		t_fail "$c: upstream flags the damaged object" "recipe not detected by upstream (exit $rc_up)"
	fi

	if [ ! -x "$ours" ]; then
		why="our xfs_scrub is not built ($ours missing)"
		t_fail "$c: ours flags the damaged object" "$why"
		t_fail "$c: ours exit status has bit 1" "$why"
		t_fail "$c: ours reports the same objects as upstream" "$why"
		t_fail "$c: ours exits like upstream" "$why"
	else
		rc_ours=$(xf_run_scrub "$work/$c.ours" "$ours" -n "$mnt")
		echo "# ours xfs_scrub -n: exit $rc_ours"
		xf_show "$work/$c.ours"
		if grep -qE "$re" "$work/$c.ours"; then t_ok "$c: ours flags the damaged object"
		else t_fail "$c: ours flags the damaged object" "no line matches /$re/"; fi
		if [ $((rc_ours & 1)) -eq 1 ]; then t_ok "$c: ours exit status has bit 1"
		else t_fail "$c: ours exit status has bit 1" "exit $rc_ours"; fi
		xf_reports "$work/$c.upstream" >"$work/$c.upstream.set"
		xf_reports "$work/$c.ours" >"$work/$c.ours.set"
		if diff "$work/$c.upstream.set" "$work/$c.ours.set" >"$work/$c.diff"; then
			t_ok "$c: ours reports the same objects as upstream"
		else
			sed 's/^/#   /' "$work/$c.diff"
			t_fail "$c: ours reports the same objects as upstream" "the Corruption/Warning sets differ (< upstream, > ours)"
		fi
		# Upstream's phase 7 counts space with GETFSMAP, which fails on a
		# broken rmapbt and adds an operational error (bit 4) on top of the
		# corruption; ours does not count through the rmapbt, so only the
		# corruption and warning bits are compared.
		if [ $((rc_ours & 3)) -eq $((rc_up & 3)) ]; then
			t_ok "$c: ours exits like upstream (corruption/warning bits; ours $rc_ours, upstream $rc_up)"
		else t_fail "$c: ours exits like upstream" "ours $rc_ours, upstream $rc_up"; fi
	fi
	umount "$mnt" || t_fail "$c: unmount" "umount failed"
	echo "# $c took $(( $(date +%s) - t0 ))s"
done
echo "# check-damage took $(( $(date +%s) - group_start ))s in the VM"
t_done
