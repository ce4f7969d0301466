// SPDX-License-Identifier: GPL-2.0-or-later
/* Byte rates as people write them (see rate.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rate.h"

bool xsd_rate_valid(uint64_t bytes_per_s)
{
	return bytes_per_s >= XSD_RATE_MIN && bytes_per_s <= XSD_RATE_MAX;
}

int xsd_parse_rate(const char *s, uint64_t *ret)
{
	static const char sfx[] = "KMG";
	unsigned long long n;
	uint64_t mult = 1;
	char *end;

	if (!strcmp(s, "off") || !strcmp(s, "0")) {
		*ret = 0;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end) {
		const char *p = strchr(sfx, *end);

		if (!p || end[1])
			return -EINVAL;
		mult = 1ull << (10 * (p - sfx + 1));
	}
	if (n > XSD_RATE_MAX / mult || !xsd_rate_valid(n * mult))
		return -EINVAL;
	*ret = n * mult;
	return 0;
}
