# SPDX-License-Identifier: GPL-2.0
# Hunt one bug-zoo mutant: run FUZZER with KVMPFN_BUG=BUG on a fresh copy
# of the seed corpus for at most 60 s and pass if it reports INV.  The
# time to find (wall seconds, and executions) is printed either way.
set(work ${WORKDIR}/hunt-${BUG})
file(REMOVE_RECURSE ${work})
file(MAKE_DIRECTORY ${work}/corpus)
file(GLOB seeds ${SEEDS}/*)
list(FILTER seeds EXCLUDE REGEX "/\\.[^/]*$")
file(COPY ${seeds} DESTINATION ${work}/corpus)
set(ENV{KVMPFN_BUG} ${BUG})
string(TIMESTAMP t0 "%s" UTC)
execute_process(COMMAND ${FUZZER} -max_total_time=60 -max_len=256
    -dict=${DICT} -artifact_prefix=${work}/ ${work}/corpus
  OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
string(TIMESTAMP t1 "%s" UTC)
math(EXPR secs "${t1} - ${t0}")
string(REGEX MATCH "violation ${INV} [^\n]*" found "${out}")
string(REGEX MATCHALL "\n#[0-9]+" execs "${out}")
list(POP_BACK execs last)
string(REGEX REPLACE "[\n#]" "" last "${last}")
if(NOT last)
  # found while the seed corpus was loading: no status line yet
  list(LENGTH seeds nseeds)
  set(last "<${nseeds}")
endif()
if(NOT found)
  message(FATAL_ERROR "${BUG}: no ${INV} found in ${secs} s (${last} executions)")
endif()
message(STATUS "${BUG}: found after ${secs} s (about ${last} executions): ${found}")
