// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the lenient directory parsers (scrub/dirblock.c), on
 * hand-built blocks: good ones, then each kind of damage salvage must
 * survive (magic, CRC, lengths, counts) without losing the sound entries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dirblock.h"
#include "ondisk.h"

#define BLK 4096

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v >> 32); put32(p + 4, v); }

static void seal(uint8_t *b, size_t len, size_t crc_off)
{
	uint32_t c = xst_xfs_block_crc(b, len, crc_off);
	b[crc_off] = c; b[crc_off + 1] = c >> 8; b[crc_off + 2] = c >> 16; b[crc_off + 3] = c >> 24;
}

/* Writes an entry at off, returns its size. */
static size_t put_entry(uint8_t *b, size_t off, uint64_t ino, const char *name, uint8_t ft, bool ftype)
{
	size_t nl = strlen(name);
	size_t sz = (11 + nl + (ftype ? 1 : 0) + 7) & ~(size_t)7;
	memset(b + off, 0, sz);
	put64(b + off, ino);
	b[off + 8] = nl;
	memcpy(b + off + 9, name, nl);
	if (ftype)
		b[off + 9 + nl] = ft;
	put16(b + off + sz - 2, off);
	return sz;
}

static void put_unused(uint8_t *b, size_t off, size_t len)
{
	put16(b + off, 0xffff);
	put16(b + off + 2, len);
	put16(b + off + len - 2, off);
}

static const char *names[] = { ".", "..", "alpha", "a-much-longer-name-for-a-file.txt", "z" };

/* A v5 data (or block) block with the five names; returns the data end. */
static size_t build_v5(uint8_t *b, uint32_t magic, size_t *offs)
{
	size_t end = BLK, off = XST_DIR3_DATA_HDR_SIZE;

	memset(b, 0, BLK);
	put32(b, magic);
	put64(b + XST_DIR3_OWNER_OFF, 128);
	if (magic == XST_DIR3_BLOCK_MAGIC) {
		put32(b + BLK - 8, 5);		/* leaf count */
		end = BLK - 8 - 5 * 8;
	}
	for (size_t i = 0; i < 5; i++) {
		if (offs)
			offs[i] = off;
		if (magic == XST_DIR3_BLOCK_MAGIC) {
			/* Leaf pairs: name hash, address in 8-byte units (unsorted is fine). */
			put32(b + end + i * 8, xst_da_hashname((const uint8_t *)names[i], strlen(names[i])));
			put32(b + end + i * 8 + 4, off / 8);
		}
		off += put_entry(b, off, 128 + i, names[i], i < 2 ? 2 : 1, true);
	}
	put_unused(b, off, end - off);
	seal(b, BLK, XST_DIR3_CRC_OFF);
	return end;
}

static const struct xst_dir_geo geo5 = { .dirblksize = BLK, .v5 = true, .ftype = true };

static void check_names(const struct xst_dirents *d, uint32_t flags_want)
{
	assert_int_equal(d->n, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(d->v[i].namelen, strlen(names[i]));
		assert_memory_equal(d->v[i].name, names[i], d->v[i].namelen);
		assert_int_equal(d->v[i].ino, 128 + i);
		assert_int_equal(d->v[i].ftype, i < 2 ? 2 : 1);
		assert_int_equal(d->v[i].flags, flags_want);
	}
}

static void test_crc32c(void **state)
{
	(void)state;
	/* The standard CRC-32C check value. */
	assert_int_equal(xst_crc32c(0, "123456789", 9), 0xe3069283);
	/* Hashes as xfs_db's "hash" command prints them. */
	assert_int_equal(xst_da_hashname((const uint8_t *)"a", 1), 0x61);
	assert_int_equal(xst_da_hashname((const uint8_t *)"ab", 2), 0x30e2);
	assert_int_equal(xst_da_hashname((const uint8_t *)"abc", 3), 0x187163);
	assert_int_equal(xst_da_hashname((const uint8_t *)"abcd", 4), 0xc38b1e4);
	assert_int_equal(xst_da_hashname((const uint8_t *)"attr1", 5), 0x1e9d3937);
}

static void test_good_data(void **state)
{
	uint8_t b[BLK];
	size_t offs[5];
	struct xst_dirents d = { 0 };
	struct xst_dirblock_info info;

	(void)state;
	build_v5(b, XST_DIR3_DATA_MAGIC, offs);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_UNKNOWN, &d, &info), 0);
	assert_int_equal(info.kind, XST_DIRBLK_DATA);
	assert_true(info.magic_ok);
	assert_true(info.crc_checked);
	assert_true(info.crc_ok);
	assert_int_equal(info.owner, 128);
	assert_int_equal(info.bad_regions, 0);
	check_names(&d, 0);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(d.v[i].offset, offs[i]);
		assert_true(d.v[i].crc_ok);
	}
	xst_dirents_free(&d);
}

