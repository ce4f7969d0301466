// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the pure parts of the media scan (scrub/media.c): which
 * space-map records are read, range merging that never bridges a gap, read
 * chunking, bad-block isolation by bisection against a fake disk, and the
 * owner-offset arithmetic of the report.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <linux/fsmap.h>
#include <cmocka.h>

#include "media.h"

#define KiB 1024ULL
#define MiB (1024ULL * 1024ULL)

static void test_wanted(void **state)
{
	struct fsmap m = { .fmr_physical = 4096, .fmr_length = 4096, .fmr_owner = 131 };

	(void)state;
	assert_true(xst_media_fsmap_wanted(&m));
	m.fmr_flags = FMR_OF_SHARED;		/* reflinked data is still data */
	assert_true(xst_media_fsmap_wanted(&m));
	m.fmr_flags = FMR_OF_PREALLOC;
	assert_false(xst_media_fsmap_wanted(&m));
	m.fmr_flags = FMR_OF_ATTR_FORK;
	assert_false(xst_media_fsmap_wanted(&m));
	m.fmr_flags = FMR_OF_EXTENT_MAP;
	assert_false(xst_media_fsmap_wanted(&m));
	m.fmr_flags = FMR_OF_SPECIAL_OWNER;
	m.fmr_owner = XFS_FMR_OWN_FREE;
	assert_false(xst_media_fsmap_wanted(&m));
	m.fmr_owner = XFS_FMR_OWN_INODES;
	assert_false(xst_media_fsmap_wanted(&m));
	m.fmr_owner = XFS_FMR_OWN_AG;
	assert_false(xst_media_fsmap_wanted(&m));
	m.fmr_owner = XFS_FMR_OWN_LOG;
	assert_true(xst_media_fsmap_wanted(&m));
	m.fmr_owner = XFS_FMR_OWN_UNKNOWN;	/* no rmapbt: in-use space */
	assert_true(xst_media_fsmap_wanted(&m));
	m.fmr_flags = 0;
	m.fmr_owner = 131;
	m.fmr_length = 0;
	assert_false(xst_media_fsmap_wanted(&m));
}

static void test_merge(void **state)
{
	struct xst_media_range r[] = {
		{ 100 * KiB, 8 * KiB },		/* touches the next one */
		{ 0, 4 * KiB },
		{ 108 * KiB, 4 * KiB },
		{ 8 * KiB, 4 * KiB },		/* 4 KiB gap after the first: kept apart */
		{ 108 * KiB, 24 * KiB },	/* overlaps (reflink) */
		{ 1 * MiB, 0 },			/* empty: dropped */
		{ 2 * MiB + 512, 1024 },	/* rounded out to the block */
	};
	size_t n;

	(void)state;
	n = xst_media_merge(r, sizeof(r) / sizeof(r[0]), 4096);
	assert_int_equal(n, 4);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].len, 4 * KiB);
	assert_int_equal(r[1].start, 8 * KiB);
	assert_int_equal(r[1].len, 4 * KiB);
	assert_int_equal(r[2].start, 100 * KiB);
	assert_int_equal(r[2].len, 32 * KiB);
	assert_int_equal(r[3].start, 2 * MiB);
	assert_int_equal(r[3].len, 4 * KiB);
	assert_int_equal(xst_media_merge(r, 0, 4096), 0);
	assert_int_equal(xst_media_merge(NULL, 0, 4096), 0);	/* a device with no data */
}

static void test_chunk(void **state)
{
	(void)state;
	/* Aligned: full io_max reads. */
	assert_int_equal(xst_media_chunk(0, 100 * MiB, 32 * MiB), 32 * MiB);
	/* Unaligned start: first read ends on the next boundary. */
	assert_int_equal(xst_media_chunk(4 * KiB, 100 * MiB, 32 * MiB), 32 * MiB - 4 * KiB);
	/* Tail. */
	assert_int_equal(xst_media_chunk(96 * MiB, 100 * MiB, 32 * MiB), 4 * MiB);
	assert_int_equal(xst_media_chunk(5, 5, 32 * MiB), 0);
	assert_int_equal(xst_media_chunk(0, 7, 0), 7);
}

static void test_overlap(void **state)
{
	/* A file extent: file bytes [1 MiB, 5 MiB) at disk [64 MiB, 68 MiB). */
	struct fsmap m = {
		.fmr_physical = 64 * MiB, .fmr_length = 4 * MiB,
		.fmr_owner = 131, .fmr_offset = 1 * MiB,
	};
	uint64_t phys, len, off;

	(void)state;
	/* Bad range inside the extent. */
	assert_true(xst_media_overlap(&m, 65 * MiB + 8 * KiB, 8 * KiB, &phys, &len, &off));
	assert_int_equal(phys, 65 * MiB + 8 * KiB);
	assert_int_equal(len, 8 * KiB);
	assert_int_equal(off, 2 * MiB + 8 * KiB);
	/* Bad range straddling the start: clipped to the extent. */
	assert_true(xst_media_overlap(&m, 63 * MiB, 2 * MiB, &phys, &len, &off));
	assert_int_equal(phys, 64 * MiB);
	assert_int_equal(len, 1 * MiB);
	assert_int_equal(off, 1 * MiB);
	/* Straddling the end. */
	assert_true(xst_media_overlap(&m, 68 * MiB - 4 * KiB, 1 * MiB, &phys, &len, &off));
	assert_int_equal(len, 4 * KiB);
	assert_int_equal(off, 5 * MiB - 4 * KiB);
	/* Disjoint, and touching without overlap. */
	assert_false(xst_media_overlap(&m, 68 * MiB, 4 * KiB, &phys, &len, &off));
	assert_false(xst_media_overlap(&m, 60 * MiB, 4 * MiB, &phys, &len, &off));
}

