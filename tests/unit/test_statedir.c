// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for making the state directory (scrub/statedir.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "statedir.h"

static void test_mkdir_p(void **state)
{
	char top[] = "/tmp/xst-statedir-XXXXXX", path[128];
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(top));
	snprintf(path, sizeof(path), "%s/a/b/c", top);
	assert_int_equal(xst_mkdir_p(path, 0700), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Again: nothing to do, no error. */
	assert_int_equal(xst_mkdir_p(path, 0700), 0);
	/* A level that is a file cannot become a directory. */
	assert_true(xst_mkdir_p("/dev/null/x", 0700) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mkdir_p),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
