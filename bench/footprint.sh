#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Code and RAM footprint of sockkit on lwIP (constrained profile).
#  1. x86-64, -Os, -fno-exceptions -fno-rtti, --gc-sections: a minimal TCP echo
#     server (bench/footprint/echo_min.cpp); the linker map splits the kept
#     code between sockkit, lwIP, the C/C++ runtime and the program.
#  2. Cortex-M4 (arm-none-eabi-gcc + newlib from Debian, installed if missing):
#     the same server, the whole library and lwIP compiled -Os -mthumb and linked
#     with --gc-sections against link-only RTOS stubs; the same split.
#  4. Cortex-M4: a minimal MQTT client (bench/footprint/mqtt_client_min.cpp) on
#     the minimal sockkit; the split adds the MQTT layer.
#  3. Cortex-M4: a minimal TLS client (bench/footprint/tls_client_min.cpp) with
#     sockkit's TLS layer and mbedTLS built from Debian's source in sockkit's
#     embedded profile; the split adds the TLS layer and mbedTLS.
#   bench/footprint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=build/footprint
"$root/scripts/deps.sh" gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib >&2

cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=MinSizeRel -DSOCKKIT_STACK=lwip \
  -DSOCKKIT_LWIP_PROFILE=constrained -DSOCKKIT_NO_EXCEPTIONS=ON -DSOCKKIT_BUILD_TESTS=OFF \
  -DSOCKKIT_BUILD_TOOLS=OFF -DSOCKKIT_TLS=OFF -DCMAKE_CXX_FLAGS="-ffunction-sections -fdata-sections" \
  -DCMAKE_C_FLAGS="-ffunction-sections -fdata-sections" >/dev/null
cmake --build "$out" --target bench_footprint_echo >/dev/null
map=$out/bench/lwip/bench_footprint_echo.map

# Sum kept input sections per origin (sizes in bytes) from the GNU ld map.
split_map() {
  awk '
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    function hex(s,   i, v) {  # mawk has no strtonum
      v = 0; s = tolower(substr(s, 3))
      for (i = 1; i <= length(s); ++i) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
      return v
    }
    function add(sec, size, file,   who, kind) {
      if (sec ~ /^\.(text|rodata)/) kind = "flash"; else if (sec ~ /^\.(data|bss|tbss|tdata)/) kind = "ram"; else return
      if (file ~ /libsockkit_lwip|liblwip_m4/) who = "lwIP"
      else if (file ~ /libmbedtls_m4/) who = "mbedTLS"
      else if (file ~ /libsockkit_tls_m4/) who = "sockkit TLS layer"
      else if (file ~ /libsockkit_mqtt_m4/) who = "sockkit MQTT layer"
      else if (file ~ /libsockkit|libminimal_m4|libfixed_m4/) who = "sockkit"
      else if (file ~ /echo_min|tls_client_min|mqtt_client_min/) who = "program"
      else who = "C/C++ runtime"
      total[who, kind] += hex(size)
    }
    /^ \.[a-z]/ && NF == 1 { pending = $1; next }
    pending != "" && $1 ~ /^0x/ && NF >= 3 { add(pending, $2, $3); pending = ""; next }
    /^ \.[a-z]/ && NF >= 4 && $2 ~ /^0x/ { add($1, $3, $4); pending = ""; next }
    { pending = "" }
    END {
      printf "| part | code (.text+.rodata) | RAM (.data+.bss) |\n|---|---|---|\n"
      split("sockkit|sockkit TLS layer|sockkit MQTT layer|mbedTLS|lwIP|program|C/C++ runtime", names, "|")
      for (i = 1; i <= 7; ++i)
        if (total[names[i], "flash"] + total[names[i], "ram"] > 0)
          printf "| %s | %d B | %d B |\n", names[i], total[names[i], "flash"], total[names[i], "ram"]
    }' "$1"
}

echo "## x86-64, -Os, no exceptions, --gc-sections: minimal TCP echo server on lwIP (constrained)"
split_map "$map"
size "$out/bench/lwip/bench_footprint_echo" | sed 's/^/    /'

echo
echo "## Cortex-M4 (arm-none-eabi-gcc $(arm-none-eabi-gcc -dumpversion), -Os -mthumb, newlib): the same echo server, linked"
lwip=$(ls -d "$out"/lwip-src/lwip-*/ | head -n1)
arm=$out/arm
rm -rf "$arm" && mkdir -p "$arm/lwip" "$arm/sockkit"
flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -ffunction-sections -fdata-sections -Wno-psabi
       -DSOCKKIT_LWIP_CONSTRAINED=1 -I"$root/bench/footprint/arm-port" -I"$root/src/sys/lwip/config"
       -I"$lwip/src/include")
