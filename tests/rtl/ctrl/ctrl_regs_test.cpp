// Verilator bench of aipsec_ctrl_regs, driven through the generated register
// header and the driver (as the host will drive the card): discovery, the ID
// block against the spec, rw registers, bus errors, shadow + commit windows
// and counters, all under random AXI-Lite back-pressure and a data path that
// takes commits late.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <random>
#include <vector>

#include "Vaipsec_ctrl_regs.h"
#include "aipsec/card_discovery.hpp"
#include "aipsec/card_regs.hpp"
#include "aipsec/card_tables.hpp"
#include "axil_bfm.hpp"
#include "verilated.h"

namespace card = aipsec::card;

namespace {

int g_failures = 0;

#define CHECK(cond, ...)                                       \
  do {                                                         \
    if (!(cond)) {                                             \
      ++g_failures;                                            \
      std::fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                       \
      std::fprintf(stderr, "\n");                              \
    }                                                          \
  } while (0)

template <std::size_t N>
using Words = std::array<std::uint32_t, N>;

struct Commit {
  std::uint32_t index;
  std::vector<std::uint32_t> words;
};

// The data-path side of the register file: takes committed entries when it
// is ready (between packets), and produces counter events.
class Bench {
 public:
  Bench() : bfm(top, rng, [this] { tick(); }), bus(bfm) {}

  void reset() {
    // Inputs start random (randReset): drive every one to idle.
    top.s_axil_awvalid = top.s_axil_wvalid = top.s_axil_bready = 0;
    top.s_axil_arvalid = top.s_axil_rready = 0;
    top.s_axil_awprot = top.s_axil_arprot = 0;
    top.s_sa_cnt_valid = top.s_drop_valid = 0;
    top.q_event_tail = top.q_exception_tail = 0;
    top.rst = 1;
    for (int i = 0; i < 4; ++i) tick();
    top.rst = 0;
  }

  void tick() {
    top.m_sa_ready = ready_pct > 0 && pct() < ready_pct;
    top.m_flow_ready = ready_pct > 0 && pct() < ready_pct;
    drive_events();
    top.clk = 0;
    top.eval();
    watch(top.m_sa_valid, top.m_sa_ready, top.m_sa_index, top.m_sa_entry, card::SaContext::kWords, sa_prev,
          sa_commits);
    watch(top.m_flow_valid, top.m_flow_ready, top.m_flow_index, top.m_flow_entry, card::FlowEntry::kWords,
          flow_prev, flow_commits);
    top.clk = 1;
    top.eval();
    ++cycles;
  }

  void idle(int n) {
    for (int i = 0; i < n; ++i) tick();
  }

  int pct() { return std::uniform_int_distribution<int>(0, 99)(rng); }

  Vaipsec_ctrl_regs top;
  std::uint64_t cycles = 0;
  std::mt19937 rng{12345};
  rtl::AxilBfm<Vaipsec_ctrl_regs> bfm;
  rtl::BfmTransport<Vaipsec_ctrl_regs> bus;
  int ready_pct = 50;  // 0: the data path never takes a commit
  std::vector<Commit> sa_commits, flow_commits;
  // pending counter events and what they add up to
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sa_events;
  std::vector<std::uint8_t> drop_events;
  std::map<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>> sa_expect;
  std::map<std::uint8_t, std::uint64_t> drop_expect;

 private:
  struct Prev {
    bool waiting = false;
    std::uint32_t index = 0;
    std::vector<std::uint32_t> words;
  };

  template <typename Wide>
  void watch(bool valid, bool ready, std::uint32_t index, const Wide& data, unsigned n, Prev& prev,
             std::vector<Commit>& out) {
    std::vector<std::uint32_t> words(data.data(), data.data() + n);
    // An offered entry must not change until it is taken (valid/ready rule):
    // this is what makes the update atomic.
    if (valid && prev.waiting) {
      CHECK(words == prev.words && index == prev.index, "committed entry changed while offered");
    }
    if (valid && ready) out.push_back({index, words});
    prev = {valid && !ready, index, words};
  }

