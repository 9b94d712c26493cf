// Owner-only Unix listening sockets and the SO_PEERCRED check.
#include "daemon/unix_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "aipsec/common.hpp"

namespace aipsec::daemon {
namespace {

std::string sys_error(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

UniqueFd listen_unix(const std::string& path, int type) {
  sockaddr_un sa{};
  if (path.size() >= sizeof sa.sun_path) throw Error("socket path too long: " + path);
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);

  UniqueFd fd(::socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) throw Error(sys_error("socket(AF_UNIX)"));
  struct stat st{};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw Error(path + " exists and is not a socket");
    // A socket someone still listens on belongs to a running daemon: keep it.
    UniqueFd probe(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
    if (probe && ::connect(probe.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0)
      throw Error(path + " is in use by a running daemon");
    ::unlink(path.c_str());
  }
  // The umask makes the file 0600 from its creation: no window where others may connect.
  mode_t old = ::umask(0077);
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  int bind_errno = errno;
  ::umask(old);
  if (rc != 0) {
    errno = bind_errno;
    throw Error(sys_error("bind " + path));
  }
  if (::chmod(path.c_str(), 0600) != 0) throw Error(sys_error("chmod " + path));
  if (::listen(fd.get(), 64) != 0) throw Error(sys_error("listen " + path));
  return fd;
}

Peer check_peer(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  Peer p;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return p;
  p.uid = cred.uid;
  p.pid = cred.pid;
  p.allowed = cred.uid == 0 || cred.uid == ::geteuid();
  return p;
}

}  // namespace aipsec::daemon
