// What every TLS backend needs the same way: names and ALPN lists.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockkit::transport::tls {

/// True if `name` is an IPv4 or IPv6 address (checked against the
/// certificate's IP entries and never sent as SNI), not a host name.
bool is_ip_literal(std::string_view name) noexcept;

/// ALPN's wire format: each protocol as a length byte and its bytes. Empty if
/// a name is empty or longer than 255 bytes.
std::optional<std::string> alpn_wire_format(const std::vector<std::string>& protocols);

}  // namespace sockkit::transport::tls
