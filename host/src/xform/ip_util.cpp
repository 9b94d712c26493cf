// IP header bookkeeping after a header is inserted or removed.
#include "xform_internal.hpp"

namespace aipsec::xform {

// Big-endian 32-bit words at a time: 2^16 = 1 modulo 0xffff, so a 32-bit word
// adds the same as its two 16-bit halves, in half the steps.
std::uint32_t ones_sum(const std::uint8_t* p, std::size_t n, std::uint32_t sum) {
  std::uint64_t s = sum;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) s += load_be32(p + i);
  if (i + 2 <= n) {
    s += load_be16(p + i);
    i += 2;
  }
  if (i < n) s += std::uint32_t(p[i]) << 8;
  return ones_fold(s);
}

// A header just written is read back one byte at a time: every byte load is
// forwarded from the store buffer whatever the size of the stores that wrote
// the header. Wider loads (which the compiler would otherwise merge the loop
// into, hence volatile) that span several recent stores wait for them to
// retire, which costs more than the whole sum.
namespace {
std::uint32_t ipv4_sum20(const std::uint8_t* ip) {
  const volatile std::uint8_t* b = ip;
  std::uint32_t s = 0;
  for (std::size_t i = 0; i < kIpv4HeaderLen; i += 2) s += std::uint32_t(b[i]) << 8 | b[i + 1];
  return s;
}
}  // namespace

void ipv4_set_checksum(std::uint8_t* ip) {
  const std::size_t ihl = std::size_t(ip[0] & 0x0f) * 4;
  store_be16(ip + 10, 0);
  const std::uint32_t sum = ihl == kIpv4HeaderLen ? ipv4_sum20(ip) : ones_sum(ip, ihl, 0);
  store_be16(ip + 10, std::uint16_t(~ones_fold(sum)));
}

// The shapes read_ip_header does not read in place: parse_ip has the answer.
Reason read_ip_header_parsed(ByteView v, bool verify_ipv4_checksum, IpHeader& h) {
  const ParseResult pr = parse_ip(v, verify_ipv4_checksum);
  if (!pr.info) return pr.error;
  const IpInfo& i = *pr.info;
  h = IpHeader{i.version,        i.tos,
               i.df,             i.is_fragment,
               i.total_len,      i.transport_insert_off,
               i.next_header_field_off, i.next_header_at_insert};
  return Reason::kNone;
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
