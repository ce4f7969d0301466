/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading salvage records back (the writer is xst_salvage_save in
 * salvage.c): a summary of one record for listings, the bus and
 * xfs_scrubctl.  Separate from the engine so that it can be fuzzed on its
 * own: a record is a file in the state directory and may be damaged,
 * truncated or not a record at all.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* What a salvage record says, in brief. */
struct xst_salvage_summary {
	uint64_t ino;
	uint32_t gen;
	char type[16];		/* "directory" or "xattr" */
	char phase[24];		/* "before-repair", "after-repair", "after-failed-repair" */
	int64_t time;		/* realtime seconds when written */
	uint64_t entries, kept, restored, flagged, lost, pending;
};

/*
 * Parse the text of a record (len bytes, not NUL-terminated; every line is
 * bounded).  0, or -EINVAL when the header is not a salvage record's or
 * the object line is missing.
 */
int xst_salvage_summary_parse(const char *text, size_t len, struct xst_salvage_summary *out);
