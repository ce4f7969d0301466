// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finding the damaged directories that block a directory repair (see
 * blockers.h): one walk of bulkstat over every AG, stopped as soon as it
 * has more than it will report.  It runs only after a directory repair
 * failed, which itself read every inode of the filesystem.
 */
#include <errno.h>
#include <sys/stat.h>

#include "blockers.h"
#include "inodes.h"

struct walk {
	uint64_t self;
	uint64_t *ino;
	uint32_t *gen;
	size_t max, n;
	bool more;
};

static int take(const struct xst_fs *fs, const struct xfs_bulkstat *bs, void *arg)
{
	struct walk *w = arg;

	(void)fs;
	if (bs->bs_version == XST_BS_STUB || bs->bs_ino == w->self || !S_ISDIR(bs->bs_mode) ||
	    !(bs->bs_sick & XFS_BS_SICK_DIR))
		return 0;
	if (w->n == w->max) {
		w->more = true;
		return -ECANCELED;	/* enough to name */
	}
	w->ino[w->n] = bs->bs_ino;
	w->gen[w->n] = bs->bs_gen;
	w->n++;
	return 0;
}

int xst_sick_dirs(const struct xst_fs *fs, uint64_t self, uint64_t *ino, uint32_t *gen,
		  size_t max, bool *more)
{
	struct walk w = { .self = self, .ino = ino, .gen = gen, .max = max };
	volatile int stop = 0;

	for (uint32_t ag = 0; ag < fs->geo.agcount && !w.more; ag++) {
		int r = xst_scan_ag_inodes(fs, ag, take, &w, &stop);

		if (r < 0 && r != -ECANCELED)
			return r;
	}
	*more = w.more;
	return (int)w.n;
}
