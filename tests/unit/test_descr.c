// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for object names in messages (scrub/descr.c): the brief form
 * written into in-flight markers before a repair call, and the full form
 * where no path can be had.  Paths themselves come from the kernel's parent
 * pointers and are shown in the VM tier.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "descr.h"
#include "fs.h"
#include "item.h"

static void test_brief_names_inode_without_path(void **state)
{
	struct xst_fs fs = { .agino_log = 20, .has_parent = true, .mountpoint = (char *)"/mnt" };
	struct xst_item it;
	char buf[XST_DESCR_MAX];

	(void)state;
	/* AG 2, agino 131: the fake kernel has no parent pointers to walk. */
	xst_item_init(&it, XST_SCOPE_INODE, 0, (UINT64_C(2) << 20) | 131, 9,
		      XST_TYPE_BIT(XFS_SCRUB_TYPE_DIR));
	xst_describe_brief(&fs, &it, XFS_SCRUB_TYPE_DIR, buf, sizeof(buf));
	assert_string_equal(buf, "inode 2097283 (2/131) directory entries");
	/* The full form falls back to the same words when no path is found. */
	xst_describe(&fs, &it, XFS_SCRUB_TYPE_DIR, buf, sizeof(buf));
	assert_string_equal(buf, "inode 2097283 (2/131) directory entries");
	/* Bounded by the buffer. */
	xst_describe_brief(&fs, &it, XFS_SCRUB_TYPE_DIR, buf, 12);
	assert_string_equal(buf, "inode 20972");
}

static void test_brief_of_ag_object_is_full_name(void **state)
{
	struct xst_fs fs = { .agino_log = 20, .mountpoint = (char *)"/mnt" };
	struct xst_item it;
	char brief[128], full[XST_DESCR_MAX];

	(void)state;
	xst_item_init(&it, XST_SCOPE_AG, 3, 0, 0, XST_TYPE_BIT(XFS_SCRUB_TYPE_INOBT));
	xst_describe_brief(&fs, &it, XFS_SCRUB_TYPE_INOBT, brief, sizeof(brief));
	xst_describe(&fs, &it, XFS_SCRUB_TYPE_INOBT, full, sizeof(full));
	assert_string_equal(brief, "AG 3 inode btree");
	assert_string_equal(full, brief);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_brief_names_inode_without_path),
		cmocka_unit_test(test_brief_of_ag_object_is_full_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
