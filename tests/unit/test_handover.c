// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the pure half of the hand-over to xfs_scrubd
 * (scrub/handover.c): the daemon's Outcome signals as xfs_scrub messages,
 * ScanFinished as upstream's exit bits, the opt-out variable.  The bus
 * half runs against the real daemon in tests/host/handover.sh and
 * tests/vm/groups/handover.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "handover.h"
#include "journal.h"

static struct xst_finding f;

static bool find(enum xsd_msg kind, const char *outcome, const char *text, bool repair,
		 bool verbose)
{
	memset(&f, 0x5a, sizeof(f));
	return xst_handover_finding(xsd_msg_id(kind), outcome, text, "/mnt/a", repair, verbose, &f);
}

static void test_optout(void **state)
{
	assert_false(xst_handover_optout(NULL));
	assert_false(xst_handover_optout(""));
	assert_false(xst_handover_optout("0"));
	assert_false(xst_handover_optout("no"));
	assert_true(xst_handover_optout("1"));
	assert_true(xst_handover_optout("yes"));
	assert_true(xst_handover_optout("TRUE"));
	assert_true(xst_handover_optout("y"));
}

/* The daemon's words become upstream's where upstream has them. */
static void test_findings(void **state)
{
	assert_true(find(XSD_MSG_CORRUPTION, "corrupt",
			 "/mnt/a/d directory entries: corruption found (scan); not repairing "
			 "(report-only mode)", false, false));
	assert_int_equal(f.level, XST_CORRUPT);
	assert_string_equal(f.what, "/mnt/a/d directory entries");
	assert_string_equal(f.msg, "Repairs are required.");

	/* Repairing, a finding is where the repair starts (a local run's words). */
	assert_true(find(XSD_MSG_CORRUPTION, "corrupt",
			 "AG 1 freesp by block btree: corruption found (scan)", true, false));
	assert_int_equal(f.level, XST_INFO);
	assert_string_equal(f.what, "AG 1 freesp by block btree");
	assert_string_equal(f.msg, "Attempting repair.");
	/* ... unless the daemon says it will not repair after all. */
	assert_true(find(XSD_MSG_CORRUPTION, "corrupt",
			 "AG 1 freesp by block btree: corruption found (scan); not repairing "
			 "(report-only mode)", true, false));
	assert_int_equal(f.level, XST_CORRUPT);

	assert_true(find(XSD_MSG_REPAIRED, "repaired",
			 "inode 131 (0/131) extended attributes: repaired and verified", true, false));
	assert_int_equal(f.level, XST_REPAIRED);
	assert_string_equal(f.what, "inode 131 (0/131) extended attributes");
	assert_string_equal(f.msg, "Repairs successful.");

	/* Counts stay: they are what the salvage record adds. */
	assert_true(find(XSD_MSG_REPAIRED_RESTORES, "repaired_restored",
			 "/mnt/a/d directory entries: repaired and verified; 3 entries the rebuild "
			 "dropped were restored", true, false));
	assert_int_equal(f.level, XST_REPAIRED);
	assert_string_equal(f.msg, "Repaired and verified; 3 entries the rebuild dropped were restored.");
	assert_true(find(XSD_MSG_REPAIRED_LOSS, "repaired_loss",
			 "/mnt/a/d directory entries: repaired and verified, but entries were lost "
			 "(0 restored); see the salvage record under /var/lib/xfs_scrubd", true, false));
	assert_int_equal(f.level, XST_LOSS);
	assert_string_equal(f.what, "/mnt/a/d directory entries");

	assert_true(find(XSD_MSG_REPAIR_FAILED, "failed",
			 "/mnt/a/d parent pointer: repair unsuccessful; offline repair required",
			 true, false));
	assert_int_equal(f.level, XST_CORRUPT);
	assert_string_equal(f.msg, "Repair unsuccessful; offline repair required.");
}

static void test_split(void **state)
{
	/* A name holding the daemon's own words: the last occurrence is the boundary. */
	assert_true(find(XSD_MSG_CORRUPTION, "corrupt",
			 "/mnt/a/x: corruption found (scan) directory entries: corruption found (scan)",
			 false, false));
	assert_string_equal(f.what, "/mnt/a/x: corruption found (scan) directory entries");
	assert_string_equal(f.msg, "Repairs are required.");

	/* Control characters from a hostile name never reach the terminal. */
	assert_true(find(XSD_MSG_CORRUPTION, "corrupt",
			 "/mnt/a/\033[2Jx\n directory entries: corruption found (scan)", false, false));
	assert_string_equal(f.what, "/mnt/a/?[2Jx? directory entries");

	/* Media: a file by name; metadata is about the filesystem. */
	assert_true(find(XSD_MSG_MEDIA_ERROR, "unreadable",
			 "/mnt/a/f: media error in file data, 4096 bytes (byte 8192 of the data "
			 "device) at file offset 0", false, false));
	assert_int_equal(f.level, XST_UNFIXABLE);
	assert_string_equal(f.what, "/mnt/a/f");
	assert_string_equal(f.msg, "Media error in file data, 4096 bytes (byte 8192 of the data "
			    "device) at file offset 0.");
	assert_true(find(XSD_MSG_MEDIA_ERROR, "unreadable",
			 "media error in log: 4096 bytes at byte 8192 of the data device", false, false));
	assert_string_equal(f.what, "/mnt/a");
	assert_string_equal(f.msg, "Media error in log: 4096 bytes at byte 8192 of the data device.");

	/* Something a newer daemon says: plainly, as information. */
	assert_true(find(XSD_MSG_ESCALATED, "novel", "something new", false, false));
	assert_int_equal(f.level, XST_INFO);
	assert_string_equal(f.what, "/mnt/a");
	assert_string_equal(f.msg, "Something new.");

	/* Over-long text is cut, never overrun. */
	{
		char big[3000];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		memcpy(big + 2000, ": repaired and verified", 23);
		assert_true(find(XSD_MSG_REPAIRED, "repaired", big, true, false));
		assert_int_equal(strlen(f.what), sizeof(f.what) - 1);
	}
}

