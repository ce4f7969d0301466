// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Byte rates as the configuration file and xfs_scrubctl --rate take them
 * (daemon/rate.c): the words, the suffixes, and the range the daemon also
 * checks at its D-Bus edge.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rate.h"

static void test_words_and_suffixes(void **state)
{
	uint64_t v = 1;

	assert_int_equal(xsd_parse_rate("off", &v), 0);
	assert_int_equal(v, 0);
	v = 1;
	assert_int_equal(xsd_parse_rate("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(xsd_parse_rate("262144", &v), 0);
	assert_int_equal(v, 262144);
	assert_int_equal(xsd_parse_rate("256K", &v), 0);
	assert_int_equal(v, 256 << 10);
	assert_int_equal(xsd_parse_rate("8M", &v), 0);
	assert_int_equal(v, 8 << 20);
	assert_int_equal(xsd_parse_rate("16G", &v), 0);
	assert_int_equal(v, 16ull << 30);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", "K", "-1", " 8M", "8M ", "8m", "8MB", "8 M", "8.5M", "1.0",
		"255K", "262143",			/* below one throttled read a second */
		"17G", "16385M", "17179869185",		/* above 16 GiB */
		"99999999999999999999999", "18014398509481984K",	/* overflow */
		"offf", "on",
	};
	uint64_t v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(xsd_parse_rate(bad[i], &v), -EINVAL);
		assert_int_equal(v, 7);		/* untouched on failure */
	}
}

static void test_range(void **state)
{
	assert_false(xsd_rate_valid(0));
	assert_false(xsd_rate_valid(XSD_RATE_MIN - 1));
	assert_true(xsd_rate_valid(XSD_RATE_MIN));
	assert_true(xsd_rate_valid(XSD_RATE_MAX));
	assert_false(xsd_rate_valid(XSD_RATE_MAX + 1));
	assert_false(xsd_rate_valid(UINT64_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_and_suffixes),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
