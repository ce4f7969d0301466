#!/usr/bin/env bash
# Host tier for xfs_scrubd's mount discovery (issue 5, item 1), on the host
# kernel's XFS loop mounts (no scrub needed): which trigger watches the
# mount table (fanotify mount events on Linux 6.15+, else mountinfo), how
# fast a mount and an unmount are noticed, a different filesystem mounted
# at the same place (one after the other, and swapped while the daemon is
# stopped, so one resync sees both), mount --move, a mount point moved by
# renaming its parent directory (no mount event at all: the worker's
# identity check refuses the job and asks for a resync), and the mountinfo
# fallback when fanotify is not permitted.  The daemon under ASan when built.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon-bins.sh"

work=$(mktemp -d /tmp/xsd-mounts.XXXXXX)
pid= pid2=
cleanup() {
	[ -n "$pid" ] && kill -CONT "$pid" 2>/dev/null && kill "$pid" 2>/dev/null
	[ -n "$pid2" ] && kill "$pid2" 2>/dev/null
	wait 2>/dev/null
	for m in a/mnt a.old/mnt b/mnt c/mnt; do umount "$work/t/$m" 2>/dev/null; done
	umount "$work/t" 2>/dev/null
	[ -n "${XSD_KEEP:-}" ] && cp "$work/log" /tmp/xsd-mounts.log; rm -rf "$work"
}
trap cleanup EXIT
# A private tmpfs of our own: mount --move refuses mounts under a shared parent.
mkdir "$work/t"
mount -t tmpfs xsd-mounts "$work/t" && mount --make-private "$work/t"
t=$work/t
mkdir -p "$t/a/mnt" "$t/b/mnt" "$t/c/mnt"
for i in A B; do truncate -s 300M "$work/img$i"; mkfs.xfs -q -f "$work/img$i"; done
uuidA=$(blkid -o value -s UUID "$work/imgA") uuidB=$(blkid -o value -s UUID "$work/imgB")

# Only our own mount points: other programs may mount XFS on this host meanwhile.
cat >"$work/d.conf" <<EOC
[daemon]
state_dir = $work/state
runtime_dir = $work/run
[events]
poll_interval = 1h
[scan]
interval = 0
[filesystems]
include = $t/a/mnt $t/b/mnt $t/c/mnt $t/a.old/mnt
EOC
"$d" -c "$work/d.conf" -s >"$work/log" 2>&1 &
pid=$!
sock=$work/run/control
for i in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { t_fail "daemon up" "$(cat "$work/log")"; t_done; }

ms() { echo $(( $(date +%s%N) / 1000000 )); }
status() { "$ctl" -s "$sock" --json; }
# uuid_at MOUNTPOINT: the UUID the daemon lists there, or nothing.
uuid_at() {
	status | python3 -c 'import json,sys
for f in json.load(sys.stdin):
    if f["mountpoint"] == sys.argv[1]: print(f["uuid"])' "$1"
}
# wait_for COND...: poll every 10 ms for up to 5 s; prints the milliseconds waited.
wait_for() {
	local t0; t0=$(ms)
	while ! "$@"; do
		[ $(( $(ms) - t0 )) -gt 5000 ] && { echo -1; return 1; }
		sleep 0.01
	done
	echo $(( $(ms) - t0 ))
}
listed() { [ "$(uuid_at "$1")" = "$2" ]; }
unlisted() { [ -z "$(uuid_at "$1")" ]; }

# ---- which trigger ----
kv=$(uname -r | sed 's/^\([0-9]*\)\.\([0-9]*\).*/\1 \2/')
set -- $kv
if [ "$1" -gt 6 ] || { [ "$1" -eq 6 ] && [ "$2" -ge 15 ]; }; then
	grep -q 'mount table watched through fanotify mount events (attach, detach, move) and /proc/self/mountinfo (remounts)' "$work/log" &&
		t_ok "Linux $(uname -r): mount table watched through fanotify mount events (logged once)" ||
		t_fail "fanotify watch" "$(head -3 "$work/log")"
else
	grep -q 'mount table watched through /proc/self/mountinfo (no fanotify mount events: kernel before 6.15)' "$work/log" &&
		t_ok "Linux $(uname -r): no fanotify mount events; mountinfo named as the trigger" ||
		t_fail "mountinfo watch" "$(head -3 "$work/log")"
fi
[ "$(grep -c 'mount table watched through' "$work/log")" -eq 1 ] && t_ok "the trigger is logged once" ||
	t_fail "logged once" "$(grep 'mount table watched' "$work/log")"

