// SA lifetimes: the time limits (since add, since first use) and the byte and
// packet limits (the data plane marks an SA dying at its soft and dead at its
// hard limit) turned into SADB_EXPIRE messages. Runs on the control thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "aipsec/daemon.hpp"
#include "aipsec/pfkey_engine.hpp"
#include "aipsec/spd.hpp"

namespace aipsec::daemon {

class LifetimeWatch {
 public:
  LifetimeWatch(Sad& sad, Spd& spd, pfkey::Engine& engine, DaemonCounters& counters)
      : sad_(sad), spd_(spd), engine_(engine), counters_(counters) {}

  // One pass over the SAD at unix time now: a soft expiry is announced once per
  // SA; a hard expiry is announced and removes the SA (Engine::expire).
  // Policies whose lifetime has passed are removed with SADB_X_SPDEXPIRE.
  void tick(std::uint64_t now);

 private:
  Sad& sad_;
  Spd& spd_;
  pfkey::Engine& engine_;
  DaemonCounters& counters_;
  std::map<const Sa*, std::weak_ptr<Sa>> soft_sent_;
};

}  // namespace aipsec::daemon
