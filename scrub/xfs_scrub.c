// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xfs_scrub: this project's upstream-compatible one-shot front end.  Same
 * options, message style and exit-code bits as xfsprogs' xfs_scrub, so that
 * scripts, timers and habits keep working; the engine underneath is ours.
 * Without -n it repairs, and wraps directory and xattr rebuilds with
 * salvage records so that nothing is lost silently; -x verifies media.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/xattr.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "breaker.h"
#include "check.h"
#include "descr.h"
#include "fs.h"
#include "handover.h"
#include "media.h"
#include "progress.h"
#include "report.h"
#include "salvage.h"
#include "util.h"

#define DEFAULT_STATEDIR "/var/lib/xfs_scrubd"

struct options {
	bool dry_run, preen, verbose, debug, timing, media, force_single;
	unsigned int background;	/* number of -b */
	int progress_fd;		/* -C, or -1 */
	const char *mountpoint;		/* as displayed */
	const char *realpath;		/* -M: path actually opened */
	unsigned long long max_errors;	/* -a, 0 = unlimited */
	bool iwarn;
	bool autofsck;			/* -o autofsck: the fs property decides */
	bool nodaemon;			/* -o nodaemon: never hand over to xfs_scrubd */
	bool no_trim;			/* -k */
	int salvage_cmd;		/* --list-salvage / --clear-salvage */
};

enum { SALVAGE_LIST = 1, SALVAGE_CLEAR };

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
		"  -o option    iwarn, autofsck, nodaemon.\n"
		"  -p           Only optimize, do not fix corruptions.\n"
		"  -T           Display timing/usage information.\n"
		"  -v           Verbose output.\n"
		"  -V           Print version.\n"
		"  -x           Scrub file data too.\n"
		"  --list-salvage   List the salvage records kept from earlier repairs.\n"
		"  --clear-salvage  Remove them (after you have reviewed them).\n");
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
		{ "list-salvage", no_argument, NULL, 'L' },
		{ "clear-salvage", no_argument, NULL, 'X' },
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
			o->no_trim = true;
			break;
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
				o->autofsck = true;
			} else if (strcmp(optarg, "nodaemon") == 0) {
				o->nodaemon = true;
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
		case 'L':
			o->salvage_cmd = SALVAGE_LIST;
			break;
		case 'X':
			o->salvage_cmd = SALVAGE_CLEAR;
			break;
		default:
			usage();
		}
	}
	if (versions) {
		printf("xfs_scrub version %s (xfs_scrubd)\n", XST_VERSION);
		exit(0);
	}
	if (o->salvage_cmd && optind == argc)
		return;
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

/*
 * -o autofsck: the filesystem's own "trusted.xfs:autofsck" property picks
 * the mode.  Returns false when the property says not to scan at all.
 */
static bool mode_from_autofsck(struct xst_ctx *ctx, struct xst_report *rep)
{
	const struct xst_fs *fs = ctx->fs;
	const char *mnt = fs->mountpoint;
	char val[64];
	ssize_t n = fgetxattr(fs->fd, "trusted.xfs:autofsck", val, sizeof(val) - 1);

	if (n >= 0) {
		val[n] = '\0';
		if (strcmp(val, "none") == 0) {
			xst_msg(rep, XST_INFO, mnt, "Disabling scrub per autofsck directive.");
			return false;
		}
		if (strcmp(val, "check") == 0) {
			ctx->mode = XST_MODE_DRY_RUN;
			xst_msg(rep, XST_INFO, mnt, "Checking per autofsck directive.");
			return true;
		}
		if (strcmp(val, "optimize") == 0) {
			ctx->mode = XST_MODE_PREEN;
			xst_msg(rep, XST_INFO, mnt, "Optimizing per autofsck directive.");
			return true;
		}
		if (strcmp(val, "repair") == 0) {
			ctx->mode = XST_MODE_REPAIR;
			xst_msg(rep, XST_INFO, mnt, "Checking and repairing per autofsck directive.");
			return true;
		}
		xst_msg(rep, XST_INFO, mnt, "Unknown autofsck directive \"%s\".", val);
	}
	/* Unset or unknown: check where the back references make checks worthwhile. */
	if (fs->has_rmapbt || fs->has_parent) {
		ctx->mode = XST_MODE_DRY_RUN;
		return true;
	}
	xst_msg(rep, XST_INFO, mnt, "Disabling scrub per autofsck directive.");
	return false;
}

/* Repair and preen modes need the kernel's repair and a place for records. */
static int setup_repair(struct xst_ctx *ctx, struct xst_report *rep, bool service)
{
	const char *mnt = ctx->fs->mountpoint;
	int r;

	if (ctx->mode == XST_MODE_DRY_RUN)
		return 0;
	r = xst_repair_probe(ctx);
	if (r < 0) {
		if (service) {
			xst_msg(rep, XST_INFO, mnt,
				"Filesystem cannot be repaired in service mode, downgrading to dry-run mode.");
			ctx->mode = XST_MODE_DRY_RUN;
			return 0;
		}
		xst_msg(rep, XST_ERROR, mnt,
			"Kernel metadata repair facility is not available.  Use -n to scrub.");
		return -ECANCELED;
	}
	r = xst_breaker_open(ctx->statedir, ctx->fs->geo.uuid, &ctx->breaker);
	if (r < 0) {
		xst_msg(rep, XST_ERROR, ctx->statedir,
			"Cannot use the state directory (%s); it holds repair markers and salvage "
			"records.  Set XFS_SCRUBD_STATE_DIR or use -n.", strerror(-r));
		return r;
	}
	for (unsigned int i = 0; i < xst_breaker_ntripped(ctx->breaker); i++) {
		char d[XST_DESCR_MAX];

		xst_breaker_describe_tripped(ctx->breaker, i, ctx->fs, d, sizeof(d));
		xst_msg(rep, XST_WARN, d,
			"An earlier repair of this did not finish (crash?); it will not be retried "
			"automatically.  Remove its marker in %s to allow it.",
			xst_breaker_dir(ctx->breaker));
	}
	return 0;
}

