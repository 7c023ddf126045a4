// SPDX-License-Identifier: MIT
// A connection's write queue and read buffer as chunk lists: bytes come out as
// they went in across chunk boundaries, totals stay right, chunks are recycled.
#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

#include "net/buffer.hpp"

namespace sockkit::net {
namespace {

std::vector<std::byte> counting_bytes(std::size_t n, std::size_t from = 0) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = static_cast<std::byte>((from + i) % 251);
  return v;
}

std::vector<std::byte> contents(Chunk* head) {
  std::vector<std::byte> out;
  for (Chunk* c = head; c != nullptr; c = c->next)
    out.insert(out.end(), c->readable().begin(), c->readable().end());
  return out;
}

TEST(BufferChunks, AppendAcrossChunksKeepsOrderAndTotal) {
  BufferPool pool(64, 4);
  Chunk* head = nullptr;
  const auto first = counting_bytes(100);
  const auto second = counting_bytes(170, 100);
  ASSERT_TRUE(append(pool, head, first));
  ASSERT_TRUE(append(pool, head, second));
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->total, 270u);
  auto expected = counting_bytes(270);
  EXPECT_EQ(contents(head), expected);
  std::size_t chunks = 0;
  for (Chunk* c = head; c != nullptr; c = c->next)
    ++chunks;
  EXPECT_EQ(chunks, 5u);  // 270 bytes in 64-byte chunks
  pool.release_list(head);
}

TEST(BufferChunks, ConsumeDropsFromTheFrontAndReleasesEmptiedChunks) {
  BufferPool pool(64, 8);
  Chunk* head = nullptr;
  ASSERT_TRUE(append(pool, head, counting_bytes(200)));
  consume(pool, head, 70);  // the first chunk and 6 bytes of the second
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->total, 130u);
  EXPECT_EQ(contents(head), counting_bytes(130, 70));
  ASSERT_TRUE(append(pool, head, counting_bytes(10, 200)));  // after a partial consume
  EXPECT_EQ(contents(head), counting_bytes(140, 70));
  consume(pool, head, 140);
  EXPECT_EQ(head, nullptr);
}

TEST(BufferChunks, ReleasedChunksAreReusedUpToTheIdleLimit) {
  BufferPool pool(32, 2);
  Chunk* a = pool.acquire();
  Chunk* b = pool.acquire();
  Chunk* c = pool.acquire();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(pool.allocations(), 3u);
  pool.release(a);
  pool.release(b);
  pool.release(c);  // over the idle limit: back to the heap
  Chunk* again1 = pool.acquire();
  Chunk* again2 = pool.acquire();
  EXPECT_EQ(pool.allocations(), 3u);  // both from the idle list
  Chunk* fresh = pool.acquire();
  EXPECT_EQ(pool.allocations(), 4u);
  EXPECT_EQ(again1->begin, 0u);
  EXPECT_EQ(again1->end, 0u);
  pool.release(again1);
  pool.release(again2);
  pool.release(fresh);
}

TEST(BufferChunks, AnOddSizeIsItsOwnAllocationAndIsNotKept) {
  BufferPool pool(32, 4);
  Chunk* big = pool.acquire(1000);
  ASSERT_NE(big, nullptr);
  EXPECT_GE(big->capacity, 1000u);
  EXPECT_EQ(big->writable().size(), big->capacity);
  pool.release(big);
  Chunk* standard = pool.acquire();
  EXPECT_EQ(standard->capacity, 32u);
  EXPECT_EQ(pool.allocations(), 2u);  // the big one was not recycled as a standard chunk
  pool.release(standard);
}

TEST(BufferChunks, AppendingNothingChangesNothing) {
  BufferPool pool(16, 1);
  Chunk* head = nullptr;
  EXPECT_TRUE(append(pool, head, {}));
  EXPECT_EQ(head, nullptr);
  EXPECT_EQ(pool.allocations(), 0u);
}

}  // namespace
}  // namespace sockkit::net
