// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the repair circuit breaker (scrub/breaker.c): a marker
 * armed and never disarmed (a crash) trips the next run, and only for that
 * object and type.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "breaker.h"
#include "item.h"

static const uint8_t uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void test_crash_trips_next_run(void **state)
{
	char dir[] = "/tmp/xst-breaker-XXXXXX";
	struct xst_breaker *b = NULL;
	struct xst_item it, other;

	(void)state;
	assert_non_null(mkdtemp(dir));
	xst_item_init(&it, XST_SCOPE_INODE, 0, 131, 7, XST_TYPE_BIT(XFS_SCRUB_TYPE_XATTR));
	xst_item_init(&other, XST_SCOPE_INODE, 0, 132, 7, XST_TYPE_BIT(XFS_SCRUB_TYPE_XATTR));

	assert_int_equal(xst_breaker_open(dir, uuid, &b), 0);
	assert_int_equal(xst_breaker_ntripped(b), 0);
	/* A repair that returns leaves nothing behind. */
	assert_int_equal(xst_breaker_arm(b, &other, XFS_SCRUB_TYPE_XATTR, "inode 132 xattrs"), 0);
	assert_int_equal(xst_breaker_disarm(b, &other, XFS_SCRUB_TYPE_XATTR), 0);
	/* One that never returns (we simply do not disarm it). */
	assert_int_equal(xst_breaker_arm(b, &it, XFS_SCRUB_TYPE_XATTR, "inode 131 xattrs"), 0);
	assert_false(xst_breaker_tripped(b, &it, XFS_SCRUB_TYPE_XATTR));
	xst_breaker_free(b);

	assert_int_equal(xst_breaker_open(dir, uuid, &b), 0);
	assert_int_equal(xst_breaker_ntripped(b), 1);
	assert_string_equal(xst_breaker_tripped_descr(b, 0), "inode 131 xattrs");
	assert_true(xst_breaker_tripped(b, &it, XFS_SCRUB_TYPE_XATTR));
	assert_false(xst_breaker_tripped(b, &it, XFS_SCRUB_TYPE_DIR));
	assert_false(xst_breaker_tripped(b, &other, XFS_SCRUB_TYPE_XATTR));
	/* Clearing the marker by hand lets the next run try again. */
	assert_int_equal(xst_breaker_disarm(b, &it, XFS_SCRUB_TYPE_XATTR), 0);
	xst_breaker_free(b);
	assert_int_equal(xst_breaker_open(dir, uuid, &b), 0);
	assert_int_equal(xst_breaker_ntripped(b), 0);
	xst_breaker_free(b);
	assert_null(xst_breaker_free(NULL));
}

/* A breaker kept open (the daemon's) sees markers removed by hand since. */
static void test_long_lived_breaker(void **state)
{
	char dir[] = "/tmp/xst-breaker-XXXXXX", path[512];
	struct xst_breaker *b = NULL;
	struct xst_item it, named;
	unsigned int type = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	xst_item_init(&it, XST_SCOPE_INODE, 0, 131, 7, XST_TYPE_BIT(XFS_SCRUB_TYPE_DIR));
	assert_int_equal(xst_breaker_open(dir, uuid, &b), 0);
	assert_int_equal(xst_breaker_arm(b, &it, XFS_SCRUB_TYPE_DIR, "inode 131 directory"), 0);
	xst_breaker_free(b);

	assert_int_equal(xst_breaker_open(dir, uuid, &b), 0);
	assert_int_equal(xst_breaker_ntripped(b), 1);
	/* The marker's name gives the object back, for a fresh description. */
	assert_true(xst_breaker_tripped_item(b, 0, &named, &type));
	assert_int_equal(type, XFS_SCRUB_TYPE_DIR);
	assert_int_equal(named.scope, XST_SCOPE_INODE);
	assert_int_equal(named.ino, 131);
	assert_int_equal(named.gen, 7);
	assert_false(xst_breaker_tripped_item(b, 1, &named, &type));
	assert_true(xst_breaker_tripped(b, &it, XFS_SCRUB_TYPE_DIR));
	/* The operator clears it while the breaker stays open. */
	snprintf(path, sizeof(path), "%s/%s", xst_breaker_dir(b), "s3-a0-i131-g7-t15");
	assert_int_equal(unlink(path), 0);
	assert_false(xst_breaker_tripped(b, &it, XFS_SCRUB_TYPE_DIR));
	assert_int_equal(xst_breaker_ntripped(b), 0);
	/* Or removes the whole directory: the next marker makes it again. */
	assert_int_equal(rmdir(xst_breaker_dir(b)), 0);
	assert_int_equal(xst_breaker_arm(b, &it, XFS_SCRUB_TYPE_DIR, "inode 131 directory"), 0);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(xst_breaker_disarm(b, &it, XFS_SCRUB_TYPE_DIR), 0);
	assert_int_not_equal(access(path, F_OK), 0);
	xst_breaker_free(b);
}

/* Names not written by us are reported by their text, never parsed into an object. */
static void test_foreign_marker_name(void **state)
{
	char dir[] = "/tmp/xst-breaker-XXXXXX", path[512];
	struct xst_breaker *b = NULL;
	struct xst_item named;
	unsigned int type;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(xst_breaker_open(dir, uuid, &b), 0);
	snprintf(path, sizeof(path), "%s/s3-a0-i131-g7-t15junk", xst_breaker_dir(b));
	xst_breaker_free(b);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(xst_breaker_open(dir, uuid, &b), 0);
	assert_int_equal(xst_breaker_ntripped(b), 1);
	assert_false(xst_breaker_tripped_item(b, 0, &named, &type));
	assert_string_equal(xst_breaker_tripped_descr(b, 0), "s3-a0-i131-g7-t15junk");
	xst_breaker_free(b);
}

static void test_bad_statedir(void **state)
{
	struct xst_breaker *b = NULL;

	(void)state;
	/* A state directory under a regular file cannot be made. */
	assert_true(xst_breaker_open("/dev/null/state", uuid, &b) < 0);
	assert_null(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_trips_next_run),
		cmocka_unit_test(test_long_lived_breaker),
		cmocka_unit_test(test_foreign_marker_name),
		cmocka_unit_test(test_bad_statedir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
