// Verilator bench of aipsec_byte_packer: random byte ranges of random beats
// under random input gaps and output back-pressure. The oracle is the plain
// concatenation of the selected bytes of each packet; output beats must be
// full except the last, whose keep is contiguous from byte 0. A second phase
// with no gaps and no back-pressure checks the rate: one input beat per cycle,
// plus exactly one extra cycle per last beat that completes two output beats.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <random>
#include <vector>

#include "Vaipsec_byte_packer.h"
#include "vl_bits.hpp"

namespace {

constexpr std::size_t kKeepW = PACKER_DATA_W / 8;

struct InBeat {
  std::vector<std::uint8_t> data;  // kKeepW bytes
  unsigned off = 0;
  unsigned cnt = 0;
  bool last = false;
};

class Bench {
 public:
  explicit Bench(std::uint32_t seed) : rng_(seed) {}

  void reset() {
    top_.s_valid = 0;
    top_.m_ready = 0;
    top_.rst = 1;
    for (int i = 0; i < 4; ++i) tick();
    top_.rst = 0;
    tick();
  }

  // A packet as input beats; returns its expected bytes.
  std::vector<std::uint8_t> make_packet(std::vector<InBeat>& beats) {
    std::vector<std::uint8_t> expect;
    const unsigned shape = rng_() % 8;
    const unsigned n = shape == 0 ? 1 : 1 + rng_() % (shape == 1 ? 40 : 8);
    for (unsigned b = 0; b < n; ++b) {
      InBeat in;
      in.data.resize(kKeepW);
      for (auto& x : in.data) x = static_cast<std::uint8_t>(rng_());
      const unsigned kind = rng_() % 6;
      if (kind == 0) {
        in.off = 0;
        in.cnt = kKeepW;  // whole beat
      } else if (kind == 1) {
        in.off = rng_() % kKeepW;
        in.cnt = 0;
      } else {
        in.off = rng_() % kKeepW;
        in.cnt = rng_() % (kKeepW - in.off + 1);
      }
      if (shape == 0) in.cnt = 0;  // empty packet
      in.last = b + 1 == n;
      for (unsigned i = 0; i < in.cnt; ++i) expect.push_back(in.data[in.off + i]);
      beats.push_back(std::move(in));
    }
    return expect;
  }

  // Random traffic: every output packet equals the concatenation.
  void run_random(unsigned packets, unsigned valid_pct, unsigned ready_pct) {
    std::deque<InBeat> in;
    for (unsigned p = 0; p < packets; ++p) {
      std::vector<InBeat> beats;
      expected_.push_back(make_packet(beats));
      for (auto& b : beats) in.push_back(std::move(b));
    }
    std::size_t guard = 0;
    bool driving = false;
    while ((!in.empty() || !expected_.empty()) && ++guard < 2000000) {
      if (!driving && !in.empty() && rng_() % 100 < valid_pct) driving = true;
      drive(driving ? &in.front() : nullptr);
      top_.m_ready = rng_() % 100 < ready_pct;
      top_.eval();
      if (driving && top_.s_ready) {
        in.pop_front();
        driving = false;
      }
      sample_output();
      tick();
    }
    CHECK(in.empty() && expected_.empty(), "stalled with %zu input beats, %zu packets left",
          in.size(), expected_.size());
  }

  // Full rate: cycles taken == beats + last beats that produce two outputs.
  void run_rate(unsigned packets) {
    std::deque<InBeat> in;
    std::size_t extra = 0;
    bool tail_stall = false;  // the very last beat's stall comes after the last input
    for (unsigned p = 0; p < packets; ++p) {
      std::vector<InBeat> beats;
      expected_.push_back(make_packet(beats));
      std::size_t residue = 0;
      for (auto& b : beats) {
        const std::size_t total = residue + b.cnt;
        tail_stall = b.last && total > kKeepW;
        if (tail_stall) ++extra;
        residue = b.last ? 0 : total % kKeepW;
        in.push_back(std::move(b));
      }
    }
    const std::size_t beats = in.size();
    if (tail_stall) --extra;
    std::size_t cycles = 0;
    top_.m_ready = 1;
    while (!in.empty() && cycles < 10 * beats + 100) {
      drive(&in.front());
      top_.eval();
      if (top_.s_ready) in.pop_front();
      sample_output();
      tick();
      ++cycles;
    }
    drive(nullptr);
    for (int i = 0; i < 8; ++i) {
      top_.eval();
      sample_output();
      tick();
    }
    CHECK(cycles == beats + extra, "rate: %zu cycles for %zu beats, %zu expected stalls", cycles,
          beats, extra);
    CHECK(expected_.empty(), "rate: %zu packets not seen", expected_.size());
  }

  std::size_t packets_seen() const { return packets_seen_; }

 private:
  void tick() {
    top_.clk = 0;
    top_.eval();
    top_.clk = 1;
    top_.eval();
    top_.clk = 0;
  }

  void drive(const InBeat* b) {
    top_.s_valid = b != nullptr;
    if (!b) return;
    for (std::size_t i = 0; i < kKeepW; ++i) vlbits::set_byte(top_.s_data, i, b->data[i]);
    top_.s_off = b->off;
    top_.s_cnt = b->cnt;
    top_.s_last = b->last;
  }

  void sample_output() {
    if (!(top_.m_valid && top_.m_ready)) return;
    std::size_t n = 0;
    while (n < kKeepW && vlbits::get_bit(top_.m_keep, n)) ++n;
    for (std::size_t i = n; i < kKeepW; ++i) {
      CHECK(!vlbits::get_bit(top_.m_keep, i), "keep not contiguous");
    }
    CHECK(top_.m_last || n == kKeepW, "partial beat without last (%zu bytes)", n);
    for (std::size_t i = 0; i < n; ++i) current_.push_back(vlbits::get_byte(top_.m_data, i));
    if (!top_.m_last) return;
    ++packets_seen_;
    if (expected_.empty()) {
      CHECK(false, "unexpected packet of %zu bytes", current_.size());
    } else {
      CHECK(current_ == expected_.front(), "packet %zu: %zu bytes, expected %zu", packets_seen_,
            current_.size(), expected_.front().size());
      expected_.pop_front();
    }
    current_.clear();
  }

  Vaipsec_byte_packer top_;
  std::mt19937 rng_;
  std::deque<std::vector<std::uint8_t>> expected_;
  std::vector<std::uint8_t> current_;
  std::size_t packets_seen_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Verilated::randReset(2);  // state not reset starts random
  const unsigned packets = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 2000;
  const std::uint32_t seed = argc > 2 ? static_cast<std::uint32_t>(std::atoi(argv[2])) : 1;
  Bench bench(seed);
  bench.reset();
  bench.run_random(packets, 70, 60);
  bench.run_random(packets / 4, 100, 30);
  bench.run_random(packets / 4, 20, 100);
  bench.run_rate(packets / 2);
  std::printf("byte_packer w%d: %zu packets, %d failures\n", PACKER_DATA_W, bench.packets_seen(),
              g_failures);
  return g_failures == 0 ? 0 : 1;
}
