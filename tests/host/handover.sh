#!/usr/bin/env bash
# Host tier for xfs_scrub's hand-over to xfs_scrubd (issue 5, item 3), over
# the daemon's private socket (the host has no system bus): what is handed
# over and with which options, and what stays local (-o nodaemon,
# XFS_SCRUB_NO_DAEMON=1, -p, -k, -T, non-root, a path the daemon does not
# watch, no daemon); a scan already running is followed to its end with -C
# progress (a media scan: it needs no kernel scrub, so it runs here); ^C
# while following leaves that scan running; the daemon dying before it
# answers or during the scan is an operational error.  The host kernel has
# no online scrub, so a handed-over metadata scan ends in the daemon's
# "error", which is also what it must say.  Scrubbing itself is shown in
# tests/vm/groups/handover.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
b=${XST_BUILD_ASAN:-$here/../../build-asan}
[ -x "$b/daemon/xfs_scrubd" ] && [ -x "$b/scrub/xfs_scrub" ] || b=${XST_BUILD:-$here/../../build}
d=$b/daemon/xfs_scrubd ctl=$b/daemon/xfs_scrubctl scrub=$b/scrub/xfs_scrub
[ -x "$d" ] && [ -x "$scrub" ] || { t_fail "xfs_scrubd and xfs_scrub built" "not in $b"; t_done; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

work=$(mktemp -d /tmp/xst-handover.XXXXXX)
cleanup() {
	[ -n "${pid:-}" ] && kill -CONT "$pid" 2>/dev/null && kill "$pid" 2>/dev/null
	umount "$work/mnt" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/mnt"
truncate -s 400M "$work/img"
mkfs.xfs -q -f -m rmapbt=1 "$work/img"
mount -o loop "$work/img" "$work/mnt"
mnt=$work/mnt
mkdir "$mnt/sub"
xfs_io -f -c 'pwrite -S 0x5a 0 160m' -c fsync "$mnt/data" >/dev/null
sync

# A slow media scan to follow: the CPU budget makes it rest 99 times as
# long as it reads.
cat >"$work/d.conf" <<EOC
[daemon]
state_dir = $work/state
runtime_dir = $work/run
[scan]
interval = 0
media_interval = 0
cpu_budget = 1
EOC
export XFS_SCRUBD_SOCKET=$work/run/control
start_daemon() {
	"$d" -c "$work/d.conf" -s >>"$work/log" 2>&1 &
	pid=$!
	for i in $(seq 1 100); do "$ctl" -s "$XFS_SCRUBD_SOCKET" --json 2>/dev/null | grep -q "\"$mnt\"" && return 0; sleep 0.1; done
	return 1
}
start_daemon && t_ok "daemon up on its socket, $mnt watched" || { t_fail "daemon up" "$(cat "$work/log")"; t_done; }

# run NAME ARGS...: xfs_scrub's stdout, stderr and status, and what the daemon logged meanwhile
run() {
	local name=$1 n; shift
	n=$(wc -l <"$work/log")
	"$scrub" "$@" >"$work/$name.out" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
	sleep 0.3
	tail -n +$((n + 1)) "$work/log" >"$work/$name.log"
}
rc() { cat "$work/$1.rc"; }
requested() { grep -c 'scan requested (requested over D-Bus' "$work/$1.log"; }
show() { echo "# $1: exit $(rc "$1"); $(cat "$work/$1.out" "$work/$1.err" | head -6 | tr '\n' '|')"; }
local_run() { grep -q "Kernel metadata scrubbing facility is not available" "$work/$1.err" && ! grep -q xfs_scrubd "$work/$1.err"; }

# ---- handed over, with the options the command line asks for ----
run rep -n "$mnt"; show rep
if grep -q "^xfs_scrub: $mnt: handed over to xfs_scrubd (report, metadata)" "$work/rep.err" &&
   grep -q "metadata scan requested (requested over D-Bus, report only, full speed)" "$work/rep.log" &&
   ! grep -q 'scrubbing facility is not available' "$work/rep.err"; then
	t_ok "-n: handed over as a report-only metadata scan at full speed"
else
	t_fail "-n hand-over" "$(cat "$work/rep.err" "$work/rep.log")"
fi
[ "$(rc rep)" -eq 4 ] && grep -q "^Error: $mnt: The scan in xfs_scrubd ended in an error" "$work/rep.err" &&
	grep -q "^$mnt: operational errors found: 1" "$work/rep.err" &&
	t_ok "the daemon's scan failed (no kernel scrub here): error line, exit 4" || t_fail "error result" "exit $(rc rep)"
[ ! -s "$work/rep.out" ] && t_ok "-n: stdout stays empty, as upstream's would" || t_fail "stdout" "$(cat "$work/rep.out")"
run fix "$mnt"
grep -q "handed over to xfs_scrubd (repair, metadata)" "$work/fix.err" &&
	grep -q "metadata scan requested (requested over D-Bus, repair, full speed)" "$work/fix.log" &&
	t_ok "no -n: handed over as a repair" || t_fail "repair hand-over" "$(cat "$work/fix.err" "$work/fix.log")"
run bx -b -x "$mnt"
grep -q "handed over to xfs_scrubd (repair, all, throttled)" "$work/bx.err" &&
	grep -q "all scan requested (requested over D-Bus, repair)$" "$work/bx.log" &&
	t_ok "-b -x: metadata and media, throttled" || t_fail "-b -x" "$(cat "$work/bx.err" "$work/bx.log")"

# ---- kept local ----
for c in "nodaemon:-n -o nodaemon" "preen:-p" "notrim:-n -k" "timing:-n -T"; do
	name=${c%%:*} args=${c#*:}
	# shellcheck disable=SC2086
	run "$name" $args "$mnt"
	local_run "$name" && [ "$(requested "$name")" -eq 0 ] && [ "$(rc "$name")" -eq 4 ] &&
		t_ok "xfs_scrub $args: runs here (the kernel's answer, exit 4), the daemon is not asked" ||
		t_fail "$args local" "exit $(rc "$name"): $(cat "$work/$name.err" "$work/$name.log")"
done
n=$(wc -l <"$work/log")
XFS_SCRUB_NO_DAEMON=1 "$scrub" -n "$mnt" >"$work/env.out" 2>"$work/env.err"; r=$?
echo $r >"$work/env.rc"; sleep 0.3; tail -n +$((n + 1)) "$work/log" >"$work/env.log"
local_run env && [ "$(requested env)" -eq 0 ] && t_ok "XFS_SCRUB_NO_DAEMON=1: runs here" ||
	t_fail "env opt-out" "exit $r: $(cat "$work/env.err")"
run sub -n "$mnt/sub"
[ "$(rc sub)" -eq 8 ] && grep -q "Not an XFS mount point" "$work/sub.err" && ! grep -q xfs_scrubd "$work/sub.err" &&
	t_ok "a directory inside the mount: the daemon says not watched, the local run says not a mount point (exit 8)" ||
	t_fail "not watched" "exit $(rc sub): $(cat "$work/sub.err")"
# Not root: the daemon would refuse; the local run says what upstream's says.
chmod 755 "$work" "$work/run"; chmod 666 "$XFS_SCRUBD_SOCKET"
n=$(wc -l <"$work/log")
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$scrub" -n "$mnt" 2>&1); r=$?
sleep 0.3
[ $((r & 4)) -ne 0 ] && ! echo "$out" | grep -q xfs_scrubd && [ -z "$(tail -n +$((n + 1)) "$work/log" | grep 'requested')" ] &&
	t_ok "not root: runs here (exit $r), the daemon is not asked" || t_fail "non-root" "exit $r: $out"
chmod 600 "$XFS_SCRUBD_SOCKET"

# ---- a scan already running is followed, with progress ----
"$ctl" -s "$XFS_SCRUBD_SOCKET" start --kind media "$mnt" >/dev/null
sleep 0.5
run follow -n -v -C 1 "$mnt"; show follow
lines=$(grep -cE "^6 [0-9]+ 1000 $mnt\$" "$work/follow.out")
if grep -q "xfs_scrubd is scanning this filesystem already; following that scan" "$work/follow.err" &&
   [ "$(rc follow)" -eq 0 ] && [ "$(requested follow)" -eq 0 ] &&
   grep -q "media scan finished: clean" "$work/follow.log" &&
   grep -q "^$mnt: xfs_scrubd's media scan: clean" "$work/follow.out"; then
	t_ok "a running media scan followed to its clean end: exit 0, no second scan"
else
	t_fail "follow" "exit $(rc follow): $(cat "$work/follow.err" "$work/follow.log")"
fi
low=$(grep -E "^6 [0-9]+ 1000 $mnt\$" "$work/follow.out" | awk '{print $2}' | sort -n | head -1)
if [ "$lines" -ge 2 ] && grep -q "^6 1000 1000 $mnt\$" "$work/follow.out" && [ "${low:-1000}" -lt 1000 ]; then
	t_ok "-C 1: $lines lines of phase 6 (media) progress, from $low up to 1000 of 1000"
else
	t_fail "-C progress" "$(head -5 "$work/follow.out" | tr '\n' '|')"
fi

# ---- ^C while following: that scan goes on ----
"$ctl" -s "$XFS_SCRUBD_SOCKET" start --kind media "$mnt" >/dev/null
sleep 0.5
env --default-signal=INT "$scrub" -n "$mnt" >"$work/int.out" 2>"$work/int.err" &
p=$!
sleep 1
kill -INT $p; wait $p; r=$?
st=$("$ctl" -s "$XFS_SCRUBD_SOCKET" --json | python3 -c 'import json,sys; print({f["mountpoint"]: f["state"] for f in json.load(sys.stdin)}.get(sys.argv[1]))' "$mnt")
[ $r -eq 130 ] && [ "$st" = scanning ] && grep -q "interrupted; the scan in xfs_scrubd (not started here) goes on" "$work/int.err" &&
	t_ok "SIGINT while following: xfs_scrub dies of it (130), the daemon's scan goes on" ||
	t_fail "SIGINT following" "status $r, state $st: $(cat "$work/int.err")"

# ---- the daemon dies during the scan ----
"$scrub" -n "$mnt" >"$work/lost.out" 2>"$work/lost.err" &
p=$!
sleep 1
kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=
wait $p; r=$?
[ $r -eq 4 ] && grep -q "^Error: $mnt: Lost xfs_scrubd during the scan: the connection to it closed" "$work/lost.err" &&
	t_ok "daemon killed while followed: exit 4, '$(grep -m1 '^Error' "$work/lost.err")'" ||
	t_fail "daemon lost" "status $r: $(cat "$work/lost.err")"

# ---- the daemon hangs, then dies, before it answers ----
start_daemon || t_fail "daemon restart" "$(tail -3 "$work/log")"
"$ctl" -s "$XFS_SCRUBD_SOCKET" cancel "$mnt" >/dev/null 2>&1
kill -STOP "$pid"
"$scrub" -n "$mnt" >"$work/hang.out" 2>"$work/hang.err" &
p=$!
sleep 1
kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=
wait $p; r=$?
[ $r -eq 4 ] && grep -q "^Error: $mnt: No answer from xfs_scrubd: .*whether it started the scan is not known" "$work/hang.err" &&
	t_ok "daemon gone before answering: exit 4, says the scan may or may not have started" ||
	t_fail "no answer" "status $r: $(cat "$work/hang.err")"

# ---- no daemon (a stale socket file): local, as without one ----
run none -n "$mnt"
local_run none && [ "$(rc none)" -eq "$(rc nodaemon)" ] && t_ok "no daemon behind the socket: runs here, exit $(rc none)" ||
	t_fail "no daemon" "exit $(rc none): $(cat "$work/none.err")"
if grep -q 'ERROR: \|LeakSanitizer\|runtime error' "$work"/*.err "$work/log"; then
	t_fail "sanitizers" "$(grep -l 'ERROR: \|LeakSanitizer\|runtime error' "$work"/*.err "$work/log")"
else
	t_ok "no sanitizer reports from xfs_scrub or the daemon"
fi
t_done
