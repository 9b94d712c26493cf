// The ACQUIRE hold queue: bounded in packets and bytes, deadlines, release of
// the packets whose SA exists, in arrival order.
#include <gtest/gtest.h>

#include "aipsec/daemon_held_queue.hpp"

namespace {

using aipsec::AcquireRequest;
using aipsec::Bytes;
using aipsec::daemon::HeldQueue;
using namespace std::chrono_literals;

AcquireRequest wants(std::uint32_t policy) {
  AcquireRequest r;
  r.policy_id = policy;
  return r;
}

TEST(HeldQueue, BoundedInPackets) {
  HeldQueue q(3, 1 << 20, 1s);
  Bytes p(100, 1);
  EXPECT_TRUE(q.push(p, wants(1)));
  EXPECT_TRUE(q.push(p, wants(1)));
  EXPECT_TRUE(q.push(p, wants(1)));
  EXPECT_FALSE(q.push(p, wants(1)));
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.bytes(), 300u);
}

TEST(HeldQueue, BoundedInBytes) {
  HeldQueue q(100, 1000, 1s);
  EXPECT_TRUE(q.push(Bytes(600, 1), wants(1)));
  EXPECT_FALSE(q.push(Bytes(600, 2), wants(1)));
  EXPECT_TRUE(q.push(Bytes(400, 3), wants(1)));
  EXPECT_FALSE(q.push(Bytes(1, 4), wants(1)));
  EXPECT_EQ(q.bytes(), 1000u);
}

TEST(HeldQueue, ZeroCapacityHoldsNothing) {
  HeldQueue q(0, 1000, 1s);
  EXPECT_FALSE(q.push(Bytes(10, 1), wants(1)));
}

TEST(HeldQueue, ExpiresAtTheDeadline) {
  HeldQueue q(10, 1 << 20, 100ms);
  const auto t0 = HeldQueue::Clock::now();
  q.push(Bytes(10, 1), wants(1), t0);
  q.push(Bytes(20, 2), wants(1), t0 + 50ms);
  EXPECT_EQ(q.expire(t0 + 99ms), 0u);
  EXPECT_EQ(q.expire(t0 + 100ms), 1u);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.bytes(), 20u);
  EXPECT_EQ(q.expire(t0 + 150ms), 1u);
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(HeldQueue, ReleasesOnlyReadyPacketsInOrder) {
  HeldQueue q(10, 1 << 20, 1s);
  q.push(Bytes{1}, wants(7));
  q.push(Bytes{2}, wants(8));
  q.push(Bytes{3}, wants(7));
  std::vector<std::uint8_t> got;
  std::size_t n = q.release([](const AcquireRequest& r) { return r.policy_id == 7; },
                            [&](HeldQueue::Entry& e) { got.push_back(e.packet[0]); });
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(got, (std::vector<std::uint8_t>{1, 3}));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.bytes(), 1u);
  // A released packet may be held again (another SA of its bundle missing).
  n = q.release([](const AcquireRequest&) { return true; },
                [&](HeldQueue::Entry& e) { EXPECT_TRUE(q.push(e.packet, wants(9))); });
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(q.size(), 1u);
}

}  // namespace
