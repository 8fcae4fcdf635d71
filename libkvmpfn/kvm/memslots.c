// SPDX-License-Identifier: GPL-2.0
/*
 * Memslots: per address space, an array sorted by base_gfn next to a flat
 * array of the bases (binary-search lookup, as the kernel's gfn tree is
 * logarithmic), validated the way KVM_SET_USER_MEMORY_REGION validates,
 * with the INVALID window of a delete
 * or move, and deferred while an mmu_notifier invalidation is open: the
 * kernel's memslot swap waits for mn_active_invalidate_count to drain so
 * that begin and end of an invalidation see the same memslots (I8).
 *
 * A replaced slot is never freed before the simulator is: a fault in
 * flight may still hold it, as an SRCU reader would in the kernel.
 */
#include <stdlib.h>
#include <string.h>

#include "kvm_model.h"

#define KVM_MEM_MAX_NR_PAGES	((1UL << 31) - 1)

#if defined(__GNUC__) || defined(__clang__)
#define memslot_prefetch(p)	__builtin_prefetch(p)
#else
#define memslot_prefetch(p)	((void)(p))
#endif

#define TOP_SHIFT	4	/* 16 bases (128 bytes) a block of the top level */

/* The last of @n sorted bases at or below @gfn, or -1; branch-free. */
static int last_le(const gfn_t *v, int n, gfn_t gfn)
{
	const gfn_t *base = v;

	if (!n)
		return -1;
	while (n > 1) {
		int half = n / 2;

		/* fetch both candidates for the next step meanwhile */
		memslot_prefetch(&base[half / 2]);
		memslot_prefetch(&base[half + half / 2]);
		base = base[half] <= gfn ? base + half : base;
		n -= half;
	}
	return *base <= gfn ? (int)(base - v) : -1;
}

/*
 * The last slot whose base is at or below @gfn, or -1.  The search reads
 * only flat arrays of bases, in two levels: every 16th base (2048 of them,
 * 16 KiB, at 32764 slots: hot enough to stay in L1), then the 16 of one
 * block; no slot structure is touched until the one found.
 */
static int slot_index(const struct kvm_memslots *s, gfn_t gfn)
{
	int j = last_le(s->top_gfn, (s->nr_slots + (1 << TOP_SHIFT) - 1) >>
				    TOP_SHIFT, gfn);
	int lo, n;

	if (j < 0)
		return -1;
	lo = j << TOP_SHIFT;
	n = s->nr_slots - lo;
	return lo + last_le(&s->base_gfn[lo],
			    n < (1 << TOP_SHIFT) ? n : 1 << TOP_SHIFT, gfn);
}

/* after an insert or remove at @i: the top level from block i/16 on */
static void top_update(struct kvm_memslots *s, int i)
{
	int j;

	for (j = i >> TOP_SHIFT; j << TOP_SHIFT < s->nr_slots; j++)
		s->top_gfn[j] = s->base_gfn[j << TOP_SHIFT];
}

struct kvm_memory_slot *__gfn_to_memslot(struct kvm_memslots *s, gfn_t gfn)
{
	int i = slot_index(s, gfn);
	struct kvm_memory_slot *slot;

	if (i < 0)
		return NULL;
	slot = s->by_gfn[i];
	return gfn < slot->base_gfn + slot->npages ? slot : NULL;
}

struct kvm_memory_slot *kvm_memslot_find(struct kvm *kvm, int as_id,
					 gfn_t gfn)
{
	return __gfn_to_memslot(__kvm_memslots(kvm, as_id), gfn);
}

struct kvm_memory_slot *gfn_to_memslot(struct kvm *kvm, gfn_t gfn)
{
	return kvm_memslot_find(kvm, 0, gfn);
}

struct kvm_memory_slot *kvm_memslot_by_id(struct kvm *kvm, int as_id, int id)
{
	struct kvm_memslots *s = &kvm->memslots[as_id];

	return s->by_id ? s->by_id[id] : NULL;
}

