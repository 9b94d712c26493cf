// Wire -> Message. Every length is checked before it is used, so nothing a
// client sends can read past the buffer or make us allocate more than the
// message itself (at most 512 KiB).
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "aipsec/pfkey.hpp"
#include "pfkey/wire.hpp"

namespace aipsec::pfkey {
namespace {

struct Fail {
  int error;
  std::string detail;
};

[[noreturn]] void fail(int e, std::string d) { throw Fail{e, std::move(d)}; }

// Reads a sockaddr_in / sockaddr_in6 at p (avail bytes); returns its size.
std::size_t read_sockaddr(const std::uint8_t* p, std::size_t avail, SockAddr& out) {
  if (avail < 2) fail(EINVAL, "sockaddr truncated");
  sa_family_t fam;
  std::memcpy(&fam, p, sizeof fam);
  if (fam == AF_INET) {
    if (avail < sizeof(sockaddr_in)) fail(EINVAL, "sockaddr_in truncated");
    sockaddr_in s;
    std::memcpy(&s, p, sizeof s);
    out.addr = IpAddr::from_bytes(4, reinterpret_cast<const std::uint8_t*>(&s.sin_addr));
    out.port = ntohs(s.sin_port);
    out.scope_id = 0;
    return sizeof(sockaddr_in);
  }
  if (fam == AF_INET6) {
    if (avail < sizeof(sockaddr_in6)) fail(EINVAL, "sockaddr_in6 truncated");
    sockaddr_in6 s;
    std::memcpy(&s, p, sizeof s);
    out.addr = IpAddr::from_bytes(6, s.sin6_addr.s6_addr);
    out.port = ntohs(s.sin6_port);
    out.scope_id = s.sin6_scope_id;
    return sizeof(sockaddr_in6);
  }
  fail(EINVAL, "address family " + std::to_string(fam) + " is not supported");
}

AddressExt read_address(const std::uint8_t* p, std::size_t len) {
  sadb_address h;
  std::memcpy(&h, p, sizeof h);
  AddressExt a;
  a.proto = h.sadb_address_proto;
  a.prefixlen = h.sadb_address_prefixlen;
  std::size_t sl = read_sockaddr(p + sizeof h, len - sizeof h, a.sa);
  // Like Linux: the extension is exactly the header plus the aligned sockaddr.
  if (len != align8(sizeof h + sl)) fail(EINVAL, "address extension length does not fit its sockaddr");
  if (a.prefixlen > a.sa.addr.size() * 8) fail(EINVAL, "address prefix length too long");
  return a;
}

KeyExt read_key(const std::uint8_t* p, std::size_t len) {
  sadb_key h;
  std::memcpy(&h, p, sizeof h);
  std::size_t n = (std::size_t(h.sadb_key_bits) + 7) / 8;
  if (h.sadb_key_bits == 0 || sizeof h + n > len) fail(EINVAL, "key bits do not fit the key extension");
  KeyExt k;
  k.bits = h.sadb_key_bits;
  k.key = SecureBytes(ByteView(p + sizeof h, n));
  return k;
}

IdentityExt read_identity(const std::uint8_t* p, std::size_t len) {
  sadb_ident h;
  std::memcpy(&h, p, sizeof h);
  IdentityExt id;
  id.type = h.sadb_ident_type;
  id.id = h.sadb_ident_id;
  id.data.assign(p + sizeof h, p + len);
  return id;
}

SensitivityExt read_sens(const std::uint8_t* p, std::size_t len) {
  sadb_sens h;
  std::memcpy(&h, p, sizeof h);
  std::size_t words = std::size_t(h.sadb_sens_sens_len) + h.sadb_sens_integ_len;
  if (sizeof h + 8 * words != len) fail(EINVAL, "sensitivity bitmap lengths disagree with the extension");
  SensitivityExt s;
  s.dpd = h.sadb_sens_dpd;
  s.sens_level = h.sadb_sens_sens_level;
  s.integ_level = h.sadb_sens_integ_level;
  const std::uint8_t* q = p + sizeof h;
  for (std::size_t i = 0; i < words; ++i, q += 8) {
    std::uint64_t w;
    std::memcpy(&w, q, 8);
    (i < h.sadb_sens_sens_len ? s.sens_bitmap : s.integ_bitmap).push_back(w);
  }
  return s;
}

ProposalExt read_proposal(const std::uint8_t* p, std::size_t len) {
  if ((len - sizeof(sadb_prop)) % sizeof(sadb_comb) != 0) fail(EINVAL, "proposal is not a whole number of combs");
  ProposalExt pr;
  pr.replay = p[4];
  for (std::size_t off = sizeof(sadb_prop); off < len; off += sizeof(sadb_comb)) {
    sadb_comb c;
    std::memcpy(&c, p + off, sizeof c);
    pr.combs.push_back(comb_from_wire(c));
  }
  return pr;
}

SupportedExt read_supported(const std::uint8_t* p, std::size_t len) {
  SupportedExt s;
  for (std::size_t off = sizeof(sadb_supported); off < len; off += sizeof(sadb_alg)) {
    sadb_alg a;
    std::memcpy(&a, p + off, sizeof a);
    s.algs.push_back(Alg{a.sadb_alg_id, a.sadb_alg_ivlen, a.sadb_alg_minbits, a.sadb_alg_maxbits});
  }
  return s;
}

IpsecRequestExt read_request(const std::uint8_t* p, std::size_t len) {
  sadb_x_ipsecrequest h;
  std::memcpy(&h, p, sizeof h);
  IpsecRequestExt r;
  r.proto = h.sadb_x_ipsecrequest_proto;
  r.mode = h.sadb_x_ipsecrequest_mode;
  r.level = h.sadb_x_ipsecrequest_level;
  r.reqid = h.sadb_x_ipsecrequest_reqid;
  if (len == sizeof h) return r;
  SockAddr s, d;
  std::size_t off = sizeof h;
  off += read_sockaddr(p + off, len - off, s);
  off += read_sockaddr(p + off, len - off, d);
  if (s.addr.family != d.addr.family) fail(EINVAL, "tunnel endpoints of different address families");
  if (align8(off) != align8(len)) fail(EINVAL, "ipsecrequest length does not fit its addresses");
  r.src = s;
  r.dst = d;
  return r;
}

PolicyExt read_policy(const std::uint8_t* p, std::size_t len) {
  sadb_x_policy h;
  std::memcpy(&h, p, sizeof h);
  PolicyExt pol;
  pol.type = h.sadb_x_policy_type;
  pol.dir = h.sadb_x_policy_dir;
  pol.id = h.sadb_x_policy_id;
  pol.priority = h.sadb_x_policy_priority;
  std::size_t off = sizeof h;
  while (off < len) {
    if (len - off < sizeof(sadb_x_ipsecrequest)) fail(EINVAL, "trailing bytes in the policy extension");
    std::uint16_t rl;
    std::memcpy(&rl, p + off, 2);
    if (rl < sizeof(sadb_x_ipsecrequest) || rl > len - off) fail(EINVAL, "ipsecrequest length out of bounds");
    pol.requests.push_back(read_request(p + off, rl));
    off += rl;
  }
  return pol;
}

template <class T>
T read_fixed(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void read_extension(Message& m, std::uint16_t type, const std::uint8_t* p, std::size_t len) {
  if (len < min_ext_len(type)) fail(EINVAL, std::string("extension ") + std::to_string(type) + " too short");
  switch (type) {
    case SADB_EXT_SA: {
      auto h = read_fixed<sadb_sa>(p);
      m.sa = SaExt{ntohl(h.sadb_sa_spi), h.sadb_sa_replay, h.sadb_sa_state, h.sadb_sa_auth,
                   h.sadb_sa_encrypt, h.sadb_sa_flags};
      break;
    }
    case SADB_EXT_LIFETIME_CURRENT:
    case SADB_EXT_LIFETIME_HARD:
    case SADB_EXT_LIFETIME_SOFT: {
      auto h = read_fixed<sadb_lifetime>(p);
      LifetimeExt l{h.sadb_lifetime_allocations, h.sadb_lifetime_bytes, h.sadb_lifetime_addtime,
                    h.sadb_lifetime_usetime};
      (type == SADB_EXT_LIFETIME_CURRENT ? m.lifetime_current
       : type == SADB_EXT_LIFETIME_HARD  ? m.lifetime_hard
                                         : m.lifetime_soft) = l;
      break;
    }
    case SADB_EXT_ADDRESS_SRC: m.src = read_address(p, len); break;
    case SADB_EXT_ADDRESS_DST: m.dst = read_address(p, len); break;
    case SADB_EXT_ADDRESS_PROXY: m.proxy = read_address(p, len); break;
    case SADB_X_EXT_NAT_T_OA: m.natt_oa = read_address(p, len); break;
    case SADB_EXT_KEY_AUTH: m.key_auth = read_key(p, len); break;
    case SADB_EXT_KEY_ENCRYPT: m.key_encrypt = read_key(p, len); break;
    case SADB_EXT_IDENTITY_SRC: m.ident_src = read_identity(p, len); break;
    case SADB_EXT_IDENTITY_DST: m.ident_dst = read_identity(p, len); break;
    case SADB_EXT_SENSITIVITY: m.sensitivity = read_sens(p, len); break;
    case SADB_EXT_PROPOSAL: m.proposal = read_proposal(p, len); break;
    case SADB_EXT_SUPPORTED_AUTH: m.supported_auth = read_supported(p, len); break;
    case SADB_EXT_SUPPORTED_ENCRYPT: m.supported_encrypt = read_supported(p, len); break;
    case SADB_EXT_SPIRANGE: {
      auto h = read_fixed<sadb_spirange>(p);
      m.spirange = SpiRangeExt{h.sadb_spirange_min, h.sadb_spirange_max};
      break;
    }
    case SADB_X_EXT_POLICY: m.policy = read_policy(p, len); break;
    case SADB_X_EXT_SA2: {
      auto h = read_fixed<sadb_x_sa2>(p);
      m.sa2 = Sa2Ext{h.sadb_x_sa2_mode, h.sadb_x_sa2_sequence, h.sadb_x_sa2_reqid};
      break;
    }
    case SADB_X_EXT_NAT_T_TYPE: m.natt_type = read_fixed<sadb_x_nat_t_type>(p).sadb_x_nat_t_type_type; break;
    case SADB_X_EXT_NAT_T_SPORT: m.natt_sport = ntohs(read_fixed<sadb_x_nat_t_port>(p).sadb_x_nat_t_port_port); break;
    case SADB_X_EXT_NAT_T_DPORT: m.natt_dport = ntohs(read_fixed<sadb_x_nat_t_port>(p).sadb_x_nat_t_port_port); break;
    case kExtSaReplay: m.sa_replay = read_fixed<sadb_x_sa_replay>(p).sadb_x_sa_replay_replay; break;
    case SADB_X_EXT_KMPRIVATE:
    case SADB_X_EXT_SEC_CTX:
    case SADB_X_EXT_KMADDRESS:
    case SADB_X_EXT_FILTER:
      m.opaque.push_back(OpaqueExt{type, Bytes(p + sizeof(sadb_ext), p + len)});
      break;
    default: fail(EINVAL, "unknown extension type " + std::to_string(type));
  }
}

Message parse_or_throw(ByteView w) {
  if (w.size() < sizeof(sadb_msg)) fail(EMSGSIZE, "shorter than a sadb_msg");
  auto h = read_fixed<sadb_msg>(w.data());
  if (h.sadb_msg_version != PF_KEY_V2) fail(EINVAL, "not PF_KEY_V2");
  if (h.sadb_msg_reserved != 0) fail(EINVAL, "sadb_msg_reserved is not zero");
  if (h.sadb_msg_type == SADB_RESERVED || h.sadb_msg_type > SADB_MAX)
    fail(EINVAL, "unknown message type " + std::to_string(h.sadb_msg_type));
  if (std::size_t(h.sadb_msg_len) * 8 != w.size()) fail(EMSGSIZE, "sadb_msg_len disagrees with the message size");
  Message m;
  m.type = h.sadb_msg_type;
  m.error = h.sadb_msg_errno;
  m.satype = h.sadb_msg_satype;
  m.seq = h.sadb_msg_seq;
  m.pid = h.sadb_msg_pid;
  std::size_t off = sizeof h;
  while (off < w.size()) {
    if (w.size() - off < sizeof(sadb_ext)) fail(EINVAL, "truncated extension header");
    auto e = read_fixed<sadb_ext>(w.data() + off);
    std::size_t len = std::size_t(e.sadb_ext_len) * 8;
    if (len == 0 || len > w.size() - off) fail(EINVAL, "extension length zero or past the end");
    if (e.sadb_ext_type == SADB_EXT_RESERVED || e.sadb_ext_type > kExtMax)
      fail(EINVAL, "unknown extension type " + std::to_string(e.sadb_ext_type));
    if (m.has(e.sadb_ext_type)) fail(EINVAL, "duplicate extension " + std::to_string(e.sadb_ext_type));
    read_extension(m, e.sadb_ext_type, w.data() + off, len);
    m.ext_order.push_back(e.sadb_ext_type);
    off += len;
  }
  return m;
}

}  // namespace

ParseResult parse(ByteView wire) {
  ParseResult r;
  try {
    r.msg = parse_or_throw(wire);
  } catch (const Fail& f) {
    r.error = f.error;
    r.detail = f.detail;
  } catch (const std::bad_alloc&) {
    r.error = ENOBUFS;
    r.detail = "out of memory";
  }
  return r;
}

}  // namespace aipsec::pfkey
