// SPDX-License-Identifier: MIT
// The walk of one lookup over its search list, for one family or both,
// without I/O: which name each family asks next and when it is done. The
// rules are glibc's: the first name with data for either family ends the walk
// for both (so A and AAAA never come from two different hosts), a name that
// does not exist, has no data or whose servers fail (SERVFAIL) moves on to
// the next, and when the list runs out the most telling reason is given.
#pragma once

#include <array>
#include <cstddef>
#include <vector>
#include "sockkit/error.hpp"

namespace sockkit::resolve_detail {

/// How one name of the search list turned out for one family.
enum class NameOutcome {
  data,            ///< addresses of this family
  no_data,         ///< the name exists, without addresses of this family
  no_name,         ///< NXDOMAIN
  server_failure,  ///< SERVFAIL from every server tried
};

class SearchWalk {
 public:
  /// What one family does next.
  struct Step {
    enum class Kind {
      ask,    ///< ask for the name at `candidate`
      found,  ///< done: report the data this family just learned
      failed  ///< done, with `error`
    };
    Kind kind = Kind::ask;
    std::size_t family = 0;  ///< 0 or 1
    std::size_t candidate = 0;
    ErrorCode error{};
  };

  /// A walk over `candidates` names for `families` (1 or 2) families.
  SearchWalk(std::size_t candidates, std::size_t families) noexcept;

  /// The first steps: each family asks the first name (or fails: no names).
  std::vector<Step> start();
  /// `family` learned `outcome` for the name it was told to ask.
  std::vector<Step> learned(std::size_t family, NameOutcome outcome);
  /// `family` ended for a reason of its own (timeout, unusable answer); the
  /// other family goes on alone.
  std::vector<Step> ended(std::size_t family);

  /// The index of the name being asked now.
  std::size_t candidate() const noexcept { return candidate_; }

 private:
  enum class State { asking, waiting, found, done };
  struct Family {
    State state = State::asking;
    bool saw_no_data = false, saw_server_failure = false;
  };

  void advance(std::vector<Step>& steps);
  ErrorCode exhausted(const Family& f) const noexcept;

  std::size_t candidates_;
  std::size_t families_;
  std::size_t candidate_ = 0;
  std::array<Family, 2> family_{};
};

}  // namespace sockkit::resolve_detail
