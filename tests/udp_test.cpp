// SPDX-License-Identifier: MIT
// UDP: send-to/receive-from, connected UDP, truncation, size limits, broadcast,
// multicast and batches, on loopback.
#include <vector>

#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;

class UdpFamilies : public SockkitTest, public ::testing::WithParamInterface<Family> {
 protected:
  Endpoint loopback() const {
    return GetParam() == Family::ipv4 ? Endpoint::loopback_v4(0) : Endpoint::loopback_v6(0);
  }
};

TEST_P(UdpFamilies, SendToAndReceiveFromNameTheSender) {
  auto rx = UdpSocket::bind(loopback());
  ASSERT_OK(rx);
  auto tx = UdpSocket::bind(loopback());
  ASSERT_OK(tx);
  ASSERT_OK(tx->send_to("sensor:42", *rx->local_endpoint()));
  char buf[64];
  auto d = rx->receive_from(std::span<char>(buf));
  ASSERT_OK(d);
  EXPECT_EQ(std::string_view(buf, d->size), "sensor:42");
  EXPECT_FALSE(d->truncated);
  EXPECT_EQ(d->from, *tx->local_endpoint());
}

TEST_P(UdpFamilies, TruncationIsReportedWithTheRealSize) {
  auto rx = UdpSocket::bind(loopback());
  auto tx = UdpSocket::open(GetParam());
  ASSERT_OK(rx);
  ASSERT_OK(tx);
  ASSERT_OK(tx->send_to("0123456789", *rx->local_endpoint()));
  char small[4];
  auto d = rx->receive_from(std::span<char>(small));
  ASSERT_OK(d);
  EXPECT_TRUE(d->truncated);
  EXPECT_EQ(d->size, 4u);
  EXPECT_EQ(d->full_size, 10u);
  EXPECT_EQ(std::string_view(small, 4), "0123");
}

TEST_P(UdpFamilies, OversizedDatagramIsMessageTooLarge) {
  auto tx = UdpSocket::open(GetParam());
  ASSERT_OK(tx);
  std::vector<std::byte> huge(70000);
  Endpoint to = loopback().with_port(9);
  EXPECT_ERRC(tx->send_to(huge, to), errc::message_too_large);
}

TEST_P(UdpFamilies, ConnectedUdpFiltersAndReportsRefusal) {
  auto a = UdpSocket::bind(loopback());
  auto b = UdpSocket::bind(loopback());
  auto stranger = UdpSocket::bind(loopback());
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK(stranger);
  ASSERT_OK(a->connect(*b->local_endpoint()));
  ASSERT_OK(stranger->send_to("ignored", *a->local_endpoint()));  // filtered out by connect
  ASSERT_OK(b->send_to("hello", *a->local_endpoint()));
  char buf[16];
  auto d = a->receive_from(std::span<char>(buf));
  ASSERT_OK(d);
  EXPECT_EQ(std::string_view(buf, d->size), "hello");
  ASSERT_OK(a->send("back"));
  auto back = b->receive_from(std::span<char>(buf));
  ASSERT_OK(back);
  EXPECT_EQ(std::string_view(buf, back->size), "back");
  // Now the peer goes away: the ICMP port-unreachable surfaces as a refusal.
  // lwIP never tells a UDP socket about ICMP errors: the read just times out.
  ASSERT_OK(b->close());
  ASSERT_OK(a->send("anyone?"));
  ASSERT_OK(a->set_receive_timeout(stack_supports(StackFeature::icmp_errors) ? 1s : 200ms));
  EXPECT_ERRC(a->receive_from(std::span<char>(buf)), stack_supports(StackFeature::icmp_errors)
                                                         ? errc::connection_refused
                                                         : errc::timed_out);
}

