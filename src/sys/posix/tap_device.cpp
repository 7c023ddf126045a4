// SPDX-License-Identifier: MIT
// TAP device I/O with the Linux kernel (no lwIP headers here: they clash).
#include "sys/posix/tap_device.hpp"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sockkit/error.hpp"

namespace sockkit::sys::posix::tap {
namespace {
ErrorCode kernel_error() noexcept {
  return make_host_error(errno);
}
}  // namespace

Result<int> open_device(std::string_view name) noexcept {
  if (name.empty() || name.size() >= IFNAMSIZ) return failure::unknown_interface;
  const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) return kernel_error();
  ifreq request{};
  request.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::memcpy(request.ifr_name, name.data(), name.size());
  if (::ioctl(fd, TUNSETIFF, &request) != 0) {
    const auto ec = kernel_error();
    ::close(fd);
    return ec;
  }
  return fd;
}

Result<std::size_t> read_frame(int fd, void* buffer, std::size_t size, int timeout_ms) noexcept {
  pollfd p{fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, timeout_ms);
  if (ready < 0) return errno == EINTR ? Result<std::size_t>(std::size_t{0}) : kernel_error();
  if (ready == 0) return std::size_t{0};
  const ssize_t n = ::read(fd, buffer, size);
  if (n < 0)
    return errno == EINTR || errno == EAGAIN ? Result<std::size_t>(std::size_t{0}) : kernel_error();
  return static_cast<std::size_t>(n);
}

Status write_frame(int fd, const void* frame, std::size_t size) noexcept {
  ssize_t n;
  do {
    n = ::write(fd, frame, size);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return kernel_error();
  return {};
}

}  // namespace sockkit::sys::posix::tap
