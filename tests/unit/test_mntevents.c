// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the fanotify mount event parser (daemon/mntevents.c) and
 * the filesystem identity compared before every job (daemon/mounts.c).
 * The first buffer is bytes a 6.18 kernel returned for one read after a
 * tmpfs mount, a mount --move and an umount; the rest are cut and bent
 * copies of it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "mntevents.h"
#include "mounts.h"

/* attach, move (attach|detach), detach of mount 0x80000fc2 */
static const unsigned char real[] = {
	0x28, 0, 0, 0, 3, 0, 0x18, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
	0x60, 0x10, 0, 0, 0x07, 0, 0x10, 0, 0, 0, 0, 0, 0xc2, 0x0f, 0, 0x80, 0, 0, 0, 0,
	0x28, 0, 0, 0, 3, 0, 0x18, 0, 0, 0, 0, 0x03, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
	0x61, 0x10, 0, 0, 0x07, 0, 0x10, 0, 0, 0, 0, 0, 0xc2, 0x0f, 0, 0x80, 0, 0, 0, 0,
	0x28, 0, 0, 0, 3, 0, 0x18, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
	0x63, 0x10, 0, 0, 0x07, 0, 0x10, 0, 0, 0, 0, 0, 0xc2, 0x0f, 0, 0x80, 0, 0, 0, 0,
};

static void test_real_records(void **state)
{
	struct xsd_mntev ev[8];
	size_t n = xsd_mntev_parse(real, sizeof(real), ev, 8);

	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ev[i].kind, XSD_MNTEV_MOUNT);
		assert_int_equal(ev[i].mnt_id, 0x80000fc2ull);
		assert_int_equal(ev[i].fd, -1);
	}
	assert_true(ev[0].attach && !ev[0].detach);
	assert_true(ev[1].attach && ev[1].detach);
	assert_true(!ev[2].attach && ev[2].detach);
	/* max bounds what is stored */
	assert_int_equal(xsd_mntev_parse(real, sizeof(real), ev, 2), 2);
	assert_int_equal(xsd_mntev_parse(real, 0, ev, 8), 0);
}

static void test_cut_and_bent(void **state)
{
	unsigned char b[sizeof(real) + 8];
	struct xsd_mntev ev[8];
	size_t n;

	/* A cut event: the whole ones parse, the rest is one BAD, nothing read past len. */
	for (size_t len = 1; len < sizeof(real); len++) {
		n = xsd_mntev_parse(real, len, ev, 8);
		assert_int_equal(n, len / 40 + (len % 40 != 0));
		for (size_t i = 0; i < len / 40; i++)
			assert_int_equal(ev[i].kind, XSD_MNTEV_MOUNT);
		if (len % 40)
			assert_int_equal(ev[n - 1].kind, XSD_MNTEV_BAD);
	}

	/* Unknown version: the layout cannot be trusted, the parse stops. */
	memcpy(b, real, sizeof(real));
	b[40 + 4] = 4;
	n = xsd_mntev_parse(b, sizeof(real), ev, 8);
	assert_int_equal(n, 2);
	assert_int_equal(ev[1].kind, XSD_MNTEV_BAD);

	/* event_len past the buffer, or shorter than the header. */
	memcpy(b, real, sizeof(real));
	b[0] = 0xff;
	n = xsd_mntev_parse(b, sizeof(real), ev, 8);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].kind, XSD_MNTEV_BAD);
	b[0] = 8;
	assert_int_equal(xsd_mntev_parse(b, sizeof(real), ev, 8), 1);
	assert_int_equal(ev[0].kind, XSD_MNTEV_BAD);

	/* An info record longer than its event: that event is bad, the next one is found. */
	memcpy(b, real, sizeof(real));
	b[24 + 2] = 0x20;
	n = xsd_mntev_parse(b, sizeof(real), ev, 8);
	assert_int_equal(n, 3);
	assert_int_equal(ev[0].kind, XSD_MNTEV_BAD);
	assert_int_equal(ev[0].mnt_id, 0);
	assert_int_equal(ev[1].kind, XSD_MNTEV_MOUNT);

	/* A mount record of the wrong size, a zero record length, a zero mount id. */
	memcpy(b, real, sizeof(real));
	b[24 + 2] = 0x0c;
	assert_int_equal(xsd_mntev_parse(b, 40, ev, 8), 1);
	assert_int_equal(ev[0].kind, XSD_MNTEV_BAD);
	b[24 + 2] = 0;
	assert_int_equal(xsd_mntev_parse(b, 40, ev, 8), 1);
	assert_int_equal(ev[0].kind, XSD_MNTEV_BAD);
	memcpy(b, real, sizeof(real));
	memset(b + 32, 0, 8);
	assert_int_equal(xsd_mntev_parse(b, 40, ev, 8), 1);
	assert_int_equal(ev[0].kind, XSD_MNTEV_BAD);

	/* metadata_len beyond event_len. */
	memcpy(b, real, sizeof(real));
	b[6] = 0x30;
	assert_int_equal(xsd_mntev_parse(b, 40, ev, 8), 1);
	assert_int_equal(ev[0].kind, XSD_MNTEV_BAD);

	/* Another info record before the mount one is skipped by its length. */
	memcpy(b, real, 24);
	b[0] = 48;
	memcpy(b + 24, "\x01\x00\x08\x00\xaa\xbb\xcc\xdd", 8);
	memcpy(b + 32, real + 24, 16);
	n = xsd_mntev_parse(b, 48, ev, 8);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].kind, XSD_MNTEV_MOUNT);
	assert_int_equal(ev[0].mnt_id, 0x80000fc2ull);

	/* Two mount records in one event: ambiguous, so bad. */
	memcpy(b, real, 40);
	b[0] = 56;
	memcpy(b + 40, real + 24, 16);
	assert_int_equal(xsd_mntev_parse(b, 56, ev, 8), 1);
	assert_int_equal(ev[0].kind, XSD_MNTEV_BAD);

	/* Queue overflow (FAN_Q_OVERFLOW, no info), and an event of another kind. */
	memcpy(b, real, 24);
	b[0] = 24;
	memset(b + 8, 0, 8);
	b[9] = 0x40;
	assert_int_equal(xsd_mntev_parse(b, 24, ev, 8), 1);
	assert_int_equal(ev[0].kind, XSD_MNTEV_OVERFLOW);
	b[9] = 0;
	b[8] = 0x20;	/* FAN_OPEN */
	assert_int_equal(xsd_mntev_parse(b, 24, ev, 8), 1);
	assert_int_equal(ev[0].kind, XSD_MNTEV_OTHER);
}

static void test_identity(void **state)
{
	struct xsd_fs_ident a = { .dev = makedev(7, 1) }, b;

	memset(a.uuid, 0x11, sizeof(a.uuid));
	memset(a.handle, 0x22, sizeof(a.handle));
	b = a;
	assert_null(xsd_ident_differs(&a, &b));
	b.dev = makedev(7, 2);
	assert_string_equal(xsd_ident_differs(&a, &b), "device");
	b = a;
	b.uuid[15] ^= 1;
	assert_string_equal(xsd_ident_differs(&a, &b), "UUID");
	/* The kernel derives the handle from the UUID; compared all the same. */
	b = a;
	b.handle[0] ^= 1;
	assert_string_equal(xsd_ident_differs(&a, &b), "fs handle");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_records),
		cmocka_unit_test(test_cut_and_bent),
		cmocka_unit_test(test_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
