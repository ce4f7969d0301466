/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state directory (salvage records, in-flight repair markers) lives
 * outside the filesystem being repaired and is made on first use.
 */
#pragma once

#include <sys/types.h>

/* mkdir -p with the given mode for every level created.  0 or -errno. */
int xst_mkdir_p(const char *path, mode_t mode);
