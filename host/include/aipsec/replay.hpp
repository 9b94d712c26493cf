// Anti-replay window for ESP and AH (RFC 4303 section 3.4.3, RFC 4302 section
// 3.4.3), with extended sequence numbers (RFC 4303 Appendix A).
//
// The bitmap is allocated once, when the SA is created: ceil(size/64) + 1 words,
// used as a ring indexed by the sequence number (the extra word lets the window
// slide a whole word at a time without shifting, as in RFC 6479). Memory is
// size/8 + 8 bytes of bitmap plus a few words of state.
//
// Use: infer() the 64-bit number from the 32 bits on the wire, check() before
// the ICV, update() only after the ICV verified (RFC 4303 3.4.3: the window must
// not move for a packet that fails authentication).
#pragma once

#include <cstdint>
#include <vector>

#include "aipsec/reason.hpp"

namespace aipsec {

// RFC 4303 A.2.2: the full sequence number of a packet carrying seq_lo, the
// high half guessed from a window of `window` packets (0: half the 32-bit
// space) whose highest number is top; 0 when no valid number fits. Also used
// to reproduce the card's inference (the driver).
std::uint64_t infer_esn_seq(std::uint64_t top, std::uint32_t window, std::uint32_t seq_lo);

class ReplayWindow {
 public:
  static constexpr std::uint32_t kMaxSize = 1u << 24;  // packets

  // size 0 disables the check (the highest number seen is still tracked, for ESN).
  // Throws Error if size > kMaxSize.
  ReplayWindow(std::uint32_t size, bool esn);

  std::uint32_t size() const { return size_; }
  bool esn() const { return esn_; }
  std::uint64_t top() const { return top_; }  // highest authenticated number (0 = none yet)

  // The full sequence number of a packet carrying seq_lo (RFC 4303 A.2.2: the
  // high half is guessed from the window position). Without ESN, seq_lo itself.
  std::uint64_t infer(std::uint32_t seq_lo) const { return esn_ ? infer_esn_seq(top_, size_, seq_lo) : seq_lo; }

  // kNone if seq may be accepted, kReplay if already seen, kReplayOld if left of
  // the window (or 0, which is never sent). Does not change the window.
  // The tests that need no bitmap are here, in line (a packet ahead of the
  // window, the common case, costs three compares); the bitmap is read out of line.
  Reason check(std::uint64_t seq) const {
    if (seq == 0) return Reason::kReplayOld;
    if (size_ == 0 || seq > top_) return Reason::kNone;
    return check_window(seq);
  }

  // Records seq as received (after its ICV verified), sliding the window if needed.
  void update(std::uint64_t seq) {
    if (size_ == 0) {
      if (seq > top_) top_ = seq;
      return;
    }
    update_window(seq);
  }

 private:
  bool bit(std::uint64_t seq) const;
  Reason check_window(std::uint64_t seq) const;
  void update_window(std::uint64_t seq);
  std::uint32_t size_;
  bool esn_;
  std::uint64_t top_ = 0;
  std::uint64_t ring_bits_ = 0;  // words_.size() * 64
  std::vector<std::uint64_t> words_;
};

}  // namespace aipsec
