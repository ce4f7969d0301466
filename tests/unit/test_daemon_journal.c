// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for journal records: MESSAGE_IDs and rate limiting (daemon/journal.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <cmocka.h>

#include "journal.h"

static void test_ids(void **state)
{
	for (int i = 0; i < XSD_MSG_NR; i++) {
		const char *id = xsd_msg_id((enum xsd_msg)i);

		assert_non_null(id);
		assert_int_equal(strlen(id), 32);
		assert_int_equal(strspn(id, "0123456789abcdef"), 32);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(id, xsd_msg_id((enum xsd_msg)k));
	}
	assert_null(xsd_msg_id(XSD_MSG_NR));
}

static void test_ratelimit(void **state)
{
	struct xsd_journal *j;
	struct xsd_rec r = {
		.msg = XSD_MSG_CORRUPTION, .priority = LOG_WARNING, .mountpoint = "/mnt",
		.agno = 1, .ino = 131, .scrub_type = "xattr", .outcome = "corrupt", .text = "x",
	};

	assert_int_equal(xsd_journal_new(60, false, &j), 0);
	/* The first one goes out (to the journal, or stderr without one). */
	assert_int_not_equal(xsd_journal_send(j, &r), 0);
	/* The same finding about the same object again: suppressed. */
	assert_int_equal(xsd_journal_send(j, &r), 0);
	assert_int_equal(xsd_journal_suppressed(j), 1);
	/* Another object is not a repeat. */
	r.ino = 132;
	assert_int_not_equal(xsd_journal_send(j, &r), 0);
	/* Lifecycle records are never limited. */
	r.msg = XSD_MSG_FS_WATCH;
	assert_int_not_equal(xsd_journal_send(j, &r), 0);
	assert_int_not_equal(xsd_journal_send(j, &r), 0);
	assert_int_equal(xsd_journal_sent(j), 4);
	xsd_journal_free(j);

	/* ratelimit = 0 turns limiting off. */
	assert_int_equal(xsd_journal_new(0, false, &j), 0);
	r.msg = XSD_MSG_CORRUPTION;
	assert_int_not_equal(xsd_journal_send(j, &r), 0);
	assert_int_not_equal(xsd_journal_send(j, &r), 0);
	xsd_journal_free(j);
	assert_null(xsd_journal_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_ratelimit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
