// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The progress reporter thread.  It owns all progress output; phases are
 * switched under a mutex so a line never mixes two phases' numbers.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "report.h"
#include "util.h"

#define BAR_WIDTH 50

static void draw(struct xst_progress *p, bool final)
{
	uint64_t done = atomic_load(&p->done), total = p->total;
	char line[256];
	int n;

	if (total && done > total)
		done = total;
	if (final)
		done = total;
	if (!p->tty) {
		n = snprintf(line, sizeof(line), "%u %llu %llu %s\n", p->phase,
			     (unsigned long long)done, (unsigned long long)total,
			     p->mountpoint);
	} else {
		static const char twirl[] = "|/-\\";
		static unsigned int spin;
		double frac = total ? (double)done / (double)total : 0.0;
		int fill = (int)(frac * BAR_WIDTH);
		char bar[BAR_WIDTH + 1];

		memset(bar, ' ', BAR_WIDTH);
		memset(bar, '=', (size_t)fill);
		bar[BAR_WIDTH] = '\0';
		n = snprintf(line, sizeof(line), "\rPhase %u: |%s| %c (%.1f%%)%s",
			     p->phase, bar, final ? ' ' : twirl[spin++ % 4],
			     frac * 100.0, final ? "\n" : "");
	}
	if (n > 0) {
		if (p->rep)
			pthread_mutex_lock(&p->rep->lock);
		if (write(p->fd, line, (size_t)MIN(n, (int)sizeof(line) - 1)) < 0) {
			/* Progress is best effort: a closed pipe must not stop a scrub. */
		}
		if (p->rep)
			pthread_mutex_unlock(&p->rep->lock);
	}
}

static void *reporter(void *arg)
{
	struct xst_progress *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->quit) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 500000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->cond, &p->lock, &ts);
		if (!p->quit && p->descr)
			draw(p, false);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

void xst_progress_init(struct xst_progress *p, int fd, bool tty,
		       const char *mountpoint, struct xst_report *rep)
{
	memset(p, 0, sizeof(*p));
	p->fd = fd;
	p->tty = tty;
	p->mountpoint = mountpoint;
	p->rep = rep;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (rep && tty && fd == STDOUT_FILENO)
		rep->wipe_line = true;
}

void xst_progress_phase(struct xst_progress *p, unsigned int phase,
			const char *descr, uint64_t total)
{
	if (p->fd < 0)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->descr)
		draw(p, true);
	p->phase = phase;
	p->descr = descr;
	p->total = total;
	atomic_store(&p->done, 0);
	if (!p->running && pthread_create(&p->thread, NULL, reporter, p) == 0)
		p->running = true;
	pthread_mutex_unlock(&p->lock);
}

void xst_progress_end(struct xst_progress *p)
{
	if (p->fd < 0)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->descr)
		draw(p, true);
	p->descr = NULL;
	p->quit = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	if (p->running)
		pthread_join(p->thread, NULL);
	p->running = false;
}

void xst_progress_abort(struct xst_progress *p)
{
	if (p->fd < 0)
		return;
	pthread_mutex_lock(&p->lock);
	p->descr = NULL;
	pthread_mutex_unlock(&p->lock);
	xst_progress_end(p);
	/* A bar was left half drawn: end its line. */
	if (p->tty && p->phase && write(p->fd, "\n", 1) < 0) {
		/* best effort, as every progress write */
	}
}
