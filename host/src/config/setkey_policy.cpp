// The ipsec_set_policy(3) policy grammar, shared by setkey spdadd, PF_KEY and
// the per-socket policy API.
#include <charconv>
#include <limits>

#include "config/setkey_internal.hpp"

namespace aipsec::setkey::detail {

namespace {
// KAME's IPSEC_MANUAL_REQID_MAX: reqids above it are assigned by the kernel.
constexpr std::uint64_t kManualReqidMax = 0x3fff;

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

Level parse_level(Cursor& c, const Token& t, std::string_view s, std::uint32_t& reqid) {
  if (s.empty() || s == "default") return Level::kDefault;
  if (s == "use") return Level::kUse;
  if (s == "require") return Level::kRequire;
  if (s == "unique") return Level::kUnique;
  if (s.starts_with("unique:")) {
    auto v = parse_number(s.substr(7), kManualReqidMax);
    if (!v || *v == 0) c.fail(t, "unique:N needs N in 1..16383");
    reqid = std::uint32_t(*v);
    return Level::kUnique;
  }
  c.fail(t, "level must be default, use, require, unique or unique:N");
}

void parse_endpoints(Cursor& c, const Token& t, std::string_view s, IpsecRequest& r) {
  auto dash = s.find('-');
  if (dash == std::string_view::npos) c.fail(t, "endpoints must be written src-dst");
  auto src = IpAddr::parse(s.substr(0, dash));
  auto dst = IpAddr::parse(s.substr(dash + 1));
  if (!src || !dst) c.fail(t, "endpoints must be numeric addresses src-dst");
  if (src->family != dst->family) c.fail(t, "tunnel endpoints mix IPv4 and IPv6");
  r.src = *src;
  r.dst = *dst;
}

IpsecRequest parse_request(Cursor& c) {
  const Token& t = c.next();
  auto parts = split(t.text, '/');
  if (t.quoted || parts.size() < 2 || parts.size() > 4)
    c.fail(t, "expected a request protocol/mode/src-dst/level");
  IpsecRequest r;
  if (parts[0] == "esp") r.proto = IpsecProto::kEsp;
  else if (parts[0] == "ah") r.proto = IpsecProto::kAh;
  else if (parts[0] == "ipcomp") r.proto = IpsecProto::kIpComp;
  else c.fail(t, "request protocol must be esp, ah or ipcomp");
  if (parts[1] == "transport") r.mode = Mode::kTransport;
  else if (parts[1] == "tunnel") r.mode = Mode::kTunnel;
  else c.fail(t, "request mode must be transport or tunnel");
  if (parts.size() >= 3 && !parts[2].empty()) parse_endpoints(c, t, parts[2], r);
  if (r.mode == Mode::kTunnel && !r.src) c.fail(t, "tunnel mode needs endpoints src-dst");
  r.level = parse_level(c, t, parts.size() == 4 ? parts[3] : std::string_view(), r.reqid);
  return r;
}

std::int32_t parse_priority(Cursor& c) {
  const Token& t = c.next();
  std::int64_t v = 0;
  const char* b = t.text.data();
  const char* e = b + t.text.size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (t.quoted || ec != std::errc() || p != e || v < std::numeric_limits<std::int32_t>::min() ||
      v > std::numeric_limits<std::int32_t>::max())
    c.fail(t, "priority must be a signed 32-bit decimal number");
  return std::int32_t(v);
}
}  // namespace

PolicySpec parse_policy(Cursor& c) {
  PolicySpec spec;
  const Token& d = c.next();
  if (d.text == "in") spec.dir = Direction::kIn;
  else if (d.text == "out") spec.dir = Direction::kOut;
  else if (d.text == "fwd") spec.dir = Direction::kFwd;
  else c.fail(d, "policy direction must be in, out or fwd");
  if (c.accept("priority") || c.accept("prio")) spec.priority = parse_priority(c);
  const Token& a = c.next();
  if (a.text == "discard") spec.action = PolicyAction::kDiscard;
  else if (a.text == "none") spec.action = PolicyAction::kNone;
  else if (a.text == "entrust") spec.action = PolicyAction::kEntrust;
  else if (a.text == "bypass") spec.action = PolicyAction::kBypass;
  else if (a.text == "ipsec") spec.action = PolicyAction::kIpsec;
  else c.fail(a, "policy must be discard, none, entrust, bypass or ipsec");
  if (spec.action != PolicyAction::kIpsec) return spec;
  while (!c.at_end() && !c.peek_is(";")) spec.requests.push_back(parse_request(c));
  if (spec.requests.empty()) c.fail_here("ipsec needs at least one request protocol/mode/src-dst/level");
  return spec;
}

}  // namespace aipsec::setkey::detail

namespace aipsec::setkey {

PolicySpec parse_policy_string(std::string_view policy) {
  auto toks = detail::tokenize(policy, "<policy>");
  detail::Cursor c(toks, "<policy>");
  PolicySpec spec = detail::parse_policy(c);
  if (!c.at_end()) c.fail_here("unexpected text after the policy");
  return spec;
}

namespace {
std::string_view level_name(Level l) {
  switch (l) {
    case Level::kDefault: return "default";
    case Level::kUse: return "use";
    case Level::kRequire: return "require";
    case Level::kUnique: return "unique";
  }
  return "default";
}
std::string_view action_name(PolicyAction a) {
  switch (a) {
    case PolicyAction::kDiscard: return "discard";
    case PolicyAction::kNone: return "none";
    case PolicyAction::kIpsec: return "ipsec";
    case PolicyAction::kEntrust: return "entrust";
    case PolicyAction::kBypass: return "bypass";
  }
  return "none";
}
std::string_view direction_name(Direction d) {
  return d == Direction::kIn ? "in" : d == Direction::kOut ? "out" : "fwd";
}
}  // namespace

namespace detail {
std::string format_request(const IpsecRequest& r) {
  std::string s(detail::protocol_name(r.proto));
  s += r.mode == Mode::kTunnel ? "/tunnel/" : "/transport/";
  if (r.src && r.dst) s += r.src->to_string() + "-" + r.dst->to_string();
  s += "/";
  s += level_name(r.level);
  if (r.level == Level::kUnique && r.reqid) s += ":" + std::to_string(r.reqid);
  return s;
}

std::string format_policy_head(const PolicySpec& spec) {
  std::string s(direction_name(spec.dir));
  if (spec.priority) s += " priority " + std::to_string(spec.priority);
  s += " ";
  s += action_name(spec.action);
  return s;
}

}  // namespace detail

std::string format_policy_string(const PolicySpec& spec) {
  std::string s = detail::format_policy_head(spec);
  for (const auto& r : spec.requests) s += " " + detail::format_request(r);
  return s;
}

}  // namespace aipsec::setkey
