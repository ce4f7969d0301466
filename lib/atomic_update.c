// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * atomic_update: all-or-nothing replacement of a regular file's contents.
 *
 * The contract is in atomic_update.h and the reasoning in
 * docs/atomic-update.md.  In short: build the new contents in a temporary
 * file beside the target, make them durable, then either let XFS swap the
 * two files' mappings (commit-range / exchange-range: same inode) or rename
 * the temporary file over the name (any filesystem: new inode).
 *
 * This file is the only place in the project that issues the exchange and
 * commit ioctls; it talks to the kernel directly because the daemon's state
 * code and the xfs_update command both need it without the scrub engine.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <linux/fs.h>
#include <linux/magic.h>

#include "xfs_uapi.h"
#include "atomic_update.h"

/* ---- small owned-resource helpers (cleanup attribute targets) ---- */

static inline void au_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;	/* close must not clobber the caller's errno */
		close(*fd);
		errno = saved;
	}
}

static inline void au_freep(void *p)
{
	free(*(void **)p);
}

#define _cleanup_fd_	__attribute__((cleanup(au_closep)))
#define _cleanup_free_	__attribute__((cleanup(au_freep)))

/* Hand an owned descriptor over to someone else (disarms the cleanup). */
static inline int au_take_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

static inline int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* ---- the handle ---- */

/*
 * What we remember about the target at begin, to recognise "someone changed
 * it".  ctime moves on every data or metadata change (write, truncate,
 * chmod, chown, xattr, link count), mtime and size are belt and braces, and
 * ino+dev(+generation where the filesystem reports it) catch a different
 * file appearing under the same name.
 */
struct au_stamp {
	uint64_t dev;
	uint64_t ino;
	uint32_t gen;
	bool have_gen;
	uint64_t size;
	struct statx_timestamp mtime;
	struct statx_timestamp ctime;
};

struct xst_au {
	unsigned int flags;
	enum xst_au_method method;
	bool creating;		/* the target did not exist at begin */
	bool spent;		/* commit was attempted; no second try */
	bool committed;
	int target_fd;		/* read-write descriptor of the target, or -1 */
	int dir_fd;		/* the target's directory */
	char *base;		/* the target's name in dir_fd */
	int temp_fd;		/* the temporary file the caller writes */
	char *temp_name;	/* its name in dir_fd while it has one */
	char *temp_path;	/* full path for XST_AU_NAMED */
	struct au_stamp stamp;
	struct xfs_commit_range snap;	/* START_COMMIT result */
};

static int au_stamp_of(int dirfd, const char *name, int flags, struct au_stamp *st)
{
	struct statx sx;

	if (statx(dirfd, name, flags, STATX_BASIC_STATS, &sx) < 0)
		return neg_errno();
	memset(st, 0, sizeof(*st));
	st->dev = ((uint64_t)sx.stx_dev_major << 32) | sx.stx_dev_minor;
	st->ino = sx.stx_ino;
	st->size = sx.stx_size;
	st->mtime = sx.stx_mtime;
	st->ctime = sx.stx_ctime;
	return 0;
}

static int au_stamp_fd(int fd, struct au_stamp *st)
{
	int gen = 0;
	int r = au_stamp_of(fd, "", AT_EMPTY_PATH, st);

	if (r < 0)
		return r;
	/* Not every filesystem has generations (tmpfs: ENOTTY); then skip. */
	if (ioctl(fd, FS_IOC_GETVERSION, &gen) == 0) {
		st->gen = (uint32_t)gen;
		st->have_gen = true;
	}
	return 0;
}

