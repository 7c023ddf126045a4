// SPDX-License-Identifier: MIT
// Endpoint values: construction, parsing, formatting.
#include "sockkit/endpoint.hpp"

#include <algorithm>
#include <cstring>

#include "socket/ip_text.hpp"
#include "sys/sys.hpp"

namespace sockkit {

Endpoint Endpoint::ipv4(std::array<std::uint8_t, 4> octets, std::uint16_t port) noexcept {
  Endpoint ep;
  ep.family_ = Family::ipv4;
  ep.port_ = port;
  std::copy(octets.begin(), octets.end(), ep.ip_.begin());
  return ep;
}

Endpoint Endpoint::ipv6(const std::array<std::uint8_t, 16>& bytes, std::uint16_t port,
                        std::uint32_t scope_id) noexcept {
  Endpoint ep;
  ep.family_ = Family::ipv6;
  ep.port_ = port;
  ep.scope_id_ = scope_id;
  ep.ip_ = bytes;
  return ep;
}

Endpoint Endpoint::loopback_v4(std::uint16_t port) noexcept {
  return ipv4({127, 0, 0, 1}, port);
}
Endpoint Endpoint::any_v4(std::uint16_t port) noexcept {
  return ipv4({0, 0, 0, 0}, port);
}
Endpoint Endpoint::loopback_v6(std::uint16_t port) noexcept {
  std::array<std::uint8_t, 16> b{};
  b[15] = 1;
  return ipv6(b, port);
}
Endpoint Endpoint::any_v6(std::uint16_t port) noexcept {
  return ipv6({}, port);
}

Result<Endpoint> Endpoint::unix_path(std::string_view path) noexcept {
  if (path.size() > kMaxUnixPath) return failure::path_too_long;
  if (path.find('\0') != std::string_view::npos) return failure::malformed_address;
  Endpoint ep;
  ep.family_ = Family::unix_domain;
  ep.path_len_ = static_cast<std::uint8_t>(path.size());
  std::copy(path.begin(), path.end(), ep.path_.begin());
  return ep;
}

Result<Endpoint> Endpoint::unix_abstract(std::string_view name) noexcept {
  // The leading NUL takes one byte of sun_path.
  if (name.size() > kMaxUnixPath) return failure::path_too_long;
  Endpoint ep;
  ep.family_ = Family::unix_domain;
  ep.abstract_ = true;
  ep.path_len_ = static_cast<std::uint8_t>(name.size());
  std::copy(name.begin(), name.end(), ep.path_.begin());
  return ep;
}

Result<std::uint16_t> parse_port(std::string_view text) noexcept {
  if (text.empty()) return failure::missing_port;
  std::string_view digits = text;
  const bool negative = digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return failure::malformed_address;
  if (negative || digits.size() > 5) return failure::port_out_of_range;
  unsigned value = 0;
  for (char c : digits)
    value = value * 10 + static_cast<unsigned>(c - '0');
  if (value > 65535) return failure::port_out_of_range;
  return static_cast<std::uint16_t>(value);
}

Result<std::uint32_t> interface_index(std::string_view name) noexcept {
  return sys::interface_index(name);
}

namespace {

// "fe80::1%eth0" or "fe80::1%2" (the part inside the brackets).
Result<Endpoint> parse_bracketed_ipv6(std::string_view inside, std::uint16_t port) noexcept {
  std::uint32_t scope = 0;
  const auto percent = inside.find('%');
  if (percent != std::string_view::npos) {
    const std::string_view zone = inside.substr(percent + 1);
    inside = inside.substr(0, percent);
    if (zone.empty()) return failure::malformed_address;
    if (std::all_of(zone.begin(), zone.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      if (zone.size() > 9) return failure::unknown_interface;
      for (char c : zone)
        scope = scope * 10 + static_cast<std::uint32_t>(c - '0');
    } else {
      auto index = interface_index(zone);
      if (!index) return index.error();
      scope = *index;
    }
  }
  auto bytes = ip_text::parse_ipv6(inside);
  if (!bytes) return failure::malformed_address;
  return Endpoint::ipv6(*bytes, port, scope);
}

}  // namespace

Result<Endpoint> Endpoint::parse(std::string_view text) noexcept {
  if (text.starts_with("unix:")) {
    const std::string_view rest = text.substr(5);
    if (rest.empty()) return failure::malformed_address;
    if (rest.front() == '@') return unix_abstract(rest.substr(1));
    return unix_path(rest);
  }
  if (text.starts_with("[")) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return failure::malformed_address;
    const std::string_view after = text.substr(close + 1);
    if (after.empty()) return failure::missing_port;
    if (after.front() != ':') return failure::malformed_address;
    auto port = parse_port(after.substr(1));
    if (!port) return port.error();
    return parse_bracketed_ipv6(text.substr(1, close - 1), *port);
  }
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return ip_text::parse_ipv4(text) ? Result<Endpoint>(failure::missing_port)
                                     : Result<Endpoint>(failure::malformed_address);
  }
  // A bare IPv6 address ("::1:80") is ambiguous: require brackets.
  if (text.find(':') != colon) return failure::malformed_address;
  auto port = parse_port(text.substr(colon + 1));
  if (!port) return port.error();
  auto octets = ip_text::parse_ipv4(text.substr(0, colon));
  if (!octets) return failure::malformed_address;
  return ipv4(*octets, *port);
}

