// Driver of the Verilated aipsec_inbound: frames in on s_axis / s_host with
// random gaps, frames out of m_axis / m_host under random back-pressure,
// counter and drop events recorded, SA and inbound flow entries written on
// their commit ports.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <random>
#include <vector>

#include "Vaipsec_inbound.h"
#include "aipsec/card_regs.hpp"
#include "verilated.h"

namespace inb {

using Bytes = std::vector<std::uint8_t>;
constexpr unsigned kKeep = INBOUND_DATA_W / 8;

struct Frame {
  Bytes bytes;
  std::uint64_t tuser = 0;
};

struct SaCount {
  unsigned index;
  unsigned bytes;
};

class Dut {
 public:
  explicit Dut(std::uint32_t seed) : rng_(seed) {
    top_.clk = 0;
    top_.rst = 1;
    top_.ctrl_control = 1;
    top_.ctrl_settings = 0;
    for (int i = 0; i < 4; ++i) tick();
    top_.rst = 0;
    tick();
  }

  // Probabilities (percent) of an input gap and of a not-ready output cycle.
  void set_stress(unsigned gap_pct, unsigned stall_pct) {
    gap_pct_ = gap_pct;
    stall_pct_ = stall_pct;
  }
  void set_control(std::uint32_t c) { top_.ctrl_control = c; }
  void set_settings(std::uint32_t s) { top_.ctrl_settings = s; }

  void write_sa(unsigned index, const aipsec::card::SaContext& e) {
    const auto w = e.pack();
    for (unsigned i = 0; i < w.size(); ++i) top_.s_sa_wr_entry[i] = w[i];
    top_.s_sa_wr_index = index;
    top_.s_sa_wr_valid = 1;
    do {
      top_.eval();
      const bool done = top_.s_sa_wr_ready;
      tick();
      if (done) break;
    } while (true);
    top_.s_sa_wr_valid = 0;
  }

  void write_flow(unsigned index, const aipsec::card::FlowEntry& e) {
    const auto w = e.pack();
    for (unsigned i = 0; i < w.size(); ++i) top_.s_flow_wr_entry[i] = w[i];
    top_.s_flow_wr_index = index;
    top_.s_flow_wr_valid = 1;
    do {
      top_.eval();
      const bool done = top_.s_flow_wr_ready;
      tick();
      if (done) break;
    } while (true);
    top_.s_flow_wr_valid = 0;
  }

  // Frames go in in the order sent, each on its port (s_axis or s_host), so
  // the expected outputs have one order.
  void send(const Bytes& b, bool from_host) { in_.push_back({b, from_host}); }

  bool idle() const { return in_.empty(); }

  // Runs until every queued frame went in and nothing came out for quiet cycles.
  std::uint64_t run(std::uint64_t quiet = 3000, std::uint64_t limit = 50000000) {
    std::uint64_t since = 0, n = 0, stuck = 0;
    while (n < limit) {
      const std::size_t before = outputs();
      const std::uint64_t beats = in_beats_;
      step();
      ++n;
      const bool moved = outputs() != before || in_beats_ != beats;
      since = (moved || !idle()) ? 0 : since + 1;
      stuck = moved ? 0 : stuck + 1;
      if (since >= quiet) break;
      if (stuck >= 200000) {
        std::fprintf(stderr, "inbound bench: no progress for %llu cycles (%zu plain, %zu host, %zu drops out)\n",
                     (unsigned long long)stuck, out_axis.size(), out_host.size(), drops.size());
        stalled = true;
        break;
      }
    }
    return n;
  }

