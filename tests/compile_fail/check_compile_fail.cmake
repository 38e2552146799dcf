# Compiles one variant of a compile-fail case (see CMakeLists.txt) and
# checks the outcome:
#   CASE=twin  every misuse corrected: must compile without a diagnostic;
#   CASE=<n>   misuse <n> (-DPSCHEMA_CASE_FAIL=<n>): must fail, with output
#              matching the regex after `// expect:` on its `#if` line and
#              a diagnostic pointing into its block (so it fails there and
#              not somewhere else).
# Arguments: COMPILER, SOURCE (absolute path), FLAGS (compiler flags
# separated by `|`), CASE.
foreach(var COMPILER SOURCE FLAGS CASE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_compile_fail.cmake: -D${var}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" flags "${FLAGS}")
set(ENV{LC_ALL} C)  # plain quotes and English messages, whatever the locale

if(CASE STREQUAL "twin")
  execute_process(COMMAND ${COMPILER} ${flags} ${SOURCE}
                  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
    message(FATAL_ERROR "the twin of ${SOURCE} (every misuse corrected) must compile cleanly "
                        "(status ${status}):\n${out}${err}")
  endif()
  return()
endif()

# The misuse block: from `#if PSCHEMA_CASE_FAIL == <n>  // expect: <regex>`
# to the next #else, #elif or #endif.
file(READ ${SOURCE} text)
string(REGEX MATCH "\n#if PSCHEMA_CASE_FAIL == ${CASE}  // expect: [^\n]*" if_line "${text}")
if(NOT if_line)
  message(FATAL_ERROR "${SOURCE}: no line '#if PSCHEMA_CASE_FAIL == ${CASE}  // expect: <regex>'")
endif()
string(REGEX REPLACE "^.*// expect: " "" expected "${if_line}")
string(STRIP "${expected}" expected)
string(FIND "${text}" "${if_line}" start)
string(SUBSTRING "${text}" 0 ${start} before)
string(REGEX MATCHALL "\n" newlines "${before}")
list(LENGTH newlines if_line_number)
math(EXPR if_line_number "${if_line_number} + 2")  # 1-based, and if_line starts with its \n
math(EXPR start "${start} + 1")
string(SUBSTRING "${text}" ${start} -1 rest)
string(REGEX MATCH "\n#(else|elif|endif)" block_end "${rest}")
string(FIND "${rest}" "${block_end}" end)
string(SUBSTRING "${rest}" 0 ${end} block)
string(REGEX MATCHALL "\n" newlines "${block}")
list(LENGTH newlines block_lines)
string(REGEX REPLACE "^[^\n]*\n" "" misuse "${block}")

execute_process(COMMAND ${COMPILER} ${flags} -DPSCHEMA_CASE_FAIL=${CASE} ${SOURCE}
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(output "${out}${err}")
set(what "${SOURCE}:${if_line_number}, misuse ${CASE}:\n${misuse}\n")
if(status EQUAL 0)
  message(FATAL_ERROR "${what}compiles, but must not (expected an error matching: ${expected})\n${output}")
endif()
if(NOT output MATCHES "${expected}")
  message(FATAL_ERROR "${what}fails to compile, but not with an error matching:\n  ${expected}\n"
                      "--- compiler output ---\n${output}")
endif()
set(located FALSE)
foreach(i RANGE 1 ${block_lines})
  math(EXPR line "${if_line_number} + ${i}")
  string(FIND "${output}" "${SOURCE}:${line}:" found)
  if(found GREATER -1)
    set(located TRUE)
  endif()
endforeach()
if(NOT located)
  message(FATAL_ERROR "${what}fails to compile, but no diagnostic points at the misuse "
                      "(lines ${if_line_number}+1..+${block_lines}):\n${output}")
endif()
