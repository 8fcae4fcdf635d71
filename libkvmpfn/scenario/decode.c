// SPDX-License-Identifier: GPL-2.0
/*
 * Bytes to scenario lines, for the fuzz targets and `kvmpfn-sim decode`.
 * Arguments are read FuzzedDataProvider-style: each op consumes the bytes
 * it needs from the front, a missing byte reads as zero.
 */
#include <stdio.h>
#include <string.h>

#include <kvmpfn/decode.h>

/*
 * Slot 0 (gfn 0x100-0x107): 4 pages of anonymous memory (the zero page on
 * a read) then 4 read-only anonymous pages.  Slot 1 (gfn 0x200-0x207): the
 * last 4 pages of a THP-backed region, then a VM_PFNMAP mapping of a
 * non-compound order-2 block whose tails have refcount 0.
 */
const char *const kvmpfn_small_config[] = {
	"alloc vram order=2",
	"mmap hva=0x10000000 size=16K anon prot=rw",
	"mmap hva=0x10004000 size=16K anon prot=r",
	"mmap hva=0x4fe00000 size=2M anon thp prot=rw",
	"mmap hva=0x50000000 size=16K pfnmap=vram shared prot=rw",
	"touch hva=0x4fffc000 write",
	"memslot create id=0 gfn=0x100 npages=8 hva=0x10000000",
	"memslot create id=1 gfn=0x200 npages=8 hva=0x4fffc000",
};

const unsigned int kvmpfn_small_config_lines =
	sizeof(kvmpfn_small_config) / sizeof(kvmpfn_small_config[0]);

/*
 * Decoder only (the explorer does not see it): with KVMPFN_DECODE_BLOCK in
 * the second header byte, slot 2 (gfn 0x40000-0x401ff) is a 2M-aligned
 * huge VM_PFNMAP of an order-9 block whose backing the header picks
 * (enum kvmpfn_decode_block), so hugepage adjustment runs on memory whose
 * subpages carry their own refcounts (or none).  Op arguments with bit 6
 * set then name a page of that block.
 */
static const char *const block_alloc[] = {
	"alloc blk order=9",
	"alloc blk order=9 compound reserved",
	"alloc blk order=9 compound",
	"alloc blk order=9 nostruct",
};

static const char *const x86_paging[] = {
	"",
	"x86 paging=shadow64",
	"x86 paging=pae",
	"x86 paging=shadow64 pke",
};

static const char *const block_config[] = {
	"mmap hva=0x40000000 size=2M pfnmap=blk shared huge prot=rw",
	"memslot create id=2 gfn=0x40000 npages=512 hva=0x40000000",
};

struct reader {
	const uint8_t *p;
	size_t left;
	bool block;		/* slot 2 is configured */
};

static unsigned int byte(struct reader *r)
{
	if (!r->left)
		return 0;
	r->left--;
	return *r->p++;
}

/*
 * The config's gfns and the hvas behind them: bit 3 picks slot 1 over
 * slot 0, bits 0-2 the page.  Bit 6 picks, with the block configured, one
 * of eight pages spread over the block (page 0 is its head); without it,
 * a page of slot 2, which OP_SLOT_CREATE can add over the whole THP (gfn
 * 0x400, 512 pages, 2M-aligned in gpa and hva).
 */
static bool in_block(const struct reader *r, unsigned int b)
{
	return r->block && (b & 0x40);
}

static unsigned long gfn_of(const struct reader *r, unsigned int b)
{
	if (in_block(r, b))
		return 0x40000 + (b & 7) * 73;
	if (b & 0x40)
		return 0x400 + (b & 7);
	return (b & 8 ? 0x200 : 0x100) + (b & 7);
}

static unsigned long hva_of(const struct reader *r, unsigned int b)
{
	if (in_block(r, b))
		return 0x40000000UL + (b & 7) * 73 * 0x1000UL;
	return (b & 8 ? 0x4fffc000UL : 0x10000000UL) + (b & 7) * 0x1000UL;
}

enum {
	OP_FAULT, OP_FAULT_BEGIN, OP_FAULT_FINISH, OP_TOUCH, OP_MIGRATE,
	OP_MPROTECT, OP_MUNMAP, OP_THP_SPLIT, OP_THP_COLLAPSE, OP_INVAL_BEGIN,
	OP_INVAL_END, OP_AGE, OP_SLOT_FLAGS, OP_DIRTY_LOG, OP_SLOT_DELETE,
	OP_SLOT_CREATE, OP_SLOT_MOVE, OP_GPC_ACTIVATE, OP_GPC_REFRESH,
	OP_GPC_DEACTIVATE, OP_VCPU_MAP, OP_VCPU_UNMAP, OP_FREE, OP_POISON,
	OP_WAIT, OP_GFN_TO_PAGE, OP_RAW, NR_DECODE_OPS
};

static int emit(kvmpfn_line_fn fn, void *ctx, struct kvmpfn_decoded *hdr,
		const char *line, size_t len)
{
	hdr->lines++;
	return fn(ctx, line, len);
}

