#!/bin/bash
# xst-vm: --systemd --disk 1G --timeout 900
# xfs_scrub hands its job to a running xfs_scrubd (issue 5, item 3): with
# the daemon under systemd and a damaged directory, `xfs_scrub -n` and
# `xfs_scrub` run in the daemon (its scan records and its kernel call
# counter say so, and this process makes none of those calls), print the
# findings and repairs as xfs_scrub does and exit with upstream's bits;
# -C gets progress lines; a scan already running is followed; ^C cancels
# the daemon's scan; the daemon stopping mid-way is an operational error;
# -o nodaemon, XFS_SCRUB_NO_DAEMON=1 and a stopped daemon run locally.
set -u
. /project/tests/lib/tap.sh
. /project/tests/vm/lib/scrubd-install.sh
B=$XST_BUILD
CTL=$B/daemon/xfs_scrubctl
SCRUB=$B/scrub/xfs_scrub
A=/dev/vda MA=/mnt/a

jcount_once() { jfind "$@" | wc -l; }
jcount() { jsteady jcount_once "$@"; }
# lastmsg ID [FIELD=VALUE...]: the MESSAGE of the newest such record
lastmsg() { jfind "$@" | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read() or "{}").get("MESSAGE", ""))'; }
field() { sed -n "s/.*\"$1\" *: *\"\{0,1\}\([^\",}]*\).*/\1/p" | head -1; }
# The daemon's kernel scrub calls so far: it grows only when the daemon scrubs.
# asked_after CURSOR / started_after CURSOR: scan requests that came over
# D-Bus (xfs_scrub's hand-overs, xfs_scrubctl) and scans started, since jmark.
asked_after() { jfind_after "$1" $ID_CONTROL XFS_MOUNTPOINT=$MA XFS_OUTCOME=requested | grep -c 'over D-Bus'; }
started_after() { jfind_after "$1" $ID_STARTED XFS_MOUNTPOINT=$MA | wc -l; }
calls() { busctl get-property org.xfs.Scrubd1 /org/xfs/Scrubd1 org.xfs.Scrubd1.Manager ScrubCalls 2>/dev/null | awk '{print $2}'; }
wait_idle() {
	local i
	for i in $(seq 1 $(( $1 * 2 ))); do
		case "$($CTL --json | field state)" in (idle) return 0 ;; esac
		sleep 0.5
	done
	return 1
}
# run NAME ARGS...: xfs_scrub with stdout, stderr and status kept apart
run() {
	local name=$1; shift
	timeout 300 "$SCRUB" "$@" >/tmp/$name.out 2>/tmp/$name.err
	echo $? >/tmp/$name.rc
	echo "# xfs_scrub $*: exit $(cat /tmp/$name.rc)"
	sed 's/^/#   out: /' /tmp/$name.out | head -20
	sed 's/^/#   err: /' /tmp/$name.err | head -20
}
rc() { cat /tmp/$1.rc; }
# (A health event during the scan may report an object once more: compare sets.)
corruptions() { grep -h '^Corruption: ' /tmp/$1.out /tmp/$1.err | sort -u; }

# ---- the daemon's units (tests/vm/lib/scrubd-install.sh) and configuration ----
xsd_wait_boot
# Scheduled scans off: every scan here is one the test asked for.
# Repairs never on its own: a repair here can only be the one xfs_scrub asks
# for (and the damage stays while the checks before it run).
# A throttled scan (-b, or the one followed) lasts some seconds, not minutes.
# The local runs make the kernel report the damaged directory again and
# again; that must not start scans of the daemon's own in between.
xsd_install <<'EOF'
[scan]
interval = 0
media_interval = 0
cpu_budget = 10
checkpoint_interval = 2s
io_pressure_max = 100
[events]
escalate_events = 1000
[repair]
mode = never
EOF

# ---- a filesystem with a damaged directory block ----
mkfs.xfs -q -f $A
mkdir -p $MA && mount $A $MA
mkdir $MA/d $MA/big
for i in $(seq 1 300); do : >"$MA/d/entry_with_a_longish_name_$i"; done
# Enough inodes for a scan that lasts some seconds under TCG.
for i in $(seq 1 40); do mkdir $MA/big/$i; for j in $(seq 1 50); do echo x >$MA/big/$i/$j; done; done
xfs_io -f -c 'pwrite -S 0x5a 0 4m' -c fsync $MA/data >/dev/null
dino=$(stat -c %i $MA/d)
umount $MA
xfs_db -x -c "inode $dino" -c "dblock 0" -c "write -d dhdr.hdr.magic 0" $A >/tmp/db 2>&1
grep -q 'magic = 0' /tmp/db && t_ok "set-up: directory block damaged with xfs_db" ||
	t_fail "set-up: damage" "$(cat /tmp/db)"

