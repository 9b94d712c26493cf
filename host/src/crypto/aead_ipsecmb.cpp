// AES-GCM and ChaCha20-Poly1305 through intel-ipsec-mb's direct API (VAES,
// VPCLMULQDQ and AVX-512 code paths, faster than OpenSSL 3.0 on packet-sized
// buffers). Key material is expanded once per SA; the manager is shared by every
// context because the direct API only reads its function table.
#include "crypto/aead_impl.hpp"

#ifdef AIPSEC_HAVE_IPSECMB

#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>

#include <array>
#include <cstring>

namespace aipsec::crypto::detail {
namespace {

IMB_MGR* shared_manager() {
  static IMB_MGR* const mgr = [] {
    IMB_MGR* m = alloc_mb_mgr(0);
    if (m == nullptr) return m;
    IMB_ARCH arch{};
    init_mb_mgr_auto(m, &arch);
    if (imb_get_errno(m) != 0) {
      free_mb_mgr(m);
      return static_cast<IMB_MGR*>(nullptr);
    }
    return m;
  }();
  return mgr;
}

// The direct-API entry points for one AES key size.
struct GcmFns {
  aes_gcm_pre_t pre;
  aes_gcm_enc_dec_t enc, dec;
  aes_gcm_init_t init;
  aes_gcm_enc_dec_update_t enc_update, dec_update;
  aes_gcm_enc_dec_finalize_t enc_final, dec_final;
  aes_gmac_init_t gmac_init;
  aes_gmac_update_t gmac_update;
  aes_gmac_finalize_t gmac_final;
};

GcmFns fns_for(const IMB_MGR& m, std::size_t key_size) {
  switch (key_size) {
    case 16:
      return {m.gcm128_pre, m.gcm128_enc, m.gcm128_dec, m.gcm128_init, m.gcm128_enc_update,
              m.gcm128_dec_update, m.gcm128_enc_finalize, m.gcm128_dec_finalize,
              m.gmac128_init, m.gmac128_update, m.gmac128_finalize};
    case 24:
      return {m.gcm192_pre, m.gcm192_enc, m.gcm192_dec, m.gcm192_init, m.gcm192_enc_update,
              m.gcm192_dec_update, m.gcm192_enc_finalize, m.gcm192_dec_finalize,
              m.gmac192_init, m.gmac192_update, m.gmac192_finalize};
    case 32:
      return {m.gcm256_pre, m.gcm256_enc, m.gcm256_dec, m.gcm256_init, m.gcm256_enc_update,
              m.gcm256_dec_update, m.gcm256_enc_finalize, m.gcm256_dec_finalize,
              m.gmac256_init, m.gmac256_update, m.gmac256_finalize};
    default: throw Error("AES-GCM needs a 16, 24 or 32-byte key");
  }
}

using FullTag = std::array<std::uint8_t, 16>;

class IpsecMbGcm final : public Aead {
 public:
  IpsecMbGcm(const IMB_MGR& mgr, ByteView key)
      : fns_(fns_for(mgr, key.size())), evp_(make_evp_aead(AeadKind::AesGcm, key)) {
    fns_.pre(key.data(), &key_);
  }
  ~IpsecMbGcm() override {
    OPENSSL_cleanse(&key_, sizeof key_);
    OPENSSL_cleanse(&ctx_, sizeof ctx_);
  }

  AeadKind kind() const override { return AeadKind::AesGcm; }
  Provider provider() const override { return Provider::IpsecMb; }

  bool seal(ByteView nonce, ByteView aad, ByteView in, std::uint8_t* out, MutByteView tag) override {
    if (nonce.size() != kNonceSize || !valid_tag_size(tag.size())) return false;
    FullTag full;
    fns_.enc(&key_, &ctx_, out, in.data(), in.size(), nonce.data(), aad.data(), aad.size(),
             full.data(), full.size());
    std::memcpy(tag.data(), full.data(), tag.size());
    return true;
  }

  bool open(ByteView nonce, ByteView aad, ByteView in, std::uint8_t* out, ByteView tag) override {
    if (nonce.size() != kNonceSize || !valid_tag_size(tag.size())) return false;
    FullTag full;
    fns_.dec(&key_, &ctx_, out, in.data(), in.size(), nonce.data(), aad.data(), aad.size(),
             full.data(), full.size());
    return CRYPTO_memcmp(full.data(), tag.data(), tag.size()) == 0;
  }

  bool seal2(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, std::uint8_t* out,
             MutByteView tag) override {
    if (aad2.empty()) return seal(nonce, aad, in, out, tag);
    if (nonce.size() != kNonceSize || !valid_tag_size(tag.size())) return false;
    if (!in.empty()) return evp_->seal2(nonce, aad, aad2, in, out, tag);
    FullTag full;
    gmac(nonce, aad, aad2, full);
    std::memcpy(tag.data(), full.data(), tag.size());
    return true;
  }

  bool open2(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, std::uint8_t* out,
             ByteView tag) override {
    if (aad2.empty()) return open(nonce, aad, in, out, tag);
    if (nonce.size() != kNonceSize || !valid_tag_size(tag.size())) return false;
    if (!in.empty()) return evp_->open2(nonce, aad, aad2, in, out, tag);
    FullTag full;
    gmac(nonce, aad, aad2, full);
    return CRYPTO_memcmp(full.data(), tag.data(), tag.size()) == 0;
  }

