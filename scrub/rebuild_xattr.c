// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lossless xattr rebuilds.  The kernel's xattr repair rebuilds the set from
 * the leaf blocks it can parse and drops the rest (measured on 7.2: a leaf
 * whose magic is damaged loses all its xattrs while the repair "succeeds").
 * Before the repair we list what the kernel can still read and parse the
 * attr fork's raw blocks (local values, remote values, short form); after
 * it, every name the rebuilt set lacks is set back when its name passed its
 * hash check and its value is complete.  Values from a block whose checksum
 * failed come back flagged as unverified; what cannot come back is lost,
 * by name, in the record and the message.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "attrblock.h"
#include "check.h"
#include "ondisk.h"
#include "salvage.h"
#include "util.h"

#define MAX_ATTR_BLOCKS	16384	/* 64 MiB of attr fork at 4 KiB: bounded memory */
#define LIST_MAX	(64 * 1024 + 1)

static const char *ns_prefix(uint8_t ns)
{
	switch (ns) {
	case XST_NS_TRUSTED: return "trusted.";
	case XST_NS_SECURE: return "security.";
	default: return "user.";
	}
}

/* "user.x" -> (XST_NS_USER, "x"); other namespaces (system.*) are not ours. */
static bool split_vfs_name(const char *full, uint8_t *ns, const char **name)
{
	static const struct { const char *p; uint8_t ns; } map[] = {
		{ "user.", XST_NS_USER }, { "trusted.", XST_NS_TRUSTED },
		{ "security.", XST_NS_SECURE },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(map); i++) {
		size_t l = strlen(map[i].p);

		if (strncmp(full, map[i].p, l) == 0 && full[l]) {
			*ns = map[i].ns;
			*name = full + l;
			return true;
		}
	}
	return false;
}

static void collect_readable(struct xst_salvage *s, int fd)
{
	_cleanup_free_ char *names = malloc(LIST_MAX);
	_cleanup_free_ uint8_t *val = malloc(65536);
	ssize_t n;

	if (!names || !val)
		return;
	n = flistxattr(fd, names, LIST_MAX - 1);
	if (n <= 0)
		return;		/* a damaged fork often cannot be listed at all */
	names[n] = '\0';
	for (char *p = names; p < names + n; p += strlen(p) + 1) {
		const char *name;
		uint8_t ns;
		ssize_t vl;

		if (!split_vfs_name(p, &ns, &name) || strlen(name) > 255)
			continue;
		vl = fgetxattr(fd, p, val, 65536);
		xst_salvage_add(s, ns, name, strlen(name), vl >= 0 ? val : NULL,
				vl >= 0 ? (uint32_t)vl : 0, XST_SRC_READABLE);
	}
}

struct blockset {
	uint32_t bs;
	bool v5;
	void **blk;		/* indexed by attr fork block, NULL = not read */
	size_t nblk;
	unsigned int count;
};

static int keep_block(void *arg, uint64_t lblk, void *buf, size_t len)
{
	struct blockset *b = arg;

	if (lblk >= b->nblk || b->count >= MAX_ATTR_BLOCKS)
		return 0;
	b->blk[lblk] = malloc(len);
	if (!b->blk[lblk])
		return -ENOMEM;
	memcpy(b->blk[lblk], buf, len);
	b->count++;
	if (b->v5) {
		/* Leaf and node blocks keep a be16 magic at 8, remote blocks a be32 at 0. */
		static const uint32_t da[] = { XST_ATTR3_LEAF_MAGIC, XST_DA3_NODE_MAGIC };
		static const uint32_t rmt[] = { XST_ATTR3_RMT_MAGIC };

		if (!xst_salvage_magic_fixup(b->blk[lblk], len, XST_DA_MAGIC_OFF, XST_DA3_CRC_OFF,
					     da, ARRAY_SIZE(da), true))
			xst_salvage_magic_fixup(b->blk[lblk], len, 0, XST_ATTR3_RMT_CRC_OFF,
						rmt, ARRAY_SIZE(rmt), false);
	}
	return 0;
}

