// UDP encapsulation of ESP for NAT traversal (RFC 3948).
#include "aipsec/xform.hpp"
#include "xform_internal.hpp"

namespace aipsec {
namespace xform {

Reason natt_encap(const Sa& sa, Packet& p, Site& site) {
  const SaConfig& c = sa.config();
  std::uint8_t* u = p.insert(site.off, 8);
  if (!u) return Reason::kNoRoom;
  const std::size_t len = p.size() - site.off;
  if (len > 0xffff) return Reason::kTooBig;
  store_be16(u, c.natt_sport);
  store_be16(u + 2, c.natt_dport);
  store_be16(u + 4, std::uint16_t(len));
  store_be16(u + 6, 0);  // RFC 3948 2.1: IPv4 senders send a zero checksum
  std::uint8_t* ip = p.data();
  ip[site.nh_field_off] = ipproto::kUdp;
  if (site.version == 6) {  // RFC 8200 8.1: UDP over IPv6 needs a checksum
    std::uint32_t sum = ones_sum(ip + 8, 32, 0);
    sum += std::uint32_t(len >> 16) + std::uint32_t(len & 0xffff) + ipproto::kUdp;
    sum = ones_sum(u, len, sum);
    std::uint16_t ck = std::uint16_t(~ones_fold(sum));
    store_be16(u + 6, ck == 0 ? 0xffff : ck);
  }
  site.nh = ipproto::kUdp;
  return Reason::kNone;
}

}  // namespace xform

Reason natt_decapsulate(Packet& p, const IpInfo& info) {
  if (info.ulproto != ipproto::kUdp) return Reason::kBadNextHeader;
  const std::size_t off = info.l4_off;
  if (off + 8 > p.size()) return Reason::kTruncated;
  const std::size_t udp_len = load_be16(p.data() + off + 4);
  if (udp_len < 8 || off + udp_len > p.size()) return Reason::kTruncated;
  const std::uint8_t* payload = p.data() + off + 8;
  const std::size_t n = udp_len - 8;
  if (n == 1 && payload[0] == 0xff) return Reason::kNattKeepalive;  // RFC 3948 2.3
  if (n >= 4 && load_be32(payload) == 0) return Reason::kIkeMarker;   // RFC 3948 2.2
  if (n < 8) return Reason::kTruncated;  // shorter than an ESP header
  const auto field = xform::next_header_field(p.bytes(), info.version, off);
  if (!field) return Reason::kExtHdrLimit;
  p.trim_back(p.size() - off - udp_len);
  p.erase(off, 8);
  p.data()[*field] = ipproto::kEsp;
  return xform::fix_ip_lengths(p, info.version);
}

}  // namespace aipsec
