# SPDX-License-Identifier: MIT
# mbedTLS for the TLS layer: Debian's libmbedtls-dev (SOCKKIT_MBEDTLS=system, the
# default), or Debian's source package built with sockkit's embedded profile
# (SOCKKIT_MBEDTLS=embedded: src/transport/tls/config/mbedtls_embedded.h — small
# record buffers, TLS 1.2 only what a device needs), fetched at configure time
# like lwIP and never committed. The embedded build is a static library,
# sockkit_mbedtls, that the TLS layer links instead of the system's.
set(SOCKKIT_MBEDTLS "system" CACHE STRING "mbedTLS: system (libmbedtls-dev) or embedded (built from Debian's source with sockkit's profile)")
set_property(CACHE SOCKKIT_MBEDTLS PROPERTY STRINGS system embedded)
if(NOT SOCKKIT_MBEDTLS STREQUAL "embedded")
  return()
endif()

execute_process(
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/fetch-source.sh mbedtls ${CMAKE_BINARY_DIR}/mbedtls-src
  OUTPUT_VARIABLE SOCKKIT_MBEDTLS_DIR OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE fetch_result)
if(NOT fetch_result EQUAL 0 OR NOT EXISTS "${SOCKKIT_MBEDTLS_DIR}/library/ssl_tls.c")
  message(FATAL_ERROR "sockkit: could not fetch mbedTLS's source (scripts/fetch-source.sh)")
endif()
message(STATUS "sockkit: mbedTLS source ${SOCKKIT_MBEDTLS_DIR} (embedded profile)")
file(GLOB SOCKKIT_MBEDTLS_FILES ${SOCKKIT_MBEDTLS_DIR}/library/*.c)
add_library(sockkit_mbedtls STATIC ${SOCKKIT_MBEDTLS_FILES})
target_include_directories(sockkit_mbedtls SYSTEM PUBLIC
  $<BUILD_INTERFACE:${SOCKKIT_MBEDTLS_DIR}/include>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src/transport/tls/config>)
target_compile_definitions(sockkit_mbedtls PUBLIC MBEDTLS_CONFIG_FILE="mbedtls_embedded.h")
if(NOT SOCKKIT_BOARD)  # a firmware image is one static program
  set_target_properties(sockkit_mbedtls PROPERTIES POSITION_INDEPENDENT_CODE ON)
endif()
# Its own warnings are mbedTLS's business: none of sockkit's -Werror flags apply.
target_compile_options(sockkit_mbedtls PRIVATE -w)
