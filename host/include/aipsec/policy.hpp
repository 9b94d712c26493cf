// Security policies (the SPD), as setkey(8) spdadd and the KAME PF_KEY SPD
// extensions describe them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aipsec/common.hpp"
#include "aipsec/sa.hpp"

namespace aipsec {

enum class Direction : std::uint8_t { kIn = 1, kOut = 2, kFwd = 3 };  // IPSEC_DIR_INBOUND/OUTBOUND/FWD

// KAME policy types (IPSEC_POLICY_*).
enum class PolicyAction : std::uint8_t { kDiscard = 0, kNone = 1, kIpsec = 2, kEntrust = 3, kBypass = 4 };

// KAME levels (IPSEC_LEVEL_*). kDefault resolves through the *_deflev sysctls.
enum class Level : std::uint8_t { kDefault = 0, kUse = 1, kRequire = 2, kUnique = 3 };

// One element of a policy's ordered request list: protocol/mode/src-dst/level.
struct IpsecRequest {
  IpsecProto proto = IpsecProto::kEsp;
  Mode mode = Mode::kTransport;
  std::optional<IpAddr> src, dst;  // tunnel endpoints (required for tunnel mode)
  Level level = Level::kRequire;
  std::uint32_t reqid = 0;          // unique:N (0 = none given)
  bool operator==(const IpsecRequest&) const = default;
};

// Traffic selector: prefixes, ports, upper-layer protocol (ICMP/ICMPv6 type/code).
struct Selector {
  IpPrefix src, dst;                   // prefix_len 0 = any
  std::uint16_t sport = 0, dport = 0;  // 0 = any
  std::uint8_t ulproto = 255;          // 255 = any
  std::optional<std::uint8_t> icmp_type, icmp_code;  // with ulproto icmp / ipv6-icmp
  bool operator==(const Selector&) const = default;
};

struct Policy {
  std::uint32_t id = 0;  // assigned by the SPD
  Selector sel;
  Direction dir = Direction::kOut;
  PolicyAction action = PolicyAction::kNone;
  std::vector<IpsecRequest> requests;  // in policy order: outbound applies [0] first (innermost)
  std::int32_t priority = 0;           // lower value = higher priority (Linux/KAME convention)
  Lifetime lifetime;                   // SPD entry lifetime (hard add/use seconds), 0 = none
};

// The flow key a lookup uses, extracted from a packet.
struct FlowKey {
  IpAddr src, dst;
  std::uint8_t ulproto = 0;
  std::uint16_t sport = 0, dport = 0;  // or icmp type << 8 | code for ICMP
  std::optional<std::uint8_t> icmp_type, icmp_code;
};

}  // namespace aipsec
