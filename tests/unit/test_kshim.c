// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel shim as the core sees it: GUP fast and slow with FOLL_WRITE,
 * special PTEs, copy-on-write, hwpoison, follow_pfnmap_start/end,
 * fixup_user_fault, page_count on folios, and the lock rules.  White-box:
 * it calls the kernel API directly, as the core does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/kvm_host.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

#include "kvm/kvm_model.h"

#define ANON	0x10000000UL
#define PFNMAP	0x20000000UL
#define RO	0x30000000UL
#define THP	0x40000000UL
#define RW	(KVMPFN_PROT_READ | KVMPFN_PROT_WRITE)

static struct kvmpfn_sim *sim;

static int map(uint64_t hva, uint64_t len, unsigned int prot,
	       enum kvmpfn_map_kind kind, const char *obj, bool thp)
{
	struct kvmpfn_mmap_args a = {
		.hva = hva, .len = len, .prot = prot, .kind = kind,
		.object = obj, .shared = obj != NULL, .thp = thp,
	};

	return kvmpfn_host_mmap(sim, &a);
}

static int setup(void **state)
{
	(void)state;
	sim = kvmpfn_sim_create(KVMPFN_LEGACY);
	if (!sim || kvmpfn_host_alloc(sim, "bar", 1, 0) ||
	    map(ANON, 4 * PAGE_SIZE, RW, KVMPFN_MAP_ANON, NULL, false) ||
	    map(PFNMAP, 2 * PAGE_SIZE, RW, KVMPFN_MAP_PFNMAP, "bar", false) ||
	    map(RO, PAGE_SIZE, KVMPFN_PROT_READ, KVMPFN_MAP_ANON, NULL, false) ||
	    map(THP, 2UL << 20, RW, KVMPFN_MAP_ANON, NULL, true))
		return -1;
	kvm_ctx_enter(sim);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kvm_ctx_leave(sim);
	kvmpfn_sim_destroy(sim);
	return 0;
}

static unsigned int violations(void)
{
	const struct kvmpfn_violation *v;

	return kvmpfn_violations(sim, &v);
}

static void test_gup_fast_needs_a_present_writable_pte(void **state)
{
	struct page *page;

	(void)state;
	assert_int_equal(get_user_page_fast_only(ANON, FOLL_WRITE, &page), 0);
	/* a read maps the zero page, which is not writable */
	assert_int_equal(get_user_pages_unlocked(ANON, 1, &page, 0), 1);
	assert_true(is_zero_pfn(page_to_pfn(page)));
	put_page(page);
	assert_int_equal(get_user_page_fast_only(ANON, FOLL_WRITE, &page), 0);
	assert_int_equal(get_user_page_fast_only(ANON, 0, &page), 1);
	put_page(page);
	assert_int_equal(violations(), 0);
}

static void test_gup_slow_write_breaks_cow(void **state)
{
	struct page *zero, *page;
	int count;

	(void)state;
	assert_int_equal(get_user_pages_unlocked(ANON, 1, &zero, 0), 1);
	count = page_count(zero);
	put_page(zero);
	assert_int_equal(get_user_pages_unlocked(ANON, 1, &page, FOLL_WRITE),
			 1);
	assert_false(is_zero_pfn(page_to_pfn(page)));
	/* one reference from the PTE, one from GUP */
	assert_int_equal(page_count(page), 2);
	assert_int_equal(page_count(zero), count - 1);
	assert_int_equal(get_user_page_fast_only(ANON, FOLL_WRITE, &page), 1);
	put_page(page);
	put_page(page);
	assert_int_equal(violations(), 0);
}

static void test_gup_refuses_pfnmap_and_readonly(void **state)
{
	struct page *page;

	(void)state;
	assert_int_equal(get_user_pages_unlocked(PFNMAP, 1, &page, 0),
			 -EFAULT);
	assert_int_equal(get_user_pages_unlocked(RO, 1, &page, FOLL_WRITE),
			 -EFAULT);
	assert_int_equal(get_user_pages_unlocked(0x90000000UL, 1, &page, 0),
			 -EFAULT);
	/* FOLL_GET is GUP's own business: a caller passing it is a bug */
	assert_int_equal(get_user_pages_unlocked(ANON, 1, &page, FOLL_GET),
			 -EINVAL);
	assert_int_equal(violations(), 1);
}

