# SPDX-License-Identifier: GPL-2.0
# x86 TDP MMU (EPT) model.  spte.c and tdp_pt.c are stage-neutral (the
# entry format, the tables and the walker); tdp_mmu.c is the stage unit
# (fault path, choke point, zap/aging/dirty logging), built once per stage.
list(APPEND KVMPFN_ARCH_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/spte.c
  ${CMAKE_CURRENT_LIST_DIR}/tdp_pt.c)
list(APPEND KVMPFN_ARCH_STAGE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/tdp_mmu.c)
list(APPEND KVMPFN_ARCH_DEFINES KVMPFN_HAVE_X86)
