// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xfs_update: replace a file's contents atomically from the command line.
 *
 * A thin front end over the atomic_update library: new contents come from
 * standard input, or from a command (--edit) that works on a clone of the
 * file.  Each failure class has its own exit status so scripts can react
 * (man/xfs_update.1 lists them); messages are one line on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "atomic_update.h"

/* Exit statuses; keep in sync with man/xfs_update.1. */
enum {
	EX_DONE		= 0,
	EX_OTHER	= 1,	/* anything not listed below */
	EX_USAGE	= 2,
	EX_CHANGED	= 3,	/* target changed since it was read; nothing written */
	EX_NOEXCHANGE	= 4,	/* --in-place, but no exchange-range here */
	EX_NOSPACE	= 5,	/* ENOSPC or EDQUOT */
	EX_READONLY	= 6,	/* EROFS */
	EX_DENIED	= 7,	/* EACCES or EPERM */
	EX_NOTREG	= 8,	/* not a regular file */
	EX_EDITFAIL	= 9,	/* the --edit command failed; nothing written */
};

static const char *prog = "xfs_update";
static const char *target;

static void usage(FILE *f)
{
	fprintf(f,
"Usage: %s [OPTIONS] FILE < NEW-CONTENTS\n"
"       %s [OPTIONS] --edit CMD FILE\n"
"Replace FILE's contents atomically: readers and crashes see the old or the\n"
"new contents, never a mix.  In place (same inode) on XFS with exchange-range,\n"
"else by rename.  Refuses if FILE changes before the commit.\n"
"\n"
"  -e, --edit CMD   run CMD on a clone of FILE (the clone's path is appended\n"
"                   as an argument and set in $XFS_UPDATE_FILE); commit if it\n"
"                   exits 0\n"
"  -i, --in-place   refuse (exit 4) where the inode cannot be kept\n"
"  -c, --create     create FILE if it does not exist\n"
"  -q, --quiet      do not mention the rename fallback\n"
"  -v, --verbose    say how the update was committed\n"
"  -h, --help       this text\n"
"  -V, --version    print the version\n"
"Exit status: 0 done, 1 other error, 2 usage, 3 FILE changed (nothing\n"
"written), 4 no exchange-range (--in-place), 5 no space, 6 read-only,\n"
"7 permission denied, 8 not a regular file, 9 edit command failed.\n",
		prog, prog);
}

/* Map a library error to an exit status and a one-line message. */
static int fail(int err, const char *what)
{
	int ex = EX_OTHER;
	const char *msg = NULL;

	switch (-err) {
	case EBUSY:
		ex = EX_CHANGED;
		msg = "changed since it was read; nothing written";
		break;
	case EOPNOTSUPP:
		ex = EX_NOEXCHANGE;
		msg = "no exchange-range on this filesystem; not updated (--in-place)";
		break;
	case ENOSPC:
	case EDQUOT:
		ex = EX_NOSPACE;
		break;
	case EROFS:
		ex = EX_READONLY;
		break;
	case EACCES:
	case EPERM:
		ex = EX_DENIED;
		break;
	case EISDIR:
		ex = EX_NOTREG;
		msg = "not a regular file";
		break;
	}
	if (msg)
		fprintf(stderr, "%s: %s: %s\n", prog, target, msg);
	else
		fprintf(stderr, "%s: %s: %s: %s%s\n", prog, target, what,
			strerror(-err), ex == EX_OTHER ? "" : "; nothing written");
	return ex;
}

static int copy_stdin(int to)
{
	static char buf[1 << 16];

	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
		ssize_t done = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		while (done < n) {
			ssize_t w = write(to, buf + done, (size_t)(n - done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -errno;
			done += w;
		}
	}
}

/*
 * Run CMD through the shell with the clone's path as "$1", like system()
 * but with an argument: the path is never pasted into the command string,
 * so odd file names cannot inject shell syntax.  Interrupts from the
 * terminal go to the editor; we wait and then decide.
 */
static int run_edit(const char *cmd, const char *path)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;
	_Bool ok;
	char *script;
	pid_t pid;
	int status;

	if (asprintf(&script, "%s \"$1\"", cmd) < 0)
		return -ENOMEM;
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		setenv("XFS_UPDATE_FILE", path, 1);
		execl("/bin/sh", "sh", "-c", script, "xfs_update", path, (char *)NULL);
		_exit(127);
	}
	free(script);
	if (pid < 0) {
		int r = -errno;

		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		return r;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = -1;
			break;
		}
	}
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	ok = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!ok) {
		if (status != -1 && WIFSIGNALED(status))
			fprintf(stderr, "%s: %s: edit command killed by signal %d; nothing written\n",
				prog, target, WTERMSIG(status));
		else
			fprintf(stderr, "%s: %s: edit command failed (exit %d); nothing written\n",
				prog, target, status == -1 ? -1 : WEXITSTATUS(status));
		return 1;
	}
	return 0;
}

