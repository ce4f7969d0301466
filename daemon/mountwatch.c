// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mount table's triggers on the event loop (see mountwatch.h).  The
 * sources run at a higher priority than the bus and the workers' reports,
 * so a mount change seen in the same wakeup as a request is applied before
 * the request is looked at.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "manager.h"
#include "mntevents.h"
#include "mountwatch.h"
#include "util.h"

static void record(struct xsd_manager *m, int prio, const char *outcome, int err,
		   const char *text)
{
	struct xsd_rec r = {
		.msg = XSD_MSG_FS_WATCH, .priority = prio, .agno = -1, .outcome = outcome,
		.err = err, .text = text,
	};

	(void)xsd_journal_send(m->journal, &r);
}

static int on_sync(sd_event_source *s, void *userdata)
{
	struct xsd_manager *m = userdata;

	/* This read of the table covers whatever mountinfo's wake was about. */
	if (m->mw.late_src)
		(void)sd_event_source_set_enabled(m->mw.late_src, SD_EVENT_OFF);
	xsd_manager_sync_mounts(m);
	m->mw.nbatch = 0;
	return 0;
}

void xsd_mountwatch_request(struct xsd_manager *m)
{
	if (m->mw.sync_src)
		(void)sd_event_source_set_enabled(m->mw.sync_src, SD_EVENT_ONESHOT);
}

bool xsd_mountwatch_saw(const struct xsd_manager *m, uint64_t mnt_uid, bool attach)
{
	for (unsigned int i = 0; mnt_uid && i < m->mw.nbatch; i++)
		if (m->mw.batch[i].id == mnt_uid &&
		    (attach ? m->mw.batch[i].attach : m->mw.batch[i].detach))
			return true;
	return false;
}

/*
 * How long mountinfo's wake waits for fanotify's record of the same change.
 * The kernel wakes mountinfo's pollers while it still holds the namespace
 * lock and sends the fanotify event once it has dropped it: a resync done
 * at once found the new mount first, and the record said nothing of the
 * fanotify event that followed (seen once on a loaded 2-CPU host).
 */
#define MOUNTINFO_LATE_US 10000

static int on_late(sd_event_source *s, uint64_t usec, void *userdata)
{
	xsd_mountwatch_request(userdata);
	return 0;
}

static int on_mountinfo(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct xsd_manager *m = userdata;
	int on;

	/* With fanotify on, mountinfo alone reports only remounts: no hurry. */
	if (m->mw.fanotify && m->mw.late_src) {
		if (sd_event_source_get_enabled(m->mw.late_src, &on) >= 0 && on != SD_EVENT_OFF)
			return 0;
		if (sd_event_source_set_time_relative(m->mw.late_src, MOUNTINFO_LATE_US) >= 0 &&
		    sd_event_source_set_enabled(m->mw.late_src, SD_EVENT_ONESHOT) >= 0)
			return 0;
	}
	xsd_mountwatch_request(m);
	return 0;
}

static int on_fanotify(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct xsd_manager *m = userdata;
	struct xsd_mountwatch *w = &m->mw;
	unsigned char buf[4096];
	/* Every event is at least 24 bytes: all of them fit, so no fd is left unseen. */
	struct xsd_mntev ev[sizeof(buf) / 24 + 1];
	unsigned int bad = 0;
	ssize_t n;

	for (;;) {
		size_t cnt;

		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		cnt = xsd_mntev_parse(buf, (size_t)n, ev, ARRAY_SIZE(ev));
		for (size_t i = 0; i < cnt; i++) {
			if (ev[i].fd >= 0)
				close(ev[i].fd);
			switch (ev[i].kind) {
			case XSD_MNTEV_MOUNT:
				w->events++;
				if (w->nbatch < XSD_MNT_BATCH)
					w->batch[w->nbatch++] = (typeof(w->batch[0])){
						ev[i].mnt_id, ev[i].attach, ev[i].detach };
				break;
			case XSD_MNTEV_OVERFLOW:
				w->overflows++;
				break;
			case XSD_MNTEV_BAD:
				bad++;
				break;
			case XSD_MNTEV_OTHER:
				break;
			}
		}
	}
	if (bad) {
		char text[96];

		w->malformed += bad;
		snprintf(text, sizeof(text), "%u malformed fanotify record%s ignored", bad,
			 bad == 1 ? "" : "s");
		record(m, LOG_WARNING, "malformed", 0, text);
	}
	if (n < 0 && errno != EAGAIN) {
		/* Not expected from a notification group; do not spin on it. */
		char text[160];

		snprintf(text, sizeof(text), "fanotify mount events stopped (%s); the mount table "
			 "is watched through /proc/self/mountinfo only", strerror(errno));
		record(m, LOG_WARNING, "mountinfo", errno, text);
		w->fan_src = sd_event_source_disable_unref(w->fan_src);
		w->fanotify = false;
	}
	/* Every event, even a lost or unreadable one, is a reason to look again. */
	xsd_mountwatch_request(m);
	return 0;
}

