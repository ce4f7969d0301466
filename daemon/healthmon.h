/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's health events (XFS_IOC_HEALTH_MONITOR, Linux 7.0) and their
 * translation into scrub targets.  The monitor fd is a byte stream of
 * 64-byte records; the parser treats every byte as hostile: unknown domains
 * and types, a type that does not belong to its domain, nonzero padding and
 * a trailing partial record are counted and skipped, never trusted.  The
 * same translation serves sick flags found by polling (no monitor, or a
 * monitor held by another program).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "item.h"

#define XSD_HM_RECORD 64

enum xsd_ev_kind {
	XSD_EV_RUNNING,
	XSD_EV_LOST,
	XSD_EV_UNMOUNT,
	XSD_EV_SHUTDOWN,
	XSD_EV_SICK,		/* runtime detection: repair it */
	XSD_EV_CORRUPT,		/* found by a scrub, which repairs it itself */
	XSD_EV_HEALTHY,
	XSD_EV_MEDIA,
	XSD_EV_FILERANGE,
};

struct xsd_event {
	enum xsd_ev_kind kind;
	uint32_t domain;	/* XFS_HEALTH_MONITOR_DOMAIN_* */
	uint32_t type;		/* XFS_HEALTH_MONITOR_TYPE_* */
	uint64_t time_ns;
	uint32_t mask;		/* sick bits (fs/ag/rtgroup/inode) */
	uint32_t gno;		/* AG or rtgroup */
	uint64_t ino;
	uint32_t gen;
	uint64_t count;		/* LOST: events dropped; SHUTDOWN: reasons */
	uint64_t pos, len;	/* MEDIA: daddr/bbcount; FILERANGE: bytes */
	uint32_t error;		/* FILERANGE: positive errno */
};

/*
 * Parse the records in buf[0..len).  Whole records only: *used is set to
 * the bytes consumed (a multiple of 64); the caller keeps the remainder for
 * the next read.  Returns the number of events stored in ev (at most max);
 * *bad counts records that were skipped as malformed.
 */
size_t xsd_hm_parse(const void *buf, size_t len, struct xsd_event *ev, size_t max,
		    size_t *used, unsigned int *bad);

/*
 * The record the kernel sends when inode ino (generation gen) turns sick in
 * the XFS_BS_SICK_* bits of mask, for the daemon's rehearsal of an event
 * (manager.c) to go through the parser like a real one.
 */
void xsd_hm_sick_inode_record(unsigned char rec[XSD_HM_RECORD], uint64_t ino, uint32_t gen,
			      uint32_t mask);

/* Short names, for logs: "sick", "ag", ... */
const char *xsd_ev_kind_name(enum xsd_ev_kind k);
const char *xsd_hm_domain_name(uint32_t domain);

/*
 * The scrub item an event or a sick mask asks to repair.  Returns false
 * when the event names no repairable metadata (media errors, mount events,
 * an empty mask).
 */
bool xsd_event_item(const struct xsd_event *ev, struct xst_item *it);

/* Sick masks to scrub types, per domain: XST_TYPE_BIT()s. */
uint64_t xsd_fs_mask_types(uint32_t mask);
uint64_t xsd_ag_mask_types(uint32_t mask);
uint64_t xsd_rtg_mask_types(uint32_t mask);
uint64_t xsd_inode_mask_types(uint32_t mask);

/*
 * Attach a monitor to the fs whose root is open at root_fd.  Returns the
 * monitor fd (non-blocking, close-on-exec) or -errno.  On -EEXIST, holder
 * receives "<comm>[<pid>]" of the process holding the monitor when it can be
 * found (else an empty string).
 */
int xsd_hm_open(int root_fd, dev_t dev, char *holder, size_t holderlen);

/* Find the process holding a health monitor for dev; 0 or -ENOENT. */
int xsd_hm_find_holder(dev_t dev, char *holder, size_t holderlen);
