#!/usr/bin/env bash
# Host tier for xfs_scrub: the host kernel has no online scrub (the ioctls
# answer ENOTTY), so what can be shown here is the edge: a clear message and
# upstream's exit status for a kernel without scrub, a path that is not XFS,
# not a mount point, or absent, and usage errors (exit 8).  Upstream's own
# xfs_scrub (Debian 12's xfsprogs) runs beside ours for the exit statuses.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
scrub=${XST_BUILD:-$here/../../build}/scrub/xfs_scrub
upstream=/usr/sbin/xfs_scrub
[ -x "$scrub" ] || { t_fail "xfs_scrub built" "no $scrub"; t_done; }

work=$(mktemp -d /tmp/xst-cli.XXXXXX)
cleanup() { umount "$work/mnt" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir "$work/mnt"
truncate -s 512M "$work/img"
mkfs.xfs -q -f "$work/img"
mount -o loop "$work/img" "$work/mnt" || { t_fail "loop mount" "cannot mount an XFS image"; t_done; }
mkdir "$work/mnt/sub"

# run CMD...: sets out (stdout+stderr) and rc
run() { out=$("$@" 2>&1); rc=$?; }

run "$scrub" -n "$work/mnt"
ours_rc=$rc ours_out=$out
if echo "$out" | grep -q "Kernel metadata scrubbing facility is not available"; then
	t_ok "no online scrub: says so"
else
	t_fail "no online scrub: says so" "got: $out"
fi
if [ -x "$upstream" ]; then
	run "$upstream" -n "$work/mnt"
	if [ "$ours_rc" -eq "$rc" ]; then t_ok "no online scrub: exit $rc as upstream"
	else t_fail "no online scrub: exit as upstream" "ours $ours_rc, upstream $rc ($out)"; fi
else
	t_fail "no online scrub: exit as upstream" "upstream $upstream missing"
fi
[ $((ours_rc & 4)) -ne 0 ] && t_ok "no online scrub: operational-error bit" ||
	t_fail "no online scrub: operational-error bit" "exit $ours_rc: $ours_out"
# Service mode: a kernel without scrub is not a service failure (upstream).
run env SERVICE_MODE=1 "$scrub" -n "$work/mnt"
[ "$rc" -eq 0 ] && t_ok "service mode without kernel scrub exits 0" ||
	t_fail "service mode without kernel scrub exits 0" "exit $rc"

# Not XFS: the host's /proc.
run "$scrub" -n /proc
if echo "$out" | grep -q "Not an XFS mount point" && [ "$rc" -eq 8 ]; then
	t_ok "non-XFS path: clear error"
else t_fail "non-XFS path: clear error" "exit $rc: $out"; fi
if [ -x "$upstream" ]; then
	ours=$rc; run "$upstream" -n /proc
	[ "$ours" -eq "$rc" ] && t_ok "non-XFS path: exit as upstream" ||
		t_fail "non-XFS path: exit as upstream" "ours $ours, upstream $rc"
fi

run "$scrub" -n "$work/mnt/sub"
if echo "$out" | grep -q "Not an XFS mount point" && [ "$rc" -eq 8 ]; then t_ok "not a mount point: clear error"
else t_fail "not a mount point: clear error" "exit $rc: $out"; fi
if [ -x "$upstream" ]; then
	ours=$rc; run "$upstream" -n "$work/mnt/sub"
	[ "$ours" -eq "$rc" ] && t_ok "not a mount point: exit as upstream" ||
		t_fail "not a mount point: exit as upstream" "ours $ours, upstream $rc"
fi

run "$scrub" -n "$work/nonexistent"
if echo "$out" | grep -q "No such file or directory" && [ "$rc" -eq 4 ]; then t_ok "missing path: clear error"
else t_fail "missing path: clear error" "exit $rc: $out"; fi

# Usage errors: exit 8 and a usage text, whatever the mistake.
for args in "" "-n" "-Z -n $work/mnt" "-n -p $work/mnt" "-C notanumber -n $work/mnt" \
	    "-C 99 -n $work/mnt" "-a 0 -n $work/mnt" "-e sometimes -n $work/mnt" \
	    "-o bogus -n $work/mnt" "-n $work/mnt extra"; do
	# shellcheck disable=SC2086
	run "$scrub" $args
	if [ "$rc" -eq 8 ] && echo "$out" | grep -q "Usage: xfs_scrub"; then
		t_ok "usage error exits 8: '$args'"
	else
		t_fail "usage error exits 8: '$args'" "exit $rc: $out"
	fi
done

run "$scrub" -V
if [ "$rc" -eq 0 ] && echo "$out" | grep -q "^xfs_scrub version"; then t_ok "-V prints the version"
else t_fail "-V prints the version" "exit $rc: $out"; fi

# A non-root caller is refused before anything else happens.
if command -v setpriv >/dev/null; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$scrub" -n "$work/mnt"
	if [ $((rc & 4)) -ne 0 ] && [ -n "$out" ]; then t_ok "non-root: refused with a message"
	else t_fail "non-root: refused with a message" "exit $rc: $out"; fi
fi
t_done
