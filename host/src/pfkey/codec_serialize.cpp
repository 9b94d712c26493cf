// Message -> wire, in the layout of <linux/pfkeyv2.h>.
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cstring>

#include "aipsec/pfkey.hpp"
#include "pfkey/wire.hpp"

namespace aipsec::pfkey {
namespace {

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}
  template <class T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    out_.insert(out_.end(), p, p + sizeof v);
  }
  void put(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
  void pad8() { out_.resize(align8(out_.size()), 0); }
  std::size_t size() const { return out_.size(); }
  // Fills in the 16-bit length (in 8-byte units) of what starts at start.
  void patch_len(std::size_t start) {
    pad8();
    std::size_t units = (out_.size() - start) / 8;
    if (units > 0xffff) throw Error("PF_KEY extension too long");
    auto u = std::uint16_t(units);
    std::memcpy(out_.data() + start, &u, 2);
  }
  Bytes& bytes() { return out_; }

 private:
  Bytes& out_;
};

void put_sockaddr(Writer& w, const SockAddr& s) {
  if (s.addr.family == 4) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(s.port);
    std::memcpy(&a.sin_addr, s.addr.b.data(), 4);
    w.put(a);
  } else if (s.addr.family == 6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(s.port);
    std::memcpy(a.sin6_addr.s6_addr, s.addr.b.data(), 16);
    a.sin6_scope_id = s.scope_id;
    w.put(a);
  } else {
    throw Error("PF_KEY address without an address family");
  }
}

void put_ext_header(Writer& w, std::uint16_t type) {
  w.put(sadb_ext{0, type});
}

void put_address(Writer& w, std::uint16_t type, const AddressExt& a) {
  std::size_t start = w.size();
  sadb_address h{};
  h.sadb_address_exttype = type;
  h.sadb_address_proto = a.proto;
  h.sadb_address_prefixlen = a.prefixlen;
  w.put(h);
  put_sockaddr(w, a.sa);
  w.patch_len(start);
}

void put_key(Writer& w, std::uint16_t type, const KeyExt& k) {
  if ((std::size_t(k.bits) + 7) / 8 != k.key.size()) throw Error("PF_KEY key bits disagree with the key bytes");
  std::size_t start = w.size();
  sadb_key h{};
  h.sadb_key_exttype = type;
  h.sadb_key_bits = k.bits;
  w.put(h);
  w.put(k.key.view());
  w.patch_len(start);
}

void put_identity(Writer& w, std::uint16_t type, const IdentityExt& id) {
  std::size_t start = w.size();
  sadb_ident h{};
  h.sadb_ident_exttype = type;
  h.sadb_ident_type = id.type;
  h.sadb_ident_id = id.id;
  w.put(h);
  w.put(ByteView(id.data));
  w.patch_len(start);
}

void put_sens(Writer& w, const SensitivityExt& s) {
  if (s.sens_bitmap.size() > 255 || s.integ_bitmap.size() > 255) throw Error("PF_KEY sensitivity bitmap too long");
  std::size_t start = w.size();
  sadb_sens h{};
  h.sadb_sens_exttype = SADB_EXT_SENSITIVITY;
  h.sadb_sens_dpd = s.dpd;
  h.sadb_sens_sens_level = s.sens_level;
  h.sadb_sens_sens_len = std::uint8_t(s.sens_bitmap.size());
  h.sadb_sens_integ_level = s.integ_level;
  h.sadb_sens_integ_len = std::uint8_t(s.integ_bitmap.size());
  w.put(h);
  for (auto v : s.sens_bitmap) w.put(v);
  for (auto v : s.integ_bitmap) w.put(v);
  w.patch_len(start);
}

