/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mount events from fanotify (Linux 6.15+): one group marked on this
 * process's mount namespace reports every mount attached to or detached
 * from it (a move reports both at once) with the mount's unique id.  They
 * only say when to read the mount table again; /proc/self/mountinfo stays
 * the source of truth.  The records are parsed as hostile bytes: every
 * length is bounded by the buffer and by its enclosing record.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xsd_mntev_kind {
	XSD_MNTEV_BAD,		/* malformed: skipped, but a reason to look again */
	XSD_MNTEV_MOUNT,	/* attach and/or detach of mnt_id */
	XSD_MNTEV_OVERFLOW,	/* the kernel's queue overflowed: events were lost */
	XSD_MNTEV_OTHER,	/* a well-formed event of another kind */
};

struct xsd_mntev {
	enum xsd_mntev_kind kind;
	bool attach, detach;
	uint64_t mnt_id;	/* unique mount id (statx STATX_MNT_ID_UNIQUE) */
	int fd;			/* as reported; mount events carry none (-1) */
};

/*
 * Parse what one read(2) of the group returned.  The kernel hands out whole
 * events only, so nothing is kept for the next read: an event that does not
 * fit in buf, or a header that cannot be trusted to find the next one (bad
 * version or length), ends the parse with one XSD_MNTEV_BAD.  Returns the
 * number of events stored in ev (at most max; the rest are not parsed).
 */
size_t xsd_mntev_parse(const void *buf, size_t len, struct xsd_mntev *ev, size_t max);

/*
 * A non-blocking fanotify group for the mount events of this process's
 * mount namespace.  -EINVAL: the kernel has no mount events (before 6.15);
 * -EPERM: no CAP_SYS_ADMIN over the namespace; -ENOSYS: no fanotify.
 */
int xsd_mntev_open(void);

/* The unique id (Linux 6.8+) of the mount fd is on; 0 if the kernel cannot say. */
uint64_t xsd_mnt_uid(int fd);
