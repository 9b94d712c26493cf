// A minimal PF_KEY server for tests and benchmarks: a pfkey::Engine over a
// Unix SOCK_SEQPACKET listener (one message per datagram, as ipsecd serves
// it), on its own thread. Answers to the client being served are sent
// blocking (a dump streams at the reader's pace); others without blocking.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aipsec/pfkey_engine.hpp"
#include "aipsec/sad.hpp"
#include "aipsec/spd.hpp"

namespace aipsec::testsupport {

class PfkeyTestServer {
 public:
  Sad sad;
  Spd spd;

  explicit PfkeyTestServer(std::string path)
      : path_(std::move(path)), engine_(sad, spd, [this](pfkey::ClientId to, ByteView m) { deliver(to, m); }) {
    ::unlink(path_.c_str());
    listener_ = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listener_, 16) != 0)
      throw std::runtime_error("test server cannot listen on " + path_ + ": " + std::strerror(errno));
    if (::pipe(stop_pipe_) != 0) throw std::runtime_error("pipe failed");
    thread_ = std::thread([this] { loop(); });
  }
  ~PfkeyTestServer() {
    char c = 0;
    (void)!::write(stop_pipe_[1], &c, 1);
    thread_.join();
    for (auto& [id, fd] : clients_) ::close(fd);
    ::close(listener_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
    ::unlink(path_.c_str());
  }
  PfkeyTestServer(const PfkeyTestServer&) = delete;
  PfkeyTestServer& operator=(const PfkeyTestServer&) = delete;

  const std::string& path() const { return path_; }
  // Every message clients wrote, in order (for translation checks).
  std::vector<Bytes> received() {
    std::lock_guard<std::mutex> g(mu_);
    return received_;
  }
  void keep_received(bool on) { keep_ = on; }

 private:
  void deliver(pfkey::ClientId to, ByteView m) {
    auto it = clients_.find(to);
    if (it == clients_.end()) return;
    int flags = MSG_NOSIGNAL | (to == serving_ ? 0 : MSG_DONTWAIT);
    (void)::send(it->second, m.data(), m.size(), flags);
  }
  void loop() {
    std::vector<std::uint8_t> buf(pfkey::kMaxMessageBytes);
    for (;;) {
      std::vector<pollfd> fds{{stop_pipe_[0], POLLIN, 0}, {listener_, POLLIN, 0}};
      std::vector<pfkey::ClientId> ids;
      for (auto& [id, fd] : clients_) fds.push_back({fd, POLLIN, 0}), ids.push_back(id);
      if (::poll(fds.data(), fds.size(), -1) < 0) continue;
      if (fds[0].revents) return;
      if (fds[1].revents & POLLIN) {
        int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
          clients_[next_id_] = fd;
          engine_.open(next_id_++);
        }
      }
      for (std::size_t i = 0; i < ids.size(); ++i)
        if (fds[i + 2].revents) drain(ids[i], fds[i + 2].fd, buf);
    }
  }
  // Every message waiting on one connection (one poll() for a burst).
  void drain(pfkey::ClientId id, int fd, std::vector<std::uint8_t>& buf) {
    for (;;) {
      ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      if (n <= 0) {
        engine_.close(id);
        ::close(fd);
        clients_.erase(id);
        return;
      }
      ByteView msg(buf.data(), std::size_t(n));
      if (keep_) {
        std::lock_guard<std::mutex> g(mu_);
        received_.emplace_back(msg.begin(), msg.end());
      }
      serving_ = id;
      engine_.handle(id, msg);
      serving_ = 0;
    }
  }

  std::string path_;
  pfkey::Engine engine_;
  int listener_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::map<pfkey::ClientId, int> clients_;
  pfkey::ClientId next_id_ = 1, serving_ = 0;
  std::atomic<bool> keep_{true};
  std::mutex mu_;
  std::vector<Bytes> received_;
  std::thread thread_;
};

}  // namespace aipsec::testsupport
