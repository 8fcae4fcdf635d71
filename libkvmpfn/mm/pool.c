// SPDX-License-Identifier: GPL-2.0
/* Fixed-size blocks recycled from one simulator to the next (pool.h). */
#include <stdlib.h>
#include <string.h>

#include <linux/compiler.h>

#include "pool.h"

void *pool_zalloc(struct kvmpfn_pool *pool)
{
	void *p;

	if (!pool->n)
		return calloc(1, pool->size);
	p = pool->v[--pool->n];
	memset(p, 0, pool->size);
	return p;
}

__no_fuzz_cov void pool_put(struct kvmpfn_pool *pool, void *p)
{
	if (!p)
		return;
	if (pool->n == KVMPFN_POOL_MAX) {
		free(p);
		return;
	}
	pool->v[pool->n++] = p;
}
