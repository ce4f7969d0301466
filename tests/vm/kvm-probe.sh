#!/usr/bin/env bash
# Answers (exit 0/1) whether KVM boots the test kernel on this host.  /dev/kvm
# existing is not enough, so boot a trivial initramfs once and remember the
# verdict, and qemu's last complaint as the reason, for this host boot.
#
# Seen on the 2-core hosts here: /dev/kvm belongs to kvm_pvm (the host is
# itself a guest, with no vmx/svm), which runs only guest kernels built for
# it.  A stock kernel is emulated instruction by instruction and stops at
# the first VEX-encoded one in its decompressor ("emulation failure");
# -cpu host stops earlier, on the IA32_ARCH_CAPABILITIES MSR (0x10a).
assets=$1
verdict=/run/xst-kvm-verdict
why=/run/xst-kvm-why
if [ -f "$verdict" ]; then exit "$(cat "$verdict")"; fi
if [ ! -w /dev/kvm ]; then
	echo "no writable /dev/kvm" >"$why"
	echo 1 >"$verdict"
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/i"
cp /bin/busybox "$work/i/busybox"
printf '#!/busybox sh\n/busybox echo XST-KVM-OK\n/busybox poweroff -f\n' >"$work/i/init"
chmod +x "$work/i/init"
(cd "$work/i" && printf 'init\nbusybox\n' | cpio -o -H newc --quiet | gzip -1 >"$work/probe.img")
{ timeout 20 qemu-system-x86_64 -nodefaults -nographic -no-reboot -accel kvm -cpu host \
	-m 256 -kernel "$assets/vmlinuz" -initrd "$work/probe.img" \
	-append "console=ttyS0 panic=-1" -serial "file:$work/out" -monitor none \
	>"$work/err" 2>&1; } 2>/dev/null
if grep -q XST-KVM-OK "$work/out" 2>/dev/null; then
	echo "KVM boots the test kernel" >"$why"
	echo 0 >"$verdict"
	exit 0
fi
# The first line that names the failure, else say it never printed.
{ grep -m1 -E 'error|failure|Assertion' "$work/err" || echo "no guest output in 20 s"; } |
	cut -c1-200 >"$why"
echo 1 >"$verdict"
exit 1
