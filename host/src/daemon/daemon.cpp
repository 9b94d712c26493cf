// The daemon: composition of the data-plane thread and the control thread.
#include "aipsec/daemon.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>

#include "aipsec/daemon_enc.hpp"
#include "aipsec/setkey.hpp"
#include "daemon/control_commands.hpp"
#include "daemon/control_server.hpp"
#include "daemon/forwarder.hpp"
#include "daemon/lifetime_watch.hpp"
#include "daemon/log.hpp"
#include "daemon/pfkey_server.hpp"

namespace aipsec::daemon {
namespace {

constexpr std::size_t kMaxPendingAcquires = 1024;
// The same SA is not asked for again within this time (KAME's blockacq).
constexpr auto kAcquireRepeat = std::chrono::seconds(1);
constexpr int kTickDutyDivisor = 20;

std::uint64_t unix_now() {
  return std::uint64_t(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
}

UniqueFd make_eventfd() {
  UniqueFd fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!fd) throw Error(std::string("eventfd: ") + std::strerror(errno));
  return fd;
}

void drain(int fd) {
  std::uint64_t v;
  [[maybe_unused]] ssize_t n = ::read(fd, &v, sizeof v);
}

}  // namespace

struct Daemon::Impl {
  explicit Impl(Options o);
  void control_loop();
  void queue_acquire(const AcquireRequest& r);
  void arm_tick(std::chrono::milliseconds in);
  void lifetime_pass();
  void send_acquires();

