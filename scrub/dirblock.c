// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lenient directory block and short-form directory parsers (see dirblock.h).
 * The walk over a data block follows the on-disk chain of entries and unused
 * regions; when the chain breaks (bit rot, a stomped range) we step forward
 * in 8-byte units and resume at the next span that is self-consistent, so one
 * damaged entry does not cost the rest of the block.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dirblock.h"
#include "ondisk.h"
#include "util.h"

const char *xst_dirblk_kind_name(enum xst_dirblk_kind k)
{
	switch (k) {
	case XST_DIRBLK_DATA: return "data";
	case XST_DIRBLK_BLOCK: return "block";
	case XST_DIRBLK_LEAF: return "leaf";
	case XST_DIRBLK_NODE: return "node";
	case XST_DIRBLK_FREE: return "free";
	default: return "unknown";
	}
}

void xst_dirents_free(struct xst_dirents *d)
{
	if (!d)
		return;
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

static struct xst_dirent *dirents_add(struct xst_dirents *d)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct xst_dirent *v;

		if (cap > SIZE_MAX / sizeof(*v))
			return NULL;
		v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		d->v = v;
		d->cap = cap;
	}
	struct xst_dirent *e = &d->v[d->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* A name a directory cannot hold: '/' or NUL anywhere. */
static bool name_bad_bytes(const uint8_t *name, size_t len)
{
	return memchr(name, '/', len) || memchr(name, 0, len);
}

static bool name_is_dot(const uint8_t *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

static bool ino_plausible(uint64_t ino)
{
	return ino != 0 && ino < XST_INO_LIMIT;
}

/* Kind from the magic alone; UNKNOWN when it matches nothing we know. */
static enum xst_dirblk_kind kind_from_magic(const uint8_t *b, size_t len, uint32_t *magic, bool *v5)
{
	uint32_t m32 = xst_be32(b);

	*magic = m32;
	switch (m32) {
	case XST_DIR3_BLOCK_MAGIC: *v5 = true; return XST_DIRBLK_BLOCK;
	case XST_DIR3_DATA_MAGIC: *v5 = true; return XST_DIRBLK_DATA;
	case XST_DIR3_FREE_MAGIC: *v5 = true; return XST_DIRBLK_FREE;
	case XST_DIR2_BLOCK_MAGIC: *v5 = false; return XST_DIRBLK_BLOCK;
	case XST_DIR2_DATA_MAGIC: *v5 = false; return XST_DIRBLK_DATA;
	case XST_DIR2_FREE_MAGIC: *v5 = false; return XST_DIRBLK_FREE;
	}
	if (!xst_fits(len, XST_DA_MAGIC_OFF, 2))
		return XST_DIRBLK_UNKNOWN;
	uint16_t m16 = xst_be16(b + XST_DA_MAGIC_OFF);
	switch (m16) {
	case XST_DIR3_LEAF1_MAGIC: case XST_DIR3_LEAFN_MAGIC:
		*v5 = true; *magic = m16; return XST_DIRBLK_LEAF;
	case XST_DIR2_LEAF1_MAGIC: case XST_DIR2_LEAFN_MAGIC:
		*v5 = false; *magic = m16; return XST_DIRBLK_LEAF;
	case XST_DA3_NODE_MAGIC:
		*v5 = true; *magic = m16; return XST_DIRBLK_NODE;
	case XST_DA_NODE_MAGIC:
		*v5 = false; *magic = m16; return XST_DIRBLK_NODE;
	}
	return XST_DIRBLK_UNKNOWN;
}

/* Walk state over the data area [start, end) of one block. */
struct walk {
	const uint8_t *b;
	size_t start, end;
	const struct xst_dir_geo *geo;
	uint32_t dblock;
	bool crc_ok;
	struct xst_dirents *out;
	struct xst_dirblock_info *info;
	uint8_t *seen;		/* block format: bitmap of entry offsets / 8 */
};

/* How entry_at judges the bytes at an offset. */
enum entry_mode {
	ENT_CHAIN,	/* following the chain: a tag mismatch is tolerated */
	ENT_RESYNC,	/* after damage: the tag must match */
	ENT_RESCUE,	/* a leaf points here: the name hash must match */
	ENT_PROBE,	/* as ENT_RESYNC, but only report the size */
};

/*
 * Length of a plausible unused region at off, or 0.  Its tag must match even
 * while following the chain: a damaged length that still looks sane would
 * otherwise make us jump silently over live entries.
 */
static size_t unused_at(const struct walk *w, size_t off)
{
	const uint8_t *b = w->b;

	if (!xst_fits(w->end, off, XST_DIR_UNUSED_MIN) || xst_be16(b + off) != XST_DIR_FREETAG)
		return 0;
	size_t ulen = xst_be16(b + off + 2);
	if (ulen < XST_DIR_UNUSED_MIN || ulen % XST_DIR_DATA_ALIGN || !xst_fits(w->end, off, ulen))
		return 0;
	if (xst_be16(b + off + ulen - 2) != off)
		return 0;
	return ulen;
}

/*
 * Try an entry at off. Returns its size if accepted (and appends it), 0 if
 * the bytes there are not an entry, or -ENOMEM.  After damage the tag must
 * match, which is what makes a resync point trustworthy; a leaf pointer is
 * trusted only when the name there hashes to the leaf's hash.
 */
static long entry_at(struct walk *w, size_t off, enum entry_mode mode, bool resynced,
		     uint32_t want_hash)
{
	const uint8_t *b = w->b;
	size_t ft = w->geo->ftype ? 1 : 0;

	if (!xst_fits(w->end, off, XST_DIR_ENTRY_FIXED + ft + 1))
		return 0;
	uint64_t ino = xst_be64(b + off);
	size_t namelen = b[off + 8];
	size_t esize = (XST_DIR_ENTRY_FIXED + namelen + ft + XST_DIR_DATA_ALIGN - 1) &
		       ~(size_t)(XST_DIR_DATA_ALIGN - 1);

	if (namelen == 0 || !xst_fits(w->end, off, esize) || !ino_plausible(ino))
		return 0;

	const uint8_t *name = b + off + 9;
	bool tag_ok = xst_be16(b + off + esize - 2) == off;
	bool suspect = name_bad_bytes(name, namelen) ||
		       (name_is_dot(name, namelen) && w->dblock != 0);
	if (mode == ENT_RESCUE ? xst_da_hashname(name, namelen) != want_hash :
	    !tag_ok && (mode != ENT_CHAIN || suspect))
		return 0;
	if (mode == ENT_PROBE)
		return (long)esize;

	struct xst_dirent *e = dirents_add(w->out);
	if (!e)
		return -ENOMEM;
	e->ino = ino;
	e->dblock = w->dblock;
	e->offset = (uint32_t)off;
	e->namelen = (uint8_t)namelen;
	memcpy(e->name, name, namelen);
	e->ftype = ft ? b[off + 9 + namelen] : 0;
	e->crc_ok = w->crc_ok;
	if (!w->crc_ok)
		e->flags |= XST_DENT_CRC_BAD;
	if (!tag_ok) {
		e->flags |= XST_DENT_TAG_MISMATCH;
		w->info->tag_mismatches++;
	}
	if (suspect)
		e->flags |= XST_DENT_NAME_SUSPECT;
	if (ft && e->ftype >= XST_DIR_FT_MAX)
		e->flags |= XST_DENT_FTYPE_BAD;
	if (resynced)
		e->flags |= XST_DENT_RESYNC;
	if (mode == ENT_RESCUE)
		e->flags |= XST_DENT_LEAF_RESCUED;
	if (w->seen)
		w->seen[off / 64] |= (uint8_t)(1u << (off / 8 % 8));
	w->info->entries++;
	return (long)esize;
}

static int walk_data(struct walk *w)
{
	size_t off = w->start;
	bool damaged = false;	/* inside a span we could not parse */
	bool resynced = false;	/* the current run began after damage */

	while (off < w->end) {
		size_t ulen = unused_at(w, off);
		if (ulen) {
			off += ulen;
			if (damaged)
				resynced = true;
			damaged = false;
			continue;
		}
		uint32_t mism = w->info->tag_mismatches;
		long es = entry_at(w, off, damaged ? ENT_RESYNC : ENT_CHAIN, damaged || resynced, 0);
		if (es < 0)
			return (int)es;
		if (es > 0) {
			size_t next = off + (size_t)es;
			/*
			 * A wrong tag casts doubt on the entry's own length: if
			 * nothing sound follows it, rescan the bytes it claimed
			 * so a damaged namelen cannot swallow its neighbours.
			 */
			if (w->info->tag_mismatches != mism && next < w->end &&
			    !unused_at(w, next) && entry_at(w, next, ENT_PROBE, false, 0) <= 0) {
				w->info->bad_regions++;
				damaged = true;
				off += XST_DIR_DATA_ALIGN;
				continue;
			}
			off = next;
			if (damaged)
				resynced = true;
			damaged = false;
			continue;
		}
		/* Neither: count damage and look again one alignment unit on. */
		if (!damaged) {
			w->info->bad_regions++;
			damaged = true;
		}
		size_t step = MIN((size_t)XST_DIR_DATA_ALIGN, w->end - off);
		w->info->bad_bytes += (uint32_t)step;
		off += step;
	}
	return 0;
}

void xst_dirleaf_free(struct xst_dirleaf *l)
{
	if (!l)
		return;
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int dirleaf_add(struct xst_dirleaf *l, uint32_t hash, uint32_t address)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct xst_dirleaf_ent *v;

		if (cap > SIZE_MAX / sizeof(*v))
			return -ENOMEM;
		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct xst_dirleaf_ent){ .hash = hash, .address = address };
	return 0;
}

/* Append the pairs in [start, start + 8 * count); stale (address 0) skipped. */
static int leaf_pairs(const uint8_t *b, size_t start, size_t count, struct xst_dirleaf *out,
		      struct xst_dirblock_info *info)
{
	for (size_t i = 0; i < count; i++) {
		const uint8_t *p = b + start + i * XST_DIR_LEAF_ENTRY;
		uint32_t address = xst_be32(p + 4);

		if (!address)
			continue;
		int r = dirleaf_add(out, xst_be32(p), address);
		if (r < 0)
			return r;
		info->leaf_entries++;
	}
	return 0;
}

int xst_dirleaf_parse(const void *buf, size_t len, const struct xst_dir_geo *geo,
		      struct xst_dirleaf *out, struct xst_dirblock_info *info)
{
	struct xst_dirblock_info dummy;
	const uint8_t *b = buf;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (!buf || !geo || !out || len != geo->dirblksize || len > 65536 ||
	    len % XST_DIR_DATA_ALIGN)
		return -EINVAL;
	size_t hdr = geo->v5 ? XST_DIR3_LEAF_HDR_SIZE : XST_DIR2_LEAF_HDR_SIZE;
	size_t infosz = geo->v5 ? XST_DA3_BLKINFO_SIZE : XST_DA_BLKINFO_SIZE;
	if (len < hdr)
		return -EINVAL;

	bool magic_v5 = geo->v5;
	enum xst_dirblk_kind mk = kind_from_magic(b, len, &info->magic, &magic_v5);
	info->kind = XST_DIRBLK_LEAF;
	info->magic_ok = mk == XST_DIRBLK_LEAF && magic_v5 == geo->v5;
	info->crc_ok = true;
	info->tail_ok = true;
	if (geo->v5) {
		info->crc_checked = true;
		info->crc_ok = xst_xfs_block_crc_ok(b, len, XST_DA3_CRC_OFF);
		info->owner = xst_be64(b + XST_DA3_OWNER_OFF);
	}
	/* A leaf1 block also ends in a bests array; the count bounds us
	 * before it, and the block bounds a damaged count. */
	size_t count = xst_be16(b + infosz);
	size_t max = (len - hdr) / XST_DIR_LEAF_ENTRY;
	if (count > max) {
		info->tail_ok = false;
		count = max;
	}
	return leaf_pairs(b, hdr, count, out, info);
}

static int leaf_cmp(const void *a, const void *b)
{
	const struct xst_dirleaf_ent *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->address < y->address ? -1 : x->address > y->address;
}

static bool leaf_has(const struct xst_dirleaf *l, uint32_t hash, uint32_t address)
{
	const struct xst_dirleaf_ent key = { .hash = hash, .address = address };

	return l->n && bsearch(&key, l->v, l->n, sizeof(key), leaf_cmp);
}

/* Directory address of an entry in XFS's 8-byte units, or 0 if unrepresentable. */
static uint32_t dirent_address(const struct xst_dirent *e, uint32_t dirblksize)
{
	uint64_t a = ((uint64_t)e->dblock * dirblksize + e->offset) / XST_DIR_DATA_ALIGN;

	return a > UINT32_MAX ? 0 : (uint32_t)a;
}

static size_t check_leaf_range(struct xst_dirent *v, size_t n, const struct xst_dirleaf *l,
			       uint32_t dirblksize)
{
	size_t verified = 0;

	for (size_t i = 0; i < n; i++) {
		struct xst_dirent *e = &v[i];
		if ((e->flags & (XST_DENT_HASH_VERIFIED | XST_DENT_SHORTFORM)))
			continue;
		uint32_t a = dirent_address(e, dirblksize);
		if (a && leaf_has(l, xst_da_hashname(e->name, e->namelen), a)) {
			e->flags |= XST_DENT_HASH_VERIFIED;
			verified++;
		}
	}
	return verified;
}

size_t xst_dirents_check_leaf(struct xst_dirents *d, struct xst_dirleaf *l,
			      const struct xst_dir_geo *geo)
{
	if (!d || !l || !geo || !l->n)
		return 0;
	qsort(l->v, l->n, sizeof(*l->v), leaf_cmp);
	return check_leaf_range(d->v, d->n, l, geo->dirblksize);
}

/*
 * Block format: the leaf in the same block confirms names by hash, and its
 * pointers into spans the walk had to skip bring back entries the chain
 * lost.  Only entries appended by this parse (from index n0) are touched.
 */
static int block_leaf(struct walk *w, size_t leaf_start, size_t count, size_t n0)
{
	struct xst_dirleaf l = { 0 };
	int r = leaf_pairs(w->b, leaf_start, count, &l, w->info);

	if (r < 0 || !l.n)
		goto out;
	qsort(l.v, l.n, sizeof(*l.v), leaf_cmp);
	uint64_t base = (uint64_t)w->dblock * w->geo->dirblksize;
	for (size_t i = 0; i < l.n; i++) {
		uint64_t byte = (uint64_t)l.v[i].address * XST_DIR_DATA_ALIGN;
		if (byte < base || byte - base < w->start || byte - base >= w->end)
			continue;
		size_t off = (size_t)(byte - base);
		if (w->seen[off / 64] & (1u << (off / 8 % 8)))
			continue;
		long es = entry_at(w, off, ENT_RESCUE, false, l.v[i].hash);
		if (es < 0) {
			r = (int)es;
			goto out;
		}
	}
	/* No entries at all leaves v NULL: no pointer arithmetic on it. */
	if (w->out->n > n0)
		w->info->hash_verified += (uint32_t)check_leaf_range(w->out->v + n0, w->out->n - n0,
								      &l, w->geo->dirblksize);
out:
	xst_dirleaf_free(&l);
	return r;
}

int xst_dirblock_parse(const void *buf, size_t len, const struct xst_dir_geo *geo,
		       uint32_t dblock, enum xst_dirblk_kind hint,
		       struct xst_dirents *out, struct xst_dirblock_info *info)
{
	struct xst_dirblock_info dummy;
	const uint8_t *b = buf;
	size_t hdr;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (!buf || !geo || !out || len != geo->dirblksize)
		return -EINVAL;
	hdr = geo->v5 ? XST_DIR3_DATA_HDR_SIZE : XST_DIR2_DATA_HDR_SIZE;
	/*
	 * Dir blocks are 4 KiB..64 KiB on disk; tags are 16-bit, so cap there.
	 * Smaller sizes are accepted (tests, fuzzing), but not a size that is
	 * not a multiple of the entry alignment: leaf addresses count 8-byte
	 * units across blocks.
	 */
	if (len < hdr + XST_DIR_BLOCK_TAIL || len > 65536 || len % XST_DIR_DATA_ALIGN)
		return -EINVAL;

	bool magic_v5 = geo->v5;
	enum xst_dirblk_kind mk = kind_from_magic(b, len, &info->magic, &magic_v5);
	enum xst_dirblk_kind kind = hint != XST_DIRBLK_UNKNOWN ? hint :
				    mk != XST_DIRBLK_UNKNOWN ? mk : XST_DIRBLK_DATA;
	info->kind = kind;
	info->magic_ok = mk == kind && magic_v5 == geo->v5;
	info->crc_ok = true;
	info->tail_ok = true;

	if (geo->v5) {
		size_t crc_off = (kind == XST_DIRBLK_LEAF || kind == XST_DIRBLK_NODE) ?
				 XST_DA3_CRC_OFF : XST_DIR3_CRC_OFF;
		info->crc_checked = true;
		info->crc_ok = xst_xfs_block_crc_ok(b, len, crc_off);
		info->owner = xst_be64(b + ((kind == XST_DIRBLK_LEAF || kind == XST_DIRBLK_NODE) ?
					   XST_DA3_OWNER_OFF : XST_DIR3_OWNER_OFF));
	}

	if (kind != XST_DIRBLK_DATA && kind != XST_DIRBLK_BLOCK)
		return 0;	/* leaf, node, free: hashes and free space, no names */

	uint8_t seen[65536 / XST_DIR_DATA_ALIGN / 8] = { 0 };
	size_t n0 = out->n, count = 0;
	struct walk w = {
		.b = b, .start = hdr, .end = len, .geo = geo, .dblock = dblock,
		.crc_ok = info->crc_ok, .out = out, .info = info,
	};
	if (kind == XST_DIRBLK_BLOCK) {
		w.seen = seen;
		/* The leaf array sits below the tail; a count that does not fit
		 * leaves only the tail as a bound (the walk then relies on
		 * per-entry checks to stop at the leaf bytes). */
		uint64_t c = xst_be32(b + len - XST_DIR_BLOCK_TAIL);
		uint64_t leafbytes = c * XST_DIR_LEAF_ENTRY + XST_DIR_BLOCK_TAIL;
		if (leafbytes <= len - hdr) {
			w.end = len - (size_t)leafbytes;
			count = (size_t)c;
		} else {
			info->tail_ok = false;
			w.end = len - XST_DIR_BLOCK_TAIL;
		}
	}
	int r = walk_data(&w);
	if (r < 0 || !count)
		return r;
	return block_leaf(&w, w.end, count, n0);
}

/* One pass over a short-form dir with a given inode number width. */
static int sf_pass(const uint8_t *b, size_t len, bool ftype, bool i8,
		   struct xst_dirents *out, struct xst_dir_sf_info *info, size_t *endp)
{
	size_t isz = i8 ? 8 : 4;
	size_t off = i8 ? XST_DIR_SF_HDR8 : XST_DIR_SF_HDR4;
	size_t ft = ftype ? 1 : 0;
	unsigned int count = b[0];

	info->count = count;
	info->i8 = i8;
	info->parent = 0;
	info->entries = info->dropped = 0;
	info->truncated = false;
	if (!xst_fits(len, 0, off)) {
		info->truncated = true;
		*endp = len;
		return 0;
	}
	info->parent = i8 ? xst_be64(b + 2) : xst_be32(b + 2);
	if (!ino_plausible(info->parent))
		info->parent = 0;

	for (unsigned int i = 0; i < count; i++) {
		if (!xst_fits(len, off, XST_ATTR_SF_ENTRY_FIXED)) {
			info->truncated = true;
			break;
		}
		size_t namelen = b[off];
		size_t esize = 3 + namelen + ft + isz;
		if (!xst_fits(len, off, esize)) {
			info->truncated = true;
			break;
		}
		const uint8_t *name = b + off + 3;
		const uint8_t *ip = name + namelen + ft;
		uint64_t ino = i8 ? xst_be64(ip) : xst_be32(ip);
		/* namelen 0 still has a known size: skip it, keep walking. */
		if (namelen == 0 || !ino_plausible(ino)) {
			info->dropped++;
			off += esize;
			continue;
		}
		struct xst_dirent *e = dirents_add(out);
		if (!e)
			return -ENOMEM;
		e->ino = ino;
		e->offset = (uint32_t)off;
		e->namelen = (uint8_t)namelen;
		memcpy(e->name, name, namelen);
		e->ftype = ft ? name[namelen] : 0;
		e->crc_ok = true;
		e->flags = XST_DENT_SHORTFORM;
		if (name_bad_bytes(name, namelen) || name_is_dot(name, namelen))
			e->flags |= XST_DENT_NAME_SUSPECT;
		if (ft && e->ftype >= XST_DIR_FT_MAX)
			e->flags |= XST_DENT_FTYPE_BAD;
		info->entries++;
		off += esize;
	}
	*endp = off;
	return 0;
}

int xst_dir_sf_parse(const void *buf, size_t len, bool ftype,
		     struct xst_dirents *out, struct xst_dir_sf_info *info)
{
	struct xst_dir_sf_info dummy, alt_info;
	struct xst_dirents alt = { 0 };
	const uint8_t *b = buf;
	size_t n0, end, alt_end;
	int r;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (!buf || !out)
		return -EINVAL;
	if (len < 2) {
		info->truncated = true;
		return 0;
	}

	/*
	 * The i8count byte decides the width of every inode number; if it is
	 * damaged, every entry parses as garbage.  A correct parse consumes the
	 * fork exactly (callers pass di_size), so when the header's width does
	 * not and the other width does, believe the other one.
	 */
	n0 = out->n;
	bool i8 = b[1] != 0;
	r = sf_pass(b, len, ftype, i8, out, info, &end);
	if (r < 0 || end == len)
		return r;
	r = sf_pass(b, len, ftype, !i8, &alt, &alt_info, &alt_end);
	if (r < 0 || alt_end != len || alt_info.dropped > info->dropped) {
		xst_dirents_free(&alt);
		return r;
	}
	out->n = n0;
	for (size_t i = 0; i < alt.n; i++) {
		struct xst_dirent *e = dirents_add(out);
		if (!e) {
			xst_dirents_free(&alt);
			return -ENOMEM;
		}
		*e = alt.v[i];
	}
	*info = alt_info;
	xst_dirents_free(&alt);
	return 0;
}
