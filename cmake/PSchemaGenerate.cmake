# pschema_generate(TARGET <name> SCHEMAS <file>... [OUT_DIR <dir>])
#
# Runs the pschema generator on the schemas at build time and creates an
# INTERFACE library <name>: linking it puts the generated <stem>.pschema.h
# headers on the include path, links pschema::runtime, and makes the
# generation run before anything that includes them is compiled.
#
#   find_package(pschema REQUIRED)
#   pschema_generate(TARGET bank_schema SCHEMAS bank.pschema)
#   target_link_libraries(app PRIVATE bank_schema)    # #include "bank.pschema.h"
#
# SCHEMAS are relative to CMAKE_CURRENT_SOURCE_DIR. OUT_DIR defaults to
# ${CMAKE_CURRENT_BINARY_DIR}/pschema_generated/<name>; headers of schemas
# the listed ones import are written there too. The generator reports every
# schema file it read (imports included) in a depfile, so editing an
# imported schema regenerates as well (Ninja, Makefile, Visual Studio and
# Xcode generators; with others only the listed schemas are tracked).
#
# The generator is the executable target pschema::pschema (an alias of the
# `pschema` target inside this project, an imported target in an installed
# package). Set PSCHEMA_GENERATOR_EXECUTABLE to the path of another pschema
# executable to use that instead (cross-compiling, or a prebuilt generator).
include_guard(GLOBAL)

function(pschema_generate)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "TARGET;OUT_DIR" "SCHEMAS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "pschema_generate: unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_TARGET)
    message(FATAL_ERROR "pschema_generate: TARGET <name> is required")
  endif()
  if(NOT arg_SCHEMAS)
    message(FATAL_ERROR "pschema_generate(TARGET ${arg_TARGET}): SCHEMAS <file>... is required")
  endif()
  if(TARGET ${arg_TARGET})
    message(FATAL_ERROR "pschema_generate: a target named '${arg_TARGET}' already exists")
  endif()

  if(PSCHEMA_GENERATOR_EXECUTABLE)
    set(generator ${PSCHEMA_GENERATOR_EXECUTABLE})
  elseif(TARGET pschema::pschema)
    # A target name as COMMAND and in DEPENDS: CMake runs the built (or
    # imported) file, builds it first, and reruns when it changes.
    set(generator pschema::pschema)
  else()
    message(FATAL_ERROR "pschema_generate: no pschema generator: call find_package(pschema) first "
                        "(a runtime-only pschema, built with PSCHEMA_BUILD_GENERATOR=OFF, has none), "
                        "or set PSCHEMA_GENERATOR_EXECUTABLE to a pschema executable")
  endif()

  if(arg_OUT_DIR)
    get_filename_component(out_dir "${arg_OUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  else()
    set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/pschema_generated/${arg_TARGET}")
  endif()

  set(schemas "")
  set(headers "")
  set(stems "")
  foreach(schema IN LISTS arg_SCHEMAS)
    get_filename_component(schema "${schema}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_filename_component(name "${schema}" NAME)
    string(REGEX REPLACE "\\.pschema$" "" stem "${name}")
    if(stem IN_LIST stems)
      message(FATAL_ERROR "pschema_generate(TARGET ${arg_TARGET}): two schemas named '${name}' "
                          "would both generate ${stem}.pschema.h")
    endif()
    list(APPEND stems "${stem}")
    list(APPEND schemas "${schema}")
    list(APPEND headers "${out_dir}/${stem}.pschema.h")
  endforeach()

  # The depfile names the first header as its target: it must be the first OUTPUT.
  set(depfile_args "")
  set(depfile_option "")
  if(CMAKE_GENERATOR MATCHES "Ninja"
     OR (CMAKE_VERSION VERSION_GREATER_EQUAL 3.21 AND CMAKE_GENERATOR MATCHES "Makefiles|Visual Studio|Xcode"))
    set(depfile "${CMAKE_CURRENT_BINARY_DIR}/pschema_generated/${arg_TARGET}.d")
    set(depfile_args --depfile "${depfile}")
    set(depfile_option DEPFILE "${depfile}")
  endif()

  file(MAKE_DIRECTORY "${out_dir}")
  list(LENGTH schemas schema_count)
  # CMP0116 NEW: Ninja gets the depfile with its paths made relative to the
  # build tree, as it spells the outputs (the generator writes absolute paths).
  cmake_policy(PUSH)
  if(POLICY CMP0116)
    cmake_policy(SET CMP0116 NEW)
  endif()
  add_custom_command(
    OUTPUT ${headers}
    COMMAND ${generator} gen ${schemas} -o "${out_dir}" ${depfile_args}
    DEPENDS ${schemas} ${generator}
    ${depfile_option}
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
    COMMENT "Generating C++ from ${schema_count} pschema schema(s) for ${arg_TARGET}"
    VERBATIM)
  cmake_policy(POP)

  add_custom_target(${arg_TARGET}_pschema_generate DEPENDS ${headers})
  add_library(${arg_TARGET} INTERFACE)
  target_include_directories(${arg_TARGET} INTERFACE "${out_dir}")
  target_link_libraries(${arg_TARGET} INTERFACE pschema::runtime)
  add_dependencies(${arg_TARGET} ${arg_TARGET}_pschema_generate)
endfunction()
