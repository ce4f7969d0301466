// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: fanotify mount event records through xsd_mntev_parse()
 * (daemon/mntevents.c), as one read(2) returns them.  The input is copied
 * into an exact-size buffer at an odd address, so a read past the end or a
 * load that assumes alignment is caught.
 */
#include <string.h>

#include "fuzz-common.h"
#include "mntevents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xsd_mntev ev[64];
	uint8_t *buf = malloc(size + 1);
	size_t n;

	if (!buf)
		return 0;
	memcpy(buf + 1, data, size);
	n = xsd_mntev_parse(buf + 1, size, ev, 64);
	/* Every event takes at least its 24-byte header, a cut one ends the parse. */
	FUZZ_ASSERT(n <= 64 && n <= size / 24 + 1);
	FUZZ_ASSERT(size == 0 || n > 0);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(ev[i].kind <= XSD_MNTEV_OTHER);
		if (ev[i].kind == XSD_MNTEV_MOUNT) {
			FUZZ_ASSERT(ev[i].mnt_id != 0);
			FUZZ_ASSERT(ev[i].attach || ev[i].detach);
		} else {
			FUZZ_ASSERT(!ev[i].attach && !ev[i].detach && ev[i].mnt_id == 0);
		}
	}
	free(buf);
	return 0;
}
