// SPDX-License-Identifier: MIT
// The descriptor-indexed table of the loop and the io_uring backend: entries
// appear when reserved, start value-initialised, and never move when the
// table grows, so a pointer taken before a new descriptor stays good.
#include <gtest/gtest.h>

#include <cstdint>

#include "poll/paged_table.hpp"

namespace sockkit::poll {
namespace {

struct Entry {
  std::uint32_t generation = 7;
  bool registered = false;
};

TEST(PagedTable, NothingIsFoundBeforeItIsReserved) {
  PagedTable<Entry, 4> table;
  EXPECT_EQ(table.find(0), nullptr);
  EXPECT_EQ(table.find(1000), nullptr);
  ASSERT_NE(table.reserve(9), nullptr);
  EXPECT_NE(table.find(8), nullptr) << "the page of 8..11 exists now";
  EXPECT_EQ(table.find(3), nullptr) << "the pages before it were not made";
  EXPECT_EQ(table.find(12), nullptr);
}

TEST(PagedTable, ReservedEntriesStartValueInitialisedAndKeepWhatIsWritten) {
  PagedTable<Entry, 4> table;
  Entry* entry = table.reserve(5);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->generation, 7u);
  EXPECT_FALSE(entry->registered);
  entry->registered = true;
  table[6].generation = 9;
  EXPECT_TRUE(table.find(5)->registered);
  EXPECT_EQ(table.reserve(6)->generation, 9u) << "reserving again keeps the entry";
}

TEST(PagedTable, EntriesNeverMoveWhenTheTableGrows) {
  PagedTable<Entry, 4> table;
  Entry* first = table.reserve(2);
  ASSERT_NE(first, nullptr);
  first->generation = 41;
  for (std::size_t fd = 3; fd < 10'000; fd += 3)
    ASSERT_NE(table.reserve(fd), nullptr);
  EXPECT_EQ(table.find(2), first);
  EXPECT_EQ(first->generation, 41u);
}

}  // namespace
}  // namespace sockkit::poll
