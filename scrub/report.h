/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages and verdicts in upstream xfs_scrub's style, so that its users'
 * habits and scripts keep working: "Corruption: <object>: <message>" lines,
 * per-class counters, the closing summary and the exit-code bits.  Messages
 * from several worker threads are serialized here, and a progress bar on the
 * same terminal is wiped before each line.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

enum xst_level {
	XST_ERROR,	/* operational error: exit bit 4 */
	XST_CORRUPT,	/* corruption left: exit bit 1 */
	XST_UNFIXABLE,	/* could not be repaired: exit bit 1 */
	XST_WARN,	/* suspicious: exit bit 2 */
	XST_INFO,
	XST_REPAIRED,
	XST_PREEN,	/* optimized; printed only when verbose */
	XST_LOSS,	/* repaired, but something could not be kept: exit bit 16 */
};

/* Exit-code bits, as upstream's. */
#define XST_EXIT_CORRUPT	1
#define XST_EXIT_WARNINGS	2
#define XST_EXIT_OPERROR	4
#define XST_EXIT_USAGE		8
/* Ours, not upstream's: a repair succeeded but lost something (named). */
#define XST_EXIT_LOSS		16

struct xst_report {
	pthread_mutex_t lock;
	const char *mountpoint;
	bool verbose;
	bool debug;
	bool iwarn;		/* -o iwarn: infos count as warnings */
	bool wipe_line;		/* a progress bar shares the terminal */
	/*
	 * No "Attempting repair." lines: the daemon's records say it
	 * afterwards, and naming the object (a parent pointer walk) is then
	 * not in the way of the repair call.
	 */
	bool quiet_attempts;
	uint64_t corruptions;
	uint64_t unfixable;
	uint64_t errors;
	uint64_t warnings;
	uint64_t repairs;
	uint64_t preens;
	uint64_t losses;	/* repairs that could not keep everything */
	/*
	 * Optional: when set, every counted message goes to this callback
	 * (under the report lock, so it is serialized) instead of
	 * stdout/stderr.  The daemon turns messages into journal records.
	 */
	void (*sink)(void *data, enum xst_level level, const char *what,
		     const char *msg);
	void *sink_data;
};

void xst_report_init(struct xst_report *rep, const char *mountpoint);

/* Print "<Level>: <what>: <message>" and count it. */
void xst_msg(struct xst_report *rep, enum xst_level level, const char *what,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "Error: <what>: <strerror(-r)>." */
void xst_msg_errno(struct xst_report *rep, const char *what, int r);

/* A plain line on stdout, serialized with the messages. */
void xst_out(struct xst_report *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The closing summary lines (stdout/stderr) as upstream prints them. */
void xst_report_summary(struct xst_report *rep, bool setup_ok, bool repair_mode);

/* Exit status from the counters. */
int xst_report_exit_code(const struct xst_report *rep);
