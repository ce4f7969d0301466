/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lenient parsing of raw xattr fork contents for salvage: leaf blocks,
 * short-form attr forks in the inode, and remote value blocks.  The kernel's
 * xattr repair drops a whole leaf when its magic is damaged; these parsers
 * read such blocks anyway, validate structure instead of magic/CRC, and
 * report per entry how far it can be trusted (CRC of its block, stored hash
 * against the name) so that salvage can restore what is sound and flag the
 * rest.  Nothing read from disk is trusted as a length without a bound.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xst_attr_ns {
	XST_ATTR_NS_USER = 0,	/* user. */
	XST_ATTR_NS_TRUSTED,	/* trusted. (on-disk ROOT flag) */
	XST_ATTR_NS_SECURE,	/* security. */
	XST_ATTR_NS_PARENT,	/* parent pointer (private namespace) */
	XST_ATTR_NS_INVALID,	/* more than one namespace bit set */
};

/* Per-entry anomalies; flagged entries are still reported. */
enum {
	XST_XATTR_CRC_BAD	= 1u << 0,	/* its block failed the CRC check */
	XST_XATTR_HASH_MISMATCH	= 1u << 1,	/* stored hash does not match the name */
	XST_XATTR_NS_BAD	= 1u << 2,	/* contradictory namespace bits */
	XST_XATTR_BEYOND_COUNT	= 1u << 3,	/* found past the header's count */
	XST_XATTR_VALUELEN_BAD	= 1u << 4,	/* remote valuelen 0 or > 64 KiB */
	XST_XATTR_PARENT_BAD	= 1u << 5,	/* parent pointer value not 12 bytes */
	XST_XATTR_SHORTFORM	= 1u << 6,	/* from the inode literal area */
};

struct xst_xattr {
	enum xst_attr_ns ns;
	uint8_t disk_flags;	/* raw on-disk flags byte (XST_ATTR_* in ondisk.h) */
	bool local;		/* value stored in the entry */
	bool incomplete;	/* INCOMPLETE: a set that never finished */
	bool crc_ok;		/* block passed its CRC (true for v4 and short form) */
	uint32_t flags;		/* XST_XATTR_* */
	uint32_t ablock;	/* attr fork block index, as the caller passed it */
	uint32_t offset;	/* byte offset of the name entry in its block/fork */
	uint32_t hashval;	/* as stored (0 for short form) */
	uint32_t valuelen;
	uint8_t *value;		/* local: valuelen bytes (malloc'd; NULL if 0 or remote) */
	uint32_t valueblk;	/* remote: first attr fork block of the value */
	uint8_t namelen;	/* 1..255 */
	uint8_t name[256];	/* namelen bytes, NUL-terminated for convenience only */
};

/* Zero-initialise; release with xst_xattrs_free() (frees the values too). */
struct xst_xattrs {
	struct xst_xattr *v;
	size_t n, cap;
};

enum xst_attrblk_kind {
	XST_ATTRBLK_UNKNOWN = 0,	/* as a hint: decide from the magic */
	XST_ATTRBLK_LEAF,
	XST_ATTRBLK_NODE,		/* da-btree node: hashes only, skipped */
};

struct xst_attrblock_info {
	enum xst_attrblk_kind kind;
	uint16_t magic;			/* be16 at offset 8, as found */
	bool magic_ok;
	bool crc_checked;		/* v5 block */
	bool crc_ok;			/* true when not checked */
	uint64_t owner;			/* v5 owner field */
	uint32_t count;			/* header's entry count, as found */
	bool count_bad;			/* entries array would not fit the block */
	uint32_t entries;		/* reported from this block */
	uint32_t dropped;		/* entries whose name entry was unusable */
	uint32_t hash_mismatches;
};

/* Xattr geometry: attr blocks are one fs block. */
struct xst_attr_geo {
	uint32_t blksize;
	bool v5;
};

/*
 * Parse one attr fork block of geo->blksize bytes (len must equal it).  hint
 * overrides the magic when the caller knows what the block is.  Entries are
 * appended to out.  Returns 0, -EINVAL on bad arguments, -ENOMEM; damage is
 * counted in info (may be NULL), never an error.
 */
int xst_attrblock_parse(const void *buf, size_t len, const struct xst_attr_geo *geo,
			uint32_t ablock, enum xst_attrblk_kind hint,
			struct xst_xattrs *out, struct xst_attrblock_info *info);

struct xst_attr_sf_info {
	uint32_t totsize;	/* header's total size, as found */
	uint32_t count;		/* header's entry count */
	uint32_t entries;	/* reported */
	uint32_t dropped;	/* namelen 0 */
	bool truncated;		/* ran out of bytes before count entries */
	bool totsize_bad;	/* entries did not end at totsize */
};

/* Parse a short-form attr fork (len: the attr fork literal area size). */
int xst_attr_sf_parse(const void *buf, size_t len, struct xst_xattrs *out,
		      struct xst_attr_sf_info *info);

void xst_xattrs_free(struct xst_xattrs *x);

/* Number of fs blocks a remote value of valuelen bytes occupies. */
uint32_t xst_attr_rmt_blocks(uint32_t valuelen, uint32_t blksize, bool v5);

struct xst_attr_rmt_info {
	uint32_t blocks;	/* blocks used */
	uint32_t missing;	/* NULL blocks (holes), zero-filled */
	uint32_t crc_bad;	/* v5 blocks failing CRC */
	uint32_t hdr_bad;	/* v5 headers with wrong magic/offset/bytes/owner */
	bool crc_ok;		/* all blocks present, CRCs and headers good */
};

/*
 * Assemble a remote value of valuelen bytes (<= 64 KiB) from nblocks fs blocks
 * of blksize bytes each, in attr fork order starting at the entry's valueblk;
 * a NULL block is a hole and reads as zeroes.  nblocks must be at least
 * xst_attr_rmt_blocks().  owner (the inode number, 0 = unknown) is checked
 * against v5 headers.  The value bytes are taken from where they must be,
 * whatever the headers say; header disagreement is reported in info.
 * On success *valuep is a malloc'd buffer of valuelen bytes (NULL if 0).
 */
int xst_attr_rmt_assemble(const void *const *blocks, size_t nblocks, uint32_t blksize,
			  bool v5, uint64_t owner, uint32_t valuelen,
			  uint8_t **valuep, struct xst_attr_rmt_info *info);

/* "user", "trusted", "security", "parent" or "invalid". */
const char *xst_attr_ns_name(enum xst_attr_ns ns);

/* Hash XFS stores for an xattr name (parent pointers mix in the parent ino). */
uint32_t xst_attr_hash(enum xst_attr_ns ns, const uint8_t *name, size_t namelen,
		       const uint8_t *value, size_t valuelen);
