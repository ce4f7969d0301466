// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The media scan.  Three steps:
 *
 *  1. Plan: walk the space map (GETFSMAP) of every device and keep the
 *     written file data and the log; free space, unwritten preallocations,
 *     attribute forks, extent maps and other metadata are left out (the
 *     metadata scrub reads those).  Ranges are merged only where they touch,
 *     so a read never covers a byte of free space.
 *  2. Read: worker threads take io_max-aligned chunks in disk order and
 *     verify them, with XFS_IOC_VERIFY_MEDIA when the kernel has it (the
 *     kernel reads its own device, no copy to user space) or O_DIRECT reads
 *     of the block device otherwise.  A failing chunk is bisected down to
 *     single filesystem blocks.
 *  3. Map: each merged bad range is looked up in the space map again and
 *     every owner found becomes a finding (file and offset, or metadata).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fsmap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "check.h"
#include "descr.h"
#include "kernel.h"
#include "media.h"
#include "spacemap.h"
#include "util.h"

#define FSMAP_BATCH 1024
#define SECTOR_SHIFT 9

/* ---- pure helpers ---- */

bool xst_media_is_media_error(int r)
{
	switch (r) {
	case -EIO:
	case -EILSEQ:
	case -ENODATA:
	case -ENOSPC:		/* the device ended before the filesystem did */
	case -EREMOTEIO:
		return true;
	default:
		return false;
	}
}

const char *xst_media_owner_name(uint64_t owner)
{
	/* The words upstream uses, so that reports read the same. */
	switch (owner) {
	case XFS_FMR_OWN_FREE: return "free space";
	case XFS_FMR_OWN_UNKNOWN: return "unknown owner";
	case XFS_FMR_OWN_FS: return "static FS metadata";
	case XFS_FMR_OWN_LOG: return "journalling log";
	case XFS_FMR_OWN_AG: return "per-AG metadata";
	case XFS_FMR_OWN_INOBT: return "inode btree blocks";
	case XFS_FMR_OWN_INODES: return "inodes";
	case XFS_FMR_OWN_REFC: return "refcount btree";
	case XFS_FMR_OWN_COW: return "CoW staging";
	case XFS_FMR_OWN_DEFECTIVE: return "bad blocks";
	default: return "unknown metadata";
	}
}

bool xst_media_fsmap_wanted(const struct fsmap *m)
{
	if (m->fmr_length == 0)
		return false;
	/* Unwritten blocks hold nothing to lose; forks and maps are metadata. */
	if (m->fmr_flags & (FMR_OF_PREALLOC | FMR_OF_ATTR_FORK | FMR_OF_EXTENT_MAP))
		return false;
	if (m->fmr_flags & FMR_OF_SPECIAL_OWNER) {
		/*
		 * The log is read here (nothing else reads it back); without
		 * the reverse map all in-use space is "unknown", which is where
		 * the file data is, so it is read too.
		 */
		return m->fmr_owner == XFS_FMR_OWN_LOG ||
		       m->fmr_owner == XFS_FMR_OWN_UNKNOWN;
	}
	return true;
}

static int range_cmp(const void *a, const void *b)
{
	const struct xst_media_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

size_t xst_media_merge(struct xst_media_range *r, size_t n, uint64_t align)
{
	size_t out = 0;

	/* A device with nothing to read has no array at all; qsort wants one. */
	if (n == 0)
		return 0;
	if (align == 0)
		align = 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t s = r[i].start & ~(align - 1);
		uint64_t e = r[i].start + r[i].len;

		e = (e + align - 1) & ~(align - 1);
		r[i].start = s;
		r[i].len = e - s;
	}
	qsort(r, n, sizeof(*r), range_cmp);
	for (size_t i = 0; i < n; i++) {
		if (r[i].len == 0)
			continue;
		if (out > 0 && r[i].start <= r[out - 1].start + r[out - 1].len) {
			uint64_t e = r[i].start + r[i].len;

			if (e > r[out - 1].start + r[out - 1].len)
				r[out - 1].len = e - r[out - 1].start;
			continue;
		}
		r[out++] = r[i];
	}
	return out;
}

