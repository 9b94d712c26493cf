// AXI4-Lite master bus-functional model for a Verilator model with s_axil_*
// ports, with random valid delays and random ready back-pressure, plus the
// RegisterTransport the driver uses on top of it.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <stdexcept>

#include "aipsec/card_transport.hpp"

namespace rtl {

struct AxilResult {
  std::uint32_t data = 0;
  std::uint8_t resp = 0;  // 0 OKAY, 2 SLVERR
};

template <typename Top>
class AxilBfm {
 public:
  // tick: one clock cycle of the whole bench (drives the data-path side too).
  AxilBfm(Top& top, std::mt19937& rng, std::function<void()> tick) : top_(top), rng_(rng), tick_(tick) {}

  AxilResult write(std::uint32_t address, std::uint32_t data, std::uint8_t strb = 0xf) {
    int aw_delay = delay(), w_delay = delay();
    bool aw_done = false, w_done = false;
    top_.s_axil_awaddr = address;
    top_.s_axil_wdata = data;
    top_.s_axil_wstrb = strb;
    for (int cycle = 0; cycle < kTimeout; ++cycle) {
      top_.s_axil_awvalid = !aw_done && aw_delay == 0;
      top_.s_axil_wvalid = !w_done && w_delay == 0;
      top_.s_axil_bready = coin();
      top_.clk = 0;
      top_.eval();
      const bool aw_hs = top_.s_axil_awvalid && top_.s_axil_awready;
      const bool w_hs = top_.s_axil_wvalid && top_.s_axil_wready;
      const bool b_hs = top_.s_axil_bvalid && top_.s_axil_bready;
      if (b_hs && !(aw_done && w_done)) throw std::runtime_error("B response before AW and W");
      AxilResult r{0, static_cast<std::uint8_t>(top_.s_axil_bresp)};
      tick_();
      aw_done = aw_done || aw_hs;
      w_done = w_done || w_hs;
      if (aw_delay > 0) --aw_delay;
      if (w_delay > 0) --w_delay;
      if (b_hs) {
        top_.s_axil_awvalid = 0;
        top_.s_axil_wvalid = 0;
        top_.s_axil_bready = 0;
        return r;
      }
    }
    throw std::runtime_error("AXI-Lite write timed out");
  }

  AxilResult read(std::uint32_t address) {
    int ar_delay = delay();
    bool ar_done = false;
    top_.s_axil_araddr = address;
    for (int cycle = 0; cycle < kTimeout; ++cycle) {
      top_.s_axil_arvalid = !ar_done && ar_delay == 0;
      top_.s_axil_rready = coin();
      top_.clk = 0;
      top_.eval();
      const bool ar_hs = top_.s_axil_arvalid && top_.s_axil_arready;
      const bool r_hs = top_.s_axil_rvalid && top_.s_axil_rready;
      if (r_hs && !ar_done) throw std::runtime_error("R response before AR");
      AxilResult r{static_cast<std::uint32_t>(top_.s_axil_rdata), static_cast<std::uint8_t>(top_.s_axil_rresp)};
      tick_();
      ar_done = ar_done || ar_hs;
      if (ar_delay > 0) --ar_delay;
      if (r_hs) {
        top_.s_axil_arvalid = 0;
        top_.s_axil_rready = 0;
        return r;
      }
    }
    throw std::runtime_error("AXI-Lite read timed out");
  }

 private:
  static constexpr int kTimeout = 100000;
  int delay() { return std::uniform_int_distribution<int>(0, 3)(rng_); }
  bool coin() { return std::uniform_int_distribution<int>(0, 2)(rng_) != 0; }

  Top& top_;
  std::mt19937& rng_;
  std::function<void()> tick_;
};

// The driver's view of the simulated card.
template <typename Top>
class BfmTransport : public aipsec::card::RegisterTransport {
 public:
  explicit BfmTransport(AxilBfm<Top>& bfm) : bfm_(bfm) {}
  std::uint32_t read32(std::uint32_t address) override {
    const AxilResult r = bfm_.read(address);
    if (r.resp != 0) throw aipsec::card::BusError("SLVERR on read");
    return r.data;
  }
  void write32(std::uint32_t address, std::uint32_t value) override {
    if (bfm_.write(address, value).resp != 0) throw aipsec::card::BusError("SLVERR on write");
  }

 private:
  AxilBfm<Top>& bfm_;
};

}  // namespace rtl