  void drive_events() {
    top.s_sa_cnt_valid = 0;
    top.s_drop_valid = 0;
    if (!sa_events.empty() && pct() < 70) {
      auto [idx, bytes] = sa_events.back();
      sa_events.pop_back();
      top.s_sa_cnt_valid = 1;
      top.s_sa_cnt_index = idx;
      top.s_sa_cnt_bytes = bytes;
      sa_expect[idx].first += 1;
      sa_expect[idx].second += bytes;
    }
    if (!drop_events.empty() && pct() < 70) {
      top.s_drop_valid = 1;
      top.s_drop_reason = drop_events.back();
      drop_expect[drop_events.back()] += 1;
      drop_events.pop_back();
    }
  }

  Prev sa_prev, flow_prev;
};

void test_discovery_and_id(Bench& b) {
  const card::CardInfo info = card::discover(b.bus);
  CHECK(info.blocks.size() == card::kBlocks.size(), "found %zu blocks", info.blocks.size());
  for (std::size_t i = 0; i < info.blocks.size() && i < card::kBlocks.size(); ++i) {
    CHECK(info.blocks[i].base == card::kBlocks[i].base && info.blocks[i].type == card::kBlocks[i].type &&
              info.blocks[i].version == card::kBlocks[i].version,
          "block %zu (%s) at 0x%x type 0x%08x version 0x%08x", i, std::string(card::kBlocks[i].name).c_str(),
          info.blocks[i].base, info.blocks[i].type, info.blocks[i].version);
  }
  // Every read-only register whose value the spec fixes reads that value.
  for (const auto& r : card::kRegisters) {
    if (r.access != card::Access::kRo || r.source == card::ValueSource::kHardware ||
        r.source == card::ValueSource::kParam) {
      continue;
    }
    const std::uint32_t v = b.bus.read32(r.address);
    CHECK(v == r.value, "%s.%s reads 0x%08x, spec 0x%08x", std::string(r.block).c_str(),
          std::string(r.name).c_str(), v, r.value);
  }
  CHECK(info.caps.build_date == AIPSEC_EXPECT_BUILD_DATE, "build date %u", info.caps.build_date);
  CHECK(info.caps.git_hash == AIPSEC_EXPECT_GIT_HASH, "git hash %08x", info.caps.git_hash);
  CHECK(info.caps.sa_count == SA_COUNT && info.caps.flow_count == FLOW_COUNT, "table sizes %u %u",
        info.caps.sa_count, info.caps.flow_count);
  CHECK(info.caps.data_width == DATA_W, "data width %u", info.caps.data_width);
  CHECK(info.caps.replay_window_max == 4096 && info.caps.aes_gcm_256 && info.caps.icv_8, "capabilities");
}

void test_rw_registers(Bench& b) {
  for (const auto& r : card::kRegisters) {
    if (r.access != card::Access::kRw || r.address == card::sa_window::kIndex ||
        r.address == card::flow_window::kIndex || r.address == card::sa_counters::kSnapshotIndex) {
      continue;  // indexes are checked with their tables
    }
    const std::string name = std::string(r.block) + "." + std::string(r.name);
    CHECK(b.bus.read32(r.address) == r.value, "%s reset value", name.c_str());
    b.bus.write32(r.address, 0xffffffffu);
    const std::uint32_t ones = b.bus.read32(r.address);
    CHECK(ones == r.writable, "%s keeps 0x%08x, spec 0x%08x", name.c_str(), ones, r.writable);
    b.bus.write32(r.address, 0x5a5a5a5au);
    CHECK(b.bus.read32(r.address) == (0x5a5a5a5au & r.writable), "%s pattern", name.c_str());
  }
  b.bus.write32(card::ctrl::kControl, card::ctrl::kControlEnable.put(1));
  b.tick();
  CHECK((b.top.ctrl_control & 1u) == 1u, "control.enable reaches the data path");
  b.top.q_event_tail = 0x1234;
  CHECK(b.bus.read32(card::queues::kEventTail) == 0x1234u, "event tail from the queue engine");
}

void test_bus_errors(Bench& b) {
  struct Case {
    std::uint32_t address;
    const char* what;
  };
  for (const Case& c : {Case{0x00fc, "unmapped in id"}, Case{0x3ffc, "beyond the last block"},
                        Case{0x0102, "misaligned"}, Case{0x0a00, "between blocks"},
                        Case{card::drop_counters::kFirstCounter + 8 * card::kCardReasonCount, "past the counters"},
                        Case{card::sa_window::kData + 4 * card::SaContext::kWords, "past the SA words"}}) {
    const rtl::AxilResult r = b.bfm.read(c.address);
    CHECK(r.resp == 2 && r.data == 0, "read %s (0x%04x): resp %u data 0x%x", c.what, c.address, r.resp, r.data);
  }
  CHECK(b.bfm.write(card::id::kBuildDate, 1).resp == 2, "write to read-only answers SLVERR");
  CHECK(b.bus.read32(card::id::kBuildDate) == AIPSEC_EXPECT_BUILD_DATE, "read-only unchanged");
  CHECK(b.bfm.write(0x3ffc, 1).resp == 2, "write to unmapped answers SLVERR");
  b.bus.write32(card::ctrl::kScratch, 0x11111111);
  CHECK(b.bfm.write(card::ctrl::kScratch, 0x22222222, 0x3).resp == 2, "partial strobe answers SLVERR");
  CHECK(b.bus.read32(card::ctrl::kScratch) == 0x11111111u, "partial strobe changes nothing");
  CHECK(b.bfm.write(card::sa_window::kIndex, SA_COUNT).resp == 2, "SA index beyond the table");
  CHECK(b.bfm.write(card::flow_window::kIndex, FLOW_COUNT).resp == 2, "flow index beyond the table");
  CHECK(b.bfm.write(card::sa_counters::kSnapshotIndex, SA_COUNT).resp == 2, "snapshot index beyond the table");
  const rtl::AxilResult key = b.bfm.read(card::sa_window::kData);
  CHECK(key.resp == 0 && key.data == 0, "window data is write-only");
}

void test_sa_window(Bench& b) {
  // The data path is busy: nothing may reach it before the commit.
  b.ready_pct = 0;
  const std::size_t before = b.sa_commits.size();
  Words<card::SaContext::kWords> words{};
  for (auto& w : words) w = static_cast<std::uint32_t>(b.rng());
  for (std::size_t i = 0; i < words.size(); ++i) b.bus.write32(card::sa_window::kData + 4 * i, words[i]);
  b.bus.write32(card::sa_window::kIndex, SA_COUNT - 1);
  b.idle(20);
  CHECK(b.sa_commits.size() == before && !b.top.m_sa_valid, "entry visible before commit");
  b.bus.write32(card::sa_window::kCommit, 1);
  CHECK(b.top.m_sa_valid, "commit offers the entry");
  CHECK(card::sa_window::kWindowStatusBusy.get(b.bus.read32(card::sa_window::kWindowStatus)) == 1, "busy");
  CHECK(card::ctrl::kStatusSaCommitBusy.get(b.bus.read32(card::ctrl::kStatus)) == 1, "status busy");
  CHECK(b.bfm.write(card::sa_window::kData, 0).resp == 2, "shadow frozen while busy");
  CHECK(b.bfm.write(card::sa_window::kIndex, 0).resp == 2, "index frozen while busy");
  CHECK(b.bfm.write(card::sa_window::kCommit, 1).resp == 2, "second commit refused while busy");
  b.ready_pct = 30;
  b.idle(50);
  CHECK(b.sa_commits.size() == before + 1, "exactly one commit (%zu)", b.sa_commits.size() - before);
  if (b.sa_commits.size() == before + 1) {
    const Commit& c = b.sa_commits.back();
    CHECK(c.index == SA_COUNT - 1, "commit index %u", c.index);
    CHECK(std::equal(words.begin(), words.end(), c.words.begin()), "committed words differ");
  }
  // The shadow is wiped once taken: a bare commit delivers zeros.
  b.bus.write32(card::sa_window::kCommit, 1);
  b.idle(50);
  CHECK(b.sa_commits.size() == before + 2 &&
            std::all_of(b.sa_commits.back().words.begin(), b.sa_commits.back().words.end(),
                        [](std::uint32_t w) { return w == 0; }),
        "shadow not wiped after commit");
}

void test_driver_programming(Bench& b, const card::CardInfo& info) {
  b.ready_pct = 20;
  for (int round = 0; round < 8; ++round) {
    card::SaContext sa;
    sa.valid = 1;
    sa.spi = static_cast<std::uint32_t>(b.rng());
    sa.seq = (std::uint64_t{b.rng()} << 32) | b.rng();
    for (auto& w : sa.enc_key) w = static_cast<std::uint32_t>(b.rng());
    const std::uint32_t index = b.rng() % SA_COUNT;
    const std::size_t before = b.sa_commits.size();
    card::write_sa_context(b.bus, info, index, sa);
    b.idle(40);
    const auto want = sa.pack();
    CHECK(b.sa_commits.size() == before + 1 && b.sa_commits.back().index == index &&
              std::equal(want.begin(), want.end(), b.sa_commits.back().words.begin()),
          "driver SA write round %d", round);
    card::FlowEntry f;
    f.valid = 1;
    f.action = card::FlowEntry::Action::kProtect;
    f.src_port = static_cast<std::uint16_t>(b.rng());
    f.dst_addr[3] = static_cast<std::uint32_t>(b.rng());
    f.sa_index0 = static_cast<std::uint16_t>(index);
    const std::uint32_t findex = b.rng() % FLOW_COUNT;
    const std::size_t fbefore = b.flow_commits.size();
    card::write_flow_entry(b.bus, info, findex, f);
    b.idle(40);
    const auto fwant = f.pack();
    CHECK(b.flow_commits.size() == fbefore + 1 && b.flow_commits.back().index == findex &&
              std::equal(fwant.begin(), fwant.end(), b.flow_commits.back().words.begin()),
          "driver flow write round %d", round);
  }
}

void test_counters(Bench& b, const card::CardInfo& info) {
  // Random SAs, with runs of the same SA back to back (the forwarding path).
  for (int i = 0; i < 600; ++i) {
    const std::uint32_t idx = (i % 50 < 25) ? 3 : b.rng() % SA_COUNT;
    b.sa_events.push_back({idx, 64 + b.rng() % 9000});
    b.drop_events.push_back(static_cast<std::uint8_t>(b.rng() % card::kCardReasonCount));
  }
  // Host reads while traffic is counted (values only compared once quiet).
  for (int i = 0; i < 10; ++i) (void)card::read_sa_counters(b.bus, info, 3);
  while (!b.sa_events.empty() || !b.drop_events.empty()) b.tick();
  b.idle(10);
  for (std::uint32_t idx = 0; idx < SA_COUNT; idx += (SA_COUNT > 128 ? 7 : 1)) {
    const card::SaCounters c = card::read_sa_counters(b.bus, info, idx);
    const auto want = b.sa_expect[idx];
    CHECK(c.packets == want.first && c.bytes == want.second, "SA %u counters %llu/%llu, want %llu/%llu", idx,
          static_cast<unsigned long long>(c.packets), static_cast<unsigned long long>(c.bytes),
          static_cast<unsigned long long>(want.first), static_cast<unsigned long long>(want.second));
  }
  CHECK(b.sa_expect[3].first > 200, "SA 3 saw back-to-back traffic");
  for (std::uint8_t code = 0; code < card::kCardReasonCount; ++code) {
    const std::uint64_t v = card::read_drop_counter(b.bus, info, code);
    CHECK(v == b.drop_expect[code], "drop counter %u = %llu, want %llu", code,
          static_cast<unsigned long long>(v), static_cast<unsigned long long>(b.drop_expect[code]));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Verilated::randReset(2);  // random initial state: the counter sweep must clear it
  Bench b;
  b.reset();
  try {
    test_discovery_and_id(b);
    test_rw_registers(b);
    test_bus_errors(b);
    test_sa_window(b);
    const card::CardInfo info = card::discover(b.bus);
    test_driver_programming(b, info);
    test_counters(b, info);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FAIL: exception: %s\n", e.what());
    ++g_failures;
  }
  std::printf("%llu cycles, %zu SA commits, %zu flow commits, %llu SA counter events\n",
              static_cast<unsigned long long>(b.cycles), b.sa_commits.size(), b.flow_commits.size(),
              static_cast<unsigned long long>(std::accumulate(
                  b.sa_expect.begin(), b.sa_expect.end(), std::uint64_t{0},
                  [](std::uint64_t a, const auto& kv) { return a + kv.second.first; })));
  std::printf("%s: %d failure(s)\n", g_failures ? "FAILED" : "PASSED", g_failures);
  return g_failures ? 1 : 0;
}
