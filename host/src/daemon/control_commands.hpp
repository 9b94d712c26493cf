// The commands of the control socket: sysctl get/set/list, stats, flush-stats.
// Everything that touches the DataPlane runs on the data-plane thread.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "aipsec/daemon.hpp"
#include "daemon/forwarder.hpp"

namespace aipsec::daemon {

class ControlCommands {
 public:
  // At most this many per-SA lines in a stats reply (the rest are counted).
  static constexpr std::size_t kMaxSaLines = 10000;

  ControlCommands(DataPlane& dp, Forwarder& fwd, DaemonCounters& control_counters)
      : dp_(dp), fwd_(fwd), control_(control_counters) {}

  std::string execute(std::string_view line);

 private:
  struct Snapshot {
    DataPlaneStats stats;
    std::array<std::uint64_t, kReasonCount> drops{};
    DaemonCounters counters;
    std::vector<std::pair<std::string, std::uint64_t>> backend;  // the packet path's own
  };
  Snapshot snapshot();
  std::string sysctl(std::string_view args);
  std::string stats();
  std::string flush_stats();

  DataPlane& dp_;
  Forwarder& fwd_;
  DaemonCounters& control_;
  Snapshot baseline_;  // flush-stats: what is reported is counted since then
};

}  // namespace aipsec::daemon
