// parse_ip: IPv4 (with options) and IPv6 (with its extension-header chain).
//
// Every read is checked against the datagram length taken from the IP header
// (itself checked against the bytes present), so trailing link-layer padding is
// ignored and no malformed input is read out of bounds.
#include "aipsec/packet.hpp"

#include <cstring>

namespace aipsec {
namespace {

constexpr std::uint8_t kIpprotoSctp = 132;

// The IpInfo's address was value-initialised (all zero): only the bytes of the family to copy.
void set_addr(IpAddr& a, int family, const std::uint8_t* p) {
  a.family = std::uint8_t(family);
  std::memcpy(a.b.data(), p, family == 4 ? 4 : 16);
}

// Ports or ICMP type and code of the upper layer at l4_off, when present. A
// non-first fragment carries no upper-layer header, so the caller skips it.
void read_upper_layer(ByteView dgram, IpInfo& info) {
  const std::size_t avail = info.l4_off <= dgram.size() ? dgram.size() - info.l4_off : 0;
  const std::uint8_t* p = dgram.data() + info.l4_off;
  switch (info.ulproto) {
    case ipproto::kTcp:
    case ipproto::kUdp:
    case kIpprotoSctp:
      if (avail >= 4) {
        info.sport = load_be16(p);
        info.dport = load_be16(p + 2);
      }
      break;
    case ipproto::kIcmp:
    case ipproto::kIcmpv6:
      if (info.ulproto == (info.version == 4 ? ipproto::kIcmp : ipproto::kIcmpv6) && avail >= 2) {
        info.icmp_type = p[0];
        info.icmp_code = p[1];
      }
      break;
    default:
      break;
  }
}

// IPv4 options are TLVs (RFC 791) except End of List (0) and No Operation (1).
bool ipv4_options_valid(const std::uint8_t* opt, std::size_t len) {
  std::size_t i = 0;
  while (i < len) {
    if (opt[i] == 0) return true;
    if (opt[i] == 1) {
      ++i;
      continue;
    }
    if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i) return false;
    i += opt[i + 1];
  }
  return true;
}

// Fills r.info, or returns why not. The result object is the caller's, built
// in place: one return object throughout (a copy of the IpInfo would cost
// more than the parse, and a load of it just after it was zeroed stalls).
Reason parse_ipv4(ByteView v, bool verify_checksum, ParseResult& r) {
  if (v.size() < kIpv4HeaderLen) return Reason::kTruncated;
  const std::uint8_t* h = v.data();
  const std::size_t hlen = std::size_t(h[0] & 0x0f) * 4;
  if (hlen < kIpv4HeaderLen) return Reason::kMalformedIp;
  if (hlen > v.size()) return Reason::kTruncated;
  const std::uint16_t total = load_be16(h + 2);
  if (total < hlen) return Reason::kMalformedIp;
  if (total > v.size()) return Reason::kTruncated;
  if (verify_checksum && inet_checksum(v.first(hlen)) != 0) return Reason::kBadIpChecksum;
  if (!ipv4_options_valid(h + kIpv4HeaderLen, hlen - kIpv4HeaderLen)) return Reason::kMalformedIp;

  IpInfo& info = r.info.emplace();
  info.version = 4;
  set_addr(info.src, 4, h + 12);
  set_addr(info.dst, 4, h + 16);
  info.total_len = total;
  info.ttl = h[8];
  info.tos = h[1];
  const std::uint16_t frag = load_be16(h + 6);
  info.df = (frag & 0x4000) != 0;
  const bool more_fragments = (frag & 0x2000) != 0;
  const std::uint16_t frag_off = frag & 0x1fff;
  info.is_fragment = more_fragments || frag_off != 0;
  info.ip_hdr_len = hlen;
  info.transport_insert_off = hlen;
  info.next_header_field_off = 9;
  info.next_header_at_insert = h[9];
  info.ulproto = h[9];
  info.l4_off = hlen;
  if (frag_off == 0) read_upper_layer(v.first(total), info);
  return Reason::kNone;
}

bool is_ipv6_ext_header(std::uint8_t nh) {
  return nh == ipproto::kHopOpts || nh == ipproto::kRouting || nh == ipproto::kFragment ||
         nh == ipproto::kDstOpts;
}

// Walks the extension headers. The transport-mode insertion point (RFC 4303
// 3.1.1, RFC 4302 3.1.1) is right after the last hop-by-hop, routing or fragment
// header: a destination options header before one of those (one meant for the
// routers of a routing header) stays in front of ESP/AH, and a destination
// options header after the last of them -- the final one, meant for the
// destination only -- goes behind ESP/AH so that it is protected. The RFC lets
// the final one go either way; protecting it is the choice made here.
Reason parse_ipv6_chain(ByteView dgram, IpInfo& info) {
  const std::uint8_t* h = dgram.data();
  std::size_t off = kIpv6HeaderLen;
  std::size_t nh_field = 6;
  std::uint8_t nh = h[6];
  std::size_t count = 0;
  bool upper_layer_present = true;
  info.transport_insert_off = off;
  info.next_header_field_off = nh_field;
  while (is_ipv6_ext_header(nh)) {
    if (++count > kMaxIpv6ExtHeaders) return Reason::kExtHdrLimit;
    // RFC 8200 4.3: hop-by-hop options only immediately after the IPv6 header.
    if (nh == ipproto::kHopOpts && off != kIpv6HeaderLen) return Reason::kExtHdrLimit;
    if (dgram.size() - off < 8) return Reason::kTruncated;
    const std::uint8_t* e = h + off;
    const std::size_t elen = nh == ipproto::kFragment ? 8 : (std::size_t(e[1]) + 1) * 8;
    if (elen > dgram.size() - off) return Reason::kTruncated;
    const std::uint8_t this_nh = nh;
    nh_field = off;
    nh = e[0];
    off += elen;
    if (this_nh != ipproto::kDstOpts) {
      info.transport_insert_off = off;
      info.next_header_field_off = nh_field;
    }
    if (this_nh == ipproto::kFragment) {
      info.is_fragment = true;
      // A non-first fragment carries neither the rest of the chain nor the upper layer.
      if ((load_be16(e + 2) & 0xfff8) != 0) {
        upper_layer_present = false;
        break;
      }
    }
  }
  info.next_header_at_insert = h[info.next_header_field_off];
  info.ulproto = nh;
  info.l4_off = off;
  if (upper_layer_present) read_upper_layer(dgram, info);
  return Reason::kNone;
}

Reason parse_ipv6(ByteView v, ParseResult& r) {
  if (v.size() < kIpv6HeaderLen) return Reason::kTruncated;
  const std::uint8_t* h = v.data();
  const std::uint16_t payload = load_be16(h + 4);
  // Jumbograms (payload length 0 and a Jumbo Payload option, RFC 2675) are not handled.
  if (payload == 0 && h[6] == ipproto::kHopOpts) return Reason::kUnsupported;
  // total_len is 16 bits wide; a datagram that does not fit cannot be carried either.
  if (payload > 0xffff - kIpv6HeaderLen) return Reason::kTooBig;
  const std::size_t total = kIpv6HeaderLen + payload;
  if (total > v.size()) return Reason::kTruncated;

  IpInfo& info = r.info.emplace();
  info.version = 6;
  set_addr(info.src, 6, h + 8);
  set_addr(info.dst, 6, h + 24);
  info.total_len = std::uint16_t(total);
  info.ttl = h[7];
  info.tos = std::uint8_t((load_be16(h) >> 4) & 0xff);
  info.ip_hdr_len = kIpv6HeaderLen;
  const Reason e = parse_ipv6_chain(v.first(total), info);
  if (e != Reason::kNone) r.info.reset();
  return e;
}

}  // namespace

ParseResult parse_ip(ByteView v, bool verify_ipv4_checksum) {
  ParseResult r;
  const int version = v.empty() ? -1 : v[0] >> 4;
  r.error = version == 4   ? parse_ipv4(v, verify_ipv4_checksum, r)
            : version == 6 ? parse_ipv6(v, r)
            : v.empty()    ? Reason::kTruncated
                           : Reason::kBadIpVersion;
  return r;
}

}  // namespace aipsec
