// The client end of ipsecd's PF_KEY socket.
#include "pfkey_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace aipsec::setkeytool {

std::string socket_path(const std::string& from_option) {
  if (!from_option.empty()) return from_option;
  const char* env = std::getenv("AIPSEC_PFKEY_SOCKET");
  return env && *env ? env : kDefaultSocket;
}

PfkeyClient::PfkeyClient(const std::string& path) : rx_(pfkey::kMaxMessageBytes) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw Error("PF_KEY socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  fd_ = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw Error(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    ::close(fd_);
    fd_ = -1;
    throw Error("cannot connect to the PF_KEY socket " + path + ": " + std::strerror(e));
  }
}

PfkeyClient::PfkeyClient(int fd) : fd_(fd), rx_(pfkey::kMaxMessageBytes) {}

PfkeyClient::~PfkeyClient() {
  if (fd_ >= 0) ::close(fd_);
  secure_wipe(rx_.data(), rx_.size());
}

void PfkeyClient::send_bytes(ByteView wire) {
  ssize_t n;
  do n = ::send(fd_, wire.data(), wire.size(), MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw Error(std::string("PF_KEY send: ") + std::strerror(errno));
  if (std::size_t(n) != wire.size()) throw Error("PF_KEY send: message truncated");
}

void PfkeyClient::send(const pfkey::Message& m) {
  Bytes wire = pfkey::serialize(m);
  try {
    send_bytes(wire);
  } catch (...) {
    secure_wipe(wire.data(), wire.size());
    throw;
  }
  secure_wipe(wire.data(), wire.size());
}

std::size_t PfkeyClient::receive_bytes(int timeout_ms) {
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw Error(std::string("PF_KEY poll: ") + std::strerror(errno));
    if (r == 0) return 0;
    ssize_t n = ::recv(fd_, rx_.data(), rx_.size(), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) throw Error(std::string("PF_KEY recv: ") + std::strerror(errno));
    if (n == 0) throw Error("the daemon closed the PF_KEY connection");
    return std::size_t(n);
  }
}

std::optional<Received> PfkeyClient::receive(int timeout_ms) {
  std::size_t n = receive_bytes(timeout_ms);
  if (n == 0) return std::nullopt;
  Received r{pfkey::parse(buffer(n)), n};
  secure_wipe(rx_.data(), n);
  return r;
}

}  // namespace aipsec::setkeytool
