#!/usr/bin/env bash
# Bench: xfs_scrub -x throughput (phase 6, both read paths) against a
# sequential `dd iflag=direct` read of the same number of bytes, in one VM
# boot, medians of interleaved runs; upstream's -x for reference.  Target:
# ratio >= 0.9.  Not a test: it prints figures.
# Environment: XST_BENCH_RUNS (5), XST_BENCH_MEDIA_MIB (3072).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x "${XST_BUILD_NAME:-build}/scrub/xfs_scrub" ] || { meson setup build --buildtype=release >/dev/null && ninja -C build >/dev/null; }
exec tests/vm/run-vm.sh --disk 4G --timeout 3600 bench/guest/media-speed.sh
