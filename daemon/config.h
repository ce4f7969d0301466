/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/xfs_scrubd.conf: the daemon's settings, read with libinih and
 * validated strictly.  An unknown section or key, a malformed value or a
 * value out of range is an error that names the file and line, because a
 * typo that silently falls back to a default would leave an operator
 * believing in a schedule or a budget that is not in force.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xsd_repair_mode {
	XSD_REPAIR_AUTO,	/* the filesystem's autofsck property decides */
	XSD_REPAIR_ALWAYS,
	XSD_REPAIR_NEVER,	/* find and report only */
};

struct xsd_config {
	/* [daemon] */
	char *state_dir;		/* checkpoints, history */
	char *runtime_dir;		/* private control socket */
	char *metrics_file;		/* Prometheus textfile; NULL: off */
	/* [events] */
	bool health_monitor;		/* use XFS_IOC_HEALTH_MONITOR where it exists */
	uint64_t poll_interval_s;	/* sick-flag polling without a monitor */
	unsigned int escalate_events;	/* this many events on one object... */
	uint64_t escalate_window_s;	/* ...within this window: scan the fs */
	/* [scan] */
	uint64_t scan_interval_s;	/* periodic full scans; 0: only on demand */
	uint64_t media_interval_s;	/* media verification with a scheduled scan; 0: never */
	int window_start_min;		/* minutes after midnight; -1: any time */
	int window_end_min;
	bool skip_on_battery;
	unsigned int cpu_budget;	/* percent of wall time a scan may spend on a CPU, 1..100 */
	unsigned int io_budget;		/* ...and waiting, for the disk mostly, 1..100 */
	uint64_t media_rate;		/* media phase bytes per second; 0: no cap */
	double io_pressure_max;		/* back off above this io "some avg10" */
	unsigned int rest_us;		/* kernel-side pause between items */
	uint64_t checkpoint_interval_s;	/* 1..10 */
	/* [repair] */
	enum xsd_repair_mode repair;
	/* [journal] */
	uint64_t ratelimit_s;		/* repeats of one record suppressed for this long */
	/* [filesystems] */
	char **include;			/* mount points; none: every XFS mount */
	size_t n_include;
	char **exclude;
	size_t n_exclude;
};

/* Fill with the built-in defaults (the file may be absent). */
int xsd_config_defaults(struct xsd_config *c);

/*
 * Parse the file at path over the current values.  -ENOENT if it does not
 * exist (callers may treat that as "defaults"), -EINVAL with a message
 * "<path>:<line>: <what>" written into err (errlen bytes) on a bad file.
 */
int xsd_config_load(struct xsd_config *c, const char *path, char *err, size_t errlen);

/* Parse from a string (tests, fuzzing); same contract. */
int xsd_config_load_string(struct xsd_config *c, const char *text, char *err, size_t errlen);

void xsd_config_done(struct xsd_config *c);

/* "30", "30s", "5m", "2h", "7d", "1w" -> seconds; -EINVAL otherwise. */
int xsd_parse_duration(const char *s, uint64_t *ret);

/* Is mount point mnt selected by include/exclude? */
bool xsd_config_wants(const struct xsd_config *c, const char *mnt);
