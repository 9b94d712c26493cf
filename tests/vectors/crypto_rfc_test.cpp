// RFC vectors: RFC 3686 AES-CTR #1-#9, RFC 3602 case #5 (AES-CBC in ESP),
// RFC 4231 HMAC-SHA256, RFC 2202 HMAC-SHA1 and RFC 3566 AES-XCBC-MAC-96.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "aipsec/crypto.hpp"

namespace {

using aipsec::Bytes;
using aipsec::crypto::Cipher;
using aipsec::crypto::CipherKind;
using aipsec::crypto::Mac;
using aipsec::crypto::MacKind;
using nlohmann::json;

json load(const std::string& name) {
  std::ifstream f(std::string(AIPSEC_TEST_DATA) + "/vectors/rfc/" + name);
  if (!f) throw std::runtime_error("cannot open " + name);
  return json::parse(f);
}

Bytes hx(const json& v) { return aipsec::from_hex(v.get<std::string>()); }

Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(Rfc3686, AesCtrVectors1To9) {
  const json doc = load("esp_vectors.json");
  ASSERT_EQ(doc["rfc3686_aes_ctr"].size(), 9u);
  for (const auto& v : doc["rfc3686_aes_ctr"]) {
    SCOPED_TRACE(v["id"].get<std::string>());
    // Counter block = nonce || IV || 0x00000001 (RFC 3686 section 4).
    const Bytes ctr = cat(cat(hx(v["nonce"]), hx(v["iv"])), {0, 0, 0, 1});
    const Bytes pt = hx(v["plaintext"]), ct = hx(v["ciphertext"]);
    auto c = Cipher::create(CipherKind::AesCtr, hx(v["key"]));
    Bytes out(pt.size());
    ASSERT_TRUE(c->encrypt(ctr, pt, out.data()));
    EXPECT_EQ(out, ct);
    ASSERT_TRUE(c->decrypt(ctr, ct, out.data()));
    EXPECT_EQ(out, pt);
  }
}

TEST(Rfc3602, AesCbcEspCase5) {
  const json v = load("esp_vectors.json")["rfc3602_aes_cbc_esp"][0];
  const Bytes pt = hx(v["pre_encryption_payload"]);
  const Bytes ct = hx(v["ciphertext_packet"]["encrypted_data"]);
  auto c = Cipher::create(CipherKind::AesCbc, hx(v["key"]));
  Bytes out = pt;
  ASSERT_TRUE(c->encrypt(hx(v["iv"]), out, out.data()));  // in place, as ESP does
  EXPECT_EQ(out, ct);
  ASSERT_TRUE(c->decrypt(hx(v["iv"]), out, out.data()));
  EXPECT_EQ(out, pt);
}

void check_hmac(MacKind kind, const json& v, const Bytes& expected) {
  SCOPED_TRACE(v["id"].get<std::string>());
  auto m = Mac::create(kind, hx(v["key"]));
  const Bytes data = hx(v["data"]);
  Bytes got(expected.size());
  m->begin();
  m->update(data);
  m->finish(got);
  EXPECT_EQ(got, expected);
  m->begin();
  m->update(data);
  EXPECT_TRUE(m->finish_verify(expected));
}

TEST(Rfc4231, HmacSha256) {
  const json doc = load("esp_vectors.json");
  ASSERT_EQ(doc["rfc4231_hmac_sha256"].size(), 7u);
  for (const auto& v : doc["rfc4231_hmac_sha256"]) check_hmac(MacKind::HmacSha256, v, hx(v["hmac_sha256"]));
}

TEST(Rfc2202, HmacSha1) {
  const json doc = load("esp_vectors.json");
  ASSERT_EQ(doc["rfc2202_hmac_sha1"].size(), 7u);
  for (const auto& v : doc["rfc2202_hmac_sha1"]) {
    check_hmac(MacKind::HmacSha1, v, hx(v["hmac_sha1"]));
    if (v.contains("hmac_sha1_96")) check_hmac(MacKind::HmacSha1, v, hx(v["hmac_sha1_96"]));
  }
}

Bytes xcbc_message(const json& t) {
  if (t.contains("message_zero_len")) return Bytes(t["message_zero_len"].get<std::size_t>(), 0);
  return hx(t["message"]);
}

TEST(Rfc3566, AesXcbcMac96) {
  const json doc = load("rfc3566_xcbc.json");
  ASSERT_EQ(doc["tests"].size(), 7u);
  auto m = Mac::create(MacKind::AesXcbc, hx(doc["key"]));
  EXPECT_EQ(m->full_size(), 16u);
  for (const auto& t : doc["tests"]) {
    SCOPED_TRACE(t["id"].get<std::string>());
    const Bytes msg = xcbc_message(t);
    Bytes full(16);
    m->begin();
    m->update(msg);
    m->finish(full);
    EXPECT_EQ(full, hx(t["mac"]));
    m->begin();
    m->update(msg);
    EXPECT_TRUE(m->finish_verify(hx(t["mac96"])));
  }
}

// The same MACs fed in every chunk size: the held-back last block must not
// depend on how the packet arrives.
TEST(Rfc3566, AesXcbcChunkedUpdates) {
  const json doc = load("rfc3566_xcbc.json");
  auto m = Mac::create(MacKind::AesXcbc, hx(doc["key"]));
  for (const auto& t : doc["tests"]) {
    const Bytes msg = xcbc_message(t), want = hx(t["mac"]);
    for (std::size_t chunk = 1; chunk <= 40; ++chunk) {
      SCOPED_TRACE(t["id"].get<std::string>() + " chunk " + std::to_string(chunk));
      m->begin();
      for (std::size_t i = 0; i < msg.size(); i += chunk)
        m->update(aipsec::ByteView(msg).subspan(i, std::min(chunk, msg.size() - i)));
      Bytes got(16);
      m->finish(got);
      EXPECT_EQ(got, want);
    }
  }
}

TEST(Rfc3566, AesXcbcRejectsOtherKeySizes) {
  EXPECT_THROW(Mac::create(MacKind::AesXcbc, Bytes(24, 1)), aipsec::Error);
  EXPECT_THROW(Mac::create(MacKind::AesXcbc, Bytes(15, 1)), aipsec::Error);
}

}  // namespace
