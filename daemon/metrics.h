/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prometheus metrics in the text exposition format, for node_exporter's
 * textfile collector.  The file is replaced atomically (libxst_atomic), so
 * the collector never reads half a file.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct xsd_fs_metrics {
	const char *mountpoint, *device, *uuid, *state;
	double progress;		/* 0..1 of the active scan */
	uint64_t objects_checked;	/* since the daemon started */
	uint64_t corruptions, repairs, restores, losses, failures;
	uint64_t events;		/* health events received */
	uint64_t last_scan_end;		/* unix seconds; 0: never */
	uint64_t last_scan_duration;	/* seconds */
};

/* Format all filesystems into a malloc'd buffer; *len gets its length. */
int xsd_metrics_format(const struct xsd_fs_metrics *m, size_t n, uint64_t scrub_calls,
		       char **ret, size_t *len);

/* Format and write path atomically. */
int xsd_metrics_write(const char *path, const struct xsd_fs_metrics *m, size_t n,
		      uint64_t scrub_calls);
