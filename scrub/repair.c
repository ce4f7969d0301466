// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Repair scheduling and outcome triage.  Types of one object are repaired
 * one kernel call at a time, in table (dependency) order, each behind an
 * in-flight marker; a type whose repair prerequisites are still broken
 * waits.  Directory and xattr rebuilds are wrapped by the salvage code, so
 * that what the kernel drops can be put back and what cannot is named.
 * After any repair the whole object is checked again: only a clean re-check
 * makes it "repaired".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockers.h"
#include "breaker.h"
#include "check.h"
#include "descr.h"
#include "kernel.h"
#include "rebuild.h"
#include "repair.h"
#include "salvage.h"
#include "trace.h"
#include "util.h"

void xst_repair_list_init(struct xst_repair_list *l)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
}

void xst_repair_list_free(struct xst_repair_list *l)
{
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

int xst_repair_list_add(struct xst_repair_list *l, const struct xst_item *it)
{
	int r = 0;

	pthread_mutex_lock(&l->lock);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct xst_item *n = reallocarray(l->items, cap, sizeof(*n));

		if (!n) {
			r = -ENOMEM;
			goto out;
		}
		l->items = n;
		l->cap = cap;
	}
	l->items[l->n++] = *it;
out:
	pthread_mutex_unlock(&l->lock);
	return r;
}

static bool type_wants_fix(const struct xst_ctx *ctx, const struct xst_item *it, unsigned int t)
{
	uint32_t of = it->oflags[t];

	if (!(it->want & XST_TYPE_BIT(t)) || it->state[t] != XST_ST_DONE)
		return false;
	if (ctx->mode == XST_MODE_REPAIR &&
	    (xst_needs_repair(of) || (of & (XFS_SCRUB_OFLAG_XFAIL | XFS_SCRUB_OFLAG_INCOMPLETE))))
		return true;
	return (of & XFS_SCRUB_OFLAG_PREEN) && ctx->mode != XST_MODE_DRY_RUN;
}

bool xst_item_needs_work(const struct xst_ctx *ctx, const struct xst_item *it)
{
	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++)
		if (type_wants_fix(ctx, it, t))
			return true;
	return false;
}

/* Is a repair prerequisite of t (within this object) still broken? */
static bool deps_broken(const struct xst_ctx *ctx, const struct xst_item *it, unsigned int t)
{
	uint64_t deps = xst_type(t)->repair_deps & it->want;

	for (unsigned int d = 0; d < XST_SCRUB_TYPE_NR; d++)
		if ((deps & XST_TYPE_BIT(d)) && d != t &&
		    (type_wants_fix(ctx, it, d) || it->state[d] == XST_ST_ERROR))
			return true;
	return false;
}

static const char *success_text(uint32_t old)
{
	if (old & XFS_SCRUB_OFLAG_CORRUPT)
		return "Repairs successful.";
	if (old & XFS_SCRUB_OFLAG_XCORRUPT)
		return "Repairs successful after discrepancy in cross-referencing.";
	if (old & XFS_SCRUB_OFLAG_XFAIL)
		return "Repairs successful after cross-referencing failure.";
	return NULL;
}

/*
 * The object's name for messages, made on first use: with parent pointers
 * it is a walk up the tree, which a repair call need not wait for.
 */
static const char *named(struct xst_ctx *ctx, const struct xst_item *it, unsigned int t, char *d)
{
	if (!d[0])
		xst_describe(ctx->fs, it, t, d, XST_DESCR_MAX);
	return d;
}

/*
 * After a directory repair the kernel reports still broken: the damaged
 * directories that stopped it (blockers.h), named in why.  Only with
 * parent pointers, where the rebuild reads every other directory; false
 * when none is marked sick, and the failure stays unexplained.
 */
