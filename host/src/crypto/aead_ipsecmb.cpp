// AES-GCM and ChaCha20-Poly1305 through intel-ipsec-mb's direct API (VAES,
// VPCLMULQDQ and AVX-512 code paths, faster than OpenSSL 3.0 on packet-sized
// buffers). Key material is expanded once per SA; the manager is shared by every
// context because the direct API only reads its function table.
#include "crypto/aead_impl.hpp"
#include "crypto/key_slab.hpp"

#ifdef AIPSEC_HAVE_IPSECMB

#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <new>

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

// The direct-API entry points for one AES key size. One table per key size,
// filled once: an SA keeps a pointer to it, not a copy.
struct GcmFns {
  aes_gcm_pre_t pre;
  aes_gcm_enc_dec_t enc, dec;
  aes_gmac_init_t gmac_init;
  aes_gmac_update_t gmac_update;
  aes_gmac_finalize_t gmac_final;
};

const GcmFns& fns_for(const IMB_MGR& m, std::size_t key_size) {
  static const GcmFns k128{m.gcm128_pre, m.gcm128_enc, m.gcm128_dec,
                           m.gmac128_init, m.gmac128_update, m.gmac128_finalize};
  static const GcmFns k192{m.gcm192_pre, m.gcm192_enc, m.gcm192_dec,
                           m.gmac192_init, m.gmac192_update, m.gmac192_finalize};
  static const GcmFns k256{m.gcm256_pre, m.gcm256_enc, m.gcm256_dec,
                           m.gmac256_init, m.gmac256_update, m.gmac256_finalize};
  switch (key_size) {
    case 16: return k128;
    case 24: return k192;
    case 32: return k256;
    default: throw Error("AES-GCM needs a 16, 24 or 32-byte key");
  }
}

using FullTag = std::array<std::uint8_t, 16>;

// The tag lengths ipsec-mb writes itself; others are cut from a full tag.
bool direct_tag_size(std::size_t n) { return n == 16 || n == 12 || n == 8; }

// The raw key, kept only to key the EVP context of the one call shape that
// ipsec-mb has no direct form for (see EvpFallback below).
struct RawKey {
  explicit RawKey(ByteView key) : size(key.size()) { std::memcpy(bytes.data(), key.data(), size); }
  ~RawKey() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
  RawKey(const RawKey&) = delete;
  RawKey& operator=(const RawKey&) = delete;
  ByteView view() const { return {bytes.data(), size}; }
  std::array<std::uint8_t, 32> bytes{};
  std::size_t size;
};

// An EVP context created on first use only: payload and a two-piece AAD at once
// has no direct-API form (GHASH pads each piece handed to init), and ESP and AH
// never call that shape, so most SAs never pay the memory of a second keyed
// context. The first such call allocates once; later calls do not.
class EvpFallback {
 public:
  EvpFallback(AeadKind kind, ByteView key) : kind_(kind), key_(key) {}
  const std::uint8_t* raw_key() const { return key_.bytes.data(); }
  Aead& get() {
    if (!evp_) evp_ = make_evp_aead(kind_, key_.view());
    return *evp_;
  }

 private:
  AeadKind kind_;
  RawKey key_;
  std::unique_ptr<Aead> evp_;
};

// Per call scratch of the direct API: on the stack, so an SA holds only its key
// schedule. Not wiped: it holds no key material (the round keys and hash-key
// powers stay in gcm_key_data), only the running GHASH of this packet and the
// keystream of its last partial block, which reveal no more than the packet in
// the clear beside it.
struct ScopedGcmCtx {
  gcm_context_data ctx;
};

class IpsecMbGcm final : public Aead {
 public:
  IpsecMbGcm(const IMB_MGR& mgr, ByteView key)
      : key_(key_slot_.get()), fns_(&fns_for(mgr, key.size())),
        fallback_(AeadKind::AesGcm, key) {
    fns_->pre(key.data(), key_);
  }
  IpsecMbGcm(const IpsecMbGcm&) = delete;
  IpsecMbGcm& operator=(const IpsecMbGcm&) = delete;

  AeadKind kind() const override { return AeadKind::AesGcm; }
  Provider provider() const override { return Provider::IpsecMb; }

  bool seal(ByteView nonce, ByteView aad, ByteView in, std::uint8_t* out, MutByteView tag) override {
    if (nonce.size() != kNonceSize || !valid_tag_size(tag.size())) return false;
    ScopedGcmCtx c;
    if (direct_tag_size(tag.size())) {
      fns_->enc(key_, &c.ctx, out, in.data(), in.size(), nonce.data(), aad.data(), aad.size(),
                tag.data(), tag.size());
      return true;
    }
    FullTag full;
    fns_->enc(key_, &c.ctx, out, in.data(), in.size(), nonce.data(), aad.data(), aad.size(),
              full.data(), full.size());
    std::memcpy(tag.data(), full.data(), tag.size());
    return true;
  }

  bool open(ByteView nonce, ByteView aad, ByteView in, std::uint8_t* out, ByteView tag) override {
    if (nonce.size() != kNonceSize || !valid_tag_size(tag.size())) return false;
    ScopedGcmCtx c;
    FullTag full;
    fns_->dec(key_, &c.ctx, out, in.data(), in.size(), nonce.data(), aad.data(), aad.size(),
              full.data(), full.size());
    return tag_equal(full.data(), tag.data(), tag.size());
  }

