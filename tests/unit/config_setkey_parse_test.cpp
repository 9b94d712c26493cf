// The setkey(8) statement parser: every statement form, extensions, algorithms
// with their key sizes (from the RFCs), comments, multi-line statements and
// error messages that name the line and the token.
#include <gtest/gtest.h>

#include <string>

#include "aipsec/setkey.hpp"

namespace aipsec::setkey {
namespace {

// By value: the commands are usually a temporary.
template <typename T>
T only(const std::vector<Command>& cmds) {
  EXPECT_EQ(cmds.size(), 1u);
  return std::get<T>(cmds.at(0));
}

std::string hex_key(std::size_t bytes) {
  std::string s = "0x";
  for (std::size_t i = 0; i < bytes; ++i) s += "a5";
  return s;
}

// The message of the ParseError the text raises ("" if none).
std::string error_of(const std::string& text) {
  try {
    parse(text, "t.conf");
  } catch (const ParseError& e) {
    return e.what();
  }
  return "";
}

TEST(SetkeyParse, AddWithAllExtensions) {
  auto cmds = parse(
      "add 192.0.2.1 192.0.2.2 esp 0x1001 -m tunnel -r 4 -u 7 -f random-pad -f cyclic-seq -f esn\n"
      "  -lh 3600 -ls 3000 -bh 1000000 -bs 900000\n"
      "  -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha2-256 " + hex_key(32) + ";");
  const auto& a = only<SaAddCommand>(cmds);
  EXPECT_EQ(a.line, 1);
  EXPECT_FALSE(a.update);
  EXPECT_EQ(a.sa.src, *IpAddr::parse("192.0.2.1"));
  EXPECT_EQ(a.sa.dst, *IpAddr::parse("192.0.2.2"));
  EXPECT_EQ(a.sa.proto, IpsecProto::kEsp);
  EXPECT_EQ(a.sa.spi, 0x1001u);
  EXPECT_EQ(a.sa.mode, Mode::kTunnel);
  EXPECT_EQ(a.sa.replay_window, 32u);  // -r is octets: 8 packets each
  EXPECT_EQ(a.sa.reqid, 7u);
  EXPECT_EQ(a.sa.pad, PadMode::kRandom);
  EXPECT_TRUE(a.sa.cyclic_seq);
  EXPECT_TRUE(a.sa.esn);
  EXPECT_EQ(a.sa.hard.add_seconds, 3600u);
  EXPECT_EQ(a.sa.soft.add_seconds, 3000u);
  EXPECT_EQ(a.sa.hard.bytes, 1000000u);
  EXPECT_EQ(a.sa.soft.bytes, 900000u);
  EXPECT_EQ(a.sa.enc, EncAlg::kAesCbc);
  EXPECT_EQ(a.sa.auth, AuthAlg::kHmacSha256_128);
  const std::uint8_t k[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                              0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
  EXPECT_TRUE(a.sa.enc_key == SecureBytes(ByteView(k, 16)));
  EXPECT_EQ(a.sa.auth_key.size(), 32u);
}

TEST(SetkeyParse, DefaultsAndPadOptions) {
  const auto& d = only<SaAddCommand>(parse("add 10.0.0.1 10.0.0.2 esp 300 -E aes-gcm-16 " + hex_key(20) + ";"));
  EXPECT_EQ(d.sa.mode, Mode::kAny);
  EXPECT_EQ(d.sa.replay_window, 0u);
  EXPECT_EQ(d.sa.pad, PadMode::kSequential);
  EXPECT_FALSE(d.sa.esn);
  EXPECT_FALSE(d.sa.cyclic_seq);
  EXPECT_EQ(d.sa.spi, 300u);
  const auto& z = only<SaAddCommand>(
      parse("add 10.0.0.1 10.0.0.2 esp 300 -f zero-pad -f nocyclic-seq -m transport -E null -A hmac-sha1 " +
            hex_key(20) + ";"));
  EXPECT_EQ(z.sa.pad, PadMode::kZero);
  EXPECT_EQ(z.sa.mode, Mode::kTransport);
  EXPECT_EQ(z.sa.enc, EncAlg::kNull);
  EXPECT_TRUE(z.sa.enc_key.empty());
  const auto& s = only<SaAddCommand>(
      parse("add 10.0.0.1 10.0.0.2 esp 300 -f seq-pad -m any -E null \"\" -A hmac-sha1 " + hex_key(20) + ";"));
  EXPECT_EQ(s.sa.pad, PadMode::kSequential);
  EXPECT_EQ(s.sa.mode, Mode::kAny);
}

TEST(SetkeyParse, AhIpcompAndUpdate) {
  const auto& ah = only<SaAddCommand>(parse("update fe80::1 fe80::2 ah 0x2000 -A aes-xcbc-mac " + hex_key(16) + ";"));
  EXPECT_TRUE(ah.update);
  EXPECT_EQ(ah.sa.proto, IpsecProto::kAh);
  EXPECT_EQ(ah.sa.auth, AuthAlg::kAesXcbc96);
  EXPECT_EQ(ah.sa.src.family, 6);
  const auto& ipc = only<SaAddCommand>(parse("add 10.0.0.1 10.0.0.2 ipcomp 0x3001 -C deflate -R;"));
  EXPECT_EQ(ipc.sa.proto, IpsecProto::kIpComp);
  EXPECT_EQ(ipc.sa.comp, CompAlg::kDeflate);
  EXPECT_TRUE(ipc.sa.ipcomp_raw_cpi);
  EXPECT_EQ(ipc.sa.spi, 0x3001u);
}

TEST(SetkeyParse, QuotedKeyIsItsBytes) {
  const auto& a = only<SaAddCommand>(parse("add 10.0.0.1 10.0.0.2 ah 1000 -A hmac-sha1 \"12345678901234567890\";"));
  std::string want = "12345678901234567890";
  EXPECT_TRUE(a.sa.auth_key == SecureBytes(ByteView(reinterpret_cast<const std::uint8_t*>(want.data()), 20)));
}

TEST(SetkeyParse, SaIdentityCommands) {
  auto cmds = parse(
      "get 10.0.0.1 10.0.0.2 esp 0x1001;\n"
      "delete -4 10.0.0.1 10.0.0.2 ah 4097;\n"
      "deleteall 10.0.0.1 10.0.0.2 esp;\n"
      "flush; flush ah;\n"
      "dump; dump ipcomp;\n");
  ASSERT_EQ(cmds.size(), 7u);
  const auto& g = std::get<SaGetCommand>(cmds[0]);
  EXPECT_EQ(g.spi, 0x1001u);
  EXPECT_EQ(g.proto, IpsecProto::kEsp);
  const auto& d = std::get<SaDeleteCommand>(cmds[1]);
  EXPECT_EQ(d.spi, 4097u);
  EXPECT_EQ(d.proto, IpsecProto::kAh);
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(std::get<SaDeleteAllCommand>(cmds[2]).proto, IpsecProto::kEsp);
  EXPECT_FALSE(std::get<SaFlushCommand>(cmds[3]).proto.has_value());
  EXPECT_EQ(std::get<SaFlushCommand>(cmds[4]).proto, IpsecProto::kAh);
  EXPECT_FALSE(std::get<SaDumpCommand>(cmds[5]).proto.has_value());
  EXPECT_EQ(std::get<SaDumpCommand>(cmds[6]).proto, IpsecProto::kIpComp);
  EXPECT_EQ(command_line(cmds[6]), 5);
}

TEST(SetkeyParse, SpdCommands) {
  auto cmds = parse(
      "spdadd 10.0.0.0/8[any] 172.16.0.0/12[80] tcp -P out priority -5 ipsec\n"
      "   esp/tunnel/192.0.2.1-192.0.2.2/require ah/transport//use;\n"
      "spdupdate fec0::/64[80] fec0::1[any] udp -P in none;\n"
      "spdadd 0.0.0.0/0 0.0.0.0/0 icmp 8,0 -P out discard;\n"
      "spdadd ::/0 ::/0 icmp6 135 -P fwd bypass;\n"
      "spdadd 10.1.2.3 10.1.2.4 47 -P out entrust;\n"
      "spddelete 10.0.0.0/8[any] 172.16.0.0/12[80] tcp -P out;\n"
      "spddelete fec0::/64[80] fec0::1 udp -P in none;\n"
      "spdflush; spddump;\n");
  ASSERT_EQ(cmds.size(), 9u);
  const auto& p = std::get<SpdAddCommand>(cmds[0]).policy;
  EXPECT_EQ(p.sel.src.to_string(), "10.0.0.0/8");
  EXPECT_EQ(p.sel.dst.to_string(), "172.16.0.0/12");
  EXPECT_EQ(p.sel.sport, 0);
  EXPECT_EQ(p.sel.dport, 80);
  EXPECT_EQ(p.sel.ulproto, 6);
  EXPECT_EQ(p.dir, Direction::kOut);
  EXPECT_EQ(p.priority, -5);
  EXPECT_EQ(p.action, PolicyAction::kIpsec);
  ASSERT_EQ(p.requests.size(), 2u);
  EXPECT_EQ(p.requests[0].mode, Mode::kTunnel);
  EXPECT_EQ(p.requests[1].proto, IpsecProto::kAh);
  EXPECT_EQ(p.requests[1].level, Level::kUse);
  const auto& u = std::get<SpdAddCommand>(cmds[1]);
  EXPECT_TRUE(u.update);
  EXPECT_EQ(u.policy.sel.src.prefix_len, 64);
  EXPECT_EQ(u.policy.sel.dst.prefix_len, 128);  // no prefix: the whole address
  EXPECT_EQ(u.policy.sel.sport, 80);
  EXPECT_EQ(u.policy.sel.ulproto, 17);
  EXPECT_EQ(u.policy.action, PolicyAction::kNone);
  EXPECT_EQ(u.line, 3);
  const auto& icmp = std::get<SpdAddCommand>(cmds[2]).policy;
  EXPECT_EQ(icmp.sel.ulproto, 1);
  EXPECT_EQ(icmp.sel.icmp_type, 8);
  EXPECT_EQ(icmp.sel.icmp_code, 0);
  EXPECT_EQ(icmp.sel.src.prefix_len, 0);
  EXPECT_EQ(icmp.sel.src.addr.family, 4);
  EXPECT_EQ(icmp.action, PolicyAction::kDiscard);
  const auto& nd = std::get<SpdAddCommand>(cmds[3]).policy;
  EXPECT_EQ(nd.sel.ulproto, 58);
  EXPECT_EQ(nd.sel.icmp_type, 135);
  EXPECT_FALSE(nd.sel.icmp_code.has_value());
  EXPECT_EQ(nd.dir, Direction::kFwd);
  EXPECT_EQ(nd.action, PolicyAction::kBypass);
  EXPECT_EQ(std::get<SpdAddCommand>(cmds[4]).policy.sel.ulproto, 47);
  EXPECT_EQ(std::get<SpdAddCommand>(cmds[4]).policy.action, PolicyAction::kEntrust);
  const auto& del = std::get<SpdDeleteCommand>(cmds[5]);
  EXPECT_EQ(del.dir, Direction::kOut);
  EXPECT_EQ(del.sel, p.sel);
  EXPECT_EQ(std::get<SpdDeleteCommand>(cmds[6]).dir, Direction::kIn);
  EXPECT_TRUE(std::holds_alternative<SpdFlushCommand>(cmds[7]));
  EXPECT_TRUE(std::holds_alternative<SpdDumpCommand>(cmds[8]));
}

TEST(SetkeyParse, CommentsBlankStatementsAndLineNumbers) {
  auto cmds = parse(
      "# a comment line; with a semicolon\n"
      "\n"
      "flush ; # trailing comment\n"
      ";;\n"
      "add\n"
      "  10.0.0.1   10.0.0.2\t esp\n"
      "  # comment inside a statement\n"
      "  0x1001 -E aes-gcm-16\n"
      "  " + hex_key(36) + "\n"
      ";\n");
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(command_line(cmds[0]), 3);
  const auto& a = std::get<SaAddCommand>(cmds[1]);
  EXPECT_EQ(a.line, 5);
  EXPECT_EQ(a.sa.enc_key.size(), 36u);
  EXPECT_TRUE(parse("").empty());
  EXPECT_TRUE(parse("# only a comment").empty());
}

// ---- Algorithms and key sizes (RFC 3602, 3686, 4106, 4543, 7634, 2404, 4868, 3566).

struct EncCase {
  const char* name;
  EncAlg alg;
  std::vector<std::size_t> good;
  std::vector<std::size_t> bad;
};

class EncAlgorithms : public ::testing::TestWithParam<EncCase> {};

TEST_P(EncAlgorithms, KeySizes) {
  const auto& c = GetParam();
  bool aead = c.alg == EncAlg::kAesGcm8 || c.alg == EncAlg::kAesGcm12 || c.alg == EncAlg::kAesGcm16 ||
              c.alg == EncAlg::kChaCha20Poly1305 || c.alg == EncAlg::kAesGmac;
  std::string tail = aead ? ";" : " -A hmac-sha1 " + hex_key(20) + ";";
  for (std::size_t n : c.good) {
    const auto& a =
        only<SaAddCommand>(parse("add 10.0.0.1 10.0.0.2 esp 4096 -E " + std::string(c.name) + " " + hex_key(n) + tail));
    EXPECT_EQ(a.sa.enc, c.alg) << c.name;
    EXPECT_EQ(a.sa.enc_key.size(), n);
  }
  for (std::size_t n : c.bad) {
    std::string err = error_of("\n\nadd 10.0.0.1 10.0.0.2 esp 4096 -E " + std::string(c.name) + " " + hex_key(n) + tail);
    EXPECT_NE(err.find("t.conf:3: near '" + std::string(c.name) + " key'"), std::string::npos) << err;
    EXPECT_NE(err.find("is " + std::to_string(n) + " bytes"), std::string::npos) << err;
    EXPECT_NE(err.find(std::to_string(c.good.back())), std::string::npos) << err;  // expected sizes named
    EXPECT_EQ(err.find("a5a5"), std::string::npos) << "a key must never appear in a message: " << err;
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, EncAlgorithms,
    ::testing::Values(EncCase{"aes-cbc", EncAlg::kAesCbc, {16, 24, 32}, {8, 20, 33}},
                      EncCase{"rijndael-cbc", EncAlg::kAesCbc, {16, 24, 32}, {15}},
                      EncCase{"aes-ctr", EncAlg::kAesCtr, {20, 28, 36}, {16, 24, 32}},
                      EncCase{"aes-gcm-16", EncAlg::kAesGcm16, {20, 28, 36}, {16, 32, 37}},
                      EncCase{"aes-gcm-12", EncAlg::kAesGcm12, {20, 28, 36}, {16}},
                      EncCase{"aes-gcm-8", EncAlg::kAesGcm8, {20, 28, 36}, {16}},
                      EncCase{"chacha20-poly1305", EncAlg::kChaCha20Poly1305, {36}, {32, 20}},
                      EncCase{"aes-gmac", EncAlg::kAesGmac, {20, 28, 36}, {16, 32}}),
    [](const auto& param_info) {
      std::string n = param_info.param.name;
      for (auto& ch : n)
        if (ch == '-') ch = '_';
      return n;
    });

struct AuthCase {
  const char* name;
  const char* proto;
  AuthAlg alg;
  std::vector<std::size_t> good;
  std::vector<std::size_t> bad;
};

class AuthAlgorithms : public ::testing::TestWithParam<AuthCase> {};

TEST_P(AuthAlgorithms, KeySizes) {
  const auto& c = GetParam();
  std::string head = std::string("add 10.0.0.1 10.0.0.2 ") + c.proto + " 4096 " +
                     (std::string(c.proto) == "esp" ? "-E aes-cbc " + hex_key(16) + " " : "");
  for (std::size_t n : c.good) {
    const auto& a = only<SaAddCommand>(parse(head + "-A " + c.name + " " + hex_key(n) + ";"));
    EXPECT_EQ(a.sa.auth, c.alg) << c.name;
    EXPECT_EQ(a.sa.auth_key.size(), n);
  }
  for (std::size_t n : c.bad) {
    std::string err = error_of(head + "-A " + c.name + " " + hex_key(n) + ";");
    EXPECT_NE(err.find("t.conf:1: near '" + std::string(c.name) + " key'"), std::string::npos) << err;
    EXPECT_NE(err.find("expected " + std::to_string(c.good.front())), std::string::npos) << err;
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, AuthAlgorithms,
    ::testing::Values(AuthCase{"hmac-sha1", "esp", AuthAlg::kHmacSha1_96, {20}, {16, 32}},
                      AuthCase{"hmac-sha2-256", "esp", AuthAlg::kHmacSha256_128, {32}, {20, 64}},
                      AuthCase{"hmac-sha2-384", "ah", AuthAlg::kHmacSha384_192, {48}, {32}},
                      AuthCase{"hmac-sha2-512", "ah", AuthAlg::kHmacSha512_256, {64}, {48}},
                      AuthCase{"aes-xcbc-mac", "esp", AuthAlg::kAesXcbc96, {16}, {20, 32}},
                      AuthCase{"aes-128-gmac", "ah", AuthAlg::kAesGmac, {20}, {16, 28}},
                      AuthCase{"aes-256-gmac", "ah", AuthAlg::kAesGmac, {36}, {32}},
                      AuthCase{"aes-gmac", "ah", AuthAlg::kAesGmac, {20, 28, 36}, {16}}),
    [](const auto& param_info) {
      std::string n = std::string(param_info.param.proto) + "_" + param_info.param.name;
      for (auto& ch : n)
        if (ch == '-') ch = '_';
      return n;
    });

TEST(SetkeyParse, UnsupportedAlgorithmsSaySo) {
  for (const char* alg : {"des-cbc", "3des-cbc", "blowfish-cbc", "cast128-cbc", "twofish-cbc", "camellia-cbc"}) {
    std::string err = error_of(std::string("add 10.0.0.1 10.0.0.2 esp 4096 -E ") + alg + " 0x00;");
    EXPECT_NE(err.find(std::string("near '") + alg + "': algorithm not supported"), std::string::npos) << err;
  }
  for (const char* alg : {"hmac-md5", "keyed-md5", "hmac-ripemd160"}) {
    std::string err = error_of(std::string("add 10.0.0.1 10.0.0.2 ah 4096 -A ") + alg + " 0x00;");
    EXPECT_NE(err.find("algorithm not supported"), std::string::npos) << err;
  }
  EXPECT_NE(error_of("add 10.0.0.1 10.0.0.2 ipcomp 4096 -C lzs;").find("not supported"), std::string::npos);
  EXPECT_NE(error_of("add 10.0.0.1 10.0.0.2 esp 4096 -E rot13 0x00;").find("unknown encryption algorithm"),
            std::string::npos);
  EXPECT_NE(error_of("add 10.0.0.1 10.0.0.2 esp-old 4096 -E aes-cbc 0x00;").find("not supported"), std::string::npos);
}

TEST(SetkeyParse, NullIntegrityAndAlgorithmCombinations) {
  // -A null: ESP confidentiality only (allowed by RFC 4303 with a real cipher).
  const auto& a = only<SaAddCommand>(parse("add 10.0.0.1 10.0.0.2 esp 4096 -E aes-cbc " + hex_key(16) + " -A null;"));
  EXPECT_EQ(a.sa.auth, AuthAlg::kNone);
  EXPECT_NE(error_of("add 10.0.0.1 10.0.0.2 ah 4096 -A null;").find("AH needs an integrity algorithm"),
            std::string::npos);
  EXPECT_NE(error_of("add 10.0.0.1 10.0.0.2 esp 4096 -E null;").find("needs an integrity algorithm"),
            std::string::npos);
  EXPECT_NE(error_of("add 10.0.0.1 10.0.0.2 esp 4096 -E aes-gcm-16 " + hex_key(20) + " -A hmac-sha1 " +
                     hex_key(20) + ";")
                .find("near '-A': combined-mode (AEAD) cipher takes no -A"),
            std::string::npos);
  EXPECT_NE(error_of("add 10.0.0.1 10.0.0.2 esp 4096 -A hmac-sha1 " + hex_key(20) + ";").find("esp needs -E"),
            std::string::npos);
  EXPECT_NE(error_of("add 10.0.0.1 10.0.0.2 ah 4096 -E aes-cbc " + hex_key(16) + ";").find("-E is for esp only"),
            std::string::npos);
  EXPECT_NE(error_of("add 10.0.0.1 10.0.0.2 esp 4096 -E aes-gcm-16 " + hex_key(20) + " -A aes-128-gmac " +
                     hex_key(20) + ";")
                .find("-E aes-gmac"),
            std::string::npos);
  EXPECT_NE(error_of("add 10.0.0.1 10.0.0.2 ipcomp 4096;").find("ipcomp needs -C"), std::string::npos);
  EXPECT_NE(error_of("add 10.0.0.1 10.0.0.2 esp 4096 -C deflate;").find("-C is for ipcomp only"), std::string::npos);
}

// ---- Errors carry the file, the line and the token.

struct BadCase {
  const char* text;
  const char* message;  // expected substring
};

class SetkeyErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(SetkeyErrors, NameLineAndToken) {
  std::string err = error_of(GetParam().text);
  EXPECT_NE(err.find(GetParam().message), std::string::npos) << "got: " << err;
}

INSTANTIATE_TEST_SUITE_P(
    All, SetkeyErrors,
    ::testing::Values(
        BadCase{"frobnicate;", "t.conf:1: near 'frobnicate': unknown command"},
        BadCase{"flush\n", "t.conf:1: near '<end of input>': expected ';' at the end of flush"},
        BadCase{"\nadd 10.0.0.1 10.0.0.2 esp 100 -E aes-cbc 0x00;", "t.conf:2: near '100': SPI values 0..255 are reserved"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 0x1ffffffff -E null;", "near '0x1ffffffff': SPI must be"},
        BadCase{"add 10.0.0.1 fe80::1 esp 4096 -E null;", "different address families"},
        BadCase{"add -6 10.0.0.1 10.0.0.2 esp 4096 -E null;", "is not IPv6"},
        BadCase{"add host.example 10.0.0.2 esp 4096;", "near 'host.example': expected a numeric"},
        BadCase{"add 10.0.0.1/24 10.0.0.2 esp 4096;", "an SA address takes no prefix or port"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 4096 -m sideways;", "near 'sideways': -m takes"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 4096 -f odd-pad;", "near 'odd-pad': -f takes"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 4096 -r 99999999999;", "near '99999999999': -r (octets)"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 4096 -r -1;", "near '-1': -r (octets)"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 4096 -lh 1 -ls 2 -E aes-gcm-16 "
                "0x0102030405060708090a0b0c0d0e0f1011121314;",
                "soft lifetime (-ls) exceeds hard lifetime"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 4096 -x;", "near '-x': unknown SA option"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 4096 -E aes-cbc 0x0g;", "bad hex key"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 4096 -E aes-cbc 0x012;", "bad hex key"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 4096 -E aes-cbc nothex;", "near 'aes-cbc key': a key is 0x"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 4096 -E aes-cbc 0x00112233445566778899aabbccddeeff -A \"secret\";", "near '\"...\"': unknown authentication"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 4096 -E aes-cbc \"unterminated;\n\n", "t.conf:1: near '\"': unterminated string"},
        BadCase{"add 10.0.0.1 10.0.0.2 esp 4096 -E aes-cbc 0x00112233445566778899aabbccddeeff -E null;",
                "-E given twice"},
        BadCase{"add 10.0.0.1 10.0.0.2 ipcomp 0x10000 -C deflate;", "an IPComp CPI is 1..65535"},
        BadCase{"spdadd 10.0.0.0/33 10.0.0.0/8 any -P out none;", "near '10.0.0.0/33': prefix length exceeds 32"},
        BadCase{"spdadd 10.0.0.0/8[70000] 10.0.0.0/8 any -P out none;", "port must be a number"},
        BadCase{"spdadd 10.0.0.0/8[80 10.0.0.0/8 any -P out none;", "port must be written"},
        BadCase{"spdadd 10.0.0.0/8 fec0::/64 any -P out none;", "different address families"},
        BadCase{"spdadd 10.0.0.0/8 10.0.0.0/8 frob -P out none;", "near 'frob': unknown upper-layer protocol"},
        BadCase{"spdadd 10.0.0.0/8 10.0.0.0/8 icmp 300 -P out none;", "ICMP type must be"},
        BadCase{"spdadd 10.0.0.0/8 10.0.0.0/8 any out none;", "near 'out': expected -P"},
        BadCase{"spdadd 10.0.0.0/8 10.0.0.0/8 any -P out\n  ipsec esp/tunnel//require;",
                "t.conf:2: near 'esp/tunnel//require': tunnel mode needs endpoints"},
        BadCase{"spddelete 10.0.0.0/8 10.0.0.0/8 any -P up;", "near 'up': policy direction"}));

TEST(SetkeyParse, ParseErrorFields) {
  try {
    parse("flush;\n\nadd 10.0.0.1 10.0.0.2 bogus 4096;", "x.conf");
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), "x.conf");
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.token(), "bogus");
    EXPECT_EQ(std::string(e.what()), "x.conf:3: near 'bogus': " + e.problem());
  }
}

TEST(SetkeyParse, KeysNeverAppearInMessages) {
  for (const char* text : {"add 10.0.0.1 10.0.0.2 esp 4096 -E aes-cbc 0x5ec7e75ec7e75ec7e7zz;",
                           "add 10.0.0.1 10.0.0.2 esp 4096 -E aes-cbc 0x5ec7e75ec7e75ec7e;",
                           "add 10.0.0.1 10.0.0.2 esp 4096 -E aes-cbc 5ec7e75ec7e75ec7e7;",
                           "add 10.0.0.1 10.0.0.2 esp 4096 -E aes-cbc \"5ec7e75ec7e75ec7e7;",
                           "add 10.0.0.1 10.0.0.2 esp 4096 -E aes-cbc \"5ec7e75ec7e75ec7e7\";",
                           "add 10.0.0.1 10.0.0.2 esp 4096 -E \"5ec7e75ec7e75ec7e7\";"}) {
    std::string err = error_of(text);
    EXPECT_FALSE(err.empty()) << text;
    EXPECT_EQ(err.find("5ec7e7"), std::string::npos) << err;
  }
}

TEST(SetkeyParse, LongTokensAreShortenedInMessages) {
  std::string err = error_of(std::string(100000, 'z') + ";");
  EXPECT_LT(err.size(), 300u);
  EXPECT_NE(err.find("zzz..."), std::string::npos);
}

TEST(SetkeyParse, ParseFileNamesTheFile) {
  EXPECT_THROW(parse_file("/nonexistent/dir/x.conf"), Error);
}

}  // namespace
}  // namespace aipsec::setkey
