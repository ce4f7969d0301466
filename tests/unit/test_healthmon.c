// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the health event parser and the mask-to-scrub-type maps
 * (daemon/healthmon.c), and for mountinfo parsing (daemon/mounts.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "healthmon.h"
#include "mounts.h"

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

static void rec(unsigned char *r, uint32_t domain, uint32_t type)
{
	memset(r, 0, XSD_HM_RECORD);
	put32(r, domain);
	put32(r + 4, type);
	put64(r + 8, 1234567890ull);
}

static void test_parse_kinds(void **state)
{
	unsigned char buf[6 * 64];
	struct xsd_event ev[8];
	size_t used;
	unsigned int bad;

	rec(buf, XFS_HEALTH_MONITOR_DOMAIN_MOUNT, XFS_HEALTH_MONITOR_TYPE_RUNNING);
	rec(buf + 64, XFS_HEALTH_MONITOR_DOMAIN_MOUNT, XFS_HEALTH_MONITOR_TYPE_LOST);
	put64(buf + 64 + 16, 32);
	rec(buf + 128, XFS_HEALTH_MONITOR_DOMAIN_INODE, XFS_HEALTH_MONITOR_TYPE_SICK);
	put32(buf + 128 + 16, XFS_BS_SICK_XATTR | XFS_BS_SICK_BMBTA);
	put32(buf + 128 + 20, 7);
	put64(buf + 128 + 24, 131);
	rec(buf + 192, XFS_HEALTH_MONITOR_DOMAIN_AG, XFS_HEALTH_MONITOR_TYPE_CORRUPT);
	put32(buf + 192 + 16, XFS_AG_GEOM_SICK_BNOBT);
	put32(buf + 192 + 20, 3);
	rec(buf + 256, XFS_HEALTH_MONITOR_DOMAIN_FILERANGE, XFS_HEALTH_MONITOR_TYPE_DIOREAD);
	put64(buf + 256 + 16, 4096);
	put64(buf + 256 + 24, 8192);
	put64(buf + 256 + 32, 135);
	put32(buf + 256 + 40, 1);
	put32(buf + 256 + 44, 5);
	rec(buf + 320, XFS_HEALTH_MONITOR_DOMAIN_MOUNT, XFS_HEALTH_MONITOR_TYPE_SHUTDOWN);
	put32(buf + 320 + 16, 1u << 4);

	assert_int_equal(xsd_hm_parse(buf, sizeof(buf), ev, 8, &used, &bad), 6);
	assert_int_equal(used, sizeof(buf));
	assert_int_equal(bad, 0);
	assert_int_equal(ev[0].kind, XSD_EV_RUNNING);
	assert_int_equal(ev[1].kind, XSD_EV_LOST);
	assert_int_equal(ev[1].count, 32);
	assert_int_equal(ev[2].kind, XSD_EV_SICK);
	assert_int_equal(ev[2].ino, 131);
	assert_int_equal(ev[2].gen, 7);
	assert_int_equal(ev[2].time_ns, 1234567890ull);
	assert_int_equal(ev[3].kind, XSD_EV_CORRUPT);
	assert_int_equal(ev[3].gno, 3);
	assert_int_equal(ev[4].kind, XSD_EV_FILERANGE);
	assert_int_equal(ev[4].pos, 4096);
	assert_int_equal(ev[4].len, 8192);
	assert_int_equal(ev[4].ino, 135);
	assert_int_equal(ev[4].error, 5);
	assert_int_equal(ev[5].kind, XSD_EV_SHUTDOWN);
	assert_int_equal(ev[5].count, 1u << 4);
}

static void test_parse_partial_and_hostile(void **state)
{
	unsigned char buf[4 * 64 + 20];
	struct xsd_event ev[8];
	size_t used;
	unsigned int bad;

	/* Unknown domain, type outside its domain, inode 0, then a good one. */
	rec(buf, 99, XFS_HEALTH_MONITOR_TYPE_SICK);
	rec(buf + 64, XFS_HEALTH_MONITOR_DOMAIN_FS, XFS_HEALTH_MONITOR_TYPE_MEDIA_ERROR);
	rec(buf + 128, XFS_HEALTH_MONITOR_DOMAIN_INODE, XFS_HEALTH_MONITOR_TYPE_SICK);
	rec(buf + 192, XFS_HEALTH_MONITOR_DOMAIN_FS, XFS_HEALTH_MONITOR_TYPE_SICK);
	put32(buf + 192 + 16, XFS_FSOP_GEOM_SICK_COUNTERS);
	memset(buf + 256, 0xff, 20);	/* a record cut in two by read(2) */
	assert_int_equal(xsd_hm_parse(buf, sizeof(buf), ev, 8, &used, &bad), 1);
	assert_int_equal(bad, 3);
	assert_int_equal(used, 256);	/* the partial record waits for the rest */
	assert_int_equal(ev[0].kind, XSD_EV_SICK);
	assert_int_equal(ev[0].domain, XFS_HEALTH_MONITOR_DOMAIN_FS);

	/* Type 0xffffffff must not shift out of range. */
	rec(buf, XFS_HEALTH_MONITOR_DOMAIN_AG, 0xffffffffu);
	assert_int_equal(xsd_hm_parse(buf, 64, ev, 8, &used, &bad), 0);
	assert_int_equal(bad, 1);
	/* Less than one record: nothing consumed. */
	assert_int_equal(xsd_hm_parse(buf, 63, ev, 8, &used, &bad), 0);
	assert_int_equal(used, 0);
	/* The caller's array bounds the output; the rest stays unread. */
	for (int i = 0; i < 4; i++)
		rec(buf + 64 * i, XFS_HEALTH_MONITOR_DOMAIN_MOUNT, XFS_HEALTH_MONITOR_TYPE_RUNNING);
	assert_int_equal(xsd_hm_parse(buf, 256, ev, 2, &used, &bad), 2);
	assert_int_equal(used, 128);
}

static void test_event_items(void **state)
{
	struct xsd_event ev = { .kind = XSD_EV_SICK };
	struct xst_item it;

	ev.domain = XFS_HEALTH_MONITOR_DOMAIN_INODE;
	ev.mask = XFS_BS_SICK_XATTR | XFS_BS_SICK_DIR | XFS_BS_SICK_DIRTREE;
	ev.ino = 4242;
	ev.gen = 9;
	assert_true(xsd_event_item(&ev, &it));
	assert_int_equal(it.scope, XST_SCOPE_INODE);
	assert_int_equal(it.ino, 4242);
	assert_int_equal(it.gen, 9);
	assert_int_equal(it.want, XST_TYPE_BIT(XFS_SCRUB_TYPE_XATTR) |
				  XST_TYPE_BIT(XFS_SCRUB_TYPE_DIR) |
				  XST_TYPE_BIT(XFS_SCRUB_TYPE_DIRTREE));

	ev.domain = XFS_HEALTH_MONITOR_DOMAIN_AG;
	ev.mask = XFS_AG_GEOM_SICK_AGF | XFS_AG_GEOM_SICK_RMAPBT;
	ev.gno = 2;
	assert_true(xsd_event_item(&ev, &it));
	assert_int_equal(it.scope, XST_SCOPE_AG);
	assert_int_equal(it.agno, 2);
	assert_int_equal(it.want, XST_TYPE_BIT(XFS_SCRUB_TYPE_AGF) |
				  XST_TYPE_BIT(XFS_SCRUB_TYPE_RMAPBT));

	/* Evicted sick inodes: no direct repair, the caller scans. */
	ev.mask = XFS_AG_GEOM_SICK_INODES;
	assert_false(xsd_event_item(&ev, &it));

	ev.domain = XFS_HEALTH_MONITOR_DOMAIN_FS;
	ev.mask = XFS_FSOP_GEOM_SICK_COUNTERS | XFS_FSOP_GEOM_SICK_NLINKS;
	assert_true(xsd_event_item(&ev, &it));
	assert_int_equal(it.scope, XST_SCOPE_FS);
	assert_int_equal(it.want, XST_TYPE_BIT(XFS_SCRUB_TYPE_FSCOUNTERS) |
				  XST_TYPE_BIT(XFS_SCRUB_TYPE_NLINKS));
	ev.mask = 1u << 31;	/* unknown bits are ignored */
	assert_false(xsd_event_item(&ev, &it));

	ev.domain = XFS_HEALTH_MONITOR_DOMAIN_DATADEV;
	ev.mask = 1;
	assert_false(xsd_event_item(&ev, &it));
}

/* The daemon's rehearsal record reads back as the kernel's would. */
static void test_sick_inode_record(void **state)
{
	unsigned char buf[XSD_HM_RECORD], kernel[XSD_HM_RECORD];
	struct xsd_event ev[2];
	struct xst_item it;
	unsigned int bad;
	size_t used;

	memset(buf, 0xa5, sizeof(buf));
	xsd_hm_sick_inode_record(buf, 128, 0x12345678, XFS_BS_SICK_DIR);
	rec(kernel, XFS_HEALTH_MONITOR_DOMAIN_INODE, XFS_HEALTH_MONITOR_TYPE_SICK);
	put64(kernel + 8, 0);
	put32(kernel + 16, XFS_BS_SICK_DIR);
	put32(kernel + 20, 0x12345678);
	put64(kernel + 24, 128);
	assert_memory_equal(buf, kernel, sizeof(buf));
	assert_int_equal(xsd_hm_parse(buf, sizeof(buf), ev, 2, &used, &bad), 1);
	assert_int_equal(bad, 0);
	assert_int_equal(ev[0].kind, XSD_EV_SICK);
	assert_true(xsd_event_item(&ev[0], &it));
	assert_int_equal(it.scope, XST_SCOPE_INODE);
	assert_int_equal(it.ino, 128);
	assert_int_equal(it.gen, 0x12345678);
	assert_int_equal(it.want, XST_TYPE_BIT(XFS_SCRUB_TYPE_DIR));
}

static void test_mountinfo(void **state)
{
	const char *text =
		"22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/root rw\n"
		"30 22 254:0 / /mnt/a rw,relatime shared:5 - xfs /dev/vda rw,attr2\n"
		"31 22 254:0 / /mnt/again rw shared:5 - xfs /dev/vda rw\n"
		"32 22 254:0 /sub /mnt/bind rw - xfs /dev/vda rw\n"
		"33 22 254:16 / /mnt/with\\040space ro,relatime - xfs /dev/vdb ro\n"
		"garbage line\n"
		"34 22 254:32 / /mnt/c rw master:2 unbindable - xfs /dev/mapper/x\\134y rw,attr2,discard,inode64\n"
		/* Options that only contain the words, and a line cut before its options. */
		"35 22 254:48 / /mnt/d rwro,relatime - xfs /dev/vdd rw,nodiscard,discard_max=1\n"
		"36 22 254:64 / /mnt/e ro - xfs /dev/vde\n";
	struct xsd_mount *m = NULL;
	size_t n = 0;

	assert_int_equal(xsd_mounts_parse(text, &m, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(m[0].mountpoint, "/mnt/a");
	assert_string_equal(m[0].source, "/dev/vda");
	assert_int_equal(m[0].dev, makedev(254, 0));
	assert_int_equal(m[0].mnt_id, 30);
	assert_false(m[0].readonly);
	assert_false(m[0].discard);
	assert_string_equal(m[1].mountpoint, "/mnt/with space");
	assert_true(m[1].readonly);
	assert_string_equal(m[2].source, "/dev/mapper/x\\y");
	assert_true(m[2].discard);
	assert_false(m[3].readonly);
	assert_false(m[3].discard);
	assert_true(m[4].readonly);
	assert_false(m[4].discard);
	xsd_mounts_free(m, n);
	xsd_mounts_free(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_kinds),
		cmocka_unit_test(test_parse_partial_and_hostile),
		cmocka_unit_test(test_event_items),
		cmocka_unit_test(test_sick_inode_record),
		cmocka_unit_test(test_mountinfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
