/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * atomic_update: replace the contents of a regular file so that readers (and
 * a crash) see either the complete old contents or the complete new ones,
 * never a mix, and refuse when someone else changed the file meanwhile.
 *
 * On XFS with exchange-range (mkfs -i exchange=1, Linux >= 6.10) the update
 * happens *in place*: the new contents are built in an O_TMPFILE on the same
 * filesystem and the kernel swaps the two files' block mappings in one logged
 * transaction.  The target keeps its inode number, hard links, owner, mode,
 * xattrs and every open descriptor.  With commit-range (Linux >= 6.12) the
 * kernel itself refuses the swap (EBUSY) if the target changed after begin.
 *
 * Elsewhere (ext4, tmpfs, XFS without exchange-range) the library falls back
 * to temp file + fsync + rename + fsync(directory): still all-or-nothing, but
 * the name then points at a *new* inode.  The caller learns which method was
 * used, and can demand in-place (XST_AU_IN_PLACE) to get -EOPNOTSUPP instead.
 *
 * Typical use:
 *
 *	struct xst_au *au _cleanup_xst_au_ = NULL;
 *	int r = xst_au_begin("state.json", XST_AU_CLONE, &au);
 *	if (r < 0) return r;
 *	pwrite(xst_au_fd(au), "x", 1, 42);      // change one byte of the copy
 *	r = xst_au_commit(au, &how);             // -EBUSY: target changed
 *	// the cleanup attribute releases au (and discards it if not committed)
 *
 * Every function returns 0 or a negative errno; none prints anything.  A
 * handle is used by one thread at a time.  Details and race windows:
 * docs/atomic-update.md.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags for xst_au_begin() and xst_au_begin_fd(). */
enum {
	/* The temporary file starts empty (the default, spelled out). */
	XST_AU_EMPTY	= 0,
	/*
	 * The temporary file starts as a copy of the target: a reflink
	 * (FICLONE, no data copied) where the filesystem can, a byte copy
	 * otherwise.  Use it when only part of the file changes.
	 */
	XST_AU_CLONE	= 1u << 0,
	/*
	 * Refuse with -EOPNOTSUPP (at begin, before anything is written)
	 * unless the update can keep the target's inode.
	 */
	XST_AU_IN_PLACE	= 1u << 1,
	/*
	 * Give the temporary file a visible name in the target's directory
	 * (xst_au_temp_path()) so that another program, e.g. an editor, can
	 * work on it.  At commit the name is opened again, so an editor that
	 * saves by writing a new file and renaming it over the name works
	 * too.  The name is removed at commit and cancel; a crash in between
	 * leaves it behind (it starts with "." and contains ".xfs_update.").
	 */
	XST_AU_NAMED	= 1u << 2,
	/*
	 * xst_au_begin() only: if @path does not exist, the update creates it
	 * (mode 0666 & ~umask): the complete file appears under the name at
	 * commit, or nothing does.  -EBUSY at commit if another process
	 * created the name meanwhile.  A creation is reported as XST_AU_RENAME
	 * (there was no inode to keep); with XST_AU_IN_PLACE it is refused
	 * (-EOPNOTSUPP) where later updates could not be in place either.
	 */
	XST_AU_CREATE	= 1u << 3,
};
#define XST_AU_FLAGS_ALL \
	(XST_AU_CLONE | XST_AU_IN_PLACE | XST_AU_NAMED | XST_AU_CREATE)

/* How an update is (or was) committed. */
enum xst_au_method {
	XST_AU_NONE = 0,
	/* In place; the kernel checks freshness atomically (XFS_IOC_COMMIT_RANGE). */
	XST_AU_COMMIT_RANGE,
	/*
	 * In place (XFS_IOC_EXCHANGE_RANGE) on kernels without commit-range;
	 * the library checks freshness itself just before the exchange, which
	 * leaves a short window in which a concurrent write can be lost.
	 */
	XST_AU_EXCHANGE_RANGE,
	/* Not in place: a new inode is renamed over the name. */
	XST_AU_RENAME,
};

/* Opaque update handle. */
struct xst_au;

/*
 * Start an update of the regular file at @path (symbolic links are followed;
 * the fallback replaces the link's target, not the link).  On success *@aup
 * holds a new handle.  Errors: -EINVAL (bad flags, NULL arguments, not a
 * regular file), -EISDIR, -ENOENT, -EACCES/-EPERM (cannot open the file
 * read-write or create a temporary file beside it), -EROFS, -ENOSPC,
 * -EOPNOTSUPP (XST_AU_IN_PLACE given but no exchange-range here), -EBUSY (the
 * name changed while we looked it up), other errnos from the system calls.
 */
int xst_au_begin(const char *path, unsigned int flags, struct xst_au **aup);

/*
 * Like xst_au_begin() for a file the caller already has open.  A read-write,
 * non-append descriptor is duplicated; for any other the library opens its
 * own read-write one through /proc (so write permission is needed).  The
 * directory is found through /proc/self/fd; a file that has been unlinked
 * gives -ENOENT.  The caller's descriptor is not consumed.
 */
int xst_au_begin_fd(int fd, unsigned int flags, struct xst_au **aup);

/*
 * The descriptor of the temporary file (read-write, offset 0 at begin).
 * Write the new contents through it; its final size becomes the target's.
 * Owned by the handle: do not close it.
 */
int xst_au_fd(const struct xst_au *au);

/* Path of the temporary file with XST_AU_NAMED, else NULL. */
const char *xst_au_temp_path(const struct xst_au *au);

/* The method commit will use, decided at begin. */
enum xst_au_method xst_au_method(const struct xst_au *au);

/* True for the methods that keep the target's inode. */
bool xst_au_method_in_place(enum xst_au_method m);

/* Short stable name for logs: "commit-range", "exchange-range", "rename". */
const char *xst_au_method_name(enum xst_au_method m);

/*
 * Make the new contents the target's contents, durably (on return 0 they
 * survive a crash).  Order: fsync the temporary file; commit-range, exchange
 * or rename; fsync the target (in place) or the directory (rename).  If
 * @used is not NULL it receives the method used.
 *
 * -EBUSY: the target changed since begin (contents, size, times, owner,
 * mode or, for rename, which inode the name refers to); nothing was written
 * to it.  Other failures also leave the target untouched, except an error
 * from the final fsync, after which the target may hold either version.  A
 * handle commits at most once (-EINVAL afterwards); release it with
 * xst_au_cancel() whatever the outcome.
 */
int xst_au_commit(struct xst_au *au, enum xst_au_method *used);

/*
 * Release the handle.  Before a successful commit this discards the update
 * (the target was never touched); afterwards it only frees.  NULL is fine.
 */
void xst_au_cancel(struct xst_au *au);

/* For __attribute__((cleanup)). */
void xst_au_freep(struct xst_au **aup);
#define _cleanup_xst_au_ __attribute__((cleanup(xst_au_freep)))

/*
 * Convenience for small files such as daemon state: replace @path's contents
 * with @len bytes at @buf, atomically and durably.  Same errors as begin and
 * commit; @used as for xst_au_commit().
 */
int xst_au_write_file(const char *path, const void *buf, size_t len,
		      unsigned int flags, enum xst_au_method *used);

#ifdef __cplusplus
}
#endif
