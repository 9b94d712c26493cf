// IP header bookkeeping after a header is inserted or removed.
#include "xform_internal.hpp"

namespace aipsec::xform {

std::uint32_t ones_sum(const std::uint8_t* p, std::size_t n, std::uint32_t sum) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += std::uint32_t(p[i]) << 8 | p[i + 1];
  if (n & 1) sum += std::uint32_t(p[n - 1]) << 8;
  return sum;
}

std::uint16_t ones_fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return std::uint16_t(sum);
}

void ipv4_set_checksum(std::uint8_t* ip) {
  const std::size_t ihl = std::size_t(ip[0] & 0x0f) * 4;
  store_be16(ip + 10, 0);
  store_be16(ip + 10, std::uint16_t(~ones_fold(ones_sum(ip, ihl, 0))));
}

Reason fix_ip_lengths(Packet& p, int version) {
  std::uint8_t* ip = p.data();
  if (version == 4) {
    if (p.size() > 0xffff) return Reason::kTooBig;
    store_be16(ip + 2, std::uint16_t(p.size()));
    ipv4_set_checksum(ip);
  } else {
    if (p.size() > 0xffff) return Reason::kTooBig;  // total_len is 16 bits (no jumbograms)
    store_be16(ip + 4, std::uint16_t(p.size() - 40));
  }
  return Reason::kNone;
}

std::optional<std::size_t> next_header_field(ByteView pkt, int version, std::size_t off) {
  if (version == 4) return std::size_t(9);
  std::size_t field = 6;
  bool ok = walk_ipv6_ext(pkt, off, [&](std::size_t hdr, std::uint8_t) {
    field = hdr;
    return true;
  });
  if (!ok) return std::nullopt;
  return field;
}

}  // namespace aipsec::xform
