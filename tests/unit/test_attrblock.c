// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the lenient xattr parsers (scrub/attrblock.c): hand-built
 * leaf blocks, short-form forks and remote value blocks, good and damaged.
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

#include "attrblock.h"
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

struct ent {
	uint8_t flags;
	const char *name;
	const char *value;	/* local */
	size_t valuelen;
	uint32_t valueblk;	/* remote when !LOCAL */
};

static const uint8_t prec[12] = { 0, 0, 0, 0, 0, 0x0a, 0x00, 0x80, 0x1e, 0x12, 0x34, 0x56 };

static const struct ent ents[] = {
	{ XST_ATTR_LOCAL, "attr1", "value-1", 7, 0 },
	{ XST_ATTR_LOCAL | XST_ATTR_ROOT, "tru", "truval", 6, 0 },
	{ XST_ATTR_LOCAL | XST_ATTR_SECURE, "sec", "", 0, 0 },
	{ XST_ATTR_LOCAL | XST_ATTR_PARENT, "child-name", (const char *)prec, 12, 0 },
	{ 0, "remote", NULL, 9000, 1 },
};
#define NENTS 5

/* A v5 leaf with the entries above; returns each name entry's offset. */
static void build_leaf(uint8_t *b, bool v5, size_t *nameidx)
{
	size_t hdr = v5 ? XST_ATTR3_LEAF_HDR_SIZE : XST_ATTR_LEAF_HDR_SIZE;
	size_t info = v5 ? XST_DA3_BLKINFO_SIZE : XST_DA_BLKINFO_SIZE;
	size_t top = BLK;

	memset(b, 0, BLK);
	put16(b + 8, v5 ? XST_ATTR3_LEAF_MAGIC : XST_ATTR_LEAF_MAGIC);
	if (v5)
		put64(b + XST_DA3_OWNER_OFF, 131);
	put16(b + info, NENTS);
	for (size_t i = 0; i < NENTS; i++) {
		const struct ent *e = &ents[i];
		size_t nl = strlen(e->name), sz;
		enum xst_attr_ns ns = (e->flags & XST_ATTR_ROOT) ? XST_ATTR_NS_TRUSTED :
				      (e->flags & XST_ATTR_SECURE) ? XST_ATTR_NS_SECURE :
				      (e->flags & XST_ATTR_PARENT) ? XST_ATTR_NS_PARENT : XST_ATTR_NS_USER;
		uint32_t h = xst_attr_hash(ns, (const uint8_t *)e->name, nl,
					   (const uint8_t *)e->value, e->valuelen);

		if (e->flags & XST_ATTR_LOCAL) {
			sz = (3 + nl + e->valuelen + 3) & ~(size_t)3;
			top -= sz;
			put16(b + top, e->valuelen);
			b[top + 2] = nl;
			memcpy(b + top + 3, e->name, nl);
			memcpy(b + top + 3 + nl, e->value, e->valuelen);
		} else {
			sz = (9 + nl + 3) & ~(size_t)3;
			top -= sz;
			put32(b + top, e->valueblk);
			put32(b + top + 4, e->valuelen);
			b[top + 8] = nl;
			memcpy(b + top + 9, e->name, nl);
		}
		nameidx[i] = top;
		put32(b + hdr + i * 8, h);
		put16(b + hdr + i * 8 + 4, top);
		b[hdr + i * 8 + 6] = e->flags;
	}
	if (v5)
		seal(b, BLK, XST_DA3_CRC_OFF);
}

static const struct xst_attr_geo geo5 = { .blksize = BLK, .v5 = true };

