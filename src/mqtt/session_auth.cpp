// SPDX-License-Identifier: MIT
// MQTT 5 enhanced authentication in the session: the method and first data
// go in CONNECT (session.cpp); each AUTH "continue" from the broker is
// answered by the application's Authenticator, CONNACK or AUTH "success"
// ends the exchange with the broker's last data for it to check, and
// reauthenticate() starts a new exchange on a live connection.
#include "mqtt/session.hpp"

namespace sockkit::mqtt {
namespace {
constexpr std::uint8_t kSuccess = 0x00, kContinue = 0x18, kReauthenticate = 0x19;

std::span<const std::byte> data_of(const codec::Properties& p) noexcept {
  return p.authentication_data.value_or(std::span<const std::byte>{});
}

/// The broker names the method we asked for, or none where it may leave it out.
bool same_method(const Authenticator* auth, const codec::Properties& p, bool may_omit) noexcept {
  if (!p.authentication_method) return may_omit && !p.authentication_data;
  return auth != nullptr && *p.authentication_method == auth->method();
}
}  // namespace

ErrorCode Session::finish_authentication(const codec::Properties& p) {
  Authenticator* const auth = codec::is_v5(settings_.version) ? settings_.authenticator : nullptr;
  if (auth == nullptr) {
    // An exchange the client never began: the broker is at fault.
    return p.authentication_method ? make_error_code(reason::protocol_error) : ErrorCode{};
  }
  if (!same_method(auth, p, true)) return make_error_code(reason::protocol_error);
  if (auto st = auth->finish(data_of(p)); !st) return st.error();
  return {};
}

ErrorCode Session::on_auth(const codec::Ack& a, const codec::Properties& p) {
  Authenticator* const auth = codec::is_v5(settings_.version) ? settings_.authenticator : nullptr;
  if (auth == nullptr || !same_method(auth, p, false))
    return make_error_code(reason::protocol_error);
  switch (a.code) {
    case kContinue: {
      auto answer = auth->challenge(data_of(p));
      if (!answer) return make_error_code(reason::not_authorized);  // the application gave up
      return send_auth(kContinue, *answer);
    }
    case kSuccess:
      // Success comes in CONNACK while connecting; in AUTH only to end a
      // re-authentication.
      if (phase_ != Phase::connected) return make_error_code(reason::protocol_error);
      if (auto st = auth->finish(data_of(p)); !st) return st.error();
      return {};
    default:  // re-authenticate: the client's to send, never the broker's
      return make_error_code(reason::protocol_error);
  }
}

ErrorCode Session::send_auth(std::uint8_t code, std::span<const std::byte> data) {
  const std::string_view method = settings_.authenticator->method();
  return write(16 + method.size() + data.size(),
               [&](std::span<std::byte> to) { return codec::write_auth(code, method, data, to); });
}

Status Session::reauthenticate() {
  if (!codec::is_v5(settings_.version) || settings_.authenticator == nullptr)
    return make_error(std::errc::not_supported);
  if (phase_ != Phase::connected || stopping_) return make_error(std::errc::not_connected);
  auto first = settings_.authenticator->start();
  if (!first) return first.error();
  if (auto ec = send_auth(kReauthenticate, *first)) return ec;
  return {};
}

}  // namespace sockkit::mqtt