static void test_gup_hwpoison(void **state)
{
	struct page *page;
	uint64_t pfn;

	(void)state;
	assert_int_equal(get_user_pages_unlocked(ANON, 1, &page, FOLL_WRITE),
			 1);
	pfn = page_to_pfn(page);
	put_page(page);
	kvm_ctx_leave(sim);
	assert_int_equal(kvmpfn_host_poison(sim, pfn), 0);
	/* memory_failure() unmapped it: a hwpoison entry, not a PTE */
	assert_int_equal(hpt_lookup(&sim->mm, ANON, NULL, NULL), 0);
	assert_true(hpt_hwpoison_entry(&sim->mm, ANON));
	/* its own reference stays; the PTE's went */
	assert_int_equal(page_count(pfn_to_page(pfn)), 1);
	kvm_ctx_enter(sim);
	assert_int_equal(get_user_page_fast_only(ANON, 0, &page), 0);
	assert_int_equal(get_user_pages_unlocked(ANON, 1, &page,
						 FOLL_HWPOISON), -EHWPOISON);
	assert_int_equal(get_user_pages_unlocked(ANON, 1, &page, 0), -EFAULT);
	assert_int_equal(get_user_pages_unlocked(ANON, 1, &page,
						 FOLL_HWPOISON | FOLL_WRITE),
			 -EHWPOISON);
	kvm_ctx_leave(sim);
	assert_int_equal(kvmpfn_host_poison(sim, pfn), -EHWPOISON);
	/* munmap takes the entry away; the page stays poisoned and held */
	assert_int_equal(kvmpfn_host_munmap(sim, ANON, PAGE_SIZE), 0);
	assert_false(hpt_hwpoison_entry(&sim->mm, ANON));
	assert_int_equal(page_count(pfn_to_page(pfn)), 1);
	assert_true(PageHWPoison(pfn_to_page(pfn)));
	kvm_ctx_enter(sim);
}

static void test_folio_count_lives_on_the_head(void **state)
{
	struct page *page, *head;

	(void)state;
	assert_int_equal(get_user_pages_unlocked(THP + 5 * PAGE_SIZE, 1, &page,
						 FOLL_WRITE), 1);
	head = pfn_to_page(page_to_pfn(page) - 5);
	assert_int_equal(page_count(page), page_count(head));
	assert_int_equal(page_count(head), 2);
	/* accounted where the count lives: on the folio */
	assert_int_equal(head->kvm_refs, 1);
	/* so putting the head releases a get on a tail (6.12's THP adjust) */
	put_page(head);
	assert_int_equal(page_count(head), 1);
	assert_int_equal(head->kvm_refs, 0);
	assert_int_equal(violations(), 0);
}

static void test_follow_pfnmap(void **state)
{
	struct follow_pfnmap_args args = { .address = PFNMAP + PAGE_SIZE };
	struct mm_struct *mm = current->mm;
	bool unlocked = true;
	uint64_t pfn;

	(void)state;
	mmap_read_lock(mm);
	args.vma = vma_lookup(mm, args.address);
	assert_non_null(args.vma);
	assert_true(args.vma->vm_flags & VM_PFNMAP);
	/* not populated until the driver's fault handler runs */
	assert_int_equal(follow_pfnmap_start(&args), -EINVAL);
	assert_int_equal(fixup_user_fault(mm, args.address, FAULT_FLAG_WRITE,
					  &unlocked), 0);
	assert_false(unlocked);
	assert_int_equal(follow_pfnmap_start(&args), 0);
	assert_int_equal(kvmpfn_host_pfn(sim, "bar", 1, &pfn), 0);
	assert_int_equal(args.pfn, pfn);
	assert_true(args.writable);
	assert_true(args.special);
	assert_int_equal(mm->pte_locks, 1);
	follow_pfnmap_end(&args);
	assert_int_equal(mm->pte_locks, 0);

	/* only VM_IO/VM_PFNMAP VMAs can be followed */
	args.vma = vma_lookup(mm, ANON);
	args.address = ANON;
	assert_int_equal(follow_pfnmap_start(&args), -EINVAL);
	mmap_read_unlock(mm);
	assert_int_equal(violations(), 0);
}

static void test_refcounted_page_guess(void **state)
{
	const struct kvmpfn_stage_ops *ops = sim->ops;
	uint64_t pfn;

	(void)state;
	kvm_ctx_leave(sim);
	assert_int_equal(kvmpfn_host_alloc(sim, "fw", 0, KVMPFN_A_RESERVED), 0);
	assert_int_equal(kvmpfn_host_alloc(sim, "pmem", 0,
					   KVMPFN_A_ZONE_DEVICE), 0);
	assert_int_equal(kvmpfn_host_alloc(sim, "mmio", 0, KVMPFN_A_NOSTRUCT),
			 0);
	kvm_ctx_enter(sim);
	assert_int_equal(kvmpfn_host_pfn(sim, "fw", 0, &pfn), 0);
	assert_null(ops->pfn_to_refcounted_page(pfn));
	assert_int_equal(kvmpfn_host_pfn(sim, "pmem", 0, &pfn), 0);
	assert_non_null(ops->pfn_to_refcounted_page(pfn));
	assert_int_equal(kvmpfn_host_pfn(sim, "zero", 0, &pfn), 0);
	assert_non_null(ops->pfn_to_refcounted_page(pfn));
	assert_int_equal(kvmpfn_host_pfn(sim, "mmio", 0, &pfn), 0);
	assert_false(pfn_valid(pfn));
	assert_null(ops->pfn_to_refcounted_page(pfn));
	/* a count-0 tail is "refcounted" by this guess: the 6.12 gap */
	assert_int_equal(kvmpfn_host_pfn(sim, "bar", 1, &pfn), 0);
	assert_non_null(ops->pfn_to_refcounted_page(pfn));
	assert_int_equal(page_count(pfn_to_page(pfn)), 0);
}

