// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the shared salvage record (scrub/salvage.c): merging the
 * readable and raw views of an entry, bounds on names, the name index, and
 * proving a magic-only damage through the block checksum.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ondisk.h"
#include "salvage.h"

static void test_merge(void **state)
{
	struct xst_salvage *s = calloc(1, sizeof(*s));
	struct xst_salv_entry *e;

	(void)state;
	assert_non_null(s);
	/* Raw first, damaged value; then the readable copy wins. */
	e = xst_salvage_add(s, XST_NS_USER, "a1", 2, "vX", 2, XST_SRC_RAW);
	assert_non_null(e);
	e->crc_ok = false;
	e = xst_salvage_add(s, XST_NS_USER, "a1", 2, "v1", 2, XST_SRC_READABLE);
	assert_non_null(e);
	assert_int_equal(s->n, 1);
	assert_memory_equal(e->value, "v1", 2);
	assert_int_equal(e->sources, XST_SRC_RAW | XST_SRC_READABLE);
	/* A later raw copy does not overwrite what the kernel read. */
	e = xst_salvage_add(s, XST_NS_USER, "a1", 2, "vY", 2, XST_SRC_RAW);
	assert_memory_equal(e->value, "v1", 2);
	/* Same name, other namespace: another entry. */
	assert_non_null(xst_salvage_add(s, XST_NS_TRUSTED, "a1", 2, "t", 1, XST_SRC_RAW));
	assert_int_equal(s->n, 2);
	assert_non_null(xst_salvage_find(s, XST_NS_TRUSTED, "a1", 2));
	assert_null(xst_salvage_find(s, XST_NS_SECURE, "a1", 2));
	/* Names are 1..255 bytes. */
	assert_null(xst_salvage_add(s, XST_NS_USER, "", 0, NULL, 0, XST_SRC_RAW));
	{
		char big[300];

		memset(big, 'x', sizeof(big));
		assert_null(xst_salvage_add(s, XST_NS_USER, big, 256, NULL, 0, XST_SRC_RAW));
	}
	xst_salvage_free(s);
	xst_salvage_free(NULL);
}

/* Past the first index sizes: every name still found once, in its slot. */
static void test_many(void **state)
{
	struct xst_salvage *s = calloc(1, sizeof(*s));
	char name[32];

	(void)state;
	assert_non_null(s);
	for (unsigned int i = 0; i < 5000; i++) {
		int n = snprintf(name, sizeof(name), "entry_%u", i);

		assert_non_null(xst_salvage_add(s, (uint8_t)(i % 3), name, (size_t)n, NULL, 0,
						XST_SRC_RAW));
	}
	assert_int_equal(s->n, 5000);
	for (unsigned int i = 0; i < 5000; i++) {
		int n = snprintf(name, sizeof(name), "entry_%u", i);
		struct xst_salv_entry *e = xst_salvage_find(s, (uint8_t)(i % 3), name, (size_t)n);

		assert_non_null(e);
		assert_ptr_equal(e, &s->v[i]);
		assert_null(xst_salvage_find(s, (uint8_t)((i + 1) % 3), name, (size_t)n));
		/* Merged, not added again. */
		assert_ptr_equal(xst_salvage_add(s, (uint8_t)(i % 3), name, (size_t)n, NULL, 0,
						 XST_SRC_READABLE), e);
	}
	assert_int_equal(s->n, 5000);
	assert_null(xst_salvage_find(s, 0, "entry_5000", 10));
	xst_salvage_free(s);
}

static void make_block(uint8_t *b, size_t len)
{
	uint32_t crc;

	memset(b, 0, len);
	for (size_t i = 64; i < len; i++)
		b[i] = (uint8_t)(i * 7);
	b[8] = 0x3b;	/* attr3 leaf magic 0x3bee, be16 at 8 */
	b[9] = 0xee;
	crc = xst_xfs_block_crc(b, len, 12);
	memcpy(b + 12, &crc, 4);	/* little-endian on the test host */
}

