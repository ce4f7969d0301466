/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GETFSMAP request buffers: allocation, the key range of a query, and the
 * step to the next batch.  The ioctl itself is xk_getfsmap (kernel.h).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct fsmap_head;

/* A GETFSMAP head with room for n records (free() it), or NULL. */
struct fsmap_head *xst_fsmap_alloc(unsigned int n);

/*
 * Ask for [lo, hi] bytes of device dev (0 and UINT_MAX: all devices).  Keys
 * compare device first, so a physical bound means nothing without the
 * right device beside it.
 */
void xst_fsmap_range(struct fsmap_head *h, uint32_t dev, uint64_t lo, uint64_t hi);

/* Advance to the batch after the one just returned; false when done. */
bool xst_fsmap_next(struct fsmap_head *h);
