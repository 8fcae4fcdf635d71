/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fuzz inputs as scenarios.  Any byte string decodes to a scenario: two
 * header bytes pick the stage and the architecture, the small
 * configuration of the explorer is laid down (unless bit 7 of the first
 * byte says the input is a whole scenario), and each following op byte
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

/* The fixed configuration shared by the explorer and the decoder. */
extern const char *const kvmpfn_small_config[];
extern const unsigned int kvmpfn_small_config_lines;

#ifdef __cplusplus
}
#endif

#endif