static void test_bad_magic(void **state)
{
	uint8_t b[BLK];
	struct xst_dirents d = { 0 };
	struct xst_dirblock_info info;

	(void)state;
	build_v5(b, XST_DIR3_DATA_MAGIC, NULL);
	put32(b, 0xdeadbeef);
	seal(b, BLK, XST_DIR3_CRC_OFF);	/* only the magic is wrong */
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_UNKNOWN, &d, &info), 0);
	assert_false(info.magic_ok);
	assert_true(info.crc_ok);
	check_names(&d, 0);
	xst_dirents_free(&d);

	/* Magic says leaf, position says data: the caller's hint wins. */
	build_v5(b, XST_DIR3_DATA_MAGIC, NULL);
	put32(b, 0);
	put16(b + 8, XST_DIR3_LEAF1_MAGIC);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_DATA, &d, &info), 0);
	assert_false(info.magic_ok);
	assert_false(info.crc_ok);
	check_names(&d, XST_DENT_CRC_BAD);
	xst_dirents_free(&d);
}

static void test_bad_crc(void **state)
{
	uint8_t b[BLK];
	struct xst_dirents d = { 0 };
	struct xst_dirblock_info info;

	(void)state;
	build_v5(b, XST_DIR3_DATA_MAGIC, NULL);
	b[BLK - 100] ^= 0x40;	/* bit rot inside the unused region */
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_UNKNOWN, &d, &info), 0);
	assert_true(info.magic_ok);
	assert_false(info.crc_ok);
	check_names(&d, XST_DENT_CRC_BAD);
	for (size_t i = 0; i < 5; i++)
		assert_false(d.v[i].crc_ok);
	xst_dirents_free(&d);
}

static void test_block_format(void **state)
{
	uint8_t b[BLK];
	struct xst_dirents d = { 0 };
	struct xst_dirblock_info info;

	(void)state;
	build_v5(b, XST_DIR3_BLOCK_MAGIC, NULL);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_UNKNOWN, &d, &info), 0);
	assert_int_equal(info.kind, XST_DIRBLK_BLOCK);
	assert_true(info.tail_ok);
	assert_true(info.crc_ok);
	assert_int_equal(info.leaf_entries, 5);
	assert_int_equal(info.hash_verified, 5);
	check_names(&d, XST_DENT_HASH_VERIFIED);
	assert_int_equal(info.bad_regions, 0);
	xst_dirents_free(&d);

	/* Bit rot in a name: the CRC fails and that entry loses its hash proof. */
	build_v5(b, XST_DIR3_BLOCK_MAGIC, NULL);
	b[64 + 16 + 16 + 9] ^= 0x01;	/* "alpha" -> "`lpha" */
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_BLOCK, &d, &info), 0);
	assert_false(info.crc_ok);
	assert_int_equal(d.n, 5);
	assert_int_equal(info.hash_verified, 4);
	assert_int_equal(d.v[2].flags, XST_DENT_CRC_BAD);
	assert_int_equal(d.v[3].flags, XST_DENT_CRC_BAD | XST_DENT_HASH_VERIFIED);
	xst_dirents_free(&d);

	/* Two neighbours damaged: the chain loses "alpha" (bad tag right after
	 * damage), the leaf pointer and its hash bring it back. */
	size_t offs[5];
	build_v5(b, XST_DIR3_BLOCK_MAGIC, offs);
	memset(b + offs[1], 0, 8);		/* "..": inode 0 */
	put16(b + offs[2] + 22, 0x4242);	/* "alpha": tag */
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_BLOCK, &d, &info), 0);
	assert_int_equal(d.n, 4);
	assert_memory_equal(d.v[3].name, "alpha", 5);
	assert_true(d.v[3].flags & XST_DENT_LEAF_RESCUED);
	assert_true(d.v[3].flags & XST_DENT_HASH_VERIFIED);
	assert_true(d.v[2].flags & XST_DENT_RESYNC);
	xst_dirents_free(&d);

	/* A huge leaf count: the tail is the only bound, entries survive. */
	build_v5(b, XST_DIR3_BLOCK_MAGIC, NULL);
	put32(b + BLK - 8, 0xffffffff);
	seal(b, BLK, XST_DIR3_CRC_OFF);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_BLOCK, &d, &info), 0);
	assert_false(info.tail_ok);
	check_names(&d, 0);
	xst_dirents_free(&d);
}