static void check_all(const struct xst_xattrs *x, size_t n, uint32_t flags_want)
{
	static const enum xst_attr_ns ns[] = {
		XST_ATTR_NS_USER, XST_ATTR_NS_TRUSTED, XST_ATTR_NS_SECURE, XST_ATTR_NS_PARENT,
		XST_ATTR_NS_USER,
	};

	assert_int_equal(x->n, n);
	for (size_t i = 0; i < n; i++) {
		const struct xst_xattr *a = &x->v[i];
		assert_int_equal(a->namelen, strlen(ents[i].name));
		assert_memory_equal(a->name, ents[i].name, a->namelen);
		assert_int_equal(a->ns, ns[i]);
		assert_int_equal(a->valuelen, ents[i].valuelen);
		assert_int_equal(a->flags, flags_want);
		if (ents[i].flags & XST_ATTR_LOCAL) {
			assert_true(a->local);
			if (a->valuelen)
				assert_memory_equal(a->value, ents[i].value, a->valuelen);
			else
				assert_null(a->value);
		} else {
			assert_false(a->local);
			assert_null(a->value);
			assert_int_equal(a->valueblk, ents[i].valueblk);
		}
	}
}

static void test_good_leaf(void **state)
{
	uint8_t b[BLK];
	size_t idx[NENTS];
	struct xst_xattrs x = { 0 };
	struct xst_attrblock_info info;

	(void)state;
	build_leaf(b, true, idx);
	assert_int_equal(xst_attrblock_parse(b, BLK, &geo5, 0, XST_ATTRBLK_UNKNOWN, &x, &info), 0);
	assert_int_equal(info.kind, XST_ATTRBLK_LEAF);
	assert_true(info.magic_ok);
	assert_true(info.crc_checked);
	assert_true(info.crc_ok);
	assert_int_equal(info.owner, 131);
	assert_int_equal(info.count, NENTS);
	assert_int_equal(info.dropped, 0);
	assert_int_equal(info.hash_mismatches, 0);
	check_all(&x, NENTS, 0);
	for (size_t i = 0; i < NENTS; i++)
		assert_int_equal(x.v[i].offset, idx[i]);
	assert_string_equal(xst_attr_ns_name(x.v[3].ns), "parent");
	xst_xattrs_free(&x);

	/* v4: no CRC, 32-byte header. */
	const struct xst_attr_geo geo4 = { .blksize = BLK, .v5 = false };
	build_leaf(b, false, idx);
	assert_int_equal(xst_attrblock_parse(b, BLK, &geo4, 2, XST_ATTRBLK_UNKNOWN, &x, &info), 0);
	assert_true(info.magic_ok);
	assert_false(info.crc_checked);
	check_all(&x, NENTS, 0);
	assert_int_equal(x.v[0].ablock, 2);
	xst_xattrs_free(&x);
}

static void test_bad_magic_and_crc(void **state)
{
	uint8_t b[BLK];
	size_t idx[NENTS];
	struct xst_xattrs x = { 0 };
	struct xst_attrblock_info info;

	(void)state;
	/* The case the kernel loses all xattrs on: a damaged magic. */
	build_leaf(b, true, idx);
	put16(b + 8, 0x0bee);
	seal(b, BLK, XST_DA3_CRC_OFF);
	assert_int_equal(xst_attrblock_parse(b, BLK, &geo5, 0, XST_ATTRBLK_UNKNOWN, &x, &info), 0);
	assert_false(info.magic_ok);
	assert_true(info.crc_ok);
	check_all(&x, NENTS, 0);
	xst_xattrs_free(&x);

	/* Bit rot in a value: CRC fails, everything flagged, hash still fine. */
	build_leaf(b, true, idx);
	b[idx[0] + 3 + 5] ^= 1;
	assert_int_equal(xst_attrblock_parse(b, BLK, &geo5, 0, XST_ATTRBLK_UNKNOWN, &x, &info), 0);
	assert_false(info.crc_ok);
	assert_int_equal(x.n, NENTS);
	for (size_t i = 0; i < NENTS; i++) {
		assert_true(x.v[i].flags & XST_XATTR_CRC_BAD);
		assert_false(x.v[i].crc_ok);
	}
	assert_int_equal(x.v[0].value[0], 'v' ^ 1);
	xst_xattrs_free(&x);

	/* Bit rot in a name: the hash catches it. */
	build_leaf(b, true, idx);
	b[idx[1] + 3] ^= 0x20;
	seal(b, BLK, XST_DA3_CRC_OFF);
	assert_int_equal(xst_attrblock_parse(b, BLK, &geo5, 0, XST_ATTRBLK_UNKNOWN, &x, &info), 0);
	assert_int_equal(info.hash_mismatches, 1);
	assert_int_equal(x.v[1].flags, XST_XATTR_HASH_MISMATCH);
	xst_xattrs_free(&x);
}

