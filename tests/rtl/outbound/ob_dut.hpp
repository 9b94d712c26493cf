// Drives the Verilated aipsec_outbound: two input streams with random gaps,
// two output streams with random back-pressure, the commit ports, and the
// counter event pulses.
#pragma once

#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include "Vaipsec_outbound.h"
#include "ob_frames.hpp"
#include "verilated.h"

namespace obtest {

constexpr unsigned kKeep = OB_DATA_W / 8;

struct Frame {
  Bytes bytes;
  std::uint64_t tuser = 0;
};

// One input stream: frames cut into beats.
struct InPort {
  std::deque<Frame> q;
  std::size_t pos = 0;     // byte offset of the current beat in q.front()
  bool holding = false;    // valid shown and not yet taken
};

struct OutPort {
  std::vector<Frame> frames;
  Bytes cur;
  std::uint64_t cur_user = 0;
};

template <typename W>
void put_data(W& w, const Bytes& f, std::size_t pos) {
  for (unsigned i = 0; i < kKeep / 4; ++i) {
    std::uint32_t v = 0;
    for (unsigned b = 0; b < 4; ++b) {
      const std::size_t at = pos + 4 * i + b;
      if (at < f.size()) v |= std::uint32_t(f[at]) << (8 * b);
    }
    w[i] = v;
  }
}

template <typename W>
std::uint8_t get_byte(const W& w, unsigned i) {
  return std::uint8_t(w[i / 4] >> (8 * (i % 4)));
}

class Dut {
 public:
  explicit Dut(std::uint64_t seed) : rng_(seed) {
    top_.clk = 0;
    top_.rst = 1;
    for (int i = 0; i < 4; ++i) tick();
    top_.rst = 0;
    tick();
  }

  Vaipsec_outbound& top() { return top_; }
  std::uint64_t cycles() const { return cycles_; }
  InPort plain, host;
  OutPort net, to_host;
  std::vector<std::pair<unsigned, unsigned>> sa_cnt;  // (index, bytes)
  std::vector<unsigned> drops;
  unsigned in_gap_pct = 0, out_stall_pct = 0;
  std::uint64_t in_beats = 0, out_beats = 0;
  // Cycle of the first and last beat taken / sent (net port), for the cycle bench.
  std::uint64_t t_first_in = ~std::uint64_t(0), t_last_in = 0;
  std::uint64_t t_first_out = ~std::uint64_t(0), t_last_out = 0;
  void reset_stamps() {
    t_first_in = t_first_out = ~std::uint64_t(0);
    t_last_in = t_last_out = 0;
    in_beats = out_beats = 0;
  }

  void settings(std::uint32_t control, std::uint32_t settings) {
    top_.ctrl_control = control;
    top_.ctrl_settings = settings;
  }

  template <std::size_t N>
  void commit_sa(unsigned index, const std::array<std::uint32_t, N>& words) {
    for (std::size_t i = 0; i < N; ++i) top_.s_sa_wr_entry[i] = words[i];
    top_.s_sa_wr_index = index;
    commit(top_.s_sa_wr_valid, top_.s_sa_wr_ready);
  }

  template <std::size_t N>
  void commit_flow(unsigned index, const std::array<std::uint32_t, N>& words) {
    for (std::size_t i = 0; i < N; ++i) top_.s_flow_wr_entry[i] = words[i];
    top_.s_flow_wr_index = index;
    commit(top_.s_flow_wr_valid, top_.s_flow_wr_ready);
  }

  bool inputs_empty() const { return plain.q.empty() && host.q.empty(); }

  // Runs until both inputs are sent and no output arrived for `quiet` cycles.
  void drain(unsigned quiet = 400) {
    unsigned idle = 0;
    while (idle < quiet) {
      const std::uint64_t before = out_beats + sa_cnt.size() + drops.size();
      tick();
      idle = (inputs_empty() && before == out_beats + sa_cnt.size() + drops.size()) ? idle + 1 : 0;
    }
  }

  void tick() {
    drive_in(plain, top_.s_axis_tvalid, top_.s_axis_tdata, top_.s_axis_tkeep, top_.s_axis_tlast,
             top_.s_axis_tuser);
    drive_in(host, top_.s_host_tvalid, top_.s_host_tdata, top_.s_host_tkeep, top_.s_host_tlast,
             top_.s_host_tuser);
    top_.m_axis_tready = pct() >= out_stall_pct;
    top_.m_host_tready = pct() >= out_stall_pct;
    top_.clk = 0;
    top_.eval();
    if (!top_.rst) sample();
    top_.clk = 1;
    top_.eval();
    ++cycles_;
  }

 private:
  unsigned pct() { return unsigned(rng_() % 100); }

  void commit(CData& valid, CData& ready) {
    valid = 1;
    for (int i = 0; i < 1000; ++i) {
      top_.clk = 0;
      top_.eval();
      const bool taken = ready;
      top_.clk = 1;
      top_.eval();
      ++cycles_;
      if (taken) break;
    }
    valid = 0;
  }

  template <typename W, typename K>
  void drive_in(InPort& p, CData& valid, W& data, K& keep, CData& last, QData& user) {
    if (p.q.empty()) {
      valid = 0;
      return;
    }
    if (!p.holding && pct() < in_gap_pct) {
      valid = 0;
      return;
    }
    const Frame& f = p.q.front();
    const std::size_t n = std::min<std::size_t>(kKeep, f.bytes.size() - p.pos);
    put_data(data, f.bytes, p.pos);
    keep = K(n >= 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << n) - 1);
    last = p.pos + n >= f.bytes.size();
    user = f.tuser;
    valid = 1;
    p.holding = true;
  }

  void advance(InPort& p) {
    p.holding = false;
    ++in_beats;
    t_first_in = std::min(t_first_in, cycles_);
    t_last_in = cycles_;
    p.pos += kKeep;
    if (p.pos >= p.q.front().bytes.size()) {
      p.q.pop_front();
      p.pos = 0;
    }
  }

  template <typename W, typename K>
  void collect(OutPort& o, const W& data, K keep, bool last, std::uint64_t user) {
    ++out_beats;
    if (o.cur.empty()) o.cur_user = user;
    for (unsigned i = 0; i < kKeep; ++i) {
      if ((std::uint64_t(keep) >> i) & 1) o.cur.push_back(get_byte(data, i));
    }
    if (last) {
      o.frames.push_back(Frame{o.cur, o.cur_user});
      o.cur.clear();
    }
  }

  void sample() {
    if (top_.s_axis_tvalid && top_.s_axis_tready) advance(plain);
    if (top_.s_host_tvalid && top_.s_host_tready) advance(host);
    if (top_.m_axis_tvalid && top_.m_axis_tready) {
      t_first_out = std::min(t_first_out, cycles_);
      t_last_out = cycles_;
    }
    if (top_.m_axis_tvalid && top_.m_axis_tready)
      collect(net, top_.m_axis_tdata, top_.m_axis_tkeep, top_.m_axis_tlast, top_.m_axis_tuser);
    if (top_.m_host_tvalid && top_.m_host_tready)
      collect(to_host, top_.m_host_tdata, top_.m_host_tkeep, top_.m_host_tlast, top_.m_host_tuser);
    if (top_.m_sa_cnt_valid) sa_cnt.emplace_back(top_.m_sa_cnt_index, top_.m_sa_cnt_bytes);
    if (top_.m_drop_valid) drops.push_back(top_.m_drop_reason);
  }

  Vaipsec_outbound top_;
  std::mt19937_64 rng_;
  std::uint64_t cycles_ = 0;
};

}  // namespace obtest
