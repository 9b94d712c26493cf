// Verilator bench of aipsec_frame_ingress: random frames (1 byte to beyond
// MAX_FRAME_BYTES) under random input gaps, descriptor and frame back-pressure.
// The oracle is the input itself: each descriptor carries the first beat's
// tuser, the byte count and the first HDR_BYTES bytes (zero past the end), and
// the frame's beats come out unchanged; a frame over MAX_FRAME_BYTES gives
// frame_len 0 and only its first MAX_FRAME_BYTES bytes, the last beat with tlast.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <random>
#include <vector>

#include "Vaipsec_frame_ingress.h"
#include "vl_bits.hpp"

namespace {

constexpr std::size_t kKeepW = INGRESS_DATA_W / 8;
constexpr std::size_t kHdrBytes = 128;
constexpr std::size_t kMaxFrame = 9216;
// frame_desc_t: {tuser[63:0], frame_len[15:0], hdr[HDR_BYTES*8-1:0]}
constexpr std::size_t kLenLsb = kHdrBytes * 8;
constexpr std::size_t kTuserLsb = kLenLsb + 16;

struct Beat {
  std::vector<std::uint8_t> data;
  std::size_t bytes = 0;
  bool last = false;
  std::uint64_t tuser = 0;
};

struct Expected {
  std::uint64_t tuser = 0;
  std::size_t frame_len = 0;
  std::vector<std::uint8_t> hdr;  // kHdrBytes
  std::deque<Beat> beats;         // as they must come out
};

class Bench {
 public:
  explicit Bench(std::uint32_t seed) : rng_(seed) {}

  void reset() {
    top_.s_axis_tvalid = 0;
    top_.m_desc_ready = 0;
    top_.m_frame_tready = 0;
    top_.rst = 1;
    for (int i = 0; i < 4; ++i) tick();
    top_.rst = 0;
    tick();
  }

  std::size_t random_length() {
    switch (rng_() % 16) {
      case 0: return 1 + rng_() % 4;
      case 1: return kMaxFrame - kKeepW + rng_() % (2 * kKeepW + 1);  // around the limit
      case 2: return kMaxFrame + 1 + rng_() % 3000;                   // cut
      case 3: return kKeepW * (1 + rng_() % 8);                       // whole beats
      default: return 14 + rng_() % 600;
    }
  }

  void add_frame(std::size_t len, std::deque<Beat>& in) {
    std::vector<std::uint8_t> bytes(len);
    for (auto& x : bytes) x = static_cast<std::uint8_t>(rng_());
    Expected e;
    e.tuser = (static_cast<std::uint64_t>(rng_()) << 32) | rng_();
    e.hdr.assign(kHdrBytes, 0);
    for (std::size_t i = 0; i < kHdrBytes && i < len; ++i) e.hdr[i] = bytes[i];
    const std::size_t beats = len == 0 ? 1 : (len + kKeepW - 1) / kKeepW;
    const bool cut = len > kMaxFrame;
    e.frame_len = cut ? 0 : len;
    for (std::size_t b = 0; b < beats; ++b) {
      Beat beat;
      beat.data.assign(kKeepW, 0);
      beat.bytes = std::min(kKeepW, len - b * kKeepW);
      for (std::size_t i = 0; i < kKeepW; ++i) {
        beat.data[i] = i < beat.bytes ? bytes[b * kKeepW + i] : static_cast<std::uint8_t>(rng_());
      }
      beat.last = b + 1 == beats;
      beat.tuser = b == 0 ? e.tuser : (static_cast<std::uint64_t>(rng_()) << 32) | rng_();
      in.push_back(beat);
      if (!cut || (b + 1) * kKeepW <= kMaxFrame) {
        Beat out = beat;
        out.last = beat.last || (cut && (b + 1) * kKeepW == kMaxFrame);
        e.beats.push_back(out);
      }
    }
    expected_.push_back(std::move(e));
  }

  void run(unsigned frames, unsigned valid_pct, unsigned desc_pct, unsigned frame_pct) {
    std::deque<Beat> in;
    for (unsigned f = 0; f < frames; ++f) add_frame(random_length(), in);
    bool driving = false;
    std::size_t guard = 0;
    while ((!in.empty() || !expected_.empty()) && ++guard < 20000000) {
      if (!driving && !in.empty() && rng_() % 100 < valid_pct) driving = true;
      drive(driving ? &in.front() : nullptr);
      top_.m_desc_ready = !have_desc_ && rng_() % 100 < desc_pct;
      top_.m_frame_tready = have_desc_ && rng_() % 100 < frame_pct;
      top_.eval();
      if (driving && top_.s_axis_tready) {
        in.pop_front();
        driving = false;
      }
      check_outputs();
      tick();
    }
    CHECK(in.empty() && expected_.empty(), "stalled: %zu beats in, %zu frames left", in.size(),
          expected_.size());
  }

