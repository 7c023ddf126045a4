// SPDX-License-Identifier: MIT
// `sockkit resolve`: one lookup through sockkit's resolver, as a device would
// make it, printing each address with its TTL and who answered (the hosts
// file, the cache, or a server's address), in the order getaddrinfo() gives.
#include <cstdio>

#include "common.hpp"

namespace sockkit::cli {
namespace {

struct ResolveOptions {
  std::string name;
  std::string type = "ANY";
  std::vector<std::string> servers;
  double timeout = 5;
};

Result<Endpoint> server_endpoint(const std::string& text) {
  if (auto ep = Endpoint::parse(text)) return ep;
  const bool v6 = text.find(':') != std::string::npos;  // "fd00::53" without a port
  return Endpoint::parse(v6 ? "[" + text + "]:53" : text + ":53");
}

int run(const ResolveOptions& opt) {
  auto loop = EventLoop::create();
  if (!loop) return fail("event loop", loop.error());
  sockkit::ResolverOptions options;
  if (!opt.servers.empty()) {
    ResolverConfig config = ResolverConfig::system();
    config.servers.clear();
    for (const auto& s : opt.servers) {
      auto ep = server_endpoint(s);
      if (!ep) return fail("server " + s, ep.error());
      config.servers.push_back(*ep);
    }
    options.config = config;
  }
  auto resolver = Resolver::create(*loop, options);
  if (!resolver) return fail("resolver", resolver.error());
  const auto families = opt.type == "A"      ? LookupFamilies::ipv4
                        : opt.type == "AAAA" ? LookupFamilies::ipv6
                                             : LookupFamilies::both;
  // Printed together once both families are in, in the order getaddrinfo()
  // gives (as `getent ahosts` prints it), with the record type and source.
  struct Row {
    std::string line_head;  // name and type
    ResolvedAddress address;
    std::string from;
  };
  std::vector<Row> rows;
  bool done = false;
  std::error_code error;
  resolver->lookup(opt.name, 0, families, to_millis(opt.timeout), [&](const FamilyAnswer& a) {
    const char* type = a.family == Family::ipv6 ? "AAAA" : "A";
    if (a.result) {
      const auto& r = *a.result;
      const std::string from =
          r.source == AnswerSource::server ? r.server.to_string() : to_string(r.source);
      for (const auto& addr : r.addresses)
        rows.push_back({r.canonical_name + "\t" + type, addr, from});
    } else if (!error || error == failure::no_address) {
      error = a.result.error();
    }
    done = a.last;
  });
  loop->run_until([&] { return done; },
                  EventLoop::Clock::now() + to_millis(opt.timeout) + std::chrono::seconds(1));
  std::vector<Endpoint> order;
  for (const auto& row : rows)
    order.push_back(row.address.address);
  order_destinations(order);
  for (const auto& ep : order)
    for (const auto& row : rows)
      if (row.address.address == ep)
        std::printf("%s\t%s\tttl %lld\tfrom %s\n", row.line_head.c_str(),
                    ep.address_string().c_str(), static_cast<long long>(row.address.ttl.count()),
                    row.from.c_str());
  const bool found = !rows.empty();
  std::fflush(stdout);
  if (found) return 0;
  return fail("resolve " + opt.name, error ? error : make_error_code(failure::resolve_timeout));
}

}  // namespace

void add_resolve(CLI::App& app, int& status) {
  auto opt = std::make_shared<ResolveOptions>();
  auto* cmd = app.add_subcommand(
      "resolve", "Resolve a name on the event loop: addresses, TTLs and who answered");
  cmd->add_option("name", opt->name, "Host name (or an address)")->required();
  cmd->add_option("--type", opt->type, "A, AAAA or ANY (both, asked in parallel)")
      ->capture_default_str()
      ->check(CLI::IsMember({"A", "AAAA", "ANY"}));
  cmd->add_option("--server", opt->servers,
                  "DNS server ADDR or ADDR:PORT (repeat for failover); default: /etc/resolv.conf");
  cmd->add_option("-t,--timeout", opt->timeout, "Give up after this many seconds")
      ->capture_default_str()
      ->check(kPositive);
  cmd->final_callback([opt, &status] { status = run(*opt); });
}

}  // namespace sockkit::cli
