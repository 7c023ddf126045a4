// SPDX-License-Identifier: MIT
// UdpChannel: a UDP socket the loop reads. Reads stop after max_per_wakeup
// datagrams and the socket is requeued, so a flood on one port cannot starve
// the loop's other sockets or its timers (edge-triggered backends included).
#include "sockkit/udp_channel.hpp"

#include <new>
#include <utility>

#include "loop/dispose.hpp"
#include "loop/loop_access.hpp"

namespace sockkit {

struct UdpChannel::Impl final : IoHandler {
  Impl(EventLoop& l, UdpSocket s, UdpHandler& h, const UdpChannelOptions& o,
       std::byte* buf) noexcept
      : loop(l), socket(std::move(s)), handler(h), options(o), buffer(buf) {}
  ~Impl() { delete[] buffer; }

  EventLoop& loop;
  UdpSocket socket;
  UdpHandler& handler;
  UdpChannelOptions options;
  std::byte* buffer;
  UdpChannel* owner = nullptr;
  UdpChannelStats stats;
  bool retired = false;
  bool paused = false;

  void retire() noexcept {
    if (retired) return;
    retired = true;
    if (!paused) (void)loop.unwatch(socket.native_handle());
    (void)socket.close();
  }

  void on_io(unsigned /*events*/) noexcept override {
    for (unsigned n = 0; n < options.max_per_wakeup; ++n) {
      if (retired || paused) return;
      auto got = socket.receive_from(std::span(buffer, options.max_datagram));
      if (!got) {
        if (got.error() == errc::would_block) return;
        ++stats.receive_errors;
        handler.on_receive_error(*owner, got.error());
        continue;
      }
      ++stats.received;
      if (got->truncated) ++stats.truncated;
      handler.on_datagram(*owner, std::span<const std::byte>(buffer, got->size), *got);
    }
    if (!retired && !paused) loop.requeue(socket.native_handle(), io::readable);  // budget spent
  }
};

Result<UdpChannel> UdpChannel::create(EventLoop& loop, UdpSocket socket, UdpHandler& handler,
                                      const UdpChannelOptions& options) {
  if (!socket.is_open()) return failure::closed_socket;
  if (options.max_datagram == 0 || options.max_per_wakeup == 0) return failure::limit_reached;
  if (auto st = socket.set_nonblocking(true); !st) return st.error();
  auto* buffer = new (std::nothrow) std::byte[options.max_datagram];
  if (buffer == nullptr) return make_error(std::errc::not_enough_memory);
  std::unique_ptr<Impl> owned(new (std::nothrow) Impl(loop::LoopAccess::home(loop),
                                                      std::move(socket), handler, options, buffer));
  if (!owned) {
    delete[] buffer;
    return make_error(std::errc::not_enough_memory);
  }
  Impl* impl = owned.get();
  UdpChannel channel(std::move(owned));  // from here on, the channel frees impl
  if (auto st = impl->loop.watch(impl->socket.native_handle(), io::readable, impl); !st) {
    impl->paused = true;  // not watched: nothing to unwatch
    return st.error();
  }
  return channel;
}

UdpChannel::UdpChannel(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {
  impl_->owner = this;
}

UdpChannel::~UdpChannel() {
  if (!impl_) return;
  EventLoop& loop = impl_->loop;  // before impl_ is moved from
  loop::dispose(loop, std::move(impl_));
}

UdpChannel::UdpChannel(UdpChannel&& other) noexcept : impl_(std::move(other.impl_)) {
  if (impl_ != nullptr) impl_->owner = this;  // on_datagram names the channel that holds it
}

UdpChannel& UdpChannel::operator=(UdpChannel&& other) noexcept {
  return loop::move_assign(*this, std::move(other));
}

Result<std::size_t> UdpChannel::send_to(std::span<const std::byte> data,
                                        const Endpoint& to) noexcept {
  auto sent = impl_->socket.send_to(data, to);
  if (sent) ++impl_->stats.sent;
  return sent;
}

Result<std::size_t> UdpChannel::send_to(std::string_view data, const Endpoint& to) noexcept {
  return send_to(std::as_bytes(std::span(data.data(), data.size())), to);
}

Result<std::size_t> UdpChannel::send(std::span<const std::byte> data) noexcept {
  auto sent = impl_->socket.send(data);
  if (sent) ++impl_->stats.sent;
  return sent;
}

void UdpChannel::pause() noexcept {
  if (impl_->paused || impl_->retired) return;
  impl_->paused = true;
  (void)impl_->loop.unwatch(impl_->socket.native_handle());
}

void UdpChannel::resume() noexcept {
  if (!impl_->paused || impl_->retired) return;
  if (impl_->loop.watch(impl_->socket.native_handle(), io::readable, impl_.get()))
    impl_->paused = false;
}

UdpSocket& UdpChannel::socket() noexcept {
  return impl_->socket;
}
UdpChannelStats UdpChannel::stats() const noexcept {
  return impl_->stats;
}

}  // namespace sockkit
