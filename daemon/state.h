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
	XSD_PHASE_DONE,
};

struct xsd_cursor {
	enum xsd_phase phase;
	uint32_t agno;
	uint64_t ino;		/* next inode to check in agno; 0: the AG's start */
};

struct xsd_state {
	bool scan_active;		/* a scan was running: resume it */
	struct xsd_cursor cur;
	uint64_t scan_started;		/* realtime seconds */
	uint64_t objects_done;		/* work units done in the active scan */
	uint64_t corruptions, repairs, failures;	/* in the active scan */
	uint64_t last_scan_end;		/* realtime seconds; 0: never */
	uint64_t last_scan_duration;
	uint64_t last_objects, last_corruptions, last_repairs, last_failures;
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
