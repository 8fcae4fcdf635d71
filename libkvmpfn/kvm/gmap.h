/* SPDX-License-Identifier: GPL-2.0 */
/* The reference MMU's table: gfn -> 4K leaf, open addressing. */
#ifndef KVMPFN_KVM_GMAP_H
#define KVMPFN_KVM_GMAP_H

#include <linux/types.h>

struct gmap_leaf {
	gfn_t gfn;
	kvm_pfn_t pfn;
	u16 slot_id;
	u8 as_id;
	bool present;
	bool writable;
	bool refcounted;
	bool accessed;
	bool dirty;
};

struct gmap {
	struct gmap_leaf *slots;
	u64 cap;
	u64 nr;
};

static inline u64 gmap_hash(gfn_t gfn)
{
	return (gfn * 0x9e3779b97f4a7c15ULL) >> 17;
}

/*
 * A hint only: start loading the slot where @gfn's leaf would be, so a
 * lookup later in the fault does not wait for it (the table is far bigger
 * than the caches, and the hash scatters consecutive gfns).
 */
static inline void gmap_prefetch(const struct gmap *g, gfn_t gfn)
{
	if (g->cap)
		__builtin_prefetch(&g->slots[gmap_hash(gfn) & (g->cap - 1)]);
}

struct gmap_leaf *gmap_lookup(struct gmap *g, gfn_t gfn);
int gmap_install(struct gmap *g, const struct gmap_leaf *leaf);
void gmap_remove(struct gmap *g, struct gmap_leaf *e);
void gmap_destroy(struct gmap *g);

#endif
