// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the scheduling rules (daemon/sched.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "schedule.h"

static void test_disks(void **state)
{
	assert_true(xsd_disks_overlap(" sda ", " sda "));
	assert_true(xsd_disks_overlap(" sda sdb ", " sdc sdb "));
	assert_false(xsd_disks_overlap(" sda ", " sdab "));
	assert_false(xsd_disks_overlap(" vda ", " vdb "));
	assert_false(xsd_disks_overlap("", " sda "));
	assert_false(xsd_disks_overlap(" sda ", ""));
}

static void test_window(void **state)
{
	assert_int_equal(xsd_window_wait(-1, -1, 700), 0);
	/* 01:00-05:00 */
	assert_int_equal(xsd_window_wait(60, 300, 60), 0);
	assert_int_equal(xsd_window_wait(60, 300, 299), 0);
	assert_int_equal(xsd_window_wait(60, 300, 300), (1440 - 300 + 60) * 60);
	assert_int_equal(xsd_window_wait(60, 300, 0), 60 * 60);
	/* 22:30-05:00 wraps midnight */
	assert_int_equal(xsd_window_wait(1350, 300, 1400), 0);
	assert_int_equal(xsd_window_wait(1350, 300, 10), 0);
	assert_int_equal(xsd_window_wait(1350, 300, 300), (1350 - 300) * 60);
}

static void test_rest(void **state)
{
	assert_int_equal(xsd_rest_ns(1000, 100, 1000000), 0);
	assert_int_equal(xsd_rest_ns(1000, 50, 1000000), 1000);
	assert_int_equal(xsd_rest_ns(1000, 25, 1000000), 3000);
	assert_int_equal(xsd_rest_ns(1000, 10, 5000), 5000);	/* capped */
	assert_int_equal(xsd_rest_ns(1000, 0, 5000), 0);
	/* No overflow for long busy periods. */
	assert_int_equal(xsd_rest_ns(UINT64_MAX / 2, 1, 7), 7);
}

static void test_scope(void **state)
{
	/* A scan of every AG covers any AG and filesystem-wide objects. */
	assert_true(xsd_scope_covers(true, -1, 3));
	assert_true(xsd_scope_covers(true, -1, -1));
	/* A scan of one AG covers that AG only. */
	assert_true(xsd_scope_covers(true, 2, 2));
	assert_false(xsd_scope_covers(true, 2, 1));
	assert_false(xsd_scope_covers(true, 2, -1));
	/* A media-only scan checks no metadata. */
	assert_false(xsd_scope_covers(false, -1, 3));
	assert_false(xsd_scope_covers(false, 2, 2));

	assert_int_equal(xsd_scope_merge(2, 2), 2);
	assert_int_equal(xsd_scope_merge(2, 3), -1);
	assert_int_equal(xsd_scope_merge(-1, 3), -1);
	assert_int_equal(xsd_scope_merge(3, -1), -1);
	assert_int_equal(xsd_scope_merge(-1, -1), -1);
	assert_int_equal(xsd_scope_merge(0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_rest),
		cmocka_unit_test(test_scope),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
