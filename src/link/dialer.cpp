// SPDX-License-Identifier: MIT
#include "link/dialer.hpp"

#include <algorithm>

#include "deadline.hpp"
#include "net/client_impl.hpp"
#include "resolve/target.hpp"

namespace sockkit::link {

// One TCP connect of the dial: waits for writability, then asks SO_ERROR.
class Dialer::Attempt final : public IoHandler {
 public:
  Attempt(Dialer& dialer, std::uint32_t number, TcpStream connecting) noexcept
      : owner(dialer), id(number), stream(std::move(connecting)) {}
  void on_io(unsigned) noexcept override { owner.attempt_ready(*this); }

  Dialer& owner;
  const std::uint32_t id;
  TcpStream stream;
};

Dialer::Dialer(EventLoop& loop, DialEvents& events, TimerReservation* timers) noexcept
    : loop_(loop), events_(events), timers_(timers) {}

Dialer::~Dialer() {
  cancel();
}

Status Dialer::start(const DialRequest& request) noexcept {
  cancel();
  auto target = resolve_detail::parse_target(request.target);
  if (!target) return target.error();
  if (!target->numeric && !request.resolve && (target->host.empty() || request.resolver == nullptr))
    return failure::malformed_address;
  const auto now = EventLoop::Clock::now();
  const auto deadline = time::deadline_after(now, request.timeout);
  ++epoch_;
  plan_.emplace(request.timings, deadline);
  options_ = request.options;
  if (request.resolve) {
    answer_all(request.resolve());
  } else if (target->numeric) {
    answer_all(std::vector<Endpoint>{*target->numeric});
  } else {
    resolver_ = request.resolver;
    const std::uint64_t epoch = epoch_;
    lookup_ =
        resolver_->lookup(target->host, target->port, LookupFamilies::both,
                          request.timeout.count() >= 0 ? request.timeout : std::chrono::minutes(10),
                          [this, epoch](const FamilyAnswer& a) { answered(epoch, a); });
  }
  // What is known already is carried out from the timer: start() never calls back.
  rearm();
  if (!timer_.pending() && (plan_->has_steps() || plan_->next_wakeup())) {
    cancel();
    return failure::timers_exhausted;
  }
  return {};
}

void Dialer::cancel() noexcept {
  if (!plan_) return;
  ++epoch_;
  end();
}

void Dialer::answer_all(const Result<std::vector<Endpoint>>& found) noexcept {
  std::vector<Endpoint> v6, v4;
  if (found)
    for (const auto& ep : *found)
      (ep.family() == Family::ipv6 ? v6 : v4).push_back(ep);
  const auto now = EventLoop::Clock::now();
  plan_->answer(Family::ipv6, v6, {}, false, now);
  plan_->answer(Family::ipv4, v4, found ? ErrorCode{} : found.error(), true, now);
}

void Dialer::answered(std::uint64_t epoch, const FamilyAnswer& a) noexcept {
  if (epoch != epoch_ || !plan_) return;
  if (a.last) lookup_ = 0;
  std::vector<Endpoint> found;
  if (a.result)
    for (const auto& r : a.result->addresses)
      found.push_back(r.address);
  plan_->answer(a.family, found, a.result ? ErrorCode{} : a.result.error(), a.last,
                EventLoop::Clock::now());
  drive();
}

void Dialer::drive() noexcept {
  const std::uint64_t epoch = epoch_;
  DialStep step{};
  while (plan_ && plan_->next_step(step)) {
    switch (step.kind) {
      case DialStep::Kind::begin:
        events_.dial_begun(plan_->known());
        break;
      case DialStep::Kind::connect:
        start_attempt(step.attempt, step.address);
        break;
      case DialStep::Kind::abandon:
        (void)take_attempt(step.attempt);  // closed as it goes out of scope
        break;
      case DialStep::Kind::attempt_failed:
        (void)take_attempt(step.attempt);
        events_.dial_attempt_failed(step.address, step.error);
        break;
      case DialStep::Kind::established: {
        TcpStream stream = take_attempt(step.attempt);
        const auto deadline = plan_->deadline();
        end();
        return events_.dial_connected(std::move(stream), step.address, deadline);
      }
      case DialStep::Kind::failed:
        end();
        return events_.dial_failed(step.error);
    }
    if (epoch != epoch_) return;  // the owner cancelled or restarted the dial
  }
  rearm();
  if (plan_ && !timer_.pending() && plan_->next_wakeup()) {  // a loop with all its timers in use
    end();
    events_.dial_failed(make_error_code(failure::timers_exhausted));
  }
}

void Dialer::start_attempt(std::uint32_t id, const Endpoint& to) noexcept {
  auto stream = net::start_connect(to, options_);
  std::unique_ptr<Attempt> attempt;
  if (stream) attempt.reset(new (std::nothrow) Attempt(*this, id, std::move(*stream)));
  ErrorCode why = !stream    ? stream.error()
                  : !attempt ? make_error(std::errc::not_enough_memory)
                             : ErrorCode{};
  if (!why)
    if (auto st = loop_.watch(attempt->stream.native_handle(), io::writable, attempt.get()); !st)
      why = st.error();
  if (why) return plan_->connect_failed(id, why, EventLoop::Clock::now());
  attempts_.push_back(std::move(attempt));
}

TcpStream Dialer::take_attempt(std::uint32_t id) noexcept {
  auto it =
      std::find_if(attempts_.begin(), attempts_.end(), [&](const auto& a) { return a->id == id; });
  if (it == attempts_.end()) return {};
  (void)loop_.unwatch((*it)->stream.native_handle());
  TcpStream stream = std::move((*it)->stream);
  attempts_.erase(it);  // an Attempt on the stack (attempt_ready) touches nothing afterwards
  return stream;
}

void Dialer::attempt_ready(Attempt& attempt) noexcept {
  const auto st = attempt.stream.finish_connect();
  if (!st && st.error() == errc::in_progress) return;  // spurious wake-up
  const auto now = EventLoop::Clock::now();
  if (st)
    plan_->connected(attempt.id, now);
  else
    plan_->connect_failed(attempt.id, st.error(), now);
  drive();
}

void Dialer::on_timer() noexcept {
  if (!plan_) return;
  plan_->advance(EventLoop::Clock::now());
  drive();
}

void Dialer::rearm() noexcept {
  if (!plan_) return;
  std::optional<EventLoop::Clock::time_point> at = plan_->next_wakeup();
  if (plan_->has_steps()) at = EventLoop::Clock::now();
  if (timer_.pending() && timer_at_ == at) return;
  timer_.cancel();
  timer_at_ = at;
  if (!at) return;
  const auto delay =
      std::max(std::chrono::milliseconds(0),
               std::chrono::ceil<std::chrono::milliseconds>(*at - EventLoop::Clock::now()));
  auto fire = [this, epoch = epoch_] {
    if (epoch != epoch_) return;
    timer_at_.reset();
    on_timer();
  };
  if (timers_ != nullptr)
    timer_.arm(*timers_, delay, std::move(fire));
  else
    timer_.arm(loop_, delay, std::move(fire));
}

void Dialer::end() noexcept {
  if (lookup_ != 0 && resolver_ != nullptr) resolver_->cancel(lookup_);
  lookup_ = 0;
  resolver_ = nullptr;
  timer_.cancel();
  timer_at_.reset();
  for (auto& a : attempts_)
    (void)loop_.unwatch(a->stream.native_handle());
  attempts_.clear();
  plan_.reset();
}

}  // namespace sockkit::link
