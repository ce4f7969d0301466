// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: one raw directory block through xst_dirblock_parse(),
 * under each geometry (v5, v4 with and without ftype) and each hint a caller
 * may pass, so damaged magics steer every code path; then the same bytes as
 * a leaf block, checked against the entries found.  The whole input is the
 * block: seeds are real blocks read off an image.
 */
#include <errno.h>
#include <string.h>

#include "dirblock.h"
#include "fuzz-common.h"
#include "ondisk.h"

static void check(const struct xst_dirents *d, size_t len, const struct xst_dirblock_info *info)
{
	uint32_t flagged = 0;

	FUZZ_ASSERT(d->n == info->entries);
	for (size_t i = 0; i < d->n; i++) {
		const struct xst_dirent *e = &d->v[i];
		FUZZ_ASSERT(e->namelen > 0);
		FUZZ_ASSERT(e->offset + XST_DIR_ENTRY_FIXED + e->namelen <= len);
		FUZZ_ASSERT(e->ino != 0 && e->ino < XST_INO_LIMIT);
		FUZZ_ASSERT(e->crc_ok == info->crc_ok);
		FUZZ_ASSERT(e->offset % XST_DIR_DATA_ALIGN == 0);
		if (e->flags & XST_DENT_TAG_MISMATCH)
			flagged++;
	}
	FUZZ_ASSERT(flagged == info->tag_mismatches);
	FUZZ_ASSERT(info->bad_bytes <= len);
	FUZZ_ASSERT(info->hash_verified <= info->entries);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct { bool v5, ftype; } geos[] = { { true, true }, { false, true }, { false, false } };
	static const enum xst_dirblk_kind hints[] = {
		XST_DIRBLK_UNKNOWN, XST_DIRBLK_DATA, XST_DIRBLK_BLOCK,
	};

	if (size > 65536)
		return 0;
	/* Block sizes are multiples of 8 (the parser refuses others): use the
	 * largest such prefix so odd-sized inputs still exercise it. */
	size &= ~(size_t)7;
	for (size_t g = 0; g < sizeof(geos) / sizeof(geos[0]); g++) {
		struct xst_dir_geo geo = {
			.dirblksize = (uint32_t)size, .v5 = geos[g].v5, .ftype = geos[g].ftype,
		};
		for (size_t h = 0; h < sizeof(hints) / sizeof(hints[0]); h++) {
			struct xst_dirents d = { 0 };
			struct xst_dirblock_info info;
			int r = xst_dirblock_parse(data, size, &geo, h, hints[h], &d, &info);
			FUZZ_ASSERT(r == 0 || r == -EINVAL);
			if (r == 0)
				check(&d, size, &info);
			else
				FUZZ_ASSERT(d.n == 0);
			if (h == 0) {
				struct xst_dirleaf l = { 0 };
				r = xst_dirleaf_parse(data, size, &geo, &l, &info);
				FUZZ_ASSERT(r == 0 || r == -EINVAL);
				FUZZ_ASSERT(l.n <= size / XST_DIR_LEAF_ENTRY);
				FUZZ_ASSERT(xst_dirents_check_leaf(&d, &l, &geo) <= d.n);
				xst_dirleaf_free(&l);
			}
			xst_dirents_free(&d);
		}
	}
	return 0;
}
