// SPDX-License-Identifier: MIT
#include "transport/tls/host_name.hpp"

namespace sockkit::transport::tls {
namespace {

char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool same_text(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool letter_or_digit(char c) noexcept {
  c = lower(c);
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/// Labels of letters, digits and inner hyphens, at least two of them: what may
/// follow a wildcard. Anything else makes the wildcard a literal '*'.
bool wildcard_suffix(std::string_view s) noexcept {
  std::size_t labels = 0, at = 0;
  while (at <= s.size()) {
    const std::size_t end = s.find('.', at);
    const std::string_view label = s.substr(at, end == std::string_view::npos ? s.npos : end - at);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!letter_or_digit(c) && c != '-') return false;
    ++labels;
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return labels >= 2;
}

}  // namespace

std::string_view without_final_dot(std::string_view name) noexcept {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

bool dns_name_matches(std::string_view pattern, std::string_view host) noexcept {
  if (pattern.empty() || host.empty() || pattern.find('\0') != pattern.npos) return false;
  if (pattern.size() > 2 && pattern.substr(0, 2) == "*." && wildcard_suffix(pattern.substr(2))) {
    const std::size_t dot = host.find('.');
    if (dot == 0 || dot == host.npos) return false;
    for (char c : host.substr(0, dot))
      if (!letter_or_digit(c) && c != '-') return false;
    return same_text(pattern.substr(1), host.substr(dot));
  }
  return same_text(pattern, host);
}

}  // namespace sockkit::transport::tls
