/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * On-disk facts the lenient salvage parsers need: magic numbers, header
 * sizes, field offsets and flag bits of XFS directory and xattr blocks, plus
 * bounds-checked big-endian readers and crc32c.  Written from the published
 * format description rather than from any implementation; we deliberately use
 * byte offsets instead of packed structs so that every read goes through a
 * bounds check against the buffer it came from.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- big-endian readers ------------------------------------------------ */

/* Callers check bounds first; these only assemble bytes. */
static inline uint16_t xst_be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t xst_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t xst_be64(const uint8_t *p)
{
	return (uint64_t)xst_be32(p) << 32 | xst_be32(p + 4);
}

static inline uint32_t xst_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* True when [off, off + n) lies inside a buffer of len bytes, without overflow. */
static inline bool xst_fits(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

/* ---- crc32c ------------------------------------------------------------ */

/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), standard init ~0 and
 * final inversion.  XFS v5 metadata blocks store this over the whole block,
 * computed with the 4-byte crc field taken as zero, stored little-endian.
 */
uint32_t xst_crc32c(uint32_t crc, const void *buf, size_t len);

/* The crc an XFS block should carry (field at crc_off treated as zero). */
uint32_t xst_xfs_block_crc(const void *buf, size_t len, size_t crc_off);

/* Whether the little-endian crc stored at crc_off matches the block. */
bool xst_xfs_block_crc_ok(const void *buf, size_t len, size_t crc_off);

/* ---- name hash --------------------------------------------------------- */

/*
 * The directory/xattr name hash (rotate-by-7 fold over 4-byte groups) that
 * XFS stores in leaf entries; a stored hash that matches the name is strong
 * evidence the name bytes survived intact.
 */
uint32_t xst_da_hashname(const uint8_t *name, size_t namelen);

/* ---- shared da-btree block header (leaf, node and attr blocks) --------- */

/* v4 blkinfo: forw be32, back be32, magic be16, pad be16. */
#define XST_DA_BLKINFO_SIZE	12
#define XST_DA_MAGIC_OFF	8
/* v5 adds crc le32 @12, blkno be64 @16, lsn be64 @24, uuid @32, owner be64 @48. */
#define XST_DA3_BLKINFO_SIZE	56
#define XST_DA3_CRC_OFF		12
#define XST_DA3_OWNER_OFF	48

#define XST_DA_NODE_MAGIC	0xfebe
#define XST_DA3_NODE_MAGIC	0x3ebe
#define XST_DIR2_LEAF1_MAGIC	0xd2f1
#define XST_DIR2_LEAFN_MAGIC	0xd2ff
#define XST_DIR3_LEAF1_MAGIC	0x3df1
#define XST_DIR3_LEAFN_MAGIC	0x3dff
#define XST_ATTR_LEAF_MAGIC	0xfbee
#define XST_ATTR3_LEAF_MAGIC	0x3bee

/* ---- directory blocks -------------------------------------------------- */

#define XST_DIR2_BLOCK_MAGIC	0x58443242u	/* "XD2B" v4 single-block dir */
#define XST_DIR2_DATA_MAGIC	0x58443244u	/* "XD2D" v4 data block */
#define XST_DIR2_FREE_MAGIC	0x58443246u	/* "XD2F" v4 free index */
#define XST_DIR3_BLOCK_MAGIC	0x58444233u	/* "XDB3" */
#define XST_DIR3_DATA_MAGIC	0x58444433u	/* "XDD3" */
#define XST_DIR3_FREE_MAGIC	0x58444633u	/* "XDF3" */

/* v4 data header: magic + 3 bestfree (offset be16, length be16). */
#define XST_DIR2_DATA_HDR_SIZE	16
/* v5: magic, crc @4, blkno, lsn, uuid, owner (48 bytes), bestfree, pad. */
#define XST_DIR3_DATA_HDR_SIZE	64
#define XST_DIR3_CRC_OFF	4
#define XST_DIR3_OWNER_OFF	40

