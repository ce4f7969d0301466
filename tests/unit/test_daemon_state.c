// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the scan checkpoint (daemon/state.c) and the Prometheus
 * textfile format (daemon/metrics.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "metrics.h"
#include "state.h"

static void test_roundtrip(void **state)
{
	struct xsd_state s = {
		.scan_active = true,
		.cur = { XSD_PHASE_INODES, 3, 0x300000085ull },
		.scan_started = 1790000000, .objects_done = 4242,
		.corruptions = 2, .repairs = 1, .failures = 1,
		.last_scan_end = 1789000000, .last_scan_duration = 77,
		.last_objects = 9000, .last_corruptions = 0, .last_repairs = 0,
		.last_failures = 0,
		.kind = XSD_SCAN_ALL, .mode = XSD_SCAN_MODE_REPORT, .throttle = false,
		.media_done = 1ull << 33, .losses = 3, .media_errors = 2,
		.last_losses = 1, .last_media_errors = 4, .last_media_end = 1788000000,
		.last_kind = XSD_SCAN_MEDIA, .scope_ag = 2, .media_rate = 8ull << 20,
	}, back;
	char buf[2048];
	int n;

	strcpy(s.last_result, "clean");
	n = xsd_state_format(&s, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(xsd_state_parse(buf, (size_t)n, &back), 0);
	assert_memory_equal(&s, &back, sizeof(s));
	assert_int_equal(xsd_state_format(&s, buf, 16), -ENOSPC);
}

static void test_parse_rejects(void **state)
{
	struct xsd_state s;
	const char *good = "version 1\nphase inodes\nagno 1\nino 99\nfuture_key 7\n";

	assert_int_equal(xsd_state_parse(good, strlen(good), &s), 0);
	assert_int_equal(s.cur.phase, XSD_PHASE_INODES);
	assert_int_equal(s.cur.ino, 99);
	/* A checkpoint written before scan kinds: a throttled metadata scan. */
	assert_int_equal(s.kind, XSD_SCAN_METADATA);
	assert_true(s.throttle);
	assert_int_equal(s.scope_ag, -1);
	assert_int_equal(s.media_rate, 0);	/* no line: the configured cap */
	/* A scan's own rate cap outside what the daemon accepts is junk. */
	assert_int_equal(xsd_state_parse("version 1\nmedia_rate 5\n", 23, &s), -EINVAL);
	assert_int_equal(xsd_state_parse("version 1\nmedia_rate 262144\n", 28, &s), 0);
	assert_int_equal(s.media_rate, 262144);
	assert_int_equal(xsd_state_parse("version 1\nkind sideways\n", 24, &s), -EINVAL);
	assert_int_equal(xsd_state_parse("version 1\nmode 7\n", 17, &s), -EINVAL);
	assert_int_equal(xsd_state_parse("version 1\nthrottle 3\n", 21, &s), -EINVAL);
	/* Torn, foreign or garbage files are refused: start afresh, never resume from junk. */
	assert_int_equal(xsd_state_parse("", 0, &s), -EINVAL);
	assert_int_equal(xsd_state_parse("version 2\n", 10, &s), -EINVAL);
	assert_int_equal(xsd_state_parse("version 1\nphase sideways\n", 25, &s), -EINVAL);
	assert_int_equal(xsd_state_parse("version 1\nagno x\n", 17, &s), -EINVAL);
	assert_int_equal(xsd_state_parse("version 1\nagno 99999999999\n", 27, &s), -EINVAL);
	assert_int_equal(xsd_state_parse("version 1\nnospace\n", 18, &s), -EINVAL);
	assert_int_equal(xsd_state_parse("version 1\nscan_active 2\n", 24, &s), -EINVAL);
}

static void test_save_load(void **state)
{
	char dir[] = "/tmp/xsd-state-XXXXXX", path[256];
	struct xsd_state s = { .scan_active = true, .cur = { XSD_PHASE_METADATA, 2, 0 } }, back;
	const char *method = NULL;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(xsd_state_path(dir, "0123-uuid", path, sizeof(path)), 0);
	assert_int_equal(xsd_state_load(path, &back), -ENOENT);
	assert_int_equal(xsd_state_save(path, &s, &method), 0);
	assert_non_null(method);
	s.cur.agno = 3;
	assert_int_equal(xsd_state_save(path, &s, NULL), 0);
	assert_int_equal(xsd_state_load(path, &back), 0);
	assert_int_equal(back.cur.agno, 3);
	assert_true(back.scan_active);
	assert_int_equal(xsd_state_path(dir, "x", path, 4), -ENAMETOOLONG);
	xsd_state_path(dir, "0123-uuid", path, sizeof(path));
	unlink(path);
	rmdir(dir);
}

static void test_metrics_format(void **state)
{
	struct xsd_fs_metrics m[2] = {
		{ .mountpoint = "/mnt/a", .device = "/dev/vda", .uuid = "u1", .state = "idle",
		  .objects_checked = 10, .repairs = 2, .last_scan_end = 1790000000 },
		{ .mountpoint = "/mnt/\"odd\\\nname", .device = "/dev/vdb", .uuid = "u2",
		  .state = "scanning", .progress = 0.5 },
	};
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(xsd_metrics_format(m, 2, 77, &buf, &len), 0);
	assert_int_equal(strlen(buf), len);
	assert_non_null(strstr(buf, "xfs_scrubd_scrub_calls_total 77\n"));
	assert_non_null(strstr(buf, "# TYPE xfs_scrubd_repairs_total counter\n"));
	assert_non_null(strstr(buf,
		"xfs_scrubd_repairs_total{mountpoint=\"/mnt/a\",device=\"/dev/vda\",uuid=\"u1\"} 2\n"));
	assert_non_null(strstr(buf,
		"xfs_scrubd_scan_progress_ratio{mountpoint=\"/mnt/\\\"odd\\\\\\nname\",device=\"/dev/vdb\",uuid=\"u2\"} 0.5000\n"));
	assert_non_null(strstr(buf, "xfs_scrubd_state{mountpoint=\"/mnt/a\",device=\"/dev/vda\",uuid=\"u1\",state=\"idle\"} 1\n"));
	assert_non_null(strstr(buf, "xfs_scrubd_last_scan_timestamp_seconds{mountpoint=\"/mnt/a\",device=\"/dev/vda\",uuid=\"u1\"} 1790000000\n"));
	/* Every line is a comment or "name{labels} value". */
	for (char *l = buf; *l; l = strchr(l, '\n') + 1)
		assert_true(l[0] == '#' || !strncmp(l, "xfs_scrubd_", 11));
	free(buf);
	assert_int_equal(xsd_metrics_format(NULL, 0, 0, &buf, &len), 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_metrics_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
