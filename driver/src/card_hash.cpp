#include "aipsec/card_hash.hpp"

#include <string>

#include "aipsec/common.hpp"

namespace aipsec::card {
namespace {

constexpr std::uint32_t kCrc32cPoly = 0x82f63b78;  // reflected Castagnoli polynomial

// Address bytes in wire order: the most significant word and byte first.
void put_address(std::uint8_t* out, const Address128& a) {
  for (unsigned i = 0; i < 16; ++i) {
    const std::uint32_t word = a[3 - i / 4];
    out[i] = static_cast<std::uint8_t>(word >> (24 - 8 * (i % 4)));
  }
}

std::uint32_t buckets_of(std::uint32_t entries, const char* what) {
  if (entries == 0 || entries % kWays != 0) {
    throw Error(std::string(what) + " table of " + std::to_string(entries) +
                " entries: must be a positive multiple of " + std::to_string(kWays));
  }
  return entries / kWays;
}

}  // namespace

std::uint32_t crc32c(std::span<const std::uint8_t> bytes) {
  std::uint32_t c = 0xffffffff;
  for (std::uint8_t b : bytes) {
    c ^= b;
    for (int i = 0; i < 8; ++i) c = (c & 1) ? (c >> 1) ^ kCrc32cPoly : c >> 1;
  }
  return c ^ 0xffffffff;
}

std::array<std::uint8_t, kFlowKeyBytes> flow_key_bytes(bool ipv6, std::uint8_t protocol,
                                                       std::uint16_t sport, std::uint16_t dport,
                                                       const Address128& src, const Address128& dst) {
  std::array<std::uint8_t, kFlowKeyBytes> k{};
  k[0] = ipv6 ? 1 : 0;
  k[1] = protocol;
  k[2] = static_cast<std::uint8_t>(sport >> 8);
  k[3] = static_cast<std::uint8_t>(sport);
  k[4] = static_cast<std::uint8_t>(dport >> 8);
  k[5] = static_cast<std::uint8_t>(dport);
  put_address(k.data() + 6, src);
  put_address(k.data() + 22, dst);
  return k;
}

std::array<std::uint8_t, kSaKeyBytes> sa_key_bytes(std::uint32_t spi, std::uint8_t protocol, bool ipv6,
                                                   const Address128& dst) {
  std::array<std::uint8_t, kSaKeyBytes> k{};
  for (unsigned i = 0; i < 4; ++i) k[i] = static_cast<std::uint8_t>(spi >> (24 - 8 * i));
  k[4] = protocol;
  k[5] = ipv6 ? 1 : 0;
  put_address(k.data() + 6, dst);
  return k;
}

std::uint32_t flow_bucket(bool ipv6, std::uint8_t protocol, std::uint16_t sport, std::uint16_t dport,
                          const Address128& src, const Address128& dst, std::uint32_t flow_count) {
  const std::uint32_t buckets = buckets_of(flow_count, "flow");
  return crc32c(flow_key_bytes(ipv6, protocol, sport, dport, src, dst)) % buckets;
}

std::uint32_t flow_bucket(const FlowEntry& entry, std::uint32_t flow_count) {
  return flow_bucket(entry.ipv6 != 0, entry.protocol, entry.src_port, entry.dst_port, entry.src_addr,
                     entry.dst_addr, flow_count);
}

std::uint32_t sa_bucket(std::uint32_t spi, std::uint8_t protocol, bool ipv6, const Address128& dst,
                        std::uint32_t sa_count) {
  const std::uint32_t buckets = buckets_of(sa_count, "SA");
  return crc32c(sa_key_bytes(spi, protocol, ipv6, dst)) % buckets;
}

std::uint32_t sa_bucket(const SaContext& sa, std::uint32_t sa_count) {
  const std::uint8_t protocol = sa.protocol == SaContext::Protocol::kAh ? 51 : 50;
  return sa_bucket(sa.spi, protocol, sa.outer_ipv6 != 0, sa.tunnel_dst, sa_count);
}

}  // namespace aipsec::card