systemctl start xfs_scrubd.service
mount $A $MA
if jwait 15 $ID_WATCH XFS_MOUNTPOINT=$MA && [ -n "$(calls)" ]; then
	t_ok "xfs_scrubd runs on the system bus and watches $MA"
else
	t_fail "daemon set-up" "$(systemctl status xfs_scrubd --no-pager 2>&1 | tail -5)"
fi

# ---- xfs_scrub -n: report only, in the daemon ----
s0=$(jcount $ID_STARTED XFS_MOUNTPOINT=$MA) c0=$(calls)
run rep -n $MA
s1=$(jcount $ID_STARTED XFS_MOUNTPOINT=$MA) c1=$(calls)
grep -q "handed over to xfs_scrubd (report, metadata)" /tmp/rep.err &&
	t_ok "-n: says the job went to xfs_scrubd: $(head -1 /tmp/rep.err)" ||
	t_fail "-n hand-over line" "$(cat /tmp/rep.err)"
# A local run would leave the daemon's counter and its scan records alone.
if [ "$s1" -eq $((s0 + 1)) ] && [ -n "$c1" ] && [ "$c1" -gt "$c0" ] &&
   jfind $ID_STARTED XFS_MOUNTPOINT=$MA | tail -1 | grep -q 'report-only mode, full speed'; then
	t_ok "-n: the scan ran in the daemon (report-only, full speed; ScrubCalls $c0 -> $c1)"
else
	t_fail "-n ran in the daemon" "started records $s0 -> $s1, ScrubCalls $c0 -> $c1"
fi
[ "$(rc rep)" -eq 1 ] && t_ok "-n on damage: exit 1" || t_fail "-n exit" "exit $(rc rep)"
grep -q "^Corruption: $MA/d directory entries: Repairs are required.$" /tmp/rep.err &&
	t_ok "-n: the finding printed as xfs_scrub prints it" ||
	t_fail "-n finding" "$(cat /tmp/rep.out /tmp/rep.err)"
grep -q "^$MA: corruptions found: [1-9]" /tmp/rep.err && grep -q "^$MA: Re-run xfs_scrub without -n.$" /tmp/rep.err &&
	t_ok "-n: upstream's summary lines" || t_fail "-n summary" "$(cat /tmp/rep.err)"
[ ! -s /tmp/rep.out ] || ! grep -qv '^Info: ' /tmp/rep.out &&
	t_ok "-n: nothing but Info lines on stdout" || t_fail "-n stdout" "$(cat /tmp/rep.out)"

# ---- -o nodaemon: the same check, locally; the same findings ----
# Locally: the daemon is not asked, starts no scan, and the run does not
# mention it.  (Neither the engine's Info lines nor the daemon's scrub-call
# counter are signs: the first depend on what earlier runs left in core,
# and the local check's findings reach the daemon as health events.)
mark=$(jmark)
run loc -n -o nodaemon $MA
na=$(asked_after "$mark") ns=$(started_after "$mark")
if [ -n "$mark" ] && [ "$na" -eq 0 ] && [ "$ns" -eq 0 ] &&
   ! grep -q 'xfs_scrubd' /tmp/loc.err && [ "$(rc loc)" -eq 1 ]; then
	t_ok "-o nodaemon: ran here (no request reached the daemon, no scan started there), exit 1"
else
	t_fail "-o nodaemon local" "cursor '${mark:0:20}', new requests $na, new scans $ns, exit $(rc loc): $(head -3 /tmp/loc.err)"
fi
if [ "$(corruptions rep)" = "$(corruptions loc)" ]; then
	t_ok "daemon and local run report the same corruptions ($(corruptions loc | wc -l) lines)"
else
	t_fail "same findings" "$(diff <(corruptions rep) <(corruptions loc) | head -10 | tr '\n' ' ')"
