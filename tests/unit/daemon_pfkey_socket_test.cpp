// PF_KEY v2 over the daemon's SOCK_SEQPACKET socket: permissions, SO_PEERCRED,
// and the RFC 2367 exchanges (REGISTER, ADD, GET, DUMP) on the real socket.
// Messages are built byte by byte from <linux/pfkeyv2.h> (pfkey_wire_builder.hpp).
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <set>
#include <thread>

#include "aipsec/crypto.hpp"
#include "daemon_fixture.hpp"
#include "pfkey_wire_builder.hpp"

namespace {

using daemon_test::Bytes;
using daemon_test::find_ext;
using daemon_test::header;
using daemon_test::recv_msg;
using pfkey_test::RawMsg;

const Bytes kGcmKey = pfkey_test::pattern(20, 0x11);  // AES-128 key + 4-byte salt

Bytes add_gcm_sa(std::uint32_t spi, std::uint32_t seq) {
  RawMsg m(SADB_ADD, SADB_SATYPE_ESP, seq, 77);
  m.sa(spi, SADB_AALG_NONE, SADB_X_EALG_AES_GCM_ICV16)
      .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
      .address(SADB_EXT_ADDRESS_DST, "198.51.100.1", 32)
      .key(SADB_EXT_KEY_ENCRYPT, kGcmKey)
      .sa2(IPSEC_MODE_TUNNEL, 0);
  return m.done();
}

void send_msg(int fd, const Bytes& m) { ASSERT_EQ(::send(fd, m.data(), m.size(), 0), ssize_t(m.size())); }

// The next message of a type (broadcasts of other types are skipped).
std::optional<Bytes> recv_type(int fd, std::uint8_t type) {
  for (int i = 0; i < 16; ++i) {
    auto m = recv_msg(fd);
    if (!m) return std::nullopt;
    if (header(*m).sadb_msg_type == type) return m;
  }
  return std::nullopt;
}

std::uint32_t spi_of(const Bytes& m) {
  auto sa = find_ext(m, SADB_EXT_SA);
  if (!sa) return 0;
  sadb_sa s{};
  std::memcpy(&s, sa->data(), sizeof s);
  return ntohl(s.sadb_sa_spi);
}

class PfkeySocket : public daemon_test::DaemonFixture {};

TEST_F(PfkeySocket, SocketFileIsOwnerOnly) {
  struct stat st{};
  ASSERT_EQ(::lstat(opts_.pfkey_socket.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_uid, ::geteuid());
  ASSERT_EQ(::lstat(opts_.control_socket.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(PfkeySocket, RegisterAnswersWithAlgorithms) {
  int fd = pfkey_connect();
  ASSERT_GE(fd, 0);
  send_msg(fd, RawMsg(SADB_REGISTER, SADB_SATYPE_ESP, 1, 77).done());
  auto r = recv_type(fd, SADB_REGISTER);
  ASSERT_TRUE(r);
  EXPECT_EQ(header(*r).sadb_msg_errno, 0);
  EXPECT_EQ(header(*r).sadb_msg_seq, 1u);
  EXPECT_EQ(header(*r).sadb_msg_len * 8u, r->size());
  auto enc = find_ext(*r, SADB_EXT_SUPPORTED_ENCRYPT);
  ASSERT_TRUE(enc);
  // GCM-16 is offered with key sizes 160..288 bits (key + salt).
  bool gcm = false;
  for (std::size_t off = sizeof(sadb_supported); off + sizeof(sadb_alg) <= enc->size(); off += sizeof(sadb_alg)) {
    sadb_alg a{};
    std::memcpy(&a, enc->data() + off, sizeof a);
    if (a.sadb_alg_id == SADB_X_EALG_AES_GCM_ICV16) gcm = a.sadb_alg_minbits == 160 && a.sadb_alg_maxbits == 288;
  }
  EXPECT_TRUE(gcm);
  ::close(fd);
}

TEST_F(PfkeySocket, AddGetAndBroadcastToOtherSockets) {
  int fd = pfkey_connect(), other = pfkey_connect();
  ASSERT_GE(fd, 0);
  ASSERT_GE(other, 0);
  send_msg(fd, add_gcm_sa(0x1001, 5));
  auto r = recv_type(fd, SADB_ADD);
  ASSERT_TRUE(r);
  EXPECT_EQ(header(*r).sadb_msg_errno, 0);
  EXPECT_EQ(spi_of(*r), 0x1001u);
  EXPECT_FALSE(find_ext(*r, SADB_EXT_KEY_ENCRYPT)) << "an ADD reply must not carry keys";
  // RFC 2367 3.1.3: the ADD reply goes to every socket.
  auto b = recv_type(other, SADB_ADD);
  ASSERT_TRUE(b);
  EXPECT_EQ(spi_of(*b), 0x1001u);

  RawMsg get(SADB_GET, SADB_SATYPE_ESP, 6, 77);
  get.sa(0x1001, 0, 0).address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32).address(SADB_EXT_ADDRESS_DST, "198.51.100.1", 32);
  send_msg(fd, get.done());
  auto g = recv_type(fd, SADB_GET);
  ASSERT_TRUE(g);
  EXPECT_EQ(header(*g).sadb_msg_errno, 0);
  EXPECT_EQ(spi_of(*g), 0x1001u);
  auto key = find_ext(*g, SADB_EXT_KEY_ENCRYPT);
  ASSERT_TRUE(key);
  EXPECT_EQ(Bytes(key->begin() + sizeof(sadb_key), key->begin() + long(sizeof(sadb_key) + kGcmKey.size())), kGcmKey);

  // A duplicate ADD fails with EEXIST, to the sender alone.
  send_msg(fd, add_gcm_sa(0x1001, 7));
  auto e = recv_type(fd, SADB_ADD);
  ASSERT_TRUE(e);
  EXPECT_EQ(header(*e).sadb_msg_errno, EEXIST);
  EXPECT_FALSE(recv_msg(other, 200)) << "an error reply went to another socket";
  const std::string stats = control("stats");
  EXPECT_NE(stats.find("sa esp 0x00001001 192.0.2.1 198.51.100.1 state=mature"), std::string::npos);
  // The SA's GCM key schedule sits in the key slab, when intel-ipsec-mb runs it.
  const std::vector<std::uint8_t> probe_key(16, 1);
  if (aipsec::crypto::Aead::create(aipsec::crypto::AeadKind::AesGcm, probe_key)->provider() ==
      aipsec::crypto::Provider::IpsecMb) {
    const auto at = stats.find("keymem.slots_in_use ");
    ASSERT_NE(at, std::string::npos) << stats;
    EXPECT_GE(std::stoul(stats.substr(at + 20)), 1u) << stats;
    EXPECT_NE(stats.find("keymem.bytes_mapped "), std::string::npos) << stats;
  }
  ::close(fd);
  ::close(other);
}

TEST_F(PfkeySocket, DumpStreamsEverySaToASlowReader) {
  constexpr std::uint32_t kSas = 20000;
  int fd = pfkey_connect();
  ASSERT_GE(fd, 0);
  for (std::uint32_t i = 0; i < kSas; ++i) {
    send_msg(fd, add_gcm_sa(0x10000 + i, i + 1));
    auto r = recv_msg(fd);
    ASSERT_TRUE(r);
    ASSERT_EQ(header(*r).sadb_msg_errno, 0) << i;
  }
  send_msg(fd, RawMsg(SADB_DUMP, SADB_SATYPE_ESP, 99, 77).done());
  // Stall long enough for the socket to fill: the daemon must wait, not drop.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::set<std::uint32_t> spis;
  std::size_t messages = 0;
  bool last_seen = false;
  while (!last_seen) {
    auto m = recv_msg(fd, 5000);
    ASSERT_TRUE(m) << "dump stopped after " << messages << " messages";
    ASSERT_EQ(header(*m).sadb_msg_type, SADB_DUMP);
    ASSERT_EQ(header(*m).sadb_msg_errno, 0);
    ++messages;
    spis.insert(spi_of(*m));
    last_seen = header(*m).sadb_msg_seq == 0;
  }
  EXPECT_EQ(messages, kSas);
  EXPECT_EQ(spis.size(), kSas);
  EXPECT_EQ(*spis.begin(), 0x10000u);
  EXPECT_EQ(*spis.rbegin(), 0x10000u + kSas - 1);
  ::close(fd);
}

TEST_F(PfkeySocket, MalformedMessageGetsAnErrorAndTheDaemonGoesOn) {
  int fd = pfkey_connect();
  ASSERT_GE(fd, 0);
  Bytes bad = add_gcm_sa(0x2002, 3);
  bad[4] = std::uint8_t(bad[4] + 1);  // sadb_msg_len disagrees with the datagram
  send_msg(fd, bad);
  auto r = recv_msg(fd);
  ASSERT_TRUE(r);
  EXPECT_EQ(header(*r).sadb_msg_errno, EMSGSIZE) << "as Linux af_key answers a length mismatch";
  // Longer than any PF_KEY message: refused by the socket layer (EMSGSIZE), or
  // if the socket takes it, answered with an error.
  Bytes huge = add_gcm_sa(0x2002, 3);
  huge.resize(600000, 0);
  if (::send(fd, huge.data(), huge.size(), 0) > 0) {
    auto h = recv_msg(fd);
    ASSERT_TRUE(h);
    EXPECT_NE(header(*h).sadb_msg_errno, 0);
  }
  send_msg(fd, add_gcm_sa(0x2002, 4));
  auto ok = recv_type(fd, SADB_ADD);
  ASSERT_TRUE(ok);
  EXPECT_EQ(header(*ok).sadb_msg_errno, 0);
  ::close(fd);
}

// A process running as another uid: with the socket file at 0600 it cannot
// connect; with the file made world-writable it connects, but SO_PEERCRED
// makes the daemon close it without an answer.
int child_as_nobody(const std::string& path, bool expect_connect) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    int fd = daemon_test::connect_unix(path, SOCK_SEQPACKET);
    if (!expect_connect) ::_exit(fd < 0 && errno == EACCES ? 0 : 3);
    if (fd < 0) ::_exit(4);
    Bytes reg = RawMsg(SADB_REGISTER, SADB_SATYPE_ESP, 1, 1).done();
    [[maybe_unused]] ssize_t n = ::send(fd, reg.data(), reg.size(), MSG_NOSIGNAL);
    ::_exit(recv_msg(fd, 2000) ? 5 : 0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

TEST_F(PfkeySocket, OtherUidIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run a client as another uid (nobody)";
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  EXPECT_EQ(child_as_nobody(opts_.pfkey_socket, false), 0) << "the 0600 socket let another uid connect";
  ASSERT_EQ(::chmod(opts_.pfkey_socket.c_str(), 0666), 0);
  EXPECT_EQ(child_as_nobody(opts_.pfkey_socket, true), 0) << "another uid was served";
  EXPECT_EQ(stat("daemon.peers_refused"), 1);
  // The owner (root) is still served.
  int fd = pfkey_connect();
  ASSERT_GE(fd, 0);
  send_msg(fd, RawMsg(SADB_REGISTER, SADB_SATYPE_ESP, 1, 77).done());
  EXPECT_TRUE(recv_type(fd, SADB_REGISTER));
  ::close(fd);
}

TEST_F(PfkeySocket, StopRemovesTheSockets) {
  int fd = pfkey_connect();
  ASSERT_GE(fd, 0);
  send_msg(fd, add_gcm_sa(0x3003, 1));
  ASSERT_TRUE(recv_type(fd, SADB_ADD));
  daemon_->stop();
  EXPECT_FALSE(std::filesystem::exists(opts_.pfkey_socket));
  EXPECT_FALSE(std::filesystem::exists(opts_.control_socket));
  ::close(fd);
}

}  // namespace

namespace {

TEST_F(PfkeySocket, ASecondDaemonDoesNotTakeALiveSocket) {
  aipsec::daemon::Options o = opts_;
  o.control_socket = dir_ + "/control2";
  try {
    aipsec::daemon::Daemon second(o);
    ADD_FAILURE() << "a second daemon took the socket of a running one";
  } catch (const aipsec::Error& e) {
    EXPECT_NE(std::string(e.what()).find("in use by a running daemon"), std::string::npos) << e.what();
  }
  // The first one still serves.
  int fd = pfkey_connect();
  ASSERT_GE(fd, 0);
  send_msg(fd, RawMsg(SADB_REGISTER, SADB_SATYPE_ESP, 1, 77).done());
  EXPECT_TRUE(recv_type(fd, SADB_REGISTER));
  ::close(fd);
}

TEST_F(PfkeySocket, AFailedStartLeavesNoSocketFile) {
  aipsec::daemon::Options o;
  o.pfkey_socket = dir_ + "/other-pfkey";
  o.control_socket = dir_ + "/no-such-dir/control";
  EXPECT_THROW(aipsec::daemon::Daemon d(o), aipsec::Error);
  EXPECT_FALSE(std::filesystem::exists(o.pfkey_socket));
  o.control_socket.clear();
  o.config = dir_ + "/missing.conf";
  EXPECT_THROW(aipsec::daemon::Daemon d(o), aipsec::Error);
  EXPECT_FALSE(std::filesystem::exists(o.pfkey_socket));
}

}  // namespace

namespace {

// Broadcasts to a socket that does not read are queued up to a bound, then
// dropped and counted; the sender is never held up by it.
TEST_F(PfkeySocket, BroadcastsToAnIdleSocketAreBounded) {
  constexpr std::uint32_t kAdds = 10000;
  int fd = pfkey_connect(), idle = pfkey_connect();
  ASSERT_GE(fd, 0);
  ASSERT_GE(idle, 0);
  for (std::uint32_t i = 0; i < kAdds; ++i) {
    send_msg(fd, add_gcm_sa(0x20000 + i, i + 1));
    auto r = recv_msg(fd);
    ASSERT_TRUE(r) << i;
    ASSERT_EQ(header(*r).sadb_msg_errno, 0) << i;
  }
  const long dropped = stat("daemon.pfkey_dropped");
  EXPECT_GT(dropped, 0);
  EXPECT_LT(dropped, long(kAdds) - long(aipsec::daemon::PfkeyServerLimits::kQueueMessages));
  std::size_t received = 0;
  std::uint32_t last_spi = 0;
  while (auto m = recv_msg(idle, 1000)) {
    ASSERT_EQ(header(*m).sadb_msg_type, SADB_ADD);
    EXPECT_GT(spi_of(*m), last_spi) << "broadcasts out of order";
    last_spi = spi_of(*m);
    ++received;
  }
  EXPECT_EQ(received + std::size_t(dropped), kAdds);
  ::close(fd);
  ::close(idle);
}

// A dump reader that reads nothing at all is disconnected after the send
// timeout; the daemon then serves others again.
TEST_F(PfkeySocket, ADumpReaderThatReadsNothingIsDisconnected) {
  constexpr std::uint32_t kSas = 3000;  // far more than a socket buffer holds
  int fd = pfkey_connect();
  ASSERT_GE(fd, 0);
  for (std::uint32_t i = 0; i < kSas; ++i) {
    send_msg(fd, add_gcm_sa(0x30000 + i, i + 1));
    ASSERT_TRUE(recv_msg(fd));
  }
  send_msg(fd, RawMsg(SADB_DUMP, SADB_SATYPE_ESP, 9, 77).done());
  std::this_thread::sleep_for(std::chrono::milliseconds(aipsec::daemon::PfkeyServerLimits::kSendTimeoutMs + 2000));
  std::size_t got = 0;
  while (recv_msg(fd, 500)) ++got;
  EXPECT_LT(got, kSas) << "the stalled reader was not disconnected";
  int other = pfkey_connect();
  ASSERT_GE(other, 0);
  send_msg(other, RawMsg(SADB_REGISTER, SADB_SATYPE_ESP, 1, 77).done());
  EXPECT_TRUE(recv_type(other, SADB_REGISTER));
  ::close(fd);
  ::close(other);
}

}  // namespace

namespace {

// A policy added with a hard lifetime of 1 s (SADB_EXT_LIFETIME_HARD addtime)
// is removed by the running daemon, which sends SADB_X_SPDEXPIRE to the
// registered socket (KAME key_spdexpire).
TEST_F(PfkeySocket, PolicyLifetimeEndsInSpdExpire) {
  int fd = pfkey_connect(), reg = pfkey_connect();
  ASSERT_GE(fd, 0);
  ASSERT_GE(reg, 0);
  send_msg(reg, RawMsg(SADB_REGISTER, SADB_SATYPE_ESP, 1, 78).done());
  ASSERT_TRUE(recv_type(reg, SADB_REGISTER));
  RawMsg add(SADB_X_SPDADD, SADB_SATYPE_UNSPEC, 2, 77);
  add.address(SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16)
      .address(SADB_EXT_ADDRESS_DST, "10.2.0.0", 16)
      .lifetime(SADB_EXT_LIFETIME_HARD, 0, 0, 1, 0)
      .policy(IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0x80000000,
              {{IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0, "192.0.2.1", "198.51.100.1"}});
  send_msg(fd, add.done());
  auto r = recv_type(fd, SADB_X_SPDADD);
  ASSERT_TRUE(r);
  ASSERT_EQ(header(*r).sadb_msg_errno, 0);

  // More than one second must pass (whole seconds, strictly more): at most 2.x s.
  std::optional<Bytes> e;
  for (int i = 0; i < 40 && !e; ++i) {
    auto m = recv_msg(reg, 100);
    if (m && header(*m).sadb_msg_type == SADB_X_SPDEXPIRE) e = m;
  }
  ASSERT_TRUE(e) << "no SADB_X_SPDEXPIRE within 4 s";
  EXPECT_TRUE(find_ext(*e, SADB_X_EXT_POLICY));
  auto hard = find_ext(*e, SADB_EXT_LIFETIME_HARD);
  ASSERT_TRUE(hard);
  sadb_lifetime l{};
  std::memcpy(&l, hard->data(), sizeof l);
  EXPECT_EQ(l.sadb_lifetime_addtime, 1u);
  EXPECT_EQ(stat("daemon.policy_expires"), 1);
  send_msg(fd, RawMsg(SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC, 3, 77).done());
  auto d = recv_type(fd, SADB_X_SPDDUMP);
  ASSERT_TRUE(d);
  EXPECT_EQ(header(*d).sadb_msg_errno, ENOENT) << "the policy is still in the SPD";
  ::close(fd);
  ::close(reg);
}

}  // namespace
