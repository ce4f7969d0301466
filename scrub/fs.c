// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening a mounted filesystem.  The mount-point test compares the device of
 * the path with that of its parent (or the path is "/"), which holds for bind
 * mounts of a subdirectory too; the XFS test is the geometry ioctl itself.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/fsmap.h>

#include "fs.h"
#include "kernel.h"
#include "spacemap.h"
#include "util.h"

#define XFS_SUPER_MAGIC_VALUE 0x58465342

static unsigned int log2_roundup(uint64_t v)
{
	unsigned int l = 0;

	while ((UINT64_C(1) << l) < v)
		l++;
	return l;
}

/*
 * Whether fd is the root of a mount; *dev and *ino are set from the same
 * look.  One statx where the kernel reports mount roots (5.8), which the
 * daemon's path to an event's repair call is better without the lookup of
 * "path/.." for.
 */
static int is_mount_point(int fd, const char *path, dev_t *dev, ino_t *ino)
{
	_cleanup_free_ char *parent = NULL;
	struct statx stx;
	struct stat st, pst;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_INO, &stx) == 0) {
		*dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
		*ino = stx.stx_ino;
		if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
			return !!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	}
	if (fstat(fd, &st) < 0)
		return neg_errno();
	*dev = st.st_dev;
	*ino = st.st_ino;
	if (asprintf(&parent, "%s/..", path) < 0)
		return -ENOMEM;
	if (stat(parent, &pst) < 0)
		return neg_errno();
	/* The root of the namespace is its own parent. */
	if (st.st_dev == pst.st_dev && st.st_ino == pst.st_ino)
		return 1;
	return st.st_dev != pst.st_dev;
}

struct xst_fs *xst_fs_free(struct xst_fs *fs)
{
	if (!fs)
		return NULL;
	if (fs->fd >= 0)
		close(fs->fd);
	if (fs->bdev) {
		if (fs->bdev->fd >= 0)
			close(fs->bdev->fd);
		pthread_mutex_destroy(&fs->bdev->lock);
		free(fs->bdev->hint);
		free(fs->bdev);
	}
	free(fs->mountpoint);
	free(fs);
	return NULL;
}

static void fs_freep(struct xst_fs **fs)
{
	xst_fs_free(*fs);
}

int xst_fs_open(const char *path, struct xst_fs **ret)
{
	_cleanup_(fs_freep) struct xst_fs *fs = NULL;
	struct statfs sfs;
	dev_t dev;
	ino_t ino;
	uint32_t f;
	int r;

	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->fd = -1;
	fs->mountpoint = strdup(path);
	fs->bdev = calloc(1, sizeof(*fs->bdev));
	if (!fs->mountpoint || !fs->bdev)
		return -ENOMEM;
	fs->bdev->fd = -1;
	fs->bdev->discard = -1;
	fs->bdev->fsmap_dev = -1;
	pthread_mutex_init(&fs->bdev->lock, NULL);

	fs->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOATIME);
	if (fs->fd < 0 && errno == EPERM)	/* O_NOATIME needs ownership */
		fs->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->fd < 0)
		return neg_errno();
	if (fstatfs(fs->fd, &sfs) < 0)
		return neg_errno();
	if (sfs.f_type != XFS_SUPER_MAGIC_VALUE)
		return -ENOTTY;
	r = is_mount_point(fs->fd, path, &dev, &ino);
	if (r < 0)
		return r;
	if (r == 0)
		return -EXDEV;
	fs->dev = dev;
	fs->root_ino = ino;

	r = xk_fsgeometry(fs->fd, &fs->geo);
	if (r < 0)
		return r;
	if (fs->geo.inodesize == 0 || fs->geo.blocksize < fs->geo.inodesize ||
	    fs->geo.agblocks == 0 || fs->geo.agcount == 0)
		return -EUCLEAN;
	fs->agblklog = log2_roundup(fs->geo.agblocks);
	fs->inopblog = log2_roundup(fs->geo.blocksize / fs->geo.inodesize);
	fs->agino_log = fs->agblklog + fs->inopblog;

	f = fs->geo.flags;
	fs->has_rmapbt = f & XFS_FSOP_GEOM_FLAGS_RMAPBT;
	fs->has_reflink = f & XFS_FSOP_GEOM_FLAGS_REFLINK;
	fs->has_parent = f & XFS_FSOP_GEOM_FLAGS_PARENT;
	fs->has_exchange = f & XFS_FSOP_GEOM_FLAGS_EXCHANGE_RANGE;
	fs->has_metadir = f & XFS_FSOP_GEOM_FLAGS_METADIR;
	fs->has_finobt = f & XFS_FSOP_GEOM_FLAGS_FINOBT;
	fs->has_quota = f & XFS_FSOP_GEOM_FLAGS_QUOTA;
	fs->has_realtime = fs->geo.rtblocks > 0;

	/* The fs handle (fsid) is the first half of any handle on the fs. */
	r = xk_fd_to_fshandle(fs->fd, fs->fsid);
	if (r < 0)
		return r;

	*ret = TAKE_PTR(fs);
	return 0;
}

