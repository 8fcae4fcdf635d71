// SPDX-License-Identifier: GPL-2.0
/* The scenario lexer: words and key=value pairs separated by blanks. */
#include <stdio.h>
#include <string.h>

#include "lexer.h"

/*
 * Character classes by table: the lexer runs for every line a fuzz input
 * decodes to, and one load per character is cheaper than a chain of
 * comparisons (each of which the fuzzer's instrumentation also traces).
 */
enum { C_TOK = 1, C_BLANK = 2 };

static const unsigned char cclass[256] = {
	['a' ... 'z'] = C_TOK, ['A' ... 'Z'] = C_TOK, ['0' ... '9'] = C_TOK,
	['_'] = C_TOK, ['.'] = C_TOK, ['+'] = C_TOK, ['-'] = C_TOK,
	['/'] = C_TOK, [':'] = C_TOK, [','] = C_TOK,
	[' '] = C_BLANK, ['\t'] = C_BLANK, ['\r'] = C_BLANK,
};

static int is_blank(char c)
{
	return cclass[(unsigned char)c] == C_BLANK;
}

int scn_lex(const char *text, size_t len, int lineno, struct scn_line *out,
	    int *errcol, char *errmsg, size_t errlen)
{
	size_t i = 0;

	/* tokens past ntok are never read: no need to clear them */
	out->lineno = lineno;
	out->ntok = 0;
	while (i < len) {
		struct scn_tok *t;
		size_t start, eq = 0, n;

		while (i < len && is_blank(text[i]))
			i++;
		if (i >= len || text[i] == '#')
			break;
		start = i;
		while (i < len) {
			unsigned char c = (unsigned char)text[i];

			if (cclass[c] != C_TOK) {
				if (cclass[c] == C_BLANK || c == '#')
					break;
				if (c != '=' || eq || i == start) {
					*errcol = (int)i + 1;
					snprintf(errmsg, errlen,
						 c < 32 || c > 126 ?
						 "unexpected byte 0x%02x" :
						 "unexpected character '%c'",
						 c);
					return -1;
				}
				eq = i;
			}
			i++;
		}
		if (out->ntok == SCN_MAX_TOKS) {
			*errcol = (int)start + 1;
			snprintf(errmsg, errlen, "more than %d tokens on a line",
				 SCN_MAX_TOKS);
			return -1;
		}
		t = &out->tok[out->ntok++];
		t->col = (int)start + 1;
		t->used = 0;
		t->key[0] = '\0';
		n = eq ? eq - start : i - start;
		if (n >= SCN_MAX_TEXT || (eq && i - eq - 1 >= SCN_MAX_TEXT)) {
			*errcol = t->col;
			snprintf(errmsg, errlen, "token longer than %d characters",
				 SCN_MAX_TEXT - 1);
			return -1;
		}
		if (eq) {
			memcpy(t->key, text + start, n);
			t->key[n] = '\0';
			if (eq + 1 == i) {
				*errcol = (int)eq + 2;
				snprintf(errmsg, errlen, "missing value after '%s='",
					 t->key);
				return -1;
			}
			memcpy(t->val, text + eq + 1, i - eq - 1);
			t->val[i - eq - 1] = '\0';
		} else {
			memcpy(t->val, text + start, n);
			t->val[n] = '\0';
		}
	}
	return 0;
}
