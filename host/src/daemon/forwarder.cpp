// The data-plane thread.
#include "daemon/forwarder.hpp"

#include <poll.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <string>

#include "daemon/log.hpp"

namespace aipsec::daemon {
namespace {

constexpr int kBurst = 64;         // datagrams read from one fd before looking at the others
constexpr int kPollPeriodMs = 50;  // hold-queue deadlines are checked at least this often
constexpr std::size_t kHeldMaxBytes = 4 << 20;

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kForward: return "forward";
    case Verdict::kDrop: return "drop";
    case Verdict::kConsumed: return "consumed";
  }
  return "?";
}

}  // namespace

Forwarder::Forwarder(DataPlane& dp, const Options& opts, UniqueFd tun,
                     std::optional<OuterSockets> outer, EncPoint* enc,
                     std::function<void(const AcquireRequest&)> on_acquire)
    : dp_(dp),
      path_(make_packet_path(opts.backend, dp)),
      tun_(std::move(tun)),
      outer_(std::move(outer)),
      enc_(enc),
      enc_tunnel_(opts.enc_tunnel),
      on_acquire_(std::move(on_acquire)),
      held_(opts.held_max_packets, kHeldMaxBytes, std::chrono::milliseconds(opts.held_timeout_ms)),
      wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!wake_fd_) throw Error(std::string("eventfd: ") + std::strerror(errno));
  // The DataPlane calls this from output(), on this thread: remember what the
  // packet waits for, and let the control thread send the ACQUIRE.
  dp_.set_acquire_handler([this](const AcquireRequest& r) {
    last_acquire_ = r;
    on_acquire_(r);
  });
}

Forwarder::~Forwarder() { dp_.set_acquire_handler(nullptr); }

void Forwarder::wake() {
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_.get(), &one, sizeof one);
}

void Forwarder::stop() {
  stop_ = true;
  wake();
}

// The data thread is woken only when packets wait for an SA (a key daemon
// installing a batch must not cost a thread switch per SA). holding_ is set
// before the held packet's SAs are looked up again (protect_and_send), so an
// SA added concurrently is seen by one side or the other.
void Forwarder::sa_changed() {
  sa_changed_.store(true);
  if (holding_.load()) wake();
}

void Forwarder::run_sync(const std::function<void()>& fn) {
  std::promise<void> done;
  {
    std::lock_guard lock(posted_mu_);
    posted_.push_back([&] {
      try {
        fn();
        done.set_value();
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
  }
  wake();
  done.get_future().get();  // rethrows what fn threw, on the caller's thread
}

void Forwarder::drain_posted() {
  std::vector<std::function<void()>> todo;
  {
    std::lock_guard lock(posted_mu_);
    todo.swap(posted_);
  }
  for (auto& f : todo) f();
}

void Forwarder::run() {
  std::vector<pollfd> fds;
  fds.push_back({wake_fd_.get(), POLLIN, 0});
  if (tun_) fds.push_back({tun_.get(), POLLIN, 0});
  if (outer_)
    for (int fd : outer_->read_fds()) fds.push_back({fd, POLLIN, 0});
  while (!stop_) {
    int n = ::poll(fds.data(), fds.size(), kPollPeriodMs);
    if (n < 0 && errno != EINTR) {
      log_line(std::string("data plane: poll: ") + std::strerror(errno));
      break;
    }
    if (fds[0].revents & POLLIN) {
      std::uint64_t v;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_.get(), &v, sizeof v);
    }
    try {
      drain_posted();
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & POLLIN)) continue;
        if (fds[i].fd == tun_.get()) from_tun();
        else from_outer(fds[i].fd);
      }
      if (sa_changed_.exchange(false)) retry_held();
      if (held_.size() != 0) counters_.held_expired += held_.expire();
      holding_.store(held_.size() != 0);
    } catch (const std::exception& e) {
      // Only an allocation can fail here: the packet is lost, the daemon goes on.
      log_line(std::string("data plane: ") + e.what());
    }
  }
  // Pending run_sync callers must not wait forever.
  drain_posted();
}

bool Forwarder::debug() const { return dp_.sysctl().inet.debug != 0 || dp_.sysctl().inet6.debug != 0; }

// Debug lines name addresses, protocol and length (before and after the
// transform) and the decision: never the payload, never anything of the SA.
std::string Forwarder::summary(const Packet& p) {
  ParseResult parsed = parse_ip(p.bytes(), false);
  if (!parsed.info) return "(unparsed) len " + std::to_string(p.size());
  return parsed.info->src.to_string() + " > " + parsed.info->dst.to_string() + " proto " +
         std::to_string(parsed.info->ulproto) + " len " + std::to_string(p.size());
}

