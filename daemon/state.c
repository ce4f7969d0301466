// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Checkpoint files.  Text rather than a binary struct so that an operator
 * can read one with cat and a future version can add keys without a
 * migration; a "version" line guards against a format we do not know.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_update.h"
#include "rate.h"
#include "state.h"
#include "util.h"

#define STATE_VERSION 1

static const char *const phase_names[] = {
	[XSD_PHASE_METADATA] = "metadata",
	[XSD_PHASE_INODES] = "inodes",
	[XSD_PHASE_FSWIDE] = "fswide",
	[XSD_PHASE_MEDIA] = "media",
	[XSD_PHASE_DONE] = "done",
};

static const char *const kind_names[] = {
	[XSD_SCAN_METADATA] = "metadata",
	[XSD_SCAN_MEDIA] = "media",
	[XSD_SCAN_ALL] = "all",
};

static const char *const mode_names[] = {
	[XSD_SCAN_MODE_DEFAULT] = "default",
	[XSD_SCAN_MODE_REPAIR] = "repair",
	[XSD_SCAN_MODE_REPORT] = "report",
};

const char *xsd_phase_name(enum xsd_phase p)
{
	return (unsigned int)p < ARRAY_SIZE(phase_names) ? phase_names[p] : "unknown";
}

const char *xsd_scan_kind_name(enum xsd_scan_kind k)
{
	return (unsigned int)k < ARRAY_SIZE(kind_names) ? kind_names[k] : "unknown";
}

const char *xsd_scan_mode_name(enum xsd_scan_mode m)
{
	return (unsigned int)m < ARRAY_SIZE(mode_names) ? mode_names[m] : "unknown";
}

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -EINVAL;
}

int xsd_scan_kind_from_name(const char *s, enum xsd_scan_kind *ret)
{
	int i = lookup(kind_names, ARRAY_SIZE(kind_names), s);

	if (i < 0)
		return i;
	*ret = (enum xsd_scan_kind)i;
	return 0;
}

int xsd_scan_mode_from_name(const char *s, enum xsd_scan_mode *ret)
{
	int i = lookup(mode_names, ARRAY_SIZE(mode_names), s);

	if (i < 0)
		return i;
	*ret = (enum xsd_scan_mode)i;
	return 0;
}

enum xsd_phase xsd_scan_first_phase(enum xsd_scan_kind k)
{
	return k == XSD_SCAN_MEDIA ? XSD_PHASE_MEDIA : XSD_PHASE_METADATA;
}

