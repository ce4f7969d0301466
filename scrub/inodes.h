/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Enumerating every allocated inode: INUMBERS says which inodes exist (from
 * the inode btree), BULKSTAT loads them.  An inode that INUMBERS lists but
 * BULKSTAT cannot load is exactly the kind a scrubber must see, so it is
 * still handed to the callback, with a zeroed stat and the XST_BS_STUB mark.
 * One AG per call; callers walk AGs in parallel.
 */
#pragma once

#include <stdint.h>

#include "fs.h"

/* bs_version of a stand-in for an inode BULKSTAT could not load. */
#define XST_BS_STUB 0

/*
 * Called once per allocated inode; a negative return stops the walk and is
 * returned by the walk function.
 */
typedef int (*xst_inode_fn)(const struct xst_fs *fs, const struct xfs_bulkstat *bs,
			    void *arg);

/*
 * Walk the inodes of one AG in the calling thread (callers run AGs in
 * parallel themselves).  0, or the first negative errno from the kernel or
 * the callback.  *stop, if set by anyone, ends the walk early.
 */
int xst_scan_ag_inodes(const struct xst_fs *fs, uint32_t agno, xst_inode_fn fn,
		       void *arg, volatile int *stop);

/*
 * The same, starting at inode `from` (an inode number inside this AG, or 0):
 * inodes below it are skipped, so a checkpointed scan resumes where it was.
 */
int xst_scan_ag_inodes_from(const struct xst_fs *fs, uint32_t agno, uint64_t from,
			    xst_inode_fn fn, void *arg, volatile int *stop);
