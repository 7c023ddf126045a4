#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Code and RAM footprint of sockkit on lwIP (constrained profile).
#  1. x86-64, -Os, -fno-exceptions -fno-rtti, --gc-sections: a minimal TCP echo
#     server (bench/footprint/echo_min.cpp); the linker map splits the kept
#     code between sockkit, lwIP, the C/C++ runtime and the program.
#  2. Cortex-M4 (arm-none-eabi-gcc + newlib from Debian, installed if missing),
#     the whole library, lwIP and mbedTLS compiled -Os -mthumb and linked with
#     --gc-sections against link-only RTOS stubs. Each image is linked twice,
#     with full newlib and with newlib-nano, and measured whole, minus the same
#     echo server written directly on lwIP's sockets
#     (bench/footprint/echo_lwip_sockets.c) linked the same way: what is left
#     is what sockkit costs, what it pulls from the C and C++ runtime
#     included. Images: the echo server on the default library and on the
#     trimmed builds, a meter's MQTT client (bench/footprint/mqtt_client_min.cpp:
#     MQTT, DNS, reconnect; with MQTT 5 and MQTT 3.1.1 only) and a TLS client (bench/footprint/tls_client_min.cpp,
#     mbedTLS in sockkit's embedded profile).
#  3. The largest symbols the default echo image has and the baseline has not.
#  4. Each image's code split by origin (the linker map).
#   bench/footprint.sh            everything above
#   bench/footprint.sh --device   only the device profile's rows (echo, meter), in minutes
set -euo pipefail
device_only=0
[ "${1:-}" = --device ] && device_only=1
cd "$(dirname "$0")/.."
root=$PWD
out=build/footprint
"$root/scripts/deps.sh" gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib >&2

if [ $device_only = 0 ]; then
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
      else if (file ~ /libsockkit_mqtt(311|_profile)?_m4/) who = "sockkit MQTT layer"
      else if (file ~ /libsockkit|libminimal_m4|libfixed_m4|libdevice_m4|libdevice_noweb_m4|libprofile_m4/) who = "sockkit"
      else if (file ~ /ltrans/) who = "sockkit and program, optimised as one (LTO)"
      else if (file ~ /echo_min|echo_lwip_sockets|tls_client_min|mqtt_client_min/) who = "program"
      else who = "C/C++ runtime"
      total[who, kind] += hex(size)
    }
    /^ \.[a-z]/ && NF == 1 { pending = $1; next }
    pending != "" && $1 ~ /^0x/ && NF >= 3 { add(pending, $2, $3); pending = ""; next }
    /^ \.[a-z]/ && NF >= 4 && $2 ~ /^0x/ { add($1, $3, $4); pending = ""; next }
    { pending = "" }
    END {
      printf "| part | code (.text+.rodata) | RAM (.data+.bss) |\n|---|---|---|\n"
      split("sockkit|sockkit TLS layer|sockkit MQTT layer|sockkit and program, optimised as one (LTO)|mbedTLS|lwIP|program|C/C++ runtime", names, "|")
      for (i = 1; i <= 8; ++i)
        if (total[names[i], "flash"] + total[names[i], "ram"] > 0)
          printf "| %s | %d B | %d B |\n", names[i], total[names[i], "flash"], total[names[i], "ram"]
    }' "$1"
}

echo "## x86-64, -Os, no exceptions, --gc-sections: minimal TCP echo server on lwIP (constrained)"
split_map "$map"
size "$out/bench/lwip/bench_footprint_echo" | sed 's/^/    /'
else
  # lwIP's sources, as the configure step above fetches them.
  "$root/scripts/fetch-source.sh" lwip "$out/lwip-src" "$root/src/sys/lwip/patches" >/dev/null
fi

lwip=$(ls -d "$out"/lwip-src/lwip-*/ | head -n1)
arm=$out/arm
rm -rf "$arm" && mkdir -p "$arm/lwip" "$arm/sockkit"
flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -ffunction-sections -fdata-sections -Wno-psabi
       -DSOCKKIT_LWIP_CONSTRAINED=1 -I"$root/bench/footprint/arm-port" -I"$root/src/sys/lwip/config"
       -I"$lwip/src/include")
