// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xfs_scrubctl: the command-line client of xfs_scrubd.  It talks to the
 * daemon on the system bus, or on its private control socket when there is
 * no bus (or --socket says so).  --json prints machine-readable output with
 * stable keys; the plain output is for people and may change.
 * Exit status: 0 done, 1 the daemon refused or failed, 2 usage, 3 no daemon.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>

#include "bus.h"
#include "rate.h"

#define DEFAULT_SOCKET "/run/xfs_scrubd/" XSD_CONTROL_SOCKET

static bool arg_json;
static const char *arg_socket;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xfs_scrubctl [--json] [--socket PATH] COMMAND [MOUNTPOINT | --all]\n\n"
		"Commands:\n"
		"  status            state, progress, rate, ETA and last results (default)\n"
		"  start MNT|--all   start a full scan (resumes from a checkpoint if any);\n"
		"                    with --wait, follow it to the end: exit 0 clean or\n"
		"                    repaired, 1 corruption or unreadable data left,\n"
		"                    4 did not finish\n"
		"    --kind KIND     metadata (default), media (read back all written\n"
		"                    data, like xfs_scrub -x) or all (both)\n"
		"    --mode MODE     default (the configured policy), repair or report\n"
		"    --full-speed    no budgets, no rate cap and no I/O back-off for this scan\n"
		"    --ag N          check the metadata and inodes of AG N only\n"
		"    --rate BYTES    read media at most BYTES a second (K, M, G: binary;\n"
		"                    256K to 16G); a throttled scan only\n"
		"  pause MNT|--all   stop issuing scrub calls until resumed\n"
		"  resume MNT|--all  continue after pause\n"
		"  cancel MNT|--all  end the active scan and drop its checkpoint\n"
		"  damage [MNT]      objects known to be damaged now: corrupt, unrepaired\n"
		"                    (offline repair needed) or unreadable (media errors)\n"
		"  salvage [MNT]     salvage records of repairs: entries kept, restored,\n"
		"                    unverified and lost\n\n"
		"Options:\n"
		"  -j, --json        JSON output\n"
		"  -s, --socket PATH use the daemon's control socket (default: system bus,\n"
		"                    then " DEFAULT_SOCKET ")\n");
}

static int connect_socket(const char *path, sd_bus **ret)
{
	char addr[300];
	sd_bus *b = NULL;
	int r;

	snprintf(addr, sizeof(addr), "unix:path=%s", path);
	r = sd_bus_new(&b);
	if (r >= 0)
		r = sd_bus_set_address(b, addr);
	if (r >= 0)
		r = sd_bus_start(b);
	if (r < 0) {
		sd_bus_unref(b);
		return r;
	}
	*ret = b;
	return 0;
}

/* Fills a method call's arguments; the same filler may run twice (bus, then socket). */
typedef int (*fill_fn)(sd_bus_message *m, void *ud);

static int call_one(sd_bus *b, const char *dest, const char *method, fill_fn fill, void *ud,
		    sd_bus_message **reply, sd_bus_error *err)
{
	sd_bus_message *m = NULL;
	int r;

	r = sd_bus_message_new_method_call(b, &m, dest, XSD_BUS_PATH, XSD_BUS_IFACE, method);
	if (r >= 0)
		r = fill(m, ud);
	if (r >= 0)
		r = sd_bus_call(b, m, 0, err, reply);
	else
		sd_bus_error_set_errno(err, r);
	sd_bus_message_unref(m);
	return r;
}

/*
 * Call method on the daemon; on the system bus first unless a socket is
 * forced.  fill appends the arguments.
 */
