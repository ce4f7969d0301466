// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-filesystem worker thread: everything that calls into the kernel
 * for one filesystem, one thing at a time.  Targeted repairs from health
 * events come first, even in the middle of a scan (they are checked between
 * two scan objects); scans are throttled to a CPU budget and back off while
 * the disks are busy; polling replaces the health monitor where another
 * program holds it.  The filesystem is opened per job and closed after it,
 * so an idle daemon never keeps a filesystem from being unmounted, and each
 * open is re-validated against the device, UUID and fs handle seen at
 * discovery (and, with a health monitor, by the kernel itself), so a
 * different filesystem mounted at the same place is never repaired by
 * mistake.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <syslog.h>
#include <time.h>

#include "breaker.h"
#include "check.h"
#include "descr.h"
#include "fs.h"
#include "inodes.h"
#include "kernel.h"
#include "manager.h"
#include "media.h"
#include "repair.h"
#include "schedule.h"
#include "trace.h"
#include "util.h"
#include "warm.h"

struct failed_key {
	enum xst_scope scope;
	uint32_t agno;
	uint64_t ino;
	uint64_t types;
};

struct wctx {
	struct xsd_fs *fs;
	const struct xsd_config *cfg;
	struct xst_fs *xfs;
	struct xst_ctx ctx;
	struct xst_report rep;
	struct xst_progress prog;	/* silent: progress goes to the bus */
	bool repair;
	bool in_scan;
	enum xsd_scan_mode mode_req;	/* of the scan being run; DEFAULT otherwise */
	bool media_only;		/* the scan being run only reads back data */
	bool throttle;			/* the scan being run rests and backs off */
	uint64_t media_rate;		/* its own media read cap; 0: the configured one */
	bool event_repair;		/* a health event's object goes straight to repair */
	/*
	 * What the kernel said to the scrub and repair probes the first time:
	 * it cannot change for this mount (a read-only remount ends the
	 * watch), and three probe calls on the way to each event's repair
	 * cost ~2 ms under TCG.  Only success is remembered.
	 */
	bool probed, probe_scrubv, probe_repair;
	/* Likewise the data device's GETFSMAP key, learnt by the warm-up's rehearsal. */
	bool fsmap_dev_known;
	uint32_t fsmap_dev;
	uint64_t post_delay_ns;		/* post() lets the loop wait this long (0: now) */
	/* the media phase (callbacks of xst_media_scan) */
	volatile int media_stop;
	int media_r;			/* why it was stopped */
	uint64_t media_pending;		/* bytes read since the last scan point */
	uint64_t rest_debt;		/* throttling rest owed, not yet taken */
	/*
	 * The in-flight markers, open for as long as the worker runs:
	 * opening them cost a directory walk on the way to each event's
	 * repair call.  They live in the state directory, which the service
	 * needs mounted for as long as it runs anyway.  Markers removed by
	 * hand are noticed when they matter (breaker.h).
	 */
	struct xst_breaker *breaker;
	bool breaker_reported;
	bool refused;		/* open_fs refused with ESTALE and said why */
	/*
	 * Repairs that failed on the first try: repairing one object can
	 * need another repaired first (a directory's entries are checked
	 * against its children's parent pointers), so they are tried again
	 * after the rest of the batch or scan before anyone is told
	 * "offline repair required".
	 */
	struct xst_item *deferred;
	unsigned int ndeferred, deferred_cap;
	uint64_t deferred_since_ns;	/* CLOCK_MONOTONIC of the first deferral waiting */
	bool final_pass;
	uint64_t last_ckpt_ns, last_point_ns, last_psi_ns;
	uint64_t last_point_cpu_ns;	/* the thread's CPU clock at last_point_ns */
	struct failed_key failed[64];
	unsigned int nfailed, failed_pos;	/* in use; the next to overwrite when full */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* This thread's CPU time, its time in the kernel's calls included. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The start of a throttled step: scan_point() charges what follows. */
static void mark_point(struct wctx *w)
{
	w->last_point_ns = mono_ns();
	w->last_point_cpu_ns = thread_cpu_ns();
}

static uint64_t real_s(void)
{
	return (uint64_t)time(NULL);
}



static void post(struct wctx *w, enum xsd_msg msg, int prio, const struct xst_item *it,
		 int type, const char *outcome, int err, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
static void post(struct wctx *w, enum xsd_msg msg, int prio, const struct xst_item *it,
		 int type, const char *outcome, int err, const char *fmt, ...)
{
	struct xsd_outcome *o = calloc(1, sizeof(*o));
	va_list ap;

	if (!o)
		return;
	o->msg = msg;
	o->priority = prio;
	o->agno = -1;
	o->err = err;
	if (it) {
		if (it->scope == XST_SCOPE_AG || it->scope == XST_SCOPE_RTGROUP)
			o->agno = it->agno;
		if (it->scope == XST_SCOPE_INODE) {
			o->ino = it->ino;
			o->gen = it->gen;
			if (w->xfs)
				o->agno = xst_ino_agno(w->xfs, it->ino);
			if (w->xfs && xst_path_of(w->xfs, it->ino, it->gen, o->path,
						  sizeof(o->path) - 1) == 0) {
				/* Absolute, as an operator would type it. */
				char tmp[sizeof(o->path)];
				const char *mnt = strcmp(w->fs->mountpoint, "/") ? w->fs->mountpoint : "";

				memcpy(tmp, o->path, sizeof(tmp));
				if ((size_t)snprintf(o->path, sizeof(o->path), "%s/%.*s", mnt,
						     (int)(sizeof(tmp) - 1), tmp) >= sizeof(o->path))
					o->path[0] = 0;
			} else {
				o->path[0] = 0;
			}
		}
	}
	if (type >= 0 && xst_type((unsigned int)type))
		snprintf(o->scrub_type, sizeof(o->scrub_type), "%s", xst_type((unsigned int)type)->name);
	if (outcome)
		snprintf(o->outcome, sizeof(o->outcome), "%s", outcome);
	va_start(ap, fmt);
	vsnprintf(o->text, sizeof(o->text), fmt, ap);
	va_end(ap);
	if (w->post_delay_ns)
		xsd_fs_post_later(w->fs, o, w->post_delay_ns);
	else
		xsd_fs_post(w->fs, o);
}

/* Engine messages (setup problems, kernel bugs) become journal records. */
static void engine_sink(void *data, enum xst_level level, const char *what, const char *msg)
{
	struct wctx *w = data;
	int prio = level <= XST_WARN ? LOG_WARNING : LOG_INFO;

	/* Findings and repairs get their own structured records (settle_item). */
	if (level == XST_CORRUPT || level == XST_REPAIRED || level == XST_PREEN)
		return;
	/* The record carries the mount point already. */
	if (!strcmp(what, w->fs->mountpoint))
		post(w, XSD_MSG_ENGINE, prio, NULL, -1, NULL, 0, "%s", msg);
	else
		post(w, XSD_MSG_ENGINE, prio, NULL, -1, NULL, 0, "%s: %s", what, msg);
}

/* The loop hears of it at once, or within later_ns (see settle_item's records). */
static void set_state_within(struct wctx *w, enum xsd_fs_state s, uint64_t later_ns)
{
	pthread_mutex_lock(&w->fs->sh.lock);
	w->fs->sh.state = s;
	pthread_mutex_unlock(&w->fs->sh.lock);
	if (later_ns)
		xsd_manager_kick_later(w->fs->m, later_ns);
	else
		xsd_manager_kick(w->fs->m);
}

static void set_state(struct wctx *w, enum xsd_fs_state s)
{
	set_state_within(w, s, 0);
}

/* Decide repair vs report-only for this job. */
static bool want_repair(struct wctx *w)
{
	char val[32] = "";
	ssize_t n;

	/* Someone asked for this scan in so many words (xfs_scrub, StartScan). */
	if (w->mode_req == XSD_SCAN_MODE_REPAIR)
		return true;
	if (w->mode_req == XSD_SCAN_MODE_REPORT)
		return false;
	switch (w->cfg->repair) {
	case XSD_REPAIR_ALWAYS:
		return true;
	case XSD_REPAIR_NEVER:
		return false;
	case XSD_REPAIR_AUTO:
		break;
	}
	n = fgetxattr(w->xfs->fd, "trusted.xfs:autofsck", val, sizeof(val) - 1);
	if (n > 0) {
		val[n] = 0;
		return !strcmp(val, "repair");
	}
	/* Unset: upstream reports only (and only with backrefs to check against). */
	return false;
}

static void close_fs(struct wctx *w)
{
	if (!w->xfs)
		return;
	w->ctx.breaker = NULL;		/* the worker's, not this job's */
	if (!w->fsmap_dev_known)
		w->fsmap_dev_known = xst_fs_fsmap_datadev_known(w->xfs, &w->fsmap_dev);
	xst_ctx_fini(&w->ctx);
	pthread_mutex_destroy(&w->prog.lock);
	pthread_cond_destroy(&w->prog.cond);
	pthread_mutex_destroy(&w->ctx.lock);
	pthread_mutex_destroy(&w->rep.lock);
	w->xfs = xst_fs_free(w->xfs);
}

static void ask_resync(struct wctx *w)
{
	pthread_mutex_lock(&w->fs->sh.lock);
	w->fs->sh.resync = true;
	pthread_mutex_unlock(&w->fs->sh.lock);
	xsd_manager_kick(w->fs->m);
}

/*
 * The filesystem just opened at the mount point must be the one discovered,
 * or this job touches nothing: same device, UUID and fs handle, and where a
 * health monitor is attached, the kernel must agree that the fd is on the
 * filesystem it monitors (ESTALE once that one is unmounted, even if the
 * same device was mounted again).  A refusal is journaled once here and the
 * loop re-reads the mount table.
 */
static int same_fs(struct wctx *w, const struct xst_fs *xfs)
{
	struct xsd_fs_ident now;
	const char *what;

	xsd_ident_of(xfs, &now);
	what = xsd_ident_differs(&w->fs->ident, &now);
	if (!what && w->fs->hm_check_fd >= 0 &&
	    xk_health_fd_on_monitored_fs(w->fs->hm_check_fd, xfs->fd) == -ESTALE)
		what = "superblock (the health monitor's filesystem is gone)";
	if (!what)
		return 0;
	post(w, XSD_MSG_FS_WATCH, LOG_WARNING, NULL, -1, "refused", ESTALE,
	     "refusing to work: the filesystem now at the mount point is not the one "
	     "discovered (%s differs); re-reading the mount table", what);
	w->refused = true;
	ask_resync(w);
	return -ESTALE;
}

/* Markers left by a run that went down mid-repair: said once per worker. */
static void report_tripped(struct wctx *w)
{
	if (w->breaker_reported)
		return;
	w->breaker_reported = true;
	for (unsigned int i = 0; i < xst_breaker_ntripped(w->breaker); i++) {
		char d[XST_DESCR_MAX];

		xst_breaker_describe_tripped(w->breaker, i, w->xfs, d, sizeof(d));
		post(w, XSD_MSG_BREAKER, LOG_ERR, NULL, -1, "breaker", 0,
		     "%s: a repair did not return in an earlier run; not retrying "
		     "it (remove the marker in %s to allow it)", d, xst_breaker_dir(w->breaker));
	}
}

static int open_fs(struct wctx *w)
{
	struct xst_fs *xfs = NULL;
	int r;

	if (w->xfs)
		return 0;
	r = xst_fs_open(w->fs->mountpoint, &xfs);
	if (r < 0) {
		/* Gone from its place without a mount event (a renamed parent directory). */
		if (r == -ENOENT || r == -EXDEV || r == -ENOTTY)
			ask_resync(w);
		return r;
	}
	xst_trace("open_fs: opened");
	r = same_fs(w, xfs);
	if (r < 0) {
		xst_fs_free(xfs);
		return r;
	}
	xst_trace("open_fs: identity checked");
	w->xfs = xfs;
	xst_fs_set_device_hint(xfs, w->fs->source);
	xst_fs_set_discard(xfs, __atomic_load_n(&w->fs->discard, __ATOMIC_RELAXED));
	if (w->fsmap_dev_known)
		xst_fs_set_fsmap_datadev(xfs, w->fsmap_dev);
	xst_report_init(&w->rep, w->fs->mountpoint);
	w->rep.quiet_attempts = true;
	w->rep.sink = engine_sink;
	w->rep.sink_data = w;
	xst_progress_init(&w->prog, -1, false, w->fs->mountpoint, &w->rep);
	xst_ctx_init(&w->ctx, xfs, &w->rep, &w->prog, 1);
	w->ctx.scrubber.rest_us = (uint16_t)w->cfg->rest_us;
	if (w->probed) {
		w->ctx.scrubber.use_scrubv = w->probe_scrubv;
		w->ctx.setup_ok = true;
		r = 0;
	} else {
		r = xst_check_setup(&w->ctx, false);
	}
	/* Reading back data needs no scrub support; a media-only scan goes on. */
	if (r < 0 && w->media_only) {
		w->repair = false;
		w->ctx.mode = XST_MODE_DRY_RUN;
		return 0;
	}
	if (r < 0) {
		close_fs(w);
		return r;
	}
	if (want_repair(w)) {
		if (!w->probe_repair)
			w->probe_repair = xst_repair_probe(&w->ctx) == 0;
		w->repair = w->probe_repair;
	} else {
		w->repair = false;
	}
	if (!w->probed) {
		w->probed = true;
		w->probe_scrubv = w->ctx.scrubber.use_scrubv;
	}
	xst_trace("open_fs: probed");
	w->ctx.mode = w->repair ? XST_MODE_REPAIR : XST_MODE_DRY_RUN;
	w->ctx.statedir = w->cfg->state_dir;
	if (w->repair) {
		r = w->breaker ? 0 : xst_breaker_open(w->cfg->state_dir, xfs->geo.uuid, &w->breaker);
		if (r < 0) {
			/* No in-flight markers, no repairs: a crash loop is worse than a report. */
			post(w, XSD_MSG_ENGINE, LOG_ERR, NULL, -1, "error", -r,
			     "cannot keep repair markers under %s (%s); reporting only",
			     w->cfg->state_dir, strerror(-r));
			w->repair = false;
			w->ctx.mode = XST_MODE_DRY_RUN;
		} else {
			w->ctx.breaker = w->breaker;
			report_tripped(w);
		}
	}
	return 0;
}


/*
 * The one place that asks for a repair: the engine's dependency-ordered
 * repair (scrub/repair.c) with salvage before and accounting after, and a
 * full re-check of the object.  A first pass may leave types waiting behind
 * a prerequisite; a targeted repair has no later round, so a final pass
 * settles them at once.
 */
static int repair_object(struct wctx *w, struct xst_item *it, uint64_t bad)
{
	int r;

	(void)bad;
	r = xst_repair_object(&w->ctx, it, 0);
	/* A rehearsal always comes back stuck; its final pass would be the same way again. */
	if ((r == XST_RR_PROGRESS || r == XST_RR_STUCK) && !w->ctx.rehearse)
		r = xst_repair_object(&w->ctx, it, XST_RM_FINAL);
	return r < 0 ? r : 0;
}

/*
 * One object: an inode by its number alone (a related-checks item carries
 * no AG), anything else by scope and AG.
 */
static bool same_place(enum xst_scope scope, uint32_t agno, uint64_t ino,
		       const struct xst_item *it)
{
	if (scope != it->scope || ino != it->ino)
		return false;
	return it->scope == XST_SCOPE_INODE || agno == it->agno;
}

static bool same_key(const struct failed_key *k, const struct xst_item *it)
{
	return same_place(k->scope, k->agno, k->ino, it);
}

/*
 * Every type asked for failed before, whichever attempt remembered it: an
 * event's mask grows as checks mark more types sick (directory, then its
 * parent pointer), and a directory with both failed would otherwise be
 * tried again at each event (seen in the VM: 88 failing repair calls in
 * 13 s of a reader retrying a directory that another damaged one blocks).
 */
static bool failed_before(struct wctx *w, const struct xst_item *it)
{
	uint64_t types = 0;

	for (unsigned int i = 0; i < w->nfailed; i++)
		if (same_key(&w->failed[i], it))
			types |= w->failed[i].types;
	/*
	 * Deferred after a failed repair, the types wait for the retry that
	 * follows a quiet moment; each event meanwhile would repair them
	 * again, and a reader retrying the object keeps the moment from
	 * coming (the same VM run).
	 */
	for (unsigned int i = 0; i < w->ndeferred; i++) {
		const struct xst_item *d = &w->deferred[i];

		if (same_place(d->scope, d->agno, d->ino, it))
			types |= d->want;
	}
	return it->want && (it->want & ~types) == 0;
}

static void remember_failed(struct wctx *w, const struct xst_item *it, uint64_t types)
{
	for (unsigned int i = 0; i < w->nfailed; i++)
		if (same_key(&w->failed[i], it)) {
			w->failed[i].types |= types;
			return;
		}
	w->failed[w->failed_pos++ % ARRAY_SIZE(w->failed)] =
		(struct failed_key){ it->scope, it->agno, it->ino, types };
	if (w->nfailed < ARRAY_SIZE(w->failed))
		w->nfailed++;
}

/* Checked sound or repaired: events about these types are worth acting on again. */
static void forget_failed(struct wctx *w, const struct xst_item *it, uint64_t types)
{
	for (unsigned int i = 0; i < w->nfailed; i++)
		if (same_key(&w->failed[i], it))
			w->failed[i].types &= ~types;
}

static void count(struct wctx *w, uint64_t checked, uint64_t corrupt, uint64_t repaired,
		  uint64_t failed)
{
	struct xsd_shared *sh = &w->fs->sh;

	pthread_mutex_lock(&sh->lock);
	sh->objects_checked += checked;
	sh->corruptions += corrupt;
	sh->repairs += repaired;
	sh->failures += failed;
	if (w->in_scan) {
		sh->st.corruptions += corrupt;
		sh->st.repairs += repaired;
		sh->st.failures += failed;
	}
	pthread_mutex_unlock(&sh->lock);
}

static bool defer(struct wctx *w, const struct xst_item *it, uint64_t types)
{
	if (w->ndeferred == w->deferred_cap) {
		unsigned int cap = w->deferred_cap ? w->deferred_cap * 2 : 16;
		struct xst_item *n;

		if (cap > 4096)
			return false;
		n = realloc(w->deferred, cap * sizeof(*n));
		if (!n)
			return false;
		w->deferred = n;
		w->deferred_cap = cap;
	}
	if (!w->ndeferred)
		w->deferred_since_ns = mono_ns();
	w->deferred[w->ndeferred] = *it;
	w->deferred[w->ndeferred].want = types;
	w->ndeferred++;
	return true;
}

/* One "corruption found" record per broken type (not again on the final pass). */
static void post_corruptions(struct wctx *w, const struct xst_item *it, uint64_t bad,
			     const char *origin)
{
	char d[XST_DESCR_MAX];

	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR && !w->final_pass; t++) {
		if (!(bad & XST_TYPE_BIT(t)))
			continue;
		xst_describe(w->xfs, it, t, d, sizeof(d));
		post(w, XSD_MSG_CORRUPTION, LOG_WARNING, it, (int)t, "corrupt", 0,
		     "%s: corruption found (%s)%s", d, origin,
		     w->repair ? "" : "; not repairing (report-only mode)");
	}
}

/*
 * After a check: report what is broken, repair it when allowed, and report
 * each type's outcome.  Returns 0 or an errno that ends the job.
 */
static int settle_item(struct wctx *w, struct xst_item *it, const char *origin)
{
	char d[XST_DESCR_MAX];
	uint64_t bad = 0, failed = 0, fixed = 0, lost0, restored0, lost, restored;
	unsigned int salvage_t;
	bool late;
	int r;

	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++) {
		if (!(it->want & XST_TYPE_BIT(t)))
			continue;
		if (it->state[t] == XST_ST_DONE && xst_needs_repair(it->oflags[t]))
			bad |= XST_TYPE_BIT(t);
		else if (it->state[t] == XST_ST_ERROR && it->err[t] != -ENOENT) {
			xst_describe(w->xfs, it, t, d, sizeof(d));
			post(w, XSD_MSG_ENGINE, LOG_WARNING, it, (int)t, "error", -it->err[t],
			     "%s: check failed: %s", d, strerror(-it->err[t]));
		}
	}
	if (w->final_pass && !bad) {
		/* Deferred, and sound now: another repair fixed it. */
		for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++) {
			if (!(it->want & XST_TYPE_BIT(t)) || it->state[t] != XST_ST_DONE)
				continue;
			xst_describe(w->xfs, it, t, d, sizeof(d));
			post(w, XSD_MSG_REPAIRED, LOG_NOTICE, it, (int)t, "repaired", 0,
			     "%s: repaired (after related repairs) and verified", d);
			count(w, 0, 0, 1, 0);
		}
		return 0;
	}
	/* A rehearsal counts nothing, on the same code. */
	if (!w->final_pass)
		count(w, !w->ctx.rehearse,
		      w->ctx.rehearse ? 0 : (uint64_t)__builtin_popcountll(bad), 0, 0);
	forget_failed(w, it, it->want & ~bad);
	if (!bad)
		return 0;
	/*
	 * An event's repair goes to the kernel first and is told about after:
	 * naming the object twice (message and XFS_PATH, a parent pointer walk
	 * each) and the loop's journal and bus work took several ms of CPU
	 * from the repair under TCG.  The kernel's own report and the sick
	 * event came first anyway; REPAIRING still reaches the bus within
	 * XSD_EVENT_QUIET_NS, and the in-flight marker names the object.
	 */
	late = w->event_repair && w->repair && !w->final_pass;
	if (!late)
		post_corruptions(w, it, bad, origin);
	if (!w->repair) {
		/*
		 * Reported.  Checking it again at each health event about it
		 * would only make the kernel report it sick again: the check
		 * reads the broken block, the verifier fails, a new event
		 * comes, and the worker loops on it (seen in the VM with a
		 * report-only scan of a damaged directory).  Until it checks
		 * sound or is repaired, events about it are dropped.
		 */
		remember_failed(w, it, bad);
		return 0;
	}

	lost0 = atomic_load(&w->ctx.lost_objects);
	restored0 = atomic_load(&w->ctx.restored_entries);
	r = repair_object(w, it, bad);
	if (w->ctx.rehearse)
		return 0;	/* stopped short of the kernel: nothing happened to tell */
	if (late) {
		/* With the repair's own records, or XSD_EVENT_QUIET_NS on at the latest. */
		w->post_delay_ns = XSD_EVENT_QUIET_NS;
		post_corruptions(w, it, bad, origin);
		w->post_delay_ns = 0;
	}
	if (r < 0)
		return r;
	lost = atomic_load(&w->ctx.lost_objects) - lost0;
	restored = atomic_load(&w->ctx.restored_entries) - restored0;
	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++)
		if ((bad & XST_TYPE_BIT(t)) &&
		    !(it->state[t] == XST_ST_DONE && !xst_needs_repair(it->oflags[t])))
			failed |= XST_TYPE_BIT(t);
	/* Blocked by another damaged directory, a retry fails the same way. */
	if (failed && !w->final_pass && !it->blocked_by && defer(w, it, failed))
		bad &= ~failed;		/* told later, after the retry */
	failed = 0;
	/* Salvage accounting is per object; it belongs to the rebuilt directory or xattrs. */
	salvage_t = (bad & XST_TYPE_BIT(XFS_SCRUB_TYPE_DIR)) ? XFS_SCRUB_TYPE_DIR :
		    (bad & XST_TYPE_BIT(XFS_SCRUB_TYPE_XATTR)) ? XFS_SCRUB_TYPE_XATTR :
		    bad ? (unsigned int)__builtin_ctzll(bad) : 0;
	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++) {
		if (!(bad & XST_TYPE_BIT(t)))
			continue;
		xst_describe(w->xfs, it, t, d, sizeof(d));
		if (it->state[t] == XST_ST_DONE && !xst_needs_repair(it->oflags[t])) {
			fixed |= XST_TYPE_BIT(t);
			/* Honest words: never plain "repaired" when the salvage diff says otherwise. */
			if (it->unneeded & XST_TYPE_BIT(t))
				post(w, XSD_MSG_REPAIRED, LOG_NOTICE, it, (int)t, "unneeded", 0,
				     "%s: sound when the kernel checked it again; nothing repaired", d);
			else if (t != salvage_t)
				post(w, XSD_MSG_REPAIRED, LOG_NOTICE, it, (int)t, "repaired", 0,
				     "%s: repaired and verified", d);
			else if (lost)
				post(w, XSD_MSG_REPAIRED_LOSS, LOG_ERR, it, (int)t, "repaired_loss", 0,
				     "%s: repaired and verified, but entries were lost (%" PRIu64
				     " restored); see the salvage record under %s", d, restored,
				     w->cfg->state_dir);
			else if (restored)
				post(w, XSD_MSG_REPAIRED_RESTORES, LOG_NOTICE, it, (int)t,
				     "repaired_restored", 0,
				     "%s: repaired and verified; %" PRIu64 " entries the rebuild "
				     "dropped were restored", d, restored);
			else
				post(w, XSD_MSG_REPAIRED, LOG_NOTICE, it, (int)t, "repaired", 0,
				     "%s: repaired and verified", d);
		} else if (it->blocked_by && t == XFS_SCRUB_TYPE_DIR) {
			struct xst_item b;
			char bd[XST_DESCR_MAX];

			failed |= XST_TYPE_BIT(t);
			xst_item_init(&b, XST_SCOPE_INODE, xst_ino_agno(w->xfs, it->blocked_by),
				      it->blocked_by, it->blocked_gen, 0);
			xst_describe_object(w->xfs, &b, bd, sizeof(bd));
			post(w, XSD_MSG_REPAIR_FAILED, LOG_ERR, it, (int)t, "failed", 0,
			     "%s: repair unsuccessful; offline repair required: another damaged "
			     "directory (%s) stops the kernel's rebuild", d, bd);
		} else {
			failed |= XST_TYPE_BIT(t);
			post(w, XSD_MSG_REPAIR_FAILED, LOG_ERR, it, (int)t, "failed",
			     it->state[t] == XST_ST_ERROR ? -it->err[t] : 0,
			     "%s: repair unsuccessful; offline repair required", d);
		}
	}
	if (failed)
		remember_failed(w, it, failed);
	forget_failed(w, it, fixed);
	count(w, 0, 0, (uint64_t)__builtin_popcountll(fixed), (uint64_t)__builtin_popcountll(failed));
	pthread_mutex_lock(&w->fs->sh.lock);
	w->fs->sh.restores += restored;
	w->fs->sh.losses += lost;
	if (w->in_scan)
		w->fs->sh.st.losses += lost;
	pthread_mutex_unlock(&w->fs->sh.lock);
	return 0;
}

