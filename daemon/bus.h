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
/* The control socket under the runtime directory, when there is no bus. */
#define XSD_CONTROL_SOCKET "control"
