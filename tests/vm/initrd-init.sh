#!/bin/busybox sh
# /init of the test VM's initramfs.  Loads the modules needed to reach the
# root, mounts the Debian testing root shared read-only over 9p under a tmpfs
# overlay (tests may scribble anywhere, nothing reaches the cache), mounts the
# project checkout (read-only) and the results directory (read-write), then
# hands over either to the plain test runner or to systemd as PID 1.
#
# Kernel command line: xst.mode=test|systemd  xst.test=PATH (in the checkout)
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /mods/order); do
	insmod "/mods/$m.ko" || echo "xst-init: insmod $m failed"
done

mode=test
test=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	(xst.mode=*) mode=${arg#xst.mode=} ;;
	(xst.test=*) test=${arg#xst.test=} ;;
	esac
done

fail() { echo "xst-init: $*"; echo "XST-INIT-FAILED"; poweroff -f; sleep 10; }
opts=trans=virtio,version=9p2000.L,msize=512000
mkdir -p /lower /upper
mount -t 9p -o "$opts,ro,cache=loose" root /lower || fail "cannot mount the 9p root"
mount -t tmpfs -o mode=0755 tmpfs /upper || fail "tmpfs"
mkdir -p /upper/u /upper/w
mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot ||
	fail "cannot mount the overlay root"
mount -t 9p -o "$opts,ro" project /newroot/project || fail "cannot mount the project share"
mount -t 9p -o "$opts" results /newroot/results || fail "cannot mount the results share"
mount -t tmpfs tmpfs /newroot/tmp
mount -t tmpfs tmpfs /newroot/run

echo "$test" >/newroot/run/xst-test
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
if [ "$mode" = systemd ]; then
	# A unit that runs the test once the system is up, then powers off.
	mkdir -p /newroot/etc/systemd/system/multi-user.target.wants
	cat >/newroot/etc/systemd/system/xst-test.service <<EOT
[Unit]
Description=xfs_scrubd VM test
After=multi-user.target dbus.service systemd-journald.service
[Service]
Type=oneshot
ExecStart=/project/tests/vm/guest-run.sh $test
ExecStopPost=/bin/systemctl --no-block poweroff --force
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity
EOT
	ln -s ../xst-test.service /newroot/etc/systemd/system/multi-user.target.wants/xst-test.service
	exec switch_root /newroot /lib/systemd/systemd
fi
exec switch_root /newroot /bin/sh -c "PATH=/usr/sbin:/usr/bin:/sbin:/bin; /project/tests/vm/guest-run.sh $test; sync; echo o >/proc/sysrq-trigger; while :; do sleep 5; done"
