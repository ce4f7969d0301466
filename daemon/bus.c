// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control API: one object, org.xfs.Scrubd1.Manager at /org/xfs/Scrubd1,
 * on the system bus under the well-known name org.xfs.Scrubd1 and, always,
 * on a private socket (<runtime_dir>/control, mode 0600) so that
 * xfs_scrubctl works where no bus runs (early boot, rescue shells).
 * Changing methods are for root only: the bus policy file says so for the
 * system bus, and every handler checks the caller's effective uid as well,
 * because the private socket has no policy daemon in front of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "bus.h"
#include "kernel.h"
#include "manager.h"
#include "rate.h"
#include "salvage.h"
#include "util.h"

#define MAX_PRIVATE 16
static sd_bus *private_conns[MAX_PRIVATE];

/*
 * Root (effective uid 0, as the bus policy requires) or CAP_SYS_ADMIN.
 * Root without capabilities counts: the scan timer's unit runs the client
 * with an empty capability set on purpose.  Credentials come from the bus
 * driver or, on the private socket, from SO_PEERCRED; where the driver
 * gives no effective uid, the uid it gives is used.
 */
static int check_root(sd_bus_message *msg, sd_bus_error *err)
{
	sd_bus_creds *c = NULL;
	uid_t uid;
	bool ok = false;

	if (sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID | SD_BUS_CREDS_UID |
				      SD_BUS_CREDS_EFFECTIVE_CAPS | SD_BUS_CREDS_AUGMENT, &c) >= 0) {
		if (sd_bus_creds_get_euid(c, &uid) >= 0)
			ok = uid == 0;
		else if (sd_bus_creds_get_uid(c, &uid) >= 0)
			ok = uid == 0;
		if (!ok && sd_bus_creds_has_effective_cap(c, CAP_SYS_ADMIN) > 0)
			ok = true;
	}
	sd_bus_creds_unref(c);
	if (ok)
		return 0;
	return sd_bus_error_set(err, SD_BUS_ERROR_ACCESS_DENIED,
				"xfs_scrubd: only root may control scans");
}

/*
 * How the active scan is paced: "" (none runs), "throttled" (the budgets
 * and the media cap below hold) or "full-speed".  The media cap is the
 * scan's own if it was given one, else the configured one; 0 when the
 * scan reads no media or nothing caps it.
 */
static const char *scan_pace(const struct xsd_state *st, const struct xsd_config *cfg,
			     uint64_t *media_rate)
{
	*media_rate = 0;
	if (!st->scan_active)
		return "";
	if (!st->throttle)
		return "full-speed";
	if (st->kind != XSD_SCAN_METADATA)
		*media_rate = st->media_rate ? st->media_rate : cfg->media_rate;
	return "throttled";
}

static int append_fs(sd_bus_message *reply, struct xsd_fs *fs)
{
	const struct xsd_config *cfg = fs->m->cfg;
	struct xsd_shared *sh = &fs->sh;
	const char *pace;
	uint64_t media_rate;
	double p, rate;
	uint64_t eta;
	char cursor[128], state[16];
	struct xsd_state st;
	uint64_t checked, corrupt, repairs, failures;
	int r;

	pthread_mutex_lock(&sh->lock);
	xsd_shared_progress(sh, &p, &rate, &eta);
	st = sh->st;
	checked = sh->objects_checked;
	corrupt = sh->corruptions;
	repairs = sh->repairs;
	failures = sh->failures;
	snprintf(state, sizeof(state), "%s",
		 fs->scan_wanted && sh->state == XSD_FS_IDLE ? "queued" : xsd_fs_state_name(sh->state));
	pthread_mutex_unlock(&sh->lock);
	if (st.scan_active && st.cur.phase == XSD_PHASE_MEDIA)
		snprintf(cursor, sizeof(cursor), "%s scan: media, device %u byte %llu",
			 xsd_scan_kind_name(st.kind), st.cur.agno, (unsigned long long)st.cur.ino);
	else if (st.scan_active)
		snprintf(cursor, sizeof(cursor), "%s scan: %s ag %u ino %llu",
			 xsd_scan_kind_name(st.kind), xsd_phase_name(st.cur.phase),
			 st.cur.agno, (unsigned long long)st.cur.ino);
	else
		cursor[0] = 0;
	pace = scan_pace(&st, cfg, &media_rate);
	r = sd_bus_message_append(reply, XSD_BUS_FS_SIG, fs->mountpoint, fs->source, fs->uuid,
				  state, p, rate, eta, checked, corrupt, repairs, failures,
				  fs->events, st.last_scan_end, st.last_scan_duration,
				  st.last_result[0] ? st.last_result : "none", fs->monitor_note, cursor,
				  pace, cfg->cpu_budget, cfg->io_budget, media_rate);
	return r;
}

