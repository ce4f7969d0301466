/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers every module uses: scope-bound cleanup of owned locals, and a
 * few arithmetic and errno conveniences.  Functions in this project return 0
 * or a negative errno; "r" is the conventional name of such a result.
 */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void xst_freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(xst_freep)

static inline void xst_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_close_ _cleanup_(xst_closep)

/* Hand an owned pointer out of a cleanup-scoped local. */
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* -errno of the last failed libc call, never 0. */
static inline int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}
