/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A whole-filesystem check, in the kernel's dependency order: filesystem and
 * AG metadata first (superblock, AG headers, then the AG btrees), then every
 * inode (core, forks, then directory, xattr, symlink, parent pointers and the
 * directory tree), then the whole-filesystem live scans (link counts, quota
 * counts) and the summary counters.  Front ends (xfs_scrub, the daemon) set
 * up a context and run the phases; results flow out through the report.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "fs.h"
#include "item.h"
#include "progress.h"
#include "repair.h"
#include "report.h"

enum xst_mode {
	XST_MODE_DRY_RUN,	/* -n: check, change nothing */
	XST_MODE_PREEN,		/* -p: optimizations only */
	XST_MODE_REPAIR,	/* default: repair everything */
};

struct xst_breaker;
struct xst_salvage;

struct xst_ctx {
	struct xst_fs *fs;
	struct xst_scrubber scrubber;
	struct xst_report *rep;
	struct xst_progress *prog;
	unsigned int nthreads;
	enum xst_mode mode;
	const char *statedir;		/* salvage records, in-flight markers */
	struct xst_breaker *breaker;	/* NULL in dry-run mode */
	struct xst_repair_list fs_list;	/* AG and fs objects awaiting repair */
	struct xst_repair_list file_list; /* inodes awaiting repair */
	atomic_uint_fast64_t lost_objects;	/* repaired with loss */
	atomic_uint_fast64_t restored_entries;
	bool setup_ok;			/* the kernel can scrub this fs */
	/*
	 * A rehearsal: repairs go the whole way to the kernel call without
	 * touching the object.  The salvage reads nothing but the fork map
	 * and saves nothing; the in-flight marker's slot is written with the
	 * zeros it holds (xst_breaker_rehearse); the call made is the repair
	 * probe.  A daemon rehearses once per watch, so that the first
	 * health event's repair does not run this code for the first time in
	 * the process (rehearse_event in daemon/manager.c).
	 */
	bool rehearse;
	volatile int stop;		/* set to end the run early */
	int fatal;			/* -errno that ended the run, or 0 */
	pthread_mutex_t lock;		/* protects preen_seen and fatal */
	bool preen_seen[XST_SCRUB_TYPE_NR];
	uint8_t *ag_inobt_bad;		/* per AG: inode index still broken after phase 2 */
	struct xst_salvage *salvage_pending; /* records between repair attempts (lock) */
	atomic_uint_fast64_t inodes_checked;
	atomic_uint_fast64_t objects_checked;
};

void xst_ctx_init(struct xst_ctx *ctx, struct xst_fs *fs, struct xst_report *rep,
		  struct xst_progress *prog, unsigned int nthreads);

/* Release what the context owns (repair lists, breaker, per-AG state). */
void xst_ctx_fini(struct xst_ctx *ctx);

/*
 * Probe the kernel: scrub at all, vectored scrub.  On failure the reason has
 * been reported and a negative errno is returned.
 */
int xst_check_setup(struct xst_ctx *ctx, bool force_single);

/* The check phases, in order.  Each returns 0 or the errno that ended the run. */
int xst_check_metadata(struct xst_ctx *ctx);
int xst_check_inodes(struct xst_ctx *ctx);
int xst_check_fs_scans(struct xst_ctx *ctx);
int xst_check_summary(struct xst_ctx *ctx);

/* Tell the kernel a clean run happened so it drops retained sickness. */
void xst_check_bill_of_health(struct xst_ctx *ctx);

/* Report one checked item's verdicts (problems left for repair stay quiet). */
void xst_check_report_item(struct xst_ctx *ctx, const struct xst_item *it);

/* Say why the run ended, once, for a fatal errno from the phases. */
void xst_check_report_fatal(struct xst_ctx *ctx, int r);

/* The scrub types a given inode gets, from its mode (0: unknown, all). */
uint64_t xst_inode_types(const struct xst_fs *fs, uint16_t mode);