static int retire(struct kvmpfn_sim *sim, struct kvm_memory_slot *slot)
{
	struct kvm_memory_slot **g;

	g = realloc(sim->graveyard, (sim->nr_graveyard + 1) * sizeof(*g));
	if (!g)
		return -ENOMEM;
	sim->graveyard = g;
	g[sim->nr_graveyard++] = slot;
	return 0;
}

static void slots_remove(struct kvm_memslots *s, struct kvm_memory_slot *slot)
{
	/* slots do not overlap, so base_gfn finds exactly this one */
	int i = slot_index(s, slot->base_gfn);

	if (i < 0 || s->by_gfn[i] != slot)
		return;
	memmove(&s->by_gfn[i], &s->by_gfn[i + 1],
		(s->nr_slots - i - 1) * sizeof(*s->by_gfn));
	memmove(&s->base_gfn[i], &s->base_gfn[i + 1],
		(s->nr_slots - i - 1) * sizeof(*s->base_gfn));
	s->nr_slots--;
	top_update(s, i);
	s->by_id[slot->id] = NULL;
}

static int slots_insert(struct kvm_memslots *s, struct kvm_memory_slot *slot)
{
	int i;

	if (!s->by_id) {
		s->by_id = calloc(KVM_MEM_SLOTS_NUM, sizeof(*s->by_id));
		if (!s->by_id)
			return -ENOMEM;
	}
	if (s->nr_slots == s->cap) {
		int cap = s->cap ? 2 * s->cap : 16;
		struct kvm_memory_slot **v;
		gfn_t *b;

		v = realloc(s->by_gfn, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->by_gfn = v;
		b = realloc(s->base_gfn, cap * sizeof(*b));
		if (!b)
			return -ENOMEM;
		s->base_gfn = b;
		b = realloc(s->top_gfn,
			    ((cap >> TOP_SHIFT) + 1) * sizeof(*b));
		if (!b)
			return -ENOMEM;
		s->top_gfn = b;
		s->cap = cap;
	}
	i = slot_index(s, slot->base_gfn) + 1;
	memmove(&s->by_gfn[i + 1], &s->by_gfn[i],
		(s->nr_slots - i) * sizeof(*s->by_gfn));
	memmove(&s->base_gfn[i + 1], &s->base_gfn[i],
		(s->nr_slots - i) * sizeof(*s->base_gfn));
	s->by_gfn[i] = slot;
	s->base_gfn[i] = slot->base_gfn;
	s->by_id[slot->id] = slot;
	s->nr_slots++;
	top_update(s, i);
	return 0;
}

static bool overlaps(struct kvm_memslots *s, gfn_t gfn, u64 npages,
		     const struct kvm_memory_slot *skip)
{
	int i;

	for (i = slot_index(s, gfn + npages - 1); i >= 0; i--) {
		struct kvm_memory_slot *o = s->by_gfn[i];

		if (o->base_gfn + o->npages <= gfn)
			break;
		if (o != skip)
			return true;
	}
	return false;
}

static int validate(const struct kvmpfn_memslot_args *a)
{
	if (a->as_id < 0 || a->as_id >= KVM_ADDRESS_SPACE_NUM ||
	    a->id < 0 || a->id >= KVM_MEM_SLOTS_NUM)
		return -EINVAL;
	return 0;
}

static int validate_geometry(const struct kvmpfn_memslot_args *a)
{
	if (!a->npages || a->npages > KVM_MEM_MAX_NR_PAGES)
		return -EINVAL;
	if (a->gfn + a->npages < a->gfn || a->gfn >= (1ULL << 52))
		return -EINVAL;
	if (a->hva & ~PAGE_MASK || a->hva + (a->npages << PAGE_SHIFT) <= a->hva ||
	    a->hva + (a->npages << PAGE_SHIFT) > PAGE_OFFSET)
		return -EINVAL;
	if (a->flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY))
		return -EINVAL;
	return 0;
}

/*
 * Delete and move first publish an INVALID copy of the slot, so that new
 * faults back off, then zap what the old slot mapped, then swap in the
 * result.  Faults that began before see their root go stale.
 */
