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
/* One row of ListFilesystems. */
#define XSD_BUS_FS_SIG "(ssssddttttttttsss)"
/* One row of ListDamage: mountpoint, state, agno (-1: none), inode, offset,
 * scrub type, path, message, first seen (realtime seconds). */
#define XSD_BUS_DAMAGE_SIG "(ssxttssst)"
/* One row of ListSalvage: mountpoint, record path, inode, generation,
 * type, phase, time, entries, kept, restored, flagged, lost, pending. */
#define XSD_BUS_SALVAGE_SIG "(ssttssxtttttt)"
/* The control socket under the runtime directory, when there is no bus. */
#define XSD_CONTROL_SOCKET "control"
