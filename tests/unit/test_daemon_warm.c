// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for daemon/warm.c: after xsd_warm_text the program's code is
 * mapped in whole (smaps Rss equals Size), and after xsd_warm_thread the
 * thread's deeper stack and fresh heap take no page faults where a thread
 * without it takes one per page.
 */
#include <alloca.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <cmocka.h>

#include "warm.h"

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_IS_OURS 0	/* ASan's allocator quarantines freed memory */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_IS_OURS 0
#endif
#endif
#ifndef HEAP_IS_OURS
#define HEAP_IS_OURS 1
#endif

/* Rss and Size (kB) of the smaps entry that holds addr. */
static int smaps_of(uintptr_t addr, long *size, long *rss)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;

	*size = *rss = -1;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = addr >= lo && addr < hi;
			continue;
		}
		if (in && sscanf(line, "Size: %ld kB", size) == 1)
			continue;
		if (in && sscanf(line, "Rss: %ld kB", rss) == 1)
			break;
	}
	fclose(f);
	return *size >= 0 && *rss >= 0 ? 0 : -ENOENT;
}

static void test_text_mapped_in(void **state)
{
	long size, rss;
	int r = xsd_warm_text();

	if (r == -EINVAL) {
		/* Before Linux 5.14: nothing to populate with, nothing to test. */
		print_message("kernel without MADV_POPULATE_READ: skipped\n");
		skip();
	}
	assert_int_equal(r, 0);
	assert_int_equal(smaps_of((uintptr_t)&test_text_mapped_in, &size, &rss), 0);
	assert_true(size > 0);
	assert_int_equal(rss, size);
}

static long minflt(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_THREAD, &ru), 0);
	return ru.ru_minflt;
}

/* What a repair's way to the kernel does to memory: a deep call, fresh heap. */
static __attribute__((noinline)) void deep_call(size_t len)
{
	volatile char *pad = alloca(len);

	for (size_t i = 0; i < len; i += 512)
		pad[i] = 1;
}

struct faults {
	bool warm;
	long stack, heap;
};

static void *thread_main(void *arg)
{
	struct faults *f = arg;
	void *p[3];
	long before;

	if (f->warm)
		xsd_warm_thread(32 * 1024, 48 * 1024);
	before = minflt();
	deep_call(24 * 1024);
	f->stack = minflt() - before;
	before = minflt();
	for (int i = 0; i < 3; i++) {
		p[i] = malloc(12 * 1024);
		memset(p[i], 0xa5, 12 * 1024);
	}
	f->heap = minflt() - before;
	for (int i = 0; i < 3; i++)
		free(p[i]);
	return NULL;
}

static struct faults run_thread(bool warm)
{
	struct faults f = { .warm = warm };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, thread_main, &f), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	return f;
}

static void test_thread_warmed(void **state)
{
	struct faults cold = run_thread(false), warm = run_thread(true);

	print_message("faults cold: stack %ld heap %ld; warm: stack %ld heap %ld\n", cold.stack,
		      cold.heap, warm.stack, warm.heap);
	/* The measure sees faults at all: 24 KiB of fresh stack is 6 pages. */
	assert_true(cold.stack >= 4);
	assert_true(warm.stack <= 1);
	if (HEAP_IS_OURS) {
		assert_true(cold.heap >= 4);
		assert_true(warm.heap <= 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_mapped_in),
		cmocka_unit_test(test_thread_warmed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