static bool ts_eq(const struct statx_timestamp *a, const struct statx_timestamp *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Generation is compared only when both stamps have one. */
static bool au_stamp_same(const struct au_stamp *a, const struct au_stamp *b)
{
	if (a->have_gen && b->have_gen && a->gen != b->gen)
		return false;
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       ts_eq(&a->mtime, &b->mtime) && ts_eq(&a->ctime, &b->ctime);
}

static struct xst_au *au_alloc(unsigned int flags)
{
	struct xst_au *au = calloc(1, sizeof(*au));

	if (!au)
		return NULL;
	au->flags = flags;
	au->target_fd = au->dir_fd = au->temp_fd = -1;
	return au;
}

void xst_au_cancel(struct xst_au *au)
{
	if (!au)
		return;
	/* A temporary that still has a name was not renamed into place. */
	if (au->temp_name && au->dir_fd >= 0)
		unlinkat(au->dir_fd, au->temp_name, 0);
	au_closep(&au->temp_fd);
	au_closep(&au->target_fd);
	au_closep(&au->dir_fd);
	free(au->temp_name);
	free(au->temp_path);
	free(au->base);
	free(au);
}

void xst_au_freep(struct xst_au **aup)
{
	if (aup) {
		xst_au_cancel(*aup);
		*aup = NULL;
	}
}

int xst_au_fd(const struct xst_au *au)
{
	return au ? au->temp_fd : -EINVAL;
}

const char *xst_au_temp_path(const struct xst_au *au)
{
	return au ? au->temp_path : NULL;
}

enum xst_au_method xst_au_method(const struct xst_au *au)
{
	return au ? au->method : XST_AU_NONE;
}

bool xst_au_method_in_place(enum xst_au_method m)
{
	return m == XST_AU_COMMIT_RANGE || m == XST_AU_EXCHANGE_RANGE;
}

const char *xst_au_method_name(enum xst_au_method m)
{
	switch (m) {
	case XST_AU_COMMIT_RANGE:	return "commit-range";
	case XST_AU_EXCHANGE_RANGE:	return "exchange-range";
	case XST_AU_RENAME:		return "rename";
	case XST_AU_NONE:		break;
	}
	return "none";
}

/* ---- locating the target ---- */

/*
 * Split the canonical path of the target into an open directory and a base
 * name.  realpath() resolves every symbolic link, so the rename fallback
 * replaces the file a link points at and leaves the link alone; through
 * /proc/self/fd/N it also finds the name of a descriptor's file.
 */
static int au_locate(struct xst_au *au, const char *path)
{
	_cleanup_free_ char *real = NULL;
	_cleanup_free_ char *dir = NULL;
	const char *slash;

	real = realpath(path, NULL);
	if (!real)
		return neg_errno();
	slash = strrchr(real, '/');
	if (!slash || slash[1] == '\0')
		return -EINVAL;		/* "/" itself: not a regular file */
	dir = slash == real ? strdup("/") : strndup(real, (size_t)(slash - real));
	au->base = strdup(slash + 1);
	if (!dir || !au->base)
		return -ENOMEM;
	/* A real descriptor (not O_PATH): fsync of the directory needs one. */
	au->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (au->dir_fd < 0)
		return neg_errno();
	return 0;
}

/*
 * For a target that does not exist yet (XST_AU_CREATE): the directory part
 * must exist and the name must be free (a dangling symbolic link is not
 * followed: we refuse rather than create a file somewhere unexpected).
 */
static int au_locate_new(struct xst_au *au, const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	_cleanup_free_ char *real = NULL;
	struct stat st;
	char *slash;
	const char *dir, *name;

	if (!copy)
		return -ENOMEM;
	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
		/* A dangling link stays ENOENT; anything else raced into existence. */
		return S_ISLNK(st.st_mode) ? -ENOENT : -EEXIST;
	slash = strrchr(copy, '/');
	if (!slash) {
		dir = ".";
		name = copy;
	} else {
		*slash = '\0';
		dir = slash == copy ? "/" : copy;
		name = slash + 1;
	}
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	real = realpath(dir, NULL);
	if (!real)
		return neg_errno();
	au->base = strdup(name);
	if (!au->base)
		return -ENOMEM;
	au->dir_fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (au->dir_fd < 0)
		return neg_errno();
	return 0;
}

/* The name we found must still be the inode we opened. */
static int au_check_identity(struct xst_au *au)
{
	struct stat byname, byfd;

	if (fstat(au->target_fd, &byfd) < 0)
		return neg_errno();
	if (fstatat(au->dir_fd, au->base, &byname, AT_SYMLINK_NOFOLLOW) < 0)
		return neg_errno();
	if (byname.st_dev != byfd.st_dev || byname.st_ino != byfd.st_ino)
		return -EBUSY;
	return 0;
}

/* ---- the temporary file ---- */

/* ".NAME.xfs_update.XXXXXX", with NAME shortened so the result fits NAME_MAX. */
static char *au_temp_name(const char *base)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned char rnd[6];
	char suffix[sizeof(rnd) + 1];
	char *name;
	size_t i;

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		/* Only uniqueness matters here; O_EXCL catches collisions. */
		uint64_t x = (uint64_t)getpid() * 2654435761u ^ (uint64_t)(uintptr_t)&x;

		for (i = 0; i < sizeof(rnd); i++, x >>= 8)
			rnd[i] = (unsigned char)x;
	}
	for (i = 0; i < sizeof(rnd); i++)
		suffix[i] = digits[rnd[i] % (sizeof(digits) - 1)];
	suffix[sizeof(rnd)] = '\0';
	if (asprintf(&name, ".%.200s.xfs_update.%s", base, suffix) < 0)
		return NULL;
	return name;
}

