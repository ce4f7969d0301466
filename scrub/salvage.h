/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Salvage records: what a directory or an xattr set held just before the
 * kernel rebuilt it.  Entries come from two sources: what the kernel can
 * still read (readdir, xattr listing by handle) and the fork's raw blocks
 * read from the device and parsed leniently.  The record is written durably
 * under the state directory (never on the damaged filesystem) before the
 * repair call, compared with the result afterwards, and kept until an
 * operator clears it.  The per-kind work lives in rebuild_xattr.c and
 * rebuild_dir.c; this module holds the shared record, I/O and accounting.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "salvagerec.h"

struct xst_ctx;
struct xst_item;
struct xst_fs;

enum xst_salv_fate {
	XST_FATE_UNKNOWN = 0,
	XST_FATE_KEPT,		/* the rebuilt object has it, unchanged */
	XST_FATE_RESTORED,	/* the kernel dropped it; we put it back */
	XST_FATE_FLAGGED,	/* put back from a block that failed its CRC: unverified */
	XST_FATE_LOST,		/* gone, and the record cannot bring it back */
};

/* Where an entry was seen. */
#define XST_SRC_READABLE	(1u << 0)	/* listed by the kernel before repair */
#define XST_SRC_RAW		(1u << 1)	/* parsed from the raw fork blocks */

struct xst_salv_entry {
	uint8_t ns;		/* xattrs: XST_NS_*; directories: 0 */
	uint8_t namelen;	/* 1..255 */
	char name[256];		/* namelen bytes, NUL-terminated */
	/* xattrs */
	uint32_t valuelen;
	uint8_t *value;		/* NULL when the value could not be read */
	/* directory entries */
	uint64_t ino;
	uint32_t gen;		/* 0: not read (v5 before a restore) or no such inode */
	uint8_t ftype;
	unsigned int sources;	/* XST_SRC_* */
	bool crc_ok;		/* raw: its block passed the CRC check */
	bool name_ok;		/* raw: the stored name hash matches the name */
	enum xst_salv_fate fate;
	char note[64];		/* why lost / flagged, for the record */
};

#define XST_NS_USER	0
#define XST_NS_TRUSTED	1
#define XST_NS_SECURE	2

struct xst_salvage {
	unsigned int type;	/* XFS_SCRUB_TYPE_DIR or _XATTR */
	uint64_t ino;
	uint32_t gen;
	struct xst_salv_entry *v;
	size_t n, cap;
	uint32_t *hidx;		/* open-addressing index over v by (ns, name): slot = i + 1 */
	size_t hcap;		/* slots in hidx, a power of two, or 0 */
	/* raw read statistics */
	unsigned int raw_blocks, raw_badcrc, raw_errors;
	unsigned int raw_hashes;	/* directory leaf hashes read to vouch for names */
	int raw_err;		/* why the raw read failed, or 0 */
	char *record;		/* path of the saved record */
	bool parent_ptrs;	/* directory can be rebuilt from parent pointers */
	/*
	 * Directories on v5 filesystems: the coarse wall clock before any entry
	 * was collected.  A child born before it is the inode the entry named;
	 * one born later is a reused number.  Zero: children's generations
	 * were recorded instead (v4 has no birth times).
	 */
	int64_t born_before_s;
	uint32_t born_before_ns;
	bool raw_skip;		/* a later attempt: the disk may lag the rebuild */
	bool unreadable_after;	/* the object still failed to read after the repair call */
	/*
	 * Directories with parent pointers: the old blocks' addresses, taken
	 * before the repair call and read after it (see rebuild_dir.c), so
	 * that nothing but a fork map stands between a health event and the
	 * repair.  ndefer == 0 and defer_raw false: read before, as always.
	 */
	bool defer_raw;
	bool defer_single;	/* a single-block ("block form") directory */
	struct xst_raw_ext {
		uint64_t lblk, daddr, nblk;
	} *defer;
	size_t ndefer, defer_cap;
	/*
	 * The directory's fd from the map, kept until after the call: closing
	 * it was one more call on the way there.  Valid while defer_fd_set.
	 */
	int defer_fd;
	bool defer_fd_set;
	struct xst_salvage *next;	/* on ctx->salvage_pending between attempts */
};

/* Find an entry by namespace and name, or NULL. */
struct xst_salv_entry *xst_salvage_find(struct xst_salvage *s, uint8_t ns,
					const char *name, size_t namelen);

/*
 * Add or merge an entry seen from source src.  A name seen twice keeps the
 * readable copy's value; raw copies only fill in what is missing.  Takes a
 * copy of value.  Returns the entry, or NULL on allocation failure.
 */
struct xst_salv_entry *xst_salvage_add(struct xst_salvage *s, uint8_t ns,
				       const char *name, size_t namelen,
				       const void *value, uint32_t valuelen,
				       unsigned int src);

/* Open the inode (ino, gen) of fs by handle, read-only.  fd or -errno. */
int xst_salvage_open(const struct xst_fs *fs, uint64_t ino, uint32_t gen);

