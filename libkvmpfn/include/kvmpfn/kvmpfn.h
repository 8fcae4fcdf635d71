/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmpfn: a reference model of KVM's guest-page-fault path.
 *
 * One handle (struct kvmpfn_sim) holds a host address space, a VM with
 * memslots and the follow-pfn core built at one stage of the "KVM: allow
 * mapping non-refcounted pages" series.  Operations act on the host (allocate,
 * map, unmap, migrate ...) or on the VM (memslots, guest faults, pfncaches,
 * kernel maps); the invariant checker runs after every operation and keeps
 * what it finds.
 *
 * Errors are negative Linux errno values (-EINVAL = -22, ...), the same on
 * every host; kvmpfn_strerror() names them.  No call aborts the process on
 * bad input.
 */
#ifndef KVMPFN_KVMPFN_H
#define KVMPFN_KVMPFN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The errno values the API returns (negated), Linux numbering on any host. */
#define KVMPFN_EPERM		1
#define KVMPFN_ENOENT		2
#define KVMPFN_EINTR		4
#define KVMPFN_EAGAIN		11
#define KVMPFN_ENOMEM		12
#define KVMPFN_EACCES		13
#define KVMPFN_EFAULT		14
#define KVMPFN_EBUSY		16
#define KVMPFN_EEXIST		17
#define KVMPFN_EINVAL		22
#define KVMPFN_ENOSPC		28
#define KVMPFN_ERANGE		34
#define KVMPFN_ENOSYS		38
#define KVMPFN_EHWPOISON	133

const char *kvmpfn_version(void);
const char *kvmpfn_strerror(int err);

/*
 * Stages of the series; "legacy" is Linux 6.12.y (modelled on 6.12.117/.118).
 * "final" is not a v7 patch but the design Linux merged in 6.13 instead
 * (__kvm_faultin_pfn() with a refcounted_page out-parameter, no reference on
 * remapped pfns, accessed/dirty at fault time, kvm_vcpu_map() pinning).
 */
enum kvmpfn_stage {
	KVMPFN_LEGACY,
	KVMPFN_V7_1,
	KVMPFN_V7_2,
	KVMPFN_V7_3,
	KVMPFN_V7_4,
	KVMPFN_V7_5,
	KVMPFN_V7_6,
	KVMPFN_V7_7,
	KVMPFN_V7_8,
	KVMPFN_FINAL,
	KVMPFN_NR_STAGES,	/* the model's stages end here */
	/*
	 * Kernel-built twins: the same stages, but the functions the core
	 * defines are the kernel tree's own (extracted at build time from
	 * KERNEL_SRC, compiled against kshim).  "kernel:tree" is a
	 * developer's tree as it is (KVMPFN_KERNEL_TREE).  A build has them
	 * only when it was given a tree: see kvmpfn_stage_available().
	 */
	KVMPFN_KERNEL_LEGACY = KVMPFN_NR_STAGES,
	KVMPFN_KERNEL_V7_1,
	KVMPFN_KERNEL_V7_2,
	KVMPFN_KERNEL_V7_3,
	KVMPFN_KERNEL_V7_4,
	KVMPFN_KERNEL_V7_5,
	KVMPFN_KERNEL_V7_6,
	KVMPFN_KERNEL_V7_7,
	KVMPFN_KERNEL_V7_8,
	KVMPFN_KERNEL_TREE,
	KVMPFN_NR_ALL_STAGES
};

const char *kvmpfn_stage_name(enum kvmpfn_stage stage);
/*
 * "legacy", "v7.1" ... "v7.8", "final", "kernel:legacy" ... "kernel:v7.8",
 * "kernel:tree"; -EINVAL if unknown (available or not)
 */
int kvmpfn_stage_parse(const char *name, enum kvmpfn_stage *stage);
/* whether this build has the stage (model stages always) */
bool kvmpfn_stage_available(enum kvmpfn_stage stage);
bool kvmpfn_stage_is_kernel(enum kvmpfn_stage stage);
/*
 * The model stage whose semantics a stage has: itself for a model stage,
 * the twin for kernel:legacy..v7.8, the configured one for kernel:tree.
 */
enum kvmpfn_stage kvmpfn_stage_model(enum kvmpfn_stage stage);
/* Where a kernel-built stage's code came from ("Linux 6.12.118 + ..."). */
const char *kvmpfn_stage_source(enum kvmpfn_stage stage);
/* the patch a stage ends with, e.g. "KVM: Introduce __kvm_follow_pfn ..." */
const char *kvmpfn_stage_subject(enum kvmpfn_stage stage);

