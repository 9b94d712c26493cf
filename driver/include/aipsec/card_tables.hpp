// Programming the card's tables through the shadow + commit windows, and
// reading its counters.
#pragma once

#include <cstdint>

#include "aipsec/card_discovery.hpp"
#include "aipsec/card_regs.hpp"

namespace aipsec::card {

// Writes every word of the entry into the window's shadow, sets the index and
// commits; the data path takes the entry whole. Waits (bounded) for a
// previous commit to be taken first; throws Error if it never is.
void write_sa_context(RegisterTransport& bus, const CardInfo& card, std::uint32_t index,
                      const SaContext& sa);
void write_flow_entry(RegisterTransport& bus, const CardInfo& card, std::uint32_t index,
                      const FlowEntry& flow);

struct SaCounters {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
};

// Packets and bytes of one SA, taken together in one snapshot.
SaCounters read_sa_counters(RegisterTransport& bus, const CardInfo& card, std::uint32_t index);

// The 64-bit counter of one card reason code.
std::uint64_t read_drop_counter(RegisterTransport& bus, const CardInfo& card, std::uint8_t code);

}  // namespace aipsec::card
