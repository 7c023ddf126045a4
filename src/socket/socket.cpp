// SPDX-License-Identifier: MIT
// Socket: ownership and typed options.
#include "sockkit/socket.hpp"

#include <climits>
#include <utility>

#include "sys/sys.hpp"

namespace sockkit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Status set_int(NativeHandle h, Family f, sys::Option o, int v) noexcept {
  if (!h.valid()) return failure::closed_socket;
  return sys::set_option(h, f, o, v);
}
Result<int> get_int(NativeHandle h, Family f, sys::Option o) noexcept {
  if (!h.valid()) return failure::closed_socket;
  return sys::get_option(h, f, o);
}
Result<bool> get_bool(NativeHandle h, Family f, sys::Option o) noexcept {
  auto v = get_int(h, f, o);
  if (!v) return v.error();
  return *v != 0;  // lwIP answers with flag bits (4, 8), not 1
}
Status set_in_range(NativeHandle h, Family f, sys::Option o, long long v, long long lo,
                    long long hi) noexcept {
  if (v < lo || v > hi) return make_error(std::errc::invalid_argument);
  return set_int(h, f, o, static_cast<int>(v));
}
Result<milliseconds> get_millis(NativeHandle h, Family f, sys::Option o) noexcept {
  auto v = get_int(h, f, o);
  if (!v) return v.error();
  return milliseconds(*v);
}

}  // namespace

Socket::Socket(Socket&& other) noexcept
    : handle_(std::exchange(other.handle_, NativeHandle{})),
      family_(other.family_),
      nonblocking_(other.nonblocking_) {}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    (void)close();
    handle_ = std::exchange(other.handle_, NativeHandle{});
    family_ = other.family_;
    nonblocking_ = other.nonblocking_;
  }
  return *this;
}

Socket::~Socket() {
  (void)close();
}

Result<Socket> Socket::open(Family family, SocketType type) noexcept {
  if (family == Family::none) return failure::wrong_family;
  auto h = sys::open(family, type);
  if (!h) return h.error();
  return Socket(*h, family);
}

NativeHandle Socket::release() noexcept {
  return std::exchange(handle_, NativeHandle{});
}

Status Socket::close() noexcept {
  if (!handle_.valid()) return {};
  return sys::close(release());
}

Status Socket::abort() noexcept {
  if (!handle_.valid()) return failure::closed_socket;
  return sys::abort(release());
}

Status Socket::set_nonblocking(bool on) noexcept {
  if (!handle_.valid()) return failure::closed_socket;
  auto st = sys::set_nonblocking(handle_, on);
  if (st) nonblocking_ = on;
  return st;
}

Status Socket::bind(const Endpoint& local) noexcept {
  if (!handle_.valid()) return failure::closed_socket;
  if (local.family() != family_) return failure::wrong_family;
  return sys::bind(handle_, local);
}

Result<Endpoint> Socket::local_endpoint() const noexcept {
  if (!handle_.valid()) return failure::closed_socket;
  return sys::local_endpoint(handle_);
}

Result<Endpoint> Socket::peer_endpoint() const noexcept {
  if (!handle_.valid()) return failure::closed_socket;
  return sys::peer_endpoint(handle_);
}

Status Socket::shutdown(Shutdown how) noexcept {
  if (!handle_.valid()) return failure::closed_socket;
  return sys::shutdown(handle_, how);
}

ErrorCode Socket::take_pending_error() noexcept {
  if (!handle_.valid()) return make_error_code(failure::closed_socket);
  return sys::take_pending_error(handle_);
}

namespace {
Result<bool> wait_for(NativeHandle h, unsigned events, milliseconds timeout) noexcept {
  if (!h.valid()) return failure::closed_socket;
  const long long ms = timeout.count() < 0 ? -1 : std::min<long long>(timeout.count(), INT_MAX);
  auto ready = sys::wait(h, events, static_cast<int>(ms));
  if (!ready) return ready.error();
  return *ready != 0;
}
}  // namespace

Result<bool> Socket::wait_readable(milliseconds timeout) const noexcept {
  return wait_for(handle_, sys::kReadable, timeout);
}
Result<bool> Socket::wait_writable(milliseconds timeout) const noexcept {
  return wait_for(handle_, sys::kWritable, timeout);
}

// -- options

Status Socket::set_reuse_address(bool on) noexcept {
  return set_int(handle_, family_, sys::Option::reuse_address, on);
}
Result<bool> Socket::reuse_address() const noexcept {
  return get_bool(handle_, family_, sys::Option::reuse_address);
}
Status Socket::set_reuse_port(bool on) noexcept {
  return set_int(handle_, family_, sys::Option::reuse_port, on);
}
Result<bool> Socket::reuse_port() const noexcept {
  return get_bool(handle_, family_, sys::Option::reuse_port);
}
Status Socket::set_no_delay(bool on) noexcept {
  return set_int(handle_, family_, sys::Option::no_delay, on);
}
Result<bool> Socket::no_delay() const noexcept {
  return get_bool(handle_, family_, sys::Option::no_delay);
}

Status Socket::set_keepalive(const Keepalive& k) noexcept {
  if (k.enabled) {
    // Validate everything before changing anything.
    constexpr long long kMaxSeconds = 32767;  // Linux MAX_TCP_KEEPIDLE/KEEPINTVL
    if (k.idle.count() < 1 || k.idle.count() > kMaxSeconds || k.interval.count() < 1 ||
        k.interval.count() > kMaxSeconds || k.count < 1 || k.count > 127)
      return make_error(std::errc::invalid_argument);
    const std::pair<sys::Option, int> settings[] = {
        {sys::Option::keepalive_idle_s, static_cast<int>(k.idle.count())},
        {sys::Option::keepalive_interval_s, static_cast<int>(k.interval.count())},
        {sys::Option::keepalive_count, k.count}};
    for (auto [option, value] : settings)
      if (auto st = set_int(handle_, family_, option, value); !st) return st;
  }
  return set_int(handle_, family_, sys::Option::keepalive, k.enabled);
}