static int run_item(struct wctx *w, struct xst_item *it, const char *origin)
{
	int r;

	xst_trace("run_item: check ino %" PRIu64 " types 0x%" PRIx64 " (%s)", it->ino, it->want,
		  origin);
	r = xst_item_run(&w->ctx.scrubber, it, 0);
	xst_trace("run_item: check done");
	if (r < 0)
		return r;
	r = settle_item(w, it, origin);
	xst_trace("run_item: settled");
	return r;
}

/*
 * A health event's object, when repairs are on: the kernel has just found
 * these types broken, and its repair call checks them again before it
 * changes anything (NO_REPAIR_NEEDED when they turn out sound).  Our own
 * check first would only read the damaged block once more (~10 ms under
 * TCG, plus the kernel's corruption report and another sick event) on the
 * way to the repair the application is waiting for.
 */
static int run_reported(struct wctx *w, struct xst_item *it, const char *origin)
{
	int r;

	if (!w->repair || w->final_pass || it->scope != XST_SCOPE_INODE)
		return run_item(w, it, origin);
	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++) {
		if (!(it->want & XST_TYPE_BIT(t)))
			continue;
		it->state[t] = XST_ST_DONE;
		it->tries[t] = 1;
		it->oflags[t] = XFS_SCRUB_OFLAG_CORRUPT;
	}
	xst_trace("run_item: ino %" PRIu64 " types 0x%" PRIx64 " reported sick (%s)", it->ino,
		  it->want, origin);
	w->event_repair = true;
	r = settle_item(w, it, origin);
	w->event_repair = false;
	xst_trace("run_item: settled");
	return r;
}

