# The install test: installs the pschema build in BUILD_DIR into a scratch
# prefix, then configures, builds and runs the consumer project in
# PROJECT_DIR against it (find_package(pschema) + pschema_generate), as a
# user of an installed pschema would. Then checks the generated-header
# dependencies: a second build does nothing, and editing a schema that is
# only imported regenerates.
#
#   cmake -DBUILD_DIR=... -DPROJECT_DIR=... -DWORK_DIR=... [-DCONFIG=Debug]
#         [-DCXX_COMPILER=...] [-DNINJA=...] -P install_and_consume.cmake
#
# Every step that fails stops the test with its command and full output.
foreach(var BUILD_DIR PROJECT_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "install_and_consume.cmake: -D${var}=... is required")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(source ${WORK_DIR}/source)  # a copy: the test edits a schema
set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
file(COPY ${PROJECT_DIR}/ DESTINATION ${source})

# Runs one step; on failure prints the command and everything it printed.
# The combined output is left in `step_output`.
function(step what)
  string(JOIN " " command_line ${ARGN})
  message(STATUS "${what}: ${command_line}")
  execute_process(COMMAND ${ARGN}
                  RESULT_VARIABLE status
                  OUTPUT_VARIABLE out
                  ERROR_VARIABLE out)
  if(NOT status EQUAL 0)
    # Unformatted, unlike a FATAL_ERROR message, which rewraps every line.
    message("--- ${what}: exit status ${status}\n${command_line}\n--- output ---\n${out}--- end of output ---")
    message(FATAL_ERROR "${what} failed (exit status: ${status}); its output is above")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

function(fail what)
  message("--- output of the last step ---\n${step_output}--- end of output ---")
  message(FATAL_ERROR "${what}")
endfunction()

set(config_args "")
set(build_type_arg "")
if(CONFIG)
  set(config_args --config ${CONFIG})
  set(build_type_arg -DCMAKE_BUILD_TYPE=${CONFIG})
endif()
set(tool_args "")
if(CXX_COMPILER)
  list(APPEND tool_args -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
endif()
if(NINJA)
  list(APPEND tool_args -DCMAKE_MAKE_PROGRAM=${NINJA})
endif()

step("install pschema" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} ${config_args})

step("configure the consumer" ${CMAKE_COMMAND} -S ${source} -B ${build} -G Ninja
     -DCMAKE_PREFIX_PATH=${prefix} ${build_type_arg} ${tool_args})

step("build the consumer" ${CMAKE_COMMAND} --build ${build})
if(NOT EXISTS ${build}/pschema_generated/counter_schema/counter.pschema.h)
  fail("the build did not generate pschema_generated/counter_schema/counter.pschema.h")
endif()
if(NOT EXISTS ${build}/pschema_generated/counter_schema/units.pschema.h)
  fail("the build did not generate units.pschema.h, the header of the imported schema")
endif()

step("run the consumer" ${build}/consumer ${WORK_DIR}/counter.pool)
if(NOT step_output MATCHES "consumer: ok")
  fail("the consumer did not say 'consumer: ok'")
endif()

step("rebuild the consumer unchanged" ${CMAKE_COMMAND} --build ${build})
if(NOT step_output MATCHES "no work to do")
  fail("a second build of an unchanged consumer did some work")
endif()

# An edit to the imported schema (new mtime) must regenerate: only the
# depfile tells the build about that file.
file(TOUCH ${source}/schemas/units.pschema)
step("rebuild after touching the imported schema" ${CMAKE_COMMAND} --build ${build})
if(NOT step_output MATCHES "Generating C\\+\\+ from")
  fail("touching schemas/units.pschema (imported by counter.pschema) did not regenerate")
endif()
step("rebuild again" ${CMAKE_COMMAND} --build ${build})
if(NOT step_output MATCHES "no work to do")
  fail("the build after regenerating unchanged headers was not up to date")
endif()

message(STATUS "install test passed")
