/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers the runner, the observer and the stage comparison share
 * (observe.c, runner.c).
 */
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

/*
 * Hand each line of @buf (without its newline) to @line, until it returns
 * non-zero (a session that refuses further lines).
 */
void scn_each_line(const char *buf, size_t len,
		   int (*line)(void *ctx, const char *text, size_t n),
		   void *ctx);

#endif