# SOCKKIT_STACK_CLOCK=1: the loop's clock is lwIP's millisecond tick, as in every lwIP build.
cxx=(arm-none-eabi-g++ "${flags[@]}" -std=c++20 -fno-exceptions -fno-rtti -DSOCKKIT_STACK_CLOCK=1
     -I"$root/include" -I"$root/src")
for f in src/core/{init,def,dns,inet_chksum,ip,mem,memp,netif,pbuf,stats,sys,tcp,tcp_in,tcp_out,timeouts,udp}.c \
         src/core/ipv4/{etharp,icmp,ip4,ip4_addr,ip4_frag}.c \
         src/api/{api_lib,api_msg,err,if_api,netbuf,sockets,tcpip}.c src/netif/ethernet.c; do
  arm-none-eabi-gcc "${flags[@]}" -w -c "$lwip/$f" -o "$arm/lwip/$(basename "$f" .c).o"
done
# The whole library as an lwIP build compiles it (no Linux code, no TAP, no TLS):
# `sockkit` with both lwIP backends, the error texts and both resolver engines
# (sockkit's the default), `minimal` with the poll backend alone and no error
# texts (SOCKKIT_BACKENDS=poll, SOCKKIT_ERROR_STRINGS=OFF), `fixed` with 16
# timer slots built in too, `device` with only lwIP's DNS client as the
# resolver (SOCKKIT_RESOLVER=stack, a board build's default).
build_library() {  # NAME DEFINES...
  local name=$1 f
  shift
  mkdir -p "$arm/$name"
  local ar=arm-none-eabi-ar
  [[ " $* " == *" -flto "* ]] && ar=arm-none-eabi-gcc-ar  # the archive indexes LTO objects
  # The web transports (WebSocket, HTTP proxy tunnels), unless SOCKKIT_WEBSOCKET=0.
  local web="transport/web_layers.cpp transport/http_tunnel.cpp transport/websocket/frame.cpp
             transport/websocket/handshake.cpp transport/websocket/session.cpp transport/websocket/sha1.cpp"
  [[ " $* " == *" -DSOCKKIT_WEBSOCKET=0 "* ]] && web=transport/websocket/not_built.cpp
  # shellcheck disable=SC2086  # $web is a list
  for f in $(cd src && ls *.cpp loop/*.cpp net/*.cpp link/*.cpp socket/*.cpp resolve/*.cpp poll/poller.cpp \
             poll/select.cpp poll/poll.cpp sys/heap.cpp sys/no_files.cpp sys/lwip/*.cpp transport/plain.cpp transport/lent.cpp \
             transport/tls/context.cpp $web | grep -v '/tap_'); do
    [[ $f == poll/select.cpp && " $* " == *" -DSOCKKIT_HAVE_SELECT=0 "* ]] && continue
    "${cxx[@]}" -DSOCKKIT_HAVE_OPENSSL=0 -DSOCKKIT_HAVE_MBEDTLS=0 "$@" -c "src/$f" \
      -o "$arm/$name/$(echo "$f" | tr / _ | sed 's/\.cpp$//').o"
  done
  $ar rcs "$arm/lib${name}_m4.a" "$arm/$name"/*.o
}
if [ $device_only = 0 ]; then
both_resolvers=(-DSOCKKIT_RESOLVER_SOCKKIT=1 -DSOCKKIT_RESOLVER_STACK=1 -DSOCKKIT_RESOLVER_DEFAULT_STACK=0)
build_library sockkit -DSOCKKIT_HAVE_SELECT=1 -DSOCKKIT_HAVE_POLL=1 -DSOCKKIT_ERROR_STRINGS=1 \
  -DSOCKKIT_WEBSOCKET=1 "${both_resolvers[@]}"
build_library minimal -DSOCKKIT_HAVE_SELECT=0 -DSOCKKIT_HAVE_POLL=1 -DSOCKKIT_ERROR_STRINGS=0 \
  -DSOCKKIT_WEBSOCKET=1 "${both_resolvers[@]}"
build_library fixed -DSOCKKIT_HAVE_SELECT=0 -DSOCKKIT_HAVE_POLL=1 -DSOCKKIT_ERROR_STRINGS=0 \
  -DSOCKKIT_TIMER_CAPACITY=16 -DSOCKKIT_WEBSOCKET=1 "${both_resolvers[@]}"
device_flags=(-DSOCKKIT_HAVE_SELECT=0 -DSOCKKIT_HAVE_POLL=1 -DSOCKKIT_ERROR_STRINGS=0
              -DSOCKKIT_TIMER_CAPACITY=16 -DSOCKKIT_RESOLVER_SOCKKIT=0 -DSOCKKIT_RESOLVER_STACK=1
              -DSOCKKIT_RESOLVER_DEFAULT_STACK=1)
build_library device "${device_flags[@]}" -DSOCKKIT_WEBSOCKET=1
# The same without the web transports (SOCKKIT_WEBSOCKET=OFF): what they cost.
build_library device_noweb "${device_flags[@]}" -DSOCKKIT_WEBSOCKET=0
fi
# The device profile (SOCKKIT_PROFILE=device) as it builds sockkit on lwIP:
# the poll backend, no error texts, 32 timer slots, lwIP's DNS client, compact
# error values (a board's), no cross-thread wake socket, no assertions,
# link-time optimisation (its MQTT layer: 3.1.1 only, below).
device_profile=(-DSOCKKIT_HAVE_SELECT=0 -DSOCKKIT_HAVE_POLL=1 -DSOCKKIT_ERROR_STRINGS=0
                -DSOCKKIT_TIMER_CAPACITY=32 -DSOCKKIT_RESOLVER_SOCKKIT=0 -DSOCKKIT_RESOLVER_STACK=1
                -DSOCKKIT_RESOLVER_DEFAULT_STACK=1 -DSOCKKIT_MQTT5=0 -DSOCKKIT_WEBSOCKET=0 -DSOCKKIT_STD_ERRORS=0
                -DSOCKKIT_CROSS_THREAD_WAKE=0 -DNDEBUG -flto)
build_library profile "${device_profile[@]}"
arm-none-eabi-ar rcs "$arm/liblwip_m4.a" "$arm"/lwip/*.o
arm-none-eabi-gcc "${flags[@]}" -w -c bench/footprint/arm-port/sys_arch_stub.c -o "$arm/rtos_stub.o"
if [ $device_only = 0 ]; then
"${cxx[@]}" -c bench/footprint/echo_min.cpp -o "$arm/echo_min.o"
# The TLS layer and mbedTLS, for the TLS client.
mbedtls=$("$root/scripts/fetch-source.sh" mbedtls "$out/mbedtls-src")
mkdir -p "$arm/mbedtls" "$arm/tls"
tls_flags=(-I"$mbedtls/include" -I"$root/src/transport/tls/config"
           -DMBEDTLS_CONFIG_FILE='"mbedtls_embedded.h"')
for f in "$mbedtls"/library/*.c; do
  arm-none-eabi-gcc "${flags[@]}" "${tls_flags[@]}" -w -c "$f" -o "$arm/mbedtls/$(basename "$f" .c).o"
done
# The TLS layer: the context (now with mbedTLS) and the mbedTLS session; the rest as above.
for f in transport/tls/context.cpp transport/tls/common.cpp transport/tls/host_name.cpp \
         transport/tls/mbedtls.cpp; do
  "${cxx[@]}" "${tls_flags[@]}" -DSOCKKIT_HAVE_OPENSSL=0 -DSOCKKIT_HAVE_MBEDTLS=1 -c "src/$f" \
    -o "$arm/tls/$(echo "$f" | tr / _ | sed 's/\.cpp$//').o"
done
arm-none-eabi-ar rcs "$arm/libmbedtls_m4.a" "$arm"/mbedtls/*.o
arm-none-eabi-ar rcs "$arm/libsockkit_tls_m4.a" "$arm"/tls/*.o
ls "$arm"/sockkit/*.o | grep -v transport_tls_context | xargs arm-none-eabi-ar rcs "$arm/libsockkit_notls_m4.a"
"${cxx[@]}" -c bench/footprint/tls_client_min.cpp -o "$arm/tls_client_min.o"
# The MQTT layer, for the meter.
mkdir -p "$arm/mqtt"
# Not FileStore: it needs a POSIX file system (newlib has no dirent); a device
# brings its own MessageStore, or none, as here.
# Twice: with MQTT 5 (the default) and MQTT 3.1.1 only (SOCKKIT_MQTT5=OFF).
for mqtt5 in 1 0; do
  rm -f "$arm"/mqtt/*.o
  for f in $(ls src/mqtt/*.cpp | grep -v file_store); do
    "${cxx[@]}" -DSOCKKIT_HAVE_OPENSSL=0 -DSOCKKIT_HAVE_MBEDTLS=0 -DSOCKKIT_HAVE_SELECT=0 \
      -DSOCKKIT_HAVE_POLL=1 -DSOCKKIT_ERROR_STRINGS=0 -DSOCKKIT_TIMER_CAPACITY=16 \
      -DSOCKKIT_MQTT5=$mqtt5 -DSOCKKIT_WEBSOCKET=1 -c "$f" -o "$arm/mqtt/$(basename "$f" .cpp).o"
  done
  library=libsockkit_mqtt_m4.a
  [ $mqtt5 = 1 ] || library=libsockkit_mqtt311_m4.a
  arm-none-eabi-ar rcs "$arm/$library" "$arm"/mqtt/*.o
done
"${cxx[@]}" -c bench/footprint/mqtt_client_min.cpp -o "$arm/mqtt_client_min.o"
fi
mkdir -p "$arm/mqtt_profile"
for f in $(ls src/mqtt/*.cpp | grep -v file_store); do
  "${cxx[@]}" -DSOCKKIT_HAVE_OPENSSL=0 -DSOCKKIT_HAVE_MBEDTLS=0 "${device_profile[@]}" -c "$f" \
    -o "$arm/mqtt_profile/$(basename "$f" .cpp).o"
done
arm-none-eabi-gcc-ar rcs "$arm/libsockkit_mqtt_profile_m4.a" "$arm"/mqtt_profile/*.o
"${cxx[@]}" "${device_profile[@]}" -c bench/footprint/mqtt_client_min.cpp -o "$arm/mqtt_client_min_lto.o"
"${cxx[@]}" "${device_profile[@]}" -c bench/footprint/echo_min.cpp -o "$arm/echo_min_lto.o"
arm-none-eabi-gcc "${flags[@]}" -c bench/footprint/echo_lwip_sockets.c -o "$arm/echo_lwip_sockets.o"

# IMAGE LIBC OBJECTS...: links one image with full newlib or newlib-nano.
link_image() {
  local name=$1 libc=$2 specs=(--specs=nosys.specs)
  shift 2
  [ "$libc" = nano ] && specs=(--specs=nano.specs --specs=nosys.specs)
  # -Os -flto: LTO objects are compiled at link time, with these flags.
  arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -flto "${specs[@]}" -Wl,--gc-sections \
    -Wl,-Map="$arm/$name-$libc.map" "$@" "$arm/rtos_stub.o" "$arm/liblwip_m4.a" \
    -o "$arm/$name-$libc.elf"
}
# Flash (code, constants, initial data) and RAM (data, bss) of an image, in bytes.
flash_of() { arm-none-eabi-size "$1" | awk 'NR == 2 { print $1 + $2 }'; }
ram_of() { arm-none-eabi-size "$1" | awk 'NR == 2 { print $2 + $3 }'; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }
images=(
  "baseline|the echo on lwIP's sockets, no sockkit (baseline)|$arm/echo_lwip_sockets.o"
  "echo|echo server, sockkit default|$arm/echo_min.o $arm/libsockkit_m4.a"
  "echo_minimal|echo server, one backend, no error texts|$arm/echo_min.o $arm/libminimal_m4.a"
  "echo_fixed|echo server, the same and 16 timer slots built in|$arm/echo_min.o $arm/libfixed_m4.a"
  "meter|meter: MQTT QoS 1, persistent session, broker by name, reconnect|$arm/mqtt_client_min.o $arm/libsockkit_mqtt_m4.a $arm/libfixed_m4.a"
  "meter_device|the meter with lwIP's DNS client as its resolver|$arm/mqtt_client_min.o $arm/libsockkit_mqtt_m4.a $arm/libdevice_m4.a"
  "meter_311|the same meter, MQTT 3.1.1 only (SOCKKIT_MQTT5=OFF)|$arm/mqtt_client_min.o $arm/libsockkit_mqtt311_m4.a $arm/libdevice_m4.a"
  "meter_311_noweb|the same, no WebSocket or HTTP proxy built (SOCKKIT_WEBSOCKET=OFF)|$arm/mqtt_client_min.o $arm/libsockkit_mqtt311_m4.a $arm/libdevice_noweb_m4.a"
  "echo_profile|echo server, the device profile (SOCKKIT_PROFILE=device: the above, no assertions, LTO)|$arm/echo_min_lto.o $arm/libprofile_m4.a"
  "meter_profile|the meter, the device profile (lwIP's DNS client, MQTT 3.1.1 only, LTO)|$arm/mqtt_client_min_lto.o $arm/libsockkit_mqtt_profile_m4.a $arm/libprofile_m4.a"
  "tls_client|TLS client (mbedTLS, embedded profile)|$arm/tls_client_min.o $arm/libsockkit_tls_m4.a $arm/libsockkit_notls_m4.a $arm/libmbedtls_m4.a"
)
if [ $device_only = 1 ]; then
  images=("${images[0]}" "${images[@]:8:2}")
fi
for image in "${images[@]}"; do
  IFS='|' read -r name _ objects <<<"$image"
  for libc in full nano; do
    # shellcheck disable=SC2086  # the objects are a list
    link_image "$name" "$libc" $objects
  done
done
echo
echo "## Cortex-M4 (arm-none-eabi-gcc $(arm-none-eabi-gcc -dumpversion), -Os -mthumb, --gc-sections, lwIP constrained): whole images"
echo "Flash is code, constants and initial data; \"above\" subtracts the baseline linked with the same C library."
echo
echo "| image | flash, full newlib | above baseline | flash, newlib-nano | above baseline | RAM (nano) | above baseline |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for image in "${images[@]}"; do
  IFS='|' read -r name what _ <<<"$image"
  row="| $what"
  for libc in full nano; do
    flash=$(flash_of "$arm/$name-$libc.elf")
    base=$(flash_of "$arm/baseline-$libc.elf")
    row+=" | $(kb "$flash") | $(kb $((flash - base)))"
  done
  ram=$(ram_of "$arm/$name-nano.elf")
  row+=" | $(kb "$ram") | $(kb $((ram - $(ram_of "$arm/baseline-nano.elf")))) |"
  echo "$row"
done
echo "(the RTOS port is link-only stubs, the same in every image; a device adds its RTOS)"
for name in echo_profile meter_profile; do
  echo
  echo "## Cortex-M4, newlib-nano: $name above the baseline, byte by byte"
  echo
  bench/footprint_breakdown.sh "$arm/$name-nano.elf" "$arm/baseline-nano.elf"
done
[ $device_only = 1 ] && exit 0

echo
echo "## Cortex-M4, newlib-nano: the 25 largest symbols the default echo image has and the baseline has not"
echo
echo "| symbol | bytes |"
echo "|---|---:|"
arm-none-eabi-nm -S -C "$arm/baseline-nano.elf" | awk 'NF >= 4 { $1 = $2 = $3 = ""; print substr($0, 4) }' \
  | sort -u >"$arm/baseline.symbols"
arm-none-eabi-nm -S -C --size-sort "$arm/echo-nano.elf" | awk 'NF >= 4 && $3 ~ /^[tTrRdD]$/' \
  | awk -v known="$arm/baseline.symbols" '
      BEGIN { while ((getline line < known) > 0) seen[line] = 1 }
      { size = $2; $1 = $2 = $3 = ""; name = substr($0, 4); if (!(name in seen)) print size "\t" name }' \
  | tail -n 25 | sort -r | while IFS=$'\t' read -r size name; do
      echo "| \`${name:0:90}\` | $((16#$size)) |"
    done

echo
echo "## Cortex-M4, full newlib: each image's code by origin (linker map)"
for image in "${images[@]:1}"; do
  IFS='|' read -r name what _ <<<"$image"
  echo
  echo "$what:"
  echo
  split_map "$arm/$name-full.map"
done

# RAM per TCP connection inside lwIP (pool entries, not counting window data)"
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
