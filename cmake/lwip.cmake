# SPDX-License-Identifier: MIT
# lwIP for SOCKKIT_STACK=lwip. Three ways, chosen by cache variables (docs/porting.md):
#   default              Debian's source package, fetched at configure time into the
#                        build tree (scripts/fetch-source.sh, never committed), patched
#                        with src/sys/lwip/patches, with sockkit's lwipopts.h and
#                        Debian's pthreads port. Two static libraries, one per profile:
#                          sockkit_lwip_constrained  like a device (8 TCP PCBs, 12 netconns,
#                                                    4 x MSS windows, 32 KiB heap)
#                          sockkit_lwip_roomy        for functional tests
#   SOCKKIT_LWIP_DIR     your lwIP tree instead, with SOCKKIT_LWIP_OPTS_DIR (your
#                        lwipopts.h) and SOCKKIT_LWIP_PORT_DIR (your sys_arch), built
#                        the same way;
#   SOCKKIT_LWIP_TARGET  a CMake target of yours that already is lwIP: sockkit links it
#                        and builds no lwIP at all (the board's build owns it).
option(SOCKKIT_BUILD_LWIP "Build lwIP for sockkit (on by itself for SOCKKIT_STACK=lwip)" OFF)
set(SOCKKIT_LWIP_TARGET "" CACHE STRING "Your lwIP CMake target; sockkit links it and builds no lwIP")
set(SOCKKIT_LWIP_DIR "" CACHE PATH "Your lwIP source tree (empty: Debian's source package)")
# Each stack has its own lwipopts.h: lwIP's sockets with an OS, or NO_SYS=1.
set(SOCKKIT_LWIP_OPTS_DIR "${PROJECT_SOURCE_DIR}/src/sys/${SOCKKIT_STACK}/config" CACHE PATH
    "Folder holding the lwipopts.h lwIP and sockkit are built with")
set(SOCKKIT_LWIP_PORT_DIR "" CACHE PATH
    "Your lwIP port: include/arch/{cc,sys_arch}.h under include/ and sys_arch.c (empty: <lwIP>/port)")
if(SOCKKIT_LWIP_TARGET)
  if(NOT TARGET ${SOCKKIT_LWIP_TARGET})
    message(FATAL_ERROR "SOCKKIT_LWIP_TARGET=${SOCKKIT_LWIP_TARGET} is not a target: define it before adding sockkit")
  endif()
  message(STATUS "sockkit: lwIP from your target ${SOCKKIT_LWIP_TARGET}")
  return()
endif()
if(NOT SOCKKIT_BUILD_LWIP)
  return()
endif()

if(SOCKKIT_LWIP_DIR)
  set(SOCKKIT_LWIP_SOURCE_DIR ${SOCKKIT_LWIP_DIR})
