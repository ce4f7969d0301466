// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Upstream-compatible messages.  Errors, corruptions and warnings go to
 * stderr, the rest to stdout (flushed per line so that interleaving with
 * stderr stays readable in a journal or a log file).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

static const struct {
	const char *text;
	bool to_stderr;
} levels[] = {
	[XST_ERROR] = { "Error", true },
	[XST_CORRUPT] = { "Corruption", true },
	[XST_UNFIXABLE] = { "Unfixable Error", true },
	[XST_WARN] = { "Warning", true },
	[XST_INFO] = { "Info", false },
	[XST_REPAIRED] = { "Repaired", false },
	[XST_PREEN] = { "Optimized", false },
	[XST_LOSS] = { "Repaired with loss", true },
};

void xst_report_init(struct xst_report *rep, const char *mountpoint)
{
	memset(rep, 0, sizeof(*rep));
	pthread_mutex_init(&rep->lock, NULL);
	rep->mountpoint = mountpoint;
}

static void count(struct xst_report *rep, enum xst_level level)
{
	switch (level) {
	case XST_ERROR: rep->errors++; break;
	case XST_CORRUPT: rep->corruptions++; break;
	case XST_UNFIXABLE: rep->unfixable++; break;
	case XST_WARN: rep->warnings++; break;
	case XST_INFO: if (rep->iwarn) rep->warnings++; break;
	case XST_REPAIRED: rep->repairs++; break;
	case XST_PREEN: rep->preens++; break;
	case XST_LOSS: rep->repairs++; rep->losses++; break;
	}
}

static void vmsg(struct xst_report *rep, enum xst_level level, const char *what,
		 const char *fmt, va_list ap)
{
	FILE *f;

	if (level == XST_INFO && rep->iwarn)
		level = XST_WARN;
	f = levels[level].to_stderr ? stderr : stdout;
	pthread_mutex_lock(&rep->lock);
	count(rep, level);
	if (level == XST_PREEN && !rep->verbose && !rep->debug) {
		pthread_mutex_unlock(&rep->lock);
		return;
	}
	if (rep->sink) {
		char buf[1024];

		vsnprintf(buf, sizeof(buf), fmt, ap);
		rep->sink(rep->sink_data, level, what, buf);
		pthread_mutex_unlock(&rep->lock);
		return;
	}
	if (rep->wipe_line)
		fputs("\r\033[K", f);
	fprintf(f, "%s: %s: ", levels[level].text, what);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
	pthread_mutex_unlock(&rep->lock);
}

void xst_msg(struct xst_report *rep, enum xst_level level, const char *what,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(rep, level, what, fmt, ap);
	va_end(ap);
}

void xst_msg_errno(struct xst_report *rep, const char *what, int r)
{
	char buf[128];

	xst_msg(rep, XST_ERROR, what, "%s.", strerror_r(-r, buf, sizeof(buf)));
}

void xst_out(struct xst_report *rep, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&rep->lock);
	if (rep->wipe_line)
		fputs("\r\033[K", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&rep->lock);
}

void xst_report_summary(struct xst_report *rep, bool setup_ok, bool repair_mode)
{
	const char *mnt = rep->mountpoint;
	uint64_t actionable = rep->corruptions + rep->errors;

	pthread_mutex_lock(&rep->lock);
	if (rep->wipe_line)
		fputs("\r\033[K", stdout);
	if (rep->repairs && rep->preens)
		printf("%s: repairs made: %llu; optimizations made: %llu.\n", mnt,
		       (unsigned long long)rep->repairs, (unsigned long long)rep->preens);
	else if (rep->repairs)
		printf("%s: repairs made: %llu.\n", mnt, (unsigned long long)rep->repairs);
	else if (rep->preens)
		printf("%s: optimizations made: %llu.\n", mnt, (unsigned long long)rep->preens);
	fflush(stdout);
	if (rep->losses)
		fprintf(stderr, "%s: repairs that lost data: %llu (see the salvage records)\n", mnt,
			(unsigned long long)rep->losses);
	if (rep->unfixable)
		fprintf(stderr, "%s: unfixable errors found: %llu\n", mnt,
			(unsigned long long)rep->unfixable);
	if (rep->corruptions)
		fprintf(stderr, "%s: corruptions found: %llu\n", mnt,
			(unsigned long long)rep->corruptions);
	if (rep->errors)
		fprintf(stderr, "%s: operational errors found: %llu\n", mnt,
			(unsigned long long)rep->errors);
	if (rep->warnings)
		fprintf(stderr, "%s: warnings found: %llu\n", mnt,
			(unsigned long long)rep->warnings);
	/* Advice only when the scan itself ran and found something to act on. */
	if (setup_ok && actionable)
		fprintf(stderr, repair_mode ? "%s: Unmount and run xfs_repair.\n" :
					      "%s: Re-run xfs_scrub without -n.\n", mnt);
	pthread_mutex_unlock(&rep->lock);
}

int xst_report_exit_code(const struct xst_report *rep)
{
	int rc = 0;

	if (rep->corruptions || rep->unfixable)
		rc |= XST_EXIT_CORRUPT;
	if (rep->warnings)
		rc |= XST_EXIT_WARNINGS;
	if (rep->errors)
		rc |= XST_EXIT_OPERROR;
	if (rep->losses)
		rc |= XST_EXIT_LOSS;
	return rc;
}