fi
mark=$(jmark)
XFS_SCRUB_NO_DAEMON=1 timeout 300 "$SCRUB" -n $MA >/dev/null 2>/tmp/env.err; r=$?
na=$(asked_after "$mark")
[ -n "$mark" ] && [ "$na" -eq 0 ] && ! grep -q xfs_scrubd /tmp/env.err && [ $r -eq 1 ] &&
	t_ok "XFS_SCRUB_NO_DAEMON=1: ran here, exit 1" ||
	t_fail "env opt-out" "exit $r, cursor '${mark:0:20}', new requests $na: $(grep xfs_scrubd /tmp/env.err | head -3)"

# ---- -C: progress lines from the daemon's Progress signals ----
run prog -n -C 1 $MA
n=$(grep -cE "^2 [0-9]+ 1000 $MA\$" /tmp/prog.out)
if [ "$n" -ge 2 ] && tail -1 /tmp/prog.out | grep -q "^2 1000 1000 $MA\$" &&
   [ "$(grep -E "^2 " /tmp/prog.out | awk '{print $2}' | sort -n | head -1)" -lt 1000 ]; then
	t_ok "-C 1: $n progress lines in fsck's format, rising to 1000 of 1000"
else
	t_fail "-C progress" "$n lines: $(head -5 /tmp/prog.out | tr '\n' ' ')"
fi

# ---- xfs_scrub (repair), in the daemon ----
wait_idle 60
s0=$(jcount $ID_STARTED XFS_MOUNTPOINT=$MA)
run fix $MA
s1=$(jcount $ID_STARTED XFS_MOUNTPOINT=$MA)
grep -q "handed over to xfs_scrubd (repair, metadata)" /tmp/fix.err && [ "$s1" -eq $((s0 + 1)) ] &&
	jfind $ID_STARTED XFS_MOUNTPOINT=$MA | tail -1 | grep -q '(repair mode, full speed)' &&
	t_ok "repair mode handed over: the daemon's scan repaired (not its configured report-only policy)" ||
	t_fail "repair hand-over" "started $s0 -> $s1: $(cat /tmp/fix.err)"
if grep -q "^Info: $MA/d directory entries: Attempting repair.$" /tmp/fix.out &&
   grep -q "^Repaired\( with loss\)\{0,1\}: $MA/d directory entries: " /tmp/fix.out /tmp/fix.err &&
   grep -q "^$MA: repairs made: [1-9]" /tmp/fix.out; then
	t_ok "repairs printed as xfs_scrub prints them: $(grep -h -m1 "^Repaired.*directory entries" /tmp/fix.out /tmp/fix.err | cut -c1-120)"
else
	t_fail "repair lines" "$(cat /tmp/fix.out /tmp/fix.err)"
fi
# Ground truth: all 300 names are back, so no loss may be reported, and
# the exit status is what the daemon's end-of-scan record says: 0.
fin=$(lastmsg $ID_FINISHED XFS_MOUNTPOINT=$MA)
lost=$(echo "$fin" | sed -n 's/.* \([0-9]*\) repairs with loss.*/\1/p')
n=$(ls $MA/d | wc -l)
if echo "$fin" | grep -q 'scan finished: repaired' && [ "$n" -eq 300 ] && [ "${lost:-x}" = 0 ] &&
   [ "$(rc fix)" -eq 0 ] && ! grep -q 'Repaired with loss' /tmp/fix.out /tmp/fix.err; then
	t_ok "repair: exit 0, no loss reported, $n of 300 names listed ('$fin')"
else
	t_fail "repair accounting" "exit $(rc fix), $n of 300 listed; '$fin'; $(grep -h 'lost' /tmp/fix.out /tmp/fix.err | head -2)"
fi
run after -n -o nodaemon $MA
[ "$(rc after)" -eq 0 ] && [ "$n" -eq 300 ] && t_ok "afterwards a local -n finds nothing; $n of 300 entries listed" ||
	t_fail "after repair" "local -n exit $(rc after), $n entries"

# ---- -x: metadata, then media verification, in the daemon ----
run media -x -n -C 1 $MA
fin=$(lastmsg $ID_FINISHED XFS_MOUNTPOINT=$MA)
if grep -q "handed over to xfs_scrubd (report, all)" /tmp/media.err && [ "$(rc media)" -eq 0 ] &&
   echo "$fin" | grep -q 'all scan finished: clean' && grep -qE "^6 [0-9]+ 1000 $MA\$" /tmp/media.out; then
	t_ok "-x: kind all, clean, exit 0, phase 6 progress; '$fin'"
