/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A mounted XFS filesystem as the scrubber sees it: an fd on its root, its
 * geometry and features, the inode-number layout, and the fs handle used for
 * handle-based calls.  Opening validates the edge: the path must exist, be a
 * mount point, and be XFS.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "xfs_uapi.h"

struct xst_fs {
	char *mountpoint;	/* as the user gave it, for messages */
	int fd;			/* O_RDONLY|O_DIRECTORY on the root */
	dev_t dev;
	struct xst_fsop_geom_v5 geo;
	unsigned int agblklog;	/* bits of an fs block number that are AG-relative */
	unsigned int inopblog;	/* log2 of inodes per block */
	unsigned int agino_log;	/* bits of an inode number that are AG-relative */
	uint64_t root_ino;
	uint8_t fsid[8];	/* first half of every handle on this fs */
	bool has_rmapbt, has_reflink, has_parent, has_exchange;
	bool has_metadir, has_finobt, has_quota, has_realtime;
	/*
	 * The data device opened for raw salvage reads, on first use, closed
	 * with the fs: held no longer, so that a daemon keeps no block device
	 * open between jobs (that would defer a loop device's detach and make
	 * `dmsetup remove` fail).  Mutable state behind a const fs.
	 */
	struct xst_fs_bdev *bdev;
};

struct xst_fs_bdev {
	pthread_mutex_t lock;
	int fd;
	char *hint;	/* the mount source, if the caller knows it already */
	int discard;	/* mounted with online discard: 1, 0, or -1 not known yet */
	int64_t fsmap_dev;	/* the data device's GETFSMAP key, or -1 not known yet */
};

/*
 * The data device's path as the caller found it in the mount table: tried
 * first (and checked by device number) when raw reads need the device, to
 * spare a parse of mountinfo on the way to a repair.
 */
void xst_fs_set_device_hint(const struct xst_fs *fs, const char *path);

/*
 * Whether the filesystem is mounted with online discard (freed blocks are
 * discarded soon after the free commits).  A caller that read the mount
 * table already says so; otherwise it is looked up in mountinfo once.
 * Unknown counts as yes.
 */
void xst_fs_set_discard(const struct xst_fs *fs, bool on);

/* Whether a comma-separated mount option list (NULL: none) holds opt as a whole option. */
bool xst_mount_opt_has(const char *opts, const char *opt);

/*
 * Each /proc/self/mountinfo line of device dev: fn gets the mount source and
 * the superblock options, and returns 0 to go on or anything else to stop
 * (returned).  0 when no line stopped it, or -errno.
 */
int xst_mountinfo_each(dev_t dev, int (*fn)(void *arg, const char *src, const char *sopts),
		       void *arg);
bool xst_fs_online_discard(const struct xst_fs *fs);

/*
 * The data device's key in GETFSMAP records (a device number or, on newer
 * kernels, a fixed cookie), learnt from the first record once.  Only on
 * filesystems with one device (internal log, no realtime device), where the
 * first record is the data device's: -EOPNOTSUPP on others.
 */
int xst_fs_fsmap_datadev(const struct xst_fs *fs, uint32_t *dev);
/*
 * The key as learnt by an earlier open of the same filesystem, so that a
 * daemon asks once per watch: set it before the first use; read it back
 * (false: not learnt) before freeing the fs.
 */
void xst_fs_set_fsmap_datadev(const struct xst_fs *fs, uint32_t dev);
bool xst_fs_fsmap_datadev_known(const struct xst_fs *fs, uint32_t *dev);

/*
 * Open the filesystem mounted at path.  -ENOENT: no such path; -ENOTDIR:
 * not a directory; -EXDEV: not a mount point; -ENOTTY: not XFS; -EPERM or
 * -EACCES: not permitted.
 */
int xst_fs_open(const char *path, struct xst_fs **ret);
struct xst_fs *xst_fs_free(struct xst_fs *fs);

static inline uint32_t xst_ino_agno(const struct xst_fs *fs, uint64_t ino)
{
	return (uint32_t)(ino >> fs->agino_log);
}

static inline uint32_t xst_ino_agino(const struct xst_fs *fs, uint64_t ino)
{
	return (uint32_t)(ino & ((UINT64_C(1) << fs->agino_log) - 1));
}

/* A full file handle for (ino, gen) on this fs. */
void xst_fs_handle(const struct xst_fs *fs, uint64_t ino, uint32_t gen,
		   struct xfs_handle *h);
