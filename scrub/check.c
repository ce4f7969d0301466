// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The check phases.  Parallelism is per AG for both metadata and inodes;
 * the directory tree check runs inside the inode vector (behind a barrier
 * after the directory and parent-pointer checks) instead of in a second full
 * inode walk, which is the main reason this is cheaper than upstream's
 * separate phase.  Verdicts are reported as soon as an item is done.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "breaker.h"
#include "check.h"
#include "descr.h"
#include "inodes.h"
#include "salvage.h"
#include "kernel.h"
#include "util.h"

void xst_ctx_init(struct xst_ctx *ctx, struct xst_fs *fs, struct xst_report *rep,
		  struct xst_progress *prog, unsigned int nthreads)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->fs = fs;
	ctx->rep = rep;
	ctx->prog = prog;
	ctx->nthreads = nthreads ? nthreads : 1;
	ctx->scrubber.fd = fs->fd;
	ctx->mode = XST_MODE_DRY_RUN;
	xst_repair_list_init(&ctx->fs_list);
	xst_repair_list_init(&ctx->file_list);
	ctx->ag_inobt_bad = calloc(fs->geo.agcount, 1);	/* NULL-tolerant users */
	pthread_mutex_init(&ctx->lock, NULL);
}

void xst_ctx_fini(struct xst_ctx *ctx)
{
	xst_breaker_free(ctx->breaker);
	ctx->breaker = NULL;
	xst_repair_list_free(&ctx->fs_list);
	xst_repair_list_free(&ctx->file_list);
	free(ctx->ag_inobt_bad);
	ctx->ag_inobt_bad = NULL;
	xst_salvage_pending_free(ctx);
}

static void set_fatal(struct xst_ctx *ctx, int r)
{
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->fatal)
		ctx->fatal = r;
	pthread_mutex_unlock(&ctx->lock);
	ctx->stop = 1;
}

void xst_check_report_fatal(struct xst_ctx *ctx, int r)
{
	const char *mnt = ctx->fs->mountpoint;

	switch (r) {
	case -ESHUTDOWN:
		xst_msg(ctx->rep, XST_ERROR, mnt, "Filesystem is shut down, aborting.");
		break;
	case -EINTR:
		xst_msg(ctx->rep, XST_ERROR, mnt, "Interrupted.");
		break;
	default:
		xst_msg_errno(ctx->rep, mnt, r);
		break;
	}
}

int xst_check_setup(struct xst_ctx *ctx, bool force_single)
{
	struct xfs_scrub_metadata sm = { .sm_type = XFS_SCRUB_TYPE_PROBE };
	const char *mnt = ctx->fs->mountpoint;
	int r;

	r = xk_scrub(ctx->fs->fd, &sm);
	switch (r) {
	case 0:
	case -ENOENT:
		break;
	case -EROFS:
		xst_msg(ctx->rep, XST_INFO, mnt, "Filesystem is mounted read-only; cannot proceed.");
		goto unavailable;
	case -ENOTRECOVERABLE:
		xst_msg(ctx->rep, XST_INFO, mnt, "Filesystem is mounted norecovery; cannot proceed.");
		goto unavailable;
	case -ENOTTY:
	case -EOPNOTSUPP:
	case -EINVAL:
		if (ctx->rep->verbose || ctx->rep->debug)
			xst_msg(ctx->rep, XST_INFO, mnt, "Kernel metadata scrub facility not detected.");
		goto unavailable;
	case -EPERM:
	case -EACCES:
		xst_msg(ctx->rep, XST_ERROR, mnt, "Must be root to run scrub.");
		return r;
	default:
		xst_msg_errno(ctx->rep, mnt, r);
		return r;
	}

	ctx->scrubber.use_scrubv = !force_single && xst_probe_scrubv(ctx->fs->fd) == 0;
	ctx->setup_ok = true;
	return 0;

unavailable:
	xst_msg(ctx->rep, XST_ERROR, mnt, "Kernel metadata scrubbing facility is not available.");
	return -ECANCELED;
}

