/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: the module API.  KVM is not a module in the model; what the
 * core's files use of <linux/module.h> is the export markers.
 */
#ifndef KVMPFN_KSHIM_LINUX_MODULE_H
#define KVMPFN_KSHIM_LINUX_MODULE_H

#include <linux/export.h>
#include <linux/types.h>

/*
 * A module parameter.  The simulator sets it for each run, through the
 * stage's table (struct kvmpfn_stage_ops), as an administrator would at
 * load time; only stage units, where KVMPFN_STAGE_SYM exists, define
 * one.  Boolean parameters are all the core has.
 */
struct kvmpfn_module_param {
	const char *name;
	bool *value;
};

#define module_param(name, type, perm)					\
	const struct kvmpfn_module_param KVMPFN_STAGE_SYM(param_##name) = \
		{ #name, &(name) }

#endif