  void step() {
    const bool host = !in_.empty() && in_.front().second;
    drive_input(top_.s_axis_tdata, !host, true);
    drive_input(top_.s_host_tdata, host, false);
    top_.m_axis_tready = roll(stall_pct_) ? 0 : 1;
    top_.m_host_tready = roll(stall_pct_) ? 0 : 1;
    top_.eval();
    const bool a_take = top_.s_axis_tvalid && top_.s_axis_tready;
    const bool h_take = top_.s_host_tvalid && top_.s_host_tready;
    if (a_take || h_take) {
      in_beats_++;
      last_in_cycle = cycles;
      // What the DUT took, beat by beat, must be the frame sent.
      const std::uint64_t keep = a_take ? top_.s_axis_tkeep : top_.s_host_tkeep;
      for (unsigned j = 0; j < kKeep; ++j) {
        if (!((keep >> j) & 1)) continue;
        const auto w = a_take ? top_.s_axis_tdata[j / 4] : top_.s_host_tdata[j / 4];
        taken_.push_back(std::uint8_t(w >> (8 * (j % 4))));
      }
      if (a_take ? top_.s_axis_tlast : top_.s_host_tlast) {
        if (taken_ != in_.front().first) input_mismatch = true;
        taken_.clear();
      }
    }
    collect(top_.m_axis_tvalid && top_.m_axis_tready, top_.m_axis_tdata, top_.m_axis_tkeep,
            top_.m_axis_tlast, top_.m_axis_tuser, cur_axis_, out_axis);
    collect(top_.m_host_tvalid && top_.m_host_tready, top_.m_host_tdata, top_.m_host_tkeep,
            top_.m_host_tlast, top_.m_host_tuser, cur_host_, out_host);
    if (top_.m_axis_tvalid && top_.m_axis_tready) {
      out_beats_++;
      last_out_cycle = cycles;
    }
    if (top_.m_drop_valid) drops.push_back(top_.m_drop_reason);
    if (top_.m_sa_cnt_valid) sa_counts.push_back({top_.m_sa_cnt_index, top_.m_sa_cnt_bytes});
    advance(a_take || h_take);
    tick();
    ++cycles;
  }

  std::vector<Frame> out_axis, out_host;
  std::vector<unsigned> drops;
  std::vector<SaCount> sa_counts;
  std::uint64_t cycles = 0, in_beats_ = 0, out_beats_ = 0;
  std::uint64_t first_out_cycle = 0, last_in_cycle = 0, last_out_cycle = 0;

 private:
  std::size_t outputs() const { return out_axis.size() + out_host.size() + drops.size(); }
  bool roll(unsigned pct) { return pct && std::uniform_int_distribution<unsigned>(0, 99)(rng_) < pct; }

  void tick() {
    top_.clk = 1;
    top_.eval();
    top_.clk = 0;
    top_.eval();
  }

  template <typename W>
  void drive_input(W& tdata, bool mine, bool axis) {
    bool valid = false;
    if (mine && !in_.empty()) {
      // A gap only before a beat is offered: an offered beat stays valid until taken.
      if (busy_ || !roll(gap_pct_)) busy_ = true;
      valid = busy_;
    }
    const Bytes* b = (mine && !in_.empty()) ? &in_.front().first : nullptr;
    const std::size_t off = off_;
    std::uint64_t keep = 0;
    for (unsigned w = 0; w < kKeep / 4; ++w) {
      std::uint32_t v = 0;
      for (unsigned j = 0; j < 4; ++j) {
        const std::size_t i = off + 4 * w + j;
        if (b && i < b->size()) v |= std::uint32_t((*b)[i]) << (8 * j);
      }
      tdata[w] = v;
    }
    bool last = false;
    if (b) {
      for (unsigned j = 0; j < kKeep; ++j)
        if (off + j < b->size()) keep |= std::uint64_t(1) << j;
      last = off + kKeep >= b->size();
    }
    if (axis) {
      top_.s_axis_tkeep = keep;
      top_.s_axis_tlast = last;
      top_.s_axis_tuser = 0;
      top_.s_axis_tvalid = valid;
    } else {
      top_.s_host_tkeep = keep;
      top_.s_host_tlast = last;
      top_.s_host_tuser = 0;
      top_.s_host_tvalid = valid;
    }
  }

  void advance(bool take) {
    if (!take) return;
    busy_ = false;
    off_ += kKeep;
    if (off_ >= in_.front().first.size()) {
      in_.pop_front();
      off_ = 0;
    }
  }

  template <typename W>
  void collect(bool take, const W& tdata, std::uint64_t keep, bool last, std::uint64_t tuser, Frame& cur,
               std::vector<Frame>& out) {
    if (!take) return;
    if (!first_out_cycle) first_out_cycle = cycles;
    if (cur.bytes.empty()) cur.tuser = tuser;
    for (unsigned j = 0; j < kKeep; ++j) {
      if (!((keep >> j) & 1)) continue;
      cur.bytes.push_back(std::uint8_t(tdata[j / 4] >> (8 * (j % 4))));
    }
    if (cur.tuser != tuser) tuser_changed = true;
    if (last) {
      out.push_back(cur);
      cur = Frame{};
    }
  }

 public:
  bool tuser_changed = false;
  bool stalled = false;
  bool input_mismatch = false;

 private:
  Vaipsec_inbound top_;
  std::mt19937 rng_;
  unsigned gap_pct_ = 0, stall_pct_ = 0;
  std::deque<std::pair<Bytes, bool>> in_;
  bool busy_ = false;
  std::size_t off_ = 0;
  Bytes taken_;
  Frame cur_axis_, cur_host_;
};

}  // namespace inb
