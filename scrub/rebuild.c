// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dispatch of rebuild preparation and completion to the directory and xattr
 * rebuilders.  Types they do not handle carry no salvage record.
 */
#include <stdlib.h>

#include "item.h"
#include "rebuild.h"
#include "salvage.h"
#include "xfs_uapi.h"

int xst_rebuild_prepare(struct xst_ctx *ctx, const struct xst_item *it, unsigned int type,
			struct xst_salvage **ret)
{
	*ret = NULL;
	switch (type) {
	case XFS_SCRUB_TYPE_XATTR:
	case XFS_SCRUB_TYPE_DIR:
		*ret = xst_salvage_pending_take(ctx, it->ino, it->gen, type);
		if (*ret)
			return 0;
		return xst_salvage_take(ctx, it, type, ret);
	default:
		return 0;
	}
}

bool xst_rebuild_finish(struct xst_ctx *ctx, const struct xst_item *it, unsigned int type,
			struct xst_salvage *s, bool kernel_says_fixed, bool final)
{
	bool reported;

	if (!s)
		return false;
	reported = xst_salvage_settle(ctx, it, type, s, kernel_says_fixed, final);
	if (!kernel_says_fixed && !final) {
		xst_salvage_pending_put(ctx, s);
		return false;
	}
	xst_salvage_free(s);
	return reported;
}

void xst_rebuild_abandon(struct xst_ctx *ctx, struct xst_salvage *s)
{
	if (s)
		xst_salvage_pending_put(ctx, s);
}
