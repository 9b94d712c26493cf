// Per-SA data-plane state, created once when the SA is installed (sa.hpp's
// Sa::Sa): keyed crypto contexts, the outbound sequence counter, the replay
// window and the IV generator. The per-packet path only reads the contexts and
// advances counters; it never allocates.
//
// Concurrency: the outbound counter is atomic; the replay window and the crypto
// contexts are not, so one SA is processed by one thread at a time in each
// direction (the data plane serialises per SA, as the card does per SA slot).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "aipsec/crypto.hpp"
#include "aipsec/replay.hpp"
#include "aipsec/sa.hpp"

namespace aipsec {

struct SaRuntime {
  explicit SaRuntime(const SaConfig& cfg);

  // Exactly the contexts the SA's algorithms need are set.
  std::unique_ptr<crypto::Aead> aead;      // ESP GCM / ChaCha20-Poly1305 / GMAC, AH GMAC
  std::unique_ptr<crypto::Cipher> cipher;  // ESP AES-CBC / AES-CTR
  std::unique_ptr<crypto::Mac> mac;        // ESP and AH HMAC / AES-XCBC
  std::unique_ptr<crypto::Deflate> deflate;  // IPComp

  // The 4 bytes after the AES key (GCM/GMAC/ChaCha salt, CTR nonce).
  std::array<std::uint8_t, 4> salt{};
  std::size_t iv_len = 0;   // IV bytes on the wire
  std::size_t icv_len = 0;  // ICV bytes on the wire (before AH alignment padding)
  std::size_t block = 4;    // ESP padding alignment

  // Outbound: the last sequence number used (0 = none yet), as a 64-bit count;
  // the wire carries its low 32 bits. Counter-mode IVs are this number, so they
  // are never reused for a key.
  std::atomic<std::uint64_t> seq_out{0};
  ReplayWindow replay;

  // AES-CBC IVs: AES-ECB under a random per-SA key of (random prefix || counter),
  // i.e. unpredictable to anyone without iv_key (RFC 3602 section 2.4 allows any
  // unpredictable IV; NIST SP 800-38A Appendix C method 1).
  std::unique_ptr<crypto::Cipher> iv_gen;  // AES-128-CBC used on one block with a zero IV
  std::array<std::uint8_t, 8> iv_prefix{};
  std::atomic<std::uint64_t> iv_count{0};

  // Outer IPv4 identification for tunnel mode (random start, per packet).
  std::atomic<std::uint16_t> ip_id{0};
};

}  // namespace aipsec
