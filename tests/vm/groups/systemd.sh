#!/bin/bash
# xst-vm: --systemd --disk 1G --timeout 600
# The path the daemon's tests use: the VM boots with systemd as PID 1; show
# that journald takes structured records, that the system bus answers, and
# that a command run as a unit (as the daemon and the timers will run) logs
# into the journal under that unit.
set -u
. /project/tests/lib/tap.sh
scrub=$XST_BUILD/scrub/xfs_scrub

[ "$(readlink /proc/1/exe)" = /usr/lib/systemd/systemd ] || [ "$(cat /proc/1/comm)" = systemd ] &&
	t_ok "PID 1 is systemd" || t_fail "PID 1 is systemd" "PID 1 is $(cat /proc/1/comm)"

# This test is itself a job of the boot transaction, so "running" cannot be
# reached while it runs: wait until every other job is done instead.
for i in $(seq 1 90); do
	others=$(systemctl list-jobs --no-legend 2>/dev/null | grep -v xst-test | wc -l)
	[ "$others" -eq 0 ] && break
	sleep 1
done
failed=$(systemctl --failed --no-legend 2>/dev/null | wc -l)
if [ "$others" -eq 0 ] && systemctl is-active -q dbus.service systemd-journald.service; then
	t_ok "boot finished: journald and dbus active ($failed failed units)"
else
	t_fail "boot finished" "$others jobs left: $(systemctl list-jobs --no-legend | head -3)"
fi

# journald: a structured record with our own field, read back by field.
tag=xst-$$-$RANDOM
if command -v logger >/dev/null && logger --journald <<EOT
MESSAGE=structured record from the VM test
SYSLOG_IDENTIFIER=$tag
XST_TEST_FIELD=42
PRIORITY=5
EOT
then :; fi
journalctl --sync 2>/dev/null
sleep 1
if journalctl -o json -t "$tag" XST_TEST_FIELD=42 2>/dev/null | grep -q '"XST_TEST_FIELD":"42"'; then
	t_ok "journald stores and filters a structured field"
else t_fail "journald structured field" "$(journalctl -t "$tag" -o json 2>&1 | head -c 300)"; fi

# D-Bus: the system bus answers, and systemd is on it.
if busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId >/tmp/id 2>&1 &&
   busctl --system list 2>/dev/null | grep -q org.freedesktop.systemd1; then
	t_ok "system bus answers; org.freedesktop.systemd1 is on it"
else t_fail "system bus" "$(cat /tmp/id)"; fi

# A program started as a unit logs to the journal under that unit.
mkfs.xfs -q -f /dev/vda && mkdir -p /mnt/s && mount /dev/vda /mnt/s
systemd-run --wait --quiet --unit=xst-scrub-test -p Type=oneshot "$scrub" -n -v /mnt/s
rc=$?
journalctl --sync 2>/dev/null
if [ "$rc" -eq 0 ] && journalctl -u xst-scrub-test -o cat 2>/dev/null | grep -q "Phase 3: Scan all inodes."; then
	t_ok "xfs_scrub as a unit: exit 0, output in its journal"
else t_fail "xfs_scrub as a unit" "rc $rc: $(journalctl -u xst-scrub-test -o cat 2>&1 | tail -5)"; fi
umount /mnt/s
t_done
