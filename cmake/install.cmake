# SPDX-License-Identifier: MIT
# cmake --install: headers, library, CMake package (find_package(sockkit)) and pkg-config file.
if(SOCKKIT_ON_LWIP)
  return()  # an lwIP build is linked into firmware, not installed on the host
endif()
include(CMakePackageConfigHelpers)

set(SOCKKIT_INSTALLED_TARGETS sockkit)
if(TARGET sockkit_mbedtls)
  list(APPEND SOCKKIT_INSTALLED_TARGETS sockkit_mbedtls)  # the embedded profile's mbedTLS
endif()
install(TARGETS ${SOCKKIT_INSTALLED_TARGETS} EXPORT sockkitTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# lwip_tap.hpp is for lwIP builds, which are linked into firmware, not installed.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/sockkit DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT dev PATTERN lwip_tap.hpp EXCLUDE)

set(SOCKKIT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/sockkit)
install(EXPORT sockkitTargets NAMESPACE sockkit:: DESTINATION ${SOCKKIT_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/sockkit-config.cmake.in
                              ${PROJECT_BINARY_DIR}/sockkit-config.cmake
                              INSTALL_DESTINATION ${SOCKKIT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sockkit-config-version.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/sockkit-config.cmake
              ${PROJECT_BINARY_DIR}/sockkit-config-version.cmake
        DESTINATION ${SOCKKIT_CMAKE_DIR} COMPONENT dev)

# A static library needs its dependencies on the link line; a shared one carries them.
if(BUILD_SHARED_LIBS)
  set(SOCKKIT_PC_PUBLIC_LIBS "")
  set(SOCKKIT_PC_PRIVATE_LIBS "${SOCKKIT_PC_LIBS}")
else()
  set(SOCKKIT_PC_PUBLIC_LIBS "${SOCKKIT_PC_LIBS}")
  set(SOCKKIT_PC_PRIVATE_LIBS "")
endif()
# The prefix is found from the .pc file's own place, so an install moved with
# `cmake --install --prefix DIR` (or a copied tree) needs no --define-variable.
file(RELATIVE_PATH SOCKKIT_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(${PROJECT_SOURCE_DIR}/cmake/sockkit.pc.in ${PROJECT_BINARY_DIR}/sockkit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/sockkit.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT dev)
include(${PROJECT_SOURCE_DIR}/cmake/package.cmake)