void xst_fs_set_device_hint(const struct xst_fs *fs, const char *path)
{
	if (!fs->bdev || !path || path[0] != '/')
		return;
	pthread_mutex_lock(&fs->bdev->lock);
	free(fs->bdev->hint);
	fs->bdev->hint = strdup(path);
	pthread_mutex_unlock(&fs->bdev->lock);
}

void xst_fs_set_discard(const struct xst_fs *fs, bool on)
{
	if (!fs->bdev)
		return;
	pthread_mutex_lock(&fs->bdev->lock);
	fs->bdev->discard = on;
	pthread_mutex_unlock(&fs->bdev->lock);
}

int xst_mountinfo_each(dev_t dev, int (*fn)(void *arg, const char *src, const char *sopts),
		       void *arg)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int r = 0;

	if (!f)
		return neg_errno();
	while (r == 0 && getline(&line, &cap, f) > 0) {
		unsigned int maj, mnr;
		char *sep, src[4096], opts[1024];

		if (sscanf(line, "%*u %*u %u:%u", &maj, &mnr) != 2 || makedev(maj, mnr) != dev)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%*s %4095s %1023s", src, opts) != 2)
			continue;
		r = fn(arg, src, opts);
	}
	fclose(f);
	return r;
}

bool xst_mount_opt_has(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	/* A mountinfo line cut short has no option list at all. */
	if (!opts)
		return false;
	for (const char *p = opts; n && (p = strstr(p, opt)); p += n)
		if ((p == opts || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/* "discard" among the superblock options: 1, else 0 (and stop at the first line). */
static int has_discard(void *arg, const char *src, const char *sopts)
{
	*(int *)arg = xst_mount_opt_has(sopts, "discard");
	return 1;
}

static int discard_from_mountinfo(dev_t dev)
{
	int found = -1;

	(void)xst_mountinfo_each(dev, has_discard, &found);
	return found;
}

bool xst_fs_online_discard(const struct xst_fs *fs)
{
	int d;

	if (!fs->bdev)
		return true;
	pthread_mutex_lock(&fs->bdev->lock);
	if (fs->bdev->discard < 0)
		fs->bdev->discard = discard_from_mountinfo(fs->dev);
	d = fs->bdev->discard;
	pthread_mutex_unlock(&fs->bdev->lock);
	return d != 0;
}

int xst_fs_fsmap_datadev(const struct xst_fs *fs, uint32_t *dev)
{
	_cleanup_free_ struct fsmap_head *h = NULL;
	int r = 0;

	if (fs->geo.logstart == 0 || fs->geo.rtblocks != 0 || !fs->bdev)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&fs->bdev->lock);
	if (fs->bdev->fsmap_dev < 0) {
		h = xst_fsmap_alloc(1);
		if (!h) {
			r = -ENOMEM;
			goto out;
		}
		xst_fsmap_range(h, 0, 0, ULLONG_MAX);
		r = xk_getfsmap(fs->fd, h);
		if (r == 0 && h->fmh_entries < 1)
			r = -ENODATA;
		if (r < 0)
			goto out;
		fs->bdev->fsmap_dev = h->fmh_recs[0].fmr_device;
	}
	*dev = (uint32_t)fs->bdev->fsmap_dev;
out:
	pthread_mutex_unlock(&fs->bdev->lock);
	return r;
}

void xst_fs_set_fsmap_datadev(const struct xst_fs *fs, uint32_t dev)
{
	if (!fs->bdev)
		return;
	pthread_mutex_lock(&fs->bdev->lock);
	fs->bdev->fsmap_dev = dev;
	pthread_mutex_unlock(&fs->bdev->lock);
}

bool xst_fs_fsmap_datadev_known(const struct xst_fs *fs, uint32_t *dev)
{
	bool known;

	if (!fs->bdev)
		return false;
	pthread_mutex_lock(&fs->bdev->lock);
	known = fs->bdev->fsmap_dev >= 0;
	if (known)
		*dev = (uint32_t)fs->bdev->fsmap_dev;
	pthread_mutex_unlock(&fs->bdev->lock);
	return known;
}

void xst_fs_handle(const struct xst_fs *fs, uint64_t ino, uint32_t gen,
		   struct xfs_handle *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(&h->ha_fsid, fs->fsid, sizeof(fs->fsid));
	h->ha_fid.fid_len = sizeof(h->ha_fid) - sizeof(h->ha_fid.fid_len);
	h->ha_fid.fid_gen = gen;
	h->ha_fid.fid_ino = ino;
}
