#!/bin/bash
# xst-vm: --disk 1G --timeout 600
# A clean filesystem, made by testing's mkfs with its default features and
# populated with every metadata shape xfs_scrub walks: upstream's
# `xfs_scrub -n` and ours both exit 0 and report nothing; ours prints the same
# verdict and Info lines as upstream on the same mount in the same boot.
. /project/tests/lib/tap.sh
. /project/tests/vm/lib/xfsfixture.sh

dev=/dev/vda mnt=/mnt/xf
ours=${XST_BUILD:-/project/build}/scrub/xfs_scrub
upstream=/usr/sbin/xfs_scrub
work=$(mktemp -d /tmp/check-clean.XXXXXX)
mkdir -p "$mnt"
start=$(date +%s)

t_check "mkfs.xfs with defaults" xf_mkfs "$dev"
t_check "mount" mount "$dev" "$mnt"
missing=$(xf_missing_features "$mnt")
if [ -z "$missing" ]; then t_ok "default features: rmapbt reflink parent exchange ..."
else t_fail "default features: rmapbt reflink parent exchange ..." "missing: $missing"; fi
t_check "populate" xf_populate "$mnt"
xf_truth_record "$mnt"
echo "# ground truth:"; sed 's/^/#   /' "$XF_TRUTH"
umount "$mnt"
xf_check_shapes "$dev" >"$work/shapes"
while read -r verdict what; do
	case "$verdict" in
	(ok) t_ok "fixture shape: $what" ;;
	(*) t_fail "fixture shape: ${what%%:*}" "${what#*: }" ;;
	esac
done <"$work/shapes"
mount "$dev" "$mnt" || t_fail "remount" "mount failed"

rc_up=$(xf_run_scrub "$work/upstream" "$upstream" -n "$mnt")
echo "# upstream xfs_scrub -n: exit $rc_up"; xf_show "$work/upstream"
if [ "$rc_up" -eq 0 ]; then t_ok "upstream xfs_scrub -n exits 0"
else t_fail "upstream xfs_scrub -n exits 0" "exit $rc_up"; fi
if grep -qE '^(Corruption|Warning|Error|Unfixable Error): ' "$work/upstream"; then
	t_fail "upstream reports nothing wrong" "$(grep -m1 -E '^(Corruption|Warning|Error|Unfixable Error): ' "$work/upstream")"
else t_ok "upstream reports nothing wrong"; fi

if [ ! -x "$ours" ]; then
	why="our xfs_scrub is not built ($ours missing)"
	t_fail "ours xfs_scrub -n exits 0" "$why"
	t_fail "ours reports nothing wrong" "$why"
	t_fail "ours prints the same Info lines as upstream" "$why"
else
	rc_ours=$(xf_run_scrub "$work/ours" "$ours" -n "$mnt")
	echo "# ours xfs_scrub -n: exit $rc_ours"; xf_show "$work/ours"
	if [ "$rc_ours" -eq 0 ]; then t_ok "ours xfs_scrub -n exits 0"
	else t_fail "ours xfs_scrub -n exits 0" "exit $rc_ours"; fi
	if grep -qE '^(Corruption|Warning|Error|Unfixable Error): ' "$work/ours"; then
		t_fail "ours reports nothing wrong" "$(grep -m1 -E '^(Corruption|Warning|Error|Unfixable Error): ' "$work/ours")"
	else t_ok "ours reports nothing wrong"; fi
	# Upstream reports the never-written secondary superblocks of a fresh
	# filesystem as "Optimization is possible." (Info); ours must agree.
	grep '^Info: ' "$work/upstream" | sort -u >"$work/upstream.info"
	grep '^Info: ' "$work/ours" | sort -u >"$work/ours.info"
	if diff "$work/upstream.info" "$work/ours.info" >"$work/info.diff"; then
		t_ok "ours prints the same Info lines as upstream"
	else
		sed 's/^/#   /' "$work/info.diff"
		t_fail "ours prints the same Info lines as upstream" "see the diff above (< upstream, > ours)"
	fi
fi
umount "$mnt"
echo "# check-clean took $(( $(date +%s) - start ))s in the VM"
t_done