/* Entries and unused regions are 8-byte aligned. */
#define XST_DIR_DATA_ALIGN	8
#define XST_DIR_FREETAG		0xffff
/* Unused region: freetag be16, length be16, ..., tag be16 at length - 2. */
#define XST_DIR_UNUSED_MIN	8
/* Entry: inumber be64, namelen u8, name, [ftype u8], tag be16, padded to 8. */
#define XST_DIR_ENTRY_FIXED	11
/* Block-format tail at the end of the block: count be32, stale be32. */
#define XST_DIR_BLOCK_TAIL	8
/* Each leaf entry in a block-format dir: hashval be32, address be32. */
#define XST_DIR_LEAF_ENTRY	8

/* Leaf1/leafn header: blkinfo, count be16, stale be16 (v5: + pad be32). */
#define XST_DIR2_LEAF_HDR_SIZE	16
#define XST_DIR3_LEAF_HDR_SIZE	64

/* File types stored in dirents when the ftype feature is on. */
#define XST_DIR_FT_MAX		9

/* Short-form dir header: count u8, i8count u8, parent (4 or 8 bytes). */
#define XST_DIR_SF_HDR4		6
#define XST_DIR_SF_HDR8		10

/* Largest inode number an XFS inode can carry (agno and agino fit in 56 bits). */
#define XST_INO_LIMIT		(1ull << 56)

/* ---- xattr blocks ------------------------------------------------------ */

/* On-disk namespace/state bits of a leaf entry or short-form entry. */
#define XST_ATTR_LOCAL		(1u << 0)
#define XST_ATTR_ROOT		(1u << 1)	/* trusted. */
#define XST_ATTR_SECURE		(1u << 2)	/* security. */
#define XST_ATTR_PARENT		(1u << 3)	/* parent pointer */
#define XST_ATTR_INCOMPLETE	(1u << 7)
#define XST_ATTR_NSP_MASK	(XST_ATTR_ROOT | XST_ATTR_SECURE | XST_ATTR_PARENT)

/*
 * Leaf header after blkinfo: count be16, usedbytes be16, firstused be16,
 * holes u8, pad u8, freemap[3] (base be16, size be16); v5 adds pad be32.
 */
#define XST_ATTR_LEAF_HDR_SIZE	32
#define XST_ATTR3_LEAF_HDR_SIZE	80
/* Offset of count within the header, after the blkinfo. */
#define XST_ATTR_LEAF_COUNT_REL	0
/* Leaf entry: hashval be32, nameidx be16, flags u8, pad u8. */
#define XST_ATTR_LEAF_ENTRY	8
/* Local name: valuelen be16, namelen u8, name, value; 4-byte aligned. */
#define XST_ATTR_LOCAL_FIXED	3
/* Remote name: valueblk be32, valuelen be32, namelen u8, name; 4-byte aligned. */
#define XST_ATTR_REMOTE_FIXED	9
#define XST_ATTR_NAME_ALIGN	4

/* Short-form attr fork: totsize be16, count u8, pad u8; entries namelen,
 * valuelen, flags (one byte each), then name and value, unaligned. */
#define XST_ATTR_SF_HDR		4
#define XST_ATTR_SF_ENTRY_FIXED	3

/* Remote value blocks: v5 header per fs block, v4 raw data. */
#define XST_ATTR3_RMT_MAGIC	0x5841524du	/* "XARM" */
/* magic be32, offset be32, bytes be32, crc le32, uuid[16], owner be64,
 * blkno be64, lsn be64. */
#define XST_ATTR3_RMT_HDR_SIZE	56
#define XST_ATTR3_RMT_CRC_OFF	12
#define XST_ATTR3_RMT_OWNER_OFF	32

/* Largest xattr value XFS accepts. */
#define XST_ATTR_VALUE_MAX	65536u

/* Parent pointer value: parent ino be64, generation be32. */
#define XST_PARENT_REC_SIZE	12
