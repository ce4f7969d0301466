// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the scrub type table and vector layout (scrub/plan.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "plan.h"

#define B(t) XST_TYPE_BIT(XFS_SCRUB_TYPE_##t)
#define BAR XFS_SCRUB_TYPE_BARRIER

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(xst_type(XFS_SCRUB_TYPE_XATTR)->descr, "extended attributes");
	assert_string_equal(xst_type(XFS_SCRUB_TYPE_BNOBT)->descr, "freesp by block btree");
	assert_int_equal(xst_type_by_name("dirtree"), XFS_SCRUB_TYPE_DIRTREE);
	assert_int_equal(xst_type_by_name("nonsense"), -ENOENT);
	assert_null(xst_type(XST_SCRUB_TYPE_NR));
	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++)
		assert_non_null(xst_type(t));
}

static void test_ag_vector(void **state)
{
	uint32_t order[64];
	uint64_t want = xst_group_types(XST_GROUP_AGHEADER) | xst_group_types(XST_GROUP_PERAG);
	static const uint32_t expect[] = {
		XFS_SCRUB_TYPE_SB, BAR, XFS_SCRUB_TYPE_AGF, BAR, XFS_SCRUB_TYPE_AGFL,
		XFS_SCRUB_TYPE_AGI,
		/* The AGF is behind a barrier already; the AGI is not. */
		XFS_SCRUB_TYPE_BNOBT, XFS_SCRUB_TYPE_CNTBT, BAR,
		XFS_SCRUB_TYPE_INOBT, XFS_SCRUB_TYPE_FINOBT, XFS_SCRUB_TYPE_RMAPBT,
		XFS_SCRUB_TYPE_REFCNTBT,
	};
	unsigned int n;

	(void)state;
	n = xst_plan_vector(want, order, 64);
	assert_int_equal(n, sizeof(expect) / sizeof(expect[0]));
	assert_memory_equal(order, expect, sizeof(expect));
}

static void test_inode_vector(void **state)
{
	uint32_t order[64];
	uint64_t want = B(INODE) | B(BMBTD) | B(BMBTA) | B(DIR) | B(XATTR) | B(PARENT) | B(DIRTREE);
	static const uint32_t expect[] = {
		XFS_SCRUB_TYPE_INODE, BAR, XFS_SCRUB_TYPE_BMBTD, XFS_SCRUB_TYPE_BMBTA, BAR,
		XFS_SCRUB_TYPE_DIR, XFS_SCRUB_TYPE_XATTR, XFS_SCRUB_TYPE_PARENT, BAR,
		XFS_SCRUB_TYPE_DIRTREE,
	};
	unsigned int n;

	(void)state;
	n = xst_plan_vector(want, order, 64);
	assert_int_equal(n, sizeof(expect) / sizeof(expect[0]));
	assert_memory_equal(order, expect, sizeof(expect));
}

static void test_vector_cap(void **state)
{
	uint32_t order[3];

	(void)state;
	assert_true(xst_plan_vector(B(INODE) | B(BMBTD) | B(DIR) | B(PARENT), order, 3) <= 3);
	/* No barrier when nothing in the vector depends on anything before it. */
	assert_int_equal(xst_plan_vector(B(BNOBT) | B(INOBT), order, 3), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ag_vector),
		cmocka_unit_test(test_inode_vector),
		cmocka_unit_test(test_vector_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
