/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: container_of(), the structure that embeds a given member.
 */
#ifndef KVMPFN_KSHIM_LINUX_CONTAINER_OF_H
#define KVMPFN_KSHIM_LINUX_CONTAINER_OF_H

#include <stddef.h>

#define container_of(ptr, type, member)					\
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
