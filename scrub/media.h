/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Media verification (xfs_scrub -x, phase 6): read back every written byte
 * of file data (and the log) to learn whether the disk can still return it,
 * pin each failure down to the filesystem block, and name what owned the
 * lost blocks: a file and its data offset, or a piece of metadata.  Free
 * space is never read.  The scan is a function of a filesystem, options and
 * callbacks, so that the one-shot CLI and the daemon run the same code; it
 * prints nothing itself.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs.h"

struct fsmap;
struct xst_ctx;

/* A byte range on one device. */
struct xst_media_range {
	uint64_t start, len;
};

struct xst_media_opts {
	uint32_t io_max;	/* bytes per read; 0: XST_MEDIA_IO_MAX */
	uint32_t rest_us;	/* pause after each read (-b) */
	unsigned int nthreads;	/* concurrent reads; 0: 1 */
	bool no_verify_media;	/* read the device with O_DIRECT even on 7.0+ */
	bool kernel_report;	/* let the kernel publish pinned bad blocks */
	/*
	 * Resume: start at byte resume_pos of device resume_dev (enum
	 * xst_media_device); everything before it in device and disk order is
	 * taken as done.  Zeroes: from the beginning.
	 */
	unsigned int resume_dev;
	uint64_t resume_pos;
	/*
	 * Report each read's bad blocks before the next read (one thread
	 * only), so that every finding before a resume point has been
	 * reported.  Off: reported at the end, merged across reads.
	 */
	bool report_each_read;
};

#define XST_MEDIA_IO_MAX	(32U << 20)
#define XST_MEDIA_IO_BACKGROUND	(256U << 10)

/* What a bad range belonged to. */
enum xst_media_kind {
	XST_MEDIA_FILE_DATA,	/* ino/gen, offset in the file */
	XST_MEDIA_ATTR,		/* an inode's extended attribute blocks */
	XST_MEDIA_BMBT,		/* an inode's extent map (bmbt) blocks */
	XST_MEDIA_METADATA,	/* a special owner: owner */
};

/* Which device of the filesystem. */
enum xst_media_device {
	XST_MEDIA_DEV_DATA,
	XST_MEDIA_DEV_LOG,	/* an external log */
	XST_MEDIA_DEV_RT,	/* the realtime device */
};

struct xst_media_finding {
	enum xst_media_kind kind;
	enum xst_media_device device;
	uint64_t physical;	/* bytes on that device */
	uint64_t length;	/* bytes */
	uint64_t ino;		/* not for METADATA */
	uint64_t offset;	/* FILE_DATA: byte offset in the file */
	uint64_t owner;		/* METADATA: XFS_FMR_OWN_* */
};

/*
 * Callbacks, all optional.  started: once, with the bytes to verify and the
 * method ("XFS_IOC_VERIFY_MEDIA" or the device path).  progress: bytes done,
 * from any worker thread.  finding: one per (bad range, owner), after the
 * scan.  error: an operational error that ended (part of) the scan.
 */
struct xst_media_ops {
	void (*started)(void *arg, uint64_t total, const char *method);
	void (*progress)(void *arg, uint64_t bytes);
	/*
	 * position: after each read, the device and the byte after it: with
	 * one thread, everything before it is verified, which makes it a
	 * resume point (opts.resume_*).  It runs on the reading thread, so it
	 * may also sleep (throttling, pause); setting *stop ends the scan.
	 */
	void (*position)(void *arg, unsigned int device, uint64_t next);
	void (*finding)(void *arg, const struct xst_media_finding *f);
	void (*error)(void *arg, const char *what, int r);
};

struct xst_media_stats {
	uint64_t total;		/* bytes scheduled */
	uint64_t verified;	/* bytes read (good or bad) */
	uint64_t bad_bytes;
	uint64_t bad_ranges;	/* merged bad ranges found */
	uint64_t reads;		/* read or verify calls issued */
	bool kernel_verify;	/* XFS_IOC_VERIFY_MEDIA was used */
};

/*
 * Verify the written data and the log of fs, on the data device, an
 * external log device and the realtime device.  Returns 0 when the scan ran
 * to the end (media errors are findings, not failures), -EINTR when *stop
 * was set, or the errno of an operational failure (reported through
 * ops->error as well).
 */
int xst_media_scan(const struct xst_fs *fs, const struct xst_media_opts *o,
		   const struct xst_media_ops *ops, void *arg,
		   volatile int *stop, struct xst_media_stats *st);

/*
 * Phase 6 of xfs_scrub: the scan above, with findings reported as
 * upstream's "Unfixable Error" messages, progress in bytes, and with -v a
 * rate and an ETA every few seconds.
 */
int xst_media_phase(struct xst_ctx *ctx, const struct xst_media_opts *o);

/*
 * The absolute path of a finding's inode through parent pointers (0, and
 * *gen set when gen is not NULL), else "inode N (agno/agino)" in buf and
 * -ENOENT.
 */
int xst_media_describe_inode(const struct xst_fs *fs, uint64_t ino, uint32_t *gen,
			     char *buf, size_t len);

/* ---- pure helpers, exposed for the unit tests ---- */

/* Whether a space-map record is data this scan reads. */
bool xst_media_fsmap_wanted(const struct fsmap *m);

/*
 * Round each range outward to align (a power of two), sort, and merge those
 * that overlap or touch.  Ranges with a gap between them stay apart: the
 * gap is free space or metadata we must not read.  Returns the new count.
 */
size_t xst_media_merge(struct xst_media_range *r, size_t n, uint64_t align);

/* Length of the read at pos (< end): up to io_max, ending on an io_max boundary. */
uint64_t xst_media_chunk(uint64_t pos, uint64_t end, uint64_t io_max);

/*
 * The part of a space-map record that lies in [bad, bad + len): its start
 * on disk, its length, and for file data the file offset of that start.
 * False when they do not overlap.
 */
bool xst_media_overlap(const struct fsmap *m, uint64_t bad, uint64_t len,
		       uint64_t *phys, uint64_t *olen, uint64_t *fileoff);

/*
 * Find the bad blocks of [off, off + len) with a verify function, by
 * bisection down to single blocks.  verify returns 0 (clean), a media error
 * (-EIO, -EILSEQ, -ENODATA, -ENOSPC for a short device) with *good set to
 * the bytes known clean from off, or any other errno (operational, ends the
 * search).  bad is called with merged bad ranges in ascending order.
 */
typedef int (*xst_media_verify_fn)(void *priv, uint64_t off, uint64_t len,
				   bool single, uint64_t *good);
typedef void (*xst_media_bad_fn)(void *arg, uint64_t off, uint64_t len);
int xst_media_isolate(xst_media_verify_fn verify, void *priv, uint32_t block,
		      uint64_t off, uint64_t len, xst_media_bad_fn bad, void *arg);

/* Whether a verify/read errno means the medium failed (not the caller). */
bool xst_media_is_media_error(int r);

/* Upstream's name for a special owner: "journalling log", "inodes", ... */
const char *xst_media_owner_name(uint64_t owner);
