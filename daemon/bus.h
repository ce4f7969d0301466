/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The D-Bus interface, shared by the daemon and xfs_scrubctl.  Documented
 * in docs/daemon.md and xfs_scrubd(8); the names are API.
 */
#pragma once

#define XSD_BUS_NAME "org.xfs.Scrubd1"
#define XSD_BUS_PATH "/org/xfs/Scrubd1"
#define XSD_BUS_IFACE "org.xfs.Scrubd1.Manager"
#define XSD_BUS_ERR_NOFS "org.xfs.Scrubd1.Error.NoSuchFilesystem"
#define XSD_BUS_ERR_STATE "org.xfs.Scrubd1.Error.WrongState"
/*
 * One row of ListFilesystems, in four parts so that a reader after one
 * field can skip the rest: mountpoint, device, UUID, state; progress, rate,
 * ETA, checked, corrupt, repaired, failed, health events, last scan end and
 * duration, last result, event source; the scan cursor; pace ("",
 * "throttled", "full-speed"), CPU and I/O budgets (%), media cap (B/s).
 */
#define XSD_BUS_FS_HEAD "ssss"
#define XSD_BUS_FS_MIDDLE "ddttttttttss"
#define XSD_BUS_FS_CURSOR "s"
#define XSD_BUS_FS_TAIL "suut"
#define XSD_BUS_FS_FIELDS XSD_BUS_FS_HEAD XSD_BUS_FS_MIDDLE XSD_BUS_FS_CURSOR XSD_BUS_FS_TAIL
#define XSD_BUS_FS_SIG "(" XSD_BUS_FS_FIELDS ")"
/* One row of ListDamage: mountpoint, state, agno (-1: none), inode, offset,
 * scrub type, path, message, first seen (realtime seconds). */
#define XSD_BUS_DAMAGE_SIG "(ssxttssst)"
/* One row of ListSalvage: mountpoint, record path, inode, generation,
 * type, phase, time, entries, kept, restored, flagged, lost, pending. */
#define XSD_BUS_SALVAGE_SIG "(ssttssxtttttt)"
/* The control socket under the runtime directory, when there is no bus. */
#define XSD_CONTROL_SOCKET "control"
