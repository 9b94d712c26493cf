// Wycheproof AES-CBC-PKCS5 and HMAC-SHA1/SHA256. Our CBC has no padding (ESP pads
// itself), so the test adds and checks PKCS#5 padding around it: valid vectors
// must encrypt to ct and decrypt with good padding; invalid ones must end up with
// bad padding (or a length our CBC refuses). HMAC tags are truncated to tagSize;
// invalid tags must fail finish_verify.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
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
  std::ifstream f(std::string(AIPSEC_TEST_DATA) + "/vectors/wycheproof/" + name);
  if (!f) throw std::runtime_error("cannot open " + name);
  return json::parse(f);
}

Bytes hx(const json& v) { return aipsec::from_hex(v.get<std::string>()); }

Bytes pkcs5_pad(Bytes m) {
  const std::size_t pad = 16 - m.size() % 16;
  m.insert(m.end(), pad, static_cast<std::uint8_t>(pad));
  return m;
}

std::optional<Bytes> pkcs5_unpad(Bytes m) {
  if (m.empty()) return std::nullopt;
  const std::size_t pad = m.back();
  if (pad == 0 || pad > 16 || pad > m.size()) return std::nullopt;
  for (std::size_t i = m.size() - pad; i < m.size(); ++i)
    if (m[i] != pad) return std::nullopt;
  m.resize(m.size() - pad);
  return m;
}

TEST(WycheproofCbc, Pkcs5PaddingAroundUnpaddedCbc) {
  const json doc = load("aes_cbc_pkcs5_test.json");
  int run = 0, valid = 0, bad_padding = 0, bad_length = 0;
  for (const auto& g : doc["testGroups"]) {
    for (const auto& t : g["tests"]) {
      SCOPED_TRACE("tcId " + std::to_string(t["tcId"].get<int>()));
      ++run;
      auto c = Cipher::create(CipherKind::AesCbc, hx(t["key"]));
      const Bytes iv = hx(t["iv"]), msg = hx(t["msg"]), ct = hx(t["ct"]);
      Bytes out(ct.size());
      if (t["result"] == "valid") {
        const Bytes padded = pkcs5_pad(msg);
        Bytes enc(padded.size());
        ASSERT_TRUE(c->encrypt(iv, padded, enc.data()));
        EXPECT_EQ(enc, ct);
        ASSERT_TRUE(c->decrypt(iv, ct, out.data()));
        EXPECT_EQ(pkcs5_unpad(out), std::optional<Bytes>(msg));
        ++valid;
      } else if (ct.size() % 16 != 0) {
        EXPECT_FALSE(c->decrypt(iv, ct, out.data()));
        ++bad_length;
      } else {
        ASSERT_TRUE(c->decrypt(iv, ct, out.data()));
        EXPECT_EQ(pkcs5_unpad(out), std::nullopt);
        ++bad_padding;
      }
    }
  }
  EXPECT_EQ(run, doc["numberOfTests"].get<int>());
  EXPECT_GT(valid, 0);
  EXPECT_GT(bad_padding, 0);
}

void run_hmac_file(const std::string& file, MacKind kind) {
  const json doc = load(file);
  int run = 0, valid = 0, invalid = 0;
  for (const auto& g : doc["testGroups"]) {
    const std::size_t tag_bytes = g["tagSize"].get<std::size_t>() / 8;
    for (const auto& t : g["tests"]) {
      SCOPED_TRACE("tcId " + std::to_string(t["tcId"].get<int>()));
      ++run;
      auto m = Mac::create(kind, hx(t["key"]));
      const Bytes msg = hx(t["msg"]), tag = hx(t["tag"]);
      if (t["result"] == "valid") {
        Bytes got(tag_bytes);
        m->begin();
        m->update(msg);
        m->finish(got);
        EXPECT_EQ(got, tag);
        ++valid;
      } else {
        ++invalid;
      }
      m->begin();
      m->update(msg);
      EXPECT_EQ(m->finish_verify(tag), t["result"] == "valid");
    }
  }
  EXPECT_EQ(run, doc["numberOfTests"].get<int>());
  EXPECT_GT(valid, 0);
  EXPECT_GT(invalid, 0);
}

TEST(WycheproofHmac, Sha1) { run_hmac_file("hmac_sha1_test.json", MacKind::HmacSha1); }
TEST(WycheproofHmac, Sha256) { run_hmac_file("hmac_sha256_test.json", MacKind::HmacSha256); }

}  // namespace
