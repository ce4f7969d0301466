// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the repair circuit breaker (scrub/breaker.c): a marker
 * armed and never disarmed (a crash) trips the next run, and only for that
 * object and type.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "breaker.h"
#include "item.h"

static const uint8_t uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* The breaker's directory under a state directory. */
static const char *dir_of(const char *statedir)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/inflight/01020304-0506-0708-090a-0b0c0d0e0f10", statedir);
	return p;
}

/* Entries of dir whose names start with prefix ("" for all but . and ..). */
static int count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    !strncmp(de->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

/* rm -rf of a flat directory, as an operator clearing markers might. */
static int rm_all(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[1024];

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (unlink(p) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return rmdir(dir);
}

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
	assert_int_equal(rm_all(xst_breaker_dir(b)), 0);
	assert_int_equal(xst_breaker_arm(b, &it, XFS_SCRUB_TYPE_DIR, "inode 131 directory"), 0);
	assert_int_equal(count_entries(xst_breaker_dir(b), ".slot-"), 1);
	assert_int_equal(xst_breaker_disarm(b, &it, XFS_SCRUB_TYPE_DIR), 0);
	assert_int_not_equal(access(path, F_OK), 0);
	xst_breaker_free(b);
	/* ... and a crash after that is still caught. */
	assert_int_equal(count_entries(dir_of(dir), ""), 0);
}

/*
 * The slot: a crash with a repair in it trips the next open, a live
 * holder's slot is left alone, and repairs beyond the one in the slot get
 * named files.
 */
static void test_slot(void **state)
{
	char dir[] = "/tmp/xst-breaker-XXXXXX";
	struct xst_breaker *a = NULL, *b = NULL, *c = NULL;
	struct xst_item one, two;

	(void)state;
	assert_non_null(mkdtemp(dir));
	xst_item_init(&one, XST_SCOPE_INODE, 0, 131, 7, XST_TYPE_BIT(XFS_SCRUB_TYPE_DIR));
	xst_item_init(&two, XST_SCOPE_INODE, 0, 132, 7, XST_TYPE_BIT(XFS_SCRUB_TYPE_XATTR));
	assert_int_equal(xst_breaker_open(dir, uuid, &a), 0);
	assert_int_equal(count_entries(dir_of(dir), ".slot-"), 1);
	/* The first marker goes into the slot: no named file. */
	assert_int_equal(xst_breaker_arm(a, &one, XFS_SCRUB_TYPE_DIR, "inode 131 directory"), 0);
	assert_int_equal(count_entries(dir_of(dir), "s"), 0);
	/* A second one at the same time gets a named file. */
	assert_int_equal(xst_breaker_arm(a, &two, XFS_SCRUB_TYPE_XATTR, "inode 132 xattrs"), 0);
	assert_int_equal(count_entries(dir_of(dir), "s"), 1);
	assert_int_equal(xst_breaker_disarm(a, &two, XFS_SCRUB_TYPE_XATTR), 0);
	assert_int_equal(count_entries(dir_of(dir), "s"), 0);

	/* Another opener while a holds its slot: nothing tripped, a's slot kept. */
	assert_int_equal(xst_breaker_open(dir, uuid, &b), 0);
	assert_int_equal(xst_breaker_ntripped(b), 0);
	assert_int_equal(count_entries(dir_of(dir), ".slot-"), 2);
	xst_breaker_free(b);
	assert_int_equal(count_entries(dir_of(dir), ".slot-"), 1);

	/* a goes down with the repair in its slot: the next open trips on it. */
	xst_breaker_free(a);
	assert_int_equal(xst_breaker_open(dir, uuid, &c), 0);
	assert_int_equal(xst_breaker_ntripped(c), 1);
	assert_string_equal(xst_breaker_tripped_descr(c, 0), "inode 131 directory");
	assert_true(xst_breaker_tripped(c, &one, XFS_SCRUB_TYPE_DIR));
	/* As a named marker the operator can see and remove; the old slot is gone. */
	assert_int_equal(count_entries(dir_of(dir), "s3-a0-i131-g7-t15"), 1);
	assert_int_equal(count_entries(dir_of(dir), ".slot-"), 1);
	xst_breaker_free(c);
}

/*
 * A rehearsal marks nothing: not with an empty slot (a crash after it trips
 * nothing), and an armed slot keeps its marker through one.
 */
static void test_rehearse(void **state)
{
	char dir[] = "/tmp/xst-breaker-XXXXXX";
	struct xst_breaker *a = NULL, *c = NULL;
	struct xst_item one, two;
	int status;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	xst_item_init(&one, XST_SCOPE_INODE, 0, 131, 7, XST_TYPE_BIT(XFS_SCRUB_TYPE_DIR));
	xst_item_init(&two, XST_SCOPE_INODE, 0, 128, 1, XST_TYPE_BIT(XFS_SCRUB_TYPE_DIR));
	assert_int_equal(xst_breaker_rehearse(NULL, &two, XFS_SCRUB_TYPE_DIR, "root"), 0);
	assert_int_equal(xst_breaker_open(dir, uuid, &a), 0);
	assert_int_equal(xst_breaker_rehearse(a, &two, XFS_SCRUB_TYPE_DIR, "root directory"), 0);
	assert_int_equal(count_entries(dir_of(dir), "s"), 0);
	assert_false(xst_breaker_tripped(a, &two, XFS_SCRUB_TYPE_DIR));
	/* The slot is still free: a real marker goes into it, not into a file. */
	assert_int_equal(xst_breaker_arm(a, &one, XFS_SCRUB_TYPE_DIR, "inode 131 directory"), 0);
	assert_int_equal(count_entries(dir_of(dir), "s"), 0);
	assert_int_equal(xst_breaker_rehearse(a, &two, XFS_SCRUB_TYPE_DIR, "root directory"), 0);
	assert_int_equal(count_entries(dir_of(dir), "s"), 0);
	/* Going down with the repair in the slot: the marker is the one armed. */
	xst_breaker_free(a);
	assert_int_equal(xst_breaker_open(dir, uuid, &c), 0);
	assert_int_equal(xst_breaker_ntripped(c), 1);
	assert_string_equal(xst_breaker_tripped_descr(c, 0), "inode 131 directory");
	assert_false(xst_breaker_tripped(c, &two, XFS_SCRUB_TYPE_DIR));
	assert_int_equal(xst_breaker_disarm(c, &one, XFS_SCRUB_TYPE_DIR), 0);
	xst_breaker_free(c);
	/* A process that rehearses and dies there (no free): nothing trips. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct xst_breaker *d = NULL;

		_exit(xst_breaker_open(dir, uuid, &d) == 0 &&
		      xst_breaker_rehearse(d, &two, XFS_SCRUB_TYPE_DIR, "root directory") == 0 ?
		      0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(count_entries(dir_of(dir), ".slot-"), 1);
	assert_int_equal(xst_breaker_open(dir, uuid, &c), 0);
	assert_int_equal(xst_breaker_ntripped(c), 0);
	assert_int_equal(count_entries(dir_of(dir), "s"), 0);
	xst_breaker_free(c);
}

/* A stale slot holding something we never write is dropped, not reported. */
static void test_stale_slot_garbage(void **state)
{
	char dir[] = "/tmp/xst-breaker-XXXXXX", path[600];
	struct xst_breaker *b = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(xst_breaker_open(dir, uuid, &b), 0);
	xst_breaker_free(b);
	snprintf(path, sizeof(path), "%s/.slot-1-1", dir_of(dir));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("../../etc/passwd\nx\n", f);
	fclose(f);
	assert_int_equal(xst_breaker_open(dir, uuid, &b), 0);
	assert_int_equal(xst_breaker_ntripped(b), 0);
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
		cmocka_unit_test(test_slot),
		cmocka_unit_test(test_rehearse),
		cmocka_unit_test(test_stale_slot_garbage),
		cmocka_unit_test(test_bad_statedir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
