// The data plane with a per-socket policy in place of the SPD's (KAME's
// ipsec_getpolicybysock precedence), and the socket-level entry points.
#include <array>

#include "aipsec/socket_policy.hpp"

namespace aipsec {
namespace {

bool proto_enabled(const Sysctl& sc, IpsecProto p) {
  switch (p) {
    case IpsecProto::kEsp: return sc.esp_enable != 0;
    case IpsecProto::kAh: return sc.ah_enable != 0;
    case IpsecProto::kIpComp: return sc.ipcomp_enable != 0;
  }
  return false;
}

}  // namespace

// The bundle logic is that of output(Packet&) after its SPD lookup: every SA
// is chosen before any transform runs; a transport request applies between
// the endpoints the previous tunnel left.
Result DataPlane::output(Packet& p, const Policy& chosen) {
  if (chosen.action == PolicyAction::kEntrust) return output(p);
  ++stats_.out_packets;
  ParseResult parsed = parse_ip(p.bytes());
  if (!parsed.info) return drop(parsed.error);
  const IpInfo& info = *parsed.info;
  if (chosen.action == PolicyAction::kDiscard) return drop(Reason::kPolicyDiscard);
  if (chosen.action != PolicyAction::kIpsec || chosen.requests.empty()) {
    ++stats_.out_bypass;
    return {};
  }
  if (chosen.requests.size() > kMaxBundle) return drop(Reason::kUnsupported);
  std::array<std::pair<SaRef, Mode>, kMaxBundle> plan;
  std::size_t planned = 0;
  IpAddr src = info.src, dst = info.dst;
  for (const IpsecRequest& r : chosen.requests) {
    if (!proto_enabled(sysctl_, r.proto)) {
      if (r.proto == IpsecProto::kIpComp) continue;
      return drop(Reason::kProtoDisabled);
    }
    Level level = resolve_level(r, sysctl_, info.version);
    IpAddr sa_src = r.mode == Mode::kTunnel ? *r.src : src;
    IpAddr sa_dst = r.mode == Mode::kTunnel ? *r.dst : dst;
    SaRef sa = sad_.find_outbound(sa_src, sa_dst, r.proto, r.mode, level == Level::kUnique ? r.reqid : 0);
    if (!sa) {
      if (level == Level::kUse) continue;
      if (on_acquire_) on_acquire_(AcquireRequest{chosen.id, r, sa_src, sa_dst, flow_key_of(info)});
      return drop(Reason::kNoSa);
    }
    plan[planned++] = {std::move(sa), r.mode};
    src = sa_src;
    dst = sa_dst;
  }
  if (planned == 0) {
    ++stats_.out_bypass;
    return {};
  }
  if (tap_ && !tap_(p, Direction::kOut)) return drop(Reason::kFilter);
  for (std::size_t i = 0; i < planned; ++i)
    if (Reason r = xform_output(*plan[i].first, plan[i].second, p, sysctl_); r != Reason::kNone) return drop(r);
  ++stats_.out_protected;
  return {};
}

Result DataPlane::input(Packet& p, const Policy& chosen) {
  Result r = input(p);
  if (r.verdict != Verdict::kForward || chosen.action == PolicyAction::kEntrust) return r;
  if (chosen.action == PolicyAction::kDiscard) return drop(Reason::kPolicyDiscard);
  if (chosen.action != PolicyAction::kIpsec) return r;
  ParseResult parsed = parse_ip(p.bytes());
  if (!parsed.info) return drop(parsed.error);
  if (!history_satisfies(chosen.requests, history_, sysctl_, parsed.info->version))
    return drop(Reason::kInboundPolicy);
  return r;
}

namespace {

std::optional<FlowKey> flow_of(const Packet& p) {
  ParseResult parsed = parse_ip(p.bytes());
  if (!parsed.info) return std::nullopt;
  return flow_key_of(*parsed.info);
}

}  // namespace

Result output_for_socket(DataPlane& dp, const SocketPolicyTable& table, SocketId sock, Packet& p) {
  std::optional<FlowKey> flow = flow_of(p);
  std::optional<Policy> pol = flow ? table.resolve(sock, Direction::kOut, *flow) : std::nullopt;
  return pol ? dp.output(p, *pol) : dp.output(p);
}

Result input_for_socket(DataPlane& dp, const SocketPolicyTable& table, SocketId sock, Packet& p) {
  std::optional<SocketPolicy> sp = table.get(sock, Direction::kIn);
  if (!sp || sp->action() == PolicyAction::kEntrust) return dp.input(p);
  // Inbound the socket itself is the selector: only the action and requests count.
  return dp.input(p, sp->for_flow(FlowKey{}));
}

}  // namespace aipsec
