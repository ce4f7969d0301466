// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for messages, counters and exit codes (scrub/report.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "report.h"

/* Capture what a call writes to stderr. */
static void capture_stderr(void (*fn)(struct xst_report *), struct xst_report *rep,
			   char *out, size_t len)
{
	char path[] = "/tmp/xst-report-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	ssize_t n;

	assert_true(fd >= 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	fn(rep);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

static void say_corrupt(struct xst_report *rep)
{
	xst_msg(rep, XST_CORRUPT, "inode 131 (0/131) extended attributes", "Repairs are required.");
}

static void test_format(void **state)
{
	struct xst_report rep;
	char out[256];

	(void)state;
	xst_report_init(&rep, "/mnt");
	capture_stderr(say_corrupt, &rep, out, sizeof(out));
	assert_string_equal(out, "Corruption: inode 131 (0/131) extended attributes: Repairs are required.\n");
	assert_int_equal(rep.corruptions, 1);
	assert_int_equal(xst_report_exit_code(&rep), XST_EXIT_CORRUPT);
}

static void say_summary(struct xst_report *rep)
{
	xst_report_summary(rep, true, false);
}

static void test_summary_and_bits(void **state)
{
	struct xst_report rep;
	char out[512];

	(void)state;
	xst_report_init(&rep, "/mnt");
	rep.corruptions = 2;
	rep.errors = 1;
	rep.warnings = 3;
	capture_stderr(say_summary, &rep, out, sizeof(out));
	assert_non_null(strstr(out, "/mnt: corruptions found: 2\n"));
	assert_non_null(strstr(out, "/mnt: operational errors found: 1\n"));
	assert_non_null(strstr(out, "/mnt: warnings found: 3\n"));
	assert_non_null(strstr(out, "/mnt: Re-run xfs_scrub without -n.\n"));
	assert_int_equal(xst_report_exit_code(&rep),
			 XST_EXIT_CORRUPT | XST_EXIT_WARNINGS | XST_EXIT_OPERROR);
}

static void test_iwarn(void **state)
{
	struct xst_report rep;

	(void)state;
	xst_report_init(&rep, "/mnt");
	assert_non_null(freopen("/dev/null", "w", stdout));
	xst_msg(&rep, XST_INFO, "AG 1 inode btree", "Cross-referencing failed.");
	assert_int_equal(xst_report_exit_code(&rep), 0);
	rep.iwarn = true;
	xst_msg(&rep, XST_INFO, "AG 1 inode btree", "Cross-referencing failed.");
	assert_int_equal(xst_report_exit_code(&rep), XST_EXIT_WARNINGS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_summary_and_bits),
		cmocka_unit_test(test_iwarn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
