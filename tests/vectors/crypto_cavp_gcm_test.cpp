// NIST CAVP GCM (CAVS 14.0, 96-bit IV) through every provider. Encrypt entries:
// ciphertext and the truncated tag must match. Decrypt entries: the plaintext
// must match, and the tag must be refused exactly for the FAIL entries.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "aipsec/crypto.hpp"

namespace {

using aipsec::Bytes;
using aipsec::crypto::Aead;
using aipsec::crypto::AeadKind;
using aipsec::crypto::Provider;

struct Entry {
  std::map<std::string, std::string> f;  // Key, IV, PT, AAD, CT, Tag
  bool fail = false;
  int line = 0;
  Bytes get(const std::string& k) const { return aipsec::from_hex(f.at(k)); }
};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<Entry> parse_rsp(const std::string& name) {
  std::ifstream in(std::string(AIPSEC_TEST_DATA) + "/vectors/nist_cavp/" + name);
  if (!in) throw std::runtime_error("cannot open " + name);
  std::vector<Entry> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = trim(line);
    if (line.rfind("Count = ", 0) == 0) {
      out.push_back({});
      out.back().line = n;
    } else if (!out.empty() && line == "FAIL") {
      out.back().fail = true;
    } else if (const auto eq = line.find(" = "); !out.empty() && eq != std::string::npos) {
      out.back().f[line.substr(0, eq)] = line.substr(eq + 3);
    } else if (!out.empty() && line.size() > 2 && line.back() == '=') {
      out.back().f[line.substr(0, line.size() - 2)] = "";  // "CT = " with an empty value
    }
  }
  return out;
}

Bytes prefix(const Bytes& b, std::size_t n) { return Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n)); }

std::unique_ptr<Aead> make(const Bytes& key, Provider p) {
  auto a = Aead::create(AeadKind::AesGcm, key, p);
  EXPECT_EQ(a->provider(), p);
  return a;
}

void run_encrypt(const std::string& file, Provider p) {
  const auto entries = parse_rsp(file);
  ASSERT_EQ(entries.size(), 1680u);
  for (const auto& e : entries) {
    SCOPED_TRACE(file + ":" + std::to_string(e.line));
    const Bytes pt = e.get("PT"), ct = e.get("CT"), tag = e.get("Tag");
    auto a = make(e.get("Key"), p);
    Bytes out(pt.size() + 1), got(tag.size());
    ASSERT_TRUE(a->seal(e.get("IV"), e.get("AAD"), pt, out.data(), got));
    EXPECT_EQ(prefix(out, pt.size()), ct);
    EXPECT_EQ(got, tag);
  }
}

void run_decrypt(const std::string& file, Provider p) {
  const auto entries = parse_rsp(file);
  ASSERT_EQ(entries.size(), 1680u);
  int fails = 0;
  for (const auto& e : entries) {
    SCOPED_TRACE(file + ":" + std::to_string(e.line));
    const Bytes ct = e.get("CT");
    auto a = make(e.get("Key"), p);
    Bytes out(ct.size() + 1);
    const bool ok = a->open(e.get("IV"), e.get("AAD"), ct, out.data(), e.get("Tag"));
    EXPECT_EQ(ok, !e.fail);
    if (e.fail) ++fails;
    else EXPECT_EQ(prefix(out, ct.size()), e.get("PT"));
  }
  EXPECT_GT(fails, 0);
}

class CavpGcm : public ::testing::TestWithParam<Provider> {
 protected:
  void SetUp() override {
#ifndef AIPSEC_HAVE_IPSECMB
    if (GetParam() == Provider::IpsecMb) GTEST_SKIP() << "built without intel-ipsec-mb";
#endif
  }
};

TEST_P(CavpGcm, Encrypt128) { run_encrypt("gcmEncryptExtIV128_IV96_subset.rsp", GetParam()); }
TEST_P(CavpGcm, Encrypt256) { run_encrypt("gcmEncryptExtIV256_IV96_subset.rsp", GetParam()); }
TEST_P(CavpGcm, Decrypt128) { run_decrypt("gcmDecrypt128_IV96_subset.rsp", GetParam()); }
TEST_P(CavpGcm, Decrypt256) { run_decrypt("gcmDecrypt256_IV96_subset.rsp", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Providers, CavpGcm,
                         ::testing::Values(Provider::OpenSsl, Provider::IpsecMb),
                         [](const ::testing::TestParamInfo<Provider>& p) {
                           return std::string(p.param == Provider::OpenSsl ? "OpenSsl" : "IpsecMb");
                         });

}  // namespace
