# Runs COMMAND with ARGS (a ;-list), checks the exit status against
# EXPECTED_EXIT and the combined stdout+stderr against EXPECTED_FILE.
# `@VERSION@` in the expected file stands for any version string.
execute_process(COMMAND ${COMMAND} ${ARGS}
                RESULT_VARIABLE status
                OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
set(actual "${out}${err}")
file(READ ${EXPECTED_FILE} expected)
if(NOT status STREQUAL EXPECTED_EXIT)
  message(FATAL_ERROR "exit status ${status}, expected ${EXPECTED_EXIT}\n--- output ---\n${actual}")
endif()
string(REGEX REPLACE "pschema [0-9]+\\.[0-9]+\\.[0-9]+" "pschema @VERSION@" actual "${actual}")
if(NOT actual STREQUAL expected)
  message(FATAL_ERROR "output differs from ${EXPECTED_FILE}\n--- expected ---\n${expected}\n--- actual ---\n${actual}")
endif()
