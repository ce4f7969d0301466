/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What is known to be damaged on one filesystem right now, for the bus
 * (ListDamage) and xfs_scrubctl: objects found corrupt and not (yet)
 * repaired, repairs that failed, and unreadable data found by media scans.
 * Fed from the outcome records on the loop thread (so it needs no lock and
 * sees exactly what the journal sees): a corruption or failure adds or
 * updates an entry, a verified repair removes it, and a clean scan of a
 * kind clears what that kind would have found again.  Bounded: past
 * XSD_DAMAGE_MAX entries, new ones are counted but not kept.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define XSD_DAMAGE_MAX 256

enum xsd_damage_state {
	XSD_DAMAGE_CORRUPT,	/* found; not repaired (report only, or not yet) */
	XSD_DAMAGE_UNREPAIRED,	/* a repair failed: offline repair required */
	XSD_DAMAGE_UNREADABLE,	/* media error: the data cannot be read back */
};

struct xsd_damage {
	enum xsd_damage_state state;
	int64_t agno;		/* -1: none */
	uint64_t ino;		/* 0: none */
	uint64_t offset;	/* UNREADABLE: byte in the file, or on the device */
	char scrub_type[24];	/* "" for media errors */
	char path[256];
	char text[256];
	uint64_t since;		/* realtime seconds when first seen */
	uint64_t seen;		/* list sequence number of the last sighting */
};

struct xsd_damage_list {
	struct xsd_damage v[XSD_DAMAGE_MAX];
	unsigned int n;
	uint64_t dropped;	/* entries that did not fit */
	uint64_t seq;		/* bumped by every sighting */
};

const char *xsd_damage_state_name(enum xsd_damage_state s);

/*
 * Add or update the entry for (agno, ino, scrub_type, offset); strings
 * may be NULL.  The first sighting's time is kept.
 */
void xsd_damage_note(struct xsd_damage_list *l, enum xsd_damage_state state, int64_t agno,
		     uint64_t ino, const char *scrub_type, uint64_t offset, const char *path,
		     const char *text, uint64_t now);

/* A repair of (agno, ino, scrub_type) was verified: forget the entry. */
void xsd_damage_repaired(struct xsd_damage_list *l, int64_t agno, uint64_t ino,
			 const char *scrub_type);

/* Take at the start of a scan; pass to xsd_damage_scan_done at its end. */
static inline uint64_t xsd_damage_mark(const struct xsd_damage_list *l)
{
	return l->seq;
}

/*
 * A scan ran to its end: entries of its kinds (metadata, media) not seen
 * again since mark are gone; the scan would have reported them.
 */
void xsd_damage_scan_done(struct xsd_damage_list *l, bool metadata, bool media, uint64_t mark);
