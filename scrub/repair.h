/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Repair: asking the kernel to rebuild what a check found broken, in an
 * order that lets each repair trust what it rebuilds from.  Objects that
 * cannot be repaired on the spot wait on one of two lists (filesystem and AG
 * metadata first, then files); the lists are worked in rounds while rounds
 * make progress, then once more in a final pass that says, for whatever is
 * still broken, that offline repair is needed.  Every repaired object is
 * checked again in full before it counts as repaired.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "item.h"

struct xst_ctx;

/* A list of objects waiting for repair; copies of their items. */
struct xst_repair_list {
	pthread_mutex_t lock;
	struct xst_item *items;
	size_t n, cap;
};

void xst_repair_list_init(struct xst_repair_list *l);
void xst_repair_list_free(struct xst_repair_list *l);
int xst_repair_list_add(struct xst_repair_list *l, const struct xst_item *it);

enum xst_repair_result {
	XST_RR_DONE,		/* nothing left to do for this object */
	XST_RR_PROGRESS,	/* something was fixed; more remains */
	XST_RR_STUCK,		/* nothing changed this time */
};

/* Repair attempts: final means complain about whatever is left. */
#define XST_RM_FINAL	(1u << 0)

/*
 * Does this checked item hold anything the current mode would fix?
 * (corruption in repair mode, optimizations in repair and preen modes)
 */
bool xst_item_needs_work(const struct xst_ctx *ctx, const struct xst_item *it);

/*
 * Repair what the item's last check found, in dependency order, then check
 * the whole object again.  Returns an xst_repair_result, or a negative errno
 * that ends the run (-ESHUTDOWN, -EROFS, -EINTR).
 */
int xst_repair_object(struct xst_ctx *ctx, struct xst_item *it, unsigned int flags);

/* Phase 4: work both lists in rounds, then a final complaining pass. */
int xst_repair_everything(struct xst_ctx *ctx);

/* Probe the kernel's repair support: 0, or -errno with the reason reported. */
int xst_repair_probe(struct xst_ctx *ctx);
