// Pieces shared by the transform files (not a public interface).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

#include "aipsec/packet.hpp"
#include "aipsec/reason.hpp"
#include "aipsec/sa.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/sysctl.hpp"
#include "aipsec/xform.hpp"

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
// One's-complement sum of n bytes added to sum (not folded, not complemented).
std::uint32_t ones_sum(const std::uint8_t* p, std::size_t n, std::uint32_t sum);
// Folds with end-around carry down to 16 bits: zero only if the input is zero,
// and congruent to it modulo 0xffff, which is all a one's-complement sum is.
inline std::uint16_t ones_fold(std::uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return std::uint16_t(sum);
}

// A header to verify was received or decrypted, not just written field by
// field, so it is read a word at a time, in host order: the one's-complement
// sum of byte-swapped words is the byte-swapped sum, and 0xffff is its own swap.
inline bool ipv4_checksum_ok(const std::uint8_t* ip, std::size_t ihl) {
  if (ihl != kIpv4HeaderLen) return ones_fold(ones_sum(ip, ihl, 0)) == 0xffff;
  std::uint64_t a = 0, b = 0;
  std::uint32_t c = 0;
  std::memcpy(&a, ip, 8);
  std::memcpy(&b, ip + 8, 8);
  std::memcpy(&c, ip + 16, 4);
  return ones_fold((a & 0xffffffff) + (a >> 32) + (b & 0xffffffff) + (b >> 32) + c) == 0xffff;
}

Reason read_ip_header_parsed(ByteView v, bool verify_ipv4_checksum, IpHeader& h);
// The same answers and errors as parse_ip(v, verify_ipv4_checksum), without
// building a whole IpInfo for the common headers (IPv4 without options, IPv6
// without extension headers), which are read here, in line; anything else
// (options, extension headers, any malformation) goes through parse_ip, so
// both ways accept and reject the same datagrams with the same reasons.
inline Reason read_ip_header(ByteView v, bool verify_ipv4_checksum, IpHeader& h) {
  if (v.size() >= kIpv4HeaderLen && v[0] == 0x45) {
    const std::uint16_t total = load_be16(v.data() + 2);
    if (total >= kIpv4HeaderLen && total <= v.size() &&
        (!verify_ipv4_checksum || ipv4_checksum_ok(v.data(), kIpv4HeaderLen))) {
      const std::uint16_t frag = load_be16(v.data() + 6);
      h = IpHeader{4, v[1], (frag & 0x4000) != 0, (frag & 0x3fff) != 0, total, kIpv4HeaderLen, 9, v[9]};
      return Reason::kNone;
    }
  } else if (v.size() >= kIpv6HeaderLen && (v[0] >> 4) == 6) {
    const std::size_t total = kIpv6HeaderLen + load_be16(v.data() + 4);
    const std::uint8_t nh = v[6];
    const bool ext = nh == ipproto::kHopOpts || nh == ipproto::kRouting || nh == ipproto::kFragment ||
                     nh == ipproto::kDstOpts;
    if (!ext && total <= v.size() && total <= 0xffff) {
      const auto tclass = std::uint8_t((load_be16(v.data()) >> 4) & 0xff);
      h = IpHeader{6, tclass, false, false, std::uint16_t(total), kIpv6HeaderLen, 6, nh};
      return Reason::kNone;
    }
  }
  return read_ip_header_parsed(v, verify_ipv4_checksum, h);
}
// Sets IPv4 total length and checksum / IPv6 payload length from p.size().
// kTooBig if the datagram does not fit its length field.
Reason fix_ip_lengths(Packet& p, int version);
void ipv4_set_checksum(std::uint8_t* ip);
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
std::uint64_t unix_now();

inline bool limit_reached(std::uint64_t limit, std::uint64_t value) { return limit != 0 && value >= limit; }

inline bool lifetime_reached(const Lifetime& l, const SaCurrent& cur) {
  return limit_reached(l.bytes, cur.bytes.load(std::memory_order_relaxed)) ||
         limit_reached(l.packets, cur.packets.load(std::memory_order_relaxed));
}

