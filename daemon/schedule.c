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

uint64_t xsd_rest_ns(uint64_t busy_ns, unsigned int budget, uint64_t cap_ns)
{
	uint64_t rest;

	if (budget >= 100 || budget == 0)
		return 0;
	rest = busy_ns / budget * (100 - budget);
	return rest < cap_ns ? rest : cap_ns;
}

bool xsd_scope_covers(bool metadata, int64_t scope, int64_t ag)
{
	return metadata && (scope < 0 || scope == ag);
}

int64_t xsd_scope_merge(int64_t a, int64_t b)
{
	return a == b ? a : -1;
}
