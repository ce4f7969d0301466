// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the damage list (daemon/damage.c): sightings add and
 * update, verified repairs remove, a failed repair is not downgraded by a
 * later check, a finished scan forgets only what it did not see again and
 * only of its own kind, and the table stays bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "damage.h"

static void test_note_and_repair(void **state)
{
	struct xsd_damage_list *l = calloc(1, sizeof(*l));

	xsd_damage_note(l, XSD_DAMAGE_CORRUPT, 1, 131, "directory", 0, "/m/d", "bad dir", 100);
	xsd_damage_note(l, XSD_DAMAGE_CORRUPT, 1, 131, "parent", 0, "/m/d", "bad pptr", 101);
	assert_int_equal(l->n, 2);
	/* Seen again: updated in place, first sighting kept. */
	xsd_damage_note(l, XSD_DAMAGE_UNREPAIRED, 1, 131, "directory", 0, NULL, "failed", 200);
	assert_int_equal(l->n, 2);
	assert_int_equal(l->v[0].state, XSD_DAMAGE_UNREPAIRED);
	assert_int_equal(l->v[0].since, 100);
	assert_string_equal(l->v[0].path, "/m/d");
	assert_string_equal(l->v[0].text, "failed");
	/* A later check finding it again does not hide that repair failed. */
	xsd_damage_note(l, XSD_DAMAGE_CORRUPT, 1, 131, "directory", 0, NULL, "again", 300);
	assert_int_equal(l->v[0].state, XSD_DAMAGE_UNREPAIRED);
	assert_string_equal(xsd_damage_state_name(l->v[0].state), "unrepaired");
	/* A verified repair of one type removes that type only. */
	xsd_damage_repaired(l, 1, 131, "parent");
	assert_int_equal(l->n, 1);
	assert_string_equal(l->v[0].scrub_type, "directory");
	/* Media errors are not "repaired" by a metadata repair of the same inode. */
	xsd_damage_note(l, XSD_DAMAGE_UNREADABLE, 1, 131, "", 4096, "/m/d", "media", 400);
	xsd_damage_repaired(l, 1, 131, "");
	assert_int_equal(l->n, 2);
	free(l);
}

static void test_scan_done(void **state)
{
	struct xsd_damage_list *l = calloc(1, sizeof(*l));
	uint64_t mark;

	xsd_damage_note(l, XSD_DAMAGE_CORRUPT, 0, 0, "bnobt", 0, NULL, "old", 1);
	xsd_damage_note(l, XSD_DAMAGE_CORRUPT, 2, 0, "inobt", 0, NULL, "old too", 1);
	xsd_damage_note(l, XSD_DAMAGE_UNREADABLE, 0, 99, "", 0, "/m/f", "media", 1);
	mark = xsd_damage_mark(l);
	/* The scan finds AG 2's inobt again, not AG 0's bnobt. */
	xsd_damage_note(l, XSD_DAMAGE_CORRUPT, 2, 0, "inobt", 0, NULL, "still", 2);
	xsd_damage_scan_done(l, true, false, mark);
	assert_int_equal(l->n, 2);
	for (unsigned int i = 0; i < l->n; i++)
		assert_string_not_equal(l->v[i].text, "old");
	/* A media pass that saw nothing clears the media entry, not the metadata one. */
	mark = xsd_damage_mark(l);
	xsd_damage_scan_done(l, false, true, mark);
	assert_int_equal(l->n, 1);
	assert_string_equal(l->v[0].scrub_type, "inobt");
	free(l);
}

static void test_bounded(void **state)
{
	struct xsd_damage_list *l = calloc(1, sizeof(*l));

	for (unsigned int i = 0; i < XSD_DAMAGE_MAX + 10; i++)
		xsd_damage_note(l, XSD_DAMAGE_CORRUPT, -1, 1000 + i, "inode", 0, NULL, "x", 1);
	assert_int_equal(l->n, XSD_DAMAGE_MAX);
	assert_int_equal(l->dropped, 10);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_note_and_repair),
		cmocka_unit_test(test_scan_done),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
