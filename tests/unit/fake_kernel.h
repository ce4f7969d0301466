/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A programmable stand-in for scrub/kernel.c: tests set what each scrub type
 * answers and whether vectored scrub exists, then inspect the calls made.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "xfs_uapi.h"

struct fake_kernel {
	bool has_scrubv;
	int type_ret[XST_SCRUB_TYPE_NR];		/* -errno per type */
	uint32_t type_oflags[XST_SCRUB_TYPE_NR];	/* out flags per type */
	unsigned int incomplete_times[XST_SCRUB_TYPE_NR]; /* INCOMPLETE this often first */
	unsigned int calls[XST_SCRUB_TYPE_NR];		/* items run per type */
	unsigned int scrubv_calls, single_calls;
	/*
	 * The inodes INUMBERS and BULKSTAT report, in inode order (all in
	 * AG 0); none: both calls fail with ENOTTY.
	 */
	struct fake_inode {
		uint64_t ino;
		uint16_t mode, sick;
		uint32_t gen;
	} inodes[16];
	unsigned int ninodes;
};

extern struct fake_kernel fk;
void fake_kernel_reset(void);