 private:
  // GMAC with the AAD in two pieces: the streaming GMAC API carries a partial
  // block from one update to the next, so aad || aad2 is never copied.
  void gmac(ByteView nonce, ByteView aad, ByteView aad2, FullTag& full) {
    fns_.gmac_init(&key_, &ctx_, nonce.data(), nonce.size());
    if (!aad.empty()) fns_.gmac_update(&key_, &ctx_, aad.data(), aad.size());
    fns_.gmac_update(&key_, &ctx_, aad2.data(), aad2.size());
    fns_.gmac_final(&key_, &ctx_, full.data(), full.size());
  }

  GcmFns fns_;
  alignas(64) gcm_key_data key_{};
  gcm_context_data ctx_{};
  // Payload and a two-piece AAD at once has no direct-API form (GHASH pads each
  // piece handed to init); that shape, unused by ESP, goes through EVP.
  std::unique_ptr<Aead> evp_;
};

// ChaCha20-Poly1305 (RFC 8439) through ipsec-mb's direct API; its AVX-512 code is
// faster than OpenSSL 3.0's on packet-sized buffers (docs/crypto.md).
class IpsecMbChaCha final : public Aead {
 public:
  IpsecMbChaCha(const IMB_MGR& mgr, ByteView key)
      : init_(mgr.chacha20_poly1305_init),
        enc_update_(mgr.chacha20_poly1305_enc_update),
        dec_update_(mgr.chacha20_poly1305_dec_update),
        final_(mgr.chacha20_poly1305_finalize),
        evp_(make_evp_aead(AeadKind::ChaCha20Poly1305, key)) {  // checks the key size
    std::memcpy(key_.data(), key.data(), key_.size());
  }
  ~IpsecMbChaCha() override {
    OPENSSL_cleanse(key_.data(), key_.size());
    OPENSSL_cleanse(&ctx_, sizeof ctx_);
  }

  AeadKind kind() const override { return AeadKind::ChaCha20Poly1305; }
  Provider provider() const override { return Provider::IpsecMb; }

  bool seal(ByteView nonce, ByteView aad, ByteView in, std::uint8_t* out, MutByteView tag) override {
    if (nonce.size() != kNonceSize || !valid_tag_size(tag.size())) return false;
    FullTag full;
    init_(key_.data(), &ctx_, nonce.data(), aad.data(), aad.size());
    if (!in.empty()) enc_update_(key_.data(), &ctx_, out, in.data(), in.size());
    final_(&ctx_, full.data(), full.size());
    std::memcpy(tag.data(), full.data(), tag.size());
    return true;
  }

  bool open(ByteView nonce, ByteView aad, ByteView in, std::uint8_t* out, ByteView tag) override {
    if (nonce.size() != kNonceSize || !valid_tag_size(tag.size())) return false;
    FullTag full;
    init_(key_.data(), &ctx_, nonce.data(), aad.data(), aad.size());
    if (!in.empty()) dec_update_(key_.data(), &ctx_, out, in.data(), in.size());
    final_(&ctx_, full.data(), full.size());
    return CRYPTO_memcmp(full.data(), tag.data(), tag.size()) == 0;
  }

  // Poly1305 pads the AAD as a whole and ipsec-mb takes it in one piece at init:
  // a split AAD goes through the EVP context kept for it.
  bool seal2(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, std::uint8_t* out,
             MutByteView tag) override {
    if (aad2.empty()) return seal(nonce, aad, in, out, tag);
    return evp_->seal2(nonce, aad, aad2, in, out, tag);
  }
  bool open2(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, std::uint8_t* out,
             ByteView tag) override {
    if (aad2.empty()) return open(nonce, aad, in, out, tag);
    return evp_->open2(nonce, aad, aad2, in, out, tag);
  }

 private:
  chacha_poly_init_t init_;
  chacha_poly_enc_dec_update_t enc_update_, dec_update_;
  chacha_poly_finalize_t final_;
  std::array<std::uint8_t, 32> key_{};
  chacha20_poly1305_context_data ctx_{};
  std::unique_ptr<Aead> evp_;
};

}  // namespace

bool ipsecmb_available() noexcept { return shared_manager() != nullptr; }

std::unique_ptr<Aead> make_ipsecmb_aead(AeadKind kind, ByteView key) {
  IMB_MGR* mgr = shared_manager();
  if (mgr == nullptr) return nullptr;
  if (kind == AeadKind::ChaCha20Poly1305) return std::make_unique<IpsecMbChaCha>(*mgr, key);
  return std::make_unique<IpsecMbGcm>(*mgr, key);
}

}  // namespace aipsec::crypto::detail

#else  // !AIPSEC_HAVE_IPSECMB

namespace aipsec::crypto::detail {
bool ipsecmb_available() noexcept { return false; }
std::unique_ptr<Aead> make_ipsecmb_aead(AeadKind, ByteView) { return nullptr; }
}  // namespace aipsec::crypto::detail

#endif
