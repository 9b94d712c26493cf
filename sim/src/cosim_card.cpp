// CosimCard over the Verilated aipsec_card. Built once per data width: the
// build names the model's header and class (AIPSEC_COSIM_HEADER,
// AIPSEC_COSIM_ROOT_HEADER, AIPSEC_COSIM_MODEL).
#include "aipsec/cosim_card.hpp"

#include <array>
#include <deque>
#include <random>
#include <type_traits>

#include <verilated.h>

// The generated model headers use anonymous structs (a GNU extension).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include AIPSEC_COSIM_HEADER
#include AIPSEC_COSIM_ROOT_HEADER
#pragma GCC diagnostic pop

namespace aipsec::cosim {
namespace {

using Model = AIPSEC_COSIM_MODEL;

// Ports wider than 64 bits are VlWide arrays of 32-bit words, narrower ones integers.
template <typename T>
void put_word(T& port, unsigned i, std::uint32_t w) {
  if constexpr (std::is_integral_v<T>) {
    auto v = static_cast<std::uint64_t>(port);
    v &= ~(std::uint64_t{0xffffffffu} << (32 * i));
    v |= std::uint64_t{w} << (32 * i);
    port = static_cast<T>(v);
  } else {
    port[i] = w;
  }
}

template <typename T>
std::uint32_t get_word(const T& port, unsigned i) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(port) >> (32 * i));
  } else {
    return port[i];
  }
}

struct InFrame {
  Bytes data;
  std::uint64_t tuser;
};

struct InQueue {
  std::deque<InFrame> frames;
  std::size_t off = 0;  // bytes of the front frame already taken
};

struct OutQueue {
  Bytes partial;
  std::uint64_t tuser = 0;
  bool mid = false;
  std::deque<Frame> frames;
};

