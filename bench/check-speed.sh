#!/usr/bin/env bash
# Bench: this project's xfs_scrub -n against upstream's on a filesystem of
# at least 40,000 inodes, in the same VM boot, three interleaved runs each;
# prints the median ratios (target: wall ratio <= 1.0 now, <= 0.8 later;
# peak RSS not above upstream's).  Not a test: it prints figures.
# Environment: XST_BENCH_RUNS (3), XST_BENCH_INODES (40000).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x build/scrub/xfs_scrub ] || { meson setup build --buildtype=release >/dev/null && ninja -C build >/dev/null; }
exec tests/vm/run-vm.sh --disk 4G --timeout 3600 bench/guest/check-speed.sh