uint64_t xst_media_chunk(uint64_t pos, uint64_t end, uint64_t io_max)
{
	uint64_t next;

	if (pos >= end)
		return 0;
	if (io_max == 0)
		return end - pos;
	/* End on a multiple of io_max so that reads stay aligned on the device. */
	next = pos - pos % io_max + io_max;
	return MIN(next, end) - pos;
}

bool xst_media_overlap(const struct fsmap *m, uint64_t bad, uint64_t len,
		       uint64_t *phys, uint64_t *olen, uint64_t *fileoff)
{
	uint64_t s = MAX(bad, m->fmr_physical);
	uint64_t e = MIN(bad + len, m->fmr_physical + m->fmr_length);

	if (s >= e)
		return false;
	*phys = s;
	*olen = e - s;
	/* The file offset moves with the disk address inside one mapping. */
	*fileoff = m->fmr_offset + (s - m->fmr_physical);
	return true;
}

struct isolate {
	xst_media_verify_fn verify;
	void *priv;
	uint64_t block;
	xst_media_bad_fn bad;
	void *arg;
	uint64_t run_start, run_len;	/* bad blocks not yet handed out */
};

static void iso_mark(struct isolate *s, uint64_t off, uint64_t len)
{
	if (s->run_len && s->run_start + s->run_len == off) {
		s->run_len += len;
		return;
	}
	if (s->run_len)
		s->bad(s->arg, s->run_start, s->run_len);
	s->run_start = off;
	s->run_len = len;
}

static int iso_walk(struct isolate *s, uint64_t off, uint64_t len, unsigned int depth)
{
	while (len) {
		uint64_t good = 0, half;
		int r;

		r = s->verify(s->priv, off, len, len <= s->block, &good);
		if (r == 0)
			return 0;
		if (!xst_media_is_media_error(r))
			return r;
		/* Skip what the reader vouched for, in whole blocks. */
		good = MIN(good, len);
		good -= good % s->block;
		off += good;
		len -= good;
		if (len == 0)
			return 0;
		if (len <= s->block || depth >= 64) {
			iso_mark(s, off, len);
			return 0;
		}
		/* Bisect: the clean half costs one read, the bad half recurses. */
		half = len / 2;
		half -= half % s->block;
		if (half == 0)
			half = s->block;
		r = iso_walk(s, off, half, depth + 1);
		if (r < 0)
			return r;
		off += half;
		len -= half;
	}
	return 0;
}

int xst_media_isolate(xst_media_verify_fn verify, void *priv, uint32_t block,
		      uint64_t off, uint64_t len, xst_media_bad_fn bad, void *arg)
{
	struct isolate s = {
		.verify = verify, .priv = priv, .block = block ? block : 512,
		.bad = bad, .arg = arg,
	};
	int r = iso_walk(&s, off, len, 0);

	if (s.run_len)
		bad(arg, s.run_start, s.run_len);
	return r;
}

/* ---- readers ---- */

struct scan;

/* The devices a filesystem can have, in the order they are scanned. */
enum { MDEV_DATA, MDEV_LOG, MDEV_RT, MDEV_NR };

static const uint32_t mdev_ioctl[MDEV_NR] = { XFS_DEV_DATA, XFS_DEV_LOG, XFS_DEV_RT };

struct mdev {
	uint32_t key;		/* its fmr_device in the space map */
	bool present;
	int fd;			/* O_DIRECT: the block device */
	char path[PATH_MAX];
	struct xst_media_range *ranges;	/* planned reads */
	size_t nr, cap;
	struct xst_media_range *bad;	/* bad blocks found */
	size_t nbad, capbad;
};

/* One per worker thread: the reader state and its IO buffer. */
struct worker {
	struct scan *sc;
	pthread_t thread;
	void *buf;		/* O_DIRECT only */
	unsigned int dev;	/* MDEV_* of the chunk being read */
};

struct scan {
	const struct xst_fs *fs;
	const struct xst_media_opts *o;
	const struct xst_media_ops *ops;
	void *arg;
	volatile int *stop;
	uint32_t io_max;
	uint32_t block;
	bool kernel;		/* XFS_IOC_VERIFY_MEDIA */
	struct mdev dev[MDEV_NR];