void put_policy(Writer& w, const PolicyExt& p) {
  std::size_t start = w.size();
  sadb_x_policy h{};
  h.sadb_x_policy_exttype = SADB_X_EXT_POLICY;
  h.sadb_x_policy_type = p.type;
  h.sadb_x_policy_dir = p.dir;
  h.sadb_x_policy_id = p.id;
  h.sadb_x_policy_priority = p.priority;
  w.put(h);
  for (const auto& r : p.requests) {
    std::size_t rs = w.size();
    sadb_x_ipsecrequest q{};
    q.sadb_x_ipsecrequest_proto = r.proto;
    q.sadb_x_ipsecrequest_mode = r.mode;
    q.sadb_x_ipsecrequest_level = r.level;
    q.sadb_x_ipsecrequest_reqid = r.reqid;
    w.put(q);
    if (r.src.has_value() != r.dst.has_value()) throw Error("PF_KEY ipsecrequest with one tunnel endpoint");
    if (r.src) {
      put_sockaddr(w, *r.src);
      put_sockaddr(w, *r.dst);
    }
    w.pad8();
    auto rl = std::uint16_t(w.size() - rs);
    std::memcpy(w.bytes().data() + rs, &rl, 2);
  }
  w.patch_len(start);
}

void put_fixed_ext(Writer& w, const Message& m, std::uint16_t t) {
  switch (t) {
    case SADB_EXT_SA: {
      sadb_sa h{2, SADB_EXT_SA, htonl(m.sa->spi), m.sa->replay, m.sa->state, m.sa->auth, m.sa->encrypt, m.sa->flags};
      w.put(h);
      break;
    }
    case SADB_EXT_LIFETIME_CURRENT:
    case SADB_EXT_LIFETIME_HARD:
    case SADB_EXT_LIFETIME_SOFT: {
      const auto& l = t == SADB_EXT_LIFETIME_CURRENT ? *m.lifetime_current
                      : t == SADB_EXT_LIFETIME_HARD  ? *m.lifetime_hard
                                                     : *m.lifetime_soft;
      w.put(sadb_lifetime{4, t, l.allocations, l.bytes, l.addtime, l.usetime});
      break;
    }
    case SADB_EXT_SPIRANGE: w.put(sadb_spirange{2, t, m.spirange->min, m.spirange->max, 0}); break;
    case SADB_X_EXT_SA2: w.put(sadb_x_sa2{2, t, m.sa2->mode, 0, 0, m.sa2->sequence, m.sa2->reqid}); break;
    case SADB_X_EXT_NAT_T_TYPE: w.put(sadb_x_nat_t_type{1, t, *m.natt_type, {0, 0, 0}}); break;
    case SADB_X_EXT_NAT_T_SPORT: w.put(sadb_x_nat_t_port{1, t, htons(*m.natt_sport), 0}); break;
    case SADB_X_EXT_NAT_T_DPORT: w.put(sadb_x_nat_t_port{1, t, htons(*m.natt_dport), 0}); break;
    case kExtSaReplay: w.put(sadb_x_sa_replay{1, t, *m.sa_replay}); break;
    default: throw Error("PF_KEY extension " + std::to_string(t) + " has no encoder");
  }
}

void put_list(Writer& w, std::uint16_t t, std::size_t head, const auto& items, auto&& put_item) {
  std::size_t start = w.size();
  put_ext_header(w, t);
  w.bytes().resize(start + head, 0);
  for (const auto& i : items) put_item(i);
  w.patch_len(start);
}