else
	t_fail "-x" "exit $(rc media), '$fin', $(grep -c '^6 ' /tmp/media.out) phase-6 lines"
fi

# ---- a scan already running: followed to its end ----
wait_idle 60
s0=$(jcount $ID_STARTED XFS_MOUNTPOINT=$MA)
# Throttled (the daemon's own pace), so that it still runs when xfs_scrub asks.
$CTL start $MA >/dev/null
for i in $(seq 1 50); do [ "$(jcount $ID_STARTED XFS_MOUNTPOINT=$MA)" -gt "$s0" ] && break; sleep 0.2; done
run follow -n $MA
if grep -q "scanning this filesystem already; following that scan" /tmp/follow.err &&
   [ "$(rc follow)" -eq 0 ] && [ "$(jcount $ID_STARTED XFS_MOUNTPOINT=$MA)" -eq $((s0 + 1)) ] &&
   [ "$($CTL --json | field state)" = idle ]; then
	t_ok "a running scan is followed to its end (no second scan), exit 0"
else
	t_fail "follow" "exit $(rc follow), state $($CTL --json | field state): $(cat /tmp/follow.err)"
fi

# ---- ^C cancels the daemon's scan and ends xfs_scrub as the signal does ----
wait_idle 60
n0=$(jcount $ID_CONTROL XFS_MOUNTPOINT=$MA XFS_OUTCOME=cancelled)
s0=$(jcount $ID_STARTED XFS_MOUNTPOINT=$MA)
# (A background job of a script starts with SIGINT ignored; give it the default.)
env --default-signal=INT "$SCRUB" -b -n $MA >/tmp/int.out 2>/tmp/int.err &
p=$!
for i in $(seq 1 50); do [ "$(jcount $ID_STARTED XFS_MOUNTPOINT=$MA)" -gt "$s0" ] && break; sleep 0.2; done
sleep 1
kill -INT $p
wait $p; r=$?
for i in $(seq 1 25); do [ "$(jcount $ID_CONTROL XFS_MOUNTPOINT=$MA XFS_OUTCOME=cancelled)" -gt "$n0" ] && break; sleep 0.2; done
jfind $ID_STARTED XFS_MOUNTPOINT=$MA | tail -1 | grep -q 'report-only mode)' && echo "# -b: throttled scan (no 'full speed')"
if [ $r -eq 130 ] && [ "$(jcount $ID_CONTROL XFS_MOUNTPOINT=$MA XFS_OUTCOME=cancelled)" -gt "$n0" ] &&
   grep -q 'interrupted; the scan in xfs_scrubd is cancelled' /tmp/int.err && wait_idle 10; then
	t_ok "SIGINT: the daemon's scan cancelled, xfs_scrub died of the signal (status 130)"
else
	t_fail "SIGINT" "status $r, cancelled records $n0 -> $(jcount $ID_CONTROL XFS_MOUNTPOINT=$MA XFS_OUTCOME=cancelled): $(cat /tmp/int.err)"
fi

# ---- the daemon stops mid-way: an operational error, said clearly ----
s0=$(jcount $ID_STARTED XFS_MOUNTPOINT=$MA)
"$SCRUB" -b -n $MA >/tmp/stop.out 2>/tmp/stop.err &
p=$!
for i in $(seq 1 50); do [ "$(jcount $ID_STARTED XFS_MOUNTPOINT=$MA)" -gt "$s0" ] && break; sleep 0.2; done
sleep 1
systemctl stop xfs_scrubd
wait $p; r=$?
if [ $((r & 4)) -ne 0 ] && grep -q "^Error: $MA: Lost xfs_scrubd during the scan" /tmp/stop.err; then
	t_ok "daemon stopped mid-scan: exit $r (bit 4): $(grep -m1 '^Error' /tmp/stop.err)"
else
	t_fail "daemon stopped" "status $r: $(cat /tmp/stop.err)"
fi

# ---- no daemon: local, as before ----
run nod -n $MA
[ "$(rc nod)" -eq 0 ] && ! grep -q xfs_scrubd /tmp/nod.err && t_ok "daemon stopped: xfs_scrub -n runs here, exit 0" ||
	t_fail "no daemon" "exit $(rc nod): $(cat /tmp/nod.err)"

journalctl -b -u xfs_scrubd -o short-monotonic --no-pager | tail -40 | cut -c1-240 | sed 's/^/# /'
umount $MA 2>/dev/null
t_done
