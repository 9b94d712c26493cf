// Keys the per-SA crypto contexts once (sa_runtime.hpp).
#include "aipsec/sa_runtime.hpp"

#include <cstring>

#include "xform_internal.hpp"

namespace aipsec {
namespace {

crypto::MacKind mac_kind(AuthAlg a) {
  switch (a) {
    case AuthAlg::kHmacSha1_96: return crypto::MacKind::HmacSha1;
    case AuthAlg::kHmacSha256_128: return crypto::MacKind::HmacSha256;
    case AuthAlg::kHmacSha384_192: return crypto::MacKind::HmacSha384;
    case AuthAlg::kHmacSha512_256: return crypto::MacKind::HmacSha512;
    default: return crypto::MacKind::AesXcbc;
  }
}

// Splits "AES key || 4-byte salt" and keys an AEAD context with the AES part.
std::unique_ptr<crypto::Aead> salted_aead(crypto::AeadKind kind, const SecureBytes& k,
                                          std::array<std::uint8_t, 4>& salt) {
  const std::size_t n = k.size() - 4;
  std::memcpy(salt.data(), k.data() + n, 4);
  return crypto::Aead::create(kind, ByteView(k.data(), n));
}

}  // namespace

SaRuntime::SaRuntime(const SaConfig& cfg) : replay(cfg.replay_window, cfg.esn) {
  switch (cfg.enc) {
    case EncAlg::kAesGcm8:
    case EncAlg::kAesGcm12:
    case EncAlg::kAesGcm16:
    case EncAlg::kAesGmac: aead = salted_aead(crypto::AeadKind::AesGcm, cfg.enc_key, salt); break;
    case EncAlg::kChaCha20Poly1305:
      aead = salted_aead(crypto::AeadKind::ChaCha20Poly1305, cfg.enc_key, salt);
      break;
    case EncAlg::kAesCbc: cipher = crypto::Cipher::create(crypto::CipherKind::AesCbc, cfg.enc_key.view()); break;
    case EncAlg::kAesCtr: {
      const std::size_t n = cfg.enc_key.size() - 4;
      std::memcpy(salt.data(), cfg.enc_key.data() + n, 4);
      cipher = crypto::Cipher::create(crypto::CipherKind::AesCtr, ByteView(cfg.enc_key.data(), n));
      break;
    }
    default: break;
  }
  if (cfg.auth == AuthAlg::kAesGmac) {
    aead = salted_aead(crypto::AeadKind::AesGcm, cfg.auth_key, salt);
  } else if (cfg.auth != AuthAlg::kNone) {
    mac = crypto::Mac::create(mac_kind(cfg.auth), cfg.auth_key.view());
  }
  if (cfg.comp == CompAlg::kDeflate) deflate = std::make_unique<crypto::Deflate>();

  const AlgInfo& enc = alg_info(cfg.enc);
  const AlgInfo& auth = alg_info(cfg.auth);
  iv_len = cfg.proto == IpsecProto::kAh ? auth.iv_len : enc.iv_len;
  icv_len = enc.icv_len + auth.icv_len;
  block = enc.block;

  esp_aead_tunnel = cfg.proto == IpsecProto::kEsp && aead && cfg.enc != EncAlg::kAesGmac && iv_len == 8 &&
                    cfg.natt_dport == 0 && xform::tunnel_family_ok(cfg);
  count_limits = cfg.hard.bytes || cfg.hard.packets || cfg.soft.bytes || cfg.soft.packets;
  esp_aead_tunnel_in = cfg.proto == IpsecProto::kEsp && aead && cfg.enc != EncAlg::kAesGmac && iv_len == 8 &&
                       cfg.mode == Mode::kTunnel && !cfg.sel_src && !cfg.sel_dst && cfg.sel_proto == ipproto::kAny;

  // CBC IVs come from the SA's own encryption context (esp.cpp): no second key.
  if (cfg.enc == EncAlg::kAesCbc) crypto::random_bytes(iv_prefix);
  ip_id.store(std::uint16_t(crypto::nonsecret_random64()), std::memory_order_relaxed);
}

}  // namespace aipsec
