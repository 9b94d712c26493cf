// The LD_PRELOAD shim: an unmodified C program that opens
// socket(PF_KEY, SOCK_RAW, PF_KEY_V2), compiled here as a plain program (no
// runtime headers, no link to the runtime), talks to a PF_KEY server over the
// daemon's Unix socket. No root and no kernel PF_KEY are involved.
#include <gtest/gtest.h>
#include <linux/pfkeyv2.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tools_pfkey_server.hpp"

namespace {

using namespace aipsec;

// A PF_KEY client in the style of libipsec: header read with MSG_PEEK, then
// the whole message; select() and poll() before reading; an ordinary UDP
// socket on the side to show that other sockets are untouched.
constexpr const char* kClientSource = R"C(
#include <errno.h>
#include <linux/pfkeyv2.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

static unsigned char buf[65536 * 8];

static int recv_msg(int s) {
  struct sadb_msg h;
  struct pollfd p = {s, POLLIN, 0};
  if (poll(&p, 1, 5000) != 1) { printf("poll timeout\n"); return -1; }
  if (recv(s, &h, sizeof h, MSG_PEEK) != (ssize_t)sizeof h) { perror("recv peek"); return -1; }
  ssize_t n = recv(s, buf, (size_t)h.sadb_msg_len * 8, 0);
  if (n != (ssize_t)h.sadb_msg_len * 8) { perror("recv"); return -1; }
  return (int)n;
}

static int send_msg(int s, unsigned char type, unsigned char satype, unsigned seq) {
  struct sadb_msg m;
  memset(&m, 0, sizeof m);
  m.sadb_msg_version = PF_KEY_V2;
  m.sadb_msg_type = type;
  m.sadb_msg_satype = satype;
  m.sadb_msg_len = sizeof m / 8;
  m.sadb_msg_seq = seq;
  m.sadb_msg_pid = (unsigned)getpid();
  return write(s, &m, sizeof m) == (ssize_t)sizeof m ? 0 : -1;
}

int main(void) {
  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  if (udp < 0) { perror("udp socket"); return 2; }
  int s = socket(PF_KEY, SOCK_RAW, PF_KEY_V2);
  if (s < 0) { printf("socket(PF_KEY): %s\n", strerror(errno)); return 3; }
  if (send_msg(s, SADB_REGISTER, SADB_SATYPE_ESP, 1) != 0) { perror("send register"); return 4; }
  for (;;) {
    int n = recv_msg(s);
    if (n < 0) return 5;
    struct sadb_msg *h = (struct sadb_msg *)buf;
    if (h->sadb_msg_type != SADB_REGISTER || h->sadb_msg_seq != 1) continue;
    int encs = 0;
    for (int off = sizeof *h; off < n;) {
      struct sadb_ext *e = (struct sadb_ext *)(buf + off);
      if (e->sadb_ext_type == SADB_EXT_SUPPORTED_ENCRYPT)
        encs = (int)((e->sadb_ext_len * 8 - sizeof(struct sadb_supported)) / sizeof(struct sadb_alg));
      off += e->sadb_ext_len * 8;
    }
    printf("register errno=%d encrypt_algs=%d\n", h->sadb_msg_errno, encs);
    break;
  }
  if (send_msg(s, SADB_DUMP, SADB_SATYPE_ESP, 2) != 0) { perror("send dump"); return 6; }
  int sas = 0;
  for (;;) {
    fd_set r;
    FD_ZERO(&r);
    FD_SET(s, &r);
    struct timeval tv = {5, 0};
    if (select(s + 1, &r, NULL, NULL, &tv) != 1) { printf("select timeout\n"); return 7; }
    int n = recv_msg(s);
    if (n < 0) return 8;
    struct sadb_msg *h = (struct sadb_msg *)buf;
    if (h->sadb_msg_type != SADB_DUMP) continue;
    if (h->sadb_msg_errno) { printf("dump errno=%d\n", h->sadb_msg_errno); return 9; }
    struct sadb_sa *sa = (struct sadb_sa *)(buf + sizeof *h);
    if (sa->sadb_sa_exttype == SADB_EXT_SA) printf("sa spi=0x%08x\n", ntohl(sa->sadb_sa_spi));
    ++sas;
    if (h->sadb_msg_seq == 0) break;
  }
  printf("dumped %d\n", sas);
  close(s);
  close(udp);
  return 0;
}
)C";

