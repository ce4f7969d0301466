// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scrub type table.  Names and descriptions match upstream xfs_scrub's so
 * that its users' scripts and habits keep working; dependencies follow the
 * kernel's: a btree is only trusted once its AG header is, a fork only once
 * its inode core is, a directory only once its data fork is.
 */
#include <string.h>

#include "plan.h"
#include "util.h"

#define B(t) XST_TYPE_BIT(XFS_SCRUB_TYPE_##t)

static const struct xst_type_info types[XST_SCRUB_TYPE_NR] = {
	[XFS_SCRUB_TYPE_PROBE] = { "probe", "metadata", XST_SCOPE_NONE, XST_GROUP_NONE, 0, 0, false },
	[XFS_SCRUB_TYPE_SB] = { "sb", "superblock", XST_SCOPE_AG, XST_GROUP_AGHEADER, 0, 0, true },
	[XFS_SCRUB_TYPE_AGF] = { "agf", "free space header", XST_SCOPE_AG, XST_GROUP_AGHEADER, B(SB), 0, true },
	[XFS_SCRUB_TYPE_AGFL] = { "agfl", "free list", XST_SCOPE_AG, XST_GROUP_AGHEADER, B(SB) | B(AGF), 0, true },
	[XFS_SCRUB_TYPE_AGI] = { "agi", "inode header", XST_SCOPE_AG, XST_GROUP_AGHEADER, B(SB), 0, true },
	[XFS_SCRUB_TYPE_BNOBT] = { "bnobt", "freesp by block btree", XST_SCOPE_AG, XST_GROUP_PERAG, B(AGF), 0, true },
	[XFS_SCRUB_TYPE_CNTBT] = { "cntbt", "freesp by length btree", XST_SCOPE_AG, XST_GROUP_PERAG, B(AGF), 0, true },
	[XFS_SCRUB_TYPE_INOBT] = { "inobt", "inode btree", XST_SCOPE_AG, XST_GROUP_PERAG, B(AGI), 0, true },
	[XFS_SCRUB_TYPE_FINOBT] = { "finobt", "free inode btree", XST_SCOPE_AG, XST_GROUP_PERAG, B(AGI), 0, true },
	[XFS_SCRUB_TYPE_RMAPBT] = { "rmapbt", "reverse mapping btree", XST_SCOPE_AG, XST_GROUP_PERAG, B(AGF), 0, false },
	[XFS_SCRUB_TYPE_REFCNTBT] = { "refcountbt", "reference count btree", XST_SCOPE_AG, XST_GROUP_PERAG, B(AGF), 0, true },
	[XFS_SCRUB_TYPE_INODE] = { "inode", "inode record", XST_SCOPE_INODE, XST_GROUP_INODE, 0, 0, true },
	[XFS_SCRUB_TYPE_BMBTD] = { "bmapbtd", "data block map", XST_SCOPE_INODE, XST_GROUP_INODE, B(INODE), B(INODE), true },
	[XFS_SCRUB_TYPE_BMBTA] = { "bmapbta", "attr block map", XST_SCOPE_INODE, XST_GROUP_INODE, B(INODE), B(INODE), true },
	[XFS_SCRUB_TYPE_BMBTC] = { "bmapbtc", "CoW block map", XST_SCOPE_INODE, XST_GROUP_INODE, B(INODE), B(INODE), true },
	[XFS_SCRUB_TYPE_DIR] = { "directory", "directory entries", XST_SCOPE_INODE, XST_GROUP_INODE, B(INODE) | B(BMBTD), B(BMBTD), true },
	[XFS_SCRUB_TYPE_XATTR] = { "xattr", "extended attributes", XST_SCOPE_INODE, XST_GROUP_INODE, B(INODE) | B(BMBTA), B(BMBTA), true },
	[XFS_SCRUB_TYPE_SYMLINK] = { "symlink", "symbolic link", XST_SCOPE_INODE, XST_GROUP_INODE, B(INODE) | B(BMBTD), B(BMBTD), true },
	[XFS_SCRUB_TYPE_PARENT] = { "parent", "parent pointer", XST_SCOPE_INODE, XST_GROUP_INODE, B(INODE) | B(BMBTD), B(DIR) | B(XATTR), false },
	[XFS_SCRUB_TYPE_RTBITMAP] = { "rtbitmap", "realtime bitmap", XST_SCOPE_FS, XST_GROUP_FS, 0, 0, true },
	[XFS_SCRUB_TYPE_RTSUM] = { "rtsummary", "realtime summary", XST_SCOPE_FS, XST_GROUP_FS, 0, B(RTBITMAP), true },
	[XFS_SCRUB_TYPE_UQUOTA] = { "usrquota", "user quotas", XST_SCOPE_FS, XST_GROUP_FS, 0, 0, true },
	[XFS_SCRUB_TYPE_GQUOTA] = { "grpquota", "group quotas", XST_SCOPE_FS, XST_GROUP_FS, 0, 0, true },
	[XFS_SCRUB_TYPE_PQUOTA] = { "prjquota", "project quotas", XST_SCOPE_FS, XST_GROUP_FS, 0, 0, true },
	[XFS_SCRUB_TYPE_FSCOUNTERS] = { "fscounters", "filesystem summary counters", XST_SCOPE_FS, XST_GROUP_SUMMARY, 0, 0, true },
	[XFS_SCRUB_TYPE_QUOTACHECK] = { "quotacheck", "quota counters", XST_SCOPE_FS, XST_GROUP_ISCAN, 0, B(UQUOTA) | B(GQUOTA) | B(PQUOTA), true },
	[XFS_SCRUB_TYPE_NLINKS] = { "nlinks", "inode link counts", XST_SCOPE_FS, XST_GROUP_ISCAN, 0, 0, true },
	[XFS_SCRUB_TYPE_HEALTHY] = { "healthy", "retained health records", XST_SCOPE_NONE, XST_GROUP_NONE, 0, 0, false },
	[XFS_SCRUB_TYPE_DIRTREE] = { "dirtree", "directory tree structure", XST_SCOPE_INODE, XST_GROUP_INODE, B(INODE) | B(DIR) | B(PARENT), B(DIR) | B(PARENT), false },
	[XFS_SCRUB_TYPE_METAPATH] = { "metapath", "metadata directory paths", XST_SCOPE_METAPATH, XST_GROUP_FS, 0, 0, true },
	[XFS_SCRUB_TYPE_RGSUPER] = { "rgsuper", "realtime group superblock", XST_SCOPE_RTGROUP, XST_GROUP_RTGROUP, 0, 0, true },
	[XFS_SCRUB_TYPE_RTRMAPBT] = { "rtrmapbt", "realtime reverse mapping btree", XST_SCOPE_RTGROUP, XST_GROUP_RTGROUP, 0, 0, false },
	[XFS_SCRUB_TYPE_RTREFCBT] = { "rtrefcountbt", "realtime reference count btree", XST_SCOPE_RTGROUP, XST_GROUP_RTGROUP, 0, 0, true },
};

