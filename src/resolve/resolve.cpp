// resolve(): numeric fast path first, the stack's resolver only for names.
#include <algorithm>

#include "sockkit/endpoint.hpp"
#include "sys/sys.hpp"

namespace sockkit {
namespace {

bool valid_host_name(std::string_view host) noexcept {
  // RFC 1123 letters, digits, '-', '.', plus '_' seen in the wild.
  const bool charset_ok = std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
  // RFC 1123 2.1: a name never looks like dotted decimal, so "300.1.1.1" is a
  // bad address, not a name to ask DNS about.
  const bool looks_numeric = std::all_of(host.begin(), host.end(),
                                         [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  return !host.empty() && host.size() <= 253 && charset_ok && !looks_numeric;
}

bool family_fits(Family wanted, const Endpoint& ep) noexcept {
  return wanted == Family::none || wanted == ep.family();
}

}  // namespace

Result<std::vector<Endpoint>> resolve(std::string_view text, const ResolveOptions& options) {
  if (auto numeric = Endpoint::parse(text)) {
    if (!family_fits(options.family, *numeric)) return failure::no_address;
    return std::vector<Endpoint>{*numeric};
  } else if (text.starts_with("unix:") || text.starts_with("[") ||
             numeric.error() != failure::malformed_address) {
    return numeric.error();  // numeric text that is wrong: say why, do not ask DNS
  }
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return failure::missing_port;
  auto port = parse_port(text.substr(colon + 1));
  if (!port) return port.error();
  const std::string_view host = text.substr(0, colon);
  if (host.empty() && options.passive) {
    std::vector<Endpoint> any;
    if (options.family != Family::ipv4) any.push_back(Endpoint::any_v6(*port));
    if (options.family != Family::ipv6) any.push_back(Endpoint::any_v4(*port));
    return any;
  }
  if (!valid_host_name(host)) return failure::malformed_address;
  return sys::resolve(host, *port, options);
}

}  // namespace sockkit