/* Progress as upstream draws it: -C lines, or a bar when stdout is a terminal. */
static void progress_setup(const struct options *o, struct xst_progress *prog,
			   struct xst_report *rep)
{
	xst_progress_init(prog, o->progress_fd >= 0 ? o->progress_fd :
			  (isatty(STDOUT_FILENO) ? STDOUT_FILENO : -1),
			  o->progress_fd >= 0 ? isatty(o->progress_fd) : true,
			  o->mountpoint, rep);
}

/*
 * Whether xfs_scrubd may do this run: only what its StartScan expresses
 * (repair or report, metadata with or without media, throttled or not),
 * only as root (the daemon refuses others, and a local run says why
 * better), and never when asked not to.  Everything else runs here as
 * before: -p, -k, -M, -T, -d, -o iwarn, -o autofsck, service mode.
 */
static bool handover_wanted(const struct options *o, bool service)
{
	if (o->nodaemon || xst_handover_optout(getenv(XST_HANDOVER_OPTOUT_ENV)))
		return false;
	if (o->preen || o->no_trim || o->realpath || o->timing || o->debug || o->iwarn ||
	    o->autofsck || service)
		return false;
	return geteuid() == 0;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct xst_report rep;
	struct xst_progress prog;
	struct xst_fs *fs = NULL;
	struct xst_ctx ctx;
	struct phase_clock pc;
	bool service = getenv("SERVICE_MODE") != NULL, prog_ready = false;
	int rc, r;

	parse_args(argc, argv, &o);
	xst_report_init(&rep, o.mountpoint);
	rep.verbose = o.verbose;
	rep.debug = o.debug;
	rep.iwarn = o.iwarn;

	if (o.salvage_cmd) {
		const char *dir = getenv("XFS_SCRUBD_STATE_DIR");

		r = o.salvage_cmd == SALVAGE_LIST ? xst_salvage_list(dir ? dir : DEFAULT_STATEDIR) :
						    xst_salvage_clear(dir ? dir : DEFAULT_STATEDIR);
		if (r < 0)
			fprintf(stderr, "xfs_scrub: salvage records: %s\n", strerror(-r));
		return r < 0 ? XST_EXIT_OPERROR : 0;
	}

	if (handover_wanted(&o, service)) {
		struct xst_handover_req req = {
			.mountpoint = o.mountpoint,
			.mode = o.dry_run ? "report" : "repair",
			.kind = o.media ? "all" : "metadata",
			/* On demand goes at full speed, as upstream's does, unless -b. */
			.throttle = o.background > 0,
			.verbose = o.verbose,
		};

		progress_setup(&o, &prog, &rep);
		prog_ready = true;
		if (xst_handover(&req, &rep, &prog, &rc))
			return rc;
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

	if (!prog_ready)
		progress_setup(&o, &prog, &rep);
	xst_ctx_init(&ctx, fs, &rep, &prog, pick_threads(&o));
	ctx.mode = o.dry_run ? XST_MODE_DRY_RUN : o.preen ? XST_MODE_PREEN : XST_MODE_REPAIR;
	ctx.statedir = getenv("XFS_SCRUBD_STATE_DIR");
	if (!ctx.statedir)
		ctx.statedir = DEFAULT_STATEDIR;
	if (o.background > 1)
		ctx.scrubber.rest_us = (uint16_t)MIN(100u * (o.background - 1), 65535u);

	if (o.autofsck && !mode_from_autofsck(&ctx, &rep)) {
		xst_ctx_fini(&ctx);
		xst_fs_free(fs);
		return 0;
	}
	r = xst_check_setup(&ctx, o.debug && getenv("XFS_SCRUB_FORCE_SINGLE"));
	if (r == 0)
		r = setup_repair(&ctx, &rep, service);
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

	if (ctx.mode != XST_MODE_DRY_RUN) {
		const char *what = ctx.mode == XST_MODE_REPAIR ? "Repair filesystem." :
								 "Optimize filesystem.";

		if (ctx.mode == XST_MODE_PREEN && rep.corruptions)
			xst_msg(&rep, XST_INFO, o.mountpoint,
				"Corruptions found; will not optimize.  Re-run without -p.");
		phase_start(&o, &pc, 4, what, &rep);
		r = xst_repair_everything(&ctx);
		phase_end(&o, &pc, 4, &rep);
		if (r < 0)
			goto fatal;
	}

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
	xst_report_summary(&rep, ctx.setup_ok, ctx.mode == XST_MODE_REPAIR);
	rc = xst_report_exit_code(&rep);
	xst_ctx_fini(&ctx);
	xst_fs_free(fs);
	if (service) {
		/* A kernel without online scrub is not a service failure. */
		if (!ctx.setup_ok)
			return 0;
		return rc ? 1 : 0;
	}
	return rc;
}
