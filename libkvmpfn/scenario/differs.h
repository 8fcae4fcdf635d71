/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "differs" scenario line (<kvmpfn/compare.h>): parsed here for the
 * runner, which validates and otherwise ignores it, and for compare.
 */
#ifndef KVMPFN_SCENARIO_DIFFERS_H
#define KVMPFN_SCENARIO_DIFFERS_H

#include <stddef.h>

#include <kvmpfn/kvmpfn.h>

#include "lexer.h"

struct scn_differs {
	enum kvmpfn_stage stage[2];	/* model stages, either order */
	unsigned int aspects;		/* bit per enum kvmpfn_aspect */
	unsigned int arches;		/* bit per enum kvmpfn_arch, 0: all */
};

/*
 * Parse @ln, a differs line: its arguments are marked used.  0, or -1 with
 * the column in *@col and the message in @msg.
 */
int scn_differs_parse(struct scn_line *ln, struct scn_differs *d, int *col,
		      char *msg, size_t len);

#endif
