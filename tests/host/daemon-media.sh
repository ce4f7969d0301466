#!/usr/bin/env bash
# Host tier for the daemon's scan kinds (issues 5 and 6): StartScan's
# options are validated (unknown kind, unknown option, wrong type: clear
# errors, the daemon keeps running); a media scan needs no online scrub, so
# it runs here on the host kernel: it reads back every written byte (the
# O_DIRECT path: this kernel has no XFS_IOC_VERIFY_MEDIA), follows the
# ScanFinished result through `xfs_scrubctl start --wait`, and checkpoints
# its kind.  A throttled media scan with its own rate cap (`--rate`) reads
# no faster than the cap and keeps the cap in its checkpoint.  Real read
# errors need device-mapper, which this host lacks; tests/vm/groups/media.sh
# shows those.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon-bins.sh"

work=$(mktemp -d /tmp/xsd-media.XXXXXX)
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; umount "$work/mnt" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir "$work/mnt"
truncate -s 300M "$work/img"
# The reverse map lets the space map name data extents (GETFSMAP).
mkfs.xfs -q -f -m rmapbt=1 "$work/img"
mount -o loop "$work/img" "$work/mnt"
xfs_io -f -c 'pwrite -S 0x5a 0 24m' -c fsync "$work/mnt/data" >/dev/null
mkdir "$work/mnt/dir"
for i in $(seq 1 50); do echo "$i" >"$work/mnt/dir/f$i"; done
sync

cat >"$work/d.conf" <<EOC
[daemon]
state_dir = $work/state
runtime_dir = $work/run
[scan]
interval = 0
cpu_budget = 30
io_budget = 40
EOC
"$d" -c "$work/d.conf" -s >"$work/log" 2>&1 &
pid=$!
sock=$work/run/control
for i in $(seq 1 100); do "$ctl" -s "$sock" --json 2>/dev/null | grep -q "\"$work/mnt\"" && break; sleep 0.1; done
"$ctl" -s "$sock" --json | grep -q "\"$work/mnt\"" && t_ok "daemon up, filesystem watched" ||
	{ t_fail "daemon up" "$(cat "$work/log")"; t_done; }

