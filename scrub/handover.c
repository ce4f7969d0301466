// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The client half of the hand-over (handover.h): one sd-bus connection to
 * xfs_scrubd, on the system bus or else on its private socket, driven by
 * an sd-event loop that also takes the terminating signals, so that a ^C
 * reaches the daemon as a Cancel instead of leaving its scan running.
 *
 * Ordering is what makes the stream trustworthy: the signal matches are
 * installed (synchronously, on the bus) before StartScan is sent, and the
 * answer is taken asynchronously, so every signal the daemon sent before
 * answering is dispatched before the answer and ignored; what follows the
 * answer belongs to the scan that answer is about.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus.h"
#include "handover.h"
#include "progress.h"
#include "util.h"

/* MESSAGE_IDs of the scan's own records (daemon/journal.c; test_handover checks them). */
#define ID_SCAN_STARTED "e098b31404c34f7aac5ba4ad60250782"
#define ID_SCAN_FINISHED "13d36543215d466587f3173ce2c6361d"
#define ID_SCAN_CONTROL "341683fe595e4e51b9af5c33bfedb5f0"

#define CALL_TIMEOUT_US (30 * 1000000ull)
#define CANCEL_TIMEOUT_US (5 * 1000000ull)
/* How often to make sure the filesystem is still watched (signals stop if not). */
#define WATCH_INTERVAL_US (15 * 1000000ull)
/* -C and the bar count per mille of the daemon's fraction. */
#define PROGRESS_TOTAL 1000

bool xst_handover_optout(const char *v)
{
	if (!v)
		return false;
	return !strcmp(v, "1") || !strcasecmp(v, "y") || !strcasecmp(v, "yes") ||
	       !strcasecmp(v, "true");
}