	pthread_mutex_t lock;	/* cursor, bad lists, first error */
	unsigned int cur_dev;	/* device being handed out */
	size_t cur;		/* its range being handed out */
	uint64_t cur_pos;	/* next byte of it */
	int err;

	atomic_uint_fast64_t verified, reads;
	uint64_t bad_ranges, bad_bytes;	/* reported so far */
};

static int map_bad(struct scan *sc, unsigned int dev, const struct xst_media_range *bad);

/* Merge, map and report the bad ranges collected on device d, then forget them. */
static void report_bad(struct scan *sc, unsigned int d)
{
	struct mdev *md = &sc->dev[d];

	md->nbad = xst_media_merge(md->bad, md->nbad, sc->block);
	for (size_t i = 0; i < md->nbad; i++) {
		int mr;

		sc->bad_ranges++;
		sc->bad_bytes += md->bad[i].len;
		mr = map_bad(sc, d, &md->bad[i]);
		if (mr < 0 && sc->ops->error)
			sc->ops->error(sc->arg, "GETFSMAP", mr);
	}
	md->nbad = 0;
}

static int kernel_verify(void *priv, uint64_t off, uint64_t len, bool single,
			 uint64_t *good)
{
	struct worker *w = priv;
	struct scan *sc = w->sc;
	uint64_t start = off >> SECTOR_SHIFT, end = (off + len) >> SECTOR_SHIFT;
	struct xfs_verify_media me = {
		.me_dev = mdev_ioctl[w->dev],
		.me_start_daddr = start,
		.me_end_daddr = end,
		.me_rest_us = sc->o->rest_us,
		.me_max_io_size = sc->io_max < (1U << 20) ? sc->io_max : 0,
	};
	int r;

	/* Only pinned blocks are published, so the kernel logs exact ranges. */
	if (single && sc->o->kernel_report)
		me.me_flags |= XFS_VERIFY_MEDIA_REPORT;
	atomic_fetch_add(&sc->reads, 1);
	r = xk_verify_media(sc->fs->fd, &me);
	*good = me.me_start_daddr > start ?
		MIN(me.me_start_daddr - start, end - start) << SECTOR_SHIFT : 0;
	if (r < 0)
		return r;
	if (me.me_ioerror)
		return me.me_ioerror <= 4095 ? -(int)me.me_ioerror : -EIO;
	if (me.me_start_daddr >= me.me_end_daddr) {
		/* The kernel clamps the end to the device: a short device. */
		if (me.me_end_daddr < end) {
			*good = (MAX(me.me_end_daddr, start) - start) << SECTOR_SHIFT;
			return -ENOSPC;
		}
		return 0;
	}
	/* Stopped early with no error: treat the rest as unreadable. */
	return -EIO;
}

static int direct_verify(void *priv, uint64_t off, uint64_t len, bool single,
			 uint64_t *good)
{
	struct worker *w = priv;
	struct scan *sc = w->sc;
	uint64_t done = 0;
	int r = 0;

	while (done < len) {
		size_t n = (size_t)MIN(len - done, (uint64_t)sc->io_max);
		ssize_t got;

		atomic_fetch_add(&sc->reads, 1);
		got = pread(sc->dev[w->dev].fd, w->buf, n, (off_t)(off + done));
		if (got < 0) {
			if (errno == EINTR)
				continue;
			r = neg_errno();
			break;
		}
		if (got == 0) {
			r = -ENOSPC;	/* end of device inside the filesystem */
			break;
		}
		done += (uint64_t)got;
		if (sc->o->rest_us && done < len)
			usleep(sc->o->rest_us);
	}
	*good = done;
	return r;
}

static int push(struct xst_media_range **v, size_t *n, size_t *cap,
		uint64_t start, uint64_t len)
{
	/* Extents in a row usually touch: extend in place. */
	if (*n && (*v)[*n - 1].start + (*v)[*n - 1].len == start) {
		(*v)[*n - 1].len += len;
		return 0;
	}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		void *p = realloc(*v, c * sizeof(**v));

		if (!p)
			return -ENOMEM;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = (struct xst_media_range){ start, len };
	return 0;
}

