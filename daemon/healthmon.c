// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Health events: parsing the monitor's byte stream, mapping sick masks to
 * scrub types, attaching the monitor and, when another program already
 * holds it, finding out which one so the operator is told by name.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "healthmon.h"
#include "kernel.h"
#include "util.h"

/* Which event types each domain may carry (bit per type). */
#define T(x) (1u << XFS_HEALTH_MONITOR_TYPE_##x)
static const uint32_t domain_types[] = {
	[XFS_HEALTH_MONITOR_DOMAIN_MOUNT] = T(RUNNING) | T(LOST) | T(UNMOUNT) | T(SHUTDOWN),
	[XFS_HEALTH_MONITOR_DOMAIN_FS] = T(SICK) | T(CORRUPT) | T(HEALTHY),
	[XFS_HEALTH_MONITOR_DOMAIN_AG] = T(SICK) | T(CORRUPT) | T(HEALTHY),
	[XFS_HEALTH_MONITOR_DOMAIN_INODE] = T(SICK) | T(CORRUPT) | T(HEALTHY),
	[XFS_HEALTH_MONITOR_DOMAIN_RTGROUP] = T(SICK) | T(CORRUPT) | T(HEALTHY),
	[XFS_HEALTH_MONITOR_DOMAIN_DATADEV] = T(MEDIA_ERROR),
	[XFS_HEALTH_MONITOR_DOMAIN_RTDEV] = T(MEDIA_ERROR),
	[XFS_HEALTH_MONITOR_DOMAIN_LOGDEV] = T(MEDIA_ERROR),
	[XFS_HEALTH_MONITOR_DOMAIN_FILERANGE] = T(BUFREAD) | T(BUFWRITE) | T(DIOREAD) |
						T(DIOWRITE) | T(DATALOST),
};
#undef T

/* Sick bit n of a domain's mask -> scrub type (0: no 1:1 type). */
static const uint8_t fs_bit_type[] = {
	XFS_SCRUB_TYPE_FSCOUNTERS, XFS_SCRUB_TYPE_UQUOTA, XFS_SCRUB_TYPE_GQUOTA,
	XFS_SCRUB_TYPE_PQUOTA, XFS_SCRUB_TYPE_RTBITMAP, XFS_SCRUB_TYPE_RTSUM,
	XFS_SCRUB_TYPE_QUOTACHECK, XFS_SCRUB_TYPE_NLINKS,
	/* METADIR and METAPATH need a scan, not a single call */
};
static const uint8_t ag_bit_type[] = {
	XFS_SCRUB_TYPE_SB, XFS_SCRUB_TYPE_AGF, XFS_SCRUB_TYPE_AGFL, XFS_SCRUB_TYPE_AGI,
	XFS_SCRUB_TYPE_BNOBT, XFS_SCRUB_TYPE_CNTBT, XFS_SCRUB_TYPE_INOBT,
	XFS_SCRUB_TYPE_FINOBT, XFS_SCRUB_TYPE_RMAPBT, XFS_SCRUB_TYPE_REFCNTBT,
	/* INODES: an evicted sick inode; needs the AG's inodes scanned */
};
static const uint8_t rtg_bit_type[] = {
	30 /* RGSUPER */, XFS_SCRUB_TYPE_RTBITMAP, XFS_SCRUB_TYPE_RTSUM,
	31 /* RTRMAPBT */, 32 /* RTREFCBT */,
};
static const uint8_t inode_bit_type[] = {
	XFS_SCRUB_TYPE_INODE, XFS_SCRUB_TYPE_BMBTD, XFS_SCRUB_TYPE_BMBTA,
	XFS_SCRUB_TYPE_BMBTC, XFS_SCRUB_TYPE_DIR, XFS_SCRUB_TYPE_XATTR,
	XFS_SCRUB_TYPE_SYMLINK, XFS_SCRUB_TYPE_PARENT, XFS_SCRUB_TYPE_DIRTREE,
};

static uint64_t mask_types(uint32_t mask, const uint8_t *tbl, size_t n)
{
	uint64_t t = 0;

	for (size_t i = 0; i < n; i++)
		if ((mask & (1u << i)) && tbl[i] && tbl[i] < XST_SCRUB_TYPE_NR)
			t |= XST_TYPE_BIT(tbl[i]);
	return t;
}