/* printf at buf + *n; -ENOSPC if it does not fit in len. */
static int append(char *buf, size_t len, int *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int append(char *buf, size_t len, int *n, const char *fmt, ...)
{
	va_list ap;
	int m;

	va_start(ap, fmt);
	m = vsnprintf(buf + *n, len - (size_t)*n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= len - (size_t)*n)
		return -ENOSPC;
	*n += m;
	return 0;
}

int xsd_state_format(const struct xsd_state *s, char *buf, size_t len)
{
	int n = snprintf(buf, len,
		"version %d\n"
		"scan_active %d\n"
		"kind %s\n"
		"mode %s\n"
		"throttle %d\n"
		"phase %s\n"
		"agno %" PRIu32 "\n"
		"ino %" PRIu64 "\n"
		"scan_started %" PRIu64 "\n"
		"objects_done %" PRIu64 "\n"
		"media_done %" PRIu64 "\n"
		"corruptions %" PRIu64 "\n"
		"repairs %" PRIu64 "\n"
		"failures %" PRIu64 "\n"
		"losses %" PRIu64 "\n"
		"media_errors %" PRIu64 "\n"
		"last_kind %s\n"
		"last_scan_end %" PRIu64 "\n"
		"last_scan_duration %" PRIu64 "\n"
		"last_objects %" PRIu64 "\n"
		"last_corruptions %" PRIu64 "\n"
		"last_repairs %" PRIu64 "\n"
		"last_failures %" PRIu64 "\n"
		"last_losses %" PRIu64 "\n"
		"last_media_errors %" PRIu64 "\n"
		"last_media_end %" PRIu64 "\n"
		"last_result %s\n",
		STATE_VERSION, s->scan_active ? 1 : 0, xsd_scan_kind_name(s->kind),
		xsd_scan_mode_name(s->mode), s->throttle ? 1 : 0, xsd_phase_name(s->cur.phase),
		s->cur.agno, s->cur.ino, s->scan_started, s->objects_done, s->media_done,
		s->corruptions, s->repairs, s->failures, s->losses, s->media_errors,
		xsd_scan_kind_name(s->last_kind), s->last_scan_end,
		s->last_scan_duration, s->last_objects, s->last_corruptions,
		s->last_repairs, s->last_failures, s->last_losses, s->last_media_errors,
		s->last_media_end, s->last_result[0] ? s->last_result : "none");

	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	/*
	 * Lines written only when they say something: older readers ignore
	 * them (an escalated AG scan becomes a scan of everything, a scan's
	 * own rate cap the configured one).
	 */
	if (s->scope_ag >= 0 && append(buf, len, &n, "scope_ag %" PRId64 "\n", s->scope_ag) < 0)
		return -ENOSPC;
	if (s->media_rate && append(buf, len, &n, "media_rate %" PRIu64 "\n", s->media_rate) < 0)
		return -ENOSPC;
	return n;
}

static int parse_u64(const char *v, uint64_t *ret)
{
	char *end;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	*ret = strtoull(v, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

int xsd_state_parse(const char *text, size_t len, struct xsd_state *s)
{
	bool have_version = false;
	size_t off = 0;

	memset(s, 0, sizeof(*s));
	/* Checkpoints from before scan kinds were throttled metadata scans. */
	s->throttle = true;
	s->scope_ag = -1;
	while (off < len) {
		char line[128], *sp, *key, *val;
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		uint64_t v = 0;

		if (n >= sizeof(line))
			return -EINVAL;
		memcpy(line, text + off, n);
		line[n] = 0;
		off += n + (nl ? 1 : 0);
		if (!n)
			continue;
		sp = strchr(line, ' ');
		if (!sp)
			return -EINVAL;
		*sp = 0;
		key = line;
		val = sp + 1;

		if (!strcmp(key, "phase")) {
			unsigned int p;

			for (p = 0; p < ARRAY_SIZE(phase_names); p++)
				if (!strcmp(val, phase_names[p]))
					break;
			if (p == ARRAY_SIZE(phase_names))
				return -EINVAL;
			s->cur.phase = (enum xsd_phase)p;
			continue;
		}
		if (!strcmp(key, "kind") || !strcmp(key, "last_kind")) {
			if (xsd_scan_kind_from_name(val, !strcmp(key, "kind") ? &s->kind : &s->last_kind) < 0)
				return -EINVAL;
			continue;
		}
		if (!strcmp(key, "mode")) {
			if (xsd_scan_mode_from_name(val, &s->mode) < 0)
				return -EINVAL;
			continue;
		}
		if (!strcmp(key, "last_result")) {
			if (strlen(val) >= sizeof(s->last_result))
				return -EINVAL;
			strcpy(s->last_result, val);
			continue;
		}
		if (parse_u64(val, &v) < 0)
			return -EINVAL;
		if (!strcmp(key, "version")) {
			if (v != STATE_VERSION)
				return -EINVAL;
			have_version = true;
		} else if (!strcmp(key, "scan_active")) {
			if (v > 1)
				return -EINVAL;
			s->scan_active = v;
		} else if (!strcmp(key, "scope_ag")) {
			if (v > UINT32_MAX)
				return -EINVAL;
			s->scope_ag = (int64_t)v;
		} else if (!strcmp(key, "media_rate")) {
			if (v && !xsd_rate_valid(v))
				return -EINVAL;
			s->media_rate = v;
		} else if (!strcmp(key, "throttle")) {
			if (v > 1)
				return -EINVAL;
			s->throttle = v;
		} else if (!strcmp(key, "agno")) {
			if (v > UINT32_MAX)
				return -EINVAL;
			s->cur.agno = (uint32_t)v;
		} else if (!strcmp(key, "ino")) s->cur.ino = v;
		else if (!strcmp(key, "scan_started")) s->scan_started = v;
		else if (!strcmp(key, "objects_done")) s->objects_done = v;
		else if (!strcmp(key, "media_done")) s->media_done = v;
		else if (!strcmp(key, "losses")) s->losses = v;
		else if (!strcmp(key, "media_errors")) s->media_errors = v;
		else if (!strcmp(key, "last_losses")) s->last_losses = v;
		else if (!strcmp(key, "last_media_errors")) s->last_media_errors = v;
		else if (!strcmp(key, "last_media_end")) s->last_media_end = v;
		else if (!strcmp(key, "corruptions")) s->corruptions = v;
		else if (!strcmp(key, "repairs")) s->repairs = v;
		else if (!strcmp(key, "failures")) s->failures = v;
		else if (!strcmp(key, "last_scan_end")) s->last_scan_end = v;
		else if (!strcmp(key, "last_scan_duration")) s->last_scan_duration = v;
		else if (!strcmp(key, "last_objects")) s->last_objects = v;
		else if (!strcmp(key, "last_corruptions")) s->last_corruptions = v;
		else if (!strcmp(key, "last_repairs")) s->last_repairs = v;
		else if (!strcmp(key, "last_failures")) s->last_failures = v;
		/* else: a key from a newer version; ignore it */
	}
	return have_version ? 0 : -EINVAL;
}

int xsd_state_path(const char *dir, const char *uuid, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s.state", dir, uuid);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xsd_state_load(const char *path, struct xsd_state *s)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return neg_errno();
	n = read(fd, buf, sizeof(buf));
	r = n < 0 ? neg_errno() : 0;
	close(fd);
	if (r < 0)
		return r;
	return xsd_state_parse(buf, (size_t)n, s);
}

int xsd_state_save(const char *path, const struct xsd_state *s, const char **method)
{
	enum xst_au_method used = XST_AU_NONE;
	char buf[2048];
	int n = xsd_state_format(s, buf, sizeof(buf));
	int r;

	if (n < 0)
		return n;
	r = xst_au_write_file(path, buf, (size_t)n, XST_AU_CREATE, &used);
	if (method)
		*method = used == XST_AU_COMMIT_RANGE ? "commit-range" :
			  used == XST_AU_EXCHANGE_RANGE ? "exchange-range" :
			  used == XST_AU_RENAME ? "rename" : "none";
	return r;
}