static void test_counts(void **state)
{
	uint8_t b[BLK];
	size_t idx[NENTS];
	struct xst_xattrs x = { 0 };
	struct xst_attrblock_info info;

	(void)state;
	/* Huge count: bounded by the block; the real entries still come out. */
	build_leaf(b, true, idx);
	put16(b + XST_DA3_BLKINFO_SIZE, 0xffff);
	assert_int_equal(xst_attrblock_parse(b, BLK, &geo5, 0, XST_ATTRBLK_LEAF, &x, &info), 0);
	assert_true(info.count_bad);
	assert_true(x.n >= NENTS);
	for (size_t i = 0; i < NENTS; i++)
		assert_memory_equal(x.v[i].name, ents[i].name, x.v[i].namelen);
	xst_xattrs_free(&x);

	/* Count damaged downwards: the hidden entries are found by their hash. */
	build_leaf(b, true, idx);
	put16(b + XST_DA3_BLKINFO_SIZE, 2);
	seal(b, BLK, XST_DA3_CRC_OFF);
	assert_int_equal(xst_attrblock_parse(b, BLK, &geo5, 0, XST_ATTRBLK_LEAF, &x, &info), 0);
	assert_false(info.count_bad);
	assert_int_equal(x.n, NENTS);
	assert_int_equal(x.v[1].flags, 0);
	assert_int_equal(x.v[2].flags, XST_XATTR_BEYOND_COUNT);
	assert_int_equal(x.v[4].flags, XST_XATTR_BEYOND_COUNT);
	xst_xattrs_free(&x);
}

static void test_bad_entries(void **state)
{
	uint8_t *b = malloc(BLK);	/* exact size, for ASan */
	size_t idx[NENTS];
	struct xst_xattrs x = { 0 };
	struct xst_attrblock_info info;
	size_t hdr = XST_ATTR3_LEAF_HDR_SIZE;

	(void)state;
	assert_non_null(b);
	build_leaf(b, true, idx);
	put16(b + hdr + 0 * 8 + 4, BLK - 2);		/* name entry runs past the end */
	b[idx[1] + 2] = 0;				/* namelen 0 */
	put16(b + hdr + 2 * 8 + 4, 8);			/* nameidx inside the header */
	put16(b + idx[3], 0xffff);			/* local valuelen past the end */
	assert_int_equal(xst_attrblock_parse(b, BLK, &geo5, 0, XST_ATTRBLK_LEAF, &x, &info), 0);
	assert_int_equal(info.dropped, 4);
	assert_int_equal(x.n, 1);
	assert_memory_equal(x.v[0].name, "remote", 6);
	xst_xattrs_free(&x);

	build_leaf(b, true, idx);
	b[idx[4] + 8] = 255;				/* remote name past the end */
	assert_int_equal(xst_attrblock_parse(b, BLK, &geo5, 0, XST_ATTRBLK_LEAF, &x, &info), 0);
	assert_int_equal(info.dropped, 1);
	assert_int_equal(x.n, NENTS - 1);
	xst_xattrs_free(&x);

	/* Remote valuelen out of range, contradictory namespace bits. */
	build_leaf(b, true, idx);
	put32(b + idx[4] + 4, 0x7fffffff);
	b[hdr + 1 * 8 + 6] |= XST_ATTR_SECURE;
	assert_int_equal(xst_attrblock_parse(b, BLK, &geo5, 0, XST_ATTRBLK_LEAF, &x, &info), 0);
	assert_int_equal(x.n, NENTS);
	assert_true(x.v[4].flags & XST_XATTR_VALUELEN_BAD);
	assert_int_equal(x.v[1].ns, XST_ATTR_NS_INVALID);
	assert_true(x.v[1].flags & XST_XATTR_NS_BAD);
	xst_xattrs_free(&x);

	/* Two slots pointing at one name entry: reported once. */
	build_leaf(b, true, idx);
	put16(b + hdr + 1 * 8 + 4, idx[0]);
	b[hdr + 1 * 8 + 6] = b[hdr + 0 * 8 + 6];
	assert_int_equal(xst_attrblock_parse(b, BLK, &geo5, 0, XST_ATTRBLK_LEAF, &x, &info), 0);
	assert_int_equal(x.n, NENTS - 1);
	assert_int_equal(info.dropped, 1);
	xst_xattrs_free(&x);

	/* Node blocks carry no names; wrong sizes are refused. */
	memset(b, 0, BLK);
	put16(b + 8, XST_DA3_NODE_MAGIC);
	assert_int_equal(xst_attrblock_parse(b, BLK, &geo5, 0, XST_ATTRBLK_UNKNOWN, &x, &info), 0);
	assert_int_equal(info.kind, XST_ATTRBLK_NODE);
	assert_int_equal(x.n, 0);
	assert_int_equal(xst_attrblock_parse(b, 64, &geo5, 0, XST_ATTRBLK_UNKNOWN, &x, &info), -EINVAL);
	free(b);
}