/*
 * The watch's rehearsal (manager.c, rehearse_event): the root directory's
 * repair from the worker's hand-off to the kernel call, without touching
 * it (ctx.rehearse: nothing but the fork map is read; nothing is marked,
 * saved, counted or recorded; the call is the repair probe).  Under TCG
 * code is translated the first time it runs, and each new process's code
 * is new to it (ASLR); elsewhere the first run is page faults and cold
 * caches.  Only where repairs are on: a check would be real work.
 */
static void rehearse(struct wctx *w, struct xst_item *it)
{
	xst_trace("worker: rehearsal");
	if (!w->repair)
		return;
	w->ctx.rehearse = true;
	(void)run_reported(w, it, "rehearsal");
	w->ctx.rehearse = false;
}

/* Check and repair the deferred objects once more; failures are final now. */
static int flush_deferred(struct wctx *w)
{
	int r = 0;

	w->final_pass = true;
	for (unsigned int i = 0; i < w->ndeferred && r == 0; i++) {
		struct xst_item it;

		xst_item_init(&it, w->deferred[i].scope, w->deferred[i].agno, w->deferred[i].ino,
			      w->deferred[i].gen, w->deferred[i].want);
		it.mode = w->deferred[i].mode;
		r = run_item(w, &it, "retry");
	}
	w->final_pass = false;
	w->ndeferred = 0;
	return r;
}