static void add_raw(struct xst_salvage *s, const struct xst_xattr *x, const uint8_t *value,
		    uint32_t valuelen, bool value_crc_ok)
{
	struct xst_salv_entry *e;
	uint8_t ns;

	bool mangled = false;

	switch (x->ns) {
	case XST_ATTR_NS_USER: ns = XST_NS_USER; break;
	case XST_ATTR_NS_TRUSTED: ns = XST_NS_TRUSTED; break;
	case XST_ATTR_NS_SECURE: ns = XST_NS_SECURE; break;
	case XST_ATTR_NS_PARENT: return;	/* parent pointers belong to the kernel */
	default: ns = XST_NS_USER; mangled = true; break;
	}
	/*
	 * A set that never finished was never the user's, but in a block that
	 * failed its checksum the flag itself may be the damage: record it.
	 */
	if (x->incomplete && x->crc_ok)
		return;
	mangled = mangled || x->incomplete;
	/*
	 * A healthy set never holds one name twice: a second raw entry under a
	 * name already seen raw is an entry the damage renamed onto another.
	 * Keep it apart so it is still counted (as lost).
	 */
	e = xst_salvage_find(s, ns, (const char *)x->name, x->namelen);
	if (e && (e->sources & XST_SRC_RAW)) {
		char dup[300];
		int n = snprintf(dup, sizeof(dup), "<damaged duplicate of %.*s>", (int)x->namelen,
				 (const char *)x->name);

		e = xst_salvage_add(s, ns, dup, (size_t)MIN(n, 255), NULL, 0, XST_SRC_RAW);
		if (e) {
			e->name_ok = false;
			snprintf(e->note, sizeof(e->note), "name collides with another: damaged");
		}
		return;
	}
	e = xst_salvage_add(s, ns, (const char *)x->name, x->namelen, mangled ? NULL : value,
			    mangled ? 0 : valuelen, XST_SRC_RAW);
	if (!e)
		return;
	if (mangled && !(e->sources & XST_SRC_READABLE)) {
		e->name_ok = false;
		e->crc_ok = false;
		snprintf(e->note, sizeof(e->note), "flags damaged: namespace unknown");
		return;
	}
	if (!(e->sources & XST_SRC_READABLE)) {
		e->crc_ok = x->crc_ok && value_crc_ok;
		e->name_ok = !(x->flags & (XST_XATTR_HASH_MISMATCH | XST_XATTR_NS_BAD));
		if (!value)
			snprintf(e->note, sizeof(e->note), "value unreadable");
	}
}

static void collect_raw(struct xst_ctx *ctx, struct xst_salvage *s, int fd)
{
	const struct xst_fs *fs = ctx->fs;
	struct xst_attr_geo geo = { .blksize = fs->geo.blocksize,
				    .v5 = fs->geo.flags & XFS_FSOP_GEOM_FLAGS_V5SB };
	struct blockset b = { .bs = fs->geo.blocksize, .nblk = MAX_ATTR_BLOCKS,
			      .v5 = fs->geo.flags & XFS_FSOP_GEOM_FLAGS_V5SB };
	struct xst_xattrs xs = { 0 };
	struct xst_raw_inode ri;
	int r;

	r = xst_salvage_read_inode(fs, s->ino, &ri);
	if (r == 0 && ri.afork_len && ri.aformat == XST_DINODE_FMT_LOCAL) {
		r = xst_attr_sf_parse(ri.buf + ri.afork_off, ri.afork_len, &xs, NULL);
		for (size_t i = 0; r == 0 && i < xs.n; i++)
			add_raw(s, &xs.v[i], xs.v[i].value, xs.v[i].valuelen, true);
		xst_xattrs_free(&xs);
		return;
	}

	b.blk = calloc(b.nblk, sizeof(*b.blk));
	if (!b.blk) {
		s->raw_err = -ENOMEM;
		return;
	}
	r = xst_salvage_read_fork(fs, fd, true, b.nblk - 1, keep_block, &b);
	if (r < 0)
		s->raw_err = r;
	for (size_t lb = 0; lb < b.nblk; lb++) {
		struct xst_attrblock_info info;

		if (!b.blk[lb])
			continue;
		s->raw_blocks++;
		if (xst_attrblock_parse(b.blk[lb], b.bs, &geo, (uint32_t)lb, XST_ATTRBLK_UNKNOWN,
					&xs, &info) < 0) {
			s->raw_errors++;
			continue;
		}
		if (!info.crc_ok)
			s->raw_badcrc++;
		/*
		 * Entries the header counts but the parser could not read are
		 * still entries the user had: record them as lost, by position.
		 */
		uint32_t unreadable = 0;

		/* Only a block that is surely a leaf has entries to count. */
		if (info.kind == XST_ATTRBLK_LEAF && info.magic_ok) {
			unreadable = info.dropped;
			if (!info.count_bad && info.count > info.entries + info.dropped)
				unreadable += info.count - info.entries - info.dropped;
		}
		for (uint32_t k = info.entries; k < info.entries + unreadable; k++) {
			char name[64];
			int n = snprintf(name, sizeof(name), "<unreadable entry %u of block %zu>", k, lb);
			struct xst_salv_entry *e = xst_salvage_add(s, XST_NS_USER, name, (size_t)n,
								   NULL, 0, XST_SRC_RAW);

			if (e) {
				e->name_ok = false;
				snprintf(e->note, sizeof(e->note), "entry unreadable in the damaged block");
			}
		}
	}
	for (size_t i = 0; i < xs.n; i++) {
		const struct xst_xattr *x = &xs.v[i];
		uint8_t *val = NULL;
		struct xst_attr_rmt_info ri2 = { .crc_ok = true };

		if (x->local) {
			add_raw(s, x, x->value ? x->value : (const uint8_t *)"", x->valuelen, true);
			continue;
		}
		/* A remote value: its blocks, in fork order, from where the entry points. */
		{
			uint32_t need = xst_attr_rmt_blocks(x->valuelen, b.bs, geo.v5);
			const void *vb[64];

			if (need == 0 || need > ARRAY_SIZE(vb) || (uint64_t)x->valueblk + need > b.nblk) {
				add_raw(s, x, NULL, 0, false);
				continue;
			}
			for (uint32_t k = 0; k < need; k++)
				vb[k] = b.blk[x->valueblk + k];
			if (xst_attr_rmt_assemble(vb, need, b.bs, geo.v5, s->ino, x->valuelen,
						  &val, &ri2) < 0 || ri2.missing) {
				free(val);
				add_raw(s, x, NULL, 0, false);
				continue;
			}
			add_raw(s, x, val ? val : (const uint8_t *)"", x->valuelen, ri2.crc_ok);
			free(val);
		}
	}
	xst_xattrs_free(&xs);
	for (size_t lb = 0; lb < b.nblk; lb++)
		free(b.blk[lb]);
	free(b.blk);
}

