/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fuzz inputs as scenarios.  Any byte string decodes to a scenario: two
 * header bytes pick the stage and the architecture (and the x86 paging
 * mode, bits 5-6 of the second byte), the small configuration of the
 * explorer is laid down (unless bit 7 of the first byte says the input is
 * a whole scenario), optionally followed by a 2M huge block (bits 2-4 of
 * the second byte), and each following op byte
 * picks an operation whose arguments come from the bytes after it (missing
 * bytes read as zero, so short inputs still decode).  One op embeds a raw
 * scenario line, so every scenario file has an encoding (seed corpora are
 * generated from examples/ and tests/) and the parser is fuzzed too.
 */
#ifndef KVMPFN_DECODE_H
#define KVMPFN_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include <kvmpfn/kvmpfn.h>

#ifdef __cplusplus
extern "C" {
#endif

/* called for each decoded line; a non-zero return stops decoding */
typedef int (*kvmpfn_line_fn)(void *ctx, const char *line, size_t len);

/* header byte 0: stage in bits 0-6, and */
#define KVMPFN_DECODE_WHOLE		0x80	/* a whole scenario, no config */
/* header byte 1: architecture in bits 0-1, and */
#define KVMPFN_DECODE_ARCH_MASK		0x03
#define KVMPFN_DECODE_BLOCK		0x04	/* slot 2: a huge 2M block */
#define KVMPFN_DECODE_BLOCK_KIND(b)	(((b) >> 3) & 3)
/*
 * bits 5-6: the x86 model's paging mode, laid down first as an
 * "x86 paging=" line (other models ignore it): 0 TDP (no line),
 * 1 shadow64, 2 PAE, 3 shadow64 with CR4.PKE
 */
#define KVMPFN_DECODE_X86_PAGING(b)	(((b) >> 5) & 3)

/* What an encoded scenario runs on (kvmpfn_encode_config()). */
enum kvmpfn_decode_config {
	KVMPFN_DECODE_NONE = -1,		/* the scenario alone */
	KVMPFN_DECODE_SMALL = 0,		/* the small configuration */
	/* the small configuration and slot 2, a 2M huge VM_PFNMAP of: */
	KVMPFN_DECODE_BLOCK_NONCOMPOUND,	/* order 9, refcount-0 tails */
	KVMPFN_DECODE_BLOCK_RESERVED,		/* a PG_reserved folio */
	KVMPFN_DECODE_BLOCK_COMPOUND,		/* a refcounted folio */
	KVMPFN_DECODE_BLOCK_NOSTRUCT,		/* memory without struct page */
};

struct kvmpfn_decoded {
	enum kvmpfn_stage stage;
	enum kvmpfn_arch arch;
	unsigned int lines;
};

/*
 * Decode @data.  @arch_mask limits the architectures the header may pick
 * (bit per enum kvmpfn_arch; only available ones count; 0: all available).
 * With @fn NULL only the header is decoded.  -1 if no architecture fits.
 */
int kvmpfn_decode(const uint8_t *data, size_t size, unsigned int arch_mask,
		  struct kvmpfn_decoded *hdr, kvmpfn_line_fn fn, void *ctx);

/*
 * Encode a scenario's lines as raw-line ops after a header for @stage and
 * @arch; returns the encoded size, or 0 if @cap is too small or a line is
 * longer than 255 bytes.
 */
size_t kvmpfn_encode(const char *text, size_t len, enum kvmpfn_stage stage,
		     enum kvmpfn_arch arch, uint8_t *out, size_t cap);

/*
 * The same, run on top of configuration @config (enum
 * kvmpfn_decode_config): the header lays it down and the lines follow.
 */
size_t kvmpfn_encode_config(const char *text, size_t len,
			    enum kvmpfn_stage stage, enum kvmpfn_arch arch,
			    int config, uint8_t *out, size_t cap);

/* The fixed configuration shared by the explorer and the decoder. */
extern const char *const kvmpfn_small_config[];
extern const unsigned int kvmpfn_small_config_lines;

#ifdef __cplusplus
}
#endif

#endif
