// SPDX-License-Identifier: GPL-2.0
/*
 * Consumer of an installed kvmpfn: compiles against the installed header
 * and links the installed library.  Used by scripts/check-install.sh.
 */
#include <stdio.h>

#include <kvmpfn/kvmpfn.h>

int main(void)
{
	const char *version = kvmpfn_version();

	if (!version || !*version) {
		fprintf(stderr, "kvmpfn_version() returned nothing\n");
		return 1;
	}
	printf("kvmpfn %s\n", version);
	return 0;
}
