// SPDX-License-Identifier: MIT
#include "support/test_pki.hpp"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

namespace sockkit::test {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

Key new_key() {
  return Key(EVP_EC_gen("P-256"));
}

bool add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

struct Spec {
  std::string common_name{};
  std::string alt_names{};  // "DNS:localhost,IP:127.0.0.1", or empty
  long not_before_days = -1;
  long not_after_days = 365;
  bool is_ca = false;
  bool client = false;
};

// Signs `key`'s certificate with `issuer_key` (itself when issuer is null).
Cert make_cert(const Spec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, long serial) {
  Cert cert(X509_new());
  X509* c = cert.get();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
  X509_gmtime_adj(X509_getm_notBefore(c), spec.not_before_days * 86400L);
  X509_gmtime_adj(X509_getm_notAfter(c), spec.not_after_days * 86400L);
  X509_set_pubkey(c, key);
  X509_NAME* name = X509_get_subject_name(c);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("sockkit tests"), -1, -1, 0);
  if (!spec.common_name.empty())
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                               -1, 0);
  X509_set_issuer_name(c, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* ext_issuer = issuer != nullptr ? issuer : c;
  bool ok = true;
  if (spec.is_ca) {
    ok = ok && add_extension(c, ext_issuer, NID_basic_constraints, "critical,CA:TRUE");
    ok = ok && add_extension(c, ext_issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok = ok && add_extension(c, ext_issuer, NID_basic_constraints, "critical,CA:FALSE");
    ok = ok && add_extension(c, ext_issuer, NID_key_usage, "critical,digitalSignature");
    ok = ok &&
         add_extension(c, ext_issuer, NID_ext_key_usage, spec.client ? "clientAuth" : "serverAuth");
  }
  ok = ok && add_extension(c, ext_issuer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr)
    ok = ok && add_extension(c, ext_issuer, NID_authority_key_identifier, "keyid:always");
  if (!spec.alt_names.empty())
    ok = ok && add_extension(c, ext_issuer, NID_subject_alt_name, spec.alt_names.c_str());
  ok = ok && X509_sign(c, issuer_key, EVP_sha256()) > 0;
  return ok ? std::move(cert) : Cert();
}

bool write_pem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  const bool ok = cert != nullptr
                      ? PEM_write_X509(f, cert) == 1
                      : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

TestPki::TestPki() {
  char pattern[] = "/tmp/sockkit-pki-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = pattern;
  Key ca_key = new_key(), other_key = new_key();
  Cert ca = make_cert({.common_name = "sockkit test CA", .is_ca = true}, ca_key.get(), nullptr,
                      ca_key.get(), 1);
  Cert other = make_cert({.common_name = "untrusted test CA", .is_ca = true}, other_key.get(),
                         nullptr, other_key.get(), 2);
  if (!ca || !other || !write_pem(this->ca(), ca.get(), nullptr) ||
      !write_pem(dir_ + "/ca.key", nullptr, ca_key.get()) ||
      !write_pem(other_ca(), other.get(), nullptr)) {
    error_ = "making the CAs failed";
    return;
  }
  struct Leaf {
    const char* name;
    Spec spec;
    bool from_other_ca;
  };
  const std::vector<Leaf> leaves = {
      {"server", {.common_name = "localhost", .alt_names = "DNS:localhost,IP:127.0.0.1"}, false},
      {"expired",
       {.common_name = "localhost",
        .alt_names = "DNS:localhost,IP:127.0.0.1",
        .not_before_days = -30,
        .not_after_days = -1},
       false},
      {"wrong-host", {.common_name = "wrong.example", .alt_names = "DNS:wrong.example"}, false},
      {"untrusted", {.common_name = "localhost", .alt_names = "DNS:localhost,IP:127.0.0.1"}, true},
      {"client", {.common_name = "device-1", .client = true}, false},
  };
  long serial = 10;
  for (const Leaf& leaf : leaves) {
    Key key = new_key();
    X509* issuer = leaf.from_other_ca ? other.get() : ca.get();
    EVP_PKEY* issuer_key = leaf.from_other_ca ? other_key.get() : ca_key.get();
    Cert cert = make_cert(leaf.spec, key.get(), issuer, issuer_key, serial++);
    if (!cert || !write_pem(this->cert(leaf.name), cert.get(), nullptr) ||
        !write_pem(this->key(leaf.name), nullptr, key.get())) {
      error_ = std::string("making ") + leaf.name + " failed";
      return;
    }
  }
  ok_ = true;
}

bool TestPki::issue(const std::string& name, const std::string& common_name,
                    const std::string& alt_names) {
  auto read = [](const std::string& path, auto reader) {
    FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return decltype(reader(f))(nullptr);
    auto* got = reader(f);
    std::fclose(f);
    return got;
  };
  Cert ca(read(this->ca(), [](FILE* f) { return PEM_read_X509(f, nullptr, nullptr, nullptr); }));
  Key ca_key(read(dir_ + "/ca.key",
                  [](FILE* f) { return PEM_read_PrivateKey(f, nullptr, nullptr, nullptr); }));
  if (!ca || !ca_key) return false;
  Key key = new_key();
  static long serial = 1000;
  Cert cert = make_cert({.common_name = common_name, .alt_names = alt_names}, key.get(), ca.get(),
                        ca_key.get(), serial++);
  return cert && write_pem(this->cert(name), cert.get(), nullptr) &&
         write_pem(this->key(name), nullptr, key.get());
}

TestPki::~TestPki() {
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

}  // namespace sockkit::test
