# Compiles one variant of a compile-fail case (see CMakeLists.txt) and
# checks the outcome:
#   CASE=twin  every misuse corrected: must compile without a diagnostic;
#   CASE=<n>   misuse <n> (-DPSCHEMA_CASE_FAIL=<n>): must fail, with output
#              matching the block's expectation for this compiler and a
#              diagnostic pointing into its block (so it fails there and
#              not somewhere else).
# Arguments: COMPILER, COMPILER_KIND (gcc or clang: which expectation
# applies), SOURCE (absolute path), FLAGS (compiler flags separated by
# `|`), CASE.
cmake_minimum_required(VERSION 3.25)  # the policies of the project (IN_LIST)
foreach(var COMPILER COMPILER_KIND SOURCE FLAGS CASE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_compile_fail.cmake: -D${var}=... is required")
  endif()
endforeach()
set(kinds gcc clang)  # every block states what each of them must report
if(NOT COMPILER_KIND IN_LIST kinds)
  message(FATAL_ERROR "check_compile_fail.cmake: COMPILER_KIND must be one of: ${kinds}")
endif()
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

# The misuse block: from `#if PSCHEMA_CASE_FAIL == <n>  // expect...` to
# the next #else, #elif or #endif.
file(READ ${SOURCE} text)
string(REGEX MATCH "\n#if PSCHEMA_CASE_FAIL == ${CASE}  // expect[^\n]*" if_line "${text}")
if(NOT if_line)
  message(FATAL_ERROR "${SOURCE}: no line '#if PSCHEMA_CASE_FAIL == ${CASE}  // expect...: <regex>'")
endif()
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
# (Not REGEX REPLACE "^[^\n]*\n": it applies `^` again after each match and
# would strip every line but the last.)
string(FIND "${block}" "\n" eol)
math(EXPR eol "${eol} + 1")
string(SUBSTRING "${block}" ${eol} -1 misuse)

# The expectations: the comment that ends the #if line, then any comment
# lines right below it. `// expect: <regex>` holds for every compiler;
# `// expect gcc: <regex>` and `// expect clang: <regex>` for one each.
# Every block must give one for each compiler in `kinds`.
string(REGEX REPLACE "^#if PSCHEMA_CASE_FAIL == ${CASE}  ([^\n]*).*$" "\\1\n" expect_lines "${block}")
string(REGEX MATCH "^([ ]*// expect [^\n]*\n)+" more_lines "${misuse}")
string(LENGTH "${more_lines}" length)
string(SUBSTRING "${misuse}" ${length} -1 misuse)
string(APPEND expect_lines "${more_lines}")
set(expected_common "")
foreach(kind IN LISTS kinds)
  set(expected_${kind} "")
endforeach()
# One line at a time (not as a CMake list: a regex may contain `;`).
while(NOT expect_lines STREQUAL "")
  string(FIND "${expect_lines}" "\n" eol)
  string(SUBSTRING "${expect_lines}" 0 ${eol} line)
  math(EXPR eol "${eol} + 1")
  string(SUBSTRING "${expect_lines}" ${eol} -1 expect_lines)
  if(NOT line MATCHES "^ *// expect( [a-z]+)?: (.*)$")
    message(FATAL_ERROR "${SOURCE}, misuse ${CASE}: '${line}' is not '// expect[ <compiler>]: <regex>'")
  endif()
  string(STRIP "${CMAKE_MATCH_1}" key)
  string(STRIP "${CMAKE_MATCH_2}" regex)
  if(key STREQUAL "")
    set(key common)
  elseif(NOT key IN_LIST kinds)
    message(FATAL_ERROR "${SOURCE}, misuse ${CASE}: '// expect ${key}:' names no compiler among: ${kinds}")
  endif()
  if(regex STREQUAL "" OR NOT expected_${key} STREQUAL "")
    message(FATAL_ERROR "${SOURCE}, misuse ${CASE}: empty or repeated expectation '${line}'")
  endif()
  set(expected_${key} "${regex}")
endwhile()
foreach(kind IN LISTS kinds)
  if(expected_${kind} STREQUAL "")
    set(expected_${kind} "${expected_common}")
  elseif(NOT expected_common STREQUAL "")
    message(FATAL_ERROR "${SOURCE}, misuse ${CASE}: both '// expect:' and '// expect ${kind}:'")
  endif()
  if(expected_${kind} STREQUAL "")
    message(FATAL_ERROR "${SOURCE}, misuse ${CASE}: no expectation for ${kind} "
                        "('// expect: <regex>' for every compiler, or '// expect ${kind}: <regex>')")
  endif()
endforeach()
set(expected "${expected_${COMPILER_KIND}}")

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