static void test_lock_rules(void **state)
{
	rwlock_t lock;

	(void)state;
	rwlock_init(&lock);
	read_lock(&lock);
	read_lock(&lock);
	assert_true(kshim_lock_held(&lock));
	read_unlock(&lock);
	read_unlock(&lock);
	assert_int_equal(violations(), 0);
	lockdep_assert_held(&lock);		/* not held: a WARN */
	assert_int_equal(violations(), 1);
	write_lock(&lock);
	read_lock(&lock);			/* would deadlock: a WARN */
	assert_int_equal(violations(), 2);
	/* sleeping under mmu_lock is a WARN too */
	write_lock(&sim->kvm.mmu_lock);
	might_sleep();
	write_unlock(&sim->kvm.mmu_lock);
	assert_int_equal(violations(), 3);
	read_unlock(&lock);
	write_unlock(&lock);
	assert_int_equal(kshim_atomic_depth(), 0);
	assert_int_equal(violations(), 3);
}

static void test_spinlock_and_rwlock_modes(void **state)
{
	spinlock_t spin;
	rwlock_t rw;

	(void)state;
	spin_lock_init(&spin);
	rwlock_init(&rw);
	spin_lock(&spin);
	lockdep_assert_held(&spin);
	assert_int_equal(kshim_atomic_depth(), 1);
	read_lock_irq(&rw);
	assert_int_equal(kshim_atomic_depth(), 2);
	lockdep_assert_held_read(&rw);
	assert_int_equal(violations(), 0);
	lockdep_assert_held_write(&rw);		/* held, but for read */
	assert_int_equal(violations(), 1);
	read_unlock_irq(&rw);
	write_lock_irq(&rw);
	lockdep_assert_held_write(&rw);
	might_sleep();				/* two spinning locks held */
	assert_int_equal(violations(), 2);
	write_unlock_irq(&rw);
	spin_unlock(&spin);
	assert_int_equal(kshim_atomic_depth(), 0);
	might_sleep();
	spin_unlock(&spin);			/* not held */
	assert_int_equal(violations(), 3);
	assert_int_equal(kshim_atomic_depth(), 0);
}

/* guard(mutex) takes the mutex and drops it however the scope is left. */
static int guarded(struct mutex *m, bool early)
{
	guard(mutex)(m);

	lockdep_assert_held(m);
	if (early)
		return 1;
	return mutex_is_locked(m) ? 2 : 0;
}

static void test_mutex_and_guard(void **state)
{
	struct mutex m;
	spinlock_t spin;

	(void)state;
	mutex_init(&m);
	spin_lock_init(&spin);
	lockdep_assert_held(&m);		/* not held */
	assert_int_equal(violations(), 1);
	assert_int_equal(guarded(&m, true), 1);
	assert_false(mutex_is_locked(&m));
	assert_int_equal(guarded(&m, false), 2);
	assert_false(mutex_is_locked(&m));
	{
		guard(mutex)(&m);

		/* a mutex is no atomic context: sleeping is fine */
		might_sleep();
		assert_true(mutex_is_locked(&m));
		assert_int_equal(kshim_atomic_depth(), 0);
	}
	assert_false(mutex_is_locked(&m));
	assert_int_equal(violations(), 1);
	/* taking it again: nobody else could ever release it */
	mutex_lock(&m);
	mutex_lock(&m);
	assert_int_equal(violations(), 2);
	mutex_unlock(&m);
	/* mutex_lock() may sleep: not under a spinlock */
	spin_lock(&spin);
	mutex_lock(&m);
	spin_unlock(&spin);
	assert_int_equal(violations(), 3);
	mutex_unlock(&m);
	assert_false(mutex_is_locked(&m));
	mutex_unlock(&m);			/* not held */
	assert_int_equal(violations(), 4);
}

struct item {
	int v;
	struct list_head link;
};

static void test_list(void **state)
{
	struct item a = { .v = 1 }, b = { .v = 2 }, c = { .v = 3 }, *it, *n;
	LIST_HEAD(head);
	int sum = 0, order = 0;

	(void)state;
	assert_true(list_empty(&head));
	list_add(&a.link, &head);
	list_add(&b.link, &head);		/* front: b, a */
	list_add_tail(&c.link, &head);		/* back: b, a, c */
	list_for_each_entry(it, &head, link)
		order = order * 10 + it->v;
	assert_int_equal(order, 213);
	list_del(&a.link);
	assert_null(a.link.next);
	list_for_each_entry_safe(it, n, &head, link) {
		sum += it->v;
		list_del(&it->link);
	}
	assert_int_equal(sum, 5);
	assert_true(list_empty(&head));
	assert_int_equal(violations(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gup_fast_needs_a_present_writable_pte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gup_slow_write_breaks_cow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gup_refuses_pfnmap_and_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gup_hwpoison, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folio_count_lives_on_the_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_pfnmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refcounted_page_guess, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spinlock_and_rwlock_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mutex_and_guard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
