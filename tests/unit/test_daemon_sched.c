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

static uint64_t rest(uint64_t wall, uint64_t cpu, uint64_t bytes, unsigned int cpu_pct,
		     unsigned int io_pct, uint64_t rate, uint64_t cap)
{
	return xsd_step_rest_ns(&(struct xsd_step){ wall, cpu, bytes },
				&(struct xsd_budget){ cpu_pct, io_pct, rate }, cap);
}

static void test_rest(void **state)
{
	/* All on a CPU: work 1000, rest so that 1000 / (1000 + rest) = budget. */
	assert_int_equal(rest(1000, 1000, 0, 100, 25, 0, 1000000), 0);
	assert_int_equal(rest(1000, 1000, 0, 50, 25, 0, 1000000), 1000);
	assert_int_equal(rest(1000, 1000, 0, 25, 25, 0, 1000000), 3000);
	assert_int_equal(rest(1000, 1000, 0, 10, 25, 0, 5000), 5000);	/* capped */
	assert_int_equal(rest(1000, 1000, 0, 0, 0, 0, 5000), 0);	/* no budget */
	/*
	 * Waiting for a disk is not CPU: a step that waited 900 of 1000 owes
	 * the CPU budget nothing at 10 % and the I/O budget 900 × 3 − 100.
	 */
	assert_int_equal(rest(1000, 100, 0, 10, 100, 0, 1000000), 0);
	assert_int_equal(rest(1000, 100, 0, 10, 25, 0, 1000000), 2600);
	/* Both strained: the larger rest holds both (cpu 500 → 2000 in all). */
	assert_int_equal(rest(1000, 500, 0, 25, 50, 0, 1000000), 1000);
	/* A CPU clock a little ahead of the wall clock counts as all CPU. */
	assert_int_equal(rest(1000, 1200, 0, 50, 1, 0, 1000000), 1000);
	/* Media rate: 1 MiB at 1 MiB/s takes a second, whatever else holds. */
	assert_int_equal(rest(250000000, 0, 1 << 20, 100, 100, 1 << 20, 2000000000), 750000000);
	assert_int_equal(rest(1500000000, 0, 1 << 20, 100, 100, 1 << 20, 2000000000), 0);
	/* No overflow for long steps or large reads. */
	assert_int_equal(rest(UINT64_MAX / 2, UINT64_MAX / 2, 0, 1, 1, 0, 7), 7);
	assert_int_equal(rest(1, 0, UINT64_MAX, 100, 100, 256 << 10, 9), 9);
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
