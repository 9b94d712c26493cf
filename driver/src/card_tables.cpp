#include "aipsec/card_tables.hpp"

#include <string>

#include <openssl/crypto.h>

namespace aipsec::card {
namespace {

// A commit is taken by the data path between two packets: a few hundred
// cycles at most. Polls beyond this mean the data path is stuck.
constexpr int kCommitPolls = 10000;

template <typename Entry, typename Window>
void write_entry(RegisterTransport& bus, std::uint32_t base, std::uint32_t index, const Entry& e,
                 std::uint32_t table_size, const char* what) {
  if (index >= table_size) {
    throw Error(std::string(what) + " index " + std::to_string(index) + " beyond the table (" +
                std::to_string(table_size) + " entries)");
  }
  auto rel = [&](std::uint32_t spec_address) { return base + (spec_address - Window::kBase); };
  int polls = 0;
  while (Window::kWindowStatusBusy.get(bus.read32(rel(Window::kWindowStatus))) != 0) {
    if (++polls == kCommitPolls) throw Error(std::string(what) + " window: previous commit never taken");
  }
  auto words = e.pack();
  for (std::size_t i = 0; i < words.size(); ++i) {
    bus.write32(rel(Window::kData) + static_cast<std::uint32_t>(4 * i), words[i]);
  }
  // The packed copy holds key material: wipe it before it goes out of scope.
  OPENSSL_cleanse(words.data(), sizeof words);
  bus.write32(rel(Window::kIndex), index);
  bus.write32(rel(Window::kCommit), 1);
}

struct SaWindow {
  static constexpr std::uint32_t kBase = sa_window::kBase;
  static constexpr std::uint32_t kWindowStatus = sa_window::kWindowStatus;
  static constexpr Field kWindowStatusBusy = sa_window::kWindowStatusBusy;
  static constexpr std::uint32_t kData = sa_window::kData;
  static constexpr std::uint32_t kIndex = sa_window::kIndex;
  static constexpr std::uint32_t kCommit = sa_window::kCommit;
};

struct FlowWindow {
  static constexpr std::uint32_t kBase = flow_window::kBase;
  static constexpr std::uint32_t kWindowStatus = flow_window::kWindowStatus;
  static constexpr Field kWindowStatusBusy = flow_window::kWindowStatusBusy;
  static constexpr std::uint32_t kData = flow_window::kData;
  static constexpr std::uint32_t kIndex = flow_window::kIndex;
  static constexpr std::uint32_t kCommit = flow_window::kCommit;
};

}  // namespace

void write_sa_context(RegisterTransport& bus, const CardInfo& card, std::uint32_t index,
                      const SaContext& sa) {
  const std::uint32_t base = card.require(sa_window::kType, sa_window::kVersion, "sa_window");
  write_entry<SaContext, SaWindow>(bus, base, index, sa, card.caps.sa_count, "SA");
}

void write_flow_entry(RegisterTransport& bus, const CardInfo& card, std::uint32_t index,
                      const FlowEntry& flow) {
  const std::uint32_t base = card.require(flow_window::kType, flow_window::kVersion, "flow_window");
  write_entry<FlowEntry, FlowWindow>(bus, base, index, flow, card.caps.flow_count, "flow");
}

SaCounters read_sa_counters(RegisterTransport& bus, const CardInfo& card, std::uint32_t index) {
  const std::uint32_t base = card.require(sa_counters::kType, sa_counters::kVersion, "sa_counters");
  auto rel = [&](std::uint32_t a) { return base + (a - sa_counters::kBase); };
  if (index >= card.caps.sa_count) throw Error("SA counter index beyond the table");
  // The write is answered only once the snapshot is in place.
  bus.write32(rel(sa_counters::kSnapshotIndex), index);
  SaCounters c;
  c.packets = bus.read32(rel(sa_counters::kPacketsLo)) |
              (std::uint64_t{bus.read32(rel(sa_counters::kPacketsHi))} << 32);
  c.bytes = bus.read32(rel(sa_counters::kBytesLo)) |
            (std::uint64_t{bus.read32(rel(sa_counters::kBytesHi))} << 32);
  return c;
}

std::uint64_t read_drop_counter(RegisterTransport& bus, const CardInfo& card, std::uint8_t code) {
  const std::uint32_t base = card.require(drop_counters::kType, drop_counters::kVersion, "drop_counters");
  if (code >= card.caps.reason_count) throw Error("reason code beyond the card's counters");
  const std::uint32_t lo = base + (drop_counters::kFirstCounter - drop_counters::kBase) +
                           drop_counters::kStride * code;
  // Reading the low word latches the high word: the two halves are one value.
  const std::uint32_t low = bus.read32(lo);
  return low | (std::uint64_t{bus.read32(lo + 4)} << 32);
}

}  // namespace aipsec::card
