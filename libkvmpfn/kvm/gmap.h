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

struct gmap_leaf *gmap_lookup(struct gmap *g, gfn_t gfn);
int gmap_install(struct gmap *g, const struct gmap_leaf *leaf);
void gmap_remove(struct gmap *g, struct gmap_leaf *e);
void gmap_destroy(struct gmap *g);

#endif
