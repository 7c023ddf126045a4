// SPDX-License-Identifier: MIT
#include "common.hpp"

#include <algorithm>
#include <cstdio>

namespace sockkit::cli {

int fail(const std::string& what, const std::error_code& ec) {
  const errc cond = classify(ec);
  std::fprintf(stderr, "sockkit: %s: %s [%s]\n", what.c_str(), ec.message().c_str(),
               to_string(cond));
  return kFailure;
}

std::string backend_names(const char* separator) {
  std::string names;
  for (Backend b : compiled_backends())
    names += (names.empty() ? "" : separator) + std::string(to_string(b));
  return names;
}

std::string tls_backend_names(const char* separator) {
  std::string names;
  for (TlsBackend t : {TlsBackend::openssl, TlsBackend::mbedtls})
    if (tls_backend_available(t))
      names += (names.empty() ? "" : separator) + std::string(to_string(t));
  return names;
}

namespace {

CLI::Validator number_at_least(double floor, const char* what) {
  return CLI::Validator(
      [floor, what](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return "must be a number, got '" + text + "'";
        if (value < floor) return std::string("must be ") + what + ", got " + text;
        return {};
      },
      "NUMBER");
}

std::string check_backend(const std::string& name) {
  if (parse_backend(name)) return {};
  return "unknown backend '" + name + "' (this build has: " + backend_names() + ")";
}

}  // namespace

const CLI::Validator kPositive = number_at_least(1e-300, "a positive number");
const CLI::Validator kNonNegative = number_at_least(0, "zero or more");
const CLI::Validator kBackendName([](std::string& name) { return check_backend(name); }, "BACKEND");
const CLI::Validator kBackendList(
    [](std::string& list) -> std::string {
      std::size_t start = 0;
      while (start <= list.size()) {
        const auto comma = list.find(',', start);
        const auto name =
            list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (auto why = check_backend(name); !why.empty()) return why;
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return {};
    },
    "BACKENDS");
const CLI::Validator kTlsBackendName(
    [](std::string& name) -> std::string {
      auto b = parse_tls_backend(name);
      if (!b) return "unknown TLS backend '" + name + "' (openssl or mbedtls)";
      if (!tls_backend_available(*b))
        return "TLS backend " + name + " is not available: not in this build, or its plugin " +
               "is not installed";
      return {};
    },
    "TLS_BACKEND");

std::string host_port_hint(const std::string& text) {
  if (text.starts_with("unix:")) return {};
  const bool bracketed = text.starts_with('[');
  const std::size_t colons = static_cast<std::size_t>(std::count(text.begin(), text.end(), ':'));
  if (!bracketed && colons >= 2) {
    // An IPv6 address with ":port" on the end, or a whole one without a port.
    const std::size_t last = text.rfind(':');
    const std::string head = text.substr(0, last), port = text.substr(last + 1);
    if (!port.empty() && port.size() <= 5 &&
        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        Endpoint::parse("[" + head + "]:0"))
      return "IPv6 addresses need brackets: [" + head + "]:" + port;
    return "IPv6 addresses need brackets and a port: [" + text + "]:PORT";
  }
  if (colons == 0) return "missing port: use HOST:PORT, e.g. " + text + ":7007";
  if (auto ep = Endpoint::parse(text); ep && ep->family() == Family::ipv6 && ep->scope_id() == 0 &&
                                       ep->address_bytes()[0] == 0xfe &&
                                       (ep->address_bytes()[1] & 0xc0) == 0x80) {
    const std::string inner = text.substr(1, text.find(']') - 1);
    return "a link-local address needs its interface: [" + inner + "%eth0]" +
           text.substr(text.find(']') + 1);
  }
  return {};
}

const CLI::Validator kHostPort(
    [](std::string& text) -> std::string {
      std::string hint = host_port_hint(text);
      return hint.empty() ? hint : "'" + text + "': " + hint;
    },
    "HOST:PORT");

bool refuse_address(const std::string& address, const std::vector<std::string>& extra) {
  if (!extra.empty()) {
    std::fprintf(stderr, "sockkit: the port goes with the host: use HOST:PORT, e.g. %s:%s\n",
                 address.c_str(), extra.front().c_str());
    return true;
  }
  const std::string hint = host_port_hint(address);
  if (hint.empty()) return false;
  std::fprintf(stderr, "sockkit: address '%s': %s\n", address.c_str(), hint.c_str());
  return true;
}

Result<Endpoint> first_endpoint(const std::string& text, bool passive) {
  auto eps = resolve(text, {.passive = passive});
  if (!eps) return eps.error();
  return eps->front();
}

void add_tls_client_flags(CLI::App& cmd, TlsClientFlags& flags, bool full) {
  cmd.add_flag("--tls", flags.enabled,
               "TLS over the connection (certificates verified); any other TLS flag implies it");
  cmd.add_option("--ca", flags.ca, "Trusted CA bundle, PEM (default: the system's)");
  cmd.add_flag("--insecure", flags.insecure,
               "TLS without verifying the server's certificate or name (INSECURE)");
  cmd.add_option("--tls-backend", flags.backend, "openssl or mbedtls")
      ->capture_default_str()
      ->check(kTlsBackendName);
  if (!full) return;
  cmd.add_option("--cert", flags.cert, "Client certificate for mutual TLS, PEM");
  cmd.add_option("--key", flags.key, "Its private key, PEM");
  cmd.add_option("--server-name", flags.server_name,
                 "Name sent as SNI and checked in the certificate (default: the host)");
  cmd.add_option("--alpn", flags.alpn, "Application protocol to offer (repeatable)");
}

bool settle_tls_client_flags(TlsClientFlags& flags) {
  const char* clash = nullptr;
  if (flags.insecure && !flags.ca.empty())
    clash = "--insecure verifies nothing, so --ca would be ignored: give one or the other";
  else if (flags.cert.empty() != flags.key.empty())
    clash = "--cert and --key go together (the certificate and its private key)";
  if (clash != nullptr) {
    std::fprintf(stderr, "sockkit: %s\n", clash);
    return false;
  }
  flags.enabled = flags.enabled || flags.insecure || !flags.ca.empty() || !flags.cert.empty() ||
                  !flags.server_name.empty() || !flags.alpn.empty();
  return true;
}

std::string host_of(const std::string& address) {
  if (address.starts_with('[')) return address.substr(1, address.find(']') - 1);
  return address.substr(0, address.rfind(':'));
}

Result<std::shared_ptr<TlsContext>> make_client_tls(const TlsClientFlags& flags,
                                                    const std::string& address) {
  auto backend = parse_tls_backend(flags.backend);
  if (!backend) return backend.error();
  TlsOptions options;
  options.backend = *backend;
  options.ca_file = flags.ca;
  options.certificate_file = flags.cert;
  options.private_key_file = flags.key;
  options.server_name = flags.server_name.empty() ? host_of(address) : flags.server_name;
  options.alpn = flags.alpn;
  options.insecure_skip_verify = flags.insecure;
  if (!flags.psk_hex.empty()) {
    auto key = parse_psk_hex(flags.psk_hex);
    if (!key) return key.error();
    options.psk = std::move(*key);
    options.psk_identity = flags.psk_identity;
  }
  return TlsContext::client(options);
}

int fail_tls(const std::string& what, const std::error_code& ec,
             const std::vector<TlsFile>& files) {
  if (ec != failure::tls_file_unreadable) return fail(what, ec);
  for (const auto& file : files) {
    if (file.path.empty()) continue;
    std::FILE* in = std::fopen(file.path.c_str(), "rb");
    if (in == nullptr) {  // the reason is the file's; the condition the TLS setting's
      const std::string why = std::system_category().message(errno);
      std::fprintf(stderr, "sockkit: %s %s: %s [%s]\n", file.flag, file.path.c_str(), why.c_str(),
                   to_string(classify(ec)));
      return kFailure;
    }
    std::string head(65536, '\0');
    head.resize(std::fread(head.data(), 1, head.size(), in));
    std::fclose(in);
    if (head.find("-----BEGIN ") == std::string::npos) {
      std::fprintf(stderr, "sockkit: %s %s: no PEM data in it (a PEM certificate or key) [%s]\n",
                   file.flag, file.path.c_str(), to_string(classify(ec)));
      return kFailure;
    }
  }
  return fail(what, ec);
}

std::vector<TlsFile> tls_files(const TlsClientFlags& flags) {
  return {{"--ca", flags.ca}, {"--cert", flags.cert}, {"--key", flags.key}};
}

std::chrono::milliseconds to_millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

}  // namespace sockkit::cli
