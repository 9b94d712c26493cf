// Sa construction: the configuration is checked against what each protocol
// allows (RFC 4303, 4302, 3173 and the algorithm RFCs), then keyed once.
#include <chrono>
#include <string>

#include "aipsec/sa.hpp"

#include <atomic>
#include "aipsec/sa_runtime.hpp"

namespace aipsec {
namespace {

constexpr AlgInfo kEncInfo[] = {
    {"none", 0, 0, 0, 0, 4},
    {"null", 0, 0, 0, 0, 4},                  // RFC 2410
    {"aes-cbc", 16, 32, 0, 16, 16},           // RFC 3602
    {"aes-ctr", 20, 36, 0, 8, 4},             // RFC 3686
    {"aes-gcm-8", 20, 36, 8, 8, 4},           // RFC 4106
    {"aes-gcm-12", 20, 36, 12, 8, 4},
    {"aes-gcm-16", 20, 36, 16, 8, 4},
    {"chacha20-poly1305", 36, 36, 16, 8, 4},  // RFC 7634
    {"aes-gmac", 20, 36, 16, 8, 4},           // RFC 4543
};
constexpr AlgInfo kAuthInfo[] = {
    {"none", 0, 0, 0, 0, 4},
    {"hmac-sha1", 20, 20, 12, 0, 4},      // RFC 2404
    {"hmac-sha256", 32, 32, 16, 0, 4},    // RFC 4868
    {"hmac-sha384", 48, 48, 24, 0, 4},
    {"hmac-sha512", 64, 64, 32, 0, 4},
    {"aes-xcbc-mac", 16, 16, 12, 0, 4},   // RFC 3566
    {"aes-gmac", 20, 36, 16, 8, 4},       // RFC 4543 (AH)
};

bool is_aead(EncAlg a) {
  return a == EncAlg::kAesGcm8 || a == EncAlg::kAesGcm12 || a == EncAlg::kAesGcm16 ||
         a == EncAlg::kChaCha20Poly1305 || a == EncAlg::kAesGmac;
}

// AES key || 4-byte salt: the AES key must be 16, 24 or 32 bytes.
bool aes_salted_key_ok(std::size_t n) { return n == 20 || n == 28 || n == 36; }

void check_enc_key(const SaConfig& c) {
  const std::size_t n = c.enc_key.size();
  bool ok = true;
  switch (c.enc) {
    case EncAlg::kNone:
    case EncAlg::kNull: ok = n == 0; break;
    case EncAlg::kAesCbc: ok = n == 16 || n == 24 || n == 32; break;
    case EncAlg::kChaCha20Poly1305: ok = n == 36; break;
    default: ok = aes_salted_key_ok(n); break;
  }
  if (!ok)
    throw Error(std::string("SA: ") + alg_info(c.enc).name + " key of " + std::to_string(n) +
                " bytes is not valid (see RFC key sizes; salted keys include the 4-byte salt)");
}

void check_auth_key(const SaConfig& c) {
  const std::size_t n = c.auth_key.size();
  const AlgInfo& ai = alg_info(c.auth);
  bool ok = c.auth == AuthAlg::kAesGmac ? aes_salted_key_ok(n) : (n >= ai.key_min && n <= ai.key_max);
  if (!ok)
    throw Error(std::string("SA: ") + ai.name + " key of " + std::to_string(n) + " bytes is not valid (" +
                std::to_string(ai.key_min) + " expected)");
}

void check_esp(const SaConfig& c) {
  if (c.enc == EncAlg::kNone)
    throw Error("SA: ESP needs an encryption algorithm (use null for integrity-only ESP)");
  if (c.comp != CompAlg::kNone) throw Error("SA: ESP SA cannot carry a compression algorithm");
  if (c.auth == AuthAlg::kAesGmac) throw Error("SA: for ESP use aes-gmac as the encryption algorithm (RFC 4543)");
  if (is_aead(c.enc) && c.auth != AuthAlg::kNone)
    throw Error(std::string("SA: ") + alg_info(c.enc).name + " is combined mode; no separate integrity algorithm");
  if (c.enc == EncAlg::kNull && c.auth == AuthAlg::kNone)
    throw Error("SA: ESP with null encryption needs an integrity algorithm (RFC 4303 3.2)");
}

void check_ah(const SaConfig& c) {
  if (c.auth == AuthAlg::kNone) throw Error("SA: AH needs an integrity algorithm");
  if (c.enc != EncAlg::kNone || c.comp != CompAlg::kNone)
    throw Error("SA: AH SA cannot carry an encryption or compression algorithm");
}

void check_ipcomp(const SaConfig& c) {
  if (c.comp != CompAlg::kDeflate) throw Error("SA: IPComp supports only deflate");
  if (c.enc != EncAlg::kNone || c.auth != AuthAlg::kNone)
    throw Error("SA: IPComp SA cannot carry encryption or integrity algorithms");
  if (c.spi == 0 || c.spi > 0xffff) throw Error("SA: IPComp CPI must be 1..65535");
  if (c.replay_window != 0 || c.esn) throw Error("SA: IPComp has no sequence numbers (no replay window, no ESN)");
}

void validate(const SaConfig& c) {
  switch (c.proto) {
    case IpsecProto::kEsp: check_esp(c); break;
    case IpsecProto::kAh: check_ah(c); break;
    case IpsecProto::kIpComp: check_ipcomp(c); break;
    default: throw Error("SA: unknown protocol");
  }
  if (c.proto != IpsecProto::kIpComp && c.spi == 0) throw Error("SA: SPI 0 is reserved (RFC 4303 2.1)");
  check_enc_key(c);
  check_auth_key(c);
  if (c.replay_window > ReplayWindow::kMaxSize)
    throw Error("SA: replay window larger than " + std::to_string(ReplayWindow::kMaxSize) + " packets");
  if (c.mode == Mode::kTunnel) {
    if (c.src.family == 0 || c.src.family != c.dst.family)
      throw Error("SA: tunnel mode needs source and destination addresses of one family");
  }
  if ((c.natt_sport || c.natt_dport) && c.proto != IpsecProto::kEsp)
    throw Error("SA: NAT-T UDP encapsulation applies to ESP only (RFC 3948)");
  if ((c.natt_sport == 0) != (c.natt_dport == 0)) throw Error("SA: NAT-T needs both UDP ports");
}

std::uint64_t unix_now() {
  return std::uint64_t(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
}

}  // namespace

const AlgInfo& alg_info(EncAlg a) {
  const auto i = static_cast<std::size_t>(a);
  return i < std::size(kEncInfo) ? kEncInfo[i] : kEncInfo[0];
}

const AlgInfo& alg_info(AuthAlg a) {
  const auto i = static_cast<std::size_t>(a);
  return i < std::size(kAuthInfo) ? kAuthInfo[i] : kAuthInfo[0];
}

Sa::Sa(SaConfig cfg) : cfg_(std::move(cfg)) {
  validate(cfg_);
  rt_ = std::make_unique<SaRuntime>(cfg_);
  cur_.add_time = unix_now();
}

Sa::~Sa() = default;

namespace {
std::atomic<std::uint64_t> g_sa_deaths{0};
}  // namespace

void Sa::set_state(SaState s) {
  if (s == SaState::kDead) {
    if (state_.exchange(s, std::memory_order_acq_rel) != SaState::kDead) g_sa_deaths.fetch_add(1, std::memory_order_release);
    return;
  }
  state_.store(s, std::memory_order_release);
}

std::uint64_t Sa::deaths() { return g_sa_deaths.load(std::memory_order_acquire); }

}  // namespace aipsec
