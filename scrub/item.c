// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running scrub items.  Each round picks the types whose prerequisites are
 * settled, lays them out in dependency order with barriers, and issues one
 * vectored call.  A tripped barrier leaves the types behind it untouched;
 * the next round runs them.  Every round runs at least the stretch before
 * its first barrier, so rounds end when nothing is left to run.
 */
#include <string.h>
#include <time.h>

#include "item.h"
#include "kernel.h"
#include "util.h"

/* sv_ret of a vector entry the kernel never reached. */
#define NOT_RUN (-ESRCH)
#define VEC_CAP (XST_SCRUB_TYPE_NR * 2)

void xst_item_init(struct xst_item *it, enum xst_scope scope, uint32_t agno,
		   uint64_t ino, uint32_t gen, uint64_t want)
{
	memset(it, 0, sizeof(*it));
	it->scope = scope;
	it->agno = agno;
	it->ino = ino;
	it->gen = gen;
	it->want = want;
	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++)
		if (want & XST_TYPE_BIT(t))
			it->state[t] = XST_ST_NEEDCHECK;
}

void xst_item_recheck(struct xst_item *it, uint64_t types)
{
	for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++) {
		if (!(types & it->want & XST_TYPE_BIT(t)))
			continue;
		it->state[t] = XST_ST_NEEDCHECK;
		it->tries[t] = 0;
		it->oflags[t] = 0;
		it->err[t] = 0;
	}
}

/* Does a barrier with this mask trip on entries [0, upto)?  The kernel's rule. */
static bool barrier_trips(const struct xfs_scrub_vec *v, unsigned int upto, uint32_t mask)
{
	for (unsigned int i = 0; i < upto; i++) {
		if (v[i].sv_type == XFS_SCRUB_TYPE_BARRIER)
			continue;
		switch (v[i].sv_ret) {
		case 0: case -EBUSY: case -ENOENT: case -EUSERS:
			break;
		default:
			return true;
		}
		if (v[i].sv_flags & mask)
			return true;
	}
	return false;
}

/* Single calls with the vector's semantics, for kernels before 6.10. */
static int emulate_scrubv(const struct xst_scrubber *s, const struct xst_item *it,
			  struct xfs_scrub_vec *v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct xfs_scrub_metadata sm = { 0 };
		int r;

		if (v[i].sv_type == XFS_SCRUB_TYPE_BARRIER) {
			if (barrier_trips(v, i, v[i].sv_flags)) {
				v[i].sv_ret = -ECANCELED;
				return 0;
			}
			v[i].sv_ret = 0;
			continue;
		}
		sm.sm_type = v[i].sv_type;
		sm.sm_flags = v[i].sv_flags;
		sm.sm_ino = it->ino;
		sm.sm_gen = it->gen;
		sm.sm_agno = it->agno;
		r = xk_scrub(s->fd, &sm);
		if (r == -EINTR)
			return r;
		v[i].sv_ret = r;
		v[i].sv_flags = sm.sm_flags;
		if (s->rest_us && i + 1 < n) {
			struct timespec ts = { 0, (long)s->rest_us * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

static void take_result(struct xst_item *it, const struct xfs_scrub_vec *v)
{
	unsigned int t = v->sv_type;

	it->tries[t]++;
	if (v->sv_ret == -ENOENT) {
		it->state[t] = XST_ST_ABSENT;
		return;
	}
	if (v->sv_ret != 0) {
		it->state[t] = XST_ST_ERROR;
		it->err[t] = v->sv_ret;
		return;
	}
	it->oflags[t] = v->sv_flags & XFS_SCRUB_FLAGS_OUT;
	if (xst_want_retry(it->oflags[t]) && it->tries[t] < XST_MAX_TRIES)
		return;		/* stays NEEDCHECK: the fs may have been busy */
	it->state[t] = XST_ST_DONE;
}

int xst_item_run(const struct xst_scrubber *s, struct xst_item *it, uint32_t iflags)
{
	struct xfs_scrub_vec v[VEC_CAP];
	uint32_t order[VEC_CAP];

	for (unsigned int round = 0; round < XST_SCRUB_TYPE_NR * XST_MAX_TRIES; round++) {
		uint64_t todo = 0;
		unsigned int n;
		int r;

		/*
		 * Like upstream, a broken prerequisite holds its dependents
		 * back only within one call: the barrier stops them, and the
		 * next round runs them on their own, so an AG whose header only
		 * failed cross-referencing still gets its btrees checked.
		 */
		for (unsigned int t = 0; t < XST_SCRUB_TYPE_NR; t++)
			if (it->state[t] == XST_ST_NEEDCHECK)
				todo |= XST_TYPE_BIT(t);
		if (!todo)
			return 0;

		n = xst_plan_vector(todo, order, VEC_CAP);
		for (unsigned int i = 0; i < n; i++) {
			v[i] = (struct xfs_scrub_vec){
				.sv_type = order[i],
				.sv_flags = order[i] == XFS_SCRUB_TYPE_BARRIER ?
					    XST_BARRIER_MASK : iflags,
				.sv_ret = NOT_RUN,
			};
		}

		r = -ENOTTY;
		if (s->use_scrubv && n > 1) {
			struct xfs_scrub_vec_head head = {
				.svh_ino = it->ino,
				.svh_gen = it->gen,
				.svh_agno = it->agno,
				.svh_rest_us = s->rest_us,
				.svh_nr = (uint16_t)n,
				.svh_vectors = (uintptr_t)v,
			};

			r = xk_scrubv(s->fd, &head);
			if (r == -EINTR)
				return r;
		}
		/*
		 * A whole-call failure (say the inode could not be loaded for
		 * the vector) still deserves per-type verdicts: single calls.
		 */
		if (r < 0) {
			for (unsigned int i = 0; i < n; i++)
				v[i].sv_ret = NOT_RUN;
			r = emulate_scrubv(s, it, v, n);
			if (r < 0)
				return r;
		}

		for (unsigned int i = 0; i < n; i++) {
			if (v[i].sv_type == XFS_SCRUB_TYPE_BARRIER) {
				if (v[i].sv_ret == -ECANCELED)
					break;
				continue;
			}
			if (v[i].sv_ret == NOT_RUN)
				break;
			if (v[i].sv_ret == -ESHUTDOWN)
				return -ESHUTDOWN;
			take_result(it, &v[i]);
		}
	}
	return 0;
}

int xst_probe_scrubv(int fd)
{
	struct xfs_scrub_vec_head head = { 0 };

	return xk_scrubv(fd, &head);
}
