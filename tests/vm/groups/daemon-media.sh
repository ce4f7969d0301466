#!/bin/bash
# xst-vm: --systemd --disk 1G --timeout 600
# The daemon's media scan kind (issue 6, under systemd as PID 1): a
# filesystem on a device-mapper device with error segments under two files'
# blocks and a log block.  `xfs_scrubctl start --kind media --wait` runs
# the scan in xfs_scrubd and exits 1; each unreadable range is one journal
# record with its MESSAGE_ID and the fields that name the file, its offset
# and the disk bytes (or the metadata owner).  A throttled media scan is
# killed with SIGKILL mid-way; systemd restarts the daemon, the scan
# resumes from its (device, byte) checkpoint and, across both runs, every
# bad range is reported and nothing else.  Then the budgets of a throttled
# scan, on a device that delays every read: waiting for the disk is charged
# to io_budget, not to cpu_budget, and media_rate caps the bytes read per
# second.
set -u
. /project/tests/lib/tap.sh
. /project/tests/vm/lib/blocks.sh
. /project/tests/vm/lib/scrubd-install.sh
B=$XST_BUILD
CTL=$B/daemon/xfs_scrubctl
M=/mnt/m dm=xst-dmedia dev=/dev/mapper/xst-dmedia

xsd_wait_boot
# A slow throttled pass (5 % of a CPU and of the time waiting for the disk)
# that the test can kill mid-way.
xsd_install <<'EOF'
[scan]
interval = 0
cpu_budget = 5
io_budget = 5
checkpoint_interval = 1s
io_pressure_max = 100
EOF

modprobe dm-mod 2>/dev/null
sz=$(blockdev --getsz /dev/vda)
echo "0 $sz linear /dev/vda 0" | dmsetup create --noudevsync $dm && dmsetup mknodes
mkdir -p $M
if ! mkfs.xfs -q -f -K $dev || ! mount $dev $M; then
	t_fail "dm device, mkfs and mount" "cannot prepare $dev"
	t_done
fi
mkdir -p $M/a/b
xfs_io -f -c 'pwrite -S 0x61 0 4m' -c fsync $M/a/b/one >/dev/null
xfs_io -f -c 'pwrite -S 0x62 0 2m' -c fsync $M/two >/dev/null
xfs_io -f -c 'pwrite -S 0x63 0 8m' -c fsync $M/fine >/dev/null
sync
s1=$(sector $M/a/b/one $((2 * 1024 * 1024)))
s2=$(sector $M/two 8192)
sl=$(xfs_io -c 'fsmap -d' $M | awk "/journalling log/ { $ext"'; print a[2] + 1 - 64; exit }')
echo "# one: sector $s1, two: sector $s2, log: sector $sl"
if [ -z "$s1" ] || [ -z "$s2" ] || [ -z "$sl" ]; then
	t_fail "locate blocks" "one=$s1 two=$s2 log=$sl"
	t_done
fi
dmsetup suspend --noudevsync $dm &&
	dm_table "$sz" /dev/vda "$s1 8 error" "$s2 16 error" "$sl 8 error" | dmsetup reload $dm &&
	dmsetup resume --noudevsync $dm
expect=$(printf '%s\n' "$M/a/b/one 2097152 4096" "$M/two 8192 8192" \
	"journalling log $((sl * 512)) 4096" | sort)
# recs [journalctl args]: "path offset length" or "owner physical length" per record.
recs() {
	journalctl -b -o json --no-pager MESSAGE_ID=$ID_MEDIA "$@" 2>/dev/null | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if "XFS_OFFSET" in r:
        print(r.get("XFS_PATH", "?"), r["XFS_OFFSET"], r["XFS_LENGTH"])
    else:
        print(r.get("XFS_OWNER", "?"), r["XFS_PHYSICAL"], r["XFS_LENGTH"])' | sort
}

systemctl start xfs_scrubd
for i in $(seq 1 50); do $CTL --json 2>/dev/null | grep -q "\"$M\"" && break; sleep 0.2; done
$CTL --json | grep -q "\"$M\"" && t_ok "xfs_scrubd watches the dm filesystem" ||
	{ t_fail "daemon watches $M" "$(journalctl -b -u xfs_scrubd -o cat | tail -5)"; t_done; }

# ---- on demand, full speed ----
t0=$(date +%s%N)
out=$(timeout 300 $CTL start --kind media --full-speed --wait $M 2>&1); rc=$?
t1=$(date +%s%N)
echo "$out" | tail -n 2 | sed 's/^/#   /'
got=$(recs)
echo "$got" | sed 's/^/#   [journal] /'
[ "$got" = "$expect" ] &&
	t_ok "media scan in the daemon: one journal record per bad range (one, two with offsets; the log block) in $(( (t1 - t0) / 1000000 )) ms" ||
	t_fail "media records" "got: $(echo "$got" | tr '\n' '|'); log: $(journalctl -b -u xfs_scrubd -o cat | tail -5 | tr '\n' '|')"