  Options opts;
  DataPlane dp;
  std::optional<EncPoint> enc;
  DaemonCounters control_counters;  // touched by the control thread only
  SocketFiles socket_files;  // before the servers: removed after they are gone
  std::optional<Forwarder> fwd;
  std::optional<PfkeyServer> pfkey;
  std::optional<ControlServer> control;
  std::optional<ControlCommands> commands;
  std::optional<LifetimeWatch> lifetimes;
  UniqueFd control_wake = make_eventfd();
  UniqueFd tick;
  std::mutex acquire_mu;
  std::vector<AcquireRequest> pending_acquires;
  using AcquireKey = std::tuple<std::uint32_t, std::uint8_t, IpAddr, IpAddr, std::uint32_t>;
  std::map<AcquireKey, std::chrono::steady_clock::time_point> last_acquire;
  std::atomic<bool> stopping{false};
  std::thread data_thread, control_thread;
  bool started = false, stopped = false;
};

Daemon::Impl::Impl(Options o) : opts(std::move(o)) {
  if (!opts.config.empty()) {
    setkey::apply_all(dp, setkey::parse_file(opts.config), opts.config);
    log_line("loaded " + opts.config + ": " + std::to_string(dp.sad().size()) + " SAs, " +
             std::to_string(dp.spd().size()) + " policies");
  }
  if (!opts.enc_pcap.empty() || !opts.enc_filter.empty()) {
    enc.emplace(opts.enc_pcap, opts.enc_filter);
    dp.set_tap([this](const Packet& p, Direction) { return enc->pass(p.bytes()); });
  }
  UniqueFd tun;
  if (!opts.tun.empty()) tun = open_tun(opts.tun);
  std::optional<OuterSockets> outer;
  if (!opts.outer_address.empty()) outer.emplace(*IpAddr::parse(opts.outer_address), opts.natt_port);
  fwd.emplace(dp, opts, std::move(tun), std::move(outer), enc ? &*enc : nullptr,
              [this](const AcquireRequest& r) { queue_acquire(r); });
  UniqueFd pfkey_listener = listen_unix(opts.pfkey_socket, SOCK_SEQPACKET);
  socket_files.add(opts.pfkey_socket);
  pfkey.emplace(std::move(pfkey_listener), dp.sad(), dp.spd(), control_counters,
                [this] { fwd->sa_changed(); });
  commands.emplace(dp, *fwd, control_counters);
  if (!opts.control_socket.empty()) {
    UniqueFd control_listener = listen_unix(opts.control_socket, SOCK_STREAM);
    socket_files.add(opts.control_socket);
    control.emplace(std::move(control_listener), control_counters,
                    [this](std::string_view line) { return commands->execute(line); });
  }
  lifetimes.emplace(dp.sad(), dp.spd(), pfkey->engine(), control_counters);
  tick.reset(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!tick) throw Error(std::string("timerfd_create: ") + std::strerror(errno));
  arm_tick(std::chrono::milliseconds(opts.lifetime_tick_ms));
}

void Daemon::Impl::arm_tick(std::chrono::milliseconds in) {
  itimerspec its{};
  its.it_value.tv_sec = in.count() / 1000;
  its.it_value.tv_nsec = long(in.count() % 1000) * 1000000;
  timerfd_settime(tick.get(), 0, &its, nullptr);
}

// A lifetime pass walks the whole SAD on the control thread. With a large SAD
// the next pass is put off so that passes take at most 1/kTickDutyDivisor of
// the thread's time, leaving the rest to PF_KEY clients.
void Daemon::Impl::lifetime_pass() {
  const auto t0 = std::chrono::steady_clock::now();
  lifetimes->tick(unix_now());
  const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  arm_tick(std::max(std::chrono::milliseconds(opts.lifetime_tick_ms), spent * kTickDutyDivisor));
}

// Runs on the data-plane thread: only queues (the engine belongs to the control thread).
void Daemon::Impl::queue_acquire(const AcquireRequest& r) {
  {
    std::lock_guard lock(acquire_mu);
    if (pending_acquires.size() >= kMaxPendingAcquires) return;
    pending_acquires.push_back(r);
  }
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(control_wake.get(), &one, sizeof one);
}

void Daemon::Impl::send_acquires() {
  std::vector<AcquireRequest> todo;
  {
    std::lock_guard lock(acquire_mu);
    todo.swap(pending_acquires);
  }
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(last_acquire, [&](const auto& kv) { return now - kv.second >= kAcquireRepeat; });
  for (const AcquireRequest& r : todo) {
    if (r.policy_incomplete) {
      // One SPDACQUIRE per policy per repeat interval, however many packets.
      AcquireKey k{r.policy_id, 0xff, IpAddr{}, IpAddr{}, 0};
      if (!last_acquire.emplace(k, now).second) continue;
      control_counters.spd_acquires_sent += pfkey->engine().spd_acquire(r.policy_id);
      continue;
    }
    AcquireKey k{r.policy_id, std::uint8_t(r.request.proto), r.src, r.dst, r.request.reqid};
    if (!last_acquire.emplace(k, now).second) continue;
    control_counters.acquires_sent += pfkey->engine().acquire(r);
  }
}

void Daemon::Impl::control_loop() {
  std::vector<pollfd> fds;
  while (!stopping) {
    fds.clear();
    fds.push_back({control_wake.get(), POLLIN, 0});
    fds.push_back({tick.get(), POLLIN, 0});
    const std::size_t pfkey_at = fds.size();
    pfkey->fill(fds);
    const std::size_t control_at = fds.size();
    if (control) control->fill(fds);
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      log_line(std::string("control: poll: ") + std::strerror(errno));
      return;
    }
    if (stopping) return;
    // One failed request (an allocation, a message that cannot be encoded) is
    // logged; the daemon goes on serving the others.
    try {
      if (fds[0].revents & POLLIN) {
        drain(control_wake.get());
        send_acquires();
      }
      if (fds[1].revents & POLLIN) {
        drain(tick.get());
        lifetime_pass();
      }
      pfkey->dispatch(&fds[pfkey_at], control_at - pfkey_at);
      if (control) control->dispatch(&fds[control_at], fds.size() - control_at);
    } catch (const std::exception& e) {
      log_line(std::string("control: ") + e.what());
    }
  }
}

Daemon::Daemon(Options opts) : impl_(std::make_unique<Impl>(std::move(opts))) {}

Daemon::~Daemon() { stop(); }

void Daemon::start() {
  Impl& I = *impl_;
  if (I.started) return;
  I.started = true;
  I.data_thread = std::thread([&I] { I.fwd->run(); });
  I.control_thread = std::thread([&I] { I.control_loop(); });
  log_line("serving PF_KEY on " + I.opts.pfkey_socket +
           (I.opts.tun.empty() ? "" : ", TUN " + I.opts.tun) +
           (I.opts.outer_address.empty() ? "" : ", outer address " + I.opts.outer_address));
}

void Daemon::stop() {
  Impl& I = *impl_;
  if (I.stopped) return;
  I.stopped = true;
  // The control thread first: it may be waiting on the data-plane thread.
  I.stopping = true;
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(I.control_wake.get(), &one, sizeof one);
  if (I.control_thread.joinable()) I.control_thread.join();
  I.fwd->stop();
  if (I.data_thread.joinable()) I.data_thread.join();
  // Keys are wiped as the SAs go; nothing is left for a later process.
  const std::size_t sas = I.dp.sad().flush();
  I.dp.spd().flush();
  if (I.enc) I.enc->flush();
  I.socket_files.remove_all();
  log_line("stopped; " + std::to_string(sas) + " SAs flushed");
}

}  // namespace aipsec::daemon