/*
 * Pop the queued targets (lock held by caller not required); *rehearsal:
 * out[0] is the watch's rehearsal.
 */
static unsigned int take_targets(struct xsd_fs *fs, struct xst_item *out, unsigned int cap,
				 bool *rehearsal)
{
	unsigned int n;

	pthread_mutex_lock(&fs->sh.lock);
	n = MIN(cap, fs->sh.ntargets);
	*rehearsal = n && fs->sh.rehearse_first;
	fs->sh.rehearse_first = false;
	memcpy(out, fs->sh.targets, n * sizeof(*out));
	memmove(fs->sh.targets, fs->sh.targets + n, (fs->sh.ntargets - n) * sizeof(*out));
	fs->sh.ntargets -= n;
	pthread_mutex_unlock(&fs->sh.lock);
	return n;
}

static void report_fatal(struct wctx *w, int r)
{
	if (r == -ESHUTDOWN)
		post(w, XSD_MSG_SHUTDOWN, LOG_CRIT, NULL, -1, "shutdown", ESHUTDOWN,
		     "filesystem is shut down; work stopped");
	else if (r == -ESTALE && w->refused)
		w->refused = false;	/* same_fs() said it already */
	else if (r == -ESTALE)
		post(w, XSD_MSG_ENGINE, LOG_WARNING, NULL, -1, "stale", ESTALE,
		     "a different filesystem is mounted here now; not touching it");
	else if (r != -ECANCELED && r != -EINTR)
		post(w, XSD_MSG_ENGINE, LOG_ERR, NULL, -1, "error", -r, "cannot work: %s",
		     strerror(-r));
}

/* How long failed event repairs wait for related events before their retry. */
#define DEFER_WAIT_NS (1000 * 1000000ull)

static void timed_wait(struct xsd_shared *sh, uint64_t ns);

/* Whether targets arrive within DEFER_WAIT_NS (or are there already). */
static bool more_targets_soon(struct wctx *w)
{
	struct xsd_shared *sh = &w->fs->sh;
	bool more;

	pthread_mutex_lock(&sh->lock);
	if (!sh->ntargets && !sh->quit && !sh->cancel)
		timed_wait(sh, DEFER_WAIT_NS);
	more = sh->ntargets > 0 && !sh->quit;
	pthread_mutex_unlock(&sh->lock);
	return more;
}

/*
 * Events that keep coming (a reader retrying a damaged object) would put
 * the deferred retry off for as long as they do, and with it the final
 * word on the failed repair.
 */
#define DEFER_MAX_NS (5000 * 1000000ull)

static bool deferred_overdue(const struct wctx *w)
{
	return mono_ns() - w->deferred_since_ns > DEFER_MAX_NS;
}

