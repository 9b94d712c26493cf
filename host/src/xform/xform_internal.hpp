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
  sum = (sum & 0xffffffff) + (sum >> 32);  // < 2^33
  sum = (sum & 0xffff) + (sum >> 16);      // < 2^17 + 2^16
  sum = (sum & 0xffff) + (sum >> 16);      // <= 0xffff + 2
  sum = (sum & 0xffff) + (sum >> 16);      // <= 0xffff
  return std::uint16_t(sum);
}

// A header to verify was received or decrypted, not just written field by
// field, so it is read a word at a time, in host order: the one's-complement
// sum of byte-swapped words is the byte-swapped sum, and 0xffff is its own swap.
// For the 20-byte header: two 64-bit words and one 32-bit word added with
// end-around carry (2^64 and 2^32 are 1 modulo 0xffff, as 2^16 is), and the
// header is right iff that sum is a nonzero multiple of 0xffff (it is not
// zero: the version byte is not).
inline bool ipv4_checksum_ok(const std::uint8_t* ip, std::size_t ihl) {
  if (ihl != kIpv4HeaderLen) return ones_fold(ones_sum(ip, ihl, 0)) == 0xffff;
  std::uint64_t a = 0, b = 0, s = 0;
  std::uint32_t c = 0;
  std::memcpy(&a, ip, 8);
  std::memcpy(&b, ip + 8, 8);
  std::memcpy(&c, ip + 16, 4);
  s = a + b;
  s += s < a;  // end-around carry; a + b wrapped is at most 2^64 - 2
  const std::uint64_t t = s + c;
  s = t + (t < s);
  return s != 0 && s % 0xffff == 0;
}

