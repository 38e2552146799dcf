# Generates headers from SCHEMAS (a ;-list) into a scratch directory and
# compares every generated file with its checked-in copy in GOLDEN_DIR.
# After a deliberate change to the generator, run scripts/update-golden.
file(REMOVE_RECURSE ${SCRATCH})
execute_process(COMMAND ${GENERATOR} gen ${SCHEMAS} -o ${SCRATCH}
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "pschema gen failed (${status}):\n${out}${err}")
endif()
file(GLOB generated RELATIVE ${SCRATCH} ${SCRATCH}/*.pschema.h)
file(GLOB golden RELATIVE ${GOLDEN_DIR} ${GOLDEN_DIR}/*.pschema.h)
if(NOT generated STREQUAL golden)
  message(FATAL_ERROR "generated files (${generated}) differ from the golden ones (${golden}); run scripts/update-golden")
endif()
foreach(name IN LISTS generated)
  file(READ ${SCRATCH}/${name} actual)
  file(READ ${GOLDEN_DIR}/${name} expected)
  if(NOT actual STREQUAL expected)
    execute_process(COMMAND diff -u ${GOLDEN_DIR}/${name} ${SCRATCH}/${name} OUTPUT_VARIABLE difference)
    message(FATAL_ERROR "${name} differs from its golden copy; if the change is intended, run scripts/update-golden\n${difference}")
  endif()
endforeach()
