// setkey statements -> PF_KEY v2 messages, and PF_KEY SPD messages -> Policy.
#include "setkey_messages.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <type_traits>

namespace aipsec::setkeytool {
namespace {

using pfkey::AddressExt;
using pfkey::Message;

std::uint8_t full_prefix(const IpAddr& a) { return std::uint8_t(a.size() * 8); }

AddressExt host_address(const IpAddr& a) {
  return AddressExt{IPSEC_ULPROTO_ANY, full_prefix(a), pfkey::SockAddr{a, 0, 0}};
}

bool is_icmp(std::uint8_t proto) { return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6; }

// KAME carries an ICMP type and code in the port fields.
AddressExt selector_address(const IpPrefix& p, std::uint16_t port, std::uint8_t ulproto) {
  return AddressExt{ulproto, p.prefix_len, pfkey::SockAddr{p.addr, port, 0}};
}

void set_selector(const Selector& sel, Message& m) {
  std::uint16_t sport = sel.sport, dport = sel.dport;
  if (is_icmp(sel.ulproto)) {
    sport = sel.icmp_type.value_or(0);
    dport = sel.icmp_code.value_or(0);
  }
  m.src = selector_address(sel.src, sport, sel.ulproto);
  m.dst = selector_address(sel.dst, dport, sel.ulproto);
}

std::uint32_t sa_flags(const SaConfig& c) {
  std::uint32_t known = pfkey::kSaFlagEsn | pfkey::kSaFlagCycSeq | pfkey::kSaFlagRawCpi |
                        pfkey::kSaFlagPadRandom | pfkey::kSaFlagPadZero;
  std::uint32_t f = c.flags & ~known;
  if (c.esn) f |= pfkey::kSaFlagEsn;
  if (c.cyclic_seq) f |= pfkey::kSaFlagCycSeq;
  if (c.ipcomp_raw_cpi) f |= pfkey::kSaFlagRawCpi;
  if (c.pad == PadMode::kRandom) f |= pfkey::kSaFlagPadRandom;
  if (c.pad == PadMode::kZero) f |= pfkey::kSaFlagPadZero;
  return f;
}

pfkey::LifetimeExt lifetime_ext(const Lifetime& l) {
  return pfkey::LifetimeExt{std::uint32_t(std::min<std::uint64_t>(l.packets, 0xffffffffu)), l.bytes, l.add_seconds,
                            l.use_seconds};
}

std::optional<pfkey::KeyExt> key_ext(const SecureBytes& k) {
  if (k.empty()) return std::nullopt;
  return pfkey::KeyExt{std::uint16_t(k.size() * 8), k};
}

void set_algorithms(const SaConfig& c, pfkey::SaExt& s) {
  if (c.proto == IpsecProto::kIpComp) {
    s.encrypt = pfkey::sadb_of(c.comp);
    return;
  }
  s.encrypt = pfkey::sadb_of(c.enc);
  s.auth = pfkey::sadb_of(c.auth, c.auth_key.size());
}

// KAME's sadb_sa_replay counts bytes of bitmap; a window it cannot express
// travels in packets in X_SA_REPLAY as well.
void set_replay(const SaConfig& c, Message& m) {
  m.sa->replay = std::uint8_t(std::min<std::uint32_t>(c.replay_window / 8, 255));
  if (c.replay_window % 8 != 0 || c.replay_window / 8 > 255) m.sa_replay = c.replay_window;
}

void set_natt(const SaConfig& c, Message& m) {
  if (!c.natt_sport && !c.natt_dport) return;
  m.natt_type = pfkey::kNatTypeEspInUdp;
  m.natt_sport = c.natt_sport;
  m.natt_dport = c.natt_dport;
  if (c.natt_oa) m.natt_oa = host_address(*c.natt_oa);
}

pfkey::IpsecRequestExt request_ext(const IpsecRequest& q) {
  pfkey::IpsecRequestExt r;
  r.proto = std::uint16_t(q.proto);
  r.mode = std::uint8_t(q.mode);
  r.level = std::uint8_t(q.level);
  r.reqid = q.reqid;
  if (q.src && q.dst) {
    r.src = pfkey::SockAddr{*q.src, 0, 0};
    r.dst = pfkey::SockAddr{*q.dst, 0, 0};
  }
  return r;
}

IpsecRequest request_of(const pfkey::IpsecRequestExt& r) {
  IpsecRequest q;
  if (r.proto != IPPROTO_ESP && r.proto != IPPROTO_AH && r.proto != IPPROTO_COMP)
    throw Error("ipsecrequest protocol " + std::to_string(r.proto) + " is not ESP, AH or IPComp");
  q.proto = IpsecProto(r.proto);
  q.mode = Mode(std::min<std::uint8_t>(r.mode, 2));
  q.level = Level(std::min<std::uint8_t>(r.level, 3));
  q.reqid = r.reqid;
  if (r.src && r.dst) {
    q.src = r.src->addr;
    q.dst = r.dst->addr;
  }
  return q;
}

}  // namespace

Message bare_message(std::uint8_t type, std::uint8_t satype) {
  Message m;
  m.type = type;
  m.satype = satype;
  return m;
}

Message sa_add_message(const SaConfig& c, bool update) {
  Message m = bare_message(update ? SADB_UPDATE : SADB_ADD, pfkey::satype_of(c.proto));
  m.sa = pfkey::SaExt{};
  m.sa->spi = c.spi;
  m.sa->state = SADB_SASTATE_MATURE;
  m.sa->flags = sa_flags(c);
  set_algorithms(c, *m.sa);
  set_replay(c, m);
  m.src = host_address(c.src);
  m.dst = host_address(c.dst);
  m.sa2 = pfkey::Sa2Ext{std::uint8_t(c.mode), 0, c.reqid};
  m.key_encrypt = key_ext(c.enc_key);
  m.key_auth = key_ext(c.auth_key);
  if (c.hard != Lifetime{}) m.lifetime_hard = lifetime_ext(c.hard);
  if (c.soft != Lifetime{}) m.lifetime_soft = lifetime_ext(c.soft);
  set_natt(c, m);
  return m;
}

Message sa_id_message(std::uint8_t type, const IpAddr& src, const IpAddr& dst, IpsecProto proto,
                      std::uint32_t spi) {
  Message m = bare_message(type, pfkey::satype_of(proto));
  m.sa = pfkey::SaExt{};
  m.sa->spi = spi;
  m.src = host_address(src);
  m.dst = host_address(dst);
  return m;
}

Message sa_all_message(std::uint8_t type, std::optional<IpsecProto> proto) {
  return bare_message(type, proto ? pfkey::satype_of(*proto) : std::uint8_t(SADB_SATYPE_UNSPEC));
}

Message spd_add_message(const Policy& p, bool update) {
  Message m = bare_message(update ? SADB_X_SPDUPDATE : SADB_X_SPDADD);
  set_selector(p.sel, m);
  pfkey::PolicyExt x;
  x.type = std::uint16_t(p.action);
  x.dir = std::uint8_t(p.dir);
  x.priority = std::uint32_t(p.priority) + kPriorityBias;
  for (const auto& r : p.requests) x.requests.push_back(request_ext(r));
  m.policy = std::move(x);
  if (p.lifetime != Lifetime{}) m.lifetime_hard = lifetime_ext(p.lifetime);
  return m;
}

Message spd_delete_message(const Selector& sel, Direction dir) {
  Message m = bare_message(SADB_X_SPDDELETE);
  set_selector(sel, m);
  pfkey::PolicyExt x;
  x.type = IPSEC_POLICY_NONE;  // only the direction selects; KAME ignores the type
  x.dir = std::uint8_t(dir);
  x.priority = kPriorityBias;
  m.policy = std::move(x);
  return m;
}

Message first_message(const setkey::Command& cmd) {
  return std::visit(
      [](const auto& c) -> Message {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, setkey::SaAddCommand>) return sa_add_message(c.sa, c.update);
        else if constexpr (std::is_same_v<T, setkey::SaGetCommand>) return sa_id_message(SADB_GET, c.src, c.dst, c.proto, c.spi);
        else if constexpr (std::is_same_v<T, setkey::SaDeleteCommand>) return sa_id_message(SADB_DELETE, c.src, c.dst, c.proto, c.spi);
        else if constexpr (std::is_same_v<T, setkey::SaDeleteAllCommand>) return sa_all_message(SADB_DUMP, c.proto);
        else if constexpr (std::is_same_v<T, setkey::SaFlushCommand>) return sa_all_message(SADB_FLUSH, c.proto);
        else if constexpr (std::is_same_v<T, setkey::SaDumpCommand>) return sa_all_message(SADB_DUMP, c.proto);
        else if constexpr (std::is_same_v<T, setkey::SpdAddCommand>) return spd_add_message(c.policy, c.update);
        else if constexpr (std::is_same_v<T, setkey::SpdDeleteCommand>) return spd_delete_message(c.sel, c.dir);
        else if constexpr (std::is_same_v<T, setkey::SpdFlushCommand>) return bare_message(SADB_X_SPDFLUSH);
        else return bare_message(SADB_X_SPDDUMP);
      },
      cmd);
}

