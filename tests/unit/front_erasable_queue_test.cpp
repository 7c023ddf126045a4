// SPDX-License-Identifier: MIT
// The outboxes' queue: erasing at the front, in the middle and at the back
// keeps the order and the indices the session walks by, and the space erased
// at the front is reused, not kept for ever.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/front_erasable_queue.hpp"

namespace sockkit::net {
namespace {

std::vector<std::string> contents(const FrontErasableQueue<std::string>& q) {
  return {q.begin(), q.end()};
}

FrontErasableQueue<std::string> numbered(int count) {
  FrontErasableQueue<std::string> q;
  for (int i = 0; i < count; ++i)
    q.push_back(std::to_string(i));
  return q;
}

TEST(FrontErasableQueue, ErasingAnywhereKeepsTheOrderAndTheIndices) {
  auto q = numbered(5);
  q.erase(q.begin());  // the front
  EXPECT_EQ(contents(q), (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(q[0], "1");
  q.erase(q.begin() + 2);  // the middle
  EXPECT_EQ(contents(q), (std::vector<std::string>{"1", "2", "4"}));
  EXPECT_EQ(q[2], "4");
  q.erase(q.end() - 1);  // the back
  EXPECT_EQ(contents(q), (std::vector<std::string>{"1", "2"}));
  q.push_back("5");
  EXPECT_EQ(contents(q), (std::vector<std::string>{"1", "2", "5"}));
  EXPECT_EQ(q.size(), 3u);
}

TEST(FrontErasableQueue, EmptiedByTheFrontItStartsOver) {
  auto q = numbered(3);
  for (int i = 0; i < 3; ++i)
    q.erase(q.begin());
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.begin(), q.end());
  q.push_back("again");
  EXPECT_EQ(contents(q), (std::vector<std::string>{"again"}));
}

// A session walks by index and erases the message it is on, then looks at
// the same index again: it must find the next message, wherever the erase was.
TEST(FrontErasableQueue, WalkingByIndexWhileErasingSeesEveryElementOnce) {
  auto q = numbered(100);
  std::vector<std::string> kept, erased;
  for (std::size_t i = 0; i < q.size();) {
    const int n = std::stoi(q[i]);
    if (n % 3 != 1) {  // erase two of every three, the front ones included
      erased.push_back(q[i]);
      q.erase(q.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    kept.push_back(q[i]);
    ++i;
  }
  EXPECT_EQ(kept.size() + erased.size(), 100u);
  EXPECT_EQ(contents(q), kept);
  for (std::size_t i = 0; i < kept.size(); ++i)
    EXPECT_EQ(std::stoi(kept[i]), static_cast<int>(3 * i + 1));
}

TEST(FrontErasableQueue, ALongQueueDrainedFromTheFrontWhileFedStaysInOrder) {
  FrontErasableQueue<std::string> q;
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 1000; ++round) {
    q.push_back(std::to_string(next_in++));
    q.push_back(std::to_string(next_in++));
    ASSERT_EQ(q[0], std::to_string(next_out)) << "round " << round;
    q.erase(q.begin());
    ++next_out;
  }
  EXPECT_EQ(q.size(), 1000u);
  for (std::size_t i = 0; i < q.size(); ++i)
    ASSERT_EQ(q[i], std::to_string(next_out + static_cast<int>(i)));
}

}  // namespace
}  // namespace sockkit::net
