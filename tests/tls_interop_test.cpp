// SPDX-License-Identifier: MIT
// TLS against peers nobody here wrote: `openssl s_server` and `openssl
// s_client` (Debian's openssl), in both directions, on each TLS backend, TLS
// 1.2 and 1.3 (1.3 where the backend speaks it), with and without client
// certificates. The test starts each openssl process itself and ends it by PID.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/fixture.hpp"
#include "support/server_thread.hpp"
#include "support/test_pki.hpp"
#include "support/web_peers.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;

// A child process with its output in a file; killed and reaped on destruction.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& output) {
    pid_ = ::fork();
    if (pid_ != 0) return;
    FILE* out = std::freopen(output.c_str(), "w", stdout);
    (void)out;
    ::dup2(STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::_Exit(127);
  }
  ~Child() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status;
    ::waitpid(pid_, &status, 0);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

 private:
  pid_t pid_ = -1;
};

// What a shell command printed; `status` is its wait status (-1: no shell).
std::string command_output(const std::string& command, int& status) {
  FILE* p = ::popen(command.c_str(), "r");
  std::string out;
  char buf[512];
  while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr)
    out += buf;
  status = p != nullptr ? ::pclose(p) : -1;
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A sockkit TLS echo server with `tls` on its own loop thread.
std::unique_ptr<ServerThread> tls_echo_server(std::shared_ptr<TlsContext> tls, EchoHandler& echo) {
  ServerOptions sopts;
  sopts.tls = std::move(tls);
  return std::make_unique<ServerThread>(Backend::poll, echo, sopts);
}

// Records what a sockkit client saw of an openssl server.
struct Line : ConnectionHandler {
  void on_open(Connection& c) override {
    if (auto i = c.tls_info()) info = *i;
    (void)c.send("sockkit\n");
  }
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
    got.append(reinterpret_cast<const char*>(d.data()), d.size());
    if (got.find('\n') != std::string::npos) c.close();
    return d.size();
  }
  void on_close(Connection&, std::error_code why) override {
    done = true;
    error = why;
  }
  void on_connect_failed(const Endpoint&, std::error_code why) override {
    done = true;
    error = why;
  }
  std::string got;
  TlsInfo info;
  std::error_code error;
  bool done = false;
};

/// A sockkit client with `tls` says its line to the openssl server on `port`
/// and records the answer in `line`; s_server needs a moment to listen, so
/// refused connects are retried for up to 5 s.
void talk_to_s_server(std::uint16_t port, const std::shared_ptr<TlsContext>& tls, Line& line) {
  auto loop = EventLoop::create();
  ASSERT_OK(loop);
  auto client = Client::create(*loop, line);
  ASSERT_OK(client);
  for (int attempt = 0; attempt < 50; ++attempt) {
    line = Line{};
    ASSERT_OK(client->connect(Endpoint::loopback_v4(port), 2s, {.tls = tls}));
    ASSERT_TRUE(run_loop_until(*loop, 10s, [&] { return line.done; }));
    if (line.error != errc::connection_refused) break;
    std::this_thread::sleep_for(100ms);
  }
}

struct Case {
  TlsBackend backend;
  const char* version;  // "-tls1_2" or "-tls1_3"
  bool mutual;
};

std::string case_name(const ::testing::TestParamInfo<Case>& p) {
  return std::string(to_string(p.param.backend)) + (p.param.version + 4) +
         (p.param.mutual ? "_mutual" : "");
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (TlsBackend b : {TlsBackend::openssl, TlsBackend::mbedtls}) {
    if (!tls_backend_available(b)) continue;
    for (const char* v : {"-tls1_2", "-tls1_3"}) {
      if (b == TlsBackend::mbedtls && std::string(v) == "-tls1_3")
        continue;  // mbedTLS 2.28: 1.2 only
      out.push_back({b, v, false});
      out.push_back({b, v, true});
    }
  }
  return out;
}

std::vector<Case> plain_cases() {
  std::vector<Case> out;
  for (const Case& k : cases())
    if (!k.mutual) out.push_back(k);
  return out;
}

std::vector<Case> mutual_cases() {
  std::vector<Case> out;
  for (const Case& k : cases())
    if (k.mutual) out.push_back(k);
  return out;
}

