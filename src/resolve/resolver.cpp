// SPDX-License-Identifier: MIT
// The Resolver: for each family of a lookup, numeric text, then the hosts
// file, then the cache, then the servers — each search candidate in turn,
// CNAME chains asked on to their end. Families run in parallel and report as
// they finish. Finished queries and lookups are retired at once and freed
// after the callbacks on the stack unwind, so a callback may cancel anything
// or destroy the Resolver.
#include "sockkit/resolver.hpp"

#include <algorithm>
#include <new>
#include <optional>

#include "loop/dispose.hpp"
#include "loop/loop_access.hpp"
#include "resolve/address_order.hpp"
#include "resolve/cache.hpp"
#include "resolve/config.hpp"
#include "resolve/engine.hpp"
#include "resolve/local_answer.hpp"
#include "resolve/lookup_table.hpp"
#include "resolve/query.hpp"
#include "resolve/search_walk.hpp"
#include "resolve/target.hpp"
#include "sockkit/stack.hpp"
#include "sys/sys.hpp"

namespace sockkit {

namespace resolve_detail {
namespace {

using Clock = EventLoop::Clock;
using std::chrono::duration_cast;
using std::chrono::seconds;

Resolution resolution(Family family, AnswerSource source, std::string canonical_name,
                      const Endpoint& server = {}) {
  Resolution r;
  r.family = family;
  r.source = source;
  r.canonical_name = std::move(canonical_name);
  r.server = server;
  return r;
}

}  // namespace

class ResolverImpl;

/// One family of one lookup.
struct FamilyState {
  Family family = Family::none;
  std::size_t index = 0;  // in the lookup, and in its search walk
  bool done = false;
  std::string asking;    // the name the query in flight asks for
  std::string cache_as;  // the candidate it answers (CNAMEs change `asking`)
  std::size_t cname_hops = 0;
  std::uint32_t cname_ttl = 0xffffffff;
  Resolution found;  // what a `found` step of the walk reports
  std::unique_ptr<Query> query;
};

struct Lookup {
  Resolver::LookupId id = 0;
  std::string host;
  std::uint16_t port = 0;
  Resolver::FamilyCallback done;
  std::vector<FamilyState> families;
  std::vector<std::string> candidates;  // the search list for `host`
  std::optional<SearchWalk> walk;
  TimerReservation timers;  // the deadline and one query timer per family
  Timer deadline;           // after timers: cancelled before its slot goes back
};

class ResolverImpl final : public Engine {
 public:
  ResolverImpl(EventLoop& loop, ResolverOptions options)
      : loop_(loop),
        options_(std::move(options)),
        watch_(options_.config, loop_.now()),
        cache_(options_.cache_entries) {}
  ~ResolverImpl() override { retire(); }

  void retire() noexcept override {
    soon_.cancel_all();
    for (auto& [id, lookup] : lookups_) {
      stop(*lookup);
      loop::free_when_unwound(loop_,
                              std::move(lookup));  // a frame of its query may still be running
    }
    lookups_.clear();
  }

  Resolver::LookupId lookup(std::string_view host, std::uint16_t port, LookupFamilies families,
                            std::chrono::milliseconds deadline,
                            Resolver::FamilyCallback done) override {
    ++stats_.lookups;
    refresh_config();
    auto l = std::make_unique<Lookup>();
    l->id = ++last_id_;
    l->host = std::string(host);
    l->port = port;
    l->done = std::move(done);
    const bool v6_ok = stack_supports(StackFeature::ipv6);
    if (families == LookupFamilies::both && !v6_ok) families = LookupFamilies::ipv4;
    if (families != LookupFamilies::ipv4) l->families.emplace_back().family = Family::ipv6;
    if (families != LookupFamilies::ipv6) l->families.emplace_back().family = Family::ipv4;
    for (std::size_t i = 0; i < l->families.size(); ++i)
      l->families[i].index = i;
    const Resolver::LookupId id = l->id;
    Lookup& ref = *l;
    lookups_.emplace(id, std::move(l));
    auto kept = loop_.reserve_timers(1 + ref.families.size());
    if (!kept) {  // a loop with all its timers in use: each family fails, from the loop
      soon([this, id, why = kept.error()] {
        Lookup* open = find(id);
        for (std::size_t i = 0; open != nullptr && i < open->families.size(); ++i) {
          if (!report(id, open->families[i], why)) return;
          open = find(id);
        }
      });
      return id;
    }
    ref.timers = std::move(*kept);
    ref.deadline.arm(ref.timers, std::max(deadline, std::chrono::milliseconds(0)), [this, id] {
      Lookup* open = find(id);
      if (open == nullptr) return;
      for (auto& f : open->families)
        if (!f.done && !report(id, f, make_error_code(failure::resolve_timeout))) return;
    });
    // Answers never come from inside this call: the caller may still be setting up.
    soon([this, id] {
      if (Lookup* open = find(id)) begin(*open);
    });
    return id;
  }