cxx=(arm-none-eabi-g++ "${flags[@]}" -std=c++20 -fno-exceptions -fno-rtti -I"$root/include" -I"$root/src")
for f in src/core/{init,def,inet_chksum,ip,mem,memp,netif,pbuf,stats,sys,tcp,tcp_in,tcp_out,timeouts,udp}.c \
         src/core/ipv4/{etharp,icmp,ip4,ip4_addr,ip4_frag}.c \
         src/api/{api_lib,api_msg,err,if_api,netbuf,sockets,tcpip}.c src/netif/ethernet.c; do
  arm-none-eabi-gcc "${flags[@]}" -w -c "$lwip/$f" -o "$arm/lwip/$(basename "$f" .c).o"
done
# The whole library as an lwIP build compiles it (no Linux code, no TAP, no TLS):
# `sockkit` with both lwIP backends and the error texts, `minimal` with the
# poll backend alone and no error texts (SOCKKIT_BACKENDS=poll, SOCKKIT_ERROR_STRINGS=OFF).
build_library() {  # NAME DEFINES...
  local name=$1 f
  shift
  mkdir -p "$arm/$name"
  for f in $(cd src && ls *.cpp loop/*.cpp net/*.cpp link/*.cpp socket/*.cpp resolve/*.cpp poll/poller.cpp \
             poll/select.cpp poll/poll.cpp sys/heap.cpp sys/no_files.cpp sys/lwip/*.cpp transport/plain.cpp transport/lent.cpp \
             transport/tls/context.cpp | grep -v tap_netif); do
    [[ $f == poll/select.cpp && " $* " == *" -DSOCKKIT_HAVE_SELECT=0 "* ]] && continue
    "${cxx[@]}" -DSOCKKIT_HAVE_OPENSSL=0 -DSOCKKIT_HAVE_MBEDTLS=0 "$@" -c "src/$f" \
      -o "$arm/$name/$(echo "$f" | tr / _ | sed 's/\.cpp$//').o"
  done
  arm-none-eabi-ar rcs "$arm/lib${name}_m4.a" "$arm/$name"/*.o
}
build_library sockkit -DSOCKKIT_HAVE_SELECT=1 -DSOCKKIT_HAVE_POLL=1 -DSOCKKIT_ERROR_STRINGS=1
build_library minimal -DSOCKKIT_HAVE_SELECT=0 -DSOCKKIT_HAVE_POLL=1 -DSOCKKIT_ERROR_STRINGS=0
build_library fixed -DSOCKKIT_HAVE_SELECT=0 -DSOCKKIT_HAVE_POLL=1 -DSOCKKIT_ERROR_STRINGS=0 \
  -DSOCKKIT_TIMER_CAPACITY=16
arm-none-eabi-ar rcs "$arm/liblwip_m4.a" "$arm"/lwip/*.o
"${cxx[@]}" -c bench/footprint/echo_min.cpp -o "$arm/echo_min.o"
arm-none-eabi-gcc "${flags[@]}" -w -c bench/footprint/arm-port/sys_arch_stub.c -o "$arm/rtos_stub.o"
link_echo() {  # LIBRARY
  arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb -mfloat-abi=soft --specs=nosys.specs -Wl,--gc-sections \
    -Wl,-Map="$arm/echo_$1.map" "$arm/echo_min.o" "$arm/rtos_stub.o" "$arm/lib$1_m4.a" \
    "$arm/liblwip_m4.a" -o "$arm/echo_$1.elf"
}
link_echo sockkit
split_map "$arm/echo_sockkit.map" | sed 's/libsockkit_m4/sockkit/'
arm-none-eabi-size "$arm/echo_sockkit.elf" | sed 's/^/    /'
echo "(the RTOS port is link-only stubs, counted under the C/C++ runtime; a device adds its RTOS)"
echo
echo "## Cortex-M4: the same echo server, minimal sockkit (SOCKKIT_BACKENDS=poll, SOCKKIT_ERROR_STRINGS=OFF)"
link_echo minimal
split_map "$arm/echo_minimal.map" | sed 's/libminimal_m4/sockkit/' | grep -E '^\|(---| part | sockkit )'
echo
echo "## Cortex-M4: minimal sockkit with 16 timer slots built in (SOCKKIT_TIMER_CAPACITY=16)"
link_echo fixed
split_map "$arm/echo_fixed.map" | grep -E '^\|(---| part | sockkit )'

echo
echo "## Cortex-M4: a minimal TLS client (mbedTLS 2.28, sockkit's embedded profile), linked"
mbedtls=$("$root/scripts/fetch-source.sh" mbedtls "$out/mbedtls-src")
mkdir -p "$arm/mbedtls" "$arm/tls"
tls_flags=(-I"$mbedtls/include" -I"$root/src/transport/tls/config"
           -DMBEDTLS_CONFIG_FILE='"mbedtls_embedded.h"')
for f in "$mbedtls"/library/*.c; do
  arm-none-eabi-gcc "${flags[@]}" "${tls_flags[@]}" -w -c "$f" -o "$arm/mbedtls/$(basename "$f" .c).o"
done
# The TLS layer: the context (now with mbedTLS) and the mbedTLS session; the rest as above.
for f in transport/tls/context.cpp transport/tls/host_name.cpp transport/tls/mbedtls.cpp; do
  "${cxx[@]}" "${tls_flags[@]}" -DSOCKKIT_HAVE_OPENSSL=0 -DSOCKKIT_HAVE_MBEDTLS=1 -c "src/$f" \
    -o "$arm/tls/$(echo "$f" | tr / _ | sed 's/\.cpp$//').o"
done
arm-none-eabi-ar rcs "$arm/libmbedtls_m4.a" "$arm"/mbedtls/*.o
arm-none-eabi-ar rcs "$arm/libsockkit_tls_m4.a" "$arm"/tls/*.o
ls "$arm"/sockkit/*.o | grep -v transport_tls_context | xargs arm-none-eabi-ar rcs "$arm/libsockkit_notls_m4.a"
"${cxx[@]}" -c bench/footprint/tls_client_min.cpp -o "$arm/tls_client_min.o"
arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb -mfloat-abi=soft --specs=nosys.specs -Wl,--gc-sections \
  -Wl,-Map="$arm/tls_client_min.map" "$arm/tls_client_min.o" "$arm/rtos_stub.o" \
  "$arm/libsockkit_tls_m4.a" "$arm/libsockkit_notls_m4.a" "$arm/libmbedtls_m4.a" \
  "$arm/liblwip_m4.a" -o "$arm/tls_client_min.elf"
split_map "$arm/tls_client_min.map" | sed 's/libsockkit_notls_m4/sockkit/'
arm-none-eabi-size "$arm/tls_client_min.elf" | sed 's/^/    /'
echo "(heap at run time: see docs/tls.md, 7 KB per idle connection in this profile)"

echo
echo "## Cortex-M4: a minimal MQTT client (QoS 1 publisher, name-resolved broker) on the minimal sockkit"
mkdir -p "$arm/mqtt"
# Not FileStore: it needs a POSIX file system (newlib has no dirent); a device
# brings its own MessageStore, or none, as here.
for f in $(ls src/mqtt/*.cpp | grep -v file_store); do
  "${cxx[@]}" -DSOCKKIT_HAVE_OPENSSL=0 -DSOCKKIT_HAVE_MBEDTLS=0 -DSOCKKIT_HAVE_SELECT=0 \
    -DSOCKKIT_HAVE_POLL=1 -DSOCKKIT_ERROR_STRINGS=0 -DSOCKKIT_TIMER_CAPACITY=16 -c "$f" \
    -o "$arm/mqtt/$(basename "$f" .cpp).o"
done
arm-none-eabi-ar rcs "$arm/libsockkit_mqtt_m4.a" "$arm"/mqtt/*.o
"${cxx[@]}" -c bench/footprint/mqtt_client_min.cpp -o "$arm/mqtt_client_min.o"
arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb -mfloat-abi=soft --specs=nosys.specs -Wl,--gc-sections \
  -Wl,-Map="$arm/mqtt_client_min.map" "$arm/mqtt_client_min.o" "$arm/rtos_stub.o" \
  "$arm/libsockkit_mqtt_m4.a" "$arm/libfixed_m4.a" "$arm/liblwip_m4.a" -o "$arm/mqtt_client_min.elf"
split_map "$arm/mqtt_client_min.map"
arm-none-eabi-size "$arm/mqtt_client_min.elf" | sed 's/^/    /'

# RAM per TCP connection: lwIP's own structures (static pools, sized by lwipopts.h)
# plus sockkit's per-connection state (docs/event-loop.md: 60 B idle on Linux).
echo
echo "## RAM per TCP connection inside lwIP (pool entries, not counting window data)"
x86=$(gcc -DSOCKKIT_LWIP_CONSTRAINED=1 -Isrc/sys/lwip/config -I"$lwip/src/include" -I"$lwip/port/include" \
      -c bench/footprint/sizes.c -o "$out/sizes.o" && nm -S "$out/sizes.o")
m4=$(arm-none-eabi-gcc "${flags[@]}" -c bench/footprint/sizes.c -o "$arm/sizes.o" && nm -S "$arm/sizes.o")
echo "| structure | x86-64 | Cortex-M4 |"
echo "|---|---|---|"
for sym in size_of_tcp_pcb size_of_netconn size_of_lwip_sock; do
  a=$(echo "$x86" | awk -v s=$sym '$4 == s { print $2 }')
  b=$(echo "$m4" | awk -v s=$sym '$4 == s { print $2 }')
  echo "| ${sym#size_of_} | $((16#$a)) B | $((16#$b)) B |"
done
