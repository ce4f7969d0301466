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
};

/* Length of a plausible unused region at off, or 0. strict: tag must match. */
static size_t unused_at(const struct walk *w, size_t off, bool strict)
{
	const uint8_t *b = w->b;

	if (!xst_fits(w->end, off, XST_DIR_UNUSED_MIN) || xst_be16(b + off) != XST_DIR_FREETAG)
		return 0;
	size_t ulen = xst_be16(b + off + 2);
	if (ulen < XST_DIR_UNUSED_MIN || ulen % XST_DIR_DATA_ALIGN || !xst_fits(w->end, off, ulen))
		return 0;
	if (strict && xst_be16(b + off + ulen - 2) != off)
		return 0;
	return ulen;
}

/*
 * Try an entry at off. Returns its size if accepted (and appends it), 0 if
 * the bytes there are not an entry, or -ENOMEM. strict (after damage): the
 * tag must match, which is what makes a resync point trustworthy.
 */
static long entry_at(struct walk *w, size_t off, bool strict, bool resynced)
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
	if (!tag_ok && (strict || suspect))
		return 0;

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
	w->info->entries++;
	return (long)esize;
}

static int walk_data(struct walk *w)
{
	size_t off = w->start;
	bool damaged = false;	/* inside a span we could not parse */
	bool resynced = false;	/* the current run began after damage */

	while (off < w->end) {
		size_t ulen = unused_at(w, off, damaged);
		if (ulen) {
			off += ulen;
			if (damaged)
				resynced = true;
			damaged = false;
			continue;
		}
		long es = entry_at(w, off, damaged, damaged || resynced);
		if (es < 0)
			return (int)es;
		if (es > 0) {
			off += (size_t)es;
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
	/* Dir blocks are 4 KiB..64 KiB on disk; tags are 16-bit, so cap there. */
	if (len < hdr + XST_DIR_BLOCK_TAIL || len > 65536)
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

	struct walk w = {
		.b = b, .start = hdr, .end = len, .geo = geo, .dblock = dblock,
		.crc_ok = info->crc_ok, .out = out, .info = info,
	};
	if (kind == XST_DIRBLK_BLOCK) {
		/* The leaf array sits below the tail; a count that does not fit
		 * leaves only the tail as a bound (the walk then relies on
		 * per-entry checks to stop at the leaf bytes). */
		uint64_t count = xst_be32(b + len - XST_DIR_BLOCK_TAIL);
		uint64_t leafbytes = count * XST_DIR_LEAF_ENTRY + XST_DIR_BLOCK_TAIL;
		if (leafbytes <= len - hdr) {
			w.end = len - (size_t)leafbytes;
		} else {
			info->tail_ok = false;
			w.end = len - XST_DIR_BLOCK_TAIL;
		}
	}
	return walk_data(&w);
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