Reason read_ip_header_parsed(ByteView v, bool verify_ipv4_checksum, IpHeader& h);
// Field by field, not through a temporary IpHeader, as the InputStep's
// addresses are written: a temporary copied whole is reloaded with wide loads
// that can stall on its narrow stores (store forwarding; for the addresses it
// was measured, docs/performance.md). Here no difference was measured either way.
inline void set_ip_header(IpHeader& h, std::uint8_t version, std::uint8_t tos, bool df, bool is_fragment,
                          std::uint16_t total_len, std::size_t insert_off, std::size_t nh_field_off,
                          std::uint8_t nh_at_insert) {
  h.version = version;
  h.tos = tos;
  h.df = df;
  h.is_fragment = is_fragment;
  h.total_len = total_len;
  h.transport_insert_off = insert_off;
  h.next_header_field_off = nh_field_off;
  h.next_header_at_insert = nh_at_insert;
}
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
      set_ip_header(h, 4, v[1], (frag & 0x4000) != 0, (frag & 0x3fff) != 0, total, kIpv4HeaderLen, 9, v[9]);
      return Reason::kNone;
    }
  } else if (v.size() >= kIpv6HeaderLen && (v[0] >> 4) == 6) {
    const std::size_t total = kIpv6HeaderLen + load_be16(v.data() + 4);
    const std::uint8_t nh = v[6];
    const bool ext = nh == ipproto::kHopOpts || nh == ipproto::kRouting || nh == ipproto::kFragment ||
                     nh == ipproto::kDstOpts;
    if (!ext && total <= v.size() && total <= 0xffff) {
      const auto tclass = std::uint8_t((load_be16(v.data()) >> 4) & 0xff);
      set_ip_header(h, 6, tclass, false, false, std::uint16_t(total), kIpv6HeaderLen, 6, nh);
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

inline constexpr std::uint8_t kOuterTtl = 64;  // TTL / hop limit of an outer header

// ---- sequence numbers and lifetimes (xform.cpp)
// The next outbound sequence number; kSeqOverflow (and the SA dead) when it would cycle.
inline Reason next_seq(Sa& sa, std::uint64_t& seq) {
  const SaConfig& c = sa.config();
  // Without ESN the wire carries 32 bits: 2^32 - 1 is the last number unless the
  // SA may cycle; the 64-bit count itself never wraps, so IVs stay unique.
  const bool wraps = !c.esn && c.cyclic_seq;
  const std::uint64_t last = c.esn || wraps ? ~std::uint64_t(0) : 0xffffffffu;
  // One thread at a time sends on an SA (sa_runtime.hpp): a plain load and store.
  std::atomic<std::uint64_t>& ctr = sa.runtime().seq_out;
  const std::uint64_t cur = ctr.load(std::memory_order_relaxed);
  if (cur >= last) [[unlikely]] {
    sa.set_state(SaState::kDead);
    return Reason::kSeqOverflow;
  }
  std::uint64_t next = cur + 1;
  if (wraps && std::uint32_t(next) == 0) ++next;  // 0 is never sent (RFC 4303 3.3.3)
  ctr.store(next, std::memory_order_relaxed);
  seq = next;
  return Reason::kNone;
}
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
[[gnu::always_inline]] inline void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n) {
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
// Prepends the outer header; site becomes the insertion point after it.
// proto: what follows the outer header (tunnel_proto(inner), or the transform
// already applied to the inner datagram).
Reason tunnel_encap(Sa& sa, Packet& p, const IpHeader& inner, std::uint8_t proto, const Sysctl& sc,
                    Site& site);
// The outer TOS / traffic class: DSCP copied; RFC 6040 4.1: normal mode
// copies the ECN field, compatibility mode clears it.
inline std::uint8_t outer_tos(std::uint8_t inner_tos, bool ecn_normal) {
  return std::uint8_t((inner_tos & 0xfc) | (ecn_normal ? inner_tos & 3 : 0));
}
// An outer IPv6 header, payload length 0 (set by the caller).
void build_ipv6(std::uint8_t* h, const SaConfig& c, std::uint8_t tclass, std::uint8_t nh);
// The outer header in front of an ESP packet (esp_output applied to the inner
// datagram) of an SA with SaRuntime::esp_aead_tunnel: what tunnel_encap then
// fix_ip_lengths write, the IPv4 checksum summed from the fields' values
// rather than reread from the header. The caller checked that the headroom
// holds it and that the result fits the length field. In line: it is on
// every such packet's path.
inline void esp_tunnel_outer(Sa& sa, Packet& p, const IpHeader& inner, const Sysctl& sc) {
  const SaConfig& c = sa.config();
  const int ov = c.src.family;
  const std::uint8_t tos = outer_tos(inner.tos, sc.family(ov).ecn != 0);
  if (ov == 4) {
    std::uint8_t* h = p.push_front(kIpv4HeaderLen);
    const bool df = sc.dfbit == 1 || (sc.dfbit == 2 && inner.version == 4 && inner.df);
    const std::uint16_t frag = df ? 0x4000 : 0;
    auto& ip_id = sa.runtime().ip_id;
    const std::uint16_t id = ip_id.load(std::memory_order_relaxed);
    ip_id.store(std::uint16_t(id + 1), std::memory_order_relaxed);
    const auto len = std::uint16_t(p.size());
    const std::uint32_t sum = (0x4500u | tos) + len + id + frag + (std::uint32_t(kOuterTtl) << 8 | ipproto::kEsp) +
                              load_be16(c.src.b.data()) + load_be16(c.src.b.data() + 2) +
                              load_be16(c.dst.b.data()) + load_be16(c.dst.b.data() + 2);
    h[0] = 0x45;
    h[1] = tos;
    store_be16(h + 2, len);
    store_be16(h + 4, id);
    store_be16(h + 6, frag);
    h[8] = kOuterTtl;
    h[9] = ipproto::kEsp;
    store_be16(h + 10, std::uint16_t(~ones_fold(sum)));
    std::memcpy(h + 12, c.src.b.data(), 4);
    std::memcpy(h + 16, c.dst.b.data(), 4);
  } else {
    std::uint8_t* h = p.push_front(kIpv6HeaderLen);
    build_ipv6(h, c, tos, ipproto::kEsp);
    store_be16(h + 4, std::uint16_t(p.size() - kIpv6HeaderLen));
  }
}
// IP-in-IP protocol number of the inner datagram (4 or 41).
inline std::uint8_t tunnel_proto(const IpHeader& inner) {
  return inner.version == 4 ? ipproto::kIpIp : ipproto::kIpv6;
}
// Whether the SA's addresses can make an outer header (one family, 4 or 6).
inline bool tunnel_family_ok(const SaConfig& c) {
  return (c.src.family == 4 || c.src.family == 6) && c.dst.family == c.src.family;
}
// RFC 6040 section 4.2, Figure 4: the inner ECN field after decapsulation.
// Returns false for the case that must be dropped (CE outside, Not-ECT inside).
inline bool combine_ecn(std::uint8_t outer, std::uint8_t inner, std::uint8_t& result) {
  constexpr std::uint8_t kCe = 3, kEct1 = 1, kEct0 = 2, kNotEct = 0;
  result = inner;
  if (outer == kCe) {
    if (inner == kNotEct) return false;
    result = kCe;
  } else if (outer == kEct1 && inner == kEct0) {
    result = kEct1;
  }
  return true;
}
// Rewrites the inner header's ECN field (and the IPv4 checksum).
void set_inner_ecn(std::uint8_t* ip, int version, std::uint8_t ecn);
// The inner header of an SA with selectors: parsed whole and compared with them.
Reason read_inner_selected(const SaConfig& c, ByteView inner, IpHeader& h);
inline bool has_selectors(const SaConfig& c) {
  return c.sel_src || c.sel_dst || c.sel_proto != ipproto::kAny;
}
// p holds the outer header (outer_len bytes, transform already removed) then the
// inner datagram: applies RFC 6040, strips the outer header, checks the inner
// (as parse_ip checks a datagram, IPv4 header checksum included; its addresses
// and protocol against the SA's selectors, when it has any). In line: it is
// on every tunnel packet's path, and what it does costs less than a call.
[[gnu::always_inline]] inline Reason tunnel_decap(const Sa& sa, Packet& p, std::size_t outer_len, int outer_version,
                                                  const Sysctl& sc) {
  const std::uint8_t* o = p.data();
  const std::uint8_t outer_ecn = outer_version == 4 ? o[1] & 3 : (o[1] >> 4) & 3;
  const ByteView inner(p.data() + outer_len, p.size() - outer_len);
  IpHeader in;
  const Reason r = has_selectors(sa.config()) ? read_inner_selected(sa.config(), inner, in)
                                              : read_ip_header(inner, true, in);
  if (r != Reason::kNone) return r;
  if (sc.family(outer_version).ecn) {
    std::uint8_t ecn = 0;
    if (!combine_ecn(outer_ecn, in.tos & 3, ecn)) return Reason::kEcnCeNotEct;
    if (ecn != (in.tos & 3)) set_inner_ecn(p.data() + outer_len, in.version, ecn);
  }
  p.trim_back(p.size() - outer_len - in.total_len);  // RFC 4303 2.7: TFC padding follows
  p.pull_front(outer_len);
  return Reason::kNone;
}

// ---- NAT-T (natt.cpp): a UDP header in front of the ESP header at site.off.
Reason natt_encap(const Sa& sa, Packet& p, Site& site);

}  // namespace aipsec::xform
