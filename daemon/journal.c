// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Journal records through sd_journal_sendv, one iovec per field, so that
 * values never pass through a format string.  The rate limiter is a small
 * fixed table keyed by a hash of (kind, filesystem, object, type); a
 * collision only makes two different records share a limit, which errs on
 * the side of logging less often, never of losing a first occurrence of a
 * different kind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <systemd/sd-journal.h>

#include "journal.h"
#include "util.h"

/* Generated once; never change them. */
static const char *const msg_ids[XSD_MSG_NR] = {
	[XSD_MSG_SCAN_STARTED] = "e098b31404c34f7aac5ba4ad60250782",
	[XSD_MSG_SCAN_FINISHED] = "13d36543215d466587f3173ce2c6361d",
	[XSD_MSG_CORRUPTION] = "08e5e06ef91c432c80aa4aba94543715",
	[XSD_MSG_REPAIRED] = "2fbae0b76ff74d99909fc8c4298fed92",
	[XSD_MSG_REPAIRED_RESTORES] = "ae922ee16e0f499f8ba2a1dfbbfe1b7c",
	[XSD_MSG_REPAIRED_LOSS] = "181533d5e8a8428a837154c6895af9cc",
	[XSD_MSG_REPAIR_FAILED] = "3b0e3d9ed876465396eefa008ac59036",
	[XSD_MSG_BREAKER] = "696822e6978a4c348944bd798590bc1f",
	[XSD_MSG_SHUTDOWN] = "799f70080ced44ea8fecd0ed5c5d6e68",
	[XSD_MSG_EVENTS_LOST] = "f99d3126bc644df08229173a479ee37c",
	[XSD_MSG_MONITOR_BUSY] = "6785dbfcc9084da0a0674d99cec904cd",
	[XSD_MSG_IO_ERROR] = "6a2c42623aa0433ebfb614e66be0fe6f",
	[XSD_MSG_SCAN_CONTROL] = "341683fe595e4e51b9af5c33bfedb5f0",
	[XSD_MSG_FS_WATCH] = "252a3a193d4f40baa3ff039db19dd086",
	[XSD_MSG_ESCALATED] = "36a022edfbf344abb366bcb928789244",
	[XSD_MSG_ENGINE] = "0c2f67b355b444bda3449a20c20fcab7",
	[XSD_MSG_MEDIA_ERROR] = "8cd6e6b1073c413d90e427ce7565e3f6",
};

const char *xsd_msg_id(enum xsd_msg m)
{
	return (unsigned int)m < XSD_MSG_NR ? msg_ids[m] : NULL;
}

#define RL_SLOTS 256

struct rl_slot {
	uint64_t key;
	uint64_t last_ns;
	uint64_t suppressed;
};

struct xsd_journal {
	uint64_t ratelimit_ns;
	bool mirror_stderr;
	uint64_t sent, suppressed;
	struct rl_slot slots[RL_SLOTS];
};

int xsd_journal_new(uint64_t ratelimit_s, bool mirror_stderr, struct xsd_journal **ret)
{
	struct xsd_journal *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->ratelimit_ns = ratelimit_s * 1000000000ull;
	j->mirror_stderr = mirror_stderr;
	*ret = j;
	return 0;
}

