// SPDX-License-Identifier: GPL-2.0
/*
 * Exhaustive bounded exploration, breadth first so that the first
 * violation found is on a shortest sequence.  A sequence is replayed from
 * the fixed configuration every time (simulators cannot be copied); a
 * sequence whose end state was already reached (at this or a shallower
 * depth) is not extended, which keeps depth 6-7 within reach.
 */
#include <stdlib.h>
#include <string.h>

#include <kvmpfn/decode.h>
#include <kvmpfn/explore.h>
#include <kvmpfn/scenario.h>

#include "../kvm/kvm_model.h"

static const char *const ops[] = {
	"fault gfn=0x100",
	"fault gfn=0x100 write",
	"fault gfn=0x101 write",
	"fault gfn=0x104",
	"fault gfn=0x104 write",
	"fault gfn=0x200 write",
	"fault gfn=0x204 write",
	"fault gfn=0x205",
	"fault_begin gfn=0x101 write",
	"fault_begin gfn=0x205",
	"fault_finish",
	"touch hva=0x10000000 write",
	"migrate hva=0x10001000",
	"mprotect hva=0x10000000 size=4K prot=r",
	"thp_split hva=0x4fffc000",
	"thp_collapse hva=0x4fffc000",
	"invalidate_begin hva=0x10000000 size=8K",
	"invalidate_end",
	"age hva=0x10000000 size=16K",
	"memslot flags id=0 log_dirty",
	"dirty_log clear id=0",
	"memslot delete id=1",
	"gpc_activate id=0 gpa=0x101000",
	"vcpu_map id=0 gfn=0x204",
	"vcpu_unmap id=0",
	"free vram",
};

#define NR_OPS	(sizeof(ops) / sizeof(ops[0]))
#define NR_SETUP kvmpfn_small_config_lines

void kvmpfn_explore_describe(FILE *out)
{
	size_t i;

	fprintf(out, "configuration:\n");
	for (i = 0; i < NR_SETUP; i++)
		fprintf(out, "  %s\n", kvmpfn_small_config[i]);
	fprintf(out, "operations (%zu):\n", NR_OPS);
	for (i = 0; i < NR_OPS; i++)
		fprintf(out, "  %s\n", ops[i]);
}

static struct kvmpfn_session *replay(const struct kvmpfn_run_opts *ro,
				     const unsigned char *seq,
				     unsigned int len, FILE *sink)
{
	struct kvmpfn_session *s = kvmpfn_session_create("explore", ro, sink,
							 sink);
	unsigned int i;

	if (!s)
		return NULL;
	for (i = 0; i < NR_SETUP; i++)
		kvmpfn_session_line(s, kvmpfn_small_config[i], strlen(kvmpfn_small_config[i]));
	for (i = 0; i < len; i++)
		kvmpfn_session_line(s, ops[seq[i]], strlen(ops[seq[i]]));
	return s;
}

/* ---- canonical state hash --------------------------------------------- */

struct canon {
	u64 h;
	unsigned long pfn[64];
	unsigned int n;
};

static void mix(struct canon *c, u64 v)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		c->h ^= (v >> (8 * i)) & 0xff;
		c->h *= 0x100000001b3ULL;
	}
}

/* pfns are named by first appearance, so equal states hash equal */
static void mix_pfn(struct canon *c, unsigned long pfn)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (c->pfn[i] == pfn)
			break;
	if (i == c->n && c->n < 64)
		c->pfn[c->n++] = pfn;
	mix(c, i);
}

static const u64 hvas[][2] = {
	{ 0x10000000, 8 }, { 0x4fffc000, 8 },
};

