// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mountinfo parsing (proc(5)): "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS
 * [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS", with spaces, tabs, newlines
 * and backslashes in paths written as octal escapes.  Also the identity a
 * watched filesystem is re-validated against before any work.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "fs.h"
#include "mounts.h"
#include "util.h"

/* Undo the kernel's \ooo escapes in place. */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; ) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = 0;
}

void xsd_mounts_free(struct xsd_mount *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].mountpoint);
		free(m[i].source);
	}
	free(m);
}

static int parse_line(char *line, struct xsd_mount *out, bool *is_xfs)
{
	char *f[6], *save = NULL, *tok, *fstype, *source, *opts, *sopts;
	unsigned int ma, mi;
	int i;

	*is_xfs = false;
	for (i = 0; i < 6; i++) {
		f[i] = strtok_r(i ? NULL : line, " ", &save);
		if (!f[i])
			return -EINVAL;
	}
	/* Skip optional fields up to the "-" separator. */
	while ((tok = strtok_r(NULL, " ", &save)) && strcmp(tok, "-"))
		;
	if (!tok)
		return -EINVAL;
	fstype = strtok_r(NULL, " ", &save);
	source = strtok_r(NULL, " ", &save);
	sopts = strtok_r(NULL, " \n", &save);
	if (!fstype || !source)
		return -EINVAL;
	if (strcmp(fstype, "xfs") || strcmp(f[3], "/"))
		return 0;
	if (sscanf(f[2], "%u:%u", &ma, &mi) != 2)
		return -EINVAL;
	unescape(f[4]);
	unescape(source);
	out->mnt_id = atoi(f[0]);
	out->dev = makedev(ma, mi);
	opts = f[5];
	out->readonly = xst_mount_opt_has(opts, "ro");
	out->discard = xst_mount_opt_has(sopts, "discard");
	out->mountpoint = strdup(f[4]);
	out->source = strdup(source);
	if (!out->mountpoint || !out->source) {
		free(out->mountpoint);
		free(out->source);
		return -ENOMEM;
	}
	*is_xfs = true;
	return 0;
}

int xsd_mounts_parse(const char *text, struct xsd_mount **ret, size_t *n)
{
	_cleanup_free_ char *copy = strdup(text);
	struct xsd_mount *m = NULL;
	size_t cnt = 0;
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct xsd_mount one = { 0 };
		bool is_xfs, dup = false;
		int r = parse_line(line, &one, &is_xfs);

		if (r == -ENOMEM) {
			xsd_mounts_free(m, cnt);
			return r;
		}
		if (r < 0 || !is_xfs)
			continue;
		for (size_t i = 0; i < cnt; i++)
			dup |= m[i].dev == one.dev;
		if (!dup) {
			struct xsd_mount *nm = realloc(m, (cnt + 1) * sizeof(*m));

			if (!nm) {
				free(one.mountpoint);
				free(one.source);
				xsd_mounts_free(m, cnt);
				return -ENOMEM;
			}
			m = nm;
			m[cnt++] = one;
		} else {
			free(one.mountpoint);
			free(one.source);
		}
	}
	*ret = m;
	*n = cnt;
	return 0;
}

int xsd_mounts_read(const char *path, struct xsd_mount **ret, size_t *n)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 0;
	FILE *f = fopen(path ? path : "/proc/self/mountinfo", "re");
	ssize_t got;
	int r;

	if (!f)
		return neg_errno();
	got = getdelim(&buf, &size, 0, f);
	r = got < 0 && !feof(f) ? neg_errno() : 0;
	fclose(f);
	if (r < 0)
		return r;
	return xsd_mounts_parse(buf ? buf : "", ret, n);
}

void xsd_ident_of(const struct xst_fs *xfs, struct xsd_fs_ident *id)
{
	memset(id, 0, sizeof(*id));
	id->dev = xfs->dev;
	memcpy(id->uuid, xfs->geo.uuid, sizeof(id->uuid));
	memcpy(id->handle, xfs->fsid, sizeof(id->handle));
}

const char *xsd_ident_differs(const struct xsd_fs_ident *a, const struct xsd_fs_ident *b)
{
	if (a->dev != b->dev)
		return "device";
	if (memcmp(a->uuid, b->uuid, sizeof(a->uuid)))
		return "UUID";
	if (memcmp(a->handle, b->handle, sizeof(a->handle)))
		return "fs handle";
	return NULL;
}
