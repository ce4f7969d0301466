/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Persistent per-filesystem state: the scan checkpoint (where a scan is, so
 * that it resumes after kill -9 or a reboot) and the last finished scan's
 * results.  One small text file per filesystem UUID under the state
 * directory, "key value" lines, replaced atomically through libxst_atomic
 * (in place with commit-range on XFS, rename elsewhere): a crash leaves the
 * old or the new checkpoint, never a torn one.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Scan phases, in order; the cursor says the first thing not yet done. */
enum xsd_phase {
	XSD_PHASE_METADATA,	/* fs and AG metadata; cursor: agno */
	XSD_PHASE_INODES,	/* cursor: agno and inode */
	XSD_PHASE_FSWIDE,	/* link counts, quota, summary counters */
	XSD_PHASE_MEDIA,	/* read back file data; cursor: device, byte */
	XSD_PHASE_DONE,
};

/* What a scan covers. */
enum xsd_scan_kind {
	XSD_SCAN_METADATA,	/* the check (and repair) of all metadata */
	XSD_SCAN_MEDIA,		/* media verification of written data only (-x) */
	XSD_SCAN_ALL,		/* metadata, then media */
};

/* Whether a scan may repair: the configured policy, or a caller's choice. */
enum xsd_scan_mode {
	XSD_SCAN_MODE_DEFAULT,
	XSD_SCAN_MODE_REPAIR,
	XSD_SCAN_MODE_REPORT,
};

const char *xsd_scan_kind_name(enum xsd_scan_kind k);
const char *xsd_scan_mode_name(enum xsd_scan_mode m);
/* Name to value; -EINVAL for an unknown name. */
int xsd_scan_kind_from_name(const char *s, enum xsd_scan_kind *ret);
int xsd_scan_mode_from_name(const char *s, enum xsd_scan_mode *ret);
/* The phase a scan of this kind starts with. */
enum xsd_phase xsd_scan_first_phase(enum xsd_scan_kind k);

struct xsd_cursor {
	enum xsd_phase phase;
	uint32_t agno;		/* XSD_PHASE_MEDIA: the device (enum xst_media_device) */
	uint64_t ino;		/* next inode to check in agno; 0: the AG's start;
				 * XSD_PHASE_MEDIA: the next byte to read on that device */
};

struct xsd_state {
	bool scan_active;		/* a scan was running: resume it */
	enum xsd_scan_kind kind;	/* of the active scan */
	enum xsd_scan_mode mode;
	bool throttle;			/* false: an on-demand scan at full speed */
	uint64_t media_rate;		/* the scan's own media read cap; 0: the configured one */
	int64_t scope_ag;		/* metadata scan of this AG only; -1: everything */
	struct xsd_cursor cur;
	uint64_t scan_started;		/* realtime seconds */
	uint64_t objects_done;		/* objects checked in the active scan */
	uint64_t media_done;		/* bytes verified in the active scan */
	uint64_t corruptions, repairs, failures, losses;	/* in the active scan */
	uint64_t media_errors;		/* bad ranges found by the active scan */
	uint64_t last_scan_end;		/* realtime seconds; 0: never */
	uint64_t last_scan_duration;
	uint64_t last_objects, last_corruptions, last_repairs, last_failures;
	uint64_t last_losses, last_media_errors;
	uint64_t last_media_end;	/* realtime seconds of the last finished media pass */
	enum xsd_scan_kind last_kind;
	char last_result[32];		/* "clean", "repaired", "corrupt", "cancelled", ... */
};

const char *xsd_phase_name(enum xsd_phase p);

/* Serialize into buf; returns the length, or -ENOSPC. */
int xsd_state_format(const struct xsd_state *s, char *buf, size_t len);

/*
 * Parse text (not NUL-terminated, len bytes).  Unknown keys are ignored (a
 * newer version may add some); malformed lines or values make it -EINVAL,
 * and the caller starts afresh rather than resume from garbage.
 */
int xsd_state_parse(const char *text, size_t len, struct xsd_state *s);

/* <dir>/<uuid>.state */
int xsd_state_path(const char *dir, const char *uuid, char *buf, size_t len);

/* Load; -ENOENT if there is none. */
int xsd_state_load(const char *path, struct xsd_state *s);

/* Save atomically and durably; *method (optional) says how. */
int xsd_state_save(const char *path, const struct xsd_state *s, const char **method);
