# Install xfs_scrubd's units, bus policy and catalog from the source tree
# (binaries from $B), with the configuration read from stdin, in a VM
# booted with systemd as PID 1; and find the daemon's journal records.
# Sourced by VM groups; needs B set.

# The daemon's MESSAGE_IDs (daemon/journal.c), for journalctl MESSAGE_ID=...
ID_STARTED=e098b31404c34f7aac5ba4ad60250782
ID_FINISHED=13d36543215d466587f3173ce2c6361d
ID_CORRUPT=08e5e06ef91c432c80aa4aba94543715
ID_REPAIRED=2fbae0b76ff74d99909fc8c4298fed92
ID_RESTORED=ae922ee16e0f499f8ba2a1dfbbfe1b7c
ID_LOSS=181533d5e8a8428a837154c6895af9cc
ID_LOST=f99d3126bc644df08229173a479ee37c
ID_BUSY=6785dbfcc9084da0a0674d99cec904cd
ID_CONTROL=341683fe595e4e51b9af5c33bfedb5f0
ID_WATCH=252a3a193d4f40baa3ff039db19dd086
ID_ESCALATED=36a022edfbf344abb366bcb928789244
ID_MEDIA=8cd6e6b1073c413d90e427ce7565e3f6
ID_REPAIR_FAILED=3b0e3d9ed876465396eefa008ac59036
ID_ENGINE=0c2f67b355b444bda3449a20c20fcab7

# Wait for the boot to settle (the test is a boot job itself).
xsd_wait_boot() {
	local i
	for i in $(seq 1 90); do
		[ "$(systemctl list-jobs --no-legend 2>/dev/null | grep -v xst-test | wc -l)" -eq 0 ] && return 0
		sleep 1
	done
}

xsd_install() {
	local f
	for f in xfs_scrubd.service xfs_scrubd.slice xfs_scrubd-scan.service xfs_scrubd-scan.timer; do
		sed -e "s|/usr/sbin/xfs_scrubd|$B/daemon/xfs_scrubd|" \
		    -e "s|/usr/sbin/xfs_scrubctl|$B/daemon/xfs_scrubctl|" \
		    /project/systemd/$f >/etc/systemd/system/$f
	done
	cp /project/dbus/org.xfs.Scrubd1.conf /etc/dbus-1/system.d/
	mkdir -p /usr/lib/systemd/catalog
	cp /project/systemd/xfs_scrubd.catalog /usr/lib/systemd/catalog/
	journalctl --update-catalog 2>/dev/null
	systemctl reload dbus 2>/dev/null || systemctl reload dbus-broker 2>/dev/null
	cat >/etc/xfs_scrubd.conf
	systemctl daemon-reload
	# Debian enables upstream's healer for the root fs; ours conflicts with it.
	systemctl stop xfs_healer_start.service 'xfs_healer@*' 2>/dev/null
	return 0
}

# jfind ID [FIELD=VALUE...]: the journal's JSON records matching, this boot.
jfind() { local id=$1; shift; journalctl -b -o json --no-pager MESSAGE_ID="$id" "$@" 2>/dev/null; }
# jmark: the journal's cursor now; jfind_after CURSOR ID [FIELD=VALUE...]:
# the matching records written since.  "Nothing new since" must not rest on
# counting all records: a volatile journal drops its oldest ones when full
# (seen: a count of one request fell to zero while a scan's health events
# were journaled).
jmark() { journalctl -b -n 0 --show-cursor --no-pager 2>/dev/null | sed -n 's/^-- cursor: //p'; }
jfind_after() {
	local cur=$1 id=$2; shift 2
	journalctl -b -o json --no-pager --after-cursor="$cur" MESSAGE_ID="$id" "$@" 2>/dev/null
}
# jsteady CMD...: CMD's output once two reads in a row agree.  While
# journald writes fast (a scan's health events) or rotates a file, one read
# can come back short and the next whole: a count compared before and after
# an action must not rest on a single read.
jsteady() {
	local a b i
	a=$("$@")
	for i in 1 2 3 4 5 6 7 8; do
		b=$("$@")
		[ "$a" = "$b" ] && break
		a=$b
		sleep 0.2
	done
	printf '%s\n' "$b"
}
# jwait SECONDS ID [FIELD=VALUE...]: wait until such a record exists.
jwait() {
	local t=$1 i; shift
	for i in $(seq 1 $((t * 5))); do
		[ -n "$(jfind "$@" | head -c 1)" ] && return 0
		sleep 0.2
	done
	return 1
}