static bool blocking_dirs(struct xst_ctx *ctx, struct xst_item *it, char *why, size_t len)
{
	uint64_t ino[3];
	uint32_t gen[3];
	bool more = false;
	size_t n = 0;
	int r;

	if (!ctx->fs->has_parent)
		return false;
	r = xst_sick_dirs(ctx->fs, it->ino, ino, gen, ARRAY_SIZE(ino), &more);
	if (r <= 0)
		return false;
	it->blocked_by = ino[0];
	it->blocked_gen = gen[0];
	n = (size_t)snprintf(why, len, "The kernel rebuilds a directory by also reading every "
			     "other directory, and ");
	for (int i = 0; i < r && n < len; i++) {
		struct xst_item b;
		char d[XST_DESCR_MAX];

		xst_item_init(&b, XST_SCOPE_INODE, xst_ino_agno(ctx->fs, ino[i]), ino[i], gen[i], 0);
		xst_describe_object(ctx->fs, &b, d, sizeof(d));
		n += (size_t)snprintf(why + n, len - n, "%s%s", i ? ", " : "", d);
	}
	if (n < len)
		snprintf(why + n, len - n, "%s %s damaged too: online repair cannot fix %s; "
			 "unmount and run xfs_repair.", more ? " and more" : "",
			 r == 1 && !more ? "is" : "are", r == 1 && !more ? "either" : "any of them");
	return true;
}

/*
 * One repair call for one type.  Returns 1 if the type is settled (fixed,
 * or given up on with a message), 0 to try again later, or a fatal -errno.
 * *verified is set when the settled verdict is "sound" from the kernel's
 * own check after the repair (IFLAG_REPAIR re-checks before it returns).
 */
