# SPDX-License-Identifier: GPL-2.0
#
# ppc book3s HV radix: the partition-scoped radix tree and its fault path.
# The fault handler calls the core and is built once per stage; the entry
# format, the tree and its life cycle are stage-neutral.
list(APPEND KVMPFN_ARCH_STAGE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/ppc_fault.c)
list(APPEND KVMPFN_ARCH_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/radix_pte.c
  ${CMAKE_CURRENT_LIST_DIR}/radix_mmu.c)
list(APPEND KVMPFN_ARCH_DEFINES KVMPFN_HAVE_PPC)
