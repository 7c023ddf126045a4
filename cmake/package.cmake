# SPDX-License-Identifier: MIT
# Debian packages with CPack (the package preset: shared library, prefix /usr):
#   libsockkitN    the shared library (N: its SONAME's version, SOCKKIT_SOVERSION)
#   libsockkit-dev headers, the CMake package, the pkg-config file, the .so link
#   libsockkitN-openssl, libsockkitN-mbedtls
#                  the TLS engine plugins, one per TLS library (loaded on first use)
#   sockkit        the command-line tool
# scripts/package.sh builds them, installs them into a scratch root and builds
# the consumer against that root.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "sockkit")
set(CPACK_PACKAGE_VENDOR "sockkit")
# Whoever publishes the packages puts their own name and address here.
set(SOCKKIT_PACKAGE_MAINTAINER "The sockkit authors <sockkit-authors@packages.invalid>"
    CACHE STRING "Maintainer field of the Debian packages: Name <address>")
set(CPACK_PACKAGE_CONTACT "${SOCKKIT_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Sockets, an event loop, TLS, DNS and MQTT for embedded Linux and lwIP")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "libs")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends: from the ELF files (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/src)  # our own .so
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# Binaries are stripped; their debug information goes to -dbgsym packages
# (.ddeb), as Debian's own builds do. The package preset builds RelWithDebInfo.
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_COMPONENTS_ALL runtime dev cli)
foreach(backend openssl mbedtls)
  if(TARGET sockkit_tls_${backend})
    list(APPEND CPACK_COMPONENTS_ALL tls_${backend})
    string(TOUPPER ${backend} upper)
    set(CPACK_DEBIAN_TLS_${upper}_PACKAGE_NAME "libsockkit${SOCKKIT_SOVERSION}-${backend}")
    set(CPACK_COMPONENT_TLS_${upper}_DEPENDS runtime)
  endif()
endforeach()
set(CPACK_COMPONENT_TLS_OPENSSL_DESCRIPTION "sockkit TLS engine on OpenSSL (plugin)")
set(CPACK_COMPONENT_TLS_MBEDTLS_DESCRIPTION "sockkit TLS engine on mbedTLS (plugin)")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME "libsockkit${SOCKKIT_SOVERSION}")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME "libsockkit-dev")
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION "libdevel")
set(CPACK_DEBIAN_CLI_PACKAGE_NAME "sockkit")
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION "net")
# `sockkit bench --plot` draws its chart with gnuplot.
set(CPACK_DEBIAN_CLI_PACKAGE_SUGGESTS "gnuplot-nox | gnuplot")
# Its TLS commands need an engine; either does.
set(CPACK_DEBIAN_CLI_PACKAGE_RECOMMENDS
    "libsockkit${SOCKKIT_SOVERSION}-openssl | libsockkit${SOCKKIT_SOVERSION}-mbedtls")
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS
    "libsockkit${SOCKKIT_SOVERSION}-openssl, libsockkit${SOCKKIT_SOVERSION}-mbedtls")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "sockkit shared library")
set(CPACK_COMPONENT_DEV_DESCRIPTION "sockkit headers, CMake package and pkg-config file")
set(CPACK_COMPONENT_CLI_DESCRIPTION "sockkit command-line tool: echo server, client, bench, resolve, mqtt")
set(CPACK_COMPONENT_DEV_DEPENDS runtime)
set(CPACK_COMPONENT_CLI_DEPENDS runtime)
# A native package's changelog, in Debian's format, dated by the last commit
# (the same sources give the same packages).
execute_process(COMMAND git -C ${PROJECT_SOURCE_DIR} log -1 --format=%cD
                OUTPUT_VARIABLE SOCKKIT_RELEASE_DATE OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET)
if(NOT SOCKKIT_RELEASE_DATE)
  string(TIMESTAMP SOCKKIT_RELEASE_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
endif()
file(WRITE ${PROJECT_BINARY_DIR}/debian/changelog
     "sockkit (${PROJECT_VERSION}) unstable; urgency=medium\n\n"
     "  * sockkit ${PROJECT_VERSION}: every change is listed in the project's CHANGELOG.md.\n\n"
     " -- ${SOCKKIT_PACKAGE_MAINTAINER}  ${SOCKKIT_RELEASE_DATE}\n")
execute_process(COMMAND gzip -9nf ${PROJECT_BINARY_DIR}/debian/changelog)
# Each package carries the licence, as Debian's policy asks: /usr/share/doc/<package>/copyright,
# and the changelog.
foreach(component_package runtime:libsockkit${SOCKKIT_SOVERSION} dev:libsockkit-dev cli:sockkit
        tls_openssl:libsockkit${SOCKKIT_SOVERSION}-openssl
        tls_mbedtls:libsockkit${SOCKKIT_SOVERSION}-mbedtls)
  string(REPLACE ":" ";" pair ${component_package})
  list(GET pair 0 component)
  list(GET pair 1 package)
  if(NOT component IN_LIST CPACK_COMPONENTS_ALL)
    continue()
  endif()
  install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian/copyright ${PROJECT_BINARY_DIR}/debian/changelog.gz
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package} COMPONENT ${component})
endforeach()
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
include(CPack)
