// SPDX-License-Identifier: MIT
// The stack resolver engine: lookups answered by the network stack's own DNS
// client (lwIP's). lwIP calls back on its own thread, possibly after the
// Resolver is gone, so each family in flight holds a slot of a fixed table
// with a generation: lwIP carries the slot's token, the answer is posted to the
// slot's loop, and a token whose slot has moved on is dropped there. A family
// that is cancelled or times out frees its slot at once; lwIP's late answer
// finds it taken by someone else's generation and is ignored.
#include <algorithm>
#include <array>
#include <memory>

#include "loop/dispose.hpp"
#include "loop/loop_access.hpp"
#include "resolve/engine.hpp"
#include "resolve/local_answer.hpp"
#include "resolve/lookup_table.hpp"
#include "sockkit/stack.hpp"
#include "sys/sys.hpp"

namespace sockkit::resolve_detail {
namespace {

class StackEngine;

/// Families in flight across every Resolver of the process; lwIP's own table
/// (DNS_TABLE_SIZE, 4 by default) is the tighter bound.
constexpr std::size_t kSlots = 16;
constexpr unsigned kSlotBits = 4;  // 1 << kSlotBits == kSlots

struct Slot {
  std::uint32_t generation = 0;
  StackEngine* engine = nullptr;  // null: free
  EventLoop* loop = nullptr;
  Resolver::LookupId id = 0;
  Family family = Family::none;
};

struct SlotTable {
  sys::Lock* lock = sys::make_lock();
  std::array<Slot, kSlots> slots{};
};

SlotTable& table() {
  static SlotTable t;
  return t;
}

class Held {
 public:
  Held() : lock_(table().lock) { sys::acquire(lock_); }
  ~Held() { sys::release(lock_); }
  Held(const Held&) = delete;
  Held& operator=(const Held&) = delete;

 private:
  sys::Lock* lock_;
};

std::uintptr_t token_of(std::size_t index, std::uint32_t generation) noexcept {
  return (static_cast<std::uintptr_t>(generation) << kSlotBits) | index;
}

/// The slot `token` names, if it is still that lookup's; under the lock.
Slot* live_slot(std::uintptr_t token) noexcept {
  Slot& slot = table().slots[token & (kSlots - 1)];
  const auto generation = static_cast<std::uint32_t>(token >> kSlotBits);
  const auto current = static_cast<std::uint32_t>(token_of(0, slot.generation) >> kSlotBits);
  return slot.engine != nullptr && generation == current ? &slot : nullptr;
}

void free_slot(Slot& slot) noexcept {
  slot.engine = nullptr;
  slot.loop = nullptr;
  ++slot.generation;
}

void on_stack_answer(std::uintptr_t token, Result<Endpoint> address) noexcept;

struct Lookup {
  std::string host;
  std::uint16_t port = 0;
  Resolver::FamilyCallback done;
  std::vector<Family> open;  // families not reported yet
  Timer deadline;
};

class StackEngine final : public Engine {
 public:
  explicit StackEngine(EventLoop& loop) : loop_(loop) {
    config_.servers = sys::stack_dns_servers();
  }
  ~StackEngine() override { retire(); }

  void retire() noexcept override {
    soon_.cancel_all();
    release_slots(0);
    for (auto& [id, lookup] : lookups_)
      loop::free_when_unwound(loop_, std::move(lookup));
    lookups_.clear();
  }

  Resolver::LookupId lookup(std::string_view host, std::uint16_t port, LookupFamilies families,
                            std::chrono::milliseconds deadline,
                            Resolver::FamilyCallback done) override {
    ++stats_.lookups;
    auto l = std::make_unique<Lookup>();
    l->host = std::string(host);
    l->port = port;
    l->done = std::move(done);
    const bool v6_ok = stack_supports(StackFeature::ipv6);
    if (families == LookupFamilies::both && !v6_ok) families = LookupFamilies::ipv4;
    if (families != LookupFamilies::ipv4) l->open.push_back(Family::ipv6);
    if (families != LookupFamilies::ipv6) l->open.push_back(Family::ipv4);
    const Resolver::LookupId id = ++last_id_;
    Lookup& ref = *l;
    lookups_.emplace(id, std::move(l));
    const bool armed =
        ref.deadline.arm(loop_, std::max(deadline, std::chrono::milliseconds(0)), [this, id] {
          release_slots(id);
          report_all(id, make_error_code(failure::resolve_timeout));
        });
    // Answers never come from inside this call: the caller may still be setting up.
    soon([this, id, armed] {
      if (!armed) return report_all(id, make_error_code(failure::timers_exhausted));
      begin(id);
    });
    return id;
  }

  void soon(Function<void()> fn) override { soon_.add(std::move(fn)); }

  bool cancel(Resolver::LookupId id) noexcept override {
    auto it = lookups_.find(id);
    if (it == lookups_.end()) return false;
    release_slots(id);
    it->second->deadline.cancel();
    loop::free_when_unwound(loop_, std::move(it->second));
    lookups_.erase(it);
    return true;
  }

  std::size_t pending() const noexcept override { return lookups_.size(); }
  void clear_cache() noexcept override {}  // lwIP's cache is the stack's, not this resolver's
  ResolverStats stats() const noexcept override { return stats_; }
  const ResolverConfig& config() const noexcept override { return config_; }
  EventLoop& loop() noexcept override { return loop_; }

