// SPDX-License-Identifier: MIT
// MQTT 5 enhanced authentication through the client, against the test
// broker (Debian's mosquitto has no enhanced-authentication method without
// plugins Debian does not ship): a challenge answered before CONNACK, the
// broker's proof checked, a re-authentication on the live connection, and a
// forged proof that ends the connection.
#include <string>
#include <vector>

#include "support/mqtt_client_fixture.hpp"

namespace sockkit::test {
namespace {

std::vector<std::byte> bytes_of(std::string_view s) {
  const auto b = std::as_bytes(std::span(s.data(), s.size()));
  return {b.begin(), b.end()};
}

/// A shared-secret scheme for the test: the answer is the challenge followed
/// by the secret; the broker proves itself with the secret reversed.
struct Secret : mqtt::Authenticator {
  int finished = 0;
  std::string_view method() const noexcept override { return "test-secret"; }
  Result<std::vector<std::byte>> start() override { return bytes_of("meter-17"); }
  Result<std::vector<std::byte>> challenge(std::span<const std::byte> nonce) override {
    auto answer = std::vector<std::byte>(nonce.begin(), nonce.end());
    const auto secret = bytes_of("s3cret");
    answer.insert(answer.end(), secret.begin(), secret.end());
    return answer;
  }
  Status finish(std::span<const std::byte> proof) override {
    if (std::vector<std::byte>(proof.begin(), proof.end()) != bytes_of("terc3s"))
      return make_error_code(mqtt::reason::not_authorized);
    ++finished;
    return {};
  }
};

/// The test broker's side: challenge every CONNECT and re-authentication,
/// check the answer, and prove itself with `proof`.
void serve_auth(FakeBroker& broker, const std::string& proof) {
  broker.answer_connect = false;
  broker.on_packet = [&broker, proof](const MqttPacket& p) {
    const std::string body(reinterpret_cast<const char*>(p.body.data()), p.body.size());
    auto auth = [&](std::uint8_t code, const std::string& data) {
      std::vector<std::byte> out(64);
      auto n = mqtt::codec::write_auth(code, "test-secret", bytes_of(data), out);
      out.resize(n ? *n : 0);
      broker.send(out);
    };
    if (p.type() == PacketType::connect) {
      auth(0x18, "n0nce");
    } else if (p.type() == PacketType::auth && body[0] == '\x19') {
      auth(0x18, "again");
    } else if (p.type() == PacketType::auth && body.find("n0nces3cret") != std::string::npos) {
      std::vector<int> connack = {0x20, 0, 0, 0, 0, 0x15, 0, 11};
      for (char c : std::string("test-secret") + '\x16' + std::string("\0\6", 2) + proof)
        connack.push_back(static_cast<unsigned char>(c));
      connack[4] = static_cast<int>(connack.size() - 5);
      connack[1] = static_cast<int>(connack.size() - 2);
      std::vector<std::byte> out;
      for (int b : connack)
        out.push_back(std::byte(b));
      broker.send(out);
    } else if (p.type() == PacketType::auth && body.find("agains3cret") != std::string::npos) {
      auth(0x00, proof);
    }
    return true;
  };
}

TEST_P(MqttClientTest, EnhancedAuthenticationAndReauthentication) {
  if (!v5()) GTEST_SKIP() << "enhanced authentication is MQTT 5";
  Secret secret;
  serve_auth(*broker, "terc3s");
  auto s = settings();
  s.authenticator = &secret;
  connect(s);
  EXPECT_EQ(secret.finished, 1) << "the broker's proof was checked before on_connected";
  ASSERT_OK(client->reauthenticate());
  ASSERT_TRUE(run_until([&] { return secret.finished == 2; }));
  EXPECT_TRUE(client->connected());
  EXPECT_TRUE(events.disconnects.empty());
}

TEST_P(MqttClientTest, AForgedProofEndsTheConnectionBeforeItIsReported) {
  if (!v5()) GTEST_SKIP() << "enhanced authentication is MQTT 5";
  Secret secret;
  serve_auth(*broker, "forged");
  auto s = settings();
  s.authenticator = &secret;
  make(s);
  client->start();
  ASSERT_TRUE(run_until([&] { return !events.disconnects.empty(); }));
  EXPECT_EQ(events.connected, 0);
  EXPECT_EQ(events.disconnects[0], make_error_code(mqtt::reason::not_authorized));
  EXPECT_EQ(secret.finished, 0);
}

TEST_P(MqttClientTest, AnAuthenticatorNeedsMqtt5) {
  if (v5()) GTEST_SKIP() << "MQTT 3.1.1 has no AUTH";
  Secret secret;
  auto s = settings();
  s.authenticator = &secret;
  auto c = mqtt::Client::create(*loop, s, events);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error(), errc::not_supported);
}

}  // namespace
}  // namespace sockkit::test
