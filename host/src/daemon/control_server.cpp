// The control socket server.
#include "daemon/control_server.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "daemon/log.hpp"

namespace aipsec::daemon {
namespace {

constexpr int kWriteTimeoutMs = 5000;

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      s.remove_prefix(std::size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, kWriteTimeoutMs) <= 0) return false;
  }
  return true;
}

}  // namespace

ControlServer::ControlServer(UniqueFd listener, DaemonCounters& counters, Handler handler)
    : listener_(std::move(listener)), counters_(counters), handler_(std::move(handler)) {}

void ControlServer::fill(std::vector<pollfd>& fds) const {
  fds.push_back({listener_.get(), POLLIN, 0});
  for (const auto& [id, c] : conns_) fds.push_back({c.fd.get(), POLLIN, 0});
}

void ControlServer::dispatch(const pollfd* fds, std::size_t n) {
  if (n == 0) return;
  if (fds[0].revents & POLLIN) accept_all();
  std::size_t i = 1;
  for (auto& [id, c] : conns_) {
    if (i >= n) break;
    if (fds[i++].revents & (POLLIN | POLLHUP | POLLERR)) read_from(c);
  }
  std::erase_if(conns_, [](const auto& kv) { return kv.second.dead; });
}

void ControlServer::accept_all() {
  for (;;) {
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) return;
    Peer peer = check_peer(fd.get());
    if (!peer.allowed) {
      ++counters_.peers_refused;
      log_line("control: refused peer uid " + std::to_string(peer.uid) + " pid " +
               std::to_string(peer.pid));
      continue;
    }
    if (conns_.size() >= kMaxClients) {
      log_line("control: too many clients");
      continue;
    }
    conns_[next_id_++].fd = std::move(fd);
  }
}

void ControlServer::read_from(Conn& c) {
  char buf[4096];
  ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {
    c.dead = true;
    return;
  }
  c.in.append(buf, std::size_t(n));
  std::size_t nl;
  while (!c.dead && (nl = c.in.find('\n')) != std::string::npos) {
    std::string line = c.in.substr(0, nl);
    c.in.erase(0, nl + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!write_all(c.fd.get(), handler_(line))) c.dead = true;
  }
  if (c.in.size() > kMaxLine) {
    write_all(c.fd.get(), "error: line longer than " + std::to_string(kMaxLine) + " bytes\n");
    c.dead = true;
  }
}

}  // namespace aipsec::daemon
