#!/usr/bin/env python3
# Writes v4 (no CRC) seed blocks into a corpus directory: an XD2D data block,
# an XD2B single-block directory with ftype, and a v4 xattr leaf.  The host
# kernel no longer mounts v4 filesystems, so these are built by hand from the
# documented layouts.  Usage: fuzz/make-v4-seeds.py fuzz/corpus
import struct, sys, os
out = sys.argv[1]
B = 4096
def entry(off, ino, name, ftype):
    n = name.encode()
    size = (11 + len(n) + (1 if ftype is not None else 0) + 7) & ~7
    e = struct.pack('>QB', ino, len(n)) + n + (bytes([ftype]) if ftype is not None else b'')
    e += b'\0' * (size - len(e) - 2) + struct.pack('>H', off)
    return e
def unused(off, ln):
    return struct.pack('>HH', 0xffff, ln) + b'\0' * (ln - 6) + struct.pack('>H', off)
def dirblock(magic, ftype, names, tail):
    b = bytearray(B); b[0:4] = magic
    off = 16; ents = []
    for i, nm in enumerate(names):
        e = entry(off, 100 + i, nm, ftype); b[off:off+len(e)] = e; off += len(e)
    end = B - (8 + 8 * len(names) if tail else 0)
    b[off:end] = unused(off, end - off)
    if tail:
        struct.pack_into('>II', b, B - 8, len(names), 0)
        for i in range(len(names)):
            struct.pack_into('>II', b, end + 8 * i, 0x1000 * i, 2 + i)
    return bytes(b)
names = ['.', '..'] + ['v4-file-%d' % i for i in range(20)]
open(os.path.join(out, 'dirblock/v4-data-xd2d'), 'wb').write(dirblock(b'XD2D', None, names, False))
open(os.path.join(out, 'dirblock/v4-block-xd2b-ftype'), 'wb').write(dirblock(b'XD2B', 1, names, True))
# v4 attr leaf: blkinfo (12) + count, usedbytes, firstused, holes, pad, freemap(12)
b = bytearray(B); struct.pack_into('>H', b, 8, 0xfbee)
top = B; ents = []
def hashname(n):
    h = 0
    rol = lambda x, r: ((x << r) | (x >> (32 - r))) & 0xffffffff
    while len(n) >= 4:
        h = (n[0] << 21) ^ (n[1] << 14) ^ (n[2] << 7) ^ n[3] ^ rol(h, 28); n = n[4:]
    if len(n) == 3: return (n[0] << 14) ^ (n[1] << 7) ^ n[2] ^ rol(h, 21)
    if len(n) == 2: return (n[0] << 7) ^ n[1] ^ rol(h, 14)
    if len(n) == 1: return n[0] ^ rol(h, 7)
    return h
items = [(1, b'v4attr%d' % i, b'val%d' % i) for i in range(10)] + [(1 | 2, b'trustme', b'x'), (0, b'remote', None)]
for fl, nm, val in items:
    if fl & 1:
        rec = struct.pack('>HB', len(val), len(nm)) + nm + val
    else:
        rec = struct.pack('>IIB', 1, 5000, len(nm)) + nm
    rec += b'\0' * (-len(rec) % 4)
    top -= len(rec); b[top:top+len(rec)] = rec
    ents.append((hashname(nm), top, fl))
ents.sort()
struct.pack_into('>HHHBB', b, 12, len(ents), B - top, top, 0, 0)
for i, (h, idx, fl) in enumerate(ents):
    struct.pack_into('>IHBB', b, 32 + 8 * i, h, idx, fl, 0)
open(os.path.join(out, 'attrblock/v4-leaf'), 'wb').write(bytes(b))
