/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * When to read the mount table again.  Two triggers on the event loop:
 * fanotify mount events (attach, detach, move; Linux 6.15+) where the
 * kernel and our privileges allow them, and /proc/self/mountinfo's
 * EPOLLPRI, which is the fallback and also the only one of the two that
 * reports a remount (read-only <-> read-write).  Either just schedules one
 * resync for the end of the loop iteration (mountinfo's 10 ms later when
 * fanotify is on, so that the fanotify record of the same change is there
 * to say what found it), so a burst of changes, seen by both triggers,
 * costs one read of mountinfo.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

struct xsd_manager;

#define XSD_MNT_BATCH 64

struct xsd_mountwatch {
	sd_event_source *info_src;	/* /proc/self/mountinfo, EPOLLPRI */
	sd_event_source *fan_src;	/* the fanotify group, or NULL */
	sd_event_source *sync_src;	/* one-shot: resync at the end of the iteration */
	sd_event_source *late_src;	/* one-shot: mountinfo's resync, fanotify given time */
	bool fanotify;
	char method[160];		/* for the journal and the status */
	/* fanotify events since the last resync, to say what it was about */
	struct { uint64_t id; bool attach, detach; } batch[XSD_MNT_BATCH];
	unsigned int nbatch;
	uint64_t events, malformed, overflows;
	/* devices found under another mount at their place, said once each */
	dev_t hidden[16];
	unsigned int nhidden;
};

/* Set up both triggers; fails only if mountinfo cannot be watched. */
int xsd_mountwatch_start(struct xsd_manager *m);
void xsd_mountwatch_stop(struct xsd_manager *m);

/* Ask for a resync (loop thread): a worker found its mount point changed. */
void xsd_mountwatch_request(struct xsd_manager *m);

/* Did the events since the last resync attach (or detach) this mount? */
bool xsd_mountwatch_saw(const struct xsd_manager *m, uint64_t mnt_uid, bool attach);
