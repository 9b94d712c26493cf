// Why a packet was dropped or handed elsewhere. One list for the whole runtime
// (software data plane, tools, and the card's reason codes map onto it), so every
// drop is counted under a name that an operator can read.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace aipsec {

// X(enumerator, "name", "what it means")
#define AIPSEC_REASONS(X)                                                                  \
  X(kNone, "none", "not dropped")                                                          \
  X(kTruncated, "truncated", "packet shorter than its headers say")                        \
  X(kMalformedIp, "malformed_ip", "IP header fields inconsistent")                         \
  X(kBadIpVersion, "bad_ip_version", "neither IPv4 nor IPv6")                              \
  X(kBadIpChecksum, "bad_ip_checksum", "IPv4 header checksum wrong")                       \
  X(kExtHdrLimit, "ext_hdr_limit", "too many or malformed IPv6 extension headers")         \
  X(kNotEthernetIp, "not_ethernet_ip", "frame carries neither IPv4 nor IPv6")              \
  X(kPolicyDiscard, "policy_discard", "matched a discard policy")                          \
  X(kDefaultPolicyDiscard, "default_policy_discard", "no policy matched; def_policy=0")   \
  X(kNoSa, "no_sa", "policy requires an SA that does not exist (ACQUIRE)")                 \
  X(kProtoDisabled, "proto_disabled", "esp_enable/ah_enable/ipcomp_enable is off")         \
  X(kUnknownSpi, "unknown_spi", "no SA for destination, protocol and SPI")                 \
  X(kSaNotMature, "sa_not_mature", "SA is larval or dead")                                 \
  X(kReplay, "replay", "sequence number already seen")                                     \
  X(kReplayOld, "replay_old", "sequence number left of the replay window")                \
  X(kIcvFail, "icv_fail", "integrity check value did not verify")                          \
  X(kBadPadding, "bad_padding", "ESP padding or pad length invalid")                       \
  X(kBadLength, "bad_length", "payload length not valid for the algorithm")                \
  X(kDummyPacket, "dummy_packet", "ESP dummy packet (next header 59)")                     \
  X(kSeqOverflow, "seq_overflow", "sequence number would cycle; SA stopped")              \
  X(kLifetimeExpired, "lifetime_expired", "hard lifetime reached")                         \
  X(kCryptoError, "crypto_error", "crypto library failed")                                 \
  X(kNoRoom, "no_room", "packet buffer too small for the encapsulation")                   \
  X(kTooBig, "too_big", "result exceeds the maximum IP datagram size")                     \
  X(kDecompressFail, "decompress_fail", "IPComp payload did not inflate")                  \
  X(kBadNextHeader, "bad_next_header", "inner protocol not valid for the SA mode")         \
  X(kSelectorMismatch, "selector_mismatch", "inner packet outside the SA's selectors")    \
  X(kInboundPolicy, "inbound_policy", "decapsulation history does not satisfy the policy") \
  X(kFragment, "fragment", "fragment where a whole datagram is needed")                    \
  X(kNattBadPort, "natt_bad_port", "UDP-encapsulated ESP on an unexpected port")          \
  X(kNattKeepalive, "natt_keepalive", "NAT-T keepalive (consumed)")                        \
  X(kIkeMarker, "ike_marker", "non-ESP marker: IKE packet, not ESP (passed to IKE)")       \
  X(kFilter, "filter", "dropped by the enc filter")                                        \
  X(kHeldQueueFull, "held_queue_full", "ACQUIRE hold queue full")                          \
  X(kUnsupported, "unsupported", "feature not supported by this path")                      \
  X(kEcnCeNotEct, "ecn_ce_not_ect", "tunnel outer CE over inner Not-ECT (RFC 6040 4.2)")    \
  X(kPolicyIncomplete, "policy_incomplete", "ipsec policy without requests (SPDACQUIRE)")

enum class Reason : std::uint16_t {
#define AIPSEC_REASON_ENUM(e, n, d) e,
  AIPSEC_REASONS(AIPSEC_REASON_ENUM)
#undef AIPSEC_REASON_ENUM
      kCount
};

inline constexpr std::size_t kReasonCount = static_cast<std::size_t>(Reason::kCount);
std::string_view reason_name(Reason r);
std::string_view reason_description(Reason r);

// Per-reason counters (relaxed atomics: readable while traffic flows).
class ReasonCounters {
 public:
  void add(Reason r, std::uint64_t n = 1) {
    c_[static_cast<std::size_t>(r)].fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t get(Reason r) const { return c_[static_cast<std::size_t>(r)].load(std::memory_order_relaxed); }
  void reset() {
    for (auto& x : c_) x.store(0, std::memory_order_relaxed);
  }

 private:
  std::array<std::atomic<std::uint64_t>, kReasonCount> c_{};
};

}  // namespace aipsec