/* A named temporary in dir_fd (XST_AU_NAMED, or where O_TMPFILE is missing). */
static int au_make_named_temp(struct xst_au *au, mode_t mode)
{
	int tries;

	for (tries = 0; tries < 100; tries++) {
		char *name = au_temp_name(au->base);
		int fd;

		if (!name)
			return -ENOMEM;
		fd = openat(au->dir_fd, name,
			    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0) {
			au->temp_fd = fd;
			au->temp_name = name;
			return 0;
		}
		free(name);
		if (errno != EEXIST)
			return neg_errno();
	}
	return -EEXIST;
}

/*
 * An unnamed temporary: a crash or kill -9 at any point leaves nothing
 * behind, which matters for a daemon that updates its state thousands of
 * times.  Filesystems without O_TMPFILE get a named one.
 */
static int au_make_temp(struct xst_au *au, mode_t mode)
{
	if (!(au->flags & XST_AU_NAMED)) {
		int fd = openat(au->dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);

		if (fd >= 0) {
			au->temp_fd = fd;
			return 0;
		}
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
			return neg_errno();
	}
	return au_make_named_temp(au, mode);
}

/* Give an O_TMPFILE a name in dir_fd (no-op when it has one). */
static int au_link_temp_as(struct xst_au *au, const char *name)
{
	char proc[64];

	if (linkat(au->temp_fd, "", au->dir_fd, name, AT_EMPTY_PATH) == 0)
		return 0;
	/*
	 * AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc link works for
	 * everyone who owns the descriptor.
	 */
	if (errno != ENOENT && errno != EPERM)
		return neg_errno();
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", au->temp_fd);
	if (linkat(AT_FDCWD, proc, au->dir_fd, name, AT_SYMLINK_FOLLOW) < 0)
		return neg_errno();
	return 0;
}

static int au_link_temp(struct xst_au *au)
{
	int tries;

	if (au->temp_name)
		return 0;
	for (tries = 0; tries < 100; tries++) {
		char *name = au_temp_name(au->base);
		int r;

		if (!name)
			return -ENOMEM;
		r = au_link_temp_as(au, name);
		if (r == 0) {
			au->temp_name = name;
			return 0;
		}
		free(name);
		if (r != -EEXIST)
			return r;
	}
	return -EEXIST;
}

/* Copy the target's bytes when a reflink is impossible (other fs, no reflink). */
static int au_copy_data(int from, int to)
{
	_cleanup_free_ char *buf = NULL;
	const size_t bufsz = 1u << 17;
	off_t off = 0;

	for (;;) {
		ssize_t n = copy_file_range(from, &off, to, NULL, SIZE_MAX >> 2, 0);

		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EOPNOTSUPP && errno != EINVAL &&
		    errno != ENOSYS)
			return neg_errno();
		break;		/* fall back to plain reads and writes below */
	}
	buf = malloc(bufsz);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = pread(from, buf, bufsz, off);
		ssize_t done = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return neg_errno();
		if (n == 0)
			return 0;
		while (done < n) {
			ssize_t w = pwrite(to, buf + done, (size_t)(n - done), off + done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return neg_errno();
			done += w;
		}
		off += n;
	}
}

