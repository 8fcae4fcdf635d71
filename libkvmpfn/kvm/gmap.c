// SPDX-License-Identifier: GPL-2.0
/*
 * The reference MMU's table: gfn -> 4K leaf in an open-addressing hash
 * table with backward-shift deletion.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/compiler.h>
#include <linux/errno.h>

#include "gmap.h"

struct gmap_leaf *gmap_lookup(struct gmap *g, gfn_t gfn)
{
	u64 i;

	if (!g->cap)
		return NULL;
	for (i = gmap_hash(gfn) & (g->cap - 1); g->slots[i].present;
	     i = (i + 1) & (g->cap - 1))
		if (g->slots[i].gfn == gfn)
			return &g->slots[i];
	return NULL;
}

static int gmap_grow(struct gmap *g)
{
	struct gmap_leaf *old = g->slots;
	u64 oldcap = g->cap, i;

	g->cap = oldcap ? 2 * oldcap : 64;
	g->slots = calloc(g->cap, sizeof(*g->slots));
	if (!g->slots) {
		g->slots = old;
		g->cap = oldcap;
		return -ENOMEM;
	}
	g->nr = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i].present)
			gmap_install(g, &old[i]);
	free(old);
	return 0;
}

int gmap_install(struct gmap *g, const struct gmap_leaf *leaf)
{
	struct gmap_leaf *e = gmap_lookup(g, leaf->gfn);
	u64 i;

	if (e) {
		*e = *leaf;
		e->present = true;
		return 0;
	}
	if ((g->nr + 1) * 4 > g->cap * 3 && gmap_grow(g))
		return -ENOMEM;
	for (i = gmap_hash(leaf->gfn) & (g->cap - 1); g->slots[i].present;
	     i = (i + 1) & (g->cap - 1))
		;
	g->slots[i] = *leaf;
	g->slots[i].present = true;
	g->nr++;
	return 0;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
void gmap_remove(struct gmap *g, struct gmap_leaf *e)
{
	u64 i = e - g->slots, j = i;

	g->slots[i].present = false;
	for (;;) {
		u64 home;

		j = (j + 1) & (g->cap - 1);
		if (!g->slots[j].present)
			break;
		home = gmap_hash(g->slots[j].gfn) & (g->cap - 1);
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			g->slots[i] = g->slots[j];
			g->slots[j].present = false;
			i = j;
		}
	}
	g->nr--;
}

__no_fuzz_cov void gmap_destroy(struct gmap *g)
{
	free(g->slots);
	memset(g, 0, sizeof(*g));
}