  /// lwIP's answer for one family, on the loop thread, its slot already freed.
  void answered(Resolver::LookupId id, Family family, Result<Endpoint> address) {
    if (address) {
      ++stats_.answers_accepted;
      return report(id, family, resolution(id, family, *address, AnswerSource::server));
    }
    report(id, family, address.error());
  }

 private:
  /// Asks lwIP for each family still open.
  void begin(Resolver::LookupId id) {
    auto it = lookups_.find(id);
    if (it == lookups_.end()) return;
    Lookup& l = *it->second;
    // Numeric text and localhost, as sockkit's engine answers them, without lwIP.
    static const HostsTable kNoHosts;
    if (local_answer(l.host, l.port, l.open.front(), kNoHosts)) {
      for (Family f : std::vector<Family>(l.open)) {
        if (!find(id)) return;
        auto local = local_answer(l.host, l.port, f, kNoHosts);
        report(id, f, std::move(local->result));
      }
      return;
    }
    for (Family f : std::vector<Family>(l.open)) {
      if (!find(id)) return;
      ask(id, f);
    }
  }

  void ask(Resolver::LookupId id, Family family) {
    std::size_t index = kSlots;
    std::uintptr_t token = 0;
    {
      Held held;
      for (std::size_t i = 0; i < kSlots && index == kSlots; ++i) {
        Slot& s = table().slots[i];
        if (s.engine != nullptr) continue;
        s = Slot{s.generation, this, &loop_, id, family};
        index = i;
        token = token_of(i, s.generation);
      }
    }
    if (index == kSlots) return report(id, family, make_error_code(failure::limit_reached));
    ++stats_.queries_sent;
    auto asked = sys::stack_dns_lookup(find(id)->host, family, &on_stack_answer, token);
    if (asked && !*asked) return;  // lwIP calls back
    {
      Held held;
      if (Slot* s = live_slot(token)) free_slot(*s);
    }
    if (!asked) return report(id, family, asked.error());
    --stats_.queries_sent;  // answered from lwIP's cache: nothing was sent
    ++stats_.cache_hits;
    report(id, family, resolution(id, family, **asked, AnswerSource::cache));
  }

  Lookup* find(Resolver::LookupId id) noexcept {
    auto it = lookups_.find(id);
    return it == lookups_.end() ? nullptr : it->second.get();
  }

  Resolution resolution(Resolver::LookupId id, Family family, const Endpoint& address,
                        AnswerSource source) {
    Resolution r;
    r.family = family;
    r.source = source;
    if (Lookup* l = find(id)) {
      r.canonical_name = l->host;
      r.addresses.push_back({address.with_port(l->port), std::chrono::seconds(0)});
    }
    return r;
  }

  /// Frees the slots of lookup `id` (0: of every lookup of this engine).
  void release_slots(Resolver::LookupId id) noexcept {
    Held held;
    for (Slot& s : table().slots)
      if (s.engine == this && (id == 0 || s.id == id)) free_slot(s);
  }

  void report_all(Resolver::LookupId id, const ErrorCode& why) {
    Lookup* l = find(id);
    while (l != nullptr && !l->open.empty()) {
      report(id, l->open.front(), why);
      l = find(id);
    }
  }

  /// Ends one family and calls back; the lookup is retired before its last callback.
  void report(Resolver::LookupId id, Family family, Result<Resolution> result) {
    Lookup* l = find(id);
    if (l == nullptr) return;
    auto open = std::find(l->open.begin(), l->open.end(), family);
    if (open == l->open.end()) return;
    l->open.erase(open);
    if (!result && result.error() == failure::resolve_timeout) ++stats_.timeouts;
    const bool last = l->open.empty();
    const FamilyAnswer answer{family, std::move(result), last};
    Resolver::FamilyCallback done = last ? std::move(l->done) : l->done;
    if (last) cancel(id);  // retired first: the callback may start a new lookup at once
    done(answer);
  }

  EventLoop& loop_;
  ResolverConfig config_;
  ResolverStats stats_;
  LookupTable<Lookup> lookups_;
  Resolver::LookupId last_id_ = 0;
  SoonQueue soon_{loop_};
};

/// lwIP's callback, on the stack's thread: hands the answer to the slot's loop.
void on_stack_answer(std::uintptr_t token, Result<Endpoint> address) noexcept {
  Held held;
  Slot* slot = live_slot(token);
  if (slot == nullptr) return;  // cancelled, timed out or destroyed: nobody waits
  slot->loop->post([token, address = std::move(address)] {
    StackEngine* engine = nullptr;
    Resolver::LookupId id = 0;
    Family family = Family::none;
    {
      Held held_again;
      Slot* s = live_slot(token);
      if (s == nullptr) return;
      engine = s->engine;
      id = s->id;
      family = s->family;
      free_slot(*s);
    }
    engine->answered(id, family, address);
  });
}

}  // namespace

Result<std::unique_ptr<Engine>> make_stack_engine(EventLoop& loop, ResolverOptions options) {
  if (!sys::stack_dns_available()) return failure::backend_unavailable;
  if (table().lock == nullptr) return make_error(std::errc::not_enough_memory);
  if (options.config && !options.config->servers.empty()) {
    if (auto set = sys::set_stack_dns_servers(options.config->servers); !set) return set.error();
  }
  return std::unique_ptr<Engine>(std::make_unique<StackEngine>(loop::LoopAccess::home(loop)));
}

}  // namespace sockkit::resolve_detail
