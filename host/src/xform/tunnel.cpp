// Tunnel mode: the outer header (RFC 4303/4302 section 3.1.2, RFC 2003 style
// IPv4 and RFC 2473 style IPv6, any inner/outer family combination), DF per the
// dfbit sysctl, DSCP copied, ECN per RFC 6040.
#include <cstring>

#include "xform_internal.hpp"

namespace aipsec::xform {
namespace {

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

bool selectors_match(const SaConfig& c, const IpInfo& in) {
  if (c.sel_src && !c.sel_src->contains(in.src)) return false;
  if (c.sel_dst && !c.sel_dst->contains(in.dst)) return false;
  return c.sel_proto == ipproto::kAny || c.sel_proto == in.ulproto;
}

}  // namespace

void set_inner_ecn(std::uint8_t* ip, int version, std::uint8_t ecn) {
  if (version == 4) {
    ip[1] = std::uint8_t((ip[1] & 0xfc) | ecn);
    ipv4_set_checksum(ip);
  } else {
    ip[1] = std::uint8_t((ip[1] & 0xcf) | ecn << 4);
  }
}

Reason read_inner_selected(const SaConfig& c, ByteView inner, IpHeader& h) {
  const ParseResult pr = parse_ip(inner);
  if (!pr.info) return pr.error;
  if (!selectors_match(c, *pr.info)) return Reason::kSelectorMismatch;
  h.version = pr.info->version;
  h.tos = pr.info->tos;
  h.total_len = pr.info->total_len;
  return Reason::kNone;
}

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

}  // namespace aipsec::xform
