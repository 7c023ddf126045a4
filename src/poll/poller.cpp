// SPDX-License-Identifier: MIT
// Backend names and the factory.
#include "poll/poller.hpp"

#include <array>

namespace sockkit {
namespace {

// Every backend, once: its name, whether it may be the default (and before
// which others), and how to make it — null when this build leaves it out.
// Adding a backend is its file under src/poll/, its enum value and a row here.
struct Entry {
  Backend backend;
  const char* name;
  int default_rank;  // lowest compiled one is the default; 0 = never
  Result<poll::PollerPtr> (*make)() noexcept;
};

constexpr Entry kBackends[] = {
    {Backend::select, "select", 3,
#if SOCKKIT_HAVE_SELECT
     []() noexcept { return poll::make_select(); }
#else
     nullptr
#endif
    },
    {Backend::poll, "poll", 2,
#if SOCKKIT_HAVE_POLL
     []() noexcept { return poll::make_poll(); }
#else
     nullptr
#endif
    },
    {Backend::epoll, "epoll", 1,
#if SOCKKIT_HAVE_EPOLL
     []() noexcept { return poll::make_epoll(false); }
#else
     nullptr
#endif
    },
    {Backend::epoll_edge, "epoll-et", 0,
#if SOCKKIT_HAVE_EPOLL
     []() noexcept { return poll::make_epoll(true); }
#else
     nullptr
#endif
    },
    {Backend::uring, "uring", 4,
#if SOCKKIT_HAVE_URING
     []() noexcept { return poll::make_uring(); }
#else
     nullptr
#endif
    },
};

constexpr std::size_t kCompiledCount = [] {
  std::size_t n = 0;
  for (const Entry& e : kBackends)
    n += e.make != nullptr ? 1 : 0;
  return n;
}();

constexpr std::array<Backend, kCompiledCount> kCompiled = [] {
  std::array<Backend, kCompiledCount> out{};
  std::size_t i = 0;
  for (const Entry& e : kBackends)
    if (e.make != nullptr) out[i++] = e.backend;
  return out;
}();

constexpr Backend kDefault = [] {
  const Entry* best = nullptr;
  for (const Entry& e : kBackends)
    if (e.make != nullptr && e.default_rank != 0 &&
        (best == nullptr || e.default_rank < best->default_rank))
      best = &e;
  return best != nullptr ? best->backend : Backend::poll;
}();

const Entry* entry(Backend backend) noexcept {
  for (const Entry& e : kBackends)
    if (e.backend == backend) return &e;
  return nullptr;
}

}  // namespace

const char* to_string(Backend backend) noexcept {
  const Entry* e = entry(backend);
  return e != nullptr ? e->name : "unknown";
}

Result<Backend> parse_backend(std::string_view name) noexcept {
  for (const Entry& e : kBackends)
    if (name == e.name) return e.backend;
  return make_error(std::errc::invalid_argument);
}

Backend default_backend() noexcept {
  return kDefault;
}

std::span<const Backend> compiled_backends() noexcept {
  return kCompiled;
}

namespace poll {

// Only a backend whose receive_for() said yes is ever asked these.
Result<std::span<const std::byte>> Poller::received(NativeHandle) noexcept {
  return make_error(std::errc::resource_unavailable_try_again);
}
Result<NativeHandle> Poller::accepted(NativeHandle) noexcept {
  return make_error(std::errc::resource_unavailable_try_again);
}

Result<PollerPtr> make_poller(Backend backend) noexcept {
  const Entry* e = entry(backend);
  if (e == nullptr || e->make == nullptr) return failure::backend_unavailable;
  return e->make();
}

}  // namespace poll
}  // namespace sockkit

#if !SOCKKIT_HAVE_URING
namespace sockkit::poll {
Result<PollerPtr> make_uring(bool) noexcept {
  return failure::backend_unavailable;  // built without liburing
}
}  // namespace sockkit::poll
#endif
