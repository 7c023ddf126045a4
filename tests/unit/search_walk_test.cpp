// SPDX-License-Identifier: MIT
// The search-list walk without sockets: which name each family asks, and
// when each is done — glibc's rules, case by case.
#include <gtest/gtest.h>

#include "resolve/search_walk.hpp"
#include "sockkit/error.hpp"

namespace sockkit::resolve_detail {
namespace {

using Kind = SearchWalk::Step::Kind;
constexpr std::size_t kA = 0, kAaaa = 1;

/// A step as text: "ask 0 @1", "found 1 @0", "failed 0: no_address".
std::string text(const SearchWalk::Step& s) {
  switch (s.kind) {
    case Kind::ask:
      return "ask " + std::to_string(s.family) + " @" + std::to_string(s.candidate);
    case Kind::found:
      return "found " + std::to_string(s.family) + " @" + std::to_string(s.candidate);
    case Kind::failed:
      return "failed " + std::to_string(s.family) + ": " + s.error.message();
  }
  return "?";
}

std::vector<std::string> texts(const std::vector<SearchWalk::Step>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps)
    out.push_back(text(s));
  return out;
}

using V = std::vector<std::string>;
const std::string kNoAddress = make_error_code(failure::no_address).message();
const std::string kNotFound = make_error_code(failure::name_not_found).message();
const std::string kServerFailure = make_error_code(failure::dns_server_failure).message();

TEST(SearchWalk, OneFamilyAsksEachNameUntilOneHasData) {
  SearchWalk w(3, 1);
  EXPECT_EQ(texts(w.start()), V{"ask 0 @0"});
  EXPECT_EQ(texts(w.learned(kA, NameOutcome::no_name)), V{"ask 0 @1"});
  EXPECT_EQ(texts(w.learned(kA, NameOutcome::no_data)), V{"ask 0 @2"});
  EXPECT_EQ(texts(w.learned(kA, NameOutcome::data)), V{"found 0 @2"});
  EXPECT_TRUE(w.learned(kA, NameOutcome::data).empty()) << "done: nothing more";
}

TEST(SearchWalk, DataForOneFamilyIsReportedAtOnceAndHoldsTheOtherToThatName) {
  SearchWalk w(2, 2);
  EXPECT_EQ(texts(w.start()), (V{"ask 0 @0", "ask 1 @0"}));
  EXPECT_EQ(texts(w.learned(kA, NameOutcome::data)), V{"found 0 @0"}) << "no wait for AAAA";
  EXPECT_EQ(texts(w.learned(kAaaa, NameOutcome::no_data)), V{"failed 1: " + kNoAddress})
      << "AAAA does not go on to the next name";
}

// AAAA of mix.s1.test and A of mix.s2.test must not be paired: the first
// name with any data is the host.
TEST(SearchWalk, AFamilyWithoutDataStopsWhereTheOtherFoundSome) {
  SearchWalk w(2, 2);
  (void)w.start();
  EXPECT_TRUE(w.learned(kA, NameOutcome::no_data).empty()) << "waits for AAAA on the same name";
  EXPECT_EQ(texts(w.learned(kAaaa, NameOutcome::data)),
            (V{"found 1 @0", "failed 0: " + kNoAddress}));
}

TEST(SearchWalk, BothFamiliesMoveOnTogetherWhenANameHasNeither) {
  SearchWalk w(3, 2);
  (void)w.start();
  EXPECT_TRUE(w.learned(kAaaa, NameOutcome::no_name).empty());
  EXPECT_EQ(texts(w.learned(kA, NameOutcome::no_name)), (V{"ask 0 @1", "ask 1 @1"}));
  EXPECT_EQ(w.candidate(), 1u);
  EXPECT_EQ(texts(w.learned(kAaaa, NameOutcome::data)), V{"found 1 @1"});
  EXPECT_EQ(texts(w.learned(kA, NameOutcome::data)), V{"found 0 @1"});
}

TEST(SearchWalk, AServerFailureMovesOnToTheNextName) {
  SearchWalk w(2, 1);
  (void)w.start();
  EXPECT_EQ(texts(w.learned(kA, NameOutcome::server_failure)), V{"ask 0 @1"});
  EXPECT_EQ(texts(w.learned(kA, NameOutcome::data)), V{"found 0 @1"});
}

TEST(SearchWalk, TheMostTellingReasonEndsAnExhaustedList) {
  {
    SearchWalk w(2, 1);
    (void)w.start();
    (void)w.learned(kA, NameOutcome::no_name);
    EXPECT_EQ(texts(w.learned(kA, NameOutcome::no_name)), V{"failed 0: " + kNotFound});
  }
  {
    SearchWalk w(2, 1);
    (void)w.start();
    (void)w.learned(kA, NameOutcome::server_failure);
    EXPECT_EQ(texts(w.learned(kA, NameOutcome::no_name)), V{"failed 0: " + kServerFailure});
  }
  {
    SearchWalk w(3, 1);
    (void)w.start();
    (void)w.learned(kA, NameOutcome::no_data);
    (void)w.learned(kA, NameOutcome::server_failure);
    EXPECT_EQ(texts(w.learned(kA, NameOutcome::no_name)), V{"failed 0: " + kNoAddress})
        << "a name that exists says more than a failing server";
  }
}

TEST(SearchWalk, AFamilyThatEndsOnItsOwnLetsTheOtherGoOnAlone) {
  SearchWalk w(2, 2);
  (void)w.start();
  EXPECT_TRUE(w.learned(kA, NameOutcome::no_name).empty());
  EXPECT_EQ(texts(w.ended(kAaaa)), V{"ask 0 @1"});
  EXPECT_EQ(texts(w.learned(kA, NameOutcome::data)), V{"found 0 @1"});
}

TEST(SearchWalk, AnEmptyListFailsEveryFamilyAtOnce) {
  SearchWalk w(0, 2);
  EXPECT_EQ(texts(w.start()), (V{"failed 0: " + kNotFound, "failed 1: " + kNotFound}));
}

}  // namespace
}  // namespace sockkit::resolve_detail
