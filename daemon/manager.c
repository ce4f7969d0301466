// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The manager: the event loop and everything it owns.  Nothing here blocks
 * for long: kernel work goes to the per-filesystem workers (worker.c), and
 * what they report comes back through one eventfd.  When nothing happens,
 * nothing wakes up: the mount table, the health monitors, the bus and the
 * control socket are fds; timers exist only for configured schedules, for
 * polling where there is no monitor, and for progress while work runs.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-id128.h>

#include "fs.h"
#include "kernel.h"
#include "manager.h"
#include "metrics.h"
#include "mntevents.h"
#include "mounts.h"
#include "schedule.h"
#include "trace.h"
#include "util.h"

static const char *const state_names[] = {
	[XSD_FS_IDLE] = "idle",
	[XSD_FS_QUEUED] = "queued",
	[XSD_FS_SCANNING] = "scanning",
	[XSD_FS_REPAIRING] = "repairing",
	[XSD_FS_PAUSED] = "paused",
	[XSD_FS_POLLING] = "polling",
	[XSD_FS_GONE] = "gone",
};

const char *xsd_fs_state_name(enum xsd_fs_state s)
{
	return (unsigned int)s < ARRAY_SIZE(state_names) ? state_names[s] : "unknown";
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void xsd_manager_kick(struct xsd_manager *m)
{
	uint64_t one = 1;

	(void)!write(m->efd, &one, sizeof(one));
}

static void queue_outcome(struct xsd_fs *fs, struct xsd_outcome *o)
{
	pthread_mutex_lock(&fs->sh.lock);
	if (fs->sh.out_tail)
		fs->sh.out_tail->next = o;
	else
		fs->sh.out_head = o;
	fs->sh.out_tail = o;
	pthread_mutex_unlock(&fs->sh.lock);
}

void xsd_fs_post(struct xsd_fs *fs, struct xsd_outcome *o)
{
	queue_outcome(fs, o);
	xsd_manager_kick(fs->m);
}

void xsd_fs_post_later(struct xsd_fs *fs, struct xsd_outcome *o, uint64_t ns)
{
	queue_outcome(fs, o);
	xsd_manager_kick_later(fs->m, ns);
}

/*
 * A one-shot kick within ns, from any thread.  A look already set for as
 * soon or sooner stands (no syscall); a later one is brought forward, never
 * put off, so "within ns" holds for every caller however often events come.
 */
void xsd_manager_kick_later(struct xsd_manager *m, uint64_t ns)
{
	uint64_t now = mono_ns(), due = now + ns;
	uint64_t cur = __atomic_load_n(&m->kick_due_ns, __ATOMIC_ACQUIRE);

	if (m->kick_tfd < 0) {
		xsd_manager_kick(m);
		return;
	}
	while (cur == 0 || cur <= now || cur > due) {
		if (__atomic_compare_exchange_n(&m->kick_due_ns, &cur, due, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			struct itimerspec its = {
				.it_value = { (time_t)(due / 1000000000ull),
					      (long)(due % 1000000000ull) },
			};

			if (timerfd_settime(m->kick_tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
				xsd_manager_kick(m);
			return;
		}
	}
}

void xsd_shared_progress(const struct xsd_shared *sh, double *progress, double *rate,
			 uint64_t *eta_s)
{
	double secs = (double)(mono_ns() - sh->session_start_ns) / 1e9;
	uint64_t done;

	*progress = 0;
	*rate = 0;
	*eta_s = 0;
	if (!sh->st.scan_active || !sh->total_work)
		return;
	/* Objects while checking metadata, bytes while verifying media. */
	done = sh->st.cur.phase == XSD_PHASE_MEDIA ? sh->st.media_done : sh->st.objects_done;
	*progress = MIN(1.0, (double)done / (double)sh->total_work);
	if (secs > 0.5 && sh->session_done)
		*rate = (double)sh->session_done / secs;
	if (*rate > 0 && sh->total_work > done)
		*eta_s = (uint64_t)((double)(sh->total_work - done) / *rate);
}

/* ---- journal records ---- */

static void fs_record(struct xsd_manager *m, struct xsd_fs *fs, enum xsd_msg msg, int prio,
		      const char *outcome, int err, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static void fs_record(struct xsd_manager *m, struct xsd_fs *fs, enum xsd_msg msg, int prio,
		      const char *outcome, int err, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	struct xsd_rec r = {
		.msg = msg, .priority = prio, .agno = -1, .outcome = outcome, .err = err,
		.text = text,
	};

	if (fs) {
		r.mountpoint = fs->mountpoint;
		r.device = fs->source;
		r.fsuuid = fs->uuid;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	(void)xsd_journal_send(m->journal, &r);
}

/* Keep the damage list in step with the records the journal gets. */
static void track_damage(struct xsd_fs *fs, const struct xsd_outcome *o)
{
	struct xsd_damage_list *l = fs->damage;
	uint64_t now = (uint64_t)time(NULL);
	enum xsd_scan_kind kind;

	if (!l)
		return;
	switch (o->msg) {
	case XSD_MSG_CORRUPTION:
	case XSD_MSG_REPAIR_FAILED:
		xsd_damage_note(l, o->msg == XSD_MSG_CORRUPTION ? XSD_DAMAGE_CORRUPT :
				XSD_DAMAGE_UNREPAIRED, o->agno, o->ino, o->scrub_type, 0, o->path,
				o->text, now);
		break;
	case XSD_MSG_REPAIRED:
	case XSD_MSG_REPAIRED_RESTORES:
	case XSD_MSG_REPAIRED_LOSS:
		xsd_damage_repaired(l, o->agno, o->ino, o->scrub_type);
		break;
	case XSD_MSG_MEDIA_ERROR:
		xsd_damage_note(l, XSD_DAMAGE_UNREADABLE, o->agno, o->ino, "",
				o->file_offset >= 0 ? (uint64_t)o->file_offset : o->physical,
				o->path[0] ? o->path : o->owner, o->text, now);
		break;
	case XSD_MSG_SCAN_STARTED:
		fs->damage_mark = xsd_damage_mark(l);
		break;
	case XSD_MSG_SCAN_FINISHED:
		/* Only a scan that ran to its end may say something is gone. */
		if (strcmp(o->outcome, "clean") && strcmp(o->outcome, "repaired") &&
		    strcmp(o->outcome, "corrupt") && strcmp(o->outcome, "unrepaired"))
			break;
		pthread_mutex_lock(&fs->sh.lock);
		kind = fs->sh.st.last_kind;
		pthread_mutex_unlock(&fs->sh.lock);
		xsd_damage_scan_done(l, kind != XSD_SCAN_MEDIA, kind != XSD_SCAN_METADATA,
				     fs->damage_mark);
		break;
	default:
		break;
	}
}

static void journal_outcome(struct xsd_manager *m, struct xsd_fs *fs, const struct xsd_outcome *o)
{
	struct xsd_rec r = {
		.msg = o->msg, .priority = o->priority,
		.mountpoint = fs->mountpoint, .device = fs->source, .fsuuid = fs->uuid,
		.agno = o->agno, .ino = o->ino, .gen = o->gen,
		.path = o->path[0] ? o->path : NULL,
		.scrub_type = o->scrub_type[0] ? o->scrub_type : NULL,
		.outcome = o->outcome[0] ? o->outcome : NULL,
		.err = o->err, .text = o->text,
		.media_device = o->media_device, .physical = o->physical, .length = o->length,
		.file_offset = o->file_offset, .owner = o->owner,
	};

	(void)xsd_journal_send(m->journal, &r);
}

/* ---- status, metrics ---- */

static bool any_busy(struct xsd_manager *m)
{
	bool busy = false;

	for (struct xsd_fs *fs = m->fs; fs; fs = fs->next) {
		pthread_mutex_lock(&fs->sh.lock);
		busy |= fs->sh.state == XSD_FS_SCANNING || fs->sh.state == XSD_FS_REPAIRING;
		pthread_mutex_unlock(&fs->sh.lock);
	}
	return busy;
}

static void update_status(struct xsd_manager *m)
{
	char buf[256];
	size_t off = 0;
	unsigned int n = 0, scanning = 0;

	for (struct xsd_fs *fs = m->fs; fs; fs = fs->next) {
		double p, rate;
		uint64_t eta;

		n++;
		pthread_mutex_lock(&fs->sh.lock);
		if (fs->sh.state == XSD_FS_SCANNING || fs->sh.state == XSD_FS_PAUSED) {
			xsd_shared_progress(&fs->sh, &p, &rate, &eta);
			if (off < sizeof(buf))
				off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s %s %.0f%%",
							scanning ? ", " : "", fs->mountpoint,
							xsd_fs_state_name(fs->sh.state), p * 100);
			scanning++;
		}
		pthread_mutex_unlock(&fs->sh.lock);
	}
	if (!scanning)
		snprintf(buf, sizeof(buf), "Watching %u XFS filesystem%s", n, n == 1 ? "" : "s");
	if (strcmp(buf, m->status)) {
		snprintf(m->status, sizeof(m->status), "%s", buf);
		(void)sd_notifyf(false, "STATUS=%s", m->status);
	}
}

static void write_metrics(struct xsd_manager *m)
{
	struct xsd_fs_metrics mm[64];
	size_t n = 0;
	int r;

	if (!m->cfg->metrics_file)
		return;
	for (struct xsd_fs *fs = m->fs; fs && n < ARRAY_SIZE(mm); fs = fs->next, n++) {
		double rate;
		uint64_t eta;

		pthread_mutex_lock(&fs->sh.lock);
		mm[n] = (struct xsd_fs_metrics){
			.mountpoint = fs->mountpoint, .device = fs->source, .uuid = fs->uuid,
			.state = xsd_fs_state_name(fs->sh.state),
			.objects_checked = fs->sh.objects_checked,
			.corruptions = fs->sh.corruptions, .repairs = fs->sh.repairs,
			.restores = fs->sh.restores, .losses = fs->sh.losses,
			.failures = fs->sh.failures, .events = fs->events,
			.last_scan_end = fs->sh.st.last_scan_end,
			.last_scan_duration = fs->sh.st.last_scan_duration,
		};
		xsd_shared_progress(&fs->sh, &mm[n].progress, &rate, &eta);
		pthread_mutex_unlock(&fs->sh.lock);
	}
	r = xsd_metrics_write(m->cfg->metrics_file, mm, n, xk_scrub_calls());
	if (r < 0)
		fs_record(m, NULL, XSD_MSG_ENGINE, LOG_WARNING, "error", -r,
			  "cannot write metrics file %s: %s", m->cfg->metrics_file, strerror(-r));
	m->last_metrics_ns = mono_ns();
}

static int on_ticker(sd_event_source *s, uint64_t usec, void *userdata);
static void arm_sched(struct xsd_manager *m);

/*
 * Progress reporting, every 2 s, only while something is busy: idle means
 * no wakeups.  One source, made at start (xsd_manager_new).
 */
static void arm_ticker(struct xsd_manager *m)
{
	int on = SD_EVENT_OFF;

	if (!m->ticker || !any_busy(m))
		return;
	if (sd_event_source_get_enabled(m->ticker, &on) >= 0 && on != SD_EVENT_OFF)
		return;
	(void)sd_event_source_set_time_relative(m->ticker, 2000000);
	(void)sd_event_source_set_enabled(m->ticker, SD_EVENT_ONESHOT);
}

static int on_ticker(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct xsd_manager *m = userdata;

	update_status(m);
	for (struct xsd_fs *fs = m->fs; fs; fs = fs->next)
		xsd_bus_emit_progress(m, fs);
	if (mono_ns() - m->last_metrics_ns >= 10000000000ull)
		write_metrics(m);
	arm_ticker(m);
	return 0;
}

/* ---- scheduling ---- */

static bool scanning(struct xsd_fs *fs)
{
	bool r;

	pthread_mutex_lock(&fs->sh.lock);
	r = fs->sh.scan_go;
	pthread_mutex_unlock(&fs->sh.lock);
	return r;
}

/* At most one scan per underlying disk; the others wait their turn. */
static void schedule(struct xsd_manager *m)
{
	for (struct xsd_fs *fs = m->fs; fs; fs = fs->next) {
		bool conflict = false;

		if (!fs->scan_wanted)
			continue;
		for (struct xsd_fs *o = m->fs; o; o = o->next)
			if (o != fs && scanning(o) && xsd_disks_overlap(fs->disks, o->disks))
				conflict = true;
		if (conflict)
			continue;
		fs->scan_wanted = false;
		pthread_mutex_lock(&fs->sh.lock);
		fs->sh.scan_go = true;
		fs->sh.req = fs->want;
		if (fs->sh.state == XSD_FS_QUEUED)
			fs->sh.state = XSD_FS_IDLE;
		pthread_cond_broadcast(&fs->sh.wake);
		pthread_mutex_unlock(&fs->sh.lock);
	}
	for (struct xsd_fs *fs = m->fs; fs; fs = fs->next) {
		if (!fs->scan_wanted)
			continue;
		pthread_mutex_lock(&fs->sh.lock);
		if (fs->sh.state == XSD_FS_IDLE)
			fs->sh.state = XSD_FS_QUEUED;
		pthread_mutex_unlock(&fs->sh.lock);
	}
	arm_ticker(m);
}

int xsd_fs_request_scan(struct xsd_fs *fs, const char *why, const struct xsd_scan_req *req)
{
	if (scanning(fs))
		return -EALREADY;
	fs->want = req ? *req : XSD_SCAN_REQ_DEFAULT;
	/* Media verification rides on a scheduled scan once it is due. */
	if (!req && fs->m->cfg->media_interval_s) {
		uint64_t last;

		pthread_mutex_lock(&fs->sh.lock);
		last = fs->sh.st.last_media_end ? fs->sh.st.last_media_end : fs->first_seen;
		pthread_mutex_unlock(&fs->sh.lock);
		if (last + fs->m->cfg->media_interval_s <= (uint64_t)time(NULL))
			fs->want.kind = XSD_SCAN_ALL;
	}
	fs->scan_wanted = true;
	if (fs->want.ag >= 0)
		fs->want.kind = XSD_SCAN_METADATA;
	fs_record(fs->m, fs, XSD_MSG_SCAN_CONTROL, LOG_INFO, "requested", 0,
		  "%s scan%s requested (%s%s%s)", xsd_scan_kind_name(fs->want.kind),
		  fs->want.ag >= 0 ? " of one AG" : "", why,
		  fs->want.mode == XSD_SCAN_MODE_DEFAULT ? "" :
		  fs->want.mode == XSD_SCAN_MODE_REPAIR ? ", repair" : ", report only",
		  fs->want.throttle ? "" : ", full speed");
	schedule(fs->m);
	return 0;
}

int xsd_fs_pause(struct xsd_fs *fs, bool pause)
{
	pthread_mutex_lock(&fs->sh.lock);
	fs->sh.paused = pause;
	if (!pause && fs->sh.state == XSD_FS_PAUSED)
		fs->sh.state = fs->sh.st.scan_active ? XSD_FS_SCANNING : XSD_FS_IDLE;
	if (pause && fs->sh.state == XSD_FS_IDLE)
		fs->sh.state = XSD_FS_PAUSED;
	pthread_cond_broadcast(&fs->sh.wake);
	pthread_mutex_unlock(&fs->sh.lock);
	fs_record(fs->m, fs, XSD_MSG_SCAN_CONTROL, LOG_NOTICE, pause ? "paused" : "resumed", 0,
		  pause ? "paused: no scrub calls until resumed" : "resumed");
	xsd_bus_emit_progress(fs->m, fs);
	return 0;
}

int xsd_fs_cancel(struct xsd_fs *fs)
{
	bool active;

	pthread_mutex_lock(&fs->sh.lock);
	active = fs->scan_wanted || fs->sh.scan_go || fs->sh.st.scan_active || fs->after_wanted;
	fs->scan_wanted = false;
	fs->after_wanted = false;
	if (active)
		fs->sh.cancel = true;
	if (fs->sh.state == XSD_FS_QUEUED)
		fs->sh.state = XSD_FS_IDLE;
	pthread_cond_broadcast(&fs->sh.wake);
	pthread_mutex_unlock(&fs->sh.lock);
	arm_sched(fs->m);
	return active ? 0 : -EALREADY;
}

static bool on_battery(void)
{
	char buf[8] = "";
	FILE *f;
	bool any_ac = false, online = false;

	/* Like ConditionACPower=: no mains supply known means "not on battery". */
	for (int i = 0; i < 4; i++) {
		static const char *const names[] = { "AC", "AC0", "ACAD", "ADP1" };
		char path[64];

		snprintf(path, sizeof(path), "/sys/class/power_supply/%s/online", names[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		any_ac = true;
		if (fgets(buf, sizeof(buf), f) && buf[0] == '1')
			online = true;
		fclose(f);
	}
	return any_ac && !online;
}

/* Seconds from now until the configured window opens (0: open now). */
static uint64_t window_wait(const struct xsd_config *c)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	return xsd_window_wait(c->window_start_min, c->window_end_min, tm.tm_hour * 60 + tm.tm_min);
}

static int on_sched(sd_event_source *s, uint64_t usec, void *userdata);

/*
 * One timer for the earliest due scan, at least min_delay seconds away.
 * Filesystems already scanning or queued are not due: the timer is armed
 * again when their scan ends.
 */
static void arm_sched_min(struct xsd_manager *m, uint64_t min_delay)
{
	uint64_t now = (uint64_t)time(NULL), next = UINT64_MAX;

	m->sched_timer = sd_event_source_disable_unref(m->sched_timer);
	if (!m->cfg->scan_interval_s)
		return;
	for (struct xsd_fs *fs = m->fs; fs; fs = fs->next) {
		uint64_t last, due;

		if (fs->scan_wanted || scanning(fs))
			continue;
		pthread_mutex_lock(&fs->sh.lock);
		last = fs->sh.st.last_scan_end ? fs->sh.st.last_scan_end : fs->first_seen;
		pthread_mutex_unlock(&fs->sh.lock);
		due = last + m->cfg->scan_interval_s;
		next = MIN(next, due);
	}
	if (next == UINT64_MAX)
		return;
	next = next > now ? next - now : 0;
	next = MAX(next, window_wait(m->cfg));
	next = MAX(next, min_delay);
	(void)sd_event_add_time_relative(m->event, &m->sched_timer, CLOCK_REALTIME,
					 MAX(next, 1) * 1000000ull, 60 * 1000000ull, on_sched, m);
}

static void arm_sched(struct xsd_manager *m)
{
	arm_sched_min(m, 0);
}

static int on_sched(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct xsd_manager *m = userdata;
	uint64_t now = (uint64_t)time(NULL);

	if (m->cfg->skip_on_battery && on_battery()) {
		/* Look again in a quarter of an hour rather than spin. */
		arm_sched_min(m, 900);
		return 0;
	}
	if (window_wait(m->cfg) == 0) {
		for (struct xsd_fs *fs = m->fs; fs; fs = fs->next) {
			uint64_t last;

			pthread_mutex_lock(&fs->sh.lock);
			last = fs->sh.st.last_scan_end ? fs->sh.st.last_scan_end : fs->first_seen;
			pthread_mutex_unlock(&fs->sh.lock);
			if (last + m->cfg->scan_interval_s <= now && !scanning(fs)) {
				/* Not due again until this one finishes. */
				pthread_mutex_lock(&fs->sh.lock);
				fs->first_seen = now;
				pthread_mutex_unlock(&fs->sh.lock);
				xsd_fs_request_scan(fs, "schedule", NULL);
			}
		}
	}
	arm_sched(m);
	return 0;
}

/* ---- health events ---- */

static bool same_object(const struct xst_item *a, const struct xst_item *b)
{
	return a->scope == b->scope && a->agno == b->agno && a->ino == b->ino && a->gen == b->gen;
}

/*
 * One queued repair per object: a damaged object is reported again by every
 * read that trips over it (the salvage read included) until it is repaired.
 * The worker is woken once the events at hand are read (wake_worker).
 */
static void push_target(struct xsd_fs *fs, const struct xst_item *it)
{
	unsigned int i;

	pthread_mutex_lock(&fs->sh.lock);
	if (fs->rehearsing) {
		/* Only ever first in an empty queue: see xsd_shared.rehearse_first. */
		if (!fs->sh.ntargets) {
			fs->sh.targets[fs->sh.ntargets++] = *it;
			fs->sh.rehearse_first = true;
		}
		pthread_mutex_unlock(&fs->sh.lock);
		fs->targets_queued = true;
		return;
	}
	for (i = 0; i < fs->sh.ntargets; i++)
		if (same_object(&fs->sh.targets[i], it))
			break;
	if (i < fs->sh.ntargets) {
		xst_item_init(&fs->sh.targets[i], it->scope, it->agno, it->ino, it->gen,
			      fs->sh.targets[i].want | it->want);
		if (i == 0)
			fs->sh.rehearse_first = false;	/* real now: repair it */
	} else if (fs->sh.ntargets < XSD_MAX_TARGETS) {
		fs->sh.targets[fs->sh.ntargets++] = *it;
	} else {
		fs->sh.targets_dropped++;
	}
	pthread_mutex_unlock(&fs->sh.lock);
	fs->targets_queued = true;
}

/*
 * Last thing before the loop goes back to waiting: on a busy CPU a worker
 * woken earlier waited for the rest of the loop's turn (under TCG ~0.5 ms
 * between the wake and the worker running, on the way to an event's
 * repair call; ~0.3 ms now).
 */
static void wake_worker(struct xsd_fs *fs)
{
	if (!fs->targets_queued)
		return;
	fs->targets_queued = false;
	/* The worker's REPAIRING and records come with its repair, or by then. */
	xsd_manager_kick_later(fs->m, XSD_EVENT_QUIET_NS);
	pthread_mutex_lock(&fs->sh.lock);
	pthread_cond_broadcast(&fs->sh.wake);
	pthread_mutex_unlock(&fs->sh.lock);
}

/*
 * The kernel marked types of an object healthy (a clean check or a repair,
 * ours or anyone's): queued requests for them came before it in the event
 * stream, so they are answered.  Without this, the reports a burst of
 * failing reads queued during a repair each cost a check of the object,
 * holding its locks just when it is readable again.
 */
static void drop_answered(struct xsd_fs *fs, const struct xst_item *healthy)
{
	unsigned int keep = 0;

	pthread_mutex_lock(&fs->sh.lock);
	for (unsigned int i = 0; i < fs->sh.ntargets; i++) {
		struct xst_item *t = &fs->sh.targets[i];

		if (same_object(t, healthy))
			xst_item_init(t, t->scope, t->agno, t->ino, t->gen, t->want & ~healthy->want);
		if (t->want)
			fs->sh.targets[keep++] = *t;
		else if (i == 0)
			fs->sh.rehearse_first = false;
	}
	fs->sh.ntargets = keep;
	pthread_mutex_unlock(&fs->sh.lock);
}

/*
 * A scan that the one running does not make unnecessary waits for it to end
 * (on_efd starts it).  At most one waits: a scan of the whole filesystem
 * takes in any other, and scans of two different AGs become one.
 */
static void request_after(struct xsd_fs *fs, const char *why, const struct xsd_scan_req *req)
{
	if (fs->after_wanted) {
		int64_t ag = xsd_scope_merge(fs->after.ag, req->ag);

		if (ag == fs->after.ag)
			return;		/* the waiting one covers it */
		fs->after.ag = ag;
	} else {
		fs->after = *req;
	}
	fs->after_wanted = true;
	snprintf(fs->after_why, sizeof(fs->after_why), "%s", why);
}

/* Does the scan running on fs check AG ag's metadata and inodes (-1: every AG)? */
static bool running_covers(struct xsd_fs *fs, int64_t ag)
{
	const struct xsd_shared *sh = &fs->sh;
	enum xsd_scan_kind kind;
	int64_t scope;

	pthread_mutex_lock(&fs->sh.lock);
	kind = sh->st.scan_active ? sh->st.kind : sh->req.kind;
	scope = sh->st.scan_active ? sh->st.scope_ag : sh->req.ag;
	pthread_mutex_unlock(&fs->sh.lock);
	return xsd_scope_covers(kind != XSD_SCAN_MEDIA, scope, ag);
}

/* How many of v stamp key less than span ago. */
static unsigned int stamped_within(const struct xsd_stamp *v, size_t n, uint64_t key,
				   uint64_t now, uint64_t span)
{
	unsigned int hits = 0;

	for (size_t i = 0; i < n; i++)
		hits += v[i].key == key && v[i].t_ns && now - v[i].t_ns < span;
	return hits;
}

/* Repeated trouble on one object within the window: scan the filesystem. */
static bool escalate(struct xsd_fs *fs, const struct xsd_event *ev)
{
	const struct xsd_config *c = fs->m->cfg;
	uint64_t key = ((uint64_t)ev->domain << 56) ^ ((uint64_t)ev->gno << 40) ^ ev->ino;
	uint64_t now = mono_ns(), win = c->escalate_window_s * 1000000000ull;
	unsigned int hits;

	/*
	 * A burst is one episode: checking and repairing an object makes the
	 * kernel report it again within milliseconds, which is no sign of
	 * recurring trouble.  Events closer than 2 s to the last one about
	 * the same object belong to that episode instead of counting.
	 */
	if (stamped_within(fs->recent, ARRAY_SIZE(fs->recent), key, now, 2000000000ull))
		return false;
	/*
	 * Once per window per object: the scan it started has looked at the
	 * place, and trouble that stays (a directory another damaged one
	 * blocks, read again and again) would start one every few seconds.
	 */
	if (stamped_within(fs->escalated, ARRAY_SIZE(fs->escalated), key, now, win))
		return false;
	hits = 1 + stamped_within(fs->recent, ARRAY_SIZE(fs->recent), key, now, win);
	fs->recent[fs->recent_pos++ % ARRAY_SIZE(fs->recent)] = (struct xsd_stamp){ key, now };
	if (hits < c->escalate_events)
		return false;
	memset(fs->recent, 0, sizeof(fs->recent));
	fs->escalated[fs->escalated_pos++ % ARRAY_SIZE(fs->escalated)] =
		(struct xsd_stamp){ key, now };
	return true;
}

/*
 * Trouble that keeps coming back around an inode or an AG is looked for in
 * that AG: its headers and btrees and every inode in it.  Filesystem-wide
 * and realtime objects have no smaller scope.  A running scan that covers
 * the place answers it (its own reads of a damaged object report it again,
 * which is no news); one that does not is followed by this one.
 */
static void escalate_scan(struct xsd_manager *m, struct xsd_fs *fs, const struct xsd_event *ev)
{
	struct xsd_scan_req req = XSD_SCAN_REQ_DEFAULT;
	struct xsd_rec r = {
		.msg = XSD_MSG_ESCALATED, .priority = LOG_WARNING,
		.mountpoint = fs->mountpoint, .device = fs->source,
		.fsuuid = fs->uuid, .agno = -1, .outcome = "escalated",
	};
	bool busy = scanning(fs);
	char text[200];

	if (ev->domain == XFS_HEALTH_MONITOR_DOMAIN_INODE && fs->agino_log)
		req.ag = (int64_t)(ev->ino >> fs->agino_log);
	else if (ev->domain == XFS_HEALTH_MONITOR_DOMAIN_AG)
		req.ag = ev->gno;
	if (busy && running_covers(fs, req.ag))
		return;
	r.agno = req.ag;
	if (ev->domain == XFS_HEALTH_MONITOR_DOMAIN_INODE)
		r.ino = ev->ino;
	if (req.ag >= 0)
		snprintf(text, sizeof(text), "repeated %s health events on one object; "
			 "scanning AG %" PRId64 "%s", xsd_hm_domain_name(ev->domain), req.ag,
			 busy ? " when the running scan ends" : "");
	else
		snprintf(text, sizeof(text), "repeated %s health events on one object; "
			 "scanning the filesystem%s", xsd_hm_domain_name(ev->domain),
			 busy ? " when the running scan ends" : "");
	r.text = text;
	(void)xsd_journal_send(m->journal, &r);
	if (busy)
		request_after(fs, "repeated events", &req);
	else
		(void)xsd_fs_request_scan(fs, "repeated events", &req);
}

static void handle_event(struct xsd_manager *m, struct xsd_fs *fs, const struct xsd_event *ev)
{
	struct xst_item it;

	fs->events++;
	switch (ev->kind) {
	case XSD_EV_RUNNING:
		break;
	case XSD_EV_LOST: {
		/*
		 * The lost events may be about anything, also about what a
		 * running scan has passed already: a whole scan after it.
		 */
		bool busy = scanning(fs);

		fs_record(m, fs, XSD_MSG_EVENTS_LOST, LOG_WARNING, "lost", 0,
			  "%" PRIu64 " health events lost; scanning the whole filesystem%s", ev->count,
			  busy ? " when the running scan ends" : "");
		if (busy) {
			struct xsd_scan_req req = XSD_SCAN_REQ_DEFAULT;

			request_after(fs, "events lost", &req);
		} else {
			(void)xsd_fs_request_scan(fs, "events lost", NULL);
		}
		break;
	}
	case XSD_EV_UNMOUNT:
		fs_record(m, fs, XSD_MSG_FS_WATCH, LOG_INFO, "unmounted", 0, "filesystem unmounted");
		break;
	case XSD_EV_SHUTDOWN:
		fs_record(m, fs, XSD_MSG_SHUTDOWN, LOG_CRIT, "shutdown", ESHUTDOWN,
			  "filesystem shut down (reasons 0x%" PRIx64 ")", ev->count);
		break;
	case XSD_EV_SICK:
		if (escalate(fs, ev) && !fs->rehearsing)
			escalate_scan(m, fs, ev);
		if (xsd_event_item(ev, &it))
			push_target(fs, &it);
		else if (ev->domain == XFS_HEALTH_MONITOR_DOMAIN_AG ||
			 ev->domain == XFS_HEALTH_MONITOR_DOMAIN_FS)
			/* Evicted sick inodes or metadata directory trouble: no 1:1 repair. */
			(void)xsd_fs_request_scan(fs, "sickness without a direct repair", NULL);
		break;
	case XSD_EV_CORRUPT:
		/* Our own (or xfs_scrub's) findings: repaired there. */
		break;
	case XSD_EV_HEALTHY:
		if (xsd_event_item(ev, &it))
			drop_answered(fs, &it);
		break;
	case XSD_EV_MEDIA:
		fs_record(m, fs, XSD_MSG_IO_ERROR, LOG_ERR, "media_error", EIO,
			  "%s media error at daddr 0x%" PRIx64 ", %" PRIu64 " sectors",
			  xsd_hm_domain_name(ev->domain), ev->pos, ev->len);
		break;
	case XSD_EV_FILERANGE: {
		struct xsd_rec r = {
			.msg = XSD_MSG_IO_ERROR, .priority = LOG_ERR,
			.mountpoint = fs->mountpoint, .device = fs->source, .fsuuid = fs->uuid,
			.agno = -1, .ino = ev->ino, .gen = ev->gen, .outcome = "io_error",
			.err = (int)ev->error,
		};
		char text[256];

		snprintf(text, sizeof(text), "file I/O error at %" PRIu64 ", %" PRIu64 " bytes: %s",
			 ev->pos, ev->len, strerror((int)ev->error));
		r.text = text;
		(void)xsd_journal_send(m->journal, &r);
		break;
	}
	}
}

static void stop_monitor(struct xsd_fs *fs)
{
	fs->hm_src = sd_event_source_disable_unref(fs->hm_src);
	fs->hm_held = false;
	if (fs->hm_fd >= 0)
		close(fs->hm_fd);
	fs->hm_fd = -1;
	fs->monitor = false;
}

/* The whole records in fs->hm_buf: act on each; a partial one stays for the next read. */
static void take_records(struct xsd_manager *m, struct xsd_fs *fs)
{
	struct xsd_event ev[64];
	unsigned int bad;
	size_t used, cnt;

	cnt = xsd_hm_parse(fs->hm_buf, fs->hm_len, ev, ARRAY_SIZE(ev), &used, &bad);
	if (bad)
		fs_record(m, fs, XSD_MSG_ENGINE, LOG_WARNING, "malformed", 0,
			  "%u malformed health event record%s ignored", bad, bad == 1 ? "" : "s");
	memmove(fs->hm_buf, fs->hm_buf + used, fs->hm_len - used);
	fs->hm_len -= used;
	for (size_t i = 0; i < cnt; i++) {
		xst_trace("monitor: event kind %d domain %d ino %" PRIu64, (int)ev[i].kind,
			  (int)ev[i].domain, ev[i].ino);
		handle_event(m, fs, &ev[i]);
	}
}

/*
 * Once events have given the worker something to do, the monitor is not
 * read until the worker reports back (its outcomes, or its look
 * within XSD_EVENT_QUIET_NS, bring the loop to on_efd, which reads it
 * again).  The repair makes the kernel report the object again: a reader
 * retrying in the meantime fails again, and so does the repair call's own
 * check.  Each report read as it came woke this thread on the other CPU
 * while the kernel rebuilt the directory (~1.5 ms of CPU per repair under
 * single-threaded TCG, traced), for nothing the worker could act on before
 * its call returns.  Held, they queue in the kernel, which merges
 * consecutive reports on one object into one record.  Held for at most
 * XSD_EVENT_QUIET_NS: the kernel's queue holds 32 KiB of events, and what
 * overflows it is lost (a whole scan follows a LOST record).
 */
static void hold_monitor(struct xsd_fs *fs)
{
	if (fs->hm_src && !fs->hm_held &&
	    sd_event_source_set_enabled(fs->hm_src, SD_EVENT_OFF) >= 0)
		fs->hm_held = true;
}

static int on_monitor(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct xsd_fs *fs = userdata;
	struct xsd_manager *m = fs->m;

	for (;;) {
		size_t room = sizeof(fs->hm_buf) - fs->hm_len;
		ssize_t n = read(fd, fs->hm_buf + fs->hm_len, room);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			/*
			 * EOF: unmounted (UNMOUNT came first) or detached.  If the
			 * table still lists the device, it is a new mount of it,
			 * and the resync watches that one with a monitor of its own.
			 */
			stop_monitor(fs);
			fs->hm_gone = true;
			xsd_mountwatch_request(m);
			break;
		}
		fs->hm_len += (size_t)n;
		take_records(m, fs);
		/*
		 * A short read took all there was; more arriving makes the fd
		 * readable again (level-triggered), so no read for EAGAIN.
		 */
		if ((size_t)n < room)
			break;
	}
	/*
	 * No arm_ticker() here: the worker's REPAIRING comes to the loop
	 * through its look (XSD_EVENT_QUIET_NS), which arms the ticker.  Armed
	 * from here, it was an event that came in during the repair call (the
	 * call's own check reports the damage again) that armed it first, and
	 * sd-event's first arming of its timer in this process (cold code
	 * under TCG: 0.3-1.7 ms of this thread's time, traced) ran on the
	 * other CPU while the kernel rebuilt the directory.
	 */
	if (fs->targets_queued)
		hold_monitor(fs);
	wake_worker(fs);
	return 0;
}

static int on_poll_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct xsd_fs *fs = userdata;

	pthread_mutex_lock(&fs->sh.lock);
	fs->sh.poll = true;
	pthread_cond_broadcast(&fs->sh.wake);
	pthread_mutex_unlock(&fs->sh.lock);
	(void)sd_event_source_set_time_relative(s, fs->m->cfg->poll_interval_s * 1000000ull);
	return 0;
}

static void start_polling(struct xsd_fs *fs)
{
	struct xsd_manager *m = fs->m;

	if (fs->poll_timer)
		return;
	if (sd_event_add_time_relative(m->event, &fs->poll_timer, CLOCK_MONOTONIC,
				       m->cfg->poll_interval_s * 1000000ull, 1000000,
				       on_poll_timer, fs) >= 0)
		(void)sd_event_source_set_enabled(fs->poll_timer, SD_EVENT_ON);
}

/* The end of hold_monitor: read the monitor again. */
static void release_monitor(struct xsd_fs *fs)
{
	int r;

	if (!fs->hm_held)
		return;
	fs->hm_held = false;
	/* After the loop: the drain at shutdown (xsd_manager_run) reads no more events. */
	if (sd_event_get_state(fs->m->event) == SD_EVENT_FINISHED)
		return;
	r = sd_event_source_set_enabled(fs->hm_src, SD_EVENT_ON);
	if (r < 0) {
		stop_monitor(fs);
		snprintf(fs->monitor_note, sizeof(fs->monitor_note), "polling (%s)", strerror(-r));
		fs_record(fs->m, fs, XSD_MSG_FS_WATCH, LOG_WARNING, "polling", -r,
			  "cannot watch the health monitor again (%s); polling sick flags "
			  "every %" PRIu64 " s", strerror(-r), fs->m->cfg->poll_interval_s);
		start_polling(fs);
	}
}

static void start_monitor(struct xsd_fs *fs, int root_fd)
{
	struct xsd_manager *m = fs->m;
	char holder[96];
	int fd;

	if (!m->cfg->health_monitor) {
		snprintf(fs->monitor_note, sizeof(fs->monitor_note), "polling (monitor disabled)");
		start_polling(fs);
		return;
	}
	fd = xsd_hm_open(root_fd, fs->dev, holder, sizeof(holder));
	if (fd == -EEXIST) {
		snprintf(fs->monitor_note, sizeof(fs->monitor_note), "polling (monitor held by %s)",
			 holder[0] ? holder : "another program");
		fs_record(m, fs, XSD_MSG_MONITOR_BUSY, LOG_WARNING, "monitor_busy", EEXIST,
			  "another health monitor is attached to this filesystem (%s%s); "
			  "polling sick flags every %" PRIu64 " s instead. Stop it (systemctl "
			  "disable --now xfs_healer@.service xfs_healer_start.service) to get "
			  "events as they happen",
			  holder[0] ? "held by " : "probably xfs_healer", holder,
			  m->cfg->poll_interval_s);
		start_polling(fs);
		return;
	}
	if (fd < 0) {
		snprintf(fs->monitor_note, sizeof(fs->monitor_note), "polling (%s)",
			 fd == -ENOTTY ? "kernel has no health monitor" : strerror(-fd));
		fs_record(m, fs, XSD_MSG_FS_WATCH, LOG_INFO, "polling", -fd,
			  "no health monitor (%s); polling sick flags every %" PRIu64 " s",
			  fd == -ENOTTY ? "kernel before 7.0" : strerror(-fd), m->cfg->poll_interval_s);
		start_polling(fs);
		return;
	}
	if (sd_event_add_io(m->event, &fs->hm_src, fd, EPOLLIN, on_monitor, fs) < 0) {
		close(fd);
		start_polling(fs);
		return;
	}
	fs->hm_fd = fd;
	fs->monitor = true;
	/*
	 * The worker asks the monitor whether the fs it opened is this one;
	 * a dup of its own, closed after the worker is joined, can never be
	 * closed under it by the loop.  Without one it checks without.
	 */
	fs->hm_check_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	snprintf(fs->monitor_note, sizeof(fs->monitor_note), "kernel health monitor");
}

/*
 * The watch's rehearsal of a health event.  A first event's way to the
 * repair call ran 4.1 ms against 1.8 ms for a later one (quiet runs under
 * TCG, medians): code run for the first time, in this loop (the record's
 * parse, handle_event, the queue, the worker's wake) and in the worker.
 * So SICK records about the root directory, the one directory every
 * filesystem has, take the event's own way once the worker first waits
 * for work, marked so the worker's repair leaves the object alone
 * (ctx.rehearse: nothing marked, saved, counted or recorded; the call made
 * is the repair probe).  The event count and the escalation history are
 * left as they were.  Not while a scan runs or waits, nor where repairs
 * are off.
 */
static void rehearse_event(struct xsd_fs *fs)
{
	typeof(fs->recent) recent;
	unsigned int recent_pos = fs->recent_pos;
	uint64_t events = fs->events;

	fs->rehearsed = true;
	if (!fs->root_ino || fs->hm_len || fs->m->cfg->repair == XSD_REPAIR_NEVER ||
	    scanning(fs) || fs->scan_wanted)
		return;
	memcpy(recent, fs->recent, sizeof(recent));
	/*
	 * Twice, as the kernel does: the repair call's own check reports the
	 * damage again, and that second event takes the burst branch of
	 * escalate() (seen cold under TCG, ~1 ms of this thread's time while
	 * the kernel rebuilt the directory).  The queue keeps one target.
	 */
	xsd_hm_sick_inode_record(fs->hm_buf, fs->root_ino, fs->root_gen, XFS_BS_SICK_DIR);
	xsd_hm_sick_inode_record(fs->hm_buf + XSD_HM_RECORD, fs->root_ino, fs->root_gen,
				 XFS_BS_SICK_DIR);
	fs->hm_len = 2 * XSD_HM_RECORD;
	fs->rehearsing = true;
	take_records(fs->m, fs);
	fs->rehearsing = false;
	/* on_monitor's hold, taken and let go at once: cold code otherwise. */
	hold_monitor(fs);
	release_monitor(fs);
	memcpy(fs->recent, recent, sizeof(recent));
	fs->recent_pos = recent_pos;
	fs->events = events;
	wake_worker(fs);
}

/* ---- filesystems ---- */

/* Whole disks under a block device: itself or its parent, or what it is built on. */
static void find_disks(dev_t dev, char *out, size_t len, int depth)
{
	char path[PATH_MAX + 16], real[PATH_MAX], *base;
	struct stat st;

	if (depth > 4)
		return;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	if (!realpath(path, real))
		return;
	snprintf(path, sizeof(path), "%s/partition", real);
	if (stat(path, &st) == 0) {
		/* A partition: its disk is the parent directory. */
		char *slash = strrchr(real, '/');

		if (slash)
			*slash = 0;
	}
	snprintf(path, sizeof(path), "%s/slaves", real);
	if (stat(path, &st) == 0) {
		/* device-mapper, md: the disks below. */
		DIR *d = opendir(path);
		struct dirent *e;
		bool any = false;

		while (d && (e = readdir(d))) {
			char dp[PATH_MAX + 300], buf[32];
			unsigned int ma, mi;
			FILE *df;

			if (e->d_name[0] == '.')
				continue;
			snprintf(dp, sizeof(dp), "%s/%s/dev", path, e->d_name);
			df = fopen(dp, "re");
			if (!df)
				continue;
			if (fgets(buf, sizeof(buf), df) && sscanf(buf, "%u:%u", &ma, &mi) == 2) {
				find_disks(makedev(ma, mi), out, len, depth + 1);
				any = true;
			}
			fclose(df);
		}
		if (d)
			closedir(d);
		if (any)
			return;
	}
	base = strrchr(real, '/');
	if (base && strlen(out) + strlen(base) + 2 < len) {
		if (!*out)
			strcat(out, " ");
		strcat(out, base + 1);
		strcat(out, " ");
	}
}

/* The worker stops at its next object; an active scan keeps its checkpoint. */
static void stop_worker(struct xsd_fs *fs)
{
	if (!fs->thread_started)
		return;
	pthread_mutex_lock(&fs->sh.lock);
	fs->sh.quit = true;
	pthread_cond_broadcast(&fs->sh.wake);
	pthread_mutex_unlock(&fs->sh.lock);
	pthread_join(fs->thread, NULL);
	fs->thread_started = false;
}

static struct xsd_fs *fs_free(struct xsd_fs *fs)
{
	struct xsd_outcome *o;

	if (!fs)
		return NULL;
	stop_monitor(fs);
	fs->poll_timer = sd_event_source_disable_unref(fs->poll_timer);
	stop_worker(fs);
	if (fs->hm_check_fd >= 0)
		close(fs->hm_check_fd);
	while ((o = fs->sh.out_head)) {
		fs->sh.out_head = o->next;
		free(o);
	}
	pthread_mutex_destroy(&fs->sh.lock);
	pthread_cond_destroy(&fs->sh.wake);
	free(fs->damage);
	free(fs->mountpoint);
	free(fs->source);
	free(fs);
	return NULL;
}

static void uuid_str(const uint8_t *u, char *out)
{
	sprintf(out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		u[12], u[13], u[14], u[15]);
}

static int fs_add(struct xsd_manager *m, const struct xsd_mount *mnt)
{
	struct xsd_fs *fs = calloc(1, sizeof(*fs));
	struct xst_fs *xfs = NULL;
	int r;

	if (!fs)
		return -ENOMEM;
	fs->m = m;
	fs->hm_fd = -1;
	fs->hm_check_fd = -1;
	fs->dev = mnt->dev;
	fs->first_seen = (uint64_t)time(NULL);
	fs->mountpoint = strdup(mnt->mountpoint);
	fs->source = strdup(mnt->source);
	fs->discard = mnt->discard;
	fs->damage = calloc(1, sizeof(*fs->damage));
	pthread_mutex_init(&fs->sh.lock, NULL);
	{
		pthread_condattr_t a;

		pthread_condattr_init(&a);
		pthread_cond_init(&fs->sh.wake, &a);
		pthread_condattr_destroy(&a);
	}
	if (!fs->mountpoint || !fs->source || !fs->damage) {
		fs_free(fs);
		return -ENOMEM;
	}
	r = xst_fs_open(fs->mountpoint, &xfs);
	if (r == 0 && xfs->dev != mnt->dev)
		r = -ESTALE;	/* another filesystem is mounted over it */
	if (r < 0) {
		xst_fs_free(xfs);
		fs_free(fs);
		return r;
	}
	/* What every later job is checked against before it touches anything. */
	xsd_ident_of(xfs, &fs->ident);
	fs->mnt_uid = xsd_mnt_uid(xfs->fd);
	memcpy(fs->uuid_raw, xfs->geo.uuid, 16);
	fs->agino_log = xfs->agino_log;
	fs->agcount = xfs->geo.agcount;
	uuid_str(fs->uuid_raw, fs->uuid);
	find_disks(fs->dev, fs->disks, sizeof(fs->disks), 0);
	r = xsd_state_path(m->cfg->state_dir, fs->uuid, fs->state_path, sizeof(fs->state_path));
	if (r == 0 && xsd_state_load(fs->state_path, &fs->sh.st) < 0)
		memset(&fs->sh.st, 0, sizeof(fs->sh.st));
	start_monitor(fs, xfs->fd);
	{
		int gen = 0;

		if (ioctl(xfs->fd, FS_IOC_GETVERSION, &gen) == 0) {
			fs->root_ino = xfs->root_ino;
			fs->root_gen = (uint32_t)gen;
		}
	}
	/* Do not pin the mount: the monitor holds only a weak reference. */
	xst_fs_free(xfs);

	r = -pthread_create(&fs->thread, NULL, xsd_worker_main, fs);
	if (r < 0) {
		fs_free(fs);
		return r;
	}
	fs->thread_started = true;
	fs->next = m->fs;
	m->fs = fs;
	fs_record(m, fs, XSD_MSG_FS_WATCH, LOG_INFO, "watching", 0,
		  "watching %s (uuid %s, %s)%s", fs->source, fs->uuid, fs->monitor_note,
		  xsd_mountwatch_saw(m, fs->mnt_uid, true) ? "; seen through a fanotify mount event" : "");
	if (fs->sh.st.scan_active)
		(void)xsd_fs_request_scan(fs, "resume after restart", NULL);
	return 0;
}

static void fs_remove(struct xsd_manager *m, struct xsd_fs *fs, const char *outcome)
{
	struct xsd_outcome *o;
	bool active;

	for (struct xsd_fs **p = &m->fs; *p; p = &(*p)->next) {
		if (*p == fs) {
			*p = fs->next;
			break;
		}
	}
	/* The monitor first: a new mount of the same fs may want one at once. */
	stop_monitor(fs);
	stop_worker(fs);
	/* What the worker said on its way out still gets told. */
	pthread_mutex_lock(&fs->sh.lock);
	o = fs->sh.out_head;
	fs->sh.out_head = fs->sh.out_tail = NULL;
	active = fs->sh.st.scan_active;
	pthread_mutex_unlock(&fs->sh.lock);
	while (o) {
		struct xsd_outcome *next = o->next;

		journal_outcome(m, fs, o);
		xsd_bus_emit_outcome(m, fs, o);
		free(o);
		o = next;
	}
	fs_record(m, fs, XSD_MSG_FS_WATCH, LOG_INFO, outcome, 0, "stopped watching: %s%s%s",
		  fs->gone_why[0] ? fs->gone_why : "no longer mounted",
		  xsd_mountwatch_saw(m, fs->mnt_uid, false) ? "; seen through a fanotify mount event" : "",
		  active ? "; the scan keeps its checkpoint and resumes when the filesystem is "
			   "watched again" : "");
	fs_free(fs);
}

/*
 * Is the filesystem at fs->mountpoint still the one discovered, on the same
 * mount?  NULL if so, else why not, in words for the journal.
 */
static const char *revalidate(struct xsd_fs *fs, char *buf, size_t len)
{
	struct xst_fs *xfs = NULL;
	struct xsd_fs_ident now;
	const char *what;
	uint64_t uid;
	int r = xst_fs_open(fs->mountpoint, &xfs);

	if (r < 0) {
		snprintf(buf, len, "cannot open the mount point (%s)", strerror(-r));
		return buf;
	}
	xsd_ident_of(xfs, &now);
	uid = xsd_mnt_uid(xfs->fd);
	xst_fs_free(xfs);
	what = xsd_ident_differs(&fs->ident, &now);
	if (what) {
		snprintf(buf, len, "another filesystem is mounted there now (%s differs)", what);
		return buf;
	}
	if (uid && fs->mnt_uid && uid != fs->mnt_uid) {
		snprintf(buf, len, "mounted again (mount %#" PRIx64 " replaced %#" PRIx64 ")",
			 uid, fs->mnt_uid);
		return buf;
	}
	return NULL;
}

/*
 * Match the mount table against what is watched.  A watched filesystem
 * stays only if its device is still mounted read-write at the same place
 * and a fresh open there still finds the same device, UUID, fs handle and
 * mount; otherwise it is dropped (the worker stops, a scan keeps its
 * checkpoint) and whatever the table lists now is discovered afresh.
 * Drops come before additions, so a filesystem mounted again gets its
 * health monitor back (the kernel allows one per filesystem).
 */
void xsd_manager_sync_mounts(struct xsd_manager *m)
{
	struct xsd_mount *mnt = NULL;
	_cleanup_free_ bool *taken = NULL;
	dev_t hidden[ARRAY_SIZE(m->mw.hidden)];
	unsigned int nhidden = 0;
	size_t n = 0;
	int r = xsd_mounts_read(NULL, &mnt, &n);

	if (r == 0 && !(taken = calloc(n + 1, sizeof(*taken))))
		r = -ENOMEM;
	if (r < 0) {
		fs_record(m, NULL, XSD_MSG_ENGINE, LOG_ERR, "error", -r,
			  "cannot read the mount table: %s", strerror(-r));
		xsd_mounts_free(mnt, n);
		return;
	}
	for (struct xsd_fs *fs = m->fs; fs; fs = fs->next) {
		size_t i;

		fs->seen = false;
		for (i = 0; i < n && mnt[i].dev != fs->dev; i++)
			;
		if (i == n)
			snprintf(fs->gone_why, sizeof(fs->gone_why), "unmounted");
		else if (mnt[i].readonly)
			snprintf(fs->gone_why, sizeof(fs->gone_why), "remounted read-only");
		else if (strcmp(mnt[i].mountpoint, fs->mountpoint))
			snprintf(fs->gone_why, sizeof(fs->gone_why), "moved to %s", mnt[i].mountpoint);
		else if (fs->hm_gone)
			snprintf(fs->gone_why, sizeof(fs->gone_why),
				 "mounted again (the health monitor saw the old mount go)");
		else if (!revalidate(fs, fs->gone_why, sizeof(fs->gone_why))) {
			fs->seen = taken[i] = true;
			__atomic_store_n(&fs->discard, mnt[i].discard, __ATOMIC_RELAXED);
		}
	}
	for (struct xsd_fs *fs = m->fs, *next; fs; fs = next) {
		next = fs->next;
		if (!fs->seen)
			fs_remove(m, fs, strncmp(fs->gone_why, "moved", 5) ? "unwatched" : "moved");
	}
	for (size_t i = 0; i < n; i++) {
		if (taken[i] || mnt[i].readonly || !xsd_config_wants(m->cfg, mnt[i].mountpoint))
			continue;
		r = fs_add(m, &mnt[i]);
		if (r == -ESTALE) {
			/* Said once while it stays hidden, not at every resync. */
			bool told = false;

			for (unsigned int k = 0; k < m->mw.nhidden; k++)
				told |= m->mw.hidden[k] == mnt[i].dev;
			if (nhidden < ARRAY_SIZE(hidden))
				hidden[nhidden++] = mnt[i].dev;
			if (!told)
				fs_record(m, NULL, XSD_MSG_FS_WATCH, LOG_NOTICE, "hidden", ESTALE,
					  "%s: not watched: another filesystem is mounted over it",
					  mnt[i].mountpoint);
		} else if (r < 0 && r != -ENOTTY && r != -EXDEV)
			fs_record(m, NULL, XSD_MSG_ENGINE, LOG_WARNING, "error", -r,
				  "%s: cannot watch: %s", mnt[i].mountpoint, strerror(-r));
	}
	memcpy(m->mw.hidden, hidden, sizeof(hidden));
	m->mw.nhidden = nhidden;
	xsd_mounts_free(mnt, n);
	update_status(m);
	arm_sched(m);
}

/* ---- worker reports ---- */

static int on_efd(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct xsd_manager *m = userdata;
	uint64_t v;
	bool finished = false, resync = false, ended, rehearse;

	(void)!read(fd, &v, sizeof(v));
	if (fd == m->kick_tfd) {
		uint64_t due = __atomic_load_n(&m->kick_due_ns, __ATOMIC_ACQUIRE);

		/* Only the look that fired: one a worker set since still stands. */
		if (due && due <= mono_ns())
			(void)__atomic_compare_exchange_n(&m->kick_due_ns, &due, 0, false,
							  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	}
	for (struct xsd_fs *fs = m->fs; fs; fs = fs->next) {
		struct xsd_outcome *o;

		/* The worker reported back, or its look came: see hold_monitor. */
		release_monitor(fs);
		pthread_mutex_lock(&fs->sh.lock);
		o = fs->sh.out_head;
		fs->sh.out_head = fs->sh.out_tail = NULL;
		resync |= fs->sh.resync;
		fs->sh.resync = false;
		rehearse = fs->sh.waiting && !fs->rehearsed;
		pthread_mutex_unlock(&fs->sh.lock);
		if (rehearse)
			rehearse_event(fs);
		ended = false;
		while (o) {
			struct xsd_outcome *next = o->next;

			bool end = o->msg == XSD_MSG_SCAN_FINISHED ||
				   (o->msg == XSD_MSG_SCAN_CONTROL && !strcmp(o->outcome, "cancelled"));

			journal_outcome(m, fs, o);
			track_damage(fs, o);
			xst_trace("loop: journal record %d (%s)", (int)o->msg, o->outcome);
			xsd_bus_emit_outcome(m, fs, o);
			if (end)
				xsd_bus_emit_finished(m, fs);
			finished |= end;
			ended |= end;
			free(o);
			o = next;
		}
		if (ended && fs->after_wanted) {
			struct xsd_scan_req req = fs->after;

			fs->after_wanted = false;
			(void)xsd_fs_request_scan(fs, fs->after_why, &req);
		}
	}
	if (finished) {
		write_metrics(m);
		arm_sched(m);
	}
	if (resync)
		xsd_mountwatch_request(m);
	schedule(m);
	update_status(m);
	arm_ticker(m);
	return 0;
}

/* ---- lifetime ---- */

int xsd_manager_new(struct xsd_config *cfg, bool mirror_stderr, struct xsd_manager **ret)
{
	struct xsd_manager *m = calloc(1, sizeof(*m));
	sigset_t ss;
	int r;

	if (!m)
		return -ENOMEM;
	m->cfg = cfg;
	m->efd = -1;
	m->kick_tfd = -1;
	m->private_fd = -1;
	r = xsd_journal_new(cfg->ratelimit_s, mirror_stderr, &m->journal);
	if (r < 0)
		goto fail;
	r = sd_event_default(&m->event);
	if (r < 0)
		goto fail;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	(void)sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
	(void)sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
	(void)sd_event_set_watchdog(m->event, true);
	/*
	 * The first busy moment is usually a health event's repair.  Making
	 * the ticker's source then cost the loop a timerfd, an epoll change
	 * and sd-event's read of the boot ID (timer perturbation), ~1-2 ms
	 * taken from the repair under TCG: the source is made now, off, and
	 * the boot ID read now (libsystemd keeps it per thread).
	 */
	{
		sd_id128_t boot;

		(void)sd_id128_get_boot(&boot);
	}
	if (sd_event_add_time_relative(m->event, &m->ticker, CLOCK_MONOTONIC, 2000000, 100000,
				       on_ticker, m) >= 0)
		(void)sd_event_source_set_enabled(m->ticker, SD_EVENT_OFF);

	m->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (m->efd < 0) {
		r = neg_errno();
		goto fail;
	}
	r = sd_event_add_io(m->event, &m->efd_src, m->efd, EPOLLIN, on_efd, m);
	if (r < 0)
		goto fail;
	/* Without it, a later kick is an immediate one (kick_after). */
	m->kick_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (m->kick_tfd >= 0 &&
	    sd_event_add_io(m->event, &m->kick_src, m->kick_tfd, EPOLLIN, on_efd, m) < 0) {
		close(m->kick_tfd);
		m->kick_tfd = -1;
	}
	(void)mkdir(cfg->state_dir, 0700);

	r = xsd_mountwatch_start(m);
	if (r < 0)
		goto fail;

	r = xsd_bus_setup(m);
	if (r < 0)
		goto fail;
	xsd_manager_sync_mounts(m);
	*ret = m;
	return 0;
fail:
	xsd_manager_free(m);
	return r;
}

struct xsd_manager *xsd_manager_free(struct xsd_manager *m)
{
	if (!m)
		return NULL;
	while (m->fs) {
		struct xsd_fs *fs = m->fs;

		m->fs = fs->next;
		fs_free(fs);
	}
	xsd_bus_done(m);
	xsd_mountwatch_stop(m);
	m->efd_src = sd_event_source_disable_unref(m->efd_src);
	m->kick_src = sd_event_source_disable_unref(m->kick_src);
	if (m->kick_tfd >= 0)
		close(m->kick_tfd);
	m->sched_timer = sd_event_source_disable_unref(m->sched_timer);
	m->ticker = sd_event_source_disable_unref(m->ticker);
	if (m->efd >= 0)
		close(m->efd);
	m->event = sd_event_unref(m->event);
	xsd_journal_free(m->journal);
	free(m);
	return NULL;
}

struct xsd_fs *xsd_manager_find(struct xsd_manager *m, const char *mountpoint)
{
	for (struct xsd_fs *fs = m->fs; fs; fs = fs->next)
		if (!strcmp(fs->mountpoint, mountpoint))
			return fs;
	return NULL;
}

int xsd_manager_run(struct xsd_manager *m)
{
	int r;

	update_status(m);
	(void)sd_notifyf(false, "READY=1\nSTATUS=%s", m->status);
	r = sd_event_loop(m->event);
	(void)sd_notify(false, "STOPPING=1\nSTATUS=Stopping; scans keep their checkpoints");
	/* Workers stop at the next object and save their checkpoints. */
	for (struct xsd_fs *fs = m->fs; fs; fs = fs->next) {
		pthread_mutex_lock(&fs->sh.lock);
		fs->sh.quit = true;
		pthread_cond_broadcast(&fs->sh.wake);
		pthread_mutex_unlock(&fs->sh.lock);
	}
	for (struct xsd_fs *fs = m->fs; fs; fs = fs->next) {
		if (fs->thread_started)
			pthread_join(fs->thread, NULL);
		fs->thread_started = false;
	}
	on_efd(NULL, m->efd, 0, m);
	write_metrics(m);
	return r;
}
