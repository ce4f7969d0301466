// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shared half of lossless rebuilds: the in-memory record, reading a
 * fork's raw blocks from the device, saving the record durably, and turning
 * per-entry fates into an honest outcome.  Raw reads use O_DIRECT on the
 * data device: the filesystem's own buffer cache is not the block device's
 * page cache, so only a direct read sees what is on the disk.
 */
#include <fcntl.h>
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "atomic_update.h"
#include "check.h"
#include "descr.h"
#include "kernel.h"
#include "ondisk.h"
#include "salvage.h"
#include "statedir.h"
#include "trace.h"
#include "util.h"

#define MAX_ENTRIES		(1u << 20)	/* a hostile fork cannot exhaust memory */
#define BMAP_BATCH		256
#define READ_BATCH		16	/* fs blocks per raw read: one I/O per extent, mostly */

/*
 * Names are looked up once per entry found (readable and raw sources merge
 * by name), so a linear search made a 300-entry directory cost tens of
 * thousands of comparisons on the way to the repair call: index them.
 */
static uint32_t name_hash(uint8_t ns, const char *name, size_t namelen)
{
	uint32_t h = 2166136261u ^ ns;	/* FNV-1a */

	for (size_t i = 0; i < namelen; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

static bool entry_is(const struct xst_salv_entry *e, uint8_t ns, const char *name, size_t namelen)
{
	return e->ns == ns && e->namelen == namelen && memcmp(e->name, name, namelen) == 0;
}

static void index_put(uint32_t *hidx, size_t hcap, const struct xst_salv_entry *e, size_t i)
{
	size_t slot = name_hash(e->ns, e->name, e->namelen) & (hcap - 1);

	while (hidx[slot])
		slot = (slot + 1) & (hcap - 1);
	hidx[slot] = (uint32_t)(i + 1);
}

/* Keep the index at most half full; false only when memory ran out. */
static bool index_grow(struct xst_salvage *s)
{
	size_t hcap = s->hcap ? s->hcap : 128;
	uint32_t *hidx;

	while (hcap < 2 * (s->n + 1))
		hcap *= 2;
	if (hcap == s->hcap)
		return true;
	hidx = calloc(hcap, sizeof(*hidx));
	if (!hidx)
		return false;
	for (size_t i = 0; i < s->n; i++)
		index_put(hidx, hcap, &s->v[i], i);
	free(s->hidx);
	s->hidx = hidx;
	s->hcap = hcap;
	return true;
}

struct xst_salv_entry *xst_salvage_find(struct xst_salvage *s, uint8_t ns,
					const char *name, size_t namelen)
{
	size_t slot;

	if (!s->hcap) {
		for (size_t i = 0; i < s->n; i++)
			if (entry_is(&s->v[i], ns, name, namelen))
				return &s->v[i];
		return NULL;
	}
	slot = name_hash(ns, name, namelen) & (s->hcap - 1);
	for (; s->hidx[slot]; slot = (slot + 1) & (s->hcap - 1))
		if (entry_is(&s->v[s->hidx[slot] - 1], ns, name, namelen))
			return &s->v[s->hidx[slot] - 1];
	return NULL;
}

struct xst_salv_entry *xst_salvage_add(struct xst_salvage *s, uint8_t ns,
				       const char *name, size_t namelen,
				       const void *value, uint32_t valuelen,
				       unsigned int src)
{
	struct xst_salv_entry *e;

	if (namelen == 0 || namelen > 255)
		return NULL;
	e = xst_salvage_find(s, ns, name, namelen);
	if (!e) {
		if (s->n >= MAX_ENTRIES || !index_grow(s))
			return NULL;
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 64;
			struct xst_salv_entry *v = reallocarray(s->v, cap, sizeof(*v));

			if (!v)
				return NULL;
			s->v = v;
			s->cap = cap;
		}
		e = &s->v[s->n++];
		memset(e, 0, sizeof(*e));
		e->ns = ns;
		e->namelen = (uint8_t)namelen;
		memcpy(e->name, name, namelen);
		e->name[namelen] = '\0';
		e->crc_ok = true;
		e->name_ok = true;
		index_put(s->hidx, s->hcap, e, s->n - 1);
	}
	/* A readable copy is authoritative; a raw one only fills gaps. */
	if (value && (!e->value || ((src & XST_SRC_READABLE) && !(e->sources & XST_SRC_READABLE)))) {
		uint8_t *copy = malloc(valuelen ? valuelen : 1);

		if (!copy)
			return NULL;
		memcpy(copy, value, valuelen);
		free(e->value);
		e->value = copy;
		e->valuelen = valuelen;
	}
	e->sources |= src;
	return e;
}

void xst_salvage_free(struct xst_salvage *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].value);
	free(s->v);
	free(s->hidx);
	free(s->record);
	free(s->defer);
	if (s->defer_fd_set)
		close(s->defer_fd);
	free(s);
}

