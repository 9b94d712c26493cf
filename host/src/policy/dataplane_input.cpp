// Inbound processing: NAT-T demultiplexing, opening every IPsec header in turn
// (recording the history), then the inbound policy check on the inner packet.
#include "aipsec/dataplane.hpp"

#include <optional>

#include "aipsec/sa_runtime.hpp"

namespace aipsec {
namespace {

constexpr std::uint16_t kNattPort = 4500;

bool is_ipsec(std::uint8_t ulproto) {
  return ulproto == ipproto::kEsp || ulproto == ipproto::kAh || ulproto == ipproto::kIpComp;
}

// The SA key of the IPsec header at info.l4_off, or the reason it cannot be read.
Reason read_sa_key(const Packet& p, const IpInfo& info, SaKey& key) {
  const std::uint8_t* h = p.data() + info.l4_off;
  std::size_t avail = info.l4_off <= p.size() ? p.size() - info.l4_off : 0;
  key.dst = info.dst;
  key.proto = IpsecProto(info.ulproto);
  switch (key.proto) {
    case IpsecProto::kEsp:  // SPI is the first word
      if (avail < 4) return Reason::kTruncated;
      key.spi = load_be32(h);
      return Reason::kNone;
    case IpsecProto::kAh:  // next header, length, reserved, then SPI
      if (avail < 8) return Reason::kTruncated;
      key.spi = load_be32(h + 4);
      return Reason::kNone;
    case IpsecProto::kIpComp:  // next header, flags, then the 16-bit CPI
      if (avail < 4) return Reason::kTruncated;
      key.spi = load_be16(h + 2);
      return Reason::kNone;
  }
  return Reason::kUnsupported;
}

// RFC 3173 3.3 / RFC 2394: an IPComp header may carry the well-known CPI of
// its algorithm (2 for DEFLATE) rather than a negotiated one; KAME sends it so
// unless setkey -R is given. Such a CPI names no SA: the IPComp SA between the
// same peers is used (compression is stateless, so any such SA opens it).
constexpr std::uint32_t kFirstNegotiatedCpi = 256;

SaRef find_inbound_sa(const Sad& sad, const SaKey& key, const IpInfo& info) {
  SaRef sa = sad.get(key);
  if (sa || key.proto != IpsecProto::kIpComp || key.spi >= kFirstNegotiatedCpi) return sa;
  return sad.find_outbound(info.src, info.dst, IpsecProto::kIpComp, Mode::kAny, 0);
}

// The SA key of ESP right behind a plain outer header (esp_plain_outer), read
// in place; the header is checked in full by the transform (xform_input on
// the unparsed datagram), which answers as parse_ip would for anything wrong.
std::optional<SaKey> peek_esp_key(const Packet& p) {
  const int version = esp_plain_outer(p.bytes());
  const std::size_t off = version == 4 ? kIpv4HeaderLen : kIpv6HeaderLen;
  if (version == 0 || p.size() < off + 4) return std::nullopt;
  SaKey key;
  key.proto = IpsecProto::kEsp;
  key.dst = IpAddr::from_bytes(version, p.data() + (version == 4 ? 16 : 24));
  key.spi = load_be32(p.data() + off);
  return key;
}

}  // namespace

Result DataPlane::input(Packet& p) {
  ++stats_.in_packets;
  history_.clear();
  // Tunnel-mode ESP with an AEAD, the common case of a gateway: its SA opens
  // the datagram without a parse of the outer header first. What the general
  // path checks before xform_input (the SA's state, the protocol enabled) is
  // checked here; any other case takes the general path.
  if (const auto key = peek_esp_key(p)) {
    SaRef sa = sad_.get(*key);
    if (sa && sa->runtime().esp_aead_tunnel_in && proto_enabled(sysctl_, IpsecProto::kEsp) &&
        (sa->state() == SaState::kMature || sa->state() == SaState::kDying)) {
      HistoryStep step;
      if (Reason r = xform_input(*sa, p, sysctl_, step.step); r != Reason::kNone) return drop(r);
      step.reqid = sa->config().reqid;
      history_.push_back(step);
    }
  }
  ParseResult parsed = parse_ip(p.bytes());
  if (!parsed.info) return drop(parsed.error);
  IpInfo info = *parsed.info;

  if (history_.empty() && info.ulproto == ipproto::kUdp && info.dport == kNattPort && !info.is_fragment) {
    Reason r = natt_decapsulate(p, info);
    if (r == Reason::kNattKeepalive) {
      drops_.add(r);  // counted under its reason, though not an error
      return Result{Verdict::kConsumed, r};
    }
    if (r == Reason::kIkeMarker) {
      // IKE traffic for the local key daemon: not IPsec, passed up untouched.
      ++stats_.in_bypass;
      return Result{Verdict::kForward, r};
    }
    if (r != Reason::kNone) return drop(r);
    parsed = parse_ip(p.bytes());
    if (!parsed.info) return drop(parsed.error);
    info = *parsed.info;
  }

  for (;;) {
    SaRef comp_tunnel;
    if (!is_ipsec(info.ulproto)) {
      // IP-in-IP from a peer with an IPComp tunnel SA is that SA's uncompressed form.
      if (info.ulproto != ipproto::kIpIp && info.ulproto != ipproto::kIpv6) break;
      comp_tunnel = sad_.find_outbound(info.src, info.dst, IpsecProto::kIpComp, Mode::kTunnel, 0);
      if (!comp_tunnel) break;
    }
    if (history_.size() == kMaxBundle) return drop(Reason::kUnsupported);
    if (info.is_fragment) return drop(Reason::kFragment);  // reassembly comes first
    if (comp_tunnel) {
      if (!proto_enabled(sysctl_, IpsecProto::kIpComp)) return drop(Reason::kProtoDisabled);
      HistoryStep step;
      if (Reason r = ipcomp_uncompressed_tunnel_input(*comp_tunnel, p, info, sysctl_, step.step);
          r != Reason::kNone)
        return drop(r);
      step.reqid = comp_tunnel->config().reqid;
      history_.push_back(step);
      parsed = parse_ip(p.bytes());
      if (!parsed.info) return drop(parsed.error);
      info = *parsed.info;
      continue;
    }
    SaKey key;
    if (Reason r = read_sa_key(p, info, key); r != Reason::kNone) return drop(r);
    SaRef sa = find_inbound_sa(sad_, key, info);
    if (!sa) return drop(Reason::kUnknownSpi);
    SaState st = sa->state();
    if (st != SaState::kMature && st != SaState::kDying) return drop(Reason::kSaNotMature);
    if (!proto_enabled(sysctl_, key.proto)) return drop(Reason::kProtoDisabled);
    HistoryStep step;
    if (Reason r = xform_input(*sa, p, info, sysctl_, step.step); r != Reason::kNone) return drop(r);
    step.reqid = sa->config().reqid;
    history_.push_back(step);
    parsed = parse_ip(p.bytes());
    if (!parsed.info) return drop(parsed.error);
    info = *parsed.info;
  }

  if (!history_.empty() && tap_ && !tap_(p, Direction::kIn)) return drop(Reason::kFilter);
  return check_inbound(info);
}

Result DataPlane::check_inbound(const IpInfo& info) {
  const bool protected_packet = !history_.empty();
  auto accept = [&] {
    ++(protected_packet ? stats_.in_opened : stats_.in_bypass);
    return Result{};
  };
  std::shared_ptr<const Policy> pol = spd_.find(Direction::kIn, flow_key_of(info));
  if (!pol || pol->action == PolicyAction::kEntrust) {
    if (protected_packet || sysctl_.family(info.version).def_policy != 0) return accept();
    return drop(Reason::kDefaultPolicyDiscard);
  }
  switch (pol->action) {
    case PolicyAction::kDiscard: return drop(Reason::kPolicyDiscard);
    case PolicyAction::kIpsec:
      if (!history_satisfies(pol->requests, history_, sysctl_, info.version))
        return drop(Reason::kInboundPolicy);
      return accept();
    default: return accept();
  }
}

}  // namespace aipsec
