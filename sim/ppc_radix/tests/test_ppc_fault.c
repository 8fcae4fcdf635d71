// SPDX-License-Identifier: GPL-2.0
/*
 * The ppc radix fault path at every stage of the series, through the
 * public API, with white-box looks at the radix entries: mappings built
 * from the host PTE, the read-fault upgrade, large leaves, the SET_RC and
 * permission-upgrade paths, retries, aging, memslot delete, dirty logging,
 * the zero-page and ZONE_DEVICE findings of 6.12, and every ppc check
 * broken on purpose.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <stdio.h>

#include <kvmpfn/scenario.h>
#include <linux/kvm_host.h>

#include "radix_mmu.h"
#include "ppc_radix_test.h"
#include "retry_scenario.h"

#define HVA	0x10000000UL
#define GFN	0x100UL
#define THP_HVA	0x40000000UL
#define THP_GFN	0x1000UL	/* 16M: 2M aligned, like THP_HVA */

#define for_each_stage(st) \
	for ((st) = KVMPFN_LEGACY; (st) < KVMPFN_NR_STAGES; (st)++)

/* ---- helpers ----------------------------------------------------------------- */

static struct kvmpfn_sim *mk(enum kvmpfn_stage st)
{
	struct kvmpfn_sim *sim = kvmpfn_sim_create_arch(st, KVMPFN_ARCH_PPC);

	assert_non_null(sim);
	return sim;
}

static void mmap_kind(struct kvmpfn_sim *sim, uint64_t hva, uint64_t len,
		      unsigned int prot, enum kvmpfn_map_kind kind,
		      const char *obj, bool thp)
{
	struct kvmpfn_mmap_args a = {
		.hva = hva, .len = len, .prot = prot, .kind = kind,
		.object = obj, .shared = obj != NULL, .thp = thp,
	};

	assert_int_equal(kvmpfn_host_mmap(sim, &a), 0);
}

#define RW	(KVMPFN_PROT_READ | KVMPFN_PROT_WRITE)

static void slot(struct kvmpfn_sim *sim, int id, uint64_t gfn,
		 uint64_t npages, uint64_t hva, unsigned int flags)
{
	struct kvmpfn_memslot_args a = {
		.id = id, .gfn = gfn, .npages = npages, .hva = hva,
		.flags = flags,
	};

	assert_int_equal(kvmpfn_memslot(sim, KVMPFN_SLOT_CREATE, &a), 0);
}

static void slot_flags(struct kvmpfn_sim *sim, int id, unsigned int flags)
{
	struct kvmpfn_memslot_args a = { .id = id, .flags = flags };

	assert_int_equal(kvmpfn_memslot(sim, KVMPFN_SLOT_FLAGS, &a), 0);
}

/* anonymous rw memory at HVA behind memslot 1 at GFN */
static struct kvmpfn_sim *anon_vm(enum kvmpfn_stage st, unsigned int flags)
{
	struct kvmpfn_sim *sim = mk(st);

	mmap_kind(sim, HVA, 64 << 10, RW, KVMPFN_MAP_ANON, NULL, false);
	slot(sim, 1, GFN, 16, HVA, flags);
	return sim;
}

/* 4M of THP-backed memory at THP_HVA behind memslot 2 */
static struct kvmpfn_sim *thp_vm(enum kvmpfn_stage st, uint64_t gfn,
				 uint64_t npages, uint64_t hva,
				 unsigned int flags)
{
	struct kvmpfn_sim *sim = mk(st);

	mmap_kind(sim, THP_HVA, 4 << 20, RW, KVMPFN_MAP_ANON, NULL, true);
	slot(sim, 2, gfn, npages, hva, flags);
	return sim;
}

static unsigned int count_id(struct kvmpfn_sim *sim, int id)
{
	const struct kvmpfn_violation *v;
	unsigned int n = kvmpfn_violations(sim, &v), i, c = 0;

	for (i = 0; i < n; i++)
		c += v[i].id == id;
	return c;
}

