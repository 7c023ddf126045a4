// SPDX-License-Identifier: MIT
// The WebSocket upgrade (RFC 6455 §4): the client's request and the check of
// the server's answer. Everything the user gives is checked before it is
// sent: a line break in a path or a header value would let it write headers
// (or a second request) of its own.
#include <algorithm>
#include <cctype>

#include "sockkit/error.hpp"
#include "transport/transport.hpp"
#include "transport/websocket/codec.hpp"

namespace sockkit::transport::ws {
namespace {

bool is_token_char(char c) noexcept {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

// Visible ASCII or above (UTF-8), and, where allowed, spaces and tabs.
bool is_field_text(std::string_view s, bool spaces) noexcept {
  return std::all_of(s.begin(), s.end(), [spaces](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u > 0x20 && u != 0x7F) || (spaces && (c == ' ' || c == '\t'));
  });
}

bool equals_nocase(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Headers the library writes itself: the user's would contradict them.
bool is_reserved(std::string_view name) noexcept {
  for (std::string_view own : {"Host", "Upgrade", "Connection", "Sec-WebSocket-Key",
                               "Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
                               "Sec-WebSocket-Extensions", "Content-Length", "Transfer-Encoding"})
    if (equals_nocase(name, own)) return true;
  return false;
}

// Does a comma-separated header value list `token` (case-insensitively)?
bool lists_token(std::string_view value, std::string_view token) noexcept {
  while (!value.empty()) {
    const auto comma = value.find(',');
    if (equals_nocase(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string upgrade_request(const WebSocketOptions& options, std::string_view host,
                            std::string_view key) {
  std::string r = "GET " + options.path + " HTTP/1.1\r\nHost: ";
  r += options.host.empty() ? host : std::string_view(options.host);
  r += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
  r += key;
  r += "\r\nSec-WebSocket-Version: 13\r\n";
  if (!options.protocols.empty()) {
    r += "Sec-WebSocket-Protocol: ";
    for (std::size_t i = 0; i < options.protocols.size(); ++i)
      (r += i > 0 ? ", " : "") += options.protocols[i];
    r += "\r\n";
  }
  for (const auto& [name, value] : options.headers)
    r += name + ": " + value + "\r\n";
  r += "\r\n";
  return r;
}

std::size_t head_size(std::string_view received) noexcept {
  const auto end = received.find("\r\n\r\n");
  return end == std::string_view::npos ? 0 : end + 4;
}

Status check_upgrade_response(std::string_view head, std::string_view key,
                              const WebSocketOptions& options, std::string& chosen) {
  const auto refused = make_error_code(failure::websocket_refused);
  auto line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) return refused;
  const std::string_view status = head.substr(0, line_end);
  // "HTTP/1.1 101 Switching Protocols": the version, then the code alone.
  if (status.size() < 12 || status.substr(0, 9) != "HTTP/1.1 " || status.substr(9, 3) != "101" ||
      (status.size() > 12 && status[12] != ' '))
    return refused;
  bool upgrade = false, connection = false, accepted = false;
  chosen.clear();
  head.remove_prefix(line_end + 2);
  const std::string expected = accept_for(key);
  while ((line_end = head.find("\r\n")) != std::string_view::npos && line_end > 0) {
    const std::string_view line = head.substr(0, line_end);
    head.remove_prefix(line_end + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return refused;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (equals_nocase(name, "Upgrade")) {
      upgrade = equals_nocase(value, "websocket");
    } else if (equals_nocase(name, "Connection")) {
      connection = lists_token(value, "upgrade");
    } else if (equals_nocase(name, "Sec-WebSocket-Accept")) {
      accepted = value == expected;
    } else if (equals_nocase(name, "Sec-WebSocket-Extensions")) {
      if (!value.empty()) return refused;  // none was offered
    } else if (equals_nocase(name, "Sec-WebSocket-Protocol")) {
      const bool offered = std::find(options.protocols.begin(), options.protocols.end(), value) !=
                           options.protocols.end();
      if (!offered || !chosen.empty()) return refused;
      chosen = value;
    }
  }
  if (!upgrade || !connection || !accepted) return refused;
  return {};
}

}  // namespace sockkit::transport::ws

namespace sockkit::transport {

std::string websocket_host(std::string_view host_port, bool tls) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string_view::npos || host_port.ends_with(']')) return std::string(host_port);
  const std::string_view port = host_port.substr(colon + 1);
  if (port == (tls ? "443" : "80")) return std::string(host_port.substr(0, colon));
  return std::string(host_port);
}

}  // namespace sockkit::transport

namespace sockkit {

Status check_websocket_options(const WebSocketOptions& options) noexcept {
  using transport::ws::is_field_text;
  using transport::ws::is_reserved;
  using transport::ws::is_token;
  const auto bad = make_error(std::errc::invalid_argument);
  if (options.path.empty() || options.path.front() != '/' || !is_field_text(options.path, false))
    return bad;
  if (!is_field_text(options.host, false)) return bad;
  for (const auto& p : options.protocols)
    if (!is_token(p)) return bad;
  for (const auto& [name, value] : options.headers)
    if (!is_token(name) || is_reserved(name) || !is_field_text(value, true)) return bad;
  if (options.max_response_head < 64) return bad;
  return {};
}

}  // namespace sockkit
