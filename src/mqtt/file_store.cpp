// SPDX-License-Identifier: MIT
// FileStore: one file per unacknowledged message. A record is written to a
// temporary name, synced, and renamed over the old one, so a power cut leaves
// either the previous record or the new one, never half of one.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "sockkit/mqtt.hpp"

namespace sockkit::mqtt {
namespace {

ErrorCode last_error() noexcept {
  return make_host_error(errno);
}

Status write_all(int fd, std::span<const std::byte> data) noexcept {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_error();
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

constexpr std::size_t kMaxRecord = 16 << 20;  // larger files are not ours

}  // namespace

Result<FileStore> FileStore::open(std::string directory) {
  if (directory.empty()) return make_error(std::errc::invalid_argument);
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) return last_error();
  struct stat st {};
  if (::stat(directory.c_str(), &st) != 0) return last_error();
  if (!S_ISDIR(st.st_mode)) return make_error(std::errc::invalid_argument);
  return FileStore(std::move(directory));
}

std::string FileStore::path(std::uint64_t id, bool temporary) const {
  char name[40];
  std::snprintf(name, sizeof name, "/%016" PRIx64 "%s", id, temporary ? ".tmp" : ".msg");
  return dir_ + name;
}

Status FileStore::save(std::uint64_t id, std::span<const std::byte> record) noexcept {
  const std::string tmp = path(id, true);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return last_error();
  Status st = write_all(fd, record);
  if (st && ::fsync(fd) != 0) st = last_error();
  ::close(fd);
  if (st && ::rename(tmp.c_str(), path(id).c_str()) != 0) st = last_error();
  if (!st) ::unlink(tmp.c_str());
  return st;
}

void FileStore::erase(std::uint64_t id) noexcept {
  ::unlink(path(id).c_str());
}

Status FileStore::load(const Function<void(std::uint64_t, std::span<const std::byte>)>& each) {
  DIR* dir = ::opendir(dir_.c_str());
  if (dir == nullptr) return last_error();
  std::vector<std::uint64_t> ids;
  for (;;) {
    errno = 0;  // readdir's end and its failure differ only in errno
    const dirent* entry = ::readdir(dir);
    if (entry == nullptr) break;
    std::uint64_t id = 0;
    char suffix[8] = {};
    // Only our own names; leftovers of an interrupted save (.tmp) are removed.
    if (std::sscanf(entry->d_name, "%16" SCNx64 ".%3s", &id, suffix) != 2) continue;
    if (std::string_view(suffix) == "msg") ids.push_back(id);
    if (std::string_view(suffix) == "tmp") ::unlink(path(id, true).c_str());
  }
  const int listing_error = errno;
  ::closedir(dir);
  // A failed listing would silently lose every stored message: say so instead.
  if (listing_error != 0) return make_host_error(listing_error);
  std::sort(ids.begin(), ids.end());
  std::vector<std::byte> record;
  for (auto id : ids) {
    const int fd = ::open(path(id).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    record.clear();
    std::byte chunk[4096];
    ssize_t n;
    while ((n = ::read(fd, chunk, sizeof chunk)) > 0 && record.size() <= kMaxRecord)
      record.insert(record.end(), chunk, chunk + n);
    ::close(fd);
    if (n == 0) each(id, record);
  }
  return {};
}

}  // namespace sockkit::mqtt
