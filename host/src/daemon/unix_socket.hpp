// Unix-domain listening sockets that only their owner (or root) may use.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

namespace aipsec::daemon {

// A file descriptor closed when it goes out of scope.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~UniqueFd() { reset(); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Creates the socket file with mode 0600 (a stale socket file is replaced; any
// other file at the path is an error) and listens. Throws Error.
UniqueFd listen_unix(const std::string& path, int type);

// Removes the socket files it was given when it goes (also when the daemon's
// start fails half-way).
class SocketFiles {
 public:
  SocketFiles() = default;
  SocketFiles(const SocketFiles&) = delete;
  SocketFiles& operator=(const SocketFiles&) = delete;
  ~SocketFiles() { remove_all(); }
  void add(std::string path) { paths_.push_back(std::move(path)); }
  void remove_all() {
    for (const std::string& p : paths_) ::unlink(p.c_str());
    paths_.clear();
  }

 private:
  std::vector<std::string> paths_;
};

struct Peer {
  bool allowed = false;
  uid_t uid = 0;
  pid_t pid = 0;
};
// SO_PEERCRED: a peer is allowed when it runs as root or as the daemon's uid.
Peer check_peer(int fd);

}  // namespace aipsec::daemon