/*
 * The second-stage MMU a simulator runs.  "ref" is the reference MMU
 * (4K leaves, x86's fault order and stage policy), the baseline the
 * architecture models are compared against.
 */
enum kvmpfn_arch {
	KVMPFN_ARCH_REF,
	KVMPFN_ARCH_X86,
	KVMPFN_ARCH_ARM64,
	KVMPFN_ARCH_PPC,
	KVMPFN_NR_ARCHES
};

const char *kvmpfn_arch_name(enum kvmpfn_arch arch);
/* "ref", "x86", "arm64", "ppc"; -EINVAL if unknown */
int kvmpfn_arch_parse(const char *name, enum kvmpfn_arch *arch);
/* whether this build has the architecture's model */
bool kvmpfn_arch_available(enum kvmpfn_arch arch);

struct kvmpfn_sim;

/*
 * How the x86 model's VM translates guest memory: TDP (EPT on a 64-bit
 * host, the default), shadow paging of a 64-bit guest (4-level SPTEs in
 * the x86 page-table format) or of a 32-bit guest (PAE SPTEs, gfns below
 * 4G).  Shadow paging keeps FOLL_GET at every stage of the series.
 */
enum kvmpfn_x86_paging {
	KVMPFN_X86_TDP,
	KVMPFN_X86_SHADOW64,
	KVMPFN_X86_PAE,
	KVMPFN_X86_NR_PAGING
};

/* NULL if out of memory or the stage/arch is not in this build */
struct kvmpfn_sim *kvmpfn_sim_create_arch(enum kvmpfn_stage stage,
					  enum kvmpfn_arch arch);
/* the reference MMU */
struct kvmpfn_sim *kvmpfn_sim_create(enum kvmpfn_stage stage);
void kvmpfn_sim_destroy(struct kvmpfn_sim *sim);
/*
 * Return @sim to the state kvmpfn_sim_create_arch() gives: the same stage
 * and architecture, no mutant (bug 0) and no seam, the default checks mode
 * and x86 paging mode, and nothing else left of what ran on it: pfns, ids,
 * names, generation counters and steps start over as in a fresh simulator,
 * and whatever it ran leaks nothing.  The cost follows what the run built
 * (its pages, tables, VMAs, memslots), not the simulator's capacity, so a
 * fuzz target keeps one simulator per configuration.  Returns 0, or
 * -ENOMEM, after which @sim can only be destroyed.
 */
int kvmpfn_sim_reset(struct kvmpfn_sim *sim);
enum kvmpfn_stage kvmpfn_sim_stage(const struct kvmpfn_sim *sim);
enum kvmpfn_arch kvmpfn_sim_arch(const struct kvmpfn_sim *sim);
/*
 * Set the x86 paging mode (@pke: CR4.PKE while the guest runs, shadow64
 * only) before anything is mapped: -ENOSYS if @sim is not the x86 model,
 * -EINVAL for a bad mode, -EBUSY once the VM maps something.
 */
int kvmpfn_sim_set_x86_paging(struct kvmpfn_sim *sim,
			      enum kvmpfn_x86_paging paging, bool pke);
/*
 * Set a kvm module parameter, as at load time: "allow_unsafe_mappings"
 * (Linux 6.13: kvm_vcpu_map() may map remapped memory it cannot pin).
 * -EINVAL: no such parameter; -ENOENT: this stage's KVM does not have it
 * (nothing changes, as modprobe ignores an unknown parameter).
 */
int kvmpfn_sim_set_param(struct kvmpfn_sim *sim, const char *name,
			 bool value);
/* "tdp", "shadow64", "pae"; -EINVAL if unknown */
int kvmpfn_x86_paging_parse(const char *name, enum kvmpfn_x86_paging *p);

/* Where the next operations come from, for reports. */
void kvmpfn_sim_set_location(struct kvmpfn_sim *sim, const char *file,
			     unsigned int line);

/*
 * How much the checker does after each operation.  FULL re-checks every
 * leaf (the default); INCREMENTAL checks what the operation touched (the
 * leaves it changed, the gfn ranges invalidated, the pages whose references
 * moved), with a full pass when a memslot changed; OFF only keeps the
 * event checks made as references move (I1-I4).
 */
