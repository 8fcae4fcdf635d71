/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's state: the host mm, the struct kvm with its memslots
 * and invalidation state, the reference second-stage map that stands in
 * for an architecture's page tables, faults in flight, pfncaches, kernel
 * mappings, and the checker's findings.  Stage-neutral code (everything
 * outside the stage units) reaches the core only through the stage's
 * struct kvmpfn_stage_ops.
 */
#ifndef KVMPFN_KVM_MODEL_H
#define KVMPFN_KVM_MODEL_H

#include <linux/kvm_host.h>

#include "../mm/host_mm.h"
#include "kvmpfn_mutants.h"
#include "arch.h"
#include <kvmpfn/kvmpfn.h>

#define KVMPFN_MAX_VCPUS	8
#define KVMPFN_MAX_GPC		8
#define KVMPFN_MAX_MAPS		8
#define KVMPFN_MAX_KMAPS	64
_Static_assert(KVMPFN_MAX_GPC < 32 && KVMPFN_MAX_MAPS < 32,
	       "gpc_used and maps_used are u32 bitmaps");
#define KVMPFN_MAX_INVAL	16
#define KVMPFN_MAX_TOUCHED	32
#define KVMPFN_MAX_FAULT_DIRTY	8

/* What a stage's fault path found for one gfn. */
struct kvmpfn_pfn_info {
	kvm_pfn_t pfn;
	hva_t hva;
	bool writable;
	bool refcounted;	/* the pfn is a refcounted struct page */
	bool holds_ref;		/* and the fault holds a reference on it */
	/* final: the page __kvm_faultin_pfn() returned, until released */
	struct page *page;
};

/*
 * One stage of the core, as a table: the same function names, compiled
 * once per stage with a stage prefix (kshim/include/kvmpfn_stage.h).
 */
struct kvmpfn_stage_ops {
	const char *name;
	int stage;		/* the model stage whose semantics it has */
	const char *source;	/* the core, or the kernel tree it came from */
	/*
	 * KVMPFN_KFILE_* of the core files this stage took from a kernel
	 * tree: their mutant seams are not there (kernel code has none).
	 */
	unsigned int kernel_files;

	/* NULL at final, which has no such guess */
	struct page *(*pfn_to_refcounted_page)(kvm_pfn_t pfn);
	int (*vcpu_map)(struct kvm_vcpu *vcpu, gfn_t gfn,
			struct kvm_host_map *map);
	/* whether a successful vcpu_map holds a reference (or pin) */
	bool (*map_holds_ref)(const struct kvm_host_map *map);
	/* an error page if KVM got no refcounted page */
	struct page *(*gfn_to_page)(struct kvm *kvm, gfn_t gfn);
	void (*release_page_clean)(struct page *page);
	void (*vcpu_unmap)(struct kvm_vcpu *vcpu, struct kvm_host_map *map,
			   bool dirty);
	void (*gpc_init)(struct gfn_to_pfn_cache *gpc, struct kvm *kvm);
	int (*gpc_activate)(struct gfn_to_pfn_cache *gpc, gpa_t gpa,
			    unsigned long len);
	int (*gpc_activate_hva)(struct gfn_to_pfn_cache *gpc,
				unsigned long hva, unsigned long len);
	int (*gpc_refresh)(struct gfn_to_pfn_cache *gpc, unsigned long len);
	bool (*gpc_check)(struct gfn_to_pfn_cache *gpc, unsigned long len);
	void (*gpc_deactivate)(struct gfn_to_pfn_cache *gpc);
	void (*gpc_invalidate_start)(struct kvm *kvm, unsigned long start,
				     unsigned long end);
	/* the core's allow_unsafe_mappings parameter; NULL before final */
	const struct kvmpfn_module_param *allow_unsafe_mappings;

	/* the architectures built at this stage; NULL if not in this build */
	const struct kvmpfn_arch_ops *arch[KVMPFN_NR_ARCHES];
};

#define KVMPFN_KFILE_KVM_MAIN	(1U << 0)
#define KVMPFN_KFILE_PFNCACHE	(1U << 1)

extern const struct kvmpfn_stage_ops *const kvmpfn_stages[KVMPFN_NR_ALL_STAGES];

/* A fault split across scenario steps: lookup done, install pending. */
struct kvmpfn_fault {
	bool active;
	bool write;
	bool exec;
	bool seq_snapped;	/* mmu_seq taken (I14 bookkeeping) */
	bool host_read_early;	/* host state read before the snapshot */
	int vcpu;
	gfn_t gfn;
	unsigned long mmu_seq;
	u64 root_gen;
	struct kvm_memory_slot *slot;
	struct kvmpfn_pfn_info info;
	u32 line;
	u64 priv[8];		/* arch scratch between begin and finish */
};

