#!/usr/bin/env bash
# Host tier for xfs_scrubd (issue 5): what works without online scrub or a
# health monitor (the host kernel has neither).  The daemon under ASan when
# built: strict configuration errors with file and line, mount discovery
# through mountinfo changes (mount, unmount, mount again), the polling
# fallback named as such, the control socket with xfs_scrubctl --json,
# refused arguments and an unprivileged caller, the scan request reaching
# the engine (which says the kernel cannot scrub), the metrics textfile,
# clean exit on SIGTERM without leaks.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon-bins.sh"

work=$(mktemp -d /tmp/xsd-host.XXXXXX)
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; umount "$work/mnt" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir "$work/mnt"
truncate -s 300M "$work/img"
mkfs.xfs -q -f "$work/img"

# ---- configuration errors ----
printf '[scan]\ncpu_budget = 20\n\n[daemon]\nstate_dir = relative/path\n' >"$work/bad.conf"
out=$("$d" -c "$work/bad.conf" -t 2>&1); rc=$?
[ $rc -eq 6 ] && echo "$out" | grep -q "bad.conf:5: \[daemon\] state_dir: expected an absolute path" &&
	t_ok "bad config: exit 6 with file, line, key and reason" || t_fail "bad config" "rc $rc: $out"
printf '[scan]\ncpu_budget = 20\nwindow = 01:00-05:00\n' >"$work/ok.conf"
out=$("$d" -c "$work/ok.conf" -t 2>&1) && t_ok "good config accepted: $out" || t_fail "good config" "$out"
out=$("$d" -c "$work/missing.conf" 2>&1); rc=$?
[ $rc -eq 6 ] && echo "$out" | grep -q 'No such file' && t_ok "explicit missing config: exit 6" ||
	t_fail "missing config" "rc $rc: $out"

cat >"$work/d.conf" <<EOC
[daemon]
state_dir = $work/state
runtime_dir = $work/run
metrics_file = $work/metrics.prom
[events]
poll_interval = 2s
[scan]
interval = 0
EOC
"$d" -c "$work/d.conf" -s >"$work/log" 2>&1 &
pid=$!
sock=$work/run/control
for i in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] && [ "$(stat -c %a "$sock")" = 600 ] && t_ok "control socket up, mode 0600" ||
	t_fail "control socket" "$(cat "$work/log")"

# ---- mount discovery ----
mount -o loop "$work/img" "$work/mnt"
for i in $(seq 1 50); do "$ctl" -s "$sock" --json | grep -q "\"$work/mnt\"" && break; sleep 0.1; done
js=$("$ctl" -s "$sock" --json)
echo "$js" | grep -q '"events_from": "polling (kernel has no health monitor)"' &&
	t_ok "mount discovered; polling because the kernel has no monitor" || t_fail "discovery" "$js"
python3 -c 'import json,sys; json.loads(sys.argv[1])' "$js" 2>/dev/null && t_ok "--json output parses" ||
	t_fail "--json parses" "$js"
umount "$work/mnt"
for i in $(seq 1 50); do "$ctl" -s "$sock" --json | grep -q "\"$work/mnt\"" || break; sleep 0.1; done
! "$ctl" -s "$sock" --json | grep -q "\"$work/mnt\"" && t_ok "unmount noticed" || t_fail "unmount" "still listed"
mount -o loop "$work/img" "$work/mnt"
for i in $(seq 1 50); do "$ctl" -s "$sock" --json | grep -q "\"$work/mnt\"" && break; sleep 0.1; done
"$ctl" -s "$sock" --json | grep -q "\"$work/mnt\"" && t_ok "mounted again: watched again" || t_fail "remount" "not listed"

# ---- control ----
out=$("$ctl" -s "$sock" --json start "$work/mnt"); rc=$?
[ $rc -eq 0 ] && [ "$out" = '{"ok": true, "filesystems": 1}' ] && t_ok "start over the socket: $out" ||
	t_fail "start" "rc $rc: $out"
for i in $(seq 1 50); do grep -q 'scrubbing facility is not available' "$work/log" && break; sleep 0.1; done
grep -q "$work/mnt: Kernel metadata scrubbing facility is not available" "$work/log" &&
	t_ok "the scan reached the engine, which says the kernel cannot scrub" || t_fail "engine message" "$(tail -3 "$work/log")"
out=$(timeout 20 "$ctl" -s "$sock" start --wait "$work/mnt" 2>&1); rc=$?
[ $rc -eq 4 ] && echo "$out" | grep -q 'scan finished: error' && t_ok "start --wait follows the scan: exit 4, '$(echo "$out" | tail -1)'" ||
	t_fail "start --wait" "rc $rc: $out"
out=$("$ctl" -s "$sock" pause relative 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q 'expected an absolute mount point' && t_ok "relative path refused" ||
	t_fail "relative path" "rc $rc: $out"
out=$("$ctl" -s "$sock" cancel /nowhere 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q 'not an XFS filesystem watched' && t_ok "unknown mount refused" ||
	t_fail "unknown mount" "rc $rc: $out"
out=$("$ctl" -s "$sock" bogus 2>&1); rc=$?
[ $rc -eq 2 ] && t_ok "unknown command: usage, exit 2" || t_fail "usage" "rc $rc"
# The socket is root's; open it up to show the daemon's own uid check.
chmod 755 "$work/run" "$work" && chmod 666 "$sock"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" -s "$sock" pause --all 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q 'only root' && t_ok "unprivileged caller refused by the daemon" ||
	t_fail "unprivileged" "rc $rc: $out"
chmod 600 "$sock"
out=$("$ctl" -s "$work/nosock" 2>&1); rc=$?
[ $rc -eq 3 ] && t_ok "no daemon: exit 3" || t_fail "no daemon" "rc $rc: $out"

# ---- shutdown ----
kill "$pid"; wait "$pid"; rc=$?; pid=
[ $rc -eq 0 ] && ! grep -q 'ERROR: \|LeakSanitizer' "$work/log" && t_ok "SIGTERM: exit 0, no sanitizer reports" ||
	t_fail "shutdown" "rc $rc: $(grep -A5 'ERROR' "$work/log" | head -8)"
grep -q "^xfs_scrubd_state{mountpoint=\"$work/mnt\"" "$work/metrics.prom" && t_ok "metrics written at exit" ||
	t_fail "metrics" "$(head -3 "$work/metrics.prom" 2>&1)"
t_done
