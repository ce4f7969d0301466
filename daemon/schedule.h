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
 * Rest after `busy_ns` of work so that busy / (busy + rest) = budget
 * percent; capped at cap_ns so that a stall does not park the scan.
 */
uint64_t xsd_rest_ns(uint64_t busy_ns, unsigned int budget, uint64_t cap_ns);

/*
 * Scopes are AG numbers, -1 for every AG.  Does a scan of scope `scope`
 * (checking metadata at all: not a media-only scan) check AG `ag` (-1:
 * something filesystem-wide, which only a scan of every AG checks)?
 */
bool xsd_scope_covers(bool metadata, int64_t scope, int64_t ag);

/* The one scope that covers two: the same AG, else every AG. */
int64_t xsd_scope_merge(int64_t a, int64_t b);