static int au_clone(struct xst_au *au)
{
	if (ioctl(au->temp_fd, FICLONE, au->target_fd) == 0)
		return 0;
	/* Only "cannot reflink here" falls back; real errors (ENOSPC) do not. */
	if (errno != EOPNOTSUPP && errno != ENOTTY && errno != EXDEV &&
	    errno != EINVAL && errno != ENOSYS)
		return neg_errno();
	return au_copy_data(au->target_fd, au->temp_fd);
}

/* ---- choosing the method ---- */

static bool au_is_xfs(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == XFS_SUPER_MAGIC;
}

/*
 * Does this filesystem exchange file ranges?  Ask the kernel with a dry run,
 * which performs the feature check first (EOPNOTSUPP without the
 * superblock's exchange bit, ENOTTY before Linux 6.10).  XFS ioctl numbers
 * are only sent to XFS: another filesystem could give them another meaning.
 */
static int au_probe_exchange(int file1, int file2)
{
	struct xfs_exchange_range xr;

	if (!au_is_xfs(file2))
		return 0;
	memset(&xr, 0, sizeof(xr));
	xr.file1_fd = file1;
	xr.flags = XFS_EXCHANGE_RANGE_TO_EOF | XFS_EXCHANGE_RANGE_DRY_RUN;
	if (ioctl(file2, XFS_IOC_EXCHANGE_RANGE, &xr) == 0)
		return 1;
	if (errno == EOPNOTSUPP || errno == ENOTTY || errno == EINVAL)
		return 0;
	return neg_errno();
}

