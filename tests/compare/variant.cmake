# SPDX-License-Identifier: GPL-2.0
# Write IN with FIND replaced by REPLACE to OUT (an error if FIND is not
# there: the variant would test nothing), then run CMD on it as
# expect_exit.cmake does: exit code EXIT, output matching REGEX.
file(READ ${IN} text)
string(FIND "${text}" "${FIND}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${IN} has no '${FIND}': the variant would be the file itself")
endif()
string(REPLACE "${FIND}" "${REPLACE}" text "${text}")
file(WRITE ${OUT} "${text}")
include(${CMAKE_CURRENT_LIST_DIR}/../expect_exit.cmake)
