// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/atomic_update: argument validation, file-type checks,
 * and the whole rename fallback, run in a scratch directory on whatever the
 * host offers ($XST_TEST_TMPDIR, else /tmp; ext4 or tmpfs in practice).  The
 * in-place XFS paths need a filesystem made by a modern mkfs and are covered
 * by tests/host/atomic-*.sh.  If the scratch directory happens to be on XFS
 * with exchange-range, the fallback-specific checks are skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <cmocka.h>

#include "atomic_update.h"

static char dir[256];		/* short, so derived paths always fit */
static char path[PATH_MAX];
static bool in_place_fs;	/* scratch dir supports exchange-range */

static void write_file(const char *p, const char *s)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	assert_int_equal(fputs(s, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Whole file as a string (tests use small text files). */
static char *slurp(const char *p)
{
	static char buf[65536];
	int fd = open(p, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

static ino_t ino_of(const char *p)
{
	struct stat st;

	assert_int_equal(stat(p, &st), 0);
	return st.st_ino;
}

/* Number of directory entries besides . and .. (finds stray temp files). */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int setup(void **state)
{
	const char *base = getenv("XST_TEST_TMPDIR");
	struct xst_au *au = NULL;

	if (snprintf(dir, sizeof(dir), "%s/xst-au-XXXXXX", base ? base : "/tmp") >=
	    (int)sizeof(dir) || !mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/target", dir);
	write_file(path, "old contents\n");
	if (xst_au_begin(path, XST_AU_IN_PLACE, &au) == 0)
		in_place_fs = true;
	xst_au_cancel(au);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Each test starts from a fresh target and nothing else in the directory. */
static int reset(void **state)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/* '%s'/.[!.]*", dir, dir);
	if (system(cmd) != 0)
		return -1;
	write_file(path, "old contents\n");
	return 0;
}

static void test_argument_validation(void **state)
{
	struct xst_au *au = NULL;

	assert_int_equal(xst_au_begin(NULL, 0, &au), -EINVAL);
	assert_int_equal(xst_au_begin("", 0, &au), -EINVAL);
	assert_int_equal(xst_au_begin(path, 0, NULL), -EINVAL);
	assert_int_equal(xst_au_begin(path, 1u << 30, &au), -EINVAL);
	assert_int_equal(xst_au_begin_fd(-1, 0, &au), -EINVAL);
	assert_int_equal(xst_au_begin_fd(0, XST_AU_CREATE, &au), -EINVAL);
	assert_null(au);
	assert_int_equal(xst_au_commit(NULL, NULL), -EINVAL);
	assert_int_equal(xst_au_fd(NULL), -EINVAL);
	assert_null(xst_au_temp_path(NULL));
	assert_int_equal(xst_au_method(NULL), XST_AU_NONE);
	assert_int_equal(xst_au_write_file(path, "x", 1, XST_AU_CLONE, NULL), -EINVAL);
	assert_int_equal(xst_au_write_file(path, NULL, 1, 0, NULL), -EINVAL);
	assert_string_equal(slurp(path), "old contents\n");
}

static void test_null_safe_destructors(void **state)
{
	struct xst_au *au = NULL;

	xst_au_cancel(NULL);
	xst_au_freep(NULL);
	xst_au_freep(&au);
	assert_null(au);
	{
		struct xst_au *scoped _cleanup_xst_au_ = NULL;

		assert_int_equal(xst_au_begin(path, 0, &scoped), 0);
	}	/* cleanup discards it: nothing changed, nothing left behind */
	assert_string_equal(slurp(path), "old contents\n");
	assert_int_equal(entries(), 1);
}

static void test_method_names(void **state)
{
	assert_string_equal(xst_au_method_name(XST_AU_COMMIT_RANGE), "commit-range");
	assert_string_equal(xst_au_method_name(XST_AU_EXCHANGE_RANGE), "exchange-range");
	assert_string_equal(xst_au_method_name(XST_AU_RENAME), "rename");
	assert_string_equal(xst_au_method_name(XST_AU_NONE), "none");
	assert_true(xst_au_method_in_place(XST_AU_COMMIT_RANGE));
	assert_true(xst_au_method_in_place(XST_AU_EXCHANGE_RANGE));
	assert_false(xst_au_method_in_place(XST_AU_RENAME));
	assert_false(xst_au_method_in_place(XST_AU_NONE));
}

static void test_not_regular(void **state)
{
	struct xst_au *au = NULL;
	char p[PATH_MAX + 8];

	assert_int_equal(xst_au_begin(dir, 0, &au), -EISDIR);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(xst_au_begin(p, 0, &au), -EINVAL);	/* must not block */
	assert_int_equal(xst_au_begin("/dev/null", 0, &au), -EINVAL);
	snprintf(p, sizeof(p), "%s/missing", dir);
	assert_int_equal(xst_au_begin(p, 0, &au), -ENOENT);
	assert_null(au);
}

static void test_in_place_refused(void **state)
{
	struct xst_au *au = NULL;

	if (in_place_fs)
		skip();
	assert_int_equal(xst_au_begin(path, XST_AU_IN_PLACE | XST_AU_CLONE, &au),
			 -EOPNOTSUPP);
	assert_null(au);
	assert_string_equal(slurp(path), "old contents\n");
	assert_int_equal(entries(), 1);
}

static void test_fallback_commit(void **state)
{
	struct xst_au *au _cleanup_xst_au_ = NULL;
	enum xst_au_method how = XST_AU_NONE;
	ino_t before = ino_of(path);
	struct stat st;
	char val[16];

	if (in_place_fs)
		skip();
	assert_int_equal(chmod(path, 0640), 0);
	if (setxattr(path, "user.test", "kept", 4, 0) != 0)
		assert_int_equal(errno, ENOTSUP);	/* fs without user xattrs */
	assert_int_equal(xst_au_begin(path, XST_AU_EMPTY, &au), 0);
	assert_int_equal(xst_au_method(au), XST_AU_RENAME);
	assert_null(xst_au_temp_path(au));
	assert_int_equal(write(xst_au_fd(au), "new\n", 4), 4);
	assert_string_equal(slurp(path), "old contents\n");	/* not yet */
	assert_int_equal(xst_au_commit(au, &how), 0);
	assert_int_equal(how, XST_AU_RENAME);
	assert_string_equal(slurp(path), "new\n");
	assert_true(ino_of(path) != before);	/* said: not in place */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	if (getxattr(path, "user.test", val, sizeof(val)) >= 0)
		assert_memory_equal(val, "kept", 4);
	assert_int_equal(entries(), 1);
	assert_int_equal(xst_au_commit(au, NULL), -EINVAL);	/* only once */
}

static void test_clone_and_length_changes(void **state)
{
	struct xst_au *au = NULL;

	assert_int_equal(xst_au_begin(path, XST_AU_CLONE, &au), 0);
	assert_int_equal(pwrite(xst_au_fd(au), "O", 1, 0), 1);
	assert_int_equal(xst_au_commit(au, NULL), 0);
	xst_au_cancel(au);
	assert_string_equal(slurp(path), "Old contents\n");

	/* The clone's offset is 0 whether it was a reflink or a byte copy. */
	assert_int_equal(xst_au_begin(path, XST_AU_CLONE, &au), 0);
	assert_int_equal(lseek(xst_au_fd(au), 0, SEEK_CUR), 0);
	assert_int_equal(write(xst_au_fd(au), "o", 1), 1);
	assert_int_equal(xst_au_commit(au, NULL), 0);
	xst_au_cancel(au);
	assert_string_equal(slurp(path), "old contents\n");

	/* Through a read-write descriptor of the caller (duplicated). */
	{
		int fd = open(path, O_RDWR);

		assert_true(fd >= 0);
		assert_int_equal(xst_au_begin_fd(fd, XST_AU_CLONE, &au), 0);
		assert_int_equal(pwrite(xst_au_fd(au), "O", 1, 0), 1);
		assert_int_equal(xst_au_commit(au, NULL), 0);
		xst_au_cancel(au);
		assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);	/* offset untouched */
		close(fd);
	}
	assert_string_equal(slurp(path), "Old contents\n");

	/* Shrink. */
	assert_int_equal(xst_au_begin(path, XST_AU_CLONE, &au), 0);
	assert_int_equal(ftruncate(xst_au_fd(au), 3), 0);
	assert_int_equal(xst_au_commit(au, NULL), 0);
	xst_au_cancel(au);
	assert_string_equal(slurp(path), "Old");

	/* Grow. */
	assert_int_equal(xst_au_begin(path, XST_AU_CLONE, &au), 0);
	assert_int_equal(pwrite(xst_au_fd(au), " and more\n", 10, 3), 10);
	assert_int_equal(xst_au_commit(au, NULL), 0);
	xst_au_cancel(au);
	assert_string_equal(slurp(path), "Old and more\n");

	/* Empty. */
	assert_int_equal(xst_au_write_file(path, "", 0, 0, NULL), 0);
	assert_string_equal(slurp(path), "");
	assert_int_equal(entries(), 1);
}

static void test_cancel_leaves_target(void **state)
{
	struct xst_au *au = NULL;
	ino_t before = ino_of(path);

	assert_int_equal(xst_au_begin(path, XST_AU_CLONE, &au), 0);
	assert_int_equal(pwrite(xst_au_fd(au), "XXXX", 4, 0), 4);
	xst_au_cancel(au);
	assert_string_equal(slurp(path), "old contents\n");
	assert_int_equal(ino_of(path), before);
	assert_int_equal(entries(), 1);
}

static void test_concurrent_write_refused(void **state)
{
	struct xst_au *au _cleanup_xst_au_ = NULL;
	enum xst_au_method how = XST_AU_RENAME;
	int fd;

	assert_int_equal(xst_au_begin(path, XST_AU_CLONE, &au), 0);
	assert_int_equal(pwrite(xst_au_fd(au), "mine", 4, 0), 4);
	/* Someone else writes the target in between. */
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "THEIRS", 6, 0), 6);
	close(fd);
	assert_int_equal(xst_au_commit(au, &how), -EBUSY);
	assert_int_equal(how, XST_AU_NONE);
	assert_string_equal(slurp(path), "THEIRSntents\n");
	xst_au_freep(&au);
	assert_int_equal(entries(), 1);
}

static void test_metadata_change_refused(void **state)
{
	struct xst_au *au _cleanup_xst_au_ = NULL;

	assert_int_equal(xst_au_begin(path, 0, &au), 0);
	assert_int_equal(chmod(path, 0600), 0);	/* ctime moves */
	assert_int_equal(xst_au_commit(au, NULL), -EBUSY);
	assert_string_equal(slurp(path), "old contents\n");
}

static void test_renamed_over_refused(void **state)
{
	struct xst_au *au _cleanup_xst_au_ = NULL;
	char other[PATH_MAX + 8];

	if (in_place_fs)
		skip();		/* in place follows the inode, not the name */
	assert_int_equal(xst_au_begin(path, 0, &au), 0);
	snprintf(other, sizeof(other), "%s/other", dir);
	write_file(other, "replacement\n");
	assert_int_equal(rename(other, path), 0);
	assert_int_equal(xst_au_commit(au, NULL), -EBUSY);
	assert_string_equal(slurp(path), "replacement\n");
	xst_au_freep(&au);
	assert_int_equal(entries(), 1);
}

static void test_symlink_followed(void **state)
{
	char link[PATH_MAX + 8];
	struct stat st;

	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink("target", link), 0);
	assert_int_equal(xst_au_write_file(link, "via link\n", 9, 0, NULL), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(slurp(path), "via link\n");
	assert_int_equal(entries(), 2);
}

static void test_create(void **state)
{
	struct xst_au *au _cleanup_xst_au_ = NULL;
	enum xst_au_method how;
	char p[PATH_MAX + 8];

	snprintf(p, sizeof(p), "%s/new", dir);
	assert_int_equal(xst_au_write_file(p, "x", 1, 0, NULL), -ENOENT);
	assert_int_equal(xst_au_write_file(p, "created\n", 8, XST_AU_CREATE, &how), 0);
	assert_int_equal(how, XST_AU_RENAME);
	assert_string_equal(slurp(p), "created\n");
	/* Existing file with XST_AU_CREATE: an ordinary update. */
	assert_int_equal(xst_au_write_file(p, "again\n", 6, XST_AU_CREATE, NULL), 0);
	assert_string_equal(slurp(p), "again\n");

	/* A dangling symbolic link is not followed into a new file. */
	snprintf(p, sizeof(p), "%s/dangling", dir);
	assert_int_equal(symlink("nowhere", p), 0);
	assert_int_equal(xst_au_write_file(p, "x", 1, XST_AU_CREATE, NULL), -ENOENT);

	/* Someone creates the name first: refused, theirs kept. */
	snprintf(p, sizeof(p), "%s/race", dir);
	assert_int_equal(xst_au_begin(p, XST_AU_CREATE, &au), 0);
	assert_int_equal(write(xst_au_fd(au), "mine", 4), 4);
	write_file(p, "theirs");
	assert_int_equal(xst_au_commit(au, NULL), -EBUSY);
	assert_string_equal(slurp(p), "theirs");
	xst_au_freep(&au);
	assert_int_equal(entries(), 4);
}

static void test_named_temp_for_editors(void **state)
{
	struct xst_au *au = NULL;
	const char *tp;
	char edited[PATH_MAX + 8];
	ino_t before = ino_of(path);

	assert_int_equal(xst_au_begin(path, XST_AU_CLONE | XST_AU_NAMED, &au), 0);
	tp = xst_au_temp_path(au);
	assert_non_null(tp);
	assert_non_null(strstr(tp, "/.target.xfs_update."));
	assert_string_equal(slurp(tp), "old contents\n");	/* a clone */
	/* An editor that saves by rename-over. */
	snprintf(edited, sizeof(edited), "%s/editor-save", dir);
	write_file(edited, "edited\n");
	assert_int_equal(rename(edited, tp), 0);
	assert_int_equal(xst_au_commit(au, NULL), 0);
	xst_au_cancel(au);
	assert_string_equal(slurp(path), "edited\n");
	if (in_place_fs)
		assert_int_equal(ino_of(path), before);
	assert_int_equal(entries(), 1);	/* the temp name is gone */

	/* Cancel removes the name too. */
	assert_int_equal(xst_au_begin(path, XST_AU_NAMED, &au), 0);
	assert_int_equal(entries(), 2);
	xst_au_cancel(au);
	assert_int_equal(entries(), 1);
}

static void test_begin_fd(void **state)
{
	struct xst_au *au = NULL;
	char p[PATH_MAX + 8];
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(xst_au_begin_fd(fd, 0, &au), 0);
	assert_int_equal(write(xst_au_fd(au), "by fd\n", 6), 6);
	assert_int_equal(xst_au_commit(au, NULL), 0);
	xst_au_cancel(au);
	close(fd);
	assert_string_equal(slurp(path), "by fd\n");

	/* An unlinked file has no directory to work in. */
	snprintf(p, sizeof(p), "%s/gone", dir);
	write_file(p, "x");
	fd = open(p, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(xst_au_begin_fd(fd, 0, &au), -ENOENT);
	assert_null(au);
	close(fd);

	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(xst_au_begin_fd(fd, 0, &au), -EISDIR);
	close(fd);
	assert_int_equal(entries(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_argument_validation, reset),
		cmocka_unit_test_setup(test_null_safe_destructors, reset),
		cmocka_unit_test(test_method_names),
		cmocka_unit_test_setup(test_not_regular, reset),
		cmocka_unit_test_setup(test_in_place_refused, reset),
		cmocka_unit_test_setup(test_fallback_commit, reset),
		cmocka_unit_test_setup(test_clone_and_length_changes, reset),
		cmocka_unit_test_setup(test_cancel_leaves_target, reset),
		cmocka_unit_test_setup(test_concurrent_write_refused, reset),
		cmocka_unit_test_setup(test_metadata_change_refused, reset),
		cmocka_unit_test_setup(test_renamed_over_refused, reset),
		cmocka_unit_test_setup(test_symlink_followed, reset),
		cmocka_unit_test_setup(test_create, reset),
		cmocka_unit_test_setup(test_named_temp_for_editors, reset),
		cmocka_unit_test_setup(test_begin_fd, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
