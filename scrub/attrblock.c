// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lenient xattr leaf, short-form and remote value parsers (see attrblock.h).
 * A leaf block is an array of fixed-size entries after the header, each
 * pointing (nameidx) at a name entry further down the block.  We bound the
 * array by the block, bound every name entry by the block, and use the
 * stored name hash as the integrity check that the magic and CRC can no
 * longer give us.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attrblock.h"
#include "ondisk.h"
#include "util.h"

const char *xst_attr_ns_name(enum xst_attr_ns ns)
{
	switch (ns) {
	case XST_ATTR_NS_USER: return "user";
	case XST_ATTR_NS_TRUSTED: return "trusted";
	case XST_ATTR_NS_SECURE: return "security";
	case XST_ATTR_NS_PARENT: return "parent";
	default: return "invalid";
	}
}

void xst_xattrs_free(struct xst_xattrs *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++)
		free(x->v[i].value);
	free(x->v);
	x->v = NULL;
	x->n = x->cap = 0;
}

static struct xst_xattr *xattrs_add(struct xst_xattrs *x)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 32;
		struct xst_xattr *v;

		if (cap > SIZE_MAX / sizeof(*v))
			return NULL;
		v = realloc(x->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		x->v = v;
		x->cap = cap;
	}
	struct xst_xattr *e = &x->v[x->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

static enum xst_attr_ns ns_of(uint8_t flags)
{
	switch (flags & XST_ATTR_NSP_MASK) {
	case 0: return XST_ATTR_NS_USER;
	case XST_ATTR_ROOT: return XST_ATTR_NS_TRUSTED;
	case XST_ATTR_SECURE: return XST_ATTR_NS_SECURE;
	case XST_ATTR_PARENT: return XST_ATTR_NS_PARENT;
	default: return XST_ATTR_NS_INVALID;
	}
}

uint32_t xst_attr_hash(enum xst_attr_ns ns, const uint8_t *name, size_t namelen,
		       const uint8_t *value, size_t valuelen)
{
	uint32_t h = xst_da_hashname(name, namelen);

	/* Parent pointers: the dirent hash of the name, xor both halves of the
	 * parent's inode number, so hard links with one name in several
	 * directories do not collide. */
	if (ns == XST_ATTR_NS_PARENT && value && valuelen == XST_PARENT_REC_SIZE) {
		uint64_t pino = xst_be64(value);
		h ^= (uint32_t)(pino >> 32) ^ (uint32_t)pino;
	}
	return h;
}

/*
 * Fill the common part of an entry and copy its name and (local) value.
 * Returns 0 or -ENOMEM.
 */
static int fill_entry(struct xst_xattr *e, uint8_t flags, const uint8_t *name, size_t namelen,
		      const uint8_t *value, size_t valuelen)
{
	e->disk_flags = flags;
	e->ns = ns_of(flags);
	e->incomplete = flags & XST_ATTR_INCOMPLETE;
	if (e->ns == XST_ATTR_NS_INVALID)
		e->flags |= XST_XATTR_NS_BAD;
	e->namelen = (uint8_t)namelen;
	memcpy(e->name, name, namelen);
	e->valuelen = (uint32_t)valuelen;
	if (value && valuelen) {
		e->value = malloc(valuelen);
		if (!e->value)
			return -ENOMEM;
		memcpy(e->value, value, valuelen);
	}
	if (e->ns == XST_ATTR_NS_PARENT && e->local && valuelen != XST_PARENT_REC_SIZE)
		e->flags |= XST_XATTR_PARENT_BAD;
	return 0;
}

/*
 * One leaf entry.  Returns 1 if reported, 0 if its name entry is unusable,
 * -ENOMEM.  need_hash: only report it when the stored hash matches (used for
 * slots past the header's count, where a match is our only evidence).
 */
static int leaf_entry(const uint8_t *b, size_t len, size_t ent, size_t names_start,
		      uint32_t ablock, bool crc_ok, bool need_hash, uint8_t *seen,
		      struct xst_xattrs *out, struct xst_attrblock_info *info)
{
	uint32_t hashval = xst_be32(b + ent);
	size_t nameidx = xst_be16(b + ent + 4);
	uint8_t flags = b[ent + 6];
	const uint8_t *name, *value = NULL;
	size_t namelen, valuelen;
	uint32_t valueblk = 0;
	bool local = flags & XST_ATTR_LOCAL;

	/* Name entries live after the entries array, inside the block. */
	if (nameidx < names_start || nameidx >= len)
		return 0;
	if (local) {
		if (!xst_fits(len, nameidx, XST_ATTR_LOCAL_FIXED))
			return 0;
		valuelen = xst_be16(b + nameidx);
		namelen = b[nameidx + 2];
		if (!xst_fits(len, nameidx, XST_ATTR_LOCAL_FIXED + namelen + valuelen))
			return 0;
		name = b + nameidx + XST_ATTR_LOCAL_FIXED;
		value = name + namelen;
	} else {
		if (!xst_fits(len, nameidx, XST_ATTR_REMOTE_FIXED))
			return 0;
		valueblk = xst_be32(b + nameidx);
		valuelen = xst_be32(b + nameidx + 4);
		namelen = b[nameidx + 8];
		if (!xst_fits(len, nameidx, XST_ATTR_REMOTE_FIXED + namelen))
			return 0;
		name = b + nameidx + XST_ATTR_REMOTE_FIXED;
	}
	if (namelen == 0)
		return 0;
	/* Two slots naming one name entry (a damaged nameidx): report it once. */
	if (seen[nameidx / 8] & (1u << (nameidx % 8)))
		return 0;

	bool hash_ok = xst_attr_hash(ns_of(flags), name, namelen, value, local ? valuelen : 0) == hashval;
	if (need_hash && !hash_ok)
		return 0;

	struct xst_xattr *e = xattrs_add(out);
	if (!e)
		return -ENOMEM;
	seen[nameidx / 8] |= (uint8_t)(1u << (nameidx % 8));
	e->local = local;
	e->ablock = ablock;
	e->offset = (uint32_t)nameidx;
	e->hashval = hashval;
	e->crc_ok = crc_ok;
	if (!crc_ok)
		e->flags |= XST_XATTR_CRC_BAD;
	if (!hash_ok) {
		e->flags |= XST_XATTR_HASH_MISMATCH;
		info->hash_mismatches++;
	}
	if (need_hash)
		e->flags |= XST_XATTR_BEYOND_COUNT;
	if (!local) {
		e->valueblk = valueblk;
		if (valuelen == 0 || valuelen > XST_ATTR_VALUE_MAX)
			e->flags |= XST_XATTR_VALUELEN_BAD;
	}
	int r = fill_entry(e, flags, name, namelen, value, local ? valuelen : 0);
	if (r < 0)
		return r;
	if (!local)
		e->valuelen = (uint32_t)valuelen;
	info->entries++;
	return 1;
}

int xst_attrblock_parse(const void *buf, size_t len, const struct xst_attr_geo *geo,
			uint32_t ablock, enum xst_attrblk_kind hint,
			struct xst_xattrs *out, struct xst_attrblock_info *info)
{
	struct xst_attrblock_info dummy;
	const uint8_t *b = buf;
	size_t hdr, infosz;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (!buf || !geo || !out || len != geo->blksize)
		return -EINVAL;
	hdr = geo->v5 ? XST_ATTR3_LEAF_HDR_SIZE : XST_ATTR_LEAF_HDR_SIZE;
	infosz = geo->v5 ? XST_DA3_BLKINFO_SIZE : XST_DA_BLKINFO_SIZE;
	/* nameidx is 16 bits: blocks above 64 KiB cannot be addressed. */
	if (len < hdr || len > 65536)
		return -EINVAL;

	uint16_t magic = xst_be16(b + XST_DA_MAGIC_OFF);
	enum xst_attrblk_kind mk = XST_ATTRBLK_UNKNOWN;
	if (magic == (geo->v5 ? XST_ATTR3_LEAF_MAGIC : XST_ATTR_LEAF_MAGIC))
		mk = XST_ATTRBLK_LEAF;
	else if (magic == (geo->v5 ? XST_DA3_NODE_MAGIC : XST_DA_NODE_MAGIC))
		mk = XST_ATTRBLK_NODE;
	enum xst_attrblk_kind kind = hint != XST_ATTRBLK_UNKNOWN ? hint :
				     mk != XST_ATTRBLK_UNKNOWN ? mk : XST_ATTRBLK_LEAF;
	info->kind = kind;
	info->magic = magic;
	info->magic_ok = mk == kind;
	info->crc_ok = true;
	if (geo->v5) {
		info->crc_checked = true;
		info->crc_ok = xst_xfs_block_crc_ok(b, len, XST_DA3_CRC_OFF);
		info->owner = xst_be64(b + XST_DA3_OWNER_OFF);
	}
	if (kind != XST_ATTRBLK_LEAF)
		return 0;

	size_t count = xst_be16(b + infosz + XST_ATTR_LEAF_COUNT_REL);
	size_t max = (len - hdr) / XST_ATTR_LEAF_ENTRY;
	info->count = (uint32_t)count;
	if (count > max) {
		info->count_bad = true;
		count = max;
	}
	/*
	 * Name entries start after the entries array.  With a damaged count we
	 * cannot know where that is; take the header end, and let per-entry
	 * checks (bounds, hash) sort good entries from garbage.
	 */
	size_t names_start = info->count_bad ? hdr : hdr + count * XST_ATTR_LEAF_ENTRY;
	uint8_t seen[65536 / 8] = { 0 };
	for (size_t i = 0; i < count; i++) {
		int r = leaf_entry(b, len, hdr + i * XST_ATTR_LEAF_ENTRY, names_start, ablock,
				   info->crc_ok, false, seen, out, info);
		if (r < 0)
			return r;
		if (r == 0)
			info->dropped++;
	}
	/*
	 * A count damaged downwards hides entries that are still there.  Keep
	 * reading slots while they point at a name whose hash matches; the
	 * first slot that does not ends the array.
	 */
	if (!info->count_bad) {
		for (size_t i = count; i < max; i++) {
			size_t ent = hdr + i * XST_ATTR_LEAF_ENTRY;
			int r = leaf_entry(b, len, ent, ent + XST_ATTR_LEAF_ENTRY, ablock,
					   info->crc_ok, true, seen, out, info);
			if (r < 0)
				return r;
			if (r == 0)
				break;
		}
	}
	return 0;
}

int xst_attr_sf_parse(const void *buf, size_t len, struct xst_xattrs *out,
		      struct xst_attr_sf_info *info)
{
	struct xst_attr_sf_info dummy;
	const uint8_t *b = buf;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (!buf || !out)
		return -EINVAL;
	if (len < XST_ATTR_SF_HDR) {
		info->truncated = true;
		return 0;
	}
	info->totsize = xst_be16(b);
	info->count = b[2];

	/*
	 * totsize bounds the entries when sane; a damaged one must not hide
	 * entries that fit the fork, so the fork size is the hard bound.
	 */
	size_t off = XST_ATTR_SF_HDR;
	for (unsigned int i = 0; i < info->count; i++) {
		if (!xst_fits(len, off, XST_ATTR_SF_ENTRY_FIXED)) {
			info->truncated = true;
			break;
		}
		size_t namelen = b[off], valuelen = b[off + 1];
		uint8_t flags = b[off + 2];
		size_t esize = XST_ATTR_SF_ENTRY_FIXED + namelen + valuelen;
		if (!xst_fits(len, off, esize)) {
			info->truncated = true;
			break;
		}
		if (namelen == 0) {
			info->dropped++;
			off += esize;
			continue;
		}
		struct xst_xattr *e = xattrs_add(out);
		if (!e)
			return -ENOMEM;
		const uint8_t *name = b + off + XST_ATTR_SF_ENTRY_FIXED;
		e->local = true;
		e->crc_ok = true;
		e->offset = (uint32_t)off;
		e->flags = XST_XATTR_SHORTFORM;
		int r = fill_entry(e, flags, name, namelen, name + namelen, valuelen);
		if (r < 0)
			return r;
		info->entries++;
		off += esize;
	}
	info->totsize_bad = off != info->totsize;
	return 0;
}

uint32_t xst_attr_rmt_blocks(uint32_t valuelen, uint32_t blksize, bool v5)
{
	uint32_t per = v5 ? blksize - XST_ATTR3_RMT_HDR_SIZE : blksize;

	if (blksize <= XST_ATTR3_RMT_HDR_SIZE || valuelen == 0)
		return 0;
	return (uint32_t)(((uint64_t)valuelen + per - 1) / per);
}

int xst_attr_rmt_assemble(const void *const *blocks, size_t nblocks, uint32_t blksize,
			  bool v5, uint64_t owner, uint32_t valuelen,
			  uint8_t **valuep, struct xst_attr_rmt_info *info)
{
	struct xst_attr_rmt_info dummy;
	_cleanup_free_ uint8_t *val = NULL;
	size_t hdr = v5 ? XST_ATTR3_RMT_HDR_SIZE : 0;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (!valuep || (nblocks && !blocks) || valuelen > XST_ATTR_VALUE_MAX ||
	    blksize <= XST_ATTR3_RMT_HDR_SIZE || blksize > 65536)
		return -EINVAL;
	*valuep = NULL;
	uint32_t need = xst_attr_rmt_blocks(valuelen, blksize, v5);
	if (nblocks < need)
		return -EINVAL;
	info->crc_ok = true;
	if (valuelen == 0)
		return 0;
	val = malloc(valuelen);
	if (!val)
		return -ENOMEM;

	size_t per = blksize - hdr, done = 0;
	for (uint32_t i = 0; i < need; i++) {
		const uint8_t *b = blocks[i];
		size_t n = MIN(per, (size_t)valuelen - done);

		info->blocks++;
		if (!b) {
			memset(val + done, 0, n);
			info->missing++;
			info->crc_ok = false;
			done += n;
			continue;
		}
		if (v5) {
			bool hdr_ok = xst_be32(b) == XST_ATTR3_RMT_MAGIC &&
				      xst_be32(b + 4) == done && xst_be32(b + 8) == n &&
				      (!owner || xst_be64(b + XST_ATTR3_RMT_OWNER_OFF) == owner);
			if (!hdr_ok) {
				info->hdr_bad++;
				info->crc_ok = false;
			}
			if (!xst_xfs_block_crc_ok(b, blksize, XST_ATTR3_RMT_CRC_OFF)) {
				info->crc_bad++;
				info->crc_ok = false;
			}
		}
		memcpy(val + done, b + hdr, n);
		done += n;
	}
	*valuep = TAKE_PTR(val);
	return 0;
}
