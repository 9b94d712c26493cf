// The ipsec-setkey program: options, exit statuses and output, against a PF_KEY
// engine served on a Unix SOCK_SEQPACKET socket (tools_pfkey_server.hpp).
#include <gtest/gtest.h>
#include <linux/pfkeyv2.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "aipsec/setkey.hpp"
#include "pfkey_client.hpp"
#include "setkey_session.hpp"
#include "tools_pfkey_server.hpp"

namespace {

using namespace aipsec;

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

constexpr const char* kConfig =
    "flush;\n"
    "spdflush;\n"
    "add 192.0.2.1 198.51.100.1 esp 0x1001 -m tunnel -r 4\n"
    "    -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;\n"
    "add 198.51.100.1 192.0.2.1 esp 0x1002 -m tunnel -r 4\n"
    "    -E aes-gcm-16 0x1112131415161718191a1b1c1d1e1f20b1b2b3b4;\n"
    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/192.0.2.1-198.51.100.1/require;\n"
    "spdadd 10.2.0.0/16 10.1.0.0/16 any -P in ipsec esp/tunnel/198.51.100.1-192.0.2.1/require;\n";

class SetkeyCli : public ::testing::Test {
 protected:
  SetkeyCli()
      : dir_("/tmp/aipsec-setkey-cli-" + std::to_string(::getpid())),
        made_(std::system(("mkdir -p " + dir_).c_str()) == 0),
        server(dir_ + "/pfkey.sock") {}
  ~SetkeyCli() override { (void)std::system(("rm -rf " + dir_).c_str()); }

