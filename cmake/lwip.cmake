# lwIP, built from Debian's source package with sockkit's own lwipopts.h.
# The source is fetched at configure time (scripts/fetch-source.sh) into the build
# tree and never committed. Two static libraries, one per profile:
#   sockkit_lwip_constrained  like a device (8 TCP PCBs, 12 netconns, 4 x MSS windows, 32 KiB heap)
#   sockkit_lwip_roomy        for functional tests
option(SOCKKIT_BUILD_LWIP "Fetch lwIP's Debian source package and build it (needs the Debian archive)" OFF)
if(NOT SOCKKIT_BUILD_LWIP)
  return()
endif()

execute_process(
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/fetch-source.sh lwip ${CMAKE_BINARY_DIR}/lwip-src
          ${PROJECT_SOURCE_DIR}/src/sys/lwip/patches
  OUTPUT_VARIABLE SOCKKIT_LWIP_DIR OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE fetch_result)
if(NOT fetch_result EQUAL 0 OR NOT EXISTS "${SOCKKIT_LWIP_DIR}/src/core/tcp.c")
  message(FATAL_ERROR "sockkit: could not fetch lwIP's source (scripts/fetch-source.sh)")
endif()
message(STATUS "sockkit: lwIP source ${SOCKKIT_LWIP_DIR}")
# sockkit's own fixes to lwIP are applied by the fetch script: a new one re-runs it.
file(GLOB SOCKKIT_LWIP_PATCHES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/sys/lwip/patches/*.patch)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SOCKKIT_LWIP_PATCHES})

set(SOCKKIT_LWIP_FILES
  src/core/init.c src/core/def.c src/core/dns.c src/core/inet_chksum.c src/core/ip.c
  src/core/mem.c src/core/memp.c src/core/netif.c src/core/pbuf.c src/core/raw.c
  src/core/stats.c src/core/sys.c src/core/tcp.c src/core/tcp_in.c src/core/tcp_out.c
  src/core/timeouts.c src/core/udp.c
  src/core/ipv4/etharp.c src/core/ipv4/icmp.c src/core/ipv4/ip4.c src/core/ipv4/ip4_addr.c
  src/core/ipv4/ip4_frag.c
  src/api/api_lib.c src/api/api_msg.c src/api/err.c src/api/if_api.c src/api/netbuf.c
  src/api/sockets.c src/api/tcpip.c
  src/netif/ethernet.c
  port/sys_arch.c)
list(TRANSFORM SOCKKIT_LWIP_FILES PREPEND ${SOCKKIT_LWIP_DIR}/)

find_package(Threads REQUIRED)
foreach(profile constrained roomy)
  add_library(sockkit_lwip_${profile} STATIC ${SOCKKIT_LWIP_FILES})
  # Our lwipopts.h first: the port folder carries Debian's own, which must lose.
  target_include_directories(sockkit_lwip_${profile} SYSTEM PUBLIC
    ${PROJECT_SOURCE_DIR}/src/sys/lwip/config ${SOCKKIT_LWIP_DIR}/src/include
    ${SOCKKIT_LWIP_DIR}/port/include)
  target_compile_options(sockkit_lwip_${profile} PRIVATE -w)  # third-party code
  target_link_libraries(sockkit_lwip_${profile} PUBLIC Threads::Threads)
  set_target_properties(sockkit_lwip_${profile} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endforeach()
target_compile_definitions(sockkit_lwip_constrained PUBLIC SOCKKIT_LWIP_CONSTRAINED=1)

# The build really runs: one process per profile (lwIP has one stack per process).
foreach(profile constrained roomy)
  add_executable(lwip_smoke_${profile} ${PROJECT_SOURCE_DIR}/tests/lwip/smoke.c)
  target_link_libraries(lwip_smoke_${profile} PRIVATE sockkit_lwip_${profile})
  add_test(NAME lwip.smoke.${profile} COMMAND lwip_smoke_${profile})
  set_tests_properties(lwip.smoke.${profile} PROPERTIES TIMEOUT 60
                       PASS_REGULAR_EXPRESSION "all intact")
endforeach()
