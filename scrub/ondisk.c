// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crc32c and the XFS name hash, shared by the lenient block parsers.  Both
 * are small enough that a plain byte-wise table is fast enough: salvage reads
 * a handful of blocks per damaged object.
 */
#include <pthread.h>
#include <string.h>

#include "ondisk.h"

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[i] = c;
	}
}

/* Running crc: pass 0 to start; chained calls continue the same crc. */
uint32_t xst_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	pthread_once(&crc_once, crc_table_init);
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t xst_xfs_block_crc(const void *buf, size_t len, size_t crc_off)
{
	static const uint8_t zero[4];
	const uint8_t *p = buf;
	uint32_t crc;

	if (!xst_fits(len, crc_off, 4))
		return 0;
	crc = xst_crc32c(0, p, crc_off);
	crc = xst_crc32c(crc, zero, 4);
	return xst_crc32c(crc, p + crc_off + 4, len - crc_off - 4);
}

bool xst_xfs_block_crc_ok(const void *buf, size_t len, size_t crc_off)
{
	if (!xst_fits(len, crc_off, 4))
		return false;
	return xst_xfs_block_crc(buf, len, crc_off) == xst_le32((const uint8_t *)buf + crc_off);
}

static inline uint32_t rol32(uint32_t x, unsigned int n)
{
	return (x << n) | (x >> (32 - n));
}

uint32_t xst_da_hashname(const uint8_t *name, size_t namelen)
{
	uint32_t h = 0;

	/* Fold four bytes at a time, rotating the running hash by 28. */
	for (; namelen >= 4; namelen -= 4, name += 4)
		h = ((uint32_t)name[0] << 21) ^ ((uint32_t)name[1] << 14) ^
		    ((uint32_t)name[2] << 7) ^ name[3] ^ rol32(h, 28);
	switch (namelen) {
	case 3:
		return ((uint32_t)name[0] << 14) ^ ((uint32_t)name[1] << 7) ^ name[2] ^ rol32(h, 21);
	case 2:
		return ((uint32_t)name[0] << 7) ^ name[1] ^ rol32(h, 14);
	case 1:
		return name[0] ^ rol32(h, 7);
	default:
		return h;
	}
}
