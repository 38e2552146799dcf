# `make package` (the `package` target of a build configured with the
# `package` preset): a Debian package with the generator, the runtime
# library and headers, and the CMake package, installed under /usr.
#
#   make package && sudo apt install ./build/package/pschema_<version>_amd64.deb
#
# The package's dependencies: the shared libraries the generator links
# (found by dpkg-shlibdeps: the ANTLR runtime, fmt), plus what a program
# that uses pschema needs to build: libpmem's headers and pkg-config (the
# CMake package finds libpmem through it) and CMake itself.
if(PSCHEMA_SANITIZE)
  # An installed sanitizer build makes every consumer link the sanitizer
  # runtime (PSchemaInstall.cmake): never something to ship.
  return()
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pschema)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "pschema generates safe C++ accessors for crash-safe persistent data structures from schema files: a generator (pschema, with the pool tool), a runtime library on libpmem, and a CMake package (find_package(pschema), pschema_generate()).")
set(CPACK_PACKAGE_CONTACT "pschema developers <pschema@localhost>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libpmem-dev, pkg-config, cmake (>= 3.25)")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
include(CPack)