/*
 * Read a fork's blocks from the data device: map with GETBMAPX (attrfork
 * selects the attr fork) and call fn for each fs block with its logical
 * block number in the fork.  Holes are skipped.  0 or -errno.
 */
typedef int (*xst_block_fn)(void *arg, uint64_t lblk, void *buf, size_t len);

/*
 * Each mapped extent of a fork, through GETBMAPX, from its start up to len_bb
 * 512-byte units (-1: up to the file's size; an explicit length maps past
 * it), in fs blocks: logical block, disk address (512-byte units), length.
 * Holes and delayed allocations are skipped.  fn returns < 0 to fail, 1 to
 * stop, 0 to go on.  0 or -errno.
 */
typedef int (*xst_extent_fn)(void *arg, uint64_t lblk, uint64_t daddr, uint64_t nblk);
int xst_salvage_map_fork(int fd, bool attrfork, int64_t len_bb, xst_extent_fn fn, void *arg,
			 uint32_t blocksize);
int xst_salvage_read_fork(const struct xst_fs *fs, int fd, bool attrfork,
			  uint64_t max_lblk, xst_block_fn fn, void *arg);

/* Read one fs block of the data device at a filesystem block number. */
int xst_salvage_read_fsblock(const struct xst_fs *fs, uint64_t daddr, void *buf, size_t len);

/*
 * The whole-fork entry points used by rebuild.c.  Under ctx->rehearse the
 * take reads nothing but the fork map and saves nothing (see
 * rehearse_event in daemon/manager.c); the caller frees what it returns.
 */
int xst_salvage_take(struct xst_ctx *ctx, const struct xst_item *it, unsigned int type,
		     struct xst_salvage **ret);
bool xst_salvage_settle(struct xst_ctx *ctx, const struct xst_item *it, unsigned int type,
			struct xst_salvage *s, bool kernel_says_fixed, bool final);
void xst_salvage_free(struct xst_salvage *s);

/* Records kept between repair attempts on one object (under ctx->lock). */
struct xst_salvage *xst_salvage_pending_take(struct xst_ctx *ctx, uint64_t ino, uint32_t gen,
					     unsigned int type);
void xst_salvage_pending_put(struct xst_ctx *ctx, struct xst_salvage *s);
void xst_salvage_pending_free(struct xst_ctx *ctx);

/* Save (or re-save with fates) the record durably; sets s->record. */
int xst_salvage_save(struct xst_ctx *ctx, struct xst_salvage *s, const char *phase);

/* Per-kind collectors and restorers (rebuild_xattr.c, rebuild_dir.c). */
int xst_rebuild_xattr_collect(struct xst_ctx *ctx, struct xst_salvage *s);
void xst_rebuild_xattr_restore(struct xst_ctx *ctx, struct xst_salvage *s);
int xst_rebuild_dir_collect(struct xst_ctx *ctx, struct xst_salvage *s);
void xst_rebuild_dir_restore(struct xst_ctx *ctx, struct xst_salvage *s);

/*
 * Call fn for each record of the filesystem with UUID text uuid under
 * statedir, with the record's path and summary; records that cannot be
 * read or parsed are passed with a NULL summary.  0 or -errno (no records
 * is 0).
 */
int xst_salvage_records(const char *statedir, const char *uuid,
			void (*fn)(void *arg, const char *path,
				   const struct xst_salvage_summary *sum),
			void *arg);

/* The records kept for an operator: list to stdout, or clear.  0 or -errno. */
int xst_salvage_list(const char *statedir);
int xst_salvage_clear(const char *statedir);

/* The literal areas of an inode as read from disk (not through the kernel). */
struct xst_raw_inode {
	uint8_t buf[4096];	/* the on-disk inode, inodesize bytes */
	uint8_t format;		/* di_format of the data fork */
	uint8_t aformat;	/* di_aformat */
	uint64_t size;		/* di_size */
	size_t dfork_off, dfork_len;
	size_t afork_off, afork_len;	/* afork_len 0: no attr fork */
};

/* Read inode ino straight from the device.  0 or -errno (-EUCLEAN: implausible). */
int xst_salvage_read_inode(const struct xst_fs *fs, uint64_t ino, struct xst_raw_inode *ri);

/* Fork formats (di_format values) the salvage code cares about. */
#define XST_DINODE_FMT_LOCAL	1
#define XST_DINODE_FMT_EXTENTS	2
#define XST_DINODE_FMT_BTREE	3

/*
 * A v5 block whose checksum fails may be damaged only in its magic number.
 * For each candidate magic (be32, or be16 when the value fits 16 bits) at
 * magic_off: if the stored CRC matches the block with that magic put back,
 * everything else in the block is verified, so patch the buffer (our copy)
 * and return true.  Otherwise leave it alone and return false.
 */
bool xst_salvage_magic_fixup(void *buf, size_t len, size_t magic_off, size_t crc_off,
			     const uint32_t *magics, size_t nmagics, bool be16);
