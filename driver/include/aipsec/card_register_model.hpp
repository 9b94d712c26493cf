// A software model of the card's register file, built from the generated
// register table (card::kRegisters): block headers, ID constants, rw storage
// with the spec's writable bits, the windows and the counters. It answers
// what the RTL answers with SLVERR by throwing BusError. Commits are taken at
// once and kept per index, so tests can see exactly what a commit delivered.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "aipsec/card_regs.hpp"
#include "aipsec/card_transport.hpp"

namespace aipsec::card {

class CardRegisterModel : public RegisterTransport {
 public:
  struct Params {
    std::uint32_t build_date = 0;
    std::uint32_t git_hash = 0;
    std::uint32_t sa_count = 1024;
    std::uint32_t flow_count = 4096;
    std::uint32_t data_width = 512;
  };

  explicit CardRegisterModel(const Params& params);

  std::uint32_t read32(std::uint32_t address) override;
  void write32(std::uint32_t address, std::uint32_t value) override;

  // Entries the windows delivered, by table index.
  const std::map<std::uint32_t, SaContext::Words>& committed_sa() const { return committed_sa_; }
  const std::map<std::uint32_t, FlowEntry::Words>& committed_flow() const { return committed_flow_; }

  // What the data path would count.
  void count_sa_packet(std::uint32_t index, std::uint32_t bytes);
  void count_drop(std::uint8_t code, std::uint64_t n = 1);

  // Replaces what a read of address returns (to model a broken or different card).
  void override_read(std::uint32_t address, std::uint32_t value) { overrides_[address] = value; }

 private:
  struct Counters {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
  };

  std::uint32_t read_register(const RegisterInfo& r) const;
  void write_register(const RegisterInfo& r, std::uint32_t value);
  bool window_write(std::uint32_t address, std::uint32_t value);
  bool special_read(std::uint32_t address, std::uint32_t& value);

  Params params_;
  std::unordered_map<std::uint32_t, const RegisterInfo*> by_address_;
  std::unordered_map<std::uint32_t, std::uint32_t> rw_values_;
  std::unordered_map<std::uint32_t, std::uint32_t> overrides_;
  SaContext::Words sa_shadow_{};
  FlowEntry::Words flow_shadow_{};
  std::map<std::uint32_t, SaContext::Words> committed_sa_;
  std::map<std::uint32_t, FlowEntry::Words> committed_flow_;
  std::vector<Counters> sa_counters_;
  Counters snapshot_;
  std::vector<std::uint64_t> drops_;
  std::uint32_t drop_high_latch_ = 0;
};

}  // namespace aipsec::card