/* Copy at most len-1 bytes of text from the daemon, control characters as '?'. */
static void clean_copy(char *dst, size_t len, const char *src, size_t n)
{
	size_t i;

	n = MIN(n, len - 1);
	for (i = 0; i < n && src[i]; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	dst[i] = '\0';
}

/* The daemon's lower-case words as an upstream-style sentence. */
static void sentence(char *dst, size_t len, const char *src)
{
	size_t n;

	clean_copy(dst, len, src, strlen(src));
	dst[0] = (char)toupper((unsigned char)dst[0]);
	n = strlen(dst);
	if (n && n + 1 < len && dst[n - 1] != '.') {
		dst[n] = '.';
		dst[n + 1] = '\0';
	}
}

/* Per XFS_OUTCOME: the level and, where upstream has them, upstream's words. */
static const struct {
	const char *outcome;
	const char *daemon_words;	/* how the daemon's text goes on after "<object>: " */
	enum xst_level level;
	const char *upstream;		/* NULL: keep the daemon's words (they carry counts) */
} outcomes[] = {
	{ "corrupt", "corruption found", XST_CORRUPT, "Repairs are required." },
	{ "repaired", "repaired", XST_REPAIRED, "Repairs successful." },
	{ "repaired_restored", "repaired", XST_REPAIRED, NULL },
	{ "repaired_loss", "repaired", XST_LOSS, NULL },
	{ "failed", "repair unsuccessful", XST_CORRUPT,
	  "Repair unsuccessful; offline repair required." },
	{ "breaker", NULL, XST_WARN, NULL },
	{ "shutdown", NULL, XST_ERROR, NULL },
	{ "io_error", NULL, XST_WARN, NULL },
	{ "error", NULL, XST_ERROR, NULL },
	{ "stale", NULL, XST_ERROR, NULL },
	/* Media verification: file data and metadata the disk cannot return. */
	{ "unreadable", "media error", XST_UNFIXABLE, NULL },
};

/* The last ": <words>" in text, or NULL. */
static const char *find_words(const char *text, const char *words)
{
	const char *hit = NULL, *p = text;
	size_t wl = strlen(words);

	while ((p = strstr(p, ": ")) != NULL) {
		if (!strncmp(p + 2, words, wl))
			hit = p;
		p += 2;
	}
	return hit;
}

bool xst_handover_finding(const char *kind, const char *outcome, const char *text,
			  const char *mountpoint, bool repair_mode, bool verbose,
			  struct xst_finding *f)
{
	const char *sep = NULL;
	unsigned int i;

	if (!strcmp(kind, ID_SCAN_FINISHED))
		return false;	/* ScanFinished says it, with the counts */
	if (!strcmp(kind, ID_SCAN_STARTED) || !strcmp(kind, ID_SCAN_CONTROL)) {
		if (!verbose)
			return false;
		f->level = XST_INFO;
		clean_copy(f->what, sizeof(f->what), mountpoint, strlen(mountpoint));
		sentence(f->msg, sizeof(f->msg), text);
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(outcomes); i++)
		if (!strcmp(outcome, outcomes[i].outcome))
			break;
	if (i == ARRAY_SIZE(outcomes)) {
		/* Not known here (a newer daemon): say it, plainly. */
		f->level = XST_INFO;
	} else {
		f->level = outcomes[i].level;
		if (outcomes[i].daemon_words)
			sep = find_words(text, outcomes[i].daemon_words);
	}
	/* "media error in the log: ..." is about no object but the filesystem. */
	if (!sep && i < ARRAY_SIZE(outcomes) && outcomes[i].daemon_words &&
	    !strncmp(text, outcomes[i].daemon_words, strlen(outcomes[i].daemon_words)))
		sep = NULL;
	else if (!sep)
		sep = strstr(text, ": ");
	if (sep) {
		clean_copy(f->what, sizeof(f->what), text, (size_t)(sep - text));
		if (i < ARRAY_SIZE(outcomes) && outcomes[i].upstream && outcomes[i].daemon_words &&
		    !strncmp(sep + 2, outcomes[i].daemon_words, strlen(outcomes[i].daemon_words)))
			snprintf(f->msg, sizeof(f->msg), "%s", outcomes[i].upstream);
		else
			sentence(f->msg, sizeof(f->msg), sep + 2);
	} else {
		clean_copy(f->what, sizeof(f->what), mountpoint, strlen(mountpoint));
		sentence(f->msg, sizeof(f->msg), text);
	}
	/*
	 * Repairing, a finding is the start of a repair; a local run says
	 * "Attempting repair." there.  Unless the daemon says it will not
	 * repair (it could not set up repairs): then it is a corruption.
	 */
	if (!strcmp(outcome, "corrupt") && repair_mode && !strstr(text, "not repairing")) {
		f->level = XST_INFO;
		snprintf(f->msg, sizeof(f->msg), "Attempting repair.");
	}
	return true;
}

void xst_handover_tally(const struct xst_scan_end *e, bool report_mode, struct xst_report *rep)
{
	bool op = !strcmp(e->result, "error") || !strcmp(e->result, "shutdown") ||
		  !strcmp(e->result, "cancelled");
	uint64_t left = report_mode || !strcmp(e->result, "corrupt") ? e->corruptions : 0;

	/* A failed repair is a corruption left, as "Repair unsuccessful" is locally. */
	rep->corruptions = MAX(left, e->failures);
	/* Unreadable file data: unfixable, as a local -x says. */
	rep->unfixable = e->media_errors;
	rep->repairs = e->repairs;
	rep->losses = e->losses;
	rep->preens = 0;
	if (op && !rep->errors)
		rep->errors = 1;
}

/* ---- the session ---- */

enum stage { ST_CALLING, ST_OWN, ST_FOLLOWING };
enum verdict { V_NONE, V_NEXT, V_LOCAL, V_FINISHED, V_LOST, V_INTERRUPTED };

struct session {
	const struct xst_handover_req *req;
	struct xst_report *rep;
	struct xst_progress *prog;
	const char *mnt;		/* canonical: the daemon's name for it */
	bool direct;			/* private socket: no bus driver, no names */
	sd_event *ev;
	sd_bus *bus;
	enum stage stage;
	enum verdict verdict;
	char why[320];
	int signo;
	bool interrupting;		/* on_interrupt is on its way */
	bool repair_mode;
	struct xst_scan_end end;
	char state[16];
	unsigned int phase;
	bool media;			/* the media verification part has begun */
};

static void stop(struct session *s, enum verdict v)
{
	if (s->verdict == V_NONE)
		s->verdict = v;
	(void)sd_event_exit(s->ev, 0);
}

static const char *dest(const struct session *s)
{
	/* A direct connection has no names. */
	return s->direct ? NULL : XSD_BUS_NAME;
}

static void note(const struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct session *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->rep->lock);
	if (s->rep->wipe_line)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "xfs_scrub: %s: ", s->req->mountpoint);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&s->rep->lock);
}