/* Repairs asked for by health events or polling. */
static int run_targets(struct wctx *w)
{
	static __thread struct xst_item items[64];
	/*
	 * Open once for as long as targets keep coming (a burst of events is
	 * one job), closed when the queue is empty: idle, we hold no mount.
	 */
	bool opened_here = !w->xfs, rehearsal;
	enum xsd_fs_state prev;
	unsigned int n;
	int r = 0;

	pthread_mutex_lock(&w->fs->sh.lock);
	prev = w->fs->sh.state;
	pthread_mutex_unlock(&w->fs->sh.lock);
	while ((n = take_targets(w->fs, items, ARRAY_SIZE(items), &rehearsal)) > 0) {
		xst_trace("worker: %u targets", n);
		/* A rehearsal alone is no repair to show. */
		set_state_within(w, rehearsal && n == 1 ? prev : XSD_FS_REPAIRING,
				 XSD_EVENT_QUIET_NS);
		r = open_fs(w);
		xst_trace("worker: filesystem open");
		if (r < 0) {
			/* Before any event: the first real one tells. */
			if (!rehearsal || n > 1)
				report_fatal(w, r);
			break;
		}
		for (unsigned int i = 0; i < n && r == 0; i++) {
			struct xst_item *it = &items[i];
			uint64_t rest;

			/* Known broken and not repairable here: see settle_item. */
			if (failed_before(w, it))
				continue;
			/* What the kernel reported first: that is what users wait for. */
			rest = it->scope == XST_SCOPE_INODE ?
			       xst_inode_types(w->xfs, it->mode) & ~it->want : 0;
			if (i == 0 && rehearsal) {
				rehearse(w, it);
				continue;
			}
			r = run_reported(w, it, "health event");
			/*
			 * Then every other check of a sick inode: with parent
			 * pointers, damage to the xattr fork also takes the
			 * inode's parent pointers, and they must be rebuilt from
			 * the parent's entry now, before a later check of the
			 * parent directory rebuilds it from the (missing) parent
			 * pointers and drops the name (seen in the VM: the file
			 * ended in lost+found).
			 */
			if (r == 0 && rest) {
				xst_item_init(it, it->scope, 0, it->ino, it->gen, rest);
				r = run_item(w, it, "health event, related checks");
			}
		}
		/*
		 * Inside a scan, deferred repairs wait for the end of the scan.
		 * Outside, they wait for the queue to stay empty for a moment:
		 * a repair that failed may need another object repaired first
		 * (a parent pointer rebuild reads every directory, and fails
		 * on one that is still damaged), and the event about that one
		 * is often a read away (seen in the demo: getfattr, then ls).
		 */
		if (r == 0 && !w->in_scan && w->ndeferred && !deferred_overdue(w) &&
		    more_targets_soon(w))
			continue;
		if (r == 0 && !w->in_scan)
			r = flush_deferred(w);
		xst_trace("worker: targets done");
		if (r < 0) {
			report_fatal(w, r);
			break;
		}
	}
	if (opened_here)
		close_fs(w);
	set_state(w, prev == XSD_FS_REPAIRING ? XSD_FS_IDLE : prev);
	return r == -ESHUTDOWN ? r : 0;
}

/* ---- throttling ---- */

/*
 * The shortest rest worth taking.  Every rest is a switch off the CPU and
 * back, and a CPU the guest idles and wakes again; fewer, longer ones keep
 * the same share.  Measured under multi-threaded TCG, one scan of 10,000
 * inodes at cpu_budget 25 next to the foreground workload: 13.4 s of CPU
 * taking rests at 20 ms, 10.6-10.9 s at 250 or 500 ms (docs/daemon.md).
 */
#define REST_MIN_NS (250 * 1000000ull)

/* "some avg10" of /proc/pressure/io, or -1 if unavailable. */
static double io_pressure(void)
{
	char line[256];
	double v = -1;
	FILE *f = fopen("/proc/pressure/io", "re");

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		(void)sscanf(line, "some avg10=%lf", &v);
	fclose(f);
	return v;
}

/* Wait on the cond until deadline (CLOCK_REALTIME based condvar); lock held. */
static void timed_wait(struct xsd_shared *sh, uint64_t ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ns / 1000000000ull);
	ts.tv_nsec += (long)(ns % 1000000000ull);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&sh->wake, &sh->lock, &ts);
}

static void save_checkpoint(struct wctx *w)
{
	struct xsd_shared *sh = &w->fs->sh;
	struct xsd_state copy;
	const char *method = NULL;
	int r;

	pthread_mutex_lock(&sh->lock);
	copy = sh->st;
	pthread_mutex_unlock(&sh->lock);
	r = xsd_state_save(w->fs->state_path, &copy, &method);
	pthread_mutex_lock(&sh->lock);
	if (r == 0) {
		sh->checkpoints++;
		sh->ckpt_method = method;
	}
	pthread_mutex_unlock(&sh->lock);
	if (r < 0)
		post(w, XSD_MSG_ENGINE, LOG_WARNING, NULL, -1, "error", -r,
		     "cannot write checkpoint %s: %s", w->fs->state_path, strerror(-r));
	w->last_ckpt_ns = mono_ns();
}

/*
 * Called between two scan objects: account the work, honour the budget,
 * pause, cancel and quit, serve queued repairs, checkpoint.  Returns 0 to
 * go on, -ECANCELED (cancel) or -EINTR (quit) to stop.
 */
static int scan_point(struct wctx *w, uint64_t done)
{
	struct xsd_shared *sh = &w->fs->sh;
	uint64_t now = mono_ns();
	struct xsd_step step = {
		.wall_ns = now - w->last_point_ns,
		.cpu_ns = thread_cpu_ns() - w->last_point_cpu_ns,
	};
	const struct xsd_budget budget = {
		.cpu_pct = w->cfg->cpu_budget,
		.io_pct = w->cfg->io_budget,
		.bytes_per_s = w->media_rate ? w->media_rate : w->cfg->media_rate,
	};
	uint64_t rest;
	bool targets;
	int r = 0;

	pthread_mutex_lock(&sh->lock);
	if (sh->st.cur.phase == XSD_PHASE_MEDIA) {
		sh->st.media_done += done;	/* bytes */
		step.bytes = done;
	} else {
		sh->st.objects_done += done;
	}
	sh->session_done += done;
	pthread_mutex_unlock(&sh->lock);

	if (now - w->last_ckpt_ns >= w->cfg->checkpoint_interval_s * 1000000000ull)
		save_checkpoint(w);

	/*
	 * The budgets (schedule.h): time on a CPU, time waiting (for the disk
	 * mostly), media bytes per second.  CPU time is the thread's own
	 * clock, so a scan waiting for a slow disk is not charged for CPU it
	 * did not use, and a scan the foreground keeps off the CPU is charged
	 * as waiting.  An on-demand scan asked for at full speed does not rest.
	 */
	rest = w->throttle ? xsd_step_rest_ns(&step, &budget, 2000000000ull) : 0;
	/*
	 * Rests are owed per object but taken in one piece once they add up
	 * to REST_MIN_NS: a sleep and a wakeup per inode cost CPU of their
	 * own (most under emulation), which is what the budget is there to
	 * spare.  A pause, a cancel or a queued repair cuts a rest short.
	 */
	w->rest_debt = MIN(w->rest_debt + rest, 2000000000ull);
	rest = w->rest_debt >= REST_MIN_NS ? w->rest_debt : 0;
	if (rest)
		w->rest_debt = 0;

	pthread_mutex_lock(&sh->lock);
	if (rest && !sh->quit && !sh->cancel && !sh->paused)
		timed_wait(sh, rest);
	/* Foreground I/O is busy: back off, a second at a time, while it stays so. */
	if (w->throttle && now - w->last_psi_ns >= 1000000000ull) {
		unsigned int waited = 0;

		w->last_psi_ns = now;
		while (!sh->quit && !sh->cancel && !sh->paused && waited < 10) {
			double p;

			pthread_mutex_unlock(&sh->lock);
			p = io_pressure();
			pthread_mutex_lock(&sh->lock);
			if (p < w->cfg->io_pressure_max)
				break;
			timed_wait(sh, 1000000000ull);
			waited++;
		}
	}
	while (sh->paused && !sh->quit && !sh->cancel) {
		if (sh->state != XSD_FS_PAUSED) {
			sh->state = XSD_FS_PAUSED;
			pthread_mutex_unlock(&sh->lock);
			save_checkpoint(w);
			xsd_manager_kick(w->fs->m);
			pthread_mutex_lock(&sh->lock);
		}
		pthread_cond_wait(&sh->wake, &sh->lock);
	}
	if (sh->state == XSD_FS_PAUSED)
		sh->state = XSD_FS_SCANNING;
	if (sh->quit)
		r = -EINTR;
	else if (sh->cancel)
		r = -ECANCELED;
	targets = sh->ntargets > 0;
	pthread_mutex_unlock(&sh->lock);
	if (r == 0 && targets) {
		r = run_targets(w);
		set_state(w, XSD_FS_SCANNING);
	}
	mark_point(w);
	return r;
}

