#!/usr/bin/env bash
# Host tier: xfs_update / atomic_update in place on XFS with exchange-range.
# Makes a modern image (mkfs from the cached Debian testing root), loop-mounts
# it on the host kernel and checks what "in place" promises: new contents,
# same inode / links / owner / mode / xattrs, hard links and descriptors
# opened before the commit see the new contents; a concurrent change makes the
# commit fail with exit 3 and leaves the target alone, both with commit-range
# and with the exchange-range fallback (forced through the library's test
# hook); every documented exit status.  Needs root.  Runtime: ~10 s.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/lib/tap.sh"
upd=${XFS_UPDATE:-${XST_BUILD:-$root/build}/lib/xfs_update}

if [ "$(id -u)" -ne 0 ]; then t_skip atomic-inplace "needs root (loop mounts)"; t_done; fi
if [ ! -x "$upd" ]; then t_fail atomic-inplace "no $upd: build first (meson setup build && ninja -C build)"; t_done; fi

work=$(mktemp -d /tmp/xst-atomic-inplace.XXXXXX)
mnt=$work/mnt
cleanup() {
	exec 3<&- 2>/dev/null
	mountpoint -q "$mnt/ro" && umount "$mnt/ro"
	mountpoint -q "$mnt" && umount "$mnt"
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$mnt"
truncate -s 512m "$work/img"
if ! (cd "$work" && "$root/tests/vm/xfs-tool.sh" mkfs.xfs -f -q img) ||
   ! mount -o loop "$work/img" "$mnt"; then
	t_fail atomic-inplace "cannot make or mount a modern XFS image"
	t_done
fi

f=$mnt/file
rc_is() { return "$1"; }
# meta FILE: inode, links, owner, group, mode (what in place must keep)
meta() { stat -c '%i %h %u %g %a' "$1"; }
xattr_get() { python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2]).decode())' "$1" "$2"; }
xattr_set() { python3 -c 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())' "$1" "$2" "$3"; }

# --- after a commit: everything in place -------------------------------
printf 'old contents\n' > "$f"
ln "$f" "$mnt/hardlink"
chown 1234:4321 "$f"; chmod 0640 "$f"
xattr_set "$f" user.colour blue
xattr_set "$f" trusted.kept yes
before=$(meta "$f")
exec 3< "$f"		# a descriptor opened before the commit
out=$(printf 'new contents, longer than before\n' | "$upd" -v "$f" 2>&1); rc=$?
t_expect_rc "inplace: commit succeeds" 0 rc_is $rc
case "$out" in
(*"in place (commit-range)"*) t_ok "inplace: reports commit-range" ;;
(*) t_fail "inplace: reports commit-range" "said: $out" ;;
esac
t_check "inplace: new content" test "$(cat "$f")" = "new contents, longer than before"
t_check "inplace: same inode, links, owner, mode" test "$(meta "$f")" = "$before"
t_check "inplace: user xattr kept" test "$(xattr_get "$f" user.colour)" = blue
t_check "inplace: trusted xattr kept" test "$(xattr_get "$f" trusted.kept)" = yes
t_check "inplace: hard link reads new content" test "$(cat "$mnt/hardlink")" = "new contents, longer than before"
t_check "inplace: descriptor opened before reads new content" test "$(cat <&3)" = "new contents, longer than before"
exec 3<&-

# --- length changes and --in-place ---------------------------------------
printf 'x\n' | "$upd" -i "$f"
t_check "inplace: shrink" test "$(cat "$f")" = x
head -c 3000000 /dev/urandom > "$work/big"
"$upd" --in-place "$f" < "$work/big"
t_check "inplace: grow to 3 MB" cmp -s "$f" "$work/big"
t_check "inplace: still same inode after resizes" test "$(meta "$f")" = "$before"
: | "$upd" "$f"
t_check "inplace: empty" test ! -s "$f"

# --- --edit on a clone -----------------------------------------------------
"$upd" "$f" < "$work/big"
printf 'Z' | dd of="$work/big" bs=1 seek=123456 conv=notrunc status=none
"$upd" --edit 'printf Z | dd bs=1 seek=123456 conv=notrunc status=none of="$XFS_UPDATE_FILE"; :' "$f"
t_check "edit: one byte changed through the clone" cmp -s "$f" "$work/big"
"$upd" --edit 'sed -i "1s/^/edited /"' "$mnt/hardlink" 2>/dev/null
t_check "edit: rename-saving editor (sed -i) lands in place" \
	test "$(meta "$f")" = "$before" -a "$(head -c 7 "$f")" = "edited "
t_check "edit: no clone left behind" test -z "$(ls -A "$mnt" | grep xfs_update)"
cp "$f" "$work/keep"
t_expect_rc "edit: failing command exits 9" 9 "$upd" --edit false "$f"
t_check "edit: failing command wrote nothing" cmp -s "$f" "$work/keep"

