// SPDX-License-Identifier: MIT
// Endpoint::parse on any text: never crashes, and whatever it accepts formats
// back to text that parses to the same endpoint.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sockkit/endpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ep = sockkit::Endpoint::parse(text);
  if (!ep) return 0;
  auto again = sockkit::Endpoint::parse(ep->to_string());
  if (!again || !(*again == *ep)) std::abort();
  (void)sockkit::parse_port(text);
  return 0;
}
