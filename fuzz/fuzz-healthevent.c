// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the health monitor's byte stream through xsd_hm_parse()
 * (daemon/healthmon.c), fed in arbitrary read sizes the way the daemon's
 * loop feeds it (a buffer that keeps the partial record), and every parsed
 * event through the event-to-scrub-item translation.
 */
#include <string.h>

#include "fuzz-common.h"
#include "healthmon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char buf[16 * XSD_HM_RECORD];
	struct xsd_event ev[16];
	size_t len = 0, off = 0;
	/* The first byte chooses the read size, as read(2) may return any. */
	size_t chunk = size ? (size_t)data[0] % 200 + 1 : 1;

	if (size)
		off = 1;
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk, used, cnt;
		unsigned int bad;

		if (n > sizeof(buf) - len)
			n = sizeof(buf) - len;
		memcpy(buf + len, data + off, n);
		len += n;
		off += n;
		cnt = xsd_hm_parse(buf, len, ev, 16, &used, &bad);
		FUZZ_ASSERT(used % XSD_HM_RECORD == 0 && used <= len);
		FUZZ_ASSERT(cnt + bad == used / XSD_HM_RECORD);
		for (size_t i = 0; i < cnt; i++) {
			struct xst_item it;

			FUZZ_ASSERT(ev[i].domain <= XFS_HEALTH_MONITOR_DOMAIN_FILERANGE);
			FUZZ_ASSERT(strcmp(xsd_ev_kind_name(ev[i].kind), "unknown") != 0);
			if (xsd_event_item(&ev[i], &it)) {
				FUZZ_ASSERT(it.want != 0);
				FUZZ_ASSERT((it.want >> XST_SCRUB_TYPE_NR) == 0);
				FUZZ_ASSERT(it.scope != XST_SCOPE_INODE || it.ino != 0);
			}
		}
		memmove(buf, buf + used, len - used);
		len -= used;
		FUZZ_ASSERT(len < sizeof(buf));
	}
	return 0;
}
