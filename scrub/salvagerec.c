// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Salvage record summaries (see salvagerec.h).  Only the header lines and
 * the head of each entry line are looked at; hex names and values can make
 * entry lines long, and they stay in the file.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "salvagerec.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

int xst_salvage_summary_parse(const char *text, size_t len, struct xst_salvage_summary *out)
{
	size_t off = 0;
	bool header = false;

	memset(out, 0, sizeof(*out));
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		char line[160];
		unsigned long long a;
		unsigned int b;

		/* Entry lines can be long (hex names, values): only their head matters. */
		memcpy(line, text + off, MIN(n, sizeof(line) - 1));
		line[MIN(n, sizeof(line) - 1)] = 0;
		off += n + (nl ? 1 : 0);
		if (!header) {
			if (strcmp(line, "xfs_scrubd-salvage 1"))
				return -EINVAL;
			header = true;
		} else if (!strncmp(line, "entry fate=", 11)) {
			const char *f = line + 11;

			out->entries++;
			if (!strncmp(f, "kept ", 5))
				out->kept++;
			else if (!strncmp(f, "restored ", 9))
				out->restored++;
			else if (!strncmp(f, "flagged ", 8))
				out->flagged++;
			else if (!strncmp(f, "lost ", 5))
				out->lost++;
			else
				out->pending++;
		} else if (sscanf(line, "object ino %llu gen %u type %15s", &a, &b, out->type) == 3) {
			out->ino = a;
			out->gen = b;
		} else if (!strncmp(line, "phase ", 6)) {
			snprintf(out->phase, sizeof(out->phase), "%.23s", line + 6);
		} else if (!strncmp(line, "time ", 5)) {
			out->time = strtoll(line + 5, NULL, 10);
		}
	}
	return header && out->ino ? 0 : -EINVAL;
}

