// Internet checksum (RFC 1071) and the IPv4 header / transport checksums.
#include <array>

#include "aipsec/packet.hpp"

namespace aipsec {
namespace {

std::uint32_t sum16(ByteView v, std::uint32_t acc) {
  std::uint64_t s = acc;
  std::size_t i = 0;
  for (; i + 1 < v.size(); i += 2) s += load_be16(v.data() + i);
  if (i < v.size()) s += std::uint32_t(v[i]) << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return std::uint32_t(s);
}

// Where the checksum field sits in the upper-layer header, and whether the
// pseudo-header is part of the sum (ICMPv4 has none).
struct L4Checksum {
  std::size_t field_off = 0;
  bool pseudo_header = true;
};

std::optional<L4Checksum> l4_checksum_layout(const IpInfo& info) {
  switch (info.ulproto) {
    case ipproto::kTcp:
      return L4Checksum{16, true};
    case ipproto::kUdp:
      return L4Checksum{6, true};
    case ipproto::kIcmpv6:
      return info.version == 6 ? std::optional<L4Checksum>(L4Checksum{2, true}) : std::nullopt;
    case ipproto::kIcmp:
      return info.version == 4 ? std::optional<L4Checksum>(L4Checksum{2, false}) : std::nullopt;
    default:
      return std::nullopt;
  }
}

// RFC 8200 8.1: the pseudo-header uses the final destination, which differs from
// the header's destination while a routing header still has segments left.
bool ipv6_has_pending_routing(ByteView dgram, const IpInfo& info) {
  std::size_t off = kIpv6HeaderLen;
  std::uint8_t nh = dgram[6];
  while (off < info.l4_off) {
    if (nh == ipproto::kRouting && dgram[off + 3] != 0) return true;
    const std::size_t elen = nh == ipproto::kFragment ? 8 : (std::size_t(dgram[off + 1]) + 1) * 8;
    nh = dgram[off];
    off += elen;
  }
  return false;
}

std::uint32_t pseudo_header_sum(ByteView dgram, const IpInfo& info, std::size_t l4_len) {
  std::uint32_t s = 0;
  if (info.version == 4) {
    s = sum16(dgram.subspan(12, 8), 0);
    s = sum16(std::array<std::uint8_t, 4>{0, info.ulproto, std::uint8_t(l4_len >> 8), std::uint8_t(l4_len)}, s);
  } else {
    s = sum16(dgram.subspan(8, 32), 0);
    const std::array<std::uint8_t, 8> tail{std::uint8_t(l4_len >> 24), std::uint8_t(l4_len >> 16),
                                           std::uint8_t(l4_len >> 8),  std::uint8_t(l4_len),
                                           0, 0, 0, info.ulproto};
    s = sum16(tail, s);
  }
  return s;
}

}  // namespace

std::uint16_t inet_checksum(ByteView v, std::uint32_t initial) {
  return std::uint16_t(~sum16(v, initial) & 0xffff);
}

void ipv4_update_checksum(std::uint8_t* ip_hdr) {
  const std::size_t hlen = std::size_t(ip_hdr[0] & 0x0f) * 4;
  ip_hdr[10] = ip_hdr[11] = 0;
  store_be16(ip_hdr + 10, inet_checksum({ip_hdr, hlen}));
}

// Refuses fragments (the checksum covers the whole datagram) and IPv6 packets
// whose routing header is not yet exhausted.
bool l4_update_checksum(MutByteView ip_packet) {
  const ParseResult r = parse_ip(ip_packet, false);
  if (!r.info || r.info->is_fragment) return false;
  const IpInfo& info = *r.info;
  const auto layout = l4_checksum_layout(info);
  if (!layout) return false;
  const ByteView dgram = ByteView(ip_packet).first(info.total_len);
  const std::size_t l4_len = info.total_len - info.l4_off;
  if (l4_len < layout->field_off + 2) return false;
  if (info.version == 6 && ipv6_has_pending_routing(dgram, info)) return false;

  std::uint8_t* field = ip_packet.data() + info.l4_off + layout->field_off;
  field[0] = field[1] = 0;
  const std::uint32_t initial = layout->pseudo_header ? pseudo_header_sum(dgram, info, l4_len) : 0;
  std::uint16_t c = inet_checksum(dgram.subspan(info.l4_off, l4_len), initial);
  // RFC 768: a computed UDP checksum of zero is sent as all ones (zero means "none").
  if (info.ulproto == ipproto::kUdp && c == 0) c = 0xffff;
  store_be16(field, c);
  return true;
}

}  // namespace aipsec
