// SPDX-License-Identifier: MIT
// Numeric IP text, parsed and formatted without the network stack (so it is
// identical on every stack and needs no inet_pton).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sockkit::ip_text {

/// Strict dotted quad: four decimal octets 0..255, no leading zeros (no octal
/// surprises: "010.0.0.1" is rejected rather than read as 8.0.0.1 or 10.0.0.1).
std::optional<std::array<std::uint8_t, 4>> parse_ipv4(std::string_view text) noexcept;
/// IPv4 as inet_aton and glibc's resolver read it, for host names only:
/// one to four parts, each decimal, octal with a leading 0 or hex with 0x,
/// the last filling the bytes left ("127.1" is 127.0.0.1, "010.0.0.1" is
/// 8.0.0.1, "0x7f.1" is 127.0.0.1). Endpoint::parse stays strict.
std::optional<std::array<std::uint8_t, 4>> parse_ipv4_shorthand(std::string_view text) noexcept;
/// RFC 4291 text: hex groups, one "::", an optional trailing dotted quad.
std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view text) noexcept;

void append_ipv4(std::string& out, const std::uint8_t* octets);
/// RFC 5952 canonical form: lowercase, longest zero run compressed, IPv4-mapped as ::ffff:a.b.c.d.
void append_ipv6(std::string& out, const std::uint8_t* bytes);

}  // namespace sockkit::ip_text