static void add_bad(void *arg, uint64_t off, uint64_t len)
{
	struct worker *w = arg;
	struct scan *sc = w->sc;
	struct mdev *d = &sc->dev[w->dev];

	pthread_mutex_lock(&sc->lock);
	if (push(&d->bad, &d->nbad, &d->capbad, off, len) < 0 && !sc->err)
		sc->err = -ENOMEM;
	pthread_mutex_unlock(&sc->lock);
}

/* The next chunk in device and disk order, or false when all are handed out. */
static bool next_chunk(struct scan *sc, unsigned int *dev, uint64_t *off, uint64_t *len)
{
	bool ok = false;

	pthread_mutex_lock(&sc->lock);
	while (!sc->err && sc->cur_dev < MDEV_NR) {
		const struct mdev *d = &sc->dev[sc->cur_dev];
		const struct xst_media_range *r;
		uint64_t pos, n;

		if (sc->cur >= d->nr) {
			sc->cur_dev++;
			sc->cur = 0;
			sc->cur_pos = 0;
			continue;
		}
		r = &d->ranges[sc->cur];
		pos = MAX(sc->cur_pos, r->start);
		if (sc->cur_dev == sc->o->resume_dev)
			pos = MAX(pos, sc->o->resume_pos);
		n = xst_media_chunk(pos, r->start + r->len, sc->io_max);
		if (n == 0) {
			sc->cur++;
			sc->cur_pos = 0;
			continue;
		}
		*dev = sc->cur_dev;
		*off = pos;
		*len = n;
		sc->cur_pos = pos + n;
		ok = true;
		break;
	}
	pthread_mutex_unlock(&sc->lock);
	return ok;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct scan *sc = w->sc;
	uint64_t off, len;

	while (!*sc->stop && next_chunk(sc, &w->dev, &off, &len)) {
		int r = xst_media_isolate(sc->kernel ? kernel_verify : direct_verify,
					  w, sc->block, off, len, add_bad, w);

		if (r < 0) {
			pthread_mutex_lock(&sc->lock);
			if (!sc->err)
				sc->err = r;
			pthread_mutex_unlock(&sc->lock);
			break;
		}
		atomic_fetch_add(&sc->verified, len);
		/* One thread (checked at the start): the lists are ours alone. */
		if (sc->o->report_each_read)
			report_bad(sc, w->dev);
		if (sc->ops->progress)
			sc->ops->progress(sc->arg, len);
		if (sc->ops->position)
			sc->ops->position(sc->arg, w->dev, off + len);
		/* The kernel rests between its own IOs; pread rests here. */
		if (!sc->kernel && sc->o->rest_us)
			usleep(sc->o->rest_us);
	}
	return NULL;
}

/* ---- planning ---- */

/* How the space map names a device: the kernel's new_encode_dev(). */
static uint32_t fsmap_devkey(dev_t d)
{
	uint32_t ma = major(d), mi = minor(d);

	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffU) << 12);
}

static dev_t fsmap_devkey_decode(uint32_t key)
{
	return makedev((key & 0xfff00) >> 8, (key & 0xff) | ((key >> 12) & 0xfff00));
}

/*
 * Which device a record is on.  The data device is the filesystem's st_dev;
 * an external log holds nothing but the log; anything else is the realtime
 * device.  (XFS_DEV_* values are accepted too, in case a kernel names
 * devices that way.)
 */
static int classify(struct scan *sc, const struct fsmap *m)
{
	uint32_t key = m->fmr_device;

	for (unsigned int i = 0; i < MDEV_NR; i++)
		if (sc->dev[i].present && sc->dev[i].key == key)
			return (int)i;
	if (key == XFS_DEV_DATA)
		return MDEV_DATA;
	if (key == XFS_DEV_LOG ||
	    ((m->fmr_flags & FMR_OF_SPECIAL_OWNER) && m->fmr_owner == XFS_FMR_OWN_LOG))
		return MDEV_LOG;
	return MDEV_RT;
}

