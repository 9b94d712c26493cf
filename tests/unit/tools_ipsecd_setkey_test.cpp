// ipsec-setkey and the PF_KEY shim against the real daemon: ipsecd is started
// on a private PF_KEY socket (no TUN), configured with ipsec-setkey -f, dumped
// with -D / -DP, and an unmodified PF_KEY C program reaches it through the shim.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace {

#ifndef AIPSEC_IPSECD_EXE
#define AIPSEC_IPSECD_EXE "ipsecd-not-built"
#endif

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

constexpr const char* kConfig =
    "add 192.0.2.1 198.51.100.1 esp 0x1001 -m tunnel -r 4\n"
    "    -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;\n"
    "add 198.51.100.1 192.0.2.1 esp 0x1002 -m tunnel -E aes-cbc 0x00112233445566778899aabbccddeeff\n"
    "    -A hmac-sha2-256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;\n"
    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/192.0.2.1-198.51.100.1/require;\n";

// A PF_KEY program that knows nothing of the runtime: REGISTER, then DUMP.
constexpr const char* kClient = R"C(
#include <linux/pfkeyv2.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static unsigned char buf[65536 * 8];
static void req(int s, int type, int satype) {
  struct sadb_msg m;
  memset(&m, 0, sizeof m);
  m.sadb_msg_version = PF_KEY_V2; m.sadb_msg_type = type; m.sadb_msg_satype = satype;
  m.sadb_msg_len = sizeof m / 8; m.sadb_msg_pid = getpid();
  send(s, &m, sizeof m, 0);
}
int main(void) {
  int s = socket(PF_KEY, SOCK_RAW, PF_KEY_V2);
  if (s < 0) { perror("socket"); return 1; }
  req(s, SADB_REGISTER, SADB_SATYPE_ESP);
  for (;;) {
    struct sadb_msg *h = (struct sadb_msg *)buf;
    if (recv(s, buf, sizeof buf, 0) <= 0) return 2;
    if (h->sadb_msg_type == SADB_REGISTER) { printf("register errno=%d\n", h->sadb_msg_errno); break; }
  }
  req(s, SADB_DUMP, SADB_SATYPE_UNSPEC);
  for (;;) {
    struct sadb_msg *h = (struct sadb_msg *)buf;
    if (recv(s, buf, sizeof buf, 0) <= 0) return 3;
    if (h->sadb_msg_type != SADB_DUMP) continue;
    struct sadb_sa *sa = (struct sadb_sa *)(h + 1);
    printf("sa 0x%08x\n", ntohl(sa->sadb_sa_spi));
    if (h->sadb_msg_seq == 0) break;
  }
  return 0;
}
)C";

class WithIpsecd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = "/tmp/aipsec-ipsecd-setkey-" + std::to_string(::getpid());
    ASSERT_EQ(std::system(("mkdir -p " + dir_).c_str()), 0);
    struct stat st;
    ASSERT_EQ(::stat(AIPSEC_IPSECD_EXE, &st), 0) << "ipsecd is not built: " << AIPSEC_IPSECD_EXE;
    sock_ = dir_ + "/pfkey.sock";
    daemon_ = ::fork();
    ASSERT_GE(daemon_, 0);
    if (daemon_ == 0) {
      std::freopen((dir_ + "/ipsecd.log").c_str(), "w", stderr);
      ::execl(AIPSEC_IPSECD_EXE, AIPSEC_IPSECD_EXE, "--pfkey-socket", sock_.c_str(), nullptr);
      std::_Exit(127);
    }
    for (int i = 0; i < 100 && ::access(sock_.c_str(), F_OK) != 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(::access(sock_.c_str(), F_OK), 0) << slurp(dir_ + "/ipsecd.log");
  }
  void TearDown() override {
    if (daemon_ > 0) {
      ::kill(daemon_, SIGTERM);
      ::waitpid(daemon_, nullptr, 0);
    }
    (void)std::system(("rm -rf " + dir_).c_str());
  }
  int run(const std::string& cmd, std::string& out) {
    int st = std::system((cmd + " >" + dir_ + "/out 2>&1").c_str());
    out = slurp(dir_ + "/out");
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  std::string setkey(const std::string& args) { return std::string(AIPSEC_SETKEY_EXE) + " --socket " + sock_ + " " + args; }

  std::string dir_, sock_;
  pid_t daemon_ = -1;
};

TEST_F(WithIpsecd, SetkeyConfiguresAndDumpsTheDaemon) {
  std::ofstream(dir_ + "/gw.conf") << kConfig;
  std::string out;
  ASSERT_EQ(run(setkey("-f " + dir_ + "/gw.conf"), out), 0) << out;
  ASSERT_EQ(run(setkey("-D"), out), 0) << out;
  EXPECT_NE(out.find("192.0.2.1 198.51.100.1\n\tesp mode=tunnel spi=4097(0x00001001) reqid=0(0x00000000)\n"
                     "\tE: aes-gcm-16  01020304 05060708 090a0b0c 0d0e0f10 a1a2a3a4\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\tA: hmac-sha2-256  00010203 04050607"), std::string::npos) << out;
  ASSERT_EQ(run(setkey("-DP"), out), 0) << out;
  EXPECT_NE(out.find("10.1.0.0/16[any] 10.2.0.0/16[any] any\n\tout ipsec\n\tesp/tunnel/192.0.2.1-198.51.100.1/require\n"),
            std::string::npos)
      << out;
  // A duplicate is refused by the daemon with EEXIST, reported with the line.
  std::ofstream(dir_ + "/dup.conf") << "add 192.0.2.1 198.51.100.1 esp 0x1001 -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;\n";
  EXPECT_EQ(run(setkey("-f " + dir_ + "/dup.conf"), out), 1);
  EXPECT_NE(out.find("dup.conf:1: add: File exists"), std::string::npos) << out;
  ASSERT_EQ(run(setkey("-F"), out), 0) << out;
  ASSERT_EQ(run(setkey("-D"), out), 0) << out;
  EXPECT_EQ(out, "No SAD entries.\n");
}

TEST_F(WithIpsecd, UnmodifiedPfkeyProgramThroughTheShim) {
  std::ofstream(dir_ + "/gw.conf") << kConfig;
  std::string out;
  ASSERT_EQ(run(setkey("-f " + dir_ + "/gw.conf"), out), 0) << out;
  std::ofstream(dir_ + "/client.c") << kClient;
  ASSERT_EQ(run(std::string(AIPSEC_C_COMPILER) + " -o " + dir_ + "/client " + dir_ + "/client.c", out), 0) << out;
  ASSERT_EQ(run("env LD_PRELOAD=" + std::string(AIPSEC_PFKEY_SHIM_SO) + " AIPSEC_PFKEY_SOCKET=" + sock_ + " " + dir_ + "/client", out), 0)
      << out;
  EXPECT_EQ(out, "register errno=0\nsa 0x00001001\nsa 0x00001002\n");
}

}  // namespace