// An SA whose hard limit is reached is dead (RFC 4301 4.4.2.1: no further use).
inline Reason admit(Sa& sa) {
  if (sa.runtime().count_limits && lifetime_reached(sa.config().hard, sa.current())) {
    sa.set_state(SaState::kDead);
    return Reason::kLifetimeExpired;
  }
  const SaState s = sa.state();
  if (s == SaState::kLarval || s == SaState::kDead) return Reason::kSaNotMature;
  return Reason::kNone;
}

// Adds to a counter that only the thread processing the SA writes (an SA is
// used in one direction, by one thread at a time: sa_runtime.hpp); other
// threads only read it. A plain load and store, not a locked read-modify-write,
// which costs more than the rest of the bookkeeping together.
inline void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// Counts a packet (and bytes of the payload it protected) and moves the SA to
// dying at the soft limit, to dead at the hard limit.
[[gnu::always_inline]] inline void account(Sa& sa, std::uint64_t bytes) {
  SaCurrent& cur = sa.current();
  bump(cur.bytes, bytes);
  bump(cur.packets, 1);
  std::uint64_t zero = 0;
  if (cur.first_use_time.load(std::memory_order_relaxed) == 0)
    cur.first_use_time.compare_exchange_strong(zero, unix_now(), std::memory_order_relaxed);
  if (!sa.runtime().count_limits) return;
  if (lifetime_reached(sa.config().hard, cur)) {
    sa.set_state(SaState::kDead);
  } else if (lifetime_reached(sa.config().soft, cur) && sa.state() == SaState::kMature) {
    sa.set_state(SaState::kDying);
  }
}

// ---- transforms; output inserts at site.off (site.nh is the protected protocol)
Reason esp_output(Sa& sa, Packet& p, const Site& site);
Reason esp_input(Sa& sa, Packet& p, const Site& site, Cut& cut);
// Tunnel-mode ESP with an AEAD in one pass, for an SA with
// SaRuntime::esp_aead_tunnel and a datagram without IPv4 options or IPv6
// extension headers. False (nothing changed) for any other datagram, which the
// general path then handles; true when r is the answer.
bool esp_aead_tunnel_output(Sa& sa, Packet& p, const Sysctl& sc, Reason& r);
// The same inbound for an SA with SaRuntime::esp_aead_tunnel_in: false (nothing
// changed) unless the outer header has no IPv4 options or IPv6 extension
// headers; true when r is the answer (xform_input's, step.mode included).
bool esp_aead_tunnel_input(Sa& sa, Packet& p, const IpInfo& info, const Sysctl& sc, InputStep& step, Reason& r);
Reason ah_output(Sa& sa, Packet& p, const Site& site, const Sysctl& sc);
Reason ah_input(Sa& sa, Packet& p, const Site& site, const Sysctl& sc, Cut& cut);
Reason ipcomp_output(Sa& sa, Packet& p, const Site& site);
Reason ipcomp_input(Sa& sa, Packet& p, const Site& site, Cut& cut);

// ---- tunnel mode (tunnel.cpp)
inline constexpr std::uint8_t kOuterTtl = 64;  // TTL / hop limit of an outer header
// Prepends the outer header; site becomes the insertion point after it.
// proto: what follows the outer header (tunnel_proto(inner), or the transform
// already applied to the inner datagram).
Reason tunnel_encap(Sa& sa, Packet& p, const IpHeader& inner, std::uint8_t proto, const Sysctl& sc,
                    Site& site);
// The outer header in front of an ESP packet (esp_output applied to the inner
// datagram) of an SA with SaRuntime::esp_aead_tunnel: what tunnel_encap then
// fix_ip_lengths write, the IPv4 checksum summed from the fields' values
// rather than reread from the header. The caller checked that
// the headroom holds it and that the result fits the length field.
void esp_tunnel_outer(Sa& sa, Packet& p, const IpHeader& inner, const Sysctl& sc);
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