static int repair_one(struct xst_ctx *ctx, struct xst_item *it, unsigned int t,
		      unsigned int flags, bool *verified)
{
	struct xst_report *rep = ctx->rep;
	bool final = flags & XST_RM_FINAL;
	uint32_t old = it->oflags[t];
	struct xst_salvage *salv = NULL;
	struct xst_item one;
	char d[XST_DESCR_MAX] = "", brief[128];
	int r, err;
	uint32_t of;

	if (xst_breaker_tripped(ctx->breaker, it, t)) {
		xst_msg(rep, XST_UNFIXABLE, named(ctx, it, t, d),
			"An earlier repair of this did not finish (crash?); not retrying automatically. "
			"Marker in %s.", xst_breaker_dir(ctx->breaker));
		it->state[t] = XST_ST_BLOCKED;
		return 1;
	}
	if (!rep->quiet_attempts) {
		if (xst_needs_repair(old))
			xst_msg(rep, XST_INFO, named(ctx, it, t, d), "Attempting repair.");
		else if (rep->verbose || rep->debug)
			xst_msg(rep, XST_INFO, named(ctx, it, t, d), "Attempting optimization.");
	}

	xst_trace("repair: type %u start", t);
	r = xst_rebuild_prepare(ctx, it, t, &salv);
	xst_trace("repair: salvage record %s", salv ? "saved" : "none");
	if (r < 0) {
		/* No salvage record, no rebuild: losing data silently is worse. */
		xst_msg(rep, XST_ERROR, named(ctx, it, t, d),
			"Cannot save a salvage record (%s); not repairing.", strerror(-r));
		it->state[t] = XST_ST_BLOCKED;
		return 1;
	}

	/*
	 * The marker's text is for whoever lists the directory; it names the
	 * object without a path (a path is looked up when a tripped marker
	 * is reported: xst_breaker_describe_tripped).
	 */
	xst_describe_brief(ctx->fs, it, t, brief, sizeof(brief));
	if (ctx->rehearse) {
		/* Not kept for a later attempt: nothing of it was saved. */
		xst_salvage_free(salv);
		/*
		 * The rest of the way without touching the object: the
		 * marker's (nothing marked) and the call's, with the
		 * harmless repair probe the setup made already.
		 */
		(void)xst_breaker_rehearse(ctx->breaker, it, t, brief);
		xst_item_init(&one, XST_SCOPE_FS, 0, 0, 0, XST_TYPE_BIT(XFS_SCRUB_TYPE_PROBE));
		(void)xst_item_run(&ctx->scrubber, &one, XFS_SCRUB_IFLAG_REPAIR);
		return 0;
	}
	r = xst_breaker_arm(ctx->breaker, it, t, brief);
	if (r < 0) {
		xst_msg(rep, XST_ERROR, named(ctx, it, t, d),
			"Cannot write the in-flight marker (%s); not repairing.", strerror(-r));
		xst_rebuild_abandon(ctx, salv);
		it->state[t] = XST_ST_BLOCKED;
		return 1;
	}
	xst_trace("repair: marker armed");
	xst_item_init(&one, it->scope, it->agno, it->ino, it->gen, XST_TYPE_BIT(t));
	r = xst_item_run(&ctx->scrubber, &one, XFS_SCRUB_IFLAG_REPAIR);
	xst_trace("repair: kernel call returned");
	xst_breaker_disarm(ctx->breaker, it, t);
	xst_trace("repair: marker removed");
	if (r < 0) {
		xst_rebuild_abandon(ctx, salv);
		return r;
	}
	err = one.state[t] == XST_ST_ERROR ? one.err[t] : 0;
	of = one.oflags[t];
	if (one.state[t] == XST_ST_ABSENT)
		err = -ENOENT;
	xst_trace("repair: type %u verdict: errno %d flags 0x%x", t, err, of);
	named(ctx, it, t, d);
	if (rep->debug)
		xst_msg(rep, XST_INFO, d, "repair call: state %u errno %d flags 0x%x (was 0x%x)%s",
			one.state[t], -err, of, old, final ? " final" : "");

	switch (err) {
	case 0:
		break;
	case -EBUSY:
	case -EDEADLK:
		if (rep->verbose || rep->debug)
			xst_msg(rep, XST_INFO, d, "Filesystem is busy, deferring repair.");
		xst_rebuild_abandon(ctx, salv);
		return final ? (xst_msg(rep, XST_CORRUPT, d, "Filesystem is busy; repair incomplete."), 1) : 0;
	case -ESHUTDOWN:
		xst_msg(rep, XST_ERROR, d, "Filesystem is shut down, aborting.");
		xst_rebuild_abandon(ctx, salv);
		return -ESHUTDOWN;
	case -EROFS:
		xst_msg(rep, XST_ERROR, d, "Read-only filesystem; cannot make changes.");
		xst_rebuild_abandon(ctx, salv);
		return -EROFS;
	case -ENOENT:
		/*
		 * The re-check after the repair finds nothing there: the kernel
		 * removed the structure (an xattr repair that salvaged nothing
		 * drops the whole attr fork).  That is a repair, and exactly
		 * the case the salvage record exists for.
		 */
		if (salv) {
			if (!xst_rebuild_finish(ctx, it, t, salv, true, final))
				xst_msg(rep, XST_REPAIRED, d, "%s", success_text(old) ?
					success_text(old) : "Repairs successful.");
		}
		it->state[t] = XST_ST_ABSENT;
		return 1;
	case -ENOTTY:
	case -EOPNOTSUPP:
		if (!final) {
			xst_rebuild_abandon(ctx, salv);
			return 0;
		}
		/* fall through */
	case -EINVAL:
		xst_msg(rep, XST_CORRUPT, d, "Don't know how to fix; offline repair required.");
		xst_rebuild_abandon(ctx, salv);
		it->state[t] = XST_ST_BLOCKED;
		return 1;
	default:
		if (!final) {
			xst_rebuild_abandon(ctx, salv);
			return 0;
		}
		xst_msg_errno(rep, d, err);
		xst_rebuild_abandon(ctx, salv);
		it->state[t] = XST_ST_BLOCKED;
		return 1;
	}

	/* The kernel re-checked after repairing; its flags are the new verdict. */
	it->oflags[t] = of;
	if (xst_needs_repair(of) || (of & XFS_SCRUB_OFLAG_INCOMPLETE)) {
		/* Blocked by another damaged directory: no later attempt can do better. */
		char why[XST_DESCR_MAX + 256];
		bool blocked = t == XFS_SCRUB_TYPE_DIR && xst_needs_repair(of) &&
			       blocking_dirs(ctx, it, why, sizeof(why));

		xst_rebuild_finish(ctx, it, t, salv, false, final || blocked);
		if (!final && !blocked)
			return 0;
		xst_msg(rep, XST_CORRUPT, d, "Repair unsuccessful; offline repair required.");
		if (blocked)
			xst_msg(rep, XST_INFO, d, "%s", why);
		it->state[t] = XST_ST_BLOCKED;
		return 1;
	}
	if (of & XFS_SCRUB_OFLAG_XFAIL) {
		xst_rebuild_finish(ctx, it, t, salv, true, final);
		if (!final) {
			if (rep->verbose)
				xst_msg(rep, XST_INFO, d,
					"Seems correct but cross-referencing failed; will keep checking.");
			return 0;
		}
		xst_msg(rep, XST_INFO, d,
			"Seems correct but cross-referencing failed; offline repair recommended.");
		it->oflags[t] = 0;
		return 1;
	}
	/*
	 * The kernel checked first and changed nothing: a preen that was not
	 * needed after all, or a verdict we did not make ourselves (a health
	 * event's sick flag) that no longer holds.  Nothing was rebuilt.
	 */
	if (of & XFS_SCRUB_OFLAG_NO_REPAIR_NEEDED) {
		xst_rebuild_abandon(ctx, salv);
		if (rep->verbose || xst_needs_repair(old))
			xst_msg(rep, XST_INFO, d, "No modification needed.");
		if (xst_needs_repair(old))
			it->unneeded |= XST_TYPE_BIT(t);
		it->oflags[t] = 0;
		*verified = true;
		return 1;
	}
	/* Salvage accounting decides the words when something was rebuilt. */
	if (!xst_rebuild_finish(ctx, it, t, salv, true, final)) {
		const char *txt = success_text(old);

		if (txt)
			xst_msg(rep, XST_REPAIRED, d, "%s", txt);
		else
			xst_msg(rep, XST_PREEN, d, "Optimization successful.");
	}
	it->oflags[t] = 0;
	*verified = true;
	return 1;
}