/* The end of a List* answer: close the array and send, whatever r says. */
static int end_list(sd_bus_message *reply, int r)
{
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static int method_list(sd_bus_message *msg, void *userdata, sd_bus_error *err)
{
	struct xsd_manager *m = userdata;
	sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_message_new_method_return(msg, &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', XSD_BUS_FS_SIG);
	for (struct xsd_fs *fs = m->fs; r >= 0 && fs; fs = fs->next)
		r = append_fs(reply, fs);
	return end_list(reply, r);
}

/* The mount point argument of the List* methods: "" for all, else absolute and watched. */
static int read_mountpoint(sd_bus_message *msg, struct xsd_manager *m, const char **mnt,
			   sd_bus_error *err)
{
	int r = sd_bus_message_read(msg, "s", mnt);

	if (r < 0)
		return r;
	if (**mnt && **mnt != '/')
		return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
					 "expected an absolute mount point or \"\" for all, got \"%s\"",
					 *mnt);
	if (**mnt && !xsd_manager_find(m, *mnt))
		return sd_bus_error_setf(err, XSD_BUS_ERR_NOFS,
					 "%s is not an XFS filesystem watched by xfs_scrubd", *mnt);
	return 0;
}

/*
 * The start of a List* answer: root only, the mount point argument, and a
 * reply with its array opened.  Returns the reply's state (>= 0) or an
 * error to return from the handler; *reply is set only on success.
 */
static int begin_list(sd_bus_message *msg, struct xsd_manager *m, const char *sig,
		      const char **mnt, sd_bus_message **reply, sd_bus_error *err)
{
	int r = check_root(msg, err);

	if (r >= 0)
		r = read_mountpoint(msg, m, mnt, err);
	if (r >= 0)
		r = sd_bus_message_new_method_return(msg, reply);
	if (r < 0)
		return r;
	return sd_bus_message_open_container(*reply, 'a', sig);
}

static int method_list_damage(sd_bus_message *msg, void *userdata, sd_bus_error *err)
{
	struct xsd_manager *m = userdata;
	sd_bus_message *reply = NULL;
	const char *mnt;
	int r;

	r = begin_list(msg, m, XSD_BUS_DAMAGE_SIG, &mnt, &reply, err);
	if (!reply)
		return r;
	for (struct xsd_fs *fs = m->fs; r >= 0 && fs; fs = fs->next) {
		if ((*mnt && strcmp(fs->mountpoint, mnt)) || !fs->damage)
			continue;
		for (unsigned int i = 0; r >= 0 && i < fs->damage->n; i++) {
			const struct xsd_damage *d = &fs->damage->v[i];

			r = sd_bus_message_append(reply, XSD_BUS_DAMAGE_SIG, fs->mountpoint,
						  xsd_damage_state_name(d->state), d->agno, d->ino,
						  d->offset, d->scrub_type, d->path, d->text, d->since);
		}
	}
	return end_list(reply, r);
}

struct salvage_arg {
	sd_bus_message *reply;
	const char *mnt;
	int r;
};

static void add_salvage(void *arg, const char *path, const struct xst_salvage_summary *sum)
{
	struct salvage_arg *a = arg;
	static const struct xst_salvage_summary unreadable = { .type = "?", .phase = "unreadable" };

	if (a->r < 0)
		return;
	if (!sum)
		sum = &unreadable;
	a->r = sd_bus_message_append(a->reply, XSD_BUS_SALVAGE_SIG, a->mnt, path, sum->ino,
				     (uint64_t)sum->gen, sum->type, sum->phase, sum->time,
				     sum->entries, sum->kept, sum->restored, sum->flagged, sum->lost,
				     sum->pending);
}

/* Salvage records of watched filesystems: what a rebuild kept, restored or lost. */
static int method_list_salvage(sd_bus_message *msg, void *userdata, sd_bus_error *err)
{
	struct xsd_manager *m = userdata;
	struct salvage_arg a = { 0 };
	const char *mnt;
	int r;

	r = begin_list(msg, m, XSD_BUS_SALVAGE_SIG, &mnt, &a.reply, err);
	if (!a.reply)
		return r;
	for (struct xsd_fs *fs = m->fs; r >= 0 && fs; fs = fs->next) {
		if (*mnt && strcmp(fs->mountpoint, mnt))
			continue;
		a.mnt = fs->mountpoint;
		a.r = 0;
		r = xst_salvage_records(m->cfg->state_dir, fs->uuid, add_salvage, &a);
		if (r >= 0)
			r = a.r;
	}
	return end_list(a.reply, r);
}

enum op { OP_START, OP_PAUSE, OP_RESUME, OP_CANCEL };

/*
 * StartScan's options, a{sv}: "kind" s, "mode" s, "throttle" b, "ag" u,
 * "media_rate" t (bytes per second, for a throttled scan).  Anything
 * else, a wrong type or an unknown value is refused: a client that asks for
 * something must not get something else silently.
 */
static int read_scan_options(sd_bus_message *msg, struct xsd_scan_req *req, sd_bus_error *err)
{
	int r;

	*req = XSD_SCAN_REQ_DEFAULT;
	req->resume = false;
	r = sd_bus_message_enter_container(msg, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
		const char *key, *val;
		int b;

		r = sd_bus_message_read(msg, "s", &key);
		if (r < 0)
			return r;
		if (!strcmp(key, "kind") || !strcmp(key, "mode")) {
			r = sd_bus_message_read(msg, "v", "s", &val);
			if (r < 0)
				return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
							 "option \"%s\" must be a string", key);
			if (!strcmp(key, "kind") ? xsd_scan_kind_from_name(val, &req->kind) < 0 :
			    xsd_scan_mode_from_name(val, &req->mode) < 0)
				return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
							 "option %s: unknown value \"%s\" (%s)", key, val,
							 !strcmp(key, "kind") ? "metadata, media or all" :
							 "default, repair or report");
		} else if (!strcmp(key, "ag")) {
			uint32_t ag;

			r = sd_bus_message_read(msg, "v", "u", &ag);
			if (r < 0)
				return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
							 "option \"ag\" must be an unsigned 32-bit number");
			req->ag = ag;
		} else if (!strcmp(key, "throttle")) {
			r = sd_bus_message_read(msg, "v", "b", &b);
			if (r < 0)
				return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
							 "option \"throttle\" must be a boolean");
			req->throttle = b;
		} else if (!strcmp(key, "media_rate")) {
			uint64_t rate;

			r = sd_bus_message_read(msg, "v", "t", &rate);
			if (r < 0)
				return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
							 "option \"media_rate\" must be an unsigned 64-bit number");
			if (!xsd_rate_valid(rate))
				return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
							 "option media_rate: %" PRIu64 " bytes per second is "
							 "outside %llu to %llu", rate, XSD_RATE_MIN, XSD_RATE_MAX);
			req->media_rate = rate;
		} else {
			return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
						 "unknown option \"%s\" (kind, mode, throttle, ag, media_rate)", key);
		}
		r = sd_bus_message_exit_container(msg);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	if (req->media_rate && !req->throttle)
		return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
					 "option media_rate caps a throttled scan; this one has throttle false");
	return sd_bus_message_exit_container(msg);
}

