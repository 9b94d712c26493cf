// A Daemon (control plane only: no TUN) on sockets in a fresh directory, and
// clients for its PF_KEY and control sockets.
#pragma once

#include <gtest/gtest.h>
#include <linux/pfkeyv2.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aipsec/daemon.hpp"

namespace daemon_test {

using Bytes = std::vector<std::uint8_t>;

inline int connect_unix(const std::string& path, int type) {
  int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

// One datagram, or nullopt after timeout_ms (or when the peer closed).
inline std::optional<Bytes> recv_msg(int fd, int timeout_ms = 2000) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return std::nullopt;
  Bytes b(1 << 19);
  ssize_t n = ::recv(fd, b.data(), b.size(), 0);
  if (n <= 0) return std::nullopt;
  b.resize(std::size_t(n));
  return b;
}

inline sadb_msg header(const Bytes& b) {
  sadb_msg h{};
  std::memcpy(&h, b.data(), sizeof h);
  return h;
}

// The extensions of a message by type (payload after the 4-byte ext header).
inline std::optional<Bytes> find_ext(const Bytes& m, std::uint16_t type) {
  std::size_t off = sizeof(sadb_msg);
  while (off + 4 <= m.size()) {
    std::uint16_t len8, t;
    std::memcpy(&len8, m.data() + off, 2);
    std::memcpy(&t, m.data() + off + 2, 2);
    if (len8 == 0 || off + len8 * 8u > m.size()) break;
    if (t == type) return Bytes(m.begin() + long(off), m.begin() + long(off + len8 * 8u));
    off += len8 * 8u;
  }
  return std::nullopt;
}

class DaemonFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ipsecd-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    opts_.pfkey_socket = dir_ + "/pfkey";
    opts_.control_socket = dir_ + "/control";
    customize(opts_);
    daemon_ = std::make_unique<aipsec::daemon::Daemon>(opts_);
    daemon_->start();
  }
  void TearDown() override {
    daemon_.reset();
    std::filesystem::remove_all(dir_);
  }
  virtual void customize(aipsec::daemon::Options&) {}

  int pfkey_connect() { return connect_unix(opts_.pfkey_socket, SOCK_SEQPACKET); }

  // One control command; the whole reply (up to "ok\n" or an "error:" line).
  std::string control(const std::string& line) {
    int fd = connect_unix(opts_.control_socket, SOCK_STREAM);
    if (fd < 0) return "connect failed";
    std::string cmd = line + "\n";
    [[maybe_unused]] ssize_t w = ::send(fd, cmd.data(), cmd.size(), MSG_NOSIGNAL);
    std::string out;
    char buf[65536];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 3000) <= 0) break;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, std::size_t(n));
      if (out.ends_with("ok\n") || out.find("error:") != std::string::npos) break;
    }
    ::close(fd);
    return out;
  }

  // The value of one "name value" line of `stats`, or -1.
  long stat(const std::string& name) {
    std::string s = control("stats");
    std::size_t at = s.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::atol(s.c_str() + at + name.size() + 2);
  }

  std::string dir_;
  aipsec::daemon::Options opts_;
  std::unique_ptr<aipsec::daemon::Daemon> daemon_;
};

}  // namespace daemon_test
