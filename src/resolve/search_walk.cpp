// SPDX-License-Identifier: MIT
#include "resolve/search_walk.hpp"

#include "sockkit/error.hpp"

namespace sockkit::resolve_detail {

SearchWalk::SearchWalk(std::size_t candidates, std::size_t families) noexcept
    : candidates_(candidates), families_(families < 2 ? 1 : 2) {}

std::vector<SearchWalk::Step> SearchWalk::start() {
  std::vector<Step> steps;
  for (std::size_t f = 0; f < families_; ++f) {
    if (candidates_ == 0) {
      family_[f].state = State::done;
      steps.push_back({Step::Kind::failed, f, 0, make_error_code(failure::name_not_found)});
    } else {
      steps.push_back({Step::Kind::ask, f, 0, {}});
    }
  }
  return steps;
}

std::vector<SearchWalk::Step> SearchWalk::learned(std::size_t family, NameOutcome outcome) {
  std::vector<Step> steps;
  if (family >= families_ || family_[family].state != State::asking) return steps;
  Family& f = family_[family];
  const std::size_t other = 1 - family;
  Family* g = families_ == 2 ? &family_[other] : nullptr;
  if (outcome == NameOutcome::data) {
    f.state = State::found;
    steps.push_back({Step::Kind::found, family, candidate_, {}});
    // The other family waited on this name: the name has data, so it ends here.
    if (g != nullptr && g->state == State::waiting) {
      g->state = State::done;
      steps.push_back(
          {Step::Kind::failed, other, candidate_, make_error_code(failure::no_address)});
    }
    return steps;
  }
  f.saw_no_data = f.saw_no_data || outcome == NameOutcome::no_data;
  f.saw_server_failure = f.saw_server_failure || outcome == NameOutcome::server_failure;
  f.state = State::waiting;
  if (g != nullptr && g->state == State::asking) return steps;  // its answer decides
  if (g != nullptr && g->state == State::found) {
    f.state = State::done;
    steps.push_back({Step::Kind::failed, family, candidate_, make_error_code(failure::no_address)});
    return steps;
  }
  advance(steps);
  return steps;
}

std::vector<SearchWalk::Step> SearchWalk::ended(std::size_t family) {
  std::vector<Step> steps;
  if (family >= families_) return steps;
  family_[family].state = State::done;
  if (families_ == 2 && family_[1 - family].state == State::waiting) advance(steps);
  return steps;
}

void SearchWalk::advance(std::vector<Step>& steps) {
  ++candidate_;
  for (std::size_t f = 0; f < families_; ++f) {
    Family& fam = family_[f];
    if (fam.state != State::waiting) continue;
    if (candidate_ < candidates_) {
      fam.state = State::asking;
      steps.push_back({Step::Kind::ask, f, candidate_, {}});
    } else {
      fam.state = State::done;
      steps.push_back({Step::Kind::failed, f, candidate_, exhausted(fam)});
    }
  }
}

ErrorCode SearchWalk::exhausted(const Family& f) const noexcept {
  if (f.saw_no_data) return make_error_code(failure::no_address);
  if (f.saw_server_failure) return make_error_code(failure::dns_server_failure);
  return make_error_code(failure::name_not_found);
}

}  // namespace sockkit::resolve_detail