int xsd_mountwatch_start(struct xsd_manager *m)
{
	struct xsd_mountwatch *w = &m->mw;
	int fd, r;

	r = sd_event_add_defer(m->event, &w->sync_src, on_sync, m);
	if (r < 0)
		return r;
	(void)sd_event_source_set_priority(w->sync_src, SD_EVENT_PRIORITY_IMPORTANT + 1);
	(void)sd_event_source_set_enabled(w->sync_src, SD_EVENT_OFF);
	/* Without it, mountinfo's wakes resync at once. */
	if (sd_event_add_time_relative(m->event, &w->late_src, CLOCK_MONOTONIC, MOUNTINFO_LATE_US,
				       1000, on_late, m) >= 0) {
		(void)sd_event_source_set_priority(w->late_src, SD_EVENT_PRIORITY_IMPORTANT);
		(void)sd_event_source_set_enabled(w->late_src, SD_EVENT_OFF);
	}

	/* The kernel flags mountinfo with EPOLLPRI whenever the mount table changes. */
	fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	r = sd_event_add_io(m->event, &w->info_src, fd, EPOLLPRI, on_mountinfo, m);
	if (r < 0) {
		close(fd);
		return r;
	}
	(void)sd_event_source_set_io_fd_own(w->info_src, true);
	(void)sd_event_source_set_priority(w->info_src, SD_EVENT_PRIORITY_IMPORTANT);

	fd = xsd_mntev_open();
	if (fd >= 0 && sd_event_add_io(m->event, &w->fan_src, fd, EPOLLIN, on_fanotify, m) >= 0) {
		(void)sd_event_source_set_io_fd_own(w->fan_src, true);
		(void)sd_event_source_set_priority(w->fan_src, SD_EVENT_PRIORITY_IMPORTANT);
		w->fanotify = true;
		snprintf(w->method, sizeof(w->method), "fanotify mount events, and "
			 "/proc/self/mountinfo for remounts");
		record(m, LOG_INFO, "fanotify", 0, "mount table watched through fanotify mount "
		       "events (attach, detach, move) and /proc/self/mountinfo (remounts)");
		return 0;
	}
	if (fd >= 0) {
		close(fd);
		fd = -ENOMEM;
	}
	snprintf(w->method, sizeof(w->method), "/proc/self/mountinfo (no fanotify mount events: %s)",
		 fd == -EINVAL ? "kernel before 6.15" : strerror(-fd));
	{
		char text[224];

		snprintf(text, sizeof(text), "mount table watched through %s", w->method);
		record(m, LOG_INFO, "mountinfo", -fd, text);
	}
	return 0;
}

void xsd_mountwatch_stop(struct xsd_manager *m)
{
	struct xsd_mountwatch *w = &m->mw;

	w->fan_src = sd_event_source_disable_unref(w->fan_src);
	w->info_src = sd_event_source_disable_unref(w->info_src);
	w->sync_src = sd_event_source_disable_unref(w->sync_src);
	w->late_src = sd_event_source_disable_unref(w->late_src);
}