uint64_t xsd_fs_mask_types(uint32_t m) { return mask_types(m, fs_bit_type, ARRAY_SIZE(fs_bit_type)); }
uint64_t xsd_ag_mask_types(uint32_t m) { return mask_types(m, ag_bit_type, ARRAY_SIZE(ag_bit_type)); }
uint64_t xsd_rtg_mask_types(uint32_t m) { return mask_types(m, rtg_bit_type, ARRAY_SIZE(rtg_bit_type)); }
uint64_t xsd_inode_mask_types(uint32_t m) { return mask_types(m, inode_bit_type, ARRAY_SIZE(inode_bit_type)); }

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Decode one 64-byte record; false if it is malformed. */
static bool decode(const unsigned char *r, struct xsd_event *ev)
{
	const unsigned char *u = r + 16;	/* the union */

	memset(ev, 0, sizeof(*ev));
	ev->domain = get32(r);
	ev->type = get32(r + 4);
	ev->time_ns = get64(r + 8);
	if (ev->domain >= ARRAY_SIZE(domain_types) || ev->type >= 32 ||
	    !(domain_types[ev->domain] & (1u << ev->type)))
		return false;

	switch (ev->domain) {
	case XFS_HEALTH_MONITOR_DOMAIN_MOUNT:
		switch (ev->type) {
		case XFS_HEALTH_MONITOR_TYPE_RUNNING: ev->kind = XSD_EV_RUNNING; break;
		case XFS_HEALTH_MONITOR_TYPE_LOST:
			ev->kind = XSD_EV_LOST;
			ev->count = get64(u);
			break;
		case XFS_HEALTH_MONITOR_TYPE_UNMOUNT: ev->kind = XSD_EV_UNMOUNT; break;
		default:
			ev->kind = XSD_EV_SHUTDOWN;
			ev->count = get32(u);
			break;
		}
		return true;
	case XFS_HEALTH_MONITOR_DOMAIN_DATADEV:
	case XFS_HEALTH_MONITOR_DOMAIN_RTDEV:
	case XFS_HEALTH_MONITOR_DOMAIN_LOGDEV:
		ev->kind = XSD_EV_MEDIA;
		ev->pos = get64(u);
		ev->len = get64(u + 8);
		return true;
	case XFS_HEALTH_MONITOR_DOMAIN_FILERANGE:
		ev->kind = XSD_EV_FILERANGE;
		ev->pos = get64(u);
		ev->len = get64(u + 8);
		ev->ino = get64(u + 16);
		ev->gen = get32(u + 24);
		ev->error = get32(u + 28);
		return ev->ino != 0 && ev->error < 4096;
	default:
		break;
	}

	/* The health domains. */
	ev->kind = ev->type == XFS_HEALTH_MONITOR_TYPE_SICK ? XSD_EV_SICK :
		   ev->type == XFS_HEALTH_MONITOR_TYPE_CORRUPT ? XSD_EV_CORRUPT : XSD_EV_HEALTHY;
	ev->mask = get32(u);
	switch (ev->domain) {
	case XFS_HEALTH_MONITOR_DOMAIN_AG:
	case XFS_HEALTH_MONITOR_DOMAIN_RTGROUP:
		ev->gno = get32(u + 4);
		break;
	case XFS_HEALTH_MONITOR_DOMAIN_INODE:
		ev->gen = get32(u + 4);
		ev->ino = get64(u + 8);
		if (ev->ino == 0)
			return false;
		break;
	}
	return true;
}

size_t xsd_hm_parse(const void *buf, size_t len, struct xsd_event *ev, size_t max,
		    size_t *used, unsigned int *bad)
{
	const unsigned char *p = buf;
	size_t n = 0, off = 0;

	*bad = 0;
	while (n < max && len - off >= XSD_HM_RECORD) {
		if (decode(p + off, &ev[n]))
			n++;
		else
			(*bad)++;
		off += XSD_HM_RECORD;
	}
	*used = off;
	return n;
}

void xsd_hm_sick_inode_record(unsigned char rec[XSD_HM_RECORD], uint64_t ino, uint32_t gen,
			      uint32_t mask)
{
	const uint32_t domain = XFS_HEALTH_MONITOR_DOMAIN_INODE, type = XFS_HEALTH_MONITOR_TYPE_SICK;

	memset(rec, 0, XSD_HM_RECORD);
	memcpy(rec, &domain, 4);
	memcpy(rec + 4, &type, 4);
	memcpy(rec + 16, &mask, 4);
	memcpy(rec + 20, &gen, 4);
	memcpy(rec + 24, &ino, 8);
}

