// lwIP's error numbers ("lwip" category) and their portable conditions.
#include <cstring>
#include <string>

#include "sys/lwip/lwip.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
namespace lwip {
namespace {
class LwipCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lwip"; }
  std::string message(int value) const override {
    return std::string("lwIP: ") + std::strerror(value);  // hosted port: host errno numbering
  }
};
}  // namespace

const std::error_category& category() noexcept {
  static const LwipCategory instance;
  return instance;
}
}  // namespace lwip

std::optional<errc> classify(const std::error_code& code) noexcept {
  if (code.category() != lwip::category()) return std::nullopt;
  switch (code.value()) {
    case EAGAIN:
      return errc::would_block;
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
    case EAFNOSUPPORT:
    case ENOSYS:
      return errc::not_supported;
    case EMSGSIZE:
      return errc::message_too_large;
    case EACCES:
    case EPERM:
      return errc::permission_denied;
    case EINVAL:
      return errc::invalid_argument;
    case EBADF:
      return errc::bad_descriptor;
    default:
      return std::nullopt;
  }
}

}  // namespace sockkit::sys
