/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: the kernel's basic integer and address types, for the userspace
 * build of the kvmpfn core.  Nothing here is modelled; these are the names
 * the core uses so that it compiles unchanged in the kernel.
 */
#ifndef KVMPFN_KSHIM_LINUX_TYPES_H
#define KVMPFN_KSHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

typedef u64 phys_addr_t;

/* The KVM address types of include/linux/kvm_types.h. */
typedef u64 gpa_t;
typedef u64 gfn_t;
typedef u64 hpa_t;
typedef u64 hfn_t;
typedef unsigned long hva_t;
typedef hfn_t kvm_pfn_t;

#define BITS_PER_LONG	(8 * (int)sizeof(long))
#define BIT(nr)		(1UL << (nr))
#define BIT_ULL(nr)	(1ULL << (nr))

#endif