static int plan(struct scan *sc)
{
	_cleanup_free_ struct fsmap_head *h = xst_fsmap_alloc(FSMAP_BATCH);
	int r;

	if (!h)
		return -ENOMEM;
	xst_fsmap_range(h, 0, 0, ULLONG_MAX);
	do {
		r = xk_getfsmap(sc->fs->fd, h);
		if (r < 0)
			return r;
		for (unsigned int i = 0; i < h->fmh_entries; i++) {
			const struct fsmap *m = &h->fmh_recs[i];
			struct mdev *d;

			if (!xst_media_fsmap_wanted(m))
				continue;
			d = &sc->dev[classify(sc, m)];
			d->present = true;
			d->key = m->fmr_device;
			r = push(&d->ranges, &d->nr, &d->cap, m->fmr_physical, m->fmr_length);
			if (r < 0)
				return r;
		}
	} while (xst_fsmap_next(h));
	for (unsigned int i = 0; i < MDEV_NR; i++)
		sc->dev[i].nr = xst_media_merge(sc->dev[i].ranges, sc->dev[i].nr, sc->block);
	return 0;
}

/* ---- mapping bad ranges to owners ---- */

static int map_bad(struct scan *sc, unsigned int dev, const struct xst_media_range *bad)
{
	_cleanup_free_ struct fsmap_head *h = xst_fsmap_alloc(FSMAP_BATCH);
	bool found = false;
	int r;

	if (!h)
		return -ENOMEM;
	xst_fsmap_range(h, sc->dev[dev].key, bad->start, bad->start + bad->len - 1);
	do {
		r = xk_getfsmap(sc->fs->fd, h);
		if (r < 0)
			return r;
		for (unsigned int i = 0; i < h->fmh_entries; i++) {
			const struct fsmap *m = &h->fmh_recs[i];
			struct xst_media_finding f = { .device = dev };

			if (m->fmr_device != sc->dev[dev].key ||
			    !xst_media_overlap(m, bad->start, bad->len, &f.physical,
					       &f.length, &f.offset))
				continue;
			/* Never read, so never the cause; freed since: nobody's loss. */
			if (m->fmr_flags & FMR_OF_PREALLOC)
				continue;
			if ((m->fmr_flags & FMR_OF_SPECIAL_OWNER) &&
			    m->fmr_owner == XFS_FMR_OWN_FREE)
				continue;
			found = true;
			if (m->fmr_flags & FMR_OF_SPECIAL_OWNER) {
				f.kind = XST_MEDIA_METADATA;
				f.owner = m->fmr_owner;
				f.offset = 0;
			} else {
				f.ino = m->fmr_owner;
				if (m->fmr_flags & FMR_OF_ATTR_FORK)
					f.kind = XST_MEDIA_ATTR;
				else if (m->fmr_flags & FMR_OF_EXTENT_MAP)
					f.kind = XST_MEDIA_BMBT;
				else
					f.kind = XST_MEDIA_FILE_DATA;
			}
			if (sc->ops->finding)
				sc->ops->finding(sc->arg, &f);
		}
	} while (xst_fsmap_next(h));
	if (!found && sc->ops->finding) {
		/* A loss must never go unreported, even with no owner left to name. */
		struct xst_media_finding f = {
			.kind = XST_MEDIA_METADATA, .device = dev, .physical = bad->start,
			.length = bad->len, .owner = XFS_FMR_OWN_UNKNOWN,
		};

		sc->ops->finding(sc->arg, &f);
	}
	return 0;
}

/* ---- the scan ---- */