/* Media verification is phase 6 locally; everything else is the metadata scan. */
static void set_phase(struct session *s)
{
	unsigned int phase = s->media ? 6 : 2;

	if (phase == s->phase)
		return;
	s->phase = phase;
	if (s->req->verbose)
		xst_out(s->rep, "Phase %u: %s\n", phase, phase == 6 ?
			"Verify data file integrity (in xfs_scrubd)." : "Check metadata (in xfs_scrubd).");
	xst_progress_phase(s->prog, phase, phase == 6 ? "Verify data file integrity." :
			   "Check metadata.", PROGRESS_TOTAL);
}

static void on_outcome(struct session *s, sd_bus_message *m)
{
	const char *kind, *outcome, *text;
	uint64_t ino;
	struct xst_finding *f;

	if (sd_bus_message_read(m, "ssts", &kind, &outcome, &ino, &text) < 0)
		return;
	/* The scan moves on to reading back data: local phase 6. */
	if (!strcmp(kind, ID_SCAN_CONTROL) && !strcmp(outcome, "media")) {
		s->media = true;
		set_phase(s);
	}
	f = malloc(sizeof(*f));
	if (!f)
		return;
	if (xst_handover_finding(kind, outcome, text, s->req->mountpoint, s->repair_mode,
				 s->req->verbose, f))
		xst_msg(s->rep, f->level, f->what, "%s", f->msg);
	free(f);
}

static void on_progress(struct session *s, sd_bus_message *m)
{
	const char *state;
	double p;
	uint64_t eta;

	if (sd_bus_message_read(m, "sdt", &state, &p, &eta) < 0)
		return;
	if (strcmp(state, s->state)) {
		if (!strcmp(state, "paused"))
			note(s, "the scan is paused in xfs_scrubd; waiting (xfs_scrubctl resume %s)", s->mnt);
		else if (!strcmp(state, "queued"))
			note(s, "the scan waits in xfs_scrubd for another scan on the same disk");
		else if (!strcmp(state, "gone")) {
			snprintf(s->why, sizeof(s->why), "the filesystem was unmounted");
			stop(s, V_LOST);
		}
		clean_copy(s->state, sizeof(s->state), state, strlen(state));
	}
	set_phase(s);
	if (!(p >= 0.0))	/* NaN too */
		p = 0.0;
	atomic_store(&s->prog->done, (uint64_t)(MIN(p, 1.0) * PROGRESS_TOTAL));
}

static void on_finished(struct session *s, sd_bus_message *m)
{
	const char *kind, *result;
	struct xst_scan_end *e = &s->end;

	if (sd_bus_message_read(m, "sstttttt", &kind, &result, &e->objects, &e->corruptions,
				&e->repairs, &e->failures, &e->losses, &e->media_errors) < 0)
		return;
	clean_copy(e->kind, sizeof(e->kind), kind, strlen(kind));
	clean_copy(e->result, sizeof(e->result), result, strlen(result));
	stop(s, V_FINISHED);
}

/* Fields the daemon may add at the end (ScanFinished has a duration now) are fine. */
static bool has_prefix(sd_bus_message *m, const char *sig)
{
	const char *have = sd_bus_message_get_signature(m, true);

	return have && !strncmp(have, sig, strlen(sig));
}

static int on_daemon_signal(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
	struct session *s = userdata;
	const char *member = sd_bus_message_get_member(m), *mnt;

	/* Before StartScan's answer: not about our scan. */
	if (s->stage == ST_CALLING || !member)
		return 0;
	if (sd_bus_message_read(m, "s", &mnt) < 0 || strcmp(mnt, s->mnt))
		return 0;
	if (!strcmp(member, "Outcome") && sd_bus_message_has_signature(m, "sssts"))
		on_outcome(s, m);
	else if (!strcmp(member, "Progress") && sd_bus_message_has_signature(m, "ssdt"))
		on_progress(s, m);
	else if (!strcmp(member, "ScanFinished") && has_prefix(m, "ssstttttt"))
		on_finished(s, m);
	return 0;
}

static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
	struct session *s = userdata;
	const char *name, *old, *new;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0 || strcmp(name, XSD_BUS_NAME))
		return 0;
	/* While the call is out, its answer (or the bus's NoReply) decides. */
	if (s->stage != ST_CALLING && *old) {
		snprintf(s->why, sizeof(s->why), "it left the bus (stopped or restarted)");
		stop(s, V_LOST);
	}
	return 0;
}

static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
	struct session *s = userdata;

	snprintf(s->why, sizeof(s->why), "the connection to it closed");
	stop(s, V_LOST);
	return 0;
}

/*
 * The filesystem must still be watched: an unmount ends the daemon's
 * signals for it.  Following a scan begun elsewhere, the row's cursor also
 * tells whether it is reading back data already (phase 6).
 */