static u64 state_hash(struct kvmpfn_sim *sim)
{
	struct canon c = { .h = 0xcbf29ce484222325ULL };
	struct kvm *kvm = &sim->kvm;
	struct kvmpfn_fault *f = &sim->inflight[0];
	unsigned int i, j;
	gfn_t gfn;

	for (i = 0; i < 2; i++) {
		static const gfn_t base[] = { 0x100, 0x200 };
		struct kvm_memory_slot *slot = kvm_memslot_by_id(kvm, 0, i);

		mix(&c, slot ? slot->flags | (1ULL << 32) : 0);
		mix(&c, slot && slot->dirty_bitmap ? slot->dirty_bitmap[0] : 0);
		for (gfn = base[i]; gfn < base[i] + 8; gfn++) {
			struct kvmpfn_leaf_view v;

			if (sim->arch->lookup(sim, 0, gfn, &v)) {
				mix(&c, 0);
				continue;
			}
			mix(&c, 1 | v.level << 1 | v.writable << 4 |
				v.refcounted << 5 | v.accessed << 6 |
				v.dirty << 7);
			mix_pfn(&c, v.pfn + (gfn - v.gfn));
		}
	}
	for (i = 0; i < 2; i++) {
		for (j = 0; j < hvas[i][1]; j++) {
			unsigned long pfn;
			int level = 0;
			u64 pte = hpt_lookup(&sim->mm, hvas[i][0] + j * PAGE_SIZE,
					     &level, &pfn);

			mix(&c, pte & (HPTE_PRESENT | HPTE_WRITE | HPTE_DIRTY |
				       HPTE_SPECIAL));
			mix(&c, level);
			if (pte)
				mix_pfn(&c, pfn);
		}
	}
	mix(&c, kvm->mmu_invalidate_in_progress);
	mix(&c, kvm->mn_active_invalidate_count);
	mix(&c, sim->nr_pending);
	mix(&c, sim->tlb_stale);
	mix(&c, f->active);
	if (f->active) {
		mix(&c, f->gfn | (u64)f->write << 40 |
			(u64)f->info.holds_ref << 41 |
			(u64)(f->mmu_seq == kvm->mmu_invalidate_seq) << 42 |
			(u64)(f->root_gen == sim->root_gen) << 43);
		mix_pfn(&c, f->info.pfn);
	}
	mix(&c, sim->gpc[0].active | sim->gpc[0].valid << 1);
	if (sim->gpc[0].valid)
		mix_pfn(&c, sim->gpc[0].pfn);
	mix(&c, !!sim->maps[0].hva);
	if (sim->maps[0].hva)
		mix_pfn(&c, sim->maps[0].pfn);
	/* the pages named so far, in naming order */
	for (i = 0; i < c.n; i++) {
		struct page *p = host_pfn_to_page(&sim->mm, c.pfn[i]);

		if (!p)
			continue;
		mix(&c, (u64)(u32)host_folio_head(p)->_refcount |
			(u64)(u32)p->kvm_refs << 32);
		mix(&c, p->flags);
	}
	return c.h;
}

struct hashset {
	u64 *v;
	size_t cap;
	size_t n;
};

/* true if @h was new */
static int hs_add(struct hashset *hs, u64 h)
{
	size_t i;

	h |= 1;		/* 0 marks an empty slot */
	if ((hs->n + 1) * 2 > hs->cap) {
		struct hashset big = { .cap = hs->cap ? 2 * hs->cap : 1024 };

		big.v = calloc(big.cap, sizeof(*big.v));
		if (!big.v)
			return -ENOMEM;
		for (i = 0; i < hs->cap; i++)
			if (hs->v[i])
				hs_add(&big, hs->v[i]);
		free(hs->v);
		*hs = big;
	}
	for (i = h & (hs->cap - 1); hs->v[i]; i = (i + 1) & (hs->cap - 1))
		if (hs->v[i] == h)
			return 0;
	hs->v[i] = h;
	hs->n++;
	return 1;
}

/* ---- the reproducer ---------------------------------------------------- */

static void write_repro(const struct kvmpfn_explore_opts *o,
			const struct kvmpfn_run_opts *ro,
			const unsigned char *seq, unsigned int len,
			FILE *sink, FILE *out)
{
	struct kvmpfn_session *s = kvmpfn_session_create("explore", ro, sink,
							 sink);
	const struct kvmpfn_violation *v;
	unsigned int i, n;
	int r;

	if (!s)
		return;
	fprintf(out, "# SPDX-License-Identifier: GPL-2.0\n"
		"# Found by: kvmpfn-sim explore --arch=%s --stage=%s --depth=%u\n"
		"# Reproduce: kvmpfn-sim run --arch=%s --stage=%s FILE\n",
		kvmpfn_arch_name(o->arch), kvmpfn_stage_name(o->stage),
		o->depth, kvmpfn_arch_name(o->arch),
		kvmpfn_stage_name(o->stage));
	for (i = 0; i < NR_SETUP + len; i++) {
		const char *line = i < NR_SETUP ? kvmpfn_small_config[i] : ops[seq[i - NR_SETUP]];

		kvmpfn_session_line(s, line, strlen(line));
		fprintf(out, "%s\n", line);
		r = kvmpfn_session_result(s);
		if (r < 0)
			fprintf(out, "expect error %s\n", kvmpfn_strerror(r));
	}
	n = kvmpfn_violations(kvmpfn_session_sim(s), &v);
	for (i = 0; i < n; i++)
		fprintf(out, "# violates %s%d: %s\n",
			v[i].id ? "I" : "WARN ", v[i].id, v[i].msg);
	kvmpfn_session_finish(s, NULL);
}

