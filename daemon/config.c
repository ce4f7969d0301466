// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration parsing.  libinih calls back per key; each key has a row in
 * a table with its section, name and parser, so that validation rules sit
 * next to the key they guard and unknown keys fall out of the lookup.
 * inih keeps going after a failed handler and reports the first bad line;
 * we record our own message for that line so the error says *why*.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "rate.h"
#include "util.h"

#define DEFAULT_STATE_DIR "/var/lib/xfs_scrubd"
#define DEFAULT_RUNTIME_DIR "/run/xfs_scrubd"

int xsd_config_defaults(struct xsd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->state_dir = strdup(DEFAULT_STATE_DIR);
	c->runtime_dir = strdup(DEFAULT_RUNTIME_DIR);
	if (!c->state_dir || !c->runtime_dir)
		return -ENOMEM;
	c->health_monitor = true;
	c->poll_interval_s = 30;
	c->escalate_events = 3;
	c->escalate_window_s = 60;
	c->scan_interval_s = 7 * 86400;
	c->media_interval_s = 30 * 86400;
	c->window_start_min = c->window_end_min = -1;
	c->skip_on_battery = true;
	/*
	 * Half a CPU: with a guest's two CPUs running at once, a scan of
	 * 10,000 inodes at 50 left the foreground 0.97-0.98 of its speed and
	 * ended in 0.6-0.7 of upstream xfs_scrub -b's time; at 25 it took
	 * 1.4 times as long (docs/daemon.md).
	 */
	c->cpu_budget = 50;
	c->io_budget = 25;
	c->io_pressure_max = 10.0;
	c->rest_us = 0;
	c->checkpoint_interval_s = 5;
	c->repair = XSD_REPAIR_AUTO;
	c->ratelimit_s = 10;
	return 0;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void xsd_config_done(struct xsd_config *c)
{
	if (!c)
		return;
	free(c->state_dir);
	free(c->runtime_dir);
	free(c->metrics_file);
	free_list(c->include, c->n_include);
	free_list(c->exclude, c->n_exclude);
	memset(c, 0, sizeof(*c));
}

int xsd_parse_duration(const char *s, uint64_t *ret)
{
	static const struct { const char *suffix; uint64_t mult; } units[] = {
		{ "", 1 }, { "s", 1 }, { "m", 60 }, { "min", 60 }, { "h", 3600 },
		{ "d", 86400 }, { "w", 7 * 86400 },
	};
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			if (v > UINT64_MAX / units[i].mult)
				return -ERANGE;
			*ret = v * units[i].mult;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- value parsers: 0, or -EINVAL with a reason in *why ---- */

struct parse_state {
	struct xsd_config *c;
	char *err;
	size_t errlen;
	const char *path;
	int first_bad_line;
	int line;		/* lines read so far: the handler's line */
	FILE *f;		/* source: a file... */
	const char *text;	/* ...or a string */
};

typedef int (*parse_fn)(struct xsd_config *c, void *field, const char *v, const char **why);

static int p_bool(struct xsd_config *c, void *field, const char *v, const char **why)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		*(bool *)field = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*(bool *)field = false;
	else
		return *why = "expected yes or no", -EINVAL;
	return 0;
}

static int p_path(struct xsd_config *c, void *field, const char *v, const char **why)
{
	char **p = field;
	char *dup;

	if (v[0] != '/')
		return *why = "expected an absolute path", -EINVAL;
	dup = strdup(v);
	if (!dup)
		return *why = "out of memory", -ENOMEM;
	free(*p);
	*p = dup;
	return 0;
}

static int p_opt_path(struct xsd_config *c, void *field, const char *v, const char **why)
{
	if (!*v) {
		free(*(char **)field);
		*(char **)field = NULL;
		return 0;
	}
	return p_path(c, field, v, why);
}

static int p_duration(struct xsd_config *c, void *field, const char *v, const char **why)
{
	if (xsd_parse_duration(v, field) < 0)
		return *why = "expected a duration such as 30s, 5m, 2h, 7d or 1w", -EINVAL;
	return 0;
}

static int p_poll(struct xsd_config *c, void *field, const char *v, const char **why)
{
	uint64_t s;

	if (xsd_parse_duration(v, &s) < 0 || s < 1 || s > 86400)
		return *why = "expected a duration from 1s to 1d", -EINVAL;
	*(uint64_t *)field = s;
	return 0;
}

static int p_checkpoint(struct xsd_config *c, void *field, const char *v, const char **why)
{
	uint64_t s;

	/* The promise is at most 10 s of work redone after a crash. */
	if (xsd_parse_duration(v, &s) < 0 || s < 1 || s > 10)
		return *why = "expected a duration from 1s to 10s", -EINVAL;
	*(uint64_t *)field = s;
	return 0;
}

static int parse_uint(const char *v, unsigned long lo, unsigned long hi, unsigned int *ret)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < lo || n > hi)
		return -EINVAL;
	*ret = (unsigned int)n;
	return 0;
}

