// SPDX-License-Identifier: GPL-2.0
/* The scenario lexer: words and key=value pairs separated by blanks. */
#include <stdio.h>
#include <string.h>

#include "lexer.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_tokch(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '+' ||
	       c == '-' || c == '/' || c == ':' || c == ',';
}

int scn_lex(const char *text, size_t len, int lineno, struct scn_line *out,
	    int *errcol, char *errmsg, size_t errlen)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	out->lineno = lineno;
	while (i < len) {
		struct scn_tok *t;
		size_t start, eq = 0, n;

		while (i < len && is_blank(text[i]))
			i++;
		if (i >= len || text[i] == '#')
			break;
		start = i;
		while (i < len && !is_blank(text[i]) && text[i] != '#') {
			if (text[i] == '=' && !eq && i > start) {
				eq = i;
			} else if (!is_tokch(text[i])) {
				*errcol = (int)i + 1;
				snprintf(errmsg, errlen,
					 (unsigned char)text[i] < 32 ||
					 (unsigned char)text[i] > 126 ?
					 "unexpected byte 0x%02x" :
					 "unexpected character '%c'",
					 (unsigned char)text[i]);
				return -1;
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
		n = eq ? eq - start : i - start;
		if (n >= SCN_MAX_TEXT || (eq && i - eq - 1 >= SCN_MAX_TEXT)) {
			*errcol = t->col;
			snprintf(errmsg, errlen, "token longer than %d characters",
				 SCN_MAX_TEXT - 1);
			return -1;
		}
		if (eq) {
			memcpy(t->key, text + start, n);
			if (eq + 1 == i) {
				*errcol = (int)eq + 2;
				snprintf(errmsg, errlen, "missing value after '%s='",
					 t->key);
				return -1;
			}
			memcpy(t->val, text + eq + 1, i - eq - 1);
		} else {
			memcpy(t->val, text + start, n);
		}
	}
	return 0;
}
