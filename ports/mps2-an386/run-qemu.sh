#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boots a firmware image on QEMU's MPS2 AN386 (Debian's qemu-system-arm): its
# console (UART0) on standard output, its arguments on its semihosting command
# line, its exit status (semihosting) as this script's. CTest runs every test
# image through it (the toolchain's emulator), so a runner's --gtest_filter or
# --gtest_list_tests reaches the image.
#   [QEMU_NETWORK=user,model=lan9118,...] [QEMU_MONITOR=tcp:127.0.0.1:PORT,server,nowait] \
#     ports/mps2-an386/run-qemu.sh IMAGE [ARGUMENT...]
set -euo pipefail
image=$1
shift
config="enable=on,target=native,arg=$(basename "$image")"
for argument in "$@"; do
  config+=",arg=${argument//,/,,}"  # QEMU's option syntax doubles a literal comma
done
# QEMU_NETWORK: the board's Ethernet (a -nic value). By default a user-mode
# network with restrict=on: the board reaches nothing, and nothing it sends
# leaves the machine; the tests add forwards for what they serve.
# QEMU_MONITOR: where QEMU's monitor listens (a -monitor value), for set_link.
network=(-nic "${QEMU_NETWORK:-user,model=lan9118,restrict=on}")
exec qemu-system-arm -M mps2-an386 -display none -monitor "${QEMU_MONITOR:-none}" \
  -serial stdio -no-reboot -semihosting-config "$config" "${network[@]}" -kernel "$image"