/* ---- the scan ---- */

static int scan_inode(const struct xst_fs *xfs, const struct xfs_bulkstat *bs, void *arg)
{
	struct wctx *w = arg;
	struct xst_item it;
	int r;

	xst_item_init(&it, XST_SCOPE_INODE, 0, bs->bs_ino, bs->bs_gen,
		      xst_inode_types(xfs, bs->bs_mode));
	it.mode = bs->bs_mode;
	r = run_item(w, &it, "scan");
	if (r < 0)
		return r;
	pthread_mutex_lock(&w->fs->sh.lock);
	w->fs->sh.st.cur.ino = bs->bs_ino + 1;
	pthread_mutex_unlock(&w->fs->sh.lock);
	return scan_point(w, 1);
}

static void set_cursor(struct wctx *w, enum xsd_phase p, uint32_t agno, uint64_t ino)
{
	pthread_mutex_lock(&w->fs->sh.lock);
	w->fs->sh.st.cur = (struct xsd_cursor){ p, agno, ino };
	pthread_mutex_unlock(&w->fs->sh.lock);
}

/* ---- the media phase: xst_media_scan() with the daemon's callbacks ---- */

static const char *const media_dev_names[] = {
	[XST_MEDIA_DEV_DATA] = "data", [XST_MEDIA_DEV_LOG] = "log", [XST_MEDIA_DEV_RT] = "realtime",
};

static void md_started(void *arg, uint64_t total, const char *method)
{
	struct wctx *w = arg;
	struct xsd_shared *sh = &w->fs->sh;
	uint64_t done;

	/* Progress counts bytes from here on. */
	pthread_mutex_lock(&sh->lock);
	sh->total_work = total;
	sh->session_done = 0;
	sh->session_start_ns = mono_ns();
	done = sh->st.media_done;
	pthread_mutex_unlock(&sh->lock);
	post(w, XSD_MSG_SCAN_CONTROL, LOG_INFO, NULL, -1, "media", 0,
	     "media verification: %" PRIu64 " MiB of written data and log to read through %s%s",
	     total >> 20, method, done ? " (resuming)" : "");
}

static void md_progress(void *arg, uint64_t bytes)
{
	struct wctx *w = arg;

	w->media_pending += bytes;
}

/* After each read: the cursor moves, and the scan rests, pauses or stops here. */
static void md_position(void *arg, unsigned int device, uint64_t next)
{
	struct wctx *w = arg;
	uint64_t bytes = w->media_pending;
	int r;

	w->media_pending = 0;
	pthread_mutex_lock(&w->fs->sh.lock);
	w->fs->sh.st.cur = (struct xsd_cursor){ XSD_PHASE_MEDIA, device, next };
	pthread_mutex_unlock(&w->fs->sh.lock);
	r = scan_point(w, bytes);
	if (r < 0 && !w->media_r) {
		w->media_r = r;
		w->media_stop = 1;
	}
}

static void md_finding(void *arg, const struct xst_media_finding *f)
{
	struct wctx *w = arg;
	struct xsd_outcome *o = calloc(1, sizeof(*o));
	const char *dev = media_dev_names[f->device];

	pthread_mutex_lock(&w->fs->sh.lock);
	w->fs->sh.st.media_errors++;
	w->fs->sh.failures++;
	pthread_mutex_unlock(&w->fs->sh.lock);
	if (!o)
		return;
	o->msg = XSD_MSG_MEDIA_ERROR;
	o->priority = LOG_ERR;
	o->agno = -1;
	o->err = EIO;
	o->media_device = dev;
	o->physical = f->physical;
	o->length = f->length;
	o->file_offset = -1;
	snprintf(o->outcome, sizeof(o->outcome), "unreadable");
	if (f->kind == XST_MEDIA_METADATA) {
		o->owner = xst_media_owner_name(f->owner);
		snprintf(o->text, sizeof(o->text),
			 "media error in %s: %" PRIu64 " bytes at byte %" PRIu64 " of the %s device",
			 o->owner, f->length, f->physical, dev);
	} else {
		char what[sizeof(o->path)];
		uint32_t gen = 0;

		o->ino = f->ino;
		if (xst_media_describe_inode(w->xfs, f->ino, &gen, what, sizeof(what)) == 0)
			snprintf(o->path, sizeof(o->path), "%s", what);
		o->gen = gen;
		o->agno = xst_ino_agno(w->xfs, f->ino);
		if (f->kind == XST_MEDIA_FILE_DATA)
			o->file_offset = (int64_t)f->offset;
		snprintf(o->text, sizeof(o->text), "%.300s: media error %s, %" PRIu64
			 " bytes (byte %" PRIu64 " of the %s device)", what,
			 f->kind == XST_MEDIA_ATTR ? "in extended attribute data" :
			 f->kind == XST_MEDIA_BMBT ? "in the extent map" : "in file data",
			 f->length, f->physical, dev);
		if (f->kind == XST_MEDIA_FILE_DATA) {
			size_t n = strlen(o->text);

			snprintf(o->text + n, sizeof(o->text) - n, " at file offset %" PRIu64, f->offset);
		}
	}
	xsd_fs_post(w->fs, o);
}

static void md_error(void *arg, const char *what, int r)
{
	struct wctx *w = arg;

	if (r != -EINTR)
		post(w, XSD_MSG_ENGINE, LOG_ERR, NULL, -1, "error", -r,
		     "media verification: %s: %s", what, strerror(-r));
}

static int media_phase(struct wctx *w, struct xsd_cursor cur)
{
	static const struct xst_media_ops ops = {
		.started = md_started, .progress = md_progress, .position = md_position,
		.finding = md_finding, .error = md_error,
	};
	struct xst_media_opts o = {
		.nthreads = 1,		/* the cursor must be a resume point */
		.report_each_read = true,	/* and nothing before it unreported */
		.resume_dev = cur.agno,
		.resume_pos = cur.ino,
		/* Throttled: small reads, so a rest or a pause comes soon. */
		.io_max = w->throttle ? XST_MEDIA_IO_BACKGROUND : 0,
		.rest_us = w->throttle ? w->cfg->rest_us : 0,
	};
	struct xst_media_stats st;
	int r;

	w->media_stop = 0;
	w->media_r = 0;
	w->media_pending = 0;
	r = xst_media_scan(w->xfs, &o, &ops, w, &w->media_stop, &st);
	if (w->media_r)
		return w->media_r;
	return r;
}

