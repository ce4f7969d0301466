/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mount discovery: the XFS mounts of this mount namespace, read from
 * /proc/self/mountinfo.  The kernel flags that file with EPOLLPRI whenever
 * the mount table changes, so the event loop rereads it only then.  One
 * filesystem mounted at several places (bind mounts) is listed once, at
 * its first whole-filesystem mount (root "/").
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct xst_fs;

struct xsd_mount {
	char *mountpoint;
	char *source;		/* the device as mounted, e.g. /dev/vda */
	dev_t dev;
	int mnt_id;
	bool readonly;
	bool discard;		/* superblock option: online discard of freed blocks */
};

/* Parse mountinfo text; XFS whole-fs mounts only, deduplicated by dev. */
int xsd_mounts_parse(const char *text, struct xsd_mount **ret, size_t *n);

/* Read and parse /proc/self/mountinfo (or path, for tests). */
int xsd_mounts_read(const char *path, struct xsd_mount **ret, size_t *n);

void xsd_mounts_free(struct xsd_mount *m, size_t n);

/*
 * What makes an open filesystem the one discovered: its device, its UUID
 * and its fs handle (the 8 bytes every handle on it starts with).  Taken at
 * discovery and again before every job.
 */
struct xsd_fs_ident {
	dev_t dev;
	uint8_t uuid[16];
	uint8_t handle[8];
};

void xsd_ident_of(const struct xst_fs *xfs, struct xsd_fs_ident *id);

/* NULL if a and b are one filesystem, else what differs: "device", "UUID", "fs handle". */
const char *xsd_ident_differs(const struct xsd_fs_ident *a, const struct xsd_fs_ident *b);