void Forwarder::debug_log(const char* dir, const std::string& before, const Packet& p, const Result& r) const {
  std::string line = std::string(dir) + " " + before + ": " + verdict_name(r.verdict);
  if (r.reason != Reason::kNone) line += " (" + std::string(reason_name(r.reason)) + ")";
  if (r.verdict == Verdict::kForward) line += " as " + summary(p);
  log_line(line);
}

void Forwarder::from_tun() {
  for (int i = 0; i < kBurst && read_into(tun_.get(), pkt_); ++i) {
    ++counters_.tun_rx;
    protect_and_send(pkt_, false);
  }
}

void Forwarder::protect_and_send(Packet& p, bool from_hold) {
  last_acquire_.reset();
  const bool dbg = debug();
  const std::string before = dbg ? summary(p) : std::string();
  const std::uint64_t bypassed_before = dp_.stats().out_bypass;
  Result r = path_->output(p);
  if (dbg) debug_log(from_hold ? "out(held)" : "out", before, p, r);
  if (r.verdict == Verdict::kDrop && r.reason == Reason::kNoSa && last_acquire_) {
    // p is unchanged: no transform runs before every SA of the bundle is found.
    if (held_.push(p.bytes(), *last_acquire_)) {
      ++counters_.held;
      holding_.store(true);
      sa_changed_.store(true);  // look again at the end of this pass
    } else {
      ++counters_.held_queue_full;
    }
    return;
  }
  if (r.verdict != Verdict::kForward) return;
  if (dp_.stats().out_bypass != bypassed_before && !forward_hop(p)) {
    ++counters_.bypass_ttl_exceeded;
    return;
  }
  send_outer(p);
}

// A bypassed datagram leaves as a router forwards it: one hop less. If the
// gateway's routes send it back into the TUN, it dies when the TTL runs out
// instead of circling for ever.
bool Forwarder::forward_hop(Packet& p) {
  std::uint8_t* h = p.data();
  if (p.size() >= kIpv4HeaderLen && (h[0] >> 4) == 4) {
    if (h[8] <= 1) return false;
    --h[8];
    ipv4_update_checksum(h);
    return true;
  }
  if (p.size() >= kIpv6HeaderLen && (h[0] >> 4) == 6) {
    if (h[7] <= 1) return false;
    --h[7];
    return true;
  }
  return false;
}

void Forwarder::send_outer(Packet& p) {
  if (!outer_) return;
  if (enc_tunnel_ && enc_ && !enc_->pass(p.bytes())) {
    ++counters_.enc_outer_filtered;
    return;
  }
  if (outer_->send(p)) {
    ++counters_.net_tx;
  } else {
    ++counters_.send_errors;
    if (debug()) log_line(std::string("send: ") + std::strerror(errno));
  }
}

void Forwarder::from_outer(int fd) {
  for (int i = 0; i < kBurst && outer_->receive(fd, pkt_); ++i) {
    ++counters_.net_rx;
    if (enc_tunnel_ && enc_ && !enc_->pass(pkt_.bytes())) {
      ++counters_.enc_outer_filtered;
      continue;
    }
    const bool dbg = debug();
    const std::string before = dbg ? summary(pkt_) : std::string();
    Result r = path_->input(pkt_);
    if (dbg) debug_log("in", before, pkt_, r);
    // IKE on the NAT-T port belongs to a key daemon, not to the TUN: dropped here.
    if (r.verdict != Verdict::kForward || r.reason == Reason::kIkeMarker || !tun_) continue;
    if (::write(tun_.get(), pkt_.data(), pkt_.size()) >= 0) ++counters_.tun_tx;
    else ++counters_.send_errors;
  }
}

void Forwarder::retry_held() {
  if (held_.size() == 0) return;
  const Sad& sad = dp_.sad();
  auto ready = [&](const AcquireRequest& a) {
    const std::uint32_t reqid = a.request.level == Level::kUnique ? a.request.reqid : 0;
    return sad.find_outbound(a.src, a.dst, a.request.proto, a.request.mode, reqid) != nullptr;
  };
  Packet p;
  held_.release(ready, [&](HeldQueue::Entry& e) {
    if (!p.assign(e.packet)) return;
    ++counters_.held_sent;
    protect_and_send(p, true);
  });
}

}  // namespace aipsec::daemon