  /// Runs `fn` on the loop's next turn, never inside the current call; not at
  /// all once this resolver is retired. No timer: it works on a loop whose
  /// timers are all in use.
  void soon(Function<void()> fn) override { soon_.add(std::move(fn)); }

  bool cancel(Resolver::LookupId id) noexcept override {
    auto it = lookups_.find(id);
    if (it == lookups_.end()) return false;
    stop(*it->second);
    loop::free_when_unwound(loop_, std::move(it->second));
    lookups_.erase(it);
    return true;
  }

  std::size_t pending() const noexcept override { return lookups_.size(); }
  void clear_cache() noexcept override { cache_.clear(); }
  ResolverStats stats() const noexcept override { return stats_; }
  const ResolverConfig& config() const noexcept override { return watch_.config(); }
  EventLoop& loop() noexcept override { return loop_; }

 private:
  Lookup* find(Resolver::LookupId id) noexcept {
    auto it = lookups_.find(id);
    return it == lookups_.end() ? nullptr : it->second.get();
  }

  void stop(Lookup& l) noexcept {
    l.deadline.cancel();
    for (auto& f : l.families) {
      if (f.query) f.query->retire();
      loop::free_when_unwound(loop_, std::move(f.query));
    }
  }

  void refresh_config() {
    if (watch_.refresh(loop_.now())) cache_.clear();  // other servers may know other answers
  }

  /// Local answers for every family, or else the walk over the search list.
  void begin(Lookup& l) {
    const Resolver::LookupId id = l.id;
    if (local_answer(l.host, l.port, l.families.front().family,
                     watch_.hosts())) {  // every family's, then
      for (std::size_t i = 0; i < l.families.size(); ++i) {
        Lookup* open = find(id);
        if (open == nullptr) return;
        auto answer =
            local_answer(open->host, open->port, open->families[i].family, watch_.hosts());
        if (!answer) answer = LocalAnswer{make_error_code(failure::no_address)};
        if (answer->from_hosts_file) ++stats_.hosts_hits;
        if (!report(id, open->families[i], std::move(answer->result))) return;
      }
      return;
    }
    l.candidates = search_candidates(l.host, watch_.config());
    l.walk.emplace(l.candidates.size(), l.families.size());
    apply(id, l.walk->start());
  }

  /// Carries out the walk's steps. False if the lookup is gone.
  bool apply(Resolver::LookupId id, const std::vector<SearchWalk::Step>& steps) {
    for (const auto& step : steps) {
      Lookup* l = find(id);
      if (l == nullptr) return false;
      FamilyState& f = l->families[step.family];
      switch (step.kind) {
        case SearchWalk::Step::Kind::ask:
          if (!ask_candidate(*l, f, step.candidate)) return false;
          break;
        case SearchWalk::Step::Kind::found:
          if (!report(id, f, std::move(f.found))) return false;
          break;
        case SearchWalk::Step::Kind::failed:
          if (!report(id, f, step.error)) return false;
          break;
      }
    }
    return find(id) != nullptr;
  }

  /// The cache's answer for one name of the search list, or a query for it.
  bool ask_candidate(Lookup& l, FamilyState& f, std::size_t candidate) {
    f.cache_as = l.candidates[candidate];
    f.asking = f.cache_as;
    f.cname_hops = 0;
    f.cname_ttl = 0xffffffff;
    const CachedAnswer* hit = cache_.find(f.cache_as, f.family, loop_.now());
    if (hit == nullptr) {
      ask(l, f);
      return true;
    }
    ++stats_.cache_hits;
    if (hit->negative)
      return apply(l.id, l.walk->learned(f.index, hit->negative == failure::no_address
                                                      ? NameOutcome::no_data
                                                      : NameOutcome::no_name));
    f.found = resolution(f.family, AnswerSource::cache, hit->canonical_name, hit->server);
    const auto left = duration_cast<seconds>(hit->expires - loop_.now());
    for (const auto& ep : hit->addresses)
      f.found.addresses.push_back({ep.with_port(l.port), left});
    return apply(l.id, l.walk->learned(f.index, NameOutcome::data));
  }

  /// This family ends with `why`; the walk goes on for the other.
  void end_family(Lookup& l, FamilyState& f, ErrorCode why) {
    const Resolver::LookupId id = l.id;
    auto steps = l.walk->ended(f.index);
    if (report(id, f, why)) apply(id, steps);
  }

