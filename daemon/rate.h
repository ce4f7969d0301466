/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Byte rates as people write them ("8M", "off"): the media phase's read cap
 * in the configuration file and on xfs_scrubctl's command line.  One parser
 * so that both take the same words, and one range the daemon checks again
 * at its D-Bus edge.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* At least one throttled media read (256 KiB) a second; at most 16 GiB. */
#define XSD_RATE_MIN (256ull << 10)
#define XSD_RATE_MAX (16ull << 30)

/*
 * "off" or "0": 0 (no cap); else a count with an optional binary K, M or G
 * suffix, within [XSD_RATE_MIN, XSD_RATE_MAX].  0 or -EINVAL.
 */
int xsd_parse_rate(const char *s, uint64_t *ret);

/* Is a rate in bytes per second within the range above? */
bool xsd_rate_valid(uint64_t bytes_per_s);
