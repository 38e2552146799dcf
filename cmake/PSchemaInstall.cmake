# Installation and the exported CMake package, so that another project can
#
#   find_package(pschema REQUIRED)
#   pschema_generate(TARGET bank_schema SCHEMAS bank.pschema)
#
# Installs the runtime library (pschema::runtime) and the pool format
# library it links (pschema::format) with their headers, the `pschema`
# generator (pschema::pschema) unless PSCHEMA_BUILD_GENERATOR is OFF, and
# lib/cmake/pschema/ with the package config, version file, exported
# targets and PSchemaGenerate.cmake.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PSCHEMA_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/pschema
    CACHE STRING "Where the pschema CMake package files are installed, relative to the prefix")

set_target_properties(pschema_runtime PROPERTIES EXPORT_NAME runtime)
set_target_properties(pschema_format PROPERTIES EXPORT_NAME format)
if(PSCHEMA_SANITIZE)
  # A sanitized static runtime needs the sanitizer runtime in the consumer's
  # link, so an installed sanitizer build passes -fsanitize=... on to every
  # program that links it. That is right for testing (tests/consumer does
  # it) and wrong for anything else: install a build without
  # PSCHEMA_SANITIZE (the release or package preset) for real use.
  target_link_options(pschema_runtime INTERFACE $<INSTALL_INTERFACE:-fsanitize=${PSCHEMA_SANITIZE}>)
  message(STATUS "pschema: PSCHEMA_SANITIZE=${PSCHEMA_SANITIZE}: an install of this build makes its "
                 "consumers link with -fsanitize=${PSCHEMA_SANITIZE} (for tests only; it cannot be packaged)")
endif()

set(pschema_installed_targets pschema_runtime pschema_format)
if(PSCHEMA_BUILD_GENERATOR)
  list(APPEND pschema_installed_targets pschema)
endif()
install(TARGETS ${pschema_installed_targets}
        EXPORT pschemaTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/ ${PROJECT_SOURCE_DIR}/runtime/format/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
install(EXPORT pschemaTargets
        NAMESPACE pschema::
        DESTINATION ${PSCHEMA_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/pschemaConfig.cmake.in
  ${PROJECT_BINARY_DIR}/pschemaConfig.cmake
  INSTALL_DESTINATION ${PSCHEMA_INSTALL_CMAKEDIR})
# 0.x: a minor version may break compatibility.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/pschemaConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/pschemaConfig.cmake
              ${PROJECT_BINARY_DIR}/pschemaConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/PSchemaGenerate.cmake
        DESTINATION ${PSCHEMA_INSTALL_CMAKEDIR})
