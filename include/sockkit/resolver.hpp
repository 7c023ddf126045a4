// SPDX-License-Identifier: MIT
/// @file
/// Name resolution on the event loop. A lookup returns
/// at once and completes by callback on the loop's thread; nothing ever blocks
/// the loop. sockkit's own stub resolver speaks DNS over UdpChannel (TCP when
/// an answer is truncated), so Linux and lwIP run the same code; on a device,
/// lwIP's own DNS client can answer instead (ResolverEngine::stack).
///
///       auto resolver = sockkit::Resolver::create(*loop);       // /etc/resolv.conf, /etc/hosts
///       resolver->lookup_endpoints("broker.example.com:8883", 5s,
///           [](sockkit::Result<std::vector<sockkit::Endpoint>> found) {
///             // on failure: name_not_resolved or timed_out
///             if (!found) printf("%s\n", found.error().message().c_str());
///           });
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/endpoint.hpp"
#include "sockkit/event_loop.hpp"
#include "sockkit/function.hpp"
#include "sockkit/result.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// Where an answer came from.
enum class AnswerSource : std::uint8_t {
  numeric,     ///< The text was an address: nothing was asked.
  hosts_file,  ///< The hosts file (or "localhost", RFC 6761).
  cache,       ///< An earlier answer of a server, still within its TTL.
  server,      ///< A DNS server, just now (Resolution::server says which).
};

/// Short name of a source ("hosts", "cache", "server", "numeric").
/// @param source where an answer came from. @return its name (static text).
const char* to_string(AnswerSource source) noexcept;

/// One address with the time it may be used for.
struct ResolvedAddress {
  Endpoint address;          ///< With the port of the lookup.
  std::chrono::seconds ttl;  ///< What is left of the record's TTL (0 for hosts and numeric).
};

/// The answer for one family: A records (ipv4) or AAAA records (ipv6).
struct Resolution {
  Family family = Family::none;                ///< ipv4 (A records) or ipv6 (AAAA).
  std::vector<ResolvedAddress> addresses;      ///< All of them, in order_destinations() order.
  AnswerSource source = AnswerSource::server;  ///< Numeric, hosts file, cache or a server.
  Endpoint server;             ///< The server that answered (for cache: the one that did then).
  std::string canonical_name;  ///< The name the addresses belong to (after search and CNAMEs).
};

/// Which record types to ask for.
enum class LookupFamilies : std::uint8_t { ipv4, ipv6, both };

/// One family's outcome. For LookupFamilies::both there are two, in the order they
/// arrive; `last` marks the final callback of the lookup.
struct FamilyAnswer {
  Family family;              ///< The family this answer is for.
  Result<Resolution> result;  ///< failure::name_not_found (NXDOMAIN), no_address (no
                              ///< such record), resolve_timeout, dns_server_failure …
  bool last;                  ///< No callback follows for this lookup.
};

/// Where to ask and how: what /etc/resolv.conf says on Linux.
struct ResolverConfig {
  std::vector<Endpoint> servers;    ///< Port 0 means 53. Empty: ask no server.
  std::vector<std::string> search;  ///< Domains tried for names with fewer than `ndots` dots.
  unsigned ndots = 1;               ///< Dots below which search domains are tried first.
  std::chrono::milliseconds timeout{5000};  ///< One try at one server.
  unsigned attempts = 2;                    ///< Rounds over the servers.
  bool rotate = false;                      ///< Spread the first try over the servers.
  std::string hosts_file;                   ///< Consulted first; empty: none.

  /// The system's configuration: /etc/resolv.conf and /etc/hosts on Linux
  /// (as glibc reads them, nameservers limited to 3); on lwIP the DNS servers
  /// the stack holds (set by the application or learned by DHCP), no hosts file.
  /// @return the configuration (defaults where a file is missing: 127.0.0.1 as on glibc).
  static ResolverConfig system();
  /// Parses resolv.conf text (nameserver, search, domain, options timeout:
  /// attempts: rotate ndots:). Unknown lines are ignored, as glibc does.
  /// @param text the file's contents. @return the configuration.
  static ResolverConfig parse_resolv_conf(std::string_view text);
};

