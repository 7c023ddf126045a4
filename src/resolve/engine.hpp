// SPDX-License-Identifier: MIT
// What a Resolver's engine does, behind one interface: sockkit's stub resolver
// (resolver.cpp) and the stack's own DNS client (stack_engine.cpp). The facade
// (facade.cpp) picks one at create() and adds what both share.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "sockkit/function.hpp"
#include "sockkit/resolver.hpp"

namespace sockkit::resolve_detail {

class Engine {
 public:
  virtual ~Engine() = default;
  /// Cancels everything, no callback follows; the engine is freed later.
  virtual void retire() noexcept = 0;
  /// As Resolver::lookup(): callbacks from the loop, never inside the call.
  virtual Resolver::LookupId lookup(std::string_view host, std::uint16_t port,
                                    LookupFamilies families, std::chrono::milliseconds deadline,
                                    Resolver::FamilyCallback done) = 0;
  /// Runs `fn` on the loop's next turn, not at all once retired.
  virtual void soon(Function<void()> fn) = 0;
  virtual bool cancel(Resolver::LookupId id) noexcept = 0;
  virtual std::size_t pending() const noexcept = 0;
  virtual void clear_cache() noexcept = 0;
  virtual ResolverStats stats() const noexcept = 0;
  virtual const ResolverConfig& config() const noexcept = 0;
  virtual EventLoop& loop() noexcept = 0;
};

/// Work for the loop's next turn, never inside the current call, dropped when
/// its owner retires. No timer: it works on a loop whose timers are all in use.
class SoonQueue {
 public:
  explicit SoonQueue(EventLoop& loop) noexcept : loop_(loop) {}
  void add(Function<void()> fn) {
    const std::uint64_t key = ++last_key_;
    const SoonId id = loop_.soon([this, key, fn = std::move(fn)] {
      std::erase_if(queued_, [&](const auto& q) { return q.first == key; });
      fn();
    });
    queued_.emplace_back(key, id);
  }
  void cancel_all() noexcept {
    for (const auto& [key, id] : queued_)
      loop_.cancel_soon(id);
    queued_.clear();
  }

 private:
  EventLoop& loop_;
  std::vector<std::pair<std::uint64_t, SoonId>> queued_;  // not run yet
  std::uint64_t last_key_ = 0;
};

/// sockkit's own stub resolver.
std::unique_ptr<Engine> make_sockkit_engine(EventLoop& loop, ResolverOptions options);
/// The stack's DNS client; failure::backend_unavailable where the stack has
/// none, the servers' errors of set_stack_dns_servers().
Result<std::unique_ptr<Engine>> make_stack_engine(EventLoop& loop, ResolverOptions options);

}  // namespace sockkit::resolve_detail