struct xsd_journal *xsd_journal_free(struct xsd_journal *j)
{
	free(j);
	return NULL;
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	/* FNV-1a: small, and plenty for spreading a few hundred keys. */
	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	return s ? mix(h, s, strlen(s) + 1) : mix(h, "", 1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Returns the number of copies suppressed before this one, or -1 to suppress. */
static int64_t ratelimit(struct xsd_journal *j, const struct xsd_rec *r)
{
	uint64_t h = 0xcbf29ce484222325ull, t = now_ns(), n;
	struct rl_slot *s;

	/*
	 * Only kinds that can repeat in storms (per-object findings, I/O
	 * errors, diagnostics) are limited; lifecycle records are rare and
	 * each one means something.
	 */
	static const bool limited[XSD_MSG_NR] = {
		[XSD_MSG_CORRUPTION] = true, [XSD_MSG_REPAIRED] = true,
		[XSD_MSG_REPAIRED_RESTORES] = true, [XSD_MSG_REPAIRED_LOSS] = true,
		[XSD_MSG_REPAIR_FAILED] = true, [XSD_MSG_IO_ERROR] = true,
		[XSD_MSG_ENGINE] = true, [XSD_MSG_MONITOR_BUSY] = true,
		[XSD_MSG_SHUTDOWN] = true,
	};

	if (!j->ratelimit_ns || (unsigned int)r->msg >= XSD_MSG_NR || !limited[r->msg])
		return 0;
	h = mix(h, &r->msg, sizeof(r->msg));
	h = mix_str(h, r->mountpoint);
	h = mix(h, &r->agno, sizeof(r->agno));
	h = mix(h, &r->ino, sizeof(r->ino));
	h = mix_str(h, r->scrub_type);
	h = mix_str(h, r->outcome);
	h |= 1;		/* 0 marks a free slot */
	s = &j->slots[h % RL_SLOTS];
	if (s->key == h && t - s->last_ns < j->ratelimit_ns) {
		s->suppressed++;
		return -1;
	}
	n = s->key == h ? s->suppressed : 0;
	s->key = h;
	s->last_ns = t;
	s->suppressed = 0;
	return (int64_t)n;
}

#define MAX_FIELDS 24

struct fields {
	struct iovec iov[MAX_FIELDS];
	char *buf[MAX_FIELDS];
	int n;
};

static void add(struct fields *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct fields *f, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int len;

	if (f->n >= MAX_FIELDS)
		return;
	va_start(ap, fmt);
	len = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	f->buf[f->n] = s;
	f->iov[f->n].iov_base = s;
	f->iov[f->n].iov_len = (size_t)len;
	f->n++;
}

int xsd_journal_send(struct xsd_journal *j, const struct xsd_rec *r)
{
	struct fields f = { .n = 0 };
	int64_t prior = ratelimit(j, r);
	int ret;

	if (prior < 0) {
		j->suppressed++;
		return 0;
	}
	add(&f, "MESSAGE=%s%s%s", r->mountpoint ? r->mountpoint : "",
	    r->mountpoint ? ": " : "", r->text ? r->text : "");
	add(&f, "MESSAGE_ID=%s", msg_ids[r->msg]);
	add(&f, "PRIORITY=%d", r->priority);
	add(&f, "SYSLOG_IDENTIFIER=xfs_scrubd");
	if (r->mountpoint)
		add(&f, "XFS_MOUNTPOINT=%s", r->mountpoint);
	if (r->device)
		add(&f, "XFS_DEVICE=%s", r->device);
	if (r->fsuuid)
		add(&f, "XFS_FSUUID=%s", r->fsuuid);
	if (r->agno >= 0)
		add(&f, "XFS_AGNO=%lld", (long long)r->agno);
	if (r->ino) {
		add(&f, "XFS_INO=%llu", (unsigned long long)r->ino);
		add(&f, "XFS_GEN=%u", r->gen);
	}
	if (r->path)
		add(&f, "XFS_PATH=%s", r->path);
	if (r->scrub_type)
		add(&f, "XFS_SCRUB_TYPE=%s", r->scrub_type);
	if (r->outcome)
		add(&f, "XFS_OUTCOME=%s", r->outcome);
	if (r->err)
		add(&f, "ERRNO=%d", r->err);
	if (r->media_device) {
		add(&f, "XFS_MEDIA_DEVICE=%s", r->media_device);
		add(&f, "XFS_PHYSICAL=%llu", (unsigned long long)r->physical);
		add(&f, "XFS_LENGTH=%llu", (unsigned long long)r->length);
		if (r->file_offset >= 0)
			add(&f, "XFS_OFFSET=%lld", (long long)r->file_offset);
		if (r->owner)
			add(&f, "XFS_OWNER=%s", r->owner);
	}
	if (prior > 0)
		add(&f, "XFS_SUPPRESSED=%lld", (long long)prior);

	ret = sd_journal_sendv(f.iov, f.n);
	if (ret < 0 || j->mirror_stderr)
		fprintf(stderr, "%.*s\n", (int)f.iov[0].iov_len - 8,
			(const char *)f.iov[0].iov_base + 8);
	for (int i = 0; i < f.n; i++)
		free(f.buf[i]);
	j->sent++;
	return ret < 0 ? ret : 1;
}

uint64_t xsd_journal_sent(const struct xsd_journal *j)
{
	return j->sent;
}

uint64_t xsd_journal_suppressed(const struct xsd_journal *j)
{
	return j->suppressed;
}