static int call_with(const char *method, fill_fn fill, void *ud, sd_bus_message **reply,
		     sd_bus_error *err)
{
	sd_bus *b = NULL;
	int r = -ENOENT;

	if (!arg_socket && sd_bus_open_system(&b) >= 0) {
		r = call_one(b, XSD_BUS_NAME, method, fill, ud, reply, err);
		/* No daemon on the bus: try the socket.  Any other answer is the answer. */
		if (r >= 0 || !(sd_bus_error_has_name(err, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
				sd_bus_error_has_name(err, SD_BUS_ERROR_NAME_HAS_NO_OWNER))) {
			sd_bus_flush_close_unref(b);
			return r;
		}
		sd_bus_error_free(err);
		sd_bus_flush_close_unref(b);
		b = NULL;
	}
	r = connect_socket(arg_socket ? arg_socket : DEFAULT_SOCKET, &b);
	if (r < 0)
		return sd_bus_error_setf(err, "org.xfs.Scrubd1.Error.NoDaemon",
					 "xfs_scrubd is not running (no bus name, no socket %s: %s)",
					 arg_socket ? arg_socket : DEFAULT_SOCKET, strerror(-r));
	/* A direct connection has no destination names. */
	r = call_one(b, NULL, method, fill, ud, reply, err);
	sd_bus_flush_close_unref(b);
	return r;
}

/* The methods that take one mount point ("" for all), or nothing. */
static int fill_mountpoint(sd_bus_message *m, void *ud)
{
	return ud ? sd_bus_message_append(m, "s", (const char *)ud) : 0;
}

static int call(const char *method, const char *mnt, sd_bus_message **reply, sd_bus_error *err)
{
	return call_with(method, fill_mountpoint, (void *)mnt, reply, err);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void human_time(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t) {
		snprintf(buf, len, "never");
		return;
	}
	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

/* One ListFilesystems row; the strings live as long as the reply. */
struct fs_row {
	const char *mnt, *dev, *uuid, *state, *last, *monitor, *cursor, *pace;
	double progress, rate;
	uint64_t eta, checked, corrupt, repairs, failures, events, last_end, last_dur;
	uint32_t cpu_budget, io_budget;
	uint64_t media_rate;
};

static int read_row(sd_bus_message *reply, struct fs_row *f)
{
	return sd_bus_message_read(reply, XSD_BUS_FS_SIG, &f->mnt, &f->dev, &f->uuid, &f->state,
				   &f->progress, &f->rate, &f->eta, &f->checked, &f->corrupt,
				   &f->repairs, &f->failures, &f->events, &f->last_end, &f->last_dur,
				   &f->last, &f->monitor, &f->cursor, &f->pace, &f->cpu_budget,
				   &f->io_budget, &f->media_rate);
}

/* "8.0 MiB/s" and the like, for the media cap. */
static void human_rate(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	unsigned int i = 0;

	while (v >= 1024 && i + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s/s", v, unit[i]);
}

/* The second line's account of how the scan is paced. */
static void pace_words(const struct fs_row *f, char *buf, size_t len)
{
	char cap[32];

	if (strcmp(f->pace, "throttled")) {
		snprintf(buf, len, "%s", !strcmp(f->pace, "full-speed") ? "full speed" : f->pace);
		return;
	}
	if (f->media_rate)
		human_rate(f->media_rate, cap, sizeof(cap));
	snprintf(buf, len, "throttled: cpu %u%%, io %u%%%s%s", f->cpu_budget, f->io_budget,
		 f->media_rate ? ", media " : "", f->media_rate ? cap : "");
}

static int status(void)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	unsigned int n = 0;
	int r;

	r = call("ListFilesystems", NULL, &reply, &err);
	if (r < 0) {
		fprintf(stderr, "xfs_scrubctl: %s\n", err.message ? err.message : strerror(-r));
		r = sd_bus_error_has_name(&err, "org.xfs.Scrubd1.Error.NoDaemon") ? 3 : 1;
		sd_bus_error_free(&err);
		return r;
	}
	r = sd_bus_message_enter_container(reply, 'a', XSD_BUS_FS_SIG);
	if (arg_json)
		printf("[");
	else
		printf("%-20s %-10s %6s %8s %8s %9s %7s %8s %6s %-10s %s\n", "MOUNTPOINT", "STATE",
		       "DONE", "RATE/s", "ETA", "CHECKED", "CORRUPT", "REPAIRED", "FAILED", "LAST",
		       "EVENTS FROM");
	while (r >= 0) {
		struct fs_row f;

		r = read_row(reply, &f);
		if (r <= 0)
			break;
		if (arg_json) {
			printf("%s\n  {\"mountpoint\": ", n ? "," : "");
			json_str(f.mnt);
			printf(", \"device\": ");
			json_str(f.dev);
			printf(", \"uuid\": ");
			json_str(f.uuid);
			printf(", \"state\": ");
			json_str(f.state);
			printf(", \"progress\": %.4f, \"rate\": %.1f, \"eta_seconds\": %" PRIu64
			       ", \"objects_checked\": %" PRIu64 ", \"corruptions\": %" PRIu64
			       ", \"repairs\": %" PRIu64 ", \"failures\": %" PRIu64
			       ", \"health_events\": %" PRIu64 ", \"last_scan_end\": %" PRIu64
			       ", \"last_scan_duration\": %" PRIu64 ", \"last_result\": ",
			       f.progress, f.rate, f.eta, f.checked, f.corrupt, f.repairs, f.failures,
			       f.events, f.last_end, f.last_dur);
			json_str(f.last);
			printf(", \"events_from\": ");
			json_str(f.monitor);
			printf(", \"cursor\": ");
			json_str(f.cursor);
			printf(", \"pace\": ");
			json_str(f.pace);
			printf(", \"cpu_budget\": %u, \"io_budget\": %u, \"media_rate\": %" PRIu64 "}",
			       f.cpu_budget, f.io_budget, f.media_rate);
		} else {
			char when[32], etas[48] = "-", pace[96];

			human_time(f.last_end, when, sizeof(when));
			if (f.eta)
				snprintf(etas, sizeof(etas), "%" PRIu64 "m%02" PRIu64 "s", f.eta / 60,
					 f.eta % 60);
			printf("%-20s %-10s %5.1f%% %8.1f %8s %9" PRIu64 " %7" PRIu64 " %8" PRIu64
			       " %6" PRIu64 " %-10s %s\n", f.mnt, f.state, f.progress * 100, f.rate, etas,
			       f.checked, f.corrupt, f.repairs, f.failures, f.last, f.monitor);
			pace_words(&f, pace, sizeof(pace));
			if (*f.cursor)
				printf("%-20s   at %s; %s; last scan %s\n", "", f.cursor, pace, when);
		}
		n++;
	}
	if (arg_json)
		printf("%s]\n", n ? "\n" : "");
	sd_bus_message_unref(reply);
	return r < 0 ? 1 : 0;
}

/*
 * Call a List* method and enter its array (printing "[" for --json).
 * Returns the entered container's state (<= 0 is fine to read on: the
 * loop stops), or the exit status (> 0) after printing why it failed.
 */
static int open_list(const char *method, const char *sig, const char *mnt,
		     sd_bus_message **reply)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int r = call(method, mnt ? mnt : "", reply, &err);

	if (r < 0) {
		fprintf(stderr, "xfs_scrubctl: %s\n", err.message ? err.message : strerror(-r));
		r = sd_bus_error_has_name(&err, "org.xfs.Scrubd1.Error.NoDaemon") ? 3 : 1;
		sd_bus_error_free(&err);
		return r;
	}
	r = sd_bus_message_enter_container(*reply, 'a', sig);
	if (arg_json)
		printf("[");
	return r < 0 ? r : 0;
}

/* The end of a listing: "]" or the empty message; exit status 0 or 1. */
static int close_list(sd_bus_message *reply, int r, unsigned int n, const char *empty)
{
	if (arg_json)
		printf("%s]\n", n ? "\n" : "");
	else if (!n && r >= 0)
		printf("%s\n", empty);
	sd_bus_message_unref(reply);
	return r < 0 ? 1 : 0;
}

/* damage [MNT]: what the daemon knows to be broken now. */
static int list_damage(const char *mnt)
{
	sd_bus_message *reply = NULL;
	unsigned int n = 0;
	int r;

	r = open_list("ListDamage", XSD_BUS_DAMAGE_SIG, mnt, &reply);
	if (r > 0)
		return r;
	while (r >= 0) {
		const char *m, *state, *type, *path, *text;
		int64_t agno;
		uint64_t ino, offset, since;

		r = sd_bus_message_read(reply, XSD_BUS_DAMAGE_SIG, &m, &state, &agno, &ino, &offset,
					&type, &path, &text, &since);
		if (r <= 0)
			break;
		if (arg_json) {
			printf("%s\n  {\"mountpoint\": ", n ? "," : "");
			json_str(m);
			printf(", \"state\": ");
			json_str(state);
			printf(", \"agno\": %" PRId64 ", \"inode\": %" PRIu64 ", \"offset\": %" PRIu64
			       ", \"scrub_type\": ", agno, ino, offset);
			json_str(type);
			printf(", \"path\": ");
			json_str(path);
			printf(", \"message\": ");
			json_str(text);
			printf(", \"since\": %" PRIu64 "}", since);
		} else {
			char when[32];

			human_time(since, when, sizeof(when));
			printf("%s %-10s %s: %s\n", when, state, m, text);
		}
		n++;
	}
	return close_list(reply, r, n, "no known damage");
}

/* salvage [MNT]: the salvage records kept by repairs, in brief. */
static int list_salvage(const char *mnt)
{
	sd_bus_message *reply = NULL;
	unsigned int n = 0;
	int r;

	r = open_list("ListSalvage", XSD_BUS_SALVAGE_SIG, mnt, &reply);
	if (r > 0)
		return r;
	while (r >= 0) {
		const char *m, *path, *type, *phase;
		int64_t t;
		uint64_t ino, gen, entries, kept, restored, flagged, lost, pending;

		r = sd_bus_message_read(reply, XSD_BUS_SALVAGE_SIG, &m, &path, &ino, &gen, &type,
					&phase, &t, &entries, &kept, &restored, &flagged, &lost,
					&pending);
		if (r <= 0)
			break;
		if (arg_json) {
			printf("%s\n  {\"mountpoint\": ", n ? "," : "");
			json_str(m);
			printf(", \"record\": ");
			json_str(path);
			printf(", \"inode\": %" PRIu64 ", \"generation\": %" PRIu64 ", \"type\": ",
			       ino, gen);
			json_str(type);
			printf(", \"phase\": ");
			json_str(phase);
			printf(", \"time\": %" PRId64 ", \"entries\": %" PRIu64 ", \"kept\": %" PRIu64
			       ", \"restored\": %" PRIu64 ", \"flagged\": %" PRIu64
			       ", \"lost\": %" PRIu64 ", \"pending\": %" PRIu64 "}",
			       t, entries, kept, restored, flagged, lost, pending);
		} else {
			char when[32];

			human_time(t > 0 ? (uint64_t)t : 0, when, sizeof(when));
			printf("%s %s inode %" PRIu64 " %s (%s): %" PRIu64 " entries, kept %" PRIu64
			       ", restored %" PRIu64 ", unverified %" PRIu64 ", lost %" PRIu64 "\n  %s\n",
			       when, m, ino, type, phase, entries, kept, restored, flagged, lost, path);
		}
		n++;
	}
	return close_list(reply, r, n, "no salvage records");
}

/* start's options; NULL kind: plain Start (resume whatever was interrupted). */
static const char *arg_kind, *arg_mode;
static bool arg_full_speed;
static int64_t arg_ag = -1;
static uint64_t arg_rate;	/* media bytes per second; 0: the configured cap */

/* StartScan's options: ag and media_rate go only when asked for; the daemon judges the mix. */
static int fill_start_scan(sd_bus_message *m, void *ud)
{
	const char *kind = arg_kind ? arg_kind : "metadata";
	const char *mode = arg_mode ? arg_mode : "default";
	int r;

	r = sd_bus_message_append(m, "s", (const char *)ud);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "{sv}");
	if (r >= 0)
		r = sd_bus_message_append(m, "{sv}{sv}{sv}", "kind", "s", kind, "mode", "s", mode,
					  "throttle", "b", !arg_full_speed);
	if (r >= 0 && arg_ag >= 0)
		r = sd_bus_message_append(m, "{sv}", "ag", "u", (uint32_t)arg_ag);
	if (r >= 0 && arg_rate)
		r = sd_bus_message_append(m, "{sv}", "media_rate", "t", arg_rate);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	return r;
}