static unsigned int count_work(const struct xst_ctx *ctx, const struct xst_item *it)
{
	unsigned int n = 0;

	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++)
		n += type_wants_fix(ctx, it, t);
	return n;
}

/*
 * A repair the kernel calls successful while the re-check keeps finding the
 * object broken would otherwise go round forever: after this many attempts
 * on one object, the next one is its final one.
 */
#define XST_MAX_REPAIR_ATTEMPTS 4
#define XST_MAX_ROUNDS 16

int xst_repair_object(struct xst_ctx *ctx, struct xst_item *it, unsigned int flags)
{
	unsigned int before = count_work(ctx, it), after;
	bool repaired = false, changed = true;
	uint64_t fresh = 0;

	if (++it->repair_attempts >= XST_MAX_REPAIR_ATTEMPTS)
		flags |= XST_RM_FINAL;

	/* Repair in table order; a type with a broken prerequisite waits its turn. */
	for (unsigned int pass = 0; changed && pass < XST_SCRUB_TYPE_NR; pass++) {
		changed = false;
		for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR && !ctx->stop; t++) {
			uint64_t restores = atomic_load(&ctx->restored_entries);
			bool verified = false;
			int r;

			if (!type_wants_fix(ctx, it, t))
				continue;
			if (deps_broken(ctx, it, t) && !(flags & XST_RM_FINAL))
				continue;
			r = repair_one(ctx, it, t, flags, &verified);
			xst_trace("repair: type %u settled (%d)", t, r);
			if (r < 0)
				return r;
			/*
			 * The kernel's verdict after its repair holds only while
			 * nothing touches the object afterwards: not our restore
			 * pass, not the repair of another type.
			 */
			fresh = verified && atomic_load(&ctx->restored_entries) == restores ?
				XST_TYPE_BIT(t) : 0;
			if (r > 0) {
				changed = true;
				repaired = true;
			}
		}
	}

	/*
	 * Revalidate: repairing one part can expose or cure problems in
	 * another, and types blocked behind a broken prerequisite were never
	 * checked.  Check everything selected for the object again, except
	 * the type the kernel has just re-checked itself after the last
	 * repair (checking it again cost ~17 ms under TCG, holding the
	 * directory's locks just as it became readable).
	 */
	if (repaired && !ctx->stop) {
		struct xst_item again;
		int r;

		xst_item_init(&again, it->scope, it->agno, it->ino, it->gen, it->want);
		again.mode = it->mode;
		again.repair_attempts = it->repair_attempts;
		again.unneeded = it->unneeded;
		again.blocked_by = it->blocked_by;
		again.blocked_gen = it->blocked_gen;
		for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++) {
			if (!(fresh & it->want & XST_TYPE_BIT(t)))
				continue;
			again.state[t] = XST_ST_DONE;
			again.tries[t] = 1;
		}
		xst_trace("repair: re-check start");
		r = xst_item_run(&ctx->scrubber, &again, 0);
		xst_trace("repair: re-check done");
		if (r < 0)
			return r;
		/* Keep the verdicts of types we gave up on, so we do not loop. */
		for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++)
			if (it->state[t] == XST_ST_BLOCKED && xst_needs_repair(again.oflags[t]))
				again.state[t] = XST_ST_BLOCKED;
		*it = again;
	}
	after = count_work(ctx, it);
	if (after == 0)
		return XST_RR_DONE;
	return after < before || repaired ? XST_RR_PROGRESS : XST_RR_STUCK;
}