/* A fake disk of 4 KiB blocks, some bad, that counts the reads. */
struct disk {
	uint64_t bad[16];
	unsigned int nbad;
	unsigned int reads;
	bool prefix;		/* reports the clean prefix like VERIFY_MEDIA */
	int other_error;	/* fail everything with this (operational) */
	uint64_t found[32][2];
	unsigned int nfound;
	unsigned int singles;	/* verifies of a single block */
};

static int disk_verify(void *priv, uint64_t off, uint64_t len, bool single, uint64_t *good)
{
	struct disk *d = priv;
	uint64_t first = UINT64_MAX;

	d->reads++;
	if (single)
		d->singles++;
	if (d->other_error)
		return d->other_error;
	for (unsigned int i = 0; i < d->nbad; i++)
		if (d->bad[i] >= off && d->bad[i] < off + len && d->bad[i] < first)
			first = d->bad[i];
	if (first == UINT64_MAX)
		return 0;
	*good = d->prefix ? first - off : 0;
	return -EIO;
}

static void disk_bad(void *arg, uint64_t off, uint64_t len)
{
	struct disk *d = arg;

	assert_true(d->nfound < 32);
	d->found[d->nfound][0] = off;
	d->found[d->nfound][1] = len;
	d->nfound++;
}

static void test_isolate_clean(void **state)
{
	struct disk d = { 0 };

	(void)state;
	assert_int_equal(xst_media_isolate(disk_verify, &d, 4096, 0, 32 * MiB, disk_bad, &d), 0);
	assert_int_equal(d.reads, 1);
	assert_int_equal(d.nfound, 0);
}

static void test_isolate_pins_blocks(void **state)
{
	struct disk d = {
		/* Two adjacent bad blocks, one lone one, and the very last block. */
		.bad = { 1 * MiB, 1 * MiB + 4 * KiB, 20 * MiB + 12 * KiB, 32 * MiB - 4 * KiB },
		.nbad = 4,
	};

	(void)state;
	assert_int_equal(xst_media_isolate(disk_verify, &d, 4096, 0, 32 * MiB, disk_bad, &d), 0);
	assert_int_equal(d.nfound, 3);
	assert_int_equal(d.found[0][0], 1 * MiB);
	assert_int_equal(d.found[0][1], 8 * KiB);	/* adjacent blocks merged */
	assert_int_equal(d.found[1][0], 20 * MiB + 12 * KiB);
	assert_int_equal(d.found[1][1], 4 * KiB);
	assert_int_equal(d.found[2][0], 32 * MiB - 4 * KiB);
	assert_int_equal(d.found[2][1], 4 * KiB);
	/* Bisection, not 8192 single-block reads. */
	assert_true(d.reads < 200);
	assert_true(d.singles >= 4);
}

static void test_isolate_prefix(void **state)
{
	struct disk d = { .bad = { 7 * MiB }, .nbad = 1, .prefix = true };
	struct disk d2 = { .bad = { 7 * MiB }, .nbad = 1 };

	(void)state;
	assert_int_equal(xst_media_isolate(disk_verify, &d, 4096, 4 * MiB, 8 * MiB, disk_bad, &d), 0);
	assert_int_equal(d.nfound, 1);
	assert_int_equal(d.found[0][0], 7 * MiB);
	assert_int_equal(d.found[0][1], 4 * KiB);
	/* A reader that reports its clean prefix needs fewer reads. */
	assert_int_equal(xst_media_isolate(disk_verify, &d2, 4096, 4 * MiB, 8 * MiB, disk_bad, &d2), 0);
	assert_int_equal(d2.nfound, 1);
	assert_true(d.reads <= d2.reads);
}

static void test_isolate_whole_range_bad(void **state)
{
	struct disk d = { .nbad = 16 };

	(void)state;
	for (unsigned int i = 0; i < 16; i++)
		d.bad[i] = 64 * KiB + i * 4 * KiB;
	assert_int_equal(xst_media_isolate(disk_verify, &d, 4096, 64 * KiB, 64 * KiB, disk_bad, &d), 0);
	assert_int_equal(d.nfound, 1);
	assert_int_equal(d.found[0][0], 64 * KiB);
	assert_int_equal(d.found[0][1], 64 * KiB);
}

static void test_isolate_operational_error(void **state)
{
	struct disk d = { .other_error = -ESHUTDOWN };

	(void)state;
	assert_int_equal(xst_media_isolate(disk_verify, &d, 4096, 0, 1 * MiB, disk_bad, &d), -ESHUTDOWN);
	assert_int_equal(d.nfound, 0);
	assert_true(xst_media_is_media_error(-EIO));
	assert_true(xst_media_is_media_error(-EILSEQ));
	assert_false(xst_media_is_media_error(-EPERM));
	assert_false(xst_media_is_media_error(-ENOMEM));
}

static void test_owner_names(void **state)
{
	(void)state;
	assert_string_equal(xst_media_owner_name(XFS_FMR_OWN_LOG), "journalling log");
	assert_string_equal(xst_media_owner_name(XFS_FMR_OWN_INODES), "inodes");
	assert_string_equal(xst_media_owner_name(XFS_FMR_OWN_UNKNOWN), "unknown owner");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_chunk),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_isolate_clean),
		cmocka_unit_test(test_isolate_pins_blocks),
		cmocka_unit_test(test_isolate_prefix),
		cmocka_unit_test(test_isolate_whole_range_bad),
		cmocka_unit_test(test_isolate_operational_error),
		cmocka_unit_test(test_owner_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
