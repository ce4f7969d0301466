/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lossless-rebuild wrapper around the kernel's directory and xattr
 * repairs.  Before: save a salvage record (what can still be read, plus the
 * fork's raw blocks parsed leniently) durably to the state directory.
 * After: re-read, diff against the record, put back what the kernel dropped
 * when the record holds it intact, and account for every entry: kept,
 * restored, flagged (recovered from a block that failed its CRC), lost.
 * The outcome is reported honestly; never plain success when something was
 * lost.  Other scrub types pass through untouched (no record).
 */
#pragma once

#include <stdbool.h>

struct xst_ctx;
struct xst_item;
struct xst_salvage;

/*
 * Prepare the rebuild of (item, type): *ret gets a salvage record for
 * directory and xattr types, NULL for others.  A later attempt on the same
 * object gets the record of the first attempt back: it alone saw the object
 * before any rebuild.  A negative errno means the record could not be
 * saved, and the repair must not go ahead.
 */
int xst_rebuild_prepare(struct xst_ctx *ctx, const struct xst_item *it, unsigned int type,
			struct xst_salvage **ret);

/*
 * After the kernel's repair call: diff, restore, account.  When the kernel
 * says fixed, or this was the last attempt, report the accounting and
 * release the record; returns true when it reported the outcome itself
 * (the caller then stays quiet).  After a failed attempt that will be
 * retried, the record is kept for the next attempt and nothing is said yet:
 * a later rebuild may still bring back what this one lost.
 */
bool xst_rebuild_finish(struct xst_ctx *ctx, const struct xst_item *it, unsigned int type,
			struct xst_salvage *s, bool kernel_says_fixed, bool final);

/* The repair did not run: keep the record for the next attempt. */
void xst_rebuild_abandon(struct xst_ctx *ctx, struct xst_salvage *s);
