# The progress bar appears on a terminal and nowhere else: `pschema pool
# check` on an 80 MiB pool (heaps from 64 MiB get one), once
# under `script` (a pseudo-terminal) and once with output captured.
file(REMOVE ${DIR}/big.pool)
execute_process(COMMAND ${PSCHEMA} pool create --schema ${SCHEMA} --pool bank.Ledger --size 80M ${DIR}/big.pool
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "pool create failed (${status}): ${out}${err}")
endif()
execute_process(COMMAND ${SCRIPT} -qec "${PSCHEMA} pool check ${DIR}/big.pool" /dev/null
                RESULT_VARIABLE status OUTPUT_VARIABLE terminal ERROR_VARIABLE terminal_err)
if(NOT status EQUAL 0 OR NOT terminal MATCHES "check: heap +\\[[# ]+\\] +[0-9]+%")
  message(FATAL_ERROR "no progress bar on a terminal (status ${status}):\n${terminal}${terminal_err}")
endif()
execute_process(COMMAND ${PSCHEMA} pool check ${DIR}/big.pool
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0 OR NOT err STREQUAL "" OR out MATCHES "%")
  message(FATAL_ERROR "progress output without a terminal (status ${status}):\n${out}${err}")
endif()
file(REMOVE ${DIR}/big.pool)