/// Which resolver answers a Resolver's lookups.
enum class ResolverEngine {
  /// sockkit's own stub resolver: search domains, the hosts file, a cache that
  /// keeps TTLs, A and AAAA in parallel, TCP after truncation, answers checked
  /// against spoofing, servers from the configuration, counters of every query.
  sockkit,
  /// The network stack's own DNS client (lwIP's, LWIP_DNS): a few kilobytes
  /// where sockkit's is about 25 KB. It asks lwIP's servers (dns_setserver,
  /// DHCP) for one address per family and keeps lwIP's own small cache; no
  /// search domains, hosts file, TTLs, TCP or canonical names, and a missing
  /// name is not told apart from a silent server (failure::resolver_failure).
  /// Not on Linux.
  stack,
};

/// The engine a Resolver uses unless told otherwise: chosen at configure time
/// (SOCKKIT_RESOLVER): the stack's own on device builds, else sockkit's.
/// @return the default engine.
ResolverEngine default_resolver_engine() noexcept;

/// True if this build and stack have `engine`.
/// @param engine the engine. @return whether Resolver::create() can make it.
bool resolver_engine_available(ResolverEngine engine) noexcept;

/// How a Resolver behaves beyond its configuration.
struct ResolverOptions {
  /// Who answers; the stack engine uses only `config`'s servers (given to the
  /// stack, for every user of it) and none of the settings below.
  ResolverEngine engine = default_resolver_engine();
  /// Fixed configuration; unset: ResolverConfig::system(), read again when
  /// /etc/resolv.conf or /etc/hosts change (checked at most every 5 s).
  std::optional<ResolverConfig> config{};
  std::size_t cache_entries = 128;             ///< Names × types kept; 0 = no cache.
  std::chrono::seconds max_ttl{86400};         ///< Longer TTLs are cut to this.
  std::chrono::seconds max_negative_ttl{900};  ///< NXDOMAIN / no-data kept at most this long.
  bool tcp_fallback = true;                    ///< Ask again over TCP when an answer is truncated.
};

/// Counters of a Resolver.
struct ResolverStats {
  std::uint64_t lookups = 0;           ///< Lookups started.
  std::uint64_t queries_sent = 0;      ///< UDP datagrams (tries), TCP queries included.
  std::uint64_t tcp_queries = 0;       ///< Retried over TCP after a truncated answer.
  std::uint64_t answers_accepted = 0;  ///< Answers that matched a query and parsed.
  std::uint64_t answers_rejected = 0;  ///< Wrong sender, id or question, or malformed.
  std::uint64_t timeouts = 0;          ///< Tries that got no answer in time.
  std::uint64_t cache_hits = 0;        ///< Answered from the cache.
  std::uint64_t hosts_hits = 0;        ///< Answered from the hosts file.
};

/// Gives the network stack its DNS servers, where the stack keeps them (lwIP:
/// dns_setserver, what DHCP fills too); ResolverConfig::system() reads them
/// back. Port 0 or 53 only. errc::not_supported on Linux: edit resolv.conf.
///
///     sockkit::set_stack_dns_servers({{*sockkit::Endpoint::parse("192.168.1.1:53")}});
///
/// @param servers up to the stack's DNS_MAX_SERVERS IPv4 addresses.
/// @return errc::not_supported on Linux; failure::limit_reached past
///         DNS_MAX_SERVERS, failure::wrong_family for IPv6 or another port,
///         failure::stack_not_started, failure::backend_unavailable (LWIP_DNS off).
Status set_stack_dns_servers(std::span<const Endpoint> servers) noexcept;

/// Puts `addresses` in the order getaddrinfo() gives them (RFC 6724 destination
/// address selection with glibc's default policy table): reachable ones first,
/// then matching scope and label, precedence, smaller scope, longest matching
/// prefix, otherwise the order given. Each address's route and source are asked
/// of the stack; nothing is sent. Resolver answers come in this order already.
///
///     std::vector<sockkit::Endpoint> a = {*sockkit::Endpoint::parse("10.0.0.7:80"),
///                                         *sockkit::Endpoint::parse("[fd00::7]:80")};
///     sockkit::order_destinations(a);  // fd00::7 first where the host has a ULA
///
/// @param addresses sorted in place.
void order_destinations(std::vector<Endpoint>& addresses);