static int scan_phases(struct wctx *w, struct xsd_cursor cur, enum xsd_scan_kind kind,
		       int64_t scope_ag)
{
	struct xst_fs *xfs = w->xfs;
	/* An escalated scan covers one AG: its metadata and its inodes. */
	uint32_t ag_end = scope_ag >= 0 ? (uint32_t)scope_ag + 1 : xfs->geo.agcount;
	uint64_t ag_types = xst_group_types(XST_GROUP_AGHEADER) | xst_group_types(XST_GROUP_PERAG);
	struct xst_item it;
	int r;

	if (cur.phase == XSD_PHASE_METADATA) {
		for (uint32_t ag = cur.agno; ag <= xfs->geo.agcount; ag++) {
			if (scope_ag >= 0 && ag >= ag_end)
				break;
			set_cursor(w, XSD_PHASE_METADATA, ag, 0);
			if (ag < xfs->geo.agcount)
				xst_item_init(&it, XST_SCOPE_AG, ag, 0, 0, ag_types);
			else	/* realtime and quota metadata files */
				xst_item_init(&it, XST_SCOPE_FS, 0, 0, 0,
					      xst_group_types(XST_GROUP_FS) &
					      ~XST_TYPE_BIT(XFS_SCRUB_TYPE_METAPATH));
			r = run_item(w, &it, "scan");
			if (r < 0)
				return r;
			set_cursor(w, XSD_PHASE_METADATA, ag + 1, 0);
			r = scan_point(w, 1);
			if (r < 0)
				return r;
		}
		cur = (struct xsd_cursor){ XSD_PHASE_INODES, scope_ag >= 0 ? (uint32_t)scope_ag : 0, 0 };
	}
	if (cur.phase == XSD_PHASE_INODES) {
		for (uint32_t ag = cur.agno; ag < ag_end; ag++) {
			uint64_t from = ag == cur.agno ? cur.ino : 0;

			set_cursor(w, XSD_PHASE_INODES, ag, from);
			r = xst_scan_ag_inodes_from(xfs, ag, from, scan_inode, w, &w->ctx.stop);
			if (r < 0)
				return r;
		}
		/* Link counts, quotas and counters are whole-filesystem checks. */
		cur = (struct xsd_cursor){ scope_ag >= 0 ? XSD_PHASE_DONE : XSD_PHASE_FSWIDE, 0, 0 };
	}
	if (cur.phase == XSD_PHASE_FSWIDE) {
		set_cursor(w, XSD_PHASE_FSWIDE, 0, 0);
		xst_item_init(&it, XST_SCOPE_FS, 0, 0, 0,
			      XST_TYPE_BIT(XFS_SCRUB_TYPE_NLINKS) |
			      XST_TYPE_BIT(XFS_SCRUB_TYPE_QUOTACHECK) |
			      XST_TYPE_BIT(XFS_SCRUB_TYPE_FSCOUNTERS));
		r = run_item(w, &it, "scan");
		if (r < 0)
			return r;
		r = scan_point(w, 1);
		if (r < 0)
			return r;
		cur = (struct xsd_cursor){ kind == XSD_SCAN_ALL ? XSD_PHASE_MEDIA : XSD_PHASE_DONE, 0, 0 };
	}
	if (cur.phase == XSD_PHASE_MEDIA) {
		set_cursor(w, XSD_PHASE_MEDIA, cur.agno, cur.ino);
		r = media_phase(w, cur);
		if (r < 0)
			return r;
	}
	set_cursor(w, XSD_PHASE_DONE, 0, 0);
	return 0;
}

static void finish_scan(struct wctx *w, int r)
{
	struct xsd_shared *sh = &w->fs->sh;
	struct xsd_state *st = &sh->st;
	const char *result;
	uint64_t now = real_s();

	pthread_mutex_lock(&sh->lock);
	if (r == -EINTR) {
		/* Daemon stopping: the checkpoint stays, the scan resumes next start. */
		pthread_mutex_unlock(&sh->lock);
		save_checkpoint(w);
		return;
	}
	result = r == -ECANCELED ? "cancelled" : r == -ESHUTDOWN ? "shutdown" :
		 r < 0 ? "error" : st->failures || st->media_errors ? "unrepaired" :
		 st->repairs ? "repaired" : st->corruptions ? "corrupt" : "clean";
	st->scan_active = false;
	st->last_kind = st->kind;
	if (r == 0 && st->kind != XSD_SCAN_METADATA)
		st->last_media_end = now;
	st->last_losses = st->losses;
	st->last_media_errors = st->media_errors;
	st->last_scan_end = now;
	st->last_scan_duration = now - MIN(now, st->scan_started);
	st->last_objects = st->objects_done;
	st->last_corruptions = st->corruptions;
	st->last_repairs = st->repairs;
	st->last_failures = st->failures;
	snprintf(st->last_result, sizeof(st->last_result), "%s", result);
	sh->cancel = false;
	sh->scan_go = false;
	pthread_mutex_unlock(&sh->lock);
	save_checkpoint(w);
	if (r == -ECANCELED)
		post(w, XSD_MSG_SCAN_CONTROL, LOG_NOTICE, NULL, -1, "cancelled", 0, "scan cancelled");
	else
		post(w, XSD_MSG_SCAN_FINISHED,
		     r < 0 || st->failures || st->last_media_errors ? LOG_WARNING : LOG_INFO,
		     NULL, -1, result, r < 0 ? -r : 0,
		     "%s scan finished: %s; %" PRIu64 " objects checked, %" PRIu64
		     " corruptions, %" PRIu64 " repaired, %" PRIu64 " unrepaired, %" PRIu64
		     " repairs with loss, %" PRIu64 " MiB of data verified, %" PRIu64
		     " media errors, %" PRIu64 " s",
		     xsd_scan_kind_name(st->last_kind), result, st->last_objects,
		     st->last_corruptions, st->last_repairs, st->last_failures, st->last_losses,
		     st->media_done >> 20, st->last_media_errors, st->last_scan_duration);
	/* A clean full pass lets the kernel forget retained sickness. */
	if (r == 0 && st->last_kind != XSD_SCAN_MEDIA && !st->last_corruptions &&
	    !st->last_failures && w->xfs)
		xst_check_bill_of_health(&w->ctx);
}