# ---- a mount and an unmount, timed ----
mount -o loop "$work/imgA" "$t/a/mnt"
waited=$(wait_for listed "$t/a/mnt" "$uuidA")
[ "$waited" -ge 0 ] && [ "$waited" -lt 1000 ] && t_ok "mount discovered in $waited ms (< 1 s), uuid $uuidA" ||
	t_fail "mount discovered" "waited $waited ms: $(status)"
grep -q "$t/a/mnt: watching .*(uuid $uuidA, .*seen through a fanotify mount event" "$work/log" &&
	t_ok "the watching record says a fanotify mount event found it" ||
	t_fail "fanotify named" "$(grep "$t/a/mnt: watching" "$work/log")"
umount "$t/a/mnt"
waited=$(wait_for unlisted "$t/a/mnt")
[ "$waited" -ge 0 ] && [ "$waited" -lt 1000 ] && t_ok "unmount noticed in $waited ms (< 1 s)" ||
	t_fail "unmount noticed" "waited $waited ms: $(status)"
grep -q "$t/a/mnt: stopped watching: unmounted; seen through a fanotify mount event" "$work/log" &&
	t_ok "unwatched record: unmounted, seen through fanotify" ||
	t_fail "unwatched record" "$(grep "$t/a/mnt: stopped" "$work/log")"

# ---- another filesystem at the same place ----
mount -o loop "$work/imgB" "$t/a/mnt"
waited=$(wait_for listed "$t/a/mnt" "$uuidB")
[ "$waited" -ge 0 ] && t_ok "B mounted where A was: listed with B's uuid ($waited ms)" ||
	t_fail "B at A's place" "$(status)"
out=$("$ctl" -s "$sock" start "$t/a/mnt" 2>&1)
for i in $(seq 1 50); do [ -e "$work/state/$uuidB.state" ] && break; sleep 0.1; done
[ -e "$work/state/$uuidB.state" ] && [ ! -e "$work/state/$uuidA.state" ] &&
	t_ok "a scan of $t/a/mnt is B's (B's checkpoint written, none for A)" ||
	t_fail "scan goes to B" "$out; $(ls "$work/state")"
umount "$t/a/mnt"
wait_for unlisted "$t/a/mnt" >/dev/null

# Swap while the daemon is stopped: one resync sees A gone and B there.
# The loop device is usually reused, so device and mount id can be the same.
mount -o loop "$work/imgA" "$t/a/mnt"
wait_for listed "$t/a/mnt" "$uuidA" >/dev/null
devA=$(stat -c %d "$t/a/mnt")
kill -STOP "$pid"
umount "$t/a/mnt"
mount -o loop "$work/imgB" "$t/a/mnt"
devB=$(stat -c %d "$t/a/mnt")
kill -CONT "$pid"
waited=$(wait_for listed "$t/a/mnt" "$uuidB")
same=$([ "$devA" = "$devB" ] && echo "same device $devA" || echo "devices $devA, $devB")
[ "$waited" -ge 0 ] && t_ok "swapped A for B in one resync ($same): B's uuid listed after $waited ms" ||
	t_fail "swap in one resync" "$same: $(status)"
if [ "$devA" = "$devB" ]; then
	grep -q "$t/a/mnt: stopped watching: another filesystem is mounted there now (UUID differs); seen through a fanotify mount event" "$work/log" &&
		t_ok "same device: the identity check named the UUID" ||
		t_fail "identity named" "$(grep "$t/a/mnt: stopped" "$work/log" | tail -2)"
fi

# ---- mount --move ----
mount --move "$t/a/mnt" "$t/b/mnt"
waited=$(wait_for listed "$t/b/mnt" "$uuidB")
[ "$waited" -ge 0 ] && unlisted "$t/a/mnt" &&
	grep -q "$t/a/mnt: stopped watching: moved to $t/b/mnt; seen through a fanotify mount event" "$work/log" &&
	t_ok "mount --move: watched at the new place ($waited ms), record says moved" ||
	t_fail "move" "$(status); $(grep 'stopped' "$work/log" | tail -2)"

# ---- a rename above the mount points: no mount event at all ----
mount -o loop "$work/imgA" "$t/c/mnt"
wait_for listed "$t/c/mnt" "$uuidA" >/dev/null
# b/mnt holds B, c/mnt holds A; swap the parent directories' names.
mv "$t/c" "$t/x" && mv "$t/b" "$t/c" && mv "$t/x" "$t/b"
sleep 0.5
[ "$(uuid_at "$t/c/mnt")" = "$uuidA" ] &&
	t_ok "after renames the daemon still lists A at $t/c/mnt (no event told it)" ||
	t_fail "renames unseen" "$(status)"
