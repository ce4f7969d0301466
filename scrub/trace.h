/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Latency tracing for people measuring the repair path: with XST_TRACE set
 * in the environment, each xst_trace() point prints one line on stderr with
 * the CLOCK_MONOTONIC time in microseconds (and the wall clock, to line up
 * with scripts' timestamps), the thread and its CPU time, so a health event
 * can be followed from the monitor read to the journal record.  Unset, a
 * point costs one load and a branch.
 */
#pragma once

#include <stdbool.h>

extern int xst_trace_on;	/* -1 until the environment was read */

bool xst_trace_init(void);
void xst_trace_emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define xst_trace(...)							\
	do {								\
		if (xst_trace_on > 0 || (xst_trace_on < 0 && xst_trace_init())) \
			xst_trace_emit(__VA_ARGS__);			\
	} while (0)
