#!/usr/bin/env bash
# Replays every committed fuzz corpus (fuzz/corpus/*/) through every fuzz
# target's plain-main replay (fuzz-replay-<target>, built by tests/unit in the
# normal build), preferring the ASan+UBSan build so that an out-of-bounds
# read or undefined behaviour fails the run.  Every target gets every corpus:
# the parsers must survive any bytes, not only their own format.
# Prints one line per target: "ok - fuzz-replay NAME" or "not ok - ...: why".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bdir=
for b in "${XST_BUILD_ASAN:-build-asan}" "${XST_BUILD:-build}"; do
	if [ -d "$b/tests/unit" ] && ls "$b"/tests/unit/fuzz-replay-* >/dev/null 2>&1; then
		bdir=$b
		break
	fi
done
if [ -z "$bdir" ]; then
	echo "not ok - fuzz-replay: no build with fuzz-replay-* executables (build-asan/ or build/)"
	exit 1
fi
echo "# replaying with $bdir"

# Leaks are bugs too, but only in the parsers: the replay driver frees all.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

corpora=(fuzz/corpus/*/)
rc=0
for src in fuzz/fuzz-*.c; do
	name=${src#fuzz/fuzz-}
	name=${name%.c}
	exe=$bdir/tests/unit/fuzz-replay-$name
	if [ ! -f "$exe" ] || [ ! -x "$exe" ]; then
		echo "not ok - fuzz-replay $name: $exe not built"
		rc=1
		continue
	fi
	log=$(mktemp)
	if "$exe" "${corpora[@]}" >"$log" 2>&1; then
		echo "ok - fuzz-replay $name ($(tail -n1 "$log"))"
	else
		why=$(grep -m1 -E 'ERROR|runtime error|invariant failed' "$log" || tail -n1 "$log")
		echo "not ok - fuzz-replay $name: $why"
		sed 's/^/#   /' "$log" | tail -n 20
		rc=1
	fi
	rm -f "$log"
done
exit $rc