Policy policy_of(const Message& m) {
  if (!m.src || !m.dst || !m.policy) throw Error("SPD message without selector or policy extension");
  const pfkey::PolicyExt& x = *m.policy;
  Policy p;
  p.id = x.id;
  p.dir = Direction(std::clamp<std::uint8_t>(x.dir, 1, 3));
  p.action = PolicyAction(std::min<std::uint16_t>(x.type, 4));
  p.priority = std::int32_t(x.priority - kPriorityBias);
  p.sel.src = IpPrefix{m.src->sa.addr, m.src->prefixlen};
  p.sel.dst = IpPrefix{m.dst->sa.addr, m.dst->prefixlen};
  p.sel.ulproto = m.src->proto;
  if (is_icmp(p.sel.ulproto)) {
    if (m.src->sa.port) p.sel.icmp_type = std::uint8_t(m.src->sa.port);
    if (m.dst->sa.port) p.sel.icmp_code = std::uint8_t(m.dst->sa.port);
  } else {
    p.sel.sport = m.src->sa.port;
    p.sel.dport = m.dst->sa.port;
  }
  for (const auto& r : x.requests) p.requests.push_back(request_of(r));
  if (m.lifetime_hard) p.lifetime = Lifetime{0, 0, m.lifetime_hard->addtime, m.lifetime_hard->usetime};
  return p;
}

}  // namespace aipsec::setkeytool
