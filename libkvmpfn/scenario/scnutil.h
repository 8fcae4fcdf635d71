/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers the observer and the stage comparison share (observe.c). */
#ifndef KVMPFN_SCENARIO_SCNUTIL_H
#define KVMPFN_SCENARIO_SCNUTIL_H

#include <stddef.h>
#include <stdio.h>

/* the index of @name in @names[@n], or -1 */
int scn_name_index(const char *const *names, unsigned int n,
		   const char *name);

/*
 * Read @path (scn_read_file()) and hand its text to @fn; the exit code of
 * the read if it failed, else what @fn returns.
 */
int scn_on_file(const char *path, FILE *err,
		int (*fn)(const char *path, const char *buf, size_t len,
			  void *ctx),
		void *ctx);

#endif
