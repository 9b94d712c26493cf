// AES-CBC (no padding: ESP pads itself) and AES-CTR through OpenSSL EVP. Each
// context is keyed once; per packet only the IV is set. CBC keeps one context per
// direction because the decryption key schedule differs.
#include <openssl/evp.h>

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

class EvpCipher final : public Cipher {
 public:
  EvpCipher(CipherKind kind, ByteView key) : kind_(kind) {
    const EVP_CIPHER* c = evp_cipher_for(kind, key.size());
    enc_ = unpadded(detail::make_keyed_ctx(c, key.data(), 1));
    // CTR decryption is encryption: one context serves both directions.
    if (kind == CipherKind::AesCbc) dec_ = unpadded(detail::make_keyed_ctx(c, key.data(), 0));
  }

  CipherKind kind() const override { return kind_; }
  Provider provider() const override { return Provider::OpenSsl; }

  bool encrypt(ByteView iv, ByteView in, std::uint8_t* out) override {
    return run(enc_.get(), iv, in, out);
  }
  bool decrypt(ByteView iv, ByteView in, std::uint8_t* out) override {
    return run(dec_ ? dec_.get() : enc_.get(), iv, in, out);
  }

 private:
  bool run(EVP_CIPHER_CTX* ctx, ByteView iv, ByteView in, std::uint8_t* out) {
    if (iv.size() != kBlock || in.size() > detail::kMaxEvpLen) return false;
    if (kind_ == CipherKind::AesCbc && in.size() % kBlock != 0) return false;
    if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, iv.data(), -1) != 1) return false;
    if (in.empty()) return true;
    int n = 0;
    return EVP_CipherUpdate(ctx, out, &n, in.data(), static_cast<int>(in.size())) == 1 &&
           static_cast<std::size_t>(n) == in.size();
  }

  CipherKind kind_;
  detail::CipherCtxPtr enc_, dec_;
};

}  // namespace

// intel-ipsec-mb's single-buffer CBC encryption is serial AES-NI like OpenSSL's,
// so there is nothing to gain from it here: every kind runs on OpenSSL.
std::unique_ptr<Cipher> Cipher::create(CipherKind kind, ByteView key, std::optional<Provider>) {
  return std::make_unique<EvpCipher>(kind, key);
}

}  // namespace aipsec::crypto
