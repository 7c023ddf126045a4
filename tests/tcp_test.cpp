// SPDX-License-Identifier: MIT
// The TCP lifecycle on loopback, the same over IPv4, IPv6 and Unix-domain streams.
#include <linux/tcp.h>  // struct tcp_info: segments sent, for the gather-write test
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;

class StreamLifecycle : public SockkitTest, public ::testing::WithParamInterface<Family> {};

TEST_P(StreamLifecycle, AcceptReturnsANewStreamAndTheListenerStaysOpen) {
  auto listener = listen_loopback(GetParam());
  const auto at = *listener.local_endpoint();
  for (int i = 0; i < 3; ++i) {
    auto client = TcpStream::connect(at, 2s);
    ASSERT_OK(client);
    auto accepted = listener.accept();
    ASSERT_OK(accepted);
    EXPECT_NE(accepted->stream.native_handle(), listener.native_handle());
    EXPECT_EQ(accepted->peer.family(), GetParam());
    if (GetParam() != Family::unix_domain) {
      EXPECT_EQ(accepted->peer, *client->local_endpoint());
      EXPECT_EQ(*client->peer_endpoint(), at);
    }
    ASSERT_OK(client->write_all("ping"));
    char buf[4];
    ASSERT_OK(accepted->stream.read_exact(std::span<char>(buf)));
    EXPECT_EQ(std::string_view(buf, 4), "ping");
  }
  EXPECT_TRUE(listener.is_open());
}

TEST_P(StreamLifecycle, LargeTransferIsByteExactDespitePartialTransfers) {
  auto [client, server] = connected_pair(GetParam());
  const auto sent = seeded_payload(4 << 20, 42);
  std::thread writer([&, &c = client] { EXPECT_OK(c.write_all(sent)); });
  std::vector<std::byte> got(sent.size());
  EXPECT_OK(server.read_exact(got, 20s));
  writer.join();
  EXPECT_TRUE(got == sent);
}

// Gather writes: uneven parts (an empty one too) through partial sends, in order.
TEST_P(StreamLifecycle, GatherWriteAllIsByteExactAcrossPartsAndPartialSends) {
  auto [client, server] = connected_pair(GetParam());
  const auto sent = seeded_payload(3 << 20, 7);
  const std::span<const std::byte> all(sent);
  const std::span<const std::byte> parts[] = {all.first(4), all.subspan(4, 0),
                                              all.subspan(4, 1 << 20), all.subspan(4 + (1 << 20))};
  std::thread writer([&, &c = client] { EXPECT_OK(c.write_all(parts)); });
  std::vector<std::byte> got(sent.size());
  EXPECT_OK(server.read_exact(got, 20s));
  writer.join();
  EXPECT_TRUE(got == sent);
}

TEST_P(StreamLifecycle, HalfCloseDeliversEofWhileTheOtherWayStillWorks) {
  auto [client, server] = connected_pair(GetParam());
  ASSERT_OK(client.write_all("request"));
  ASSERT_OK(client.shutdown_write());
  std::string got;
  char buf[64];
  for (;;) {
    auto n = server.receive(std::span<char>(buf));
    ASSERT_OK(n);
    if (*n == 0) break;  // EOF: the client is done sending
    got.append(buf, *n);
  }
  EXPECT_EQ(got, "request");
  ASSERT_OK(server.write_all("reply"));  // the other direction is still open
  ASSERT_OK(server.close());
  char reply[5];
  ASSERT_OK(client.read_exact(std::span<char>(reply)));
  EXPECT_EQ(std::string_view(reply, 5), "reply");
  auto eof = client.receive(std::span<char>(buf));
  ASSERT_OK(eof);
  EXPECT_EQ(*eof, 0u);
}

TEST_P(StreamLifecycle, AnAdoptedDescriptorIsOwnedAndClosedByItsStream) {
  auto [client, server] = connected_pair(GetParam());
  const NativeHandle raw = server.release();
  ASSERT_FALSE(server.is_open());
  {
    TcpStream adopted = TcpStream::adopt(raw, client.family());
    ASSERT_TRUE(adopted.is_open());
    EXPECT_EQ(adopted.native_handle(), raw);
    ASSERT_OK(client.write_all("hello"));
    char got[5];
    ASSERT_OK(adopted.read_exact(std::span<char>(got)));
    EXPECT_EQ(std::string_view(got, 5), "hello");
  }  // closes the descriptor: the client reads EOF
  char buf[4];
  auto eof = client.receive(std::span<char>(buf));
  ASSERT_OK(eof);
  EXPECT_EQ(*eof, 0u);
}

TEST_P(StreamLifecycle, ReadExactReportsEarlyEofAsPeerClosed) {
  auto [client, server] = connected_pair(GetParam());
  ASSERT_OK(client.write_all("abc"));
  ASSERT_OK(client.close());
  char buf[10];
  EXPECT_EQ(server.read_exact(std::span<char>(buf)).error(),
            make_error_code(failure::unexpected_eof));
}

TEST_P(StreamLifecycle, NonBlockingReceiveOnAnEmptySocketWouldBlock) {
  auto [client, server] = connected_pair(GetParam());
  ASSERT_OK(server.set_nonblocking(true));
  EXPECT_TRUE(server.is_nonblocking());
  char buf[8];
  EXPECT_ERRC(server.receive(std::span<char>(buf)), errc::would_block);  // EAGAIN
  ASSERT_OK(client.write_all("x"));
  ASSERT_TRUE(*server.wait_readable(2s));
  auto n = server.receive(std::span<char>(buf));
  ASSERT_OK(n);
  EXPECT_EQ(*n, 1u);
}