int xst_salvage_open(const struct xst_fs *fs, uint64_t ino, uint32_t gen)
{
	struct xfs_handle h;

	xst_fs_handle(fs, ino, gen, &h);
	return xk_open_by_handle(fs->fd, &h, O_RDONLY | O_CLOEXEC);
}

/* ---- the data device ---- */

/* path, if it is the block device dev. */
static int open_checked(const char *path, dev_t dev)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);

	if (fd < 0)
		return neg_errno();
	if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == dev)
		return fd;
	close(fd);
	return -ENODEV;
}

struct src_open {
	dev_t dev;
	int fd;
};

static int try_source(void *arg, const char *src, const char *sopts)
{
	struct src_open *o = arg;

	o->fd = open_checked(src, o->dev);
	return o->fd >= 0;
}

/* The mount source from mountinfo for this device number, checked by st_rdev. */
static int open_from_mountinfo(dev_t dev)
{
	struct src_open o = { dev, -ENOENT };
	int r = xst_mountinfo_each(dev, try_source, &o);

	return r < 0 ? r : o.fd;
}

/* No usable path (renamed node, private /dev): make a node of our own. */
static int open_by_mknod(dev_t dev)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/run/.xst-bdev-%d", (int)getpid());
	unlink(path);
	if (mknod(path, S_IFBLK | 0600, dev) < 0)
		return neg_errno();
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		fd = neg_errno();
	unlink(path);
	return fd;
}

static int data_dev(const struct xst_fs *fs)
{
	int fd;

	if (!fs->bdev)
		return -EBADF;
	pthread_mutex_lock(&fs->bdev->lock);
	fd = fs->bdev->fd;
	if (fd < 0) {
		fd = fs->bdev->hint ? open_checked(fs->bdev->hint, fs->dev) : -ENOENT;
		if (fd < 0)
			fd = open_from_mountinfo(fs->dev);
		if (fd < 0)
			fd = open_by_mknod(fs->dev);
		if (fd >= 0)
			fs->bdev->fd = fd;
		xst_trace("salvage: data device opened (%d)", fd);
	}
	pthread_mutex_unlock(&fs->bdev->lock);
	return fd;
}

int xst_salvage_read_fsblock(const struct xst_fs *fs, uint64_t daddr, void *buf, size_t len)
{
	int fd = data_dev(fs);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = pread(fd, buf, len, (off_t)(daddr * 512));
	if (n < 0)
		return neg_errno();
	return (size_t)n == len ? 0 : -EIO;
}

