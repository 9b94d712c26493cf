// PF_KEY SPD messages (SADB_X_EXT_POLICY with sadb_x_ipsecrequest entries) <->
// Policy.
#include <netinet/in.h>

#include <cerrno>

#include "pfkey/engine_impl.hpp"

namespace aipsec::pfkey {
namespace {

// Linux setkey writes priorities around 0x80000000 (its default); Policy keeps a
// signed value with 0 as the default. The mapping keeps the order.
constexpr std::uint32_t kPriorityBias = 0x80000000u;
std::int32_t priority_from_wire(std::uint32_t w) { return std::int32_t(w - kPriorityBias); }
std::uint32_t priority_to_wire(std::int32_t p) { return std::uint32_t(p) + kPriorityBias; }

bool is_icmp(std::uint8_t proto) { return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6; }

IpsecRequest request_from(const IpsecRequestExt& r) {
  IpsecRequest q;
  switch (r.proto) {
    case IPPROTO_ESP: q.proto = IpsecProto::kEsp; break;
    case IPPROTO_AH: q.proto = IpsecProto::kAh; break;
    case IPPROTO_COMP: q.proto = IpsecProto::kIpComp; break;
    default: reject(EINVAL, "ipsecrequest protocol " + std::to_string(r.proto) + " is not ESP, AH or IPComp");
  }
  if (r.mode != IPSEC_MODE_TRANSPORT && r.mode != IPSEC_MODE_TUNNEL)
    reject(EINVAL, "ipsecrequest mode must be transport or tunnel");
  if (r.level > IPSEC_LEVEL_UNIQUE) reject(EINVAL, "ipsecrequest level " + std::to_string(r.level) + " is unknown");
  q.mode = Mode(r.mode);
  q.level = Level(r.level);
  q.reqid = r.reqid;
  if (r.src) {
    q.src = r.src->addr;
    q.dst = r.dst->addr;
  }
  if (q.mode == Mode::kTunnel && !q.src) reject(EINVAL, "tunnel-mode request without endpoints");
  return q;
}

IpsecRequestExt request_ext(const IpsecRequest& q) {
  IpsecRequestExt r;
  r.proto = std::uint16_t(q.proto);
  r.mode = std::uint8_t(q.mode);
  r.level = std::uint8_t(q.level);
  r.reqid = q.reqid;
  if (q.src && q.dst) {
    r.src = SockAddr{*q.src, 0, 0};
    r.dst = SockAddr{*q.dst, 0, 0};
  }
  return r;
}

AddressExt selector_address(const IpPrefix& p, std::uint16_t port, std::uint8_t ulproto) {
  return AddressExt{ulproto, p.prefix_len, SockAddr{p.addr, port, 0}};
}

}  // namespace

Policy policy_from(const Message& m) {
  if (!m.src || !m.dst || !m.policy) reject(EINVAL, "source, destination and policy extensions are required");
  const PolicyExt& x = *m.policy;
  if (m.src->sa.addr.family != m.dst->sa.addr.family) reject(EINVAL, "selector addresses of different families");
  if (m.src->proto != m.dst->proto) reject(EINVAL, "selector upper-layer protocols differ");
  if (x.dir < IPSEC_DIR_INBOUND || x.dir > IPSEC_DIR_FWD) reject(EINVAL, "policy direction must be in, out or fwd");
  if (x.type > IPSEC_POLICY_BYPASS) reject(EINVAL, "policy type " + std::to_string(x.type) + " is unknown");
  if (x.requests.size() > kMaxBundle) reject(EINVAL, "more than " + std::to_string(kMaxBundle) + " ipsecrequests");
  // An ipsec policy without requests is KAME's incomplete policy: its packets
  // are dropped and SADB_X_SPDACQUIRE asks the key daemon to complete it.
  if (x.type != IPSEC_POLICY_IPSEC && !x.requests.empty()) reject(EINVAL, "only ipsec policies carry requests");
  Policy p;
  p.id = x.id;
  p.dir = Direction(x.dir);
  p.action = PolicyAction(x.type);
  p.priority = priority_from_wire(x.priority);
  p.sel.src = IpPrefix{m.src->sa.addr, m.src->prefixlen};
  p.sel.dst = IpPrefix{m.dst->sa.addr, m.dst->prefixlen};
  p.sel.ulproto = m.src->proto;
  if (is_icmp(p.sel.ulproto)) {
    // KAME carries the ICMP type and code in the port fields (0 = any).
    if (m.src->sa.port != 0) p.sel.icmp_type = std::uint8_t(m.src->sa.port);
    if (m.dst->sa.port != 0) p.sel.icmp_code = std::uint8_t(m.dst->sa.port);
  } else {
    p.sel.sport = m.src->sa.port;
    p.sel.dport = m.dst->sa.port;
  }
  for (const auto& r : x.requests) p.requests.push_back(request_from(r));
  if (m.lifetime_hard) p.lifetime = Lifetime{m.lifetime_hard->bytes, m.lifetime_hard->allocations,
                                             m.lifetime_hard->addtime, m.lifetime_hard->usetime};
  return p;
}

Message policy_message(const Policy& p, std::uint8_t type) {
  Message m;
  m.type = type;
  std::uint16_t sport = p.sel.sport, dport = p.sel.dport;
  if (is_icmp(p.sel.ulproto)) {
    sport = p.sel.icmp_type.value_or(0);
    dport = p.sel.icmp_code.value_or(0);
  }
  m.src = selector_address(p.sel.src, sport, p.sel.ulproto);
  m.dst = selector_address(p.sel.dst, dport, p.sel.ulproto);
  PolicyExt x;
  x.type = std::uint16_t(p.action);
  x.dir = std::uint8_t(p.dir);
  x.id = p.id;
  x.priority = priority_to_wire(p.priority);
  for (const auto& q : p.requests) x.requests.push_back(request_ext(q));
  m.policy = std::move(x);
  if (p.lifetime != Lifetime{})
    m.lifetime_hard = LifetimeExt{std::uint32_t(p.lifetime.packets), p.lifetime.bytes, p.lifetime.add_seconds,
                                  p.lifetime.use_seconds};
  return m;
}

}  // namespace aipsec::pfkey
