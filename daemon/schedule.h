/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scheduling rules as pure functions, so that they are tested apart from
 * the event loop: which filesystems share a disk (one scan per disk), when
 * a time window opens, how long a throttled scan rests, which scan covers
 * which place.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Do two " sda sdb " disk lists share a disk? */
bool xsd_disks_overlap(const char *a, const char *b);

/*
 * Seconds until the window [start, end) (minutes after midnight; end < start
 * wraps midnight; start < 0: always open) opens, at now_min; 0 if open.
 */
uint64_t xsd_window_wait(int start, int end, int now_min);

/*
 * One step of a throttled scan (an object checked, or a media read):
 * wall_ns from its start to its end, cpu_ns of that on a CPU by the scan's
 * thread (its clock counts the kernel's work in the scan's calls), bytes
 * read by a media step.  The rest of wall_ns the thread spent waiting: for
 * the disk mostly, or for a CPU the foreground held.
 */
struct xsd_step {
	uint64_t wall_ns, cpu_ns, bytes;
};

/*
 * The budgets: percent of wall time on a CPU and waiting (1..100; 0 and
 * 100 do not limit), and a cap on the media phase's read rate in bytes per
 * second (0: none).
 */
struct xsd_budget {
	unsigned int cpu_pct, io_pct;
	uint64_t bytes_per_s;
};

/*
 * The rest owed after a step so that, over the step and its rest, each
 * budget holds on its own: the budget the step strained most sets it.
 * Capped at cap_ns so that a stall does not park the scan.
 */
uint64_t xsd_step_rest_ns(const struct xsd_step *s, const struct xsd_budget *b,
			  uint64_t cap_ns);

/*
 * Scopes are AG numbers, -1 for every AG.  Does a scan of scope `scope`
 * (checking metadata at all: not a media-only scan) check AG `ag` (-1:
 * something filesystem-wide, which only a scan of every AG checks)?
 */
bool xsd_scope_covers(bool metadata, int64_t scope, int64_t ag);

/* The one scope that covers two: the same AG, else every AG. */
int64_t xsd_scope_merge(int64_t a, int64_t b);
