/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Residency for the first repair.  A health event's repair should not be
 * the first time the daemon touches its own code, its worker's stack or its
 * worker's heap: each first touch is a page fault on the way to the kernel
 * while an application waits for its directory.
 */
#ifndef XSD_WARM_H
#define XSD_WARM_H

#include <stddef.h>

/*
 * Map in the page tables for the program's own code (not its libraries:
 * they are shared and large).  0, or a negative errno when the kernel has
 * no MADV_POPULATE_READ (before 5.14); nothing depends on it.
 */
int xsd_warm_text(void);

/* Touch stack bytes of the calling thread's stack and heap bytes of its malloc arena. */
void xsd_warm_thread(size_t stack, size_t heap);

#endif