static void test_damaged_entry_resync(void **state)
{
	uint8_t b[BLK];
	size_t offs[5];
	struct xst_dirents d = { 0 };
	struct xst_dirblock_info info;

	(void)state;
	build_v5(b, XST_DIR3_DATA_MAGIC, offs);
	/* Stomp the long name's inode number and length: the chain breaks. */
	memset(b + offs[3], 0, 9);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_DATA, &d, &info), 0);
	assert_int_equal(info.bad_regions, 1);
	assert_true(info.bad_bytes > 0);
	assert_int_equal(d.n, 4);
	assert_memory_equal(d.v[3].name, "z", 1);
	assert_true(d.v[3].flags & XST_DENT_RESYNC);
	assert_false(d.v[2].flags & XST_DENT_RESYNC);
	xst_dirents_free(&d);
}

static void test_namelen_zero_and_ino(void **state)
{
	uint8_t b[BLK];
	size_t offs[5];
	struct xst_dirents d = { 0 };
	struct xst_dirblock_info info;

	(void)state;
	build_v5(b, XST_DIR3_DATA_MAGIC, offs);
	b[offs[2] + 8] = 0;			/* "alpha": namelen 0 */
	put64(b + offs[4], 1ull << 56);		/* "z": impossible inode */
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_DATA, &d, &info), 0);
	assert_int_equal(d.n, 3);
	assert_memory_equal(d.v[2].name, "a-much-longer-name-for-a-file.txt", 33);
	assert_true(d.v[2].flags & XST_DENT_RESYNC);
	assert_true(info.bad_regions >= 2);
	xst_dirents_free(&d);

	build_v5(b, XST_DIR3_DATA_MAGIC, offs);
	put64(b + offs[4], 0);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_DATA, &d, &info), 0);
	assert_int_equal(d.n, 4);
	xst_dirents_free(&d);
}

static void test_unused_length_damage(void **state)
{
	uint8_t b[BLK];
	size_t off = XST_DIR3_DATA_HDR_SIZE;
	struct xst_dirents d = { 0 };
	struct xst_dirblock_info info;

	(void)state;
	memset(b, 0, BLK);
	put32(b, XST_DIR3_DATA_MAGIC);
	off += put_entry(b, off, 200, "first", 1, true);
	size_t hole = off;
	put_unused(b, off, 32);			/* a deleted entry's space */
	off += 32;
	off += put_entry(b, off, 201, "second", 1, true);
	off += put_entry(b, off, 202, "third", 1, true);
	put_unused(b, off, BLK - off);
	/* A length that is sane-looking but wrong would jump over two entries. */
	put16(b + hole + 2, 128);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_DATA, &d, &info), 0);
	assert_int_equal(d.n, 3);
	assert_memory_equal(d.v[1].name, "second", 6);
	assert_memory_equal(d.v[2].name, "third", 5);
	assert_int_equal(info.bad_regions, 1);
	xst_dirents_free(&d);
}

static void test_leaf_blocks(void **state)
{
	uint8_t b[BLK], leaf[BLK];
	size_t offs[5];
	struct xst_dirents d = { 0 };
	struct xst_dirleaf l = { 0 };
	struct xst_dirblock_info info;

	(void)state;
	/* A data block as directory block 3, and a leafn block pointing into it. */
	build_v5(b, XST_DIR3_DATA_MAGIC, offs);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 3, XST_DIRBLK_DATA, &d, &info), 0);
	assert_int_equal(info.hash_verified, 0);
	memset(leaf, 0, BLK);
	put16(leaf + 8, XST_DIR3_LEAFN_MAGIC);
	put16(leaf + XST_DA3_BLKINFO_SIZE, 6);
	for (size_t i = 0; i < 5; i++) {
		put32(leaf + 64 + i * 8, xst_da_hashname((const uint8_t *)names[i], strlen(names[i])));
		put32(leaf + 64 + i * 8 + 4, (3 * BLK + offs[i]) / 8);
	}
	/* A stale pair (address 0) is skipped. */
	put32(leaf + 64 + 5 * 8, 0x12345678);
	seal(leaf, BLK, XST_DA3_CRC_OFF);
	assert_int_equal(xst_dirleaf_parse(leaf, BLK, &geo5, &l, &info), 0);
	assert_true(info.magic_ok);
	assert_true(info.crc_ok);
	assert_int_equal(l.n, 5);
	/* Rot one name: four of five confirmed. */
	d.v[4].name[0] ^= 1;
	assert_int_equal(xst_dirents_check_leaf(&d, &l, &geo5), 4);
	assert_false(d.v[4].flags & XST_DENT_HASH_VERIFIED);
	assert_true(d.v[0].flags & XST_DENT_HASH_VERIFIED);
	xst_dirleaf_free(&l);

	/* Huge count: bounded by the block. */
	put16(leaf + XST_DA3_BLKINFO_SIZE, 0xffff);
	assert_int_equal(xst_dirleaf_parse(leaf, BLK, &geo5, &l, &info), 0);
	assert_false(info.tail_ok);
	assert_int_equal(l.n, 5);
	xst_dirleaf_free(&l);
	xst_dirents_free(&d);
}

