// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * GETFSMAP request buffers, shared by the media scan (which walks the whole
 * space map) and the directory salvage (which looks for one inode's blocks
 * in its AG).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fsmap.h>

#include "spacemap.h"

struct fsmap_head *xst_fsmap_alloc(unsigned int n)
{
	struct fsmap_head *h = calloc(1, sizeof(*h) + (size_t)n * sizeof(struct fsmap));

	if (h)
		h->fmh_count = n;
	return h;
}

void xst_fsmap_range(struct fsmap_head *h, uint32_t dev, uint64_t lo, uint64_t hi)
{
	memset(h->fmh_keys, 0, sizeof(h->fmh_keys));
	h->fmh_keys[0].fmr_device = dev;
	h->fmh_keys[0].fmr_physical = lo;
	h->fmh_keys[1].fmr_device = dev ? dev : UINT_MAX;
	h->fmh_keys[1].fmr_physical = hi;
	h->fmh_keys[1].fmr_owner = ULLONG_MAX;
	h->fmh_keys[1].fmr_offset = ULLONG_MAX;
	h->fmh_keys[1].fmr_flags = UINT_MAX;
	h->fmh_iflags = 0;
	h->fmh_oflags = 0;
	h->fmh_entries = 0;
}

bool xst_fsmap_next(struct fsmap_head *h)
{
	const struct fsmap *last;

	if (h->fmh_entries == 0)
		return false;
	last = &h->fmh_recs[h->fmh_entries - 1];
	if (last->fmr_flags & FMR_OF_LAST)
		return false;
	h->fmh_keys[0] = *last;
	return true;
}
