// SPDX-License-Identifier: MIT
// sockkit::Function, the callable behind every callback parameter: it holds
// what std::function holds, copies and moves it with its state, destroys
// each copy exactly once, keeps small callables without allocating, and is
// empty where std::function would be.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "sockkit/function.hpp"

namespace sockkit {
namespace {

// Counts copies, moves and destructions, and optionally carries bulk so that
// it does not fit inline.
template <std::size_t kBulk>
struct Counted {
  static inline int alive = 0;
  static inline int copies = 0;
  int value;
  std::array<char, kBulk> bulk{};
  explicit Counted(int v) : value(v) { ++alive; }
  Counted(const Counted& o) : value(o.value), bulk(o.bulk) {
    ++alive;
    ++copies;
  }
  Counted(Counted&& o) noexcept : value(o.value), bulk(o.bulk) { ++alive; }
  ~Counted() { --alive; }
  int operator()(int x) const { return value + x; }
  static void reset() { alive = copies = 0; }
};
using Small = Counted<1>;
using Large = Counted<64>;

int twice(int x) {
  return 2 * x;
}

TEST(Function, EmptyUntilGivenSomethingToCall) {
  Function<void()> f;
  EXPECT_FALSE(f);
  Function<void()> g = nullptr;
  EXPECT_FALSE(g);
  int (*none)(int) = nullptr;
  Function<int(int)> h = none;
  EXPECT_FALSE(h) << "a null function pointer is empty, as in std::function";
  std::function<int(int)> empty_std;
  Function<int(int)> i = empty_std;
  EXPECT_FALSE(i) << "an empty std::function is empty";
  i = twice;
  ASSERT_TRUE(i);
  EXPECT_EQ(i(21), 42);
  i = nullptr;
  EXPECT_FALSE(i);
}

TEST(Function, CallsLambdasFunctionsAndStdFunctionsWithTheirArguments) {
  int seen = 0;
  Function<void(int)> set = [&seen](int v) { seen = v; };
  set(7);
  EXPECT_EQ(seen, 7);
  Function<int(int)> from_pointer = &twice;
  EXPECT_EQ(from_pointer(4), 8);
  std::function<int(int)> std_fn = [](int x) { return x + 1; };
  Function<int(int)> wrapped = std_fn;
  EXPECT_EQ(wrapped(1), 2);
  Function<long(int)> converting = [](int x) { return x * 3; };  // int result taken as long
  EXPECT_EQ(converting(5), 15L);
  Function<std::string(const std::string&, std::string&&)> join =
      [](const std::string& a, std::string&& b) { return a + std::move(b); };
  EXPECT_EQ(join("ab", "cd"), "abcd");
}

TEST(Function, AMutableLambdaKeepsItsStateAcrossCalls) {
  Function<int()> counter = [n = 0]() mutable { return ++n; };
  EXPECT_EQ(counter(), 1);
  EXPECT_EQ(counter(), 2);
  Function<int()> copy = counter;
  EXPECT_EQ(copy(), 3) << "a copy starts from the state it was copied in";
  EXPECT_EQ(counter(), 3) << "and the original goes on by itself";
}

template <class T>
void copies_moves_and_destroys_each_once() {
  T::reset();
  {
    Function<int(int)> a = T(10);
    EXPECT_EQ(T::alive, 1);
    Function<int(int)> b = a;
    EXPECT_EQ(T::alive, 2);
    EXPECT_EQ(T::copies, 1);
    Function<int(int)> c = std::move(a);
    EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty
    EXPECT_EQ(T::alive, 2);
    EXPECT_EQ(c(1), 11);
    b = c;
    EXPECT_EQ(T::alive, 2) << "the old one destroyed, a copy made";
    c = std::move(b);
    EXPECT_EQ(T::alive, 1);
    const Function<int(int)>& same = c;
    c = same;  // self-assignment keeps it
    EXPECT_EQ(c(2), 12);
    c = [](int x) { return x; };
    EXPECT_EQ(T::alive, 0);
    c = T(1);
    EXPECT_EQ(T::alive, 1);
  }
  EXPECT_EQ(T::alive, 0) << "nothing leaked, nothing destroyed twice";
}

TEST(Function, AnInlineCallableIsCopiedMovedAndDestroyedOnce) {
  copies_moves_and_destroys_each_once<Small>();
}

TEST(Function, AHeapCallableIsCopiedMovedAndDestroyedOnce) {
  copies_moves_and_destroys_each_once<Large>();
}

TEST(Function, ACallableThatOwnsMemoryReleasesIt) {
  auto owned = std::make_shared<int>(5);
  std::weak_ptr<int> watch = owned;
  {
    Function<int()> f = [owned = std::move(owned)] { return *owned; };
    Function<int()> g = f;
    EXPECT_EQ(g(), 5);
    EXPECT_EQ(watch.use_count(), 2);
  }
  EXPECT_TRUE(watch.expired());
}

// Counts its own allocations: Function allocates a callable with `new D`,
// which takes the class's operator new when it has one.
template <std::size_t kBulk>
struct Allocating {
  static inline int news = 0;
  std::array<char, kBulk> bulk{};
  static void* operator new(std::size_t size) {
    ++news;
    return ::operator new(size);
  }
  static void operator delete(void* p) noexcept { ::operator delete(p); }
  int operator()() const { return 4; }
};

TEST(Function, CallablesOfUpToTwoPointersDoNotAllocate) {
  using Fits = Allocating<2 * sizeof(void*)>;
  using TooLarge = Allocating<2 * sizeof(void*) + 1>;
  {
    Function<int()> small = Fits{};
    Function<int()> copy = small;
    Function<int()> moved = std::move(copy);
    EXPECT_EQ(moved(), 4);
  }
  EXPECT_EQ(Fits::news, 0);
  {
    Function<int()> large = TooLarge{};
    Function<int()> moved = std::move(large);  // the pointer moves, not the callable
    EXPECT_EQ(moved(), 4);
    EXPECT_EQ(TooLarge::news, 1);
    Function<int()> copy = moved;
    EXPECT_EQ(TooLarge::news, 2) << "a copy of a heap callable is a new one";
  }
}

}  // namespace
}  // namespace sockkit
