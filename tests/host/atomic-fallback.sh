#!/usr/bin/env bash
# Host tier: the rename fallback of xfs_update / atomic_update.
#
# On filesystems without exchange-range -- tmpfs, ext4 (loop image), and XFS
# made by Debian 12's mkfs 6.1 (reflink but no exchange bit) -- an update
# must still be all-or-nothing, must *say* it was not in place (new inode),
# must keep mode, owner and xattrs, must refuse with exit 4 under --in-place
# and with exit 3 after a concurrent change, and a kill -9 series must never
# leave a mix of two versions.  Needs root.  Knob: ATOMIC_FALLBACK_KILLS
# (default 60 per filesystem).  Runtime: ~15 s.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/lib/tap.sh"
upd=${XFS_UPDATE:-${XST_BUILD:-$root/build}/lib/xfs_update}
kills=${ATOMIC_FALLBACK_KILLS:-60}
nver=4

if [ "$(id -u)" -ne 0 ]; then t_skip atomic-fallback "needs root (mounts)"; t_done; fi
if [ ! -x "$upd" ]; then t_fail atomic-fallback "no $upd: build first"; t_done; fi

work=$(mktemp -d /tmp/xst-atomic-fallback.XXXXXX)
cleanup() {
	local m
	for m in "$work"/mnt-*; do
		mountpoint -q "$m" && umount "$m"
	done
	rm -rf "$work"
}
trap cleanup EXIT

declare -A version_of
for ((v = 0; v < nver; v++)); do
	head -c 1048576 /dev/urandom > "$work/v$v"
	version_of[$(sha256sum < "$work/v$v" | cut -d' ' -f1)]=$v
done
which_version() {
	local h
	h=$(sha256sum < "$1" | cut -d' ' -f1)
	echo "${version_of[$h]:-mix}"
}
xattr_get() { python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2]).decode())' "$1" "$2" 2>/dev/null; }
xattr_set() { python3 -c 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())' "$1" "$2" "$3"; }
usec() { local t=${EPOCHREALTIME/./}; echo "${t#0}"; }

