// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for GETFSMAP request buffers (scrub/spacemap.c): the keys a
 * range query sends, and the step from one batch to the next, which must
 * resume after the last record returned and stop at the one flagged last.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdlib.h>
#include <cmocka.h>
#include <linux/fsmap.h>

#include "spacemap.h"

static void alloc_sizes_the_record_array(void **state)
{
	struct fsmap_head *h = xst_fsmap_alloc(7);

	(void)state;
	assert_non_null(h);
	assert_int_equal(h->fmh_count, 7);
	assert_int_equal(h->fmh_entries, 0);
	/* calloc'd: the last record is there and zero */
	assert_int_equal(h->fmh_recs[6].fmr_physical, 0);
	free(h);
}

static void range_of_one_device(void **state)
{
	struct fsmap_head *h = xst_fsmap_alloc(4);

	(void)state;
	h->fmh_iflags = 5;
	h->fmh_oflags = 6;
	h->fmh_entries = 3;
	xst_fsmap_range(h, 8, 4096, 8191);
	assert_int_equal(h->fmh_keys[0].fmr_device, 8);
	assert_int_equal(h->fmh_keys[0].fmr_physical, 4096);
	assert_int_equal(h->fmh_keys[0].fmr_owner, 0);
	assert_int_equal(h->fmh_keys[0].fmr_offset, 0);
	/* The high key bounds the device too: nothing of a later device. */
	assert_int_equal(h->fmh_keys[1].fmr_device, 8);
	assert_int_equal(h->fmh_keys[1].fmr_physical, 8191);
	/* ...and takes every record starting at the last byte. */
	assert_true(h->fmh_keys[1].fmr_owner == ULLONG_MAX);
	assert_true(h->fmh_keys[1].fmr_offset == ULLONG_MAX);
	assert_int_equal(h->fmh_keys[1].fmr_flags, UINT_MAX);
	/* Left over from an earlier query: cleared, or the kernel refuses it. */
	assert_int_equal(h->fmh_iflags, 0);
	assert_int_equal(h->fmh_oflags, 0);
	assert_int_equal(h->fmh_entries, 0);
	assert_int_equal(h->fmh_count, 4);
	free(h);
}

static void range_of_all_devices(void **state)
{
	struct fsmap_head *h = xst_fsmap_alloc(1);

	(void)state;
	xst_fsmap_range(h, 0, 0, ULLONG_MAX);
	assert_int_equal(h->fmh_keys[0].fmr_device, 0);
	assert_int_equal(h->fmh_keys[1].fmr_device, UINT_MAX);
	assert_true(h->fmh_keys[1].fmr_physical == ULLONG_MAX);
	free(h);
}

static void next_resumes_after_the_last_record(void **state)
{
	struct fsmap_head *h = xst_fsmap_alloc(2);

	(void)state;
	xst_fsmap_range(h, 8, 0, 1 << 20);
	h->fmh_entries = 2;
	h->fmh_recs[0] = (struct fsmap){ .fmr_device = 8, .fmr_physical = 0, .fmr_length = 4096 };
	h->fmh_recs[1] = (struct fsmap){ .fmr_device = 8, .fmr_physical = 8192, .fmr_owner = 131,
					 .fmr_offset = 4096, .fmr_length = 4096 };
	assert_true(xst_fsmap_next(h));
	assert_int_equal(h->fmh_keys[0].fmr_physical, 8192);
	assert_int_equal(h->fmh_keys[0].fmr_owner, 131);
	assert_int_equal(h->fmh_keys[0].fmr_offset, 4096);
	assert_int_equal(h->fmh_keys[0].fmr_length, 4096);
	/* The high key stays. */
	assert_int_equal(h->fmh_keys[1].fmr_physical, 1 << 20);
	free(h);
}

static void next_stops_at_last_or_empty(void **state)
{
	struct fsmap_head *h = xst_fsmap_alloc(1);

	(void)state;
	xst_fsmap_range(h, 8, 0, 1 << 20);
	assert_false(xst_fsmap_next(h));	/* nothing returned */
	h->fmh_entries = 1;
	h->fmh_recs[0] = (struct fsmap){ .fmr_device = 8, .fmr_physical = 4096,
					 .fmr_flags = FMR_OF_LAST };
	assert_false(xst_fsmap_next(h));
	assert_int_equal(h->fmh_keys[0].fmr_physical, 0);	/* untouched */
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alloc_sizes_the_record_array),
		cmocka_unit_test(range_of_one_device),
		cmocka_unit_test(range_of_all_devices),
		cmocka_unit_test(next_resumes_after_the_last_record),
		cmocka_unit_test(next_stops_at_last_or_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