static int p_percent(struct xsd_config *c, void *field, const char *v, const char **why)
{
	char buf[32];
	size_t n = strlen(v);

	/* "25" and "25%" both read as 25 percent. */
	if (n == 0 || n >= sizeof(buf))
		return *why = "expected a percentage from 1 to 100", -EINVAL;
	memcpy(buf, v, n + 1);
	if (buf[n - 1] == '%')
		buf[n - 1] = 0;
	if (parse_uint(buf, 1, 100, field) < 0)
		return *why = "expected a percentage from 1 to 100", -EINVAL;
	return 0;
}

static int p_events(struct xsd_config *c, void *field, const char *v, const char **why)
{
	if (parse_uint(v, 1, 1000, field) < 0)
		return *why = "expected a count from 1 to 1000", -EINVAL;
	return 0;
}

static int p_rest(struct xsd_config *c, void *field, const char *v, const char **why)
{
	if (parse_uint(v, 0, 65535, field) < 0)
		return *why = "expected microseconds from 0 to 65535", -EINVAL;
	return 0;
}

static int p_rate(struct xsd_config *c, void *field, const char *v, const char **why)
{
	if (xsd_parse_rate(v, field) < 0)
		return *why = "expected off, or bytes per second from 256K to 16G", -EINVAL;
	return 0;
}

static int p_pressure(struct xsd_config *c, void *field, const char *v, const char **why)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(d) || d <= 0 || d > 100)
		return *why = "expected a percentage above 0 and at most 100", -EINVAL;
	*(double *)field = d;
	return 0;
}

static int p_repair(struct xsd_config *c, void *field, const char *v, const char **why)
{
	if (!strcmp(v, "auto"))
		c->repair = XSD_REPAIR_AUTO;
	else if (!strcmp(v, "always"))
		c->repair = XSD_REPAIR_ALWAYS;
	else if (!strcmp(v, "never"))
		c->repair = XSD_REPAIR_NEVER;
	else
		return *why = "expected auto, always or never", -EINVAL;
	return 0;
}

static int parse_hhmm(const char *s, size_t n, int *ret)
{
	unsigned int h, m;
	char buf[8];

	if (n != 5 || s[2] != ':')
		return -EINVAL;
	memcpy(buf, s, 5);
	buf[5] = 0;
	if (!isdigit((unsigned char)buf[0]) || !isdigit((unsigned char)buf[1]) ||
	    !isdigit((unsigned char)buf[3]) || !isdigit((unsigned char)buf[4]))
		return -EINVAL;
	h = (buf[0] - '0') * 10 + (buf[1] - '0');
	m = (buf[3] - '0') * 10 + (buf[4] - '0');
	if (h > 23 || m > 59)
		return -EINVAL;
	*ret = (int)(h * 60 + m);
	return 0;
}

static int p_window(struct xsd_config *c, void *field, const char *v, const char **why)
{
	const char *dash = strchr(v, '-');
	int a, b;

	if (!*v || !strcmp(v, "any")) {
		c->window_start_min = c->window_end_min = -1;
		return 0;
	}
	if (!dash || parse_hhmm(v, (size_t)(dash - v), &a) < 0 ||
	    parse_hhmm(dash + 1, strlen(dash + 1), &b) < 0 || a == b)
		return *why = "expected HH:MM-HH:MM (may wrap midnight) or any", -EINVAL;
	c->window_start_min = a;
	c->window_end_min = b;
	return 0;
}

/* A space-separated list of absolute paths, appended to. */
static int p_list(char ***list, size_t *n, const char *v, const char **why)
{
	char *copy = strdup(v), *save = NULL, *tok;
	int r = 0;

	if (!copy)
		return *why = "out of memory", -ENOMEM;
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char **nl;

		if (tok[0] != '/') {
			*why = "expected absolute mount point paths separated by spaces";
			r = -EINVAL;
			break;
		}
		nl = realloc(*list, (*n + 1) * sizeof(char *));
		if (!nl || !(nl[*n] = strdup(tok))) {
			if (nl)
				*list = nl;
			*why = "out of memory";
			r = -ENOMEM;
			break;
		}
		*list = nl;
		(*n)++;
	}
	free(copy);
	return r;
}

static int p_include(struct xsd_config *c, void *field, const char *v, const char **why)
{
	return p_list(&c->include, &c->n_include, v, why);
}

static int p_exclude(struct xsd_config *c, void *field, const char *v, const char **why)
{
	return p_list(&c->exclude, &c->n_exclude, v, why);
}

