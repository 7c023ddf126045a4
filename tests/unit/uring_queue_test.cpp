// SPDX-License-Identifier: MIT
// The io_uring backend's per-descriptor completion queues: first in, first
// out for each descriptor, all sharing one pool of entries whose freed ones
// are used again, each queue named by one index.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "poll/uring_queue.hpp"

namespace sockkit::poll {
namespace {

UringCompletion received(std::int32_t bytes, std::uint32_t offset, std::uint16_t buffer) {
  return {bytes, offset, buffer, false};
}

std::vector<std::int32_t> drain(UringQueues& queues, UringQueues::Queue& q) {
  std::vector<std::int32_t> results;
  while (!q.empty())
    results.push_back(queues.pop(q).result);
  return results;
}

TEST(UringQueues, EachQueueKeepsItsOwnOrderWhileTheyInterleave) {
  UringQueues queues;
  UringQueues::Queue a, b;
  for (std::int32_t i = 1; i <= 5; ++i) {
    ASSERT_TRUE(queues.push(a, received(i, 0, 1)));
    ASSERT_TRUE(queues.push(b, received(100 + i, 0, 2)));
  }
  EXPECT_EQ(queues.front(a).result, 1);
  EXPECT_EQ(queues.pop(a).result, 1);
  EXPECT_EQ(queues.front(b).result, 101);
  ASSERT_TRUE(queues.push(a, received(6, 0, 1)));  // onto a queue already popped from
  EXPECT_EQ(drain(queues, a), (std::vector<std::int32_t>{2, 3, 4, 5, 6}));
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(drain(queues, b), (std::vector<std::int32_t>{101, 102, 103, 104, 105}));
}

TEST(UringQueues, AQueueEmptiedAndFilledAgainStartsFresh) {
  UringQueues queues;
  UringQueues::Queue q;
  ASSERT_TRUE(queues.push(q, received(7, 0, 1)));
  EXPECT_EQ(queues.pop(q).result, 7);
  EXPECT_TRUE(q.empty());
  ASSERT_TRUE(queues.push(q, received(8, 0, 1)));
  ASSERT_TRUE(queues.push(q, received(9, 0, 1)));
  EXPECT_EQ(drain(queues, q), (std::vector<std::int32_t>{8, 9}));
}

TEST(UringQueues, FreedEntriesAreUsedAgainNotLeftBehind) {
  UringQueues queues;
  UringQueues::Queue q;
  for (int round = 0; round < 100; ++round) {
    ASSERT_TRUE(queues.push(q, received(1, 0, 1)));
    ASSERT_TRUE(queues.push(q, received(2, 0, 1)));
    ASSERT_EQ(drain(queues, q).size(), 2u);
  }
  int entries = 0;
  queues.for_each_queued([&](const UringCompletion&) { ++entries; });
  EXPECT_EQ(entries, 2) << "two at a time need two entries";
}

TEST(UringQueues, ReceivesContinuingOneBufferAreOneSpanAndOthersAreNot) {
  UringQueues queues;
  UringQueues::Queue q;
  ASSERT_TRUE(queues.push(q, received(3, 0, 4)));
  ASSERT_TRUE(queues.push(q, received(5, 3, 4)));   // right behind it in buffer 4
  ASSERT_TRUE(queues.push(q, received(2, 20, 4)));  // a gap: not contiguous
  ASSERT_TRUE(queues.push(q, received(6, 10, 5)));
  EXPECT_EQ(queues.contiguous_bytes(q), 8u);
  (void)queues.pop(q);
  EXPECT_EQ(queues.contiguous_bytes(q), 5u);
  (void)queues.pop(q);
  EXPECT_EQ(queues.contiguous_bytes(q), 2u) << "another buffer follows";
  (void)queues.pop(q);
  EXPECT_EQ(queues.contiguous_bytes(q), 6u) << "alone in its queue";
}

TEST(UringQueues, AnEofAfterDataEndsTheSpan) {
  UringQueues queues;
  UringQueues::Queue q;
  ASSERT_TRUE(queues.push(q, received(4, 0, 1)));
  ASSERT_TRUE(queues.push(q, received(0, 4, 1)));
  EXPECT_EQ(queues.contiguous_bytes(q), 4u);
  (void)queues.pop(q);
  EXPECT_EQ(queues.front(q).result, 0);
}

}  // namespace
}  // namespace sockkit::poll
