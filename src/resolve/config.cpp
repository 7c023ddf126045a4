// SPDX-License-Identifier: MIT
// resolv.conf and hosts, read the way glibc reads them.
#include "resolve/config.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <new>

#include "resolve/dns_message.hpp"
#include "sys/sys.hpp"

namespace sockkit {
namespace resolve_detail {
namespace {

constexpr std::size_t kMaxNameservers = 3;  // glibc's MAXNS; its search list has no limit

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

/// Splits a line into whitespace-separated words, stopping at '#' or ';'.
std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
      ++i;
    if (i >= line.size() || line[i] == '#' || line[i] == ';') break;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r')
      ++j;
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

template <class Fn>
void for_each_line(std::string_view text, Fn fn) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    fn(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

/// An address without a port ("10.0.0.1", "::1", "fe80::1%eth0") as an endpoint.
Result<Endpoint> parse_address(std::string_view text, std::uint16_t port) {
  const bool v6 = text.find(':') != std::string_view::npos;
  std::string with_port;
  with_port.reserve(text.size() + 8);
  if (v6) with_port.push_back('[');
  with_port.append(text);
  with_port.append(v6 ? "]:" : ":");
  with_port.append(std::to_string(port));
  return Endpoint::parse(with_port);
}

unsigned option_value(std::string_view option, std::string_view key, unsigned fallback,
                      unsigned max) {
  unsigned v = 0;
  const auto text = option.substr(key.size());
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return fallback;
  return std::min(v, max);
}

/// A search domain as resolv.conf gives it, without its final dot; empty if unusable.
std::string_view search_domain(std::string_view d) {
  if (d.ends_with('.')) d.remove_suffix(1);
  return dns::valid_query_name(d) ? d : std::string_view{};
}

void apply_options(ResolverConfig& c, std::span<const std::string_view> options) {
  for (const auto o : options) {
    if (o.starts_with("ndots:"))
      c.ndots = option_value(o, "ndots:", c.ndots, 15);
    else if (o.starts_with("timeout:"))
      c.timeout = std::chrono::seconds(std::max(1u, option_value(o, "timeout:", 5, 30)));
    else if (o.starts_with("attempts:"))
      c.attempts = std::max(1u, option_value(o, "attempts:", c.attempts, 5));
    else if (o == "rotate")
      c.rotate = true;
  }
}

std::string read_file(const char* path) {
  std::unique_ptr<char[]> buf(new (std::nothrow) char[kMaxConfigFile]);
  if (!buf) return {};
  auto got = sys::read_config_file(path, std::span(buf.get(), kMaxConfigFile));
  return got ? std::string(buf.get(), *got) : std::string{};
}

}  // namespace

void HostsTable::parse(std::string_view text) {
  entries_.clear();
  for_each_line(text, [&](std::string_view line) {
    auto w = words(line);
    if (w.size() < 2) return;
    auto address = parse_address(w[0], 0);
    if (!address) return;
    for (std::size_t i = 1; i < w.size(); ++i)
      if (dns::valid_query_name(w[i]))
        entries_.push_back({lowercase(w[i]), *address, std::string(w[1])});
  });
}

bool HostsTable::find(std::string_view name, Family family, std::vector<Endpoint>& out,
                      std::string* canonical) const {
  bool known = false;
  for (const auto& e : entries_) {
    if (!dns::same_name(e.name, name)) continue;
    if (!known && canonical != nullptr) *canonical = e.official;
    known = true;
    if (e.address.family() == family && std::find(out.begin(), out.end(), e.address) == out.end())
      out.push_back(e.address);
  }
  return known;
}

std::vector<std::string> search_candidates(std::string_view name, const ResolverConfig& config) {
  if (name.ends_with('.')) return {std::string(name.substr(0, name.size() - 1))};
  std::vector<std::string> out;
  const auto dots = static_cast<unsigned>(std::count(name.begin(), name.end(), '.'));
  if (dots >= config.ndots) out.emplace_back(name);
  for (const auto& domain : config.search) {
    std::string full(name);
    full.push_back('.');
    full.append(domain);
    if (dns::valid_query_name(full)) out.push_back(std::move(full));
  }
  if (dots < config.ndots) out.emplace_back(name);
  return out;
}

void apply_environment(ResolverConfig& c, std::string_view host_name, const char* localdomain,
                       const char* res_options) {
  if (localdomain != nullptr) {
    c.search.clear();
    for (const auto d : words(localdomain))
      if (auto domain = search_domain(d); !domain.empty()) c.search.emplace_back(domain);
  } else if (c.search.empty()) {
    const auto dot = host_name.find('.');
    if (dot != std::string_view::npos)
      if (auto domain = search_domain(host_name.substr(dot + 1)); !domain.empty())
        c.search.emplace_back(domain);
  }
  if (res_options != nullptr) {
    const auto options = words(res_options);
    apply_options(c, options);
  }
}

}  // namespace resolve_detail

ResolverConfig ResolverConfig::parse_resolv_conf(std::string_view text) {
  using namespace resolve_detail;
  ResolverConfig c;
  for_each_line(text, [&](std::string_view line) {
    auto w = words(line);
    if (w.empty()) return;
    if (w[0] == "nameserver" && w.size() >= 2 && c.servers.size() < kMaxNameservers) {
      if (auto ep = parse_address(w[1], 53)) c.servers.push_back(*ep);
    } else if ((w[0] == "search" || w[0] == "domain") && w.size() >= 2) {
      c.search.clear();  // the last search or domain line wins
      for (std::size_t i = 1; i < w.size(); ++i)
        if (auto d = search_domain(w[i]); !d.empty()) c.search.emplace_back(d);
    } else if (w[0] == "options") {
      apply_options(c, std::span(w).subspan(1));
    }
  });
  return c;
}

Status set_stack_dns_servers(std::span<const Endpoint> servers) noexcept {
  return sys::set_stack_dns_servers(servers);
}

namespace resolve_detail {

ConfigWatch::ConfigWatch(std::optional<ResolverConfig> fixed, Clock::time_point now)
    : fixed_(std::move(fixed)) {
  load(now);
}

void ConfigWatch::load(Clock::time_point now) {
  config_ = fixed_ ? *fixed_ : ResolverConfig::system();
  for (auto& s : config_.servers)
    if (s.port() == 0) s = s.with_port(53);
  hosts_ = HostsTable{};
  if (!config_.hosts_file.empty()) hosts_.parse(read_file(config_.hosts_file.c_str()));
  stamps_ = current_stamps();
  checked_at_ = now;
}

ConfigWatch::Stamps ConfigWatch::current_stamps() const {
  return {sys::config_file_stamp("/etc/resolv.conf"),
          config_.hosts_file.empty() ? 0 : sys::config_file_stamp(config_.hosts_file.c_str())};
}

bool ConfigWatch::refresh(Clock::time_point now) {
  if (fixed_ || now - checked_at_ < kCheckEvery) return false;
  checked_at_ = now;
  if (current_stamps() == stamps_) return false;
  load(now);
  return true;
}

}  // namespace resolve_detail

ResolverConfig ResolverConfig::system() {
  ResolverConfig c;
  const std::string text = resolve_detail::read_file("/etc/resolv.conf");
  if (sys::config_file_stamp("/etc/resolv.conf") != 0) {
    c = parse_resolv_conf(text);
    resolve_detail::apply_environment(c, sys::host_name(), std::getenv("LOCALDOMAIN"),
                                      std::getenv("RES_OPTIONS"));
    // glibc: no nameserver line means the local host's.
    if (c.servers.empty()) c.servers.push_back(Endpoint::loopback_v4(53));
    c.hosts_file = "/etc/hosts";
  } else if (sys::config_file_stamp("/etc/hosts") != 0) {
    c.hosts_file = "/etc/hosts";
  }
  for (const auto& s : sys::stack_dns_servers())
    if (std::find(c.servers.begin(), c.servers.end(), s) == c.servers.end()) c.servers.push_back(s);
  return c;
}

}  // namespace sockkit
