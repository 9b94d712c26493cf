// The data-plane thread: moves packets between the TUN interface and the outer
// sockets through the DataPlane (or the card in front of it, --backend), holds
// packets waiting for an SA, and runs the closures other threads post to it (so the DataPlane, its sysctls and its
// counters are only ever touched by this thread).
#pragma once

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aipsec/daemon.hpp"
#include "aipsec/daemon_enc.hpp"
#include "aipsec/daemon_held_queue.hpp"
#include "daemon/packet_io.hpp"

namespace aipsec::daemon {

class Forwarder {
 public:
  // tun and outer may be absent (a control-plane-only daemon). on_acquire runs
  // on this thread and must only queue the request for the control thread.
  Forwarder(DataPlane& dp, const Options& opts, UniqueFd tun, std::optional<OuterSockets> outer,
            EncPoint* enc, std::function<void(const AcquireRequest&)> on_acquire);
  ~Forwarder();

  void run();   // until stop()
  void stop();  // from any thread

  // Runs fn on the data-plane thread and waits for it.
  void run_sync(const std::function<void()>& fn);
  // From any thread: an SA was added or updated; held packets are retried.
  void sa_changed();

  DaemonCounters& counters() { return counters_; }  // data-plane thread only
  const PacketPath& path() const { return *path_; }   // data-plane thread only

 private:
  void wake();
  void drain_posted();
  void from_tun();
  void from_outer(int fd);
  void protect_and_send(Packet& p, bool from_hold);
  void send_outer(Packet& p);
  static bool forward_hop(Packet& p);
  void retry_held();
  static std::string summary(const Packet& p);
  void debug_log(const char* dir, const std::string& before, const Packet& p, const Result& r) const;
  bool debug() const;

  DataPlane& dp_;
  std::unique_ptr<PacketPath> path_;  // opts.backend over dp_
  UniqueFd tun_;
  std::optional<OuterSockets> outer_;
  EncPoint* enc_;
  bool enc_tunnel_;
  std::function<void(const AcquireRequest&)> on_acquire_;
  HeldQueue held_;
  std::optional<AcquireRequest> last_acquire_;
  DaemonCounters counters_;
  Packet pkt_;
  UniqueFd wake_fd_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> sa_changed_{false};
  std::atomic<bool> holding_{false};  // held_ is not empty (sa_changed)
  std::mutex posted_mu_;
  std::vector<std::function<void()>> posted_;
};

}  // namespace aipsec::daemon
