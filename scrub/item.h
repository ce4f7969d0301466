/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A scrub item: one object (the fs, an AG, an rtgroup or an inode) and the
 * scrub types selected for it, with each type's state.  Checking an item
 * issues as few kernel calls as possible: one vectored call carries every
 * type whose prerequisites are known sound, with barriers so that the kernel
 * stops at a broken prerequisite instead of reporting noise behind it.
 * Kernels without vectored scrub get the same semantics from single calls.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "plan.h"

enum xst_state {
	XST_ST_UNSELECTED = 0,
	XST_ST_NEEDCHECK,
	XST_ST_DONE,		/* checked; oflags hold the verdict */
	XST_ST_ABSENT,		/* ENOENT: not present on this fs */
	XST_ST_ERROR,		/* the call failed; err holds -errno */
	XST_ST_BLOCKED,		/* repair gave up on it (reported); not retried */
};

struct xst_item {
	enum xst_scope scope;
	uint32_t agno;		/* AG or rtgroup number */
	uint64_t ino;
	uint32_t gen;
	uint16_t mode;		/* inode mode from bulkstat, 0 if unknown */
	uint8_t repair_attempts; /* xst_repair_object calls so far */
	uint64_t want;		/* XST_TYPE_BIT()s selected */
	uint64_t unneeded;	/* repair asked, kernel found nothing to fix */
	uint8_t state[XST_SCRUB_TYPE_NR];
	uint8_t tries[XST_SCRUB_TYPE_NR];
	uint32_t oflags[XST_SCRUB_TYPE_NR];
	int32_t err[XST_SCRUB_TYPE_NR];
	uint64_t blocked_by;	/* a damaged directory that stopped this one's repair, or 0 */
	uint32_t blocked_gen;
};

/* How to talk to the kernel for one filesystem. */
struct xst_scrubber {
	int fd;
	bool use_scrubv;	/* false: emulate vectors with single calls */
	uint16_t rest_us;	/* kernel-side pause between items */
};

/* Retries of an INCOMPLETE or cross-reference-only verdict, as upstream. */
#define XST_MAX_TRIES 10

void xst_item_init(struct xst_item *it, enum xst_scope scope, uint32_t agno,
		   uint64_t ino, uint32_t gen, uint64_t want);

/*
 * Check (iflags 0) or repair (XFS_SCRUB_IFLAG_REPAIR) every selected type
 * that still needs it.  Per-type outcomes land in the item; the return value
 * is 0, or a negative errno that ends the whole run (-ESHUTDOWN, -EINTR).
 */
int xst_item_run(const struct xst_scrubber *s, struct xst_item *it, uint32_t iflags);

/* Mark the given types to be checked again (after a repair, say). */
void xst_item_recheck(struct xst_item *it, uint64_t types);

/* Verdict helpers over out-flags, named after what they mean. */
static inline bool xst_needs_repair(uint32_t of)
{
	return of & (XFS_SCRUB_OFLAG_CORRUPT | XFS_SCRUB_OFLAG_XCORRUPT);
}

static inline bool xst_want_retry(uint32_t of)
{
	return (of & XFS_SCRUB_OFLAG_INCOMPLETE) ||
	       ((of & XFS_SCRUB_OFLAG_XCORRUPT) && !(of & XFS_SCRUB_OFLAG_CORRUPT));
}

/* Probe: does the kernel do vectored scrub on this fd?  0, or -errno. */
int xst_probe_scrubv(int fd);
