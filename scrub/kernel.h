/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel seam: the only place that issues XFS ioctls.  Every function
 * returns 0 or a negative errno and nothing else, so callers triage errors in
 * one style, and unit tests can link a fake in place of kernel.c.
 */
#pragma once

#include <stdint.h>

#include "xfs_uapi.h"

int xk_scrub(int fd, struct xfs_scrub_metadata *sm);
int xk_scrubv(int fd, struct xfs_scrub_vec_head *head);
int xk_fsgeometry(int fd, struct xst_fsop_geom_v5 *geo);
int xk_ag_geometry(int fd, struct xfs_ag_geometry *ag);
int xk_inumbers(int fd, struct xfs_inumbers_req *req);
int xk_bulkstat(int fd, struct xfs_bulkstat_req *req);
/*
 * One inode by number (the v1 single call): an inode already in memory is
 * read from there, without the inode btree walk and cluster readahead a
 * one-inode XFS_IOC_BULKSTAT does.  -EINVAL or -ENOENT when not allocated.
 */
int xk_bulkstat_single(int fd, uint64_t ino, struct xfs_bstat *out);
int xk_getparents_by_handle(int fd, struct xfs_getparents_by_handle *gph);
int xk_fscounts(int fd, struct xfs_fsop_counts *counts);

/* Scrub calls issued (single calls and vector items) since start. */
uint64_t xk_scrub_calls(void);

/*
 * Attach a health monitor (Linux 7.0+) to the filesystem of fd (its root
 * directory).  Returns the new monitor fd, or -ENOTTY (no such ioctl),
 * -EEXIST (another monitor is attached), -EPERM, -EINVAL.
 */
int xk_health_monitor(int fd, uint64_t flags);
/* 0 if fd is on the filesystem monitor_fd watches; -ESTALE if not. */
int xk_health_fd_on_monitored_fs(int monitor_fd, int fd);

/*
 * FS_IOC_GETFSMAP on any fd of the filesystem: the space map between
 * head->fmh_keys[0] and [1].  -EOPNOTSUPP or -ENOTTY without support.
 */
struct fsmap_head;
int xk_getfsmap(int fd, struct fsmap_head *head);
/*
 * XFS_IOC_VERIFY_MEDIA (Linux 7.0+) on the mount fd.  0 with me_start_daddr
 * == me_end_daddr: verified clean; 0 with me_ioerror set: a media error at
 * or after me_start_daddr.  -ENOTTY: the kernel does not have it.
 */
int xk_verify_media(int fd, struct xfs_verify_media *me);

/*
 * XFS_IOC_GETBMAPX on an open file: the block map of its data fork, or of
 * its attr fork with BMV_IF_ATTRFORK in map[0].bmv_iflags.  map[0] is the
 * request header (bmv_count entries including itself), map[1..] the extents.
 */
int xk_getbmapx(int fd, struct getbmapx *map);

/*
 * The fs handle of the filesystem fd is on: the 8 bytes (the XFS fsid) that
 * start every handle on it, as XFS_IOC_PATH_TO_FSHANDLE returns them, taken
 * from XFS_IOC_FD_TO_HANDLE on fd itself so that no path is looked up
 * again.  -EINVAL: fd is not on XFS.
 */
int xk_fd_to_fshandle(int fd, uint8_t fsh[8]);

/* XFS_IOC_OPEN_BY_HANDLE on a directory fd of the fs: a new fd, or -errno. */
int xk_open_by_handle(int fd, const struct xfs_handle *h, int oflags);
