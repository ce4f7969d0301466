// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The inode walk.  Per AG: INUMBERS in batches of inode chunks, then one
 * BULKSTAT covering the same range, merged by inode number against the
 * chunks' allocation masks.  Two large calls per batch instead of one small
 * call per chunk keep the syscall count low; the merge makes sure that an
 * inode the kernel cannot stat is still visited.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "inodes.h"
#include "kernel.h"
#include "util.h"

#define CHUNKS_PER_BATCH 64
#define INODES_PER_CHUNK 64

/*
 * The kernel's request structs end in flexible arrays; embedding one in a
 * struct is a GNU extension, so these spell out the same layout: the
 * 64-byte header, then the records.
 */
struct batch {
	struct xfs_bulk_ireq hdr;
	struct xfs_inumbers chunks[CHUNKS_PER_BATCH];
};

struct bstat_batch {
	struct xfs_bulk_ireq hdr;
	struct xfs_bulkstat bs[CHUNKS_PER_BATCH * INODES_PER_CHUNK];
};

_Static_assert(offsetof(struct batch, chunks) == sizeof(struct xfs_bulk_ireq), "inumbers layout");
_Static_assert(offsetof(struct bstat_batch, bs) == sizeof(struct xfs_bulk_ireq), "bulkstat layout");

static int visit_batch(const struct xst_fs *fs, uint32_t agno, const struct batch *b,
		       struct bstat_batch *bb, uint64_t from, xst_inode_fn fn,
		       void *arg, volatile int *stop)
{
	uint64_t first = b->chunks[0].xi_startino;
	unsigned int got = 0, pos = 0;
	int r;

	/* One BULKSTAT for the whole batch; it returns allocated inodes in order. */
	memset(&bb->hdr, 0, sizeof(bb->hdr));
	bb->hdr.ino = first;
	bb->hdr.flags = XFS_BULK_IREQ_AGNO;
	bb->hdr.agno = agno;
	bb->hdr.icount = ARRAY_SIZE(bb->bs);
	if (fs->has_metadir)
		bb->hdr.flags |= XFS_BULK_IREQ_METADIR;
	r = xk_bulkstat(fs->fd, (struct xfs_bulkstat_req *)bb);
	if (r == 0)
		got = bb->hdr.ocount;

	for (unsigned int c = 0; c < b->hdr.ocount; c++) {
		const struct xfs_inumbers *ch = &b->chunks[c];

		for (unsigned int i = 0; i < INODES_PER_CHUNK; i++) {
			uint64_t ino = ch->xi_startino + i;
			struct xfs_bulkstat stub;
			const struct xfs_bulkstat *bs;

			if (*stop)
				return 0;
			if (!(ch->xi_allocmask & (UINT64_C(1) << i)) || ino < from)
				continue;
			while (pos < got && bb->bs[pos].bs_ino < ino)
				pos++;
			if (pos < got && bb->bs[pos].bs_ino == ino) {
				bs = &bb->bs[pos];
			} else {
				memset(&stub, 0, sizeof(stub));
				stub.bs_ino = ino;
				stub.bs_version = XST_BS_STUB;
				bs = &stub;
			}
			r = fn(fs, bs, arg);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int xst_scan_ag_inodes(const struct xst_fs *fs, uint32_t agno, xst_inode_fn fn,
		       void *arg, volatile int *stop)
{
	return xst_scan_ag_inodes_from(fs, agno, 0, fn, arg, stop);
}

int xst_scan_ag_inodes_from(const struct xst_fs *fs, uint32_t agno, uint64_t from,
			    xst_inode_fn fn, void *arg, volatile int *stop)
{
	_cleanup_free_ struct batch *b = calloc(1, sizeof(*b));
	_cleanup_free_ struct bstat_batch *bb = calloc(1, sizeof(*bb));
	/* INUMBERS starts at the chunk holding `from`; the rest is skipped below. */
	uint64_t cursor = from & ~(uint64_t)(INODES_PER_CHUNK - 1);
	int r;

	if (!b || !bb)
		return -ENOMEM;
	while (!*stop) {
		memset(&b->hdr, 0, sizeof(b->hdr));
		b->hdr.ino = cursor;
		b->hdr.flags = XFS_BULK_IREQ_AGNO;
		b->hdr.agno = agno;
		b->hdr.icount = CHUNKS_PER_BATCH;
		r = xk_inumbers(fs->fd, (struct xfs_inumbers_req *)b);
		if (r < 0)
			return r;
		if (b->hdr.ocount == 0)
			return 0;
		/* A cursor that does not advance would loop forever on a bad inobt. */
		if (b->hdr.ino <= cursor && cursor != 0)
			return -EUCLEAN;
		cursor = b->hdr.ino;
		r = visit_batch(fs, agno, b, bb, from, fn, arg, stop);
		if (r < 0)
			return r;
	}
	return 0;
}