int xst_salvage_map_fork(int fd, bool attrfork, int64_t len_bb, xst_extent_fn fn, void *arg,
			 uint32_t blocksize)
{
	const uint32_t bbs_per_blk = blocksize / 512;
	_cleanup_free_ struct getbmapx *map = calloc(BMAP_BATCH + 1, sizeof(*map));
	int64_t next = 0;
	int r;

	if (!map || bbs_per_blk == 0)
		return -ENOMEM;
	for (unsigned int rounds = 0; rounds < 65536; rounds++) {
		unsigned int got;

		if (len_bb >= 0 && next >= len_bb)
			return 0;
		memset(map, 0, (BMAP_BATCH + 1) * sizeof(*map));
		map[0].bmv_offset = next;
		map[0].bmv_length = len_bb >= 0 ? len_bb - next : -1;
		map[0].bmv_count = BMAP_BATCH + 1;
		map[0].bmv_iflags = attrfork ? BMV_IF_ATTRFORK : 0;
		r = xk_getbmapx(fd, map);
		if (r < 0)
			return r;
		got = (unsigned int)MIN(map[0].bmv_entries, BMAP_BATCH);
		xst_trace("salvage: %u extents mapped", got);
		if (got == 0)
			return 0;
		for (unsigned int i = 1; i <= got; i++) {
			const struct getbmapx *x = &map[i];

			next = x->bmv_offset + x->bmv_length;
			if (x->bmv_block < 0 || x->bmv_length <= 0)
				continue;	/* hole or delayed allocation */
			r = fn(arg, (uint64_t)x->bmv_offset / bbs_per_blk, (uint64_t)x->bmv_block,
			       (uint64_t)x->bmv_length / bbs_per_blk);
			if (r != 0)
				return r < 0 ? r : 0;
		}
		if (got < BMAP_BATCH)
			return 0;
	}
	return -ELOOP;
}

struct fork_read {
	const struct xst_fs *fs;
	uint64_t max_lblk;
	void *buf;
	xst_block_fn fn;
	void *arg;
};

/* One mapped extent: its blocks up to max_lblk, READ_BATCH at a time. */
static int read_extent(void *arg, uint64_t first, uint64_t daddr, uint64_t nblk)
{
	const struct fork_read *fr = arg;
	const uint32_t bs = fr->fs->geo.blocksize, bbs_per_blk = bs / 512;
	int r;

	for (uint64_t k = 0; k < nblk;) {
		uint64_t cnt;

		if (first + k > fr->max_lblk)
			return 1;
		cnt = MIN(MIN(nblk - k, (uint64_t)READ_BATCH), fr->max_lblk - (first + k) + 1);
		r = xst_salvage_read_fsblock(fr->fs, daddr + k * bbs_per_blk, fr->buf, cnt * bs);
		if (r < 0 && cnt > 1) {
			/* A bad sector fails the batch: go block by block past it. */
			cnt = 1;
			r = xst_salvage_read_fsblock(fr->fs, daddr + k * bbs_per_blk, fr->buf, bs);
		}
		if (r < 0)
			return r;
		xst_trace("salvage: %" PRIu64 " blocks read", cnt);
		for (uint64_t j = 0; j < cnt; j++) {
			r = fr->fn(fr->arg, first + k + j, (uint8_t *)fr->buf + j * bs, bs);
			if (r < 0)
				return r;
		}
		k += cnt;
	}
	return 0;
}

int xst_salvage_read_fork(const struct xst_fs *fs, int fd, bool attrfork,
			  uint64_t max_lblk, xst_block_fn fn, void *arg)
{
	const uint32_t bs = fs->geo.blocksize;
	_cleanup_free_ void *buf = NULL;
	struct fork_read fr = { fs, max_lblk, NULL, fn, arg };

	if (posix_memalign(&buf, 4096, (size_t)bs * READ_BATCH) != 0)
		return -ENOMEM;
	fr.buf = buf;
	/*
	 * Raw reads see the blocks' home locations, not the filesystem's
	 * cache.  No syncfs first: on XFS it forces the log but does not
	 * write logged metadata back home, so it would not make a recent
	 * change visible here and only delayed the repair.  Changes still in
	 * the log are what the readable pass (readdir, listxattr) sees.
	 */
	return xst_salvage_map_fork(fd, attrfork, -1, read_extent, &fr, bs);
}