/*
 * A kernel mapping made by kmap() or memremap().  kmap() of a page that is
 * already mapped returns the same address and counts the user, as both
 * page_address() and highmem's pkmap count do; kunmap() drops one user.
 */
struct kvmpfn_kmap {
	unsigned long pfn;
	unsigned int users;
	bool live;
	bool has_page;
};

/* A memslot change waiting for invalidations to end (I8). */
struct kvmpfn_slot_req {
	struct kvmpfn_memslot_args args;
	enum kvmpfn_slot_op op;
};

/* The shared test-only seams (kvmpfn_sim_set_seam(), tests/seams/). */
enum kvmpfn_seam {
	KVMPFN_SEAM_NONE,
	KVMPFN_SEAM_SKIP_ZAP,		/* notifiers zap no leaf (I6) */
	KVMPFN_SEAM_KEEP_REF,		/* a fault keeps a page reference (I5) */
	KVMPFN_SEAM_SLOT_KEEPS_LEAVES,	/* slot delete/move zaps nothing (I15) */
	KVMPFN_SEAM_NO_DIRTY_LOG,	/* dirty bitmaps get no bit (I12) */
	KVMPFN_SEAM_LOSE_DIRTY,		/* KVM's SetPageDirty() is lost (I16) */
	KVMPFN_NR_SEAMS,
};

struct kvmpfn_sim {
	struct mm_struct mm;
	struct kvm kvm;
	const struct kvmpfn_stage_ops *ops;
	enum kvmpfn_stage stage;
	enum kvmpfn_arch arch_id;
	const struct kvmpfn_arch_ops *arch;
	void *mmu;
	bool tlb_stale;
	u64 root_gen;

	struct kvmpfn_fault inflight[KVMPFN_MAX_VCPUS];
	/*
	 * The fault attempt running now and the dirty records it made (a
	 * dirty-bitmap bit or a page marked dirty), judged when it ends (I12).
	 */
	struct kvmpfn_fault *faulting;
	struct {
		gfn_t gfn;		/* a bitmap bit, or ... */
		unsigned long pfn;	/* ... a page (page true) */
		bool page;
	} fault_dirty[KVMPFN_MAX_FAULT_DIRTY];
	u32 nr_fault_dirty;
	/* writable or dirty leaves it changed (their dirty state is due) */
	struct {
		gfn_t gfn;
		unsigned long pfn;
		u64 pages;
	} fault_unmapped[KVMPFN_MAX_FAULT_DIRTY];
	u32 nr_fault_unmapped;	/* > KVMPFN_MAX_FAULT_DIRTY: too many kept */
	struct gfn_to_pfn_cache gpc[KVMPFN_MAX_GPC];
	struct kvm_host_map maps[KVMPFN_MAX_MAPS];
	struct kvmpfn_kmap kmaps[KVMPFN_MAX_KMAPS];
	/*
	 * What the incremental checker need not scan: how many kmaps are
	 * live (kept by the shim's kmap/kunmap), and which pfncaches and
	 * vcpu maps were ever used (set where the API hands one out; never
	 * cleared, so a used one is always checked).
	 */
	u32 nr_kmaps_live;
	/* bitmaps of the tables above; KVMPFN_MAX_GPC, _MAPS < 32 */
	u32 gpc_used;		/* bit i: sim->gpc[i] */
	u32 maps_used;		/* bit i: sim->maps[i] */
	struct kvm_memory_slot **graveyard;
	u32 nr_graveyard;
	/* what this step touched, for incremental checking */
	enum kvmpfn_checks checks;
	struct {
		u8 as_id;
		gfn_t start;
		gfn_t end;
	} touched[KVMPFN_MAX_TOUCHED];
	u32 nr_touched;
	bool touched_all;

	u64 open_inval[KVMPFN_MAX_INVAL][2];
	bool open_inval_migrate[KVMPFN_MAX_INVAL];
	int bug;			/* the bug-zoo mutant put back, or 0 */
	enum kvmpfn_seam seam;		/* a shared test-only seam, or 0 */
	int arch_seam;			/* 1 + the model's seam set, or 0 */
	/* kvm.allow_unsafe_mappings (final) */
	bool allow_unsafe_mappings;
	bool in_gup;			/* GUP is taking its reference */
	unsigned long b10_block;	/* B10: a host level read earlier */
	int b10_level;
	int nr_open_inval;
	struct kvmpfn_slot_req *pending;
	u32 nr_pending;

	/* pfns of the pages KVM holds references on, for the I2/I5 checks */
	unsigned long *held;
	u32 nr_held;
	u32 cap_held;
	bool map_holds_ref[KVMPFN_MAX_MAPS];
	int kvm_depth;

