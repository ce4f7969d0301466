// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: salvage record text through the summary reader
 * (scrub/salvagerec.c), which xfs_scrubd's ListSalvage runs over files in
 * its state directory.  Any bytes: either a summary whose counts add up and
 * whose strings are terminated, or -EINVAL.
 */
#include <errno.h>
#include <string.h>

#include "fuzz-common.h"
#include "salvagerec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xst_salvage_summary s;
	int r = xst_salvage_summary_parse((const char *)data, size, &s);

	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	FUZZ_ASSERT(memchr(s.type, 0, sizeof(s.type)) && memchr(s.phase, 0, sizeof(s.phase)));
	FUZZ_ASSERT(s.kept + s.restored + s.flagged + s.lost + s.pending == s.entries);
	if (r == 0)
		FUZZ_ASSERT(s.ino != 0);
	return 0;
}