const struct xst_type_info *xst_type(unsigned int type)
{
	if (type >= ARRAY_SIZE(types) || !types[type].name)
		return NULL;
	return &types[type];
}

int xst_type_by_name(const char *name)
{
	for (unsigned int t = 0; t < ARRAY_SIZE(types); t++)
		if (types[t].name && strcmp(types[t].name, name) == 0)
			return (int)t;
	return -ENOENT;
}

uint64_t xst_group_types(enum xst_group group)
{
	uint64_t mask = 0;

	for (unsigned int t = 0; t < ARRAY_SIZE(types); t++)
		if (types[t].name && types[t].group == group)
			mask |= XST_TYPE_BIT(t);
	return mask;
}

unsigned int xst_plan_vector(uint64_t want, uint32_t *order, unsigned int cap)
{
	unsigned int n = 0;

	/*
	 * Table order is dependency order.  A type goes behind a barrier when
	 * one of its prerequisites sits in the current stretch (since the last
	 * barrier); a barrier checks everything before it, so prerequisites
	 * in earlier stretches are covered already.
	 */
	for (unsigned int t = 0; t < ARRAY_SIZE(types); t++) {
		if (!(want & XST_TYPE_BIT(t)))
			continue;
		for (unsigned int i = n; i-- > 0;) {
			if (order[i] == XFS_SCRUB_TYPE_BARRIER)
				break;
			if (types[t].check_deps & XST_TYPE_BIT(order[i])) {
				if (n < cap)
					order[n++] = XFS_SCRUB_TYPE_BARRIER;
				break;
			}
		}
		if (n < cap)
			order[n++] = t;
	}
	return n;
}