void xst_check_report_item(struct xst_ctx *ctx, const struct xst_item *it)
{
	char d[XST_DESCR_MAX];

	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++) {
		uint32_t of = it->oflags[t];
		int err = it->err[t];

		if (!(it->want & XST_TYPE_BIT(t)))
			continue;
		if (it->state[t] == XST_ST_ERROR) {
			switch (err) {
			case -EBUSY: case -EDEADLK: case -EBADMSG: case -EUCLEAN:
				/* Should have come back as flags; the kernel misbehaved. */
				xst_msg_errno(ctx->rep, "Kernel bug", err);
				break;
			case -ESHUTDOWN: case -EIO: case -ENOMEM:
				xst_describe(ctx->fs, it, t, d, sizeof(d));
				xst_msg_errno(ctx->rep, d, err);
				set_fatal(ctx, err);
				break;
			default:
				xst_describe(ctx->fs, it, t, d, sizeof(d));
				xst_msg_errno(ctx->rep, d, err);
				break;
			}
			continue;
		}
		if (it->state[t] != XST_ST_DONE || !of)
			continue;
		xst_describe(ctx->fs, it, t, d, sizeof(d));
		if (of & XFS_SCRUB_OFLAG_INCOMPLETE)
			xst_msg(ctx->rep, XST_INFO, d, "Check incomplete.");
		if (of & XFS_SCRUB_OFLAG_WARNING)
			xst_msg(ctx->rep, XST_WARN, d, "Possibly suspect metadata.");
		if (of & XFS_SCRUB_OFLAG_XFAIL)
			xst_msg(ctx->rep, XST_INFO, d, "Cross-referencing failed.");
		if (xst_needs_repair(of)) {
			/* In repair mode the outcome of the repair is what gets said. */
			if (ctx->mode != XST_MODE_REPAIR)
				xst_msg(ctx->rep, XST_CORRUPT, d, "Repairs are required.");
		} else if ((of & XFS_SCRUB_OFLAG_PREEN) && ctx->mode == XST_MODE_DRY_RUN) {
			if (xst_type(t)->group != XST_GROUP_INODE) {
				xst_msg(ctx->rep, XST_INFO, d, "Optimization is possible.");
			} else {
				pthread_mutex_lock(&ctx->lock);
				ctx->preen_seen[t] = true;
				pthread_mutex_unlock(&ctx->lock);
			}
		}
	}
}

/*
 * Where an object with problems goes in repair or preen mode: repaired on the
 * spot, or queued for phase 4.  Spot repairs of inodes wait while fs-level
 * repairs are pending, since files are rebuilt from that metadata.
 */
enum { XST_SPOT_NEVER, XST_SPOT_IF_FS_CLEAN, XST_SPOT_ALWAYS, XST_SPOT_IF_INOBT };

static bool ag_inobt_broken(const struct xst_item *it);

static int run_item_spot(struct xst_ctx *ctx, struct xst_item *it, int spot)
{
	int r = xst_item_run(&ctx->scrubber, it, 0);

	if (r < 0) {
		set_fatal(ctx, r);
		return r;
	}
	xst_check_report_item(ctx, it);
	atomic_fetch_add(&ctx->objects_checked, 1);
	if (spot == XST_SPOT_IF_INOBT) {
		/* A broken inode index hides inodes from phase 3: fix it at once. */
		bool broken = ag_inobt_broken(it);

		spot = broken ? XST_SPOT_ALWAYS : XST_SPOT_NEVER;
		if (broken && ctx->ag_inobt_bad)
			ctx->ag_inobt_bad[it->agno] = 1;
	}
	if (ctx->mode == XST_MODE_DRY_RUN || !xst_item_needs_work(ctx, it))
		return ctx->fatal;

	if (spot == XST_SPOT_ALWAYS ||
	    (spot == XST_SPOT_IF_FS_CLEAN && ctx->fs_list.n == 0)) {
		r = xst_repair_object(ctx, it, 0);
		if (r < 0) {
			set_fatal(ctx, r);
			return r;
		}
		if (it->scope == XST_SCOPE_AG && ctx->ag_inobt_bad)
			ctx->ag_inobt_bad[it->agno] = ag_inobt_broken(it);
		if (r == XST_RR_DONE)
			return ctx->fatal;
	}
	r = xst_repair_list_add(it->scope == XST_SCOPE_INODE ? &ctx->file_list : &ctx->fs_list, it);
	if (r < 0)
		set_fatal(ctx, r);
	return ctx->fatal;
}

static int run_item(struct xst_ctx *ctx, struct xst_item *it)
{
	return run_item_spot(ctx, it, XST_SPOT_NEVER);
}

/* ---- phase 2: filesystem and AG metadata ---- */

static bool ag_inobt_broken(const struct xst_item *it)
{
	static const unsigned int types[] = {
		XFS_SCRUB_TYPE_AGI, XFS_SCRUB_TYPE_INOBT, XFS_SCRUB_TYPE_FINOBT,
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(types); i++)
		if (it->state[types[i]] == XST_ST_DONE && xst_needs_repair(it->oflags[types[i]]))
			return true;
	return false;
}

struct ag_walk {
	struct xst_ctx *ctx;
	atomic_uint next;
};

