// The card's hash-table placement (docs/hw/datapath.md, hashing): the bucket of
// a flow-table entry or an inbound SA, computed exactly as the data path does
// (aipsec_dp_pkg::crc32c over flow_key_bytes / sa_key_bytes). The host places
// an entry in a free way of its key's bucket: entries bucket*kWays ..
// bucket*kWays + kWays - 1.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "aipsec/card_regs.hpp"

namespace aipsec::card {

inline constexpr unsigned kWays = 4;          // entries per bucket (aipsec_dp_pkg::WAYS)
inline constexpr unsigned kFlowKeyBytes = 38;  // aipsec_dp_pkg::FLOW_KEY_BYTES
inline constexpr unsigned kSaKeyBytes = 22;    // aipsec_dp_pkg::SA_KEY_BYTES

// A 128-bit address as the tables hold it: word 0 is the least significant
// (the last four bytes on the wire; an IPv4 address is word 0, the rest zero).
using Address128 = std::array<std::uint32_t, 4>;

// CRC-32C (Castagnoli, RFC 3720 B.4: reflected, initial value and final xor 0xffffffff).
std::uint32_t crc32c(std::span<const std::uint8_t> bytes);

// The key byte strings of aipsec_dp_pkg (same order and byte order).
std::array<std::uint8_t, kFlowKeyBytes> flow_key_bytes(bool ipv6, std::uint8_t protocol,
                                                       std::uint16_t sport, std::uint16_t dport,
                                                       const Address128& src, const Address128& dst);
std::array<std::uint8_t, kSaKeyBytes> sa_key_bytes(std::uint32_t spi, std::uint8_t protocol, bool ipv6,
                                                   const Address128& dst);

// Buckets: crc32c(key) mod (entries / kWays). entries must be a positive
// multiple of kWays (the card's tables are powers of two); throws Error otherwise.
std::uint32_t flow_bucket(bool ipv6, std::uint8_t protocol, std::uint16_t sport, std::uint16_t dport,
                          const Address128& src, const Address128& dst, std::uint32_t flow_count);
std::uint32_t flow_bucket(const FlowEntry& entry, std::uint32_t flow_count);
std::uint32_t sa_bucket(std::uint32_t spi, std::uint8_t protocol, bool ipv6, const Address128& dst,
                        std::uint32_t sa_count);
// An inbound SA's key: spi, protocol (esp 50, ah 51), outer_ipv6, tunnel_dst.
std::uint32_t sa_bucket(const SaContext& sa, std::uint32_t sa_count);

}  // namespace aipsec::card