static void test_tag_mismatch(void **state)
{
	uint8_t b[BLK];
	size_t offs[5];
	struct xst_dirents d = { 0 };
	struct xst_dirblock_info info;

	(void)state;
	build_v5(b, XST_DIR3_DATA_MAGIC, offs);
	/* "alpha" is 8+1+5+1+2 = 17 -> 24 bytes: tag at +22. */
	put16(b + offs[2] + 22, 0x1234);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_DATA, &d, &info), 0);
	assert_int_equal(d.n, 5);
	assert_int_equal(info.tag_mismatches, 1);
	assert_int_equal(d.v[2].flags, XST_DENT_TAG_MISMATCH | XST_DENT_CRC_BAD);
	xst_dirents_free(&d);
}

static void test_entry_past_end(void **state)
{
	/* Exactly-sized heap buffer so ASan catches any read past it. */
	uint8_t *b = malloc(BLK);
	struct xst_dirents d = { 0 };
	struct xst_dirblock_info info;
	size_t off = BLK - 16;

	(void)state;
	assert_non_null(b);
	build_v5(b, XST_DIR3_DATA_MAGIC, NULL);
	/* Replace the trailing free space with an entry claiming 255 bytes of name. */
	put_unused(b, 64 + 16 + 16 + 24 + 48 + 16, off - (64 + 16 + 16 + 24 + 48 + 16));
	put64(b + off, 999);
	b[off + 8] = 255;
	memset(b + off + 9, 'x', 7);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_DATA, &d, &info), 0);
	assert_int_equal(d.n, 5);
	assert_int_equal(info.bad_regions, 1);
	assert_int_equal(info.bad_bytes, 16);
	xst_dirents_free(&d);

	/* Unused region claiming more than the block. */
	build_v5(b, XST_DIR3_DATA_MAGIC, NULL);
	put16(b + 64 + 16 + 16 + 24 + 48 + 16 + 2, 0xfff8);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_DATA, &d, &info), 0);
	assert_int_equal(d.n, 5);
	assert_int_equal(info.bad_regions, 1);
	xst_dirents_free(&d);

	/* Wrong length for the geometry, or a size leaf addresses cannot express. */
	assert_int_equal(xst_dirblock_parse(b, BLK - 8, &geo5, 0, XST_DIRBLK_DATA, &d, &info), -EINVAL);
	const struct xst_dir_geo odd = { .dirblksize = BLK - 4, .v5 = true, .ftype = true };
	assert_int_equal(xst_dirblock_parse(b, BLK - 4, &odd, 0, XST_DIRBLK_DATA, &d, &info), -EINVAL);
	assert_int_equal(d.n, 0);
	free(b);
}

static void test_v4_and_skipped(void **state)
{
	uint8_t b[BLK];
	struct xst_dirents d = { 0 };
	struct xst_dirblock_info info;
	const struct xst_dir_geo geo4 = { .dirblksize = BLK, .v5 = false, .ftype = false };
	size_t off = XST_DIR2_DATA_HDR_SIZE;

	(void)state;
	memset(b, 0, BLK);
	put32(b, XST_DIR2_DATA_MAGIC);
	off += put_entry(b, off, 77, "old-style", 0, false);
	off += put_entry(b, off, 78, "x", 0, false);
	put_unused(b, off, BLK - off);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo4, 3, XST_DIRBLK_UNKNOWN, &d, &info), 0);
	assert_true(info.magic_ok);
	assert_false(info.crc_checked);
	assert_true(info.crc_ok);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.v[0].ino, 77);
	assert_int_equal(d.v[0].dblock, 3);
	assert_memory_equal(d.v[1].name, "x", 1);
	assert_int_equal(d.v[1].ftype, 0);
	xst_dirents_free(&d);

	/* A v5 leaf, node and free block carry no names. */
	memset(b, 0, BLK);
	put16(b + 8, XST_DIR3_LEAF1_MAGIC);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_UNKNOWN, &d, &info), 0);
	assert_int_equal(info.kind, XST_DIRBLK_LEAF);
	put16(b + 8, XST_DA3_NODE_MAGIC);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_UNKNOWN, &d, &info), 0);
	assert_int_equal(info.kind, XST_DIRBLK_NODE);
	put32(b, XST_DIR3_FREE_MAGIC);
	assert_int_equal(xst_dirblock_parse(b, BLK, &geo5, 0, XST_DIRBLK_UNKNOWN, &d, &info), 0);
	assert_int_equal(info.kind, XST_DIRBLK_FREE);
	assert_int_equal(d.n, 0);
}