  // Runs ipsec-setkey with args (and stdin from a file when given); returns the exit status.
  int setkey(const std::string& args, const std::string& stdin_text = "") {
    std::string cmd = std::string(AIPSEC_SETKEY_EXE) + " --socket " + server.path() + " " + args;
    if (!stdin_text.empty()) {
      std::ofstream(dir_ + "/stdin") << stdin_text;
      cmd += " <" + dir_ + "/stdin";
    }
    int st = std::system((cmd + " >" + dir_ + "/out 2>" + dir_ + "/err").c_str());
    out = slurp(dir_ + "/out");
    err = slurp(dir_ + "/err");
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  std::string file(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
    return dir_ + "/" + name;
  }

  std::string dir_;
  bool made_;
  testsupport::PfkeyTestServer server;
  std::string out, err;
};

TEST_F(SetkeyCli, FileThenDumpsThenFlushes) {
  ASSERT_TRUE(made_);
  ASSERT_EQ(setkey("-f " + file("gw.conf", kConfig)), 0) << err;
  EXPECT_EQ(server.sad.size(), 2u);
  EXPECT_EQ(server.spd.size(), 2u);

  ASSERT_EQ(setkey("-D"), 0) << err;
  EXPECT_NE(out.find("192.0.2.1 198.51.100.1\n\tesp mode=tunnel spi=4097(0x00001001) reqid=0(0x00000000)\n"
                     "\tE: aes-gcm-16  01020304 05060708 090a0b0c 0d0e0f10 a1a2a3a4\n"
                     "\tseq=0x00000000 replay=4 flags=0x00000000 state=mature\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("spi=4098(0x00001002)"), std::string::npos) << out;

  ASSERT_EQ(setkey("-DP"), 0) << err;
  EXPECT_NE(out.find("10.2.0.0/16[any] 10.1.0.0/16[any] any\n\tin ipsec\n"
                     "\tesp/tunnel/198.51.100.1-192.0.2.1/require\n"),
            std::string::npos)
      << out;

  ASSERT_EQ(setkey("-FP"), 0) << err;
  EXPECT_EQ(server.spd.size(), 0u);
  EXPECT_EQ(server.sad.size(), 2u);
  ASSERT_EQ(setkey("-F"), 0) << err;
  EXPECT_EQ(server.sad.size(), 0u);
  ASSERT_EQ(setkey("-D"), 0) << err;
  EXPECT_EQ(out, "No SAD entries.\n");
}

TEST_F(SetkeyCli, VerboseListsMessagesSentAndReceivedWithoutKeys) {
  ASSERT_EQ(setkey("-v -c", "add 192.0.2.1 192.0.2.2 ah 0x500 -A hmac-sha1 0x000102030405060708090a0b0c0d0e0f10111213;\n"), 0)
      << err;
  EXPECT_NE(out.find("send:\nsadb_msg{ version=2 type=3(ADD) errno=0 satype=2 len="), std::string::npos) << out;
  EXPECT_NE(out.find("recv:\nsadb_msg{ version=2 type=3(ADD) errno=0 satype=2"), std::string::npos) << out;
  EXPECT_NE(out.find("sadb_key{ auth bits=160 } (key not shown)"), std::string::npos) << out;
  EXPECT_EQ(out.find("00010203"), std::string::npos) << out;
}

TEST_F(SetkeyCli, StatementsFromStdin) {
  ASSERT_EQ(setkey("-c", "add 192.0.2.1 192.0.2.2 ah 0x500 -A hmac-sha1 0x000102030405060708090a0b0c0d0e0f10111213;\n"
                         "get 192.0.2.1 192.0.2.2 ah 0x500;\n"),
            0)
      << err;
  EXPECT_EQ(server.sad.size(), 1u);
  EXPECT_NE(out.find("\tah mode=any spi=1280(0x00000500)"), std::string::npos) << out;
  EXPECT_NE(out.find("\tA: hmac-sha1  00010203 04050607 08090a0b 0c0d0e0f 10111213\n"), std::string::npos) << out;
}

TEST_F(SetkeyCli, RefusedStatementReportsLineAndExitsOne) {
  ASSERT_EQ(setkey("-f " + file("gw.conf", kConfig)), 0) << err;
  std::string again = file("dup.conf", "# duplicate\nadd 192.0.2.1 198.51.100.1 esp 0x1001\n"
                                       "  -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;\n"
                                       "add 192.0.2.1 198.51.100.1 esp 0x1003\n"
                                       "  -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;\n");
  EXPECT_EQ(setkey("-f " + again), 1);
  EXPECT_EQ(err, again + ":2: add: File exists\n");
  EXPECT_EQ(server.sad.size(), 3u);  // the statement after the refused one ran
}

TEST_F(SetkeyCli, SyntaxErrorSendsNothingAndExitsTwo) {
  std::string bad = file("bad.conf", "add 192.0.2.1 198.51.100.1 esp 0x1001 -E aes-gcm-16 0x0102;\n");
  EXPECT_EQ(setkey("-f " + bad), 2);
  EXPECT_NE(err.find("bad.conf:1"), std::string::npos) << err;
  EXPECT_TRUE(server.received().empty());
}

TEST_F(SetkeyCli, UsageErrorsAndUnreachableDaemon) {
  EXPECT_EQ(setkey("-P"), 2);
  EXPECT_EQ(setkey("-D -F"), 2);
  EXPECT_EQ(setkey("-q"), 2);
  EXPECT_NE(err.find("unknown option -q"), std::string::npos) << err;
  int st = std::system((std::string(AIPSEC_SETKEY_EXE) + " --socket " + dir_ + "/nobody.sock -D >" + dir_ +
                        "/out 2>" + dir_ + "/err")
                           .c_str());
  EXPECT_EQ(WEXITSTATUS(st), 1);
  EXPECT_NE(slurp(dir_ + "/err").find("cannot connect to the PF_KEY socket"), std::string::npos);
}

TEST_F(SetkeyCli, SocketFromTheEnvironment) {
  int st = std::system(("AIPSEC_PFKEY_SOCKET=" + server.path() + " " + AIPSEC_SETKEY_EXE + " -DP >" + dir_ +
                        "/out 2>&1")
                           .c_str());
  EXPECT_EQ(WEXITSTATUS(st), 0) << slurp(dir_ + "/out");
  EXPECT_EQ(slurp(dir_ + "/out"), "No SPD entries.\n");
}

TEST_F(SetkeyCli, WiresharkTableFile) {
  ASSERT_EQ(setkey("-f " + file("gw.conf", kConfig)), 0) << err;
  ASSERT_EQ(setkey("--wireshark-esp-sa " + dir_ + "/esp_sa"), 0) << err;
  std::string t = slurp(dir_ + "/esp_sa");
  EXPECT_NE(t.find("\"IPv4\",\"198.51.100.1\",\"192.0.2.1\",\"0x00001002\",\"AES-GCM with 16 octet ICV [RFC4106]\","
                   "\"0x1112131415161718191a1b1c1d1e1f20b1b2b3b4\",\"NULL\",\"\"\n"),
            std::string::npos)
      << t;
}

TEST_F(SetkeyCli, PromiscuousModeListsOtherClientsMessagesWithoutKeys) {
  const std::string out_file = dir_ + "/promisc";
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::freopen(out_file.c_str(), "w", stdout);
    ::execl(AIPSEC_SETKEY_EXE, AIPSEC_SETKEY_EXE, "--socket", server.path().c_str(), "-x", nullptr);
    std::_Exit(127);
  }
  // Wait until the promiscuous client has asked for X_PROMISC, then act as another client.
  auto promisc_asked = [&] {
    for (const auto& m : server.received())
      if (m.size() >= 2 && m[1] == SADB_X_PROMISC) return true;
    return false;
  };
  for (int i = 0; i < 200 && !promisc_asked(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(promisc_asked());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // its answer is on the way
  {
    setkeytool::PfkeyClient c(server.path());
    std::ostringstream o, e;
    setkeytool::Session s(c, o, e, false);
    for (const auto& cmd : setkey::parse(kConfig)) ASSERT_TRUE(s.run(cmd, "cfg")) << e.str();
  }
  // Until the listing shows the last statement, the inbound policy (or 10 s).
  for (int i = 0; i < 200 && slurp(out_file).find("sadb_x_policy{ type=2 dir=1") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(child, SIGTERM);
  int st = 0;
  ::waitpid(child, &st, 0);
  const std::string listing = slurp(out_file);
  EXPECT_NE(listing.find("type=3(ADD)"), std::string::npos) << listing;
  EXPECT_NE(listing.find("spi=4097(0x00001001)"), std::string::npos) << listing;
  EXPECT_NE(listing.find("type=14(X_SPDADD)"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("01020304"), std::string::npos) << listing;  // no key bytes
  EXPECT_EQ(listing.find("a1a2a3a4"), std::string::npos) << listing;
}

}  // namespace