Endpoint Endpoint::with_port(std::uint16_t port) const noexcept {
  Endpoint copy = *this;
  if (is_ip()) copy.port_ = port;
  return copy;
}

std::span<const std::uint8_t> Endpoint::address_bytes() const noexcept {
  if (family_ == Family::ipv4) return {ip_.data(), 4};
  if (family_ == Family::ipv6) return {ip_.data(), 16};
  return {};
}

bool Endpoint::is_loopback() const noexcept {
  if (family_ == Family::ipv4) return ip_[0] == 127;
  if (family_ == Family::ipv6) return *this == loopback_v6(port_);
  return family_ == Family::unix_domain;
}

bool Endpoint::is_unspecified() const noexcept {
  const auto b = address_bytes();
  return !b.empty() && std::all_of(b.begin(), b.end(), [](std::uint8_t x) { return x == 0; });
}

bool Endpoint::is_multicast() const noexcept {
  if (family_ == Family::ipv4) return (ip_[0] & 0xf0) == 0xe0;  // 224.0.0.0/4
  if (family_ == Family::ipv6) return ip_[0] == 0xff;           // ff00::/8
  return false;
}

std::string Endpoint::address_string() const {
  std::string out;
  switch (family_) {
    case Family::ipv4:
      ip_text::append_ipv4(out, ip_.data());
      break;
    case Family::ipv6:
      ip_text::append_ipv6(out, ip_.data());
      if (scope_id_ != 0) out += '%' + std::to_string(scope_id_);
      break;
    case Family::unix_domain:
      if (abstract_) out += '@';
      out.append(path_.data(), path_len_);
      break;
    case Family::none:
      break;
  }
  return out;
}

std::string Endpoint::to_string() const {
  switch (family_) {
    case Family::ipv4:
      return address_string() + ':' + std::to_string(port_);
    case Family::ipv6:
      return '[' + address_string() + "]:" + std::to_string(port_);
    case Family::unix_domain:
      return "unix:" + address_string();
    case Family::none:
      break;
  }
  return "(none)";
}

bool operator==(const Endpoint& a, const Endpoint& b) noexcept {
  if (a.family_ != b.family_) return false;
  switch (a.family_) {
    case Family::ipv4:
    case Family::ipv6:
      return a.port_ == b.port_ && a.scope_id_ == b.scope_id_ &&
             std::equal(a.address_bytes().begin(), a.address_bytes().end(),
                        b.address_bytes().begin());
    case Family::unix_domain:
      return a.abstract_ == b.abstract_ && a.unix_name() == b.unix_name();
    case Family::none:
      return true;
  }
  return false;
}

}  // namespace sockkit
