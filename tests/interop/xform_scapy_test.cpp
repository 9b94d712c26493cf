// Interop with Scapy's IPsec layer (a second implementation): packets that
// xform_output protects are opened by Scapy, and packets Scapy protects are
// opened by xform_input. Runs /usr/bin/python3 tests/interop/scripts/xform_scapy.py.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../unit/xform_oracle.hpp"
#include "aipsec/packet.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/xform.hpp"

namespace {

using namespace aipsec;
using oracle::Bytes;
using nlohmann::json;

const std::string kScript = std::string(AIPSEC_TEST_DATA) + "/../interop/scripts/xform_scapy.py";

bool scapy_available() {
  return std::system("/usr/bin/python3 -c 'import scapy.layers.ipsec' >/dev/null 2>&1") == 0;
}

struct Case {
  std::string name;
  IpsecProto proto;
  EncAlg enc;
  std::size_t ekey;
  AuthAlg auth;
  std::size_t akey;
  const char* scapy_crypt;
  const char* scapy_auth;
  Mode mode;
  int version;
  bool esn;
};

std::vector<Case> cases() {
  struct Alg {
    const char* name;
    IpsecProto proto;
    EncAlg enc;
    std::size_t ekey;
    AuthAlg auth;
    std::size_t akey;
    const char* sc;
    const char* sa;
    bool esn_ok;  // Scapy handles ESN for AEAD and AH only
  };
  const Alg algs[] = {
      {"esp_gcm128", IpsecProto::kEsp, EncAlg::kAesGcm16, 20, AuthAlg::kNone, 0, "AES-GCM", "NULL", true},
      {"esp_gcm256", IpsecProto::kEsp, EncAlg::kAesGcm16, 36, AuthAlg::kNone, 0, "AES-GCM", "NULL", true},
      {"esp_cbc128_sha1", IpsecProto::kEsp, EncAlg::kAesCbc, 16, AuthAlg::kHmacSha1_96, 20, "AES-CBC", "HMAC-SHA1-96", false},
      {"esp_cbc256_sha256", IpsecProto::kEsp, EncAlg::kAesCbc, 32, AuthAlg::kHmacSha256_128, 32, "AES-CBC", "SHA2-256-128", false},
      {"esp_null_sha1", IpsecProto::kEsp, EncAlg::kNull, 0, AuthAlg::kHmacSha1_96, 20, "NULL", "HMAC-SHA1-96", false},
      {"ah_sha1", IpsecProto::kAh, EncAlg::kNone, 0, AuthAlg::kHmacSha1_96, 20, "", "HMAC-SHA1-96", true},
      {"ah_sha256", IpsecProto::kAh, EncAlg::kNone, 0, AuthAlg::kHmacSha256_128, 32, "", "SHA2-256-128", true},
  };
  std::vector<Case> out;
  for (const Alg& a : algs) {
    for (Mode m : {Mode::kTransport, Mode::kTunnel}) {
      for (int v : {4, 6}) {
        for (bool esn : {false, true}) {
          if (esn && !a.esn_ok) continue;
          std::string n = std::string(a.name) + (m == Mode::kTunnel ? "_tunnel" : "_transport") + std::to_string(v) +
                          (esn ? "_esn" : "");
          out.push_back({n, a.proto, a.enc, a.ekey, a.auth, a.akey, a.sc, a.sa, m, v, esn});
        }
      }
    }
  }
  return out;
}

SaConfig config(const Case& k) {
  SaConfig c;
  c.proto = k.proto;
  c.spi = 0x1001;
  c.mode = k.mode;
  c.src = *IpAddr::parse(k.version == 4 ? "192.0.2.1" : "2001:db8:ffff::1");
  c.dst = *IpAddr::parse(k.version == 4 ? "192.0.2.2" : "2001:db8:ffff::2");
  c.enc = k.enc;
  c.auth = k.auth;
  const Bytes ek = oracle::pattern(k.ekey, 0x10), ak = oracle::pattern(k.akey, 0x40);
  c.enc_key = SecureBytes(ByteView(ek.data(), ek.size()));
  c.auth_key = SecureBytes(ByteView(ak.data(), ak.size()));
  c.esn = k.esn;
  c.replay_window = 64;
  return c;
}

json describe(const Case& k) {
  json j;
  j["name"] = k.name;
  j["proto"] = k.proto == IpsecProto::kEsp ? "ESP" : "AH";
  j["crypt_algo"] = k.scapy_crypt;
  j["crypt_key"] = to_hex(oracle::pattern(k.ekey, 0x10));
  j["auth_algo"] = k.scapy_auth;
  j["auth_key"] = to_hex(oracle::pattern(k.akey, 0x40));
  j["spi"] = 0x1001;
  if (k.mode == Mode::kTunnel) {
    j["tunnel"] = json::array({k.version, k.version == 4 ? "192.0.2.1" : "2001:db8:ffff::1",
                               k.version == 4 ? "192.0.2.2" : "2001:db8:ffff::2"});
  } else {
    j["tunnel"] = nullptr;
  }
  j["esn_hi"] = k.esn ? json(1) : json(nullptr);
  j["seq"] = 5;
  return j;
}

std::string work_dir(const char* what) {
  const auto d = std::filesystem::path(::testing::TempDir()) / ("xform_scapy_" + std::string(what) + "_" +
                                                               std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d.string();
}

json run_script(const char* cmd, const std::string& dir, const json& in, const char* out_name) {
  std::ofstream(dir + "/cases.json") << in.dump();
  const std::string line = "/usr/bin/python3 " + kScript + " " + cmd + " " + dir;
  EXPECT_EQ(std::system(line.c_str()), 0) << line;
  std::ifstream f(dir + "/" + out_name);
  json out = json::parse(f);
  std::filesystem::remove_all(dir);
  return out;
}

Bytes plain_packet(int v, std::uint8_t seed) { return oracle::udp_packet(v, 60 + seed, seed); }

TEST(XformScapy, OursOpenedByScapy) {
  if (!scapy_available()) GTEST_SKIP() << "/usr/bin/python3 cannot import scapy.layers.ipsec";
  json in = json::array();
  std::map<std::string, Bytes> expect;
  std::uint8_t seed = 0;
  for (const Case& k : cases()) {
    Sa sa(config(k));
    sa.runtime().seq_out = k.esn ? 0x100000004ull : 4;  // the next packet is 5 (with seq_hi 1 under ESN)
    const Bytes orig = plain_packet(k.version, ++seed);
    Packet p(ByteView(orig.data(), orig.size()));
    ASSERT_EQ(xform_output(sa, k.mode, p, Sysctl{}), Reason::kNone) << k.name;
    json j = describe(k);
    j["wire"] = to_hex(p.bytes());
    in.push_back(j);
    expect[k.name] = orig;
  }
  const json out = run_script("open", work_dir("open"), in, "opened.json");
  for (const Case& k : cases()) {
    SCOPED_TRACE(k.name);
    ASSERT_TRUE(out.contains(k.name));
    const json& r = out[k.name];
    ASSERT_TRUE(r["ok"].get<bool>()) << r.value("error", "");
    EXPECT_EQ(from_hex(r["plain"].get<std::string>()), expect[k.name]);
  }
  EXPECT_EQ(out.size(), cases().size());
}

TEST(XformScapy, ScapySealedOpenedByUs) {
  if (!scapy_available()) GTEST_SKIP() << "/usr/bin/python3 cannot import scapy.layers.ipsec";
  json in = json::array();
  std::map<std::string, Bytes> plain;
  std::uint8_t seed = 100;
  for (const Case& k : cases()) {
    json j = describe(k);
    plain[k.name] = plain_packet(k.version, ++seed);
    j["plain"] = to_hex(plain[k.name]);
    in.push_back(j);
  }
  const json out = run_script("seal", work_dir("seal"), in, "sealed.json");
  for (const Case& k : cases()) {
    SCOPED_TRACE(k.name);
    Sa sa(config(k));
    if (k.esn) sa.runtime().replay.update(0xfffffff0u);  // receiver just below the 2^32 wrap
    const Bytes wire = from_hex(out[k.name]["wire"].get<std::string>());
    Packet p(ByteView(wire.data(), wire.size()));
    const auto pr = parse_ip(p.bytes());
    ASSERT_TRUE(pr.info) << reason_name(pr.error);
    InputStep step;
    ASSERT_EQ(xform_input(sa, p, *pr.info, Sysctl{}, step), Reason::kNone);
    EXPECT_EQ(Bytes(p.bytes().begin(), p.bytes().end()), plain[k.name]);
    EXPECT_EQ(sa.runtime().replay.top(), k.esn ? 0x100000005ull : 5u);
  }
}

}  // namespace