  bool seal_inplace(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len, std::uint8_t* buf,
                    std::size_t n, std::size_t tag_len) override {
    if (!valid_tag_size(tag_len)) return false;
    ScopedGcmCtx c;
    if (direct_tag_size(tag_len)) {
      fns_->enc(key_, &c.ctx, buf, buf, n, nonce, aad, aad_len, buf + n, tag_len);
      return true;
    }
    FullTag full;
    fns_->enc(key_, &c.ctx, buf, buf, n, nonce, aad, aad_len, full.data(), full.size());
    std::memcpy(buf + n, full.data(), tag_len);
    return true;
  }

  bool open_inplace(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len, std::uint8_t* buf,
                    std::size_t n, std::size_t tag_len) override {
    if (!valid_tag_size(tag_len)) return false;
    ScopedGcmCtx c;
    FullTag full;
    fns_->dec(key_, &c.ctx, buf, buf, n, nonce, aad, aad_len, full.data(), full.size());
    return tag_equal(full.data(), buf + n, tag_len);
  }

  bool seal2(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, std::uint8_t* out,
             MutByteView tag) override {
    if (aad2.empty()) return seal(nonce, aad, in, out, tag);
    if (nonce.size() != kNonceSize || !valid_tag_size(tag.size())) return false;
    if (!in.empty()) return fallback_.get().seal2(nonce, aad, aad2, in, out, tag);
    FullTag full;
    gmac(nonce, aad, aad2, full);
    std::memcpy(tag.data(), full.data(), tag.size());
    return true;
  }

  bool open2(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, std::uint8_t* out,
             ByteView tag) override {
    if (aad2.empty()) return open(nonce, aad, in, out, tag);
    if (nonce.size() != kNonceSize || !valid_tag_size(tag.size())) return false;
    if (!in.empty()) return fallback_.get().open2(nonce, aad, aad2, in, out, tag);
    FullTag full;
    gmac(nonce, aad, aad2, full);
    return tag_equal(full.data(), tag.data(), tag.size());
  }

 private:
  // GMAC with the AAD in two pieces: the streaming GMAC API carries a partial
  // block from one update to the next, so aad || aad2 is never copied.
  void gmac(ByteView nonce, ByteView aad, ByteView aad2, FullTag& full) {
    ScopedGcmCtx c;
    fns_->gmac_init(key_, &c.ctx, nonce.data(), nonce.size());
    if (!aad.empty()) fns_->gmac_update(key_, &c.ctx, aad.data(), aad.size());
    fns_->gmac_update(key_, &c.ctx, aad2.data(), aad2.size());
    fns_->gmac_final(key_, &c.ctx, full.data(), full.size());
  }

  // The key schedule (64-byte aligned, as its type asks) lives in the key
  // slab: locked, out of core dumps, wiped when the slot is released.
  KeySlot<gcm_key_data> key_slot_;
  gcm_key_data* key_;
  const GcmFns* fns_;
  EvpFallback fallback_;
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
        fallback_(AeadKind::ChaCha20Poly1305, checked_key(key)) {}

  AeadKind kind() const override { return AeadKind::ChaCha20Poly1305; }
  Provider provider() const override { return Provider::IpsecMb; }

  bool seal(ByteView nonce, ByteView aad, ByteView in, std::uint8_t* out, MutByteView tag) override {
    if (nonce.size() != kNonceSize || !valid_tag_size(tag.size())) return false;
    FullTag full;
    ScopedChaChaCtx c;
    init_(key(), &c.ctx, nonce.data(), aad.data(), aad.size());
    if (!in.empty()) enc_update_(key(), &c.ctx, out, in.data(), in.size());
    final_(&c.ctx, full.data(), full.size());
    std::memcpy(tag.data(), full.data(), tag.size());
    return true;
  }

  bool open(ByteView nonce, ByteView aad, ByteView in, std::uint8_t* out, ByteView tag) override {
    if (nonce.size() != kNonceSize || !valid_tag_size(tag.size())) return false;
    FullTag full;
    ScopedChaChaCtx c;
    init_(key(), &c.ctx, nonce.data(), aad.data(), aad.size());
    if (!in.empty()) dec_update_(key(), &c.ctx, out, in.data(), in.size());
    final_(&c.ctx, full.data(), full.size());
    return tag_equal(full.data(), tag.data(), tag.size());
  }

  // Poly1305 pads the AAD as a whole and ipsec-mb takes it in one piece at init:
  // a split AAD goes through the EVP context kept for it.
  bool seal2(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, std::uint8_t* out,
             MutByteView tag) override {
    if (aad2.empty()) return seal(nonce, aad, in, out, tag);
    return fallback_.get().seal2(nonce, aad, aad2, in, out, tag);
  }
  bool open2(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, std::uint8_t* out,
             ByteView tag) override {
    if (aad2.empty()) return open(nonce, aad, in, out, tag);
    return fallback_.get().open2(nonce, aad, aad2, in, out, tag);
  }

 private:
  static ByteView checked_key(ByteView key) {
    if (key.size() != 32) throw Error("ChaCha20-Poly1305 needs a 32-byte key");
    return key;
  }
  struct ScopedChaChaCtx {
    ~ScopedChaChaCtx() { OPENSSL_cleanse(&ctx, sizeof ctx); }
    chacha20_poly1305_context_data ctx;
  };
  // The key is used as is (ChaCha20 has no schedule); it lives in the fallback's copy.
  const std::uint8_t* key() const { return fallback_.raw_key(); }

  chacha_poly_init_t init_;
  chacha_poly_enc_dec_update_t enc_update_, dec_update_;
  chacha_poly_finalize_t final_;
  EvpFallback fallback_;
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
