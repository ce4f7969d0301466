// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Thin wrappers over the XFS ioctls, so that errno handling and call
 * accounting live in one place.  EINTR is retried here for the calls that are
 * safe to repeat; a vectored scrub is not retried, because the kernel copies
 * no results back when it is interrupted and the caller must decide.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fsmap.h>

#include "kernel.h"
#include "util.h"

static atomic_uint_fast64_t scrub_calls;

static int do_ioctl(int fd, unsigned long cmd, void *arg, bool restart)
{
	for (;;) {
		if (ioctl(fd, cmd, arg) == 0)
			return 0;
		if (errno != EINTR || !restart)
			return neg_errno();
	}
}

int xk_scrub(int fd, struct xfs_scrub_metadata *sm)
{
	atomic_fetch_add(&scrub_calls, 1);
	return do_ioctl(fd, XFS_IOC_SCRUB_METADATA, sm, true);
}

int xk_scrubv(int fd, struct xfs_scrub_vec_head *head)
{
	atomic_fetch_add(&scrub_calls, head->svh_nr);
	return do_ioctl(fd, XFS_IOC_SCRUBV_METADATA, head, false);
}

int xk_fsgeometry(int fd, struct xst_fsop_geom_v5 *geo)
{
	return do_ioctl(fd, XFS_IOC_FSGEOMETRY, geo, true);
}

int xk_ag_geometry(int fd, struct xfs_ag_geometry *ag)
{
	return do_ioctl(fd, XFS_IOC_AG_GEOMETRY, ag, true);
}

int xk_inumbers(int fd, struct xfs_inumbers_req *req)
{
	return do_ioctl(fd, XFS_IOC_INUMBERS, req, true);
}

int xk_bulkstat(int fd, struct xfs_bulkstat_req *req)
{
	return do_ioctl(fd, XFS_IOC_BULKSTAT, req, true);
}

int xk_bulkstat_single(int fd, uint64_t ino, struct xfs_bstat *out)
{
	__u64 last = ino;
	__s32 count = 0;
	struct xfs_fsop_bulkreq req = {
		.lastip = &last, .icount = 1, .ubuffer = out, .ocount = &count,
	};
	int r = do_ioctl(fd, XFS_IOC_FSBULKSTAT_SINGLE, &req, true);

	if (r == 0 && (count != 1 || out->bs_ino != ino))
		r = -ENOENT;
	return r;
}

int xk_getparents_by_handle(int fd, struct xfs_getparents_by_handle *gph)
{
	return do_ioctl(fd, XFS_IOC_GETPARENTS_BY_HANDLE, gph, true);
}

int xk_fscounts(int fd, struct xfs_fsop_counts *counts)
{
	return do_ioctl(fd, XFS_IOC_FSCOUNTS, counts, true);
}

uint64_t xk_scrub_calls(void)
{
	return atomic_load(&scrub_calls);
}

int xk_health_monitor(int fd, uint64_t flags)
{
	struct xfs_health_monitor hm = {
		.flags = flags,
		.format = XFS_HEALTH_MONITOR_FMT_V0,
	};
	int r;

	do {
		r = ioctl(fd, XFS_IOC_HEALTH_MONITOR, &hm);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? neg_errno() : r;
}

int xk_health_fd_on_monitored_fs(int monitor_fd, int fd)
{
	struct xfs_health_file_on_monitored_fs m = { .fd = fd };

	return do_ioctl(monitor_fd, XFS_IOC_HEALTH_FD_ON_MONITORED_FS, &m, true);
}

int xk_getfsmap(int fd, struct fsmap_head *head)
{
	return do_ioctl(fd, FS_IOC_GETFSMAP, head, true);
}

/* Restartable: the kernel advances me_start_daddr as it verifies. */
int xk_verify_media(int fd, struct xfs_verify_media *me)
{
	return do_ioctl(fd, XFS_IOC_VERIFY_MEDIA, me, true);
}

int xk_getbmapx(int fd, struct getbmapx *map)
{
	return do_ioctl(fd, XFS_IOC_GETBMAPX, map, true);
}

int xk_fd_to_fshandle(int fd, uint8_t fsh[8])
{
	struct xfs_handle h;
	__u32 hlen = sizeof(h);
	xfs_fsop_handlereq_t req = {
		.fd = (__u32)fd,
		.ohandle = &h,
		.ohandlen = &hlen,
	};
	int r = do_ioctl(fd, XFS_IOC_FD_TO_HANDLE, &req, true);

	if (r < 0)
		return r;
	if (hlen < 8 || hlen > sizeof(h))
		return -EINVAL;
	memcpy(fsh, &h, 8);
	return 0;
}

int xk_open_by_handle(int fd, const struct xfs_handle *h, int oflags)
{
	struct xfs_handle copy = *h;
	xfs_fsop_handlereq_t req = {
		.oflags = (__u32)oflags,
		.ihandle = &copy,
		.ihandlen = sizeof(copy),
	};
	int r;

	do {
		r = ioctl(fd, XFS_IOC_OPEN_BY_HANDLE, &req);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? neg_errno() : r;
}
