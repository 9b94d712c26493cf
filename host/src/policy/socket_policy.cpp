// Per-socket policies (ipsec_set_policy(3) strings) and the table that holds
// them for every socket of a program.
#include "aipsec/socket_policy.hpp"

#include <mutex>

namespace aipsec {

SocketPolicy::SocketPolicy(setkey::PolicySpec spec) : spec_(std::move(spec)) {
  if (spec_.dir == Direction::kFwd) throw Error("a socket policy is in or out, not fwd");
  if (spec_.requests.size() > kMaxBundle)
    throw Error("a socket policy has at most " + std::to_string(kMaxBundle) + " requests");
  for (const auto& r : spec_.requests)
    if (r.mode == Mode::kTunnel && (!r.src || !r.dst)) throw Error("a tunnel request needs both endpoints");
}

Policy SocketPolicy::for_flow(const FlowKey& flow) const {
  Policy p;
  p.dir = spec_.dir;
  p.action = spec_.action;
  p.priority = spec_.priority;
  p.requests = spec_.requests;
  p.sel.src = IpPrefix{flow.src, std::uint8_t(flow.src.size() * 8)};
  p.sel.dst = IpPrefix{flow.dst, std::uint8_t(flow.dst.size() * 8)};
  p.sel.ulproto = flow.ulproto;
  p.sel.sport = flow.sport;
  p.sel.dport = flow.dport;
  p.sel.icmp_type = flow.icmp_type;
  p.sel.icmp_code = flow.icmp_code;
  return p;
}

void SocketPolicyTable::set(SocketId sock, const SocketPolicy& p) {
  std::unique_lock lock(mu_);
  Entry& e = sockets_[sock];
  (p.dir() == Direction::kIn ? e.in : e.out) = p;
}

std::optional<SocketPolicy> SocketPolicyTable::get(SocketId sock, Direction dir) const {
  std::shared_lock lock(mu_);
  auto it = sockets_.find(sock);
  if (it == sockets_.end()) return std::nullopt;
  return dir == Direction::kIn ? it->second.in : dir == Direction::kOut ? it->second.out : std::nullopt;
}

bool SocketPolicyTable::remove(SocketId sock) {
  std::unique_lock lock(mu_);
  bool had = sockets_.erase(sock) != 0;
  for (auto it = flows_.begin(); it != flows_.end();) {
    if (it->second == sock) {
      it = flows_.erase(it);
      had = true;
    } else {
      ++it;
    }
  }
  return had;
}

std::size_t SocketPolicyTable::size() const {
  std::shared_lock lock(mu_);
  return sockets_.size();
}

SocketPolicyTable::FlowId SocketPolicyTable::flow_id(const FlowKey& k, bool reverse) {
  if (reverse) return {k.dst, k.src, k.ulproto, k.dport, k.sport};
  return {k.src, k.dst, k.ulproto, k.sport, k.dport};
}

void SocketPolicyTable::bind_flow(SocketId sock, const FlowKey& outbound_flow) {
  std::unique_lock lock(mu_);
  flows_[flow_id(outbound_flow, false)] = sock;
}

std::optional<SocketId> SocketPolicyTable::socket_of(Direction dir, const FlowKey& flow) const {
  std::shared_lock lock(mu_);
  // An inbound packet travels the socket's outbound flow backwards.
  auto it = flows_.find(flow_id(flow, dir == Direction::kIn));
  if (it == flows_.end()) return std::nullopt;
  return it->second;
}

std::optional<Policy> SocketPolicyTable::resolve(SocketId sock, Direction dir, const FlowKey& flow) const {
  std::optional<SocketPolicy> p = get(sock, dir);
  if (!p || p->action() == PolicyAction::kEntrust) return std::nullopt;
  return p->for_flow(flow);
}

}  // namespace aipsec
