/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The repair circuit breaker.  A kernel repair can take the machine down
 * (measured: an inode-core repair of a fuzzed short-form directory
 * dereferences NULL on Linux 7.2.12).  Before each repair call a marker
 * naming the filesystem, object and scrub type is written durably to the
 * state directory and removed after the call returns.  A marker found at
 * start-up means that repair did not return last time: it is not retried
 * automatically, it is reported, and everything else goes on.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xst_fs;
struct xst_item;
struct xst_breaker;

/*
 * Open the breaker for the filesystem with this UUID under statedir
 * (created if missing), remembering the markers already there as tripped.
 */
int xst_breaker_open(const char *statedir, const uint8_t uuid[16], struct xst_breaker **ret);
struct xst_breaker *xst_breaker_free(struct xst_breaker *b);

/*
 * Was a repair of (item's object, type) interrupted in an earlier run, and
 * is its marker still there?  The breaker may be kept open for a long time
 * (the daemon's workers do): markers removed by hand since are forgotten.
 */
bool xst_breaker_tripped(struct xst_breaker *b, const struct xst_item *it, unsigned int type);

/* Write (arm) or remove (disarm) the in-flight marker, durably. */
int xst_breaker_arm(struct xst_breaker *b, const struct xst_item *it, unsigned int type,
		    const char *descr);
int xst_breaker_disarm(struct xst_breaker *b, const struct xst_item *it, unsigned int type);

/*
 * Arming's way for a rehearsal (xst_ctx.rehearse): the marker's name and
 * text are made and the slot written and synced, with what an unarmed slot
 * holds already (zeros), so nothing is marked.  Code met for the first
 * time costs the first real repair on its way to the kernel.  As for an
 * arming, a slot whose directory was removed by hand is made again first;
 * without a usable slot nothing is written (no named marker either).
 */
int xst_breaker_rehearse(struct xst_breaker *b, const struct xst_item *it, unsigned int type,
			 const char *descr);

/* Markers found at start-up: count, and the description stored in each. */
unsigned int xst_breaker_ntripped(const struct xst_breaker *b);
const char *xst_breaker_tripped_descr(const struct xst_breaker *b, unsigned int i);
/*
 * The i-th marker's object as messages name it now (a path where parent
 * pointers allow), or the marker's own text if its name is not ours.
 */
void xst_breaker_describe_tripped(const struct xst_breaker *b, unsigned int i,
				  const struct xst_fs *fs, char *buf, size_t len);
/* The object and type the i-th marker names (false if its name is not ours). */
bool xst_breaker_tripped_item(const struct xst_breaker *b, unsigned int i, struct xst_item *it,
			      unsigned int *type);

/* The marker directory for a filesystem, for listing and clearing by hand. */
const char *xst_breaker_dir(const struct xst_breaker *b);