static void test_magic_fixup(void **state)
{
	static const uint32_t magics[] = { 0x3ebe, 0x3bee };
	uint8_t b[4096];

	(void)state;
	make_block(b, sizeof(b));
	assert_true(xst_xfs_block_crc_ok(b, sizeof(b), 12));
	/* A good block needs nothing. */
	assert_false(xst_salvage_magic_fixup(b, sizeof(b), 8, 12, magics, 2, true));

	/* Only the magic damaged: the checksum proves the rest, the copy is patched. */
	b[8] = 0;
	b[9] = 0;
	assert_true(xst_salvage_magic_fixup(b, sizeof(b), 8, 12, magics, 2, true));
	assert_int_equal(b[8], 0x3b);
	assert_int_equal(b[9], 0xee);

	/* Magic and a content byte damaged: nothing proven, nothing patched. */
	b[8] = 0;
	b[9] = 0;
	b[1000] ^= 1;
	assert_false(xst_salvage_magic_fixup(b, sizeof(b), 8, 12, magics, 2, true));
	assert_int_equal(b[8], 0);
	/* Offsets outside the block are refused. */
	assert_false(xst_salvage_magic_fixup(b, 16, 14, 12, magics, 2, false));
}

/* Record summaries: the format xst_salvage_save writes; foreign files refused. */
static void test_summary(void **state)
{
	static const char rec[] =
		"xfs_scrubd-salvage 1\nfs 0b1c-uuid\nmount /mnt/a\n"
		"object ino 131 gen 7 type directory\nphase after-repair\ntime 1790000000\n"
		"raw blocks 2 badcrc 1 errors 0 err 0 hashes 12\nentries 5\n"
		"entry fate=kept ns=0 src=1 crc=1 nameok=1 ino=140 gen=1 name=61 vlen=0 value=? note=-\n"
		"entry fate=restored ns=0 src=2 crc=1 nameok=1 ino=141 gen=1 name=62 vlen=0 value=? note=-\n"
		"entry fate=flagged ns=0 src=2 crc=0 nameok=0 ino=142 gen=1 name=63 vlen=0 value=? note=-\n"
		"entry fate=lost ns=0 src=2 crc=0 nameok=1 ino=143 gen=1 name=64 vlen=0 value=? note=x\n"
		"entry fate=pending ns=0 src=1 crc=1 nameok=1 ino=144 gen=1 name=65 vlen=0 value=? note=-";
	struct xst_salvage_summary s;
	char big[600];

	assert_int_equal(xst_salvage_summary_parse(rec, sizeof(rec) - 1, &s), 0);
	assert_int_equal(s.ino, 131);
	assert_int_equal(s.gen, 7);
	assert_string_equal(s.type, "directory");
	assert_string_equal(s.phase, "after-repair");
	assert_int_equal(s.time, 1790000000);
	assert_int_equal(s.entries, 5);
	assert_int_equal(s.kept, 1);
	assert_int_equal(s.restored, 1);
	assert_int_equal(s.flagged, 1);
	assert_int_equal(s.lost, 1);
	assert_int_equal(s.pending, 1);
	/* Not a record, or cut before the object line. */
	assert_int_equal(xst_salvage_summary_parse("hello\n", 6, &s), -EINVAL);
	assert_int_equal(xst_salvage_summary_parse(rec, 40, &s), -EINVAL);
	assert_int_equal(xst_salvage_summary_parse("", 0, &s), -EINVAL);
	/* Overlong lines (hex values) are read by their head only. */
	memset(big, 'A', sizeof(big));
	memcpy(big, "xfs_scrubd-salvage 1\nphase ", 27);
	assert_int_equal(xst_salvage_summary_parse(big, sizeof(big), &s), -EINVAL);
	assert_int_equal(strlen(s.phase), sizeof(s.phase) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_magic_fixup),
		cmocka_unit_test(test_summary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
