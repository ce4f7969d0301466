/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Progress of a long run, per phase: a bar on a terminal, or fsck -C style
 * lines ("<phase> <done> <total> <mountpoint>") on a descriptor, written by
 * a reporter thread twice a second.  Workers only bump an atomic counter.
 */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct xst_report;

struct xst_progress {
	int fd;			/* -1: no progress output */
	bool tty;		/* draw a bar instead of lines */
	const char *mountpoint;
	struct xst_report *rep;	/* to wipe the bar before messages */
	unsigned int phase;
	const char *descr;
	uint64_t total;
	atomic_uint_fast64_t done;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool running, quit;
};

/* fd < 0 disables output; tty selects the bar. */
void xst_progress_init(struct xst_progress *p, int fd, bool tty,
		       const char *mountpoint, struct xst_report *rep);
void xst_progress_phase(struct xst_progress *p, unsigned int phase,
			const char *descr, uint64_t total);
static inline void xst_progress_add(struct xst_progress *p, uint64_t n)
{
	atomic_fetch_add(&p->done, n);
}
/* End the current phase (draws it complete) and stop the reporter. */
void xst_progress_end(struct xst_progress *p);
/* Stop the reporter without drawing the phase complete (the run was cut short). */
void xst_progress_abort(struct xst_progress *p);
