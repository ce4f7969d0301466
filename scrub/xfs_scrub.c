// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xfs_scrub: this project's upstream-compatible one-shot front end.  Same
 * options, message style and exit-code bits as xfsprogs' xfs_scrub, so that
 * scripts, timers and habits keep working; the engine underneath is ours.
 * This version checks (-n) and verifies media (-x); repair (the default
 * without -n) arrives with later work and is refused clearly until then.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "fs.h"
#include "media.h"
#include "progress.h"
#include "report.h"
#include "util.h"

struct options {
	bool dry_run, preen, verbose, debug, timing, media, force_single;
	unsigned int background;	/* number of -b */
	int progress_fd;		/* -C, or -1 */
	const char *mountpoint;		/* as displayed */
	const char *realpath;		/* -M: path actually opened */
	unsigned long long max_errors;	/* -a, 0 = unlimited */
	bool iwarn;
};

static void usage(void)
{
	fprintf(stderr,
		"Usage: xfs_scrub [OPTIONS] mountpoint\n"
		"\n"
		"Options:\n"
		"  -a count     Stop after this many errors are found.\n"
		"  -b           Background mode.\n"
		"  -C fd        Print progress information to this fd.\n"
		"  -d           Debug output.\n"
		"  -e behavior  What to do if errors are found (continue).\n"
		"  -k           Do not FITRIM the free space.\n"
		"  -M path      Open this path instead of the mountpoint.\n"
		"  -m path      Path to /etc/mtab (ignored).\n"
		"  -n           Dry run.  Do not modify anything.\n"
		"  -o option    iwarn, autofsck.\n"
		"  -p           Only optimize, do not fix corruptions.\n"
		"  -T           Display timing/usage information.\n"
		"  -v           Verbose output.\n"
		"  -V           Print version.\n"
		"  -x           Scrub file data too.\n");
	exit(XST_EXIT_USAGE);
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int c, versions = 0;

	o->progress_fd = -1;
	while ((c = getopt_long(argc, argv, "a:bC:de:kM:m:no:pTvxV", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (parse_uint(optarg, ULLONG_MAX, &v) < 0 || v == 0) {
				fprintf(stderr, "Bad error count %s.\n", optarg);
				usage();
			}
			o->max_errors = v;
			break;
		case 'b':
			o->background++;
			break;
		case 'C':
			if (parse_uint(optarg, INT_MAX, &v) < 0) {
				fprintf(stderr, "Bad progress fd %s.\n", optarg);
				usage();
			}
			o->progress_fd = (int)v;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'e':
			if (strcmp(optarg, "continue") != 0 && strcmp(optarg, "shutdown") != 0) {
				fprintf(stderr, "Unknown error behavior \"%s\".\n", optarg);
				usage();
			}
			break;
		case 'k':
		case 'm':
			break;
		case 'M':
			o->realpath = optarg;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'o':
			if (strcmp(optarg, "iwarn") == 0) {
				o->iwarn = true;
			} else if (strcmp(optarg, "autofsck") == 0) {
				/* Only meaningful for repair mode; accepted for compatibility. */
			} else {
				fprintf(stderr, "Unknown option \"%s\".\n", optarg);
				usage();
			}
			break;
		case 'p':
			o->preen = true;
			break;
		case 'T':
			o->timing = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'x':
			o->media = true;
			break;
		case 'V':
			versions++;
			break;
		default:
			usage();
		}
	}
	if (versions) {
		printf("xfs_scrub version %s (xfs_scrubd)\n", XST_VERSION);
		exit(0);
	}
	if (optind != argc - 1)
		usage();
	o->mountpoint = argv[optind];
	if (o->dry_run && o->preen) {
		fprintf(stderr, "Cannot use -n with -p.\n");
		usage();
	}
	if (o->progress_fd >= 0 && fcntl(o->progress_fd, F_GETFD) < 0) {
		fprintf(stderr, "Bad progress fd %d: %s.\n", o->progress_fd, strerror(errno));
		usage();
	}
}

struct phase_clock {
	struct timespec wall;
	struct rusage ru;
};

static void phase_start(const struct options *o, struct phase_clock *pc,
			unsigned int n, const char *descr, struct xst_report *rep)
{
	if (o->verbose)
		xst_out(rep, "Phase %u: %s\n", n, descr);
	if (o->timing) {
		clock_gettime(CLOCK_MONOTONIC, &pc->wall);
		getrusage(RUSAGE_SELF, &pc->ru);
	}
}

static double tv_sec(struct timeval a, struct timeval b)
{
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_usec - a.tv_usec) / 1e6;
}

static void phase_end(const struct options *o, const struct phase_clock *pc,
		      unsigned int n, struct xst_report *rep)
{
	struct timespec now;
	struct rusage ru;

	if (!o->timing)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	getrusage(RUSAGE_SELF, &ru);
	xst_out(rep, "Phase %u: Memory used: %ldk, time: %5.2f/%5.2f/%5.2fs\n", n,
		ru.ru_maxrss,
		(double)(now.tv_sec - pc->wall.tv_sec) + (double)(now.tv_nsec - pc->wall.tv_nsec) / 1e9,
		tv_sec(pc->ru.ru_utime, ru.ru_utime), tv_sec(pc->ru.ru_stime, ru.ru_stime));
}

static unsigned int pick_threads(const struct options *o)
{
	const char *env = getenv("XFS_SCRUB_THREADS");
	unsigned long long v;
	long n;

	if (o->background)
		return 1;
	if (o->debug && env && parse_uint(env, 64, &v) == 0 && v > 0)
		return (unsigned int)v;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned int)MIN(n, 64L) : 1;
}

