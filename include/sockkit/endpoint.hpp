// SPDX-License-Identifier: MIT
/// @file
/// Where a socket is or goes: IPv4, IPv6, Unix-domain.
///
/// An Endpoint is a small value (no heap) that parses from and formats to text:
///
///       "192.0.2.7:502"            IPv4
///       "[2001:db8::1]:8883"       IPv6 ("[fe80::1%eth0]:80" or "%2" for a scope)
///       "unix:/run/meter.sock"     Unix-domain path
///       "unix:@meter"              Linux abstract Unix-domain name
///
///       auto ep = sockkit::Endpoint::parse("[::1]:8080");
///       if (!ep) { puts(ep.error().message().c_str()); }   // "malformed address"
///       assert(ep->to_string() == "[::1]:8080");
///
/// parse() never touches the network. resolve() accepts host names too.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/result.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// Address family of an Endpoint or a Socket.
enum class Family : std::uint8_t { none, ipv4, ipv6, unix_domain };

/// An IPv4, IPv6 or Unix-domain socket address.
class Endpoint {
 public:
  /// Longest Unix-domain path or abstract name, in bytes (sun_path minus NUL).
  static constexpr std::size_t kMaxUnixPath = 107;

  /// An empty endpoint (family() == Family::none).
  Endpoint() noexcept = default;

  /// IPv4 from four octets: Endpoint::ipv4({192, 0, 2, 7}, 502).
  /// @param octets the address, first octet first. @param port in host order.
  /// @return the endpoint.
  static Endpoint ipv4(std::array<std::uint8_t, 4> octets, std::uint16_t port) noexcept;
  /// IPv6 from sixteen bytes in network order, with an optional scope (interface index).
  /// @param bytes the address in network order. @param port in host order.
  /// @param scope_id the interface index of a link-local address; 0: none.
  /// @return the endpoint.
  static Endpoint ipv6(const std::array<std::uint8_t, 16>& bytes, std::uint16_t port,
                       std::uint32_t scope_id = 0) noexcept;
  /// 127.0.0.1:port.
  /// @param port in host order (0: any free one, for a bind). @return the endpoint.
  static Endpoint loopback_v4(std::uint16_t port) noexcept;
  /// `[::1]`:port.
  /// @param port in host order. @return the endpoint.
  static Endpoint loopback_v6(std::uint16_t port) noexcept;
  /// 0.0.0.0:port — every local IPv4 address.
  /// @param port in host order. @return the endpoint.
  static Endpoint any_v4(std::uint16_t port) noexcept;
  /// [::]:port — every local IPv6 (and, unless ipv6_only, IPv4) address.
  /// @param port in host order. @return the endpoint.
  static Endpoint any_v6(std::uint16_t port) noexcept;
  /// A Unix-domain path; failure::path_too_long past kMaxUnixPath bytes.
  ///
  ///     auto ep = Endpoint::unix_path("/run/sockkit.sock");
  ///
  /// @param path the socket file's path.
  /// @return the endpoint, or failure::path_too_long.
  static Result<Endpoint> unix_path(std::string_view path) noexcept;
  /// A Linux abstract Unix-domain name (no file; vanishes with the socket).
  ///
  ///     auto ep = Endpoint::unix_abstract("sockkit-test");   // formats as "unix:@sockkit-test"
  ///
  /// @param name the abstract name, without the leading NUL or '@'.
  /// @return the endpoint, or failure::path_too_long.
  static Result<Endpoint> unix_abstract(std::string_view name) noexcept;

  /// Parses numeric text (see the file comment). A host name is
  /// failure::malformed_address here; use resolve() for names.
  ///
  ///     auto ep = Endpoint::parse("10.0.0.2:1883");
  ///
  /// @param text "1.2.3.4:80", "[::1]:80", "[fe80::1%eth0]:80", "unix:/path" or "unix:@name".
  /// @return the endpoint, or failure::malformed_address (a name, or IPv6 without
  ///         brackets, each said in the message), failure::missing_port,
  ///         failure::port_out_of_range, failure::unknown_interface, failure::path_too_long.
  static Result<Endpoint> parse(std::string_view text) noexcept;

