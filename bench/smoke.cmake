# SPDX-License-Identifier: GPL-2.0
#
# bench.smoke: run kvmpfn-bench with small sizes and check that it exits 0
# and that every line it prints is a JSON object with a "bench" key,
# including the P1, P2 and P4 lines and the target lines.  No timing is judged.
#
#   cmake -DBENCH=<path to kvmpfn-bench> -P smoke.cmake

cmake_minimum_required(VERSION 3.25)

if(NOT BENCH)
  message(FATAL_ERROR "bench.smoke: FAILED: -DBENCH= not given")
endif()

execute_process(COMMAND ${BENCH} --quick --skip-p3
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE rc)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bench.smoke: FAILED: kvmpfn-bench exited with ${rc}")
endif()

string(STRIP "${out}" out)
string(REPLACE "\n" ";" lines "${out}")
set(n 0)
set(seen "")
foreach(line IN LISTS lines)
  string(JSON kind ERROR_VARIABLE jerr GET "${line}" bench)
  if(jerr)
    message(FATAL_ERROR "bench.smoke: FAILED: not a JSON object with \"bench\": ${line} (${jerr})")
  endif()
  string(JSON e ERROR_VARIABLE jerr GET "${line}" error)
  if(NOT jerr)
    message(FATAL_ERROR "bench.smoke: FAILED: error line: ${line}")
  endif()
  list(APPEND seen ${kind})
  math(EXPR n "${n} + 1")
endforeach()

foreach(kind fault_4k p1_ratio memslot_lookup memslot_ratio fuzz target)
  if(NOT kind IN_LIST seen)
    message(FATAL_ERROR "bench.smoke: FAILED: no \"${kind}\" line")
  endif()
endforeach()
message("bench.smoke: ${n} JSON lines OK")