/* ---- records ---- */

static const char *fate_name(enum xst_salv_fate f)
{
	switch (f) {
	case XST_FATE_KEPT: return "kept";
	case XST_FATE_RESTORED: return "restored";
	case XST_FATE_FLAGGED: return "flagged";
	case XST_FATE_LOST: return "lost";
	default: return "pending";
	}
}

/*
 * The entry lines are most of a record (300 entries: 43 KB) and are written
 * twice per repair, once on the way to the kernel call: by hand into a
 * line buffer, flushed with one fwrite per entry.  One fprintf per byte of
 * hex took 25 ms per record under TCG, three per entry still ~5 ms.
 */
struct line {
	char b[1024];
	size_t k;
	FILE *f;
};

static void line_flush(struct line *l)
{
	fwrite(l->b, 1, l->k, l->f);
	l->k = 0;
}

static void line_put(struct line *l, const char *s, size_t n)
{
	while (n) {
		size_t c = MIN(n, sizeof(l->b) - l->k);

		memcpy(l->b + l->k, s, c);
		l->k += c;
		s += c;
		n -= c;
		if (l->k == sizeof(l->b))
			line_flush(l);
	}
}

static void line_str(struct line *l, const char *s)
{
	line_put(l, s, strlen(s));
}

static void line_u64(struct line *l, uint64_t v)
{
	char d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	line_put(l, d + i, sizeof(d) - i);
}

static void line_hex(struct line *l, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = p;

	if (n == 0)
		line_put(l, "-", 1);
	for (size_t i = 0; i < n; i++) {
		if (sizeof(l->b) - l->k < 2)
			line_flush(l);
		l->b[l->k++] = digits[b[i] >> 4];
		l->b[l->k++] = digits[b[i] & 15];
	}
}

/* "entry fate=F ns=N src=N crc=N nameok=N ino=N gen=N name=HEX vlen=N value=HEX|? note=T" */
static void put_entry(struct line *l, const struct xst_salv_entry *e)
{
	line_str(l, "entry fate=");
	line_str(l, fate_name(e->fate));
	line_str(l, " ns=");
	line_u64(l, e->ns);
	line_str(l, " src=");
	line_u64(l, e->sources);
	line_str(l, e->crc_ok ? " crc=1" : " crc=0");
	line_str(l, e->name_ok ? " nameok=1 ino=" : " nameok=0 ino=");
	line_u64(l, e->ino);
	line_str(l, " gen=");
	line_u64(l, e->gen);
	line_str(l, " name=");
	line_hex(l, e->name, e->namelen);
	line_str(l, " vlen=");
	line_u64(l, e->valuelen);
	line_str(l, " value=");
	if (e->value)
		line_hex(l, e->value, e->valuelen);
	else
		line_put(l, "?", 1);
	line_str(l, " note=");
	line_str(l, e->note[0] ? e->note : "-");
	line_put(l, "\n", 1);
	line_flush(l);
}

static char *uuid_text(const struct xst_fs *fs, char *buf)
{
	const uint8_t *u = fs->geo.uuid;

	sprintf(buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		u[12], u[13], u[14], u[15]);
	return buf;
}