"$ctl" -s "$sock" start "$t/c/mnt" >/dev/null 2>&1
waited=$(wait_for listed "$t/c/mnt" "$uuidB")
grep -q "$t/c/mnt: refusing to work: the filesystem now at the mount point is not the one discovered (device differs); re-reading the mount table" "$work/log" &&
	t_ok "the job found B where A was discovered: refused with ESTALE, record says why" ||
	t_fail "refused" "$(grep "$t/c/mnt" "$work/log" | tail -4)"
[ "$waited" -ge 0 ] && [ "$(uuid_at "$t/b/mnt")" = "$uuidA" ] &&
	t_ok "resync after the refusal: A at $t/b/mnt, B at $t/c/mnt ($waited ms)" ||
	t_fail "resync after refusal" "$(status)"
[ ! -e "$work/state/$uuidA.state" ] && t_ok "nothing was done to A for the refused job" ||
	t_fail "A untouched" "$(cat "$work/state/$uuidA.state" 2>&1 | head -3)"

# ---- another filesystem mounted over a watched one ----
# A is at b/mnt, B at c/mnt.  Bind B over A: A stays in the table, but its
# path now leads to B (listed once, at its first place).
mount --bind "$t/c/mnt" "$t/b/mnt"
waited=$(wait_for unlisted "$t/b/mnt")
mkdir -p "$t/tmp" && mount -t tmpfs xsd-other "$t/tmp" && umount "$t/tmp"	# more resyncs
sleep 0.3
[ "$waited" -ge 0 ] && grep -q "$t/b/mnt: stopped watching: another filesystem is mounted there now (device differs)" "$work/log" &&
	[ "$(grep -c "$t/b/mnt: not watched: another filesystem is mounted over it" "$work/log")" -eq 1 ] &&
	[ "$(uuid_at "$t/c/mnt")" = "$uuidB" ] &&
	t_ok "B bound over A: A dropped ($waited ms), 'not watched: mounted over' said once over 3 resyncs" ||
	t_fail "overmount" "$(status); $(grep "$t/b/mnt" "$work/log" | tail -4)"
umount "$t/b/mnt"
waited=$(wait_for listed "$t/b/mnt" "$uuidA")
[ "$waited" -ge 0 ] && t_ok "the bind unmounted: A watched again at $t/b/mnt ($waited ms)" ||
	t_fail "A uncovered" "$(status)"

# ---- fallback: without CAP_SYS_ADMIN fanotify_init fails with EPERM ----
sed "s|$work/run|$work/run2|; s|$work/state|$work/state2|" "$work/d.conf" >"$work/d2.conf"
setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin "$d" -c "$work/d2.conf" -s >"$work/log2" 2>&1 &
pid2=$!
for i in $(seq 1 100); do [ -S "$work/run2/control" ] && break; sleep 0.1; done
grep -q 'mount table watched through /proc/self/mountinfo (no fanotify mount events: Operation not permitted)' "$work/log2" &&
	t_ok "no CAP_SYS_ADMIN: falls back to mountinfo, and says why" || t_fail "fallback named" "$(head -3 "$work/log2")"
umount "$t/b/mnt"
for i in $(seq 1 100); do grep -q "$t/b/mnt: stopped watching: unmounted" "$work/log2" && break; sleep 0.01; done
grep -q "$t/b/mnt: stopped watching: unmounted$" "$work/log2" &&
	t_ok "fallback: unmount noticed through mountinfo alone" || t_fail "fallback unmount" "$(tail -3 "$work/log2")"
kill "$pid2"; wait "$pid2"; rc=$?; pid2=
[ $rc -eq 0 ] && ! grep -q 'ERROR: \|LeakSanitizer' "$work/log2" && t_ok "fallback daemon: clean exit" ||
	t_fail "fallback exit" "rc $rc: $(grep -A5 ERROR "$work/log2" | head)"

# ---- shutdown ----
kill "$pid"; wait "$pid"; rc=$?; pid=
[ $rc -eq 0 ] && ! grep -q 'ERROR: \|LeakSanitizer' "$work/log" && t_ok "SIGTERM: exit 0, no sanitizer reports" ||
	t_fail "shutdown" "rc $rc: $(grep -A5 'ERROR' "$work/log" | head -8)"
t_done