/*
 * -x: large reads from a few threads; -b: one thread, small reads, and a
 * rest after each read that grows with every further -b.
 */
static void media_opts(const struct options *o, unsigned int nthreads,
		       struct xst_media_opts *mo)
{
	memset(mo, 0, sizeof(*mo));
	mo->nthreads = o->background ? 1 : MIN(nthreads, 4u);
	mo->io_max = o->background ? XST_MEDIA_IO_BACKGROUND : XST_MEDIA_IO_MAX;
	mo->rest_us = o->background > 1 ? MIN(1000u * (o->background - 1), 100000u) : 0;
	/* Debug knob, gated on -d like upstream's: test the O_DIRECT path. */
	mo->no_verify_media = o->debug && getenv("XFS_SCRUB_NO_VERIFY_MEDIA");
	mo->kernel_report = true;
}

static int open_error(struct xst_report *rep, const char *what, int r)
{
	switch (r) {
	case -ENOTTY:
	case -EXDEV:
		/* Upstream treats both as a usage error, not an operational one. */
		fprintf(stderr, "%s: Not an XFS mount point.\n", what);
		exit(XST_EXIT_USAGE);
	case -EPERM:
	case -EACCES:
		xst_msg(rep, XST_ERROR, what, "Must be root to run scrub.");
		break;
	default:
		xst_msg_errno(rep, what, r);
		break;
	}
	return r;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct xst_report rep;
	struct xst_progress prog;
	struct xst_fs *fs = NULL;
	struct xst_ctx ctx;
	struct phase_clock pc;
	bool service = getenv("SERVICE_MODE") != NULL;
	int rc, r;

	parse_args(argc, argv, &o);
	xst_report_init(&rep, o.mountpoint);
	rep.verbose = o.verbose;
	rep.debug = o.debug;
	rep.iwarn = o.iwarn;

	if (!o.dry_run) {
		fprintf(stderr, "xfs_scrub: repair mode is not available in this version; use -n to check.\n");
		return XST_EXIT_USAGE;
	}

	phase_start(&o, &pc, 1, "Find filesystem geometry.", &rep);
	r = xst_fs_open(o.realpath ? o.realpath : o.mountpoint, &fs);
	if (r < 0) {
		open_error(&rep, o.mountpoint, r);
		xst_report_summary(&rep, false, false);
		return service ? 0 : xst_report_exit_code(&rep);
	}
	/* Messages name the mountpoint the user gave, not the -M path. */
	free(fs->mountpoint);
	fs->mountpoint = strdup(o.mountpoint);
	if (!fs->mountpoint)
		return XST_EXIT_OPERROR;

	xst_progress_init(&prog, o.progress_fd >= 0 ? o.progress_fd :
			  (isatty(STDOUT_FILENO) ? STDOUT_FILENO : -1),
			  o.progress_fd >= 0 ? isatty(o.progress_fd) : true,
			  o.mountpoint, &rep);
	xst_ctx_init(&ctx, fs, &rep, &prog, pick_threads(&o));
	if (o.background > 1)
		ctx.scrubber.rest_us = (uint16_t)MIN(100u * (o.background - 1), 65535u);

	r = xst_check_setup(&ctx, o.debug && getenv("XFS_SCRUB_FORCE_SINGLE"));
	phase_end(&o, &pc, 1, &rep);
	if (r < 0) {
		xst_msg(&rep, XST_INFO, o.mountpoint, "Scrub aborted after phase 1.");
		goto out;
	}
	if (o.verbose)
		xst_out(&rep, "%s: using %u threads to scrub.\n", o.mountpoint, ctx.nthreads);

	phase_start(&o, &pc, 2, "Check internal metadata.", &rep);
	r = xst_check_metadata(&ctx);
	phase_end(&o, &pc, 2, &rep);
	if (r < 0)
		goto fatal;

	phase_start(&o, &pc, 3, "Scan all inodes.", &rep);
	r = xst_check_inodes(&ctx);
	phase_end(&o, &pc, 3, &rep);
	if (r < 0)
		goto fatal;

	phase_start(&o, &pc, 5, "Check directory tree.", &rep);
	r = xst_check_fs_scans(&ctx);
	phase_end(&o, &pc, 5, &rep);
	if (r < 0)
		goto fatal;

	if (o.media) {
		struct xst_media_opts mo;

		media_opts(&o, ctx.nthreads, &mo);
		phase_start(&o, &pc, 6, "Verify data file integrity.", &rep);
		r = xst_media_phase(&ctx, &mo);
		phase_end(&o, &pc, 6, &rep);
		/* Other scan failures were reported; the summary check still runs. */
		if (r == -EINTR || r == -ESHUTDOWN)
			goto fatal;
	}

	phase_start(&o, &pc, 7, "Check summary counters.", &rep);
	r = xst_check_summary(&ctx);
	phase_end(&o, &pc, 7, &rep);
	if (r < 0)
		goto fatal;
	goto out;

fatal:
	/* Item-level fatal errors were reported where they happened. */
	if (r == -ESHUTDOWN || r == -EINTR)
		xst_check_report_fatal(&ctx, r);
out:
	xst_progress_end(&prog);
	xst_check_bill_of_health(&ctx);
	xst_report_summary(&rep, ctx.setup_ok, !o.dry_run && !o.preen);
	rc = xst_report_exit_code(&rep);
	xst_fs_free(fs);
	if (service) {
		/* A kernel without online scrub is not a service failure. */
		if (!ctx.setup_ok)
			return 0;
		return rc ? 1 : 0;
	}
	return rc;
}