int xst_salvage_save(struct xst_ctx *ctx, struct xst_salvage *s, const char *phase)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	char uu[40];
	FILE *f;
	int r;

	if (!s->record) {
		_cleanup_free_ char *dir = NULL;

		if (asprintf(&dir, "%s/salvage/%s", ctx->statedir, uuid_text(ctx->fs, uu)) < 0)
			return -ENOMEM;
		r = xst_mkdir_p(dir, 0700);
		if (r < 0)
			return r;
		struct timespec now;
		static atomic_uint seq;

		/* Several attempts can fall in one second: each keeps its own record. */
		clock_gettime(CLOCK_REALTIME, &now);
		if (asprintf(&s->record, "%s/ino%llu-gen%u-%s-%lld.%09ld-%u.rec", dir,
			     (unsigned long long)s->ino, s->gen,
			     s->type == XFS_SCRUB_TYPE_DIR ? "dir" : "xattr",
			     (long long)now.tv_sec, now.tv_nsec, atomic_fetch_add(&seq, 1)) < 0) {
			s->record = NULL;
			return -ENOMEM;
		}
	}

	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "xfs_scrubd-salvage 1\nfs %s\nmount %s\n", uuid_text(ctx->fs, uu),
		ctx->fs->mountpoint);
	fprintf(f, "object ino %llu gen %u type %s\nphase %s\ntime %lld\n",
		(unsigned long long)s->ino, s->gen,
		s->type == XFS_SCRUB_TYPE_DIR ? "directory" : "xattr", phase, (long long)time(NULL));
	fprintf(f, "raw blocks %u badcrc %u errors %u err %d hashes %u\n",
		s->raw_blocks, s->raw_badcrc, s->raw_errors, s->raw_err, s->raw_hashes);
	/* How to tell a child from a reused inode number (gen=0: not read). */
	if (s->born_before_s)
		fprintf(f, "children born before %lld.%09u\n", (long long)s->born_before_s,
			s->born_before_ns);
	fprintf(f, "entries %zu\n", s->n);
	for (size_t i = 0; i < s->n; i++) {
		struct line l = { .f = f };

		put_entry(&l, &s->v[i]);
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	xst_trace("salvage: record formatted (%zu bytes)", len);
	/* Durable before the kernel call: the library fsyncs file and directory. */
	r = xst_au_write_file(s->record, text, len, XST_AU_CREATE, NULL);
	return r;
}

/*
 * Collect what a repair of (it, type) would need, and save it unless the
 * raw read is deferred or this is a rehearsal (nothing read but the map,
 * nothing saved).  *ret: the record, NULL when the object carries none.
 */
int xst_salvage_take(struct xst_ctx *ctx, const struct xst_item *it, unsigned int type,
		     struct xst_salvage **ret)
{
	struct xst_salvage *s;
	int r;

	*ret = NULL;
	if (it->scope != XST_SCOPE_INODE || !ctx->statedir)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->type = type;
	s->ino = it->ino;
	s->gen = it->gen;
	/*
	 * After a first rebuild the kernel's new blocks may not have reached
	 * the disk yet, so raw reads would see stale or freed blocks: only the
	 * first attempt on an object reads raw blocks.
	 */
	s->raw_skip = it->repair_attempts > 1;
	r = type == XFS_SCRUB_TYPE_XATTR ? xst_rebuild_xattr_collect(ctx, s) :
					   xst_rebuild_dir_collect(ctx, s);
	/* A deferred read has nothing to record yet: the record comes after. */
	if (r >= 0 && !s->defer_raw && !ctx->rehearse)
		r = xst_salvage_save(ctx, s, "before-repair");
	if (r < 0) {
		xst_salvage_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

struct xst_salvage *xst_salvage_pending_take(struct xst_ctx *ctx, uint64_t ino, uint32_t gen,
					     unsigned int type)
{
	struct xst_salvage **pp, *s = NULL;

	pthread_mutex_lock(&ctx->lock);
	for (pp = &ctx->salvage_pending; *pp; pp = &(*pp)->next) {
		if ((*pp)->ino == ino && (*pp)->gen == gen && (*pp)->type == type) {
			s = *pp;
			*pp = s->next;
			s->next = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&ctx->lock);
	return s;
}

void xst_salvage_pending_put(struct xst_ctx *ctx, struct xst_salvage *s)
{
	pthread_mutex_lock(&ctx->lock);
	s->next = ctx->salvage_pending;
	ctx->salvage_pending = s;
	pthread_mutex_unlock(&ctx->lock);
}

void xst_salvage_pending_free(struct xst_ctx *ctx)
{
	while (ctx->salvage_pending) {
		struct xst_salvage *s = ctx->salvage_pending;

		ctx->salvage_pending = s->next;
		xst_salvage_free(s);
	}
}

bool xst_salvage_settle(struct xst_ctx *ctx, const struct xst_item *it, unsigned int type,
			struct xst_salvage *s, bool kernel_says_fixed, bool final)
{
	size_t kept = 0, restored = 0, flagged = 0, lost = 0, pending = 0;
	char d[XST_DESCR_MAX], lostnames[512] = "";
	size_t ln = 0;

	/*
	 * Even a repair the re-check still calls broken may have rebuilt and
	 * exchanged the contents: put back what we can either way, and say
	 * what happened to each entry.  A record kept from an earlier attempt
	 * is judged afresh against what the object holds now.
	 */
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].fate == XST_FATE_RESTORED || s->v[i].fate == XST_FATE_KEPT)
			s->v[i].fate = XST_FATE_UNKNOWN;
		else if (s->v[i].fate == XST_FATE_LOST && strcmp(s->v[i].note, "entry unreadable in the damaged block"))
			s->v[i].fate = XST_FATE_UNKNOWN;
	}
	if (type == XFS_SCRUB_TYPE_XATTR)
		xst_rebuild_xattr_restore(ctx, s);
	else
		xst_rebuild_dir_restore(ctx, s);

