// PF_KEY SA messages <-> SaConfig, and the algorithm lists REGISTER and
// ACQUIRE advertise.
#include <cerrno>

#include "pfkey/engine_impl.hpp"

namespace aipsec::pfkey {
namespace {

std::uint8_t full_prefix(const IpAddr& a) { return std::uint8_t(a.size() * 8); }

// The key an algorithm needs: absent when it takes none, else whole bytes
// within the algorithm's sizes (exact_bytes when the number fixes the size).
SecureBytes key_for(const std::optional<KeyExt>& k, const AlgInfo& ai, std::size_t exact_bytes,
                    const char* what) {
  if (ai.key_max == 0) {
    if (k) reject(EINVAL, std::string(what) + " algorithm " + ai.name + " takes no key");
    return {};
  }
  if (!k) reject(EINVAL, std::string(what) + " key missing");
  std::size_t n = k->key.size();
  bool ok = k->bits % 8 == 0 && (exact_bytes ? n == exact_bytes : n >= ai.key_min && n <= ai.key_max);
  if (!ok) reject(EINVAL, std::string(what) + " key of " + std::to_string(k->bits) + " bits is wrong for " + ai.name);
  return k->key;
}

void set_algorithms(const Message& m, SaConfig& c) {
  const SaExt& s = *m.sa;
  if (c.proto == IpsecProto::kIpComp) {
    auto comp = comp_from_sadb(s.encrypt);
    if (!comp || *comp == CompAlg::kNone) reject(EINVAL, "compression algorithm " + std::to_string(s.encrypt) + " is not supported");
    if (s.auth != SADB_AALG_NONE || m.key_auth || m.key_encrypt) reject(EINVAL, "IPComp takes no keys");
    c.comp = *comp;
    return;
  }
  auto auth = auth_from_sadb(s.auth);
  if (!auth) reject(EINVAL, "authentication algorithm " + std::to_string(s.auth) + " is not supported");
  auto enc = enc_from_sadb(s.encrypt);
  if (!enc) reject(EINVAL, "encryption algorithm " + std::to_string(s.encrypt) + " is not supported");
  if (c.proto == IpsecProto::kAh && *enc != EncAlg::kNone) reject(EINVAL, "AH takes no encryption algorithm");
  c.enc = *enc;
  c.auth = *auth;
  c.enc_key = key_for(m.key_encrypt, alg_info(c.enc), 0, "encryption");
  c.auth_key = key_for(m.key_auth, alg_info(c.auth), gmac_key_bytes(s.auth), "authentication");
}

void set_flags(const Message& m, SaConfig& c) {
  std::uint32_t f = m.sa->flags;
  c.flags = f;
  c.esn = f & kSaFlagEsn;
  c.cyclic_seq = f & kSaFlagCycSeq;
  c.ipcomp_raw_cpi = f & kSaFlagRawCpi;
  c.pad = (f & kSaFlagPadZero) ? PadMode::kZero : (f & kSaFlagPadRandom) ? PadMode::kRandom : PadMode::kSequential;
  // KAME counts sadb_sa_replay in bytes of bitmap; the FreeBSD extension in packets.
  c.replay_window = m.sa_replay ? *m.sa_replay : std::uint32_t(m.sa->replay) * 8;
}

void set_natt(const Message& m, SaConfig& c) {
  if (!m.natt_type) {
    if (m.natt_sport || m.natt_dport || m.natt_oa) reject(EINVAL, "NAT-T ports without SADB_X_EXT_NAT_T_TYPE");
    return;
  }
  if (*m.natt_type != kNatTypeEspInUdp || c.proto != IpsecProto::kEsp)
    reject(EINVAL, "only ESP-in-UDP (RFC 3948) NAT-T is supported");
  if (!m.natt_sport || !m.natt_dport) reject(EINVAL, "NAT-T needs both ports");
  c.natt_sport = *m.natt_sport;
  c.natt_dport = *m.natt_dport;
  if (m.natt_oa) c.natt_oa = m.natt_oa->sa.addr;
}

Lifetime lifetime_from(const LifetimeExt& l) { return Lifetime{l.bytes, l.allocations, l.addtime, l.usetime}; }
LifetimeExt lifetime_ext(const Lifetime& l) {
  return LifetimeExt{std::uint32_t(std::min<std::uint64_t>(l.packets, 0xffffffffu)), l.bytes, l.add_seconds,
                     l.use_seconds};
}

std::uint32_t flags_of(const SaConfig& c) {
  std::uint32_t f = c.flags & ~(kSaFlagEsn | kSaFlagCycSeq | kSaFlagRawCpi | kSaFlagPadZero | kSaFlagPadRandom);
  if (c.esn) f |= kSaFlagEsn;
  if (c.cyclic_seq) f |= kSaFlagCycSeq;
  if (c.ipcomp_raw_cpi) f |= kSaFlagRawCpi;
  if (c.pad == PadMode::kZero) f |= kSaFlagPadZero;
  if (c.pad == PadMode::kRandom) f |= kSaFlagPadRandom;
  return f;
}

}  // namespace

IpsecProto require_proto(std::uint8_t satype) {
  auto p = proto_of_satype(satype);
  if (!p) reject(EINVAL, "SA type " + std::to_string(satype) + " is not AH, ESP or IPComp");
  return *p;
}

AddressExt host_address(const IpAddr& a) {
  return AddressExt{IPSEC_ULPROTO_ANY, full_prefix(a), SockAddr{a, 0, 0}};
}

SaConfig sa_config_from(const Message& m) {
  if (!m.sa || !m.src || !m.dst) reject(EINVAL, "SA, source and destination extensions are required");
  SaConfig c;
  c.proto = require_proto(m.satype);
  if (m.src->sa.addr.family != m.dst->sa.addr.family) reject(EINVAL, "source and destination of different families");
  c.spi = m.sa->spi;
  c.src = m.src->sa.addr;
  c.dst = m.dst->sa.addr;
  if (m.sa2) {
    if (m.sa2->mode > IPSEC_MODE_TUNNEL) reject(EINVAL, "SA mode " + std::to_string(m.sa2->mode) + " is not supported");
    c.mode = Mode(m.sa2->mode);
    c.reqid = m.sa2->reqid;
  }
  set_algorithms(m, c);
  set_flags(m, c);
  set_natt(m, c);
  if (m.lifetime_hard) c.hard = lifetime_from(*m.lifetime_hard);
  if (m.lifetime_soft) c.soft = lifetime_from(*m.lifetime_soft);
  return c;
}

Message sa_message(const Sa& sa, std::uint8_t type, bool with_keys) {
  const SaConfig& c = sa.config();
  Message m;
  m.type = type;
  m.satype = satype_of(c.proto);
  SaExt s;
  s.spi = c.spi;
  s.replay = std::uint8_t(std::min<std::uint32_t>(c.replay_window / 8, 255));
  s.state = std::uint8_t(sa.state());
  s.auth = c.proto == IpsecProto::kIpComp ? 0 : sadb_of(c.auth, c.auth_key.size());
  s.encrypt = c.proto == IpsecProto::kIpComp ? sadb_of(c.comp) : sadb_of(c.enc);
  s.flags = flags_of(c);
  m.sa = s;
  if (c.replay_window != std::uint32_t(s.replay) * 8) m.sa_replay = c.replay_window;
  const SaCurrent& cur = sa.current();
  m.lifetime_current = LifetimeExt{std::uint32_t(std::min<std::uint64_t>(cur.packets.load(), 0xffffffffu)),
                                   cur.bytes.load(), cur.add_time, cur.first_use_time.load()};
  if (c.hard != Lifetime{}) m.lifetime_hard = lifetime_ext(c.hard);
  if (c.soft != Lifetime{}) m.lifetime_soft = lifetime_ext(c.soft);
  m.src = host_address(c.src);
  m.dst = host_address(c.dst);
  if (with_keys && !c.auth_key.empty()) m.key_auth = KeyExt{std::uint16_t(c.auth_key.size() * 8), c.auth_key};
  if (with_keys && !c.enc_key.empty()) m.key_encrypt = KeyExt{std::uint16_t(c.enc_key.size() * 8), c.enc_key};
  m.sa2 = Sa2Ext{std::uint8_t(c.mode), 0, c.reqid};
  if (c.natt_dport != 0) {
    m.natt_type = kNatTypeEspInUdp;
    m.natt_sport = c.natt_sport;
    m.natt_dport = c.natt_dport;
    if (c.natt_oa) m.natt_oa = host_address(*c.natt_oa);
  }
  return m;
}

}  // namespace aipsec::pfkey
