// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lossless directory rebuilds.  With parent pointers the kernel rebuilds a
 * directory from its children's back links; without them it salvages the
 * entries it can parse, and children it cannot place end up unreachable or
 * in /lost+found under their inode number.  Before the repair we record
 * every entry we can find (readdir, then the raw data blocks or the short
 * form in the inode), with each child's generation; with parent pointers
 * only the fork map is taken before it and the old blocks are read after
 * (see "the deferred raw read").  After it, an entry the
 * directory lacks is put back: from /lost+found when the adopted inode's
 * number and generation match, or by linking the still-allocated child back
 * under its name.  A child that reappears under another name is flagged as
 * possibly renamed.  Nothing is renamed silently.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <linux/fsmap.h>

#include "check.h"
#include "dirblock.h"
#include "kernel.h"
#include "ondisk.h"
#include "salvage.h"
#include "spacemap.h"
#include "trace.h"
#include "util.h"

/* Directory data lives in the first 32 GiB of the fork, the leaves in the next. */
#define DIR_DATA_BYTES	(UINT64_C(32) << 30)
#define DIR_LEAF_END	(UINT64_C(64) << 30)

struct child {
	uint32_t gen, nlink;
	int64_t btime_s;	/* birth time, v5 only */
	uint32_t btime_ns;
};

static int child_stat(const struct xst_fs *fs, uint64_t ino, struct child *c)
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
	c->gen = req.bs[0].bs_gen;
	c->nlink = req.bs[0].bs_nlink;
	c->btime_s = req.bs[0].bs_btime;
	c->btime_ns = req.bs[0].bs_btime_nsec;
	return 0;
}

/*
 * Is the allocated inode e->ino still the one the entry named?  With a
 * generation recorded before the repair, it must match; otherwise (v5) the
 * inode must have been born before the salvage began: a number freed and
 * handed to a new file since then carries a later birth time.  Birth times
 * come from the same coarse clock, so "before" is strict, and a child made
 * in the very tick the salvage began counts as reused (reported lost, never
 * a stranger linked in).
 */
static bool same_child(const struct xst_salvage *s, const struct xst_salv_entry *e,
		       const struct child *c)
{
	if (e->gen)
		return c->gen == e->gen;
	if (!s->born_before_s)
		return false;
	return c->btime_s < s->born_before_s ||
	       (c->btime_s == s->born_before_s && c->btime_ns < s->born_before_ns);
}

/* Inode numbers of one inode chunk are consecutive; children made together share chunks. */
#define GEN_WINDOW 64

struct ino_ref {
	uint64_t ino;
	size_t idx;
};

