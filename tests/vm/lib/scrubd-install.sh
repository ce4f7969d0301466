# Install xfs_scrubd's units, bus policy and catalog from the source tree
# (binaries from $B), with the configuration read from stdin, in a VM
# booted with systemd as PID 1; and find the daemon's journal records.
# Sourced by VM groups; needs B set.

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
# jwait SECONDS ID [FIELD=VALUE...]: wait until such a record exists.
jwait() {
	local t=$1 i; shift
	for i in $(seq 1 $((t * 5))); do
		[ -n "$(jfind "$@" | head -c 1)" ] && return 0
		sleep 0.2
	done
	return 1
}
