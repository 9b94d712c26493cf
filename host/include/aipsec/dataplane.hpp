// The software data plane: the policy engine that chains transforms into bundles
// outbound and unwraps them inbound, with the inbound policy check over the whole
// decapsulation history. It is both the fallback path and the golden model the
// card is verified against.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "aipsec/packet.hpp"
#include "aipsec/reason.hpp"
#include "aipsec/sad.hpp"
#include "aipsec/spd.hpp"
#include "aipsec/sysctl.hpp"
#include "aipsec/xform.hpp"

namespace aipsec {

enum class Verdict : std::uint8_t {
  kForward,   // send p on (protected outbound, or opened inbound, or bypassed)
  kDrop,      // dropped; reason says why (and it was counted)
  kConsumed,  // taken by the data plane (e.g. NAT-T keepalive, held for ACQUIRE)
};

struct Result {
  Verdict verdict = Verdict::kForward;
  Reason reason = Reason::kNone;
};

// A policy needs an SA that does not exist: what a key daemon is asked for.
struct AcquireRequest {
  std::uint32_t policy_id = 0;
  IpsecRequest request;
  IpAddr src, dst;  // SA endpoints wanted
  FlowKey flow;     // the packet that triggered it
  // The policy is an ipsec policy without requests (KAME: sp->req == NULL):
  // SADB_X_SPDACQUIRE asks the key daemon to complete it with X_SPDUPDATE;
  // request, src and dst are then unused.
  bool policy_incomplete = false;
};

// One step of an inbound decapsulation history: what the transform did, and
// the reqid of the SA that did it (for unique:N requests).
struct HistoryStep {
  InputStep step;
  std::uint32_t reqid = 0;
};

// The most requests a policy may have, and the most IPsec headers the inbound
// path opens in one packet (a deeper nesting is dropped as kUnsupported).
inline constexpr std::size_t kMaxBundle = 8;

// The flow key of a parsed packet (ports for TCP/UDP/SCTP, type/code for ICMP).
FlowKey flow_key_of(const IpInfo& info);

// A request's level with kDefault resolved through the *_deflev sysctls of the
// packet's family (ip_version 4 or 6), by protocol and mode ("net" = tunnel).
// IPComp's default level is use.
Level resolve_level(const IpsecRequest& r, const Sysctl& sc, int ip_version);

// esp_enable / ah_enable / ipcomp_enable for a protocol.
bool proto_enabled(const Sysctl& sc, IpsecProto p);

// Whether an inbound decapsulation history (outermost first) satisfies the
// requests of an ipsec policy (in policy order, [0] innermost). Every request
// whose resolved level is require or unique must be matched by its own step, in
// nesting order, with the same protocol and mode, the same endpoints when the
// request gives them, and for unique with a given reqid the same reqid. Use-level
// requests and IPComp requests (RFC 3173 lets a sender leave small packets
// uncompressed) may be missing. Steps that no request accounts for are allowed.
bool history_satisfies(const std::vector<IpsecRequest>& requests,
                       const std::vector<HistoryStep>& history, const Sysctl& sc, int ip_version);

struct DataPlaneStats {
  std::uint64_t out_packets = 0, out_protected = 0, out_bypass = 0;
  std::uint64_t in_packets = 0, in_opened = 0, in_bypass = 0;
};

// One thread at a time calls output() and input() of a DataPlane (its
// counters and history are per instance); the control plane may change the
// SAD and SPD from other threads meanwhile.
class DataPlane {
 public:
  DataPlane();
  ~DataPlane();

  Sad& sad() { return sad_; }
  Spd& spd() { return spd_; }
  Sysctl& sysctl() { return sysctl_; }
  const ReasonCounters& drops() const { return drops_; }
  const DataPlaneStats& stats() const { return stats_; }

  // Outbound: p holds an IP datagram from the protected side. Looks up the
  // outbound SPD (def_policy when nothing matches), resolves each request's level,
  // applies the SA bundle in policy order. Missing SAs: a request at level use is
  // skipped; at require/unique the packet is dropped with kNoSa and on_acquire runs.
  // An ipsec policy without requests drops the packet (kPolicyIncomplete) and
  // runs on_acquire with policy_incomplete set, as KAME's key_spdacquire.
  Result output(Packet& p);

  // Inbound: p holds an IP datagram from the unprotected side. Opens every ESP,
  // AH and IPComp header addressed to us (and NAT-T UDP 4500), recording the
  // history, then checks the inner packet against the inbound SPD: every request
  // of the matching policy at level require/unique must be satisfied by a step of
  // the history (in order; see history_satisfies). A packet that arrived with IPsec
  // and matches no policy, or a none/bypass policy, is accepted (as KAME does);
  // without IPsec and without a policy, def_policy decides.
  Result input(Packet& p);

  // The same with a policy the caller chose, which takes precedence over the
  // SPD as a per-socket policy does in KAME (socket_policy.hpp). Outbound it
  // replaces the SPD lookup (entrust: output(p)); inbound it is checked after
  // input(p) accepted the packet. Defined in socket_dataplane.cpp.
  Result output(Packet& p, const Policy& chosen);
  Result input(Packet& p, const Policy& chosen);

  // The decapsulation history of the last packet given to input() (outermost first).
  const std::vector<HistoryStep>& last_history() const { return history_; }

  // enc(4)-like taps: called with the packet before outbound protection and after
  // inbound decapsulation. Return false to drop the packet (counted as kFilter).
  using Tap = std::function<bool(const Packet&, Direction)>;
  void set_tap(Tap t) { tap_ = std::move(t); }
  void set_acquire_handler(std::function<void(const AcquireRequest&)> h) { on_acquire_ = std::move(h); }

 private:
  Result drop(Reason r);
  Result check_inbound(const IpInfo& info);
  // Applies an ipsec policy's requests to p (SA selection, ACQUIRE, transforms).
  Result protect(Packet& p, const IpInfo& info, const Policy& pol);
  Sad sad_;
  Spd spd_;
  Sysctl sysctl_;
  ReasonCounters drops_;
  DataPlaneStats stats_;
  Tap tap_;
  std::vector<HistoryStep> history_;
  std::function<void(const AcquireRequest&)> on_acquire_;
};

}  // namespace aipsec
