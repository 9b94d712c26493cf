#include "aipsec/replay.hpp"

#include <string>

#include "aipsec/common.hpp"

namespace aipsec {

ReplayWindow::ReplayWindow(std::uint32_t size, bool esn) : size_(size), esn_(esn) {
  if (size > kMaxSize)
    throw Error("replay window of " + std::to_string(size) + " packets exceeds the maximum of " +
                std::to_string(kMaxSize));
  if (size > 0) {
    words_.assign((std::uint64_t(size) + 63) / 64 + 1, 0);
    ring_bits_ = words_.size() * 64;
  }
}

std::uint64_t infer_esn_seq(std::uint64_t top, std::uint32_t window, std::uint32_t seq_lo) {
  // A disabled window still needs a width to place seq_lo: half the 32-bit
  // space, so reordered packets stay in their 2^32 block.
  const std::uint64_t w = window ? window : 0x80000000u;
  const std::uint32_t th = std::uint32_t(top >> 32);
  const std::uint32_t tl = std::uint32_t(top);
  const std::uint32_t bottom = std::uint32_t(tl - (w - 1));  // mod 2^32
  std::uint64_t seq_hi;
  if (tl >= w - 1) {
    // Case A: the window lies within one 2^32 sub-space.
    seq_hi = seq_lo >= bottom ? th : std::uint64_t(th) + 1;
  } else {
    // Case B: the window spans two sub-spaces.
    if (seq_lo >= bottom) {
      if (th == 0) return 0;  // would precede sequence number 1: reported as too old
      seq_hi = th - 1;
    } else {
      seq_hi = th;
    }
  }
  if (seq_hi > 0xffffffffu) return 0;  // beyond 2^64: never valid
  return seq_hi << 32 | seq_lo;
}

bool ReplayWindow::bit(std::uint64_t seq) const {
  const std::uint64_t b = seq % ring_bits_;
  return (words_[b / 64] >> (b % 64)) & 1;
}

// check() has handled seq 0, a disabled window and seq ahead of the window.
Reason ReplayWindow::check_window(std::uint64_t seq) const {
  if (top_ - seq >= size_) return Reason::kReplayOld;
  return bit(seq) ? Reason::kReplay : Reason::kNone;
}

// update() has handled a disabled window.
void ReplayWindow::update_window(std::uint64_t seq) {
  if (seq > top_) {
    // Clear the ring words that the window slides over (at most all of them).
    const std::uint64_t nwords = words_.size();
    const std::uint64_t old_word = top_ / 64, new_word = seq / 64;
    std::uint64_t diff = new_word - old_word;
    if (diff > nwords) diff = nwords;
    for (std::uint64_t i = 1; i <= diff; ++i) words_[(old_word + i) % nwords] = 0;
    top_ = seq;
  }
  const std::uint64_t b = seq % ring_bits_;
  words_[b / 64] |= std::uint64_t(1) << (b % 64);
}

}  // namespace aipsec
