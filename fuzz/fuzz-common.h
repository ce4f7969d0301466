/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the libFuzzer targets of the lenient salvage parsers: the entry
 * point's prototype (libFuzzer provides none) and an invariant check that
 * aborts, so the fuzzer reports a parser that returns impossible entries and
 * not only one that crashes.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* Read every byte of an output buffer so ASan checks its whole extent. */
static inline void fuzz_touch(const uint8_t *p, size_t n)
{
	uint8_t x = 0;

	for (size_t k = 0; k < n; k++)
		x ^= p[k];
	/* Keep the loads: the result is "used" by an empty asm. */
	__asm__ volatile("" : : "r"(x));
}
