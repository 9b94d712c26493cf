// Entry points of the transform layer: SA admission (state and lifetimes),
// the mode (transport or tunnel), the protocol, and the bookkeeping after.
#include "aipsec/xform.hpp"

#include <chrono>

#include "xform_internal.hpp"

namespace aipsec {
namespace {

using xform::account;
using xform::admit;

Mode effective_mode(const Sa& sa, Mode requested) {
  if (requested != Mode::kAny) return requested;
  return sa.config().mode == Mode::kTunnel ? Mode::kTunnel : Mode::kTransport;
}

Reason apply_output(Sa& sa, Packet& p, xform::Site& site, const Sysctl& sc) {
  switch (sa.config().proto) {
    case IpsecProto::kEsp: {
      Reason r = xform::esp_output(sa, p, site);
      if (r == Reason::kNone && sa.config().natt_dport != 0) r = xform::natt_encap(sa, p, site);
      return r;
    }
    case IpsecProto::kAh: return xform::ah_output(sa, p, site, sc);
    case IpsecProto::kIpComp: return xform::ipcomp_output(sa, p, site);
  }
  return Reason::kUnsupported;
}

// After the transform is verified and removed: transport mode restores the next
// header; tunnel mode (an inner IP datagram and an SA not fixed to transport)
// hands back the inner datagram.
Reason finish_input(Sa& sa, Packet& p, const xform::Site& site, const xform::Cut& cut, const Sysctl& sc,
                    InputStep& step) {
  const bool inner_ip = cut.nh == ipproto::kIpIp || cut.nh == ipproto::kIpv6;
  const Mode mode = sa.config().mode;
  if (mode == Mode::kTunnel && !inner_ip) return Reason::kBadNextHeader;
  p.trim_back(cut.trailer_len);
  if (inner_ip && mode != Mode::kTransport) {
    step.mode = Mode::kTunnel;
    return xform::tunnel_decap(sa, p, site.off + cut.hdr_len, site.version, sc);
  }
  p.data()[site.nh_field_off] = cut.nh;
  p.erase(site.off, cut.hdr_len);
  if (Reason r = xform::fix_ip_lengths(p, site.version); r != Reason::kNone) return r;
  // RFC 3948 3.1.2: NAT changed the addresses the transport checksum covers.
  if (sa.config().natt_dport != 0 && (cut.nh == ipproto::kTcp || cut.nh == ipproto::kUdp))
    l4_update_checksum(p.bytes());
  return Reason::kNone;
}

Reason apply_input(Sa& sa, Packet& p, const xform::Site& site, const Sysctl& sc, xform::Cut& cut) {
  switch (sa.config().proto) {
    case IpsecProto::kEsp: return xform::esp_input(sa, p, site, cut);
    case IpsecProto::kAh: return xform::ah_input(sa, p, site, sc, cut);
    case IpsecProto::kIpComp: return xform::ipcomp_input(sa, p, site, cut);
  }
  return Reason::kUnsupported;
}

}  // namespace

namespace xform {

std::uint64_t unix_now() {
  return std::uint64_t(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
}

}  // namespace xform

namespace {

// ESP in tunnel mode without NAT-T, the common case: ESP goes around the inner
// datagram first (its header into the headroom, so no byte of the packet
// moves), then the outer header in front of it. The order is free because the
// ESP ICV does not cover the outer header (AH's does: AH takes the general path).
bool esp_tunnel_direct(const Sa& sa, const Packet& p) {
  const SaConfig& c = sa.config();
  const std::size_t outer = c.src.family == 6 ? kIpv6HeaderLen : kIpv4HeaderLen;
  return c.proto == IpsecProto::kEsp && c.natt_dport == 0 && xform::tunnel_family_ok(c) &&
         p.headroom() >= outer + 8 + sa.runtime().iv_len;
}

Reason esp_tunnel_output(Sa& sa, Packet& p, const xform::IpHeader& inner, const Sysctl& sc) {
  const std::uint64_t bytes = p.size();
  const xform::Site inner_site{inner.version, 0, 0, xform::tunnel_proto(inner)};
  if (Reason r = xform::esp_output(sa, p, inner_site); r != Reason::kNone) return r;
  xform::Site site;
  if (Reason r = xform::tunnel_encap(sa, p, inner, ipproto::kEsp, sc, site); r != Reason::kNone) return r;
  if (Reason r = xform::fix_ip_lengths(p, site.version); r != Reason::kNone) return r;
  account(sa, bytes);
  return Reason::kNone;
}

}  // namespace

Reason xform_output(Sa& sa, Mode mode, Packet& p, const Sysctl& sc) {
  if (Reason r = admit(sa); r != Reason::kNone) return r;
  if (sa.runtime().esp_aead_tunnel && effective_mode(sa, mode) == Mode::kTunnel) {
    Reason r = Reason::kNone;
    if (xform::esp_aead_tunnel_output(sa, p, sc, r)) return r;
  }
  xform::IpHeader info;
  if (Reason r = xform::read_ip_header(p.bytes(), false, info); r != Reason::kNone) return r;
  if (info.total_len < p.size()) p.trim_back(p.size() - info.total_len);
  xform::Site site;
  if (effective_mode(sa, mode) == Mode::kTunnel) {
    if (esp_tunnel_direct(sa, p)) return esp_tunnel_output(sa, p, info, sc);
    if (Reason r = xform::tunnel_encap(sa, p, info, xform::tunnel_proto(info), sc, site); r != Reason::kNone)
      return r;
  } else {
    // RFC 4303 3.3: transport mode applies to whole datagrams only.
    if (info.is_fragment) return Reason::kFragment;
    site = xform::Site{info.version, info.transport_insert_off, info.next_header_field_off,
                       info.next_header_at_insert};
  }
  const std::uint64_t bytes = p.size() - site.off;
  if (Reason r = apply_output(sa, p, site, sc); r != Reason::kNone) return r;
  if (Reason r = xform::fix_ip_lengths(p, site.version); r != Reason::kNone) return r;
  account(sa, bytes);
  return Reason::kNone;
}

namespace {

Reason input_steps(Sa& sa, Packet& p, const IpInfo& info, const Sysctl& sc, InputStep& step) {
  const SaConfig& c = sa.config();
  if (Reason r = admit(sa); r != Reason::kNone) return r;
  if (sa.runtime().esp_aead_tunnel_in) {
    Reason r = Reason::kNone;
    if (xform::esp_aead_tunnel_input(sa, p, info, sc, step, r)) return r;
  }
  if (info.ulproto != static_cast<std::uint8_t>(c.proto)) return Reason::kBadNextHeader;
  if (info.total_len > p.size() || info.l4_off >= info.total_len) return Reason::kTruncated;
  p.trim_back(p.size() - info.total_len);  // link-layer padding
  const auto field = xform::next_header_field(p.bytes(), info.version, info.l4_off);
  if (!field) return Reason::kExtHdrLimit;
  const xform::Site site{info.version, info.l4_off, *field, static_cast<std::uint8_t>(c.proto)};
  const std::uint64_t bytes = p.size() - site.off;
  xform::Cut cut;
  Reason r = apply_input(sa, p, site, sc, cut);
  if (r == Reason::kNone) r = finish_input(sa, p, site, cut, sc, step);
  if (r == Reason::kNone || r == Reason::kDummyPacket) account(sa, bytes);
  return r;
}

}  // namespace

Reason xform_input(Sa& sa, Packet& p, const IpInfo& info, const Sysctl& sc, InputStep& step) {
  const SaConfig& c = sa.config();
  // Field by field: a temporary InputStep would be built with narrow stores and
  // copied with wide loads that stall on them (store-forwarding failure).
  step.proto = c.proto;
  step.mode = Mode::kTransport;
  step.spi = c.spi;
  const Reason r = input_steps(sa, p, info, sc, step);
  // The addresses last: the parser has just written them in pieces, and a wide
  // load of an address waits for those stores to retire, which the transform
  // has given them time to do.
  step.src = info.src;
  step.dst = info.dst;
  return r;
}

Reason ipcomp_uncompressed_tunnel_input(Sa& sa, Packet& p, const IpInfo& info, const Sysctl& sc,
                                        InputStep& step) {
  const SaConfig& c = sa.config();
  if (c.proto != IpsecProto::kIpComp) return Reason::kUnknownSpi;
  if (info.ulproto != ipproto::kIpIp && info.ulproto != ipproto::kIpv6) return Reason::kBadNextHeader;
  step.proto = IpsecProto::kIpComp;
  step.mode = Mode::kTunnel;
  step.spi = c.spi;
  step.src = info.src;
  step.dst = info.dst;
  return xform::tunnel_decap(sa, p, info.l4_off, info.version, sc);
}

}  // namespace aipsec
