// The PF_KEY client side shared by the control-plane benchmarks: the SADB_ADD
// messages they install, the socket, bursts of sends and reading of replies.
#pragma once

#include <linux/pfkeyv2.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "aipsec/pfkey.hpp"

namespace pfkey_bench {

using namespace aipsec;

inline constexpr std::size_t kWindow = 128;

// CPU time of the whole process (client and server threads): on a shared,
// loaded machine, items per CPU-second is the figure that does not depend on
// how much of the machine the run was given.
inline double process_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

inline int connect_to(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -1;
  int big = 4 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  return fd;
}

inline std::string socket_path(const char* tag) {
  return "/tmp/aipsec-bench-" + std::string(tag) + "-" + std::to_string(::getpid()) + ".sock";
}

inline SaConfig gcm_sa(std::uint32_t i) {
  SaConfig c;
  c.proto = IpsecProto::kEsp;
  c.spi = 0x1000 + i;
  c.src = IpAddr::v4(0xc0000201u);
  c.dst = IpAddr::v4(0xc6000000u + i);  // one peer per SA (a concentrator)
  c.mode = Mode::kTunnel;
  c.enc = EncAlg::kAesGcm16;
  Bytes key(20);
  for (std::size_t k = 0; k < key.size(); ++k) key[k] = std::uint8_t(i * 31 + k);
  c.enc_key = SecureBytes(key);
  return c;
}

// SADB_ADD of gcm_sa(i), encoded with the codec.
inline Bytes add_message(std::uint32_t i) {
  SaConfig c = gcm_sa(i);
  pfkey::Message m;
  m.type = SADB_ADD;
  m.satype = SADB_SATYPE_ESP;
  m.seq = i + 1;
  m.pid = std::uint32_t(::getpid());
  m.sa = pfkey::SaExt{c.spi, 4, SADB_SASTATE_MATURE, SADB_AALG_NONE, SADB_X_EALG_AES_GCM_ICV16, 0};
  m.src = pfkey::AddressExt{IPSEC_ULPROTO_ANY, 32, pfkey::SockAddr{c.src, 0, 0}};
  m.dst = pfkey::AddressExt{IPSEC_ULPROTO_ANY, 32, pfkey::SockAddr{c.dst, 0, 0}};
  m.sa2 = pfkey::Sa2Ext{IPSEC_MODE_TUNNEL, 0, 0};
  m.key_encrypt = pfkey::KeyExt{160, c.enc_key};
  return pfkey::serialize(m);
}

// Sends msgs[from, from + n) with one sendmmsg call per kernel batch.
inline bool send_burst(int fd, const std::vector<Bytes>& msgs, std::size_t from, std::size_t n) {
  std::vector<iovec> iov(n);
  std::vector<mmsghdr> hdr(n);
  for (std::size_t k = 0; k < n; ++k) {
    iov[k] = iovec{const_cast<std::uint8_t*>(msgs[from + k].data()), msgs[from + k].size()};
    hdr[k] = mmsghdr{};
    hdr[k].msg_hdr.msg_iov = &iov[k];
    hdr[k].msg_hdr.msg_iovlen = 1;
  }
  for (std::size_t done = 0; done < n;) {
    int r = ::sendmmsg(fd, hdr.data() + done, unsigned(n - done), MSG_NOSIGNAL);
    if (r <= 0) return false;
    done += std::size_t(r);
  }
  return true;
}

// Reads the replies already waiting (at least one unless flags has
// MSG_DONTWAIT) with one recvmmsg; returns how many, or -1 if one is not a
// success or the socket failed. ADD replies are small: a cut one is a failure.
inline int read_replies(int fd, int flags) {
  constexpr std::size_t kSlots = 64, kSlot = 4096;
  static thread_local std::vector<std::uint8_t> buf(kSlots * kSlot);
  std::array<iovec, kSlots> iov;
  std::array<mmsghdr, kSlots> hdr;
  for (std::size_t k = 0; k < kSlots; ++k) {
    iov[k] = iovec{buf.data() + k * kSlot, kSlot};
    hdr[k] = mmsghdr{};
    hdr[k].msg_hdr.msg_iov = &iov[k];
    hdr[k].msg_hdr.msg_iovlen = 1;
  }
  // MSG_WAITFORONE: block for the first reply only, then take what is there.
  const int n = ::recvmmsg(fd, hdr.data(), unsigned(kSlots), flags | MSG_WAITFORONE, nullptr);
  if (n < 0) return (flags & MSG_DONTWAIT) && errno == EAGAIN ? 0 : -1;
  for (int k = 0; k < n; ++k) {
    sadb_msg h;
    if (hdr[k].msg_len < sizeof h || (hdr[k].msg_hdr.msg_flags & MSG_TRUNC)) return -1;
    std::memcpy(&h, buf.data() + std::size_t(k) * kSlot, sizeof h);
    if (h.sadb_msg_errno != 0) return -1;
  }
  return n;
}

// The client thread runs as SCHED_BATCH while it installs: where the client
// and the daemon share a core (a 2-core machine with anything else running),
// a normal thread woken by the first reply of a batch preempts the daemon in
// the middle of sending the rest, reads one or two replies and sleeps again,
// and the run measures context switches. A key daemon on its own core does
// not do that to ipsecd; SCHED_BATCH (no wake-up preemption) models that.
class BatchScheduling {
 public:
  BatchScheduling() {
    ok_ = ::sched_getparam(0, &old_param_) == 0 && (old_policy_ = ::sched_getscheduler(0)) >= 0;
    sched_param p{};
    ok_ = ok_ && ::sched_setscheduler(0, SCHED_BATCH, &p) == 0;
  }
  ~BatchScheduling() {
    if (ok_) ::sched_setscheduler(0, old_policy_, &old_param_);
  }
  BatchScheduling(const BatchScheduling&) = delete;
  BatchScheduling& operator=(const BatchScheduling&) = delete;

