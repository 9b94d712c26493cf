// Tunnel mode: the outer header (RFC 4303/4302 section 3.1.2, RFC 2003 style
// IPv4 and RFC 2473 style IPv6, any inner/outer family combination), DF per the
// dfbit sysctl, DSCP copied, ECN per RFC 6040.
#include <cstring>

#include "xform_internal.hpp"

namespace aipsec::xform {
namespace {

constexpr std::uint8_t kCe = 3, kEct1 = 1, kEct0 = 2, kNotEct = 0;

std::uint8_t outer_tos(std::uint8_t inner_tos, bool ecn_normal) {
  // RFC 6040 4.1: normal mode copies the ECN field; compatibility mode clears it.
  return std::uint8_t((inner_tos & 0xfc) | (ecn_normal ? inner_tos & 3 : 0));
}

void build_ipv4(std::uint8_t* h, const SaConfig& c, std::uint8_t tos, std::uint16_t id, bool df,
                std::uint8_t proto) {
  h[0] = 0x45;
  h[1] = tos;
  store_be16(h + 2, 0);  // set by fix_ip_lengths
  store_be16(h + 4, id);
  store_be16(h + 6, df ? 0x4000 : 0);
  h[8] = kOuterTtl;
  h[9] = proto;
  store_be16(h + 10, 0);
  std::memcpy(h + 12, c.src.b.data(), 4);
  std::memcpy(h + 16, c.dst.b.data(), 4);
}

void build_ipv6(std::uint8_t* h, const SaConfig& c, std::uint8_t tclass, std::uint8_t nh) {
  h[0] = std::uint8_t(0x60 | tclass >> 4);
  h[1] = std::uint8_t(tclass << 4);  // flow label 0
  h[2] = h[3] = 0;
  store_be16(h + 4, 0);
  h[6] = nh;
  h[7] = kOuterTtl;
  std::memcpy(h + 8, c.src.b.data(), 16);
  std::memcpy(h + 24, c.dst.b.data(), 16);
}

// RFC 6040 section 4.2, Figure 4. Returns false for the case that must be dropped.
bool combine_ecn(std::uint8_t outer, std::uint8_t inner, std::uint8_t& result) {
  result = inner;
  if (outer == kCe) {
    if (inner == kNotEct) return false;
    result = kCe;
  } else if (outer == kEct1 && inner == kEct0) {
    result = kEct1;
  }
  return true;
}

void set_inner_ecn(std::uint8_t* ip, int version, std::uint8_t ecn) {
  if (version == 4) {
    ip[1] = std::uint8_t((ip[1] & 0xfc) | ecn);
    ipv4_set_checksum(ip);
  } else {
    ip[1] = std::uint8_t((ip[1] & 0xcf) | ecn << 4);
  }
}

bool has_selectors(const SaConfig& c) { return c.sel_src || c.sel_dst || c.sel_proto != ipproto::kAny; }

bool selectors_match(const SaConfig& c, const IpInfo& in) {
  if (c.sel_src && !c.sel_src->contains(in.src)) return false;
  if (c.sel_dst && !c.sel_dst->contains(in.dst)) return false;
  return c.sel_proto == ipproto::kAny || c.sel_proto == in.ulproto;
}

// The inner datagram's header, checked as parse_ip checks it (IPv4 header
// checksum included); the addresses and protocol only when the SA has
// selectors to compare them with.
Reason read_inner(const SaConfig& c, ByteView inner, IpHeader& h) {
  if (!has_selectors(c)) return read_ip_header(inner, true, h);
  const ParseResult pr = parse_ip(inner);
  if (!pr.info) return pr.error;
  if (!selectors_match(c, *pr.info)) return Reason::kSelectorMismatch;
  h.version = pr.info->version;
  h.tos = pr.info->tos;
  h.total_len = pr.info->total_len;
  return Reason::kNone;
}

}  // namespace

Reason tunnel_encap(Sa& sa, Packet& p, const IpHeader& inner, std::uint8_t proto, const Sysctl& sc,
                    Site& site) {
  const SaConfig& c = sa.config();
  if (!tunnel_family_ok(c)) return Reason::kUnsupported;
  const int ov = c.src.family;
  const std::uint8_t tos = outer_tos(inner.tos, sc.family(ov).ecn != 0);
  if (ov == 4) {
    std::uint8_t* h = p.push_front(20);
    if (!h) return Reason::kNoRoom;
    // dfbit 2 copies an inner IPv4 DF; an inner IPv6 packet has no DF to copy: clear.
    const bool df = sc.dfbit == 1 || (sc.dfbit == 2 && inner.version == 4 && inner.df);
    // One thread at a time sends on an SA (sa_runtime.hpp): no locked increment.
    auto& ip_id = sa.runtime().ip_id;
    const std::uint16_t id = ip_id.load(std::memory_order_relaxed);
    ip_id.store(std::uint16_t(id + 1), std::memory_order_relaxed);
    build_ipv4(h, c, tos, id, df, proto);
    site = Site{4, 20, 9, proto};
  } else {
    std::uint8_t* h = p.push_front(40);
    if (!h) return Reason::kNoRoom;
    build_ipv6(h, c, tos, proto);
    site = Site{6, 40, 6, proto};
  }
  return Reason::kNone;
}

void esp_tunnel_outer(Sa& sa, Packet& p, const IpHeader& inner, const Sysctl& sc) {
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

Reason tunnel_decap(const Sa& sa, Packet& p, std::size_t outer_len, int outer_version, const Sysctl& sc) {
  const std::uint8_t* o = p.data();
  const std::uint8_t outer_ecn = outer_version == 4 ? o[1] & 3 : (o[1] >> 4) & 3;
  IpHeader in;
  if (Reason r = read_inner(sa.config(), ByteView(p.data() + outer_len, p.size() - outer_len), in);
      r != Reason::kNone)
    return r;
  if (sc.family(outer_version).ecn) {
    std::uint8_t ecn = 0;
    if (!combine_ecn(outer_ecn, in.tos & 3, ecn)) return Reason::kEcnCeNotEct;
    if (ecn != (in.tos & 3)) set_inner_ecn(p.data() + outer_len, in.version, ecn);
  }
  p.trim_back(p.size() - outer_len - in.total_len);  // RFC 4303 2.7: TFC padding follows
  p.pull_front(outer_len);
  return Reason::kNone;
}

}  // namespace aipsec::xform
