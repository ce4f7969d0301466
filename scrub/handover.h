/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Handing an on-demand xfs_scrub over to a running xfs_scrubd.  When the
 * daemon watches the filesystem, a second scanner beside it would only
 * compete for the same disk and race its repairs; instead xfs_scrub asks
 * the daemon to scan (StartScan), follows the daemon's signals for that
 * mount (findings, progress, the end) and exits with the status it would
 * have had, in upstream's bits.  Anything the daemon cannot express, or
 * no daemon at all, leaves the run to xfs_scrub itself.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"

struct xst_progress;

/* Bound for any text taken from the daemon (its records hold 512 bytes). */
#define XST_HANDOVER_TEXT_MAX 1024

/* The job as the daemon's StartScan options express it. */
struct xst_handover_req {
	const char *mountpoint;	/* as the user gave it; messages name it */
	const char *mode;	/* "repair" or "report" */
	const char *kind;	/* "metadata" or "all" */
	bool throttle;
	bool verbose;
};

/* What ScanFinished says. */
struct xst_scan_end {
	char kind[16];
	char result[16];
	uint64_t objects, corruptions, repairs, failures, losses, media_errors;
};

/* Set XFS_SCRUBD_SOCKET to reach a daemon whose runtime_dir is not the default. */
#define XST_HANDOVER_SOCKET_ENV "XFS_SCRUBD_SOCKET"
#define XST_HANDOVER_SOCKET "/run/xfs_scrubd/control"
/* Set to 1 (or y, yes, true) to keep every run local. */
#define XST_HANDOVER_OPTOUT_ENV "XFS_SCRUB_NO_DAEMON"

/*
 * Try the hand-over.  Returns 1 with *exit_code set when the daemon did
 * the job (or a scan it was running already was followed to its end), 0
 * when the caller should scrub by itself.  Progress goes to prog, set up
 * as for a local run; it is ended here.  Interrupted (SIGINT, SIGTERM,
 * SIGHUP), it cancels the scan it started and dies of the signal, as an
 * uncaught signal ends upstream's xfs_scrub.
 */
int xst_handover(const struct xst_handover_req *req, struct xst_report *rep,
		 struct xst_progress *prog, int *exit_code);

/* ---- the pure parts, for the unit tests ---- */

/* The environment's opt-out value: true means "do not hand over". */
bool xst_handover_optout(const char *env_value);

/* One Outcome signal turned into an xfs_scrub message. */
struct xst_finding {
	enum xst_level level;
	char what[XST_HANDOVER_TEXT_MAX];
	char msg[XST_HANDOVER_TEXT_MAX];
};

/*
 * kind is the record's MESSAGE_ID, outcome its XFS_OUTCOME, text the
 * daemon's "<object>: <words>" line.  Returns false for what is not
 * printed (scan bookkeeping, lifecycle lines without verbose).  Where the
 * daemon's words have an upstream equivalent, the equivalent is used.
 */
bool xst_handover_finding(const char *kind, const char *outcome, const char *text,
			  const char *mountpoint, bool repair_mode, bool verbose,
			  struct xst_finding *f);

/*
 * The counters of rep from ScanFinished, so that xst_report_summary and
 * xst_report_exit_code say what a local run would have: corruption left
 * (bit 1), operational error (bit 4), loss (bit 16).  Warnings already
 * counted while following are kept.
 */
void xst_handover_tally(const struct xst_scan_end *e, bool report_mode, struct xst_report *rep);
