/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What can be checked: one row per kernel scrub type with its scope, the
 * group it is scanned in, the types that must be sound before it can be
 * trusted (check dependencies, which become barriers in a vectored call) and
 * the types that must be repaired before it (repair dependencies).  Policy
 * lives in this table so that the scan and repair code stays generic.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "xfs_uapi.h"

enum xst_scope {
	XST_SCOPE_NONE,		/* probe, healthy: never scanned as objects */
	XST_SCOPE_FS,
	XST_SCOPE_AG,
	XST_SCOPE_INODE,
	XST_SCOPE_RTGROUP,
	XST_SCOPE_METAPATH,
};

enum xst_group {
	XST_GROUP_NONE,
	XST_GROUP_AGHEADER,	/* sb, agf, agfl, agi */
	XST_GROUP_PERAG,	/* the AG btrees */
	XST_GROUP_FS,		/* fs-wide metadata files: rt, quota */
	XST_GROUP_INODE,	/* per-file metadata */
	XST_GROUP_ISCAN,	/* whole-fs live scans: nlinks, quotacheck */
	XST_GROUP_SUMMARY,	/* summary counters */
	XST_GROUP_RTGROUP,
};

#define XST_TYPE_BIT(t) (UINT64_C(1) << (t))

struct xst_type_info {
	const char *name;	/* upstream's short name, e.g. "bnobt" */
	const char *descr;	/* upstream's message text, e.g. "inode btree" */
	enum xst_scope scope;
	enum xst_group group;
	uint64_t check_deps;	/* XST_TYPE_BIT()s checked first, behind a barrier */
	uint64_t repair_deps;	/* XST_TYPE_BIT()s repaired first */
	bool primary;		/* holds user data or its index; rmapbt is secondary */
};

/* Row for a type, or NULL if the type is unknown. */
const struct xst_type_info *xst_type(unsigned int type);

/* Type number for an upstream short name, or -ENOENT. */
int xst_type_by_name(const char *name);

/* The types of one group, in the order they are checked. */
uint64_t xst_group_types(enum xst_group group);

/*
 * Fill order[] with the types of want in check order, a barrier
 * (XFS_SCRUB_TYPE_BARRIER) after every type another member of want depends
 * on.  Returns the number of entries written, never more than cap.
 */
unsigned int xst_plan_vector(uint64_t want, uint32_t *order, unsigned int cap);

/* The flags that make a barrier trip: the dependency is not sound. */
#define XST_BARRIER_MASK (XFS_SCRUB_OFLAG_CORRUPT | XFS_SCRUB_OFLAG_XFAIL | \
			  XFS_SCRUB_OFLAG_XCORRUPT | XFS_SCRUB_OFLAG_INCOMPLETE)
