// setkey statements run over a real SOCK_SEQPACKET connection to a PF_KEY
// engine: what reaches the databases, the bytes the server received, dumps
// and the errors a refused statement prints.
#include <gtest/gtest.h>
#include <linux/pfkeyv2.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "aipsec/setkey.hpp"
#include "esp_sa_export.hpp"
#include "pfkey_client.hpp"
#include "setkey_messages.hpp"
#include "setkey_session.hpp"
#include "tools_pfkey_server.hpp"

namespace {

using namespace aipsec;
using namespace aipsec::setkeytool;

std::string temp_socket(const char* tag) {
  return "/tmp/aipsec-test-" + std::string(tag) + "-" + std::to_string(::getpid()) + ".sock";
}

class SetkeySession : public ::testing::Test {
 protected:
  SetkeySession() : server(temp_socket("session")), client(server.path()), session(client, out, err, false) {
    session.set_clock([] { return std::time_t(1795780800); });
  }
  bool run(const std::string& text) {
    bool ok = true;
    for (const auto& c : setkey::parse(text, "test.conf")) ok = session.run(c, "test.conf") && ok;
    return ok;
  }
  testsupport::PfkeyTestServer server;
  PfkeyClient client;
  std::ostringstream out, err;
  Session session;
};

constexpr const char* kTwoSas =
    "add 192.0.2.1 198.51.100.1 esp 0x1001 -m tunnel -r 4\n"
    "    -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;\n"
    "add 198.51.100.1 192.0.2.1 esp 0x1002 -m tunnel -E aes-cbc 0x00112233445566778899aabbccddeeff\n"
    "    -A hmac-sha2-256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;\n";

TEST_F(SetkeySession, AddInstallsInTheSadAndTheServerGotAnAdd) {
  ASSERT_TRUE(run(kTwoSas)) << err.str();
  EXPECT_EQ(server.sad.size(), 2u);
  SaRef sa = server.sad.get(SaKey{*IpAddr::parse("198.51.100.1"), IpsecProto::kEsp, 0x1001});
  ASSERT_TRUE(sa);
  EXPECT_EQ(sa->config().enc, EncAlg::kAesGcm16);
  EXPECT_EQ(sa->config().replay_window, 32u);
  EXPECT_EQ(sa->config().mode, Mode::kTunnel);
  auto rx = server.received();
  ASSERT_EQ(rx.size(), 2u);
  auto first = pfkey::parse(rx[0]);
  ASSERT_TRUE(first.msg);
  EXPECT_EQ(first.msg->type, SADB_ADD);
  EXPECT_EQ(first.msg->pid, std::uint32_t(::getpid()));
}

TEST_F(SetkeySession, DumpPrintsEverySaWithKeys) {
  ASSERT_TRUE(run(kTwoSas));
  ASSERT_TRUE(run("dump esp;"));
  const std::string s = out.str();
  EXPECT_NE(s.find("192.0.2.1 198.51.100.1\n\tesp mode=tunnel spi=4097(0x00001001)"), std::string::npos) << s;
  EXPECT_NE(s.find("E: aes-gcm-16  01020304 05060708 090a0b0c 0d0e0f10 a1a2a3a4"), std::string::npos) << s;
  EXPECT_NE(s.find("A: hmac-sha2-256  00010203"), std::string::npos) << s;
  // The dump reads back as the two SAs.
  auto cmds = setkey::parse_dump(s);
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(std::get<setkey::SaAddCommand>(cmds[1]).sa.spi, 0x1002u);
}

TEST_F(SetkeySession, EmptyDumpsSayNoEntries) {
  ASSERT_TRUE(run("dump; spddump;"));
  EXPECT_EQ(out.str(), "No SAD entries.\nNo SPD entries.\n");
}

TEST_F(SetkeySession, GetPrintsOneSaAndDeleteRemovesIt) {
  ASSERT_TRUE(run(kTwoSas));
  ASSERT_TRUE(run("get 198.51.100.1 192.0.2.1 esp 0x1002;"));
  EXPECT_NE(out.str().find("spi=4098(0x00001002)"), std::string::npos) << out.str();
  ASSERT_TRUE(run("delete 198.51.100.1 192.0.2.1 esp 0x1002;"));
  EXPECT_EQ(server.sad.size(), 1u);
}

TEST_F(SetkeySession, RefusedStatementsPrintLineAndStrerror) {
  ASSERT_TRUE(run(kTwoSas));
  EXPECT_FALSE(run("\n\nadd 192.0.2.1 198.51.100.1 esp 0x1001 -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;"));
  EXPECT_NE(err.str().find("test.conf:3: add: File exists"), std::string::npos) << err.str();
  EXPECT_FALSE(run("delete 192.0.2.1 192.0.2.9 esp 0x777;"));
  EXPECT_NE(err.str().find("test.conf:1: delete: No such process"), std::string::npos) << err.str();
  EXPECT_EQ(server.sad.size(), 2u);
}

TEST_F(SetkeySession, DeleteallDumpsThenDeletesEachMatchingSa) {
  ASSERT_TRUE(run(kTwoSas));
  ASSERT_TRUE(run("add 192.0.2.1 198.51.100.1 esp 0x1003 -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;"));
  ASSERT_TRUE(run("add 192.0.2.1 198.51.100.1 ah 0x1004 -A hmac-sha1 0x000102030405060708090a0b0c0d0e0f10111213;"));
  const std::size_t before = server.received().size();
  ASSERT_TRUE(run("deleteall 192.0.2.1 198.51.100.1 esp;")) << err.str();
  EXPECT_EQ(server.sad.size(), 2u);  // the reverse ESP SA and the AH SA stay
  EXPECT_FALSE(server.sad.get(SaKey{*IpAddr::parse("198.51.100.1"), IpsecProto::kEsp, 0x1001}));
  EXPECT_TRUE(server.sad.get(SaKey{*IpAddr::parse("198.51.100.1"), IpsecProto::kAh, 0x1004}));
  auto rx = server.received();
  ASSERT_EQ(rx.size(), before + 3);
  EXPECT_EQ(pfkey::parse(rx[before]).msg->type, SADB_DUMP);
  EXPECT_EQ(pfkey::parse(rx[before + 1]).msg->type, SADB_DELETE);
  EXPECT_EQ(pfkey::parse(rx[before + 2]).msg->type, SADB_DELETE);
  ASSERT_TRUE(run("deleteall 192.0.2.7 192.0.2.8 esp;"));  // nothing matches: not an error
}

TEST_F(SetkeySession, FlushEmptiesOnlyTheProtocolAsked) {
  ASSERT_TRUE(run(kTwoSas));
  ASSERT_TRUE(run("add 192.0.2.1 198.51.100.1 ah 0x1004 -A hmac-sha1 0x000102030405060708090a0b0c0d0e0f10111213;"));
  ASSERT_TRUE(run("flush esp;"));
  EXPECT_EQ(server.sad.size(), 1u);
  ASSERT_TRUE(run("flush;"));
  EXPECT_EQ(server.sad.size(), 0u);
}

TEST_F(SetkeySession, SpdStatementsReachTheSpdAndDumpBack) {
  ASSERT_TRUE(run(
      "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/192.0.2.1-198.51.100.1/require;\n"
      "spdadd 10.2.0.0/16 10.1.0.0/16 any -P in ipsec esp/tunnel/198.51.100.1-192.0.2.1/require;\n"
      "spdadd 10.1.0.0/16[any] 10.2.0.0/16[53] udp -P out none;"))
      << err.str();
  EXPECT_EQ(server.spd.size(), 3u);
  ASSERT_TRUE(run("spdupdate 10.1.0.0/16[any] 10.2.0.0/16[53] udp -P out discard;"));
  EXPECT_EQ(server.spd.size(), 3u);
  ASSERT_TRUE(run("spddump;"));
  const std::string s = out.str();
  EXPECT_NE(s.find("10.1.0.0/16[any] 10.2.0.0/16[any] any\n\tout ipsec\n\tesp/tunnel/192.0.2.1-198.51.100.1/require\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("10.1.0.0/16[any] 10.2.0.0/16[53] udp\n\tout discard\n"), std::string::npos) << s;
  ASSERT_TRUE(run("spddelete 10.2.0.0/16 10.1.0.0/16 any -P in;"));
  EXPECT_EQ(server.spd.size(), 2u);
  EXPECT_FALSE(run("spddelete 10.2.0.0/16 10.1.0.0/16 any -P in;"));
  EXPECT_NE(err.str().find("spddelete: No such process"), std::string::npos) << err.str();
  ASSERT_TRUE(run("spdflush;"));
  EXPECT_EQ(server.spd.size(), 0u);
}

TEST_F(SetkeySession, BroadcastsOfOtherClientsAreNotMistakenForAnswers) {
  PfkeyClient other(server.path());
  std::ostringstream o2, e2;
  Session s2(other, o2, e2, false);
  ASSERT_TRUE(run(kTwoSas));  // broadcasts of these ADDs also reach `other`
  for (const auto& c : setkey::parse("add 192.0.2.9 192.0.2.10 esp 0x2001 -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;"))
    ASSERT_TRUE(s2.run(c, "other.conf")) << e2.str();
  EXPECT_EQ(server.sad.size(), 3u);
}

TEST_F(SetkeySession, EspSaTableFromADump) {
  ASSERT_TRUE(run(kTwoSas));
  ASSERT_TRUE(run("add 192.0.2.1 198.51.100.1 ah 0x1004 -A hmac-sha1 0x000102030405060708090a0b0c0d0e0f10111213;"));
  ASSERT_TRUE(run("add 192.0.2.1 198.51.100.1 esp 0x1005 -E chacha20-poly1305 "
                  "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fa0a1a2a3;"));
  std::vector<pfkey::Message> sas;
  ASSERT_EQ(session.dump(sa_all_message(SADB_DUMP, IpsecProto::kEsp), [&](const pfkey::Message& m) { sas.push_back(m); }), 0);
  const std::string t = esp_sa_table(sas);
  EXPECT_NE(t.find("\"IPv4\",\"192.0.2.1\",\"198.51.100.1\",\"0x00001001\",\"AES-GCM with 16 octet ICV [RFC4106]\","
                   "\"0x0102030405060708090a0b0c0d0e0f10a1a2a3a4\",\"NULL\",\"\"\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("\"IPv4\",\"198.51.100.1\",\"192.0.2.1\",\"0x00001002\",\"AES-CBC [RFC3602]\","
                   "\"0x00112233445566778899aabbccddeeff\",\"HMAC-SHA-256-128 [RFC4868]\","
                   "\"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\"\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("# SPI 0x00001005 left out: algorithm not decryptable by Wireshark 4.0"), std::string::npos) << t;
  EXPECT_EQ(t.find("0x00001004"), std::string::npos) << t;  // AH: not an esp_sa record
}

TEST_F(SetkeySession, EspSaTableNotesEsn) {
  ASSERT_TRUE(run("add 192.0.2.1 198.51.100.1 esp 0x1006 -f esn -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;"));
  std::vector<pfkey::Message> sas;
  ASSERT_EQ(session.dump(sa_all_message(SADB_DUMP, IpsecProto::kEsp), [&](const pfkey::Message& m) { sas.push_back(m); }), 0);
  const std::string t = esp_sa_table(sas);
  EXPECT_NE(t.find("\"0x00001006\",\"AES-GCM with 16 octet ICV [RFC4106]\""), std::string::npos) << t;
  EXPECT_NE(t.find("# the SA above uses ESN"), std::string::npos) << t;
}

}  // namespace
