# SPDX-License-Identifier: MIT
# Cross-compiling sockkit for another Linux CPU with Debian's cross compilers
# (g++-<triplet>) and running its tests under qemu-user (Debian's qemu-user).
# Used through a preset that sets SOCKKIT_CROSS_TRIPLET and SOCKKIT_CROSS_QEMU,
# e.g. `cmake --preset armhf`; see docs/building.md.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${SOCKKIT_CROSS_PROCESSOR})
set(CMAKE_C_COMPILER ${SOCKKIT_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${SOCKKIT_CROSS_TRIPLET}-g++)
# GCC's notes that the ARM ABI for some std:: types changed in GCC 7.1 concern
# mixing objects built by GCC 6 and older; nothing here is.
set(CMAKE_C_FLAGS_INIT "-Wno-psabi")
set(CMAKE_CXX_FLAGS_INIT "-Wno-psabi")
# Debian installs each cross target's C library under /usr/<triplet>.
set(CMAKE_FIND_ROOT_PATH /usr/${SOCKKIT_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# CTest (and gtest_discover_tests) run every test program through the emulator.
set(CMAKE_CROSSCOMPILING_EMULATOR ${SOCKKIT_CROSS_QEMU} -L /usr/${SOCKKIT_CROSS_TRIPLET})
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SOCKKIT_CROSS_TRIPLET SOCKKIT_CROSS_QEMU
     SOCKKIT_CROSS_PROCESSOR)