/* A violation not on the ignore list ends the exploration. */
static bool stops(const struct kvmpfn_explore_opts *o, struct kvmpfn_sim *sim)
{
	const struct kvmpfn_violation *v;
	unsigned int n = kvmpfn_violations(sim, &v), i;

	for (i = 0; i < n; i++)
		if (!v[i].id || !((o->ignore >> v[i].id) & 1))
			return true;
	return false;
}

int kvmpfn_explore(const struct kvmpfn_explore_opts *o, FILE *repro,
		   struct kvmpfn_explore_stats *st)
{
	struct kvmpfn_run_opts ro = {
		.stage = o->stage, .arch = o->arch, .quiet = true,
		.lenient = true,
	};
	unsigned char *cur = NULL, *next = NULL, *seq;
	size_t ncur = 1, nnext, cap = 0, k;
	struct hashset seen = { 0 };
	struct kvmpfn_session *s;
	unsigned int d, op;
	int rc = 0;
	FILE *sink;

	memset(st, 0, sizeof(*st));
	st->ops = NR_OPS;
	if (!o->depth || o->depth > 16 || !o->shards || o->shard >= o->shards ||
	    !kvmpfn_arch_available(o->arch) ||
	    !kvmpfn_stage_available(o->stage))
		return 2;
	sink = tmpfile();
	if (!sink)
		return -ENOMEM;

	s = replay(&ro, NULL, 0, sink);
	if (!s) {
		fclose(sink);
		return -ENOMEM;
	}
	hs_add(&seen, state_hash(kvmpfn_session_sim(s)));
	kvmpfn_session_finish(s, NULL);

	seq = malloc(o->depth);
	if (!seq) {
		rc = -ENOMEM;
		goto out;
	}
	for (d = 1; d <= o->depth && !rc; d++) {
		nnext = 0;
		for (k = 0; k < ncur && !rc; k++) {
			if (d > 1)
				memcpy(seq, cur + k * (d - 1), d - 1);
			for (op = 0; op < NR_OPS && !rc; op++) {
				int fresh;

				if (d == 1 && op % o->shards != o->shard)
					continue;
				seq[d - 1] = op;
				s = replay(&ro, seq, d, sink);
				if (!s) {
					rc = -ENOMEM;
					break;
				}
				st->sequences++;
				if (stops(o, kvmpfn_session_sim(s))) {
					kvmpfn_session_finish(s, NULL);
					st->violation = true;
					write_repro(o, &ro, seq, d, sink, repro);
					rc = 1;
					break;
				}
				fresh = hs_add(&seen,
					       state_hash(kvmpfn_session_sim(s)));
				kvmpfn_session_finish(s, NULL);
				if (fresh < 0) {
					rc = fresh;
					break;
				}
				if (!fresh && !o->no_prune) {
					st->pruned++;
					continue;
				}
				st->states += fresh;
				if (d == o->depth)
					continue;
				if ((nnext + 1) * d > cap) {
					unsigned char *p;

					cap = cap ? 2 * cap : 4096;
					while (cap < (nnext + 1) * d)
						cap *= 2;
					p = realloc(next, cap);
					if (!p) {
						rc = -ENOMEM;
						break;
					}
					next = p;
				}
				memcpy(next + nnext * d, seq, d);
				nnext++;
			}
		}
		if (!rc)
			st->depth_done = d;
		/* the next level's frontier becomes the current one */
		free(cur);
		cur = next;
		ncur = nnext;
		next = NULL;
		cap = 0;
	}
out:
	free(cur);
	free(next);
	free(seq);
	free(seen.v);
	fclose(sink);
	return rc;
}
