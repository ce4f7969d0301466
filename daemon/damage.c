// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The damage list (see damage.h).  A linear table: a few hundred entries at
 * most, touched a few times per outcome record, on one thread.
 */
#include <stdio.h>
#include <string.h>

#include "damage.h"

const char *xsd_damage_state_name(enum xsd_damage_state s)
{
	switch (s) {
	case XSD_DAMAGE_CORRUPT: return "corrupt";
	case XSD_DAMAGE_UNREPAIRED: return "unrepaired";
	case XSD_DAMAGE_UNREADABLE: return "unreadable";
	}
	return "unknown";
}

static bool same(const struct xsd_damage *d, int64_t agno, uint64_t ino, const char *type,
		 uint64_t offset)
{
	return d->agno == agno && d->ino == ino && !strcmp(d->scrub_type, type ? type : "") &&
	       d->offset == offset;
}

void xsd_damage_note(struct xsd_damage_list *l, enum xsd_damage_state state, int64_t agno,
		     uint64_t ino, const char *scrub_type, uint64_t offset, const char *path,
		     const char *text, uint64_t now)
{
	struct xsd_damage *d = NULL;

	for (unsigned int i = 0; i < l->n && !d; i++)
		if (same(&l->v[i], agno, ino, scrub_type, offset))
			d = &l->v[i];
	if (!d) {
		if (l->n == XSD_DAMAGE_MAX) {
			l->dropped++;
			return;
		}
		d = &l->v[l->n++];
		memset(d, 0, sizeof(*d));
		d->agno = agno;
		d->ino = ino;
		d->offset = offset;
		d->since = now;
		snprintf(d->scrub_type, sizeof(d->scrub_type), "%s", scrub_type ? scrub_type : "");
	}
	/* A failed repair stays "unrepaired" when a later check finds it again. */
	if (!(d->state == XSD_DAMAGE_UNREPAIRED && state == XSD_DAMAGE_CORRUPT))
		d->state = state;
	if (path && *path)
		snprintf(d->path, sizeof(d->path), "%s", path);
	if (text)
		snprintf(d->text, sizeof(d->text), "%s", text);
	d->seen = ++l->seq;
}

static void drop(struct xsd_damage_list *l, unsigned int i)
{
	l->v[i] = l->v[--l->n];
}

void xsd_damage_repaired(struct xsd_damage_list *l, int64_t agno, uint64_t ino,
			 const char *scrub_type)
{
	for (unsigned int i = 0; i < l->n;) {
		const struct xsd_damage *d = &l->v[i];

		if (d->state != XSD_DAMAGE_UNREADABLE && d->agno == agno && d->ino == ino &&
		    !strcmp(d->scrub_type, scrub_type ? scrub_type : ""))
			drop(l, i);
		else
			i++;
	}
}

void xsd_damage_scan_done(struct xsd_damage_list *l, bool metadata, bool media, uint64_t mark)
{
	for (unsigned int i = 0; i < l->n;) {
		bool unreadable = l->v[i].state == XSD_DAMAGE_UNREADABLE;

		if (l->v[i].seen <= mark && ((unreadable && media) || (!unreadable && metadata)))
			drop(l, i);
		else
			i++;
	}
}