static int control(sd_bus_message *msg, struct xsd_manager *m, sd_bus_error *err, enum op op,
		   bool with_options)
{
	struct xsd_scan_req req, *reqp = NULL;
	const char *mnt;
	unsigned int done = 0;
	int r;

	r = check_root(msg, err);
	if (r < 0)
		return r;
	r = sd_bus_message_read(msg, "s", &mnt);
	if (r < 0)
		return r;
	if (with_options) {
		r = read_scan_options(msg, &req, err);
		if (r < 0)
			return r;
		reqp = &req;
	}
	/* "" means every filesystem. */
	if (*mnt && *mnt != '/')
		return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
					 "expected an absolute mount point or \"\" for all, got \"%s\"", mnt);
	if (reqp && reqp->ag >= 0 && (!*mnt || reqp->kind != XSD_SCAN_METADATA))
		return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
					 "option ag goes with one mount point and kind metadata");
	for (struct xsd_fs *fs = m->fs; fs; fs = fs->next) {
		if (*mnt && strcmp(fs->mountpoint, mnt))
			continue;
		if (reqp && reqp->ag >= (int64_t)fs->agcount)
			return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
						 "%s has %u allocation groups; there is no AG %" PRId64,
						 mnt, fs->agcount, reqp->ag);
		switch (op) {
		case OP_START:
			r = xsd_fs_request_scan(fs, "requested over D-Bus", reqp);
			break;
		case OP_PAUSE:
			r = xsd_fs_pause(fs, true);
			break;
		case OP_RESUME:
			r = xsd_fs_pause(fs, false);
			break;
		case OP_CANCEL:
			r = xsd_fs_cancel(fs);
			break;
		}
		done++;
		if (r == -EALREADY && *mnt)
			return sd_bus_error_setf(err, XSD_BUS_ERR_STATE, "%s: %s", mnt,
						 op == OP_START ? "a scan is already running" :
						 "no scan to cancel");
	}
	if (*mnt && !done)
		return sd_bus_error_setf(err, XSD_BUS_ERR_NOFS,
					 "%s is not an XFS filesystem watched by xfs_scrubd", mnt);
	return sd_bus_reply_method_return(msg, "u", done);
}