/* A device as a path we can open: /dev/block/M:m, else via sysfs. */
static int open_blockdev(dev_t dev, char *path, size_t len)
{
	char uevent[64], line[256];
	FILE *f;
	struct stat st;
	int fd;

	snprintf(path, len, "/dev/block/%u:%u", major(dev), minor(dev));
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd >= 0)
		goto check;
	/* No udev (containers, initramfs): DEVNAME from sysfs. */
	snprintf(uevent, sizeof(uevent), "/sys/dev/block/%u:%u/uevent", major(dev), minor(dev));
	f = fopen(uevent, "re");
	if (!f)
		return -ENODEV;
	fd = -ENODEV;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "DEVNAME=", 8) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, len, "/dev/%s", line + 8);
			fd = 0;
			break;
		}
	}
	fclose(f);
	if (fd < 0)
		return fd;
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
check:
	/* The node must be the device the filesystem sits on. */
	if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) || st.st_rdev != dev) {
		close(fd);
		return -ENODEV;
	}
	return fd;
}

static bool kernel_has_verify(const struct xst_fs *fs)
{
	struct xfs_verify_media me = { .me_dev = XFS_DEV_DATA };

	/* An empty range verifies nothing and proves the ioctl exists. */
	return xk_verify_media(fs->fd, &me) == 0;
}

/* Open the devices for O_DIRECT; method lists their paths. */
static int open_devices(struct scan *sc, char *method, size_t len)
{
	size_t used = 0;

	method[0] = '\0';
	for (unsigned int i = 0; i < MDEV_NR; i++) {
		struct mdev *d = &sc->dev[i];
		dev_t dev;

		if (!d->present && i != MDEV_DATA)
			continue;
		dev = i == MDEV_DATA ? sc->fs->dev : fsmap_devkey_decode(d->key);
		d->fd = open_blockdev(dev, d->path, sizeof(d->path));
		if (d->fd < 0) {
			snprintf(method, len, "opening device %u:%u", major(dev), minor(dev));
			return d->fd;
		}
		used += (size_t)snprintf(method + used, len - MIN(used, len), "%s%s",
					 used ? ", " : "", d->path);
		if (used >= len)
			used = len - 1;
	}
	return 0;
}

int xst_media_scan(const struct xst_fs *fs, const struct xst_media_opts *o,
		   const struct xst_media_ops *ops, void *arg,
		   volatile int *stop, struct xst_media_stats *st)
{
	static const struct xst_media_ops no_ops;
	struct scan sc = {
		.fs = fs, .o = o, .ops = ops ? ops : &no_ops, .arg = arg, .stop = stop,
	};
	_cleanup_free_ struct worker *w = NULL;
	char method[3 * PATH_MAX];
	uint64_t total = 0;
	unsigned int nthreads = o->nthreads ? o->nthreads : 1, started = 0;
	int r;

	memset(st, 0, sizeof(*st));
	if (o->report_each_read && nthreads > 1)
		return -EINVAL;
	pthread_mutex_init(&sc.lock, NULL);
	for (unsigned int i = 0; i < MDEV_NR; i++)
		sc.dev[i].fd = -1;
	sc.block = fs->geo.blocksize ? fs->geo.blocksize : 4096;
	sc.io_max = o->io_max ? o->io_max : XST_MEDIA_IO_MAX;
	/* Reads are whole blocks: a partial one would fail O_DIRECT. */
	sc.io_max = MAX(sc.io_max - sc.io_max % sc.block, sc.block);
	sc.dev[MDEV_DATA].key = fsmap_devkey(fs->dev);
	sc.dev[MDEV_DATA].present = true;

	r = plan(&sc);
	if (r < 0) {
		if (sc.ops->error)
			sc.ops->error(sc.arg, "GETFSMAP", r);
		goto out;
	}
	for (unsigned int d = 0; d < MDEV_NR; d++)
		for (size_t i = 0; i < sc.dev[d].nr; i++)
			total += sc.dev[d].ranges[i].len;
	st->total = total;

	sc.kernel = !o->no_verify_media && kernel_has_verify(fs);
	if (sc.kernel) {
		snprintf(method, sizeof(method), "XFS_IOC_VERIFY_MEDIA");
	} else {
		r = open_devices(&sc, method, sizeof(method));
		if (r < 0) {
			if (sc.ops->error)
				sc.ops->error(sc.arg, method, r);
			goto out;
		}
	}
	st->kernel_verify = sc.kernel;
	sc.cur_dev = MIN(o->resume_dev, (unsigned int)MDEV_NR);
	if (sc.ops->started)
		sc.ops->started(sc.arg, total, method);

	w = calloc(nthreads, sizeof(*w));
	if (!w) {
		r = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < nthreads; i++) {
		w[i].sc = &sc;
		if (!sc.kernel && posix_memalign(&w[i].buf, 4096, sc.io_max) != 0) {
			r = -ENOMEM;
			break;
		}
	}
	/* The first worker runs on this thread, so one thread needs no spawn. */
	for (unsigned int i = 1; r == 0 && i < nthreads; i++) {
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0)
			break;
		started = i;
	}
	if (r == 0)
		worker_main(&w[0]);
	for (unsigned int i = 1; i <= started; i++)
		pthread_join(w[i].thread, NULL);
	for (unsigned int i = 0; i < nthreads; i++)
		free(w[i].buf);
	if (r == 0)
		r = sc.err;
	if (r < 0 && sc.ops->error)
		sc.ops->error(sc.arg, sc.kernel ? "XFS_IOC_VERIFY_MEDIA" : method, r);

	/* Report what was found even if the scan ended early. */
	for (unsigned int d = 0; d < MDEV_NR; d++)
		report_bad(&sc, d);
	st->bad_ranges = sc.bad_ranges;
	st->bad_bytes = sc.bad_bytes;
	if (r == 0 && *stop)
		r = -EINTR;
