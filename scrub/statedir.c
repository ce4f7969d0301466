// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Making the state directory: every level that is missing is created with
 * the caller's mode (0700: salvage records hold file names and xattr values
 * that only root may read).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "statedir.h"
#include "util.h"

int xst_mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *copy = strdup(path);

	if (!copy)
		return -ENOMEM;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return neg_errno();
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return neg_errno();
	return 0;
}
