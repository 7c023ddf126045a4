// errno values to sockkit's portable conditions.
#include <cerrno>

#include "sys/sys.hpp"

namespace sockkit::sys {

std::optional<errc> classify(const std::error_code& code) noexcept {
  if (code.category() != std::system_category() && code.category() != std::generic_category())
    return std::nullopt;
  switch (code.value()) {
    case EAGAIN:
      return errc::would_block;  // EWOULDBLOCK is the same value on Linux
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
    case ESOCKTNOSUPPORT:
    case EPFNOSUPPORT:
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