static bool has_msg(struct kvmpfn_sim *sim, int id, const char *text)
{
	const struct kvmpfn_violation *v;
	unsigned int n = kvmpfn_violations(sim, &v), i;

	for (i = 0; i < n; i++)
		if (v[i].id == id && strstr(v[i].msg, text))
			return true;
	return false;
}

static unsigned int nviol(struct kvmpfn_sim *sim)
{
	const struct kvmpfn_violation *v;

	return kvmpfn_violations(sim, &v);
}

static void dump(struct kvmpfn_sim *sim)
{
	const struct kvmpfn_violation *v;
	unsigned int n = kvmpfn_violations(sim, &v), i;

	for (i = 0; i < n; i++)
		kvmpfn_report(sim, &v[i], stderr);
}

static void no_violations(struct kvmpfn_sim *sim)
{
	if (nviol(sim))
		dump(sim);
	assert_int_equal(nviol(sim), 0);
}

/* The raw radix PTE that maps @gfn (0 if none). */
static u64 raw_pte(struct kvmpfn_sim *sim, uint64_t gfn)
{
	struct ppc_pos pos;

	if (!ppc_radix_find(ppc_mmu(sim), gfn << PPC_PAGE_SHIFT, &pos))
		return 0;
	return *pos.e;
}

static struct kvmpfn_leaf leaf(struct kvmpfn_sim *sim, uint64_t gfn)
{
	struct kvmpfn_leaf l;

	assert_int_equal(kvmpfn_leaf(sim, 0, gfn, &l), 0);
	return l;
}

static bool mapped(struct kvmpfn_sim *sim, uint64_t gfn)
{
	struct kvmpfn_leaf l;

	return !kvmpfn_leaf(sim, 0, gfn, &l);
}

static struct kvmpfn_page_state page(struct kvmpfn_sim *sim, uint64_t pfn)
{
	struct kvmpfn_page_state st;

	assert_int_equal(kvmpfn_page_state(sim, pfn, &st), 0);
	return st;
}

static uint64_t host_pfn(struct kvmpfn_sim *sim, uint64_t hva)
{
	uint64_t pfn;

	assert_int_equal(kvmpfn_host_translate(sim, hva, &pfn, NULL), 0);
	return pfn;
}

static bool logged(struct kvmpfn_sim *sim, int id, uint64_t bit)
{
	uint64_t map[8] = { 0 };

	assert_int_equal(kvmpfn_dirty_log(sim, 0, id, map, 512, false), 0);
	return (map[bit / 64] >> (bit % 64)) & 1;
}

static void clear_log(struct kvmpfn_sim *sim, int id)
{
	uint64_t map[8];

	assert_int_equal(kvmpfn_dirty_log(sim, 0, id, map, 512, true), 0);
}

/* ---- the fault paths ---------------------------------------------------------- */

