# Runs `pschema ARGS...` in WORKING_DIRECTORY and compares exit status and
# stdout+stderr with EXPECTED_FILE, after masking what differs between runs
# of the same pool: the UUID, the creation time and the salt of a log
# generation (random at every reset). With the environment
# variable PSCHEMA_UPDATE_GOLDEN=1 it writes the expected file instead
# (review the result with git diff).
# JQ=<path to jq> also pipes stdout through `jq -e .`, so that the output is
# known to be valid JSON for scripts.
execute_process(COMMAND ${COMMAND} ${ARGS}
                RESULT_VARIABLE status
                OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
set(actual "${out}${err}")
string(REGEX REPLACE "[0-9a-f]+-[0-9a-f]+-4[0-9a-f]+-[0-9a-f]+-[0-9a-f]+" "<uuid>" actual "${actual}")
string(REGEX REPLACE "created:     [0-9][0-9][0-9][0-9]-[^\n]*" "created:     <time>" actual "${actual}")
string(REGEX REPLACE "\"creation_time\": [0-9]+" "\"creation_time\": <time>" actual "${actual}")
string(REGEX REPLACE "salt 0x[0-9a-f]+" "salt <salt>" actual "${actual}")
string(REGEX REPLACE "\"salt\": \"0x[0-9a-f]+\"" "\"salt\": <salt>" actual "${actual}")
string(REGEX REPLACE "pschema [0-9]+\\.[0-9]+\\.[0-9]+" "pschema @VERSION@" actual "${actual}")
set(actual "exit status ${status}\n${actual}")
if("$ENV{PSCHEMA_UPDATE_GOLDEN}" STREQUAL "1")
  file(WRITE ${EXPECTED_FILE} "${actual}")
  return()
endif()
if(JQ)
  string(REPLACE ";" " " printable "${ARGS}")
  execute_process(COMMAND ${COMMAND} ${ARGS} COMMAND ${JQ} -e .
                  RESULTS_VARIABLE json_status OUTPUT_QUIET ERROR_VARIABLE json_err)
  list(GET json_status 1 jq_status)
  if(NOT jq_status EQUAL 0)
    message(FATAL_ERROR "jq cannot read the output of pschema ${printable}:\n${json_err}")
  endif()
endif()
file(READ ${EXPECTED_FILE} expected)
if(NOT actual STREQUAL expected)
  file(WRITE ${EXPECTED_FILE}.actual "${actual}")
  execute_process(COMMAND diff -u ${EXPECTED_FILE} ${EXPECTED_FILE}.actual OUTPUT_VARIABLE difference)
  file(REMOVE ${EXPECTED_FILE}.actual)
  message(FATAL_ERROR "output differs from ${EXPECTED_FILE} (PSCHEMA_UPDATE_GOLDEN=1 rewrites it)\n${difference}")
endif()
