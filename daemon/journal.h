/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Structured journal records.  Every operator-relevant event has its own
 * MESSAGE_ID (stable forever: scripts and `journalctl MESSAGE_ID=` filters
 * depend on them; systemd/xfs_scrubd.catalog explains each one) and the
 * XFS_* fields that say which filesystem, object and scrub type it is about.
 * Repeats of the same record about the same object are suppressed for a
 * configurable time and the count of suppressed copies rides on the next
 * one.  Used from the event-loop thread only.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum xsd_msg {
	XSD_MSG_SCAN_STARTED,
	XSD_MSG_SCAN_FINISHED,
	XSD_MSG_CORRUPTION,
	XSD_MSG_REPAIRED,
	XSD_MSG_REPAIRED_RESTORES,
	XSD_MSG_REPAIRED_LOSS,
	XSD_MSG_REPAIR_FAILED,
	XSD_MSG_BREAKER,
	XSD_MSG_SHUTDOWN,
	XSD_MSG_EVENTS_LOST,
	XSD_MSG_MONITOR_BUSY,
	XSD_MSG_IO_ERROR,
	XSD_MSG_SCAN_CONTROL,
	XSD_MSG_FS_WATCH,
	XSD_MSG_ESCALATED,
	XSD_MSG_ENGINE,
	XSD_MSG_MEDIA_ERROR,
	XSD_MSG_NR,
};

/* The 32-hex-digit MESSAGE_ID of a record kind. */
const char *xsd_msg_id(enum xsd_msg m);

struct xsd_rec {
	enum xsd_msg msg;
	int priority;			/* LOG_* */
	const char *mountpoint, *device, *fsuuid;
	int64_t agno;			/* -1: none */
	uint64_t ino;			/* 0: none */
	uint32_t gen;
	const char *path;		/* XFS_PATH, if known */
	const char *scrub_type;		/* upstream short name */
	const char *outcome;		/* XFS_OUTCOME */
	int err;			/* positive errno, 0: none */
	const char *text;		/* MESSAGE */
	/* media verification findings (XSD_MSG_MEDIA_ERROR) */
	const char *media_device;	/* XFS_MEDIA_DEVICE: "data", "log", "realtime" */
	uint64_t physical, length;	/* XFS_PHYSICAL, XFS_LENGTH: bytes on that device */
	int64_t file_offset;		/* XFS_OFFSET: byte in the file; -1: none */
	const char *owner;		/* XFS_OWNER: metadata that owned the bytes */
};

struct xsd_journal;

int xsd_journal_new(uint64_t ratelimit_s, bool mirror_stderr, struct xsd_journal **ret);
struct xsd_journal *xsd_journal_free(struct xsd_journal *j);

/*
 * Send one record.  Returns 1 if sent, 0 if suppressed as a repeat, or a
 * negative errno (the record then went to stderr instead).
 */
int xsd_journal_send(struct xsd_journal *j, const struct xsd_rec *r);

/* Records sent and suppressed so far (for metrics and tests). */
uint64_t xsd_journal_sent(const struct xsd_journal *j);
uint64_t xsd_journal_suppressed(const struct xsd_journal *j);
