// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Object descriptions and parent-pointer paths.  A parent-pointer walk takes
 * the first parent of each inode; hard-linked files have several paths and
 * any one of them names the file well enough for an operator.  Everything
 * read back from the kernel is bounded: record lengths, name lengths, depth.
 */
#include <stdio.h>
#include <string.h>

#include "descr.h"
#include "kernel.h"
#include "util.h"

#define PATH_DEPTH_MAX 1024
#define GP_BUFSIZE 4096

/* First parent of (ino, gen): its inode/gen and the entry name. */
static int first_parent(const struct xst_fs *fs, uint64_t ino, uint32_t gen,
			uint64_t *pino, uint32_t *pgen, char *name, size_t namelen,
			bool *is_root)
{
	_Alignas(8) char buf[GP_BUFSIZE];
	struct xfs_getparents_by_handle gph = { 0 };
	const struct xfs_getparents_rec *rec;
	size_t nlen;
	int r;

	/* With no parent at all the kernel writes no record: zero the first. */
	memset(buf, 0, sizeof(struct xfs_getparents_rec));
	xst_fs_handle(fs, ino, gen, &gph.gph_handle);
	gph.gph_request.gp_bufsize = sizeof(buf);
	gph.gph_request.gp_buffer = (uintptr_t)buf;
	r = xk_getparents_by_handle(fs->fd, &gph);
	if (r < 0)
		return r;
	*is_root = gph.gph_request.gp_oflags & XFS_GETPARENTS_OFLAG_ROOT;
	if (*is_root)
		return 0;
	rec = (const void *)buf;
	/* No record at all: an orphan with no parent to name it by. */
	if (rec->gpr_reclen == 0)
		return -ENOENT;
	if (rec->gpr_reclen < sizeof(*rec) + 2 || rec->gpr_reclen > sizeof(buf))
		return -EUCLEAN;
	nlen = strnlen(rec->gpr_name, rec->gpr_reclen - sizeof(*rec));
	if (nlen == 0 || nlen >= rec->gpr_reclen - sizeof(*rec))
		return -EUCLEAN;
	if (nlen >= namelen)
		return -ENAMETOOLONG;
	memcpy(name, rec->gpr_name, nlen + 1);
	*pino = rec->gpr_parent.ha_fid.fid_ino;
	*pgen = rec->gpr_parent.ha_fid.fid_gen;
	return 0;
}

int xst_path_of(const struct xst_fs *fs, uint64_t ino, uint32_t gen,
		char *buf, size_t len)
{
	char name[256];
	size_t used = 0;	/* bytes at the end of buf holding the path */

	if (!fs->has_parent)
		return -EOPNOTSUPP;
	if (len == 0)
		return -ENAMETOOLONG;
	buf[len - 1] = '\0';
	for (unsigned int depth = 0; depth < PATH_DEPTH_MAX; depth++) {
		uint64_t pino = 0;
		uint32_t pgen = 0;
		bool is_root = false;
		size_t nlen;
		int r;

		if (ino == fs->root_ino)
			is_root = true;
		else {
			r = first_parent(fs, ino, gen, &pino, &pgen, name, sizeof(name), &is_root);
			if (r < 0)
				return r;
		}
		if (is_root) {
			memmove(buf, buf + len - 1 - used, used + 1);
			return 0;
		}
		nlen = strlen(name);
		if (used + nlen + 1 + 1 > len)
			return -ENAMETOOLONG;
		if (used > 0)
			buf[len - 2 - used++] = '/';
		memcpy(buf + len - 1 - used - nlen, name, nlen);
		used += nlen;
		ino = pino;
		gen = pgen;
	}
	return -ELOOP;
}

void xst_describe_object(const struct xst_fs *fs, const struct xst_item *it,
			 char *buf, size_t len)
{
	char path[XST_DESCR_MAX - 64];

	switch (it->scope) {
	case XST_SCOPE_AG:
		snprintf(buf, len, "AG %u", it->agno);
		return;
	case XST_SCOPE_RTGROUP:
		snprintf(buf, len, "rtgroup %u", it->agno);
		return;
	case XST_SCOPE_INODE:
		if (xst_path_of(fs, it->ino, it->gen, path, sizeof(path)) == 0) {
			const char *mnt = fs->mountpoint;
			size_t ml = strlen(mnt);

			/* "/mnt" + "/" + "a/b", without doubling a trailing slash. */
			snprintf(buf, len, "%s%s%s", mnt,
				 (ml && mnt[ml - 1] == '/') || !path[0] ? "" : "/", path);
			return;
		}
		snprintf(buf, len, "inode %llu (%u/%u)", (unsigned long long)it->ino,
			 xst_ino_agno(fs, it->ino), xst_ino_agino(fs, it->ino));
		return;
	default:
		buf[0] = '\0';
		return;
	}
}

void xst_describe_brief(const struct xst_fs *fs, const struct xst_item *it,
			unsigned int type, char *buf, size_t len)
{
	const struct xst_type_info *ti = xst_type(type);
	const char *what = ti ? ti->descr : "unknown metadata";

	if (it->scope == XST_SCOPE_INODE)
		snprintf(buf, len, "inode %llu (%u/%u) %s", (unsigned long long)it->ino,
			 xst_ino_agno(fs, it->ino), xst_ino_agino(fs, it->ino), what);
	else
		xst_describe(fs, it, type, buf, len);
}

void xst_describe(const struct xst_fs *fs, const struct xst_item *it,
		  unsigned int type, char *buf, size_t len)
{
	char obj[XST_DESCR_MAX - 64];
	const struct xst_type_info *ti = xst_type(type);
	const char *what = ti ? ti->descr : "unknown metadata";

	xst_describe_object(fs, it, obj, sizeof(obj));
	if (obj[0])
		snprintf(buf, len, "%s %s", obj, what);
	else
		snprintf(buf, len, "%s", what);
}