	for (size_t i = 0; i < s->n; i++) {
		struct xst_salv_entry *e = &s->v[i];

		switch (e->fate) {
		case XST_FATE_KEPT: kept++; break;
		case XST_FATE_RESTORED: restored++; break;
		case XST_FATE_FLAGGED: flagged++; break;
		default:
			if (s->unreadable_after && !kernel_says_fixed) {
				/* Where it was, unread: see xst_rebuild_dir_restore. */
				pending++;
				break;
			}
			e->fate = XST_FATE_LOST;
			lost++;
			if (ln + e->namelen + 8 < sizeof(lostnames))
				ln += (size_t)snprintf(lostnames + ln, sizeof(lostnames) - ln, "%s%s%s",
						       ln ? ", " : "",
						       e->ns == XST_NS_TRUSTED ? "trusted." :
						       e->ns == XST_NS_SECURE ? "security." :
						       type == XFS_SCRUB_TYPE_XATTR ? "user." : "",
						       e->name);
			else if (ln + 5 < sizeof(lostnames) && !strstr(lostnames, "..."))
				ln += (size_t)snprintf(lostnames + ln, sizeof(lostnames) - ln, ", ...");
			break;
		}
	}
	xst_trace("salvage: restore pass done");
	xst_salvage_save(ctx, s, kernel_says_fixed ? "after-repair" : "after-failed-repair");
	xst_trace("salvage: after-repair record saved");
	atomic_fetch_add(&ctx->restored_entries, restored + flagged);
	if (!kernel_says_fixed) {
		/*
		 * The verdict comes from the caller.  Before the last attempt
		 * say nothing: a later rebuild may bring back what this one
		 * dropped, and the record is kept for it.
		 */
		if (!final)
			return false;
		xst_describe(ctx->fs, it, type, d, sizeof(d));
		if (pending)
			xst_msg(ctx->rep, XST_INFO, d,
				"Still unreadable after the repair, which changed nothing: its %zu "
				"entries stay where they were, none restored, none lost.  Salvage "
				"record: %s", pending, s->record);
		else if (restored || flagged || lost)
			xst_msg(ctx->rep, lost ? XST_UNFIXABLE : XST_INFO, d,
				"The kernel's rebuild changed it: kept %zu, restored %zu, unverified %zu, "
				"lost %zu%s%s%s.  Salvage record: %s", kept, restored, flagged, lost,
				lost ? " (" : "", lost ? lostnames : "", lost ? ")" : "", s->record);
		return false;
	}

