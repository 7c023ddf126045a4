// SPDX-License-Identifier: MIT
// A fixture with an EventLoop on each compiled backend (skips backends the
// kernel refuses), for the regression tests of hostile peers and re-entrant handlers.
#pragma once

#include <sys/resource.h>

#include <memory>
#include <optional>

#include "support/fixture.hpp"

namespace sockkit::test {

// Raises this process's soft descriptor limit to at least `wanted` (up to the hard one).
inline bool raise_descriptor_limit(rlim_t wanted) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
  if (lim.rlim_cur >= wanted) return true;
  if (lim.rlim_max < wanted) return false;
  lim.rlim_cur = wanted;
  return setrlimit(RLIMIT_NOFILE, &lim) == 0;
}

class BackendLoopTest : public SockkitTest, public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    auto l = EventLoop::create({.backend = GetParam(), .fallback = false});
    if (!l && l.error() == errc::not_supported) GTEST_SKIP() << "backend not available here";
    ASSERT_OK(l);
    loop = std::move(*l);
  }
  void TearDown() override {
    loop.reset();
    SockkitTest::TearDown();
  }
  std::optional<EventLoop> loop;
};

}  // namespace sockkit::test
