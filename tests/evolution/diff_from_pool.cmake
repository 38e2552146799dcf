# `pschema diff POOL NEW`: makes a pool from evolution/mixed/old.pschema,
# then compares the schema it stores with evolution/mixed/new.pschema. The
# exit status must be 2 (a refused change) and the output EXPECTED_FILE.
file(REMOVE_RECURSE ${SCRATCH})
file(MAKE_DIRECTORY ${SCRATCH})
execute_process(COMMAND ${PSCHEMA} pool create --schema evolution/mixed/old.pschema --pool shop.Store --size 4M
                        ${SCRATCH}/old.pool
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "pool create failed (${status}):\n${out}${err}")
endif()
execute_process(COMMAND ${PSCHEMA} diff ${SCRATCH}/old.pool evolution/mixed/new.pschema
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(actual "${out}${err}")
file(READ ${EXPECTED_FILE} expected)
if(NOT status EQUAL 2)
  message(FATAL_ERROR "exit status ${status}, expected 2\n--- output ---\n${actual}")
endif()
if(NOT actual STREQUAL expected)
  message(FATAL_ERROR "output differs from ${EXPECTED_FILE}\n--- expected ---\n${expected}\n--- actual ---\n${actual}")
endif()