  void ask(Lookup& l, FamilyState& f) {
    const ResolverConfig& config = watch_.config();
    QueryPlan plan{.servers = config.servers,
                   .timeout = config.timeout,
                   .attempts = config.attempts,
                   .rotate = config.rotate,
                   .tcp_fallback = options_.tcp_fallback};
    const Resolver::LookupId id = l.id;
    const Family family = f.family;
    const auto type = family == Family::ipv6 ? dns::RecordType::aaaa : dns::RecordType::a;
    if (f.query) {
      f.query->retire();  // its timer slot is the next query's
      loop::free_when_unwound(loop_, std::move(f.query));
    }
    f.query =
        std::make_unique<Query>(loop_, l.timers, stats_, std::move(plan), f.asking, type,
                                [this, id, family](Result<Reply> reply, const Endpoint& server) {
                                  Lookup* open = find(id);
                                  if (open == nullptr) return;
                                  for (auto& state : open->families)
                                    if (state.family == family && !state.done)
                                      return answered(*open, state, std::move(reply), server);
                                });
    f.query->start();
  }

  void answered(Lookup& l, FamilyState& f, Result<Reply> reply, const Endpoint& server) {
    if (!reply && reply.error() == failure::dns_server_failure)  // on to the next name
      return (void)apply(l.id, l.walk->learned(f.index, NameOutcome::server_failure));
    if (!reply) return end_family(l, f, reply.error());
    const dns::Answer* answer = &reply->answer;
    const auto now = loop_.now();
    const auto ttl_of = [&](std::uint32_t ttl) { return std::min(seconds(ttl), options_.max_ttl); };
    if (answer->rcode == dns::Rcode::name_error ||
        (answer->address_count == 0 && !answer->chain_continues())) {
      const bool nxdomain = answer->rcode == dns::Rcode::name_error;
      const auto negative = std::min(seconds(answer->negative_ttl), options_.max_negative_ttl);
      CachedAnswer entry;
      entry.name = f.cache_as;
      entry.family = f.family;
      entry.negative = make_error_code(nxdomain ? failure::name_not_found : failure::no_address);
      entry.server = server;
      entry.expires = now + negative;
      cache_.store(std::move(entry), now);
      apply(l.id, l.walk->learned(f.index, nxdomain ? NameOutcome::no_name : NameOutcome::no_data));
      return;
    }
    if (answer->cname_hops > 0) f.cname_ttl = std::min(f.cname_ttl, answer->cname_ttl);
    if (answer->chain_continues()) {
      f.cname_hops += answer->cname_hops;
      if (f.cname_hops > dns::kMaxCnameHops)
        return end_family(l, f, make_error_code(failure::dns_malformed_answer));
      f.asking = std::string(answer->canonical_name.view());
      return ask(l, f);
    }
    std::uint32_t ttl = f.cname_ttl;
    Resolution& r = f.found;
    r = resolution(f.family, AnswerSource::server, std::string(answer->canonical_name.view()),
                   server);
    std::vector<Endpoint> plain;
    for (const auto& a : reply->addresses) {
      ttl = std::min(ttl, a.ttl);
      const Endpoint ep = a.v6
                              ? Endpoint::ipv6(a.bytes, 0)
                              : Endpoint::ipv4({a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]}, 0);
      if (std::find(plain.begin(), plain.end(), ep) == plain.end()) plain.push_back(ep);
    }
    for (const auto& ep : plain)
      r.addresses.push_back({ep.with_port(l.port), ttl_of(ttl)});
    CachedAnswer entry;
    entry.name = f.cache_as;
    entry.family = f.family;
    entry.addresses = plain;
    entry.canonical_name = r.canonical_name;
    entry.server = server;
    entry.expires = now + ttl_of(ttl);
    cache_.store(std::move(entry), now);
    apply(l.id, l.walk->learned(f.index, NameOutcome::data));
  }

  /// Ends one family and calls back. False if the lookup is gone afterwards.
  bool report(Resolver::LookupId id, FamilyState& f, Result<Resolution> result) {
    Lookup* l = find(id);
    if (l == nullptr || f.done) return l != nullptr;
    f.done = true;
    if (f.query) {
      f.query->retire();
      loop::free_when_unwound(loop_, std::move(f.query));
    }
    if (result)  // in the order getaddrinfo() gives
      order_by_destination(result->addresses, [](const ResolvedAddress& a) { return a.address; });
    const bool last = std::all_of(l->families.begin(), l->families.end(),
                                  [](const FamilyState& s) { return s.done; });
    const FamilyAnswer answer{f.family, std::move(result), last};
    Resolver::FamilyCallback done = last ? std::move(l->done) : l->done;
    if (last) cancel(id);  // retired before the callback: it may start a new lookup at once
    done(answer);
    return !last && find(id) != nullptr;
  }

  EventLoop& loop_;
  ResolverOptions options_;
  ConfigWatch watch_;
  AnswerCache cache_;
  ResolverStats stats_;
  LookupTable<Lookup> lookups_;
  Resolver::LookupId last_id_ = 0;
  SoonQueue soon_{loop_};
};

std::unique_ptr<Engine> make_sockkit_engine(EventLoop& loop, ResolverOptions options) {
  return std::make_unique<ResolverImpl>(loop::LoopAccess::home(loop), std::move(options));
}

}  // namespace resolve_detail
}  // namespace sockkit