/*
 * One op: write its line to @buf; returns the length.  *@then, if set, is
 * a second line the op emits after the first.
 */
static int decode_op(struct reader *r, char *buf, size_t cap,
		     const char **then)
{
	unsigned int op = byte(r) % NR_DECODE_OPS, a, b;

	switch (op) {
	case OP_FAULT:
	case OP_FAULT_BEGIN:
		a = byte(r);
		return snprintf(buf, cap, "%s gfn=0x%lx%s vcpu=%u",
				op == OP_FAULT ? "fault" : "fault_begin",
				gfn_of(r, a), a & 0x10 ? " write" : "",
				(a >> 5) & 1);
	case OP_FAULT_FINISH:
		return snprintf(buf, cap, "fault_finish vcpu=%u", byte(r) & 1);
	case OP_TOUCH:
		a = byte(r);
		return snprintf(buf, cap, "touch hva=0x%lx%s", hva_of(r, a),
				a & 0x10 ? " write" : "");
	case OP_MIGRATE:
		return snprintf(buf, cap, "migrate hva=0x%lx", hva_of(r, byte(r)));
	case OP_MPROTECT:
		a = byte(r);
		return snprintf(buf, cap, "mprotect hva=0x%lx size=4K prot=%s",
				hva_of(r, a), a & 0x10 ? "rw" : "r");
	case OP_MUNMAP:
		return snprintf(buf, cap, "munmap hva=0x%lx size=4K",
				hva_of(r, byte(r)));
	case OP_THP_SPLIT:
		return snprintf(buf, cap, "thp_split hva=0x4fffc000");
	case OP_THP_COLLAPSE:
		return snprintf(buf, cap, "thp_collapse hva=0x4fffc000");
	case OP_INVAL_BEGIN:
		a = byte(r);
		b = byte(r);
		/*
		 * bit 4 without bit 3 (migrate): a whole notifier round
		 * (begin and end at once) that moves nothing: caches and
		 * leaves are invalidated although no page moved.  A migrating
		 * invalidation stays open, for what races with it.
		 */
		if ((b & 0x18) == 0x10)
			*then = "invalidate_end";
		return snprintf(buf, cap, "invalidate_begin hva=0x%lx size=%uK%s",
				hva_of(r, a), 4 * (1 + (b & 7)),
				b & 8 ? " migrate" : "");
	case OP_INVAL_END:
		return snprintf(buf, cap, "invalidate_end");
	case OP_AGE:
		a = byte(r);
		return snprintf(buf, cap, "age hva=0x%lx size=32K",
				hva_of(r, a & 0x48));
	case OP_SLOT_FLAGS:
		a = byte(r);
		return snprintf(buf, cap, "memslot flags id=%u%s", a & 1,
				a & 2 ? " log_dirty" : "");
	case OP_DIRTY_LOG:
		a = byte(r);
		return snprintf(buf, cap, "dirty_log %s id=%u",
				a & 2 ? "clear" : "get", a & 1);
	case OP_SLOT_DELETE:
		return snprintf(buf, cap, "memslot delete id=%u", byte(r) & 1);
	case OP_SLOT_CREATE:
		a = byte(r);
		if (a & 2)
			return snprintf(buf, cap,
					"memslot create id=2 gfn=0x400 npages=512 hva=0x4fe00000");
		a &= 1;
		return snprintf(buf, cap,
				"memslot create id=%u gfn=0x%x npages=8 hva=0x%lx",
				a, a ? 0x200 : 0x100,
				a ? 0x4fffc000UL : 0x10000000UL);
	case OP_SLOT_MOVE:
		a = byte(r);
		return snprintf(buf, cap, "memslot move id=%u gfn=0x%x", a & 1,
				a & 2 ? 0x300 : (a & 1 ? 0x200 : 0x100));
	case OP_GPC_ACTIVATE:
		a = byte(r);
		/*
		 * bit 5: an HVA-only cache, at the page's hva or, with bit 4,
		 * at a page of the THP region that no memslot covers
		 */
		if (a & 0x20)
			return snprintf(buf, cap, "gpc_activate id=%u hva=0x%lx",
					a >> 7, a & 0x10 ?
					0x4fe00000UL + (a & 7) * 0x1000UL :
					hva_of(r, a));
		return snprintf(buf, cap, "gpc_activate id=%u gpa=0x%lx", a >> 7,
				gfn_of(r, a) << 12);
	case OP_GPC_REFRESH:
		return snprintf(buf, cap, "gpc_refresh id=%u", byte(r) & 1);
	case OP_GPC_DEACTIVATE:
		return snprintf(buf, cap, "gpc_deactivate id=%u", byte(r) & 1);
	case OP_VCPU_MAP:
		a = byte(r);
		return snprintf(buf, cap, "vcpu_map id=%u gfn=0x%lx", a >> 7,
				gfn_of(r, a));
	case OP_VCPU_UNMAP:
		a = byte(r);
		return snprintf(buf, cap, "vcpu_unmap id=%u%s", a & 1,
				a & 2 ? " dirty" : "");
	case OP_FREE:
		return snprintf(buf, cap, "free vram");
	case OP_POISON:
		return snprintf(buf, cap, "poison page=vram+%u", byte(r) & 3);
	case OP_WAIT:
		return snprintf(buf, cap, "wait");
	case OP_GFN_TO_PAGE:
		return snprintf(buf, cap, "gfn_to_page gfn=0x%lx",
				gfn_of(r, byte(r)));
	default: {
		size_t n = byte(r);

		if (n > r->left)
			n = r->left;
		if (n >= cap)
			n = cap - 1;
		memcpy(buf, r->p, n);
		buf[n] = '\0';
		r->p += n;
		r->left -= n;
		/* a raw line ends at its first newline */
		return (int)strcspn(buf, "\n");
	}
	}
}

