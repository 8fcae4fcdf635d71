/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: symbol exports.  The model links everything into one program, so
 * an export marks nothing.
 */
#ifndef KVMPFN_KSHIM_LINUX_EXPORT_H
#define KVMPFN_KSHIM_LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)

#endif
