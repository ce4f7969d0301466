#!/usr/bin/env bash
# Host tier: crash consistency of in-place atomic updates on XFS.
#
# 1. kill -9: at least 200 updates of a 1 MiB file, each updater killed at a
#    random moment; afterwards the file must be exactly the version it held
#    before or the one being written (checked by SHA-256), never a mix, and no
#    temporary file may be left behind.
# 2. Forced shutdown (XFS_IOC_GOINGDOWN through the host's xfs_io, with and
#    without log flush) while an updater loop runs, then umount + mount (log
#    recovery): the file must hold the last acknowledged version or the one
#    in flight, i.e. committed updates are durable and nothing is torn.
# Finally xfs_repair -n must find the filesystem clean.
#
# Needs root.  Knobs: ATOMIC_KILLS (default 200), ATOMIC_SHUTDOWNS (default
# 20).  Runtime with the defaults: ~30 s.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/lib/tap.sh"
upd=${XFS_UPDATE:-${XST_BUILD:-$root/build}/lib/xfs_update}
kills=${ATOMIC_KILLS:-200}
shutdowns=${ATOMIC_SHUTDOWNS:-20}
nver=8

if [ "$(id -u)" -ne 0 ]; then t_skip atomic-crash "needs root (loop mounts)"; t_done; fi
if [ ! -x "$upd" ]; then t_fail atomic-crash "no $upd: build first"; t_done; fi
if ! command -v xfs_io >/dev/null; then t_skip atomic-crash "no host xfs_io for shutdown"; t_done; fi

work=$(mktemp -d /tmp/xst-atomic-crash.XXXXXX)
mnt=$work/mnt
cleanup() {
	jobs -p | xargs -r kill -9 2>/dev/null
	wait 2>/dev/null
	mountpoint -q "$mnt" && umount "$mnt"
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$mnt"
truncate -s 512m "$work/img"
if ! (cd "$work" && "$root/tests/vm/xfs-tool.sh" mkfs.xfs -f -q img) ||
   ! mount -o loop "$work/img" "$mnt"; then
	t_fail atomic-crash "cannot make or mount a modern XFS image"
	t_done
fi

# Known versions: 1 MiB each, random, so any mix of two has an unknown hash.
declare -A version_of
for ((v = 0; v < nver; v++)); do
	head -c 1048576 /dev/urandom > "$work/v$v"
	version_of[$(sha256sum < "$work/v$v" | cut -d' ' -f1)]=$v
done
f=$mnt/data
cp "$work/v0" "$f"; sync "$f"
ino=$(stat -c %i "$f")
which_version() {	# prints the version index of FILE, or "mix"
	local h
	h=$(sha256sum < "$1" | cut -d' ' -f1)
	echo "${version_of[$h]:-mix}"
}

# ---- 1. kill -9 at random points ----------------------------------------
# The kill delay is uniform in [0, D].  D starts at 1.5x the updater's
# measured lifetime (exec, begin, 1 MiB of writes, fsync, commit, fsync: a
# few ms on a loop device) and then adapts: longer after a kill that came
# before the commit, shorter after one that came too late, so about half of
# the kills land before the commit and every phase up to it is covered.
# sleep(1) is too coarse for this; a calibrated busy loop is not.
usec() { local t=${EPOCHREALTIME/./}; echo "${t#0}"; }
t0=$(usec)
for ((i = 0; i < 10; i++)); do "$upd" -q "$f" < "$work/v0"; done
life_us=$(( ($(usec) - t0) / 10 ))
t0=$(usec)
for ((k = 0; k < 20000; k++)); do :; done
spins_per_ms=$(( 20000 * 1000 / ($(usec) - t0 + 1) + 1 ))
max_spins=$(( life_us * 3 / 2 * spins_per_ms / 1000 + 1 ))
echo "# updater lifetime ~${life_us} us; kill delay uniform in [0, $((life_us * 3 / 2))] us"
cur=0 kept_old=0 got_new=0 bad=0 finished=0
for ((i = 1; i <= kills; i++)); do
	next=$(( (cur + 1 + RANDOM % (nver - 1)) % nver ))
	"$upd" -q "$f" < "$work/v$next" &
	pid=$!
	spins=$(( (RANDOM * 32768 + RANDOM) % max_spins ))
	for ((k = 0; k < spins; k++)); do :; done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ $? -eq 0 ] && finished=$((finished + 1))
	got=$(which_version "$f")
	if [ "$got" = "$cur" ]; then
		kept_old=$((kept_old + 1))
		max_spins=$(( max_spins + max_spins / 16 + 1 ))
	elif [ "$got" = "$next" ]; then
		got_new=$((got_new + 1)); cur=$next
		max_spins=$(( max_spins - max_spins / 16 + 1 ))
	else
		bad=$((bad + 1))
		echo "# kill $i: file is version '$got', expected $cur or $next"
		[ "$got" != mix ] && cur=$got
	fi
