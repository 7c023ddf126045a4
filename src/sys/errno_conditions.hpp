// SPDX-License-Identifier: MIT
// errno numbers to sockkit's portable conditions, for every stack whose errors
// are errno-style (Linux, lwIP). Include it after the stack's own errno
// definitions: the E* names resolve to that stack's values (lwIP on a device
// may number them differently from the host). One stack is compiled per build.
#pragma once

#include <optional>

#include "sockkit/error.hpp"

namespace sockkit::sys {

inline std::optional<errc> errno_condition(int value) noexcept {
  switch (value) {
    case EAGAIN:
      return errc::would_block;  // EWOULDBLOCK has the same value on both stacks
    case EINPROGRESS:
    case EALREADY:
      return errc::in_progress;
    case ECONNREFUSED:
      return errc::connection_refused;
    case ECONNRESET:
      return errc::connection_reset;
    case ECONNABORTED:
      return errc::connection_aborted;
    case EPIPE:
      return errc::peer_closed;
    case ENOTCONN:
      return errc::not_connected;
    case EISCONN:
      return errc::already_connected;
    case ETIMEDOUT:
      return errc::timed_out;
    case EADDRINUSE:
      return errc::address_in_use;
    case EADDRNOTAVAIL:
      return errc::address_not_available;
    case EHOSTUNREACH:
    case EHOSTDOWN:
      return errc::host_unreachable;
    case ENETUNREACH:
    case ENETDOWN:
      return errc::network_unreachable;
    case EMFILE:
    case ENFILE:
      return errc::too_many_sockets;
    case ENOBUFS:
    case ENOMEM:
      return errc::no_buffer_space;
    case ENOPROTOOPT:
    case EOPNOTSUPP:
    case EPROTONOSUPPORT:
    case EAFNOSUPPORT:
#ifdef ESOCKTNOSUPPORT  // not in every C library (newlib lacks it)
    case ESOCKTNOSUPPORT:
#endif
    case EPFNOSUPPORT:
    case ENOSYS:
#if defined(ENOTSUP) && ENOTSUP != EOPNOTSUPP  // one number on glibc, two on newlib
    case ENOTSUP:
#endif
      return errc::not_supported;
    case EMSGSIZE:
      return errc::message_too_large;
    case EACCES:
    case EPERM:
      return errc::permission_denied;
    case EINVAL:
    case EDESTADDRREQ:
      return errc::invalid_argument;
    case EBADF:
    case ENOTSOCK:
      return errc::bad_descriptor;
    default:
      return std::nullopt;
  }
}

}  // namespace sockkit::sys
