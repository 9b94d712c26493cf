// setkey -D / -DP / -x output from PF_KEY messages built here field by field;
// the expected text is the FreeBSD libipsec layout (pfkey_sadump/pfkey_spdump),
// written out by hand.
#include <gtest/gtest.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <netinet/in.h>

#include <cstdlib>

#include "aipsec/setkey.hpp"
#include "setkey_print.hpp"

namespace {

using namespace aipsec;
using namespace aipsec::setkeytool;

class SetkeyPrint : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
};

pfkey::AddressExt host(const char* a) {
  IpAddr ip = *IpAddr::parse(a);
  return pfkey::AddressExt{IPSEC_ULPROTO_ANY, std::uint8_t(ip.size() * 8), pfkey::SockAddr{ip, 0, 0}};
}

// 2026-11-27 12:00:00 UTC
constexpr std::uint64_t kCreated = 1795780800;

pfkey::Message gcm_sa() {
  pfkey::Message m;
  m.type = SADB_DUMP;
  m.satype = SADB_SATYPE_ESP;
  m.seq = 0;
  m.pid = 4242;
  m.sa = pfkey::SaExt{0x1001, 4, SADB_SASTATE_MATURE, SADB_AALG_NONE, SADB_X_EALG_AES_GCM_ICV16, 0};
  m.src = host("192.0.2.1");
  m.dst = host("198.51.100.1");
  m.sa2 = pfkey::Sa2Ext{IPSEC_MODE_TUNNEL, 0, 0};
  m.key_encrypt = pfkey::KeyExt{160, SecureBytes(from_hex("0102030405060708090a0b0c0d0e0f10a1a2a3a4"))};
  m.lifetime_current = pfkey::LifetimeExt{12, 3456, kCreated, 0};
  m.lifetime_hard = pfkey::LifetimeExt{0, 1000000, 3600, 0};
  m.lifetime_soft = pfkey::LifetimeExt{0, 900000, 3000, 0};
  return m;
}

TEST_F(SetkeyPrint, SaInTheFreeBsdLayout) {
  const std::string expected =
      "192.0.2.1 198.51.100.1\n"
      "\tesp mode=tunnel spi=4097(0x00001001) reqid=0(0x00000000)\n"
      "\tE: aes-gcm-16  01020304 05060708 090a0b0c 0d0e0f10 a1a2a3a4\n"
      "\tseq=0x00000000 replay=4 flags=0x00000000 state=mature\n"
      "\tcreated: Nov 27 12:00:00 2026\tcurrent: Nov 27 12:05:00 2026\n"
      "\tdiff: 300(s)\thard: 3600(s)\tsoft: 3000(s)\n"
      "\tlast:                     \thard: 0(s)\tsoft: 0(s)\n"
      "\tcurrent: 3456(bytes)\thard: 1000000(bytes)\tsoft: 900000(bytes)\n"
      "\tallocated: 12\thard: 0\tsoft: 0\n"
      "\tsadb_seq=0 pid=4242 refcnt=0\n";
  EXPECT_EQ(format_sa_message(gcm_sa(), std::time_t(kCreated + 300)), expected);
}

TEST_F(SetkeyPrint, AuthKeyNattPortsAndReplayInPackets) {
  pfkey::Message m = gcm_sa();
  m.sa->encrypt = SADB_X_EALG_AESCBC;
  m.sa->auth = SADB_AALG_SHA1HMAC;
  m.sa->flags = 0x400;
  m.key_encrypt = pfkey::KeyExt{128, SecureBytes(from_hex("00112233445566778899aabbccddeeff"))};
  m.key_auth = pfkey::KeyExt{160, SecureBytes(from_hex("000102030405060708090a0b0c0d0e0f10111213"))};
  m.natt_type = pfkey::kNatTypeEspInUdp;
  m.natt_sport = 4500;
  m.natt_dport = 4501;
  m.sa_replay = 3000;
  m.lifetime_current.reset();
  const std::string expected =
      "192.0.2.1[4500] 198.51.100.1[4501]\n"
      "\tesp mode=tunnel spi=4097(0x00001001) reqid=0(0x00000000)\n"
      "\tE: aes-cbc  00112233 44556677 8899aabb ccddeeff\n"
      "\tA: hmac-sha1  00010203 04050607 08090a0b 0c0d0e0f 10111213\n"
      "\tseq=0x00000000 replay=4 flags=0x00000400 state=mature\n"
      "\treplay_window=3000(packets)\n"
      "\tsadb_seq=0 pid=4242 refcnt=0\n";
  EXPECT_EQ(format_sa_message(m, 0), expected);
}

