// The pieces of the data plane that both directions share: flow keys, level
// resolution, and the inbound policy check over the decapsulation history.
#include <array>

#include "aipsec/dataplane.hpp"

namespace aipsec {

DataPlane::DataPlane() { history_.reserve(kMaxBundle); }
DataPlane::~DataPlane() = default;

Result DataPlane::drop(Reason r) {
  drops_.add(r);
  return Result{Verdict::kDrop, r};
}

FlowKey flow_key_of(const IpInfo& info) {
  FlowKey k;
  k.src = info.src;
  k.dst = info.dst;
  k.ulproto = info.ulproto;
  k.sport = info.sport.value_or(0);
  k.dport = info.dport.value_or(0);
  k.icmp_type = info.icmp_type;
  k.icmp_code = info.icmp_code;
  return k;
}

bool proto_enabled(const Sysctl& sc, IpsecProto p) {
  switch (p) {
    case IpsecProto::kEsp: return sc.esp_enable != 0;
    case IpsecProto::kAh: return sc.ah_enable != 0;
    case IpsecProto::kIpComp: return sc.ipcomp_enable != 0;
  }
  return false;
}

Level resolve_level(const IpsecRequest& r, const Sysctl& sc, int ip_version) {
  if (r.level != Level::kDefault) return r.level;
  if (r.proto == IpsecProto::kIpComp) return Level::kUse;
  const SysctlFamily& f = sc.family(ip_version);
  bool tunnel = r.mode == Mode::kTunnel;
  int v = r.proto == IpsecProto::kEsp ? (tunnel ? f.esp_net_deflev : f.esp_trans_deflev)
                                      : (tunnel ? f.ah_net_deflev : f.ah_trans_deflev);
  return v == 2 ? Level::kRequire : Level::kUse;
}

namespace {

bool step_matches(const IpsecRequest& r, Level level, const HistoryStep& h) {
  const InputStep& s = h.step;
  if (s.proto != r.proto || s.mode != r.mode) return false;
  if (r.src && s.src != *r.src) return false;
  if (r.dst && s.dst != *r.dst) return false;
  if (level == Level::kUnique && r.reqid != 0 && h.reqid != r.reqid) return false;
  return true;
}

}  // namespace

bool history_satisfies(const std::vector<IpsecRequest>& requests,
                       const std::vector<HistoryStep>& history, const Sysctl& sc, int ip_version) {
  const std::size_t n = requests.size(), m = history.size();
  if (n > kMaxBundle || m > kMaxBundle) return false;
  // ok[i][j]: the i outermost-first requests from i on can be matched by the
  // history from step j on. The history lists the outermost header first, the
  // policy the innermost first, so request i outermost-first is requests[n-1-i].
  // A subsequence match with optional elements: a greedy scan could give an
  // optional request the step a later required one needs, hence the table.
  std::array<std::array<bool, kMaxBundle + 1>, kMaxBundle + 1> ok{};
  for (std::size_t j = 0; j <= m; ++j) ok[n][j] = true;
  for (std::size_t i = n; i-- > 0;) {
    const IpsecRequest& r = requests[n - 1 - i];
    Level level = resolve_level(r, sc, ip_version);
    bool optional = level == Level::kUse || r.proto == IpsecProto::kIpComp;
    for (std::size_t j = m + 1; j-- > 0;) {
      bool v = optional && ok[i + 1][j];
      for (std::size_t h = j; !v && h < m; ++h) v = step_matches(r, level, history[h]) && ok[i + 1][h + 1];
      ok[i][j] = v;
    }
  }
  return ok[0][0];
}

}  // namespace aipsec
