// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fake kernel seam for unit tests.  The vectored call implements the
 * kernel's barrier rule, so the engine's own single-call emulation can be
 * compared against it.
 */
#include <errno.h>
#include <string.h>

#include "fake_kernel.h"
#include "kernel.h"

struct fake_kernel fk;

void fake_kernel_reset(void)
{
	memset(&fk, 0, sizeof(fk));
	fk.has_scrubv = true;
}

static void answer(uint32_t type, uint32_t *flags, int *ret)
{
	fk.calls[type]++;
	*ret = fk.type_ret[type];
	*flags = (*flags & XFS_SCRUB_FLAGS_IN) | fk.type_oflags[type];
	if (fk.incomplete_times[type]) {
		fk.incomplete_times[type]--;
		*flags |= XFS_SCRUB_OFLAG_INCOMPLETE;
	}
}

int xk_scrub(int fd, struct xfs_scrub_metadata *sm)
{
	int ret;

	(void)fd;
	fk.single_calls++;
	if (sm->sm_type >= XST_SCRUB_TYPE_NR)
		return -ENOENT;
	answer(sm->sm_type, &sm->sm_flags, &ret);
	return ret;
}

int xk_scrubv(int fd, struct xfs_scrub_vec_head *head)
{
	struct xfs_scrub_vec *v = (void *)(uintptr_t)head->svh_vectors;

	(void)fd;
	if (!fk.has_scrubv)
		return -ENOTTY;
	fk.scrubv_calls++;
	for (unsigned int i = 0; i < head->svh_nr; i++) {
		if (v[i].sv_type == XFS_SCRUB_TYPE_BARRIER) {
			for (unsigned int j = 0; j < i; j++) {
				if (v[j].sv_type == XFS_SCRUB_TYPE_BARRIER)
					continue;
				if ((v[j].sv_ret != 0 && v[j].sv_ret != -ENOENT &&
				     v[j].sv_ret != -EBUSY && v[j].sv_ret != -EUSERS) ||
				    (v[j].sv_flags & v[i].sv_flags)) {
					v[i].sv_ret = -ECANCELED;
					return 0;
				}
			}
			v[i].sv_ret = 0;
			continue;
		}
		answer(v[i].sv_type, &v[i].sv_flags, &v[i].sv_ret);
	}
	return 0;
}

int xk_fsgeometry(int fd, struct xst_fsop_geom_v5 *geo) { (void)fd; (void)geo; return -ENOTTY; }
int xk_ag_geometry(int fd, struct xfs_ag_geometry *ag) { (void)fd; (void)ag; return -ENOTTY; }
/* One chunk per 64 inode numbers that hold any of fk.inodes, from the cursor on. */
int xk_inumbers(int fd, struct xfs_inumbers_req *req)
{
	uint32_t n = 0;

	(void)fd;
	if (!fk.ninodes)
		return -ENOTTY;
	for (unsigned int i = 0; i < fk.ninodes && n < req->hdr.icount; i++) {
		uint64_t start = fk.inodes[i].ino & ~63ull;
		struct xfs_inumbers *c = n ? &req->inumbers[n - 1] : NULL;

		if (start < req->hdr.ino)
			continue;
		if (!c || c->xi_startino != start) {
			c = &req->inumbers[n++];
			memset(c, 0, sizeof(*c));
			c->xi_startino = start;
			c->xi_version = XFS_INUMBERS_VERSION_V5;
		}
		c->xi_allocmask |= 1ull << (fk.inodes[i].ino - start);
		c->xi_alloccount++;
	}
	req->hdr.ocount = n;
	if (n)
		req->hdr.ino = req->inumbers[n - 1].xi_startino + 64;
	return 0;
}

int xk_bulkstat(int fd, struct xfs_bulkstat_req *req)
{
	uint32_t n = 0;

	(void)fd;
	if (!fk.ninodes)
		return -ENOTTY;
	for (unsigned int i = 0; i < fk.ninodes && n < req->hdr.icount; i++) {
		struct xfs_bulkstat *b = &req->bulkstat[n];

		if (fk.inodes[i].ino < req->hdr.ino)
			continue;
		memset(b, 0, sizeof(*b));
		b->bs_ino = fk.inodes[i].ino;
		b->bs_mode = fk.inodes[i].mode;
		b->bs_sick = fk.inodes[i].sick;
		b->bs_gen = fk.inodes[i].gen;
		b->bs_version = XFS_BULKSTAT_VERSION_V5;
		n++;
	}
	req->hdr.ocount = n;
	return 0;
}
int xk_bulkstat_single(int fd, uint64_t ino, struct xfs_bstat *out)
{
	(void)fd; (void)ino; (void)out;
	return -ENOTTY;
}
int xk_getparents_by_handle(int fd, struct xfs_getparents_by_handle *gph) { (void)fd; (void)gph; return -EOPNOTSUPP; }
int xk_fscounts(int fd, struct xfs_fsop_counts *c) { (void)fd; (void)c; return -ENOTTY; }
uint64_t xk_scrub_calls(void) { return 0; }
int xk_health_monitor(int fd, uint64_t flags) { (void)fd; (void)flags; return -ENOTTY; }
int xk_health_fd_on_monitored_fs(int monitor_fd, int fd) { (void)monitor_fd; (void)fd; return -ENOTTY; }
int xk_getfsmap(int fd, struct fsmap_head *h) { (void)fd; (void)h; return -ENOTTY; }
int xk_verify_media(int fd, struct xfs_verify_media *me) { (void)fd; (void)me; return -ENOTTY; }
int xk_getbmapx(int fd, struct getbmapx *map) { (void)fd; (void)map; return -ENOTTY; }
int xk_fd_to_fshandle(int fd, uint8_t fsh[8]) { (void)fd; (void)fsh; return -ENOTTY; }
int xk_open_by_handle(int fd, const struct xfs_handle *h, int oflags) { (void)fd; (void)h; (void)oflags; return -ENOTTY; }