check_fs() {	# NAME MOUNTPOINT
	local name=$1 mnt=$2 f=$2/file out ino rc
	printf 'old\n' > "$f"
	ln "$f" "$mnt/link"
	chown 1234:4321 "$f"; chmod 0604 "$f"
	xattr_set "$f" user.colour blue 2>/dev/null
	local want_xattr; want_xattr=$(xattr_get "$f" user.colour)
	ino=$(stat -c %i "$f")
	exec 3< "$f"

	out=$(printf 'new\n' | "$upd" "$f" 2>&1); rc=$?
	t_check "$name: update succeeds" test $rc -eq 0
	t_check "$name: new content" test "$(cat "$f")" = new
	case "$out" in
	(*"replaced by rename (new inode, not in place)"*) t_ok "$name: fallback is said" ;;
	(*) t_fail "$name: fallback is said" "stderr: $out" ;;
	esac
	t_check "$name: inode did change (as said)" test "$(stat -c %i "$f")" != "$ino"
	t_check "$name: owner and mode kept" test "$(stat -c '%u %g %a' "$f")" = "1234 4321 604"
	t_check "$name: xattr kept" test "$(xattr_get "$f" user.colour)" = "$want_xattr"
	t_check "$name: other hard link keeps the old file (documented)" test "$(cat "$mnt/link")" = old
	t_check "$name: earlier descriptor keeps the old file (documented)" test "$(cat <&3)" = old
	exec 3<&-
	out=$(printf 'v\n' | "$upd" -v "$f" 2>&1)
	t_check "$name: -v names the method" test "${out%(rename)}" != "$out"

	cp "$f" "$work/keep"
	out=$(printf 'refused\n' | "$upd" --in-place "$f" 2>&1); rc=$?
	t_expect_rc "$name: --in-place refused with exit 4" 4 rc_is $rc
	t_check "$name: --in-place message" test "${out#*no exchange-range on this filesystem}" != "$out"
	t_check "$name: --in-place left the target alone" cmp -s "$f" "$work/keep"

	printf 'base\n' > "$f"
	t_expect_rc "$name: concurrent write refused with exit 3" 3 \
		"$upd" -q --edit "echo mine > \"\$XFS_UPDATE_FILE\"; echo theirs >> '$f'; :" "$f" 2>/dev/null
	t_check "$name: target keeps the other writer's data" test "$(cat "$f")" = "$(printf 'base\ntheirs')"
	printf 'base\n' > "$f"
	t_expect_rc "$name: file renamed over meanwhile refused with exit 3" 3 \
		"$upd" -q --edit "echo mine > \"\$XFS_UPDATE_FILE\"; echo other > '$mnt/o'; mv '$mnt/o' '$f'; :" "$f" 2>/dev/null
	t_check "$name: the renamed-in file is kept" test "$(cat "$f")" = other

	# kill -9 series, delays adapting around the commit point (as atomic-crash.sh).
	rm -f "$mnt/link" "$f"; cp "$work/v0" "$f"
	local t0 life_us spins_per_ms max_spins i k pid got next cur=0 kept=0 new=0 bad=0 strays
	t0=$(usec)
	for ((i = 0; i < 5; i++)); do "$upd" -q "$f" < "$work/v0"; done
	life_us=$(( ($(usec) - t0) / 5 ))
	t0=$(usec)
	for ((k = 0; k < 20000; k++)); do :; done
	spins_per_ms=$(( 20000 * 1000 / ($(usec) - t0 + 1) + 1 ))
	max_spins=$(( life_us * 3 / 2 * spins_per_ms / 1000 + 1 ))
	for ((i = 1; i <= kills; i++)); do
		next=$(( (cur + 1 + RANDOM % (nver - 1)) % nver ))
		"$upd" -q "$f" < "$work/v$next" &
		pid=$!
		spins=$(( (RANDOM * 32768 + RANDOM) % max_spins ))
		for ((k = 0; k < spins; k++)); do :; done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		got=$(which_version "$f")
		if [ "$got" = "$cur" ]; then
			kept=$((kept + 1)); max_spins=$(( max_spins + max_spins / 16 + 1 ))
		elif [ "$got" = "$next" ]; then
			new=$((new + 1)); cur=$next; max_spins=$(( max_spins - max_spins / 16 + 1 ))
		else
			bad=$((bad + 1)); echo "# $name kill $i: version '$got', expected $cur or $next"
			[ "$got" != mix ] && cur=$got
		fi
	done
	# A kill between link() and rename() can leave a named temporary; say so.
	strays=$(find "$mnt" -maxdepth 1 -name '.file.xfs_update.*' | wc -l)
	echo "# $name kill -9 series: $kills updates, $kept old kept, $new new, $bad other, $strays stray temporaries"
	t_check "$name: kill -9 x$kills, always exactly the old or the new version" test "$bad" -eq 0
	t_check "$name: kills landed both before and after the commit" test "$kept" -gt 0 -a "$new" -gt 0
}
rc_is() { return "$1"; }

# tmpfs
mkdir -p "$work/mnt-tmpfs"
if mount -t tmpfs -o size=64m xst-atomic "$work/mnt-tmpfs"; then
	check_fs tmpfs "$work/mnt-tmpfs"
	umount "$work/mnt-tmpfs"
else
	t_fail tmpfs "cannot mount tmpfs"
fi

# ext4 on a loop image
mkdir -p "$work/mnt-ext4"
truncate -s 256m "$work/ext4.img"
if mkfs.ext4 -q -F "$work/ext4.img" && mount -o loop "$work/ext4.img" "$work/mnt-ext4"; then
	check_fs ext4 "$work/mnt-ext4"
	umount "$work/mnt-ext4"
else
	t_fail ext4 "cannot make or mount an ext4 image"
fi

# XFS without exchange-range: Debian 12's own mkfs.xfs (6.1) cannot set it.
if command -v mkfs.xfs >/dev/null; then
	mkdir -p "$work/mnt-oldxfs"
	truncate -s 512m "$work/oldxfs.img"
	# A newer mkfs takes exchange=0; 6.1's rejects the option and never sets it.
	if { mkfs.xfs -q -f -i exchange=0 "$work/oldxfs.img" 2>/dev/null ||
	     mkfs.xfs -q -f "$work/oldxfs.img"; } &&
	   mount -o loop "$work/oldxfs.img" "$work/mnt-oldxfs"; then
		check_fs xfs-no-exchange "$work/mnt-oldxfs"
		umount "$work/mnt-oldxfs"
	else
		t_fail xfs-no-exchange "cannot make or mount an XFS 6.1 image"
	fi
else
	t_skip xfs-no-exchange "no host mkfs.xfs"
fi

t_done
