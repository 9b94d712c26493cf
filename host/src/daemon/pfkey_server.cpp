// The PF_KEY socket server.
#include "daemon/pfkey_server.hpp"

#include <linux/pfkeyv2.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "aipsec/pfkey.hpp"
#include "daemon/log.hpp"

namespace aipsec::daemon {
namespace {

constexpr int kReadBurst = 256;  // messages taken from one client per poll round
constexpr std::size_t kBatch = 64;  // messages per recvmmsg / sendmmsg (slots: virtual memory, touched only as far as a message goes)

// Bytes this socket has sent that its peer has not read yet.
int unread_bytes(int fd) {
  int n = 0;
  return ::ioctl(fd, SIOCOUTQ, &n) == 0 ? n : -1;
}

// Sends one datagram, waiting for room; false if the peer is gone, or has read
// nothing for kSendTimeoutMs. A slow reader that keeps reading is waited for:
// the socket only reports room once the peer has drained most of the buffer.
bool send_blocking(int fd, ByteView m) {
  constexpr int kPollMs = 200;
  int waited_ms = 0, unread = unread_bytes(fd);
  for (;;) {
    if (::send(fd, m.data(), m.size(), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0) return true;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
    pollfd p{fd, POLLOUT, 0};
    const int r = ::poll(&p, 1, kPollMs);
    if (r < 0 && errno != EINTR) return false;
    if (r > 0) continue;
    const int now_unread = unread_bytes(fd);
    if (now_unread < unread) waited_ms = 0;  // the reader made progress
    else if ((waited_ms += kPollMs) >= PfkeyServer::kSendTimeoutMs) return false;
    unread = now_unread;
  }
}

}  // namespace

PfkeyServer::PfkeyServer(UniqueFd listener, Sad& sad, Spd& spd, DaemonCounters& counters,
                         std::function<void()> on_sa_added)
    : listener_(std::move(listener)),
      counters_(counters),
      on_sa_added_(std::move(on_sa_added)),
      engine_(sad, spd, [this](pfkey::ClientId to, ByteView msg) { deliver(to, msg); }),
      rx_(std::make_unique_for_overwrite<std::uint8_t[]>(kBatch * (pfkey::kMaxMessageBytes + 8))) {}

PfkeyServer::~PfkeyServer() = default;

void PfkeyServer::fill(std::vector<pollfd>& fds) const {
  fds.push_back({listener_.get(), POLLIN, 0});
  for (const auto& [id, c] : conns_)
    fds.push_back({c.fd.get(), short(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
}

void PfkeyServer::dispatch(const pollfd* fds, std::size_t n) {
  if (n == 0) return;
  if (fds[0].revents & POLLIN) accept_all();
  std::size_t i = 1;
  for (auto& [id, c] : conns_) {
    if (i >= n) break;
    const short ev = fds[i++].revents;
    if (ev & POLLOUT) flush_queue(c);
    if (ev & (POLLIN | POLLHUP | POLLERR)) read_from(id, c);
  }
  reap();
}

void PfkeyServer::accept_all() {
  for (;;) {
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) return;
    Peer peer = check_peer(fd.get());
    if (!peer.allowed) {
      ++counters_.peers_refused;
      log_line("PF_KEY: refused peer uid " + std::to_string(peer.uid) + " pid " +
               std::to_string(peer.pid) + " (only root and uid " + std::to_string(::geteuid()) +
               " may connect)");
      continue;
    }
    if (conns_.size() >= kMaxClients) {
      log_line("PF_KEY: refused peer pid " + std::to_string(peer.pid) + ": too many clients");
      continue;
    }
    int size = 1 << 20;
    setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    const pfkey::ClientId id = next_id_++;
    conns_[id].fd = std::move(fd);
    engine_.open(id);
  }
}

// Up to kBatch messages per recvmmsg; the replies to them go out together
// (flush_replies) before the next batch is read, so a client that keeps
// requests in flight costs two system calls per batch rather than per message.
void PfkeyServer::read_from(pfkey::ClientId id, Conn& c) {
  constexpr std::size_t kSlot = pfkey::kMaxMessageBytes + 8;
  std::array<iovec, kBatch> iov;
  std::array<mmsghdr, kBatch> hdr;
  for (int taken = 0; taken < kReadBurst && !c.dead;) {
    for (std::size_t k = 0; k < kBatch; ++k) {
      iov[k] = iovec{rx_.get() + k * kSlot, kSlot};
      hdr[k] = mmsghdr{};
      hdr[k].msg_hdr.msg_iov = &iov[k];
      hdr[k].msg_hdr.msg_iovlen = 1;
    }
    const int n = ::recvmmsg(c.fd.get(), hdr.data(), unsigned(kBatch), MSG_DONTWAIT, nullptr);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
    if (n <= 0) {
      c.dead = true;
      break;
    }
    for (int k = 0; k < n && !c.dead; ++k) {
      // A datagram longer than any PF_KEY message arrives cut (MSG_TRUNC): its
      // length field then disagrees with the bytes and the engine answers EINVAL.
      std::uint8_t* msg = rx_.get() + std::size_t(k) * kSlot;
      const std::size_t len = std::min<std::size_t>(hdr[k].msg_len, kSlot);
      const std::uint8_t type = len >= sizeof(sadb_msg) ? msg[1] : 0;
      requester_ = id;
      int err = engine_.handle(id, ByteView(msg, len));
      requester_ = 0;
      secure_wipe(msg, len);  // ADD and UPDATE carry keys
      if (err == 0 && (type == SADB_ADD || type == SADB_UPDATE)) on_sa_added_();
    }
    flush_replies(c);
    taken += n;
    if (std::size_t(n) < kBatch) break;
  }
  flush_replies(c);
}

// The replies collected for the requester, in order: one sendmmsg, then a
// blocking send for whatever did not fit.
void PfkeyServer::flush_replies(Conn& c) {
  if (replies_.empty()) return;
  std::array<iovec, kBatch> iov;
  std::array<mmsghdr, kBatch> hdr;
  std::size_t sent = 0;
  if (!c.dead) {
    const std::size_t n = replies_.size();
    for (std::size_t k = 0; k < n; ++k) {
      iov[k] = iovec{const_cast<std::uint8_t*>(replies_[k].data()), replies_[k].size()};
      hdr[k] = mmsghdr{};
      hdr[k].msg_hdr.msg_iov = &iov[k];
      hdr[k].msg_hdr.msg_iovlen = 1;
    }
    const int r = ::sendmmsg(c.fd.get(), hdr.data(), unsigned(n), MSG_NOSIGNAL | MSG_DONTWAIT);
    sent = r > 0 ? std::size_t(r) : 0;
    for (; sent < n && !c.dead; ++sent) {
      if (!send_blocking(c.fd.get(), replies_[sent].view())) {
        log_line("PF_KEY: a client stopped reading; disconnected");
        c.dead = true;
      }
    }
  }
  replies_.clear();  // SecureBytes: wiped
}

void PfkeyServer::flush_queue(Conn& c) {
  while (!c.out.empty() && !c.dead) {
    const SecureBytes& m = c.out.front();
    if (::send(c.fd.get(), m.data(), m.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      c.dead = true;
      return;
    }
    c.out_bytes -= m.size();
    c.out.pop_front();
  }
}

void PfkeyServer::deliver(pfkey::ClientId to, ByteView msg) {
  auto it = conns_.find(to);
  if (it == conns_.end() || it->second.dead) return;
  Conn& c = it->second;
  if (to == requester_) {
    // Order is kept: what was queued for the requester goes first.
    while (!c.out.empty() && !c.dead) {
      if (!send_blocking(c.fd.get(), c.out.front().view())) c.dead = true;
      c.out_bytes -= c.out.front().size();
      c.out.pop_front();
    }
    // At most kBatch replies wait: a DUMP still streams at the reader's pace.
    replies_.emplace_back(msg);
    if (replies_.size() >= kBatch) flush_replies(c);
    return;
  }
  if (c.out.empty() && ::send(c.fd.get(), msg.data(), msg.size(), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
    return;
  if (c.out.size() >= kQueueMessages || c.out_bytes + msg.size() > kQueueBytes) {
    ++counters_.pfkey_dropped;
    return;
  }
  c.out.emplace_back(msg);
  c.out_bytes += msg.size();
}

void PfkeyServer::reap() {
  for (auto it = conns_.begin(); it != conns_.end();) {
    if (it->second.dead) {
      engine_.close(it->first);
      it = conns_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace aipsec::daemon
