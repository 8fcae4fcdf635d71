/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: the module API.  KVM is not a module in the model; what the
 * core's files use of <linux/module.h> is the export markers.
 */
#ifndef KVMPFN_KSHIM_LINUX_MODULE_H
#define KVMPFN_KSHIM_LINUX_MODULE_H

#include <linux/export.h>

#endif
