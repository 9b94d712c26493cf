// Per-SA data-plane state, created once when the SA is installed (sa.hpp's
// Sa::Sa): keyed crypto contexts, the outbound sequence counter, the replay
// window and the IV generator. The per-packet path only reads the contexts and
// advances counters; it never allocates.
//
// Concurrency: one SA is processed by one thread at a time (an SA carries one
// direction of traffic; the data plane serialises per SA, as the card does per
// SA slot). The counters (seq_out, ip_id, iv_count and SaCurrent's) are atomics
// so that other threads may read them at any time, but the processing thread
// advances them with a plain load and store: a locked read-modify-write per
// counter would cost more than the rest of the per-packet bookkeeping. The
// replay window and the crypto contexts are not thread-safe either.
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
  // Outer IPv4 identification for tunnel mode (random start, per packet);
  // beside salt, where it fills what would be padding.
  std::atomic<std::uint16_t> ip_id{0};
  // The flags below sit beside ip_id, in what would be padding.
  // Tunnel-mode ESP with an AEAD (AES-GCM, ChaCha20-Poly1305: an 8-byte IV),
  // no NAT-T and addresses of one family: outbound datagrams of the common
  // shapes take xform_output's one-pass path (xform_internal.hpp).
  bool esp_aead_tunnel : 1 = false;
  // Inbound: ESP with such an AEAD on an SA fixed to tunnel mode and without
  // selectors to check the inner datagram against (xform_input's one pass).
  bool esp_aead_tunnel_in : 1 = false;
  // The SA has a byte or packet lifetime (hard or soft) to check per packet.
  bool count_limits : 1 = false;
  std::size_t iv_len = 0;   // IV bytes on the wire
  std::size_t icv_len = 0;  // ICV bytes on the wire (before AH alignment padding)
  std::size_t block = 4;    // ESP padding alignment

  // Outbound: the last sequence number used (0 = none yet), as a 64-bit count;
  // the wire carries its low 32 bits. Counter-mode IVs are this number, so they
  // are never reused for a key.
  std::atomic<std::uint64_t> seq_out{0};
  ReplayWindow replay;

  // AES-CBC IVs: the SA's cipher key applied to (random prefix || counter), i.e.
  // unpredictable to anyone without the key (RFC 3602 section 2.4 allows any
  // unpredictable IV; NIST SP 800-38A Appendix C, first method, same key).
  // iv_gen is no longer set (a second keyed context per SA cost ~1.3 KB); kept
  // for source compatibility.
  std::unique_ptr<crypto::Cipher> iv_gen;
  std::array<std::uint8_t, 8> iv_prefix{};
  std::atomic<std::uint64_t> iv_count{0};

};

}  // namespace aipsec