void put_extension(Writer& w, const Message& m, std::uint16_t t) {
  switch (t) {
    case SADB_EXT_ADDRESS_SRC: put_address(w, t, *m.src); break;
    case SADB_EXT_ADDRESS_DST: put_address(w, t, *m.dst); break;
    case SADB_EXT_ADDRESS_PROXY: put_address(w, t, *m.proxy); break;
    case SADB_X_EXT_NAT_T_OA: put_address(w, t, *m.natt_oa); break;
    case SADB_EXT_KEY_AUTH: put_key(w, t, *m.key_auth); break;
    case SADB_EXT_KEY_ENCRYPT: put_key(w, t, *m.key_encrypt); break;
    case SADB_EXT_IDENTITY_SRC: put_identity(w, t, *m.ident_src); break;
    case SADB_EXT_IDENTITY_DST: put_identity(w, t, *m.ident_dst); break;
    case SADB_EXT_SENSITIVITY: put_sens(w, *m.sensitivity); break;
    case SADB_X_EXT_POLICY: put_policy(w, *m.policy); break;
    case SADB_EXT_PROPOSAL: {
      std::size_t start = w.size();
      put_list(w, t, sizeof(sadb_prop), m.proposal->combs, [&](const Comb& c) { w.put(comb_to_wire(c)); });
      w.bytes()[start + 4] = m.proposal->replay;
      break;
    }
    case SADB_EXT_SUPPORTED_AUTH:
    case SADB_EXT_SUPPORTED_ENCRYPT:
      put_list(w, t, sizeof(sadb_supported),
               (t == SADB_EXT_SUPPORTED_AUTH ? m.supported_auth : m.supported_encrypt)->algs,
               [&](const Alg& a) { w.put(sadb_alg{a.id, a.ivlen, a.minbits, a.maxbits, 0}); });
      break;
    case SADB_X_EXT_KMPRIVATE:
    case SADB_X_EXT_SEC_CTX:
    case SADB_X_EXT_KMADDRESS:
    case SADB_X_EXT_FILTER: {
      auto it = std::find_if(m.opaque.begin(), m.opaque.end(), [t](const OpaqueExt& o) { return o.type == t; });
      std::size_t start = w.size();
      put_ext_header(w, t);
      w.put(ByteView(it->payload));
      w.patch_len(start);
      break;
    }
    default: put_fixed_ext(w, m, t);
  }
}

// The extension types of a message in the order they go out, without a heap
// allocation (this runs for every reply and every DUMP record).
struct ExtList {
  std::array<std::uint16_t, kExtMax> types{};
  std::size_t n = 0;
  const std::uint16_t* begin() const { return types.data(); }
  const std::uint16_t* end() const { return types.data() + n; }
};

// The order the message was parsed in when it names exactly the extensions
// present (a relayed message keeps its order), else ascending type.
ExtList extension_order(const Message& m) {
  ExtList present;
  for (std::uint16_t t = 1; t <= kExtMax; ++t)
    if (m.has(t)) present.types[present.n++] = t;
  for (const auto& o : m.opaque)
    if (o.type == 0 || o.type > kExtMax || min_ext_len(o.type) == 0 ||
        std::count_if(m.opaque.begin(), m.opaque.end(), [&](const OpaqueExt& x) { return x.type == o.type; }) != 1)
      throw Error("PF_KEY opaque extension of a bad or repeated type");
  if (m.ext_order.size() != present.n) return present;
  std::bitset<kExtMax + 1> seen;
  ExtList parsed;
  for (const std::uint16_t t : m.ext_order) {
    if (t == 0 || t > kExtMax || seen[t] || !m.has(t)) return present;
    seen[t] = true;
    parsed.types[parsed.n++] = t;
  }
  return parsed;
}

// An SA with both addresses (IPv6), three lifetimes, SA2, two keys: 392 bytes.
constexpr std::size_t kTypicalMessageBytes = 512;

}  // namespace

Bytes serialize_header(const Message& m, std::uint8_t error) {
  sadb_msg h{};
  h.sadb_msg_version = PF_KEY_V2;
  h.sadb_msg_type = m.type;
  h.sadb_msg_errno = error;
  h.sadb_msg_satype = m.satype;
  h.sadb_msg_len = sizeof h / 8;
  h.sadb_msg_seq = m.seq;
  h.sadb_msg_pid = m.pid;
  Bytes out;
  // Room for an SA message with its addresses, lifetimes and keys at once:
  // serialize() then appends without reallocating.
  out.reserve(kTypicalMessageBytes);
  out.resize(sizeof h);
  std::memcpy(out.data(), &h, sizeof h);
  return out;
}

Bytes serialize(const Message& m) {
  Bytes out = serialize_header(m, m.error);
  Writer w(out);
  for (auto t : extension_order(m)) put_extension(w, m, t);
  if (out.size() > kMaxMessageBytes) throw Error("PF_KEY message longer than 512 KiB");
  auto units = std::uint16_t(out.size() / 8);
  std::memcpy(out.data() + offsetof(sadb_msg, sadb_msg_len), &units, 2);
  return out;
}

}  // namespace aipsec::pfkey