/*
 * After a refused --edit commit, do not throw the user's editing work away:
 * give the edited clone a lasting name next to the target (link, so an
 * existing file is never overwritten; the library then drops its own name).
 */
static void keep_edit(const char *tmp)
{
	char *kept;
	int i;

	if (!tmp)
		return;
	for (i = 0; i < 100; i++) {
		if ((i ? asprintf(&kept, "%s.xfs_update-rejected.%d", target, i)
		       : asprintf(&kept, "%s.xfs_update-rejected", target)) < 0)
			return;
		if (link(tmp, kept) == 0) {
			fprintf(stderr, "%s: %s: your edited version is kept in %s\n",
				prog, target, kept);
			free(kept);
			return;
		}
		free(kept);
		if (errno != EEXIST)
			return;
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "edit",	required_argument,	NULL, 'e' },
		{ "in-place",	no_argument,		NULL, 'i' },
		{ "create",	no_argument,		NULL, 'c' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct xst_au *au _cleanup_xst_au_ = NULL;
	enum xst_au_method how;
	const char *edit = NULL;
	unsigned int flags = 0;
	int quiet = 0, verbose = 0;
	struct stat st;
	int existed, c, r;

	while ((c = getopt_long(argc, argv, "e:icqvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'e': edit = optarg; break;
		case 'i': flags |= XST_AU_IN_PLACE; break;
		case 'c': flags |= XST_AU_CREATE; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return EX_DONE;
		case 'V': printf("%s %s\n", prog, XST_VERSION); return EX_DONE;
		default:
			/* getopt has named the problem; one more line, not the manual. */
			fprintf(stderr, "%s: try '%s --help'\n", prog, prog);
			return EX_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s: expected exactly one FILE (try --help)\n", prog);
		return EX_USAGE;
	}
	target = argv[optind];
	if (edit && !*edit) {
		fprintf(stderr, "%s: --edit needs a command\n", prog);
		return EX_USAGE;
	}

	/* Classify non-regular files here: the library only says EINVAL. */
	existed = stat(target, &st) == 0;
	if (existed && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s: not a regular file\n", prog, target);
		return EX_NOTREG;
	}

	if (edit)
		flags |= XST_AU_CLONE | XST_AU_NAMED;
	r = xst_au_begin(target, flags, &au);
	if (r < 0)
		return fail(r, "cannot start the update");

	if (edit) {
		if (run_edit(edit, xst_au_temp_path(au)))
			return EX_EDITFAIL;
	} else {
		r = copy_stdin(xst_au_fd(au));
		if (r < 0)
			return fail(r, "cannot write the new contents");
	}

	r = xst_au_commit(au, &how);
	if (r < 0) {
		int ex = fail(r, "commit failed");

		/*
		 * Only for "changed": then the clone certainly still holds the
		 * edit.  After a failure past the switch it may hold the old
		 * contents, and calling that "your edited version" would lie.
		 */
		if (edit && r == -EBUSY)
			keep_edit(xst_au_temp_path(au));
		return ex;
	}
	if (verbose)
		fprintf(stderr, "%s: %s: committed %s (%s)\n", prog, target,
			!existed ? "as a new file" :
			xst_au_method_in_place(how) ? "in place" : "by rename, new inode",
			xst_au_method_name(how));
	else if (!quiet && existed && !xst_au_method_in_place(how))
		fprintf(stderr, "%s: %s: no exchange-range on this filesystem; replaced by rename (new inode, not in place)\n",
			prog, target);
	return EX_DONE;
}