static size_t sf_put(uint8_t *b, size_t off, uint8_t flags, const char *name, const void *val, size_t vl)
{
	size_t nl = strlen(name);
	b[off] = nl;
	b[off + 1] = vl;
	b[off + 2] = flags;
	memcpy(b + off + 3, name, nl);
	memcpy(b + off + 3 + nl, val, vl);
	return off + 3 + nl + vl;
}

static void test_shortform(void **state)
{
	uint8_t b[144];
	struct xst_xattrs x = { 0 };
	struct xst_attr_sf_info info;
	size_t off = 4;

	(void)state;
	memset(b, 0, sizeof(b));
	off = sf_put(b, off, 0, "a", "1", 1);
	off = sf_put(b, off, XST_ATTR_ROOT, "t", "tv", 2);
	off = sf_put(b, off, XST_ATTR_PARENT, "some-name", prec, 12);
	off = sf_put(b, off, XST_ATTR_INCOMPLETE, "half", "", 0);
	put16(b, off);
	b[2] = 4;
	assert_int_equal(xst_attr_sf_parse(b, sizeof(b), &x, &info), 0);
	assert_int_equal(info.entries, 4);
	assert_false(info.truncated);
	assert_false(info.totsize_bad);
	assert_int_equal(x.n, 4);
	assert_int_equal(x.v[0].ns, XST_ATTR_NS_USER);
	assert_memory_equal(x.v[0].value, "1", 1);
	assert_int_equal(x.v[1].ns, XST_ATTR_NS_TRUSTED);
	assert_int_equal(x.v[2].ns, XST_ATTR_NS_PARENT);
	assert_int_equal(x.v[2].valuelen, 12);
	assert_int_equal(x.v[2].flags, XST_XATTR_SHORTFORM);
	assert_true(x.v[3].incomplete);
	assert_null(x.v[3].value);
	xst_xattrs_free(&x);

	/* Huge count: stops at the fork's end. */
	b[2] = 200;
	assert_int_equal(xst_attr_sf_parse(b, off, &x, &info), 0);
	assert_true(info.truncated);
	assert_int_equal(x.n, 4);
	xst_xattrs_free(&x);

	/* Truncated mid-entry; namelen 0 dropped; a bad parent record flagged. */
	b[2] = 4;
	b[4] = 0;		/* "a" -> namelen 0 (its size is 3 + 0 + 1) */
	b[4 + 3 + 0 + 1] = 0;	/* misparse guard: next bytes form a 0-length entry too */
	assert_int_equal(xst_attr_sf_parse(b, off - 1, &x, &info), 0);
	assert_true(info.dropped >= 1);
	for (size_t i = 0; i < x.n; i++)
		assert_true(x.v[i].namelen > 0);
	xst_xattrs_free(&x);

	off = sf_put(b, 4, XST_ATTR_PARENT, "p", "short", 5);
	put16(b, off);
	b[2] = 1;
	assert_int_equal(xst_attr_sf_parse(b, off, &x, &info), 0);
	assert_int_equal(x.n, 1);
	assert_true(x.v[0].flags & XST_XATTR_PARENT_BAD);
	xst_xattrs_free(&x);

	assert_int_equal(xst_attr_sf_parse(b, 3, &x, &info), 0);
	assert_true(info.truncated);
}

