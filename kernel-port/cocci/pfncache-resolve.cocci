// SPDX-License-Identifier: GPL-2.0
// The pfn cache resolves its pfn through gpc_resolve(), which builds the
// struct kvm_follow_pfn, instead of calling hva_to_pfn() with booleans.
@@
identifier gpc;
@@
- hva_to_pfn(gpc->uhva, false, false, NULL, true, NULL)
+ gpc_resolve(gpc)
