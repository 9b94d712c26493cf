// Aead against OpenSSL EVP driven directly by the test (the oracle), for both
// providers: random sizes, two-piece AAD, in-place use, tag truncation, tamper
// detection and argument checks.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <string>

#include "aipsec/crypto.hpp"

namespace {

using aipsec::Bytes;
using aipsec::ByteView;
using aipsec::crypto::Aead;
using aipsec::crypto::AeadKind;
using aipsec::crypto::Provider;

const EVP_CIPHER* oracle_cipher(AeadKind kind, std::size_t key_size) {
  if (kind == AeadKind::ChaCha20Poly1305) return EVP_chacha20_poly1305();
  return key_size == 16 ? EVP_aes_128_gcm() : key_size == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
}

// One-shot AEAD encryption written out with EVP, independent of the code under test.
void oracle_seal(AeadKind kind, const Bytes& key, const Bytes& nonce, const Bytes& aad,
                 const Bytes& pt, Bytes& ct, Bytes& tag) {
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  int n = 0;
  ct.assign(pt.size() + 16, 0);
  ASSERT_EQ(EVP_EncryptInit_ex(c, oracle_cipher(kind, key.size()), nullptr, key.data(), nonce.data()), 1);
  if (!aad.empty()) {
    ASSERT_EQ(EVP_EncryptUpdate(c, nullptr, &n, aad.data(), int(aad.size())), 1);
  }
  if (!pt.empty()) {
    ASSERT_EQ(EVP_EncryptUpdate(c, ct.data(), &n, pt.data(), int(pt.size())), 1);
  }
  ASSERT_EQ(EVP_EncryptFinal_ex(c, ct.data() + pt.size(), &n), 1);
  ct.resize(pt.size());
  ASSERT_EQ(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, int(tag.size()), tag.data()), 1);
  EVP_CIPHER_CTX_free(c);
}

Bytes random_bytes(std::mt19937& rng, std::size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

struct Case {
  AeadKind kind;
  Provider provider;
  std::size_t key_size;
};

std::string case_name(const ::testing::TestParamInfo<Case>& i) {
  std::string s = i.param.kind == AeadKind::AesGcm ? "Gcm" + std::to_string(i.param.key_size * 8)
                                                   : std::string("ChaCha20Poly1305");
  return s + (i.param.provider == Provider::OpenSsl ? "_OpenSsl" : "_IpsecMb");
}

class AeadOracle : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
#ifndef AIPSEC_HAVE_IPSECMB
    if (GetParam().provider == Provider::IpsecMb) GTEST_SKIP() << "built without intel-ipsec-mb";
#endif
    key_ = random_bytes(rng_, GetParam().key_size);
    aead_ = Aead::create(GetParam().kind, key_, GetParam().provider);
    ASSERT_EQ(aead_->provider(), GetParam().provider);
    ASSERT_EQ(aead_->kind(), GetParam().kind);
  }
  std::mt19937 rng_{1234};
  Bytes key_;
  std::unique_ptr<Aead> aead_;
};

TEST_P(AeadOracle, RandomSizesMatchOracleAndOpen) {
  const std::size_t lens[] = {0, 1, 15, 16, 17, 63, 64, 255, 1400, 9000};
  for (std::size_t len : lens) {
    for (std::size_t tag_len : {4u, 8u, 12u, 13u, 16u}) {
      SCOPED_TRACE("len " + std::to_string(len) + " tag " + std::to_string(tag_len));
      const Bytes nonce = random_bytes(rng_, 12), aad = random_bytes(rng_, rng_() % 40);
      const Bytes pt = random_bytes(rng_, len);
      Bytes want_ct, want_tag(tag_len);
      oracle_seal(GetParam().kind, key_, nonce, aad, pt, want_ct, want_tag);
      Bytes buf = pt, tag(tag_len);
      ASSERT_TRUE(aead_->seal(nonce, aad, buf, buf.data(), tag));  // in place
      EXPECT_EQ(buf, want_ct);
      EXPECT_EQ(tag, want_tag);
      ASSERT_TRUE(aead_->open(nonce, aad, buf, buf.data(), tag));
      EXPECT_EQ(buf, pt);
      tag[tag_len - 1] ^= 0x01;
      EXPECT_FALSE(aead_->open(nonce, aad, want_ct, buf.data(), tag));
      tag[tag_len - 1] ^= 0x01;
      if (!want_ct.empty()) {
        want_ct[len / 2] ^= 0x80;
        EXPECT_FALSE(aead_->open(nonce, aad, want_ct, buf.data(), tag));
      }
    }
  }
}

