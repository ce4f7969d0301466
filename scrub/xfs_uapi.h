/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel ABI this project needs beyond what Debian 12's <xfs/xfs_fs.h>
 * (xfsprogs 6.1) declares: vectored scrub, the newer scrub types and health
 * bits, parent pointers, exchange-range and commit-range, the health monitor
 * and media verification.  Every definition is guarded so that a newer system
 * header wins; the layouts are checked with static assertions below so a
 * mismatch fails the build instead of corrupting an ioctl.
 *
 * Facts come from the kernel UAPI (see docs/kernel-abi.md); no code is copied.
 */
#pragma once

#include <stdint.h>
#include <linux/types.h>
#include <linux/ioctl.h>
#include <xfs/xfs.h>

/* ---- scrub types and flags added after 6.1 ---- */
#ifndef XFS_SCRUB_TYPE_QUOTACHECK
#define XFS_SCRUB_TYPE_QUOTACHECK	25
#endif
#ifndef XFS_SCRUB_TYPE_NLINKS
#define XFS_SCRUB_TYPE_NLINKS		26
#endif
#ifndef XFS_SCRUB_TYPE_HEALTHY
#define XFS_SCRUB_TYPE_HEALTHY		27
#endif
#ifndef XFS_SCRUB_TYPE_DIRTREE
#define XFS_SCRUB_TYPE_DIRTREE		28
#endif
#ifndef XFS_SCRUB_TYPE_METAPATH
#define XFS_SCRUB_TYPE_METAPATH		29
#endif
#ifndef XFS_SCRUB_TYPE_RGSUPER
#define XFS_SCRUB_TYPE_RGSUPER		30
#endif
#ifndef XFS_SCRUB_TYPE_RTRMAPBT
#define XFS_SCRUB_TYPE_RTRMAPBT		31
#endif
#ifndef XFS_SCRUB_TYPE_RTREFCBT
#define XFS_SCRUB_TYPE_RTREFCBT		32
#endif
/* The number of types this project knows, whatever the system header says. */
#define XST_SCRUB_TYPE_NR		33
#ifndef XFS_SCRUB_TYPE_BARRIER
#define XFS_SCRUB_TYPE_BARRIER		((__u32)-1)
#endif
#ifndef XFS_SCRUB_IFLAG_FORCE_REBUILD
#define XFS_SCRUB_IFLAG_FORCE_REBUILD	(1u << 8)
#endif

/* ---- vectored scrub (6.10) ---- */
#ifndef XFS_IOC_SCRUBV_METADATA
struct xfs_scrub_vec {
	__u32 sv_type;
	__u32 sv_flags;
	__s32 sv_ret;
	__u32 sv_reserved;
};

struct xfs_scrub_vec_head {
	__u64 svh_ino;
	__u32 svh_gen;
	__u32 svh_agno;
	__u32 svh_flags;
	__u16 svh_rest_us;
	__u16 svh_nr;
	__u64 svh_reserved;
	__u64 svh_vectors;
};
#define XFS_IOC_SCRUBV_METADATA	_IOWR('X', 64, struct xfs_scrub_vec_head)
#endif

/* ---- health bits added after 6.1 ---- */
#ifndef XFS_FSOP_GEOM_SICK_QUOTACHECK
#define XFS_FSOP_GEOM_SICK_QUOTACHECK	(1 << 6)
#endif
#ifndef XFS_FSOP_GEOM_SICK_NLINKS
#define XFS_FSOP_GEOM_SICK_NLINKS	(1 << 7)
#endif
#ifndef XFS_FSOP_GEOM_SICK_METADIR
#define XFS_FSOP_GEOM_SICK_METADIR	(1 << 8)
#endif
#ifndef XFS_FSOP_GEOM_SICK_METAPATH
#define XFS_FSOP_GEOM_SICK_METAPATH	(1 << 9)
#endif
#ifndef XFS_AG_GEOM_SICK_INODES
#define XFS_AG_GEOM_SICK_INODES		(1 << 10)
#endif
#ifndef XFS_BS_SICK_DIRTREE
#define XFS_BS_SICK_DIRTREE		(1 << 8)
#endif

