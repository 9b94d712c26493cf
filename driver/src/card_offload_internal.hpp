// Pieces of card_offload.cpp: SA context encoding and reading ESP headers out
// of frames.
#pragma once

#include <cstdint>
#include <optional>

#include "aipsec/card_discovery.hpp"
#include "aipsec/card_regs.hpp"
#include "aipsec/dataplane.hpp"

namespace aipsec::card::offload {

// A 128-bit address field of an entry (first byte on the wire most
// significant; IPv4 in the low 32 bits).
std::array<std::uint32_t, 4> address_words(const IpAddr& a);

// Why the card cannot serve an SA, or nullptr when it can (in the given mode).
const char* not_capable(const SaConfig& c, const Capabilities& caps, Mode mode);

// The seq an inbound entry of sa is written with (docs/hw/datapath.md, live
// state and replay memory). The card takes it as its highest accepted number,
// counts it as received and starts with an empty window, so numbers the host
// accepted below it would be accepted once more: once the host has accepted a
// packet (top > 0) and the SA has a replay window of W packets, the entry
// starts at top + W, where every number up to top is left of the card's
// window. nullopt when top + W passes the sequence space (2^32 - 1 without
// ESN): the SA cannot go on the card without reopening numbers the host took.
std::optional<std::uint64_t> inbound_start(const Sa& sa);

// The 64-bit number the card makes of seq_lo with the window (window packets)
// at top: RFC 4303 A.2.2 as ReplayWindow::infer; 0 when invalid. seq_lo
// itself without ESN.
std::uint64_t infer_seq(bool esn, std::uint32_t window, std::uint64_t top, std::uint32_t seq_lo);

// The SA context of a card-capable SA (valid set). Inbound: sel, when given,
// are the selectors checked after decapsulation; replay_base places the window;
// seq is inbound_start() (the host's top when that is nullopt: the caller
// does not place such an SA).
SaContext sa_context(const Sa& sa, Mode mode, bool inbound, const Selector* sel,
                     std::uint16_t replay_base);

// The first ESP header of a frame (after Ethernet, IPv4/IPv6, and UDP 4500 for NAT-T).
struct EspHeader {
  IpAddr src, dst;
  std::uint32_t spi = 0, seq = 0;
  std::size_t l3_off = 0;
  std::uint16_t ip_len = 0;   // the outer datagram's length
  std::uint16_t ipv4_id = 0;  // outer IPv4 identification (0 for IPv6)
};
std::optional<EspHeader> find_esp(ByteView frame);

}  // namespace aipsec::card::offload
