// AES-XCBC-MAC (RFC 3566) on OpenSSL AES. K1, K2 and K3 are derived once per SA;
// the CBC-MAC chain runs through an AES-128-CBC context keyed with K1, whose
// chaining value carries over between updates. The last block is held back
// until finish() because it is XORed with K2 (complete) or K3 (padded).
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "crypto/evp_handles.hpp"
#include "crypto/mac_impl.hpp"

namespace aipsec::crypto::detail {
namespace {

constexpr std::size_t kBlock = 16;
using Block = std::array<std::uint8_t, kBlock>;

Block derive(EVP_CIPHER_CTX* ecb, std::uint8_t fill) {
  Block in, out;
  in.fill(fill);
  int n = 0;
  if (EVP_EncryptUpdate(ecb, out.data(), &n, in.data(), kBlock) != 1 || n != kBlock)
    throw Error("AES-XCBC key derivation failed");
  return out;
}

class AesXcbc final : public Mac {
 public:
  explicit AesXcbc(ByteView key) {
    if (key.size() != kBlock) throw Error("AES-XCBC-MAC needs a 16-byte key");
    CipherCtxPtr ecb = make_keyed_ctx(EVP_aes_128_ecb(), key.data(), 1);
    EVP_CIPHER_CTX_set_padding(ecb.get(), 0);
    Block k1 = derive(ecb.get(), 0x01);
    k2_ = derive(ecb.get(), 0x02);
    k3_ = derive(ecb.get(), 0x03);
    cbc_ = make_keyed_ctx(EVP_aes_128_cbc(), k1.data(), 1);
    EVP_CIPHER_CTX_set_padding(cbc_.get(), 0);
    OPENSSL_cleanse(k1.data(), k1.size());
    begin();
  }
  ~AesXcbc() override {
    OPENSSL_cleanse(k2_.data(), kBlock);
    OPENSSL_cleanse(k3_.data(), kBlock);
    OPENSSL_cleanse(pending_.data(), kBlock);
  }

  MacKind kind() const override { return MacKind::AesXcbc; }
  std::size_t full_size() const override { return kBlock; }

  void begin() override {
    static constexpr Block kZeroIv{};
    EVP_CipherInit_ex(cbc_.get(), nullptr, nullptr, nullptr, kZeroIv.data(), 1);
    pending_len_ = 0;
  }

  void update(ByteView data) override {
    while (!data.empty()) {
      if (pending_len_ == kBlock) {  // more follows, so the held block is not the last
        chain(pending_.data(), kBlock);
        pending_len_ = 0;
      }
      if (pending_len_ == 0 && data.size() > kBlock) {
        // Whole blocks straight through, always keeping at least one byte back.
        const std::size_t n = std::min((data.size() - 1) / kBlock * kBlock, scratch_.size());
        chain(data.data(), n);
        data = data.subspan(n);
        continue;
      }
      const std::size_t n = std::min(kBlock - pending_len_, data.size());
      std::memcpy(pending_.data() + pending_len_, data.data(), n);
      pending_len_ += n;
      data = data.subspan(n);
    }
  }

  void finish(MutByteView out) override {
    const Block& k = pending_len_ == kBlock ? k2_ : k3_;
    if (pending_len_ < kBlock) {
      pending_[pending_len_] = 0x80;
      std::fill(pending_.begin() + static_cast<std::ptrdiff_t>(pending_len_) + 1, pending_.end(), 0);
    }
    for (std::size_t i = 0; i < kBlock; ++i) pending_[i] ^= k[i];
    chain(pending_.data(), kBlock);
    std::memcpy(out.data(), scratch_.data(), std::min(out.size(), kBlock));
    OPENSSL_cleanse(scratch_.data(), kBlock);
    begin();
  }

 private:
  // CBC-encrypts n bytes (a multiple of 16, at most scratch_.size()); the last
  // ciphertext block, the running MAC, lands at the start of scratch_ when n is 16.
  void chain(const std::uint8_t* p, std::size_t n) {
    int len = 0;
    EVP_EncryptUpdate(cbc_.get(), scratch_.data(), &len, p, static_cast<int>(n));
  }

  CipherCtxPtr cbc_;
  Block k2_{}, k3_{}, pending_{};
  std::size_t pending_len_ = 0;
  std::array<std::uint8_t, 512> scratch_{};
};

}  // namespace

std::unique_ptr<Mac> make_aes_xcbc(ByteView key) { return std::make_unique<AesXcbc>(key); }

}  // namespace aipsec::crypto::detail