out:
	st->verified = atomic_load(&sc.verified);
	st->reads = atomic_load(&sc.reads);
	for (unsigned int d = 0; d < MDEV_NR; d++) {
		if (sc.dev[d].fd >= 0)
			close(sc.dev[d].fd);
		free(sc.dev[d].ranges);
		free(sc.dev[d].bad);
	}
	pthread_mutex_destroy(&sc.lock);
	return r;
}

/* ---- xfs_scrub phase 6 ---- */

#define RATE_EVERY_NS (5LL * 1000000000LL)

struct phase {
	struct xst_ctx *ctx;
	uint64_t total;
	atomic_uint_fast64_t done;
	struct timespec t0;
	pthread_mutex_t lock;
	int64_t last_ns;	/* when the last rate line was printed */
};

static int64_t since_ns(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - t0->tv_sec) * 1000000000LL + (now.tv_nsec - t0->tv_nsec);
}

static double mib(uint64_t b)
{
	return (double)b / (1024.0 * 1024.0);
}

static void ph_started(void *arg, uint64_t total, const char *method)
{
	struct phase *p = arg;

	p->total = total;
	xst_progress_phase(p->ctx->prog, 6, "Verify data file integrity.", total);
	if (p->ctx->rep->verbose || p->ctx->rep->debug)
		xst_out(p->ctx->rep, "%s: verifying %.1f MiB of file data and log with %s.\n",
			p->ctx->fs->mountpoint, mib(total), method);
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
}

static void ph_progress(void *arg, uint64_t bytes)
{
	struct phase *p = arg;
	uint64_t done = atomic_fetch_add(&p->done, bytes) + bytes;
	int64_t ns;

	xst_progress_add(p->ctx->prog, bytes);
	if (!p->ctx->rep->verbose)
		return;
	ns = since_ns(&p->t0);
	pthread_mutex_lock(&p->lock);
	if (ns - p->last_ns >= RATE_EVERY_NS && done < p->total) {
		double rate = (double)done / ((double)ns / 1e9);
		double eta = rate > 0 ? (double)(p->total - done) / rate : 0;

		p->last_ns = ns;
		xst_out(p->ctx->rep, "Phase 6: %.1f of %.1f MiB verified, %.1f MiB/s, ETA %um%02us.\n",
			mib(done), mib(p->total), mib((uint64_t)rate),
			(unsigned int)(eta / 60), (unsigned int)eta % 60);
	}
	pthread_mutex_unlock(&p->lock);
}

