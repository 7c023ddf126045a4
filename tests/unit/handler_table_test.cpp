// SPDX-License-Identifier: MIT
// The loop's handler per descriptor: an IoHandler, or one of the library's
// own objects called through a plain function named by the entry's low bits.
// Each kind reaches the right object with the events; the table refuses what
// it could not name rather than calling the wrong function.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "loop/handler_table.hpp"

namespace sockkit::loop {
namespace {

struct Recorder final : IoHandler {
  unsigned seen = 0;
  int calls = 0;
  void on_io(unsigned events) noexcept override {
    seen = events;
    ++calls;
  }
};

struct alignas(void*) Plain {
  unsigned seen = 0;
  int calls = 0;
};

template <int kWhich>
void record(void* object, unsigned events) noexcept {
  auto& plain = *static_cast<Plain*>(object);
  plain.seen = events * 10 + kWhich;  // tells which function ran
  ++plain.calls;
}

TEST(HandlerTable, AnIoHandlerAndAPlainObjectEachGetTheirEvents) {
  HandlerTable table;
  Recorder handler;
  Plain plain;
  ASSERT_TRUE(table.reserve(3));
  ASSERT_TRUE(table.reserve(700));
  table.set(3, &handler);
  const std::uintptr_t entry = table.entry_for(&plain, record<1>);
  ASSERT_NE(entry, 0u);
  table.set(700, entry);
  table.dispatch(3, io::readable);
  table.dispatch(700, io::writable);
  EXPECT_EQ(handler.calls, 1);
  EXPECT_EQ(handler.seen, io::readable);
  EXPECT_EQ(plain.calls, 1);
  EXPECT_EQ(plain.seen, io::writable * 10 + 1);
}

TEST(HandlerTable, ADescriptorWithoutAHandlerCallsNothing) {
  HandlerTable table;
  Recorder handler;
  table.dispatch(5, io::readable);  // never reserved
  ASSERT_TRUE(table.reserve(5));
  table.dispatch(5, io::readable);  // reserved, never set
  table.set(5, &handler);
  table.clear(5);
  table.dispatch(5, io::readable);
  table.clear(9000);  // never reserved: harmless
  EXPECT_EQ(handler.calls, 0);
}

TEST(HandlerTable, TheSameFunctionIsNamedOnceAndEachKeepsItsOwn) {
  HandlerTable table;
  std::array<Plain, 3> objects;
  ASSERT_TRUE(table.reserve(2));
  const std::uintptr_t a = table.entry_for(&objects[0], record<1>);
  const std::uintptr_t b = table.entry_for(&objects[1], record<2>);
  const std::uintptr_t c = table.entry_for(&objects[2], record<1>);
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  ASSERT_NE(c, 0u);
  EXPECT_EQ(a & (alignof(void*) - 1), c & (alignof(void*) - 1)) << "one tag per function";
  for (const std::uintptr_t entry : {a, b, c}) {
    table.set(2, entry);
    table.dispatch(2, io::readable);
  }
  EXPECT_EQ(objects[0].seen, io::readable * 10 + 1);
  EXPECT_EQ(objects[1].seen, io::readable * 10 + 2);
  EXPECT_EQ(objects[2].seen, io::readable * 10 + 1);
}

TEST(HandlerTable, MoreFunctionsThanTheLowBitsNameAreRefused) {
  HandlerTable table;
  Plain plain;
  constexpr std::size_t kNameable = alignof(void*) - 1;
  const std::array<IoFunction, 8> functions{record<1>, record<2>, record<3>, record<4>,
                                            record<5>, record<6>, record<7>, record<8>};
  for (std::size_t i = 0; i < kNameable; ++i)
    EXPECT_NE(table.entry_for(&plain, functions[i]), 0u) << i;
  EXPECT_EQ(table.entry_for(&plain, functions[kNameable]), 0u);
  EXPECT_NE(table.entry_for(&plain, functions[0]), 0u) << "a known function is still named";
}

TEST(HandlerTable, AnObjectWhoseLowBitsAreNotFreeIsRefused) {
  HandlerTable table;
  alignas(void*) std::array<unsigned char, 16> bytes{};
  EXPECT_EQ(table.entry_for(bytes.data() + 1, record<1>), 0u);
  EXPECT_EQ(table.entry_for(nullptr, record<1>), 0u);
  EXPECT_NE(table.entry_for(bytes.data(), record<1>), 0u);
}

}  // namespace
}  // namespace sockkit::loop
