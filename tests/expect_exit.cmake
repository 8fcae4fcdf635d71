# SPDX-License-Identifier: GPL-2.0
# Run CMD (a ;-list) and require exit code EXIT and, if given, output
# (stdout + stderr) matching REGEX and not matching NOT_REGEX.  ctest's own
# properties can check either the exit code or the output, not both.
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out
		ERROR_VARIABLE out)
if(NOT rc STREQUAL EXIT)
  message(FATAL_ERROR "exit code ${rc}, expected ${EXIT}\n${out}")
endif()
if(DEFINED REGEX AND NOT out MATCHES "${REGEX}")
  message(FATAL_ERROR "output does not match '${REGEX}':\n${out}")
endif()
if(DEFINED NOT_REGEX AND out MATCHES "${NOT_REGEX}")
  message(FATAL_ERROR "output matches '${NOT_REGEX}':\n${out}")
endif()
message(STATUS "${out}")
