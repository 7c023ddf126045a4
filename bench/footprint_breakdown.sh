#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Where an image's flash above its baseline goes, byte by byte: every symbol
# the image has and the baseline has not (code, constants, initial data),
# grouped by what it belongs to, with each group's largest symbols; symbols
# both have count with what they grew by; what is left is alignment, so the
# groups add up to the whole difference.
#
#   bench/footprint_breakdown.sh IMAGE.elf BASELINE.elf
set -euo pipefail
image=$1
baseline=$2
nm_tool=${NM:-arm-none-eabi-nm}
symbols() {  # ELF -> "size<TAB>name" for what is stored in flash, one name per address
  # (LTO's local aliases such as .LTHUNK0 share their function's address)
  "$nm_tool" -S -C --radix=d "$1" | awk 'NF >= 4 && $3 ~ /^[tTrRdD]$/ {
    address = $1; size = $2 + 0; $1 = $2 = $3 = ""; name = substr($0, 4)
    print (name ~ /^\./ ? 1 : 0) "\t" address "\t" size "\t" name }' |
    sort -t$'\t' -k1,1n -s | awk -F'\t' '!seen[$2]++ { print $3 "\t" $4 }'
}
flash() {  # ELF -> bytes of code, constants and initial data
  arm-none-eabi-size -A "$1" | awk '$1 ~ /^\.(text|rodata|data|ARM\.exidx|init_array|fini_array)/ { s += $2 } END { print s }'
}
symbols "$baseline" | sort -t$'\t' -k2,2 -u >"${TMPDIR:-/tmp}/baseline.$$"
trap 'rm -f "${TMPDIR:-/tmp}/baseline.$$"' EXIT
total=$(($(flash "$image") - $(flash "$baseline")))
symbols "$image" | awk -F'\t' -v seen="${TMPDIR:-/tmp}/baseline.$$" -v total="$total" '
  BEGIN { while ((getline line < seen) > 0) { split(line, f, "\t"); known[f[2]] = f[1] + 0 } }
  function group(n) {
    # The call function of a callback holds its body: the row is what callbacks cost in all.
    if (n ~ /^std::(_Function|function|__throw_bad_function)|_Function_handler|^sockkit::Function<|^[a-z]+ sockkit::Function</) return "callbacks (std::function, sockkit::Function), with their bodies"
    if (n ~ /(^| )std::(vector|deque|_Rb_tree)</ || n ~ /_M_realloc_insert|_M_default_append/) return "C++ library: containers"
    if (n ~ /^std::(__cxx11::basic_string|__cxx11::to_string|__detail::__to_chars)|(^| )std::operator\+<char/) return "C++ library: strings"
    if (n ~ /^sockkit::mqtt::/) return "sockkit: MQTT session, codec, client"
    if (n ~ /^sockkit::(resolve_detail|Resolver|Resolution|ResolvedAddress|dns::)/) return "sockkit: name resolution"
    if (n ~ /^sockkit::(link::|Reconnecting|BackoffSchedule|WebSocketOptions)|to_fixed16/) return "sockkit: dialer, reconnecting client"
    if (n ~ /^sockkit::(Endpoint|ip_text|parse_port)/) return "sockkit: addresses and their text"
    if (n ~ /^sockkit::(EventLoop|loop::|Timer|TimerReservation|StackClock|time::)/) return "sockkit: event loop, timers, clock"
    if (n ~ /^sockkit::poll::|^vtable for sockkit::poll::|kBackends/) return "sockkit: poll backend"
    if (n ~ /^sockkit::(net::|Connection|Server|Client)/) return "sockkit: connections, server, client"
    if (n ~ /^sockkit::(sys::|start_stack|attach_stack)/) return "sockkit: lwIP seam (sys)"
    if (n ~ /Category|^sockkit::(classify|make_error|detail::bad_result|failure|ErrorCode|errc)/) return "sockkit: errors"
    if (n ~ /^sockkit::(transport|TcpStream|TcpListener|UdpSocket|UdpChannel|Socket)/) return "sockkit: sockets, transport"
    if (n ~ /^\(anonymous namespace\)::|^main$|^app_/) return "the program"
    if (n ~ /sockkit::/) return "sockkit: other"
    if (n ~ /^(std::|__cxa|__gxx|operator new|operator delete|__cxxabiv1|typeinfo|vtable for __cxxabiv1)/) return "C++ library: other"
    if (n ~ /^(lwip_|netconn_|tcp_|udp_|pbuf_|memp_|mem_|ip4?_|ip4addr|ipaddr|netif_|sys_|tcpip_|dns_|etharp_|icmp_|raw_|err_to_errno|lwip)/) return "lwIP: functions the echo baseline does not use"
    return "C library and compiler support"
  }
  function short(n) { return length(n) > 70 ? substr(n, 1, 67) "..." : n }
  ($2 in known) { grown = $1 - known[$2]; delete known[$2]  # counted once
    if (grown != 0) { g = "symbols the baseline has too, grown (LTO fills `main` with sockkit'"'"'s start-up)"
      bytes[g] += grown; sum += grown; if (grown > s1[g]) { s1[g] = grown; n1[g] = $2 } }
    next }
  { g = group($2); bytes[g] += $1; sum += $1; size = $1 + 0
    if (size > s1[g]) { s3[g] = s2[g]; n3[g] = n2[g]; s2[g] = s1[g]; n2[g] = n1[g]; s1[g] = size; n1[g] = $2 }
    else if (size > s2[g]) { s3[g] = s2[g]; n3[g] = n2[g]; s2[g] = size; n2[g] = $2 }
    else if (size > s3[g]) { s3[g] = size; n3[g] = $2 } }
  function top(g,   t) { t = "`" short(n1[g]) "` " s1[g]
    if (s2[g] > 0) t = t "; `" short(n2[g]) "` " s2[g]
    if (s3[g] > 0) t = t "; `" short(n3[g]) "` " s3[g]
    return t }
  END {
    for (k in known) if (known[k] > 0) {  # the baseline has it, the image does not
      g = "the baseline'"'"'s own symbols this image does without (subtracted)"
      bytes[g] -= known[k]; sum -= known[k]; if (known[k] > s1[g]) { s1[g] = known[k]; n1[g] = k } }
    printf "| group | bytes | largest symbols (bytes) |\n|---|---:|---|\n"
    n = 0; for (g in bytes) order[++n] = g
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (bytes[order[j]] > bytes[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
    for (i = 1; i <= n; i++) printf "| %s | %d | %s |\n", order[i], bytes[order[i]], top(order[i])
    printf "| string literals and other unnamed constants; alignment | %d | |\n", total - sum
    printf "| **whole image above the baseline** | **%d** | |\n", total
  }'
