// HMAC-SHA1/256/384/512 against OpenSSL's one-shot HMAC() and AES-CBC/CTR
// against one-shot EVP, on random keys, messages and update splits.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <random>
#include <string>

#include "aipsec/crypto.hpp"

namespace {

using aipsec::Bytes;
using aipsec::ByteView;
using namespace aipsec::crypto;

Bytes random_bytes(std::mt19937& rng, std::size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

struct HmacCase {
  MacKind kind;
  const EVP_MD* (*md)();
  std::size_t size;
};

class HmacOracle : public ::testing::TestWithParam<HmacCase> {};

TEST_P(HmacOracle, MatchesOneShotHmacOnRandomInputs) {
  std::mt19937 rng(99);
  const HmacCase& c = GetParam();
  for (int round = 0; round < 200; ++round) {
    // Key lengths cover empty, shorter than, equal to and longer than the block.
    const Bytes key = random_bytes(rng, rng() % 200);
    const Bytes msg = random_bytes(rng, rng() % 3000);
    Bytes want(EVP_MAX_MD_SIZE);
    unsigned int want_len = 0;
    ASSERT_NE(HMAC(c.md(), key.data(), int(key.size()), msg.data(), msg.size(), want.data(), &want_len),
              nullptr);
    ASSERT_EQ(want_len, c.size);
    want.resize(want_len);

    auto m = Mac::create(c.kind, key);
    ASSERT_EQ(m->full_size(), c.size);
    m->begin();
    for (std::size_t i = 0; i < msg.size();) {  // random split into updates
      const std::size_t n = std::min<std::size_t>(msg.size() - i, rng() % 300);
      m->update(ByteView(msg).subspan(i, n));
      i += n;
    }
    Bytes got(c.size);
    m->finish(got);
    ASSERT_EQ(got, want) << "round " << round << " key " << key.size() << " msg " << msg.size();

    // Truncated verification, as ESP uses it (half the digest), and a forged tag.
    const Bytes half(want.begin(), want.begin() + long(c.size / 2));
    m->begin();
    m->update(msg);
    EXPECT_TRUE(m->finish_verify(half));
    Bytes forged = half;
    forged[0] ^= 1;
    m->begin();
    m->update(msg);
    EXPECT_FALSE(m->finish_verify(forged));
  }
}

INSTANTIATE_TEST_SUITE_P(All, HmacOracle,
                         ::testing::Values(HmacCase{MacKind::HmacSha1, EVP_sha1, 20},
                                           HmacCase{MacKind::HmacSha256, EVP_sha256, 32},
                                           HmacCase{MacKind::HmacSha384, EVP_sha384, 48},
                                           HmacCase{MacKind::HmacSha512, EVP_sha512, 64}));

TEST(MacVerify, RefusesEmptyAndOversizedTags) {
  auto m = Mac::create(MacKind::HmacSha256, Bytes(32, 1));
  m->begin();
  EXPECT_FALSE(m->finish_verify({}));
  m->begin();
  EXPECT_FALSE(m->finish_verify(Bytes(33, 0)));
}

const EVP_CIPHER* oracle_cipher(CipherKind k, std::size_t key_size) {
  const bool cbc = k == CipherKind::AesCbc;
  if (key_size == 16) return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ctr();
  if (key_size == 24) return cbc ? EVP_aes_192_cbc() : EVP_aes_192_ctr();
  return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ctr();
}

Bytes oracle_encrypt(CipherKind k, const Bytes& key, const Bytes& iv, const Bytes& pt) {
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  Bytes out(pt.size() + 16);
  int n = 0, m = 0;
  EVP_EncryptInit_ex(c, oracle_cipher(k, key.size()), nullptr, key.data(), iv.data());
  EVP_CIPHER_CTX_set_padding(c, 0);
  EVP_EncryptUpdate(c, out.data(), &n, pt.data(), int(pt.size()));
  EVP_EncryptFinal_ex(c, out.data() + n, &m);
  EVP_CIPHER_CTX_free(c);
  out.resize(std::size_t(n + m));
  return out;
}

TEST(CipherOracle, CbcAndCtrMatchOneShotEvp) {
  std::mt19937 rng(7);
  for (CipherKind k : {CipherKind::AesCbc, CipherKind::AesCtr}) {
    for (std::size_t key_size : {16u, 24u, 32u}) {
      const Bytes key = random_bytes(rng, key_size);
      auto cipher = Cipher::create(k, key);
      EXPECT_EQ(cipher->kind(), k);
      for (int round = 0; round < 30; ++round) {
        std::size_t len = rng() % 2000;
        if (k == CipherKind::AesCbc) len -= len % 16;
        const Bytes iv = random_bytes(rng, 16), pt = random_bytes(rng, len);
        Bytes buf = pt;
        ASSERT_TRUE(cipher->encrypt(iv, buf, buf.data()));
        EXPECT_EQ(buf, oracle_encrypt(k, key, iv, pt));
        ASSERT_TRUE(cipher->decrypt(iv, buf, buf.data()));
        EXPECT_EQ(buf, pt);
      }
    }
  }
}

TEST(CipherOracle, RefusesBadArguments) {
  auto cbc = Cipher::create(CipherKind::AesCbc, Bytes(16, 1));
  auto ctr = Cipher::create(CipherKind::AesCtr, Bytes(16, 1));
  Bytes buf(33);
  EXPECT_FALSE(cbc->encrypt(Bytes(16), ByteView(buf).first(17), buf.data()));
  EXPECT_FALSE(cbc->decrypt(Bytes(16), ByteView(buf).first(31), buf.data()));
  EXPECT_TRUE(ctr->encrypt(Bytes(16), ByteView(buf).first(17), buf.data()));
  for (std::size_t n : {0u, 8u, 12u, 15u, 32u}) {
    EXPECT_FALSE(cbc->encrypt(Bytes(n), ByteView(buf).first(16), buf.data()));
    EXPECT_FALSE(ctr->decrypt(Bytes(n), ByteView(buf).first(16), buf.data()));
  }
  for (std::size_t n : {0u, 8u, 20u, 33u})
    EXPECT_THROW(Cipher::create(CipherKind::AesCbc, Bytes(n, 1)), aipsec::Error);
}

}  // namespace