static void invalidate_slot(struct kvmpfn_sim *sim,
			    struct kvm_memory_slot *old)
{
	struct kvm *kvm = &sim->kvm;

	old->flags |= KVM_MEMSLOT_INVALID;
	kvm->memslots[old->as_id].generation++;
	sim->root_gen++;
	if (sim->seam != KVMPFN_SEAM_SLOT_KEEPS_LEAVES)
		sim->arch->flush_memslot(sim, old);
}

static unsigned long *dirty_bitmap_alloc(u64 npages)
{
	return calloc((npages + BITS_PER_LONG - 1) / BITS_PER_LONG,
		      sizeof(unsigned long));
}

void mark_page_dirty_in_slot(struct kvm *kvm,
			     const struct kvm_memory_slot *slot, gfn_t gfn)
{
	u64 rel;

	/* as the kernel: a gfn outside every slot, or not logged, is ignored */
	if (!slot || !slot->dirty_bitmap ||
	    kvm->sim->seam == KVMPFN_SEAM_NO_DIRTY_LOG)
		return;
	rel = gfn - slot->base_gfn;
	if (rel >= slot->npages)
		return;
	slot->dirty_bitmap[rel / BITS_PER_LONG] |= 1UL << (rel % BITS_PER_LONG);
	check_fault_dirty_record(kvm->sim, gfn, 0, false);
}

/* The vCPU's address space is 0: the model's vCPUs never enter SMM. */
void kvm_vcpu_mark_page_dirty(struct kvm_vcpu *vcpu, gfn_t gfn)
{
	mark_page_dirty_in_slot(vcpu->kvm, gfn_to_memslot(vcpu->kvm, gfn), gfn);
}

static int slot_create(struct kvmpfn_sim *sim,
		       const struct kvmpfn_memslot_args *a)
{
	struct kvm_memslots *s = &sim->kvm.memslots[a->as_id];
	struct kvm_memory_slot *slot;
	int r;

	r = validate_geometry(a);
	if (r)
		return r;
	if (kvm_memslot_by_id(&sim->kvm, a->as_id, a->id))
		return -EEXIST;
	if (overlaps(s, a->gfn, a->npages, NULL))
		return -EEXIST;
	if (s->nr_slots >= KVM_MEM_SLOTS_NUM)
		return -ENOSPC;

	slot = calloc(1, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	slot->base_gfn = a->gfn;
	slot->npages = a->npages;
	slot->userspace_addr = a->hva;
	slot->flags = a->flags;
	slot->id = a->id;
	slot->as_id = a->as_id;
	if (slot->flags & KVM_MEM_LOG_DIRTY_PAGES) {
		slot->dirty_bitmap = dirty_bitmap_alloc(slot->npages);
		if (!slot->dirty_bitmap) {
			free(slot);
			return -ENOMEM;
		}
	}
	r = slots_insert(s, slot);
	if (r) {
		free(slot->dirty_bitmap);
		free(slot);
		return r;
	}
	s->generation++;
	return 0;
}

static int slot_replace(struct kvmpfn_sim *sim, enum kvmpfn_slot_op op,
			const struct kvmpfn_memslot_args *a)
{
	struct kvm_memslots *s = &sim->kvm.memslots[a->as_id];
	struct kvm_memory_slot *old, *new;
	int r;

	old = kvm_memslot_by_id(&sim->kvm, a->as_id, a->id);
	if (!old)
		return -ENOENT;

	new = calloc(1, sizeof(*new));
	if (!new)
		return -ENOMEM;
	*new = *old;
	if (op == KVMPFN_SLOT_MOVE) {
		new->base_gfn = a->gfn;
		if (overlaps(s, new->base_gfn, new->npages, old)) {
			free(new);
			return -EEXIST;
		}
	} else if (op == KVMPFN_SLOT_FLAGS) {
		if (a->flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY) ||
		    ((a->flags ^ old->flags) & KVM_MEM_READONLY)) {
			/* the kernel refuses to flip READONLY in place */
			free(new);
			return -EINVAL;
		}
		new->flags = a->flags;
		if (!(new->flags & KVM_MEM_LOG_DIRTY_PAGES))
			new->dirty_bitmap = NULL;
		else if (!(old->flags & KVM_MEM_LOG_DIRTY_PAGES))
			new->dirty_bitmap = dirty_bitmap_alloc(new->npages);
		if ((new->flags & KVM_MEM_LOG_DIRTY_PAGES) &&
		    !new->dirty_bitmap) {
			free(new);
			return -ENOMEM;
		}
	}

	r = retire(sim, old);
	if (r) {
		if (new->dirty_bitmap != old->dirty_bitmap)
			free(new->dirty_bitmap);
		free(new);
		return r;
	}
	/* the live slot owns the bitmap; the retired copy keeps its own */
	if (new->dirty_bitmap == old->dirty_bitmap)
		old->dirty_bitmap = NULL;
	if (op != KVMPFN_SLOT_FLAGS)
		invalidate_slot(sim, old);
	else
		/* faults in flight saw the old flags: make them retry */
		sim->root_gen++;
	slots_remove(s, old);
	if (op == KVMPFN_SLOT_DELETE) {
		free(new->dirty_bitmap);
		free(new);
	} else {
		r = slots_insert(s, new);
		if (r) {
			free(new->dirty_bitmap);
			free(new);
			return r;
		}
	}
	s->generation++;
	if (op == KVMPFN_SLOT_FLAGS)
		sim->arch->slot_flags_changed(sim, new, old->flags);
	return 0;
}

