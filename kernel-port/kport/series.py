# SPDX-License-Identifier: GPL-2.0
"""The series: what each patch carries and says.

Every patch is produced the same way: the core's files are resolved for
the stage before and after it and the difference is spliced into the
kernel (splice.py); then the patch's own steps run: items copied from an
architecture model, Coccinelle semantic patches for the call sites the
model does not run, and renames in comments.  v7's patch n takes the tree
from stage v7.(n-1) to v7.n.  A fix v7 did not carry has no core step: it
goes right before the v7 patch of the stage the simulator models it in.
"""

from dataclasses import dataclass, field

__all__ = ["CORE_FILES", "Patch", "PATCHES", "BASE_FILES", "COVER"]

# kernel path -> core path (relative to the repository)
CORE_FILES = [
    ("virt/kvm/kvm_main.c", "libkvmpfn/core/kvm_main.c"),
    ("virt/kvm/kvm_mm.h", "libkvmpfn/core/kvm_mm.h"),
    ("include/linux/kvm_host.h", "libkvmpfn/core/kvm_follow_pfn.h"),
    ("virt/kvm/pfncache.c", "libkvmpfn/core/pfncache.c"),
]

# New core items placed next to a kernel item rather than next to their
# neighbour in the core.
ANCHORS = {
    ("define", "KVM_PFN_ERR_NEEDS_IO"):
        ("after", ("define", "KVM_PFN_ERR_SIGPENDING")),
    ("struct", "kvm_follow_pfn"): ("before", ("proto", "gfn_to_pfn")),
}


@dataclass
class Patch:
    # the patch's number in v7, or None for a fix v7 did not carry
    v7: object
    subject: str
    original_author: str
    body: list                  # paragraphs, wrapped by message.py
    # (kernel path, source path in the repo, [(key, insert-after key)])
    items: list = field(default_factory=list)
    # (semantic patch in kernel-port/cocci/, [kernel paths])
    cocci: list = field(default_factory=list)
    # (old, new, [kernel paths]): rename function old() to new() where
    # the comments of those files mention it
    renames: list = field(default_factory=list)
    # (regular expression, replacement, [kernel paths]): line edits too
    # small for a semantic patch; each must match in each file
    subs: list = field(default_factory=list)
    # the stage the simulator models this patch in, for a patch v7 did
    # not have (v7's patch n is stage v7.n)
    model_stage: int = 0
    # "Fixes:" trailers: (commit id, subject)
    fixes: list = field(default_factory=list)

    @property
    def stage_number(self):
        return self.v7 if self.v7 is not None else self.model_stage

    @property
    def stage(self):
        return "v7.%d" % self.stage_number