else()
  execute_process(
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/fetch-source.sh lwip ${CMAKE_BINARY_DIR}/lwip-src
            ${PROJECT_SOURCE_DIR}/src/sys/lwip/patches
    OUTPUT_VARIABLE SOCKKIT_LWIP_SOURCE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE fetch_result)
  if(NOT fetch_result EQUAL 0)
    message(FATAL_ERROR "sockkit: could not fetch lwIP's source (scripts/fetch-source.sh)")
  endif()
  # sockkit's own fixes to lwIP are applied by the fetch script: a new one re-runs it.
  file(GLOB SOCKKIT_LWIP_PATCHES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/sys/lwip/patches/*.patch)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SOCKKIT_LWIP_PATCHES})
endif()
if(NOT EXISTS "${SOCKKIT_LWIP_SOURCE_DIR}/src/core/tcp.c")
  message(FATAL_ERROR "sockkit: no lwIP source at ${SOCKKIT_LWIP_SOURCE_DIR} (src/core/tcp.c missing)")
endif()
set(SOCKKIT_LWIP_PORT ${SOCKKIT_LWIP_PORT_DIR})
if(NOT SOCKKIT_LWIP_PORT)
  set(SOCKKIT_LWIP_PORT ${SOCKKIT_LWIP_SOURCE_DIR}/port)
endif()
foreach(needed ${SOCKKIT_LWIP_OPTS_DIR}/lwipopts.h ${SOCKKIT_LWIP_PORT}/sys_arch.c
               ${SOCKKIT_LWIP_PORT}/include/arch/sys_arch.h)
  if(NOT EXISTS ${needed})
    message(FATAL_ERROR "sockkit: ${needed} is missing (SOCKKIT_LWIP_OPTS_DIR, SOCKKIT_LWIP_PORT_DIR)")
  endif()
endforeach()
message(STATUS "sockkit: lwIP ${SOCKKIT_LWIP_SOURCE_DIR}, lwipopts.h from ${SOCKKIT_LWIP_OPTS_DIR}, port ${SOCKKIT_LWIP_PORT}")

set(SOCKKIT_LWIP_FILES
  src/core/init.c src/core/def.c src/core/dns.c src/core/inet_chksum.c src/core/ip.c
  src/core/mem.c src/core/memp.c src/core/netif.c src/core/pbuf.c src/core/raw.c
  src/core/stats.c src/core/sys.c src/core/tcp.c src/core/tcp_in.c src/core/tcp_out.c
  src/core/timeouts.c src/core/udp.c
  src/core/ipv4/etharp.c src/core/ipv4/icmp.c src/core/ipv4/igmp.c src/core/ipv4/ip4.c src/core/ipv4/ip4_addr.c
  src/core/ipv4/ip4_frag.c
  src/api/err.c src/netif/ethernet.c)
if(NOT SOCKKIT_STACK STREQUAL "lwip-raw")  # the bare-metal stack uses the raw API alone
  list(APPEND SOCKKIT_LWIP_FILES src/api/api_lib.c src/api/api_msg.c src/api/if_api.c
       src/api/netbuf.c src/api/sockets.c src/api/tcpip.c)
endif()
list(TRANSFORM SOCKKIT_LWIP_FILES PREPEND ${SOCKKIT_LWIP_SOURCE_DIR}/)
list(APPEND SOCKKIT_LWIP_FILES ${SOCKKIT_LWIP_PORT}/sys_arch.c)

if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  find_package(Threads REQUIRED)  # hosted: the port's threads or the tests' own
endif()
foreach(profile constrained roomy)
  add_library(sockkit_lwip_${profile} STATIC ${SOCKKIT_LWIP_FILES})
  # The chosen lwipopts.h first: Debian's port folder carries its own, which must lose.
  target_include_directories(sockkit_lwip_${profile} SYSTEM PUBLIC
    ${SOCKKIT_LWIP_OPTS_DIR} ${SOCKKIT_LWIP_SOURCE_DIR}/src/include ${SOCKKIT_LWIP_PORT}/include)
  target_compile_options(sockkit_lwip_${profile} PRIVATE -w)  # third-party code
  if(TARGET Threads::Threads)
    target_link_libraries(sockkit_lwip_${profile} PUBLIC Threads::Threads)
  endif()
  if(NOT SOCKKIT_BOARD)
    set_target_properties(sockkit_lwip_${profile} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
endforeach()
target_compile_definitions(sockkit_lwip_constrained PUBLIC SOCKKIT_LWIP_CONSTRAINED=1)

# The build really runs: one process per profile (lwIP has one stack per process).
if(NOT SOCKKIT_STACK STREQUAL "lwip")
  return()  # the smoke test is a sockets program
endif()
foreach(profile constrained roomy)
  add_executable(lwip_smoke_${profile} ${PROJECT_SOURCE_DIR}/tests/lwip/smoke.c)
  target_link_libraries(lwip_smoke_${profile} PRIVATE sockkit_lwip_${profile})
  add_test(NAME lwip.smoke.${profile} COMMAND lwip_smoke_${profile})
  set_tests_properties(lwip.smoke.${profile} PROPERTIES TIMEOUT 60
                       PASS_REGULAR_EXPRESSION "all intact")
endforeach()
