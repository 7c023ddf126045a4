// SPDX-License-Identifier: MIT
// Shared helpers of the sockkit command-line tool.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "sockkit/sockkit.hpp"

namespace sockkit::cli {

/// Exit status for a runtime failure (usage errors exit with 2).
constexpr int kFailure = 1;

/// Prints "sockkit: <what>: <reason> [<condition>]" on stderr and returns kFailure.
int fail(const std::string& what, const std::error_code& ec);

// Validators for usage errors (exit 2), each saying what is wrong with the value.
/// A number above zero: "must be a positive number, got 0".
extern const CLI::Validator kPositive;
/// A number of zero or more.
extern const CLI::Validator kNonNegative;
/// The backends this build has, by name, joined with `separator`.
std::string backend_names(const char* separator = ", ");
/// The TLS libraries this build can use (openssl, mbedtls), joined with `separator`; empty if none.
std::string tls_backend_names(const char* separator = ", ");
/// A readiness backend this build has (select, poll, epoll, epoll-et, uring).
extern const CLI::Validator kBackendName;
/// A comma-separated list of backend names this build has.
extern const CLI::Validator kBackendList;
/// A TLS backend this build has (openssl, mbedtls).
extern const CLI::Validator kTlsBackendName;

/// "host:port", "[v6]:port" or "unix:/path" in its shape, with the fix for
/// the usual slips: "IPv6 addresses need brackets: [::1]:80", a missing port,
/// a link-local IPv6 address without its interface.
extern const CLI::Validator kHostPort;
/// The fix for a slip in "host:port" text, or empty when its shape is right.
std::string host_port_hint(const std::string& text);
/// A positional address with a slip kHostPort names, or a second positional
/// after it ("connect 127.0.0.1 7301", as ncat takes it): printed with the
/// HOST:PORT form. True when refused (a usage error).
bool refuse_address(const std::string& address, const std::vector<std::string>& extra);

/// Resolves "host:port" text to its first endpoint, or prints why not.
Result<Endpoint> first_endpoint(const std::string& text, bool passive);

/// Seconds (fractional allowed) as milliseconds.
std::chrono::milliseconds to_millis(double seconds);

/// TLS flags of a client command (connect, bench).
struct TlsClientFlags {
  bool enabled = false;
  std::string ca;
  std::string cert;
  std::string key;
  std::string server_name;
  std::vector<std::string> alpn;
  bool insecure = false;
  std::string backend = to_string(default_tls_backend());
  std::string psk_hex;  ///< TLS-PSK: the key, in hex
  std::string psk_identity;
};
/// --tls, --ca, --cert, --key, --server-name, --alpn, --insecure, --tls-backend.
void add_tls_client_flags(CLI::App& cmd, TlsClientFlags& flags, bool full);
/// One rule for the TLS flags: any TLS-only flag (--ca, --cert, --key,
/// --server-name, --alpn, --insecure) turns TLS on; --insecure with --ca, or
/// --cert without --key (or the reverse), is a usage error, printed. False then.
bool settle_tls_client_flags(TlsClientFlags& flags);
/// The client context the flags describe; `host` (of the address) is the
/// default server name.
Result<std::shared_ptr<TlsContext>> make_client_tls(const TlsClientFlags& flags,
                                                    const std::string& address);
/// One file a TLS context reads, and the flag that named it.
struct TlsFile {
  const char* flag;
  std::string path;
};
/// As fail(), but a TLS file that cannot be used is named with its flag and
/// the reason, as openssl's tools do ("--ca ca.pem: No such file or
/// directory", "--cert x.pem: no PEM data in it").
int fail_tls(const std::string& what, const std::error_code& ec, const std::vector<TlsFile>& files);
/// The files of the client TLS flags.
std::vector<TlsFile> tls_files(const TlsClientFlags& flags);
/// The host part of "host:port" / "[v6]:port".
std::string host_of(const std::string& address);

void add_echo_server(CLI::App& app, int& status);
void add_connect(CLI::App& app, int& status);
void add_udp(CLI::App& app, int& status);
void add_bench(CLI::App& app, int& status);
void add_resolve(CLI::App& app, int& status);
void add_mqtt(CLI::App& app, int& status);

/// The commands under `command` a user sees (a hidden one has no group).
inline std::vector<const CLI::App*> visible_commands(const CLI::App& command) {
  return command.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

/// `sockkit completion bash`: a completion script made from `app` itself.
void add_completion(CLI::App& app, int& status);

/// `sockkit man-page`: the manual page made from `app` itself (hidden; the build installs it).
void add_man_page(CLI::App& app, int& status);

/// `--version`: the version, then the stack, backends and TLS libraries of this build.
std::string version_text();

}  // namespace sockkit::cli
