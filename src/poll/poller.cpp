// SPDX-License-Identifier: MIT
// Backend names and the factory.
#include "poll/poller.hpp"

#include <array>

namespace sockkit {

const char* to_string(Backend backend) noexcept {
  switch (backend) {
    case Backend::select:
      return "select";
    case Backend::poll:
      return "poll";
    case Backend::epoll:
      return "epoll";
    case Backend::epoll_edge:
      return "epoll-et";
    case Backend::uring:
      return "uring";
  }
  return "unknown";
}

Result<Backend> parse_backend(std::string_view name) noexcept {
  for (Backend b :
       {Backend::select, Backend::poll, Backend::epoll, Backend::epoll_edge, Backend::uring})
    if (name == to_string(b)) return b;
  return std::make_error_code(std::errc::invalid_argument);
}

Backend default_backend() noexcept {
#if SOCKKIT_HAVE_EPOLL
  return Backend::epoll;
#elif SOCKKIT_HAVE_POLL
  return Backend::poll;
#elif SOCKKIT_HAVE_SELECT
  return Backend::select;
#else
  return Backend::uring;
#endif
}

std::span<const Backend> compiled_backends() noexcept {
  static constexpr Backend kAll[] = {
#if SOCKKIT_HAVE_SELECT
    Backend::select,
#endif
#if SOCKKIT_HAVE_POLL
    Backend::poll,
#endif
#if SOCKKIT_HAVE_EPOLL
    Backend::epoll,
    Backend::epoll_edge,
#endif
#if SOCKKIT_HAVE_URING
    Backend::uring,
#endif
  };
  return kAll;
}

namespace poll {

// Only a backend whose receive_for() said yes is ever asked these.
Result<std::span<const std::byte>> Poller::received(NativeHandle) noexcept {
  return std::make_error_code(std::errc::resource_unavailable_try_again);
}
Result<NativeHandle> Poller::accepted(NativeHandle) noexcept {
  return std::make_error_code(std::errc::resource_unavailable_try_again);
}

Result<PollerPtr> make_poller(Backend backend) noexcept {
  switch (backend) {
    case Backend::select:
#if SOCKKIT_HAVE_SELECT
      return make_select();
#else
      break;
#endif
    case Backend::poll:
#if SOCKKIT_HAVE_POLL
      return make_poll();
#else
      break;
#endif
    case Backend::epoll:
    case Backend::epoll_edge:
#if SOCKKIT_HAVE_EPOLL
      return make_epoll(backend == Backend::epoll_edge);
#else
      break;
#endif
    case Backend::uring:
      return make_uring();
  }
  return failure::backend_unavailable;
}

}  // namespace poll
}  // namespace sockkit

#if !SOCKKIT_HAVE_URING
namespace sockkit::poll {
Result<PollerPtr> make_uring() noexcept {
  return failure::backend_unavailable;  // built without liburing
}
}  // namespace sockkit::poll
#endif