Result<Keepalive> Socket::keepalive() const noexcept {
  Keepalive k;
  auto on = get_bool(handle_, family_, sys::Option::keepalive);
  if (!on) return on.error();
  auto idle = get_int(handle_, family_, sys::Option::keepalive_idle_s);
  if (!idle) return idle.error();
  auto interval = get_int(handle_, family_, sys::Option::keepalive_interval_s);
  if (!interval) return interval.error();
  auto count = get_int(handle_, family_, sys::Option::keepalive_count);
  if (!count) return count.error();
  k.enabled = *on;
  k.idle = seconds(*idle);
  k.interval = seconds(*interval);
  k.count = *count;
  return k;
}

Status Socket::set_user_timeout(milliseconds t) noexcept {
  return set_in_range(handle_, family_, sys::Option::user_timeout_ms, t.count(), 0, INT_MAX);
}
Result<milliseconds> Socket::user_timeout() const noexcept {
  return get_millis(handle_, family_, sys::Option::user_timeout_ms);
}
Status Socket::set_receive_timeout(milliseconds t) noexcept {
  return set_in_range(handle_, family_, sys::Option::receive_timeout_ms, t.count(), 0, INT_MAX);
}
Result<milliseconds> Socket::receive_timeout() const noexcept {
  return get_millis(handle_, family_, sys::Option::receive_timeout_ms);
}
Status Socket::set_send_timeout(milliseconds t) noexcept {
  return set_in_range(handle_, family_, sys::Option::send_timeout_ms, t.count(), 0, INT_MAX);
}
Result<milliseconds> Socket::send_timeout() const noexcept {
  return get_millis(handle_, family_, sys::Option::send_timeout_ms);
}
Status Socket::set_receive_buffer_size(int bytes) noexcept {
  return set_in_range(handle_, family_, sys::Option::receive_buffer, bytes, 1, INT_MAX / 2);
}
Result<int> Socket::receive_buffer_size() const noexcept {
  return get_int(handle_, family_, sys::Option::receive_buffer);
}
Status Socket::set_send_buffer_size(int bytes) noexcept {
  return set_in_range(handle_, family_, sys::Option::send_buffer, bytes, 1, INT_MAX / 2);
}
Result<int> Socket::send_buffer_size() const noexcept {
  return get_int(handle_, family_, sys::Option::send_buffer);
}

Status Socket::set_linger(std::optional<seconds> linger) noexcept {
  if (!linger) return set_int(handle_, family_, sys::Option::linger_s, -1);
  return set_in_range(handle_, family_, sys::Option::linger_s, linger->count(), 0, 65535);
}
Result<std::optional<seconds>> Socket::linger() const noexcept {
  auto v = get_int(handle_, family_, sys::Option::linger_s);
  if (!v) return v.error();
  if (*v < 0) return std::optional<seconds>{};
  return std::optional<seconds>{seconds(*v)};
}

Status Socket::set_broadcast(bool on) noexcept {
  return set_int(handle_, family_, sys::Option::broadcast, on);
}
Result<bool> Socket::broadcast() const noexcept {
  return get_bool(handle_, family_, sys::Option::broadcast);
}
Status Socket::set_ipv6_only(bool on) noexcept {
  return set_int(handle_, family_, sys::Option::ipv6_only, on);
}
Result<bool> Socket::ipv6_only() const noexcept {
  return get_bool(handle_, family_, sys::Option::ipv6_only);
}

namespace {
Status membership(NativeHandle h, Family f, const Endpoint& group, std::uint32_t index,
                  bool join) noexcept {
  if (!h.valid()) return failure::closed_socket;
  if (group.family() != f || !group.is_multicast())
    return make_error_code(group.family() != f ? failure::wrong_family
                                               : failure::malformed_address);
  return sys::multicast_membership(h, group, index, join);
}
}  // namespace

Status Socket::bind_to_device(std::string_view name) noexcept {
  if (!handle_.valid()) return failure::closed_socket;
  return sys::bind_to_device(handle_, name);
}
Status Socket::join_multicast(const Endpoint& group, std::uint32_t interface_index) noexcept {
  return membership(handle_, family_, group, interface_index, true);
}
Status Socket::leave_multicast(const Endpoint& group, std::uint32_t interface_index) noexcept {
  return membership(handle_, family_, group, interface_index, false);
}
Status Socket::set_multicast_ttl(int hops) noexcept {
  return set_in_range(handle_, family_, sys::Option::multicast_ttl, hops, 0, 255);
}
Result<int> Socket::multicast_ttl() const noexcept {
  return get_int(handle_, family_, sys::Option::multicast_ttl);
}
Status Socket::set_multicast_loopback(bool on) noexcept {
  return set_int(handle_, family_, sys::Option::multicast_loopback, on);
}
Result<bool> Socket::multicast_loopback() const noexcept {
  return get_bool(handle_, family_, sys::Option::multicast_loopback);
}
Status Socket::set_type_of_service(int tos) noexcept {
  return set_in_range(handle_, family_, sys::Option::type_of_service, tos, 0, 255);
}
Result<int> Socket::type_of_service() const noexcept {
  return get_int(handle_, family_, sys::Option::type_of_service);
}

}  // namespace sockkit
