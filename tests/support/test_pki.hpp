// SPDX-License-Identifier: MIT
// Certificates the TLS tests make for themselves at test time (OpenSSL's
// libcrypto, EC P-256): a test CA, a server certificate for localhost and
// 127.0.0.1, one that has expired, one for another host, one from a CA nobody
// trusts, and a client certificate for mutual TLS. PEM files in a temporary
// directory that lives as long as the object.
#pragma once

#include <string>

namespace sockkit::test {

class TestPki {
 public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }

  std::string ca() const { return dir_ + "/ca.pem"; }
  std::string other_ca() const { return dir_ + "/other-ca.pem"; }
  /// Each certificate file has its key next to it: NAME.pem and NAME.key.
  std::string cert(const std::string& name) const { return dir_ + "/" + name + ".pem"; }
  std::string key(const std::string& name) const { return dir_ + "/" + name + ".key"; }
  // Names: "server" (localhost, 127.0.0.1), "expired", "wrong-host"
  // (wrong.example only), "untrusted" (from other-ca), "client" (CN device-1).

  /// Issues one more server certificate from the test CA, as cert(name) and
  /// key(name): subject CN `common_name` (none if empty) and subjectAltName
  /// `alt_names` in OpenSSL's notation ("DNS:a.example,IP:127.0.0.1"; none
  /// if empty). False if OpenSSL refused any of it.
  bool issue(const std::string& name, const std::string& common_name, const std::string& alt_names);

 private:
  std::string dir_;
  std::string error_;
  bool ok_ = false;
};

}  // namespace sockkit::test