TEST_F(SetkeyPrint, SaDumpReadsBackWithTheSetkeyDumpParser) {
  auto cmds = setkey::parse_dump(format_sa_message(gcm_sa(), std::time_t(kCreated + 1)));
  ASSERT_EQ(cmds.size(), 1u);
  const SaConfig& c = std::get<setkey::SaAddCommand>(cmds[0]).sa;
  EXPECT_EQ(c.spi, 0x1001u);
  EXPECT_EQ(c.mode, Mode::kTunnel);
  EXPECT_EQ(c.enc, EncAlg::kAesGcm16);
  EXPECT_EQ(c.enc_key, SecureBytes(from_hex("0102030405060708090a0b0c0d0e0f10a1a2a3a4")));
  EXPECT_EQ(c.replay_window, 32u);
  EXPECT_EQ(c.hard.add_seconds, 3600u);
  EXPECT_EQ(c.soft.bytes, 900000u);
}

TEST_F(SetkeyPrint, PolicyInTheFreeBsdLayout) {
  pfkey::Message m;
  m.type = SADB_X_SPDDUMP;
  m.seq = 1;
  m.pid = 7;
  m.src = pfkey::AddressExt{IPPROTO_TCP, 16, pfkey::SockAddr{*IpAddr::parse("10.1.0.0"), 0, 0}};
  m.dst = pfkey::AddressExt{IPPROTO_TCP, 24, pfkey::SockAddr{*IpAddr::parse("10.2.0.0"), 443, 0}};
  pfkey::PolicyExt x;
  x.type = IPSEC_POLICY_IPSEC;
  x.dir = IPSEC_DIR_OUTBOUND;
  x.id = 3;
  x.priority = 0x80000000u;
  pfkey::IpsecRequestExt ah{IPPROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_USE, 0, std::nullopt, std::nullopt};
  pfkey::IpsecRequestExt esp{IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_UNIQUE, 9,
                             pfkey::SockAddr{*IpAddr::parse("192.0.2.1"), 0, 0},
                             pfkey::SockAddr{*IpAddr::parse("198.51.100.1"), 0, 0}};
  x.requests = {ah, esp};
  m.policy = x;
  m.lifetime_hard = pfkey::LifetimeExt{0, 0, 60, 30};
  const std::string expected =
      "10.1.0.0/16[any] 10.2.0.0/24[443] tcp\n"
      "\tout ipsec\n"
      "\tah/transport//use\n"
      "\tesp/tunnel/192.0.2.1-198.51.100.1/unique:9\n"
      "\tlifetime: 60(s) validtime: 30(s)\n"
      "\tspid=3 seq=1 pid=7 scope=global\n"
      "\trefcnt=0\n";
  EXPECT_EQ(format_policy_message(m), expected);
}

TEST_F(SetkeyPrint, HostPolicyWithPriorityAndIcmp) {
  pfkey::Message m;
  m.type = SADB_X_SPDDUMP;
  m.src = pfkey::AddressExt{IPPROTO_ICMP, 32, pfkey::SockAddr{*IpAddr::parse("192.0.2.1"), 8, 0}};
  m.dst = pfkey::AddressExt{IPPROTO_ICMP, 32, pfkey::SockAddr{*IpAddr::parse("192.0.2.2"), 0, 0}};
  pfkey::PolicyExt x;
  x.type = IPSEC_POLICY_DISCARD;
  x.dir = IPSEC_DIR_INBOUND;
  x.id = 12;
  x.priority = 0x80000000u - 10;
  m.policy = x;
  EXPECT_EQ(format_policy_message(m),
            "192.0.2.1 192.0.2.2 icmp 8\n"
            "\tin priority -10 discard\n"
            "\tspid=12 seq=0 pid=0 scope=global\n"
            "\trefcnt=0\n");
}

TEST_F(SetkeyPrint, DebugListingNeverShowsKeys) {
  std::string s = format_debug(gcm_sa(), 160);
  EXPECT_NE(s.find("type=10(DUMP)"), std::string::npos) << s;
  EXPECT_NE(s.find("spi=4097(0x00001001)"), std::string::npos) << s;
  EXPECT_NE(s.find("sadb_key{ encrypt bits=160 } (key not shown)"), std::string::npos) << s;
  EXPECT_EQ(s.find("0102"), std::string::npos) << s;
  EXPECT_EQ(s.find("a1a2a3a4"), std::string::npos) << s;
}

}  // namespace