/// An asynchronous resolver bound to one loop. Use it on the loop's thread.
class Resolver {
 public:
  using LookupId = std::uint64_t;                              ///< Names a lookup for cancel().
  using FamilyCallback = Function<void(const FamilyAnswer&)>;  ///< One answer per family.
  using EndpointsCallback =
      Function<void(Result<std::vector<Endpoint>>)>;  ///< Every address, ordered for connecting.

  /// A resolver on `loop`; answers come on the loop's thread.
  ///
  ///     auto resolver = sockkit::Resolver::create(*loop);  // /etc/resolv.conf, /etc/hosts
  ///
  /// @param loop the loop it runs on (must outlive it). @param options configuration, cache, TCP
  /// fallback.
  /// @return the resolver, or the loop's error (failure::timers_exhausted, a socket error);
  ///         failure::backend_unavailable if the engine is not in this build or stack.
  static Result<Resolver> create(EventLoop& loop, ResolverOptions options = {});
  /// Cancels every lookup (no callback follows). Safe inside a lookup's callback.
  ~Resolver();
  /// Takes over `other`, which is left empty (only destruction and assignment are valid).
  /// @param other the resolver taken over.
  Resolver(Resolver&& other) noexcept;
  /// Destroys what this held (as the destructor does), then takes over `other`.
  /// @param other the resolver taken over. @return this resolver.
  Resolver& operator=(Resolver&& other) noexcept;
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  /// Looks `host` up; `port` goes into every address. The callback runs on the
  /// loop, never inside this call: once per family (A and AAAA are asked in
  /// parallel), the last with `last` set. Everything is over by `deadline`
  /// (failure::resolve_timeout for what is still open then).
  ///
  ///     resolver->lookup("broker", 1883, sockkit::LookupFamilies::both, 5s,
  ///       [](const sockkit::FamilyAnswer& a) { if (a.result) connect_to(a.result->addresses); });
  ///
  /// @param host a name or numeric address. @param port put into every address.
  /// @param families ipv4, ipv6 or both. @param deadline from now.
  /// @param done called per family: the addresses and TTL, or failure::name_not_found,
  ///        failure::no_address, failure::resolve_timeout, failure::dns_server_failure,
  ///        failure::dns_malformed_answer.
  /// @return the lookup's id, for cancel().
  LookupId lookup(std::string_view host, std::uint16_t port, LookupFamilies families,
                  std::chrono::milliseconds deadline, FamilyCallback done);

  /// Looks up "host:port" (or numeric text) and calls back once with every
  /// address in the order to try them: sorted as order_destinations() sorts,
  /// the families interleaved from the best one's (RFC 8305). Fails only if
  /// both families failed.
  /// @param host_port "name:port" or numeric text. @param deadline from now.
  /// @param done called once: the addresses, or the better family's error
  ///        (failure::malformed_address and failure::missing_port for bad text).
  /// @return the lookup's id, for cancel().
  LookupId lookup_endpoints(std::string_view host_port, std::chrono::milliseconds deadline,
                            EndpointsCallback done);

  /// Abandons a lookup: no callback follows. False if it had already finished.
  /// @param id from lookup(). @return false if it had already finished.
  bool cancel(LookupId id) noexcept;
  /// Lookups in progress.
  /// @return how many lookups are in progress.
  std::size_t pending() const noexcept;
  /// Forgets every cached answer.
  void clear_cache() noexcept;
  /// Counters since create().
  /// @return the counters.
  ResolverStats stats() const noexcept;
  /// The configuration in use.
  /// @return the configuration.
  const ResolverConfig& config() const noexcept;

 private:
  struct Impl;
  explicit Resolver(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sockkit

#pragma GCC visibility pop
