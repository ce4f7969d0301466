/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lenient parsing of raw directory blocks for salvage.  Before the kernel
 * rebuilds a damaged directory we read its blocks straight from the device
 * and pull out every entry that is still structurally sound.  Magic numbers
 * and CRCs are not trusted (the damage may be exactly there); the CRC result
 * is reported per block so that entries from a failing block can be flagged
 * "recovered, content unverified".  Every length read from disk is bounded by
 * the buffer; nothing past the buffer is ever read.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Directory geometry, from the superblock. */
struct xst_dir_geo {
	uint32_t dirblksize;	/* bytes per directory block (multiple of 8, <= 64 KiB) */
	bool v5;		/* CRC-enabled (v5) layout: 64-byte data header */
	bool ftype;		/* entries carry a file type byte (always on v5) */
};

/* What a block holds, from its magic or, if damaged, from the caller's hint. */
enum xst_dirblk_kind {
	XST_DIRBLK_UNKNOWN = 0,	/* as a hint: decide from the magic */
	XST_DIRBLK_DATA,	/* XDD3 / XD2D: entries only */
	XST_DIRBLK_BLOCK,	/* XDB3 / XD2B: entries plus leaf and tail */
	XST_DIRBLK_LEAF,	/* leaf1/leafn: hashes, no names */
	XST_DIRBLK_NODE,	/* da-btree node: no names */
	XST_DIRBLK_FREE,	/* XDF3 / XD2F free index: no names */
};

/* Per-entry anomalies; an entry with any of these is still reported. */
enum {
	XST_DENT_CRC_BAD	= 1u << 0,	/* its block failed the CRC check */
	XST_DENT_TAG_MISMATCH	= 1u << 1,	/* stored tag != entry offset */
	XST_DENT_NAME_SUSPECT	= 1u << 2,	/* name holds '/' or NUL, or is "." / ".." off place */
	XST_DENT_FTYPE_BAD	= 1u << 3,	/* file type byte out of range */
	XST_DENT_RESYNC		= 1u << 4,	/* found after skipping damaged bytes */
	XST_DENT_SHORTFORM	= 1u << 5,	/* from the inode literal area */
	/* Not an anomaly: a leaf entry with this name's hash points at this
	 * entry, so the name bytes are confirmed even if the CRC failed. */
	XST_DENT_HASH_VERIFIED	= 1u << 6,
	XST_DENT_LEAF_RESCUED	= 1u << 7,	/* found only through a leaf pointer */
};

struct xst_dirent {
	uint64_t ino;
	uint32_t dblock;	/* directory block index, as the caller passed it */
	uint32_t offset;	/* byte offset of the entry in its block (sf: in the fork) */
	uint32_t flags;		/* XST_DENT_* */
	uint8_t ftype;		/* 0 when the fs has no ftype */
	bool crc_ok;		/* block passed its CRC (true for v4 and short form) */
	uint8_t namelen;	/* 1..255 */
	uint8_t name[256];	/* namelen bytes, NUL-terminated for convenience only */
};

/* A growing list of entries; zero-initialise, release with xst_dirents_free(). */
struct xst_dirents {
	struct xst_dirent *v;
	size_t n, cap;
};

/* What one parse learned about one block. */
struct xst_dirblock_info {
	enum xst_dirblk_kind kind;	/* as parsed */
	uint32_t magic;			/* as found on disk (be32 at 0, or be16 at 8) */
	bool magic_ok;			/* magic matches kind and fs version */
	bool crc_checked;		/* v5 block (CRC present) */
	bool crc_ok;			/* CRC matched (true when not checked) */
	bool tail_ok;			/* block format: leaf count fits */
	uint64_t owner;			/* v5 owner field (0 if v4) */
	uint32_t entries;		/* entries reported from this block */
	uint32_t tag_mismatches;
	uint32_t bad_regions;		/* damaged spans skipped to resync */
	uint32_t bad_bytes;		/* bytes in those spans */
	uint32_t dropped;		/* entry-like spans rejected as implausible */
	uint32_t leaf_entries;		/* leaf (hash, address) pairs read */
	uint32_t hash_verified;		/* entries confirmed by the leaf */
};

/*
 * Parse one directory block of geo->dirblksize bytes (len must equal it, or
 * -EINVAL).  hint says what the caller expects from the block's position in
 * the directory (data segment, leaf segment, single-block dir); it wins over
 * a damaged or contradicting magic.  Entries are appended to out.  Returns 0,
 * -EINVAL on bad arguments, -ENOMEM.  Damage is never an error: it is counted
 * in info (may be NULL).
 */
int xst_dirblock_parse(const void *buf, size_t len, const struct xst_dir_geo *geo,
		       uint32_t dblock, enum xst_dirblk_kind hint,
		       struct xst_dirents *out, struct xst_dirblock_info *info);

/* What a short-form parse learned. */
struct xst_dir_sf_info {
	uint64_t parent;	/* the ".." inode, 0 if unreadable */
	uint32_t count;		/* entries the header claims */
	uint32_t entries;	/* entries reported */
	bool i8;		/* 8-byte inode numbers */
	bool truncated;		/* ran out of bytes before count entries */
	uint32_t dropped;	/* implausible entries skipped */
};

/*
 * Parse a short-form directory from the data fork literal area (len bytes:
 * the fork size, or di_size if smaller).  ftype says whether entries carry a
 * file type byte.  Entries get dblock 0 and their byte offset in the fork.
 */
int xst_dir_sf_parse(const void *buf, size_t len, bool ftype,
		     struct xst_dirents *out, struct xst_dir_sf_info *info);

void xst_dirents_free(struct xst_dirents *d);

/* Hash/address pairs from the leaf blocks of a directory. */
struct xst_dirleaf_ent {
	uint32_t hash;
	uint32_t address;	/* byte address in the directory / 8; 0 = stale */
};

struct xst_dirleaf {
	struct xst_dirleaf_ent *v;
	size_t n, cap;
};

/*
 * Read the (hash, address) pairs of one leaf1/leafn block (len must be
 * dirblksize), bounded by the block; appended to out.  The magic is reported,
 * not trusted.  Stale pairs (address 0) are skipped.
 */
int xst_dirleaf_parse(const void *buf, size_t len, const struct xst_dir_geo *geo,
		      struct xst_dirleaf *out, struct xst_dirblock_info *info);

void xst_dirleaf_free(struct xst_dirleaf *l);

/*
 * Mark the entries of d whose name hash and location match a leaf pair with
 * XST_DENT_HASH_VERIFIED (the XFS name hash without ascii-ci folding).
 * Single-block directories get this from xst_dirblock_parse() already; for
 * larger ones, call it with the pairs of all leaf blocks.  Sorts l.
 * Returns the number of entries newly verified.
 */
size_t xst_dirents_check_leaf(struct xst_dirents *d, struct xst_dirleaf *l,
			      const struct xst_dir_geo *geo);

/* Name of a kind for messages and records. */
const char *xst_dirblk_kind_name(enum xst_dirblk_kind k);