class ModelCard final : public CosimCard {
 public:
  explicit ModelCard(const CosimOptions& o) : opt_(o), rng_(o.seed) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->randReset(0);
    top_ = std::make_unique<Model>(ctx_.get());
    top_->rst = 1;
    for (int i = 0; i < 8; ++i) cycle();
    top_->rst = 0;
    // The counter RAMs and the paths' tables are swept after reset.
    run(2u * (kSaCount > kFlowCount ? kSaCount : kFlowCount) + 256u);
  }
  ~ModelCard() override { top_->final(); }

  unsigned data_width() const override { return kDataW; }
  unsigned sa_count() const override { return kSaCount; }
  unsigned flow_count() const override { return kFlowCount; }

  std::uint32_t read32(std::uint32_t address) override {
    top_->s_axil_araddr = address;
    ar_pending_ = true;
    r_done_ = false;
    wait_for([&] { return r_done_; }, "read");
    if (r_resp_ != 0) throw card::BusError("card answered SLVERR to a read of " + hex(address));
    return r_data_;
  }

  void write32(std::uint32_t address, std::uint32_t value) override {
    top_->s_axil_awaddr = address;
    top_->s_axil_wdata = value;
    top_->s_axil_wstrb = 0xf;
    aw_pending_ = w_pending_ = true;
    b_done_ = false;
    wait_for([&] { return b_done_; }, "write");
    if (b_resp_ != 0) throw card::BusError("card answered SLVERR to a write of " + hex(address));
  }

  void push(Port in, ByteView frame, const card::PacketMeta& meta) override {
    if (frame.empty()) throw Error("cosim: an empty frame cannot be sent");
    const auto w = meta.pack();
    in_[index(in)].frames.push_back({Bytes(frame.begin(), frame.end()),
                                     std::uint64_t{w[0]} | (std::uint64_t{w[1]} << 32)});
  }

  void run(std::uint64_t cycles) override {
    for (std::uint64_t i = 0; i < cycles; ++i) cycle();
  }

  bool inputs_drained() const override {
    for (const auto& q : in_)
      if (!q.frames.empty()) return false;
    return true;
  }

  std::optional<Frame> pop(Port out) override {
    auto& q = out_[index(out)].frames;
    if (q.empty()) return std::nullopt;
    Frame f = std::move(q.front());
    q.pop_front();
    return f;
  }

  std::vector<std::uint8_t> take_drop_events() override {
    std::vector<std::uint8_t> r;
    r.swap(drops_);
    return r;
  }

  std::uint64_t cycles() const override { return cycles_; }

 private:
  static constexpr unsigned kDataW = AIPSEC_COSIM_DATA_W;
  static constexpr unsigned kKeepW = kDataW / 8;
  static constexpr unsigned kSaCount = AIPSEC_COSIM_SA_COUNT;
  static constexpr unsigned kFlowCount = AIPSEC_COSIM_FLOW_COUNT;
  static constexpr std::uint64_t kBusTimeout = 100000;

  static std::size_t index(Port p) { return static_cast<std::size_t>(p); }
  static std::string hex(std::uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%04x", v);
    return b;
  }

  bool chance(unsigned percent) {
    return percent >= 100 || std::uniform_int_distribution<unsigned>(0, 99)(rng_) < percent;
  }

  template <typename Done>
  void wait_for(Done done, const char* what) {
    for (std::uint64_t i = 0; i < kBusTimeout && !done(); ++i) cycle();
    if (!done()) throw card::BusError(std::string("card did not answer an AXI4-Lite ") + what);
  }

  template <typename D, typename K, typename U>
  void drive_in(InQueue& q, D& tdata, K& tkeep, CData& tlast, U& tuser, CData& tvalid) {
    tvalid = 0;
    if (q.frames.empty() || !chance(opt_.in_valid_percent)) return;
    const InFrame& f = q.frames.front();
    const std::size_t n = std::min<std::size_t>(kKeepW, f.data.size() - q.off);
    std::array<std::uint32_t, kKeepW / 4> words{};
    for (std::size_t i = 0; i < n; ++i) words[i / 4] |= std::uint32_t{f.data[q.off + i]} << (8 * (i % 4));
    for (unsigned i = 0; i < kKeepW / 4; ++i) put_word(tdata, i, words[i]);
    std::uint64_t keep = n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
    tkeep = static_cast<K>(keep);
    tlast = q.off + n >= f.data.size();
    tuser = static_cast<U>(f.tuser);
    tvalid = 1;
  }

  static void advance_in(InQueue& q, bool taken) {
    if (!taken) return;
    q.off += kKeepW;
    if (q.off >= q.frames.front().data.size()) {
      q.frames.pop_front();
      q.off = 0;
    }
  }

  template <typename D, typename K>
  static void take_out(OutQueue& q, const D& tdata, const K& tkeep, bool tlast, std::uint64_t tuser) {
    if (!q.mid) {
      q.tuser = tuser;
      q.mid = true;
    }
    const auto keep = static_cast<std::uint64_t>(tkeep);
    for (unsigned i = 0; i < kKeepW; ++i) {
      if (!((keep >> i) & 1u)) continue;
      q.partial.push_back(static_cast<std::uint8_t>(get_word(tdata, i / 4) >> (8 * (i % 4))));
    }
    if (!tlast) return;
    Frame f;
    f.data = std::move(q.partial);
    f.meta = card::PacketMeta::unpack({static_cast<std::uint32_t>(q.tuser),
                                       static_cast<std::uint32_t>(q.tuser >> 32)});
    q.frames.push_back(std::move(f));
    q.partial.clear();
    q.mid = false;
  }

  void cycle() {
    Model& t = *top_;
    t.clk = 0;
    drive_in(in_[0], t.s_plain_tdata, t.s_plain_tkeep, t.s_plain_tlast, t.s_plain_tuser, t.s_plain_tvalid);
    drive_in(in_[1], t.s_prot_tdata, t.s_prot_tkeep, t.s_prot_tlast, t.s_prot_tuser, t.s_prot_tvalid);
    drive_in(in_[2], t.s_host_tdata, t.s_host_tkeep, t.s_host_tlast, t.s_host_tuser, t.s_host_tvalid);
    t.m_plain_tready = chance(opt_.out_ready_percent);
    t.m_prot_tready = chance(opt_.out_ready_percent);
    t.m_host_tready = chance(opt_.out_ready_percent);
    t.s_axil_awvalid = aw_pending_;
    t.s_axil_wvalid = w_pending_;
    t.s_axil_bready = 1;
    t.s_axil_arvalid = ar_pending_;
    t.s_axil_rready = 1;
    t.eval();

    advance_in(in_[0], t.s_plain_tvalid && t.s_plain_tready);
    advance_in(in_[1], t.s_prot_tvalid && t.s_prot_tready);
    advance_in(in_[2], t.s_host_tvalid && t.s_host_tready);
    if (t.m_plain_tvalid && t.m_plain_tready)
      take_out(out_[0], t.m_plain_tdata, t.m_plain_tkeep, t.m_plain_tlast, t.m_plain_tuser);
    if (t.m_prot_tvalid && t.m_prot_tready)
      take_out(out_[1], t.m_prot_tdata, t.m_prot_tkeep, t.m_prot_tlast, t.m_prot_tuser);
    if (t.m_host_tvalid && t.m_host_tready)
      take_out(out_[2], t.m_host_tdata, t.m_host_tkeep, t.m_host_tlast, t.m_host_tuser);
    if (t.s_axil_awvalid && t.s_axil_awready) aw_pending_ = false;
    if (t.s_axil_wvalid && t.s_axil_wready) w_pending_ = false;
    if (t.s_axil_bvalid) {
      b_done_ = true;
      b_resp_ = t.s_axil_bresp;
    }
    if (t.s_axil_arvalid && t.s_axil_arready) ar_pending_ = false;
    if (t.s_axil_rvalid) {
      r_done_ = true;
      r_resp_ = t.s_axil_rresp;
      r_data_ = t.s_axil_rdata;
    }
    if (t.rootp->aipsec_card__DOT__drop_valid) drops_.push_back(t.rootp->aipsec_card__DOT__drop_reason);

    t.clk = 1;
    t.eval();
    ++cycles_;
  }

  CosimOptions opt_;
  std::mt19937 rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> top_;
  std::array<InQueue, kPortCount> in_;
  std::array<OutQueue, kPortCount> out_;
  std::vector<std::uint8_t> drops_;
  std::uint64_t cycles_ = 0;
  bool aw_pending_ = false, w_pending_ = false, b_done_ = false, ar_pending_ = false, r_done_ = false;
  std::uint8_t b_resp_ = 0, r_resp_ = 0;
  std::uint32_t r_data_ = 0;
};

}  // namespace

std::unique_ptr<CosimCard> make_cosim_card(const CosimOptions& options) {
  return std::make_unique<ModelCard>(options);
}

}  // namespace aipsec::cosim
