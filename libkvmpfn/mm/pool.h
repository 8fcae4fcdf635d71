/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Blocks a destroyed simulator leaves for the next one.  A fuzz target
 * creates and destroys a simulator per input; without this, every input
 * allocates its memmap chunks, host page tables and reference log afresh,
 * and under ASan (whose quarantine keeps freed memory out of use) each of
 * those is fresh memory the kernel must fault in and clear.
 *
 * Only teardown puts blocks here: a table freed while a simulator runs is
 * really freed, so ASan still sees a use after free inside one run.
 */
#ifndef KVMPFN_MM_POOL_H
#define KVMPFN_MM_POOL_H

#include <stddef.h>

#define KVMPFN_POOL_MAX	64

struct kvmpfn_pool {
	size_t size;			/* every block's size */
	unsigned int n;
	void *v[KVMPFN_POOL_MAX];
};

/* a zeroed block of pool->size bytes, recycled if one is spare */
void *pool_zalloc(struct kvmpfn_pool *pool);
/* at teardown: keep @p for the next simulator (or free it if full) */
void pool_put(struct kvmpfn_pool *pool, void *p);

#endif
