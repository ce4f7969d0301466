#!/usr/bin/env python3
"""Ground-truth accounting for the repair tests (runs inside the test VM).

Compares what a file or directory held before the damage (the ground truth)
with what it holds after a repair, and with the salvage record xfs_scrub
wrote, and prints one line of counts:

  xattrs TRUTH AFTER [RECORD]   TRUTH/AFTER: `getfattr -d -m - -e hex` dumps
  dir TRUTH AFTER [RECORD]      TRUTH/AFTER: "INO NAME" lines (ls -1ia style)
  flip IMAGE OFFSET LEN COUNT SEED LO HI flip COUNT random bytes in [LO, HI)

Counts: same (identical after), restored/flagged/lost (by the record's
fate for the entries that differ or went missing), changed_unflagged and
missing_unreported (what no record accounts for: the failures to avoid).
"""
import random
import sys


def read_xattrs(path):
    out = {}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or "=" not in line:
                continue
            name, val = line.split("=", 1)
            if name.startswith("trusted.") or name.startswith("security.selinux"):
                continue
            out[name] = val
    return out


def read_dir(path):
    out = {}
    # Bit rot makes names that are not UTF-8: keep their bytes as they are.
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            parts = line.strip().split(None, 1)
            if len(parts) == 2 and parts[1] not in (".", ".."):
                out[parts[1]] = parts[0]
    return out


def read_record(path, xattrs):
    """{name: (fate, value-hex, ino)} from a salvage record."""
    rec = {}
    if not path:
        return rec
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            if not line.startswith("entry "):
                continue
            fields = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
            try:
                name = bytes.fromhex(fields.get("name", "")).decode("utf-8", "surrogateescape")
            except ValueError:
                continue
            ns = ""
            if xattrs:
                ns = {"0": "user.", "1": "trusted.", "2": "security."}.get(fields.get("ns"), "")
            rec[ns + name] = (fields.get("fate"), fields.get("value"), fields.get("ino"))
    return rec


def tally(truth, after, rec, _xattrs=True):
    """Names can be changed by the damage, so a truth name that is gone may be
    accounted for by a flagged or lost record entry under another name."""
    c = dict(same=0, restored=0, flagged=0, lost=0, changed_unflagged=0, missing_unreported=0)
    missing = []
    for name, val in truth.items():
        fate = rec.get(name, (None,))[0]
        if after.get(name) == val:
            c[fate if fate in ("restored", "flagged") else "same"] += 1
        elif name in after:
            c["flagged" if fate == "flagged" else "changed_unflagged"] += 1
        elif fate in ("lost", "flagged"):
            c[fate] += 1
        else:
            missing.append(name)
    for name in after:
        if name not in truth and rec.get(name, (None,))[0] != "flagged":
            c["changed_unflagged"] += 1
    standins = [f for n, (f, _v, _i) in rec.items() if n not in truth and f in ("flagged", "lost")]
    for fate in sorted(standins, key=lambda f: f != "flagged"):
        if not missing:
            break
        missing.pop()
        c[fate] += 1
    c["missing_unreported"] = len(missing)
    return c


def tally_dir(truth, after, rec):
    """Directories are matched by inode: a renamed file is the same file."""
    c = dict(same=0, restored=0, flagged=0, lost=0, changed_unflagged=0, missing_unreported=0)
    missing = []
    by_ino = {}
    for name, (fate, _val, ino) in rec.items():
        by_ino.setdefault(ino, []).append((name, fate))
    for name, ino in truth.items():
        fate = rec.get(name, (None,))[0]
        if after.get(name) == ino:
            c[fate if fate in ("restored", "flagged") else "same"] += 1
            continue
        if fate in ("flagged", "lost"):
            c[fate] += 1        # known by name; its inode field may be the damage
            continue
        fates = [f for _n, f in by_ino.get(ino, [])]
        for want in ("flagged", "lost", "restored"):
            if want in fates:
                c[want] += 1
                break
        else:
            missing.append(name)
    for name, ino in after.items():
        if name in truth:
            continue
        fates = [f for n, f in by_ino.get(ino, []) if n == name]
        if "flagged" not in fates:
            c["changed_unflagged"] += 1
    # Entries the damage left unrecognisable (unreadable, or with a garbled
    # name and inode) stand in for missing ones.
    truth_inos = set(truth.values())
    standins = [f for n, (f, _v, i) in rec.items()
                if n not in truth and i not in truth_inos and f in ("lost", "flagged")]
    for fate in standins:
        if not missing:
            break
        missing.pop()
        c[fate] += 1
    c["missing_unreported"] = len(missing)
    return c


def main(argv):
    cmd = argv[1]
    if cmd in ("xattrs", "dir"):
        reader = read_xattrs if cmd == "xattrs" else read_dir
        truth, after = reader(argv[2]), reader(argv[3])
        rec = read_record(argv[4] if len(argv) > 4 else None, cmd == "xattrs")
        c = tally(truth, after, rec, True) if cmd == "xattrs" else tally_dir(truth, after, rec)
        print("total=%d " % len(truth) + " ".join("%s=%d" % kv for kv in c.items()))
    elif cmd == "xattrs-missing":
        # For the log: truth names gone after the repair, and the record's
        # entries that match no truth name (what the damage turned them into).
        truth, after = read_xattrs(argv[2]), read_xattrs(argv[3])
        rec = read_record(argv[4], True)
        gone = [n for n in truth if n not in after]
        print("gone: " + " ".join(gone))
        print("unknown to the truth: " + " | ".join(
            "%r=%s" % (n, f) for n, (f, _v, _i) in rec.items() if n not in truth))
    elif cmd == "flip":
        img, off, ln, count, seed, lo, hi = argv[2], *map(int, argv[3:9])
        rnd = random.Random(seed)
        with open(img, "r+b") as f:
            f.seek(off)
            blk = bytearray(f.read(ln))
            for _ in range(count):
                i = rnd.randrange(lo, hi)
                blk[i] ^= 1 << rnd.randrange(8)
            f.seek(off)
            f.write(blk)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
