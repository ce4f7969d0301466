// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lossless directory rebuilds.  With parent pointers the kernel rebuilds a
 * directory from its children's back links; without them it salvages the
 * entries it can parse, and children it cannot place end up unreachable or
 * in /lost+found under their inode number.  Before the repair we record
 * every entry we can find (readdir, then the raw data blocks or the short
 * form in the inode), with each child's generation.  After it, an entry the
 * directory lacks is put back: from /lost+found when the adopted inode's
 * number and generation match, or by linking the still-allocated child back
 * under its name.  A child that reappears under another name is flagged as
 * possibly renamed.  Nothing is renamed silently.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "dirblock.h"
#include "kernel.h"
#include "ondisk.h"
#include "salvage.h"
#include "util.h"

/* Directory data lives in the first 32 GiB of the fork, the leaves in the next. */
#define DIR_DATA_BYTES	(UINT64_C(32) << 30)
#define DIR_LEAF_END	(UINT64_C(64) << 30)

static int ino_gen(const struct xst_fs *fs, uint64_t ino, uint32_t *gen, uint32_t *nlink)
{
	struct {
		struct xfs_bulk_ireq hdr;
		struct xfs_bulkstat bs[1];
	} req;
	int r;

	memset(&req, 0, sizeof(req));
	req.hdr.ino = ino;
	req.hdr.icount = 1;
	r = xk_bulkstat(fs->fd, (struct xfs_bulkstat_req *)&req);
	if (r < 0)
		return r;
	if (req.hdr.ocount != 1 || req.bs[0].bs_ino != ino)
		return -ENOENT;
	*gen = req.bs[0].bs_gen;
	if (nlink)
		*nlink = req.bs[0].bs_nlink;
	return 0;
}

/*
 * The leaf blocks map each entry's address to the hash of its name.  A name
 * parsed from a damaged data block whose hash matches its leaf pair is
 * proven intact, whatever the block's checksum says; one that cannot be
 * vouched for that way, from a block that failed its checksum, can only be
 * flagged.
 */
struct dirctx {
	struct xst_salvage *s;
	struct xst_dir_geo geo;
	bool single_block;
	struct xst_dirleaf leaf;	/* (hash, address) pairs of the leaf blocks */
	struct xst_dirents raw;		/* entries parsed from data blocks */
};

static void add_dirent(struct xst_salvage *s, const char *name, size_t len, uint64_t ino,
		       unsigned int src, bool crc_ok, bool name_ok, uint8_t ftype)
{
	struct xst_salv_entry *e;

	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return;
	/* One name twice in the raw blocks: the damage renamed one onto another. */
	e = xst_salvage_find(s, 0, name, len);
	if (e && (src & XST_SRC_RAW) && (e->sources & XST_SRC_RAW) && e->ino != ino) {
		char dup[300];
		int n = snprintf(dup, sizeof(dup), "<damaged duplicate of %.*s>", (int)len, name);

		e = xst_salvage_add(s, 0, dup, (size_t)MIN(n, 255), NULL, 0, src);
		if (e) {
			e->ino = ino;
			e->name_ok = false;
			e->crc_ok = false;
		}
		return;
	}
	e = xst_salvage_add(s, 0, name, len, NULL, 0, src);
	if (!e)
		return;
	if (!e->ino)
		e->ino = ino;
	if (!e->ftype)
		e->ftype = ftype;
	if (!(e->sources & XST_SRC_READABLE)) {
		e->crc_ok = crc_ok;
		e->name_ok = name_ok;
	}
}

static void collect_readable(struct xst_salvage *s, int fd)
{
	DIR *d = fdopendir(dup(fd));
	struct dirent *de;

	if (!d)
		return;
	/* A damaged block ends the listing early; what came before still counts. */
	while ((de = readdir(d)))
		add_dirent(s, de->d_name, strlen(de->d_name), de->d_ino, XST_SRC_READABLE,
			   true, true, 0);
	closedir(d);
}