static void *ag_worker(void *arg)
{
	struct ag_walk *w = arg;
	struct xst_ctx *ctx = w->ctx;
	uint64_t types = xst_group_types(XST_GROUP_AGHEADER) | xst_group_types(XST_GROUP_PERAG);

	for (;;) {
		unsigned int agno = atomic_fetch_add(&w->next, 1);
		struct xst_item it;

		if (agno >= ctx->fs->geo.agcount || ctx->stop)
			return NULL;
		/* The primary superblock was checked on its own, first. */
		xst_item_init(&it, XST_SCOPE_AG, agno, 0, 0,
			      agno == 0 ? types & ~XST_TYPE_BIT(XFS_SCRUB_TYPE_SB) : types);
		if (agno == 0)
			it.state[XFS_SCRUB_TYPE_SB] = XST_ST_ABSENT;
		run_item_spot(ctx, &it, XST_SPOT_IF_INOBT);
		xst_progress_add(ctx->prog, 1);
	}
}

static void run_parallel(struct xst_ctx *ctx, void *(*fn)(void *), void *arg, unsigned int n)
{
	pthread_t tids[64];
	unsigned int started = 0;

	n = MAX(1u, MIN(n, (unsigned int)ARRAY_SIZE(tids)));
	for (unsigned int i = 1; i < n; i++) {
		if (pthread_create(&tids[started], NULL, fn, arg) != 0)
			break;
		started++;
	}
	fn(arg);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
}

int xst_check_metadata(struct xst_ctx *ctx)
{
	struct ag_walk w = { .ctx = ctx };
	struct xst_item it;
	uint64_t fs_types = xst_group_types(XST_GROUP_FS) &
			    ~XST_TYPE_BIT(XFS_SCRUB_TYPE_METAPATH);

	xst_progress_phase(ctx->prog, 2, "Check internal metadata.", ctx->fs->geo.agcount + 2);

	/* Everything else is read relative to the primary superblock. */
	xst_item_init(&it, XST_SCOPE_AG, 0, 0, 0, XST_TYPE_BIT(XFS_SCRUB_TYPE_SB));
	if (run_item(ctx, &it))
		return ctx->fatal;
	xst_progress_add(ctx->prog, 1);

	run_parallel(ctx, ag_worker, &w, MIN(ctx->nthreads, ctx->fs->geo.agcount));
	if (ctx->fatal)
		return ctx->fatal;

	/* Realtime and quota metadata files: absent types answer ENOENT. */
	xst_item_init(&it, XST_SCOPE_FS, 0, 0, 0, fs_types);
	run_item(ctx, &it);
	xst_progress_add(ctx->prog, 1);

	for (uint32_t rg = 0; rg < ctx->fs->geo.rgcount && !ctx->stop; rg++) {
		xst_item_init(&it, XST_SCOPE_RTGROUP, rg, 0, 0,
			      xst_group_types(XST_GROUP_RTGROUP) |
			      XST_TYPE_BIT(XFS_SCRUB_TYPE_RTBITMAP) |
			      XST_TYPE_BIT(XFS_SCRUB_TYPE_RTSUM));
		run_item(ctx, &it);
	}
	return ctx->fatal;
}

/* ---- phase 3: every inode ---- */

uint64_t xst_inode_types(const struct xst_fs *fs, uint16_t mode)
{
	uint64_t t = XST_TYPE_BIT(XFS_SCRUB_TYPE_INODE) |
		     XST_TYPE_BIT(XFS_SCRUB_TYPE_BMBTD) |
		     XST_TYPE_BIT(XFS_SCRUB_TYPE_BMBTA) |
		     XST_TYPE_BIT(XFS_SCRUB_TYPE_XATTR) |
		     XST_TYPE_BIT(XFS_SCRUB_TYPE_PARENT);

	if (fs->has_reflink && (mode == 0 || S_ISREG(mode)))
		t |= XST_TYPE_BIT(XFS_SCRUB_TYPE_BMBTC);
	if (mode == 0 || S_ISDIR(mode))
		t |= XST_TYPE_BIT(XFS_SCRUB_TYPE_DIR);
	/*
	 * The directory tree check walks paths up from a known directory; for
	 * an inode that could not even be loaded it only adds noise.
	 */
	if (S_ISDIR(mode) && fs->has_parent)
		t |= XST_TYPE_BIT(XFS_SCRUB_TYPE_DIRTREE);
	if (mode == 0 || S_ISLNK(mode))
		t |= XST_TYPE_BIT(XFS_SCRUB_TYPE_SYMLINK);
	return t;
}

static int inode_fn(const struct xst_fs *fs, const struct xfs_bulkstat *bs, void *arg)
{
	struct xst_ctx *ctx = arg;
	struct xst_item it;

	xst_item_init(&it, XST_SCOPE_INODE, 0, bs->bs_ino, bs->bs_gen,
		      xst_inode_types(fs, bs->bs_mode));
	it.mode = bs->bs_mode;
	run_item_spot(ctx, &it, XST_SPOT_IF_FS_CLEAN);
	atomic_fetch_add(&ctx->inodes_checked, 1);
	xst_progress_add(ctx->prog, 1);
	return ctx->fatal;
}