	xst_describe(ctx->fs, it, type, d, sizeof(d));
	if (lost) {
		atomic_fetch_add(&ctx->lost_objects, 1);
		xst_msg(ctx->rep, XST_LOSS, d,
			"%zu of %zu entries lost (%s); kept %zu, restored %zu, unverified %zu. "
			"Salvage record: %s",
			lost, s->n, lostnames, kept, restored, flagged, s->record);
		return true;
	}
	if (restored || flagged) {
		if (flagged)
			xst_msg(ctx->rep, XST_REPAIRED, d,
				"Repaired; %zu restored, %zu recovered with content unverified "
				"(their block failed its checksum); kept %zu. Salvage record: %s",
				restored, flagged, kept, s->record);
		else
			xst_msg(ctx->rep, XST_REPAIRED, d, "Repaired; %zu restored (kept %zu).",
				restored, kept);
		return true;
	}
	return false;
}

/* ---- listing and clearing for operators ---- */

static int walk_records(const char *statedir, bool clear)
{
	_cleanup_free_ char *top = NULL;
	DIR *d;
	struct dirent *de;
	unsigned int n = 0;

	if (asprintf(&top, "%s/salvage", statedir) < 0)
		return -ENOMEM;
	d = opendir(top);
	if (!d)
		return errno == ENOENT ? 0 : neg_errno();
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;
		DIR *sd;
		struct dirent *re;

		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", top, de->d_name) < 0)
			break;
		sd = opendir(sub);
		if (!sd)
			continue;
		while ((re = readdir(sd))) {
			if (!strstr(re->d_name, ".rec") || re->d_name[0] == '.')
				continue;
			n++;
			if (clear) {
				if (unlinkat(dirfd(sd), re->d_name, 0) == 0)
					printf("removed %s/%s\n", sub, re->d_name);
			} else {
				printf("%s/%s\n", sub, re->d_name);
			}
		}
		closedir(sd);
		if (clear)
			rmdir(sub);
	}
	closedir(d);
	if (!clear && n == 0)
		printf("no salvage records in %s\n", top);
	return 0;
}

int xst_salvage_records(const char *statedir, const char *uuid,
			void (*fn)(void *arg, const char *path,
				   const struct xst_salvage_summary *sum),
			void *arg)
{
	_cleanup_free_ char *dir = NULL;
	struct dirent *de;
	DIR *d;

	/* The UUID names a directory: nothing that could climb out of it. */
	if (strchr(uuid, '/') || !strcmp(uuid, "..") || !strcmp(uuid, "."))
		return -EINVAL;
	if (asprintf(&dir, "%s/salvage/%s", statedir, uuid) < 0)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : neg_errno();
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL, *buf = NULL;
		struct xst_salvage_summary sum;
		size_t len = strlen(de->d_name);
		ssize_t n;
		int fd;

		if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".rec"))
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			break;
		/* Records are small; a huge one is summarized from its first 1 MiB. */
		buf = malloc(1 << 20);
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		n = fd >= 0 && buf ? read(fd, buf, 1 << 20) : -1;
		if (fd >= 0)
			close(fd);
		fn(arg, path, n > 0 && xst_salvage_summary_parse(buf, (size_t)n, &sum) == 0 ?
		   &sum : NULL);
	}
	closedir(d);
	return 0;
}

int xst_salvage_list(const char *statedir)
{
	return walk_records(statedir, false);
}

int xst_salvage_clear(const char *statedir)
{
	return walk_records(statedir, true);
}

/* ---- raw inodes ---- */

/* On-disk inode layout facts (offsets in struct xfs_dinode). */
#define DI_VERSION_OFF	4
#define DI_FORMAT_OFF	5
#define DI_SIZE_OFF	56
#define DI_FORKOFF_OFF	82
#define DI_AFORMAT_OFF	83
#define DI_V3_CORE	176
#define DI_V2_CORE	100