enum kvmpfn_checks {
	KVMPFN_CHECKS_FULL,
	KVMPFN_CHECKS_INCREMENTAL,
	KVMPFN_CHECKS_OFF,
};

void kvmpfn_sim_set_checks(struct kvmpfn_sim *sim, enum kvmpfn_checks mode);

typedef void (*kvmpfn_trace_fn)(void *priv, const char *event);
void kvmpfn_sim_set_trace(struct kvmpfn_sim *sim, kvmpfn_trace_fn fn,
			  void *priv);

/* ---- host side -------------------------------------------------------- */

#define KVMPFN_PAGE_SIZE	4096UL

/* allocation properties */
#define KVMPFN_A_COMPOUND	(1U << 0)
#define KVMPFN_A_RESERVED	(1U << 1)
#define KVMPFN_A_ZONE_DEVICE	(1U << 2)
#define KVMPFN_A_NOSTRUCT	(1U << 3)

/* -ENOMEM past the model's 128 GiB of host memory */
int kvmpfn_host_alloc(struct kvmpfn_sim *sim, const char *name,
		      unsigned int order, unsigned int flags);
/* The owner drops its reference; >0: pages still held by someone. */
int kvmpfn_host_free(struct kvmpfn_sim *sim, const char *name);
/* pfn of page @index of allocation @name */
int kvmpfn_host_pfn(struct kvmpfn_sim *sim, const char *name,
		    unsigned long index, uint64_t *pfn);
/*
 * memory_failure() of a pfn: PG_hwpoison, and an anonymous or page-cache
 * page is unmapped from the host page table (a hwpoison entry stays, so
 * the next access or GUP gets -EHWPOISON) under an mmu_notifier
 * invalidation; a ZONE_DEVICE page's DAX mappings are zapped.  -EBUSY: a
 * page the kernel ignores (reserved, the zero page, a non-compound driver
 * block), poisoned but left mapped; -EHWPOISON: poisoned already;
 * -EINVAL: no struct page.  VM_PFNMAP/VM_IO mappings are never touched.
 */
int kvmpfn_host_poison(struct kvmpfn_sim *sim, uint64_t pfn);

enum kvmpfn_map_kind {
	KVMPFN_MAP_ANON,
	KVMPFN_MAP_FILE,
	KVMPFN_MAP_PFNMAP,
	KVMPFN_MAP_IO,
	KVMPFN_MAP_MIXEDMAP,
};

#define KVMPFN_PROT_READ	0x1U
#define KVMPFN_PROT_WRITE	0x2U
#define KVMPFN_PROT_EXEC	0x4U

struct kvmpfn_mmap_args {
	uint64_t hva;
	uint64_t len;
	unsigned int prot;
	enum kvmpfn_map_kind kind;
	const char *object;	/* the allocation, unless anonymous */
	uint64_t pgoff;		/* first page of the object mapped */
	bool shared;
	bool thp;		/* anon: 2M folios */
	bool huge;		/* pfnmap: 2M leaves where aligned */
};

int kvmpfn_host_mmap(struct kvmpfn_sim *sim,
		     const struct kvmpfn_mmap_args *args);
int kvmpfn_host_munmap(struct kvmpfn_sim *sim, uint64_t hva, uint64_t len);
int kvmpfn_host_mprotect(struct kvmpfn_sim *sim, uint64_t hva, uint64_t len,
			 unsigned int prot);
/* touch @hva from userspace (populates or COWs the host PTE) */
int kvmpfn_host_touch(struct kvmpfn_sim *sim, uint64_t hva, bool write);
int kvmpfn_host_migrate(struct kvmpfn_sim *sim, uint64_t hva);
int kvmpfn_host_thp_split(struct kvmpfn_sim *sim, uint64_t hva);
int kvmpfn_host_thp_collapse(struct kvmpfn_sim *sim, uint64_t hva);
/* the pfn the host maps at @hva, -ENOENT if none */
int kvmpfn_host_translate(struct kvmpfn_sim *sim, uint64_t hva,
			  uint64_t *pfn, bool *writable);

/* "NAME+N" for a pfn of a named allocation ("anon+N" otherwise) */
int kvmpfn_pfn_name(struct kvmpfn_sim *sim, uint64_t pfn, char *buf,
		    size_t len);

struct kvmpfn_page_state {
	int refcount;		/* page_count(): the folio's */
	int kvm_refs;		/* references KVM holds on this page */
	bool has_page;		/* pfn_valid() */
	bool reserved;
	bool zone_device;
	bool dirty;
	bool accessed;
	bool freed;
};