PATCHES = [
    Patch(1, "KVM: Assert that a page's refcount is elevated when marking "
          "accessed/dirty", "Sean Christopherson", [
              "Warn, and leave the page alone, if KVM is about to mark a "
              "page accessed or dirty while nobody holds a reference to "
              "it.  A page with a zero count is either free or owned by "
              "someone who does not refcount it, e.g. a tail page of a "
              "non-compound higher-order allocation mapped through "
              "VM_PFNMAP; setting flags on it can corrupt a page KVM does "
              "not own.",
              "Use page_count(), not page_ref_count(): the former reads "
              "the folio's count, so tail pages of a compound page pass.",
          ]),
    Patch(2, "KVM: Introduce __kvm_follow_pfn function",
          "David Stevens", [
              "Add __kvm_follow_pfn(), which takes its arguments and "
              "returns its results in a struct kvm_follow_pfn instead of "
              "the eight parameters of __gfn_to_pfn_memslot().  The "
              "booleans that GUP already has names for become FOLL_ "
              "flags: FOLL_WRITE for a write fault, FOLL_NOWAIT for the "
              "asynchronous attempt and FOLL_INTERRUPTIBLE.  A lookup "
              "that would have to wait for I/O now returns the new "
              "KVM_PFN_ERR_NEEDS_IO rather than setting *async.",
              "Make __gfn_to_pfn_memslot() a wrapper around the new "
              "function and pass the struct down to hva_to_pfn() and its "
              "helpers; the pfn cache resolves its pfn through a small "
              "helper that fills the struct.",
              "The one functional change: hva_to_pfn() no longer crashes "
              "the kernel with BUG_ON() when asked for an atomic and "
              "asynchronous lookup at once; it warns once and fails the "
              "lookup.  No caller asks for both.",
          ], cocci=[("pfncache-resolve.cocci", ["virt/kvm/pfncache.c"])]),
    Patch(3, "KVM: Make __kvm_follow_pfn not imply FOLL_GET",
          "David Stevens", [
              "Let callers of __kvm_follow_pfn() leave out FOLL_GET.  "
              "Such a caller gets the pfn without a reference and learns "
              "from is_refcounted_page whether it is a refcounted page.  "
              "It must say that it installs the pfn only behind an "
              "mmu_notifier retry check (guarded_by_mmu_notifier); asking "
              "for neither is a bug and fails with a warning.",
              "This is what allows mapping VM_IO/VM_PFNMAP memory whose "
              "struct pages are not refcounted, such as the tail pages of "
              "a driver's non-compound allocation: without FOLL_GET the "
              "remapped path no longer has to take a reference, so it no "
              "longer has to refuse a page whose count is zero.  With "
              "FOLL_GET it still refuses it, as kvm_try_get_pfn() did.",
              "The legacy wrapper and the pfn cache pass FOLL_GET, so "
              "there is no functional change yet.",
          ]),
    Patch(4, "KVM: x86/mmu: Migrate to __kvm_follow_pfn",
          "David Stevens", [
              "Resolve guest page faults with __kvm_follow_pfn() instead "
              "of __gfn_to_pfn_memslot().  The asynchronous attempt uses "
              "FOLL_NOWAIT and recognises KVM_PFN_ERR_NEEDS_IO; the "
              "second attempt drops FOLL_NOWAIT and adds "
              "FOLL_INTERRUPTIBLE.  FOLL_GET is still passed, so the "
              "fault path keeps releasing the page as before.",
          ], cocci=[
              ("x86-follow-pfn.cocci", ["arch/x86/kvm/mmu/mmu.c"])]),
    Patch(5, "KVM: x86/mmu: Don't pass FOLL_GET to __kvm_follow_pfn",
          "David Stevens", [
              "Stop taking a reference on the faulted page when the "
              "fault is resolved for the TDP MMU on 64-bit hosts.  The "
              "mmu_notifier already guarantees that the SPTE is zapped "
              "before the page can go away, and without the reference "
              "KVM can map VM_PFNMAP memory whose pages are not "
              "refcounted.",
              "Record in a software bit of the SPTE (bit 59) whether the "
              "pfn is a refcounted page, and only propagate "
              "accessed/dirty information to struct page for SPTEs with "
              "the bit set.  The faulted page is marked accessed while "
              "mmu_lock is still held, which is the only time its "
              "lifetime is guaranteed.",
              "The bit exists only where spte_has_refcount_bit() says so: "
              "the 64-bit SPTEs of a TDP host (EPT, or NPT on a 64-bit "
              "host).  Shadow paging keeps passing FOLL_GET and sets no "
              "bit, as do 32-bit hosts: a PAE SPTE reserves bits 62:52, "
              "so the bit would make the guest take reserved-bit faults, "
              "and in a 4-level SPTE bit 59 is part of the protection key "
              "once CR4.PKE is set.  Where there is no bit every SPTE "
              "counts as refcounted and the pfn helpers decide, as "
              "before.",
          ], items=[
              ("arch/x86/kvm/mmu/spte.h", "sim/x86_tdp/spte.h", [
                  (("define", "SPTE_MMU_PAGE_REFCOUNTED"),
                   ("define", "EPT_SPTE_MMU_WRITABLE")),
                  (("func", "spte_has_refcount_bit"),
                   ("func", "is_dirty_spte")),
                  (("func", "is_refcounted_page_spte"),
                   ("func", "spte_has_refcount_bit"))]),
              ("arch/x86/kvm/mmu/spte.h", "kernel-port/items/x86/spte.h", [
                  (("func", "kvm_spte_set_page_dirty"),
                   ("func", "is_refcounted_page_spte")),
                  (("func", "kvm_spte_set_page_accessed"),
                   ("func", "kvm_spte_set_page_dirty"))]),
              ("arch/x86/kvm/mmu/mmu.c", "kernel-port/items/x86/mmu.c", [
                  (("func", "kvm_mmu_finish_fault_pfn"),
                   ("func", "__kvm_faultin_pfn"))]),
          ], cocci=[
              ("x86-no-foll-get.cocci", [
                  "arch/x86/kvm/mmu/mmu.c", "arch/x86/kvm/mmu/mmu_internal.h",
                  "arch/x86/kvm/mmu/paging_tmpl.h", "arch/x86/kvm/mmu/spte.c",
                  "arch/x86/kvm/mmu/spte.h", "arch/x86/kvm/mmu/tdp_mmu.c"])]),
    Patch(6, "KVM: arm64: Migrate to __kvm_follow_pfn",
          "David Stevens", [
              "Resolve stage-2 faults with __kvm_follow_pfn().  Pass "
              "FOLL_GET: the page is still released after the mapping "
              "is installed, so there is no functional change.",
          ], cocci=[
              ("arm64-follow-pfn.cocci", ["arch/arm64/kvm/mmu.c"])],
          renames=[("__gfn_to_pfn_memslot", "__kvm_follow_pfn",
                    ["arch/arm64/kvm/mmu.c"])]),
    Patch(None, "KVM: PPC: Book3S HV: Put refcounted PG_reserved pages "
          "after a fault", "", [
              "The book3s HV page fault handlers, radix and HPT, decide "
              "which page to put after __gfn_to_pfn_memslot() with "
              "pfn_valid() && !PageReserved().  That is not the set of "
              "pages KVM holds a reference on: GUP also takes one on the "
              "zero page, which a read fault on untouched anonymous "
              "memory maps, and on ZONE_DEVICE pages, and both are "
              "PG_reserved.  Every such fault leaks a reference.",
              "Keep the page unless it is PG_reserved and neither the "
              "zero page nor a ZONE_DEVICE page, which is the rule KVM's "
              "own release path applies.",
              "The kvmpfn simulator shows the leak on ppc radix with "
              "sim/ppc_radix/tests/scenarios/ppc-zero-page.scn: the zero "
              "page's count grows by one per read fault.",
          ], subs=[
              # (Coccinelle would print the new condition on one line.)
              (r"^(\t+)if \(PageReserved\(page\)\)$",
               r"\1if (PageReserved(page) && !is_zero_pfn(pfn) &&\n"
               r"\1    !is_zone_device_page(page))", [
                   "arch/powerpc/kvm/book3s_64_mmu_hv.c",
                   "arch/powerpc/kvm/book3s_64_mmu_radix.c"])],
          model_stage=7,
          fixes=[("31c8b0d0694a", "KVM: PPC: Book3S HV: Use "
                  "__gfn_to_pfn_memslot() in page fault handler"),
                 ("cd758a9b57ee", "KVM: PPC: Book3S HV: Use "
                  "__gfn_to_pfn_memslot in HPT page fault handler")]),
    Patch(7, "KVM: PPC: Migrate to __kvm_follow_pfn",
          "David Stevens", [
              "Resolve book3s HV and radix faults with __kvm_follow_pfn() "
              "and FOLL_GET, and release the page only if "
              "is_refcounted_page says KVM holds a reference on it.  "
              "__kvm_follow_pfn() has its own fast path, so the "
              "handlers' get_user_page_fast_only() attempt goes.",
              "__kvm_follow_pfn() never maps a read-only memslot "
              "writable, so kvmppc_book3s_instantiate_page() no longer "
              "needs its kvm_ro parameter; drop it.  No functional "
              "change.",
          ], cocci=[
              ("ppc-follow-pfn.cocci", [
                  "arch/powerpc/kvm/book3s_64_mmu_hv.c",
                  "arch/powerpc/kvm/book3s_64_mmu_radix.c",
                  "arch/powerpc/include/asm/kvm_book3s.h",
                  "arch/powerpc/kvm/book3s_hv_nested.c"])]),
    Patch(8, "KVM: remove __gfn_to_pfn_memslot",
          "David Stevens", [
              "All architectures now call __kvm_follow_pfn(), so remove "
              "__gfn_to_pfn_memslot() and build the remaining gfn_to_pfn "
              "wrappers, whose callers expect to own a reference, on "
              "__kvm_follow_pfn() with FOLL_GET.",
          ]),
]

