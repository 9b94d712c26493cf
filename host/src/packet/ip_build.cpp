// Fresh outer IP headers for tunnel mode, and length fields after a resize.
#include <cstring>

#include "aipsec/packet.hpp"

namespace aipsec {

void build_ipv4_header(std::uint8_t* p, const Ipv4HeaderFields& f) {
  p[0] = 0x45;
  p[1] = f.tos;
  store_be16(p + 2, f.total_len);
  store_be16(p + 4, f.id);
  store_be16(p + 6, f.df ? 0x4000 : 0);
  p[8] = f.ttl;
  p[9] = f.proto;
  std::memcpy(p + 12, f.src.b.data(), 4);
  std::memcpy(p + 16, f.dst.b.data(), 4);
  ipv4_update_checksum(p);
}

void build_ipv6_header(std::uint8_t* p, const Ipv6HeaderFields& f) {
  store_be32(p, 6u << 28 | std::uint32_t(f.traffic_class) << 20 | (f.flow_label & 0xfffff));
  store_be16(p + 4, f.payload_len);
  p[6] = f.next_header;
  p[7] = f.hop_limit;
  std::memcpy(p + 8, f.src.b.data(), 16);
  std::memcpy(p + 24, f.dst.b.data(), 16);
}

void ipv4_set_total_length(std::uint8_t* ip_hdr, std::uint16_t total_len) {
  store_be16(ip_hdr + 2, total_len);
  ipv4_update_checksum(ip_hdr);
}

void ipv6_set_payload_length(std::uint8_t* ip_hdr, std::uint16_t payload_len) {
  store_be16(ip_hdr + 4, payload_len);
}

bool ip_set_length_from_size(MutByteView ip_packet) {
  if (ip_packet.empty() || ip_packet.size() > 0xffff) return false;
  const int version = ip_packet[0] >> 4;
  if (version == 4 && ip_packet.size() >= kIpv4HeaderLen &&
      ip_packet.size() >= std::size_t(ip_packet[0] & 0x0f) * 4) {
    ipv4_set_total_length(ip_packet.data(), std::uint16_t(ip_packet.size()));
    return true;
  }
  if (version == 6 && ip_packet.size() >= kIpv6HeaderLen) {
    ipv6_set_payload_length(ip_packet.data(), std::uint16_t(ip_packet.size() - kIpv6HeaderLen));
    return true;
  }
  return false;
}

}  // namespace aipsec