  /// ipv4, ipv6, unix_domain, or none for a default-constructed Endpoint.
  /// @return the family.
  Family family() const noexcept { return family_; }
  /// IPv4 or IPv6.
  /// @return whether it is an IPv4 or IPv6 address.
  bool is_ip() const noexcept { return family_ == Family::ipv4 || family_ == Family::ipv6; }
  /// Port in host order (0 for Unix-domain endpoints).
  /// @return the port.
  std::uint16_t port() const noexcept { return port_; }
  /// The same address with another port.
  /// @param port the new port, in host order. @return the copy.
  Endpoint with_port(std::uint16_t port) const noexcept;
  /// 4 or 16 address bytes in network order; empty for other families.
  /// @return the address bytes (a view into this endpoint).
  std::span<const std::uint8_t> address_bytes() const noexcept;
  /// IPv6 scope id (interface index), 0 when unscoped.
  /// @return the scope id.
  std::uint32_t scope_id() const noexcept { return scope_id_; }
  /// Unix-domain path or abstract name (without the leading NUL or '@').
  /// @return the name (a view into this endpoint); empty for IP endpoints.
  std::string_view unix_name() const noexcept { return {path_.data(), path_len_}; }
  /// True for a Linux abstract Unix-domain name.
  /// @return whether the name is abstract.
  bool is_abstract() const noexcept { return abstract_; }

  /// 127.0.0.0/8, ::1, or any Unix-domain address (never leaves the host).
  /// @return whether it is a loopback address.
  bool is_loopback() const noexcept;
  /// 0.0.0.0 or ::, the "any address" of a bind.
  /// @return whether it is the any address.
  bool is_unspecified() const noexcept;
  /// 224.0.0.0/4 or ff00::/8.
  /// @return whether it is a multicast group.
  bool is_multicast() const noexcept;

  /// Text that parse() reads back: "1.2.3.4:80", "[::1]:80", "unix:/p", "unix:@n".
  /// @return the text (allocates).
  std::string to_string() const;
  /// The address part only: "1.2.3.4", "::1", "fe80::1%2", "/p".
  /// @return the address text (allocates).
  std::string address_string() const;

  /// Same family, address, port, scope and path (the function below).
  friend bool operator==(const Endpoint& a, const Endpoint& b) noexcept;

 private:
  Family family_ = Family::none;
  bool abstract_ = false;
  std::uint8_t path_len_ = 0;
  std::uint16_t port_ = 0;
  std::uint32_t scope_id_ = 0;
  std::array<std::uint8_t, 16> ip_{};
  std::array<char, kMaxUnixPath> path_{};
};

/// Same family, address, port (and scope or path). Declared here as well so
/// that the shared library exports it (a friend declaration alone does not).
/// @param a one endpoint. @param b the other.
/// @return whether they are the same.
bool operator==(const Endpoint& a, const Endpoint& b) noexcept;

/// Parses a decimal port "0".."65535"; failure::port_out_of_range otherwise.
///
///     auto p = sockkit::parse_port("8080");   // 8080
///
/// @param text the digits.
/// @return the port, or failure::port_out_of_range.
Result<std::uint16_t> parse_port(std::string_view text) noexcept;

/// Index of a network interface by name, for IPv6 scopes and multicast.
///
///     auto lo = sockkit::interface_index("lo");
///     udp.join_multicast(group, *lo);
///
/// @param name "eth0" on Linux, a netif name such as "tp0" on lwIP.
/// @return the index, or failure::unknown_interface.
Result<std::uint32_t> interface_index(std::string_view name) noexcept;

/// What resolve() should return.
struct ResolveOptions {
  Family family = Family::none;  ///< none: both IPv6 and IPv4.
  bool passive = false;          ///< For bind(): an empty host means "any address".
  /// Resolution gives up after this (failure::resolve_timeout); negative: the
  /// resolver's own tries and retries are the only limit.
  std::chrono::milliseconds timeout{-1};
};

/// Resolves "host:port", "[v6]:port", numeric text or "unix:..." to endpoints,
/// blocking the calling thread (never call it on a loop's thread: use
/// sockkit::Resolver there). Numeric text takes a fast path with no resolver
/// call; names go through sockkit's resolver (resolver.hpp) with the system's
/// configuration — the hosts file, then the DNS servers — on every stack.
///
///     auto eps = sockkit::resolve("broker.local:8883");
///     if (eps) for (auto& ep : *eps) { ... try each ... }
///
/// @param text what to resolve. @param options family, passive, time limit.
/// @return every address, in the order to try them, or failure::name_not_found
///         (errc::name_not_resolved), failure::resolve_timeout (errc::timed_out),
///         failure::malformed_address, failure::missing_port.
Result<std::vector<Endpoint>> resolve(std::string_view text, const ResolveOptions& options = {});

}  // namespace sockkit

#pragma GCC visibility pop
