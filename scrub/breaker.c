// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-flight repair markers: one small file per repair call in
 * <statedir>/inflight/<fs uuid>/, named by object and scrub type, holding a
 * human-readable description.  Durability is what matters: the marker's
 * directory entry is fsynced before the kernel is called (its description
 * is a convenience: without it the marker reads as its name), and the
 * removal is fsynced too, so a crash can only leave a marker for a repair
 * that had really started.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "breaker.h"
#include "descr.h"
#include "item.h"
#include "statedir.h"
#include "util.h"

#define MAX_TRIPPED 1024

struct xst_breaker {
	char *dir;
	int dirfd;
	unsigned int ntripped;
	char *tripped_name[MAX_TRIPPED];
	char *tripped_descr[MAX_TRIPPED];
};

static void marker_name(const struct xst_item *it, unsigned int type, char *buf, size_t len)
{
	snprintf(buf, len, "s%u-a%u-i%llu-g%u-t%u", (unsigned int)it->scope, it->agno,
		 (unsigned long long)it->ino, it->gen, type);
}

struct xst_breaker *xst_breaker_free(struct xst_breaker *b)
{
	if (!b)
		return NULL;
	for (unsigned int i = 0; i < b->ntripped; i++) {
		free(b->tripped_name[i]);
		free(b->tripped_descr[i]);
	}
	if (b->dirfd >= 0)
		close(b->dirfd);
	free(b->dir);
	free(b);
	return NULL;
}

static void breaker_freep(struct xst_breaker **b)
{
	xst_breaker_free(*b);
}

static char *read_small(int dirfd, const char *name)
{
	char buf[512];
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return strdup(name);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return strdup(name);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

int xst_breaker_open(const char *statedir, const uint8_t uuid[16], struct xst_breaker **ret)
{
	_cleanup_(breaker_freep) struct xst_breaker *b = calloc(1, sizeof(*b));
	DIR *d;
	struct dirent *de;
	int r;

	if (!b)
		return -ENOMEM;
	b->dirfd = -1;
	if (asprintf(&b->dir, "%s/inflight/%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		     "%02x%02x%02x%02x%02x%02x", statedir,
		     uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7],
		     uuid[8], uuid[9], uuid[10], uuid[11], uuid[12], uuid[13], uuid[14],
		     uuid[15]) < 0) {
		b->dir = NULL;
		return -ENOMEM;
	}
	r = xst_mkdir_p(b->dir, 0700);
	if (r < 0)
		return r;
	b->dirfd = open(b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->dirfd < 0)
		return neg_errno();
	d = fdopendir(dup(b->dirfd));
	if (!d)
		return neg_errno();
	while ((de = readdir(d)) && b->ntripped < MAX_TRIPPED) {
		if (de->d_name[0] == '.' || de->d_name[0] != 's')
			continue;
		b->tripped_name[b->ntripped] = strdup(de->d_name);
		b->tripped_descr[b->ntripped] = read_small(b->dirfd, de->d_name);
		if (!b->tripped_name[b->ntripped] || !b->tripped_descr[b->ntripped]) {
			closedir(d);
			return -ENOMEM;
		}
		b->ntripped++;
	}
	closedir(d);
	*ret = TAKE_PTR(b);
	return 0;
}

bool xst_breaker_tripped(struct xst_breaker *b, const struct xst_item *it, unsigned int type)
{
	char name[128];

	if (!b)
		return false;
	marker_name(it, type, name, sizeof(name));
	for (unsigned int i = 0; i < b->ntripped; i++) {
		if (strcmp(b->tripped_name[i], name) != 0)
			continue;
		/*
		 * A daemon keeps its breaker open for as long as it runs: a
		 * marker the operator removed since (to allow the repair) is
		 * forgotten here, not at the next start.
		 */
		if (faccessat(b->dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
			free(b->tripped_name[i]);
			free(b->tripped_descr[i]);
			b->ntripped--;
			b->tripped_name[i] = b->tripped_name[b->ntripped];
			b->tripped_descr[i] = b->tripped_descr[b->ntripped];
			return false;
		}
		return true;
	}
	return false;
}

bool xst_breaker_tripped_item(const struct xst_breaker *b, unsigned int i, struct xst_item *it,
			      unsigned int *type)
{
	unsigned int scope, agno, gen, t;
	unsigned long long ino;
	int end = 0;

	if (!b || i >= b->ntripped)
		return false;
	if (sscanf(b->tripped_name[i], "s%u-a%u-i%llu-g%u-t%u%n", &scope, &agno, &ino, &gen, &t,
		   &end) != 5 || b->tripped_name[i][end] != '\0' || t >= XST_SCRUB_TYPE_NR ||
	    scope > XST_SCOPE_METAPATH)
		return false;
	xst_item_init(it, (enum xst_scope)scope, agno, ino, gen, XST_TYPE_BIT(t));
	*type = t;
	return true;
}

void xst_breaker_describe_tripped(const struct xst_breaker *b, unsigned int i,
				  const struct xst_fs *fs, char *buf, size_t len)
{
	struct xst_item it;
	unsigned int t;

	/* Named afresh: a marker's own text has no path (see repair_one). */
	if (fs && xst_breaker_tripped_item(b, i, &it, &t))
		xst_describe(fs, &it, t, buf, len);
	else
		snprintf(buf, len, "%s", xst_breaker_tripped_descr(b, i) ?: "");
}

/* The directory was removed under us (by hand): make it again, once. */
static int reopen_dir(struct xst_breaker *b)
{
	int fd, r = xst_mkdir_p(b->dir, 0700);

	if (r < 0)
		return r;
	fd = open(b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	close(b->dirfd);
	b->dirfd = fd;
	return 0;
}

int xst_breaker_arm(struct xst_breaker *b, const struct xst_item *it, unsigned int type,
		    const char *descr)
{
	char name[128];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(descr);

	if (!b)
		return 0;
	marker_name(it, type, name, sizeof(name));
	fd = openat(b->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == ENOENT && reopen_dir(b) == 0)
		fd = openat(b->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
			    0600);
	if (fd < 0)
		return neg_errno();
	if (dprintf(fd, "%s\n", descr) != (int)len + 1)
		return -EIO;
	/*
	 * What must survive a crash is the name: syncing the directory makes
	 * the new entry and its inode durable.  The description may be lost
	 * with the file's data; the marker then reads as its name (see
	 * read_small), so one flush before the repair call is saved.
	 */
	if (fsync(b->dirfd) < 0)
		return neg_errno();
	return 0;
}

int xst_breaker_disarm(struct xst_breaker *b, const struct xst_item *it, unsigned int type)
{
	char name[128];

	if (!b)
		return 0;
	marker_name(it, type, name, sizeof(name));
	if (unlinkat(b->dirfd, name, 0) < 0 && errno != ENOENT)
		return neg_errno();
	if (fsync(b->dirfd) < 0)
		return neg_errno();
	return 0;
}

unsigned int xst_breaker_ntripped(const struct xst_breaker *b)
{
	return b ? b->ntripped : 0;
}

const char *xst_breaker_tripped_descr(const struct xst_breaker *b, unsigned int i)
{
	return b && i < b->ntripped ? b->tripped_descr[i] : NULL;
}

const char *xst_breaker_dir(const struct xst_breaker *b)
{
	return b ? b->dir : NULL;
}
