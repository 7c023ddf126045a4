// SPDX-License-Identifier: MIT
// The TLS conformance suite, credentials as PEM text instead of files (a
// device keeps them in flash): used like files, refused like files, and never
// mixed with them.
#include <fstream>
#include <sstream>

#include "support/tls_suite.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;

std::string text_of(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

TEST_P(TlsSuite, MutualTlsWithEveryCredentialAsPemText) {
  TlsOptions sopts{.backend = GetParam().server,
                   .certificate_pem = text_of(pki.cert("server")),
                   .private_key_pem = text_of(pki.key("server")),
                   .ca_pem = text_of(pki.ca()),
                   .require_client_certificate = true};
  TlsOptions copts{.backend = GetParam().client,
                   .certificate_pem = text_of(pki.cert("client")),
                   .private_key_pem = text_of(pki.key("client")),
                   .ca_pem = text_of(pki.ca()),
                   .server_name = "localhost"};
  ASSERT_FALSE(sopts.certificate_pem.empty());
  start(sopts, copts);
  ASSERT_TRUE(settled());
  EXPECT_EQ(client_side.opened, 1)
      << (client_side.connect_failures.empty() ? "" : client_side.connect_failures[0].message());
  EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return server_side.opened == 1; }));
}

TEST_P(TlsSuite, AnotherCaAsPemTextDoesNotTrustTheServer) {
  TlsOptions copts = client_options();
  copts.ca_file.clear();
  copts.ca_pem = text_of(pki.other_ca());
  start(server_options(), copts);
  ASSERT_TRUE(settled());
  EXPECT_EQ(client_side.opened, 0);
  ASSERT_EQ(client_side.connect_failures.size(), 1u);
  EXPECT_TRUE(client_side.connect_failures[0] == errc::tls_untrusted)
      << client_side.connect_failures[0].message();
}

TEST_P(TlsSuite, AFileAndItsTextTogetherOrACertificateWithoutItsKeyIsRefused) {
  TlsOptions both = server_options();
  both.certificate_pem = text_of(pki.cert("server"));
  auto refused = TlsContext::server(both);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), failure::tls_configuration) << refused.error().message();
  TlsOptions without_key{.backend = GetParam().server,
                         .certificate_pem = text_of(pki.cert("server"))};
  refused = TlsContext::server(without_key);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), failure::tls_configuration) << refused.error().message();
  TlsOptions two_cas = client_options();
  two_cas.ca_pem = text_of(pki.ca());
  auto client_refused = TlsContext::client(two_cas);
  ASSERT_FALSE(client_refused);
  EXPECT_EQ(client_refused.error(), failure::tls_configuration) << client_refused.error().message();
}

TEST_P(TlsSuite, TextThatIsNoCertificateIsUnreadable) {
  TlsOptions garbage_ca = client_options();
  garbage_ca.ca_file.clear();
  garbage_ca.ca_pem = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n";
  auto ctx = TlsContext::client(garbage_ca);
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error(), failure::tls_file_unreadable) << ctx.error().message();
  TlsOptions garbage_key{.backend = GetParam().server,
                         .certificate_pem = text_of(pki.cert("server")),
                         .private_key_pem = "not a key"};
  auto server_ctx = TlsContext::server(garbage_key);
  ASSERT_FALSE(server_ctx);
  EXPECT_EQ(server_ctx.error(), failure::tls_file_unreadable) << server_ctx.error().message();
}

}  // namespace
}  // namespace sockkit::test
