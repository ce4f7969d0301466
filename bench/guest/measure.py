#!/usr/bin/env python3
# Runs one command and prints "wall_seconds peak_rss_kib exit_status": the
# figures the benches compare.  A fresh interpreter per run keeps the peak
# RSS that of this one child.
import resource
import subprocess
import sys
import time

t = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{wall:.3f} {rss} {rc}")