class OpensslInterop : public SockkitTest, public ::testing::WithParamInterface<Case> {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    if (std::system("openssl version >/dev/null 2>&1") != 0)
      GTEST_SKIP() << "the openssl program is not installed";
    ASSERT_TRUE(pki.ok()) << pki.error();
  }
  // `openssl s_server` on loopback `port` with the test PKI's server
  // certificate, sending each line back reversed (-rev); for the mutual
  // cases it requires a client certificate from the test CA.
  std::vector<std::string> reversing_s_server(const Case& k, std::uint16_t port) const {
    std::vector<std::string> argv = {"openssl", "s_server",
                                     "-accept", "127.0.0.1:" + std::to_string(port),
                                     "-cert",   pki.cert("server"),
                                     "-key",    pki.key("server"),
                                     k.version, "-rev",
                                     "-quiet"};
    if (k.mutual) {
      for (const char* a : {"-Verify", "1", "-verify_return_error", "-CAfile"})
        argv.push_back(a);
      argv.push_back(pki.ca());
    }
    return argv;
  }
  // The test PKI's server certificate; for the mutual cases a client
  // certificate from the test CA is required.
  TlsOptions server_options(const Case& k) const {
    TlsOptions options{.backend = k.backend,
                       .certificate_file = pki.cert("server"),
                       .private_key_file = pki.key("server")};
    if (k.mutual) {
      options.ca_file = pki.ca();
      options.require_client_certificate = true;
    }
    return options;
  }
  // `openssl s_client` to `address`, verifying the server against the test CA
  // (with a client certificate for the mutual cases): sends "interop", waits
  // a second for the answer. Its output and errors, for command_output().
  std::string verifying_s_client(const Case& k, const std::string& address) const {
    std::string cmd = "(echo interop; sleep 1) | timeout 10 openssl s_client -connect " + address +
                      " -servername localhost -CAfile " + pki.ca() +
                      " -verify_return_error -quiet -no_ign_eof " + k.version;
    if (k.mutual) cmd += " -cert " + pki.cert("client") + " -key " + pki.key("client");
    return cmd + " 2>&1";
  }
  TestPki pki;
};

TEST_P(OpensslInterop, SockkitClientTalksToOpensslServer) {
  const Case& k = GetParam();
  const std::uint16_t port = free_loopback_port();
  ASSERT_NE(port, 0);
  const std::string log = pki.dir() + "/s_server.log";
  Child server(reversing_s_server(k, port), log);
  TlsOptions options{.backend = k.backend, .ca_file = pki.ca(), .server_name = "localhost"};
  if (k.mutual) {
    options.certificate_file = pki.cert("client");
    options.private_key_file = pki.key("client");
  }
  auto tls = TlsContext::client(options);
  ASSERT_OK(tls);
  Line line;
  talk_to_s_server(port, *tls, line);
  // s_server -rev sends each line back reversed.
  EXPECT_EQ(line.got, "tikkcos\n") << line.error.message() << "\n" << slurp(log);
  EXPECT_EQ(line.info.version, k.version == std::string("-tls1_3") ? "TLSv1.3" : "TLSv1.2");
}

TEST_P(OpensslInterop, OpensslClientTalksToSockkitServer) {
  const Case& k = GetParam();
  auto tls = TlsContext::server(server_options(k));
  ASSERT_OK(tls);
  EchoHandler echo;
  auto server = tls_echo_server(*tls, echo);
  ASSERT_TRUE(server->ok()) << server->error();
  const std::string cmd = verifying_s_client(k, server->endpoint().to_string());
  int status = 0;
  const std::string out = command_output(cmd, status);
  EXPECT_NE(out.find("interop"), std::string::npos) << out;
  EXPECT_EQ(out.find("verify error"), std::string::npos) << out;
  EXPECT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(server->stats().tls_handshake_failures, 0u) << out;
}

