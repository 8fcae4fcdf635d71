# SPDX-License-Identifier: GPL-2.0
# Hunt one bug-zoo mutant: run FUZZER with KVMPFN_BUG=BUG on a fresh copy
# of the seed corpus for at most 60 s and pass if it reports INV.
set(work ${WORKDIR}/hunt-${BUG})
file(REMOVE_RECURSE ${work})
file(MAKE_DIRECTORY ${work}/corpus)
file(GLOB seeds ${SEEDS}/*)
file(COPY ${seeds} DESTINATION ${work}/corpus)
set(ENV{KVMPFN_BUG} ${BUG})
execute_process(COMMAND ${FUZZER} -max_total_time=60 -max_len=256
    -dict=${DICT} -artifact_prefix=${work}/ ${work}/corpus
  OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
string(REGEX MATCH "violation ${INV} [^\n]*" found "${out}")
string(REGEX MATCH "Done [0-9]+ runs in [0-9]+ second" done "${out}")
if(NOT found)
  message(FATAL_ERROR "${BUG}: no ${INV} found in 60 s (${done})")
endif()
message(STATUS "${BUG}: ${found}")