TEST_P(StreamLifecycle, NonBlockingWriteAllWaitsForTheReaderAndTimesOut) {
  auto [client, server] = connected_pair(GetParam());
  ASSERT_OK(client.set_nonblocking(true));
  std::vector<std::byte> big(64 << 20);
  // Nobody reads: the buffers fill, would-block is handled inside, then the deadline hits.
  EXPECT_EQ(client.write_all(big, 200ms).error(), make_error_code(failure::send_timeout));
}

TEST_P(StreamLifecycle, BlockingReceiveTimeoutIsTimedOutNotWouldBlock) {
  auto [client, server] = connected_pair(GetParam());
  ASSERT_OK(server.set_receive_timeout(100ms));
  char buf[8];
  auto n = server.receive(std::span<char>(buf));
  EXPECT_ERRC(n, errc::timed_out);
  EXPECT_EQ(n.error(), make_error_code(failure::receive_timeout));
}

TEST_P(StreamLifecycle, ReadExactWithTimeoutGivesUp) {
  auto [client, server] = connected_pair(GetParam());
  ASSERT_OK(client.write_all("ab"));
  char buf[4];
  EXPECT_EQ(server.read_exact(std::span<char>(buf), 100ms).error(),
            make_error_code(failure::receive_timeout));
}

INSTANTIATE_TEST_SUITE_P(Families, StreamLifecycle, ::testing::ValuesIn(stream_families()),
                         [](const auto& param_info) { return family_name(param_info.param); });

using TcpTest = SockkitTest;

// Segments the kernel has sent on `s` (TCP_INFO), or -1.
constexpr long kNoSegmentCount = -2;

// tcpi_segs_out, or kNoSegmentCount where the answer stops short of it (qemu-user
// answers TCP_INFO with a 4-byte integer), or -1 on failure.
long segments_sent(const TcpStream& s) {
  tcp_info info{};
  socklen_t length = sizeof(info);
  if (::getsockopt(s.native_handle().value, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return -1;
  if (length < offsetof(tcp_info, tcpi_segs_out) + sizeof info.tcpi_segs_out)
    return kNoSegmentCount;
  return static_cast<long>(info.tcpi_segs_out);
}

// With TCP_NODELAY, a length header and its payload sent as two writes leave as
// two segments; one gather write sends one. The first half shows the test can fail.
TEST_F(TcpTest, GatherWriteLeavesHeaderAndPayloadInOneSegment) {
  if (!stack_supports(StackFeature::close_on_exec))
    GTEST_SKIP() << "TCP_INFO is read from a kernel descriptor; none on " << stack_name();
  auto [client, server] = connected_pair(Family::ipv4);
  ASSERT_OK(client.set_no_delay(true));
  const std::string header("\x00\x00\x00\x05", 4);  // the payload's length
  const std::string payload = "hello";
  auto quiet = [&] {  // both arrived; the client receives nothing, so it sends no ACKs
    char buf[16];
    EXPECT_OK(server.read_exact(std::span<char>(buf, header.size() + payload.size()), 2s));
  };
  const long at_start = segments_sent(client);
  if (at_start == kNoSegmentCount) GTEST_SKIP() << "TCP_INFO here has no tcpi_segs_out";
  ASSERT_GE(at_start, 0);
  ASSERT_OK(client.write_all(header));
  ASSERT_OK(client.write_all(payload));
  quiet();
  const long two_writes = segments_sent(client) - at_start;

  const std::span<const std::byte> parts[] = {std::as_bytes(std::span(header)),
                                              std::as_bytes(std::span(payload))};
  const long before = segments_sent(client);
  auto n = client.send(parts);
  ASSERT_OK(n);
  EXPECT_EQ(*n, header.size() + payload.size());
  quiet();
  const long one_gather = segments_sent(client) - before;
  EXPECT_EQ(two_writes, 2);
  EXPECT_EQ(one_gather, 1);
}

TEST_F(TcpTest, ConnectByNameTriesResolvedAddresses) {
  SOCKKIT_REQUIRE(name_resolution);
  auto listener = listen_loopback(Family::ipv4);
  const auto port = listener.local_endpoint()->port();
  auto client = TcpStream::connect("localhost:" + std::to_string(port), 2s);
  ASSERT_OK(client);
  ASSERT_OK(listener.accept());
  EXPECT_ERRC(TcpStream::connect("localhost:99999", 1s), errc::invalid_argument);
}

TEST_F(TcpTest, UnixListenerPathIsReusableOnlyWhenAsked) {
  SOCKKIT_REQUIRE(unix_domain);
  char dir_template[] = "/tmp/sockkit-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string path = std::string(dir_template) + "/s.sock";
  const auto at = *Endpoint::unix_path(path);
  {
    auto first = TcpListener::bind(at);
    ASSERT_OK(first);
  }  // closed, but the socket file stays behind
  EXPECT_ERRC(TcpListener::bind(at), errc::address_in_use);
  auto again = TcpListener::bind(at, {.remove_stale_path = true});
  ASSERT_OK(again);
  auto client = TcpStream::connect(at, 1s);
  ASSERT_OK(client);
  auto accepted = again->accept();
  ASSERT_OK(accepted);
  EXPECT_EQ(accepted->peer.family(), Family::unix_domain);
  std::remove(path.c_str());
  ::rmdir(dir_template);
}

}  // namespace
}  // namespace sockkit::test
