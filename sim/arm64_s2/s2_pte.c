// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 stage-2 descriptors: the conversions between what a mapping asks
 * for (read/write/exec, memory type) and the leaf attribute bits.  Layout
 * and the reasons for each bit: s2_pte.h.
 */
#include <stdio.h>

#include <linux/errno.h>

#include "s2_pte.h"

int s2_prot_to_attr(u64 prot, bool fwb, kvm_pte_t *attr)
{
	kvm_pte_t a;
	u64 mt;

	switch (prot & (S2_PROT_DEVICE | S2_PROT_NORMAL_NC)) {
	case S2_PROT_DEVICE | S2_PROT_NORMAL_NC:
		return -EINVAL;
	case S2_PROT_DEVICE:
		/* the guest must never fetch instructions from MMIO */
		if (prot & S2_PROT_X)
			return -EINVAL;
		mt = fwb ? S2_MT_FWB_DEVICE_nGnRE : S2_MT_DEVICE_nGnRE;
		break;
	case S2_PROT_NORMAL_NC:
		if (prot & S2_PROT_X)
			return -EINVAL;
		mt = fwb ? S2_MT_FWB_NORMAL_NC : S2_MT_NORMAL_NC;
		break;
	default:
		mt = fwb ? S2_MT_FWB_NORMAL : S2_MT_NORMAL;
		break;
	}

	a = mt << S2_ATTR_MEMATTR_SHIFT;
	if (!(prot & S2_PROT_X))
		a |= S2_ATTR_XN;
	if (prot & S2_PROT_R)
		a |= S2_ATTR_S2AP_R;
	if (prot & S2_PROT_W)
		a |= S2_ATTR_S2AP_W;
	a |= S2_ATTR_SH_IS << S2_ATTR_SH_SHIFT;
	/* new leaves start young: no access-flag fault on first use */
	a |= S2_ATTR_AF;
	a |= prot & S2_ATTR_SW;
	*attr = a;
	return 0;
}

u64 s2_pte_to_prot(kvm_pte_t pte)
{
	u64 prot = pte & S2_ATTR_SW;

	if (!s2_pte_valid(pte))
		return prot;
	if (pte & S2_ATTR_S2AP_R)
		prot |= S2_PROT_R;
	if (pte & S2_ATTR_S2AP_W)
		prot |= S2_PROT_W;
	if (!(pte & S2_ATTR_XN))
		prot |= S2_PROT_X;
	return prot;
}

bool s2_pte_needs_update(kvm_pte_t old, kvm_pte_t new)
{
	if (!s2_pte_valid(old) || !s2_pte_valid(new))
		return true;
	return (old ^ new) & ~S2_ATTR_PERMS;
}

int s2_pte_format(kvm_pte_t pte, int level, char *buf, size_t len)
{
	if (!pte)
		return snprintf(buf, len, "L%d none", level);
	if (!s2_pte_valid(pte)) {
		if (s2_pte_is_locked(pte))
			return snprintf(buf, len, "L%d locked", level);
		return snprintf(buf, len, "L%d invalid owner=%u", level,
				s2_pte_owner(pte));
	}
	if (s2_pte_is_table(pte, level))
		return snprintf(buf, len, "L%d table pa=0x%llx", level,
				(unsigned long long)s2_pte_to_phys(pte));
	if (!s2_pte_is_leaf(pte, level))
		return snprintf(buf, len, "L%d reserved 0x%llx", level,
				(unsigned long long)pte);
	return snprintf(buf, len, "L%d %s pa=0x%llx mt=%u %c%c%c%s sh=%llu sw=%llx",
			level, level == S2_LAST_LEVEL ? "page" : "block",
			(unsigned long long)s2_pte_to_phys(pte),
			s2_pte_memattr(pte),
			s2_pte_readable(pte) ? 'r' : '-',
			s2_pte_writable(pte) ? 'w' : '-',
			s2_pte_executable(pte) ? 'x' : '-',
			s2_pte_young(pte) ? " young" : "",
			(unsigned long long)((pte & S2_ATTR_SH) >> S2_ATTR_SH_SHIFT),
			(unsigned long long)((pte & S2_ATTR_SW) >> 55));
}