/* v5 remote blocks: header + data per fs block. */
static void build_rmt(uint8_t *blk, size_t nblk, const uint8_t *val, size_t vlen, uint64_t owner)
{
	size_t per = BLK - XST_ATTR3_RMT_HDR_SIZE, done = 0;

	for (size_t i = 0; i < nblk; i++) {
		uint8_t *b = blk + i * BLK;
		size_t n = vlen - done < per ? vlen - done : per;
		memset(b, 0, BLK);
		put32(b, XST_ATTR3_RMT_MAGIC);
		put32(b + 4, done);
		put32(b + 8, n);
		put64(b + XST_ATTR3_RMT_OWNER_OFF, owner);
		memcpy(b + XST_ATTR3_RMT_HDR_SIZE, val + done, n);
		seal(b, BLK, XST_ATTR3_RMT_CRC_OFF);
		done += n;
	}
}

static void test_remote(void **state)
{
	size_t vlen = 9000;
	uint8_t *val = malloc(vlen), *blk = malloc(3 * BLK), *out = NULL;
	const void *blocks[3];
	struct xst_attr_rmt_info info;

	(void)state;
	assert_non_null(val);
	assert_non_null(blk);
	for (size_t i = 0; i < vlen; i++)
		val[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(xst_attr_rmt_blocks(vlen, BLK, true), 3);
	assert_int_equal(xst_attr_rmt_blocks(vlen, BLK, false), 3);
	assert_int_equal(xst_attr_rmt_blocks(8192, BLK, false), 2);
	assert_int_equal(xst_attr_rmt_blocks(0, BLK, true), 0);
	build_rmt(blk, 3, val, vlen, 139);
	for (int i = 0; i < 3; i++)
		blocks[i] = blk + i * BLK;

	assert_int_equal(xst_attr_rmt_assemble(blocks, 3, BLK, true, 139, vlen, &out, &info), 0);
	assert_true(info.crc_ok);
	assert_int_equal(info.blocks, 3);
	assert_memory_equal(out, val, vlen);
	free(out);

	/* Wrong owner and a bad CRC are reported; the bytes still come back. */
	blk[BLK + 100] ^= 1;
	assert_int_equal(xst_attr_rmt_assemble(blocks, 3, BLK, true, 140, vlen, &out, &info), 0);
	assert_false(info.crc_ok);
	assert_int_equal(info.hdr_bad, 3);
	assert_int_equal(info.crc_bad, 1);
	assert_int_equal(out[100 - XST_ATTR3_RMT_HDR_SIZE + (BLK - XST_ATTR3_RMT_HDR_SIZE)],
			 val[BLK - XST_ATTR3_RMT_HDR_SIZE + 100 - XST_ATTR3_RMT_HDR_SIZE] ^ 1);
	free(out);

	/* A hole reads as zeroes and is counted; too few blocks is an error. */
	blocks[1] = NULL;
	assert_int_equal(xst_attr_rmt_assemble(blocks, 3, BLK, true, 0, vlen, &out, &info), 0);
	assert_int_equal(info.missing, 1);
	assert_false(info.crc_ok);
	assert_int_equal(out[BLK - XST_ATTR3_RMT_HDR_SIZE], 0);
	free(out);
	assert_int_equal(xst_attr_rmt_assemble(blocks, 2, BLK, true, 0, vlen, &out, &info), -EINVAL);
	assert_int_equal(xst_attr_rmt_assemble(blocks, 3, BLK, true, 0, 70000, &out, &info), -EINVAL);

	/* v4: raw data, no header. */
	blocks[0] = val;
	blocks[1] = val + BLK;
	assert_int_equal(xst_attr_rmt_assemble(blocks, 2, BLK, false, 0, 8000, &out, &info), 0);
	assert_true(info.crc_ok);
	assert_memory_equal(out, val, 8000);
	free(out);
	free(val);
	free(blk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_leaf),
		cmocka_unit_test(test_bad_magic_and_crc),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_bad_entries),
		cmocka_unit_test(test_shortform),
		cmocka_unit_test(test_remote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
