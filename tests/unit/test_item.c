// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for scrub items (scrub/item.c) against the fake kernel: barrier
 * handling, blocked dependents, retries, and the single-call emulation
 * giving the same verdicts as the vectored path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "fake_kernel.h"
#include "item.h"

#define B(t) XST_TYPE_BIT(XFS_SCRUB_TYPE_##t)

static int setup(void **state)
{
	(void)state;
	fake_kernel_reset();
	return 0;
}

static uint64_t ag_types(void)
{
	return xst_group_types(XST_GROUP_AGHEADER) | xst_group_types(XST_GROUP_PERAG);
}

static void corrupt_agf(bool scrubv)
{
	struct xst_scrubber s = { .fd = -1, .use_scrubv = scrubv };
	struct xst_item it;

	fk.type_oflags[XFS_SCRUB_TYPE_AGF] = XFS_SCRUB_OFLAG_CORRUPT;
	xst_item_init(&it, XST_SCOPE_AG, 1, 0, 0, ag_types());
	assert_int_equal(xst_item_run(&s, &it, 0), 0);

	assert_int_equal(it.state[XFS_SCRUB_TYPE_AGF], XST_ST_DONE);
	assert_true(xst_needs_repair(it.oflags[XFS_SCRUB_TYPE_AGF]));
	/*
	 * Dependents of the AGF are held back by the barrier, then checked on
	 * their own in a later call (upstream's behaviour), once each.
	 */
	assert_int_equal(it.state[XFS_SCRUB_TYPE_BNOBT], XST_ST_DONE);
	assert_int_equal(it.state[XFS_SCRUB_TYPE_AGFL], XST_ST_DONE);
	assert_int_equal(fk.calls[XFS_SCRUB_TYPE_BNOBT], 1);
	assert_int_equal(fk.calls[XFS_SCRUB_TYPE_AGFL], 1);
	/* The inode btrees hang off the AGI and are checked too. */
	assert_int_equal(it.state[XFS_SCRUB_TYPE_INOBT], XST_ST_DONE);
	assert_int_equal(it.oflags[XFS_SCRUB_TYPE_INOBT], 0);
	assert_int_equal(fk.calls[XFS_SCRUB_TYPE_INOBT], 1);
	assert_int_equal(fk.calls[XFS_SCRUB_TYPE_AGF], 1);
}

static void test_barrier_vectored(void **state)
{
	(void)state;
	corrupt_agf(true);
	assert_int_equal(fk.single_calls, 0);
	assert_true(fk.scrubv_calls >= 2);
}

static void test_barrier_emulated(void **state)
{
	(void)state;
	fk.has_scrubv = false;
	corrupt_agf(false);
	assert_int_equal(fk.scrubv_calls, 0);
}

static void test_vector_fallback(void **state)
{
	(void)state;
	/* use_scrubv set but the kernel says ENOTTY: single calls take over. */
	fk.has_scrubv = false;
	corrupt_agf(true);
	assert_true(fk.single_calls > 0);
}

static void test_retry_incomplete(void **state)
{
	struct xst_scrubber s = { .fd = -1, .use_scrubv = true };
	struct xst_item it;

	(void)state;
	fk.incomplete_times[XFS_SCRUB_TYPE_INOBT] = 3;
	xst_item_init(&it, XST_SCOPE_AG, 0, 0, 0, B(AGI) | B(INOBT));
	assert_int_equal(xst_item_run(&s, &it, 0), 0);
	assert_int_equal(fk.calls[XFS_SCRUB_TYPE_INOBT], 4);
	assert_int_equal(it.state[XFS_SCRUB_TYPE_INOBT], XST_ST_DONE);
	assert_int_equal(it.oflags[XFS_SCRUB_TYPE_INOBT], 0);
}

static void test_retry_bounded(void **state)
{
	struct xst_scrubber s = { .fd = -1, .use_scrubv = true };
	struct xst_item it;

	(void)state;
	fk.type_oflags[XFS_SCRUB_TYPE_NLINKS] = XFS_SCRUB_OFLAG_XCORRUPT;
	xst_item_init(&it, XST_SCOPE_FS, 0, 0, 0, B(NLINKS));
	assert_int_equal(xst_item_run(&s, &it, 0), 0);
	assert_int_equal(fk.calls[XFS_SCRUB_TYPE_NLINKS], XST_MAX_TRIES);
	assert_int_equal(it.state[XFS_SCRUB_TYPE_NLINKS], XST_ST_DONE);
	assert_true(xst_needs_repair(it.oflags[XFS_SCRUB_TYPE_NLINKS]));
}

static void test_absent_and_errors(void **state)
{
	struct xst_scrubber s = { .fd = -1, .use_scrubv = true };
	struct xst_item it;

	(void)state;
	fk.type_ret[XFS_SCRUB_TYPE_UQUOTA] = -ENOENT;
	fk.type_ret[XFS_SCRUB_TYPE_RTBITMAP] = -ENOMEM;
	xst_item_init(&it, XST_SCOPE_FS, 0, 0, 0, B(UQUOTA) | B(RTBITMAP));
	assert_int_equal(xst_item_run(&s, &it, 0), 0);
	assert_int_equal(it.state[XFS_SCRUB_TYPE_UQUOTA], XST_ST_ABSENT);
	assert_int_equal(it.state[XFS_SCRUB_TYPE_RTBITMAP], XST_ST_ERROR);
	assert_int_equal(it.err[XFS_SCRUB_TYPE_RTBITMAP], -ENOMEM);

	fk.type_ret[XFS_SCRUB_TYPE_INODE] = -ESHUTDOWN;
	xst_item_init(&it, XST_SCOPE_INODE, 0, 131, 1, B(INODE) | B(BMBTD));
	assert_int_equal(xst_item_run(&s, &it, 0), -ESHUTDOWN);
}

static void test_inode_chain(void **state)
{
	struct xst_scrubber s = { .fd = -1, .use_scrubv = true };
	struct xst_item it;

	(void)state;
	fk.type_oflags[XFS_SCRUB_TYPE_BMBTD] = XFS_SCRUB_OFLAG_CORRUPT;
	xst_item_init(&it, XST_SCOPE_INODE, 0, 131, 1,
		      B(INODE) | B(BMBTD) | B(BMBTA) | B(DIR) | B(XATTR) | B(PARENT) | B(DIRTREE));
	assert_int_equal(xst_item_run(&s, &it, 0), 0);
	/* Everything is checked in the end; the corrupt fork is the only verdict. */
	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++)
		if (it.want & XST_TYPE_BIT(t))
			assert_int_equal(it.state[t], XST_ST_DONE);
	assert_true(xst_needs_repair(it.oflags[XFS_SCRUB_TYPE_BMBTD]));
	assert_false(xst_needs_repair(it.oflags[XFS_SCRUB_TYPE_DIR]));
	/* The barrier after the data fork made at least a second call. */
	assert_true(fk.scrubv_calls >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_barrier_vectored, setup),
		cmocka_unit_test_setup(test_barrier_emulated, setup),
		cmocka_unit_test_setup(test_vector_fallback, setup),
		cmocka_unit_test_setup(test_retry_incomplete, setup),
		cmocka_unit_test_setup(test_retry_bounded, setup),
		cmocka_unit_test_setup(test_absent_and_errors, setup),
		cmocka_unit_test_setup(test_inode_chain, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
