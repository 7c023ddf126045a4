// SPDX-License-Identifier: MIT
// The blocking entry points that take a host name: resolve() and
// TcpStream::connect("host:port", timeout). Both run sockkit's Resolver on a
// private loop of the calling thread, so one timeout covers the lookup, and
// names resolve the same way on every stack.
#include <algorithm>

#include "deadline.hpp"
#include "resolve/address_order.hpp"
#include "resolve/target.hpp"
#include "sockkit/resolver.hpp"
#include "sockkit/tcp_stream.hpp"

namespace sockkit {
namespace {

constexpr std::chrono::minutes kNoLimit{10};  // past every try and retry of the resolver

Result<std::vector<Endpoint>> lookup_blocking(std::string_view host, std::uint16_t port,
                                              Family family, std::chrono::milliseconds timeout) {
  auto loop = EventLoop::create({.backend = Backend::poll});
  if (!loop) return loop.error();
  auto resolver = Resolver::create(*loop);
  if (!resolver) return resolver.error();
  const auto families = family == Family::ipv4   ? LookupFamilies::ipv4
                        : family == Family::ipv6 ? LookupFamilies::ipv6
                                                 : LookupFamilies::both;
  std::vector<Endpoint> v6, v4;
  ErrorCode error;
  bool finished = false;
  resolver->lookup(
      host, port, families, timeout.count() < 0 ? kNoLimit : timeout, [&](const FamilyAnswer& a) {
        if (a.result) {
          for (const auto& r : a.result->addresses)
            (a.family == Family::ipv6 ? v6 : v4).push_back(r.address);
        } else if (!error || error == failure::resolve_timeout || error == failure::no_address) {
          error = a.result.error();
        }
        finished = a.last;
      });
  loop->run_until([&] { return finished; },
                  EventLoop::Clock::now() + kNoLimit + std::chrono::seconds(1));
  if (!finished) return failure::resolve_timeout;
  if (v6.empty() && v4.empty()) return error ? error : make_error_code(failure::no_address);
  return resolve_detail::order_for_connecting(v6, v4);
}

}  // namespace

Result<std::vector<Endpoint>> resolve(std::string_view text, const ResolveOptions& options) {
  auto target = resolve_detail::parse_target(text);
  if (!target) return target.error();
  if (target->numeric) {
    if (options.family != Family::none && options.family != target->numeric->family())
      return failure::no_address;
    return std::vector<Endpoint>{*target->numeric};
  }
  if (target->host.empty()) {
    if (!options.passive) return failure::malformed_address;
    std::vector<Endpoint> any;
    if (options.family != Family::ipv4) any.push_back(Endpoint::any_v6(target->port));
    if (options.family != Family::ipv6) any.push_back(Endpoint::any_v4(target->port));
    return any;
  }
  return lookup_blocking(target->host, target->port, options.family, options.timeout);
}

Result<TcpStream> TcpStream::connect(std::string_view host_port,
                                     std::chrono::milliseconds timeout) {
  const auto start = EventLoop::Clock::now();
  const auto deadline = time::deadline_after(start, timeout);
  auto endpoints = resolve(host_port, {.timeout = timeout});
  if (!endpoints) return endpoints.error();
  ErrorCode last = make_error_code(failure::no_address);
  for (const auto& ep : *endpoints) {
    const auto now = EventLoop::Clock::now();
    if (timeout.count() >= 0 && now >= deadline) return failure::connect_timeout;
    const auto left = timeout.count() < 0
                          ? timeout
                          : std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    auto stream =
        connect(ep, std::max(left, std::chrono::milliseconds(timeout.count() < 0 ? -1 : 1)));
    if (stream) return stream;
    last = stream.error();
  }
  return last;
}

}  // namespace sockkit
