/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Naming objects in messages the way upstream does: "AG 3 inode btree",
 * "inode 131 (0/131) extended attributes", or, where the filesystem has
 * parent pointers, "/mnt/dir/file extended attributes".  Rendering happens
 * only when a message is about to be printed; clean objects cost nothing.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fs.h"
#include "item.h"

#define XST_DESCR_MAX 4352	/* a full path plus the type text */

/* Description of the item's object, without a type: "AG 3", "inode 131 (0/131)", a path. */
void xst_describe_object(const struct xst_fs *fs, const struct xst_item *it,
			 char *buf, size_t len);

/* Object plus type text, e.g. "AG 3 inode btree". */
void xst_describe(const struct xst_fs *fs, const struct xst_item *it,
		  unsigned int type, char *buf, size_t len);

/* Object plus type text without looking up a path: "inode 131 (0/131) directory entries". */
void xst_describe_brief(const struct xst_fs *fs, const struct xst_item *it,
			unsigned int type, char *buf, size_t len);

/*
 * The path of (ino, gen) relative to the mount root, without a leading
 * slash ("" for the root itself), found by walking parent pointers upward.
 * Returns 0, -EOPNOTSUPP without parent pointers, -ELOOP on a cycle or an
 * absurd depth, -ENAMETOOLONG, or the errno of the lookup.
 */
int xst_path_of(const struct xst_fs *fs, uint64_t ino, uint32_t gen,
		char *buf, size_t len);