# ---- StartScan validation (the private socket has no bus driver for busctl) ----
out=$("$ctl" -s "$sock" start --kind sideways "$work/mnt" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q 'option kind: unknown value "sideways"' &&
	t_ok "unknown kind refused: $out" || t_fail "unknown kind" "rc $rc: $out"
out=$("$ctl" -s "$sock" start --mode loud "$work/mnt" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q 'option mode: unknown value "loud"' &&
	t_ok "unknown mode refused" || t_fail "unknown mode" "rc $rc: $out"
# (Raw a{sv} type errors are shown over the system bus in tests/vm/groups/daemon.sh.)
out=$("$ctl" -s "$sock" pause --kind media "$work/mnt" 2>&1); rc=$?
[ $rc -eq 2 ] && t_ok "--kind only with start (exit 2)" || t_fail "--kind with pause" "rc $rc: $out"
out=$("$ctl" -s "$sock" start --kind media --rate 100K "$work/mnt" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q 'from 256K to 16G' &&
	t_ok "--rate below one read a second refused (exit 2): $out" || t_fail "--rate 100K" "rc $rc: $out"
out=$("$ctl" -s "$sock" start --kind media --full-speed --rate 8M "$work/mnt" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q 'media_rate caps a throttled scan' &&
	t_ok "the daemon refuses a rate cap on a full-speed scan: $out" || t_fail "--rate with --full-speed" "rc $rc: $out"
kill -0 "$pid" 2>/dev/null && t_ok "daemon still running after refused calls" || t_fail "daemon alive" "$(tail -5 "$work/log")"

# ---- a media scan on a kernel without online scrub ----
out=$(timeout 120 "$ctl" -s "$sock" start --kind media --full-speed --wait "$work/mnt" 2>&1); rc=$?
echo "$out" | sed 's/^/#   /'
[ $rc -eq 0 ] && echo "$out" | grep -q 'scan finished: clean' && t_ok "media scan: clean, exit 0" ||
	t_fail "media scan" "rc $rc: $out; $(tail -5 "$work/log")"
line=$(grep -m1 'media verification:' "$work/log")
mib=$(echo "$line" | sed -n 's/.*media verification: \([0-9]*\) MiB.*/\1/p')
[ -n "$mib" ] && [ "$mib" -ge 24 ] && [ "$mib" -lt 200 ] && echo "$line" | grep -q 'through /dev/loop' &&
	t_ok "read back the written data ($mib MiB of a 300 MiB fs) with O_DIRECT from the loop device" ||
	t_fail "media plan" "$line"
fin=$(grep -m1 'media scan finished' "$work/log")
echo "$fin" | grep -q ' 0 media errors' && t_ok "finished record: $(echo "$fin" | sed 's/.*: media scan/media scan/')" ||
	t_fail "finished record" "$fin"
st=$(cat "$work/state"/*.state)
echo "$st" | grep -qx 'last_kind media' && echo "$st" | grep -q '^last_media_end [1-9]' &&
	t_ok "checkpoint file keeps the media pass (kind, end time)" || t_fail "checkpoint" "$st"

# The scan's own rate cap: 16 MiB/s over the same bytes, in the
# checkpoint and in the status (with the configured budgets) while it runs.
t0=$(date +%s%N)
timeout 120 "$ctl" -s "$sock" start --kind media --rate 16M --wait "$work/mnt" >"$work/rated" 2>&1 &
wp=$!
ck=
for i in $(seq 1 100); do
	ck=$(cat "$work/state"/*.state 2>/dev/null | grep '^media_rate ')
	[ -n "$ck" ] && break
	sleep 0.05
done
"$ctl" -s "$sock" >"$work/st.txt" 2>&1
"$ctl" -s "$sock" --json >"$work/st.json" 2>&1
wait $wp; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
want=$(( ${mib:-0} * 1000 / 16 ))
[ $rc -eq 0 ] && [ -n "$mib" ] && [ "$ms" -ge $((want * 9 / 10)) ] &&
	t_ok "--rate 16M: $mib MiB in $ms ms (at least $want ms at the cap)" ||
	t_fail "--rate 16M" "rc $rc, $ms ms for ${mib:-?} MiB: $(tail -2 "$work/rated")"
[ "$ck" = "media_rate 16777216" ] && t_ok "the checkpoint keeps the scan's cap: $ck" ||
	t_fail "rate in the checkpoint" "'$ck'"
pace=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))[0]
print(r["pace"], r["cpu_budget"], r["io_budget"], r["media_rate"])' "$work/st.json" 2>&1)
[ "$pace" = "throttled 30 40 16777216" ] &&
	t_ok "status --json during the scan: pace, budgets and cap: $pace" ||
	t_fail "pace in --json" "'$pace': $(cat "$work/st.json")"
grep -q '; throttled: cpu 30%, io 40%, media 16.0 MiB/s; last scan' "$work/st.txt" &&
	t_ok "status during the scan: $(grep -o 'throttled: [^;]*' "$work/st.txt")" ||
	t_fail "pace in status" "$(cat "$work/st.txt")"
pace=$("$ctl" -s "$sock" --json | python3 -c 'import json,sys; print(repr(json.load(sys.stdin)[0]["pace"]))')
[ "$pace" = "''" ] && t_ok "no pace once the scan ended" || t_fail "pace after the scan" "$pace"

# Listings: nothing known broken after a clean pass, no salvage records.
out=$("$ctl" -s "$sock" damage "$work/mnt"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "no known damage" ] && t_ok "damage after a clean media pass: $out" ||
	t_fail "damage listing" "rc $rc: $out"
out=$("$ctl" -s "$sock" --json salvage); rc=$?
[ $rc -eq 0 ] && [ "$out" = "[]" ] && t_ok "salvage --json: []" || t_fail "salvage listing" "rc $rc: $out"
out=$("$ctl" -s "$sock" damage /nowhere 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q 'not an XFS filesystem watched' && t_ok "damage of an unwatched path refused" ||
	t_fail "damage /nowhere" "rc $rc: $out"

# A metadata scan here fails (no scrub), and says it was a metadata scan.
out=$(timeout 60 "$ctl" -s "$sock" start --kind metadata --mode report --wait "$work/mnt" 2>&1); rc=$?
[ $rc -eq 4 ] && grep -q 'metadata scan finished: error' "$work/log" &&
	t_ok "metadata scan without kernel scrub: error, exit 4" || t_fail "metadata scan" "rc $rc: $out"

kill "$pid"; wait "$pid"; rc=$?; pid=
[ $rc -eq 0 ] && ! grep -q 'ERROR: \|LeakSanitizer\|runtime error' "$work/log" &&
	t_ok "SIGTERM: exit 0, no sanitizer reports" ||
	t_fail "shutdown" "rc $rc: $(grep -A5 'ERROR\|runtime error' "$work/log" | head -8)"
t_done
