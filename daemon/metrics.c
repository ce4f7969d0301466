// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Metrics formatting.  Label values are escaped as the exposition format
 * requires (backslash, double quote, newline), because a mount point may
 * contain any of them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_update.h"
#include "metrics.h"
#include "util.h"

static void put_label(FILE *f, const char *name, const char *v, const char *sep)
{
	fprintf(f, "%s=\"", name);
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', f), fputc(*p, f);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fprintf(f, "\"%s", sep);
}

static void labels(FILE *f, const struct xsd_fs_metrics *m)
{
	fputc('{', f);
	put_label(f, "mountpoint", m->mountpoint, ",");
	put_label(f, "device", m->device, ",");
	put_label(f, "uuid", m->uuid, "");
	fputc('}', f);
}

struct family {
	const char *name, *type, *help;
	size_t off;		/* uint64_t field, or SIZE_MAX: special */
	bool is_double;
};

#define U(x) offsetof(struct xsd_fs_metrics, x)
static const struct family families[] = {
	{ "xfs_scrubd_scan_progress_ratio", "gauge", "Fraction of the active scan done (0 when idle).", U(progress), true },
	{ "xfs_scrubd_objects_checked_total", "counter", "Metadata objects checked since the daemon started.", U(objects_checked), false },
	{ "xfs_scrubd_corruptions_total", "counter", "Corruptions found.", U(corruptions), false },
	{ "xfs_scrubd_repairs_total", "counter", "Objects repaired.", U(repairs), false },
	{ "xfs_scrubd_restores_total", "counter", "Entries restored after a repair dropped them.", U(restores), false },
	{ "xfs_scrubd_losses_total", "counter", "Entries lost by a repair.", U(losses), false },
	{ "xfs_scrubd_repair_failures_total", "counter", "Repairs that failed or need offline repair.", U(failures), false },
	{ "xfs_scrubd_health_events_total", "counter", "Kernel health events received.", U(events), false },
	{ "xfs_scrubd_last_scan_timestamp_seconds", "gauge", "End of the last finished scan (unix time, 0: never).", U(last_scan_end), false },
	{ "xfs_scrubd_last_scan_duration_seconds", "gauge", "Duration of the last finished scan.", U(last_scan_duration), false },
};
#undef U

int xsd_metrics_format(const struct xsd_fs_metrics *m, size_t n, uint64_t scrub_calls,
		       char **ret, size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return -ENOMEM;
	fprintf(f, "# HELP xfs_scrubd_scrub_calls_total Kernel scrub calls issued.\n"
		   "# TYPE xfs_scrubd_scrub_calls_total counter\n"
		   "xfs_scrubd_scrub_calls_total %" PRIu64 "\n", scrub_calls);
	fprintf(f, "# HELP xfs_scrubd_state Filesystem state (1 for the current one).\n"
		   "# TYPE xfs_scrubd_state gauge\n");
	for (size_t i = 0; i < n; i++) {
		fputs("xfs_scrubd_state{", f);
		put_label(f, "mountpoint", m[i].mountpoint, ",");
		put_label(f, "device", m[i].device, ",");
		put_label(f, "uuid", m[i].uuid, ",");
		put_label(f, "state", m[i].state, "");
		fputs("} 1\n", f);
	}
	for (size_t k = 0; k < ARRAY_SIZE(families); k++) {
		const struct family *fam = &families[k];

		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name, fam->type);
		for (size_t i = 0; i < n; i++) {
			const char *base = (const char *)&m[i];

			fputs(fam->name, f);
			labels(f, &m[i]);
			if (fam->is_double)
				fprintf(f, " %.4f\n", *(const double *)(base + fam->off));
			else
				fprintf(f, " %" PRIu64 "\n", *(const uint64_t *)(base + fam->off));
		}
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	*len = size;
	return 0;
}

int xsd_metrics_write(const char *path, const struct xsd_fs_metrics *m, size_t n,
		      uint64_t scrub_calls)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = xsd_metrics_format(m, n, scrub_calls, &buf, &len);

	if (r < 0)
		return r;
	return xst_au_write_file(path, buf, len, XST_AU_CREATE, NULL);
}
