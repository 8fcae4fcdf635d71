# SPDX-License-Identifier: GPL-2.0
#
# arm64 stage-2 MMU model.  The fault handler calls the core, so it is a
# stage unit; the descriptor format, the page tables and the life cycle
# around the fault handler are compiled once.
list(APPEND KVMPFN_ARCH_STAGE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/arm64_mmu.c)
list(APPEND KVMPFN_ARCH_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/s2_pte.c
  ${CMAKE_CURRENT_LIST_DIR}/s2_pgtable.c
  ${CMAKE_CURRENT_LIST_DIR}/arm64_common.c)
list(APPEND KVMPFN_ARCH_DEFINES KVMPFN_HAVE_ARM64)