 private:
  bool ok_ = false;
  int old_policy_ = SCHED_OTHER;
  sched_param old_param_{};
};

// Where the process may run on two CPUs or more, the daemon's threads get one
// and the client another, as ipsecd and a key daemon on a gateway would: left
// to the scheduler, both sometimes share a core for a whole run and the same
// binary measures anywhere between 160,000 and 235,000 SA/s. daemon_side()
// goes before the daemon starts (its threads inherit the CPU), client_side()
// after; the destructor gives the thread its CPUs back.
class CpuSplit {
 public:
  CpuSplit() {
    if (::sched_getaffinity(0, sizeof old_, &old_) != 0) return;
    for (int cpu = 0, found = 0; cpu < CPU_SETSIZE && found < 2; ++cpu) {
      if (CPU_ISSET(cpu, &old_)) cpus_[found++] = cpu;
    }
    ok_ = cpus_[1] >= 0;
  }
  ~CpuSplit() {
    if (ok_) ::sched_setaffinity(0, sizeof old_, &old_);
  }
  CpuSplit(const CpuSplit&) = delete;
  CpuSplit& operator=(const CpuSplit&) = delete;
  void daemon_side() { pin(cpus_[1]); }
  void client_side() { pin(cpus_[0]); }
  bool active() const { return ok_; }

 private:
  void pin(int cpu) {
    if (!ok_) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    ::sched_setaffinity(0, sizeof one, &one);
  }
  cpu_set_t old_{};
  int cpus_[2] = {-1, -1};
  bool ok_ = false;
};

// Installs every message of msgs over fd, keeping up to kWindow in flight, as
// a key daemon installing a batch does: bursts of sends, and every reply that
// is there read at once, so each side wakes once per burst rather than per
// message. False if a send fails or a reply is not a success.
inline bool install_all(int fd, const std::vector<Bytes>& msgs) {
  BatchScheduling batch;
  const std::size_t count = msgs.size();
  std::size_t sent = 0, answered = 0;
  while (answered < count) {
    if (sent - answered <= kWindow / 2 && sent < count) {
      const std::size_t burst = std::min<std::size_t>(count - sent, kWindow - (sent - answered));
      if (!send_burst(fd, msgs, sent, burst)) return false;
      sent += burst;
    }
    const int got = read_replies(fd, 0);
    if (got <= 0) return false;
    answered += std::size_t(got);
  }
  return true;
}

}  // namespace pfkey_bench
