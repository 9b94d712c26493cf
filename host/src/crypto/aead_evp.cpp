// AES-GCM and ChaCha20-Poly1305 through OpenSSL EVP. The EVP_CIPHER_CTX is keyed
// once per SA; per packet only the nonce is set (EVP_CipherInit_ex with no cipher
// and no key), which reuses the key schedule and allocates nothing.
#include <openssl/evp.h>

#include "crypto/aead_impl.hpp"
#include "crypto/evp_handles.hpp"

namespace aipsec::crypto::detail {
namespace {

const EVP_CIPHER* evp_cipher_for(AeadKind kind, std::size_t key_size) {
  if (kind == AeadKind::ChaCha20Poly1305) {
    if (key_size != 32) throw Error("ChaCha20-Poly1305 needs a 32-byte key");
    return EVP_chacha20_poly1305();
  }
  switch (key_size) {
    case 16: return EVP_aes_128_gcm();
    case 24: return EVP_aes_192_gcm();
    case 32: return EVP_aes_256_gcm();
    default: throw Error("AES-GCM needs a 16, 24 or 32-byte key");
  }
}

bool fits_int(ByteView v) { return v.size() <= kMaxEvpLen; }

class EvpAead final : public Aead {
 public:
  EvpAead(AeadKind kind, ByteView key)
      : kind_(kind), ctx_(make_keyed_ctx(evp_cipher_for(kind, key.size()), key.data(), 1)) {}

  AeadKind kind() const override { return kind_; }
  Provider provider() const override { return Provider::OpenSsl; }

  bool seal(ByteView nonce, ByteView aad, ByteView in, std::uint8_t* out, MutByteView tag) override {
    return seal2(nonce, aad, {}, in, out, tag);
  }
  bool open(ByteView nonce, ByteView aad, ByteView in, std::uint8_t* out, ByteView tag) override {
    return open2(nonce, aad, {}, in, out, tag);
  }

  bool seal2(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, std::uint8_t* out,
             MutByteView tag) override {
    if (!valid_tag_size(tag.size())) return false;
    if (!start(nonce, aad, aad2, in, 1) || !crypt(in, out)) return false;
    int n = 0;
    if (EVP_CipherFinal_ex(ctx_.get(), out + in.size(), &n) != 1) return false;
    return EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag.size()),
                               tag.data()) == 1;
  }

  // OpenSSL compares the tag itself, in constant time (CRYPTO_memcmp).
  bool open2(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, std::uint8_t* out,
             ByteView tag) override {
    if (!valid_tag_size(tag.size())) return false;
    if (!start(nonce, aad, aad2, in, 0)) return false;
    // The tag is only read, but the ctrl interface takes a non-const pointer.
    if (EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()),
                            const_cast<std::uint8_t*>(tag.data())) != 1)
      return false;
    if (!crypt(in, out)) return false;
    int n = 0;
    return EVP_CipherFinal_ex(ctx_.get(), out + in.size(), &n) == 1;
  }

 private:
  bool start(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, int enc) {
    if (nonce.size() != kNonceSize || !fits_int(aad) || !fits_int(aad2) || !fits_int(in))
      return false;
    if (EVP_CipherInit_ex(ctx_.get(), nullptr, nullptr, nullptr, nonce.data(), enc) != 1)
      return false;
    return absorb(aad) && absorb(aad2);
  }
  bool absorb(ByteView aad) {
    int n = 0;
    return aad.empty() ||
           EVP_CipherUpdate(ctx_.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1;
  }
  bool crypt(ByteView in, std::uint8_t* out) {
    int n = 0;
    return in.empty() ||
           EVP_CipherUpdate(ctx_.get(), out, &n, in.data(), static_cast<int>(in.size())) == 1;
  }

  AeadKind kind_;
  CipherCtxPtr ctx_;
};

}  // namespace

std::unique_ptr<Aead> make_evp_aead(AeadKind kind, ByteView key) {
  return std::make_unique<EvpAead>(kind, key);
}

}  // namespace aipsec::crypto::detail