static int cmp_ino_ref(const void *a, const void *b)
{
	const struct ino_ref *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/*
 * Each entry's child generation, with one bulkstat call per run of nearby
 * inode numbers rather than one per entry (300 calls cost ~40 ms under
 * TCG, on the way to the repair call).  A call asks for no more records
 * than the span of wanted numbers it covers, so scattered children cost at
 * most one record each, as before.  Entries whose inode is not returned
 * (freed) keep generation 0: never restored.
 */
static void read_generations(const struct xst_fs *fs, struct xst_salvage *s)
{
	struct {
		struct xfs_bulk_ireq hdr;
		struct xfs_bulkstat bs[GEN_WINDOW];
	} *req = NULL;
	_cleanup_free_ struct ino_ref *refs = NULL;
	size_t n = 0, i = 0;

	for (size_t k = 0; k < s->n; k++)
		s->v[k].gen = 0;
	refs = calloc(s->n ? s->n : 1, sizeof(*refs));
	req = malloc(sizeof(*req));
	if (!refs || !req) {
		free(req);
		return;
	}
	for (size_t k = 0; k < s->n; k++)
		if (s->v[k].ino)
			refs[n++] = (struct ino_ref){ s->v[k].ino, k };
	qsort(refs, n, sizeof(*refs), cmp_ino_ref);
	while (i < n) {
		uint64_t first = refs[i].ino, last = first;
		uint32_t got;

		for (size_t j = i; j < n && refs[j].ino - first < GEN_WINDOW; j++)
			last = refs[j].ino;
		memset(&req->hdr, 0, sizeof(req->hdr));
		req->hdr.ino = first;
		req->hdr.icount = (uint32_t)(last - first + 1);
		if (xk_bulkstat(fs->fd, (struct xfs_bulkstat_req *)req) < 0) {
			i++;	/* this one stays unknown; try the rest */
			continue;
		}
		got = MIN(req->hdr.ocount, (uint32_t)GEN_WINDOW);
		/* Both lists are sorted: merge. */
		for (uint32_t b = 0; b < got && i < n; b++) {
			while (i < n && refs[i].ino < req->bs[b].bs_ino)
				i++;	/* not allocated: skipped by bulkstat */
			while (i < n && refs[i].ino == req->bs[b].bs_ino)
				s->v[refs[i++].idx].gen = req->bs[b].bs_gen;
		}
		/* Wanted numbers up to the last one asked for and not returned are gone. */
		while (i < n && refs[i].ino <= last)
			i++;
		if (got == 0)
			break;	/* nothing allocated from here on */
	}
	free(req);
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

static void dir_geo(const struct xst_fs *fs, struct xst_dir_geo *g)
{
	g->dirblksize = fs->geo.dirblocksize ? fs->geo.dirblocksize : fs->geo.blocksize;
	g->v5 = fs->geo.flags & XFS_FSOP_GEOM_FLAGS_V5SB;
	g->ftype = g->v5 || (fs->geo.flags & XFS_FSOP_GEOM_FLAGS_FTYPE);
}

static void collect_raw(struct xst_ctx *ctx, struct xst_salvage *s, int fd)
{
	const struct xst_fs *fs = ctx->fs;
	struct dirctx c = { .s = s };
	struct xst_raw_inode ri;
	int r;

	dir_geo(fs, &c.geo);
	r = xst_salvage_read_inode(fs, s->ino, &ri);
	xst_trace("salvage: raw inode read");
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
	xst_trace("salvage: data blocks read");
	if (!c.single_block)
		read_leaves(fs, &c, &ri);
	xst_trace("salvage: leaf blocks read");
	add_raw_entries(&c);
	xst_trace("salvage: raw entries added");
	s->raw_hashes = (unsigned int)c.leaf.n;
	add_unreadable(&c);
	xst_dirents_free(&c.raw);
	xst_dirleaf_free(&c.leaf);
}

/* ---- the deferred raw read ---- */

/*
 * With parent pointers the kernel rebuilds a directory from its children's
 * back links, and a health event's repair waits for nothing but the repair
 * call.  So only the fork map is taken before the call (one GETBMAPX over
 * the data and leaf blocks), and the old blocks are read by that map after
 * it.  The kernel builds the new directory in new
 * blocks and frees the old ones at the end without writing them; a freed
 * extent is not handed out again before the free is committed to the log,
 * and metadata reaches the disk later still.  Each block read afterwards
 * must still name this directory as owner and its own address as blkno
 * (every v5 directory block carries both), or it counts as unreadable.
 * Online discard would zero freed blocks: such mounts read before, as do
 * v4 filesystems, filesystems without parent pointers (there the salvage is
 * the rescue, not the accounting), later attempts and unusual forks.
 *
 * Measured under TCG (bench/guest/event-repair.sh): the readdir, raw reads
 * and durable record before the call kept the directory unreadable ~45 ms
 * longer than xfs_healer's bare repair call.
 */
#define DEFER_MAX_EXTENTS 4096

static int defer_add(void *arg, uint64_t lblk, uint64_t daddr, uint64_t nblk)
{
	struct xst_salvage *s = arg;
	struct xst_raw_ext *v;

	if (s->ndefer >= DEFER_MAX_EXTENTS)
		return -E2BIG;
	if (s->ndefer == s->defer_cap) {
		/* Doubling: one realloc per extent copied the map over and over. */
		size_t cap = s->defer_cap ? 2 * s->defer_cap : 16;

		v = reallocarray(s->defer, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->defer = v;
		s->defer_cap = cap;
	}
	s->defer[s->ndefer++] = (struct xst_raw_ext){ lblk, daddr, nblk };
	return 0;
}

static bool can_defer(const struct xst_ctx *ctx, const struct xst_salvage *s)
{
	const struct xst_fs *fs = ctx->fs;
	struct xst_dir_geo g;

	dir_geo(fs, &g);
	return !s->raw_skip && g.v5 && fs->has_parent && g.dirblksize == fs->geo.blocksize &&
	       !xst_fs_online_discard(fs);
}

/*
 * The data and leaf blocks' map, from GETBMAPX with an explicit length: -1
 * stops at the directory's size, but the leaf blocks live 32 GiB in (seen
 * in the VM: a 300-entry directory of size 16 KiB, its leaf at 32 GiB).
 * One ioctl, the kernel's current view, and no raw inode read before the
 * repair.  No extents at all (short form in the inode): read before.
 */
static int capture_map(struct xst_ctx *ctx, struct xst_salvage *s, int fd)
{
	const uint32_t bs = ctx->fs->geo.blocksize;
	int r;

	if (fd < 0)
		return fd;
	r = xst_salvage_map_fork(fd, false, (int64_t)(DIR_LEAF_END / 512), defer_add, s, bs);
	if (r < 0)
		return r;
	if (!s->ndefer)
		return -ENODATA;
	/*
	 * Block form is one block at 0 and no leaf blocks: the map tells it
	 * even when the magic that would is the damage (and a leaf-form
	 * directory can be one data block long too, so the size cannot).
	 */
	s->defer_single = s->ndefer == 1 && s->defer[0].lblk == 0 && s->defer[0].nblk == 1;
	return 0;
}

static void drop_map(struct xst_salvage *s)
{
	free(s->defer);
	s->defer = NULL;
	s->ndefer = s->defer_cap = 0;
}

static int by_lblk(const void *a, const void *b)
{
	const struct xst_raw_ext *x = a, *y = b;

	return x->lblk < y->lblk ? -1 : x->lblk > y->lblk;
}

/*
 * The same map from the reverse-mapping btree (GETFSMAP), without opening
 * the directory.  Opening one reads its first block ahead, and when that
 * block is the damage the kernel prints another corruption report for a
 * read nobody asked for: ten console lines that took ~1.5 ms of the way
 * from a health event to the repair call under TCG (more on a real serial
 * console), and an entry in the kernel log that reads like new damage.
 * Only the inode's own AG is searched (a directory's blocks are allocated
 * near its inode) and at most RMAP_RECS_MAX records of it.  The map counts
 * only if the blocks found add up to the inode's block count (every fork
 * and extent-map block has its record), read by the one-inode bulkstat
 * that takes an inode in memory from there (the sick one is), without
 * the inode btree walk and the cluster readahead of XFS_IOC_BULKSTAT, a
 * disk read or two where the btree is cold.  A directory changed
 * between the two would have to keep its count to pass, and one changed
 * after is the race GETBMAPX's map has too.  Blocks read by the map after
 * the call are checked for owner and address either way.  Anything else:
 * GETBMAPX on the open directory, as before.
 */
#define RMAP_BATCH	256
#define RMAP_RECS_MAX	4096

/* One batch of records: the directory's own blocks go on the map. */
static int take_rmap_records(struct xst_salvage *s, const struct fsmap_head *h, uint32_t dev,
			     uint64_t bs, uint64_t *found)
{
	for (unsigned int i = 0; i < h->fmh_entries; i++) {
		const struct fsmap *m = &h->fmh_recs[i];
		int r;

		if (m->fmr_device != dev || (m->fmr_flags & FMR_OF_SPECIAL_OWNER) ||
		    m->fmr_owner != s->ino || m->fmr_length % bs || m->fmr_physical % bs)
			continue;
		*found += m->fmr_length / bs;
		if ((m->fmr_flags & (FMR_OF_ATTR_FORK | FMR_OF_EXTENT_MAP)) ||
		    m->fmr_offset >= DIR_LEAF_END)
			continue;
		r = defer_add(s, m->fmr_offset / bs, m->fmr_physical / 512, m->fmr_length / bs);
		if (r < 0)
			return r;
	}
	return 0;
}

static void sort_map(struct xst_salvage *s)
{
	qsort(s->defer, s->ndefer, sizeof(*s->defer), by_lblk);
	s->defer_single = s->ndefer == 1 && s->defer[0].lblk == 0 && s->defer[0].nblk == 1;
}

static int capture_map_rmap(struct xst_ctx *ctx, struct xst_salvage *s)
{
	const struct xst_fs *fs = ctx->fs;
	const uint64_t bs = fs->geo.blocksize, agbytes = (uint64_t)fs->geo.agblocks * bs;
	const uint32_t agno = xst_ino_agno(fs, s->ino);
	_cleanup_free_ struct fsmap_head *h = NULL;
	struct xfs_bstat st;
	uint64_t found = 0, seen = 0;
	uint32_t dev;
	int r;

	if (!fs->has_rmapbt || agno >= fs->geo.agcount)
		return -EOPNOTSUPP;
	r = xst_fs_fsmap_datadev(fs, &dev);
	if (r < 0)
		return r;
	r = xk_bulkstat_single(fs->fd, s->ino, &st);
	if (r < 0)
		return r;
	if (st.bs_gen != s->gen || !S_ISDIR(st.bs_mode) || st.bs_blocks <= 0)
		return -ESTALE;
	h = xst_fsmap_alloc(RMAP_BATCH);
	if (!h)
		return -ENOMEM;
	xst_fsmap_range(h, dev, agno * agbytes, (agno + 1) * agbytes - 1);
	do {
		r = xk_getfsmap(fs->fd, h);
		if (r < 0)
			return r;
		r = take_rmap_records(s, h, dev, bs, &found);
		if (r < 0)
			return r;
		seen += h->fmh_entries;
		if (found >= (uint64_t)st.bs_blocks)
			break;
		if (seen >= RMAP_RECS_MAX)
			return -E2BIG;
	} while (xst_fsmap_next(h));
	xst_trace("salvage: %" PRIu64 " space map records, %" PRIu64 " of %" PRIu64 " blocks found",
		  seen, found, (uint64_t)st.bs_blocks);
	if (found != (uint64_t)st.bs_blocks || !s->ndefer)
		return -ENODATA;
	sort_map(s);
	return 0;
}

/*
 * A rehearsal's directory (the root; ctx->rehearse) is usually short-form:
 * no blocks, no space map records, so the record loop above would first run
 * at a real event, on its way to the repair call.  It runs here instead, in
 * memory, on made-up records of each kind the loop tells apart (static
 * metadata, another owner, the directory's extent map block and two of its
 * blocks out of order); the map is dropped.
 */
static void rehearse_rmap(const struct xst_ctx *ctx, struct xst_salvage *s)
{
	const uint64_t bs = ctx->fs->geo.blocksize;
	const struct fsmap recs[] = {
		{ .fmr_flags = FMR_OF_SPECIAL_OWNER, .fmr_owner = FMR_OWNER('X', 1),
		  .fmr_length = bs },
		{ .fmr_owner = s->ino + 1, .fmr_physical = bs, .fmr_length = bs },
		{ .fmr_owner = s->ino, .fmr_physical = 2 * bs, .fmr_length = bs,
		  .fmr_flags = FMR_OF_EXTENT_MAP },
		{ .fmr_owner = s->ino, .fmr_physical = 3 * bs, .fmr_length = bs, .fmr_offset = bs },
		{ .fmr_owner = s->ino, .fmr_physical = 4 * bs, .fmr_length = bs },
	};
	_cleanup_free_ struct fsmap_head *h = xst_fsmap_alloc(ARRAY_SIZE(recs));
	uint64_t found = 0;

	if (!h)
		return;
	memcpy(h->fmh_recs, recs, sizeof(recs));
	h->fmh_entries = ARRAY_SIZE(recs);
	if (take_rmap_records(s, h, 0, bs, &found) == 0)
		sort_map(s);
	drop_map(s);
}

/* The block at daddr still belongs to this directory: owner and self address. */
static bool still_ours(const struct xst_salvage *s, uint64_t lblk, uint64_t leaf_first,
		       const uint8_t *b, uint64_t daddr)
{
	if (lblk < leaf_first)
		return xst_be64(b + 8) == daddr && xst_be64(b + XST_DIR3_OWNER_OFF) == s->ino;
	return xst_be64(b + 16) == daddr && xst_be64(b + XST_DA3_OWNER_OFF) == s->ino;
}

/* After the repair call: read the old blocks by the map taken before it. */
static void finish_deferred(struct xst_ctx *ctx, struct xst_salvage *s)
{
	const struct xst_fs *fs = ctx->fs;
	const uint32_t bs = fs->geo.blocksize;
	const uint64_t leaf_first = DIR_DATA_BYTES / bs, leaf_end = DIR_LEAF_END / bs;
	struct dirctx c = { .s = s };
	_cleanup_free_ void *buf = NULL;
	unsigned int budget = 1u << 20;		/* blocks: a directory is at most 64 GiB of fork */

	s->defer_raw = false;
	if (s->defer_fd_set) {
		close(s->defer_fd);
		s->defer_fd_set = false;
	}
	dir_geo(fs, &c.geo);
	c.single_block = s->defer_single;
	if (posix_memalign(&buf, 4096, bs) != 0) {
		s->raw_err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < s->ndefer; i++) {
		const struct xst_raw_ext *x = &s->defer[i];

		for (uint64_t k = 0; k < x->nblk && x->lblk + k < leaf_end && budget; k++, budget--) {
			uint64_t daddr = x->daddr + k * (bs / 512), lblk = x->lblk + k;
			int r = xst_salvage_read_fsblock(fs, daddr, buf, bs);

			if (r == 0 && !still_ours(s, lblk, leaf_first, buf, daddr))
				r = -ESTALE;	/* reused (or discarded) before we read it */
			if (r < 0) {
				s->raw_errors++;
				s->raw_err = r;
				continue;
			}
			(void)parse_block(&c, lblk, buf, bs);
		}
	}
	xst_trace("salvage: deferred raw read, %zu extents", s->ndefer);
	add_raw_entries(&c);
	s->raw_hashes = (unsigned int)c.leaf.n;
	add_unreadable(&c);
	xst_dirents_free(&c.raw);
	xst_dirleaf_free(&c.leaf);
	xst_trace("salvage: deferred entries %zu", s->n);
}

int xst_rebuild_dir_collect(struct xst_ctx *ctx, struct xst_salvage *s)
{
	_cleanup_close_ int fd = -EBADF;
	bool opened = false;
	struct timespec now;

	s->parent_ptrs = ctx->fs->has_parent;
	/* Before the first entry is seen: see same_child(). */
	if ((ctx->fs->geo.flags & XFS_FSOP_GEOM_FLAGS_V5SB) && !s->born_before_s &&
	    clock_gettime(CLOCK_REALTIME_COARSE, &now) == 0 && now.tv_sec > 0) {
		s->born_before_s = now.tv_sec;
		s->born_before_ns = (uint32_t)now.tv_nsec;
	}
	if (can_defer(ctx, s)) {
		int r = capture_map_rmap(ctx, s);

		if (r < 0 && ctx->rehearse)
			rehearse_rmap(ctx, s);
		if (r < 0) {
			drop_map(s);
			fd = xst_salvage_open(ctx->fs, s->ino, s->gen);
			opened = true;
			r = capture_map(ctx, s, fd);
		}
		if (r == 0) {
			s->defer_raw = true;
			if (fd >= 0) {
				s->defer_fd = TAKE_FD(fd);
				s->defer_fd_set = true;
			}
			xst_trace("salvage: fork map taken (%zu extents%s), raw read deferred",
				  s->ndefer, opened ? "" : ", space map");
			for (size_t i = 0; i < s->ndefer; i++)
				xst_trace("salvage: map extent lblk %" PRIu64 " daddr %" PRIu64
					  " blocks %" PRIu64, s->defer[i].lblk, s->defer[i].daddr,
					  s->defer[i].nblk);
			return 0;
		}
		/* Not this one: read before the call, as always. */
		drop_map(s);
	}
	if (ctx->rehearse)
		return 0;
	if (!opened)
		fd = xst_salvage_open(ctx->fs, s->ino, s->gen);
	if (fd >= 0)
		collect_readable(s, fd);
	else
		s->raw_err = fd;
	xst_trace("salvage: readable entries %zu", s->n);
	if (!s->raw_skip)
		collect_raw(ctx, s, fd);
	xst_trace("salvage: raw blocks read, entries %zu", s->n);
	/*
	 * Without birth times, remember each child's generation now: restores
	 * must not pick up a reused inode.  With them, nothing is read per
	 * child before the repair (300 bulkstat calls cost ~35 ms of CPU under
	 * TCG on the way to the repair call), and only the children the
	 * rebuild dropped are looked at afterwards.
	 */
	if (!s->born_before_s) {
		read_generations(ctx->fs, s);
		xst_trace("salvage: generations read");
	}
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

/*
 * The rebuilt directory's names, read once: one listing instead of a lookup
 * per recorded entry (300 lookups took ~10 ms under TCG, holding the CPU
 * just as the directory became readable again).  NULL when the listing
 * stops at an error (a repair that did not take): then each name is looked
 * up, so names in readable blocks still count.  Entries are (name, ino);
 * ino 0 marks a name our own restores moved away.
 */
static struct xst_salvage *list_dir(int dirfd, int *err)
{
	struct xst_salvage *now = calloc(1, sizeof(*now));
	DIR *d = now ? fdopendir(dup(dirfd)) : NULL;
	struct dirent *de;
	bool ok = d != NULL;

	*err = ok ? 0 : errno;

	while (ok && (errno = 0, de = readdir(d))) {
		struct xst_salv_entry *e;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		e = xst_salvage_add(now, 0, de->d_name, strlen(de->d_name), NULL, 0, XST_SRC_READABLE);
		if (e)
			e->ino = de->d_ino;
		ok = e != NULL;
	}
	if (ok && errno) {
		*err = errno;
		ok = false;
	} else if (!ok && !*err) {
		*err = ENOMEM;
	}
	if (d)
		closedir(d);
	if (!ok) {
		xst_salvage_free(now);
		return NULL;
	}
	return now;
}

/* Our own change to the directory, mirrored in the listing. */
static void listing_set(struct xst_salvage *now, const char *name, uint64_t ino)
{
	struct xst_salv_entry *e;

	if (!now)
		return;
	e = ino ? xst_salvage_add(now, 0, name, strlen(name), NULL, 0, XST_SRC_READABLE) :
		  xst_salvage_find(now, 0, name, strlen(name));
	if (e)
		e->ino = ino;
}

/* The inode a name in dirfd refers to now, or 0 when there is no such name. */
static uint64_t name_ino(struct xst_salvage *now, int dirfd, const struct xst_salv_entry *e)
{
	const struct xst_salv_entry *c;
	struct stat st;

	if (!now)
		return fstatat(dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st.st_ino : 0;
	c = xst_salvage_find(now, 0, e->name, e->namelen);
	return c ? c->ino : 0;
}

static void restore_one(struct xst_ctx *ctx, const struct xst_salvage *s,
			struct xst_salvage *now, int dirfd, int lpf, struct xst_salv_entry *e)
{
	char other[256];
	struct child c;
	uint64_t cur;
	int r;

	if (e->ino == 0) {
		/* Known to have existed, unreadable: nothing to put back. */
		e->fate = XST_FATE_LOST;
		return;
	}

	/* Present under its name, same inode: kept. */
	cur = name_ino(now, dirfd, e);
	if (cur) {
		if (cur == e->ino && !e->name_ok) {
			/* The rebuild kept a name the damage may have changed. */
			e->fate = XST_FATE_FLAGGED;
			snprintf(e->note, sizeof(e->note), "possibly renamed: name unverified");
			return;
		}
		if (cur == e->ino) {
			e->fate = XST_FATE_KEPT;
			return;
		}
		e->fate = XST_FATE_LOST;
		snprintf(e->note, sizeof(e->note), "name now points at inode %llu",
			 (unsigned long long)cur);
		return;
	}
	if (child_stat(ctx->fs, e->ino, &c) < 0 || !same_child(s, e, &c)) {
		e->fate = XST_FATE_LOST;
		snprintf(e->note, sizeof(e->note), "inode %llu gone or reused",
			 (unsigned long long)e->ino);
		return;
	}
	e->gen = c.gen;		/* for the record */
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
			listing_set(now, other, 0);
			listing_set(now, e->name, e->ino);
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
			listing_set(now, e->name, e->ino);
			e->fate = e->crc_ok ? XST_FATE_RESTORED : XST_FATE_FLAGGED;
			snprintf(e->note, sizeof(e->note), "%s", e->crc_ok ? "from lost+found" :
				 "from lost+found; name unverified");
			return;
		}
	}
	/* Still allocated and linked nowhere we know: link it back by handle. */
	if (c.nlink > 0 && e->ftype != 2 /* directories cannot be hard linked */) {
		_cleanup_close_ int fd = xst_salvage_open(ctx->fs, e->ino, c.gen);

		if (fd >= 0 && linkat(fd, "", dirfd, e->name, AT_EMPTY_PATH) == 0) {
			listing_set(now, e->name, e->ino);
			e->fate = e->crc_ok ? XST_FATE_RESTORED : XST_FATE_FLAGGED;
			snprintf(e->note, sizeof(e->note), "%s", e->crc_ok ? "linked back" :
				 "linked back; name unverified");
			return;
		}
	}
	e->fate = XST_FATE_LOST;
	snprintf(e->note, sizeof(e->note), "not found after the rebuild");
}

/*
 * Entries the leaf indexed but no block yielded are known by position
 * only.  The kernel's rebuild (from parent pointers, or its own salvage)
 * may still have kept them: every name in the rebuilt directory that the
 * salvage never saw, and whose inode no salvaged entry names, stands for
 * one of them.  Only the unreadable entries left over after that pairing
 * are lost; counting them all as lost would report a loss that did not
 * happen (seen in the VM: block 0 of a 300-entry directory unreadable,
 * every name back after the repair).
 */
static void settle_unreadable(struct xst_salvage *s, const struct xst_salvage *now)
{
	size_t unclaimed = 0, unreadable = 0;

	for (size_t i = 0; i < s->n; i++)
		unreadable += !s->v[i].ino && s->v[i].fate == XST_FATE_LOST;
	if (!unreadable)
		return;		/* the usual case: skip the pairing, n x m under TCG */
	for (size_t j = 0; j < now->n; j++) {
		const struct xst_salv_entry *n = &now->v[j];
		bool claimed = false;

		for (size_t i = 0; i < s->n && !claimed; i++)
			claimed = (s->v[i].ino && s->v[i].ino == n->ino) ||
				  (s->v[i].namelen == n->namelen &&
				   !memcmp(s->v[i].name, n->name, n->namelen));
		if (!claimed)
			unclaimed++;
	}
	for (size_t i = 0; i < s->n && unclaimed; i++) {
		struct xst_salv_entry *e = &s->v[i];

		if (e->ino || e->fate != XST_FATE_LOST)
			continue;
		e->fate = XST_FATE_KEPT;
		snprintf(e->note, sizeof(e->note),
			 "unreadable before; the rebuild kept an entry we could not name");
		unclaimed--;
	}
}

void xst_rebuild_dir_restore(struct xst_ctx *ctx, struct xst_salvage *s)
{
	_cleanup_close_ int dirfd = xst_salvage_open(ctx->fs, s->ino, s->gen);
	_cleanup_close_ int lpf = openat(ctx->fs->fd, "lost+found", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct xst_salvage *now;
	int err = 0;

	if (s->defer_raw)
		finish_deferred(ctx, s);
	now = dirfd >= 0 ? list_dir(dirfd, &err) : NULL;
	xst_trace("salvage: rebuilt directory listed (%zu names, errno %d, fd %d)",
		  now ? now->n : 0, err, dirfd);
	/*
	 * Still failing its verifiers (or, sick, refused to a handle: ESTALE,
	 * seen in the VM): after a repair the kernel calls failed, it exchanged
	 * nothing (a rebuilt directory reads), so every entry is where it was,
	 * in blocks that cannot be read.  Lookups of those names fail the same
	 * way, and linking a file back under a name an unreadable block may
	 * still hold would make a second entry for it once the block is
	 * repaired offline.  xst_salvage_settle leaves them pending then:
	 * nothing moved, nothing lost.
	 */
	if (dirfd < 0)
		err = -dirfd;
	s->unreadable_after = err == EUCLEAN || err == EBADMSG || err == EIO ||
			      (dirfd < 0 && err == ESTALE);
	if (s->unreadable_after) {
		for (size_t i = 0; i < s->n; i++) {
			s->v[i].fate = XST_FATE_UNKNOWN;
			snprintf(s->v[i].note, sizeof(s->v[i].note),
				 "directory still unreadable after the repair; left as it was");
		}
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (dirfd < 0) {
			s->v[i].fate = XST_FATE_LOST;
			snprintf(s->v[i].note, sizeof(s->v[i].note), "directory not openable");
			continue;
		}
		restore_one(ctx, s, now, dirfd, lpf, &s->v[i]);
	}
	xst_trace("salvage: entries matched");
	if (now)
		settle_unreadable(s, now);
	xst_salvage_free(now);
}
