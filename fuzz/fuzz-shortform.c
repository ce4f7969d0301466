// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: an inode fork literal area through both short-form
 * parsers (directory with and without ftype, and xattr).  The input is the
 * fork's bytes: seeds are real data and attr forks cut from inodes.
 */
#include <errno.h>
#include <string.h>

#include "attrblock.h"
#include "dirblock.h"
#include "fuzz-common.h"
#include "ondisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Literal areas are at most an inode (64 KiB with margin). */
	if (size > 65536)
		return 0;
	for (int ft = 0; ft < 2; ft++) {
		struct xst_dirents d = { 0 };
		struct xst_dir_sf_info info;

		FUZZ_ASSERT(xst_dir_sf_parse(data, size, ft, &d, &info) == 0);
		FUZZ_ASSERT(d.n == info.entries);
		FUZZ_ASSERT(info.entries <= info.count);
		for (size_t i = 0; i < d.n; i++) {
			FUZZ_ASSERT(d.v[i].namelen > 0);
			FUZZ_ASSERT(d.v[i].offset + 3u + d.v[i].namelen <= size);
			FUZZ_ASSERT(d.v[i].ino != 0 && d.v[i].ino < XST_INO_LIMIT);
		}
		xst_dirents_free(&d);
	}

	struct xst_xattrs x = { 0 };
	struct xst_attr_sf_info ainfo;
	FUZZ_ASSERT(xst_attr_sf_parse(data, size, &x, &ainfo) == 0);
	FUZZ_ASSERT(x.n == ainfo.entries);
	for (size_t i = 0; i < x.n; i++) {
		const struct xst_xattr *a = &x.v[i];
		FUZZ_ASSERT(a->namelen > 0 && a->local);
		FUZZ_ASSERT(a->offset + 3u + a->namelen + a->valuelen <= size);
		FUZZ_ASSERT((a->value != NULL) == (a->valuelen > 0));
		fuzz_touch(a->value, a->valuelen);
	}
	xst_xattrs_free(&x);
	return 0;
}
