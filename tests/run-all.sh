#!/usr/bin/env bash
# The test command: sets up what is missing, builds the project twice (a plain
# optimized build, and ASan+UBSan), runs the unit tests of both builds, the
# host tier (the host kernel: no online scrub, but exchange-range), the fuzz
# corpora replays and the VM tier (one fresh VM per group, Debian testing's
# kernel with online scrub and repair), and ends with one line:
#   N passed, N failed, N skipped
#
# Usage: tests/run-all.sh [unit] [host] [vm] [fuzz]   (default: all tiers)
#        XST_VM_GROUPS="check-clean check-damage"  to pick VM groups
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tiers=("$@")
[ ${#tiers[@]} -gt 0 ] || tiers=(unit host fuzz vm)
want() { local t; for t in "${tiers[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }

pass=0 fail=0 skip=0
failures=()
count_lines() { # reads test output; updates the totals
	local line
	while IFS= read -r line; do
		case "$line" in
		("ok - "*) pass=$((pass + 1)) ;;
		("not ok - "*) fail=$((fail + 1)); failures+=("${line#not ok - }") ;;
		("skip - "*) skip=$((skip + 1)) ;;
		esac
	done
}
record() { # NAME RC [REASON]: one result for a step with no per-test lines
	if [ "$2" -eq 0 ]; then echo "ok - $1"; pass=$((pass + 1));
	else echo "not ok - $1: ${3:-exit $2}"; fail=$((fail + 1)); failures+=("$1: ${3:-exit $2}"); fi
}

log=$(mktemp -d /tmp/xst-tests.XXXXXX)
echo "# logs in $log"
if ! bash tests/setup.sh >"$log/setup.log" 2>&1; then
	tail -n 20 "$log/setup.log"
	record setup 1 "set-up failed (see $log/setup.log)"
	echo "$pass passed, $fail failed, $skip skipped"
	exit 1
fi

build() { # DIR ARGS...
	local dir=$1; shift
	if [ ! -d "$dir" ]; then meson setup "$dir" "$@" >"$log/$dir.setup.log" 2>&1 || return 1; fi
	ninja -C "$dir" >"$log/$dir.build.log" 2>&1
}
build build --buildtype=release; rc=$?
record "build (optimized, -Werror)" $rc "$(grep -m3 -E 'error|FAILED' "$log/build.build.log" "$log/build.setup.log" 2>/dev/null | tr '\n' ' ')"
build build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false; rc=$?
record "build (ASan+UBSan, -Werror)" $rc "$(grep -m3 -E 'error|FAILED' "$log/build-asan.build.log" "$log/build-asan.setup.log" 2>/dev/null | tr '\n' ' ')"

if want unit; then
	for b in build build-asan; do
		[ -d "$b" ] || continue
		meson test -C "$b" --print-errorlogs >"$log/unit-$b.log" 2>&1
		# One result per registered unit test program.
		grep -E '^ *[0-9]+/[0-9]+ ' "$log/unit-$b.log" | while read -r _ name res _; do
			case "$res" in (OK) echo "ok - unit[$b] $name" ;; (SKIP) echo "skip - unit[$b] $name: skipped by its program" ;; (*) echo "not ok - unit[$b] $name: $res" ;; esac
		done >"$log/unit-$b.res"
		cat "$log/unit-$b.res"
		count_lines <"$log/unit-$b.res"
	done
fi

if want host; then
	for t in tests/host/*.sh; do
		[ -e "$t" ] || continue
		name=$(basename "$t" .sh)
		XST_BUILD="$top/build" XST_BUILD_ASAN="$top/build-asan" timeout 1200 bash "$t" >"$log/host-$name.log" 2>&1
		rc=$?
		sed "s/^\(not ok\|ok\|skip\) - /&host[$name] /" "$log/host-$name.log" | grep -E '^(ok|not ok|skip) - ' | tee "$log/host-$name.res"
		count_lines <"$log/host-$name.res"
		if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log/host-$name.res"; then
			record "host[$name]" $rc "script failed without a test line (log: $log/host-$name.log)"
		fi
	done
fi

if want fuzz && [ -x tests/fuzz-replay.sh ]; then
	bash tests/fuzz-replay.sh >"$log/fuzz.log" 2>&1
	grep -E '^(ok|not ok|skip) - ' "$log/fuzz.log" | tee "$log/fuzz.res"
	count_lines <"$log/fuzz.res"
fi

if want vm; then
	groups=${XST_VM_GROUPS:-$(ls tests/vm/groups/*.sh 2>/dev/null | xargs -n1 basename 2>/dev/null | sed 's/\.sh$//')}
	for g in $groups; do
		f=tests/vm/groups/$g.sh
		opts=$(sed -n 's/^# xst-vm: //p' "$f" | head -n1)
		start=$(date +%s)
		# shellcheck disable=SC2086
		XST_VM_LOG="$log/vm-$g.console" tests/vm/run-vm.sh $opts "$f" >"$log/vm-$g.log" 2>&1
		rc=$?
		echo "# vm[$g]: exit $rc after $(( $(date +%s) - start ))s"
		# Once: which accelerator the groups ran under, and why not KVM.
		if [ -z "${accel_said:-}" ] && [ -f /run/xst-kvm-verdict ]; then
			accel_said=1
			if [ "$(cat /run/xst-kvm-verdict)" = 0 ]; then echo "# vm: under KVM"
			else echo "# vm: under single-threaded TCG; KVM: $(cat /run/xst-kvm-why 2>/dev/null)"; fi
		fi
		sed "s/^\(not ok\|ok\|skip\) - /&vm[$g] /" "$log/vm-$g.log" | grep -E '^(ok|not ok|skip) - ' | tee "$log/vm-$g.res"
		count_lines <"$log/vm-$g.res"
		case $rc in
		(0) ;;
		(124) record "vm[$g]" $rc "VM timed out: $(grep -m1 'run-vm:' "$log/vm-$g.log")" ;;
		(125) record "vm[$g]" $rc "kernel oops: $(grep -A3 'KERNEL OOPS' "$log/vm-$g.log" | tail -n +2 | tr '\n' ' ')" ;;
		(126) record "vm[$g]" $rc "VM did not run the test: $(tail -n 3 "$log/vm-$g.log" | tr '\n' ' ')" ;;
		(*) grep -q '^not ok' "$log/vm-$g.res" || record "vm[$g]" $rc "group failed without a test line" ;;
		esac
	done
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "# failures:"
	printf '#   %s\n' "${failures[@]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