int kvm_memslots_apply(struct kvmpfn_sim *sim, enum kvmpfn_slot_op op,
		       const struct kvmpfn_memslot_args *a)
{
	struct kvmpfn_slot_req *p;
	int r = validate(a);

	check_touch_all(sim);
	if (r)
		return r;
	if (op == KVMPFN_SLOT_CREATE || op == KVMPFN_SLOT_MOVE) {
		struct kvmpfn_memslot_args g = *a;

		if (op == KVMPFN_SLOT_MOVE) {
			struct kvm_memory_slot *o;

			o = kvm_memslot_by_id(&sim->kvm, a->as_id, a->id);
			if (!o)
				return -ENOENT;
			g.npages = o->npages;
			g.hva = o->userspace_addr;
			g.flags = o->flags;
		}
		r = validate_geometry(&g);
		if (r)
			return r;
	}

	/* B12 swaps the memslots under an open invalidation */
	if (sim->kvm.mn_active_invalidate_count && sim->bug != KVMPFN_B12) {
		p = realloc(sim->pending, (sim->nr_pending + 1) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		sim->pending = p;
		p[sim->nr_pending].args = *a;
		p[sim->nr_pending].op = op;
		sim->nr_pending++;
		return 1;
	}

	if (op == KVMPFN_SLOT_CREATE)
		return slot_create(sim, a);
	return slot_replace(sim, op, a);
}

__no_fuzz_cov void kvm_memslots_destroy(struct kvmpfn_sim *sim,
					struct kvm_memory_slot **keep[])
{
	int as, i;
	u32 j;

	for (as = 0; as < KVM_ADDRESS_SPACE_NUM; as++) {
		struct kvm_memslots *s = &sim->kvm.memslots[as];

		for (i = 0; i < s->nr_slots; i++) {
			if (keep)
				s->by_id[s->by_gfn[i]->id] = NULL;
			free(s->by_gfn[i]->dirty_bitmap);
			free(s->by_gfn[i]);
		}
		free(s->by_gfn);
		free(s->base_gfn);
		free(s->top_gfn);
		if (keep)
			keep[as] = s->by_id;
		else
			free(s->by_id);
		memset(s, 0, sizeof(*s));
	}
	for (j = 0; j < sim->nr_graveyard; j++) {
		free(sim->graveyard[j]->dirty_bitmap);
		free(sim->graveyard[j]);
	}
	free(sim->graveyard);
	free(sim->pending);
	sim->graveyard = NULL;
	sim->pending = NULL;
	sim->nr_graveyard = 0;
	sim->nr_pending = 0;
}
