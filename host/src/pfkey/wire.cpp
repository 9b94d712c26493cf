// Extension sizes and the sadb_comb conversion.
#include "pfkey/wire.hpp"

#include <algorithm>

namespace aipsec::pfkey {

std::size_t min_ext_len(std::uint16_t type) {
  switch (type) {
    case SADB_EXT_SA: return sizeof(sadb_sa);
    case SADB_EXT_LIFETIME_CURRENT:
    case SADB_EXT_LIFETIME_HARD:
    case SADB_EXT_LIFETIME_SOFT: return sizeof(sadb_lifetime);
    case SADB_EXT_ADDRESS_SRC:
    case SADB_EXT_ADDRESS_DST:
    case SADB_EXT_ADDRESS_PROXY:
    case SADB_X_EXT_NAT_T_OA: return sizeof(sadb_address);
    case SADB_EXT_KEY_AUTH:
    case SADB_EXT_KEY_ENCRYPT: return sizeof(sadb_key);
    case SADB_EXT_IDENTITY_SRC:
    case SADB_EXT_IDENTITY_DST: return sizeof(sadb_ident);
    case SADB_EXT_SENSITIVITY: return sizeof(sadb_sens);
    case SADB_EXT_PROPOSAL: return sizeof(sadb_prop);
    case SADB_EXT_SUPPORTED_AUTH:
    case SADB_EXT_SUPPORTED_ENCRYPT: return sizeof(sadb_supported);
    case SADB_EXT_SPIRANGE: return sizeof(sadb_spirange);
    case SADB_X_EXT_KMPRIVATE: return sizeof(sadb_x_kmprivate);
    case SADB_X_EXT_POLICY: return sizeof(sadb_x_policy);
    case SADB_X_EXT_SA2: return sizeof(sadb_x_sa2);
    case SADB_X_EXT_NAT_T_TYPE: return sizeof(sadb_x_nat_t_type);
    case SADB_X_EXT_NAT_T_SPORT:
    case SADB_X_EXT_NAT_T_DPORT: return sizeof(sadb_x_nat_t_port);
    case SADB_X_EXT_SEC_CTX: return sizeof(sadb_x_sec_ctx);
    case SADB_X_EXT_KMADDRESS: return sizeof(sadb_x_kmaddress);
    case SADB_X_EXT_FILTER: return sizeof(sadb_x_filter);
    case kExtSaReplay: return sizeof(sadb_x_sa_replay);
    default: return 0;
  }
}

Comb comb_from_wire(const sadb_comb& c) {
  return Comb{c.sadb_comb_auth, c.sadb_comb_encrypt, c.sadb_comb_flags,
              c.sadb_comb_auth_minbits, c.sadb_comb_auth_maxbits,
              c.sadb_comb_encrypt_minbits, c.sadb_comb_encrypt_maxbits,
              c.sadb_comb_soft_allocations, c.sadb_comb_hard_allocations,
              c.sadb_comb_soft_bytes, c.sadb_comb_hard_bytes,
              c.sadb_comb_soft_addtime, c.sadb_comb_hard_addtime,
              c.sadb_comb_soft_usetime, c.sadb_comb_hard_usetime};
}

sadb_comb comb_to_wire(const Comb& c) {
  sadb_comb w{};
  w.sadb_comb_auth = c.auth;
  w.sadb_comb_encrypt = c.encrypt;
  w.sadb_comb_flags = c.flags;
  w.sadb_comb_auth_minbits = c.auth_minbits;
  w.sadb_comb_auth_maxbits = c.auth_maxbits;
  w.sadb_comb_encrypt_minbits = c.encrypt_minbits;
  w.sadb_comb_encrypt_maxbits = c.encrypt_maxbits;
  w.sadb_comb_soft_allocations = c.soft_allocations;
  w.sadb_comb_hard_allocations = c.hard_allocations;
  w.sadb_comb_soft_bytes = c.soft_bytes;
  w.sadb_comb_hard_bytes = c.hard_bytes;
  w.sadb_comb_soft_addtime = c.soft_addtime;
  w.sadb_comb_hard_addtime = c.hard_addtime;
  w.sadb_comb_soft_usetime = c.soft_usetime;
  w.sadb_comb_hard_usetime = c.hard_usetime;
  return w;
}

bool Message::has(std::uint16_t t) const {
  switch (t) {
    case SADB_EXT_SA: return sa.has_value();
    case SADB_EXT_LIFETIME_CURRENT: return lifetime_current.has_value();
    case SADB_EXT_LIFETIME_HARD: return lifetime_hard.has_value();
    case SADB_EXT_LIFETIME_SOFT: return lifetime_soft.has_value();
    case SADB_EXT_ADDRESS_SRC: return src.has_value();
    case SADB_EXT_ADDRESS_DST: return dst.has_value();
    case SADB_EXT_ADDRESS_PROXY: return proxy.has_value();
    case SADB_EXT_KEY_AUTH: return key_auth.has_value();
    case SADB_EXT_KEY_ENCRYPT: return key_encrypt.has_value();
    case SADB_EXT_IDENTITY_SRC: return ident_src.has_value();
    case SADB_EXT_IDENTITY_DST: return ident_dst.has_value();
    case SADB_EXT_SENSITIVITY: return sensitivity.has_value();
    case SADB_EXT_PROPOSAL: return proposal.has_value();
    case SADB_EXT_SUPPORTED_AUTH: return supported_auth.has_value();
    case SADB_EXT_SUPPORTED_ENCRYPT: return supported_encrypt.has_value();
    case SADB_EXT_SPIRANGE: return spirange.has_value();
    case SADB_X_EXT_POLICY: return policy.has_value();
    case SADB_X_EXT_SA2: return sa2.has_value();
    case SADB_X_EXT_NAT_T_TYPE: return natt_type.has_value();
    case SADB_X_EXT_NAT_T_SPORT: return natt_sport.has_value();
    case SADB_X_EXT_NAT_T_DPORT: return natt_dport.has_value();
    case SADB_X_EXT_NAT_T_OA: return natt_oa.has_value();
    case kExtSaReplay: return sa_replay.has_value();
    default:
      return std::any_of(opaque.begin(), opaque.end(), [t](const OpaqueExt& o) { return o.type == t; });
  }
}

}  // namespace aipsec::pfkey
