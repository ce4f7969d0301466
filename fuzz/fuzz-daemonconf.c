// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: /etc/xfs_scrubd.conf text through the daemon's strict
 * parser (daemon/config.c over libinih).  A file either parses with every
 * value inside its documented range, or fails with a message that names the
 * input and a line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xsd_config c;
	char *text = malloc(size + 1), err[512] = "";
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	FUZZ_ASSERT(xsd_config_defaults(&c) == 0);
	r = xsd_config_load_string(&c, text, err, sizeof(err));
	if (r == 0) {
		FUZZ_ASSERT(c.cpu_budget >= 1 && c.cpu_budget <= 100);
		FUZZ_ASSERT(c.io_budget >= 1 && c.io_budget <= 100);
		FUZZ_ASSERT(!c.media_rate || (c.media_rate >= (256u << 10) && c.media_rate <= (16ull << 30)));
		FUZZ_ASSERT(c.checkpoint_interval_s >= 1 && c.checkpoint_interval_s <= 10);
		FUZZ_ASSERT(c.poll_interval_s >= 1 && c.poll_interval_s <= 86400);
		FUZZ_ASSERT(c.escalate_events >= 1);
		FUZZ_ASSERT(c.io_pressure_max > 0 && c.io_pressure_max <= 100);
		FUZZ_ASSERT(c.state_dir && c.state_dir[0] == '/');
		FUZZ_ASSERT(!c.metrics_file || c.metrics_file[0] == '/');
		FUZZ_ASSERT((c.window_start_min < 0) == (c.window_end_min < 0));
		for (size_t i = 0; i < c.n_include; i++)
			FUZZ_ASSERT(c.include[i][0] == '/');
	} else {
		FUZZ_ASSERT(r == -EINVAL || r == -ENOMEM);
		FUZZ_ASSERT(!strncmp(err, "<string>", 8));
	}
	xsd_config_done(&c);
	free(text);
	return 0;
}