  std::size_t frames_seen() const { return frames_seen_; }

 private:
  void tick() {
    top_.clk = 0;
    top_.eval();
    top_.clk = 1;
    top_.eval();
    top_.clk = 0;
  }

  void drive(const Beat* b) {
    top_.s_axis_tvalid = b != nullptr;
    if (!b) return;
    for (std::size_t i = 0; i < kKeepW; ++i) {
      vlbits::set_byte(top_.s_axis_tdata, i, b->data[i]);
      vlbits::set_bit(top_.s_axis_tkeep, i, i < b->bytes);
    }
    top_.s_axis_tlast = b->last;
    top_.s_axis_tuser = b->tuser;
  }

  // The consumer: a descriptor, then exactly that frame's beats.
  void check_outputs() {
    if (!have_desc_) {
      // Store and forward: beats are readable only once their frame's descriptor is out.
      CHECK(!top_.m_frame_tvalid || top_.m_desc_valid, "frame beat with no descriptor");
      if (!(top_.m_desc_valid && top_.m_desc_ready)) return;
      if (expected_.empty()) {
        CHECK(false, "descriptor with no frame sent");
        return;
      }
      const Expected& e = expected_.front();
      const std::uint64_t tuser = vlbits::get_bits(top_.m_desc, kTuserLsb, 64);
      const std::size_t len = vlbits::get_bits(top_.m_desc, kLenLsb, 16);
      CHECK(tuser == e.tuser, "frame %zu tuser", frames_seen_);
      CHECK(len == e.frame_len, "frame %zu frame_len %zu, expected %zu", frames_seen_, len,
            e.frame_len);
      for (std::size_t i = 0; i < kHdrBytes; ++i) {
        CHECK(vlbits::get_byte(top_.m_desc, i) == e.hdr[i], "frame %zu hdr byte %zu",
              frames_seen_, i);
      }
      have_desc_ = true;
      return;
    }
    if (!(top_.m_frame_tvalid && top_.m_frame_tready)) return;
    Expected& e = expected_.front();
    if (e.beats.empty()) {
      CHECK(false, "frame %zu: extra beat", frames_seen_);
      return;
    }
    const Beat& want = e.beats.front();
    for (std::size_t i = 0; i < kKeepW; ++i) {
      CHECK(vlbits::get_bit(top_.m_frame_tkeep, i) == (i < want.bytes), "frame %zu keep",
            frames_seen_);
      if (i < want.bytes) {
        CHECK(vlbits::get_byte(top_.m_frame_tdata, i) == want.data[i], "frame %zu byte",
              frames_seen_);
      }
    }
    CHECK(static_cast<bool>(top_.m_frame_tlast) == want.last, "frame %zu tlast", frames_seen_);
    const bool last = want.last;
    e.beats.pop_front();
    if (last) {
      CHECK(e.beats.empty(), "frame %zu: tlast early", frames_seen_);
      expected_.pop_front();
      have_desc_ = false;
      ++frames_seen_;
    }
  }

  Vaipsec_frame_ingress top_;
  std::mt19937 rng_;
  std::deque<Expected> expected_;
  bool have_desc_ = false;
  std::size_t frames_seen_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Verilated::randReset(2);  // state not reset starts random
  const unsigned frames = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 400;
  const std::uint32_t seed = argc > 2 ? static_cast<std::uint32_t>(std::atoi(argv[2])) : 1;
  Bench bench(seed);
  bench.reset();
  bench.run(frames, 80, 50, 70);   // mixed
  bench.run(frames / 2, 100, 5, 100);  // slow descriptor side: descriptor queue fills
  bench.run(frames / 2, 100, 100, 8);  // slow frame side: beat FIFO fills
  bench.run(frames / 2, 100, 100, 100);
  std::printf("frame_ingress w%d: %zu frames, %d failures\n", INGRESS_DATA_W, bench.frames_seen(),
              g_failures);
  return g_failures == 0 ? 0 : 1;
}