static int method_start(sd_bus_message *msg, void *u, sd_bus_error *e) { return control(msg, u, e, OP_START, false); }
static int method_start_scan(sd_bus_message *msg, void *u, sd_bus_error *e) { return control(msg, u, e, OP_START, true); }
static int method_pause(sd_bus_message *msg, void *u, sd_bus_error *e) { return control(msg, u, e, OP_PAUSE, false); }
static int method_resume(sd_bus_message *msg, void *u, sd_bus_error *e) { return control(msg, u, e, OP_RESUME, false); }
static int method_cancel(sd_bus_message *msg, void *u, sd_bus_error *e) { return control(msg, u, e, OP_CANCEL, false); }

static int prop_version(sd_bus *bus, const char *path, const char *iface, const char *prop,
			sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
	return sd_bus_message_append(reply, "s", XST_VERSION);
}

static int prop_calls(sd_bus *bus, const char *path, const char *iface, const char *prop,
		      sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
	return sd_bus_message_append(reply, "t", xk_scrub_calls());
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Version", "s", prop_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	/* Kernel scrub calls issued since start: pause shows as a flat line. */
	SD_BUS_PROPERTY("ScrubCalls", "t", prop_calls, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
	SD_BUS_METHOD_WITH_NAMES("ListFilesystems", "", , "a" XSD_BUS_FS_SIG,
				 SD_BUS_PARAM(filesystems), method_list,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Start", "s", SD_BUS_PARAM(mountpoint), "u", SD_BUS_PARAM(count),
				 method_start, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("ListDamage", "s", SD_BUS_PARAM(mountpoint),
				 "a" XSD_BUS_DAMAGE_SIG, SD_BUS_PARAM(damage), method_list_damage,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("ListSalvage", "s", SD_BUS_PARAM(mountpoint),
				 "a" XSD_BUS_SALVAGE_SIG, SD_BUS_PARAM(records), method_list_salvage,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	/* options a{sv}: kind s (metadata|media|all), mode s (default|repair|report),
	 * throttle b, ag u (metadata of one AG) */
	SD_BUS_METHOD_WITH_NAMES("StartScan", "sa{sv}", SD_BUS_PARAM(mountpoint) SD_BUS_PARAM(options),
				 "u", SD_BUS_PARAM(count), method_start_scan, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Pause", "s", SD_BUS_PARAM(mountpoint), "u", SD_BUS_PARAM(count),
				 method_pause, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Resume", "s", SD_BUS_PARAM(mountpoint), "u", SD_BUS_PARAM(count),
				 method_resume, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Cancel", "s", SD_BUS_PARAM(mountpoint), "u", SD_BUS_PARAM(count),
				 method_cancel, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("Progress", "ssdt",
				 SD_BUS_PARAM(mountpoint) SD_BUS_PARAM(state)
				 SD_BUS_PARAM(progress) SD_BUS_PARAM(eta_seconds), 0),
	SD_BUS_SIGNAL_WITH_NAMES("Outcome", "sssts",
				 SD_BUS_PARAM(mountpoint) SD_BUS_PARAM(kind) SD_BUS_PARAM(outcome)
				 SD_BUS_PARAM(inode) SD_BUS_PARAM(message), 0),
	SD_BUS_SIGNAL_WITH_NAMES("ScanFinished", "sssttttttt",
				 SD_BUS_PARAM(mountpoint) SD_BUS_PARAM(kind) SD_BUS_PARAM(result)
				 SD_BUS_PARAM(objects) SD_BUS_PARAM(corruptions) SD_BUS_PARAM(repairs)
				 SD_BUS_PARAM(failures) SD_BUS_PARAM(losses) SD_BUS_PARAM(media_errors)
				 SD_BUS_PARAM(duration_seconds), 0),
	SD_BUS_VTABLE_END
};

static void for_each_bus(struct xsd_manager *m, void (*fn)(sd_bus *b, void *arg), void *arg)
{
	if (m->bus)
		fn(m->bus, arg);
	for (unsigned int i = 0; i < MAX_PRIVATE; i++)
		if (private_conns[i])
			fn(private_conns[i], arg);
}

struct progress_arg {
	const char *mnt, *state;
	double p;
	uint64_t eta;
};

static void emit_progress(sd_bus *b, void *arg)
{
	struct progress_arg *a = arg;

	(void)sd_bus_emit_signal(b, XSD_BUS_PATH, XSD_BUS_IFACE, "Progress", "ssdt",
				 a->mnt, a->state, a->p, a->eta);
}

void xsd_bus_emit_progress(struct xsd_manager *m, struct xsd_fs *fs)
{
	struct progress_arg a = { .mnt = fs->mountpoint };
	double rate;

	pthread_mutex_lock(&fs->sh.lock);
	a.state = xsd_fs_state_name(fs->sh.state);
	xsd_shared_progress(&fs->sh, &a.p, &rate, &a.eta);
	pthread_mutex_unlock(&fs->sh.lock);
	for_each_bus(m, emit_progress, &a);
}

struct outcome_arg {
	const char *mnt;
	const struct xsd_outcome *o;
};

static void emit_outcome(sd_bus *b, void *arg)
{
	struct outcome_arg *a = arg;

	(void)sd_bus_emit_signal(b, XSD_BUS_PATH, XSD_BUS_IFACE, "Outcome", "sssts", a->mnt,
				 xsd_msg_id(a->o->msg), a->o->outcome, a->o->ino, a->o->text);
}

void xsd_bus_emit_outcome(struct xsd_manager *m, struct xsd_fs *fs, const struct xsd_outcome *o)
{
	struct outcome_arg a = { fs->mountpoint, o };

	if (o->msg == XSD_MSG_ENGINE)
		return;
	for_each_bus(m, emit_outcome, &a);
}

static void emit_finished(sd_bus *b, void *arg)
{
	const struct xsd_fs *fs = arg;
	const struct xsd_state *st = &fs->sh.st;

	(void)sd_bus_emit_signal(b, XSD_BUS_PATH, XSD_BUS_IFACE, "ScanFinished", "sssttttttt",
				 fs->mountpoint, xsd_scan_kind_name(st->last_kind),
				 st->last_result[0] ? st->last_result : "none", st->last_objects,
				 st->last_corruptions, st->last_repairs, st->last_failures,
				 st->last_losses, st->last_media_errors, st->last_scan_duration);
}

/*
 * The last scan's results, read when its outcome reaches the loop.  The
 * worker cannot start another scan before the loop says so, so last_* are
 * still the ones that belong to this record; the lock is held anyway.
 */
void xsd_bus_emit_finished(struct xsd_manager *m, struct xsd_fs *fs)
{
	pthread_mutex_lock(&fs->sh.lock);
	for_each_bus(m, emit_finished, fs);
	pthread_mutex_unlock(&fs->sh.lock);
}

static int on_private_disconnect(sd_bus_message *msg, void *userdata, sd_bus_error *err)
{
	sd_bus *b = sd_bus_message_get_bus(msg);

	for (unsigned int i = 0; i < MAX_PRIVATE; i++) {
		if (private_conns[i] == b) {
			private_conns[i] = NULL;
			sd_bus_detach_event(b);
			sd_bus_unref(b);	/* sd_bus_process holds its own reference */
		}
	}
	return 0;
}

static int on_private_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct xsd_manager *m = userdata;
	sd_id128_t id;
	sd_bus *b = NULL;
	unsigned int slot;
	int cfd, r;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return 0;
	for (slot = 0; slot < MAX_PRIVATE && private_conns[slot]; slot++)
		;
	if (slot == MAX_PRIVATE) {
		close(cfd);
		return 0;
	}
	(void)sd_id128_randomize(&id);
	r = sd_bus_new(&b);
	if (r >= 0)
		r = sd_bus_set_fd(b, cfd, cfd);
	if (r >= 0)
		r = sd_bus_set_server(b, 1, id);
	if (r >= 0)
		r = sd_bus_negotiate_creds(b, 1, SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID);
	if (r >= 0)
		r = sd_bus_add_object_vtable(b, NULL, XSD_BUS_PATH, XSD_BUS_IFACE, manager_vtable, m);
	if (r >= 0)
		r = sd_bus_match_signal(b, NULL, "org.freedesktop.DBus.Local", NULL,
					"org.freedesktop.DBus.Local", "Disconnected",
					on_private_disconnect, m);
	if (r >= 0)
		r = sd_bus_start(b);
	if (r >= 0)
		r = sd_bus_attach_event(b, m->event, 0);
	if (r < 0) {
		if (b)
			sd_bus_unref(b);
		else
			close(cfd);
		return 0;
	}
	private_conns[slot] = b;
	return 0;
}

static int listen_private(struct xsd_manager *m)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	(void)mkdir(m->cfg->runtime_dir, 0700);
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/" XSD_CONTROL_SOCKET,
			     m->cfg->runtime_dir) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return neg_errno();
	(void)unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(sa.sun_path, 0600) < 0 ||
	    listen(fd, 8) < 0) {
		r = neg_errno();
		close(fd);
		return r;
	}
	r = sd_event_add_io(m->event, &m->private_src, fd, EPOLLIN, on_private_accept, m);
	if (r < 0) {
		close(fd);
		return r;
	}
	(void)sd_event_source_set_io_fd_own(m->private_src, true);
	m->private_fd = fd;
	return 0;
}

int xsd_bus_setup(struct xsd_manager *m)
{
	int r;

	r = listen_private(m);
	if (r < 0)
		fprintf(stderr, "xfs_scrubd: control socket under %s: %s\n", m->cfg->runtime_dir,
			strerror(-r));

	r = sd_bus_open_system(&m->bus);
	if (r < 0) {
		fprintf(stderr, "xfs_scrubd: no system bus (%s); control socket only\n", strerror(-r));
		m->bus = NULL;
		return 0;
	}
	r = sd_bus_add_object_vtable(m->bus, NULL, XSD_BUS_PATH, XSD_BUS_IFACE, manager_vtable, m);
	if (r >= 0)
		r = sd_bus_request_name(m->bus, XSD_BUS_NAME, 0);
	if (r >= 0)
		r = sd_bus_attach_event(m->bus, m->event, 0);
	if (r < 0) {
		fprintf(stderr, "xfs_scrubd: cannot serve %s on the system bus (%s; is "
			"the policy file installed?); control socket only\n", XSD_BUS_NAME, strerror(-r));
		m->bus = sd_bus_flush_close_unref(m->bus);
	}
	return 0;
}

void xsd_bus_done(struct xsd_manager *m)
{
	for (unsigned int i = 0; i < MAX_PRIVATE; i++) {
		if (private_conns[i]) {
			sd_bus_detach_event(private_conns[i]);
			private_conns[i] = sd_bus_flush_close_unref(private_conns[i]);
		}
	}
	if (m->bus) {
		sd_bus_detach_event(m->bus);
		m->bus = sd_bus_flush_close_unref(m->bus);
	}
	m->private_src = sd_event_source_disable_unref(m->private_src);
}