#define F(x) offsetof(struct xsd_config, x)
static const struct key {
	const char *section, *name;
	parse_fn fn;
	size_t off;
} keys[] = {
	{ "daemon", "state_dir", p_path, F(state_dir) },
	{ "daemon", "runtime_dir", p_path, F(runtime_dir) },
	{ "daemon", "metrics_file", p_opt_path, F(metrics_file) },
	{ "events", "health_monitor", p_bool, F(health_monitor) },
	{ "events", "poll_interval", p_poll, F(poll_interval_s) },
	{ "events", "escalate_events", p_events, F(escalate_events) },
	{ "events", "escalate_window", p_duration, F(escalate_window_s) },
	{ "scan", "interval", p_duration, F(scan_interval_s) },
	{ "scan", "media_interval", p_duration, F(media_interval_s) },
	{ "scan", "window", p_window, 0 },
	{ "scan", "skip_on_battery", p_bool, F(skip_on_battery) },
	{ "scan", "cpu_budget", p_percent, F(cpu_budget) },
	{ "scan", "io_budget", p_percent, F(io_budget) },
	{ "scan", "media_rate", p_rate, F(media_rate) },
	{ "scan", "io_pressure_max", p_pressure, F(io_pressure_max) },
	{ "scan", "rest_us", p_rest, F(rest_us) },
	{ "scan", "checkpoint_interval", p_checkpoint, F(checkpoint_interval_s) },
	{ "repair", "mode", p_repair, 0 },
	{ "journal", "ratelimit", p_duration, F(ratelimit_s) },
	{ "filesystems", "include", p_include, 0 },
	{ "filesystems", "exclude", p_exclude, 0 },
};
#undef F

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *ps = user;
	const char *why = NULL;
	bool section_known = false;
	int lineno = ps->line;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (strcmp(keys[i].section, section))
			continue;
		section_known = true;
		if (strcmp(keys[i].name, name))
			continue;
		if (keys[i].fn(ps->c, (char *)ps->c + keys[i].off, value, &why) == 0)
			return 1;
		goto bad;
	}
	why = section_known ? "unknown key" : (*section ? "unknown section" :
					      "key outside of a section");
bad:
	if (!ps->first_bad_line) {
		ps->first_bad_line = lineno;
		snprintf(ps->err, ps->errlen, "%s:%d: [%s] %s: %s", ps->path, lineno,
			 section, name, why);
	}
	return 0;
}

/*
 * inih's handler does not get the line number in the system build, so the
 * reader counts lines: the handler always runs for the line read last.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct parse_state *ps = stream;
	const char *nl;
	size_t n;

	if (ps->f) {
		if (!fgets(str, num, ps->f))
			return NULL;
	} else {
		if (!*ps->text)
			return NULL;
		nl = strchr(ps->text, '\n');
		n = nl ? (size_t)(nl - ps->text) + 1 : strlen(ps->text);
		if (n > (size_t)num - 1)
			n = (size_t)num - 1;
		memcpy(str, ps->text, n);
		str[n] = 0;
		ps->text += n;
	}
	if (strchr(str, '\n') || (ps->f ? feof(ps->f) : !*ps->text))
		ps->line++;
	return str;
}

static int parse(struct parse_state *ps)
{
	int r = ini_parse_stream(read_line, ps, on_key, ps);

	if (r == 0 && !ps->first_bad_line)
		return 0;
	/* A syntax error before our first complaint wins: it is the first bad line. */
	if (r > 0 && (!ps->first_bad_line || r < ps->first_bad_line))
		snprintf(ps->err, ps->errlen,
			 "%s:%d: syntax error (expected [section], key = value or a # comment)",
			 ps->path, r);
	else if (r == -2)
		snprintf(ps->err, ps->errlen, "%s: out of memory", ps->path);
	return -EINVAL;
}

int xsd_config_load(struct xsd_config *c, const char *path, char *err, size_t errlen)
{
	struct parse_state ps = { .c = c, .err = err, .errlen = errlen, .path = path };
	int r;

	ps.f = fopen(path, "re");
	if (!ps.f)
		return neg_errno();
	r = parse(&ps);
	fclose(ps.f);
	return r;
}

int xsd_config_load_string(struct xsd_config *c, const char *text, char *err, size_t errlen)
{
	struct parse_state ps = { .c = c, .err = err, .errlen = errlen, .path = "<string>",
				  .text = text };

	return parse(&ps);
}

bool xsd_config_wants(const struct xsd_config *c, const char *mnt)
{
	for (size_t i = 0; i < c->n_exclude; i++)
		if (!strcmp(c->exclude[i], mnt))
			return false;
	if (!c->n_include)
		return true;
	for (size_t i = 0; i < c->n_include; i++)
		if (!strcmp(c->include[i], mnt))
			return true;
	return false;
}