/* One round over a list: returns how many objects made progress, or -errno. */
static int repair_round(struct xst_ctx *ctx, struct xst_repair_list *l, unsigned int flags)
{
	int progress = 0;
	size_t keep = 0;

	for (size_t i = 0; i < l->n && !ctx->stop; i++) {
		struct xst_item *it = &l->items[i];
		int r = xst_repair_object(ctx, it, flags);

		if (r < 0)
			return r;
		if (r != XST_RR_STUCK)
			progress++;
		if (r != XST_RR_DONE)
			l->items[keep++] = *it;
		xst_progress_add(ctx->prog, r == XST_RR_DONE);
	}
	if (!ctx->stop)
		l->n = keep;
	return progress;
}

/* Whatever is still queued after the final pass is reported as it stands. */
static void report_leftovers(struct xst_ctx *ctx, struct xst_repair_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct xst_item *it = &l->items[i];

		for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++) {
			char d[XST_DESCR_MAX];

			if (it->state[t] == XST_ST_DONE && xst_needs_repair(it->oflags[t])) {
				xst_describe(ctx->fs, it, t, d, sizeof(d));
				xst_msg(ctx->rep, XST_CORRUPT, d,
					"Repair unsuccessful; offline repair required.");
			}
		}
	}
	l->n = 0;
}

int xst_repair_everything(struct xst_ctx *ctx)
{
	int r;

	xst_progress_phase(ctx->prog, 4, "Repair filesystem.",
			   ctx->fs_list.n + ctx->file_list.n);
	for (unsigned int outer = 0; outer < XST_MAX_ROUNDS && !ctx->stop; outer++) {
		int p = 0;

		/* Filesystem and AG metadata first: files are rebuilt from it. */
		for (unsigned int i = 0; i < XST_MAX_ROUNDS; i++) {
			r = repair_round(ctx, &ctx->fs_list, 0);
			if (r <= 0)
				break;
			p += r;
		}
		if (r < 0)
			return r;
		for (unsigned int i = 0; i < XST_MAX_ROUNDS; i++) {
			r = repair_round(ctx, &ctx->file_list, 0);
			if (r <= 0)
				break;
			p += r;
		}
		if (r < 0)
			return r;
		if (p == 0)
			break;
	}
	if (ctx->stop)
		return ctx->fatal;
	/* Last call: one serial pass that names what needs offline repair. */
	r = repair_round(ctx, &ctx->fs_list, XST_RM_FINAL);
	if (r < 0)
		return r;
	r = repair_round(ctx, &ctx->file_list, XST_RM_FINAL);
	if (r < 0)
		return r;
	report_leftovers(ctx, &ctx->fs_list);
	report_leftovers(ctx, &ctx->file_list);
	return ctx->fatal;
}

int xst_repair_probe(struct xst_ctx *ctx)
{
	struct xfs_scrub_metadata sm = {
		.sm_type = XFS_SCRUB_TYPE_PROBE,
		.sm_flags = XFS_SCRUB_IFLAG_REPAIR,
	};
	const char *mnt = ctx->fs->mountpoint;
	int r = xk_scrub(ctx->fs->fd, &sm);

	switch (r) {
	case 0:
		return 0;
	case -EROFS:
		xst_msg(ctx->rep, XST_INFO, mnt, "Filesystem is mounted read-only; cannot proceed.");
		return r;
	case -ENOTRECOVERABLE:
		xst_msg(ctx->rep, XST_INFO, mnt, "Filesystem is mounted norecovery; cannot proceed.");
		return r;
	default:
		if (ctx->rep->verbose || ctx->rep->debug)
			xst_msg(ctx->rep, XST_INFO, mnt, "Kernel metadata repair facility not detected.");
		return r;
	}
}