/* For XST_AU_CREATE|XST_AU_IN_PLACE: probe with a second scratch file. */
static int au_probe_exchange_dir(struct xst_au *au)
{
	_cleanup_fd_ int scratch = -1;

	if (!au_is_xfs(au->dir_fd))
		return 0;
	scratch = openat(au->dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (scratch < 0)
		return 0;
	return au_probe_exchange(au->temp_fd, scratch);
}

/*
 * Test hook: the host kernel has commit-range, so the 6.10/6.11 path
 * (exchange-range plus our own check) could not be exercised without it.
 * secure_getenv: never honoured in set-id programs.
 */
static bool au_test_no_commit_range(void)
{
	const char *v = secure_getenv("XST_AU_TEST_NO_COMMIT_RANGE");

	return v && *v == '1';
}

/*
 * Decide the method, take the freshness snapshot and fill the temporary
 * file.  The snapshot is taken *before* the clone so that any write to the
 * target after the snapshot is either in the clone (harmless) or caught at
 * commit (refused); never silently overwritten.
 */
static int au_setup(struct xst_au *au)
{
	int r;

	r = au_make_temp(au, au->creating ? 0666 : 0600);
	if (r < 0)
		return r;

	if (au->creating) {
		if (au->flags & XST_AU_IN_PLACE) {
			r = au_probe_exchange_dir(au);
			if (r <= 0)
				return r < 0 ? r : -EOPNOTSUPP;
		}
		au->method = XST_AU_RENAME;
		return 0;
	}

	r = au_stamp_fd(au->target_fd, &au->stamp);
	if (r < 0)
		return r;

	r = au_probe_exchange(au->temp_fd, au->target_fd);
	if (r < 0)
		return r;
	if (r > 0) {
		memset(&au->snap, 0, sizeof(au->snap));
		if (au_test_no_commit_range())
			au->method = XST_AU_EXCHANGE_RANGE;
		else if (ioctl(au->target_fd, XFS_IOC_START_COMMIT, &au->snap) == 0)
			au->method = XST_AU_COMMIT_RANGE;
		else if (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP)
			au->method = XST_AU_EXCHANGE_RANGE;	/* Linux 6.10, 6.11 */
		else
			return neg_errno();
	} else if (au->flags & XST_AU_IN_PLACE) {
		return -EOPNOTSUPP;
	} else {
		au->method = XST_AU_RENAME;
	}

	if (au->flags & XST_AU_CLONE) {
		r = au_clone(au);
		if (r < 0)
			return r;
		/* A byte copy moved the offset; the header promises 0. */
		if (lseek(au->temp_fd, 0, SEEK_SET) < 0)
			return neg_errno();
	}
	return 0;
}

static int au_set_temp_path(struct xst_au *au)
{
	_cleanup_free_ char *dir = NULL;
	char proc[64];

	if (!au->temp_name)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", au->dir_fd);
	dir = realpath(proc, NULL);
	if (!dir)
		return neg_errno();
	if (asprintf(&au->temp_path, "%s/%s", strcmp(dir, "/") ? dir : "",
		     au->temp_name) < 0) {
		au->temp_path = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* ---- begin ---- */

static int au_finish_begin(struct xst_au *au, struct xst_au **aup)
{
	int r = au_setup(au);

	if (r == 0 && (au->flags & XST_AU_NAMED))
		r = au_set_temp_path(au);
	if (r < 0) {
		xst_au_cancel(au);
		return r;
	}
	*aup = au;
	return 0;
}

/* Open read-write (exchange-range insists), without blocking or a tty. */
static int au_open_target(const char *path, int *fdp)
{
	_cleanup_fd_ int fd = -1;
	struct stat st;
	int fl;

	/* Refuse FIFOs and devices before opening: open can have side effects. */
	if (stat(path, &st) < 0)
		return neg_errno();
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	fd = open(path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	if (fstat(fd, &st) < 0)
		return neg_errno();
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	*fdp = au_take_fd(&fd);
	return 0;
}

int xst_au_begin(const char *path, unsigned int flags, struct xst_au **aup)
{
	struct xst_au *au;
	int r;

	if (!path || !*path || !aup || (flags & ~XST_AU_FLAGS_ALL))
		return -EINVAL;
	*aup = NULL;
	au = au_alloc(flags);
	if (!au)
		return -ENOMEM;

	r = au_open_target(path, &au->target_fd);
	if (r == -ENOENT && (flags & XST_AU_CREATE)) {
		au->creating = true;
		r = au_locate_new(au, path);
		if (r == -EEXIST)
			r = -EBUSY;	/* appeared while we looked: retry */
	} else if (r == 0) {
		r = au_locate(au, path);
		if (r == 0)
			r = au_check_identity(au);
	}
	if (r < 0) {
		xst_au_cancel(au);
		return r;
	}
	return au_finish_begin(au, aup);
}

int xst_au_begin_fd(int fd, unsigned int flags, struct xst_au **aup)
{
	struct xst_au *au;
	struct stat st, mine;
	char proc[64];
	int r;

	if (fd < 0 || !aup || (flags & ~XST_AU_FLAGS_ALL) || (flags & XST_AU_CREATE))
		return -EINVAL;
	*aup = NULL;
	if (fstat(fd, &st) < 0)
		return neg_errno();
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	au = au_alloc(flags);
	if (!au)
		return -ENOMEM;

	/*
	 * Exchange-range wants a read-write, non-append descriptor.  A caller's
	 * descriptor like that is duplicated (we never use its file offset:
	 * clone, copy and the ioctls all take explicit offsets); otherwise we
	 * open our own through /proc, which needs write permission now.
	 */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	r = fcntl(fd, F_GETFL);
	if (r >= 0 && (r & O_ACCMODE) == O_RDWR && !(r & O_APPEND))
		au->target_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	else
		au->target_fd = open(proc, O_RDWR | O_NOCTTY | O_CLOEXEC);
	r = au->target_fd < 0 ? neg_errno() : 0;
	if (r == 0 && (fstat(au->target_fd, &mine) < 0 ||
		       mine.st_dev != st.st_dev || mine.st_ino != st.st_ino))
		r = -EBUSY;
	if (r == 0)
		r = au_locate(au, proc);
	if (r == 0)
		r = au_check_identity(au);
	if (r < 0) {
		xst_au_cancel(au);
		return r;
	}
	return au_finish_begin(au, aup);
}

/* ---- commit ---- */

/*
 * With XST_AU_NAMED the external program may have replaced the temporary by
 * renaming a new file over its name; commit whatever the name holds now.
 */
static int au_reopen_named(struct xst_au *au)
{
	struct stat st, dir;
	int fd;

	fd = openat(au->dir_fd, au->temp_name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	if (fstat(fd, &st) < 0 || fstat(au->dir_fd, &dir) < 0) {
		int r = neg_errno();

		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode) || st.st_dev != dir.st_dev) {
		close(fd);
		return -EINVAL;
	}
	close(au->temp_fd);
	au->temp_fd = fd;
	return 0;
}

/*
 * The rename fallback makes a new inode; give it the old one's owner, mode
 * and extended attributes (ACLs included) so that only the inode number and
 * the hard links are lost.  Without privilege the owner cannot be given
 * away and some namespaces cannot be written; those are skipped.
 */
static int au_copy_xattrs(int from, int to)
{
	_cleanup_free_ char *names = NULL;
	_cleanup_free_ char *val = NULL;
	ssize_t len, vcap = 0;
	char *n;

	len = flistxattr(from, NULL, 0);
	if (len <= 0)
		return 0;		/* none, or not supported: nothing to copy */
	names = malloc((size_t)len);
	if (!names)
		return -ENOMEM;
	len = flistxattr(from, names, (size_t)len);
	if (len < 0)
		return errno == ERANGE ? -EBUSY : 0;	/* grew meanwhile */
	for (n = names; n < names + len; n += strlen(n) + 1) {
		ssize_t vlen = fgetxattr(from, n, NULL, 0);

		if (vlen < 0)
			continue;
		if (vlen > vcap) {
			char *nv = realloc(val, (size_t)vlen);

			if (!nv)
				return -ENOMEM;
			val = nv;
			vcap = vlen;
		}
		vlen = fgetxattr(from, n, val, (size_t)vlen);
		if (vlen < 0)
			continue;
		if (fsetxattr(to, n, val, (size_t)vlen, 0) < 0 &&
		    errno != EPERM && errno != EACCES && errno != ENOTSUP)
			return neg_errno();
	}
	return 0;
}

static int au_copy_metadata(struct xst_au *au)
{
	struct stat st;

	if (fstat(au->target_fd, &st) < 0)
		return neg_errno();
	if (fchown(au->temp_fd, st.st_uid, st.st_gid) < 0 && errno != EPERM)
		return neg_errno();
	/* After chown, which clears set-id bits. */
	if (fchmod(au->temp_fd, st.st_mode & 07777) < 0)
		return neg_errno();
	return au_copy_xattrs(au->target_fd, au->temp_fd);
}

static int au_commit_in_place(struct xst_au *au)
{
	if (au->method == XST_AU_COMMIT_RANGE) {
		struct xfs_commit_range cr = au->snap;

		cr.file1_fd = au->temp_fd;
		cr.pad = 0;
		cr.file1_offset = cr.file2_offset = cr.length = 0;
		/*
		 * TO_EOF: exchange whole files and their sizes.  DSYNC: the
		 * kernel forces the log before returning, so an acknowledged
		 * commit survives a shutdown that skips the log flush.
		 */
		cr.flags = XFS_EXCHANGE_RANGE_TO_EOF | XFS_EXCHANGE_RANGE_DSYNC;
		if (ioctl(au->target_fd, XFS_IOC_COMMIT_RANGE, &cr) < 0)
			return neg_errno();	/* EBUSY: changed since begin */
	} else {
		struct xfs_exchange_range xr;
		struct au_stamp now;
		int r = au_stamp_fd(au->target_fd, &now);

		if (r < 0)
			return r;
		/* Window: a write between this check and the ioctl is lost. */
		if (!au_stamp_same(&au->stamp, &now))
			return -EBUSY;
		memset(&xr, 0, sizeof(xr));
		xr.file1_fd = au->temp_fd;
		xr.flags = XFS_EXCHANGE_RANGE_TO_EOF | XFS_EXCHANGE_RANGE_DSYNC;
		if (ioctl(au->target_fd, XFS_IOC_EXCHANGE_RANGE, &xr) < 0)
			return neg_errno();
	}
	/* The exchange is a logged transaction; fsync forces it to disk. */
	if (fsync(au->target_fd) < 0)
		return neg_errno();
	return 0;
}

static int au_commit_rename(struct xst_au *au)
{
	int r;

	if (au->creating) {
		/* Appear under the name only if it is still free. */
		if (!au->temp_name) {
			r = au_link_temp_as(au, au->base);
			if (r < 0)
				return r == -EEXIST ? -EBUSY : r;
		} else if (renameat2(au->dir_fd, au->temp_name, au->dir_fd,
				     au->base, RENAME_NOREPLACE) < 0) {
			if (errno == EEXIST)
				return -EBUSY;
			if (errno != EINVAL)
				return neg_errno();
			/* No RENAME_NOREPLACE here: link + unlink. */
			if (linkat(au->dir_fd, au->temp_name, au->dir_fd, au->base, 0) < 0)
				return errno == EEXIST ? -EBUSY : neg_errno();
			unlinkat(au->dir_fd, au->temp_name, 0);
			free(au->temp_name);
			au->temp_name = NULL;
		} else {
			free(au->temp_name);
			au->temp_name = NULL;
		}
	} else {
		struct au_stamp now;

		r = au_link_temp(au);
		if (r < 0)
			return r;
		/*
		 * Window: a write or rename between this check and renameat()
		 * is overwritten; rename has no compare-and-swap form.
		 */
		r = au_stamp_of(au->dir_fd, au->base, AT_SYMLINK_NOFOLLOW, &now);
		if (r == -ENOENT)
			return -EBUSY;	/* removed or renamed away meanwhile */
		if (r < 0)
			return r;
		if (!au_stamp_same(&au->stamp, &now))
			return -EBUSY;
		if (renameat(au->dir_fd, au->temp_name, au->dir_fd, au->base) < 0)
			return neg_errno();
		free(au->temp_name);
		au->temp_name = NULL;
	}
	/* Make the new name durable: the directory entry lives in the directory. */
	if (fsync(au->dir_fd) < 0)
		return neg_errno();
	return 0;
}

int xst_au_commit(struct xst_au *au, enum xst_au_method *used)
{
	int r;

	if (used)
		*used = XST_AU_NONE;
	if (!au || au->spent || au->temp_fd < 0)
		return -EINVAL;
	au->spent = true;

	if (au->flags & XST_AU_NAMED) {
		r = au_reopen_named(au);
		if (r < 0)
			return r;
	}
	if (au->method == XST_AU_RENAME && !au->creating) {
		/* Before the fsync below, so the metadata is durable too. */
		r = au_copy_metadata(au);
		if (r < 0)
			return r;
	}
	/* New contents on disk before anything points at them. */
	if (fsync(au->temp_fd) < 0)
		return neg_errno();

	if (xst_au_method_in_place(au->method)) {
		r = au_commit_in_place(au);
		if (r < 0)
			return r;
		/* The temporary now holds the old contents; drop its name. */
		if (au->temp_name) {
			unlinkat(au->dir_fd, au->temp_name, 0);
			free(au->temp_name);
			au->temp_name = NULL;
		}
	} else {
		r = au_commit_rename(au);
		if (r < 0)
			return r;
	}
	au->committed = true;
	if (used)
		*used = au->method;
	return 0;
}

/* ---- convenience ---- */

int xst_au_write_file(const char *path, const void *buf, size_t len,
		      unsigned int flags, enum xst_au_method *used)
{
	struct xst_au *au _cleanup_xst_au_ = NULL;
	const char *p = buf;
	size_t done = 0;
	int fd, r;

	if (used)
		*used = XST_AU_NONE;
	if ((!buf && len) || (flags & (XST_AU_CLONE | XST_AU_NAMED)))
		return -EINVAL;
	r = xst_au_begin(path, flags, &au);
	if (r < 0)
		return r;
	fd = xst_au_fd(au);
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return neg_errno();
		done += (size_t)n;
	}
	return xst_au_commit(au, used);
}
