// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fanotify mount events: setting up the group and parsing its records.
 * Headers are copied out with memcpy, never cast in place: the parser is
 * fed arbitrary buffers by the fuzzer and owes them no alignment.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fanotify-compat.h"
#include "mntevents.h"
#include "util.h"

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U	/* Linux 6.8 */
#endif

struct hdr {
	uint32_t event_len;
	uint8_t vers;
	uint16_t metadata_len;
	uint64_t mask;
	int32_t fd;
};

/* The fixed 24-byte event header: len 0, vers 4, metadata_len 6, mask 8, fd 16, pid 20. */
#define HDR_LEN 24

static void read_hdr(const unsigned char *p, struct hdr *h)
{
	memcpy(&h->event_len, p, 4);
	h->vers = p[4];
	memcpy(&h->metadata_len, p + 6, 2);
	memcpy(&h->mask, p + 8, 8);
	memcpy(&h->fd, p + 16, 4);
}

/* The info records of one mount event: exactly one mount record, nothing cut. */
static bool parse_info(const unsigned char *p, size_t len, uint64_t *mnt_id)
{
	bool found = false;

	while (len) {
		uint16_t rlen;

		if (len < 4)
			return false;
		memcpy(&rlen, p + 2, 2);
		if (rlen < 4 || rlen > len)
			return false;
		if (p[0] == FAN_EVENT_INFO_TYPE_MNT) {
			if (found || rlen != XSD_FAN_INFO_MNT_LEN)
				return false;
			memcpy(mnt_id, p + 8, 8);
			found = true;
		}
		p += rlen;
		len -= rlen;
	}
	return found && *mnt_id != 0;
}

size_t xsd_mntev_parse(const void *buf, size_t len, struct xsd_mntev *ev, size_t max)
{
	const unsigned char *p = buf;
	size_t off = 0, n = 0;

	while (off < len && n < max) {
		struct xsd_mntev *e = &ev[n++];
		struct hdr h;

		*e = (struct xsd_mntev){ .kind = XSD_MNTEV_BAD, .fd = -1 };
		if (len - off < HDR_LEN)
			break;
		read_hdr(p + off, &h);
		/* Without a trusted length and layout the next event cannot be found. */
		if (h.vers != FANOTIFY_METADATA_VERSION || h.event_len < HDR_LEN ||
		    h.event_len > len - off)
			break;
		e->fd = h.fd;
		if (h.metadata_len >= HDR_LEN && h.metadata_len <= h.event_len) {
			if (h.mask & FAN_Q_OVERFLOW) {
				e->kind = XSD_MNTEV_OVERFLOW;
			} else if (h.mask & (FAN_MNT_ATTACH | FAN_MNT_DETACH)) {
				if (parse_info(p + off + h.metadata_len, h.event_len - h.metadata_len,
					       &e->mnt_id)) {
					e->kind = XSD_MNTEV_MOUNT;
					e->attach = h.mask & FAN_MNT_ATTACH;
					e->detach = h.mask & FAN_MNT_DETACH;
				} else {
					e->mnt_id = 0;
				}
			} else {
				e->kind = XSD_MNTEV_OTHER;
			}
		}
		off += h.event_len;
	}
	return n;
}

int xsd_mntev_open(void)
{
	_cleanup_close_ int fd = -1, ns = -1;

	fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_MNT | FAN_CLOEXEC | FAN_NONBLOCK, 0);
	if (fd < 0)
		return neg_errno();
	ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return neg_errno();
	if (fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_MNTNS, FAN_MNT_ATTACH | FAN_MNT_DETACH,
			  ns, NULL) < 0)
		return neg_errno();
	return TAKE_FD(fd);
}

uint64_t xsd_mnt_uid(int fd)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID_UNIQUE, &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID_UNIQUE))
		return 0;
	return sx.stx_mnt_id;
}