static int control(const char *method, const char *mnt)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	uint32_t count = 0;
	int r;

	if (!strcmp(method, "Start") &&
	    (arg_kind || arg_mode || arg_full_speed || arg_ag >= 0 || arg_rate)) {
		method = "StartScan";
		r = call_with(method, fill_start_scan, (void *)mnt, &reply, &err);
	} else {
		r = call(method, mnt, &reply, &err);
	}
	if (r < 0) {
		if (arg_json) {
			printf("{\"ok\": false, \"error\": ");
			json_str(err.name ? err.name : "");
			printf(", \"message\": ");
			json_str(err.message ? err.message : strerror(-r));
			printf("}\n");
		}
		fprintf(stderr, "xfs_scrubctl: %s: %s\n", method, err.message ? err.message : strerror(-r));
		r = sd_bus_error_has_name(&err, "org.xfs.Scrubd1.Error.NoDaemon") ? 3 : 1;
		sd_bus_error_free(&err);
		return r;
	}
	(void)sd_bus_message_read(reply, "u", &count);
	if (arg_json)
		printf("{\"ok\": true, \"filesystems\": %u}\n", count);
	sd_bus_message_unref(reply);
	return 0;
}

/* One filesystem's row: state, progress, ETA, last end and result. */
struct row {
	char state[16], last[32];
	double progress;
	uint64_t eta, last_end;
};