std::string run_capture(const std::string& cmd, int& status) {
  std::string out_file = "/tmp/aipsec-shim-out-" + std::to_string(::getpid());
  status = std::system((cmd + " >" + out_file + " 2>&1").c_str());
  std::ifstream f(out_file);
  std::stringstream ss;
  ss << f.rdbuf();
  ::unlink(out_file.c_str());
  return ss.str();
}

class PfkeyShim : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = "/tmp/aipsec-shim-" + std::to_string(::getpid());
    ASSERT_EQ(std::system(("mkdir -p " + dir_).c_str()), 0);
    std::ofstream(dir_ + "/client.c") << kClientSource;
    int st = 0;
    std::string log = run_capture(std::string(AIPSEC_C_COMPILER) + " -O1 -o " + dir_ + "/client " + dir_ + "/client.c", st);
    ASSERT_EQ(st, 0) << log;
  }
  void TearDown() override { (void)std::system(("rm -rf " + dir_).c_str()); }
  std::string dir_;
};

void add_esp(Sad& sad, std::uint32_t spi) {
  SaConfig c;
  c.proto = IpsecProto::kEsp;
  c.spi = spi;
  c.src = *IpAddr::parse("192.0.2.1");
  c.dst = *IpAddr::parse("192.0.2.2");
  c.enc = EncAlg::kAesGcm16;
  c.enc_key = SecureBytes(Bytes(20, 0x11));
  sad.add(std::move(c));
}

TEST_F(PfkeyShim, UnmodifiedClientRegistersAndDumpsThroughTheShim) {
  testsupport::PfkeyTestServer server(dir_ + "/pfkey.sock");
  add_esp(server.sad, 0x1001);
  add_esp(server.sad, 0x1002);
  add_esp(server.sad, 0x1003);
  int st = 0;
  std::string out = run_capture("env LD_PRELOAD=" + std::string(AIPSEC_PFKEY_SHIM_SO) +
                                    " AIPSEC_PFKEY_SOCKET=" + server.path() + " " + dir_ + "/client",
                                st);
  ASSERT_EQ(st, 0) << out;
  EXPECT_NE(out.find("register errno=0 encrypt_algs="), std::string::npos) << out;
  EXPECT_EQ(out.find("encrypt_algs=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("sa spi=0x00001001\nsa spi=0x00001002\nsa spi=0x00001003\ndumped 3\n"), std::string::npos) << out;
  // The server saw exactly the client's two messages, byte for byte its structs.
  auto rx = server.received();
  ASSERT_EQ(rx.size(), 2u);
  sadb_msg h;
  std::memcpy(&h, rx[0].data(), sizeof h);
  EXPECT_EQ(h.sadb_msg_type, SADB_REGISTER);
  std::memcpy(&h, rx[1].data(), sizeof h);
  EXPECT_EQ(h.sadb_msg_type, SADB_DUMP);
}

TEST_F(PfkeyShim, NoDaemonGivesTheConnectErrorFromSocket) {
  int st = 0;
  std::string out = run_capture("env LD_PRELOAD=" + std::string(AIPSEC_PFKEY_SHIM_SO) + " AIPSEC_PFKEY_SOCKET=" +
                                    dir_ + "/absent.sock " + dir_ + "/client",
                                st);
  EXPECT_EQ(WEXITSTATUS(st), 3) << out;
  EXPECT_NE(out.find("socket(PF_KEY): No such file or directory"), std::string::npos) << out;
}

}  // namespace