static int on_list_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_err)
{
	struct session *s = userdata;
	bool found = false;
	int r;

	if (sd_bus_message_is_method_error(m, NULL))
		return 0;	/* the stream and the owner watch cover a daemon gone */
	r = sd_bus_message_enter_container(m, 'a', XSD_BUS_FS_SIG);
	while (r > 0 && !found) {
		const char *mnt, *dev, *uuid, *state, *cursor;

		r = sd_bus_message_enter_container(m, 'r', XSD_BUS_FS_FIELDS);
		if (r <= 0)
			break;
		if (sd_bus_message_read(m, XSD_BUS_FS_HEAD, &mnt, &dev, &uuid, &state) < 0 ||
		    sd_bus_message_skip(m, XSD_BUS_FS_MIDDLE) < 0 ||
		    sd_bus_message_read(m, XSD_BUS_FS_CURSOR, &cursor) < 0 ||
		    sd_bus_message_skip(m, XSD_BUS_FS_TAIL) < 0 || sd_bus_message_exit_container(m) < 0)
			return 0;
		found = !strcmp(mnt, s->mnt) && strcmp(state, "gone");
		if (found && s->stage == ST_FOLLOWING && strstr(cursor, ": media, "))
			s->media = true;
	}
	/* Following: progress starts once it is known which part runs. */
	if (found && s->stage == ST_FOLLOWING)
		set_phase(s);
	if (r < 0)
		return 0;
	if (!found) {
		snprintf(s->why, sizeof(s->why), "it no longer watches %s (unmounted?)", s->mnt);
		stop(s, V_LOST);
	}
	return 0;
}

static void ask_list(struct session *s)
{
	(void)sd_bus_call_method_async(s->bus, NULL, dest(s), XSD_BUS_PATH, XSD_BUS_IFACE,
				       "ListFilesystems", on_list_reply, s, "");
}

/*
 * Interrupted: cancel the scan this command started, say what became of
 * it, and leave the loop to die of the signal.  Run as a deferred event,
 * outside any bus callback, and before the loop ends: at its end the
 * loop closes the connection (sd_bus_attach_event's exit hook).
 */
static int on_interrupt(sd_event_source *src, void *userdata)
{
	struct session *s = userdata;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int r;

	xst_progress_abort(s->prog);
	if (s->stage == ST_OWN) {
		(void)sd_bus_set_method_call_timeout(s->bus, CANCEL_TIMEOUT_US);
		r = sd_bus_call_method(s->bus, dest(s), XSD_BUS_PATH, XSD_BUS_IFACE, "Cancel", &err,
				       NULL, "s", s->mnt);
		if (r >= 0)
			note(s, "interrupted; the scan in xfs_scrubd is cancelled");
		else
			note(s, "interrupted; cancelling the scan in xfs_scrubd failed (%s)",
			     err.message ? err.message : strerror(-r));
		sd_bus_error_free(&err);
	} else if (s->stage == ST_FOLLOWING) {
		note(s, "interrupted; the scan in xfs_scrubd (not started here) goes on");
	} else {
		note(s, "interrupted before xfs_scrubd answered; see xfs_scrubctl status");
	}
	stop(s, V_INTERRUPTED);
	return 0;
}

static void interrupt_soon(struct session *s)
{
	if (s->interrupting)
		return;
	s->interrupting = true;
	if (sd_event_add_defer(s->ev, NULL, on_interrupt, s) < 0)
		stop(s, V_INTERRUPTED);
}

static int on_start_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_err)
{
	struct session *s = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	if (!e) {
		s->stage = ST_OWN;
		s->repair_mode = !strcmp(s->req->mode, "repair");
		note(s, "handed over to xfs_scrubd (%s, %s%s); -o nodaemon runs it here", s->req->mode,
		     s->req->kind, s->req->throttle ? ", throttled" : "");
		s->media = !strcmp(s->req->kind, "media");
		set_phase(s);
		if (s->signo)
			interrupt_soon(s);
		return 0;
	}
	if (sd_bus_error_has_name(e, XSD_BUS_ERR_STATE)) {
		s->stage = ST_FOLLOWING;
		note(s, "xfs_scrubd is scanning this filesystem already; following that scan");
		ask_list(s);
		if (s->signo)
			interrupt_soon(s);
		return 0;
	}
	if (!s->direct && (sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
			   sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER))) {
		stop(s, V_NEXT);
		return 0;
	}
	if (sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) ||
	    sd_bus_error_has_name(e, SD_BUS_ERROR_TIMEOUT) ||
	    sd_bus_error_has_name(e, SD_BUS_ERROR_DISCONNECTED)) {
		/* It may or may not have started the scan: say so, do not scan beside it. */
		clean_copy(s->why, sizeof(s->why), e->message ? e->message : e->name,
			   strlen(e->message ? e->message : e->name));
		stop(s, V_LOST);
		return 0;
	}
	/* Not watched (or not XFS), or refused: the run is ours. */
	if (!sd_bus_error_has_name(e, XSD_BUS_ERR_NOFS))
		note(s, "xfs_scrubd did not take the job (%s); running it here",
		     e->message ? e->message : e->name);
	stop(s, V_LOCAL);
	return 0;
}