	struct kvmpfn_violation *viol;
	u32 nr_viol;
	u32 cap_viol;
	u32 step;
	u32 step_gets;		/* references KVM took and put in this step */
	u32 step_puts;
	u32 line;
	const char *file;
	kvmpfn_trace_fn trace;
	void *trace_priv;

	/* page-state recorder (check/pagestate.c), NULL unless attached */
	struct pagestate_rec *pagestate;
	const char *step_fn;	/* the API function running the step */
};

extern _Thread_local struct kvmpfn_sim *kvmpfn_cur;

/* make @sim the one the kernel shim acts on */
void kvm_ctx_enter(struct kvmpfn_sim *sim);
void kvm_ctx_leave(struct kvmpfn_sim *sim);

/*
 * A KVM context waits (cond_resched): the invalidations a scenario holds
 * open belong to other threads, which run to their end meanwhile.
 */
void kvm_model_resched(struct kvmpfn_sim *sim);

/* kshim/kshim.c: the live kernel mapping @addr points into, or NULL */
struct kvmpfn_kmap *kshim_kmap_at(struct kvmpfn_sim *sim, const void *addr);

/* kvm/memslots.c */
int kvm_memslots_apply(struct kvmpfn_sim *sim, enum kvmpfn_slot_op op,
		       const struct kvmpfn_memslot_args *a);
/*
 * Free the memslots, the graveyard and the pending updates.  With @keep,
 * each address space's id table (32,764 entries) is cleared where a slot
 * was and handed back in @keep[as] instead of freed (a reset reuses it).
 */
void kvm_memslots_destroy(struct kvmpfn_sim *sim,
			  struct kvm_memory_slot **keep[]);
struct kvm_memory_slot *kvm_memslot_by_id(struct kvm *kvm, int as_id,
					  int id);
struct kvm_memory_slot *kvm_memslot_find(struct kvm *kvm, int as_id,
					 gfn_t gfn);

/* kvm/mmu_notifier.c */
void kvm_init_mmu_notifier(struct kvmpfn_sim *sim);

/* kvm/fault.c */
int kvm_fault_begin(struct kvmpfn_sim *sim, int vcpu, gfn_t gfn, bool write);
int kvm_fault_finish(struct kvmpfn_sim *sim, int vcpu);
/* test seam: the reference MMU skips its install-time sequence check */
bool kvmpfn_ref_seam_no_retry(void);
extern const struct kvmpfn_arch_seams kvmpfn_ref_seam_table;

/* check/check.c */
void check_violation(struct kvmpfn_sim *sim, int id, gfn_t gfn,
		     unsigned long hva, unsigned long pfn,
		     const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void check_kvm_get(struct kvmpfn_sim *sim, struct page *page);
void check_kvm_put(struct kvmpfn_sim *sim, struct page *page);
void check_kvm_ad(struct kvmpfn_sim *sim, struct page *page, bool dirty);
void check_step(struct kvmpfn_sim *sim);
/* the step changed leaves or host mappings of these gfns */
void check_touch(struct kvmpfn_sim *sim, int as_id, gfn_t start, gfn_t end);
void check_touch_all(struct kvmpfn_sim *sim);
/*
 * Does a leaf (a writable one if @writable) map @pfn?  @hint, if not NULL,
 * is a leaf to try before all the others.
 */
bool check_pfn_mapped(struct kvmpfn_sim *sim, unsigned long pfn,
		      bool writable, const struct kvmpfn_leaf_view *hint);
/*
 * Stage final: does KVM leave @gfn's page alone?  6.13 takes no reference
 * on a remapped pfn (VM_PFNMAP/VM_IO) and so never marks its page; the
 * architectures' I16 checks skip such leaves there.  False before final.
 */
bool check_untouched_remapped(struct kvmpfn_sim *sim, int as_id, gfn_t gfn);
/*
 * Stage final: is the page a leaf of @gfn maps one KVM got from GUP, with a
 * reference it dropped after the fault?  6.13 keeps no per-entry bit for
 * it, so the models' views derive it: a struct page not behind a
 * VM_PFNMAP/VM_IO mapping.
 */
bool check_final_refcounted(struct kvmpfn_sim *sim, int as_id, gfn_t gfn,
			    unsigned long pfn);
/* check/entry.c: a fault made a dirty record; the fault attempt ended */
void check_fault_dirty_record(struct kvmpfn_sim *sim, gfn_t gfn,
			      unsigned long pfn, bool page);
void check_fault_dirty(struct kvmpfn_sim *sim, struct kvmpfn_fault *f);
/* check/entry.c: I16 at final, after a fault that had @page from GUP */
void check_fault_ad(struct kvmpfn_sim *sim, struct kvmpfn_fault *f,
		    struct page *page);

/* check/pagestate.c */
void pagestate_step(struct kvmpfn_sim *sim);
void pagestate_free(struct kvmpfn_sim *sim);

#endif
