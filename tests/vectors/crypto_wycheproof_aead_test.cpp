// Wycheproof AES-GCM, AES-GMAC and ChaCha20-Poly1305 through every provider that
// implements the kind. Valid vectors must reproduce ct and tag and open again;
// invalid ones must be refused; IVs other than 96 bits must be refused by the API.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aipsec/crypto.hpp"

namespace {

using aipsec::Bytes;
using aipsec::from_hex;
using aipsec::crypto::Aead;
using aipsec::crypto::AeadKind;
using aipsec::crypto::Provider;
using nlohmann::json;

json load(const std::string& name) {
  std::ifstream f(std::string(AIPSEC_TEST_DATA) + "/vectors/wycheproof/" + name);
  if (!f) throw std::runtime_error("cannot open " + name);
  return json::parse(f);
}

Bytes hx(const json& v) { return from_hex(v.get<std::string>()); }

// Creates the context on exactly the requested provider, or nullptr if the kind is not there.
std::unique_ptr<Aead> make(AeadKind kind, const Bytes& key, Provider p) {
  auto a = Aead::create(kind, key, p);
  return a->provider() == p ? std::move(a) : nullptr;
}

struct Tally {
  int run = 0, valid = 0, rejected_iv = 0, rejected_invalid = 0;
};

// One AEAD test entry; aad is empty and msg authenticated only for GMAC.
void check_aead_entry(Aead& a, const json& t, int iv_bits, Tally& tally) {
  const Bytes iv = hx(t["iv"]), aad = hx(t["aad"]), msg = hx(t["msg"]), ct = hx(t["ct"]);
  Bytes tag = hx(t["tag"]);
  const std::string result = t["result"];
  SCOPED_TRACE("tcId " + std::to_string(t["tcId"].get<int>()) + " " + t["comment"].get<std::string>());
  Bytes out(msg.size() + ct.size() + 1), got_tag(tag.size());
  ++tally.run;
  if (iv_bits != 96) {
    EXPECT_FALSE(a.seal(iv, aad, msg, out.data(), got_tag));
    EXPECT_FALSE(a.open(iv, aad, ct, out.data(), tag));
    ++tally.rejected_iv;
    return;
  }
  if (result == "invalid") {
    EXPECT_FALSE(a.open(iv, aad, ct, out.data(), tag));
    ++tally.rejected_invalid;
    return;
  }
  ASSERT_TRUE(a.seal(iv, aad, msg, out.data(), got_tag));
  EXPECT_EQ(Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(ct.size())), ct);
  EXPECT_EQ(got_tag, tag);
  ASSERT_TRUE(a.open(iv, aad, ct, out.data(), tag));
  EXPECT_EQ(Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(msg.size())), msg);
  ++tally.valid;
}

void run_aead_file(const std::string& file, AeadKind kind, Provider p) {
  const json doc = load(file);
  Tally tally;
  for (const auto& g : doc["testGroups"]) {
    for (const auto& t : g["tests"]) {
      auto a = make(kind, hx(t["key"]), p);
      ASSERT_TRUE(a) << "provider does not implement this kind";
      check_aead_entry(*a, t, g["ivSize"].get<int>(), tally);
    }
  }
  EXPECT_EQ(tally.run, doc["numberOfTests"].get<int>());
  EXPECT_GT(tally.valid, 0);
  EXPECT_GT(tally.rejected_invalid, 0);
  ::testing::Test::RecordProperty("valid", tally.valid);
  ::testing::Test::RecordProperty("rejected_invalid", tally.rejected_invalid);
  ::testing::Test::RecordProperty("rejected_iv", tally.rejected_iv);
}

// GMAC: msg is all AAD, the plaintext is empty. Checked both as one AAD piece
// (seal/open) and split in two (seal2/open2, as ESP-GMAC hands it over).
void check_gmac_entry(Aead& a, const json& t, int iv_bits, Tally& tally) {
  const Bytes iv = hx(t["iv"]), msg = hx(t["msg"]), tag = hx(t["tag"]);
  SCOPED_TRACE("tcId " + std::to_string(t["tcId"].get<int>()));
  const std::size_t cut = std::min<std::size_t>(msg.size(), 8);
  const aipsec::ByteView head(msg.data(), cut), rest(msg.data() + cut, msg.size() - cut);
  Bytes got(tag.size());
  std::uint8_t none = 0;
  ++tally.run;
  if (iv_bits != 96) {
    EXPECT_FALSE(a.seal(iv, msg, {}, &none, got));
    EXPECT_FALSE(a.open2(iv, head, rest, {}, &none, tag));
    ++tally.rejected_iv;
    return;
  }
  if (t["result"] == "invalid") {
    EXPECT_FALSE(a.open(iv, msg, {}, &none, tag));
    EXPECT_FALSE(a.open2(iv, head, rest, {}, &none, tag));
    ++tally.rejected_invalid;
    return;
  }
  ASSERT_TRUE(a.seal(iv, msg, {}, &none, got));
  EXPECT_EQ(got, tag);
  Bytes got2(tag.size());
  ASSERT_TRUE(a.seal2(iv, head, rest, {}, &none, got2));
  EXPECT_EQ(got2, tag);
  EXPECT_TRUE(a.open(iv, msg, {}, &none, tag));
  EXPECT_TRUE(a.open2(iv, head, rest, {}, &none, tag));
  ++tally.valid;
}

void run_gmac_file(Provider p) {
  const json doc = load("aes_gmac_test.json");
  Tally tally;
  for (const auto& g : doc["testGroups"]) {
    for (const auto& t : g["tests"]) {
      auto a = make(AeadKind::AesGcm, hx(t["key"]), p);
      ASSERT_TRUE(a) << "provider does not implement AES-GCM";
      check_gmac_entry(*a, t, g["ivSize"].get<int>(), tally);
    }
  }
  EXPECT_EQ(tally.run, doc["numberOfTests"].get<int>());
  EXPECT_GT(tally.valid, 0);
  EXPECT_GT(tally.rejected_invalid, 0);
  EXPECT_GT(tally.rejected_iv, 0);
}

TEST(WycheproofAead, AesGcmOpenSsl) { run_aead_file("aes_gcm_test.json", AeadKind::AesGcm, Provider::OpenSsl); }
void skip_without_ipsecmb() {
#ifndef AIPSEC_HAVE_IPSECMB
  GTEST_SKIP() << "built without intel-ipsec-mb";
#endif
}

TEST(WycheproofAead, AesGcmIpsecMb) {
  skip_without_ipsecmb();
  if (IsSkipped()) return;
  run_aead_file("aes_gcm_test.json", AeadKind::AesGcm, Provider::IpsecMb);
}
TEST(WycheproofAead, AesGmacOpenSsl) { run_gmac_file(Provider::OpenSsl); }
TEST(WycheproofAead, AesGmacIpsecMb) {
  skip_without_ipsecmb();
  if (IsSkipped()) return;
  run_gmac_file(Provider::IpsecMb);
}
TEST(WycheproofAead, ChaCha20Poly1305OpenSsl) {
  run_aead_file("chacha20_poly1305_test.json", AeadKind::ChaCha20Poly1305, Provider::OpenSsl);
}
TEST(WycheproofAead, ChaCha20Poly1305IpsecMb) {
  skip_without_ipsecmb();
  if (IsSkipped()) return;
  run_aead_file("chacha20_poly1305_test.json", AeadKind::ChaCha20Poly1305, Provider::IpsecMb);
}

}  // namespace
