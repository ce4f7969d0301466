// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-flight repair markers in <statedir>/inflight/<fs uuid>/: what the
 * operator sees is one small file per interrupted repair, named by object
 * and scrub type and holding a human-readable description.
 *
 * On the way to a repair call only durability matters, and creating a file
 * and syncing its directory is two metadata operations there.  So each
 * breaker keeps a slot: a preallocated file (.slot-<pid>-<n>) it holds an
 * flock on, into which arming writes the marker's name and description in
 * place (one data write and fdatasync), and disarming writes zeros.  A
 * slot found with a name in it and no live holder (the flock is free) is a
 * repair that did not return: opening turns it into the named marker file
 * and removes it.  Repairs in flight at the same time in one process
 * (xfs_scrub's threads) beyond the one in the slot get named marker files
 * directly, fsynced, as all markers were before slots.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "breaker.h"
#include "descr.h"
#include "item.h"
#include "statedir.h"
#include "util.h"

#define MAX_TRIPPED 1024
#define SLOT_BYTES 512		/* name line + description line, zero padded */

struct xst_breaker {
	char *dir;
	int dirfd;
	pthread_mutex_t lock;	/* the slot and the tripped list */
	int slotfd;		/* -1: no slot, named files only */
	char slot_file[64];
	char slot_name[128];	/* the marker in the slot, "" if empty */
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
	if (b->slotfd >= 0) {
		/* An armed slot stays: the repair in it did not come back. */
		if (!b->slot_name[0] && unlinkat(b->dirfd, b->slot_file, 0) == 0)
			(void)fsync(b->dirfd);
		close(b->slotfd);
	}
	if (b->dirfd >= 0)
		close(b->dirfd);
	pthread_mutex_destroy(&b->lock);
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

/* A named marker file, durably: its directory entry is what must survive. */
static int write_named(int dirfd, const char *name, const char *descr)
{
	_cleanup_close_ int fd = openat(dirfd, name,
					O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return neg_errno();
	if (dprintf(fd, "%s\n", descr) != (int)strlen(descr) + 1)
		return -EIO;
	/*
	 * Syncing the directory makes the new entry and its inode durable.
	 * The description may be lost with the file's data; the marker then
	 * reads as its name (see read_small).
	 */
	return fsync(dirfd) < 0 ? neg_errno() : 0;
}

/*
 * A slot nobody holds: a process that went down.  A name in it is a repair
 * that did not return; it becomes a named marker like any other.
 */
static void settle_stale_slot(int dirfd, const char *file)
{
	char buf[SLOT_BYTES + 1] = "";
	_cleanup_close_ int fd = openat(dirfd, file, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	char *descr;
	ssize_t n;

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		return;		/* gone, or its holder lives */
	n = pread(fd, buf, SLOT_BYTES, 0);
	buf[n > 0 ? n : 0] = '\0';
	descr = strchr(buf, '\n');
	if (descr) {
		*descr++ = '\0';
		descr[strcspn(descr, "\n")] = '\0';
	}
	/* Only a name we could have written; anything else is no marker. */
	if (buf[0] == 's' && strlen(buf) < 128 && !strchr(buf, '/') &&
	    write_named(dirfd, buf, descr && *descr ? descr : buf) < 0)
		return;		/* keep the slot: it still says what happened */
	if (unlinkat(dirfd, file, 0) == 0)
		(void)fsync(dirfd);
}

/* This breaker's slot: preallocated and durable, so arming changes only data. */
static void make_slot(struct xst_breaker *b)
{
	static unsigned int seq;
	char zero[SLOT_BYTES] = { 0 };
	int fd;

	snprintf(b->slot_file, sizeof(b->slot_file), ".slot-%ld-%u", (long)getpid(),
		 __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	fd = openat(b->dirfd, b->slot_file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		    0600);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 || pwrite(fd, zero, SLOT_BYTES, 0) != SLOT_BYTES ||
	    fsync(fd) < 0 || fsync(b->dirfd) < 0) {
		(void)unlinkat(b->dirfd, b->slot_file, 0);
		close(fd);
		return;
	}
	b->slotfd = fd;
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
	b->slotfd = -1;
	pthread_mutex_init(&b->lock, NULL);
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
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, ".slot-", 6))
			settle_stale_slot(b->dirfd, de->d_name);
	closedir(d);
	make_slot(b);
	d = fdopendir(dup(b->dirfd));
	if (!d)
		return neg_errno();
	rewinddir(d);		/* the dup shares the first walk's offset */
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
	bool tripped = false;

	if (!b)
		return false;
	marker_name(it, type, name, sizeof(name));
	pthread_mutex_lock(&b->lock);
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
		} else {
			tripped = true;
		}
		break;
	}
	pthread_mutex_unlock(&b->lock);
	return tripped;
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

/* Still linked where a later open would find it? */
static bool slot_alive(const struct xst_breaker *b)
{
	struct stat st;

	return fstat(b->slotfd, &st) == 0 && st.st_nlink > 0;
}

/*
 * A rehearsal (xst_breaker_rehearse) takes the same way and writes the slot
 * with what an unarmed slot holds, zeros: the code an arming runs is run.
 */
static int arm(struct xst_breaker *b, const struct xst_item *it, unsigned int type,
	       const char *descr, bool rehearse)
{
	char name[128], buf[SLOT_BYTES] = { 0 };
	int r;

	if (!b)
		return 0;
	marker_name(it, type, name, sizeof(name));
	pthread_mutex_lock(&b->lock);
	if (b->slotfd >= 0 && !b->slot_name[0] && !slot_alive(b)) {
		/* The directory was removed by hand: make it and a slot again. */
		close(b->slotfd);
		b->slotfd = -1;
		if (reopen_dir(b) == 0)
			make_slot(b);
	}
	if (b->slotfd >= 0 && !b->slot_name[0]) {
		/* Name first: a description cut short still leaves the marker. */
		snprintf(buf, sizeof(buf) - 1, "%s\n%s\n", name, descr);
		if (rehearse)
			memset(buf, 0, sizeof(buf));
		if (pwrite(b->slotfd, buf, SLOT_BYTES, 0) == SLOT_BYTES &&
		    fdatasync(b->slotfd) == 0) {
			if (!rehearse)
				snprintf(b->slot_name, sizeof(b->slot_name), "%s", name);
			pthread_mutex_unlock(&b->lock);
			return 0;
		}
		/* Whatever the slot holds now, a named file says it for sure. */
	}
	if (rehearse) {
		pthread_mutex_unlock(&b->lock);
		return 0;
	}
	/* Under the lock too: reopen_dir swaps the directory fd. */
	r = write_named(b->dirfd, name, descr);
	if (r == -ENOENT && reopen_dir(b) == 0)
		r = write_named(b->dirfd, name, descr);
	pthread_mutex_unlock(&b->lock);
	return r;
}

int xst_breaker_arm(struct xst_breaker *b, const struct xst_item *it, unsigned int type,
		    const char *descr)
{
	return arm(b, it, type, descr, false);
}

int xst_breaker_rehearse(struct xst_breaker *b, const struct xst_item *it, unsigned int type,
			 const char *descr)
{
	return arm(b, it, type, descr, true);
}

int xst_breaker_disarm(struct xst_breaker *b, const struct xst_item *it, unsigned int type)
{
	char name[128], zero[SLOT_BYTES] = { 0 };
	int r;

	if (!b)
		return 0;
	marker_name(it, type, name, sizeof(name));
	pthread_mutex_lock(&b->lock);
	if (b->slot_name[0] && !strcmp(b->slot_name, name)) {
		r = pwrite(b->slotfd, zero, SLOT_BYTES, 0) == SLOT_BYTES &&
		    fdatasync(b->slotfd) == 0 ? 0 : neg_errno();
		if (r == 0)
			b->slot_name[0] = '\0';
		pthread_mutex_unlock(&b->lock);
		return r;
	}
	r = unlinkat(b->dirfd, name, 0) < 0 && errno != ENOENT ? neg_errno() :
	    fsync(b->dirfd) < 0 ? neg_errno() : 0;
	pthread_mutex_unlock(&b->lock);
	return r;
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
