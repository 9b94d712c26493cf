// ReplayWindow against a small reference model written here: the set of
// numbers accepted so far plus the RFC 4303 3.4.3 window rule, with 64-bit
// numbers (ESN) and the high half inferred as RFC 4303 Appendix A describes.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>

#include "aipsec/common.hpp"
#include "aipsec/replay.hpp"

namespace {

using aipsec::Reason;
using aipsec::ReplayWindow;

struct Model {
  std::uint64_t w;
  std::set<std::uint64_t> seen;
  std::uint64_t top() const { return seen.empty() ? 0 : *seen.rbegin(); }
  Reason check(std::uint64_t s) const {
    if (s == 0) return Reason::kReplayOld;
    if (s > top()) return Reason::kNone;
    if (s + w <= top()) return Reason::kReplayOld;
    return seen.count(s) ? Reason::kReplay : Reason::kNone;
  }
};

// Drives both with the same stream; only packets that pass are recorded (the
// ICV is assumed good), and every decision must agree.
void run(std::uint32_t w, std::uint64_t start, std::uint64_t spread, int n, std::uint32_t seed, bool esn) {
  ReplayWindow rw(w, esn);
  Model m{w, {}};
  std::mt19937_64 rng(seed);
  std::uint64_t cursor = start;
  for (int i = 0; i < n; ++i) {
    // Mostly forward, sometimes back into (or beyond) the window, sometimes a repeat.
    const int kind = int(rng() % 10);
    std::uint64_t s;
    if (kind < 6) s = cursor += 1 + rng() % (spread / 8 + 1);
    else if (kind < 9) s = cursor - std::min<std::uint64_t>(cursor - 1, rng() % (spread + 1));
    else s = m.seen.empty() ? cursor : *std::next(m.seen.begin(), long(rng() % m.seen.size()));
    if (s == 0) s = 1;
    std::uint64_t guess = s;
    if (esn) {
      guess = rw.infer(std::uint32_t(s));
      // Within the window or ahead of it (by < 2^31) the high half is found.
      if (s + w > m.top()) {
        ASSERT_EQ(guess, s) << "seq " << s << " top " << m.top();
      }
      if (guess != s) continue;  // far left of the window: the wrong guess fails the ICV
    }
    const Reason want = m.check(s);
    ASSERT_EQ(rw.check(guess), want) << "seq " << s << " top " << m.top() << " window " << w;
    if (want == Reason::kNone) {
      rw.update(s);
      m.seen.insert(s);
      if (m.seen.size() > 4 * std::size_t(w) + 1024) m.seen.erase(m.seen.begin());  // far left: irrelevant
    }
    ASSERT_EQ(rw.top(), m.top());
  }
}

class ReplaySizes : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(ReplaySizes, RandomStreamMatchesModel) {
  const std::uint32_t w = GetParam();
  run(w, 1, 3 * std::uint64_t(w), 20000, w, false);
}

TEST_P(ReplaySizes, EsnWrapAcross2To32MatchesModel) {
  const std::uint32_t w = GetParam();
  run(w, 0xffffffffull - 2 * w - 100, 3 * std::uint64_t(w), 20000, w + 1, true);
}

TEST_P(ReplaySizes, DuplicateAndOldAreRejected) {
  const std::uint32_t w = GetParam();
  ReplayWindow rw(w, false);
  for (std::uint64_t s = 1; s <= 3 * std::uint64_t(w); s += 2) rw.update(s);
  const std::uint64_t top = 3 * std::uint64_t(w) - 1;
  EXPECT_EQ(rw.top(), top);
  EXPECT_EQ(rw.check(top), Reason::kReplay);
  EXPECT_EQ(rw.check(top - 1), Reason::kNone);  // even: never seen, inside the window
  EXPECT_EQ(rw.check(top - w + 1), (top - w + 1) % 2 ? Reason::kReplay : Reason::kNone);
  EXPECT_EQ(rw.check(top - w), Reason::kReplayOld);
  EXPECT_EQ(rw.check(top + 1), Reason::kNone);
  EXPECT_EQ(rw.check(0), Reason::kReplayOld);
}

INSTANTIATE_TEST_SUITE_P(Windows, ReplaySizes, ::testing::Values(32u, 64u, 1024u, 4096u, 65536u));

TEST(Replay, JumpFarAheadClearsTheWholeWindow) {
  ReplayWindow rw(64, false);
  for (std::uint64_t s = 1; s <= 64; ++s) rw.update(s);
  rw.update(64 + 10000);
  for (std::uint64_t s = 10064 - 63; s < 10064; ++s) EXPECT_EQ(rw.check(s), Reason::kNone) << s;
}

TEST(Replay, EsnInferenceCasesOfAppendixA) {
  ReplayWindow rw(32, true);
  rw.update(0x500000010ull);  // Th = 5, Tl = 16 < W - 1: case B
  EXPECT_EQ(rw.infer(0xfffffff8u), 0x4fffffff8ull);  // left of the wrap, in the window
  EXPECT_EQ(rw.infer(0x20u), 0x500000020ull);
  ReplayWindow a(32, true);
  a.update(0x500001000ull);  // case A
  EXPECT_EQ(a.infer(0x00000ff0u), 0x500000ff0ull);
  EXPECT_EQ(a.infer(0x00000010u), 0x600000010ull);  // below the window: next sub-space
}

TEST(Replay, DisabledWindowAcceptsRepeatsButTracksTop) {
  ReplayWindow rw(0, true);
  rw.update(7);
  rw.update(7);
  EXPECT_EQ(rw.check(7), Reason::kNone);
  EXPECT_EQ(rw.top(), 7u);
  rw.update(0x100000010ull);
  EXPECT_EQ(rw.infer(5), 0x100000005ull);            // reordered: same 2^32 block
  EXPECT_EQ(rw.infer(0x80000020u), 0x080000020ull);  // more than 2^31 behind: previous block
  EXPECT_EQ(rw.infer(0x20u), 0x100000020ull);
}

TEST(Replay, TooLargeWindowIsAnError) {
  EXPECT_THROW(ReplayWindow(ReplayWindow::kMaxSize + 1, false), aipsec::Error);
}

}  // namespace
