"""The foreground workload of bench/guest/daemon-foreground.sh: create,
stat and unlink files in one directory, as fast as one process can.

  foreground.py DIR SECS [PID]
      ops/s over SECS seconds, or while PID lives if given (nonzero).
  foreground.py --windows W DIR WAITPID STOPPID
      the workload while WAITPID lives, with STOPPID (the scanning process)
      stopped with SIGSTOP every other W seconds, and one more window once
      the scan ended.  Windows with the scan running and without it
      alternate, so the unloaded rate's drift within a boot falls on both
      alike.  Prints: ratio (ops/s with the scan over ops/s without), both
      rates, and the seconds the scan ran.
"""
import os
import signal
import sys
import time


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def op(d, n):
    p = os.path.join(d, "x%d" % (n % 64))
    with open(p, "w"):
        pass
    os.stat(p)
    os.unlink(p)


def plain(d, secs, pid):
    t0 = time.monotonic()
    end = t0 + secs
    n = 0
    while (pid and (n % 32 or alive(pid))) or (not pid and time.monotonic() < end):
        op(d, n)
        n += 1
    print("%.1f" % (n / (time.monotonic() - t0)))


def windows(w, d, waitpid, stoppid):
    ops = {True: 0, False: 0}       # keyed by "the scan was running"
    secs = {True: 0.0, False: 0.0}
    running, scanning, n = True, True, 0
    t = time.monotonic()
    edge = t + w
    while True:
        op(d, n)
        n += 1
        ops[running and scanning] += 1
        if n % 32 == 0 and scanning and not alive(waitpid):
            # The scan ended: close this window, then one unloaded window.
            now = time.monotonic()
            secs[running] += now - t
            t, running, scanning, edge = now, False, False, now + w
            continue
        now = time.monotonic()
        if now < edge:
            continue
        secs[running and scanning] += now - t
        if not scanning:
            break
        running = not running
        try:
            os.kill(stoppid, signal.SIGCONT if running else signal.SIGSTOP)
        except OSError:
            pass
        t, edge = now, now + w
    try:
        os.kill(stoppid, signal.SIGCONT)
    except OSError:
        pass
    on = ops[True] / max(secs[True], 1e-9)
    off = ops[False] / max(secs[False], 1e-9)
    print("%.2f %.1f %.1f %.1f" % (on / off if off else 0, on, off, secs[True]))


if sys.argv[1] == "--windows":
    windows(float(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
else:
    plain(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