int kvmpfn_page_state(struct kvmpfn_sim *sim, uint64_t pfn,
		      struct kvmpfn_page_state *st);

/* ---- VM side ---------------------------------------------------------- */

/* memslot flags: the uapi values */
#define KVMPFN_MEM_LOG_DIRTY_PAGES	(1U << 0)
#define KVMPFN_MEM_READONLY		(1U << 1)

enum kvmpfn_slot_op {
	KVMPFN_SLOT_CREATE,
	KVMPFN_SLOT_DELETE,
	KVMPFN_SLOT_MOVE,
	KVMPFN_SLOT_FLAGS,
};

struct kvmpfn_memslot_args {
	int as_id;
	int id;
	uint64_t gfn;
	uint64_t npages;
	uint64_t hva;
	unsigned int flags;
};

/*
 * 0: done; 1: deferred until the open invalidations end (the kernel's
 * memslot update waits for them); <0: error (-EEXIST overlap, -EINVAL bad
 * geometry or id, -ENOENT no such slot, -ENOSPC slot limit).
 */
int kvmpfn_memslot(struct kvmpfn_sim *sim, enum kvmpfn_slot_op op,
		   const struct kvmpfn_memslot_args *args);

/*
 * Guest faults through the reference MMU.  0: mapped; -EAGAIN: the fault
 * was retried (invalidation or memslot change raced with it); -ENOENT: no
 * memslot (MMIO); -EFAULT, -EHWPOISON, -EACCES (write to read-only): the
 * pfn lookup failed.  begin/finish split one fault around other steps.
 */
#define KVMPFN_FAULT_TRIES	4	/* kvmpfn_fault() re-executes a retried access */
int kvmpfn_fault(struct kvmpfn_sim *sim, int vcpu, uint64_t gfn, bool write);
int kvmpfn_fault_begin(struct kvmpfn_sim *sim, int vcpu, uint64_t gfn,
		       bool write);
int kvmpfn_fault_finish(struct kvmpfn_sim *sim, int vcpu);

/*
 * An mmu_notifier invalidation held open across steps (no PTE change), as
 * if another thread were between invalidate_range_start and _end.  An
 * operation that waits for invalidations (a pfncache refresh) lets that
 * thread finish: the open invalidations end while it waits.
 */
int kvmpfn_invalidate_begin(struct kvmpfn_sim *sim, uint64_t hva,
			    uint64_t len);
/* ... which, when it ends, migrates the pages of the range (the host
 * change an invalidation announces happens between start and end) */
int kvmpfn_invalidate_begin_migrate(struct kvmpfn_sim *sim, uint64_t hva,
				    uint64_t len, bool migrate);
int kvmpfn_invalidate_end(struct kvmpfn_sim *sim);
/* the vCPU thread waits: the open invalidations run to their end */
void kvmpfn_wait(struct kvmpfn_sim *sim);
/* clear_young over a host range; returns 1 if any leaf was young */
int kvmpfn_age(struct kvmpfn_sim *sim, uint64_t hva, uint64_t len);

/*
 * The pfncaches (gfn_to_pfn_cache): one keyed by a guest physical address,
 * or by a host virtual address alone (kvm_gpc_activate_hva); each access
 * through it is 8 bytes.  INVALID_GPA (all ones) is no gpa: -EINVAL.
 */
int kvmpfn_gpc_activate(struct kvmpfn_sim *sim, int idx, uint64_t gpa);
int kvmpfn_gpc_activate_hva(struct kvmpfn_sim *sim, int idx, uint64_t hva);
int kvmpfn_gpc_refresh(struct kvmpfn_sim *sim, int idx);
int kvmpfn_gpc_deactivate(struct kvmpfn_sim *sim, int idx);
/* 1 if the cache is usable as is, 0 if it needs a refresh */
int kvmpfn_gpc_check(struct kvmpfn_sim *sim, int idx);

/* A memslot's geometry and flags; -ENOENT if there is no such slot. */
int kvmpfn_memslot_info(struct kvmpfn_sim *sim, int as_id, int id,
			struct kvmpfn_memslot_args *out);

/*
 * Dirty logging (memslot flag KVMPFN_MEM_LOG_DIRTY_PAGES): copy the slot's
 * bitmap (one bit a page, @bits long) and, with @clear, reset it and
 * write-protect the logged pages again, as KVM_CLEAR_DIRTY_LOG does.
 */