struct inode_walk {
	struct xst_ctx *ctx;
	atomic_uint next;
};

/*
 * An AG whose inode index is broken cannot be walked: say so for that AG and
 * go on with the others, instead of ending the whole run on one bad btree.
 */
static void inode_walk_failed(struct xst_ctx *ctx, uint32_t agno, int r)
{
	char d[64];

	snprintf(d, sizeof(d), "AG %u inode btree", agno);
	xst_msg(ctx->rep, XST_CORRUPT, d, "Inode scan failed (%s); offline repair required.",
		strerror(-r));
}

static void *inode_ag_worker(void *arg)
{
	struct inode_walk *w = arg;
	struct xst_ctx *ctx = w->ctx;

	for (;;) {
		unsigned int agno = atomic_fetch_add(&w->next, 1);
		int r;

		if (agno >= ctx->fs->geo.agcount || ctx->stop)
			return NULL;
		if (ctx->ag_inobt_bad && ctx->ag_inobt_bad[agno]) {
			/* Already reported in phase 2; its inodes wait for that repair. */
			xst_msg(ctx->rep, XST_INFO, ctx->fs->mountpoint,
				"AG %u: inodes not scanned until its inode btree is repaired.", agno);
			continue;
		}
		r = xst_scan_ag_inodes(ctx->fs, agno, inode_fn, ctx, &ctx->stop);
		switch (r) {
		case 0:
			break;
		case -EUCLEAN:
		case -EBADMSG:
			inode_walk_failed(ctx, agno, r);
			break;
		default:
			if (!ctx->fatal) {
				xst_msg_errno(ctx->rep, ctx->fs->mountpoint, r);
				set_fatal(ctx, r);
			}
			return NULL;
		}
	}
}

int xst_check_inodes(struct xst_ctx *ctx)
{
	struct xfs_fsop_counts c = { 0 };
	struct inode_walk w = { .ctx = ctx };

	if (xk_fscounts(ctx->fs->fd, &c) < 0)
		c.allocino = 0;
	xst_progress_phase(ctx->prog, 3, "Scan all inodes.", c.allocino - c.freeino);
	run_parallel(ctx, inode_ag_worker, &w, MIN(ctx->nthreads, ctx->fs->geo.agcount));
	return ctx->fatal;
}

/* ---- phase 5: whole-filesystem live scans ---- */

int xst_check_fs_scans(struct xst_ctx *ctx)
{
	struct xst_item it;

	xst_progress_phase(ctx->prog, 5, "Check directory tree.", 1);
	xst_item_init(&it, XST_SCOPE_FS, 0, 0, 0,
		      XST_TYPE_BIT(XFS_SCRUB_TYPE_NLINKS) |
		      XST_TYPE_BIT(XFS_SCRUB_TYPE_QUOTACHECK));
	run_item_spot(ctx, &it, XST_SPOT_ALWAYS);
	xst_progress_add(ctx->prog, 1);
	return ctx->fatal;
}

/* ---- phase 7: summary counters ---- */

int xst_check_summary(struct xst_ctx *ctx)
{
	struct xst_item it;

	xst_progress_phase(ctx->prog, 7, "Check summary counters.", 1);
	xst_item_init(&it, XST_SCOPE_FS, 0, 0, 0, XST_TYPE_BIT(XFS_SCRUB_TYPE_FSCOUNTERS));
	run_item_spot(ctx, &it, XST_SPOT_ALWAYS);
	xst_progress_add(ctx->prog, 1);

	/* Per-file optimizations are summarized once per type, as upstream. */
	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++)
		if (ctx->preen_seen[t])
			xst_msg(ctx->rep, XST_INFO, ctx->fs->mountpoint,
				"Optimizations of %s are possible.", xst_type(t)->descr);
	return ctx->fatal;
}

void xst_check_bill_of_health(struct xst_ctx *ctx)
{
	struct xst_report *rep = ctx->rep;
	struct xst_item it;

	if (!ctx->setup_ok || ctx->fatal || rep->corruptions || rep->errors ||
	    rep->unfixable || rep->warnings)
		return;
	xst_item_init(&it, XST_SCOPE_FS, 0, 0, 0, XST_TYPE_BIT(XFS_SCRUB_TYPE_HEALTHY));
	if (xst_item_run(&ctx->scrubber, &it, 0) < 0)
		return;
	if (it.state[XFS_SCRUB_TYPE_HEALTHY] == XST_ST_DONE &&
	    xst_needs_repair(it.oflags[XFS_SCRUB_TYPE_HEALTHY]))
		xst_msg(rep, XST_INFO, ctx->fs->mountpoint, "Couldn't upload clean bill of health.");
}
