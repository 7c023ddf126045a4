// SPDX-License-Identifier: MIT
// What every TLS backend needs the same way: names and ALPN lists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/tls.hpp"

namespace sockkit::transport::tls {

/// Each credential comes from a file or from PEM text, never both, and a
/// certificate comes with its key.
inline bool credentials_consistent(const TlsOptions& o) noexcept {
  const bool certificate = !o.certificate_file.empty() || !o.certificate_pem.empty();
  const bool key = !o.private_key_file.empty() || !o.private_key_pem.empty();
  return (o.certificate_file.empty() || o.certificate_pem.empty()) &&
         (o.private_key_file.empty() || o.private_key_pem.empty()) &&
         (o.ca_file.empty() || o.ca_pem.empty()) && certificate == key;
}

/// A PSK and its identity come together, within the sizes every backend takes.
inline bool psk_consistent(const TlsOptions& o) noexcept {
  if (o.psk.empty() && o.psk_identity.empty()) return true;
  return !o.psk.empty() && o.psk.size() <= 64 && !o.psk_identity.empty() &&
         o.psk_identity.size() <= 128;
}

/// Whether the options name a certificate of our own (file or text).
inline bool has_own_certificate(const TlsOptions& o) noexcept {
  return !o.certificate_file.empty() || !o.certificate_pem.empty() || !o.private_key_file.empty() ||
         !o.private_key_pem.empty();
}

/// True if `name` is an IPv4 or IPv6 address (checked against the
/// certificate's IP entries and never sent as SNI), not a host name.
bool is_ip_literal(std::string_view name) noexcept;

/// Counts what a handshake puts on the wire and how often it waits for the
/// peer after sending (a round trip). Fed by each backend's I/O callbacks.
struct HandshakeMeter {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  unsigned round_trips = 0;
  bool done = false;
  bool wrote = false;  // sent something since the last wait

  void on_sent(std::size_t n) noexcept {
    if (done) return;
    sent += n;
    wrote = true;
  }
  void on_received(std::size_t n) noexcept {
    if (!done) received += n;
  }
  void on_read_would_block() noexcept {
    if (done || !wrote) return;
    ++round_trips;
    wrote = false;
  }
};

/// The max_fragment_length extension's code for a size (1: 512 … 4: 4096), 0
/// for a size it cannot ask for.
inline unsigned char max_fragment_code(unsigned size) noexcept {
  switch (size) {
    case 512:
      return 1;
    case 1024:
      return 2;
    case 2048:
      return 3;
    case 4096:
      return 4;
    default:
      return 0;
  }
}

/// ALPN's wire format: each protocol as a length byte and its bytes. Empty if
/// a name is empty or longer than 255 bytes.
std::optional<std::string> alpn_wire_format(const std::vector<std::string>& protocols);

}  // namespace sockkit::transport::tls