/* A write fault: the leaf is the host PTE with X|R|C added, page dirtied. */
static void test_write_fault(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = anon_vm(st, 0);
		struct kvmpfn_leaf l;
		uint64_t pfn;
		u64 pte;

		assert_int_equal(kvmpfn_fault(sim, 0, GFN + 2, true), 0);
		l = leaf(sim, GFN + 2);
		pfn = host_pfn(sim, HVA + 2 * 4096);
		assert_int_equal(l.pfn, pfn);
		assert_int_equal(l.level, 1);
		assert_true(l.writable && l.dirty && l.accessed && l.refcounted);
		pte = raw_pte(sim, GFN + 2);
		assert_true(pte == ppc_mk_pte(pfn, PPC_PAGE_EXEC | PPC_PAGE_READ |
					      PPC_PAGE_WRITE | PPC_PAGE_DIRTY |
					      PPC_PAGE_ACCESSED));
		assert_true(page(sim, pfn).dirty);
		assert_int_equal(page(sim, pfn).kvm_refs, 0);
		assert_int_equal(page(sim, pfn).refcount, 1);
		no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* A read fault on a page the host maps writable maps it writable and dirty. */
static void test_read_fault_upgrade(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = anon_vm(st, 0);
		struct kvmpfn_leaf l;

		assert_int_equal(kvmpfn_host_touch(sim, HVA, true), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
		l = leaf(sim, GFN);
		assert_true(l.writable && l.dirty);
		assert_true(page(sim, l.pfn).dirty);
		assert_int_equal(page(sim, l.pfn).kvm_refs, 0);
		no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * A read fault on a page the host maps read-only: no W, no C, and the
 * write that follows upgrades the present leaf in place (the "add our
 * extra bits" path of kvmppc_create_pte) to the same pfn.
 */
static void test_permission_upgrade(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = mk(st);
		unsigned int gets, puts;
		struct kvmpfn_leaf l;
		uint64_t pfn;

		assert_int_equal(kvmpfn_host_alloc(sim, "f", 0, 0), 0);
		mmap_kind(sim, HVA, 4096, RW, KVMPFN_MAP_FILE, "f", false);
		slot(sim, 1, GFN, 1, HVA, 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
		l = leaf(sim, GFN);
		pfn = l.pfn;
		assert_false(l.writable || l.dirty);
		assert_false(page(sim, pfn).dirty);

		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		kvmpfn_step_refs(sim, &gets, &puts);
		assert_int_equal(gets, 1);
		assert_int_equal(puts, 1);
		l = leaf(sim, GFN);
		assert_int_equal(l.pfn, pfn);
		assert_true(l.writable && l.dirty);
		assert_true(page(sim, pfn).dirty);
		no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * A present leaf that allows the access only needs R (and C): the SET_RC
 * interrupt, handled under mmu_lock with no pfn lookup at all.
 */
static void test_set_rc(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = anon_vm(st, 0);
		unsigned int gets, puts;

		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		assert_int_equal(kvmpfn_age(sim, HVA, 4096), 1);
		assert_false(leaf(sim, GFN).accessed);
		assert_false(raw_pte(sim, GFN) & PPC_PAGE_ACCESSED);
		assert_int_equal(kvmpfn_age(sim, HVA, 4096), 0);

		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
		kvmpfn_step_refs(sim, &gets, &puts);
		assert_int_equal(gets + puts, 0);
		assert_true(leaf(sim, GFN).accessed);
		assert_int_equal(kvmpfn_age(sim, HVA, 4096), 1);
		no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * Legacy..v7.6: GUP's reference on the zero page is never put, because
 * ppc decides what to put with !PageReserved and the zero page is
 * PG_reserved (but refcounted).  The core's accounting flags the leak (I2,
 * I5).  v7.7 ("KVM: PPC: Migrate to __kvm_follow_pfn") puts what the core
 * reports as refcounted, and the leak is gone.
 */
static void test_zero_page_leak(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = anon_vm(st, 0);
		struct kvmpfn_leaf l;
		struct kvmpfn_page_state z;

		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
		l = leaf(sim, GFN);
		z = page(sim, l.pfn);
		assert_true(z.reserved);
		assert_false(l.writable);
		assert_false(z.dirty);
		if (st < KVMPFN_V7_7) {
			assert_false(l.refcounted);
			assert_int_equal(count_id(sim, 2), 1);
			assert_int_equal(count_id(sim, 5), 1);
			assert_int_equal(nviol(sim), 2);
			assert_int_equal(z.refcount, 2);	/* leaked */
		} else {
			assert_true(l.refcounted);
			no_violations(sim);
			assert_int_equal(z.refcount, 1);
		}
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * The same filter on ZONE_DEVICE (PG_reserved, refcounted) pages: at
 * legacy..v7.6 a write fault that goes the slow way leaks the reference
 * (I2, I5) and never dirties the page although the leaf is writable (I16).
 */
static void test_zone_device(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = mk(st);
		struct kvmpfn_leaf l;
		uint64_t pfn;

		assert_int_equal(kvmpfn_host_alloc(sim, "pmem", 2,
						   KVMPFN_A_ZONE_DEVICE), 0);
		assert_int_equal(kvmpfn_host_pfn(sim, "pmem", 0, &pfn), 0);
		mmap_kind(sim, HVA, 16 << 10, RW, KVMPFN_MAP_FILE, "pmem", false);
		slot(sim, 1, GFN, 4, HVA, 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		l = leaf(sim, GFN);
		assert_int_equal(l.pfn, pfn);
		assert_true(l.writable);
		if (st < KVMPFN_V7_7) {
			assert_int_equal(count_id(sim, 2), 1);
			assert_int_equal(count_id(sim, 5), 1);
			assert_int_equal(count_id(sim, 16), 1);
			assert_true(has_msg(sim, 16, "never marked dirty"));
			assert_int_equal(nviol(sim), 3);
			assert_false(page(sim, pfn).dirty);
			/* reported once, not at every later step */
			assert_int_equal(kvmpfn_host_touch(sim, HVA + 4096, false), 0);
			assert_int_equal(count_id(sim, 16), 1);
		} else {
			assert_true(page(sim, pfn).dirty);
			assert_int_equal(page(sim, pfn).kvm_refs, 0);
			no_violations(sim);
		}
		kvmpfn_sim_destroy(sim);
	}
}

/* KVM_MEM_READONLY: a write is a DSI for the guest, a read maps R only. */
static void test_readonly_memslot(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = anon_vm(st, KVMPFN_MEM_READONLY);
		struct kvmpfn_leaf l;

		assert_int_equal(kvmpfn_host_touch(sim, HVA, true), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), -EACCES);
		assert_false(mapped(sim, GFN));
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
		l = leaf(sim, GFN);
		assert_false(l.writable || l.dirty);
		assert_true(l.refcounted);
		assert_int_equal(page(sim, l.pfn).kvm_refs, 0);
		no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* Error pfns: ppc returns -EFAULT whatever the error (hwpoison here). */
static void test_error_pfn(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = mk(st);
		uint64_t pfn;

		assert_int_equal(kvmpfn_host_alloc(sim, "f", 2, KVMPFN_A_COMPOUND),
				 0);
		assert_int_equal(kvmpfn_host_pfn(sim, "f", 1, &pfn), 0);
		mmap_kind(sim, HVA, 16 << 10, RW, KVMPFN_MAP_FILE, "f", false);
		slot(sim, 1, GFN, 4, HVA, 0);
		assert_int_equal(kvmpfn_host_poison(sim, pfn), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN + 1, true), -EFAULT);
		assert_false(mapped(sim, GFN + 1));
		assert_int_equal(page(sim, pfn).kvm_refs, 0);
		no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* Guest real addresses beyond the 52 bits the tree translates. */
static void test_beyond_address_space(void **state)
{
	struct kvmpfn_sim *sim = mk(KVMPFN_LEGACY);

	(void)state;
	mmap_kind(sim, HVA, 4096, RW, KVMPFN_MAP_ANON, NULL, false);
	slot(sim, 1, PPC_GFN_LIMIT, 1, HVA, 0);
	assert_int_equal(kvmpfn_fault(sim, 0, PPC_GFN_LIMIT, true), -EFAULT);
	no_violations(sim);
	kvmpfn_sim_destroy(sim);
}

/* ---- large leaves --------------------------------------------------------------- */

/* A THP on the host, co-aligned: one 2M leaf; the fault's page dirtied. */
static void test_thp_2m(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = thp_vm(st, THP_GFN, 1024, THP_HVA, 0);
		struct kvmpfn_leaf l;
		uint64_t base;

		assert_int_equal(kvmpfn_fault(sim, 0, THP_GFN + 3, true), 0);
		base = host_pfn(sim, THP_HVA);
		l = leaf(sim, THP_GFN + 3);
		assert_int_equal(l.level, 2);
		assert_int_equal(l.gfn, THP_GFN);
		assert_int_equal(l.pfn, base + 3);
		assert_true((base & 511) == 0);
		assert_int_equal(ppc_mmu(sim)->nr_leaves[PPC_LEVEL_PMD], 1);
		assert_true(page(sim, base + 3).dirty);
		assert_int_equal(page(sim, base + 3).kvm_refs, 0);
		/* the rest of the 2M needs no fault */
		assert_int_equal(leaf(sim, THP_GFN + 511).pfn, base + 511);
		no_violations(sim);

		/* splitting the THP zaps the leaf; the refault is 4K */
		assert_int_equal(kvmpfn_host_thp_split(sim, THP_HVA), 0);
		assert_false(mapped(sim, THP_GFN + 3));
		assert_int_equal(ppc_mmu(sim)->nr_tables, 0);
		assert_int_equal(kvmpfn_fault(sim, 0, THP_GFN + 3, true), 0);
		assert_int_equal(leaf(sim, THP_GFN + 3).level, 1);
		no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * gpa and hva not co-aligned within the 2M: 4K leaves, each the page of
 * the large host mapping that the hva selects.
 */
static void test_thp_not_coaligned(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = thp_vm(st, THP_GFN, 512,
						THP_HVA + 4096, 0);
		struct kvmpfn_leaf l;

		assert_int_equal(kvmpfn_fault(sim, 0, THP_GFN + 5, true), 0);
		l = leaf(sim, THP_GFN + 5);
		assert_int_equal(l.level, 1);
		assert_int_equal(l.pfn, host_pfn(sim, THP_HVA + 6 * 4096));
		no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * A memslot that ends inside a 2M host mapping.  6.12 checks only
 * co-alignment and maps the whole 2M, past the memslot's end (a finding:
 * I13 at install, I15 for the leaf); the model keeps such faults at 4K.
 */
static void test_thp_slot_end(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = thp_vm(st, THP_GFN, 256, THP_HVA, 0);

		assert_int_equal(kvmpfn_fault(sim, 0, THP_GFN + 1, true), 0);
		assert_int_equal(leaf(sim, THP_GFN + 1).level, 1);
		no_violations(sim);
		kvmpfn_sim_destroy(sim);

		sim = thp_vm(st, THP_GFN, 256, THP_HVA, 0);
		ppc_radix_test_set_seam(PPC_SEAM_KERNEL_LEVEL_RULE, true);
		assert_int_equal(kvmpfn_fault(sim, 0, THP_GFN + 1, true), 0);
		ppc_radix_test_set_seam(PPC_SEAM_KERNEL_LEVEL_RULE, false);
		assert_int_equal(leaf(sim, THP_GFN + 1).level, 2);
		assert_true(has_msg(sim, 13, "outside its memslot"));
		assert_true(count_id(sim, 15) >= 1);
		kvmpfn_sim_destroy(sim);
	}
}

/* ---- retries ------------------------------------------------------------------- */

/* The host PTE went away between lookup and install: retry, ref dropped. */
static void test_host_pte_gone(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = thp_vm(st, THP_GFN, 1024, THP_HVA, 0);
		uint64_t pfn;

		assert_int_equal(kvmpfn_host_touch(sim, THP_HVA, true), 0);
		pfn = host_pfn(sim, THP_HVA);
		assert_int_equal(kvmpfn_fault_begin(sim, 0, THP_GFN, true), 0);
		assert_int_equal(kvmpfn_host_thp_split(sim, THP_HVA), 0);
		assert_int_equal(kvmpfn_fault_finish(sim, 0), -EAGAIN);
		assert_false(mapped(sim, THP_GFN));
		assert_int_equal(page(sim, pfn).kvm_refs, 0);
		no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* An invalidation between lookup and install: nothing installed (I7). */
static void test_invalidation_race(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = anon_vm(st, 0);

		assert_int_equal(kvmpfn_fault_begin(sim, 1, GFN + 1, true), 0);
		assert_int_equal(kvmpfn_invalidate_begin(sim, HVA + 4096, 4096),
				 0);
		assert_int_equal(kvmpfn_fault_finish(sim, 1), -EAGAIN);
		assert_false(mapped(sim, GFN + 1));
		assert_int_equal(kvmpfn_invalidate_end(sim), 0);
		assert_int_equal(kvmpfn_fault(sim, 1, GFN + 1, true), 0);
		no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* ---- life cycle ------------------------------------------------------------------ */

/*
 * Deleting a memslot unmaps its leaves, frees the tables and bumps
 * mmu_invalidate_seq (kvmppc_radix_flush_memslot), so a fault in flight
 * backs off.
 */
static void test_memslot_delete(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = anon_vm(st, 0);
		struct kvmpfn_memslot_args del = { .id = 1 };
		unsigned long seq;

		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN + 15, true), 0);
		assert_int_equal(ppc_mmu(sim)->nr_tables, 3);
		assert_int_equal(kvmpfn_fault_begin(sim, 0, GFN + 7, true), 0);
		seq = sim->kvm.mmu_invalidate_seq;
		assert_int_equal(kvmpfn_memslot(sim, KVMPFN_SLOT_DELETE, &del), 0);
		assert_true(sim->kvm.mmu_invalidate_seq == seq + 1);
		assert_int_equal(kvmpfn_fault_finish(sim, 0), -EAGAIN);
		assert_false(mapped(sim, GFN));
		assert_false(mapped(sim, GFN + 7));
		assert_int_equal(ppc_mmu(sim)->nr_tables, 0);
		assert_int_equal(ppc_mmu(sim)->pgd_nr, 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), -ENOENT);
		no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * Dirty logging: switching it on flushes the slot (the 2M leaf goes),
 * faults then map 4K and a leaf that gets C is in the log; clearing the
 * log write-protects; switching it off flushes again and 2M comes back.
 */
static void test_dirty_logging(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = thp_vm(st, THP_GFN, 1024, THP_HVA, 0);

		assert_int_equal(kvmpfn_fault(sim, 0, THP_GFN, true), 0);
		assert_int_equal(leaf(sim, THP_GFN).level, 2);

		slot_flags(sim, 2, KVMPFN_MEM_LOG_DIRTY_PAGES);
		assert_false(mapped(sim, THP_GFN));
		assert_false(logged(sim, 2, 0));

		assert_int_equal(kvmpfn_fault(sim, 0, THP_GFN + 1, true), 0);
		assert_int_equal(leaf(sim, THP_GFN + 1).level, 1);
		assert_true(logged(sim, 2, 1));
		/* a read that maps writable sets C too: ppc logs it */
		assert_int_equal(kvmpfn_fault(sim, 0, THP_GFN + 2, false), 0);
		assert_true(leaf(sim, THP_GFN + 2).writable);
		assert_true(logged(sim, 2, 2));
		assert_false(logged(sim, 2, 3));

		clear_log(sim, 2);
		assert_false(logged(sim, 2, 1));
		assert_false(leaf(sim, THP_GFN + 1).writable);
		assert_false(leaf(sim, THP_GFN + 1).dirty);
		assert_int_equal(kvmpfn_fault(sim, 0, THP_GFN + 1, true), 0);
		assert_true(leaf(sim, THP_GFN + 1).writable);
		assert_true(logged(sim, 2, 1));
		assert_false(logged(sim, 2, 2));

		slot_flags(sim, 2, 0);
		assert_false(mapped(sim, THP_GFN + 1));
		assert_int_equal(kvmpfn_fault(sim, 0, THP_GFN + 1, true), 0);
		assert_int_equal(leaf(sim, THP_GFN + 1).level, 2);
		no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * kvmppc_unmap_pte: a dirty leaf of a logged slot that goes records the
 * page in the bitmap even if its C bit was never harvested.
 */
static void test_unmap_records_dirty(void **state)
{
	struct kvmpfn_sim *sim = anon_vm(KVMPFN_LEGACY,
					 KVMPFN_MEM_LOG_DIRTY_PAGES);
	struct kvm_memory_slot *s;

	(void)state;
	assert_int_equal(kvmpfn_fault(sim, 0, GFN + 4, true), 0);
	assert_true(logged(sim, 1, 4));
	/* forget the harvested bit: only C in the leaf remembers */
	s = kvm_memslot_by_id(&sim->kvm, 0, 1);
	memset(s->dirty_bitmap, 0, sizeof(unsigned long));
	assert_false(logged(sim, 1, 4));
	assert_int_equal(kvmpfn_host_munmap(sim, HVA + 4 * 4096, 4096), 0);
	assert_false(mapped(sim, GFN + 4));
	assert_true(logged(sim, 1, 4));
	assert_false(logged(sim, 1, 5));
	kvmpfn_sim_destroy(sim);
}

/* Unmapping leaves frees the tables they emptied, with a flush each. */
static void test_unmap_frees_tables(void **state)
{
	struct kvmpfn_sim *sim = anon_vm(KVMPFN_V7_8, 0);

	(void)state;
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN + 1, true), 0);
	assert_int_equal(ppc_mmu(sim)->nr_tables, 3);
	assert_int_equal(kvmpfn_host_munmap(sim, HVA, 4096), 0);
	assert_false(mapped(sim, GFN));
	assert_true(mapped(sim, GFN + 1));
	assert_int_equal(ppc_mmu(sim)->nr_tables, 3);
	assert_int_equal(kvmpfn_host_munmap(sim, HVA + 4096, 4096), 0);
	assert_int_equal(ppc_mmu(sim)->nr_tables, 0);
	assert_false(sim->tlb_stale);
	no_violations(sim);
	kvmpfn_sim_destroy(sim);
}

/* ---- the ppc checks, broken on purpose ------------------------------------------- */

/* I10: a leaf with W over a read-only host PTE. */
static void test_break_i10_host(void **state)
{
	struct kvmpfn_sim *sim = mk(KVMPFN_LEGACY);
	struct ppc_pos pos;

	(void)state;
	assert_int_equal(kvmpfn_host_alloc(sim, "f", 0, 0), 0);
	mmap_kind(sim, HVA, 4096, RW, KVMPFN_MAP_FILE, "f", false);
	slot(sim, 1, GFN, 1, HVA, 0);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
	assert_false(leaf(sim, GFN).writable);
	no_violations(sim);

	kvm_ctx_enter(sim);
	assert_true(ppc_radix_find(ppc_mmu(sim), GFN << PPC_PAGE_SHIFT, &pos));
	write_lock(&sim->kvm.mmu_lock);
	ppc_radix_update(sim, &pos, 0, PPC_PAGE_WRITE, NULL);
	write_unlock(&sim->kvm.mmu_lock);
	ppc_check(sim);
	kvm_ctx_leave(sim);
	assert_true(has_msg(sim, 10, "allows W beyond the host PTE"));
	kvmpfn_sim_destroy(sim);
}

/* I10: a leaf with W in a read-only memslot. */
static void test_break_i10_slot(void **state)
{
	struct kvmpfn_sim *sim = anon_vm(KVMPFN_V7_7, KVMPFN_MEM_READONLY);
	struct ppc_pos pos;

	(void)state;
	assert_int_equal(kvmpfn_host_touch(sim, HVA, true), 0);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
	no_violations(sim);

	kvm_ctx_enter(sim);
	assert_true(ppc_radix_find(ppc_mmu(sim), GFN << PPC_PAGE_SHIFT, &pos));
	write_lock(&sim->kvm.mmu_lock);
	ppc_radix_update(sim, &pos, 0, PPC_PAGE_WRITE, NULL);
	write_unlock(&sim->kvm.mmu_lock);
	ppc_check(sim);
	kvm_ctx_leave(sim);
	assert_true(has_msg(sim, 10, "_PAGE_WRITE in a read-only memslot"));
	kvmpfn_sim_destroy(sim);
}

/* I16: a fault that maps a page writable without set_page_dirty_lock(). */
static void test_break_i16(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = anon_vm(st, 0);

		ppc_radix_test_set_seam(PPC_SEAM_SKIP_SET_PAGE_DIRTY, true);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		ppc_radix_test_set_seam(PPC_SEAM_SKIP_SET_PAGE_DIRTY, false);
		assert_true(has_msg(sim, 16, "never marked dirty"));
		assert_int_equal(nviol(sim), 1);
		kvmpfn_sim_destroy(sim);
	}
}

/* The same breakages are found when only what changed is checked. */
/* Run the shared retry scenario with the two seams as given: its exit. */
static int retry_scenario(enum kvmpfn_stage st, bool host_pte, bool create,
			  char *buf, size_t len)
{
	int r;

	ppc_radix_test_set_seam(PPC_SEAM_NO_HOST_PTE_RETRY, host_pte);
	ppc_radix_test_set_seam(PPC_SEAM_NO_CREATE_PTE_RETRY, create);
	r = retry_scenario_run(KVMPFN_ARCH_PPC, st, buf, len);
	ppc_radix_test_set_seam(PPC_SEAM_NO_HOST_PTE_RETRY, false);
	ppc_radix_test_set_seam(PPC_SEAM_NO_CREATE_PTE_RETRY, false);
	return r;
}

/*
 * tests/scenarios/install-retry-seq-only.scn reaches ppc's install-time
 * retry checks with nothing else standing in: find_kvm_host_pte()'s
 * catches it, kvmppc_create_pte()'s alone would too, and without both the
 * fault installs across the invalidation (I7, the unmet EAGAIN).
 */
static void test_i7_seam_shared_scenario(void **state)
{
	char buf[16384];
	int st;

	(void)state;
	for (st = 0; st < KVMPFN_NR_STAGES; st++) {
		assert_int_equal(retry_scenario(st, true, true, buf, sizeof(buf)), 1);
		assert_retry_missed(buf);
		assert_int_equal(retry_scenario(st, true, false, buf, sizeof(buf)), 0);
		assert_int_equal(retry_scenario(st, false, true, buf, sizeof(buf)), 0);
		assert_int_equal(retry_scenario(st, false, false, buf, sizeof(buf)), 0);
	}
}

static void test_incremental(void **state)
{
	struct kvmpfn_sim *sim = anon_vm(KVMPFN_V7_8, 0);

	(void)state;
	kvmpfn_sim_set_checks(sim, KVMPFN_CHECKS_INCREMENTAL);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN + 3, true), 0);
	no_violations(sim);
	ppc_radix_test_set_seam(PPC_SEAM_SKIP_SET_PAGE_DIRTY, true);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN + 9, true), 0);
	ppc_radix_test_set_seam(PPC_SEAM_SKIP_SET_PAGE_DIRTY, false);
	assert_int_equal(count_id(sim, 16), 1);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN + 10, true), 0);
	assert_int_equal(count_id(sim, 16), 1);
	kvmpfn_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_fault),
		cmocka_unit_test(test_read_fault_upgrade),
		cmocka_unit_test(test_permission_upgrade),
		cmocka_unit_test(test_set_rc),
		cmocka_unit_test(test_zero_page_leak),
		cmocka_unit_test(test_zone_device),
		cmocka_unit_test(test_readonly_memslot),
		cmocka_unit_test(test_error_pfn),
		cmocka_unit_test(test_beyond_address_space),
		cmocka_unit_test(test_thp_2m),
		cmocka_unit_test(test_thp_not_coaligned),
		cmocka_unit_test(test_thp_slot_end),
		cmocka_unit_test(test_host_pte_gone),
		cmocka_unit_test(test_invalidation_race),
		cmocka_unit_test(test_memslot_delete),
		cmocka_unit_test(test_dirty_logging),
		cmocka_unit_test(test_unmap_records_dirty),
		cmocka_unit_test(test_unmap_frees_tables),
		cmocka_unit_test(test_break_i10_host),
		cmocka_unit_test(test_break_i10_slot),
		cmocka_unit_test(test_break_i16),
		cmocka_unit_test(test_i7_seam_shared_scenario),
		cmocka_unit_test(test_incremental),
	};

	return cmocka_run_group_tests_name("ppc radix faults", tests, NULL,
					   NULL);
}