int kvmpfn_dirty_log(struct kvmpfn_sim *sim, int as_id, int id,
		     uint64_t *bitmap, uint64_t bits, bool clear);

int kvmpfn_vcpu_map(struct kvmpfn_sim *sim, int idx, uint64_t gfn);
int kvmpfn_vcpu_unmap(struct kvmpfn_sim *sim, int idx, bool dirty);
/*
 * A one-shot kernel access to the guest page of @gfn: gfn_to_page(), use,
 * put, as the architecture does it (ppc: book3s PR's dcbz patching);
 * -EFAULT if there is no refcounted page there.
 */
int kvmpfn_gfn_to_page(struct kvmpfn_sim *sim, uint64_t gfn);

struct kvmpfn_leaf {
	uint64_t gfn;		/* first gfn of the leaf */
	uint64_t pfn;		/* pfn the asked gfn maps */
	int level;		/* 1: 4K, 2: 2M, 3: 1G */
	bool writable;
	bool refcounted;
	bool accessed;
	bool dirty;
};

/* struct page references KVM took and put during the last operation */
void kvmpfn_step_refs(const struct kvmpfn_sim *sim, unsigned int *gets,
		      unsigned int *puts);
/* operations (steps) run so far; a setter such as the paging mode is none */
unsigned int kvmpfn_sim_steps(const struct kvmpfn_sim *sim);

/* -ENOENT if @gfn has no second-stage leaf */
int kvmpfn_leaf(struct kvmpfn_sim *sim, int as_id, uint64_t gfn,
		struct kvmpfn_leaf *leaf);

/* ---- the bug zoo ------------------------------------------------------ */

/* A historical KVM bug the model can put back (DESIGN section 6). */
struct kvmpfn_bug {
	int id;			/* Bn */
	const char *commit;	/* the fix */
	const char *what;	/* what the mutant does */
	int invariant;		/* the invariant it breaks */
	const char *arches;	/* the models that carry it: "all", a list,
				 * or "" if none does yet */
};

const struct kvmpfn_bug *kvmpfn_bugs(unsigned int *n);
/* "B1".."B18"; -EINVAL if unknown */
int kvmpfn_bug_parse(const char *name, int *id);
/* Does architecture model @arch carry mutant @id? */
bool kvmpfn_bug_modelled(int id, enum kvmpfn_arch arch);
/*
 * Put bug @id back in @sim (0: none) before its first operation; -ENOSYS
 * if the simulator's model does not carry that mutant.
 */
int kvmpfn_sim_set_bug(struct kvmpfn_sim *sim, int id);

/*
 * Test-only seams.  Not bugs of KVM's history (those are the zoo's): each
 * breaks one guarantee so that a scenario can show the checker catching
 * its invariant (tests/seams/README.md lists them).  Shared seams
 * ("skip-zap", ...) are in model code every architecture runs; a model's
 * own are named after it ("x86-...", "arm64-...", "ppc-...", "ref-...").
 * Nothing but tests and kvmpfn-sim's --seam= sets one.
 */
/* put seam @name into @sim before its first operation; one at a time */
int kvmpfn_sim_set_seam(struct kvmpfn_sim *sim, const char *name);
/* whether @name is a shared seam or one of a model in this build */
bool kvmpfn_seam_known(const char *name);

/* ---- the checker ------------------------------------------------------ */

#define KVMPFN_NR_INVARIANTS	21
#define KVMPFN_WARN		0	/* a kernel WARN/BUG fired */

struct kvmpfn_invariant {
	int id;
	const char *text;
	bool implemented;
};

/* The catalogue, I1..I21 in order. */
const struct kvmpfn_invariant *kvmpfn_invariants(void);

struct kvmpfn_violation {
	int id;			/* 1..21, or KVMPFN_WARN */
	unsigned int step;
	unsigned int line;
	const char *file;
	uint64_t gfn;
	uint64_t hva;
	uint64_t pfn;
	char msg[160];
};

unsigned int kvmpfn_violations(const struct kvmpfn_sim *sim,
			       const struct kvmpfn_violation **v);
/* one violation with the page's refcount history */
void kvmpfn_report(struct kvmpfn_sim *sim, const struct kvmpfn_violation *v,
		   FILE *out);

#ifdef __cplusplus
}
#endif

#endif
