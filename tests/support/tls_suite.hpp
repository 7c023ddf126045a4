// SPDX-License-Identifier: MIT
// The TLS conformance suite's fixture, shared by its files: a Recorder handler,
// the backend pairs it runs on, and a loop with a TLS server and client.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/fixture.hpp"
#include "support/test_pki.hpp"

namespace sockkit::test {

// Echoes, pauses reading at the high watermark; records what happened.
struct Recorder : ConnectionHandler {
  void on_open(Connection& c) override {
    ++opened;
    id = c.id();
    if (auto info = c.tls_info()) last_info = *info;
    if (!greeting.empty()) (void)c.send(greeting);
  }
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override {
    received.append(reinterpret_cast<const char*>(data.data()), data.size());
    if (echo) {
      if (auto st = c.send(data); !st) return st.error();
    }
    if (close_with && received.size() >= close_after) {
      c.close(close_with == make_error_code(failure::stopped) ? std::error_code{} : close_with);
      close_with = {};
    }
    return data.size();
  }
  void on_high_watermark(Connection& c) override {
    ++high_marks;
    c.pause_reading();
  }
  void on_drain(Connection& c) override { c.resume_reading(); }
  void on_close(Connection&, std::error_code why) override {
    ++closed;
    close_reasons.push_back(why);
  }
  void on_connect_failed(const Endpoint&, std::error_code why) override {
    connect_failures.push_back(why);
  }
  bool echo = false;
  std::string greeting;
  std::string received;
  std::size_t close_after = 0;
  std::error_code close_with;  // failure::stopped: close without an error
  int opened = 0, closed = 0, high_marks = 0;
  Connection::Id id = 0;
  TlsInfo last_info;
  std::vector<std::error_code> close_reasons;
  std::vector<std::error_code> connect_failures;
};

// The embedded mbedTLS profile does not keep the peer's certificate after the
// handshake (it saves the memory), so TlsInfo has no subject there.
inline bool names_peer(TlsBackend backend) {
#if defined(SOCKKIT_MBEDTLS_EMBEDDED)
  return backend != TlsBackend::mbedtls;
#else
  (void)backend;
  return true;
#endif
}

// The embedded profile has no file-system layer in mbedTLS: no CA directories.
inline bool reads_ca_directories(TlsBackend backend) {
  return names_peer(backend);
}

struct Pair {
  TlsBackend server;
  TlsBackend client;
};

inline std::string name_of(const ::testing::TestParamInfo<Pair>& p) {
  if (p.param.server == p.param.client) return to_string(p.param.server);
  return std::string(to_string(p.param.client)) + "_to_" + to_string(p.param.server);
}

inline std::vector<Pair> pairs() {
  std::vector<Pair> out;
  for (TlsBackend b : {TlsBackend::openssl, TlsBackend::mbedtls})
    if (tls_backend_available(b)) out.push_back({b, b});
  if (out.size() == 2) {
    out.push_back({TlsBackend::openssl, TlsBackend::mbedtls});
    out.push_back({TlsBackend::mbedtls, TlsBackend::openssl});
  }
  return out;
}

class TlsSuite : public SockkitTest, public ::testing::WithParamInterface<Pair> {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    ASSERT_TRUE(pki.ok()) << pki.error();
    auto l = EventLoop::create();
    ASSERT_OK(l);
    loop = std::move(*l);
  }
  void TearDown() override {
    client.reset();
    server.reset();
    loop.reset();
    SockkitTest::TearDown();
  }

  TlsOptions server_options(const std::string& cert = "server") const {
    return {.backend = GetParam().server,
            .certificate_file = pki.cert(cert),
            .private_key_file = pki.key(cert)};
  }
  TlsOptions client_options() const {
    return {.backend = GetParam().client, .ca_file = pki.ca(), .server_name = "localhost"};
  }

  // Starts a TLS server with `options` and a client with `copts`, connects once.
  void start(const TlsOptions& options, const TlsOptions& copts, ServerOptions sopts = {}) {
    auto sctx = TlsContext::server(options);
    ASSERT_OK(sctx);
    sopts.tls = *sctx;
    auto s = Server::start(*loop, Endpoint::loopback_v4(0), server_side, sopts);
    ASSERT_OK(s);
    server = std::move(*s);
    auto cctx = TlsContext::client(copts);
    ASSERT_OK(cctx);
    client_tls = *cctx;
    auto c = Client::create(*loop, client_side);
    ASSERT_OK(c);
    client = std::move(*c);
    connect();
  }
  void connect(const std::string& name = {}) {
    ASSERT_OK(client->connect(server->local_endpoint(), std::chrono::seconds(5),
                              {.tls = client_tls, .server_name = name}));
  }
  bool settled() {
    return run_loop_until(*loop, std::chrono::seconds(5), [&] {
      return client_side.opened + static_cast<int>(client_side.connect_failures.size()) > 0;
    });
  }

  TestPki pki;
  std::optional<EventLoop> loop;
  Recorder server_side, client_side;
  std::optional<Server> server;
  std::optional<Client> client;
  std::shared_ptr<TlsContext> client_tls;
};

}  // namespace sockkit::test
