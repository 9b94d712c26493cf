#include "policy/selector.hpp"

#include "aipsec/dataplane.hpp"
#include "aipsec/packet.hpp"

namespace aipsec {
namespace {

int max_prefix(int family) { return family == 4 ? 32 : family == 6 ? 128 : 0; }

bool normalize_prefix(IpPrefix& p, const char* which, std::string* error) {
  auto fail = [&](const std::string& why) {
    if (error) *error = std::string(which) + " " + why;
    return false;
  };
  if (p.addr.family != 0 && p.addr.family != 4 && p.addr.family != 6)
    return fail("address has an unknown family");
  if (p.prefix_len > max_prefix(p.addr.family))
    return fail("prefix length " + std::to_string(p.prefix_len) + " is longer than the address");
  int bits = p.prefix_len;
  for (std::size_t i = 0; i < p.addr.b.size(); ++i, bits -= 8) {
    if (bits >= 8) continue;
    p.addr.b[i] &= bits > 0 ? std::uint8_t(0xff << (8 - bits)) : 0;
  }
  return true;
}

void check_request(const IpsecRequest& r) {
  if (r.proto != IpsecProto::kEsp && r.proto != IpsecProto::kAh && r.proto != IpsecProto::kIpComp)
    throw Error("request protocol must be esp, ah or ipcomp");
  if (r.mode != Mode::kTransport && r.mode != Mode::kTunnel)
    throw Error("request mode must be transport or tunnel");
  if (r.mode == Mode::kTunnel) {
    if (!r.src || !r.dst || r.src->family == 0 || r.dst->family == 0)
      throw Error("a tunnel request needs both endpoint addresses");
    if (r.src->family != r.dst->family)
      throw Error("tunnel endpoints are not of the same address family");
  }
  if (r.level > Level::kUnique) throw Error("request level must be default, use, require or unique");
}

}  // namespace

std::uint8_t selector_family(const Selector& s) {
  return s.src.addr.family ? s.src.addr.family : s.dst.addr.family;
}

bool normalize_selector(Selector& s, std::string* error) {
  if (!normalize_prefix(s.src, "source", error) || !normalize_prefix(s.dst, "destination", error))
    return false;
  auto fail = [&](const char* why) {
    if (error) *error = why;
    return false;
  };
  if (s.src.addr.family && s.dst.addr.family && s.src.addr.family != s.dst.addr.family)
    return fail("source and destination are not of the same address family");
  if ((s.icmp_type || s.icmp_code) && s.ulproto != ipproto::kIcmp && s.ulproto != ipproto::kIcmpv6)
    return fail("ICMP type/code given for a protocol that is not icmp or ipv6-icmp");
  if (s.icmp_code && !s.icmp_type) return fail("ICMP code given without an ICMP type");
  return true;
}

void validate_policy(Policy& p) {
  std::string why;
  if (!normalize_selector(p.sel, &why)) throw Error("invalid selector: " + why);
  if (p.dir != Direction::kIn && p.dir != Direction::kOut && p.dir != Direction::kFwd)
    throw Error("policy direction must be in, out or fwd");
  if (p.action > PolicyAction::kBypass) throw Error("unknown policy action");
  if (p.action == PolicyAction::kIpsec) {
    // No requests: a policy a key daemon is asked to complete (SPDACQUIRE).
    if (p.requests.size() > kMaxBundle)
      throw Error("an ipsec policy may have at most " + std::to_string(kMaxBundle) + " requests");
    for (const auto& r : p.requests) check_request(r);
  } else if (!p.requests.empty()) {
    throw Error("requests given for a policy whose action is not ipsec");
  }
}

}  // namespace aipsec
