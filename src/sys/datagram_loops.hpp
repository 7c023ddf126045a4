// SPDX-License-Identifier: MIT
// Batches of datagrams as loops of single calls, for the stacks without
// sendmmsg/recvmmsg (both lwIP stacks), with the batch calls' contract: the
// first datagram's failure is the call's, a later one ends the batch early,
// and only the first receive may wait.
#pragma once

#include "sys/sys.hpp"

namespace sockkit::sys {

inline Result<std::size_t> send_batch_one_by_one(NativeHandle h,
                                                 std::span<const OutgoingDatagram> batch) noexcept {
  std::size_t sent = 0;
  for (const auto& d : batch) {
    auto n = send_to(h, d.data.data(), d.data.size(), d.to);
    if (!n) {
      if (sent == 0) return n.error();
      break;
    }
    ++sent;
  }
  return sent;
}

inline Result<std::size_t> receive_batch_one_by_one(NativeHandle h,
                                                    std::span<IncomingDatagram> batch) noexcept {
  std::size_t got = 0;
  for (auto& slot : batch) {
    if (got > 0) {
      auto ready = wait(h, kReadable, 0);
      if (!ready || *ready == 0) break;
    }
    auto d = receive_from(h, slot.buffer.data(), slot.buffer.size());
    if (!d) {
      if (got == 0) return d.error();
      break;
    }
    slot.result = *d;
    ++got;
  }
  return got;
}

}  // namespace sockkit::sys