int kvmpfn_decode(const uint8_t *data, size_t size, unsigned int arch_mask,
		  struct kvmpfn_decoded *hdr, kvmpfn_line_fn fn, void *ctx)
{
	struct reader r = { .p = data, .left = size };
	unsigned int a, i, h, blk;
	const char *then;
	char line[300];
	int n;

	memset(hdr, 0, sizeof(*hdr));
	if (!arch_mask)
		arch_mask = ~0U;
	h = byte(&r);
	hdr->stage = (enum kvmpfn_stage)((h & 0x7f) % KVMPFN_NR_STAGES);
	blk = byte(&r);
	a = (blk & KVMPFN_DECODE_ARCH_MASK) % KVMPFN_NR_ARCHES;
	/* an architecture not in this build or not allowed: the first that is */
	for (i = 0; i < KVMPFN_NR_ARCHES; i++) {
		unsigned int c = (a + i) % KVMPFN_NR_ARCHES;

		if ((arch_mask & (1U << c)) &&
		    kvmpfn_arch_available((enum kvmpfn_arch)c)) {
			hdr->arch = (enum kvmpfn_arch)c;
			break;
		}
	}
	if (i == KVMPFN_NR_ARCHES)
		return -1;
	if (!fn)
		return 0;
	/* the x86 paging mode comes before anything is mapped */
	if (!(h & KVMPFN_DECODE_WHOLE) && KVMPFN_DECODE_X86_PAGING(blk)) {
		const char *pl = x86_paging[KVMPFN_DECODE_X86_PAGING(blk)];

		if (emit(fn, ctx, hdr, pl, strlen(pl)))
			return 0;
	}
	/* bit 7 of the first byte: a whole scenario, no configuration */
	for (i = 0; !(h & KVMPFN_DECODE_WHOLE) && i < kvmpfn_small_config_lines;
	     i++)
		if (emit(fn, ctx, hdr, kvmpfn_small_config[i],
			 strlen(kvmpfn_small_config[i])))
			return 0;
	if (!(h & KVMPFN_DECODE_WHOLE) && (blk & KVMPFN_DECODE_BLOCK)) {
		const char *al = block_alloc[KVMPFN_DECODE_BLOCK_KIND(blk)];

		r.block = true;
		if (emit(fn, ctx, hdr, al, strlen(al)))
			return 0;
		for (i = 0; i < sizeof(block_config) / sizeof(block_config[0]);
		     i++)
			if (emit(fn, ctx, hdr, block_config[i],
				 strlen(block_config[i])))
				return 0;
	}
	while (r.left) {
		then = NULL;
		n = decode_op(&r, line, sizeof(line), &then);
		if (n < 0)
			n = 0;
		if (emit(fn, ctx, hdr, line, (size_t)n))
			break;
		if (then && emit(fn, ctx, hdr, then, strlen(then)))
			break;
	}
	return 0;
}

size_t kvmpfn_encode(const char *text, size_t len, enum kvmpfn_stage stage,
		     enum kvmpfn_arch arch, uint8_t *out, size_t cap)
{
	return kvmpfn_encode_config(text, len, stage, arch, -1, out, cap);
}

size_t kvmpfn_encode_config(const char *text, size_t len,
			    enum kvmpfn_stage stage, enum kvmpfn_arch arch,
			    int config, uint8_t *out, size_t cap)
{
	size_t pos = 0, o = 2;

	if (cap < 2 || config > KVMPFN_DECODE_BLOCK_NOSTRUCT)
		return 0;
	out[0] = (config < 0 ? KVMPFN_DECODE_WHOLE : 0) | (uint8_t)stage;
	out[1] = (uint8_t)arch;
	if (config > 0)
		out[1] |= KVMPFN_DECODE_BLOCK | ((config - 1) << 3);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		if (n > 255 || o + 2 + n > cap)
			return 0;
		/* comments and blank lines carry nothing */
		if (n && text[pos] != '#') {
			out[o++] = OP_RAW;
			out[o++] = (uint8_t)n;
			memcpy(out + o, text + pos, n);
			o += n;
		}
		pos += n + 1;
	}
	return o;
}