const char *xsd_ev_kind_name(enum xsd_ev_kind k)
{
	static const char *const names[] = {
		[XSD_EV_RUNNING] = "running", [XSD_EV_LOST] = "lost",
		[XSD_EV_UNMOUNT] = "unmount", [XSD_EV_SHUTDOWN] = "shutdown",
		[XSD_EV_SICK] = "sick", [XSD_EV_CORRUPT] = "corrupt",
		[XSD_EV_HEALTHY] = "healthy", [XSD_EV_MEDIA] = "media_error",
		[XSD_EV_FILERANGE] = "file_io_error",
	};

	return (unsigned int)k < ARRAY_SIZE(names) ? names[k] : "unknown";
}

const char *xsd_hm_domain_name(uint32_t domain)
{
	static const char *const names[] = {
		"mount", "fs", "ag", "inode", "rtgroup", "datadev", "rtdev", "logdev", "filerange",
	};

	return domain < ARRAY_SIZE(names) ? names[domain] : "unknown";
}

bool xsd_event_item(const struct xsd_event *ev, struct xst_item *it)
{
	uint64_t t;

	switch (ev->domain) {
	case XFS_HEALTH_MONITOR_DOMAIN_FS:
		t = xsd_fs_mask_types(ev->mask);
		if (!t)
			return false;
		xst_item_init(it, XST_SCOPE_FS, 0, 0, 0, t);
		return true;
	case XFS_HEALTH_MONITOR_DOMAIN_AG:
		t = xsd_ag_mask_types(ev->mask);
		if (!t)
			return false;
		xst_item_init(it, XST_SCOPE_AG, ev->gno, 0, 0, t);
		return true;
	case XFS_HEALTH_MONITOR_DOMAIN_RTGROUP:
		t = xsd_rtg_mask_types(ev->mask);
		if (!t)
			return false;
		xst_item_init(it, XST_SCOPE_RTGROUP, ev->gno, 0, 0, t);
		return true;
	case XFS_HEALTH_MONITOR_DOMAIN_INODE:
		t = xsd_inode_mask_types(ev->mask);
		if (!t)
			return false;
		xst_item_init(it, XST_SCOPE_INODE, 0, ev->ino, ev->gen, t);
		return true;
	default:
		return false;
	}
}

int xsd_hm_open(int root_fd, dev_t dev, char *holder, size_t holderlen)
{
	int fd = xk_health_monitor(root_fd, 0);

	if (holder && holderlen)
		holder[0] = 0;
	if (fd == -EEXIST && holder)
		(void)xsd_hm_find_holder(dev, holder, holderlen);
	if (fd < 0)
		return fd;
	/* Reads happen from the event loop: never block it. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		int r = neg_errno();

		close(fd);
		return r;
	}
	return fd;
}

/* Does /proc/<pid>/fdinfo/<fd> say the monitor watches dev?  No "dev:" line: yes. */
static bool fdinfo_matches(const char *pid, const char *fdname, dev_t dev)
{
	char path[600], line[128];
	bool match = true;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, fdname);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned int ma, mi;

		if (sscanf(line, "dev: %u:%u", &ma, &mi) == 2) {
			match = ma == major(dev) && mi == minor(dev);
			break;
		}
	}
	fclose(f);
	return match;
}

int xsd_hm_find_holder(dev_t dev, char *holder, size_t holderlen)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	int r = -ENOENT;

	if (!proc)
		return neg_errno();
	while (r < 0 && (p = readdir(proc))) {
		char path[600], link[128];
		struct dirent *f;
		DIR *fds;

		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			ssize_t n;

			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = 0;
			if (!strstr(link, "xfs_healthmon") ||
			    !fdinfo_matches(p->d_name, f->d_name, dev))
				continue;
			{
				char comm[64] = "?";
				FILE *c;

				snprintf(path, sizeof(path), "/proc/%s/comm", p->d_name);
				c = fopen(path, "re");
				if (c) {
					if (fgets(comm, sizeof(comm), c))
						comm[strcspn(comm, "\n")] = 0;
					fclose(c);
				}
				snprintf(holder, holderlen, "%s[%s]", comm, p->d_name);
			}
			r = 0;
			break;
		}
		closedir(fds);
	}
	closedir(proc);
	return r;
}
