// SPDX-License-Identifier: MIT
// The Resolver facade: the engine chosen at create() (sockkit's own, or the
// stack's DNS client), and what every engine shares — "host:port" lookups
// ordered for connecting, and deferred destruction.
#include <memory>

#include "loop/dispose.hpp"
#include "resolve/address_order.hpp"
#include "resolve/engine.hpp"
#include "resolve/target.hpp"
#include "sockkit/resolver.hpp"
#include "sys/sys.hpp"

namespace sockkit {

const char* to_string(AnswerSource source) noexcept {
  switch (source) {
    case AnswerSource::numeric:
      return "numeric";
    case AnswerSource::hosts_file:
      return "hosts";
    case AnswerSource::cache:
      return "cache";
    case AnswerSource::server:
      return "server";
  }
  return "?";
}

ResolverEngine default_resolver_engine() noexcept {
  return SOCKKIT_RESOLVER_DEFAULT_STACK ? ResolverEngine::stack : ResolverEngine::sockkit;
}

bool resolver_engine_available(ResolverEngine engine) noexcept {
  if (engine == ResolverEngine::stack) return SOCKKIT_RESOLVER_STACK && sys::stack_dns_available();
  return SOCKKIT_RESOLVER_SOCKKIT != 0;
}

// The facade's pimpl holds the engine create() chose.
struct Resolver::Impl {
  std::unique_ptr<resolve_detail::Engine> engine;
  void retire() noexcept { engine->retire(); }
  EventLoop& loop() noexcept { return engine->loop(); }
};

Result<Resolver> Resolver::create(EventLoop& loop, ResolverOptions options) {
  if (!resolver_engine_available(options.engine)) return failure::backend_unavailable;
  auto impl = std::make_unique<Impl>();
  // Only the engines this build has are referenced: a device build that has
  // only the stack's links none of sockkit's resolver.
#if SOCKKIT_RESOLVER_STACK
  if (options.engine == ResolverEngine::stack) {
    auto engine = resolve_detail::make_stack_engine(loop, std::move(options));
    if (!engine) return engine.error();
    impl->engine = std::move(*engine);
  }
#endif
#if SOCKKIT_RESOLVER_SOCKKIT
  if (options.engine == ResolverEngine::sockkit)
    impl->engine = resolve_detail::make_sockkit_engine(loop, std::move(options));
#endif
  if (!impl->engine) return failure::backend_unavailable;  // an engine the build left out
  return Resolver(std::move(impl));
}

Resolver::Resolver(Resolver&& other) noexcept = default;

Resolver& Resolver::operator=(Resolver&& other) noexcept {
  return loop::move_assign(*this, std::move(other));
}

Resolver::Resolver(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

Resolver::~Resolver() {
  if (!impl_) return;
  EventLoop& loop = impl_->loop();  // before impl_ is moved from
  loop::dispose(loop, std::move(impl_));
}

Resolver::LookupId Resolver::lookup(std::string_view host, std::uint16_t port,
                                    LookupFamilies families, std::chrono::milliseconds deadline,
                                    FamilyCallback done) {
  return impl_->engine->lookup(host, port, families, deadline, std::move(done));
}

Resolver::LookupId Resolver::lookup_endpoints(std::string_view host_port,
                                              std::chrono::milliseconds deadline,
                                              EndpointsCallback done) {
  struct Collected {
    std::vector<Endpoint> v6, v4;
    ErrorCode error;
  };
  auto target = resolve_detail::parse_target(host_port);
  if (!target || target->numeric || target->host.empty()) {
    // Still answered on the loop, like every lookup; an id that is already finished.
    const ErrorCode error = !target ? target.error() : make_error_code(failure::malformed_address);
    const std::optional<Endpoint> numeric = target ? target->numeric : std::nullopt;
    impl_->engine->soon([done = std::move(done), error, numeric] {
      if (numeric) return done(std::vector<Endpoint>{*numeric});
      done(error);
    });
    return 0;
  }
  auto collected = std::make_shared<Collected>();
  return lookup(target->host, target->port, LookupFamilies::both, deadline,
                [collected, done = std::move(done)](const FamilyAnswer& a) {
                  if (a.result) {
                    auto& list = a.family == Family::ipv6 ? collected->v6 : collected->v4;
                    for (const auto& r : a.result->addresses)
                      list.push_back(r.address);
                  } else if (!collected->error || collected->error == failure::resolve_timeout ||
                             collected->error == failure::no_address) {
                    collected->error = a.result.error();  // the most telling failure wins
                  }
                  if (!a.last) return;
                  if (collected->v6.empty() && collected->v4.empty()) return done(collected->error);
                  done(resolve_detail::order_for_connecting(collected->v6, collected->v4));
                });
}

bool Resolver::cancel(LookupId id) noexcept {
  return impl_->engine->cancel(id);
}
std::size_t Resolver::pending() const noexcept {
  return impl_->engine->pending();
}
void Resolver::clear_cache() noexcept {
  impl_->engine->clear_cache();
}
ResolverStats Resolver::stats() const noexcept {
  return impl_->engine->stats();
}
const ResolverConfig& Resolver::config() const noexcept {
  return impl_->engine->config();
}

}  // namespace sockkit
