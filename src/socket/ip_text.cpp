// SPDX-License-Identifier: MIT
#include "socket/ip_text.hpp"

#include <cstdio>

namespace sockkit::ip_text {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::uint16_t> parse_group(std::string_view part) noexcept {
  if (part.empty() || part.size() > 4) return std::nullopt;
  unsigned value = 0;
  for (char c : part) {
    const int h = hex_value(c);
    if (h < 0) return std::nullopt;
    value = value * 16 + static_cast<unsigned>(h);
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::optional<std::array<std::uint8_t, 4>> parse_ipv4(std::string_view text) noexcept {
  std::array<std::uint8_t, 4> out{};
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    const std::size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[pos] - '0');
      ++pos;
    }
    const std::size_t digits = pos - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return std::nullopt;
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value);
  }
  if (pos != text.size()) return std::nullopt;
  return out;
}

std::optional<std::array<std::uint8_t, 4>> parse_ipv4_shorthand(std::string_view text) noexcept {
  std::array<std::uint32_t, 4> parts{};
  std::size_t count = 0, pos = 0;
  for (;;) {
    if (count == parts.size() || pos >= text.size()) return std::nullopt;
    unsigned base = 10;
    if (text.substr(pos).starts_with("0x") || text.substr(pos).starts_with("0X")) {
      base = 16;
      pos += 2;
    } else if (text[pos] == '0' && pos + 1 < text.size() && text[pos + 1] != '.') {
      base = 8;
      ++pos;
    }
    const std::size_t start = pos;
    std::uint64_t value = 0;
    for (; pos < text.size() && text[pos] != '.'; ++pos) {
      const char c = text[pos];
      unsigned digit = 16;
      if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
      if (c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
      if (c >= 'A' && c <= 'F') digit = static_cast<unsigned>(c - 'A' + 10);
      if (digit >= base) return std::nullopt;
      value = value * base + digit;
      if (value > 0xffffffffu) return std::nullopt;
    }
    if (pos == start && base != 8) return std::nullopt;  // "0x" or an empty part
    parts[count++] = static_cast<std::uint32_t>(value);
    if (pos == text.size()) break;
    ++pos;  // the dot
  }
  // Every part but the last is one byte; the last fills the bytes left.
  const unsigned last_bytes = 5 - static_cast<unsigned>(count);
  const std::uint64_t last_limit = (std::uint64_t{1} << (8 * last_bytes)) - 1;
  std::uint32_t address = 0;
  for (std::size_t i = 0; i + 1 < count; ++i) {
    if (parts[i] > 255) return std::nullopt;
    address |= parts[i] << (8 * (3 - i));
  }
  if (parts[count - 1] > last_limit) return std::nullopt;
  address |= parts[count - 1];
  return std::array<std::uint8_t, 4>{
      static_cast<std::uint8_t>(address >> 24), static_cast<std::uint8_t>(address >> 16),
      static_cast<std::uint8_t>(address >> 8), static_cast<std::uint8_t>(address)};
}

std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view text) noexcept {
  std::array<std::uint16_t, 8> groups{};
  int count = 0;
  int gap = -1;  // index in `groups` where "::" stands
  std::size_t i = 0;
  if (text.starts_with("::")) {
    gap = 0;
    i = 2;
  } else if (text.starts_with(":")) {
    return std::nullopt;
  }
  while (i < text.size()) {
    std::size_t j = text.find(':', i);
    if (j == std::string_view::npos) j = text.size();
    const std::string_view part = text.substr(i, j - i);
    if (part.find('.') != std::string_view::npos) {  // trailing dotted quad
      if (j != text.size() || count > 6) return std::nullopt;
      auto v4 = parse_ipv4(part);
      if (!v4) return std::nullopt;
      groups[static_cast<std::size_t>(count++)] =
          static_cast<std::uint16_t>((*v4)[0] << 8 | (*v4)[1]);
      groups[static_cast<std::size_t>(count++)] =
          static_cast<std::uint16_t>((*v4)[2] << 8 | (*v4)[3]);
      i = j;
      break;
    }
    auto group = parse_group(part);
    if (!group || count >= 8) return std::nullopt;
    groups[static_cast<std::size_t>(count++)] = *group;
    if (j == text.size()) break;
    if (j + 1 < text.size() && text[j + 1] == ':') {
      if (gap >= 0) return std::nullopt;  // a second "::"
      gap = count;
      i = j + 2;
    } else {
      i = j + 1;
      if (i == text.size()) return std::nullopt;  // trailing single ':'
    }
  }
  if (gap < 0 ? count != 8 : count > 7) return std::nullopt;
  std::array<std::uint16_t, 8> full{};
  if (gap < 0) {
    full = groups;
  } else {
    for (int k = 0; k < gap; ++k)
      full[static_cast<std::size_t>(k)] = groups[static_cast<std::size_t>(k)];
    const int tail = count - gap;
    for (int k = 0; k < tail; ++k)
      full[static_cast<std::size_t>(8 - tail + k)] = groups[static_cast<std::size_t>(gap + k)];
  }
  std::array<std::uint8_t, 16> out{};
  for (std::size_t k = 0; k < 8; ++k) {
    out[2 * k] = static_cast<std::uint8_t>(full[k] >> 8);
    out[2 * k + 1] = static_cast<std::uint8_t>(full[k] & 0xff);
  }
  return out;
}

void append_ipv4(std::string& out, const std::uint8_t* o) {
  char buf[16];
  const int n = std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u", o[0], o[1], o[2], o[3]);
  out.append(buf, static_cast<std::size_t>(n));
}

void append_ipv6(std::string& out, const std::uint8_t* b) {
  std::array<unsigned, 8> g{};
  for (std::size_t k = 0; k < 8; ++k)
    g[k] = static_cast<unsigned>(b[2 * k] << 8 | b[2 * k + 1]);
  const bool mapped =
      g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff;
  if (mapped) {
    out += "::ffff:";
    append_ipv4(out, b + 12);
    return;
  }
  int best = -1, best_len = 1;  // RFC 5952: compress only runs of two or more
  for (int k = 0; k < 8;) {
    if (g[static_cast<std::size_t>(k)] != 0) {
      ++k;
      continue;
    }
    int end = k;
    while (end < 8 && g[static_cast<std::size_t>(end)] == 0)
      ++end;
    if (end - k > best_len) best = k, best_len = end - k;
    k = end;
  }
  char buf[8];
  for (int k = 0; k < 8; ++k) {
    if (k == best) {
      out += "::";
      k += best_len - 1;
      continue;
    }
    if (k > 0 && k != best + best_len) out += ':';
    const int n = std::snprintf(buf, sizeof(buf), "%x", g[static_cast<std::size_t>(k)]);
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace sockkit::ip_text