/* ---- geometry feature flags added after 6.1 ---- */
#ifndef XFS_FSOP_GEOM_FLAGS_EXCHANGE_RANGE
#define XFS_FSOP_GEOM_FLAGS_EXCHANGE_RANGE	(1 << 24)
#endif
#ifndef XFS_FSOP_GEOM_FLAGS_PARENT
#define XFS_FSOP_GEOM_FLAGS_PARENT		(1 << 25)
#endif
#ifndef XFS_FSOP_GEOM_FLAGS_METADIR
#define XFS_FSOP_GEOM_FLAGS_METADIR		(1 << 26)
#endif
#ifndef XFS_FSOP_GEOM_FLAGS_ZONED
#define XFS_FSOP_GEOM_FLAGS_ZONED		(1 << 27)
#endif

/*
 * The 6.1 struct has reserved[17] where 6.13 put rgextents and rgcount; both
 * are 256 bytes, so read the newer fields through this overlay.
 */
struct xst_fsop_geom_v5 {
	__u32 blocksize, rtextsize, agblocks, agcount, logblocks, sectsize;
	__u32 inodesize, imaxpct;
	__u64 datablocks, rtblocks, rtextents, logstart;
	unsigned char uuid[16];
	__u32 sunit, swidth;
	__s32 version;
	__u32 flags, logsectsize, rtsectsize, dirblocksize, logsunit;
	__u32 sick, checked;
	__u32 rgextents, rgcount;
	__u64 rtstart, rtreserved;
	__u64 reserved[14];
};

/* ---- bulk request flags added after 6.1 ---- */
#ifndef XFS_BULK_IREQ_METADIR
#define XFS_BULK_IREQ_METADIR		(1U << 3)
#endif

/* ---- realtime groups (6.13) ---- */
#ifndef XFS_IOC_RTGROUP_GEOMETRY
struct xfs_rtgroup_geometry {
	__u32 rg_number;
	__u32 rg_length;
	__u32 rg_sick;
	__u32 rg_checked;
	__u32 rg_flags;
	__u32 rg_writepointer;
	__u64 rg_reserved[13];
};
#define XFS_IOC_RTGROUP_GEOMETRY _IOWR('X', 65, struct xfs_rtgroup_geometry)
#define XFS_RTGROUP_GEOM_SICK_SUPER	(1U << 0)
#define XFS_RTGROUP_GEOM_SICK_BITMAP	(1U << 1)
#define XFS_RTGROUP_GEOM_SICK_SUMMARY	(1U << 2)
#define XFS_RTGROUP_GEOM_SICK_RMAPBT	(1U << 3)
#define XFS_RTGROUP_GEOM_SICK_REFCNTBT	(1U << 4)
#endif

/* ---- parent pointers (6.10) ---- */
#ifndef XFS_IOC_GETPARENTS
struct xfs_getparents_rec {
	struct xfs_handle gpr_parent;
	__u32 gpr_reclen;
	__u32 gpr_reserved;
	char gpr_name[];
};

#define XFS_GETPARENTS_OFLAG_ROOT	(1U << 0)
#define XFS_GETPARENTS_OFLAG_DONE	(1U << 1)

struct xfs_getparents {
	struct xfs_attrlist_cursor gp_cursor;
	__u16 gp_iflags;
	__u16 gp_oflags;
	__u32 gp_bufsize;
	__u64 gp_reserved;
	__u64 gp_buffer;
};

struct xfs_getparents_by_handle {
	struct xfs_handle gph_handle;
	struct xfs_getparents gph_request;
};
#define XFS_IOC_GETPARENTS		_IOWR('X', 62, struct xfs_getparents)
#define XFS_IOC_GETPARENTS_BY_HANDLE	_IOWR('X', 63, struct xfs_getparents_by_handle)
#endif

