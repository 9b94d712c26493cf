// The software data plane: the policy engine that chains transforms into bundles
// outbound and unwraps them inbound, with the inbound policy check over the whole
// decapsulation history. It is both the fallback path and the golden model the
// card is verified against.
#pragma once

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
};

struct DataPlaneStats {
  std::uint64_t out_packets = 0, out_protected = 0, out_bypass = 0;
  std::uint64_t in_packets = 0, in_opened = 0, in_bypass = 0;
};

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
  Result output(Packet& p);

  // Inbound: p holds an IP datagram from the unprotected side. Opens every ESP,
  // AH and IPComp header addressed to us (and NAT-T UDP 4500), recording the
  // history, then checks the inner packet against the inbound SPD: every request
  // of the matching policy at level require/unique must be satisfied by a step of
  // the history (in order), and no unexpected IPsec may be present where the policy
  // says none.
  Result input(Packet& p);

  // enc(4)-like taps: called with the packet before outbound protection and after
  // inbound decapsulation. Return false to drop the packet (counted as kFilter).
  using Tap = std::function<bool(const Packet&, Direction)>;
  void set_tap(Tap t) { tap_ = std::move(t); }
  void set_acquire_handler(std::function<void(const AcquireRequest&)> h) { on_acquire_ = std::move(h); }

 private:
  Result drop(Reason r);
  Sad sad_;
  Spd spd_;
  Sysctl sysctl_;
  ReasonCounters drops_;
  DataPlaneStats stats_;
  Tap tap_;
  std::function<void(const AcquireRequest&)> on_acquire_;
};

}  // namespace aipsec
