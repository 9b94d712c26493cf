// The control commands.
#include "daemon/control_commands.hpp"

#include <charconv>
#include <cstdio>
#include <sstream>
#include <vector>

#include "aipsec/crypto.hpp"
#include "aipsec/sad.hpp"

namespace aipsec::daemon {
namespace {

#define AIPSEC_DAEMON_COUNTERS(X)                                                              \
  X(tun_rx) X(tun_tx) X(net_rx) X(net_tx) X(send_errors) X(held) X(held_sent) X(held_expired) \
  X(held_queue_full) X(acquires_sent) X(expires_soft) X(expires_hard) X(policy_expires) X(spd_acquires_sent) X(peers_refused)        \
  X(pfkey_dropped) X(enc_outer_filtered) X(bypass_ttl_exceeded)

#define AIPSEC_DATAPLANE_STATS(X) X(out_packets) X(out_protected) X(out_bypass) X(in_packets) X(in_opened) X(in_bypass)

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> w;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) w.push_back(s.substr(i, j - i));
    i = j;
  }
  return w;
}

const char* state_name(SaState s) {
  switch (s) {
    case SaState::kLarval: return "larval";
    case SaState::kMature: return "mature";
    case SaState::kDying: return "dying";
    case SaState::kDead: return "dead";
  }
  return "?";
}

const char* proto_name(IpsecProto p) {
  switch (p) {
    case IpsecProto::kEsp: return "esp";
    case IpsecProto::kAh: return "ah";
    case IpsecProto::kIpComp: return "ipcomp";
  }
  return "?";
}

std::string error(const std::string& why) { return "error: " + why + "\n"; }

constexpr const char* kHelp =
    "sysctl get NAME\nsysctl set NAME VALUE\nsysctl list\nstats\nflush-stats\nhelp\n";

}  // namespace

std::string ControlCommands::execute(std::string_view line) {
  std::vector<std::string_view> w = words(line);
  if (w.empty()) return error("empty command (try 'help')");
  if (w[0] == "sysctl") return sysctl(line.substr(line.find("sysctl") + 6));
  if (w[0] == "stats" && w.size() == 1) return stats();
  if (w[0] == "flush-stats" && w.size() == 1) return flush_stats();
  if (w[0] == "help") return std::string(kHelp) + "ok\n";
  return error("unknown command '" + std::string(line.substr(0, 64)) + "' (try 'help')");
}

std::string ControlCommands::sysctl(std::string_view args) {
  std::vector<std::string_view> w = words(args);
  if (w.size() == 1 && w[0] == "list") {
    std::string out;
    fwd_.run_sync([&] {
      for (const std::string& n : Sysctl::names())
        out += n + "=" + std::to_string(dp_.sysctl().get(n).value_or(0)) + "\n";
    });
    return out + "ok\n";
  }
  if (w.size() == 2 && w[0] == "get") {
    std::optional<int> v;
    fwd_.run_sync([&] { v = dp_.sysctl().get(w[1]); });
    if (!v) return error("unknown sysctl " + std::string(w[1]));
    return std::string(w[1]) + "=" + std::to_string(*v) + "\nok\n";
  }
  if (w.size() == 3 && w[0] == "set") {
    int value = 0;
    auto [p, ec] = std::from_chars(w[2].data(), w[2].data() + w[2].size(), value);
    if (ec != std::errc{} || p != w[2].data() + w[2].size())
      return error("'" + std::string(w[2]) + "' is not an integer");
    bool ok = false;
    std::string why;
    fwd_.run_sync([&] { ok = dp_.sysctl().set(w[1], value, &why); });
    if (!ok) return error(why.empty() ? "cannot set " + std::string(w[1]) : why);
    return std::string(w[1]) + "=" + std::to_string(value) + "\nok\n";
  }
  return error("usage: sysctl get NAME | sysctl set NAME VALUE | sysctl list");
}

ControlCommands::Snapshot ControlCommands::snapshot() {
  Snapshot s;
  fwd_.run_sync([&] {
    s.stats = dp_.stats();
    for (std::size_t i = 0; i < kReasonCount; ++i) s.drops[i] = dp_.drops().get(Reason(i));
    s.counters = fwd_.counters();
    s.backend = fwd_.path().counters();
  });
#define AIPSEC_ADD(f) s.counters.f += control_.f;
  AIPSEC_DAEMON_COUNTERS(AIPSEC_ADD)
#undef AIPSEC_ADD
  return s;
}

std::string ControlCommands::stats() {
  const Snapshot s = snapshot();
  const Snapshot& b = baseline_;
  std::ostringstream out;
#define AIPSEC_PRINT(f) out << "dataplane." #f " " << (s.stats.f - b.stats.f) << "\n";
  AIPSEC_DATAPLANE_STATS(AIPSEC_PRINT)
#undef AIPSEC_PRINT
#define AIPSEC_PRINT(f) out << "daemon." #f " " << (s.counters.f - b.counters.f) << "\n";
  AIPSEC_DAEMON_COUNTERS(AIPSEC_PRINT)
#undef AIPSEC_PRINT
  for (std::size_t i = 1; i < kReasonCount; ++i) {
    std::uint64_t n = s.drops[i] - b.drops[i];
    if (Reason(i) == Reason::kHeldQueueFull) n += s.counters.held_queue_full - b.counters.held_queue_full;
    if (Reason(i) == Reason::kFilter) n += s.counters.enc_outer_filtered - b.counters.enc_outer_filtered;
    out << "drop." << reason_name(Reason(i)) << " " << n << "\n";
  }
  // Gauges of the key slab (not reset): locked, non-dumpable key memory.
  const crypto::KeyMemory km = crypto::key_memory();
  out << "keymem.slots_in_use " << km.slots_in_use << "\nkeymem.bytes_mapped " << km.bytes_mapped
      << "\nkeymem.bytes_unlocked " << km.bytes_unlocked << "\n";
  for (const auto& [name, v] : s.backend) out << "backend." << name << " " << v << "\n";
  // Per-SA counters are the SA's own (its PF_KEY current lifetime): not reset.
  std::size_t lines = 0, skipped = 0;
  dp_.sad().for_each([&](const SaRef& sa) {
    if (lines >= kMaxSaLines) {
      ++skipped;
      return;
    }
    const SaConfig& c = sa->config();
    char spi[16];
    std::snprintf(spi, sizeof spi, "0x%08x", c.spi);
    out << "sa " << proto_name(c.proto) << " " << spi << " " << c.src.to_string() << " "
        << c.dst.to_string() << " state=" << state_name(sa->state())
        << " bytes=" << sa->current().bytes.load() << " packets=" << sa->current().packets.load()
        << "\n";
    ++lines;
  });
  if (skipped) out << "sa_not_listed " << skipped << "\n";
  out << "ok\n";
  return out.str();
}

std::string ControlCommands::flush_stats() {
  baseline_ = snapshot();
  return "ok\n";
}

}  // namespace aipsec::daemon
