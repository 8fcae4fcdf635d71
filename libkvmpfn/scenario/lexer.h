/* SPDX-License-Identifier: GPL-2.0 */
/* Splitting one scenario line into words and key=value arguments. */
#ifndef KVMPFN_SCENARIO_LEXER_H
#define KVMPFN_SCENARIO_LEXER_H

#include <stddef.h>
#include <stdio.h>

#define SCN_MAX_TOKS	16
#define SCN_MAX_TEXT	64

struct scn_tok {
	char key[SCN_MAX_TEXT];		/* empty for a bare word */
	char val[SCN_MAX_TEXT];		/* the word, or the value */
	int col;			/* 1-based column of the token */
	int used;			/* consumed by the interpreter */
};

struct scn_line {
	int lineno;
	int ntok;
	struct scn_tok tok[SCN_MAX_TOKS];
};

/*
 * Tokenise @text (one line, no newline).  Returns 0, with ntok == 0 for a
 * blank or comment line, or -1 with *errcol and @errmsg set.
 */
/* Read a whole scenario file (at most 64 MiB); KVMPFN_EXIT_USAGE if not. */
int scn_read_file(const char *path, char **buf, size_t *len, FILE *err);

int scn_lex(const char *text, size_t len, int lineno, struct scn_line *out,
	    int *errcol, char *errmsg, size_t errlen);

#endif
