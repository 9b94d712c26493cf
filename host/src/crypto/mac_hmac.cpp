// HMAC (RFC 2104) with the keyed inner and outer hash states computed once per
// SA. OpenSSL 3.0's EVP_MD_CTX_copy_ex and EVP_MAC_init both duplicate a
// provider context (a heap allocation) on every call, so the states are kept in
// the plain low-level SHA*_CTX structs and copied by value per packet.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "crypto/mac_impl.hpp"

namespace aipsec::crypto::detail {
namespace {

struct Sha1 {
  static constexpr MacKind kKind = MacKind::HmacSha1;
  using Ctx = SHA_CTX;
  static constexpr std::size_t kBlock = 64, kSize = 20;
  static void init(Ctx* c) { SHA1_Init(c); }
  static void update(Ctx* c, const void* p, std::size_t n) { SHA1_Update(c, p, n); }
  static void final(std::uint8_t* d, Ctx* c) { SHA1_Final(d, c); }
};
struct Sha256 {
  static constexpr MacKind kKind = MacKind::HmacSha256;
  using Ctx = SHA256_CTX;
  static constexpr std::size_t kBlock = 64, kSize = 32;
  static void init(Ctx* c) { SHA256_Init(c); }
  static void update(Ctx* c, const void* p, std::size_t n) { SHA256_Update(c, p, n); }
  static void final(std::uint8_t* d, Ctx* c) { SHA256_Final(d, c); }
};
struct Sha384 {
  static constexpr MacKind kKind = MacKind::HmacSha384;
  using Ctx = SHA512_CTX;
  static constexpr std::size_t kBlock = 128, kSize = 48;
  static void init(Ctx* c) { SHA384_Init(c); }
  static void update(Ctx* c, const void* p, std::size_t n) { SHA384_Update(c, p, n); }
  static void final(std::uint8_t* d, Ctx* c) { SHA384_Final(d, c); }
};
struct Sha512 {
  static constexpr MacKind kKind = MacKind::HmacSha512;
  using Ctx = SHA512_CTX;
  static constexpr std::size_t kBlock = 128, kSize = 64;
  static void init(Ctx* c) { SHA512_Init(c); }
  static void update(Ctx* c, const void* p, std::size_t n) { SHA512_Update(c, p, n); }
  static void final(std::uint8_t* d, Ctx* c) { SHA512_Final(d, c); }
};

template <class H>
class Hmac final : public Mac {
 public:
  explicit Hmac(ByteView key) {
    std::array<std::uint8_t, H::kBlock> block{};
    if (key.size() > H::kBlock) {
      typename H::Ctx c;
      H::init(&c);
      H::update(&c, key.data(), key.size());
      H::final(block.data(), &c);
      OPENSSL_cleanse(&c, sizeof c);
    } else {
      std::copy(key.begin(), key.end(), block.begin());
    }
    keyed_state(inner_, block, 0x36);
    keyed_state(outer_, block, 0x5c);
    OPENSSL_cleanse(block.data(), block.size());
    begin();
  }
  ~Hmac() override {
    OPENSSL_cleanse(&inner_, sizeof inner_);
    OPENSSL_cleanse(&outer_, sizeof outer_);
    OPENSSL_cleanse(&work_, sizeof work_);
  }

  MacKind kind() const override { return H::kKind; }
  std::size_t full_size() const override { return H::kSize; }
  void begin() override { work_ = inner_; }
  void update(ByteView data) override {
    if (!data.empty()) H::update(&work_, data.data(), data.size());
  }
  void finish(MutByteView out) override {
    std::array<std::uint8_t, H::kSize> digest;
    H::final(digest.data(), &work_);
    work_ = outer_;
    H::update(&work_, digest.data(), digest.size());
    H::final(digest.data(), &work_);
    std::memcpy(out.data(), digest.data(), std::min(out.size(), digest.size()));
    OPENSSL_cleanse(digest.data(), digest.size());
    begin();
  }

 private:
  static void keyed_state(typename H::Ctx& st, std::array<std::uint8_t, H::kBlock> block,
                          std::uint8_t pad) {
    for (auto& b : block) b ^= pad;
    H::init(&st);
    H::update(&st, block.data(), block.size());
    OPENSSL_cleanse(block.data(), block.size());
  }

  typename H::Ctx inner_{}, outer_{}, work_{};
};

}  // namespace

std::unique_ptr<Mac> make_hmac(MacKind kind, ByteView key) {
  switch (kind) {
    case MacKind::HmacSha1: return std::make_unique<Hmac<Sha1>>(key);
    case MacKind::HmacSha256: return std::make_unique<Hmac<Sha256>>(key);
    case MacKind::HmacSha384: return std::make_unique<Hmac<Sha384>>(key);
    case MacKind::HmacSha512: return std::make_unique<Hmac<Sha512>>(key);
    case MacKind::AesXcbc: break;
  }
  throw Error("not an HMAC kind");
}

}  // namespace aipsec::crypto::detail