int xst_media_describe_inode(const struct xst_fs *fs, uint64_t ino, uint32_t *gen,
			     char *buf, size_t len)
{
	/* One record after the header, without a struct that ends in a flexible array. */
	union {
		struct xfs_bulkstat_req req;
		char space[XFS_BULKSTAT_REQ_SIZE(1)];
	} b;
	char path[XST_DESCR_MAX - 64];
	const char *mnt = fs->mountpoint;
	size_t ml = strlen(mnt);

	/* Handles carry the generation; the space map does not. */
	memset(&b, 0, sizeof(b));
	b.req.hdr.ino = ino;
	b.req.hdr.icount = 1;
	if (xk_bulkstat(fs->fd, &b.req) == 0 && b.req.hdr.ocount == 1 &&
	    b.req.bulkstat[0].bs_ino == ino) {
		if (gen)
			*gen = b.req.bulkstat[0].bs_gen;
		if (xst_path_of(fs, ino, b.req.bulkstat[0].bs_gen, path, sizeof(path)) == 0) {
			snprintf(buf, len, "%s%s%s", mnt,
				 (ml && mnt[ml - 1] == '/') || !path[0] ? "" : "/", path);
			return 0;
		}
	}
	snprintf(buf, len, "inode %" PRIu64 " (%u/%u)", ino, xst_ino_agno(fs, ino),
		 xst_ino_agino(fs, ino));
	return -ENOENT;
}

static void ph_finding(void *arg, const struct xst_media_finding *f)
{
	struct phase *p = arg;
	struct xst_ctx *ctx = p->ctx;
	char what[XST_DESCR_MAX];

	if (f->kind == XST_MEDIA_METADATA) {
		static const char *const where[] = {
			[XST_MEDIA_DEV_DATA] = "disk",
			[XST_MEDIA_DEV_LOG] = "log device",
			[XST_MEDIA_DEV_RT] = "realtime device",
		};

		/*
		 * As upstream 7.2 prints it (seen side by side in the VM test):
		 * a byte offset, and metadata loss counts as corruption, which
		 * the metadata repair may still be able to rebuild.
		 */
		snprintf(what, sizeof(what), "%s offset %" PRIu64, where[f->device], f->physical);
		xst_msg(ctx->rep, XST_CORRUPT, what, "media error in %s.",
			xst_media_owner_name(f->owner));
		return;
	}
	(void)xst_media_describe_inode(ctx->fs, f->ino, NULL, what, sizeof(what));
	switch (f->kind) {
	case XST_MEDIA_ATTR:
		xst_msg(ctx->rep, XST_UNFIXABLE, what, "media error in extended attribute data.");
		break;
	case XST_MEDIA_BMBT:
		xst_msg(ctx->rep, XST_UNFIXABLE, what, "media error in extent map.");
		break;
	default:
		xst_msg(ctx->rep, XST_UNFIXABLE, what,
			"media error at data offset %" PRIu64 " length %" PRIu64 ".",
			f->offset, f->length);
		break;
	}
}

static void ph_error(void *arg, const char *what, int r)
{
	struct phase *p = arg;
	char buf[512];

	snprintf(buf, sizeof(buf), "%s: %s", p->ctx->fs->mountpoint, what);
	xst_msg_errno(p->ctx->rep, buf, r);
}

int xst_media_phase(struct xst_ctx *ctx, const struct xst_media_opts *o)
{
	static const struct xst_media_ops ops = {
		.started = ph_started,
		.progress = ph_progress,
		.finding = ph_finding,
		.error = ph_error,
	};
	struct phase p = { .ctx = ctx };
	struct xst_media_stats st;
	int r;

	pthread_mutex_init(&p.lock, NULL);
	clock_gettime(CLOCK_MONOTONIC, &p.t0);
	r = xst_media_scan(ctx->fs, o, &ops, &p, &ctx->stop, &st);
	if (ctx->rep->verbose && st.total) {
		double s = (double)since_ns(&p.t0) / 1e9;

		xst_out(ctx->rep, "Phase 6: verified %.1f MiB in %.2fs (%.1f MiB/s, %" PRIu64
			" reads); %" PRIu64 " bad ranges.\n",
			mib(st.verified), s, s > 0 ? mib(st.verified) / s : 0.0,
			st.reads, st.bad_ranges);
	}
	pthread_mutex_destroy(&p.lock);
	return r;
}
