// AES-CBC (no padding: ESP pads itself) and AES-CTR through OpenSSL EVP. Each
// context is keyed once; per packet only the IV is set. CBC needs one context per
// direction because the decryption key schedule differs; each is created on its
// first use, because an SA carries one direction of traffic and a keyed EVP
// context costs about 640 bytes. That first use allocates once; no later call does.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cstring>

#include "aipsec/crypto.hpp"
#include "crypto/evp_handles.hpp"

namespace aipsec::crypto {
namespace {

constexpr std::size_t kBlock = 16;

const EVP_CIPHER* evp_cipher_for(CipherKind kind, std::size_t key_size) {
  const bool cbc = kind == CipherKind::AesCbc;
  switch (key_size) {
    case 16: return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ctr();
    case 24: return cbc ? EVP_aes_192_cbc() : EVP_aes_192_ctr();
    case 32: return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ctr();
    default: throw Error("AES needs a 16, 24 or 32-byte key");
  }
}

detail::CipherCtxPtr unpadded(detail::CipherCtxPtr ctx) {
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  return ctx;
}

// One keyed context, IV set per call: the per-packet part shared by both modes.
bool run(EVP_CIPHER_CTX* ctx, bool whole_blocks, ByteView iv, ByteView in, std::uint8_t* out) {
  if (iv.size() != kBlock || in.size() > detail::kMaxEvpLen) return false;
  if (whole_blocks && in.size() % kBlock != 0) return false;
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, iv.data(), -1) != 1) return false;
  if (in.empty()) return true;
  int n = 0;
  return EVP_CipherUpdate(ctx, out, &n, in.data(), static_cast<int>(in.size())) == 1 &&
         static_cast<std::size_t>(n) == in.size();
}

// CTR decryption is encryption: one context, keyed at creation, serves both directions.
class EvpCtr final : public Cipher {
 public:
  explicit EvpCtr(ByteView key)
      : ctx_(unpadded(detail::make_keyed_ctx(evp_cipher_for(CipherKind::AesCtr, key.size()), key.data(), 1))) {}

  CipherKind kind() const override { return CipherKind::AesCtr; }
  Provider provider() const override { return Provider::OpenSsl; }
  bool encrypt(ByteView iv, ByteView in, std::uint8_t* out) override { return run(ctx_.get(), false, iv, in, out); }
  bool decrypt(ByteView iv, ByteView in, std::uint8_t* out) override { return run(ctx_.get(), false, iv, in, out); }

 private:
  detail::CipherCtxPtr ctx_;
};

class EvpCbc final : public Cipher {
 public:
  explicit EvpCbc(ByteView key) : cipher_(evp_cipher_for(CipherKind::AesCbc, key.size())) {
    std::memcpy(key_.data(), key.data(), key.size());
  }
  ~EvpCbc() override { OPENSSL_cleanse(key_.data(), key_.size()); }

  CipherKind kind() const override { return CipherKind::AesCbc; }
  Provider provider() const override { return Provider::OpenSsl; }
  bool encrypt(ByteView iv, ByteView in, std::uint8_t* out) override {
    return ready(enc_, 1) && run(enc_.get(), true, iv, in, out);
  }
  bool decrypt(ByteView iv, ByteView in, std::uint8_t* out) override {
    return ready(dec_, 0) && run(dec_.get(), true, iv, in, out);
  }

 private:
  // Creates a direction's context on its first use; false (the call fails,
  // nothing is thrown into the packet path) if OpenSSL refuses.
  bool ready(detail::CipherCtxPtr& ctx, int enc) {
    if (ctx) return true;
    try {
      ctx = unpadded(detail::make_keyed_ctx(cipher_, key_.data(), enc));
    } catch (const Error&) {
      return false;
    }
    return true;
  }

  const EVP_CIPHER* cipher_;  // implies the key size
  std::array<std::uint8_t, 32> key_{};
  detail::CipherCtxPtr enc_, dec_;
};

}  // namespace

// intel-ipsec-mb's single-buffer CBC encryption is serial AES-NI like OpenSSL's,
// so there is nothing to gain from it here: every kind runs on OpenSSL.
std::unique_ptr<Cipher> Cipher::create(CipherKind kind, ByteView key, std::optional<Provider>) {
  if (kind == CipherKind::AesCtr) return std::make_unique<EvpCtr>(key);
  return std::make_unique<EvpCbc>(key);
}

}  // namespace aipsec::crypto
