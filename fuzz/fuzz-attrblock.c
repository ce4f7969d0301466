// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: a raw xattr fork block through xst_attrblock_parse()
 * (v5 and v4 layouts, with and without a hint), and the same bytes cut into
 * fs blocks as a remote value through xst_attr_rmt_assemble().  The whole
 * input is the block: seeds are real leaf, node and remote blocks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attrblock.h"
#include "fuzz-common.h"
#include "ondisk.h"

static void check(const struct xst_xattrs *x, size_t len, const struct xst_attrblock_info *info)
{
	uint32_t mism = 0;

	FUZZ_ASSERT(x->n == info->entries);
	FUZZ_ASSERT(info->entries + info->dropped <= len / XST_ATTR_LEAF_ENTRY);
	for (size_t i = 0; i < x->n; i++) {
		const struct xst_xattr *a = &x->v[i];
		FUZZ_ASSERT(a->namelen > 0);
		FUZZ_ASSERT(a->offset < len);
		FUZZ_ASSERT(a->ns <= XST_ATTR_NS_INVALID);
		if (a->local) {
			FUZZ_ASSERT(a->offset + XST_ATTR_LOCAL_FIXED + a->namelen + a->valuelen <= len);
			FUZZ_ASSERT((a->value != NULL) == (a->valuelen > 0));
			fuzz_touch(a->value, a->valuelen);
		} else {
			FUZZ_ASSERT(a->value == NULL);
			FUZZ_ASSERT(a->offset + XST_ATTR_REMOTE_FIXED + a->namelen <= len);
		}
		if (a->flags & XST_XATTR_HASH_MISMATCH)
			mism++;
	}
	FUZZ_ASSERT(mism == info->hash_mismatches);
}

static void remote(const uint8_t *data, size_t size, uint32_t blksize, bool v5)
{
	const void *blocks[16];
	size_t nblocks = size / blksize;
	uint8_t *val = NULL;
	struct xst_attr_rmt_info info;

	if (nblocks == 0)
		return;
	if (nblocks > 16)
		nblocks = 16;
	size_t per = v5 ? blksize - XST_ATTR3_RMT_HDR_SIZE : blksize;
	size_t cap = nblocks * per;
	/* Let the input pick how much of the last block is value. */
	size_t valuelen = cap - (data[size - 1] % per);
	if (valuelen > XST_ATTR_VALUE_MAX)
		valuelen = XST_ATTR_VALUE_MAX;
	for (size_t i = 0; i < nblocks; i++)
		blocks[i] = (data[0] & 1) && i == 1 ? NULL : data + i * blksize;
	int r = xst_attr_rmt_assemble(blocks, nblocks, blksize, v5, xst_be64(data), (uint32_t)valuelen,
				      &val, &info);
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(info.blocks == xst_attr_rmt_blocks((uint32_t)valuelen, blksize, v5));
	FUZZ_ASSERT((val != NULL) == (valuelen > 0));
	fuzz_touch(val, valuelen);
	free(val);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum xst_attrblk_kind hints[] = { XST_ATTRBLK_UNKNOWN, XST_ATTRBLK_LEAF };

	if (size > 65536)
		return 0;
	for (int v5 = 0; v5 < 2; v5++) {
		struct xst_attr_geo geo = { .blksize = (uint32_t)size, .v5 = v5 };
		for (size_t h = 0; h < sizeof(hints) / sizeof(hints[0]); h++) {
			struct xst_xattrs x = { 0 };
			struct xst_attrblock_info info;
			int r = xst_attrblock_parse(data, size, &geo, 3, hints[h], &x, &info);
			FUZZ_ASSERT(r == 0 || r == -EINVAL);
			if (r == 0)
				check(&x, size, &info);
			else
				FUZZ_ASSERT(x.n == 0);
			xst_xattrs_free(&x);
		}
		remote(data, size, size >= 4096 ? 4096 : 512, v5);
	}
	return 0;
}