# --- a concurrent change between begin and commit --------------------------
# The --edit command is the window between begin and commit; it also writes
# the target itself, as another process would.
concurrent() {	# NAME ENV...
	local name=$1; shift
	printf 'base\n' > "$f"
	env "$@" "$upd" --edit "echo mine > \"\$XFS_UPDATE_FILE\"; echo theirs >> '$f'; :" "$f" 2>"$work/err"
	local rc=$?
	t_expect_rc "$name: concurrent write refused with exit 3" 3 rc_is $rc
	[ $rc -eq 3 ] || echo "# rc=$rc stderr: $(cat "$work/err")"
	t_check "$name: target keeps the other writer's data" test "$(cat "$f")" = "$(printf 'base\ntheirs')"
	grep -q "changed since it was read; nothing written" "$work/err" &&
		t_ok "$name: says changed, nothing written" ||
		t_fail "$name: says changed, nothing written" "$(cat "$work/err")"
	t_check "$name: refused edit kept for the user" test "$(cat "$f.xfs_update-rejected")" = mine
	rm -f "$f.xfs_update-rejected"
	printf 'base\n' > "$f"
	t_expect_rc "$name: concurrent chmod refused" 3 \
		env "$@" "$upd" --edit "echo mine > \"\$XFS_UPDATE_FILE\"; chmod 0600 '$f'" "$f" 2>/dev/null
	rm -f "$f.xfs_update-rejected"
	t_check "$name: target unchanged after refused chmod race" test "$(cat "$f")" = base
	out=$(printf 'fine\n' | env "$@" "$upd" -v "$f" 2>&1)
	t_check "$name: uncontended update works ($out)" test "$(cat "$f")" = fine
}
concurrent commit-range
concurrent exchange-range XST_AU_TEST_NO_COMMIT_RANGE=1
out=$(printf 'e\n' | XST_AU_TEST_NO_COMMIT_RANGE=1 "$upd" -v "$f" 2>&1)
case "$out" in
(*"in place (exchange-range)"*) t_ok "exchange-range: hook selects the 6.10 path" ;;
(*) t_fail "exchange-range: hook selects the 6.10 path" "said: $out" ;;
esac

# --- exit statuses -----------------------------------------------------------
t_expect_rc "exit 2: no FILE" 2 "$upd"
t_expect_rc "exit 2: two FILEs" 2 "$upd" a b
t_expect_rc "exit 2: unknown option" 2 "$upd" --bogus "$f"
mkdir -p "$mnt/dir"
t_expect_rc "exit 8: directory" 8 "$upd" "$mnt/dir" < /dev/null
mkfifo "$mnt/fifo"
t_expect_rc "exit 8: fifo" 8 "$upd" "$mnt/fifo" < /dev/null
t_expect_rc "exit 1: missing file" 1 "$upd" "$mnt/missing" < /dev/null
printf 'c\n' | "$upd" -c "$mnt/created" 2>/dev/null
t_check "create: -c makes a new file" test "$(cat "$mnt/created")" = c
printf 'root only\n' > "$mnt/rootfile"; chmod 0644 "$mnt/rootfile"
chmod 0777 "$mnt"
t_expect_rc "exit 7: permission denied (nobody)" 7 \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$upd" "$mnt/rootfile" < /dev/null
chmod 0755 "$mnt"
t_check "exit 7: file untouched" test "$(cat "$mnt/rootfile")" = "root only"
mkdir -p "$mnt/ro"
mount --bind "$mnt" "$mnt/ro" && mount -o remount,bind,ro "$mnt/ro"
t_expect_rc "exit 6: read-only mount" 6 "$upd" "$mnt/ro/rootfile" < /dev/null
umount "$mnt/ro"
# Fill the filesystem, then ask for 64 MiB of new contents.
printf 'small\n' > "$f"
fallocate -l "$(( $(stat -f -c '%a*%S' "$mnt") ))" "$mnt/filler" 2>/dev/null ||
	dd if=/dev/zero of="$mnt/filler" bs=1M status=none 2>/dev/null
head -c 64m /dev/zero | tr '\0' 'a' > "$work/64m"
t_expect_rc "exit 5: no space" 5 "$upd" "$f" < "$work/64m"
t_check "exit 5: target unchanged" test "$(cat "$f")" = small
rm -f "$mnt/filler"

# The cmocka unit tests again, now on XFS: the same cases take the in-place paths.
ut=${XST_BUILD:-$root/build}/tests/unit/test_atomic_update
if [ -x "$ut" ]; then
	if XST_TEST_TMPDIR="$mnt" "$ut" >"$work/unit.log" 2>&1; then
		t_ok "unit tests pass on XFS (in-place paths)"
	else
		sed 's/^/# /' "$work/unit.log"
		t_fail "unit tests pass on XFS (in-place paths)" "see the log above"
	fi
else
	t_skip "unit tests on XFS" "no $ut (built with -Dtests=false?)"
fi

t_done
