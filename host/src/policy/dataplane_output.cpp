// Outbound processing: SPD lookup, SA bundle selection, transforms in policy order.
#include <array>

#include "aipsec/dataplane.hpp"

namespace aipsec {
namespace {

struct PlannedStep {
  SaRef sa;
  Mode mode = Mode::kTransport;
};

}  // namespace

Result DataPlane::output(Packet& p) {
  ++stats_.out_packets;
  ParseResult parsed = parse_ip(p.bytes());
  if (!parsed.info) return drop(parsed.error);
  const IpInfo& info = *parsed.info;
  const FlowKey flow = flow_key_of(info);
  std::shared_ptr<const Policy> pol = spd_.find(Direction::kOut, flow);
  if (!pol || pol->action == PolicyAction::kEntrust) {
    if (sysctl_.family(info.version).def_policy == 0) return drop(Reason::kDefaultPolicyDiscard);
    ++stats_.out_bypass;
    return {};
  }
  switch (pol->action) {
    case PolicyAction::kDiscard: return drop(Reason::kPolicyDiscard);
    case PolicyAction::kIpsec: break;
    default: ++stats_.out_bypass; return {};
  }

  return protect(p, info, *pol);
}

Result DataPlane::protect(Packet& p, const IpInfo& info, const Policy& pol) {
  if (pol.requests.empty()) {
    AcquireRequest a{pol.id, {}, info.src, info.dst, flow_key_of(info)};
    a.policy_incomplete = true;
    if (on_acquire_) on_acquire_(a);
    return drop(Reason::kPolicyIncomplete);
  }
  if (pol.requests.size() > kMaxBundle) return drop(Reason::kUnsupported);
  // Every SA is chosen before any transform runs, so a packet that cannot be
  // sent uses no sequence number. A transport request applies to the packet as
  // the previous requests leave it: its endpoints are the last tunnel's.
  std::array<PlannedStep, kMaxBundle> plan;
  std::size_t planned = 0;
  IpAddr src = info.src, dst = info.dst;
  for (const IpsecRequest& r : pol.requests) {
    if (!proto_enabled(sysctl_, r.proto)) {
      if (r.proto == IpsecProto::kIpComp) continue;  // compression is always optional
      return drop(Reason::kProtoDisabled);
    }
    Level level = resolve_level(r, sysctl_, info.version);
    IpAddr sa_src = r.mode == Mode::kTunnel ? *r.src : src;
    IpAddr sa_dst = r.mode == Mode::kTunnel ? *r.dst : dst;
    std::uint32_t reqid = level == Level::kUnique ? r.reqid : 0;
    SaRef sa = sad_.find_outbound(sa_src, sa_dst, r.proto, r.mode, reqid);
    if (!sa) {
      if (level == Level::kUse) continue;
      if (on_acquire_) on_acquire_(AcquireRequest{pol.id, r, sa_src, sa_dst, flow_key_of(info)});
      return drop(Reason::kNoSa);
    }
    plan[planned++] = PlannedStep{std::move(sa), r.mode};
    src = sa_src;
    dst = sa_dst;
  }
  if (planned == 0) {
    ++stats_.out_bypass;
    return {};
  }
  if (tap_ && !tap_(p, Direction::kOut)) return drop(Reason::kFilter);
  for (std::size_t i = 0; i < planned; ++i) {
    Reason r = xform_output(*plan[i].sa, plan[i].mode, p, sysctl_);
    if (r != Reason::kNone) return drop(r);
  }
  ++stats_.out_protected;
  return {};
}

}  // namespace aipsec