/* The scan's own records: only with -v; the end comes through ScanFinished. */
static void test_lifecycle(void **state)
{
	assert_false(find(XSD_MSG_SCAN_STARTED, "started", "metadata scan started (repair mode)",
			  true, false));
	assert_true(find(XSD_MSG_SCAN_STARTED, "started", "metadata scan started (repair mode)",
			 true, true));
	assert_int_equal(f.level, XST_INFO);
	assert_string_equal(f.what, "/mnt/a");
	assert_string_equal(f.msg, "Metadata scan started (repair mode).");
	assert_false(find(XSD_MSG_SCAN_CONTROL, "media", "media verification: 3 MiB", true, false));
	assert_true(find(XSD_MSG_SCAN_CONTROL, "media", "media verification: 3 MiB", true, true));
	/* "repaired" as a scan's result is not an object repaired. */
	assert_false(find(XSD_MSG_SCAN_FINISHED, "repaired", "metadata scan finished: repaired",
			  true, true));
}

static int tally(const char *result, bool report, uint64_t corr, uint64_t rep, uint64_t fail,
		 uint64_t loss, uint64_t media)
{
	struct xst_scan_end e = {
		.corruptions = corr, .repairs = rep, .failures = fail, .losses = loss,
		.media_errors = media,
	};
	struct xst_report r;
	int rc;

	snprintf(e.result, sizeof(e.result), "%s", result);
	xst_report_init(&r, "/mnt/a");
	xst_handover_tally(&e, report, &r);
	rc = xst_report_exit_code(&r);
	pthread_mutex_destroy(&r.lock);
	return rc;
}

/* ScanFinished in upstream's exit bits (and the project's 16). */
static void test_exit_bits(void **state)
{
	assert_int_equal(tally("clean", false, 0, 0, 0, 0, 0), 0);
	assert_int_equal(tally("repaired", false, 2, 2, 0, 0, 0), 0);
	/* Report only: found is left. */
	assert_int_equal(tally("corrupt", true, 2, 0, 0, 0, 0), XST_EXIT_CORRUPT);
	/* Repair asked for, but the daemon could not: left as well. */
	assert_int_equal(tally("corrupt", false, 2, 0, 0, 0, 0), XST_EXIT_CORRUPT);
	assert_int_equal(tally("unrepaired", false, 3, 2, 1, 0, 0), XST_EXIT_CORRUPT);
	assert_int_equal(tally("repaired", false, 1, 1, 0, 5, 0), XST_EXIT_LOSS);
	/* Unreadable data is unfixable, as upstream counts it. */
	assert_int_equal(tally("unrepaired", false, 0, 0, 0, 0, 1), XST_EXIT_CORRUPT);
	assert_int_equal(tally("error", false, 0, 0, 0, 0, 0), XST_EXIT_OPERROR);
	assert_int_equal(tally("shutdown", false, 1, 0, 1, 0, 0), XST_EXIT_OPERROR | XST_EXIT_CORRUPT);
	assert_int_equal(tally("cancelled", true, 0, 0, 0, 0, 0), XST_EXIT_OPERROR);
}

/* Warnings printed while following stay counted; the rest comes from ScanFinished. */
static void test_tally_keeps_warnings(void **state)
{
	struct xst_scan_end e = { .result = "repaired", .repairs = 1, .corruptions = 1 };
	struct xst_report r;

	xst_report_init(&r, "/mnt/a");
	r.warnings = 1;
	r.corruptions = 7;	/* "Attempting repair" lines do not count; the end does */
	xst_handover_tally(&e, false, &r);
	assert_int_equal(r.corruptions, 0);
	assert_int_equal(r.repairs, 1);
	assert_int_equal(xst_report_exit_code(&r), XST_EXIT_WARNINGS);
	pthread_mutex_destroy(&r.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_optout),
		cmocka_unit_test(test_findings),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_exit_bits),
		cmocka_unit_test(test_tally_keeps_warnings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