/* Short form: count, i8count, parent, then namelen, offset, name, ftype, ino. */
static size_t sf_build(uint8_t *b, bool i8, unsigned int n, bool ftype)
{
	size_t isz = i8 ? 8 : 4, off = 2 + isz;

	b[0] = n;
	b[1] = i8 ? 1 : 0;
	if (i8)
		put64(b + 2, 1ull << 40);
	else
		put32(b + 2, 128);
	for (unsigned int i = 0; i < n; i++) {
		char name[16];
		size_t nl = (size_t)snprintf(name, sizeof(name), "file%u", i);
		b[off] = nl;
		put16(b + off + 1, 0x60 + 16 * i);
		memcpy(b + off + 3, name, nl);
		off += 3 + nl;
		if (ftype)
			b[off++] = 1;
		if (i8)
			put64(b + off, (1ull << 40) + i + 1);
		else
			put32(b + off, 200 + i);
		off += isz;
	}
	return off;
}

static void test_shortform(void **state)
{
	uint8_t b[256];
	struct xst_dirents d = { 0 };
	struct xst_dir_sf_info info;
	size_t len;

	(void)state;
	memset(b, 0, sizeof(b));
	len = sf_build(b, false, 4, true);
	assert_int_equal(xst_dir_sf_parse(b, len, true, &d, &info), 0);
	assert_int_equal(info.parent, 128);
	assert_int_equal(info.entries, 4);
	assert_false(info.truncated);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.v[3].ino, 203);
	assert_memory_equal(d.v[3].name, "file3", 5);
	assert_int_equal(d.v[3].ftype, 1);
	assert_int_equal(d.v[3].flags, XST_DENT_SHORTFORM);
	xst_dirents_free(&d);

	/* 8-byte inode numbers. */
	len = sf_build(b, true, 3, true);
	assert_int_equal(xst_dir_sf_parse(b, len, true, &d, &info), 0);
	assert_true(info.i8);
	assert_int_equal(info.parent, 1ull << 40);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.v[2].ino, (1ull << 40) + 3);
	xst_dirents_free(&d);

	/* A flipped i8count: the width that consumes the fork exactly wins. */
	len = sf_build(b, false, 4, true);
	b[1] = 0x10;
	assert_int_equal(xst_dir_sf_parse(b, len, true, &d, &info), 0);
	assert_false(info.i8);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.v[0].ino, 200);
	xst_dirents_free(&d);

	/* Truncated: the last entry runs past the buffer. */
	len = sf_build(b, false, 4, false);
	assert_int_equal(xst_dir_sf_parse(b, len - 2, false, &d, &info), 0);
	assert_true(info.truncated);
	assert_int_equal(d.n, 3);
	xst_dirents_free(&d);

	/* Huge count and a namelen 0 entry. */
	len = sf_build(b, false, 4, true);
	b[0] = 255;
	b[6] = 0;	/* first entry: namelen 0, its size is still known */
	assert_int_equal(xst_dir_sf_parse(b, len, true, &d, &info), 0);
	assert_true(info.truncated);
	assert_int_equal(info.count, 255);
	assert_true(info.dropped >= 1);
	for (size_t i = 0; i < d.n; i++)
		assert_true(d.v[i].namelen > 0);
	xst_dirents_free(&d);

	/* Too short for a header. */
	assert_int_equal(xst_dir_sf_parse(b, 1, true, &d, &info), 0);
	assert_true(info.truncated);
	assert_int_equal(d.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_good_data),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_bad_crc),
		cmocka_unit_test(test_block_format),
		cmocka_unit_test(test_damaged_entry_resync),
		cmocka_unit_test(test_namelen_zero_and_ino),
		cmocka_unit_test(test_tag_mismatch),
		cmocka_unit_test(test_unused_length_damage),
		cmocka_unit_test(test_leaf_blocks),
		cmocka_unit_test(test_entry_past_end),
		cmocka_unit_test(test_v4_and_skipped),
		cmocka_unit_test(test_shortform),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