int xst_salvage_read_inode(const struct xst_fs *fs, uint64_t ino, struct xst_raw_inode *ri)
{
	const uint32_t bs = fs->geo.blocksize, isize = fs->geo.inodesize;
	unsigned int inopblog = fs->inopblog;
	uint64_t agno = xst_ino_agno(fs, ino), agino = xst_ino_agino(fs, ino);
	uint64_t agbno = agino >> inopblog, idx = agino & ((UINT64_C(1) << inopblog) - 1);
	_cleanup_free_ void *blk = NULL;
	size_t core;
	unsigned int forkoff;
	int r;

	if (isize > sizeof(ri->buf) || isize < 256 || agno >= fs->geo.agcount ||
	    agbno >= fs->geo.agblocks)
		return -EINVAL;
	if (posix_memalign(&blk, 4096, bs) != 0)
		return -ENOMEM;
	r = xst_salvage_read_fsblock(fs, (agno * fs->geo.agblocks + agbno) * (bs / 512), blk, bs);
	if (r < 0)
		return r;
	memset(ri, 0, sizeof(*ri));
	memcpy(ri->buf, (uint8_t *)blk + idx * isize, isize);
	core = ri->buf[DI_VERSION_OFF] >= 3 ? DI_V3_CORE : DI_V2_CORE;
	forkoff = (unsigned int)ri->buf[DI_FORKOFF_OFF] * 8;
	ri->format = ri->buf[DI_FORMAT_OFF];
	ri->aformat = ri->buf[DI_AFORMAT_OFF];
	ri->size = ((uint64_t)ri->buf[DI_SIZE_OFF] << 56) | ((uint64_t)ri->buf[DI_SIZE_OFF + 1] << 48) |
		   ((uint64_t)ri->buf[DI_SIZE_OFF + 2] << 40) | ((uint64_t)ri->buf[DI_SIZE_OFF + 3] << 32) |
		   ((uint64_t)ri->buf[DI_SIZE_OFF + 4] << 24) | ((uint64_t)ri->buf[DI_SIZE_OFF + 5] << 16) |
		   ((uint64_t)ri->buf[DI_SIZE_OFF + 6] << 8) | ri->buf[DI_SIZE_OFF + 7];
	/* A fork offset past the literal area would make every length a lie. */
	if (core + forkoff > isize)
		return -EUCLEAN;
	ri->dfork_off = core;
	ri->dfork_len = forkoff ? forkoff : isize - core;
	if (forkoff) {
		ri->afork_off = core + forkoff;
		ri->afork_len = isize - core - forkoff;
	}
	return 0;
}

bool xst_salvage_magic_fixup(void *buf, size_t len, size_t magic_off, size_t crc_off,
			     const uint32_t *magics, size_t nmagics, bool be16)
{
	uint8_t *b = buf, saved[4];
	size_t mlen = be16 ? 2 : 4;

	if (!xst_fits(len, magic_off, mlen) || !xst_fits(len, crc_off, 4) ||
	    xst_xfs_block_crc_ok(buf, len, crc_off))
		return false;
	memcpy(saved, b + magic_off, mlen);
	for (size_t i = 0; i < nmagics; i++) {
		uint32_t m = magics[i];

		if (be16) {
			b[magic_off] = (uint8_t)(m >> 8);
			b[magic_off + 1] = (uint8_t)m;
		} else {
			b[magic_off] = (uint8_t)(m >> 24);
			b[magic_off + 1] = (uint8_t)(m >> 16);
			b[magic_off + 2] = (uint8_t)(m >> 8);
			b[magic_off + 3] = (uint8_t)m;
		}
		if (xst_xfs_block_crc_ok(buf, len, crc_off))
			return true;
	}
	memcpy(b + magic_off, saved, mlen);
	return false;
}