[ $rc -eq 1 ] && echo "$out" | grep -q 'scan finished: unrepaired' &&
	t_ok "start --kind media --wait: exit 1 (unreadable data left)" || t_fail "exit status" "rc $rc: $out"
rec=$(journalctl -b -o json --no-pager MESSAGE_ID=$ID_MEDIA XFS_OFFSET=8192 | head -n1)
missing=
for f in MESSAGE PRIORITY XFS_MOUNTPOINT XFS_DEVICE XFS_FSUUID XFS_AGNO XFS_INO XFS_GEN XFS_PATH \
	 XFS_MEDIA_DEVICE XFS_PHYSICAL XFS_LENGTH XFS_OFFSET XFS_OUTCOME ERRNO; do
	echo "$rec" | grep -q "\"$f\"" || missing="$missing $f"
done
[ -z "$missing" ] && echo "$rec" | grep -q '"PRIORITY" *: *"3"' &&
	t_ok "record fields: $(echo "$rec" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["MESSAGE"])')" ||
	t_fail "record fields" "missing:$missing in $rec"
journalctl -b -x --no-pager MESSAGE_ID=$ID_MEDIA 2>/dev/null | grep -q 'restore the file from a backup' &&
	t_ok "journalctl -x explains the record from the catalog" || t_fail "catalog" "no catalog text"
st=$($CTL --json | sed -n 's/.*"last_result": "\([^"]*\)".*/\1/p')
[ "$st" = unrepaired ] && t_ok "status: last result $st" || t_fail "status" "$($CTL --json)"

dmg=$($CTL --json damage $M)
echo "$dmg" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("# damage:", [(x["state"], x["path"], x["offset"]) for x in d])
assert sorted((x["state"], x["path"], x["offset"]) for x in d if x["inode"]) == \
    [("unreadable", sys.argv[1] + "/a/b/one", 2097152), ("unreadable", sys.argv[1] + "/two", 8192)], d
assert len(d) == 3, d' $M && t_ok "xfs_scrubctl damage --json lists the two files (path, offset) and the log block" ||
	t_fail "damage listing" "$dmg"

# ---- throttled, killed with SIGKILL, resumed by systemd's restart ----
mark=$(date '+%Y-%m-%d %H:%M:%S'); sleep 1
$CTL start --kind media $M >/dev/null
uuid=$($CTL --json | sed -n 's/.*"uuid": "\([^"]*\)".*/\1/p')
ck=/var/lib/xfs_scrubd/$uuid.state
pos=
for i in $(seq 1 150); do
	grep -q '^phase media' $ck 2>/dev/null && pos=$(awk '$1 == "ino" { print $2 }' $ck)
	[ -n "$pos" ] && [ "$pos" != 0 ] && break
	sleep 0.1
done
echo "# status before SIGKILL: $($CTL | tail -n +2 | tr -s ' ')"
pid=$(systemctl show -p MainPID --value xfs_scrubd)
kill -9 "$pid"
[ -n "$pos" ] && [ "$pos" != 0 ] && t_ok "throttled media scan checkpointed mid-way: device 0, byte $pos" ||
	t_fail "media checkpoint" "$(cat $ck 2>&1 | tr '\n' ' ')"
for i in $(seq 1 600); do
	journalctl -b -o cat --no-pager --since "$mark" -u xfs_scrubd | grep -q 'media scan finished' && break
	sleep 0.2
done
res=$(journalctl -b -o cat --no-pager --since "$mark" MESSAGE_ID=$ID_CONTROL | grep 'resumed from checkpoint' | tail -n1)
echo "$res" | grep -q 'media, device 0 byte [1-9]' && t_ok "restarted by systemd; ${res#*: }" ||
	t_fail "resume" "$(journalctl -b -u xfs_scrubd -o cat --since "$mark" | tail -n 6 | tr '\n' '|')"
got=$(recs --since "$mark")
[ "$(echo "$got" | sort -u)" = "$expect" ] &&
	t_ok "killed and resumed: every bad range reported once or more, nothing else ($(echo "$got" | wc -l) records; repeats only from the redone second)" ||
	t_fail "killed and resumed: findings" "got: $(echo "$got" | tr '\n' '|')"
journalctl -b -o cat --no-pager --since "$mark" -u xfs_scrubd | grep 'media scan finished' | tail -n1 | sed 's/^/# /'

# The disk is replaced (the table maps everything again): a clean media pass
# clears the list.
dmsetup suspend --noudevsync $dm && echo "0 $sz linear /dev/vda 0" | dmsetup reload $dm &&
	dmsetup resume --noudevsync $dm
out=$(timeout 300 $CTL start --kind media --full-speed --wait $M 2>&1); rc=$?
dmg=$($CTL damage $M)
[ $rc -eq 0 ] && [ "$dmg" = "no known damage" ] && t_ok "clean media pass: exit 0, $dmg" ||
	t_fail "clean pass clears damage" "rc $rc: $out; $dmg"