// seal_inplace / open_inplace: the tag right after the bytes, as in an ESP
// packet; the same ciphertext and tag as the oracle, tampering refused.
TEST_P(AeadOracle, InPlaceFormMatchesOracle) {
  for (std::size_t len : {0u, 1u, 16u, 66u, 1404u, 9000u}) {
    for (std::size_t tag_len : {4u, 8u, 12u, 13u, 16u}) {
      SCOPED_TRACE("len " + std::to_string(len) + " tag " + std::to_string(tag_len));
      const Bytes nonce = random_bytes(rng_, 12), aad = random_bytes(rng_, rng_() % 2 ? 8 : 12);
      const Bytes pt = random_bytes(rng_, len);
      Bytes want_ct, want_tag(tag_len);
      oracle_seal(GetParam().kind, key_, nonce, aad, pt, want_ct, want_tag);
      Bytes buf = pt;
      buf.resize(len + tag_len, 0xee);
      ASSERT_TRUE(aead_->seal_inplace(nonce.data(), aad.data(), aad.size(), buf.data(), len, tag_len));
      EXPECT_EQ(Bytes(buf.begin(), buf.begin() + long(len)), want_ct);
      EXPECT_EQ(Bytes(buf.begin() + long(len), buf.end()), want_tag);
      ASSERT_TRUE(aead_->open_inplace(nonce.data(), aad.data(), aad.size(), buf.data(), len, tag_len));
      EXPECT_EQ(Bytes(buf.begin(), buf.begin() + long(len)), pt);
      // Every byte of the tag matters (the comparison covers all of it).
      for (std::size_t i = 0; i < tag_len; ++i) {
        Bytes bad = want_ct;
        bad.insert(bad.end(), want_tag.begin(), want_tag.end());
        bad[len + i] ^= std::uint8_t(1u << (i % 8));
        EXPECT_FALSE(aead_->open_inplace(nonce.data(), aad.data(), aad.size(), bad.data(), len, tag_len)) << i;
      }
      if (len > 0) {
        Bytes bad = want_ct;
        bad.insert(bad.end(), want_tag.begin(), want_tag.end());
        bad[len - 1] ^= 0x80;
        EXPECT_FALSE(aead_->open_inplace(nonce.data(), aad.data(), aad.size(), bad.data(), len, tag_len));
      }
    }
  }
  Bytes buf(32);
  const Bytes nonce(12, 1);
  EXPECT_FALSE(aead_->seal_inplace(nonce.data(), nullptr, 0, buf.data(), 15, 17));
  EXPECT_FALSE(aead_->open_inplace(nonce.data(), nullptr, 0, buf.data(), 15, 3));
}

// seal2/open2 authenticate aad || aad2: the oracle gets the concatenation.
TEST_P(AeadOracle, TwoPieceAadEqualsConcatenation) {
  for (std::size_t head : {0u, 8u, 12u}) {
    for (std::size_t rest : {0u, 1u, 8u, 24u, 100u, 1421u}) {
      for (std::size_t len : {0u, 33u}) {
        SCOPED_TRACE(std::to_string(head) + "+" + std::to_string(rest) + " pt " + std::to_string(len));
        const Bytes nonce = random_bytes(rng_, 12), a1 = random_bytes(rng_, head);
        const Bytes a2 = random_bytes(rng_, rest), pt = random_bytes(rng_, len);
        Bytes all = a1;
        all.insert(all.end(), a2.begin(), a2.end());
        Bytes want_ct, want_tag(16), out(len + 1), tag(16);
        oracle_seal(GetParam().kind, key_, nonce, all, pt, want_ct, want_tag);
        ASSERT_TRUE(aead_->seal2(nonce, a1, a2, pt, out.data(), tag));
        EXPECT_EQ(Bytes(out.begin(), out.begin() + long(len)), want_ct);
        EXPECT_EQ(tag, want_tag);
        EXPECT_TRUE(aead_->open2(nonce, a1, a2, want_ct, out.data(), tag));
        if (!a2.empty()) {
          Bytes bad = a2;
          bad.back() ^= 1;
          EXPECT_FALSE(aead_->open2(nonce, a1, bad, want_ct, out.data(), tag));
        }
      }
    }
  }
}

