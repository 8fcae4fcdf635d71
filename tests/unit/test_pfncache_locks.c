// SPDX-License-Identifier: GPL-2.0
/*
 * The pfncache's locks as the lock checker sees them: refresh_lock is
 * taken by every refresh, activation and deactivation and released on
 * every way out; a lock left held when a step ends is reported.
 * White-box: it reaches the caches and the stage's functions directly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

#include "kvm/kvm_model.h"

#define HVA	0x10000000UL
#define GFN	0x100UL

static struct kvmpfn_sim *sim;

static int setup(void **state)
{
	struct kvmpfn_mmap_args a = {
		.hva = HVA, .len = 4 * PAGE_SIZE,
		.prot = KVMPFN_PROT_READ | KVMPFN_PROT_WRITE,
		.kind = KVMPFN_MAP_ANON,
	};
	struct kvmpfn_memslot_args m = {
		.id = 1, .gfn = GFN, .npages = 4, .hva = HVA,
	};

	(void)state;
	sim = kvmpfn_sim_create(KVMPFN_LEGACY);
	if (!sim || kvmpfn_host_mmap(sim, &a) ||
	    kvmpfn_host_touch(sim, HVA, true) ||
	    kvmpfn_memslot(sim, KVMPFN_SLOT_CREATE, &m))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kvmpfn_sim_destroy(sim);
	return 0;
}

static unsigned int violations(void)
{
	const struct kvmpfn_violation *v;

	return kvmpfn_violations(sim, &v);
}

static const char *last_message(void)
{
	const struct kvmpfn_violation *v;
	unsigned int n = kvmpfn_violations(sim, &v);

	return n ? v[n - 1].msg : "";
}

/*
 * Another task is in the middle of a refresh (it holds refresh_lock): a
 * refresh, an activation and a deactivation must each wait for it.  The
 * model has one context, so the wait could never end and is reported.
 * (The checker reports a kernel warning once per run, hence one each.)
 */
enum gpc_call { REFRESH, ACTIVATE, DEACTIVATE };

static void contended(enum gpc_call call)
{
	struct gfn_to_pfn_cache *gpc = &sim->gpc[0];
	int r = 0;

	assert_int_equal(kvmpfn_gpc_activate(sim, 0, GFN << PAGE_SHIFT), 0);
	assert_int_equal(violations(), 0);
	assert_false(mutex_is_locked(&gpc->refresh_lock));

	mutex_lock(&gpc->refresh_lock);
	if (call == REFRESH)
		r = kvmpfn_gpc_refresh(sim, 0);
	else if (call == ACTIVATE)
		r = kvmpfn_gpc_activate(sim, 0, GFN << PAGE_SHIFT);
	else
		r = kvmpfn_gpc_deactivate(sim, 0);
	assert_int_equal(r, 0);
	assert_int_equal(violations(), 1);
	assert_non_null(strstr(last_message(), "locks.c"));
	/* it released the mutex on its way out */
	assert_false(mutex_is_locked(&gpc->refresh_lock));
}

static void test_refresh_waits_for_refresh(void **state)
{
	(void)state;
	contended(REFRESH);
}

static void test_activate_waits_for_refresh(void **state)
{
	(void)state;
	contended(ACTIVATE);
}

static void test_deactivate_waits_for_refresh(void **state)
{
	(void)state;
	contended(DEACTIVATE);
}

/* guard(mutex) drops refresh_lock on the early returns too. */
static void test_refresh_lock_released_on_errors(void **state)
{
	const struct kvmpfn_stage_ops *ops = sim->ops;
	struct gfn_to_pfn_cache *gpc = &sim->gpc[1];

	(void)state;
	kvm_ctx_enter(sim);
	assert_int_equal(ops->gpc_activate(gpc, GFN << PAGE_SHIFT, 8), 0);
	/* an access past the end of the page */
	assert_int_equal(ops->gpc_refresh(gpc, PAGE_SIZE + 1), -EINVAL);
	assert_false(mutex_is_locked(&gpc->refresh_lock));
	assert_int_equal(ops->gpc_activate(gpc, GFN << PAGE_SHIFT, PAGE_SIZE + 1),
			 -EINVAL);
	assert_false(mutex_is_locked(&gpc->refresh_lock));
	assert_int_equal(ops->gpc_activate_hva(gpc, PAGE_OFFSET, 8), -EINVAL);
	assert_false(mutex_is_locked(&gpc->refresh_lock));
	/* a gpa no memslot holds: the refresh fails inside */
	assert_int_equal(ops->gpc_activate(gpc, (GFN + 64) << PAGE_SHIFT, 8),
			 -EFAULT);
	assert_false(mutex_is_locked(&gpc->refresh_lock));
	assert_false(kshim_lock_held(&gpc->lock));
	ops->gpc_deactivate(gpc);
	ops->gpc_deactivate(gpc);	/* already inactive */
	assert_false(mutex_is_locked(&gpc->refresh_lock));
	assert_int_equal(kshim_atomic_depth(), 0);
	kvm_ctx_leave(sim);
	assert_int_equal(violations(), 0);
}

/*
 * A step that ends with one of the pfncache's locks held is a finding
 * (each case on its own: a kernel warning is reported once per run).
 */
static void test_lock_held_at_step_end(void **state)
{
	struct gfn_to_pfn_cache *gpc = &sim->gpc[2];

	(void)state;
	kvm_ctx_enter(sim);
	write_lock_irq(&gpc->lock);
	kvmpfn_wait(sim);
	assert_int_equal(violations(), 2);	/* the lock, atomic context */
	assert_string_equal(last_message(),
			    "atomic context left at the end of a step (1 spinning locks)");
	write_unlock_irq(&gpc->lock);
	kvm_ctx_leave(sim);
}

static void test_refresh_lock_held_at_step_end(void **state)
{
	struct gfn_to_pfn_cache *gpc = &sim->gpc[2];

	(void)state;
	kvm_ctx_enter(sim);
	mutex_lock(&gpc->refresh_lock);
	kvmpfn_wait(sim);
	assert_int_equal(violations(), 1);
	assert_string_equal(last_message(),
			    "pfncache 2's refresh_lock still held at the end of a step");
	mutex_unlock(&gpc->refresh_lock);
	kvm_ctx_leave(sim);
}

static void test_gpc_lock_held_at_step_end(void **state)
{
	(void)state;
	kvm_ctx_enter(sim);
	kvmpfn_wait(sim);
	assert_int_equal(violations(), 0);
	spin_lock(&sim->kvm.gpc_lock);
	kvmpfn_wait(sim);
	assert_int_equal(violations(), 2);
	spin_unlock(&sim->kvm.gpc_lock);
	kvm_ctx_leave(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refresh_waits_for_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_activate_waits_for_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deactivate_waits_for_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_lock_released_on_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_held_at_step_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_lock_held_at_step_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpc_lock_held_at_step_end, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
