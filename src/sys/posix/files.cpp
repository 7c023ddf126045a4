// SPDX-License-Identifier: MIT
// Small configuration files for the resolver, read whole with a size bound.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/posix/posix.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {

Result<std::size_t> read_config_file(const char* path, std::span<char> out) noexcept {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return posix::last_error();
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return got;
}

std::uint64_t config_file_stamp(const char* path) noexcept {
  struct stat st {};
  if (::stat(path, &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000u +
         static_cast<std::uint64_t>(st.st_mtim.tv_nsec) + static_cast<std::uint64_t>(st.st_size) +
         1;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

std::vector<Endpoint> stack_dns_servers() {
  return {};
}

Status set_stack_dns_servers(std::span<const Endpoint>) noexcept {
  return failure::backend_unavailable;  // the kernel keeps none: resolv.conf does
}

bool stack_dns_available() noexcept {
  return false;  // the kernel has no DNS client; glibc's runs in the process
}

Result<std::optional<Endpoint>> stack_dns_lookup(const std::string&, Family, StackDnsDone,
                                                 std::uintptr_t) noexcept {
  return failure::backend_unavailable;
}

}  // namespace sockkit::sys
