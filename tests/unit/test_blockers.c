// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * scrub/blockers.c: which other directories bulkstat reports with damaged
 * entries, in inode order, the repaired one and everything that is not a
 * sick directory left out, and the walk stopped once there are more than
 * the caller will name.  The inode walk runs on the fake kernel's table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "blockers.h"
#include "fake_kernel.h"

static struct xst_fs fs;

static void add(uint64_t ino, uint16_t mode, uint16_t sick)
{
	fk.inodes[fk.ninodes++] = (struct fake_inode){ ino, mode, sick, (uint32_t)ino * 7 };
}

static int setup(void **state)
{
	(void)state;
	fake_kernel_reset();
	memset(&fs, 0, sizeof(fs));
	fs.geo.agcount = 1;
	fs.fd = -1;
	add(128, S_IFDIR | 0755, 0);			/* the root, sound */
	add(131, S_IFDIR | 0755, XFS_BS_SICK_DIR);	/* the one being repaired */
	add(132, S_IFREG | 0644, XFS_BS_SICK_XATTR);	/* sick, not a directory */
	add(133, S_IFDIR | 0755, XFS_BS_SICK_PARENT);	/* a directory, entries sound */
	add(200, S_IFDIR | 0755, XFS_BS_SICK_DIR);	/* another chunk */
	return 0;
}

static void test_one_other(void **state)
{
	uint64_t ino[3];
	uint32_t gen[3];
	bool more = true;

	(void)state;
	assert_int_equal(xst_sick_dirs(&fs, 131, ino, gen, 3, &more), 1);
	assert_int_equal(ino[0], 200);
	assert_int_equal(gen[0], 1400);
	assert_false(more);
}

static void test_none(void **state)
{
	uint64_t ino[3];
	uint32_t gen[3];
	bool more = true;

	(void)state;
	fk.inodes[4].sick = 0;
	assert_int_equal(xst_sick_dirs(&fs, 131, ino, gen, 3, &more), 0);
	assert_false(more);
}

static void test_more_than_max(void **state)
{
	uint64_t ino[1];
	uint32_t gen[1];
	bool more = false;

	(void)state;
	add(201, S_IFDIR | 0700, XFS_BS_SICK_DIR);
	/* From inode 200's point of view: 131 first, then 201 is one too many. */
	assert_int_equal(xst_sick_dirs(&fs, 200, ino, gen, 1, &more), 1);
	assert_int_equal(ino[0], 131);
	assert_true(more);
}

static void test_walk_fails(void **state)
{
	uint64_t ino[1];
	uint32_t gen[1];
	bool more = false;

	(void)state;
	fk.ninodes = 0;		/* no inode walk: ENOTTY */
	assert_int_equal(xst_sick_dirs(&fs, 131, ino, gen, 1, &more), -ENOTTY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_one_other, setup),
		cmocka_unit_test_setup(test_none, setup),
		cmocka_unit_test_setup(test_more_than_max, setup),
		cmocka_unit_test_setup(test_walk_fails, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