static int parse_block(void *arg, uint64_t lblk, void *buf, size_t len)
{
	struct dirctx *c = arg;
	struct xst_dirblock_info info;
	int r;

	if (lblk * len >= DIR_DATA_BYTES) {
		xst_dirleaf_parse(buf, len, &c->geo, &c->leaf, NULL);
		return 0;
	}
	c->s->raw_blocks++;
	if (c->geo.v5) {
		/* A magic-only damage leaves the checksum provable: see the fixup. */
		static const uint32_t magics[] = { XST_DIR3_DATA_MAGIC, XST_DIR3_BLOCK_MAGIC };

		xst_salvage_magic_fixup(buf, len, 0, XST_DIR3_CRC_OFF, magics,
					ARRAY_SIZE(magics), false);
	}
	r = xst_dirblock_parse(buf, len, &c->geo, (uint32_t)lblk,
			       c->single_block ? XST_DIRBLK_BLOCK : XST_DIRBLK_DATA, &c->raw, &info);
	if (r < 0) {
		c->s->raw_errors++;
		return 0;
	}
	if (!info.crc_ok)
		c->s->raw_badcrc++;
	return 0;
}

/*
 * An entry the leaf indexes but no data block yielded existed and cannot be
 * read back: record it as lost, by position, so the count stays honest.
 */
static void add_unreadable(struct dirctx *c)
{
	for (size_t j = 0; j < c->leaf.n; j++) {
		uint64_t byte = (uint64_t)c->leaf.v[j].address << 3;
		bool seen = false;
		char name[80];
		struct xst_salv_entry *e;
		int n;

		for (size_t i = 0; i < c->raw.n && !seen; i++)
			seen = (uint64_t)c->raw.v[i].dblock * c->geo.dirblksize + c->raw.v[i].offset == byte;
		/* "." and ".." sit first in block 0 and are never user entries. */
		if (seen || c->leaf.v[j].address == 0 || byte < 64 + 2 * 16)
			continue;
		n = snprintf(name, sizeof(name), "<unreadable entry at block %llu offset %llu>",
			     (unsigned long long)(byte / c->geo.dirblksize),
			     (unsigned long long)(byte % c->geo.dirblksize));
		e = xst_salvage_add(c->s, 0, name, (size_t)n, NULL, 0, XST_SRC_RAW);
		if (e) {
			e->name_ok = false;
			e->crc_ok = false;
			snprintf(e->note, sizeof(e->note), "entry unreadable in the damaged block");
		}
	}
}

/* With every block read: judge each raw name against the leaf hashes. */
static void add_raw_entries(struct dirctx *c)
{
	xst_dirents_check_leaf(&c->raw, &c->leaf, &c->geo);
	for (size_t i = 0; i < c->raw.n; i++) {
		const struct xst_dirent *d = &c->raw.v[i];
		bool verified = d->flags & XST_DENT_HASH_VERIFIED;
		bool name_ok = !(d->flags & XST_DENT_NAME_SUSPECT) && (verified || d->crc_ok);

		add_dirent(c->s, (const char *)d->name, d->namelen, d->ino, XST_SRC_RAW,
			   d->crc_ok || verified, name_ok, d->ftype);
	}
}

/* On-disk inode facts for walking an extents-format data fork. */
#define DI_BIG_NEXTENTS_OFF	24
#define DI_NEXTENTS_OFF		76
#define DI_FLAGS2_OFF		120
#define DI_FLAG2_NREXT64	(UINT64_C(1) << 4)

/*
 * GETBMAPX maps a directory only up to its size, and its leaf blocks live
 * 32 GiB in, so read them through the raw inode's own extent list (an
 * extents-format fork: the common case).  Each packed record: flag(1),
 * startoff(54), startblock(52), blockcount(21), big-endian.
 */
static void read_leaves(const struct xst_fs *fs, struct dirctx *c, const struct xst_raw_inode *ri)
{
	const uint32_t bs = fs->geo.blocksize;
	const uint64_t leaf_first = DIR_DATA_BYTES / bs, leaf_end = DIR_LEAF_END / bs;
	const unsigned int agblklog = fs->agblklog;
	uint64_t n, flags2 = xst_be64(ri->buf + DI_FLAGS2_OFF);
	_cleanup_free_ void *buf = NULL;

	if (ri->format != XST_DINODE_FMT_EXTENTS || posix_memalign(&buf, 4096, bs) != 0)
		return;
	n = (flags2 & DI_FLAG2_NREXT64) ? xst_be64(ri->buf + DI_BIG_NEXTENTS_OFF) :
					  xst_be32(ri->buf + DI_NEXTENTS_OFF);
	n = MIN(n, (uint64_t)(ri->dfork_len / 16));	/* the fork bounds the count */
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *rec = ri->buf + ri->dfork_off + i * 16;
		uint64_t l0 = xst_be64(rec), l1 = xst_be64(rec + 8);
		uint64_t off = (l0 >> 9) & ((UINT64_C(1) << 54) - 1);
		uint64_t fsb = ((l0 & 0x1ff) << 43) | (l1 >> 21);
		uint64_t len = l1 & ((UINT64_C(1) << 21) - 1);
		uint64_t agno = fsb >> agblklog, agbno = fsb & ((UINT64_C(1) << agblklog) - 1);

		if (off + len <= leaf_first || off >= leaf_end || agno >= fs->geo.agcount)
			continue;
		for (uint64_t k = 0; k < len && k < 1024; k++) {
			uint64_t daddr = (agno * fs->geo.agblocks + agbno + k) * (bs / 512);

			if (off + k < leaf_first || off + k >= leaf_end)
				continue;
			if (xst_salvage_read_fsblock(fs, daddr, buf, bs) == 0)
				xst_dirleaf_parse(buf, bs, &c->geo, &c->leaf, NULL);
		}
	}
}