# Every kernel file a patch may touch: the scratch repository of generate
# starts from their pristine versions.
BASE_FILES = sorted({k for k, _ in CORE_FILES} | {
    "arch/x86/kvm/mmu/mmu.c",
    "arch/x86/kvm/mmu/mmu_internal.h",
    "arch/x86/kvm/mmu/paging_tmpl.h",
    "arch/x86/kvm/mmu/spte.c",
    "arch/x86/kvm/mmu/spte.h",
    "arch/x86/kvm/mmu/tdp_mmu.c",
    "arch/arm64/kvm/mmu.c",
    "arch/powerpc/include/asm/kvm_book3s.h",
    "arch/powerpc/kvm/book3s_64_mmu_hv.c",
    "arch/powerpc/kvm/book3s_64_mmu_radix.c",
    "arch/powerpc/kvm/book3s_hv_nested.c",
})

COVER = {
    "subject": "KVM: allow mapping non-refcounted pages (port to 6.12)",
    "body": [
        "This is the v7 series \"KVM: allow mapping non-refcounted "
        "pages\" ported to Linux {version}.  It lets KVM map VM_IO and "
        "VM_PFNMAP memory backed by struct pages that are not refcounted, "
        "such as the tail pages of a driver's non-compound higher-order "
        "allocation, which today fault with -EFAULT.",
        "The patches were generated by kvmpfn's kernel-port from the "
        "same core the kvmpfn simulator runs: after patch n the spliced "
        "functions are exactly the simulator's code at stage v7.n, and "
        "the simulator checks the refcount, notifier and mapping "
        "invariants for every stage on x86 (TDP MMU), arm64 (stage 2) "
        "and ppc (radix).",
        "Only the x86 TDP MMU on 64-bit hosts stops taking references "
        "(patch 5); shadow paging, 32-bit hosts, arm64 and ppc keep "
        "FOLL_GET.  The pfn cache is unchanged in behaviour.",
        "One patch is an addition to v7: {additions}.  It fixes a "
        "reference leak in the ppc book3s HV fault handlers that the "
        "simulator found, and comes right before the ppc migration, "
        "which would otherwise fix it as a side effect.",
    ],
}
