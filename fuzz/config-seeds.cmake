# SPDX-License-Identifier: GPL-2.0
# Seeds of the decoded-op form: a header that lays down the decoder's
# configuration (the small one, and with each backing of the 2M block) at
# every stage and architecture, and no op yet.  Raw-line seeds from the
# scenario files start with the whole-scenario bit, so without these the
# fuzzer reaches the op decoder only by mutating a header by chance.
#   -DSIM=kvmpfn-sim -DSCN=empty scenario -DOUT=dir -DSTAGES=.. -DARCHES=..
file(MAKE_DIRECTORY ${OUT})
# The small configuration at every stage; the block, which only adds
# slot 2, at the first and the last (a mutated header reaches the rest).
list(GET STAGES 0 first)
list(GET STAGES -1 last)
foreach(stage ${STAGES})
  foreach(arch ${ARCHES})
    set(configs small)
    if(stage STREQUAL first OR stage STREQUAL last)
      list(APPEND configs block-noncompound block-reserved block-compound
        block-nostruct)
    endif()
    foreach(config ${configs})
      execute_process(COMMAND ${SIM} encode --stage=${stage} --arch=${arch}
          --config=${config} ${SCN}
        OUTPUT_FILE ${OUT}/config-${config}-${arch}-${stage}
        RESULT_VARIABLE rc)
      if(NOT rc EQUAL 0)
        message(FATAL_ERROR "encode --config=${config} failed")
      endif()
    endforeach()
  endforeach()
endforeach()
file(TOUCH ${OUT}/.stamp-config)