static void collect_raw(struct xst_ctx *ctx, struct xst_salvage *s, int fd)
{
	const struct xst_fs *fs = ctx->fs;
	struct dirctx c = { .s = s };
	struct xst_raw_inode ri;
	int r;

	c.geo.dirblksize = fs->geo.dirblocksize ? fs->geo.dirblocksize : fs->geo.blocksize;
	c.geo.v5 = fs->geo.flags & XFS_FSOP_GEOM_FLAGS_V5SB;
	c.geo.ftype = c.geo.v5 || (fs->geo.flags & XFS_FSOP_GEOM_FLAGS_FTYPE);
	r = xst_salvage_read_inode(fs, s->ino, &ri);
	if (r < 0) {
		s->raw_err = r;
		return;
	}
	if (ri.format == XST_DINODE_FMT_LOCAL) {
		struct xst_dirents out = { 0 };
		size_t len = MIN(ri.dfork_len, (size_t)ri.size);

		if (xst_dir_sf_parse(ri.buf + ri.dfork_off, len, c.geo.ftype, &out, NULL) == 0)
			for (size_t i = 0; i < out.n; i++)
				add_dirent(s, (const char *)out.v[i].name, out.v[i].namelen,
					   out.v[i].ino, XST_SRC_RAW, true,
					   !(out.v[i].flags & XST_DENT_NAME_SUSPECT), out.v[i].ftype);
		xst_dirents_free(&out);
		return;
	}
	/* Multi-block directory blocks would need assembling; one fs block each here. */
	if (c.geo.dirblksize != fs->geo.blocksize) {
		s->raw_err = -EOPNOTSUPP;
		return;
	}
	c.single_block = ri.size == c.geo.dirblksize;
	r = xst_salvage_read_fork(fs, fd, false, DIR_LEAF_END / fs->geo.blocksize - 1,
				  parse_block, &c);
	if (r < 0)
		s->raw_err = r;
	if (!c.single_block)
		read_leaves(fs, &c, &ri);
	add_raw_entries(&c);
	s->raw_hashes = (unsigned int)c.leaf.n;
	add_unreadable(&c);
	xst_dirents_free(&c.raw);
	xst_dirleaf_free(&c.leaf);
}

int xst_rebuild_dir_collect(struct xst_ctx *ctx, struct xst_salvage *s)
{
	_cleanup_close_ int fd = xst_salvage_open(ctx->fs, s->ino, s->gen);

	s->parent_ptrs = ctx->fs->has_parent;
	if (fd >= 0)
		collect_readable(s, fd);
	else
		s->raw_err = fd;
	if (!s->raw_skip)
		collect_raw(ctx, s, fd);
	/* Remember each child's generation: restores must not pick up a reused inode. */
	for (size_t i = 0; i < s->n; i++)
		if (ino_gen(ctx->fs, s->v[i].ino, &s->v[i].gen, NULL) < 0)
			s->v[i].gen = 0;
	return 0;
}

/* Name of an entry in dirfd that points at ino, into out; false if none. */
static bool find_by_ino(int dirfd, uint64_t ino, char *out, size_t len)
{
	DIR *d = fdopendir(dup(dirfd));
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	rewinddir(d);
	while ((de = readdir(d))) {
		if (de->d_ino == ino && strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(out, len, "%s", de->d_name);
			found = true;
			break;
		}
	}
	closedir(d);
	return found;
}

static void restore_one(struct xst_ctx *ctx, struct xst_salvage *s, int dirfd, int lpf,
			struct xst_salv_entry *e)
{
	char other[256];
	struct stat st;
	uint32_t gen = 0, nlink = 0;
	int r;