/* ---- exchange-range (6.10) and commit-range (6.12) ---- */
#ifndef XFS_IOC_EXCHANGE_RANGE
struct xfs_exchange_range {
	__s32 file1_fd;
	__u32 pad;
	__u64 file1_offset;
	__u64 file2_offset;
	__u64 length;
	__u64 flags;
};
#define XFS_EXCHANGE_RANGE_TO_EOF	(1ULL << 0)
#define XFS_EXCHANGE_RANGE_DSYNC	(1ULL << 1)
#define XFS_EXCHANGE_RANGE_DRY_RUN	(1ULL << 2)
#define XFS_EXCHANGE_RANGE_FILE1_WRITTEN (1ULL << 3)
#define XFS_IOC_EXCHANGE_RANGE	_IOW('X', 129, struct xfs_exchange_range)
#endif

#ifndef XFS_IOC_COMMIT_RANGE
struct xfs_commit_range {
	__s32 file1_fd;
	__u32 pad;
	__u64 file1_offset;
	__u64 file2_offset;
	__u64 length;
	__u64 flags;
	__u64 file2_freshness[6];
};
#define XFS_IOC_START_COMMIT	_IOR('X', 130, struct xfs_commit_range)
#define XFS_IOC_COMMIT_RANGE	_IOW('X', 131, struct xfs_commit_range)
#endif

/* ---- health monitor and media verification (7.0) ---- */
#ifndef XFS_IOC_HEALTH_MONITOR
struct xfs_health_monitor {
	__u64 flags;
	__u8 format;
	__u8 pad[23];
};
#define XFS_HEALTH_MONITOR_VERBOSE	(1ULL << 0)
#define XFS_HEALTH_MONITOR_FMT_V0	0

struct xfs_health_monitor_event {
	__u32 domain;
	__u32 type;
	__u64 time_ns;
	union {
		struct { __u64 count; } lost;
		struct { __u32 mask; } fs;
		struct { __u32 mask; __u32 gno; } group;
		struct { __u32 mask; __u32 gen; __u64 ino; } inode;
		struct { __u32 reasons; } shutdown;
		struct { __u64 daddr; __u64 bbcount; } media;
		struct { __u64 pos; __u64 len; __u64 ino; __u32 gen; __u32 error; } filerange;
	} e;
	__u64 pad[2];
};

#define XFS_HEALTH_MONITOR_DOMAIN_MOUNT		0
#define XFS_HEALTH_MONITOR_DOMAIN_FS		1
#define XFS_HEALTH_MONITOR_DOMAIN_AG		2
#define XFS_HEALTH_MONITOR_DOMAIN_INODE		3
#define XFS_HEALTH_MONITOR_DOMAIN_RTGROUP	4
#define XFS_HEALTH_MONITOR_DOMAIN_DATADEV	5
#define XFS_HEALTH_MONITOR_DOMAIN_RTDEV		6
#define XFS_HEALTH_MONITOR_DOMAIN_LOGDEV	7
#define XFS_HEALTH_MONITOR_DOMAIN_FILERANGE	8

#define XFS_HEALTH_MONITOR_TYPE_RUNNING		0
#define XFS_HEALTH_MONITOR_TYPE_LOST		1
#define XFS_HEALTH_MONITOR_TYPE_UNMOUNT		2
#define XFS_HEALTH_MONITOR_TYPE_SICK		3
#define XFS_HEALTH_MONITOR_TYPE_CORRUPT		4
#define XFS_HEALTH_MONITOR_TYPE_HEALTHY		5
#define XFS_HEALTH_MONITOR_TYPE_SHUTDOWN	6
#define XFS_HEALTH_MONITOR_TYPE_MEDIA_ERROR	7
#define XFS_HEALTH_MONITOR_TYPE_BUFREAD		8
#define XFS_HEALTH_MONITOR_TYPE_BUFWRITE	9
#define XFS_HEALTH_MONITOR_TYPE_DIOREAD		10
#define XFS_HEALTH_MONITOR_TYPE_DIOWRITE	11
#define XFS_HEALTH_MONITOR_TYPE_DATALOST	12

