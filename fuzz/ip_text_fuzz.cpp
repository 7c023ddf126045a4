// SPDX-License-Identifier: MIT
// Numeric IPv4 and IPv6 text: never crashes, and an accepted address formats
// to text that parses back to the same bytes; glibc's IPv4 shorthand accepts
// every strict address as the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "socket/ip_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto v4 = sockkit::ip_text::parse_ipv4(text)) {
    std::string out;
    sockkit::ip_text::append_ipv4(out, v4->data());
    if (out != text || sockkit::ip_text::parse_ipv4(out) != v4)
      std::abort();  // the strict form only
  }
  const auto v4 = sockkit::ip_text::parse_ipv4(text);
  if (auto loose = sockkit::ip_text::parse_ipv4_shorthand(text)) {
    std::string out;
    sockkit::ip_text::append_ipv4(out, loose->data());
    if (sockkit::ip_text::parse_ipv4(out) != loose) std::abort();
  } else if (v4) {
    std::abort();  // a strict address is a shorthand one too
  }
  if (v4 && sockkit::ip_text::parse_ipv4_shorthand(text) != v4) std::abort();
  if (auto v6 = sockkit::ip_text::parse_ipv6(text)) {
    std::string out;
    sockkit::ip_text::append_ipv6(out, v6->data());
    if (sockkit::ip_text::parse_ipv6(out) != v6) std::abort();
  }
  return 0;
}