TEST_P(OpensslInterop, BlockingTlsStreamTalksToOpensslServer) {
  const Case& k = GetParam();
  const std::uint16_t port = free_loopback_port();
  ASSERT_NE(port, 0);
  const std::string log = pki.dir() + "/s_server.log";
  Child server(reversing_s_server(k, port), log);
  TlsOptions options{.backend = k.backend, .ca_file = pki.ca()};
  if (k.mutual) {
    options.certificate_file = pki.cert("client");
    options.private_key_file = pki.key("client");
  }
  auto tls = TlsContext::client(options);
  ASSERT_OK(tls);
  // The certificate names 127.0.0.1: the address in the target is what is checked.
  const std::string target = "127.0.0.1:" + std::to_string(port);
  Result<TlsStream> stream = std::make_error_code(std::errc::connection_refused);
  for (int attempt = 0; attempt < 50; ++attempt) {  // s_server needs a moment to listen
    stream = TlsStream::connect(target, *tls, 5s);
    if (stream || stream.error() != errc::connection_refused) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(stream) << stream.error().message() << "\n" << slurp(log);
  auto info = stream->info();
  ASSERT_OK(info);
  EXPECT_EQ(info->version, k.version == std::string("-tls1_3") ? "TLSv1.3" : "TLSv1.2");
  ASSERT_OK(stream->write_all("sockkit\n", 5s));
  std::string got;
  char buf[64];
  while (got.find('\n') == std::string::npos) {
    auto n = stream->receive(std::span<char>(buf), 5s);
    ASSERT_TRUE(n) << n.error().message() << " after " << got;
    ASSERT_GT(*n, 0u) << got;
    got.append(buf, *n);
  }
  EXPECT_EQ(got, "tikkcos\n");  // s_server -rev sends each line back reversed
  EXPECT_OK(stream->close());
  EXPECT_FALSE(stream->is_open());
}

TEST_P(OpensslInterop, OpensslClientTalksToABlockingTlsStreamServer) {
  const Case& k = GetParam();
  auto tls = TlsContext::server(server_options(k));
  ASSERT_OK(tls);
  auto listener = TcpListener::bind(Endpoint::loopback_v4(0));
  ASSERT_OK(listener);
  const std::string cmd = verifying_s_client(k, listener->local_endpoint()->to_string());
  std::string out;
  int status = 0;
  struct Joined {
    std::thread thread;
    ~Joined() {
      if (thread.joinable()) thread.join();
    }
  } client{std::thread([&] { out = command_output(cmd, status); })};
  std::string line;
  {
    ASSERT_OK(listener->set_receive_timeout(10s));
    auto accepted = listener->accept();
    ASSERT_OK(accepted);
    auto stream = TlsStream::handshake(std::move(accepted->stream), *tls, 10s);
    ASSERT_OK(stream);
    char buf[64];
    while (line.find('\n') == std::string::npos) {
      auto n = stream->receive(std::span<char>(buf), 10s);
      ASSERT_OK(n);
      ASSERT_GT(*n, 0u);
      line.append(buf, *n);
    }
    ASSERT_OK(stream->write_all(line, 5s));  // echoed back
    EXPECT_OK(stream->close());
  }
  client.thread.join();
  EXPECT_EQ(line, "interop\n");
  EXPECT_NE(out.find("interop"), std::string::npos) << out;
  EXPECT_EQ(out.find("verify error"), std::string::npos) << out;
}

class OpensslRefusal : public OpensslInterop {};

TEST_P(OpensslRefusal, OpensslClientWithoutARequiredCertificateIsRefused) {
  const Case& k = GetParam();
  auto tls = TlsContext::server({.backend = k.backend,
                                 .certificate_file = pki.cert("server"),
                                 .private_key_file = pki.key("server"),
                                 .ca_file = pki.ca(),
                                 .require_client_certificate = true});
  ASSERT_OK(tls);
  EchoHandler echo;
  auto server = tls_echo_server(*tls, echo);
  ASSERT_TRUE(server->ok()) << server->error();
  const std::string cmd = "(echo refused; sleep 1) | timeout 10 openssl s_client -connect " +
                          server->endpoint().to_string() + " -servername localhost -CAfile " +
                          pki.ca() + " -quiet -no_ign_eof " + k.version + " 2>&1";
  int status = 0;
  const std::string out = command_output(cmd, status);
  EXPECT_EQ(out.find("refused\n"), std::string::npos) << "echoed without a certificate: " << out;
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (server->stats().tls_handshake_failures == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(server->stats().tls_handshake_failures, 1u) << out;
}

// TLS-PSK against openssl's -psk, both ways: no certificate anywhere, the
// key shared in advance; a client naming another identity is refused.
class OpensslPsk : public OpensslInterop {
 protected:
  static constexpr const char* kHex = "00112233445566778899aabbccddeeff";
  static constexpr const char* kIdentity = "meter-17";
  TlsOptions psk_options(const Case& k) const {
    return {.backend = k.backend, .psk = *parse_psk_hex(kHex), .psk_identity = kIdentity};
  }
};

TEST_P(OpensslPsk, SockkitClientTalksToOpensslPskServer) {
  const Case& k = GetParam();
  const std::uint16_t port = free_loopback_port();
  ASSERT_NE(port, 0);
  const std::string log = pki.dir() + "/s_server.log";
  Child server({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-nocert",
                "-psk", kHex, "-psk_identity", kIdentity, k.version, "-rev", "-quiet"},
               log);
  auto options = psk_options(k);
  options.server_name = "localhost";
  auto tls = TlsContext::client(options);
  ASSERT_OK(tls);
  Line line;
  talk_to_s_server(port, *tls, line);
  EXPECT_EQ(line.got, "tikkcos\n") << line.error.message() << "\n" << slurp(log);
  EXPECT_EQ(line.info.version, k.version == std::string("-tls1_3") ? "TLSv1.3" : "TLSv1.2");
  EXPECT_TRUE(line.info.peer_subject.empty()) << "no certificate in a PSK handshake";
}

TEST_P(OpensslPsk, OpensslPskClientTalksToSockkitPskServerAndAStrangerIsRefused) {
  const Case& k = GetParam();
  auto tls = TlsContext::server(psk_options(k));
  ASSERT_OK(tls);
  EchoHandler echo;
  auto server = tls_echo_server(*tls, echo);
  ASSERT_TRUE(server->ok()) << server->error();
  auto s_client = [&](const char* identity) {
    return "(echo interop; sleep 1) | timeout 10 openssl s_client -connect " +
           server->endpoint().to_string() + " -psk " + kHex + " -psk_identity " + identity +
           " -quiet -no_ign_eof " + k.version + " 2>&1";
  };
  int status = 0;
  std::string out = command_output(s_client(kIdentity), status);
  EXPECT_NE(out.find("interop"), std::string::npos) << out;
  EXPECT_EQ(server->stats().tls_handshake_failures, 0u) << out;
  out = command_output(s_client("somebody-else"), status);
  EXPECT_EQ(out.find("interop\n"), std::string::npos) << "echoed to a stranger: " << out;
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (server->stats().tls_handshake_failures == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(server->stats().tls_handshake_failures, 1u) << out;
}

TEST(TlsPsk, KeysAndIdentitiesAreChecked) {
  EXPECT_EQ(parse_psk_hex("0aFf").value_or(""), std::string("\x0a\xff"));
  EXPECT_ERRC(parse_psk_hex("abc"), errc::invalid_argument);  // odd length
  EXPECT_ERRC(parse_psk_hex("0x12"), errc::invalid_argument);
  EXPECT_ERRC(parse_psk_hex(""), errc::invalid_argument);
  for (TlsBackend b : {TlsBackend::openssl, TlsBackend::mbedtls}) {
    if (!tls_backend_available(b)) continue;
    SCOPED_TRACE(to_string(b));
    // A key without an identity, an identity without a key, a key past 64 bytes.
    EXPECT_ERRC(TlsContext::client({.backend = b, .psk = "key"}), errc::invalid_argument);
    EXPECT_ERRC(TlsContext::client({.backend = b, .psk_identity = "id"}), errc::invalid_argument);
    EXPECT_ERRC(
        TlsContext::client({.backend = b, .psk = std::string(65, 'k'), .psk_identity = "i"}),
        errc::invalid_argument);
    // A PSK server needs no certificate.
    EXPECT_OK(TlsContext::server({.backend = b, .psk = "key", .psk_identity = "id"}));
  }
}

#if defined(SOCKKIT_CLI)
// `sockkit connect --tls` and `sockkit echo-server --tls-cert`, as a user runs them.
class CliTls : public SockkitTest {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    ASSERT_TRUE(pki.ok()) << pki.error();
  }
  std::string run(const std::string& args, int& status) {
    return command_output(std::string("timeout 10 ") + SOCKKIT_CLI + " " + args + " 2>&1", status);
  }
  TestPki pki;
};

TEST_F(CliTls, ConnectEchoesOverTlsAndReportsTheSession) {
  const std::string log = pki.dir() + "/server.out";
  Child server({SOCKKIT_CLI, "echo-server", "-q", "-l", "127.0.0.1:0", "--tls-cert",
                pki.cert("server"), "--tls-key", pki.key("server")},
               log);
  std::string address;
  for (int i = 0; i < 100 && address.empty(); ++i) {
    std::this_thread::sleep_for(20ms);
    const std::string first = slurp(log);
    const auto at = first.find("listening on ");
    if (at != std::string::npos)
      address = first.substr(at + 13, first.find(' ', at + 13) - at - 13);
  }
  ASSERT_FALSE(address.empty()) << slurp(log);
  int status = 0;
  std::string out = run(
      "connect " + address + " --tls --ca " + pki.ca() + " --server-name localhost -v < /dev/null",
      status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("tls: TLSv1."), std::string::npos) << out;
  EXPECT_NE(out.find("localhost"), std::string::npos) << out;
  out = run("connect " + address + " --tls --ca " + pki.ca() + " --server-name other.example",
            status);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << out;
  EXPECT_EQ(out, "sockkit: connect " + address +
                     ": certificate host name mismatch [tls_host_mismatch]\n");
  out = run("connect " + address + " --tls --ca " + pki.other_ca() + " --server-name localhost",
            status);
  EXPECT_EQ(out, "sockkit: connect " + address +
                     ": certificate not trusted (unknown issuer or self-signed) [tls_untrusted]\n");
}
#endif

INSTANTIATE_TEST_SUITE_P(Backends, OpensslInterop, ::testing::ValuesIn(cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Backends, OpensslRefusal, ::testing::ValuesIn(mutual_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Backends, OpensslPsk, ::testing::ValuesIn(plain_cases()), case_name);

}  // namespace
}  // namespace sockkit::test
