// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for /etc/xfs_scrubd.conf parsing and validation (daemon/config.c). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"

static void load_ok(struct xsd_config *c, const char *text)
{
	char err[256] = "";

	assert_int_equal(xsd_config_defaults(c), 0);
	if (xsd_config_load_string(c, text, err, sizeof(err)) != 0)
		fail_msg("unexpected error: %s", err);
}

static void load_bad(const char *text, const char *want)
{
	struct xsd_config c;
	char err[256] = "";

	assert_int_equal(xsd_config_defaults(&c), 0);
	assert_int_equal(xsd_config_load_string(&c, text, err, sizeof(err)), -EINVAL);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
	xsd_config_done(&c);
}

static void test_defaults(void **state)
{
	struct xsd_config c;

	load_ok(&c, "");
	assert_string_equal(c.state_dir, "/var/lib/xfs_scrubd");
	assert_true(c.health_monitor);
	assert_int_equal(c.poll_interval_s, 30);
	assert_int_equal(c.scan_interval_s, 7 * 86400);
	assert_true(c.checkpoint_interval_s <= 10);
	assert_int_equal(c.repair, XSD_REPAIR_AUTO);
	assert_null(c.metrics_file);
	assert_int_equal(c.cpu_budget, 50);
	assert_int_equal(c.io_budget, 25);
	assert_int_equal(c.media_rate, 0);
	assert_true(xsd_config_wants(&c, "/anything"));
	xsd_config_done(&c);
	/* "off" and "0" lift the cap; plain bytes and each suffix count. */
	load_ok(&c, "[scan]\nmedia_rate = 256K\n");
	assert_int_equal(c.media_rate, 256 << 10);
	xsd_config_done(&c);
	load_ok(&c, "[scan]\nmedia_rate = 16G\n");
	assert_int_equal(c.media_rate, 16ull << 30);
	xsd_config_done(&c);
	load_ok(&c, "[scan]\nmedia_rate = 1000000\nmedia_rate = off\n");
	assert_int_equal(c.media_rate, 0);
	xsd_config_done(&c);
}

static void test_all_keys(void **state)
{
	struct xsd_config c;

	load_ok(&c,
		"# comment\n"
		"[daemon]\nstate_dir = /s\nruntime_dir = /r\nmetrics_file = /m.prom\n"
		"[events]\nhealth_monitor = no\npoll_interval = 2m\nescalate_events = 5\n"
		"escalate_window = 1h\n"
		"[scan]\ninterval = 1w\nwindow = 22:30-05:00\nskip_on_battery = false\n"
		"cpu_budget = 40%\nio_budget = 60\nmedia_rate = 50M\nio_pressure_max = 12.5\n"
		"rest_us = 100\ncheckpoint_interval = 10s\n"
		"[repair]\nmode = never\n"
		"[journal]\nratelimit = 0\n"
		"[filesystems]\ninclude = /a /b\ninclude = /c\nexclude = /b\n");
	assert_string_equal(c.state_dir, "/s");
	assert_string_equal(c.metrics_file, "/m.prom");
	assert_false(c.health_monitor);
	assert_int_equal(c.poll_interval_s, 120);
	assert_int_equal(c.escalate_events, 5);
	assert_int_equal(c.escalate_window_s, 3600);
	assert_int_equal(c.scan_interval_s, 7 * 86400);
	assert_int_equal(c.window_start_min, 22 * 60 + 30);
	assert_int_equal(c.window_end_min, 5 * 60);
	assert_false(c.skip_on_battery);
	assert_int_equal(c.cpu_budget, 40);
	assert_int_equal(c.io_budget, 60);
	assert_int_equal(c.media_rate, 50ull << 20);
	assert_true(c.io_pressure_max > 12.4 && c.io_pressure_max < 12.6);
	assert_int_equal(c.rest_us, 100);
	assert_int_equal(c.checkpoint_interval_s, 10);
	assert_int_equal(c.repair, XSD_REPAIR_NEVER);
	assert_int_equal(c.ratelimit_s, 0);
	assert_int_equal(c.n_include, 3);
	assert_true(xsd_config_wants(&c, "/a"));
	assert_false(xsd_config_wants(&c, "/b"));
	assert_true(xsd_config_wants(&c, "/c"));
	assert_false(xsd_config_wants(&c, "/d"));
	xsd_config_done(&c);
}

static void test_errors_name_the_line(void **state)
{
	load_bad("[scan]\ncpu_budget = 250\n", "<string>:2: [scan] cpu_budget: expected a percentage");
	load_bad("[scan]\ncpu_budget = 0\n", ":2:");
	load_bad("\n\n[scan]\ninterval = soon\n", ":4: [scan] interval: expected a duration");
	load_bad("[scan]\ncheckpoint_interval = 11s\n", "1s to 10s");
	load_bad("[scan]\nwindow = 25:00-01:00\n", "HH:MM-HH:MM");
	load_bad("[scan]\nwindow = 01:00-01:00\n", "HH:MM-HH:MM");
	load_bad("[scan]\ntypo = 1\n", ":2: [scan] typo: unknown key");
	load_bad("[bogus]\nx = 1\n", "[bogus] x: unknown section");
	load_bad("x = 1\n", "key outside of a section");
	load_bad("[daemon]\nstate_dir = relative\n", "absolute path");
	load_bad("[events]\nhealth_monitor = maybe\n", "yes or no");
	load_bad("[repair]\nmode = sometimes\n", "auto, always or never");
	load_bad("[filesystems]\ninclude = /a b\n", "absolute mount point");
	load_bad("[scan]\nio_pressure_max = nan\n", "percentage");
	load_bad("[scan]\nrest_us = 70000\n", "microseconds");
	load_bad("[scan]\nio_budget = 101%\n", ":2: [scan] io_budget: expected a percentage");
	load_bad("[scan]\nmedia_rate = 100K\n", "from 256K to 16G");	/* below one read a second */
	load_bad("[scan]\nmedia_rate = 17G\n", "from 256K to 16G");
	load_bad("[scan]\nmedia_rate = 5MB\n", "bytes per second");
	load_bad("[scan]\nmedia_rate = -1\n", "bytes per second");
	load_bad("[scan]\nmedia_rate = 99999999999999999999999\n", "bytes per second");
	/* A syntax error is reported as such, on its own line. */
	load_bad("[scan]\n  this line has no equals sign\n", ":2: syntax error");
	/* The first bad line wins. */
	load_bad("[scan]\ncpu_budget = 0\nbroken\n", ":2:");
}

static void test_durations(void **state)
{
	uint64_t v;

	assert_int_equal(xsd_parse_duration("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(xsd_parse_duration("90s", &v), 0);
	assert_int_equal(v, 90);
	assert_int_equal(xsd_parse_duration("3d", &v), 0);
	assert_int_equal(v, 3 * 86400);
	assert_int_equal(xsd_parse_duration("-1", &v), -EINVAL);
	assert_int_equal(xsd_parse_duration("1y", &v), -EINVAL);
	assert_int_equal(xsd_parse_duration("", &v), -EINVAL);
	assert_int_equal(xsd_parse_duration("99999999999999999999", &v), -EINVAL);
	assert_int_equal(xsd_parse_duration("9999999999999999w", &v), -ERANGE);
}

static void test_file_missing(void **state)
{
	struct xsd_config c;
	char err[128];

	assert_int_equal(xsd_config_defaults(&c), 0);
	assert_int_equal(xsd_config_load(&c, "/nonexistent/xfs_scrubd.conf", err, sizeof(err)),
			 -ENOENT);
	xsd_config_done(&c);
	xsd_config_done(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_file_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
