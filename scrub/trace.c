// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The XST_TRACE switch and its line format (see trace.h).  Lines go out with
 * one write(2) each, so lines of the loop and worker threads never mix.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

int xst_trace_on = -1;

bool xst_trace_init(void)
{
	const char *v = getenv("XST_TRACE");

	/* Racing first calls agree: both store the same value. */
	__atomic_store_n(&xst_trace_on, v && *v && *v != '0', __ATOMIC_RELAXED);
	return xst_trace_on > 0;
}

void xst_trace_emit(const char *fmt, ...)
{
	struct timespec ts, rt, ct;
	char line[256];
	va_list ap;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ct);
	/*
	 * Wall-clock too, to line up with timestamps taken by scripts (date
	 * +%s%N), and the thread's CPU time, which tells work from waiting.
	 */
	n = snprintf(line, sizeof(line), "xst-trace %lld.%06ld (wall %lld.%06ld) [%ld cpu %lld.%06ld] ",
		     (long long)ts.tv_sec, ts.tv_nsec / 1000, (long long)rt.tv_sec,
		     rt.tv_nsec / 1000, (long)syscall(SYS_gettid), (long long)ct.tv_sec,
		     ct.tv_nsec / 1000);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
