/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fanotify mount events (Linux 6.15) for builds whose kernel headers predate
 * them (Debian 12 ships the 6.1 uapi).  Values from the kernel's uapi
 * <linux/fanotify.h>; the record layout was checked against a 6.18 kernel:
 * a 24-byte event header (version 3), then one 16-byte info record of type
 * 7 whose last 8 bytes are the mount's unique id.
 */
#pragma once

#include <sys/fanotify.h>

#ifndef FAN_REPORT_MNT
#define FAN_REPORT_MNT		0x00004000	/* fanotify_init: mount events */
#endif
#ifndef FAN_MARK_MNTNS
#define FAN_MARK_MNTNS		0x00000110	/* fanotify_mark: dirfd is a mount ns fd */
#endif
#ifndef FAN_MNT_ATTACH
#define FAN_MNT_ATTACH		0x01000000	/* a mount appeared in the namespace */
#endif
#ifndef FAN_MNT_DETACH
#define FAN_MNT_DETACH		0x02000000	/* a mount left it (a move sets both) */
#endif
#ifndef FAN_EVENT_INFO_TYPE_MNT
#define FAN_EVENT_INFO_TYPE_MNT	7
#endif

/* Not a header constant: the size of struct fanotify_event_info_mnt. */
#define XSD_FAN_INFO_MNT_LEN	16
