#!/usr/bin/env bash
# Boots the Debian testing kernel in qemu and runs one test script from this
# checkout inside it; prints the script's output, returns its exit status.
#
# Usage: tests/vm/run-vm.sh [--systemd] [--timeout SEC] [--disk SIZE]...
#                           [--image FILE]... [--mem MiB] [--smp N] TEST
#   TEST        a path relative to the checkout, e.g. tests/vm/groups/check.sh
#   --disk SIZE attach a fresh sparse scratch disk (/dev/vdX in order)
#   --image F   attach an existing image file (after the scratch disks)
#   --systemd   boot with systemd as PID 1; the test runs as a oneshot unit
# Environment: XST_VM_ACCEL (kvm, tcg-multi; default: KVM if it boots here,
# else single-threaded TCG), XST_QEMU (the qemu to run; tests/vm/qemu-testing.sh
# prints testing's), XST_VM_LOG (keep the console log there).
#
# A kernel oops ends the VM at once (oops=panic panic=-1, -no-reboot); the
# test then fails with the oops' first lines.  A hung guest is killed after
# --timeout seconds.  Exit status: the test's, or 124 (timeout), or 125
# (kernel oops/panic), or 126 (the VM did not come up).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

mode=test timeout=900 mem=3072 smp=2 disks=() images=()
while [ $# -gt 0 ]; do
	case "$1" in
	(--systemd) mode=systemd ;;
	(--timeout) timeout=$2; shift ;;
	(--disk) disks+=("$2"); shift ;;
	(--image) images+=("$2"); shift ;;
	(--mem) mem=$2; shift ;;
	(--smp) smp=$2; shift ;;
	(-*) echo "run-vm: unknown option $1" >&2; exit 2 ;;
	(*) break ;;
	esac
	shift
done
[ $# -eq 1 ] || { echo "usage: $0 [options] TEST" >&2; exit 2; }
test=$1
[ -f "$top/$test" ] || { echo "run-vm: no such test $top/$test" >&2; exit 2; }

assets=$("$here/assets.sh")
work=$(mktemp -d /tmp/xst-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/results"
# Pass selected environment to the guest.
{
	[ -n "${XST_BUILD_NAME:-}" ] && echo "XST_BUILD=/project/$XST_BUILD_NAME"
	# Quoted: values may hold spaces (XST_BENCH_BUDGETS="25 10 5").
	env | grep -E '^XST_(T|BENCH)_[A-Z0-9_]+=' | while IFS= read -r kv; do
		printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
	done || true
} >"$work/results/env"

# The project's /init rides on top of the cached base initramfs (the kernel
# accepts concatenated cpio archives).
mkdir -p "$work/initrd"
cp "$here/initrd-init.sh" "$work/initrd/init"
(cd "$work/initrd" && echo init | cpio -o -H newc --quiet | gzip -1 >"$work/init.img")
cat "$assets/initrd-base.img" "$work/init.img" >"$work/initrd.img"

drives=()
i=0
for size in "${disks[@]}"; do
	truncate -s "$size" "$work/disk$i.img"
	drives+=(-drive "file=$work/disk$i.img,if=virtio,format=raw,cache=unsafe,discard=unmap")
	i=$((i + 1))
done
for img in "${images[@]}"; do
	drives+=(-drive "file=$img,if=virtio,format=raw,cache=unsafe")
done

# KVM when it boots here, else TCG.  Single-threaded TCG: under multi-threaded
# TCG this host's qemu (7.2) crashes the guest when the kernel patches its own
# text (live hooks) while other CPUs run (seen as "Oops: int3").
# XST_VM_ACCEL=tcg-multi asks for multi-threaded TCG all the same (for a
# bench under testing's qemu, XST_QEMU, which ran that race clean).
accel="tcg,thread=single"
cpu=max
if [ "${XST_VM_ACCEL:-}" = tcg-multi ]; then
	accel="tcg,thread=multi"
elif [ "${XST_VM_ACCEL:-}" = kvm ] || { [ -z "${XST_VM_ACCEL:-}" ] && "$here/kvm-probe.sh" "$assets"; }; then
	accel=kvm cpu=host
fi 2>/dev/null

append="console=ttyS0 oops=panic panic=-1 panic_on_warn=0 quiet loglevel=4"
append+=" xst.mode=$mode xst.test=$test"
[ "$mode" = systemd ] && append+=" systemd.show_status=0"

fsdev() { echo "local,id=$1,path=$2,security_model=none$3"; }
# One VM at a time on this host: two TCG guests on two cores stall each other.
exec 9>/run/xst-vm.lock
flock 9
set +e
timeout --kill-after=10 "$timeout" ${XST_QEMU:-qemu-system-x86_64} \
	-nodefaults -no-user-config -nographic -no-reboot \
	-accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem" \
	-kernel "$assets/vmlinuz" -initrd "$work/initrd.img" -append "$append" \
	-serial "file:$work/console.log" -monitor none \
	-fsdev "$(fsdev root "$assets/root" ,readonly=on)" \
	-device virtio-9p-pci,fsdev=root,mount_tag=root \
	-fsdev "$(fsdev project "$top" ,readonly=on)" \
	-device virtio-9p-pci,fsdev=project,mount_tag=project \
	-fsdev "$(fsdev results "$work/results" "")" \
	-device virtio-9p-pci,fsdev=results,mount_tag=results \
	-device virtio-rng-pci \
	"${drives[@]}" >"$work/qemu.out" 2>&1
qrc=$?
set -e

log=${XST_VM_LOG:-}
[ -n "$log" ] && cp "$work/console.log" "$log"
if [ -f "$work/results/log" ]; then cat "$work/results/log"; fi
oops=$(grep -m1 -n -E 'Oops|BUG: |Kernel panic|general protection fault|kernel BUG' "$work/console.log" | cut -d: -f1 || true)
# init exiting during power-off, after the test wrote its status, is the
# shutdown path, not a kernel fault.
if [ -n "$oops" ] && [ -f "$work/results/status" ] &&
   ! grep -q -E 'Oops|BUG: |general protection fault|kernel BUG' "$work/console.log" &&
   grep -q 'Attempted to kill init' "$work/console.log"; then
	oops=
fi
if [ -n "$oops" ]; then
	echo "run-vm: KERNEL OOPS in $test:" >&2
	tail -n +"$oops" "$work/console.log" | head -n 25 | sed 's/^/  | /' >&2
	exit 125
fi
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	echo "run-vm: $test timed out after ${timeout}s; console tail:" >&2
	tail -n 15 "$work/console.log" | sed 's/^/  | /' >&2
	exit 124
fi
if [ ! -f "$work/results/status" ]; then
	echo "run-vm: $test did not run (qemu rc=$qrc); console tail:" >&2
	tail -n 20 "$work/console.log" "$work/qemu.out" | sed 's/^/  | /' >&2
	exit 126
fi
exit "$(cat "$work/results/status")"
