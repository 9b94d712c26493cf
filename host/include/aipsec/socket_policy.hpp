// Per-socket security policy: the equivalent of ipsec_set_policy(3) +
// setsockopt(IP_IPSEC_POLICY / IPV6_IPSEC_POLICY) for programs linked against
// the host library. A program names its sockets with opaque ids (or binds
// flows to them), gives each an inbound and an outbound policy as a policy
// string, and the data plane consults the socket's policy before the SPD, with
// KAME's precedence (FreeBSD ipsec_getpolicybysock):
//
//   socket policy   | outbound packets of the socket
//   ----------------+-------------------------------------------------
//   (none) entrust  | the SPD decides, as for any packet
//   bypass, none    | sent without IPsec, whatever the SPD says
//   discard         | dropped (Reason::kPolicyDiscard)
//   ipsec ...       | protected with the socket's requests; the SPD is not consulted
//
// and inbound: an ipsec socket policy must be satisfied by the packet's
// decapsulation history (in addition to the SPD check the data plane already
// made); bypass/none accept; discard drops; entrust leaves it to the SPD.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string_view>
#include <tuple>

#include "aipsec/dataplane.hpp"
#include "aipsec/policy.hpp"
#include "aipsec/setkey.hpp"

namespace aipsec {

// An opaque socket identity chosen by the program (a descriptor number, a
// connection id...).
using SocketId = std::uint64_t;

// One direction of a socket's policy, parsed from an ipsec_set_policy(3)
// string ("out ipsec esp/transport//require", "in bypass", ...).
class SocketPolicy {
 public:
  // Throws setkey::ParseError on a malformed string, Error when the string is
  // valid but not usable on a socket (fwd direction, tunnel request without
  // endpoints, more than kMaxBundle requests). Inline: the string grammar is in
  // aipsec_config, which the policy library does not link.
  static SocketPolicy parse(std::string_view policy_string) {
    return SocketPolicy(setkey::parse_policy_string(policy_string));
  }
  explicit SocketPolicy(setkey::PolicySpec spec);

  Direction dir() const { return spec_.dir; }
  PolicyAction action() const { return spec_.action; }
  const setkey::PolicySpec& spec() const { return spec_; }
  // The string ipsec_get_policy(3) would give back.
  std::string to_string() const { return setkey::format_policy_string(spec_); }
  // As an SPD policy for this flow (selector = the flow's addresses, ports and
  // protocol), id 0.
  Policy for_flow(const FlowKey& flow) const;

 private:
  setkey::PolicySpec spec_;
};

// The policies of every socket of a program. Thread-safe: setting policies
// (control) and resolving them (data path) may happen on different threads.
class SocketPolicyTable {
 public:
  // setsockopt(IP_IPSEC_POLICY): replaces the policy of the direction the
  // string names. Same errors as SocketPolicy::parse.
  void set(SocketId sock, std::string_view policy_string) { set(sock, SocketPolicy::parse(policy_string)); }
  void set(SocketId sock, const SocketPolicy& p);
  // getsockopt: nullopt when the direction was never set (KAME: entrust).
  std::optional<SocketPolicy> get(SocketId sock, Direction dir) const;
  // close(): forgets the socket's policies and flows. Returns whether it had any.
  bool remove(SocketId sock);
  std::size_t size() const;

  // For data paths that see packets rather than sockets: the flow (as seen
  // outbound, from the socket's address/port to the peer's) belongs to sock.
  // Inbound packets of the reverse flow map to the same socket.
  void bind_flow(SocketId sock, const FlowKey& outbound_flow);
  std::optional<SocketId> socket_of(Direction dir, const FlowKey& flow) const;

  // The policy that applies to a packet of the socket in a direction:
  // nullopt when the SPD decides (no policy or entrust), else the socket's
  // policy as an SPD policy for the flow.
  std::optional<Policy> resolve(SocketId sock, Direction dir, const FlowKey& flow) const;

 private:
  using FlowId = std::tuple<IpAddr, IpAddr, std::uint8_t, std::uint16_t, std::uint16_t>;
  static FlowId flow_id(const FlowKey& k, bool reverse);
  struct Entry {
    std::optional<SocketPolicy> in, out;
  };
  mutable std::shared_mutex mu_;
  std::map<SocketId, Entry> sockets_;
  std::map<FlowId, SocketId> flows_;
};

// Outbound processing of a packet sent by a socket: the socket's policy first,
// the SPD when it entrusts (DataPlane::output). Drops are counted in the data
// plane's counters like any other.
Result output_for_socket(DataPlane& dp, const SocketPolicyTable& table, SocketId sock, Packet& p);
// Inbound processing of a packet delivered to a socket: DataPlane::input, then
// the socket's inbound policy against the decapsulation history.
Result input_for_socket(DataPlane& dp, const SocketPolicyTable& table, SocketId sock, Packet& p);

}  // namespace aipsec
