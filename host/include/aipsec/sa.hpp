// Security associations: what the SAD holds, as setkey(8) and PF_KEY describe them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "aipsec/common.hpp"

namespace aipsec {

enum class IpsecProto : std::uint8_t { kEsp = 50, kAh = 51, kIpComp = 108 };
enum class Mode : std::uint8_t { kAny = 0, kTransport = 1, kTunnel = 2 };
enum class SaState : std::uint8_t { kLarval = 0, kMature = 1, kDying = 2, kDead = 3 };

// Encryption transforms (ESP). AEADs carry their ICV; key material as setkey writes
// it: GCM/GMAC = AES key || 4-byte salt, CTR = AES key || 4-byte nonce,
// ChaCha20-Poly1305 = 32-byte key || 4-byte salt (RFC 7634).
enum class EncAlg : std::uint8_t {
  kNone = 0,      // AH and IPComp SAs, or integrity-only ESP with kNull
  kNull,          // RFC 2410
  kAesCbc,        // RFC 3602, 128/192/256
  kAesCtr,        // RFC 3686
  kAesGcm8,       // RFC 4106, 8-byte ICV
  kAesGcm12,
  kAesGcm16,
  kChaCha20Poly1305,  // RFC 7634
  kAesGmac,       // RFC 4543 ENCR_NULL_AUTH_AES_GMAC (integrity only, 16-byte ICV)
};

// Integrity transforms (ESP with a non-AEAD cipher, and AH).
enum class AuthAlg : std::uint8_t {
  kNone = 0,
  kHmacSha1_96,      // RFC 2404
  kHmacSha256_128,   // RFC 4868
  kHmacSha384_192,
  kHmacSha512_256,
  kAesXcbc96,        // RFC 3566
  kAesGmac,          // RFC 4543 AUTH_AES_*_GMAC (AH); key = AES key || 4-byte salt
};

enum class CompAlg : std::uint8_t { kNone = 0, kDeflate };  // RFC 2394

// ESP padding content (setkey -f zero-pad / random-pad / seq-pad). seq-pad is the
// RFC 4303 default: 1, 2, 3, ...
enum class PadMode : std::uint8_t { kSequential = 0, kZero, kRandom };

struct AlgInfo {
  const char* name;          // setkey name
  std::size_t key_min, key_max;  // key material bytes (including salt/nonce)
  std::size_t icv_len;       // bytes of ICV this transform contributes
  std::size_t iv_len;        // bytes of IV on the wire
  std::size_t block;         // cipher block size for padding (4 if stream)
};
const AlgInfo& alg_info(EncAlg a);
const AlgInfo& alg_info(AuthAlg a);

// Soft and hard limits (0 = none). Times are seconds.
struct Lifetime {
  std::uint64_t bytes = 0;
  std::uint64_t packets = 0;
  std::uint64_t add_seconds = 0;  // since the SA was added
  std::uint64_t use_seconds = 0;  // since its first use
  bool operator==(const Lifetime&) const = default;
};

// What an SA is (immutable once installed, except state).
struct SaConfig {
  IpsecProto proto = IpsecProto::kEsp;
  std::uint32_t spi = 0;  // for IPComp: the CPI in the low 16 bits
  IpAddr src, dst;        // outer addresses (tunnel endpoints or transport peers)
  Mode mode = Mode::kAny;  // kAny: setkey's default "any" (used as transport unless a tunnel policy applies)
  std::uint32_t reqid = 0;
  // Optional inner selectors (from a key daemon); unset = any.
  std::optional<IpPrefix> sel_src, sel_dst;
  std::uint8_t sel_proto = 255;  // 255 = any

  EncAlg enc = EncAlg::kNone;
  AuthAlg auth = AuthAlg::kNone;
  CompAlg comp = CompAlg::kNone;
  SecureBytes enc_key;
  SecureBytes auth_key;

  std::uint32_t replay_window = 0;  // packets; 0 disables the replay check (setkey -r is bytes: *8)
  bool esn = false;                 // RFC 4303 extended sequence numbers (setkey -f esn)
  bool cyclic_seq = false;          // allow the sequence number to wrap (setkey -f cyclic-seq)
  PadMode pad = PadMode::kSequential;
  bool ipcomp_raw_cpi = false;      // setkey -R: CPI is used as given (not a well-known one)

  // NAT-T (RFC 3948): UDP encapsulation ports (0 = not encapsulated).
  std::uint16_t natt_sport = 0, natt_dport = 0;
  std::optional<IpAddr> natt_oa;  // original address, for transport-mode checksum fixup

  Lifetime hard, soft;
  std::uint32_t flags = 0;  // PF_KEY sadb_sa_flags, kept for round-trips
};

// What is counted on an SA as it is used (PF_KEY "current" lifetime).
struct SaCurrent {
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::uint64_t> packets{0};
  std::uint64_t add_time = 0;        // unix seconds
  std::atomic<std::uint64_t> first_use_time{0};
};

// Per-SA data-plane state (crypto contexts, sequence counter, replay window).
// Defined by the transform layer (xform.hpp); created when the SA is installed.
struct SaRuntime;

// One security association. Created through the SAD; shared by reference with
// flows and per-packet decapsulation history.
class Sa {
 public:
  explicit Sa(SaConfig cfg);  // builds the runtime (keys crypto contexts); throws Error
  ~Sa();                      // keys and crypto contexts are wiped
  Sa(const Sa&) = delete;
  Sa& operator=(const Sa&) = delete;

  const SaConfig& config() const { return cfg_; }
  SaState state() const { return state_.load(std::memory_order_acquire); }
  void set_state(SaState s);
  // How many SAs of this process have become dead so far: a mirror of the SAD
  // (the card's tables) compares it with what it last saw to know whether any
  // of its SAs may have died, without looking at each after every packet.
  static std::uint64_t deaths();
  SaCurrent& current() { return cur_; }
  const SaCurrent& current() const { return cur_; }
  SaRuntime& runtime() { return *rt_; }
  const SaRuntime& runtime() const { return *rt_; }

 private:
  SaConfig cfg_;
  std::atomic<SaState> state_{SaState::kMature};
  SaCurrent cur_;
  std::unique_ptr<SaRuntime> rt_;
};

using SaRef = std::shared_ptr<Sa>;

}  // namespace aipsec