TEST_P(UdpFamilies, BatchesSendAndReceiveManyDatagrams) {
  auto rx = UdpSocket::bind(loopback());
  auto tx = UdpSocket::open(GetParam());
  ASSERT_OK(rx);
  ASSERT_OK(tx);
  const Endpoint to = *rx->local_endpoint();
  constexpr int kCount = 40;  // more than one internal chunk
  std::vector<std::string> payloads;
  for (int i = 0; i < kCount; ++i)
    payloads.push_back("reading-" + std::to_string(i));
  std::vector<OutgoingDatagram> out;
  for (const auto& p : payloads)
    out.push_back({std::as_bytes(std::span(p.data(), p.size())), &to});
  auto sent = tx->send_batch(out);
  ASSERT_OK(sent);
  EXPECT_EQ(*sent, static_cast<std::size_t>(kCount));
  std::vector<std::array<std::byte, 32>> storage(kCount);
  std::vector<IncomingDatagram> in(kCount);
  for (int i = 0; i < kCount; ++i)
    in[static_cast<std::size_t>(i)].buffer = storage[static_cast<std::size_t>(i)];
  std::size_t received = 0;
  ASSERT_OK(rx->set_receive_timeout(2s));
  while (received < kCount) {
    auto n = rx->receive_batch(std::span(in).subspan(received));
    ASSERT_OK(n);
    received += *n;
  }
  for (std::size_t i = 0; i < kCount; ++i) {
    const auto& r = in[i].result;
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(storage[i].data()), r.size),
              payloads[i]);
    EXPECT_EQ(r.from.port(), tx->local_endpoint()->port());  // tx is bound to the wildcard
    EXPECT_TRUE(r.from.is_loopback()) << r.from.to_string();
  }
}

INSTANTIATE_TEST_SUITE_P(Families, UdpFamilies, ::testing::ValuesIn(datagram_families()),
                         [](const auto& param_info) { return family_name(param_info.param); });

using UdpTest = SockkitTest;

TEST_F(UdpTest, BroadcastNeedsSoBroadcast) {
  if (std::string_view(stack_name()).starts_with("lwip"))
    GTEST_SKIP() << "lwIP's loopback interface carries no broadcast (no NETIF_FLAG_BROADCAST)";
  auto rx = UdpSocket::bind(Endpoint::any_v4(0));
  ASSERT_OK(rx);
  const Endpoint broadcast = Endpoint::ipv4({127, 255, 255, 255}, rx->local_endpoint()->port());
  auto tx = UdpSocket::open(Family::ipv4);
  ASSERT_OK(tx);
  EXPECT_ERRC(tx->send_to("all", broadcast), errc::permission_denied);  // EACCES
  ASSERT_OK(tx->set_broadcast(true));
  ASSERT_OK(tx->send_to("all", broadcast));
  ASSERT_OK(rx->set_receive_timeout(2s));
  char buf[8];
  auto d = rx->receive_from(std::span<char>(buf));
  ASSERT_OK(d);
  EXPECT_EQ(std::string_view(buf, d->size), "all");
}

TEST_F(UdpTest, WrongFamilyAndEmptyBatchesAreHandled) {
  auto tx = UdpSocket::open(Family::ipv4);
  ASSERT_OK(tx);
  EXPECT_ERRC(tx->send_to("x", Endpoint::loopback_v6(9)), errc::invalid_argument);
  EXPECT_ERRC(tx->connect(Endpoint::loopback_v6(9)), errc::invalid_argument);
  EXPECT_EQ(*tx->send_batch({}), 0u);
  EXPECT_ERRC(UdpSocket::open(Family::none), errc::invalid_argument);
}

TEST_F(UdpTest, NonBlockingReceiveWouldBlock) {
  auto rx = UdpSocket::bind(Endpoint::loopback_v4(0));
  ASSERT_OK(rx);
  ASSERT_OK(rx->set_nonblocking(true));
  char buf[8];
  EXPECT_ERRC(rx->receive_from(std::span<char>(buf)), errc::would_block);
  std::array<std::byte, 8> storage{};
  IncomingDatagram slot{storage, {}};
  EXPECT_ERRC(rx->receive_batch(std::span(&slot, 1)), errc::would_block);
}

}  // namespace
}  // namespace sockkit::test