struct xfs_health_file_on_monitored_fs {
	__s32 fd;
	__u32 flags;
};
#define XFS_IOC_HEALTH_MONITOR	_IOW('X', 68, struct xfs_health_monitor)
#define XFS_IOC_HEALTH_FD_ON_MONITORED_FS \
	_IOW('X', 69, struct xfs_health_file_on_monitored_fs)
#endif

#ifndef XFS_IOC_VERIFY_MEDIA
struct xfs_verify_media {
	__u32 me_dev;
	__u32 me_flags;
	__u64 me_start_daddr;
	__u64 me_end_daddr;
	__u32 me_ioerror;
	__u32 me_max_io_size;
	__u32 me_rest_us;
	__u32 me_pad;
};
#define XFS_DEV_DATA			1
#define XFS_DEV_LOG			2
#define XFS_DEV_RT			3
#define XFS_VERIFY_MEDIA_REPORT		(1U << 0)
#define XFS_IOC_VERIFY_MEDIA	_IOWR('X', 70, struct xfs_verify_media)
#endif

/* Layout checks: a wrong size here would silently corrupt an ioctl. */
_Static_assert(sizeof(struct xfs_scrub_metadata) == 64, "scrub_metadata");
_Static_assert(sizeof(struct xfs_scrub_vec) == 16, "scrub_vec");
_Static_assert(sizeof(struct xfs_scrub_vec_head) == 40, "scrub_vec_head");
_Static_assert(sizeof(struct xst_fsop_geom_v5) == 256, "fsop_geom");
_Static_assert(sizeof(struct xfs_fsop_geom) == 256, "fsop_geom sys");
_Static_assert(sizeof(struct xfs_ag_geometry) == 128, "ag_geometry");
_Static_assert(sizeof(struct xfs_rtgroup_geometry) == 128, "rtgroup_geometry");
_Static_assert(sizeof(struct xfs_bulkstat) == 192, "bulkstat");
_Static_assert(sizeof(struct xfs_inumbers) == 24, "inumbers");
_Static_assert(sizeof(struct xfs_getparents) == 40, "getparents");
_Static_assert(sizeof(struct xfs_getparents_by_handle) == 64, "getparents_by_handle");
_Static_assert(sizeof(struct xfs_getparents_rec) == 32, "getparents_rec");
_Static_assert(sizeof(struct xfs_exchange_range) == 40, "exchange_range");
_Static_assert(sizeof(struct xfs_commit_range) == 88, "commit_range");
_Static_assert(sizeof(struct xfs_health_monitor) == 32, "health_monitor");
_Static_assert(sizeof(struct xfs_health_monitor_event) == 64, "health_event");
_Static_assert(sizeof(struct xfs_verify_media) == 40, "verify_media");
_Static_assert(XFS_IOC_SCRUBV_METADATA == 0xC0285840, "scrubv ioctl");
_Static_assert(XFS_IOC_EXCHANGE_RANGE == 0x40285881, "exchange ioctl");
_Static_assert(XFS_IOC_START_COMMIT == 0x80585882, "start_commit ioctl");
_Static_assert(XFS_IOC_COMMIT_RANGE == 0x40585883, "commit_range ioctl");
_Static_assert(XFS_IOC_GETPARENTS_BY_HANDLE == 0xC040583F, "getparents ioctl");
_Static_assert(XFS_IOC_HEALTH_MONITOR == 0x40205844, "healthmon ioctl");
_Static_assert(XFS_IOC_VERIFY_MEDIA == 0xC0285846, "verify_media ioctl");
