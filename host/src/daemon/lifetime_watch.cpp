// Lifetime checks.
#include "daemon/lifetime_watch.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "daemon/log.hpp"

namespace aipsec::daemon {
namespace {

// Times are whole seconds (PF_KEY's addtime and usetime): as KAME's
// key_timehandler, a time limit is passed when strictly more than the limit has
// elapsed, so an SA never expires before its lifetime.
bool reached(const Lifetime& l, const Sa& sa, std::uint64_t now) {
  const SaCurrent& cur = sa.current();
  const std::uint64_t first_use = cur.first_use_time.load(std::memory_order_relaxed);
  return (l.bytes != 0 && cur.bytes.load(std::memory_order_relaxed) >= l.bytes) ||
         (l.packets != 0 && cur.packets.load(std::memory_order_relaxed) >= l.packets) ||
         (l.add_seconds != 0 && now > cur.add_time + l.add_seconds) ||
         (l.use_seconds != 0 && first_use != 0 && now > first_use + l.use_seconds);
}

std::string describe(const SaConfig& c, bool hard) {
  char spi[16];
  std::snprintf(spi, sizeof spi, "0x%08x", c.spi);
  return std::string(hard ? "hard" : "soft") + " lifetime of SA " + spi + " " +
         c.src.to_string() + " > " + c.dst.to_string() + " reached";
}

}  // namespace

void LifetimeWatch::tick(std::uint64_t now) {
  struct Due {
    SaRef sa;
    bool hard;
  };
  std::vector<Due> due;
  // The SAD is read-locked during the walk: expiring (which removes) comes after.
  sad_.visit_locked([&](const SaRef& sa) {
    const SaState st = sa->state();
    if (st == SaState::kLarval) return;
    const SaConfig& c = sa->config();
    if (st == SaState::kDead || reached(c.hard, *sa, now)) {
      due.push_back({sa, true});
    } else if ((st == SaState::kDying || reached(c.soft, *sa, now)) && !soft_sent_.count(sa.get())) {
      due.push_back({sa, false});
    }
  });
  for (Due& d : due) {
    const SaConfig& c = d.sa->config();
    if (!d.hard) {
      d.sa->set_state(SaState::kDying);
      soft_sent_[d.sa.get()] = d.sa;
    }
    engine_.expire(SaKey{c.dst, c.proto, c.spi}, d.hard);
    ++(d.hard ? counters_.expires_hard : counters_.expires_soft);
    log_line(describe(c, d.hard));
  }
  std::erase_if(soft_sent_, [](const auto& kv) { return kv.second.expired(); });

  spd_.set_now(now);
  if (const std::size_t n = engine_.expire_policies(now); n != 0) {
    counters_.policy_expires += n;
    log_line(std::to_string(n) + " policies reached their lifetime and were removed");
  }
}

}  // namespace aipsec::daemon
