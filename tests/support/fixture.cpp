#include "support/fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>

namespace sockkit::test {

int open_descriptor_count() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    ++count;
  return count;
}

void SockkitTest::SetUp() {
  descriptors_at_start_ = open_descriptor_count();
}

void SockkitTest::TearDown() {
  EXPECT_EQ(open_descriptor_count(), descriptors_at_start_) << "descriptor leak (or double close)";
}

Endpoint unique_unix_endpoint() {
  static std::atomic<int> counter{0};
  return *Endpoint::unix_abstract("sockkit-test-" + std::to_string(::getpid()) + "-" +
                                  std::to_string(counter++));
}

TcpListener listen_loopback(Family family, const ListenOptions& options) {
  Endpoint at;
  switch (family) {
    case Family::ipv4:
      at = Endpoint::loopback_v4(0);
      break;
    case Family::ipv6:
      at = Endpoint::loopback_v6(0);
      break;
    default:
      at = unique_unix_endpoint();
      break;
  }
  auto listener = TcpListener::bind(at, options);
  if (!listener) {
    ADD_FAILURE() << "listen on " << at.to_string() << ": " << listener.error().message();
    return {};
  }
  return std::move(*listener);
}

std::pair<TcpStream, TcpStream> connected_pair(Family family) {
  auto listener = listen_loopback(family);
  auto at = listener.local_endpoint();
  if (!at) {
    ADD_FAILURE() << "local_endpoint: " << at.error().message();
    return {};
  }
  auto client = TcpStream::connect(*at, std::chrono::seconds(5));
  if (!client) {
    ADD_FAILURE() << "connect: " << client.error().message();
    return {};
  }
  auto server = listener.accept();
  if (!server) {
    ADD_FAILURE() << "accept: " << server.error().message();
    return {};
  }
  return {std::move(*client), std::move(server->stream)};
}

std::string family_name(Family family) {
  switch (family) {
    case Family::ipv4:
      return "IPv4";
    case Family::ipv6:
      return "IPv6";
    case Family::unix_domain:
      return "Unix";
    case Family::none:
      break;
  }
  return "none";
}

long long elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

}  // namespace sockkit::test