TEST_P(AeadOracle, RefusesBadNonceAndTagSizes) {
  const Bytes pt(32, 7), aad(8, 1);
  Bytes out(32), tag(16);
  for (std::size_t n : {0u, 8u, 11u, 13u, 16u}) {
    EXPECT_FALSE(aead_->seal(Bytes(n, 1), aad, pt, out.data(), tag));
    EXPECT_FALSE(aead_->open(Bytes(n, 1), aad, pt, out.data(), tag));
    EXPECT_FALSE(aead_->seal2(Bytes(n, 1), aad, aad, {}, out.data(), tag));
  }
  for (std::size_t t : {0u, 3u, 17u, 32u}) {
    Bytes bad_tag(t);
    EXPECT_FALSE(aead_->seal(Bytes(12, 1), aad, pt, out.data(), bad_tag));
    EXPECT_FALSE(aead_->open(Bytes(12, 1), aad, pt, out.data(), bad_tag));
    EXPECT_FALSE(aead_->open2(Bytes(12, 1), aad, aad, {}, out.data(), bad_tag));
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, AeadOracle,
    ::testing::Values(Case{AeadKind::AesGcm, Provider::OpenSsl, 16}, Case{AeadKind::AesGcm, Provider::OpenSsl, 24},
                      Case{AeadKind::AesGcm, Provider::OpenSsl, 32}, Case{AeadKind::AesGcm, Provider::IpsecMb, 16},
                      Case{AeadKind::AesGcm, Provider::IpsecMb, 24}, Case{AeadKind::AesGcm, Provider::IpsecMb, 32},
                      Case{AeadKind::ChaCha20Poly1305, Provider::OpenSsl, 32},
                      Case{AeadKind::ChaCha20Poly1305, Provider::IpsecMb, 32}),
    case_name);

TEST(AeadCreate, RejectsBadKeySizes) {
  for (std::size_t n : {0u, 15u, 20u, 36u, 64u}) {
    EXPECT_THROW(Aead::create(AeadKind::AesGcm, Bytes(n, 1)), aipsec::Error);
    EXPECT_THROW(Aead::create(AeadKind::AesGcm, Bytes(n, 1), Provider::OpenSsl), aipsec::Error);
  }
  EXPECT_THROW(Aead::create(AeadKind::ChaCha20Poly1305, Bytes(16, 1)), aipsec::Error);
  EXPECT_THROW(Aead::create(AeadKind::ChaCha20Poly1305, Bytes(16, 1), Provider::OpenSsl), aipsec::Error);
}

TEST(AeadCreate, DefaultIsTheFasterProvider) {
#ifdef AIPSEC_HAVE_IPSECMB
  const Provider fastest = Provider::IpsecMb;
#else
  const Provider fastest = Provider::OpenSsl;
#endif
  EXPECT_EQ(Aead::create(AeadKind::AesGcm, Bytes(16, 1))->provider(), fastest);
  EXPECT_EQ(Aead::create(AeadKind::ChaCha20Poly1305, Bytes(32, 1))->provider(), fastest);
  EXPECT_EQ(Aead::create(AeadKind::AesGcm, Bytes(16, 1), Provider::OpenSsl)->provider(), Provider::OpenSsl);
  EXPECT_EQ(aipsec::crypto::provider_name(Provider::OpenSsl), "openssl");
  EXPECT_EQ(aipsec::crypto::provider_name(Provider::IpsecMb), "intel-ipsec-mb");
}

}  // namespace