static int on_watch_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct session *s = userdata;
	int r;

	if (s->stage != ST_CALLING)
		ask_list(s);
	r = sd_event_source_set_time_relative(src, WATCH_INTERVAL_US);
	return r < 0 ? r : sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
}

static int arm_watch(struct session *s)
{
	return sd_event_add_time_relative(s->ev, NULL, CLOCK_MONOTONIC, WATCH_INTERVAL_US, 0,
					  on_watch_timer, s);
}

static int on_term(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
	struct session *s = userdata;
	bool again = s->signo != 0;

	s->signo = (int)si->ssi_signo;
	/*
	 * With StartScan out, its answer says whether there is a scan of ours
	 * to cancel; it comes at once unless the daemon hangs, and a second
	 * signal does not wait for it.
	 */
	if (s->stage != ST_CALLING || again)
		interrupt_soon(s);
	return 0;
}

static int connect_socket(const char *path, sd_bus **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	sd_bus *b = NULL;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return neg_errno();
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return neg_errno();
	r = sd_bus_new(&b);
	if (r < 0)
		return r;
	r = sd_bus_set_fd(b, fd, fd);
	if (r >= 0) {
		fd = -1;	/* the bus owns it now */
		r = sd_bus_start(b);
	}
	if (r < 0) {
		sd_bus_unref(b);
		return r;
	}
	*ret = b;
	return 0;
}

static int send_start(struct session *s)
{
	sd_bus_message *m = NULL;
	int r;

	r = sd_bus_message_new_method_call(s->bus, &m, dest(s), XSD_BUS_PATH, XSD_BUS_IFACE,
					   "StartScan");
	/* Only to a daemon that runs: never start one through bus activation. */
	if (r >= 0)
		r = sd_bus_message_set_auto_start(m, false);
	if (r >= 0)
		r = sd_bus_message_append(m, "sa{sv}", s->mnt, 3, "kind", "s", s->req->kind, "mode",
					  "s", s->req->mode, "throttle", "b", (int)s->req->throttle);
	if (r >= 0)
		r = sd_bus_call_async(s->bus, NULL, m, on_start_reply, s, CALL_TIMEOUT_US);
	sd_bus_message_unref(m);
	return r;
}

static int subscribe(struct session *s)
{
	int r;

	/* Synchronous on the bus: in place before StartScan goes out. */
	r = sd_bus_match_signal(s->bus, NULL, dest(s), XSD_BUS_PATH, XSD_BUS_IFACE, NULL,
				on_daemon_signal, s);
	if (r >= 0 && !s->direct)
		r = sd_bus_add_match(s->bus, NULL,
				     "type='signal',sender='org.freedesktop.DBus',"
				     "path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
				     "member='NameOwnerChanged',arg0='" XSD_BUS_NAME "'",
				     on_owner_changed, s);
	if (r >= 0)
		r = sd_bus_match_signal(s->bus, NULL, NULL, "/org/freedesktop/DBus/Local",
					"org.freedesktop.DBus.Local", "Disconnected",
					on_disconnected, s);
	return r;
}

/* Die of the signal, as an uncaught one ends upstream's xfs_scrub. */
static void __attribute__((noreturn)) die_of(int signo)
{
	sigset_t set;

	signal(signo, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, signo);
	raise(signo);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	_exit(128 + signo);
}

