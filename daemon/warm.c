// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Residency for the first repair (see warm.h).  Seen in the event timeline
 * (bench/guest/event-timeline.sh): between reading a health event and the
 * repair call, the worker took nine page faults (a code page, stack pages
 * below what its start-up had used, fresh pages of its malloc arena), each
 * 30-150 us under TCG, and the application's directory stays broken until
 * the call.
 */
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "warm.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

static int populate_exec(struct dl_phdr_info *info, size_t size, void *arg)
{
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	int *r = arg;

	(void)size;
	for (unsigned int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start, end;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		start = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
		end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + page - 1) & ~(page - 1);
		if (madvise((void *)start, end - start, MADV_POPULATE_READ) < 0 && *r == 0)
			*r = -errno;
	}
	return 1;	/* the first object is the program itself */
}

int xsd_warm_text(void)
{
	int r = 0;

	dl_iterate_phdr(populate_exec, &r);
	return r;
}

/* noinline: its frame must be below the caller's, where deep calls will go. */
static __attribute__((noinline)) void touch_stack(size_t len)
{
	volatile char *pad = alloca(len);

	for (size_t i = 0; i < len; i += 1024)
		pad[i] = 0;
	pad[len - 1] = 0;
}

void xsd_warm_thread(size_t stack, size_t heap)
{
	enum { CHUNK = 16 * 1024, MAXCHUNKS = 16 };
	void *p[MAXCHUNKS] = { NULL };
	size_t n = heap / CHUNK;

	if (stack)
		touch_stack(stack);
	/*
	 * In chunks below the mmap threshold, so they come from the arena and
	 * stay there when freed (below the trim threshold too, 128 KiB by
	 * default: the caller asks for less).
	 */
	if (n > MAXCHUNKS)
		n = MAXCHUNKS;
	for (size_t i = 0; i < n; i++) {
		p[i] = malloc(CHUNK);
		if (p[i])
			memset(p[i], 0, CHUNK);
	}
	for (size_t i = 0; i < n; i++)
		free(p[i]);
}
