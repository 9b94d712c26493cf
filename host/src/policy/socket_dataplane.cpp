// The data plane with a per-socket policy in place of the SPD's (KAME's
// ipsec_getpolicybysock precedence), and the socket-level entry points.
#include "aipsec/socket_policy.hpp"

namespace aipsec {

// After the policy is chosen, the bundle is applied exactly as for an SPD policy.
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
  return protect(p, info, chosen);
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