/* One attempt on one connection; returns the verdict. */
static enum verdict run_session(struct session *s, bool direct, const char *sock)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	sigset_t block, old;
	int r;

	s->direct = direct;
	s->stage = ST_CALLING;
	s->verdict = V_NONE;
	r = direct ? connect_socket(sock, &s->bus) : sd_bus_open_system(&s->bus);
	if (r < 0)
		return direct ? V_LOCAL : V_NEXT;

	sigemptyset(&block);
	for (unsigned int i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&block, sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &old);

	r = sd_event_new(&s->ev);
	if (r >= 0)
		r = sd_bus_attach_event(s->bus, s->ev, 0);
	for (unsigned int i = 0; r >= 0 && i < ARRAY_SIZE(sigs); i++)
		r = sd_event_add_signal(s->ev, NULL, sigs[i], on_term, s);
	if (r >= 0)
		r = subscribe(s);
	if (r >= 0)
		r = arm_watch(s);
	if (r >= 0)
		r = send_start(s);
	if (r >= 0)
		r = sd_event_loop(s->ev);
	if (r < 0 && s->verdict == V_NONE) {
		/* Nothing was handed over unless StartScan was answered. */
		if (s->stage == ST_CALLING) {
			s->verdict = direct ? V_LOCAL : V_NEXT;
		} else {
			snprintf(s->why, sizeof(s->why), "%s", strerror(-r));
			s->verdict = V_LOST;
		}
	}
	if (s->verdict == V_INTERRUPTED) {
		s->bus = sd_bus_flush_close_unref(s->bus);
		die_of(s->signo);
	}
	if (s->bus)
		sd_bus_detach_event(s->bus);
	s->bus = sd_bus_flush_close_unref(s->bus);
	s->ev = sd_event_unref(s->ev);
	/* A signal that came in meanwhile is delivered now, with its default action. */
	sigprocmask(SIG_SETMASK, &old, NULL);
	return s->verdict;
}

static void finish(struct session *s, int *exit_code)
{
	const struct xst_scan_end *e = &s->end;
	const char *mnt = s->req->mountpoint;
	bool report_mode = s->stage == ST_OWN ? !s->repair_mode : e->repairs == 0 && e->failures == 0;
	bool op = false;

	xst_progress_end(s->prog);
	if (s->stage == ST_FOLLOWING)
		note(s, "the scan that was running in xfs_scrubd ended");
	if (!strcmp(e->result, "cancelled")) {
		xst_msg(s->rep, XST_ERROR, mnt, "The scan was cancelled in xfs_scrubd.");
		op = true;
	} else if (!strcmp(e->result, "shutdown")) {
		xst_msg(s->rep, XST_ERROR, mnt, "Filesystem is shut down, aborting.");
		op = true;
	} else if (!strcmp(e->result, "error")) {
		xst_msg(s->rep, XST_ERROR, mnt,
			"The scan in xfs_scrubd ended in an error; see journalctl -u xfs_scrubd.");
		op = true;
	}
	if (s->req->verbose)
		xst_out(s->rep, "%s: xfs_scrubd's %s scan: %s; %llu objects checked.\n", mnt,
			e->kind, e->result, (unsigned long long)e->objects);
	xst_handover_tally(e, report_mode, s->rep);
	/* No "run xfs_repair" advice for a scan that did not run to its end. */
	xst_report_summary(s->rep, !op, !report_mode);
	*exit_code = xst_report_exit_code(s->rep);
}

int xst_handover(const struct xst_handover_req *req, struct xst_report *rep,
		 struct xst_progress *prog, int *exit_code)
{
	struct session s = { .req = req, .rep = rep, .prog = prog };
	const char *sock = getenv(XST_HANDOVER_SOCKET_ENV);
	char mnt[PATH_MAX];
	enum verdict v;

	/* The daemon names filesystems by their canonical mount point. */
	if (!realpath(req->mountpoint, mnt))
		return 0;
	s.mnt = mnt;
	v = run_session(&s, false, NULL);
	if (v == V_NEXT)
		v = run_session(&s, true, sock && *sock ? sock : XST_HANDOVER_SOCKET);
	switch (v) {
	case V_FINISHED:
		finish(&s, exit_code);
		return 1;
	case V_LOST:
		xst_progress_abort(prog);
		if (s.stage == ST_CALLING)
			xst_msg(rep, XST_ERROR, req->mountpoint, "No answer from xfs_scrubd: %s; "
				"whether it started the scan is not known (xfs_scrubctl status).", s.why);
		else
			xst_msg(rep, XST_ERROR, req->mountpoint, "Lost xfs_scrubd during the scan: %s.  "
				"It may go on with it later (xfs_scrubctl status).", s.why);
		xst_report_summary(rep, false, false);
		*exit_code = xst_report_exit_code(rep);
		return 1;
	default:
		return 0;
	}
}
