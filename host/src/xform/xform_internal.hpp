// Pieces shared by the transform files (not a public interface).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "aipsec/packet.hpp"
#include "aipsec/reason.hpp"
#include "aipsec/sa.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/sysctl.hpp"

namespace aipsec::xform {

// Where a transform header sits in a datagram: at off, announced by the
// next-header byte at nh_field_off, which held (output) or will hold (input) nh.
struct Site {
  int version = 4;               // IP version of the header that carries it
  std::size_t off = 0;
  std::size_t nh_field_off = 0;
  std::uint8_t nh = 0;
};

// What an input transform removed: hdr_len bytes at Site::off, trailer_len at the
// end; nh is the protocol that follows (the decrypted/restored next header).
struct Cut {
  std::uint8_t nh = 0;
  std::size_t hdr_len = 0;
  std::size_t trailer_len = 0;
};

// ---- IP header helpers (ip_util.cpp)
// What the transforms need of a datagram's own IP header (a small subset of
// IpInfo: no addresses, no ports, nothing that needs the whole chain walked).
struct IpHeader {
  std::uint8_t version = 0;
  std::uint8_t tos = 0;            // IPv4 TOS / IPv6 traffic class
  bool df = false;
  bool is_fragment = false;
  std::uint16_t total_len = 0;
  std::size_t transport_insert_off = 0;   // as IpInfo
  std::size_t next_header_field_off = 0;  // as IpInfo
  std::uint8_t next_header_at_insert = 0;  // as IpInfo
};
// The same answers and errors as parse_ip(v, verify_ipv4_checksum), without
// building a whole IpInfo for the common headers (IPv4 without options, IPv6
// without extension headers).
Reason read_ip_header(ByteView v, bool verify_ipv4_checksum, IpHeader& h);
bool ipv4_checksum_ok(const std::uint8_t* ip, std::size_t ihl);
// Sets IPv4 total length and checksum / IPv6 payload length from p.size().
// kTooBig if the datagram does not fit its length field.
Reason fix_ip_lengths(Packet& p, int version);
void ipv4_set_checksum(std::uint8_t* ip);
// One's-complement sum of n bytes added to sum (not folded, not complemented).
std::uint32_t ones_sum(const std::uint8_t* p, std::size_t n, std::uint32_t sum);
std::uint16_t ones_fold(std::uint32_t sum);
// Offset of the next-header byte that announces the header at off (walks the
// IPv6 extension-header chain); nullopt if the chain does not lead to off.
std::optional<std::size_t> next_header_field(ByteView pkt, int version, std::size_t off);
// Walks the IPv6 extension headers from the fixed header up to `end`; calls
// f(hdr_off, nh_of_this_header) for each. False if the chain is malformed.
template <typename F>
bool walk_ipv6_ext(ByteView pkt, std::size_t end, F&& f) {
  std::uint8_t nh = pkt[6];
  std::size_t off = 40;
  while (off < end) {
    if (off + 8 > pkt.size()) return false;
    std::size_t len;
    if (nh == ipproto::kFragment) len = 8;
    else if (nh == ipproto::kAh) len = (std::size_t(pkt[off + 1]) + 2) * 4;
    else if (nh == ipproto::kHopOpts || nh == ipproto::kRouting || nh == ipproto::kDstOpts)
      len = (std::size_t(pkt[off + 1]) + 1) * 8;
    else return false;
    if (!f(off, nh)) return false;
    nh = pkt[off];
    off += len;
  }
  return off == end;
}

// ---- sequence numbers and lifetimes (xform.cpp)
// The next outbound sequence number; kSeqOverflow (and the SA dead) when it would cycle.
Reason next_seq(Sa& sa, std::uint64_t& seq);

// ---- transforms; output inserts at site.off (site.nh is the protected protocol)
Reason esp_output(Sa& sa, Packet& p, const Site& site);
Reason esp_input(Sa& sa, Packet& p, const Site& site, Cut& cut);
Reason ah_output(Sa& sa, Packet& p, const Site& site, const Sysctl& sc);
Reason ah_input(Sa& sa, Packet& p, const Site& site, const Sysctl& sc, Cut& cut);
Reason ipcomp_output(Sa& sa, Packet& p, const Site& site);
Reason ipcomp_input(Sa& sa, Packet& p, const Site& site, Cut& cut);

// ---- tunnel mode (tunnel.cpp)
// Prepends the outer header; site becomes the insertion point after it.
// proto: what follows the outer header (tunnel_proto(inner), or the transform
// already applied to the inner datagram).
Reason tunnel_encap(Sa& sa, Packet& p, const IpHeader& inner, std::uint8_t proto, const Sysctl& sc,
                    Site& site);
// IP-in-IP protocol number of the inner datagram (4 or 41).
inline std::uint8_t tunnel_proto(const IpHeader& inner) {
  return inner.version == 4 ? ipproto::kIpIp : ipproto::kIpv6;
}
// Whether the SA's addresses can make an outer header (one family, 4 or 6).
inline bool tunnel_family_ok(const SaConfig& c) {
  return (c.src.family == 4 || c.src.family == 6) && c.dst.family == c.src.family;
}
// p holds the outer header (outer_len bytes, transform already removed) then the
// inner datagram: applies RFC 6040, strips the outer header, checks the inner.
Reason tunnel_decap(const Sa& sa, Packet& p, std::size_t outer_len, int outer_version, const Sysctl& sc);

// ---- NAT-T (natt.cpp): a UDP header in front of the ESP header at site.off.
Reason natt_encap(const Sa& sa, Packet& p, Site& site);

}  // namespace aipsec::xform
