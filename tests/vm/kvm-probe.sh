#!/usr/bin/env bash
# Answers (exit 0/1) whether KVM boots the test kernel on this host.  /dev/kvm
# existing is not enough (seen here: it exists and the guest never starts), so
# boot a trivial initramfs once and remember the verdict for this host boot.
assets=$1
verdict=/run/xst-kvm-verdict
if [ -f "$verdict" ]; then exit "$(cat "$verdict")"; fi
[ -w /dev/kvm ] || { echo 1 >"$verdict"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/i"
cp /bin/busybox "$work/i/busybox"
printf '#!/busybox sh\n/busybox echo XST-KVM-OK\n/busybox poweroff -f\n' >"$work/i/init"
chmod +x "$work/i/init"
(cd "$work/i" && printf 'init\nbusybox\n' | cpio -o -H newc --quiet | gzip -1 >"$work/probe.img")
(timeout 20 qemu-system-x86_64 -nodefaults -nographic -no-reboot -accel kvm -cpu host \
	-m 256 -kernel "$assets/vmlinuz" -initrd "$work/probe.img" \
	-append "console=ttyS0 panic=-1" -serial "file:$work/out" -monitor none >/dev/null 2>&1) 2>/dev/null
if grep -q XST-KVM-OK "$work/out" 2>/dev/null; then echo 0 >"$verdict"; exit 0; fi
echo 1 >"$verdict"
exit 1
