# Strict warnings for code written in this repository. Generated parser code
# and third-party headers are compiled without them.
function(pschema_strict_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
                                           -Wshadow -Wnon-virtual-dtor -Wold-style-cast)
endfunction()