	if (e->ino == 0) {
		/* Known to have existed, unreadable: nothing to put back. */
		e->fate = XST_FATE_LOST;
		return;
	}

	/* Present under its name, same inode: kept. */
	if (fstatat(dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (st.st_ino == e->ino && !e->name_ok) {
			/* The rebuild kept a name the damage may have changed. */
			e->fate = XST_FATE_FLAGGED;
			snprintf(e->note, sizeof(e->note), "possibly renamed: name unverified");
			return;
		}
		if (st.st_ino == e->ino) {
			e->fate = XST_FATE_KEPT;
			return;
		}
		e->fate = XST_FATE_LOST;
		snprintf(e->note, sizeof(e->note), "name now points at inode %llu",
			 (unsigned long long)st.st_ino);
		return;
	}
	if (e->gen == 0 || ino_gen(ctx->fs, e->ino, &gen, &nlink) < 0 || gen != e->gen) {
		e->fate = XST_FATE_LOST;
		snprintf(e->note, sizeof(e->note), "inode %llu gone or reused",
			 (unsigned long long)e->ino);
		return;
	}
	if (!e->name_ok) {
		/* Never put a file back under a name the damage may have made up. */
		if (lpf >= 0 && find_by_ino(lpf, e->ino, other, sizeof(other))) {
			e->fate = XST_FATE_FLAGGED;
			snprintf(e->note, sizeof(e->note), "in lost+found/%.24s, name unverified",
				 other);
		} else if (find_by_ino(dirfd, e->ino, other, sizeof(other))) {
			e->fate = XST_FATE_FLAGGED;
			snprintf(e->note, sizeof(e->note), "possibly renamed to %.40s", other);
		} else {
			e->fate = XST_FATE_LOST;
			snprintf(e->note, sizeof(e->note), "salvaged name not trustworthy");
		}
		return;
	}
	/* In the directory under another name: possibly renamed by the rebuild. */
	if (find_by_ino(dirfd, e->ino, other, sizeof(other))) {
		if (e->crc_ok && renameat2(dirfd, other, dirfd, e->name, RENAME_NOREPLACE) == 0) {
			e->fate = XST_FATE_RESTORED;
			snprintf(e->note, sizeof(e->note), "renamed back from %.40s", other);
		} else {
			e->fate = XST_FATE_FLAGGED;
			snprintf(e->note, sizeof(e->note), "possibly renamed to %.40s", other);
		}
		return;
	}
	/* Adopted into the orphanage: move it back when number and generation match. */
	if (lpf >= 0 && find_by_ino(lpf, e->ino, other, sizeof(other))) {
		r = renameat2(lpf, other, dirfd, e->name, RENAME_NOREPLACE);
		if (r == 0) {
			e->fate = e->crc_ok ? XST_FATE_RESTORED : XST_FATE_FLAGGED;
			snprintf(e->note, sizeof(e->note), "%s", e->crc_ok ? "from lost+found" :
				 "from lost+found; name unverified");
			return;
		}
	}
	/* Still allocated and linked nowhere we know: link it back by handle. */
	if (nlink > 0 && e->ftype != 2 /* directories cannot be hard linked */) {
		_cleanup_close_ int fd = xst_salvage_open(ctx->fs, e->ino, gen);

		if (fd >= 0 && linkat(fd, "", dirfd, e->name, AT_EMPTY_PATH) == 0) {
			e->fate = e->crc_ok ? XST_FATE_RESTORED : XST_FATE_FLAGGED;
			snprintf(e->note, sizeof(e->note), "%s", e->crc_ok ? "linked back" :
				 "linked back; name unverified");
			return;
		}
	}
	e->fate = XST_FATE_LOST;
	snprintf(e->note, sizeof(e->note), "not found after the rebuild");
	(void)s;
}

void xst_rebuild_dir_restore(struct xst_ctx *ctx, struct xst_salvage *s)
{
	_cleanup_close_ int dirfd = xst_salvage_open(ctx->fs, s->ino, s->gen);
	_cleanup_close_ int lpf = openat(ctx->fs->fd, "lost+found", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (size_t i = 0; i < s->n; i++) {
		if (dirfd < 0) {
			s->v[i].fate = XST_FATE_LOST;
			snprintf(s->v[i].note, sizeof(s->v[i].note), "directory not openable");
			continue;
		}
		restore_one(ctx, s, dirfd, lpf, &s->v[i]);
	}
}