done
echo "# final kill delay bound: $(( max_spins * 1000 / spins_per_ms )) us"
echo "# kill -9 series: $kills updates, $kept_old left the old version, $got_new the new one ($finished updaters finished before the kill), $bad other"
t_check "kill -9: $kills updates, always exactly the old or the new version" test "$bad" -eq 0
t_check "kill -9: kills landed both before and after the commit" test "$kept_old" -gt 0 -a "$got_new" -gt 0
t_check "kill -9: still the same inode" test "$(stat -c %i "$f")" = "$ino"
t_check "kill -9: no temporary files left" test "$(ls -A "$mnt")" = data

# ---- 2. forced shutdown + log recovery ------------------------------------
ack=$work/ack
echo "$cur" > "$ack"
sd_ok=0 sd_bad=0 sd_remount=0 sd_new=0
for ((r = 1; r <= shutdowns; r++)); do
	start=$(cat "$ack")
	: > "$work/done"
	# Sequential updates; each acknowledged only after xfs_update said 0.
	(
		j=$start
		while :; do
			j=$(( (j + 1) % nver ))
			"$upd" -q "$f" < "$work/v$j" 2>/dev/null || exit 0
			echo "$j" > "$ack"
			echo >> "$work/done"
		done
	) &
	loop=$!
	sleep "0.$(printf '%03d' $((20 + RANDOM % 280)))"
	if ((r % 2)); then flag=-f; else flag=; fi	# with and without log flush
	xfs_io -x -c "shutdown $flag" "$mnt" >/dev/null 2>&1
	wait "$loop"
	last=$(cat "$ack")
	inflight=$(( (last + 1) % nver ))
	umount "$mnt" 2>/dev/null
	if ! mount -o loop "$work/img" "$mnt"; then
		sd_remount=$((sd_remount + 1))
		echo "# shutdown $r: remount failed"
		break
	fi
	got=$(which_version "$f")
	if [ "$got" = "$last" ]; then
		sd_ok=$((sd_ok + 1))
	elif [ "$got" = "$inflight" ]; then
		sd_ok=$((sd_ok + 1)); sd_new=$((sd_new + 1))
		echo "$got" > "$ack"
	else
		sd_bad=$((sd_bad + 1))
		echo "# shutdown $r (${flag:-no flush}): version '$got', expected $last (acknowledged) or $inflight (in flight)"
		[ "$got" != mix ] && echo "$got" > "$ack"
	fi
	echo "# shutdown $r (${flag:-no log flush}): version $got after $(wc -l < "$work/done") acknowledged updates"
done
echo "# shutdown series: $shutdowns rounds, $sd_ok consistent ($sd_new of them the in-flight version), $sd_bad torn or lost, $sd_remount remount failures"
t_check "shutdown: filesystem recovers and mounts every time" test "$sd_remount" -eq 0
t_check "shutdown: $shutdowns rounds, always the acknowledged or the in-flight version" \
	test "$sd_bad" -eq 0 -a "$sd_ok" -eq "$shutdowns"
t_check "shutdown: still the same inode" test "$(stat -c %i "$f")" = "$ino"
t_check "shutdown: no temporary files left" test "$(ls -A "$mnt")" = data

umount "$mnt"
t_check "xfs_repair -n finds the filesystem clean" \
	sh -c "cd '$work' && '$root/tests/vm/xfs-tool.sh' xfs_repair -n img >/dev/null 2>&1"
t_done