static int get_row(const char *mnt, struct row *out)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r, found = 0;

	r = call("ListFilesystems", NULL, &reply, &err);
	sd_bus_error_free(&err);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', XSD_BUS_FS_SIG);
	while (r >= 0) {
		struct fs_row f;

		r = read_row(reply, &f);
		if (r <= 0)
			break;
		if (strcmp(f.mnt, mnt))
			continue;
		snprintf(out->state, sizeof(out->state), "%s", f.state);
		snprintf(out->last, sizeof(out->last), "%s", f.last);
		out->progress = f.progress;
		out->eta = f.eta;
		out->last_end = f.last_end;
		found = 1;
	}
	sd_bus_message_unref(reply);
	return found ? 0 : -ENOENT;
}

/*
 * --wait: follow the scan until it ends; the exit status says how it went,
 * in xfs_scrub's bits: 0 clean or repaired, 1 corruption left, 4 the scan
 * did not finish.
 */
static int wait_scan(const char *mnt, time_t since)
{
	struct row row;
	int last_pct = -1;

	for (;;) {
		int r = get_row(mnt, &row);

		if (r < 0) {
			fprintf(stderr, "xfs_scrubctl: %s: %s\n", mnt,
				r == -ENOENT ? "no longer watched" : strerror(-r));
			return 4;
		}
		if ((time_t)row.last_end >= since && (!strcmp(row.state, "idle") ||
						      !strcmp(row.state, "polling")))
			break;
		if (!arg_json && (int)(row.progress * 100) != last_pct) {
			last_pct = (int)(row.progress * 100);
			printf("%s: %s %d%%", mnt, row.state, last_pct);
			if (row.eta)
				printf(", about %" PRIu64 "m%02" PRIu64 "s left", row.eta / 60, row.eta % 60);
			printf("\n");
			fflush(stdout);
		}
		sleep(1);
	}
	if (arg_json) {
		printf("{\"mountpoint\": ");
		json_str(mnt);
		printf(", \"result\": ");
		json_str(row.last);
		printf("}\n");
	} else {
		printf("%s: scan finished: %s\n", mnt, row.last);
	}
	if (!strcmp(row.last, "clean") || !strcmp(row.last, "repaired"))
		return 0;
	if (!strcmp(row.last, "corrupt") || !strcmp(row.last, "unrepaired"))
		return 1;
	return 4;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "wait", no_argument, NULL, 'w' },
		{ "kind", required_argument, NULL, 'K' },
		{ "mode", required_argument, NULL, 'M' },
		{ "full-speed", no_argument, NULL, 'F' },
		{ "ag", required_argument, NULL, 'G' },
		{ "rate", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool all = false, wait = false;
	const char *cmd = "status", *mnt = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "js:awh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': arg_json = true; break;
		case 's': arg_socket = optarg; break;
		case 'a': all = true; break;
		case 'w': wait = true; break;
		case 'K': arg_kind = optarg; break;
		case 'M': arg_mode = optarg; break;
		case 'F': arg_full_speed = true; break;
		case 'G': {
			char *end;
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg || *optarg == '-' || v > UINT32_MAX) {
				fprintf(stderr, "xfs_scrubctl: --ag wants an AG number, not '%s'\n", optarg);
				return 2;
			}
			arg_ag = (int64_t)v;
			break;
		}
		case 'R':
			if (xsd_parse_rate(optarg, &arg_rate) < 0 || !arg_rate) {
				fprintf(stderr, "xfs_scrubctl: --rate wants bytes per second from 256K "
					"to 16G, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		cmd = argv[optind++];
	if (optind < argc)
		mnt = argv[optind++];
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "status") || !strcmp(cmd, "list"))
		return mnt ? (usage(stderr), 2) : status();
	if (!strcmp(cmd, "damage"))
		return list_damage(mnt);
	if (!strcmp(cmd, "salvage"))
		return list_salvage(mnt);
	if (strcmp(cmd, "start") && strcmp(cmd, "pause") && strcmp(cmd, "resume") &&
	    strcmp(cmd, "cancel")) {
		fprintf(stderr, "xfs_scrubctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	if (!!mnt == all) {
		fprintf(stderr, "xfs_scrubctl: %s needs a mount point or --all\n", cmd);
		return 2;
	}
	{
		char method[16];

		time_t since = time(NULL);
		int r;

		if ((arg_kind || arg_mode || arg_full_speed || arg_ag >= 0 || arg_rate) &&
		    strcmp(cmd, "start")) {
			fprintf(stderr, "xfs_scrubctl: --kind, --mode, --full-speed, --ag and --rate go "
				"with start\n");
			return 2;
		}
		if (wait && (strcmp(cmd, "start") || all)) {
			fprintf(stderr, "xfs_scrubctl: --wait goes with start MOUNTPOINT\n");
			return 2;
		}
		snprintf(method, sizeof(method), "%c%s", cmd[0] - 'a' + 'A', cmd + 1);
		r = control(method, all ? "" : mnt);
		return r || !wait ? r : wait_scan(mnt, since);
	}
}
