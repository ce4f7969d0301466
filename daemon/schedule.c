// SPDX-License-Identifier: GPL-2.0-or-later
/* Scheduling rules (see schedule.h). */
#include <stdio.h>
#include <string.h>

#include "schedule.h"

bool xsd_disks_overlap(const char *a, const char *b)
{
	const char *p = a;
	char tok[64];
	int n;

	while (sscanf(p, " %63s%n", tok, &n) == 1) {
		char needle[70];

		snprintf(needle, sizeof(needle), " %s ", tok);
		if (strstr(b, needle))
			return true;
		p += n;
	}
	return false;
}

uint64_t xsd_window_wait(int start, int end, int now_min)
{
	bool open;

	if (start < 0 || end < 0)
		return 0;
	open = start < end ? (now_min >= start && now_min < end) :
			     (now_min >= start || now_min < end);
	if (open)
		return 0;
	return (uint64_t)(((start - now_min) % 1440 + 1440) % 1440) * 60;
}

/* The wall time in which `used` ns stay within `pct` percent. */
static unsigned __int128 span_for(uint64_t used, unsigned int pct)
{
	return pct >= 100 || pct == 0 ? used : (unsigned __int128)used * 100 / pct;
}

uint64_t xsd_step_rest_ns(const struct xsd_step *s, const struct xsd_budget *b,
			  uint64_t cap_ns)
{
	uint64_t cpu = s->cpu_ns < s->wall_ns ? s->cpu_ns : s->wall_ns;
	unsigned __int128 need = span_for(cpu, b->cpu_pct), io;

	io = span_for(s->wall_ns - cpu, b->io_pct);
	if (io > need)
		need = io;
	if (b->bytes_per_s) {
		unsigned __int128 rd = (unsigned __int128)s->bytes * 1000000000u / b->bytes_per_s;

		if (rd > need)
			need = rd;
	}
	if (need <= s->wall_ns)
		return 0;
	need -= s->wall_ns;
	return need < cap_ns ? (uint64_t)need : cap_ns;
}

bool xsd_scope_covers(bool metadata, int64_t scope, int64_t ag)
{
	return metadata && (scope < 0 || scope == ag);
}

int64_t xsd_scope_merge(int64_t a, int64_t b)
{
	return a == b ? a : -1;
}