static void run_scan(struct wctx *w)
{
	struct xsd_shared *sh = &w->fs->sh;
	struct xfs_fsop_counts c = { 0 };
	struct xsd_cursor cur;
	enum xsd_scan_kind kind;
	int64_t scope_ag;
	struct xsd_scan_req req;
	bool resumed, dropped = false;
	int r;

	/* The mode and speed of the scan: the request's, or the checkpoint's. */
	pthread_mutex_lock(&sh->lock);
	req = sh->req;
	if (sh->st.scan_active && !req.resume &&
	    (sh->st.kind != req.kind || sh->st.mode != req.mode || sh->st.throttle != req.throttle ||
	     sh->st.scope_ag != req.ag || sh->st.media_rate != req.media_rate)) {
		sh->st.scan_active = false;
		dropped = true;
	}
	if (sh->st.scan_active) {
		w->mode_req = sh->st.mode;
		w->throttle = sh->st.throttle;
		w->media_rate = sh->st.media_rate;
		w->media_only = sh->st.kind == XSD_SCAN_MEDIA;
	} else {
		w->mode_req = req.mode;
		w->throttle = req.throttle;
		w->media_rate = req.media_rate;
		w->media_only = req.kind == XSD_SCAN_MEDIA;
	}
	pthread_mutex_unlock(&sh->lock);
	if (dropped)
		post(w, XSD_MSG_SCAN_CONTROL, LOG_NOTICE, NULL, -1, "dropped", 0,
		     "the interrupted scan's checkpoint was dropped for the scan asked for");

	set_state(w, XSD_FS_SCANNING);
	r = open_fs(w);
	if (r == -ESTALE) {
		/*
		 * Not this filesystem's failure: its checkpoint stays as it
		 * is, and the resync watches it afresh (resuming an active
		 * scan); the refusal record tells what happened to the request.
		 */
		report_fatal(w, r);
		pthread_mutex_lock(&sh->lock);
		sh->scan_go = false;
		pthread_mutex_unlock(&sh->lock);
		set_state(w, XSD_FS_IDLE);
		return;
	}
	if (r < 0) {
		/* A scan that cannot start is a scan that ended in an error. */
		report_fatal(w, r);
		pthread_mutex_lock(&sh->lock);
		if (!sh->st.scan_active) {
			/* Say which scan it was, and that it lasted no time. */
			sh->st.scan_started = real_s();
			sh->st.kind = req.kind;
			sh->st.mode = req.mode;
			sh->st.throttle = req.throttle;
			sh->st.media_rate = req.media_rate;
			sh->st.objects_done = sh->st.media_done = sh->st.corruptions = 0;
			sh->st.repairs = sh->st.failures = sh->st.losses = sh->st.media_errors = 0;
		}
		pthread_mutex_unlock(&sh->lock);
		/* (-ECANCELED here is the engine's "cannot scrub", not a cancel.) */
		finish_scan(w, r == -EINTR || r == -ECANCELED ? -EOPNOTSUPP : r);
		w->mode_req = XSD_SCAN_MODE_DEFAULT;
		w->media_only = false;
		set_state(w, XSD_FS_IDLE);
		return;
	}
	if (xk_fscounts(w->xfs->fd, &c) < 0)
		c.allocino = c.freeino = 0;

	pthread_mutex_lock(&sh->lock);
	resumed = sh->st.scan_active;
	if (!resumed) {
		sh->st.scan_active = true;
		sh->st.kind = req.kind;
		sh->st.mode = req.mode;
		sh->st.throttle = req.throttle;
		sh->st.media_rate = req.media_rate;
		sh->st.scope_ag = req.ag < (int64_t)w->xfs->geo.agcount ? req.ag : -1;
		sh->st.cur = (struct xsd_cursor){ xsd_scan_first_phase(req.kind),
						  sh->st.scope_ag >= 0 ? (uint32_t)sh->st.scope_ag : 0, 0 };
		sh->st.scan_started = real_s();
		sh->st.objects_done = sh->st.media_done = sh->st.corruptions = 0;
		sh->st.repairs = sh->st.failures = sh->st.losses = sh->st.media_errors = 0;
	}
	kind = sh->st.kind;
	cur = sh->st.cur;
	scope_ag = sh->st.scope_ag;
	if (scope_ag >= 0)
		sh->total_work = 1 + (c.allocino - c.freeino) / MAX(w->xfs->geo.agcount, 1u);
	else
		sh->total_work = w->xfs->geo.agcount + 1 + (c.allocino - c.freeino) + 1;
	sh->session_done = 0;
	sh->session_start_ns = mono_ns();
	pthread_mutex_unlock(&sh->lock);

	if (resumed && cur.phase == XSD_PHASE_MEDIA)
		post(w, XSD_MSG_SCAN_CONTROL, LOG_NOTICE, NULL, -1, "resumed", 0,
		     "%s scan resumed from checkpoint: media, device %u byte %" PRIu64
		     " (%" PRIu64 " MiB already verified)", xsd_scan_kind_name(kind),
		     cur.agno, cur.ino, sh->st.media_done >> 20);
	else if (resumed)
		post(w, XSD_MSG_SCAN_CONTROL, LOG_NOTICE, NULL, -1, "resumed", 0,
		     "scan resumed from checkpoint: phase %s, AG %u, inode %" PRIu64
		     " (%" PRIu64 " objects already done)",
		     xsd_phase_name(cur.phase), cur.agno, cur.ino, sh->st.objects_done);
	else if (scope_ag >= 0)
		post(w, XSD_MSG_SCAN_STARTED, LOG_INFO, NULL, -1, "started", 0,
		     "%s scan of AG %" PRId64 " started (%s mode%s)", xsd_scan_kind_name(kind),
		     scope_ag, w->repair ? "repair" : "report-only",
		     w->throttle ? "" : ", full speed");
	else
		post(w, XSD_MSG_SCAN_STARTED, LOG_INFO, NULL, -1, "started", 0,
		     "%s scan started (%s mode%s)", xsd_scan_kind_name(kind),
		     w->repair ? "repair" : "report-only", w->throttle ? "" : ", full speed");
	save_checkpoint(w);
	w->in_scan = true;
	mark_point(w);
	r = scan_phases(w, cur, kind, scope_ag);
	if (r == 0 || r == -ECANCELED)
		r = flush_deferred(w) ?: r;
	w->ndeferred = 0;
	w->in_scan = false;
	if (r < 0 && r != -ECANCELED && r != -EINTR)
		report_fatal(w, r);
	finish_scan(w, r);
	close_fs(w);
	w->mode_req = XSD_SCAN_MODE_DEFAULT;
	w->media_only = false;
	set_state(w, XSD_FS_IDLE);
}

/* ---- polling sick flags ---- */

static void queue_target(struct wctx *w, const struct xst_item *it)
{
	struct xsd_shared *sh = &w->fs->sh;

	if (failed_before(w, it))
		return;
	pthread_mutex_lock(&sh->lock);
	if (sh->ntargets < XSD_MAX_TARGETS)
		sh->targets[sh->ntargets++] = *it;
	else
		sh->targets_dropped++;
	pthread_mutex_unlock(&sh->lock);
}

static int poll_inode(const struct xst_fs *xfs, const struct xfs_bulkstat *bs, void *arg)
{
	struct wctx *w = arg;
	struct xst_item it;
	uint64_t t = xsd_inode_mask_types(bs->bs_sick);

	if (bs->bs_version != XST_BS_STUB && t) {
		xst_item_init(&it, XST_SCOPE_INODE, 0, bs->bs_ino, bs->bs_gen, t);
		queue_target(w, &it);
	}
	return 0;
}

static void run_poll(struct wctx *w)
{
	struct xsd_shared *sh = &w->fs->sh;
	struct xst_fsop_geom_v5 geo;
	struct xst_item it;
	uint64_t t;
	int r;

	set_state(w, XSD_FS_POLLING);
	r = open_fs(w);
	if (r < 0) {
		report_fatal(w, r);
		goto out;
	}
	if (xk_fsgeometry(w->xfs->fd, &geo) == 0 && (t = xsd_fs_mask_types(geo.sick))) {
		xst_item_init(&it, XST_SCOPE_FS, 0, 0, 0, t);
		queue_target(w, &it);
	}
	for (uint32_t ag = 0; ag < w->xfs->geo.agcount; ag++) {
		struct xfs_ag_geometry agg = { .ag_number = ag };

		if (xk_ag_geometry(w->xfs->fd, &agg) < 0)
			continue;
		if ((t = xsd_ag_mask_types(agg.ag_sick))) {
			xst_item_init(&it, XST_SCOPE_AG, ag, 0, 0, t);
			queue_target(w, &it);
		}
		/* Sick inodes live in core only; bulkstat shows the cached ones. */
		(void)xst_scan_ag_inodes(w->xfs, ag, poll_inode, w, &w->ctx.stop);
	}
	close_fs(w);
	run_targets(w);
out:
	pthread_mutex_lock(&sh->lock);
	sh->poll = false;
	pthread_mutex_unlock(&sh->lock);
	set_state(w, XSD_FS_IDLE);
}

/*
 * When the watch starts, not when the first event comes: the scrub and
 * repair probes, the in-flight markers (and the report of any left by a
 * crash), so that the first repair's way to the kernel is as short as the
 * later ones'.  The filesystem is closed again: idle, we hold no mount.  The
 * rehearsal comes from the loop once this worker first waits for work.
 */
static void warm_up(struct wctx *w)
{
	/*
	 * More than a repair's way to the kernel was seen to take (13 KiB of
	 * stack, 16 KiB of heap); little enough to keep per filesystem.
	 */
	xsd_warm_thread(32 * 1024, 48 * 1024);
	if (open_fs(w) < 0)
		return;
	close_fs(w);
}

void *xsd_worker_main(void *arg)
{
	struct xsd_fs *fs = arg;
	struct xsd_shared *sh = &fs->sh;
	struct wctx w = { .fs = fs, .cfg = fs->m->cfg };

	warm_up(&w);
	pthread_mutex_lock(&sh->lock);
	for (;;) {
		while (!sh->quit && (sh->paused || (!sh->ntargets && !sh->scan_go && !sh->poll &&
						    !sh->cancel))) {
			/*
			 * The loop sends the rehearsal when it sees this, under
			 * the lock this wait releases: the wake and the return
			 * from the wait are part of it.
			 */
			if (!sh->waiting) {
				sh->waiting = true;
				xsd_manager_kick(fs->m);
			}
			pthread_cond_wait(&sh->wake, &sh->lock);
		}
		if (sh->quit)
			break;
		if (sh->ntargets) {
			pthread_mutex_unlock(&sh->lock);
			run_targets(&w);
		} else if (sh->scan_go || (sh->cancel && sh->st.scan_active)) {
			bool cancel_only = !sh->scan_go;

			pthread_mutex_unlock(&sh->lock);
			if (cancel_only)
				finish_scan(&w, -ECANCELED);
			else
				run_scan(&w);
		} else if (sh->poll) {
			pthread_mutex_unlock(&sh->lock);
			run_poll(&w);
		} else {
			sh->cancel = false;
			continue;
		}
		pthread_mutex_lock(&sh->lock);
	}
	sh->worker_exited = true;
	pthread_mutex_unlock(&sh->lock);
	close_fs(&w);
	xst_breaker_free(w.breaker);
	free(w.deferred);
	xsd_manager_kick(fs->m);
	return NULL;
}
