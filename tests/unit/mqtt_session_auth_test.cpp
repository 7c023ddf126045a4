// SPDX-License-Identifier: MIT
// MQTT 5 enhanced authentication in the session, with a fake clock: the
// method and first data in CONNECT, each challenge answered by the
// Authenticator, the broker's proof checked at CONNACK, re-authentication on
// a live connection, and every way a broker can get the exchange wrong.
#include <algorithm>

#include "mqtt_session_fixture.hpp"

namespace sockkit::mqtt {
namespace {
using namespace session_test;

std::vector<std::byte> bytes_of(std::string_view s) {
  const auto b = std::as_bytes(std::span(s.data(), s.size()));
  return {b.begin(), b.end()};
}

/// Answers a challenge with its bytes reversed; the broker's proof must be "proof".
struct Reverser : Authenticator {
  int starts = 0, challenges = 0, finishes = 0;
  std::string_view method() const noexcept override { return "reverse"; }
  Result<std::vector<std::byte>> start() override {
    ++starts;
    return bytes_of("hi");
  }
  Result<std::vector<std::byte>> challenge(std::span<const std::byte> data) override {
    ++challenges;
    if (bytes_of("refuse") == std::vector<std::byte>(data.begin(), data.end()))
      return make_error(std::errc::permission_denied);
    return std::vector<std::byte>(data.rbegin(), data.rend());
  }
  Status finish(std::span<const std::byte> data) override {
    ++finishes;
    if (std::vector<std::byte>(data.begin(), data.end()) != bytes_of("proof"))
      return make_error_code(reason::not_authorized);
    return {};
  }
};

/// An AUTH from the broker: `code`, method, data.
std::vector<std::byte> auth(std::uint8_t code, std::string_view method, std::string_view data) {
  std::vector<std::byte> out(64);
  auto n = codec::write_auth(code, method, bytes_of(data), out);
  out.resize(n ? *n : 0);
  return out;
}

/// A successful MQTT 5 CONNACK naming the method, with the broker's proof.
std::vector<std::byte> connack_with(std::string_view method, std::string_view data) {
  std::vector<std::byte> props = bytes({0x15, 0, static_cast<int>(method.size())});
  for (char c : method)
    props.push_back(std::byte(c));
  props.insert(props.end(), {std::byte{0x16}, std::byte{0}, std::byte(data.size())});
  for (char c : data)
    props.push_back(std::byte(c));
  auto packet =
      bytes({0x20, static_cast<int>(3 + props.size()), 0, 0, static_cast<int>(props.size())});
  packet.insert(packet.end(), props.begin(), props.end());
  return packet;
}

/// The data of an AUTH the session wrote.
std::string data_of_auth(const Written& w) {
  codec::FixedHeader h;
  EXPECT_EQ(codec::frame(w.packet, 1 << 16, h), codec::Frame::complete);
  codec::Properties p;
  auto a = codec::read_auth(Version::v5, h, std::span(w.packet).subspan(h.header_size), &p);
  EXPECT_TRUE(a);
  EXPECT_EQ(p.authentication_method.value_or(""), "reverse");
  const auto d = p.authentication_data.value_or(std::span<const std::byte>{});
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

struct AuthFixture : Fixture {
  Reverser reverser;
  AuthFixture() : Fixture(Version::v5) { settings.authenticator = &reverser; }
};

TEST(MqttSessionAuth, AChallengeIsAnsweredAndTheBrokersProofChecked) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  AuthFixture f;
  auto& s = f.make();
  ASSERT_TRUE(s.connected(f.t0));
  auto w = f.written();
  ASSERT_EQ(w.size(), 1u);
  const std::string connect(reinterpret_cast<const char*>(w[0].packet.data()), w[0].packet.size());
  EXPECT_NE(connect.find("\x15\x00\x07reverse\x16\x00\x02hi", 0, 15), std::string::npos);
  ASSERT_TRUE(f.feed(auth(0x18, "reverse", "nonce")));
  w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].type, 15);
  EXPECT_EQ(data_of_auth(w[0]), "ecnon");
  EXPECT_FALSE(s.is_connected()) << "still authenticating";
  ASSERT_TRUE(f.feed(connack_with("reverse", "proof")));
  EXPECT_TRUE(s.is_connected());
  EXPECT_EQ(f.reverser.finishes, 1);
  auto e = f.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, SessionEvent::Kind::connected);
}

TEST(MqttSessionAuth, AForgedProofARefusedChallengeOrAnotherMethodEndTheConnection) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  {
    AuthFixture f;
    auto& s = f.make();
    ASSERT_TRUE(s.connected(f.t0));
    auto r = f.feed(connack_with("reverse", "forged"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(reason::not_authorized));
    EXPECT_TRUE(f.take().empty()) << "never reported connected";
  }
  {
    AuthFixture f;
    auto& s = f.make();
    ASSERT_TRUE(s.connected(f.t0));
    auto r = f.feed(auth(0x18, "reverse", "refuse"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(reason::not_authorized));
  }
  {
    AuthFixture f;
    auto& s = f.make();
    ASSERT_TRUE(s.connected(f.t0));
    auto r = f.feed(auth(0x18, "another", "x"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(reason::protocol_error));
    EXPECT_EQ(f.reverser.challenges, 0);
  }
  {
    AuthFixture f;
    auto& s = f.make();
    ASSERT_TRUE(s.connected(f.t0));
    auto r = f.feed(auth(0x00, "reverse", "proof"));
    ASSERT_FALSE(r) << "success comes in CONNACK while connecting";
    EXPECT_EQ(r.error(), make_error_code(reason::protocol_error));
  }
  {
    Fixture f(Version::v5);  // no authenticator: an AUTH is the broker's fault
    auto& s = f.make();
    ASSERT_TRUE(s.connected(f.t0));
    auto r = f.feed(auth(0x18, "reverse", "x"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(reason::protocol_error));
  }
}

TEST(MqttSessionAuth, ReauthenticationRunsOnALiveConnection) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  AuthFixture f;
  auto& s = f.make();
  ASSERT_TRUE(s.connected(f.t0));
  (void)f.written();
  ASSERT_TRUE(f.feed(connack_with("reverse", "proof")));
  (void)f.take();
  ASSERT_TRUE(s.reauthenticate());
  auto w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].packet[2], std::byte{0x19}) << "re-authenticate";
  EXPECT_EQ(data_of_auth(w[0]), "hi");
  ASSERT_TRUE(f.feed(auth(0x18, "reverse", "abc")));
  w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(data_of_auth(w[0]), "cba");
  ASSERT_TRUE(f.feed(auth(0x00, "reverse", "proof")));
  EXPECT_EQ(f.reverser.finishes, 2);
  EXPECT_TRUE(s.is_connected());
  auto forged = f.feed(auth(0x00, "reverse", "forged"));
  ASSERT_FALSE(forged) << "a success whose proof fails ends the connection";

  Fixture old(Version::v3_1_1);
  auto& s311 = old.make();
  auto st = s311.reauthenticate();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error(), errc::not_supported);
}

}  // namespace
}  // namespace sockkit::mqtt