# ---- the budgets of a throttled scan ----
# budget_run LINE...: restart the daemon with these [scan] lines and print
# the milliseconds a throttled (not --full-speed) media scan takes.
budget_run() {
	local t0 t1 i
	systemctl stop xfs_scrubd
	printf '[scan]\ninterval = 0\ncheckpoint_interval = 1s\nio_pressure_max = 100\n' >/etc/xfs_scrubd.conf
	printf '%s\n' "$@" >>/etc/xfs_scrubd.conf
	systemctl start xfs_scrubd
	for i in $(seq 1 50); do $CTL --json 2>/dev/null | grep -q "\"$M\"" && break; sleep 0.2; done
	t0=$(date +%s%N)
	timeout 300 $CTL start --kind media --wait $M >/dev/null 2>&1 || echo "# media scan failed: $*" >&2
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}
# 20 ms on every read: the media phase's time is nearly all waiting.
modprobe dm-delay 2>/dev/null
dmsetup suspend --noudevsync $dm && echo "0 $sz delay /dev/vda 0 20" | dmsetup reload $dm &&
	dmsetup resume --noudevsync $dm || t_fail "dm-delay table" "cannot load"
mark=$(date '+%Y-%m-%d %H:%M:%S'); sleep 1
free=$(budget_run 'cpu_budget = 100' 'io_budget = 100')
mib=$(journalctl -b -o cat --no-pager --since "$mark" MESSAGE_ID=$ID_CONTROL |
	sed -n 's/^.*media verification: \([0-9]*\) MiB.*$/\1/p' | tail -n1)
cpu20=$(budget_run 'cpu_budget = 20' 'io_budget = 100')
io25=$(budget_run 'cpu_budget = 100' 'io_budget = 25')
echo "# ${mib:-?} MiB in 256 KiB reads, 20 ms each: no budget $free ms; cpu_budget 20 $cpu20 ms; io_budget 25 $io25 ms"
# A read costs the guest ~2 ms of CPU under TCG, under 20 % of the step.
# Charged as CPU (wall time, as before), 20 % meant five times as long.
[ "$cpu20" -le $((free * 3 / 2 + 1000)) ] &&
	t_ok "cpu_budget 20: a scan waiting for the disk runs at the disk's pace ($cpu20 ms against $free ms)" ||
	t_fail "cpu_budget charges waiting" "$cpu20 ms against $free ms unthrottled"
[ "$io25" -ge $((free * 5 / 2)) ] &&
	t_ok "io_budget 25: the same scan rests three times its waits ($io25 ms against $free ms)" ||
	t_fail "io_budget" "$io25 ms against $free ms unthrottled"
# A full-speed scan says so in the status.  Its reads are large, so on a
# slower table still, and paused at once so that both forms read the same
# scan; cancel ends it.
dmsetup suspend --noudevsync $dm && echo "0 $sz delay /dev/vda 0 200" | dmsetup reload $dm &&
	dmsetup resume --noudevsync $dm
$CTL start --kind media --full-speed $M >/dev/null 2>&1
$CTL pause $M >/dev/null 2>&1
# row KEY...: those keys of the first status row
row() { $CTL --json | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(*(r[k] for k in sys.argv[1:]))' "$@" 2>&1; }
for i in $(seq 1 50); do [ "$(row state)" = paused ] && break; sleep 0.1; done
fp=$(row state pace media_rate)
fl=$($CTL | sed -n 's/^ *at \(.*\); last scan.*/\1/p')
$CTL cancel $M >/dev/null 2>&1
[ "$fp" = "paused full-speed 0" ] && echo "$fl" | grep -q '; full speed$' &&
	t_ok "status of a paused --full-speed scan: pace full-speed, no cap ($fl)" ||
	t_fail "full-speed pace" "json '$fp', line '$fl'"
for i in $(seq 1 50); do [ "$(row state)" = idle ] && break; sleep 0.2; done
# The rate cap, on the plain device again: 8 MiB/s.
dmsetup suspend --noudevsync $dm && echo "0 $sz linear /dev/vda 0" | dmsetup reload $dm &&
	dmsetup resume --noudevsync $dm
free=$(budget_run 'cpu_budget = 100' 'io_budget = 100')
capped=$(budget_run 'cpu_budget = 100' 'io_budget = 100' 'media_rate = 8M')
want=$(( ${mib:-0} * 1000 / 8 ))
echo "# media_rate 8M: $capped ms for $mib MiB (at least $want ms); no cap $free ms"
[ -n "$mib" ] && [ "$capped" -ge $((want * 9 / 10)) ] && [ "$capped" -le $((want * 3 / 2 + free + 2000)) ] &&
	t_ok "media_rate 8M: $mib MiB in $capped ms (uncapped $free ms)" ||
	t_fail "media_rate" "$capped ms for ${mib:-?} MiB, uncapped $free ms"

systemctl stop xfs_scrubd
umount $M
dmsetup remove --noudevsync $dm
t_done
