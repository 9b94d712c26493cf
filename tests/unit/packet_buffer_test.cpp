// Packet buffer operations, checked against the same edits on a std::vector,
// and the promise that none of them allocates.
//
// The allocation counter replaces the global operator new/delete with malloc and
// free; GCC (with inlining under sanitizers) then pairs a new-expression with
// free() and warns, although the replacement pair is consistent.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <numeric>

#include "aipsec/packet.hpp"

namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

// Counts every allocation of the program; the tests read the difference.
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace aipsec {
namespace {

Bytes iota_bytes(std::size_t n, std::uint8_t first = 0) {
  Bytes b(n);
  std::iota(b.begin(), b.end(), first);
  return b;
}

Bytes contents(const Packet& p) { return Bytes(p.bytes().begin(), p.bytes().end()); }

TEST(PacketBuffer, ConstructFromContents) {
  const Bytes b = iota_bytes(100);
  Packet p(b, 64);
  EXPECT_EQ(contents(p), b);
  EXPECT_EQ(p.headroom(), 64u);
  EXPECT_GE(p.tailroom(), 1024u);
  Packet empty(2048, 128);
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.headroom(), 128u);
  EXPECT_EQ(empty.tailroom(), 2048u - 128u);
  EXPECT_THROW(Packet(16, 17), Error);
}

TEST(PacketBuffer, PushAndPull) {
  Bytes ref = iota_bytes(50);
  Packet p(ref, 16);
  std::uint8_t* front = p.push_front(8);
  ASSERT_NE(front, nullptr);
  std::fill_n(front, 8, 0xaa);
  ref.insert(ref.begin(), 8, 0xaa);
  std::uint8_t* back = p.push_back(4);
  ASSERT_NE(back, nullptr);
  std::fill_n(back, 4, 0xbb);
  ref.insert(ref.end(), 4, 0xbb);
  EXPECT_EQ(contents(p), ref);
  EXPECT_TRUE(p.pull_front(3));
  EXPECT_TRUE(p.trim_back(5));
  EXPECT_EQ(contents(p), Bytes(ref.begin() + 3, ref.end() - 5));
}

TEST(PacketBuffer, RefusesWithoutRoomAndChangesNothing) {
  Packet p(iota_bytes(10), 4);
  const Bytes before = contents(p);
  EXPECT_EQ(p.push_front(5), nullptr);
  EXPECT_EQ(p.push_back(p.tailroom() + 1), nullptr);
  EXPECT_FALSE(p.pull_front(11));
  EXPECT_FALSE(p.trim_back(11));
  EXPECT_FALSE(p.erase(5, 6));
  EXPECT_FALSE(p.erase(11, 0));
  EXPECT_EQ(p.insert(11, 1), nullptr);
  EXPECT_EQ(contents(p), before);
  EXPECT_EQ(p.headroom(), 4u);
  EXPECT_TRUE(p.pull_front(10));
  EXPECT_EQ(p.size(), 0u);
}

TEST(PacketBuffer, InsertMatchesVector) {
  for (std::size_t headroom : {0u, 4u, 64u}) {
    for (std::size_t off : {0u, 1u, 20u, 40u}) {
      Bytes ref = iota_bytes(40);
      Packet p(ref, headroom);
      std::uint8_t* gap = p.insert(off, 8);
      ASSERT_NE(gap, nullptr);
      std::fill_n(gap, 8, 0xee);
      ref.insert(ref.begin() + std::ptrdiff_t(off), 8, 0xee);
      EXPECT_EQ(contents(p), ref) << headroom << " " << off;
    }
  }
}

TEST(PacketBuffer, InsertWithNoRoomAnywhere) {
  Packet p(32, 0);
  ASSERT_NE(p.push_back(32), nullptr);
  EXPECT_EQ(p.insert(10, 1), nullptr);
  EXPECT_EQ(p.size(), 32u);
}

TEST(PacketBuffer, EraseMatchesVector) {
  for (std::size_t off : {0u, 1u, 20u, 32u}) {
    Bytes ref = iota_bytes(40);
    Packet p(ref, 8);
    ASSERT_TRUE(p.erase(off, 8));
    ref.erase(ref.begin() + std::ptrdiff_t(off), ref.begin() + std::ptrdiff_t(off + 8));
    EXPECT_EQ(contents(p), ref) << off;
  }
}

TEST(PacketBuffer, InsertThenEraseRestores) {
  const Bytes orig = iota_bytes(60);
  Packet p(orig);
  ASSERT_NE(p.insert(20, 24), nullptr);
  ASSERT_TRUE(p.erase(20, 24));
  EXPECT_EQ(contents(p), orig);
}

TEST(PacketBuffer, Assign) {
  Packet p(256, 32);
  const Bytes b = iota_bytes(100, 7);
  ASSERT_TRUE(p.assign(b, 100));
  EXPECT_EQ(contents(p), b);
  EXPECT_EQ(p.headroom(), 100u);
  EXPECT_FALSE(p.assign(b, 157));
  EXPECT_EQ(contents(p), b);
  ASSERT_TRUE(p.assign(ByteView(p.bytes()).subspan(10), 0));  // from its own bytes
  EXPECT_EQ(contents(p), Bytes(b.begin() + 10, b.end()));
}

TEST(PacketBuffer, NoAllocationAfterConstruction) {
  const Bytes src = iota_bytes(1400);
  const std::size_t at_start = g_allocations.load();
  Packet p(src);
  ASSERT_GT(g_allocations.load(), at_start);  // the counter does see the buffer
  const std::uint8_t* lo = p.data() - p.headroom();
  const std::uint8_t* hi = p.data() + p.size() + p.tailroom();
  const std::size_t before = g_allocations.load();
  for (int round = 0; round < 100; ++round) {
    ASSERT_NE(p.push_front(40), nullptr);
    ASSERT_NE(p.insert(40, 16), nullptr);
    ASSERT_NE(p.push_back(32), nullptr);
    ASSERT_TRUE(p.trim_back(32));
    ASSERT_TRUE(p.erase(40, 16));
    ASSERT_TRUE(p.pull_front(40));
    ASSERT_TRUE(p.assign(src));
  }
  EXPECT_EQ(g_allocations.load(), before);
  EXPECT_GE(p.data() - p.headroom(), lo);
  EXPECT_EQ(p.data() + p.size() + p.tailroom(), hi);
}

}  // namespace
}  // namespace aipsec