int xst_rebuild_xattr_collect(struct xst_ctx *ctx, struct xst_salvage *s)
{
	_cleanup_close_ int fd = xst_salvage_open(ctx->fs, s->ino, s->gen);

	if (fd < 0) {
		/* Not openable (say, a broken inode core): nothing to map either. */
		s->raw_err = fd;
		return 0;
	}
	if (ctx->rehearse)
		return 0;
	collect_readable(s, fd);
	if (!s->raw_skip)
		collect_raw(ctx, s, fd);
	return 0;
}

void xst_rebuild_xattr_restore(struct xst_ctx *ctx, struct xst_salvage *s)
{
	_cleanup_close_ int fd = xst_salvage_open(ctx->fs, s->ino, s->gen);
	_cleanup_free_ uint8_t *cur = malloc(65536);

	if (!cur)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct xst_salv_entry *e = &s->v[i];
		char full[300];
		ssize_t vl;

		if (fd < 0) {
			snprintf(e->note, sizeof(e->note), "file not openable: %s", strerror(-fd));
			e->fate = XST_FATE_LOST;
			continue;
		}
		snprintf(full, sizeof(full), "%s%s", ns_prefix(e->ns), e->name);
		vl = fgetxattr(fd, full, cur, 65536);
		if (vl >= 0) {
			/* Still there.  A value we read before the repair wins if it changed. */
			if (e->value && (e->sources & XST_SRC_READABLE) &&
			    ((uint32_t)vl != e->valuelen || memcmp(cur, e->value, e->valuelen))) {
				if (fsetxattr(fd, full, e->value, e->valuelen, XATTR_REPLACE) == 0) {
					e->fate = XST_FATE_RESTORED;
					snprintf(e->note, sizeof(e->note), "value put back");
					continue;
				}
			}
			if (!(e->sources & XST_SRC_READABLE) && !e->name_ok) {
				/* The rebuild kept a name the damage made: say so. */
				e->fate = XST_FATE_FLAGGED;
				snprintf(e->note, sizeof(e->note), "name failed its hash check: possibly renamed");
			} else if (!(e->sources & XST_SRC_READABLE) && !e->crc_ok) {
				e->fate = XST_FATE_FLAGGED;
				snprintf(e->note, sizeof(e->note), "kept from a block that failed its checksum");
			} else {
				e->fate = XST_FATE_KEPT;
			}
			continue;
		}
		if (!e->value) {
			e->fate = XST_FATE_LOST;
			if (!e->note[0])
				snprintf(e->note, sizeof(e->note), "value unreadable");
			continue;
		}
		if (!e->name_ok) {
			e->fate = XST_FATE_LOST;
			snprintf(e->note, sizeof(e->note), "name failed its hash check");
			continue;
		}
		if (fsetxattr(fd, full, e->value, e->valuelen, XATTR_CREATE) < 0) {
			e->fate = XST_FATE_LOST;
			snprintf(e->note, sizeof(e->note), "set back failed: %s", strerror(errno));
			continue;
		}
		if (e->sources & XST_SRC_READABLE || e->crc_ok) {
			e->fate = XST_FATE_RESTORED;
		} else {
			e->fate = XST_FATE_FLAGGED;
			snprintf(e->note, sizeof(e->note), "recovered, content unverified");
		}
	}
}
