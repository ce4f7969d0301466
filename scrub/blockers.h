/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Directories that stop another directory's online repair.  With parent
 * pointers the kernel rebuilds a directory from its children's pointers,
 * but it also reads every other directory's entries to find the one that
 * names it (its parent), and the first data block there that fails its
 * verifier ends the repair before anything is changed: the call returns
 * with the object still corrupt (Linux 7.2).  Two directories with damaged
 * data blocks block each other's repair, and only xfs_repair fixes them.
 * The kernel marks each directory it could not read sick in memory as it
 * meets it, so bulkstat's sick flags name them right after the call.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs.h"

/*
 * Up to max directories other than inode self that bulkstat reports with
 * damaged entries, in inode order: their numbers in ino[], the count
 * returned (0 when none), *more set when there were others past max.
 * Negative errno when the walk failed.
 */
int xst_sick_dirs(const struct xst_fs *fs, uint64_t self, uint64_t *ino, uint32_t *gen,
		  size_t max, bool *more);
