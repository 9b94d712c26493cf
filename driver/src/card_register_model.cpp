#include "aipsec/card_register_model.hpp"

#include <cstdio>
#include <string>

namespace aipsec::card {
namespace {

std::string hex(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

template <std::size_t N>
bool in_data(std::uint32_t address, std::uint32_t first, std::size_t& word) {
  if (address < first || address >= first + 4 * N) return false;
  word = (address - first) / 4;
  return true;
}

}  // namespace

CardRegisterModel::CardRegisterModel(const Params& params)
    : params_(params), sa_counters_(params.sa_count), drops_(kCardReasonCount) {
  for (const auto& r : kRegisters) {
    by_address_[r.address] = &r;
    if (r.access == Access::kRw) rw_values_[r.address] = r.value & r.writable;
  }
}

void CardRegisterModel::count_sa_packet(std::uint32_t index, std::uint32_t bytes) {
  sa_counters_.at(index).packets += 1;
  sa_counters_.at(index).bytes += bytes;
}

void CardRegisterModel::count_drop(std::uint8_t code, std::uint64_t n) { drops_.at(code) += n; }

std::uint32_t CardRegisterModel::read_register(const RegisterInfo& r) const {
  switch (r.source) {
    case ValueSource::kConstant:
    case ValueSource::kReasons:
    case ValueSource::kLayout:
      return r.access == Access::kRw ? rw_values_.at(r.address) : r.value;
    case ValueSource::kParam:
      if (r.address == id::kBuildDate) return params_.build_date;
      if (r.address == id::kGitHash) return params_.git_hash;
      if (r.address == id::kDataWidth) return params_.data_width;
      if (r.address == id::kSaCount) return params_.sa_count;
      if (r.address == id::kFlowCount) return params_.flow_count;
      throw BusError("register model: no parameter for " + std::string(r.name));
    case ValueSource::kHardware:
      break;
  }
  if (r.address == sa_counters::kPacketsLo) return static_cast<std::uint32_t>(snapshot_.packets);
  if (r.address == sa_counters::kPacketsHi) return static_cast<std::uint32_t>(snapshot_.packets >> 32);
  if (r.address == sa_counters::kBytesLo) return static_cast<std::uint32_t>(snapshot_.bytes);
  if (r.address == sa_counters::kBytesHi) return static_cast<std::uint32_t>(snapshot_.bytes >> 32);
  // Status, window status (commits are taken at once: never busy), commit
  // commands and the ring producer indexes of an idle card all read 0.
  return 0;
}

bool CardRegisterModel::special_read(std::uint32_t address, std::uint32_t& value) {
  std::size_t word = 0;
  if (in_data<SaContext::kWords>(address, sa_window::kData, word) ||
      in_data<FlowEntry::kWords>(address, flow_window::kData, word)) {
    value = 0;  // write-only
    return true;
  }
  const std::uint32_t first = drop_counters::kFirstCounter;
  if (address >= first && address < first + drop_counters::kStride * kCardReasonCount) {
    const std::uint64_t v = drops_[(address - first) / drop_counters::kStride];
    if ((address - first) % drop_counters::kStride == 0) {
      drop_high_latch_ = static_cast<std::uint32_t>(v >> 32);
      value = static_cast<std::uint32_t>(v);
    } else {
      value = drop_high_latch_;
    }
    return true;
  }
  return false;
}

std::uint32_t CardRegisterModel::read32(std::uint32_t address) {
  if (auto o = overrides_.find(address); o != overrides_.end()) return o->second;
  if (address % 4 != 0) throw BusError("register model: misaligned read at " + hex(address));
  std::uint32_t value = 0;
  if (special_read(address, value)) return value;
  auto it = by_address_.find(address);
  if (it == by_address_.end()) throw BusError("register model: unmapped read at " + hex(address));
  return read_register(*it->second);
}

bool CardRegisterModel::window_write(std::uint32_t address, std::uint32_t value) {
  std::size_t word = 0;
  if (in_data<SaContext::kWords>(address, sa_window::kData, word)) {
    sa_shadow_[word] = value;
    return true;
  }
  if (in_data<FlowEntry::kWords>(address, flow_window::kData, word)) {
    flow_shadow_[word] = value;
    return true;
  }
  return false;
}

void CardRegisterModel::write_register(const RegisterInfo& r, std::uint32_t value) {
  if (r.address == sa_window::kIndex || r.address == sa_counters::kSnapshotIndex) {
    if (value >= params_.sa_count) throw BusError("register model: SA index out of range");
  }
  if (r.address == flow_window::kIndex && value >= params_.flow_count) {
    throw BusError("register model: flow index out of range");
  }
  if (r.access == Access::kRw) rw_values_[r.address] = value & r.writable;
  if (r.address == sa_counters::kSnapshotIndex) snapshot_ = sa_counters_[value];
  if (r.address == sa_window::kCommit && (value & 1u)) {
    committed_sa_[rw_values_.at(sa_window::kIndex)] = sa_shadow_;
    sa_shadow_ = {};
  }
  if (r.address == flow_window::kCommit && (value & 1u)) {
    committed_flow_[rw_values_.at(flow_window::kIndex)] = flow_shadow_;
    flow_shadow_ = {};
  }
}

void CardRegisterModel::write32(std::uint32_t address, std::uint32_t value) {
  if (address % 4 != 0) throw BusError("register model: misaligned write at " + hex(address));
  if (window_write(address, value)) return;
  auto it = by_address_.find(address);
  if (it == by_address_.end()) throw BusError("register model: unmapped write at " + hex(address));
  const RegisterInfo& r = *it->second;
  if (r.access == Access::kRo) throw BusError("register model: write to read-only " + std::string(r.name));
  write_register(r, value);
}

}  // namespace aipsec::card
